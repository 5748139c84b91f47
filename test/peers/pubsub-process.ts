/**
 * Starts test/peers/pubsub-server.ts as a process of its own, on any of
 * the three runtimes, for the scale-out tests (Redis, node:cluster):
 *
 *   startPubSubServer("deno", "redis://127.0.0.1:6399") -> { child, ports }
 *
 * The script prints "READY <port>[,<port>...]" once it listens; a process
 * that exits first rejects with everything it printed.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SCRIPT = "test/peers/pubsub-server.ts";

/** How each runtime runs the script (Deno and Bun from node_modules). */
export const PUBSUB_COMMANDS: Record<"node" | "deno" | "bun", [string, string[]]> = {
  node: ["node", ["--import", "tsx", SCRIPT]],
  deno: [`${ROOT}node_modules/.bin/deno`, ["run", "-A", "--quiet", SCRIPT]],
  bun: [`${ROOT}node_modules/.bin/bun`, ["run", SCRIPT]],
};

export interface PubSubProcess {
  child: ChildProcess;
  /** The ports it printed: one per process, or one per cluster worker. */
  ports: number[];
}

export function startPubSubServer(runtime: keyof typeof PUBSUB_COMMANDS, argument: string): Promise<PubSubProcess> {
  const [command, args] = PUBSUB_COMMANDS[runtime];
  const env = { ...process.env, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" };
  const child = spawn(command, [...args, argument], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], env });
  let output = "";
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (d: Uint8Array) => {
      output += new TextDecoder().decode(d);
      const m = /READY ([\d,]+)/.exec(output);
      if (m) resolve({ child, ports: m[1]!.split(",").map(Number) });
    });
    child.stderr!.on("data", (d: Uint8Array) => { output += new TextDecoder().decode(d); });
    child.once("exit", (code) => reject(new Error(`${runtime} pub/sub server exited (${code}):\n${output}`)));
    child.once("error", reject);
  });
}
