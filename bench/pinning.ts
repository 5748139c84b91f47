/**
 * CPU pinning for the bench children: the server on one core, the load
 * generator on the other, so the two never take turns on one core (a
 * server preempted by its own client inside a write looks slow in both
 * wall time and a CPU profile) and the kernel does not move them around
 * between runs.
 *
 *   taskset -c 0 node|deno|bun <server>     taskset -c 1 node <load client>
 *
 * A command is prefixed with `taskset -c N` (util-linux): the affinity is
 * set before the runtime starts, so every thread it makes (JIT, GC, I/O
 * pool) inherits it, and a runtime's launcher script passes it on to the
 * binary it runs. `--no-pin` turns it off; so does a machine with one core
 * or no `taskset`, with a line on stderr saying so.
 */
import { execFileSync, type ForkOptions } from "node:child_process";
import { cpus } from "node:os";

export interface Pinning {
  server: number;
  client: number;
}

/** The pinning the command line asks for: null with `--no-pin` or where it cannot be done. */
export function pinningFromArgs(argv: readonly string[] = process.argv): Pinning | null {
  if (argv.includes("--no-pin")) return null;
  if (cpus().length < 2) {
    console.error("pinning: one CPU only, server and load generator share it");
    return null;
  }
  try {
    execFileSync("taskset", ["-c", "0", "true"], { stdio: "ignore" });
  } catch {
    console.error("pinning: taskset is not available, processes are not pinned");
    return null;
  }
  return { server: 0, client: 1 };
}

/** `command args` run on `cpu` (unchanged for null): for spawn(). */
export function pinned(cpu: number | null, command: string, args: readonly string[]): [string, string[]] {
  return cpu === null ? [command, [...args]] : ["taskset", ["-c", String(cpu), command, ...args]];
}

/**
 * fork() options that run the Node child on `cpu`: fork spawns
 * `execPath ...execArgv module ...args`, so taskset goes in as execPath
 * and the real node behind it, IPC channel and all.
 */
export function pinnedFork(cpu: number | null, options: ForkOptions): ForkOptions {
  if (cpu === null) return options;
  return { ...options, execPath: "taskset", execArgv: ["-c", String(cpu), process.execPath, ...(options.execArgv ?? [])] };
}

/** For the header line of a bench: where the processes run. */
export function describePinning(pinning: Pinning | null): string {
  return pinning ? `server pinned to CPU ${pinning.server}, load generator to CPU ${pinning.client}` : "not pinned";
}
