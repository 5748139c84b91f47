/**
 * Code written against @types/ws type-checks against omnisocket/ws
 * unchanged: test/compat/ws/types/readme.ts (ws's README examples in
 * TypeScript) passes `tsc --noEmit` with "omnisocket/ws" mapped to our
 * entry and mapped to @types/ws; a misspelt option fails on ours.
 * tsc runs under Node, so this registers on Node only.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it, runtime } from "../../harness.ts";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const TYPES = join(ROOT, "test", "compat", "ws", "types");
const TSC = join(ROOT, "node_modules", "typescript", "bin", "tsc");

function tsc(project: string): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, [TSC, "-p", project], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
  return { status: result.status, output: result.stdout + result.stderr };
}

if (runtime === "node") {
  describe("omnisocket/ws types", () => {
    for (const variant of ["ours", "ws"]) {
      it(`the README examples type-check against ${variant === "ours" ? "omnisocket/ws" : "@types/ws"}`, () => {
        const result = tsc(join(TYPES, `tsconfig.${variant}.json`));
        expect(result.output).toBe("");
        expect(result.status).toBe(0);
      }, 120_000);
    }

    it("a misspelt server option is a type error", () => {
      const dir = mkdtempSync(join(TYPES, ".scratch-"));
      try {
        writeFileSync(join(dir, "bad.ts"), 'import { WebSocketServer } from "omnisocket/ws";\nnew WebSocketServer({ port: 1, perMessageDeflat: true });\n');
        writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({
          extends: "../tsconfig.ours.json",
          compilerOptions: { paths: { "omnisocket/ws": ["../../../../../src/runtime/node/compat/ws/index.ts"] } },
          include: ["bad.ts"],
        }));
        const result = tsc(join(dir, "tsconfig.json"));
        expect(result.status === 0).toBe(false);
        expect(result.output).toMatch("perMessageDeflat");
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }, 120_000);
  });
}
