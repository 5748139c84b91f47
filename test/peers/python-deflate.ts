/**
 * Python `websockets` with permessage-deflate (python/deflate_peer.py):
 *
 *   startPythonDeflateServer()   one process for every setting:
 *     -> { url(path, deflate), report(path), close() }  deflate = factory kwargs | null
 *   runPythonDeflateClient({ url, deflate, steps })     one process per connection
 *
 * Each side reports the Sec-WebSocket-Extensions of the response, the
 * parameters its PerMessageDeflate acts on, and how many data messages it
 * read and wrote with RSV1 set (so a test sees that compression happened,
 * not just that it was agreed). Steps and payloads are those of
 * python/steps.py (see python.ts).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { PYTHON, type MessageInfo, type Step, type StepResult } from "./python.ts";

const SCRIPT = fileURLToPath(new URL("./python/deflate_peer.py", import.meta.url));

/** Python's keyword arguments of Server/ClientPerMessageDeflateFactory; null = no compression. */
export type PythonDeflate = Record<string, unknown> | null;

export interface DeflateReport {
  extensions: string | null;
  agreement: {
    remote_no_context_takeover: boolean;
    local_no_context_takeover: boolean;
    remote_max_window_bits: number;
    local_max_window_bits: number;
  } | null;
  compressed_in: number;
  compressed_out: number;
  close_code: number | null;
}

export interface ServerDeflateReport extends DeflateReport {
  path: string;
  messages: MessageInfo[];
}

export interface ClientDeflateReport extends DeflateReport {
  steps: StepResult[];
}

export interface PythonDeflateServer {
  port: number;
  url(path: string, deflate: PythonDeflate): string;
  report(path: string, ms?: number): Promise<ServerDeflateReport>;
  stderr(): string;
  close(): Promise<void>;
}

function onLines(child: ChildProcess, onLine: (line: string) => void): void {
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

export function startPythonDeflateServer(): Promise<PythonDeflateServer> {
  const child = spawn(PYTHON, [SCRIPT, "server"], { stdio: ["pipe", "pipe", "pipe"] });
  let errors = "";
  child.stderr!.setEncoding("utf8");
  child.stderr!.on("data", (chunk: string) => { errors += chunk; });
  const reports = new Map<string, ServerDeflateReport>();
  const waiters = new Map<string, (r: ServerDeflateReport) => void>();
  let exited = false;
  const exit = new Promise<void>((resolve) => child.on("exit", () => { exited = true; resolve(); }));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", (code) => reject(new Error(`python deflate server exited (${code}) before listening: ${errors}`)));
    onLines(child, (line) => {
      const parsed = JSON.parse(line) as { port?: number } & ServerDeflateReport;
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

  function server(port: number): PythonDeflateServer {
    return {
      port,
      url: (path, deflate) => `ws://127.0.0.1:${port}${path}?deflate=${encodeURIComponent(JSON.stringify(deflate))}`,
      report(path, ms = 30_000) {
        const ready = reports.get(path);
        if (ready) {
          reports.delete(path);
          return Promise.resolve(ready);
        }
        return new Promise((resolve, reject) => {
          const timer = setTimeout(() => {
            waiters.delete(path);
            reject(new Error(`no python report for ${path} within ${ms} ms; stderr: ${errors}`));
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
    };
  }
}

export interface PythonDeflateClientConfig {
  url: string;
  deflate: PythonDeflate;
  steps: Step[];
}

export interface PythonHandshakeFailure {
  error: string;
  status?: number;
  message: string;
}

/** Runs one python client connection; resolves with its report or handshake failure. */
export function runPythonDeflateClient(config: PythonDeflateClientConfig, ms = 60_000): Promise<ClientDeflateReport | PythonHandshakeFailure> {
  const child = spawn(PYTHON, [SCRIPT, "client"], { stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  let errors = "";
  child.stdout!.setEncoding("utf8");
  child.stderr!.setEncoding("utf8");
  child.stdout!.on("data", (chunk: string) => { out += chunk; });
  child.stderr!.on("data", (chunk: string) => { errors += chunk; });
  child.stdin!.end(JSON.stringify(config));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`python client timed out after ${ms} ms; stdout: ${out}; stderr: ${errors}`));
    }, ms);
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`python client exited with ${code}: ${errors}`));
      try {
        resolve(JSON.parse(out));
      } catch {
        reject(new Error(`python client printed no JSON: ${out}; stderr: ${errors}`));
      }
    });
  });
}
