/**
 * A real Redis (Debian's redis-server) for the scale-out tests, started on
 * 127.0.0.1 with a throwaway config (no persistence, never as a system
 * service), and restartable on the same port to play an outage:
 *
 *   const redis = await startRedis();   // redis://127.0.0.1:PORT
 *   await redis.stop();                  // the backplane is down
 *   await redis.start();                 // back, same port, empty
 *   await redis.close();                 // stopped, files removed
 *
 * node:child_process and node:net work on Node, Deno and Bun alike.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { canConnect, freePort } from "./ports.ts";

export const REDIS_INSTALL_HINT = "install redis-server (Debian: apt-get install redis-server)";

const REDIS_SERVER = () => ["/usr/bin/redis-server", "/usr/sbin/redis-server", "/usr/local/bin/redis-server"].find((p) => existsSync(p));

export const hasRedis = (): boolean => REDIS_SERVER() !== undefined;

export interface RedisPeer {
  url: string;
  port: number;
  /** Stops the server (SIGKILL: an abrupt outage), keeping the port for start(). */
  stop(): Promise<void>;
  /** Starts it again on the same port; resolves once it accepts connections. */
  start(): Promise<void>;
  /** Stops it for good and removes its files. */
  close(): Promise<void>;
  /** What the server printed (for failure messages). */
  output(): string;
}

export async function startRedis(): Promise<RedisPeer> {
  const command = REDIS_SERVER();
  if (!command) throw new Error(REDIS_INSTALL_HINT);
  const dir = mkdtempSync(join(tmpdir(), "omnisocket-redis-"));
  let port = 0;
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  let output = "";

  const launch = async (): Promise<boolean> => {
    const config = join(dir, "redis.conf");
    writeFileSync(config, [
      `port ${port}`,
      "bind 127.0.0.1",
      "protected-mode yes",
      `dir ${dir}`,
      'save ""',
      "appendonly no",
      "daemonize no",
      "loglevel warning",
      "",
    ].join("\n"));
    const proc = spawn(command, [config], { stdio: ["ignore", "pipe", "pipe"] });
    child = proc;
    let gone = false;
    exited = new Promise<void>((resolve) => proc.once("exit", () => { gone = true; resolve(); }));
    proc.once("error", () => { gone = true; });
    proc.stdout!.on("data", (d: Uint8Array) => { output += new TextDecoder().decode(d); });
    proc.stderr!.on("data", (d: Uint8Array) => { output += new TextDecoder().decode(d); });
    const started = Date.now();
    while (!gone && Date.now() - started < 15_000) {
      if (await canConnect(port)) return true;
      await new Promise((r) => setTimeout(r, 25));
    }
    return false;
  };

  const stop = async () => {
    const proc = child;
    child = null;
    if (!proc || proc.exitCode !== null) return;
    proc.kill("SIGKILL");
    await exited;
  };

  for (let attempt = 0; ; attempt++) {
    port = await freePort();
    if (await launch()) break;
    await stop();
    if (attempt === 2) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`redis-server did not start:\n${output}`);
    }
  }

  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop,
    async start() {
      if (!(await launch())) throw new Error(`redis-server did not start again on port ${port}:\n${output}`);
    },
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
    output: () => output,
  };
}
