/**
 * Every code example of ws's README, run twice as a program of its own:
 * once on `ws`, once with only the module name changed to `omnisocket/ws`,
 * and the two outputs compared.
 *
 *   test/compat/ws/readme/<example>.mjs  (README code, port 0, a local peer
 *        |                                instead of a public host, deterministic logs)
 *        +-- as ESM and as CommonJS (require) on Node
 *        +-- as ESM under Deno, ESM and CommonJS under Bun
 *
 * `omnisocket/ws` resolves through a package in a scratch node_modules
 * whose exports point at this checkout's sources (the same conditions as
 * package.json: require / deno / bun / default), so no build is needed.
 */
import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it, runtime } from "../../harness.ts";
import { localCertificate } from "../../peers/certificate.ts";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const SOURCES = fileURLToPath(new URL("./readme/", import.meta.url));
const SCRATCH = join(ROOT, ".tmp", `ws-readme-${runtime}-${process.pid}`);
const EXAMPLES = readdirSync(SOURCES).filter((f) => f.endsWith(".mjs")).sort();

/** The CommonJS form of an example: its ESM imports as require() calls. */
export function toCommonJs(source: string): string {
  return source
    .replace(/^import (\w+), \{ ([^}]+) \} from '([^']+)';$/gm, "const $1 = require('$3');\nconst { $2 } = $1;")
    .replace(/^import (\w+) from '([^']+)';$/gm, "const $1 = require('$2');")
    .replace(/^import \{ ([^}]+) \} from '([^']+)';$/gm, "const { $1 } = require('$2');");
}

/**
 * Bun answers the bare specifier "ws" with a built-in stand-in; the real
 * package is reached by path there (test/peers/ws.ts does the same).
 */
const REAL_WS = runtime === "bun"
  ? { esm: join(ROOT, "node_modules", "ws", "wrapper.mjs"), cjs: join(ROOT, "node_modules", "ws", "index.js") }
  : { esm: "ws", cjs: "ws" };

function withModule(source: string, name: string): string {
  return source.replaceAll("from 'ws';", `from '${name}';`).replaceAll("require('ws')", `require('${name}')`);
}

function setUp(): void {
  rmSync(SCRATCH, { recursive: true, force: true });
  const pkg = join(SCRATCH, "node_modules", "omnisocket");
  mkdirSync(pkg, { recursive: true });
  // A project of its own: without it, "omnisocket/ws" would resolve to this
  // checkout's dist/ by the package's self-reference.
  writeFileSync(join(SCRATCH, "package.json"), JSON.stringify({ name: "ws-readme-examples", private: true }));
  symlinkSync(join(ROOT, "src"), join(pkg, "src"));
  // package.json's "./ws" conditions, pointed at the sources (the .cts
  // entries' one line each written out as CommonJS).
  writeFileSync(join(pkg, "package.json"), JSON.stringify({
    name: "omnisocket",
    type: "module",
    exports: {
      "./ws": {
        deno: { require: "./deno-ws.cjs", default: "./src/runtime/deno/ws.ts" },
        bun: { require: "./bun-ws.cjs", default: "./src/runtime/bun/ws.ts" },
        require: "./node-ws.cjs",
        default: "./src/runtime/node/compat/ws/index.ts",
      },
    },
  }));
  for (const [file, entry] of [["deno-ws.cjs", "./src/runtime/deno/ws.ts"], ["bun-ws.cjs", "./src/runtime/bun/ws.ts"], ["node-ws.cjs", "./src/runtime/node/compat/ws/index.ts"]]) {
    writeFileSync(join(pkg, file!), `module.exports = require(${JSON.stringify(entry)}).default;\n`);
  }
  // Which modules the two names load: the test is void if both are the same.
  const which = [
    "import Ours from 'omnisocket/ws';",
    "import Real from 'ws';",
    "console.log('%s %s', typeof Ours.Server === 'function' && Ours.WebSocket === Ours && Ours !== Real ? 'omnisocket' : 'wrong',",
    "  Real.prototype.constructor.toString().includes('omnisocket') ? 'wrong' : typeof Real.prototype.setSocket === 'function' ? 'ws' : 'not-ws');",
  ].join("\n");
  writeFileSync(join(SCRATCH, "which.mjs"), withModule(which.replace("from 'omnisocket/ws'", "from 'OURS'"), REAL_WS.esm).replace("'OURS'", "'omnisocket/ws'"));
  writeFileSync(join(SCRATCH, "which.cjs"), withModule(toCommonJs(which).replace("require('omnisocket/ws')", "require('OURS')"), REAL_WS.cjs).replace("'OURS'", "'omnisocket/ws'"));
  const { cert, key } = localCertificate();
  writeFileSync(join(SCRATCH, "cert.pem"), cert);
  writeFileSync(join(SCRATCH, "key.pem"), key);
  for (const file of EXAMPLES) {
    const source = readFileSync(join(SOURCES, file), "utf8");
    const base = file.slice(0, -4);
    writeFileSync(join(SCRATCH, `${base}.ws.mjs`), withModule(source, REAL_WS.esm));
    writeFileSync(join(SCRATCH, `${base}.ours.mjs`), withModule(source, "omnisocket/ws"));
    writeFileSync(join(SCRATCH, `${base}.ws.cjs`), withModule(toCommonJs(source), REAL_WS.cjs));
    writeFileSync(join(SCRATCH, `${base}.ours.cjs`), withModule(toCommonJs(source), "omnisocket/ws"));
  }
}

function execPath(): string {
  const deno = (globalThis as { Deno?: { execPath(): string } }).Deno;
  return deno ? deno.execPath() : process.execPath;
}

/** How this runtime runs one program file. */
function command(file: string): string[] {
  if (runtime === "deno") return [execPath(), "run", "-A", "--quiet", file];
  if (runtime === "bun") return [execPath(), "run", file];
  return [execPath(), "--import", "tsx", file];
}

function run(file: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const [cmd, ...args] = command(file);
    const child = spawn(cmd!, args, { cwd: SCRATCH, env: { ...process.env, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Uint8Array) => { stdout += chunk; });
    child.stderr.on("data", (chunk: Uint8Array) => { stderr += chunk; });
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

// Deno runs the ES module forms; Node and Bun both forms.
const FORMS = runtime === "deno" ? ["mjs"] : ["mjs", "cjs"];

describe(`ws README examples on omnisocket/ws (${runtime})`, () => {
  beforeAll(() => setUp());
  afterAll(() => rmSync(SCRATCH, { recursive: true, force: true }));

  it("runs omnisocket's module as omnisocket/ws and the real ws as ws", async () => {
    for (const form of FORMS) {
      const result = await run(`which.${form}`);
      expect(result.stdout + result.stderr).toBe("omnisocket ws\n");
    }
  });

  it("has every README example", () => {
    expect(EXAMPLES).toEqual([
      "broadcast.mjs", "client-auth.mjs", "compression.mjs", "float32.mjs", "heartbeat.mjs", "https-server.mjs",
      "ip-address.mjs", "no-server.mjs", "round-trip.mjs", "simple-server.mjs", "stream.mjs",
    ]);
  });

  for (const file of EXAMPLES) {
    for (const form of FORMS) {
      it(`${file.slice(0, -4)} (${form}) prints what it prints on ws`, async () => {
        const base = file.slice(0, -4);
        const expected = await run(`${base}.ws.${form}`);
        expect(expected.code).toBe(0);
        expect(expected.stdout.length > 0).toBe(true);
        const actual = await run(`${base}.ours.${form}`);
        if (actual.code !== 0 || actual.stdout !== expected.stdout) {
          console.error(`--- ${base}.ours.${form} stderr ---\n${actual.stderr}`);
        }
        expect(actual.stdout).toBe(expected.stdout);
        expect(actual.code).toBe(0);
      }, 60_000);
    }
  }
});
