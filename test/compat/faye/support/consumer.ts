/**
 * A project that installs omnisocket as a user would, for programs that
 * `require("omnisocket/faye")` or import it, next to the real
 * faye-websocket:
 *
 *   tmp/package/   package.json + dist/esm (built here with the build tsconfig)
 *   tmp/consumer/  package.json, node_modules/{omnisocket -> ../package,
 *                  faye-websocket, permessage-deflate, ws -> the repo's}, programs
 *
 * Programs run on the runtime running the suite (node, deno or bun), each
 * in its own process.
 */
import { spawn, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { runtime } from "../../../harness.ts";

export const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));

export interface Consumer {
  dir: string;
  /** Writes `source` as `name` in the project and runs it; resolves with its stdout. */
  run(name: string, source: string, timeoutMs?: number): Promise<string>;
  remove(): void;
}

/** Builds the package and sets up the consumer project. */
export function makeConsumer(): Consumer {
  const work = mkdtempSync(join(tmpdir(), "omnisocket-faye-"));
  const pkg = join(work, "package");
  const dir = join(work, "consumer");
  mkdirSync(pkg);
  mkdirSync(join(dir, "node_modules"), { recursive: true });
  const tsc = join(ROOT, "node_modules", "typescript", "bin", "tsc");
  const built = spawnSync("node", [tsc, "-p", join(ROOT, "tsconfig.build.json"), "--outDir", join(pkg, "dist", "esm")], { encoding: "utf8" });
  if (built.status !== 0) throw new Error(`build failed: ${built.stdout}${built.stderr}`);
  cpSync(join(ROOT, "package.json"), join(pkg, "package.json"));
  symlinkSync(pkg, join(dir, "node_modules", "omnisocket"));
  for (const name of ["faye-websocket", "websocket-driver", "websocket-extensions", "http-parser-js", "safe-buffer", "permessage-deflate", "ws"]) {
    symlinkSync(join(ROOT, "node_modules", name), join(dir, "node_modules", name));
  }
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "faye-consumer", private: true }));
  return {
    dir,
    run(name, source, timeoutMs = 15_000) {
      writeFileSync(join(dir, name), source);
      return runFile(dir, name, timeoutMs);
    },
    remove() {
      rmSync(work, { recursive: true, force: true });
    },
  };
}

/** The command line that runs `file` on this suite's runtime. */
function command(file: string): [string, string[]] {
  if (runtime === "deno") return [process.execPath, ["run", "-A", file]];
  return [process.execPath, [file]];
}

function runFile(cwd: string, file: string, timeoutMs: number): Promise<string> {
  const [cmd, args] = command(file);
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" } });
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (chunk: Uint8Array) => { stdout += chunk; });
    child.stderr!.on("data", (chunk: Uint8Array) => { stderr += chunk; });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(stdout);
      else reject(new Error(`${file} exited with ${code ?? signal}:\n${stdout}\n${stderr}`));
    });
  });
}

/** A README program as an ES module: each `x = require('m')` becomes an import. */
export function toEsm(source: string): string {
  const imports: string[] = [];
  const body = source.replace(/require\((['"])([^'"]+)\1\)/g, (_all, _q, spec: string) => {
    const name = `__m${imports.length}`;
    imports.push(`import ${name} from ${JSON.stringify(spec)};`);
    return name;
  }).replace(/^'use strict';\n/, "");
  return `${imports.join("\n")}\n${body}`;
}

export function readFixture(name: string): string {
  return readFileSync(join(ROOT, "test", "compat", "faye", "readme", name), "utf8");
}
