/**
 * Python `websockets` (Debian's python3-websockets, run with /usr/bin/python3)
 * as an interop peer: a scripted echo server and a scripted client.
 *
 *   startPythonServer({ subprotocols })     python/echo_server.py
 *     -> { port, url(path, steps?), report(path), close() }
 *   runPythonClient({ url, steps, ... })    python/client.py, config on stdin
 *     -> the client's JSON transcript
 *
 * Both run the step language of python/steps.py. Payloads are generated the
 * same way on both sides (`payload()` here, `payload()` there), so 16 MiB
 * messages are checked by size and SHA-256 instead of being shipped as JSON.
 * The scripts use the legacy asyncio API of websockets 10.x (Debian 12);
 * compression and keepalive pings are off. node:child_process works on Node,
 * Deno and Bun alike.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

import { PYTHON, runJsonClient, startReportingServer } from "./python-process.ts";

export { PYTHON };
export const PYTHON_WEBSOCKETS_INSTALL_HINT = "apt-get install -y python3-websockets";
const SCRIPTS = fileURLToPath(new URL("./python/", import.meta.url));

let version: string | null | undefined;

/** The installed python-websockets version, or null when there is none. */
export function pythonWebsocketsVersion(): string | null {
  if (version !== undefined) return version;
  try {
    const out = spawnSync(PYTHON, ["-c", "import websockets; print(websockets.__version__)"], { encoding: "utf8", timeout: 20_000 });
    version = out.status === 0 ? out.stdout.trim() : null;
  } catch {
    version = null;
  }
  return version;
}

/** For itWithPeer: true when /usr/bin/python3 can import websockets. */
export function hasPythonWebsockets(): boolean {
  return pythonWebsocketsVersion() !== null;
}

// ---------------------------------------------------------------- steps --

export type Step =
  | { op: "send"; kind: "text" | "binary"; size: number }
  | { op: "send"; text: string }
  | { op: "send"; hex: string }
  | { op: "send_fragments"; kind: "text" | "binary"; sizes: number[] }
  | { op: "recv" }
  | { op: "ping"; data?: string }
  | { op: "close"; code?: number; reason?: string }
  | { op: "recv_until_closed" }
  | { op: "echo_until_closed" };

/** A message as python reports it. */
export interface MessageInfo {
  type: "text" | "binary";
  size: number;
  sha256: string;
  /** Text messages of 256 bytes or less. */
  data?: string;
  /** Binary messages of 256 bytes or less, hex. */
  hex?: string;
}

export type StepResult =
  | { sent: number }
  | { sent_fragments: number[] }
  | { message: MessageInfo }
  | { pong: string }
  | { closed: true }
  | { connection_closed: string };

export interface CloseFrame {
  code: number;
  reason: string;
}

/** What one python connection did, from its own point of view. */
export interface Transcript {
  subprotocol: string | null;
  steps: StepResult[];
  /** The Close frame python received, if any. */
  close_rcvd: CloseFrame | null;
  /** The Close frame python sent, if any. */
  close_sent: CloseFrame | null;
  close_code: number | null;
}

export interface ServerReport extends Transcript {
  path: string;
}

export interface HandshakeFailure {
  error: string;
  status?: number;
  headers?: Record<string, string>;
  message: string;
}

/** The payload python/steps.py generates for (kind, size). */
export function payload(kind: "text", size: number): string;
export function payload(kind: "binary", size: number): Uint8Array;
export function payload(kind: "text" | "binary", size: number): string | Uint8Array {
  if (kind === "text") {
    const alphabet = "abcdefghijklmnopqrstuvwxyz";
    return alphabet.repeat(Math.ceil(size / 26)).slice(0, size);
  }
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (i * 7 + 3) & 0xff;
  return out;
}

/** Lower-case hex SHA-256, as python's hashlib reports it. */
export async function sha256(data: string | Uint8Array | ArrayBuffer): Promise<string> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data instanceof ArrayBuffer ? new Uint8Array(data) : data;
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The MessageInfo python would report for this payload. */
export async function describe(data: string | Uint8Array): Promise<MessageInfo> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  const info: MessageInfo = { type: typeof data === "string" ? "text" : "binary", size: bytes.length, sha256: await sha256(bytes) };
  if (bytes.length <= 256) {
    if (typeof data === "string") info.data = data;
    else info.hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }
  return info;
}

// --------------------------------------------------------------- server --

export interface PythonServer {
  port: number;
  /** ws://127.0.0.1:port + path, with `steps` as the script the server runs (echo when absent). */
  url(path: string, steps?: Step[]): string;
  /** Resolves with the report of the connection to `path` once it has ended. */
  report(path: string, ms?: number): Promise<ServerReport>;
  /** Everything the process wrote to stderr (for failure messages). */
  stderr(): string;
  close(): Promise<void>;
}

/** Starts python/echo_server.py on 127.0.0.1, port 0. */
export async function startPythonServer(options: { subprotocols?: string[] } = {}): Promise<PythonServer> {
  const args = [SCRIPTS + "echo_server.py"];
  if (options.subprotocols?.length) args.push("--subprotocols", options.subprotocols.join(","));
  const peer = await startReportingServer<ServerReport>(args, "python server");
  return {
    ...peer,
    url(path, steps) {
      const base = `ws://127.0.0.1:${peer.port}${path}`;
      return steps ? `${base}?script=${encodeURIComponent(JSON.stringify(steps))}` : base;
    },
  };
}

// --------------------------------------------------------------- client --

export interface ClientConfig {
  url: string;
  subprotocols?: string[];
  /** Extra request headers; repeated names are sent repeatedly. */
  headers?: Array<[string, string]>;
  steps?: Step[];
}

/** Runs python/client.py with `config`; resolves with its transcript or handshake failure. */
export function runPythonClient(config: ClientConfig, ms = 60_000): Promise<Transcript | HandshakeFailure> {
  return runJsonClient([SCRIPTS + "client.py"], config, "python client", ms);
}

/** Narrows a client result to a transcript, failing with python's error otherwise. */
export function transcriptOf(result: Transcript | HandshakeFailure): Transcript {
  if ("error" in result) throw new Error(`python client could not connect: ${result.error}: ${result.message}`);
  return result;
}
