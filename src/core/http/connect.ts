/**
 * An HTTP CONNECT tunnel (RFC 9110 section 9.3.6), sans-I/O: the request
 * bytes out, the proxy's answer in, and either an open tunnel or an error.
 *
 *   new ConnectTunnel({ host, port, credentials, headers })
 *        .request  -----------------------------------> proxy
 *        receiveData(chunk) <------------------------- "HTTP/1.1 200 ..." (maybe after 1xx heads)
 *          -> { status: "incomplete" }
 *          -> { status: "established", head, rest }   rest: tunnel bytes that came with the head
 *          -> { status: "error", error }              a ProxyError with the proxy's status and headers
 *        receiveEof() -> ProxyError                    the proxy hung up before answering
 *
 * The caller moves the bytes (a runtime socket, or a TLS session to an
 * https: proxy) and, once established, speaks to the origin through the
 * same connection: TLS first for wss://.
 */
import { encodeBase64 } from "../shared/base64.ts";
import { textEncoder } from "../shared/platform.ts";
import { WebSocketError, type ErrorCode } from "../shared/errors.ts";
import { HttpHeadParser, type HttpLimits, type HttpResponseHead } from "./head-parser.ts";
import { encodeLatin1, headerEntries, serializeRequestHead, type HttpHeadersInit } from "./serializer.ts";

/** A failed CONNECT, with what the proxy answered (when it answered at all). */
export class ProxyError extends WebSocketError {
  /** An error with a `WS_ERR_PROXY_*` code and, when the proxy answered, its status and headers. */
  constructor(
    code: ErrorCode,
    message: string,
    /** The proxy's status code, when it sent a response head. */
    readonly statusCode?: number,
    /** The proxy's response headers, lower-cased names (repeated ones joined with ", "). */
    readonly headers?: Record<string, string>,
  ) {
    super(code, message);
  }
}

/** `user:pass` from the proxy URL, already percent-decoded. */
export interface ProxyCredentials {
  username: string;
  password: string;
}

export interface ConnectTunnelOptions {
  /** The origin server's host (a name, an IPv4 address, or an IPv6 address without brackets). */
  host: string;
  port: number;
  /** Sent as `Proxy-Authorization: Basic ...` unless `headers` holds one. */
  credentials?: ProxyCredentials;
  /** Extra request headers for the proxy (faye's `proxy.headers`). */
  headers?: HttpHeadersInit;
  /** Limits for the proxy's response head (defaults: the HTTP head parser's). */
  limits?: Partial<HttpLimits>;
}

export type ConnectResult =
  | { status: "incomplete" }
  /** `rest`: bytes after the 2xx head, already from the origin (a view of the last chunk). */
  | { status: "established"; head: HttpResponseHead; rest: Uint8Array }
  | { status: "error"; error: ProxyError };

const INCOMPLETE = Object.freeze({ status: "incomplete" as const });
const utf8 = textEncoder;

/** host ":" port, an IPv6 literal in brackets (RFC 9112 section 3.2.3, RFC 3986 section 3.2.2). */
export function connectAuthority(host: string, port: number): string {
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new WebSocketError("WS_ERR_INVALID_ARGUMENT", `Invalid port for CONNECT: ${port}`);
  }
  return `${host.includes(":") ? `[${host}]` : host}:${port}`;
}

/**
 * The Basic credentials of RFC 7617 section 2: base64 of user-id ":"
 * password in UTF-8 (section 2.1, the charset every proxy here accepts).
 * A user-id holding ":" cannot be sent (section 2).
 */
export function basicCredentials({ username, password }: ProxyCredentials): string {
  if (username.includes(":")) {
    throw new WebSocketError("WS_ERR_INVALID_ARGUMENT", 'A proxy user name cannot contain ":" (RFC 7617 section 2)');
  }
  return `Basic ${encodeBase64(utf8.encode(`${username}:${password}`))}`;
}

/** Response headers as a record: lower-cased names, repeated fields joined with ", ". */
export function headersRecord(head: HttpResponseHead): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of head.headers.raw) {
    const key = name.toLowerCase();
    out[key] = key in out ? `${out[key]}, ${value}` : value;
  }
  return out;
}

export class ConnectTunnel {
  /** The CONNECT request head, to send first. */
  readonly request: Uint8Array;
  /** "host:port" as sent in the request line. */
  readonly authority: string;
  readonly #limits: Partial<HttpLimits> | undefined;
  #parser: HttpHeadParser<"response">;
  #result: ConnectResult = INCOMPLETE;

  /** Throws a WebSocketError (`WS_ERR_INVALID_ARGUMENT`) for a bad host, port or header. */
  constructor(options: ConnectTunnelOptions) {
    const authority = connectAuthority(options.host, options.port);
    const extra = headerEntries(options.headers);
    const has = (name: string) => extra.some(([n]) => n.toLowerCase() === name);
    const headers: Array<[string, string]> = [];
    // RFC 9112 section 3.2.3: CONNECT takes the authority-form; RFC 9110
    // section 7.2: Host is the same authority.
    if (!has("host")) headers.push(["Host", authority]);
    // RFC 9110 section 11.7.2: credentials for the proxy itself.
    if (options.credentials && !has("proxy-authorization")) {
      headers.push(["Proxy-Authorization", basicCredentials(options.credentials)]);
    }
    headers.push(...extra);
    this.authority = authority;
    this.request = encodeLatin1(serializeRequestHead({ method: "CONNECT", target: authority, headers }));
    this.#limits = options.limits;
    this.#parser = new HttpHeadParser("response", options.limits);
  }

  /** Feeds bytes from the proxy; once the result is final, it stays so. */
  receiveData(chunk: Uint8Array): ConnectResult {
    if (this.#result !== INCOMPLETE) return this.#result;
    let input = chunk;
    for (;;) {
      const parsed = this.#parser.feed(input);
      if (parsed.status === "incomplete") return INCOMPLETE;
      if (parsed.status === "error") {
        return this.#finish({ status: "error", error: new ProxyError("WS_ERR_PROXY_RESPONSE", `Invalid response from the proxy: ${parsed.error.message}`) });
      }
      const head = parsed.head;
      // RFC 9110 section 15.2: an interim 1xx response comes before the
      // final one (101 cannot answer CONNECT, which asks for no upgrade).
      if (head.status >= 100 && head.status < 200 && head.status !== 101) {
        this.#parser = new HttpHeadParser("response", this.#limits);
        input = parsed.rest;
        if (input.length === 0) return INCOMPLETE;
        continue;
      }
      // RFC 9110 section 9.3.6: any 2xx means the tunnel is open from the
      // blank line on; Content-Length or Transfer-Encoding there are ignored.
      if (head.status >= 200 && head.status < 300) return this.#finish({ status: "established", head, rest: parsed.rest });
      return this.#finish({ status: "error", error: refusal(head, this.authority) });
    }
  }

  /** The proxy closed before a final answer: the error to report. */
  receiveEof(): ProxyError {
    if (this.#result.status === "error") return this.#result.error;
    const error = new ProxyError("WS_ERR_PROXY_CLOSED", `The proxy closed the connection before answering CONNECT ${this.authority}`);
    if (this.#result === INCOMPLETE) this.#finish({ status: "error", error });
    return error;
  }

  #finish(result: ConnectResult): ConnectResult {
    this.#result = result;
    return result;
  }
}

/**
 * A non-2xx final answer. 407 asks for credentials (RFC 9110 section
 * 15.5.8); some proxies (tinyproxy) answer wrong ones with 401 instead:
 * both are WS_ERR_PROXY_AUTH. Anything else refuses.
 */
function refusal(head: HttpResponseHead, authority: string): ProxyError {
  const headers = headersRecord(head);
  const line = `${head.status}${head.reason ? ` ${head.reason}` : ""}`;
  if (head.status === 407 || head.status === 401) {
    // RFC 9110 section 11.7.1: the proxy names the scheme it wants.
    const wants = headers["proxy-authenticate"] ?? headers["www-authenticate"];
    return new ProxyError("WS_ERR_PROXY_AUTH", `The proxy wants (other) credentials for CONNECT ${authority}: ${line}${wants ? ` (${wants})` : ""}`, head.status, headers);
  }
  return new ProxyError("WS_ERR_PROXY_REFUSED", `The proxy refused CONNECT ${authority}: ${line}`, head.status, headers);
}
