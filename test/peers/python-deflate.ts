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
import { fileURLToPath } from "node:url";
import { runJsonClient, startReportingServer } from "./python-process.ts";
import { type MessageInfo, type Step, type StepResult } from "./python.ts";

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

export async function startPythonDeflateServer(): Promise<PythonDeflateServer> {
  const peer = await startReportingServer<ServerDeflateReport>([SCRIPT, "server"], "python deflate server");
  return {
    ...peer,
    url: (path, deflate) => `ws://127.0.0.1:${peer.port}${path}?deflate=${encodeURIComponent(JSON.stringify(deflate))}`,
  };
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
  return runJsonClient([SCRIPT, "client"], config, "python client", ms);
}
