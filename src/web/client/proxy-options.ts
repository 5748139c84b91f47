/**
 * The client's `proxy` option, resolved for one connection: faye's shape
 * `{ origin, headers, tls }`, or `"env"` for the variables curl and most
 * HTTP clients read (HTTPS_PROXY / HTTP_PROXY / ALL_PROXY / NO_PROXY).
 *
 *   proxy: { origin: "http://user:pass@proxy:3128", headers, tls }
 *   proxy: "env"        wss:// -> https_proxy / HTTPS_PROXY, ws:// -> http_proxy / HTTP_PROXY,
 *                       then all_proxy / ALL_PROXY; none when NO_PROXY matches the host
 *
 *   -> ResolvedProxy { host, port, secure (an https: proxy), credentials, headers, tls } | null
 *
 * Environment variables are read only when asked for ("env"): a process
 * that happens to inherit HTTP_PROXY keeps connecting directly.
 */
import type { ProxyCredentials } from "../../core/http/connect.ts";

/** An HTTP proxy the client tunnels through with CONNECT (RFC 9110 section 9.3.6), in faye's shape. */
export interface ProxyOptions {
  /**
   * The proxy's URL: `http://host:port`, or `https://host:port` for TLS to
   * the proxy; `user:pass@` in it becomes `Proxy-Authorization: Basic ...`.
   */
  origin: string;
  /** Extra headers for the CONNECT request (e.g. a `Proxy-Authorization` of another scheme). */
  headers?: Record<string, string>;
  /** TLS options for the connection to an https: proxy (ca, servername, rejectUnauthorized, cert, key). */
  tls?: Record<string, unknown>;
}

/** The `proxy` option: a proxy, or "env" to take one from the environment. */
export type ProxySetting = ProxyOptions | "env";

export interface ResolvedProxy {
  host: string;
  port: number;
  /** An https: proxy: TLS to the proxy, then (for wss://) TLS to the origin inside it. */
  secure: boolean;
  credentials?: ProxyCredentials;
  headers?: Record<string, string>;
  tls?: Record<string, unknown>;
}

export interface ProxyTarget {
  host: string;
  port: number;
  secure: boolean;
}

/**
 * The proxy to use for `target`, or null to connect directly. Throws a
 * TypeError for a proxy URL that is not http: or https:.
 */
export function resolveProxy(
  setting: ProxySetting | undefined,
  target: ProxyTarget,
  env: (name: string) => string | undefined,
): ResolvedProxy | null {
  if (setting === undefined || setting === null) return null;
  if (setting === "env") {
    const origin = proxyFromEnv(target, env);
    return origin ? parseProxy({ origin }) : null;
  }
  if (typeof setting !== "object" || typeof setting.origin !== "string") {
    throw new TypeError('The proxy option takes { origin, headers, tls } or "env".');
  }
  return parseProxy(setting);
}

function parseProxy(options: ProxyOptions): ResolvedProxy {
  let url: URL;
  try {
    // A bare "host:port" (as environment variables often hold) means http:.
    url = new URL(/^[a-z][a-z\d+.-]*:\/\//i.test(options.origin) ? options.origin : `http://${options.origin}`);
  } catch {
    throw new TypeError(`Invalid proxy URL: ${options.origin}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new TypeError(`The proxy URL must be http: or https:; got ${url.protocol}`);
  }
  const secure = url.protocol === "https:";
  let host = url.hostname;
  if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
  const resolved: ResolvedProxy = {
    host,
    port: url.port ? Number(url.port) : secure ? 443 : 80,
    secure,
    headers: options.headers,
    tls: options.tls,
  };
  if (url.username || url.password) {
    resolved.credentials = { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) };
  }
  return resolved;
}

function read(env: (name: string) => string | undefined, name: string): string | undefined {
  // The lower-case name first, as curl reads them; then the upper-case one.
  const value = env(name.toLowerCase()) ?? env(name);
  return value?.trim() || undefined;
}

/** The proxy URL the environment names for `target`, if any. */
export function proxyFromEnv(target: ProxyTarget, env: (name: string) => string | undefined): string | undefined {
  const origin = read(env, target.secure ? "HTTPS_PROXY" : "HTTP_PROXY") ?? read(env, "ALL_PROXY");
  if (!origin) return undefined;
  return bypassesProxy(target, read(env, "NO_PROXY")) ? undefined : origin;
}

/**
 * NO_PROXY as curl and Go read it: entries split by commas or spaces; `*`
 * matches every host; `example.com` (or `.example.com`, `*.example.com`)
 * matches that host and its subdomains; an IP literal matches itself; an
 * entry with `:port` matches that port only. Case does not matter.
 * CIDR ranges are not supported.
 */
export function bypassesProxy(target: { host: string; port: number }, noProxy: string | undefined): boolean {
  if (!noProxy) return false;
  const host = target.host.toLowerCase().replace(/\.$/, "");
  for (const raw of noProxy.split(/[\s,]+/)) {
    let entry = raw.trim().toLowerCase();
    if (!entry) continue;
    if (entry === "*") return true;
    let port: number | undefined;
    const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
    if (bracket) {
      entry = bracket[1]!;
      port = bracket[2] ? Number(bracket[2]) : undefined;
    } else if (/^[^:]+:\d+$/.test(entry)) {
      const colon = entry.lastIndexOf(":");
      port = Number(entry.slice(colon + 1));
      entry = entry.slice(0, colon);
    }
    if (port !== undefined && port !== target.port) continue;
    entry = entry.replace(/^\*?\./, "").replace(/\.$/, "");
    if (host === entry || host.endsWith(`.${entry}`)) return true;
  }
  return false;
}
