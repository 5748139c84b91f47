/**
 * A server child that speaks JSON lines on stdio (bench/handshake.ts,
 * bench/runtime-echo.ts): it prints {"type": ...} messages; on stdin
 * "cpu" it answers {"type":"cpu","micros":N}, on "stop" it exits. Lines
 * that are not JSON are a runtime's own chatter and are skipped.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";

export class JsonLineChild {
  readonly child: ChildProcess;
  private waiting = new Map<string, (message: Record<string, unknown>) => void>();
  private exited: Promise<void>;

  constructor(command: string, argv: string[], private readonly stopTimeout = 5000) {
    this.child = spawn(command, argv, { stdio: ["pipe", "pipe", "inherit"] });
    this.exited = new Promise((resolve) => this.child.once("exit", () => resolve()));
    createInterface({ input: this.child.stdout! }).on("line", (line) => {
      let message: Record<string, unknown>;
      try {
        message = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      const resolve = this.waiting.get(message.type as string);
      this.waiting.delete(message.type as string);
      resolve?.(message);
    });
  }

  /** The next message of `type`; rejects if the child exits first. */
  next(type: string): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      this.waiting.set(type, resolve);
      void this.exited.then(() => reject(new Error(`server child exited before "${type}"`)));
    });
  }

  /** The child's CPU time so far (user + system), in µs. */
  async cpuMicros(): Promise<number> {
    const reply = this.next("cpu");
    this.child.stdin!.write("cpu\n");
    return (await reply).micros as number;
  }

  /** Asks the child to exit; kills it if it has not within the stop timeout. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const timer = setTimeout(() => this.child.kill("SIGKILL"), this.stopTimeout);
    this.child.stdin!.write("stop\n");
    await this.exited;
    clearTimeout(timer);
  }
}
