/**
 * Runs one of the test scripts as a process of its own, on any of the three
 * runtimes (Deno and Bun from node_modules, Node through tsx):
 *
 *   startScript("deno", "test/peers/pubsub-server.ts", ["redis://..."])
 *     -> { child, ready: ["<what READY was followed by>"] }
 *
 * A script prints "READY <fields>" once it is ready; a process that exits
 * first rejects with everything it printed. The scale-out tests use it for
 * their server processes (startPubSubServer), the memory tests for a process
 * that holds nothing but the connection they measure.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

export type Runtime = "node" | "deno" | "bun";

/** How each runtime runs a script; `gc` also exposes a full collection as globalThis.gc (Bun has Bun.gc). */
export function scriptCommand(runtime: Runtime, script: string, gc = false): [string, string[]] {
  switch (runtime) {
    case "node": return ["node", [...(gc ? ["--expose-gc"] : []), "--import", "tsx", script]];
    case "deno": return [`${ROOT}node_modules/.bin/deno`, ["run", "-A", "--quiet", ...(gc ? ["--v8-flags=--expose-gc"] : []), script]];
    case "bun": return [`${ROOT}node_modules/.bin/bun`, ["run", script]];
  }
}

export interface ScriptProcess {
  child: ChildProcess;
  /** The space-separated fields after READY. */
  ready: string[];
  /** Everything it printed so far. */
  output: () => string;
}

export function startScript(runtime: Runtime, script: string, args: string[] = [], options: { gc?: boolean } = {}): Promise<ScriptProcess> {
  const [command, base] = scriptCommand(runtime, script, options.gc);
  const env = { ...process.env, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" };
  const child = spawn(command, [...base, ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], env });
  let output = "";
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (d: Uint8Array) => {
      output += new TextDecoder().decode(d);
      const m = /READY ([^\n]*)\n/.exec(output);
      if (m) resolve({ child, ready: m[1]!.trim().split(/\s+/), output: () => output });
    });
    child.stderr!.on("data", (d: Uint8Array) => { output += new TextDecoder().decode(d); });
    child.once("exit", (code) => reject(new Error(`${runtime} ${script} exited (${code}):\n${output}`)));
    child.once("error", reject);
  });
}

export interface PubSubProcess {
  child: ChildProcess;
  /** The ports it printed: one per process, or one per cluster worker. */
  ports: number[];
}

/** test/peers/pubsub-server.ts on `runtime`, with a Redis URL or "cluster". */
export async function startPubSubServer(runtime: Runtime, argument: string): Promise<PubSubProcess> {
  const { child, ready } = await startScript(runtime, "test/peers/pubsub-server.ts", [argument]);
  return { child, ports: ready[0]!.split(",").map(Number) };
}
