/**
 * The JSR package: `deno publish --dry-run` must pass (every export resolves
 * and type-checks, no slow types in the public API), ship the sources and
 * nothing from test/, and jsr.json, deno.json and package.json must agree;
 * `deno doc --lint` must find the whole API of every entry documented.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "../harness.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const DENO = `${ROOT}node_modules/.bin/deno`;

function readJson(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(`${ROOT}${name}`, "utf8")) as Record<string, unknown>;
}

describe("JSR package", () => {
  it("jsr.json and deno.json describe the same package as package.json", () => {
    const jsr = readJson("jsr.json");
    const deno = readJson("deno.json");
    const npm = readJson("package.json");
    for (const field of ["name", "version", "license", "exports", "publish"]) {
      expect(deno[field]).toEqual(jsr[field]);
    }
    expect(jsr.name).toBe("@omnisocket/omnisocket");
    expect(jsr.version).toBe(npm.version);
    expect(jsr.license).toBe(npm.license);
    // Deno runs the TypeScript sources: "." is the Deno entry.
    expect((jsr.exports as Record<string, string>)["."]).toBe("./src/runtime/deno/index.ts");
  });

  it("deno publish --dry-run passes with no slow types", () => {
    const result = spawnSync(DENO, ["publish", "--dry-run", "--allow-dirty"], {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...process.env, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
      timeout: 240_000,
    });
    const output = `${result.stdout}\n${result.stderr}`;
    if (result.status !== 0) throw new Error(`deno publish --dry-run exited with ${result.status ?? result.signal}:\n${output}`);
    expect(output).toMatch("Checking for slow types in the public API");
    expect(output).toMatch("Success Dry run complete");
    const files = output.split("\n").filter((line) => line.trim().startsWith("file://"));
    for (const entry of ["src/runtime/deno/index.ts", "src/runtime/node/index.ts", "src/runtime/bun/index.ts", "src/web/browser.ts", "LICENSE"]) {
      expect(files.some((line) => line.includes(`/${entry} `))).toBe(true);
    }
    expect(files.filter((line) => /\/(test|bench|examples|node_modules)\//.test(line))).toEqual([]);
  }, 240_000);

  it("deno doc --lint finds every export of every entry documented, and no signature naming a type the entry does not export", () => {
    const entries = Object.values(readJson("jsr.json").exports as Record<string, string>);
    const result = spawnSync(DENO, ["doc", "--lint", ...entries], {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...process.env, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
      timeout: 120_000,
    });
    const output = `${result.stdout}\n${result.stderr}`;
    // Each finding reads "error[missing-jsdoc]: ..." or "error[private-type-ref]: ...", with its location.
    const findings = output.split("\n").filter((line) => /^error\[|^\s+--> /.test(line));
    expect(findings).toEqual([]);
    expect(result.status).toBe(0);
    expect(output).toMatch(`Checked ${entries.length} file`);
  }, 120_000);
});
