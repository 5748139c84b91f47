/**
 * The two ways the Python peers run (python.ts, python-deflate.ts):
 *
 *   startReportingServer(args)  a long-lived server: prints {"port"} once, then one JSON
 *                               report per finished connection, keyed by its path;
 *                               exits when its stdin closes
 *   runJsonClient(args, input)  one process per connection: config on stdin, one JSON
 *                               document on stdout
 */
import { spawn, type ChildProcess } from "node:child_process";

/** The interpreter the Debian python3-websockets package installs into. */
export const PYTHON = "/usr/bin/python3";

/** A running reporting server. */
export interface ReportingServer<R> {
  port: number;
  /** Resolves with the report of the connection to `path` once it has ended. */
  report(path: string, ms?: number): Promise<R>;
  /** Everything the process wrote to stderr (for failure messages). */
  stderr(): string;
  close(): Promise<void>;
}

function lines(child: ChildProcess, onLine: (line: string) => void): void {
  let buffered = "";
  child.stdout!.setEncoding("utf8");
  child.stdout!.on("data", (chunk: string) => {
    buffered += chunk;
    let nl: number;
    while ((nl = buffered.indexOf("\n")) >= 0) {
      const line = buffered.slice(0, nl).trim();
      buffered = buffered.slice(nl + 1);
      if (line) onLine(line);
    }
  });
}

/** Starts `python3 args...` and resolves once it has printed the port it listens on. */
export function startReportingServer<R extends { path: string }>(args: string[], label: string): Promise<ReportingServer<R>> {
  const child = spawn(PYTHON, args, { stdio: ["pipe", "pipe", "pipe"] });
  let errors = "";
  child.stderr!.setEncoding("utf8");
  child.stderr!.on("data", (chunk: string) => { errors += chunk; });
  const reports = new Map<string, R>();
  const waiters = new Map<string, (r: R) => void>();
  let exited = false;
  const exit = new Promise<void>((resolve) => child.on("exit", () => { exited = true; resolve(); }));

  const server = (port: number): ReportingServer<R> => ({
    port,
    report(path, ms = 30_000) {
      const ready = reports.get(path);
      if (ready) {
        reports.delete(path);
        return Promise.resolve(ready);
      }
      return new Promise<R>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(path);
          reject(new Error(`no ${label} report for ${path} within ${ms} ms; stderr: ${errors}`));
        }, ms);
        waiters.set(path, (r) => {
          clearTimeout(timer);
          resolve(r);
        });
      });
    },
    stderr: () => errors,
    async close() {
      if (exited) return;
      child.stdin!.end(); // the server exits when stdin closes
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exit;
      clearTimeout(timer);
    },
  });

  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", (code) => reject(new Error(`${label} exited (${code}) before listening: ${errors}`)));
    lines(child, (line) => {
      const parsed = JSON.parse(line) as { port?: number } & R;
      if (parsed.port !== undefined) return resolve(server(parsed.port));
      const waiter = waiters.get(parsed.path);
      if (waiter) {
        waiters.delete(parsed.path);
        waiter(parsed);
      } else {
        reports.set(parsed.path, parsed);
      }
    });
  });
}

/** Runs `python3 args...` with `input` as JSON on stdin; resolves with the JSON it prints. */
export function runJsonClient<T>(args: string[], input: unknown, label: string, ms = 60_000): Promise<T> {
  const child = spawn(PYTHON, args, { stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  let errors = "";
  child.stdout!.setEncoding("utf8");
  child.stderr!.setEncoding("utf8");
  child.stdout!.on("data", (chunk: string) => { out += chunk; });
  child.stderr!.on("data", (chunk: string) => { errors += chunk; });
  child.stdin!.end(JSON.stringify(input));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${label} timed out after ${ms} ms; stdout: ${out}; stderr: ${errors}`));
    }, ms);
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    // "close" (not "exit"): stdout has been read to its end.
    child.on("close", (code) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`${label} exited with ${code}: ${errors}`));
      try {
        resolve(JSON.parse(out) as T);
      } catch {
        reject(new Error(`${label} printed no JSON: ${out}; stderr: ${errors}`));
      }
    });
  });
}
