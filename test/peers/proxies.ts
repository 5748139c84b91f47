/**
 * Real proxies nobody here wrote, started by the tests on 127.0.0.1 with
 * throwaway config files (never as system services):
 *
 *   startTinyproxy   Debian tinyproxy: an HTTP CONNECT proxy, optionally with
 *                    Basic auth, an `Allow` that refuses us, or `ConnectPort` rules
 *   startStunnel     Debian stunnel4: TLS in front of a local port, which
 *                    makes tinyproxy an https: proxy
 *   startNginx       Debian nginx with the reverse-proxy recipe of
 *                    docs/proxies.md (examples/nginx/websocket.conf)
 *
 * Each returns `{ port, close }` (plus the proxy's origin); `close` stops
 * the process and removes its files. node:child_process works on Node,
 * Deno and Bun alike.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { canConnect, freePort } from "./ports.ts";

export const TINYPROXY_INSTALL_HINT = "install tinyproxy (Debian: apt-get install tinyproxy)";
export const STUNNEL_INSTALL_HINT = "install stunnel4 (Debian: apt-get install stunnel4)";
export const NGINX_INSTALL_HINT = "install nginx (Debian: apt-get install nginx)";

function findBinary(...paths: string[]): string | undefined {
  return paths.find((p) => existsSync(p));
}

const TINYPROXY = () => findBinary("/usr/bin/tinyproxy", "/usr/sbin/tinyproxy", "/usr/local/bin/tinyproxy");
const STUNNEL = () => findBinary("/usr/bin/stunnel4", "/usr/bin/stunnel", "/usr/local/bin/stunnel");
const NGINX = () => findBinary("/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx");

export const hasTinyproxy = (): boolean => TINYPROXY() !== undefined;
export const hasStunnel = (): boolean => STUNNEL() !== undefined;
export const hasNginx = (): boolean => NGINX() !== undefined;

export interface RunningPeer {
  port: number;
  /** What the process printed so far (for failure messages). */
  output(): string;
  close(): Promise<void>;
}

/**
 * Starts `command` with a config made for a fresh port (`config(port, dir)`
 * writes it and returns the arguments) and resolves once the port accepts
 * connections; tries again on another port when the process dies first
 * (another test took the port meanwhile).
 */
async function startDaemon(name: string, command: string, config: (port: number, dir: string) => string[]): Promise<RunningPeer> {
  let lastOutput = "";
  for (let attempt = 0; attempt < 3; attempt++) {
    const dir = mkdtempSync(join(tmpdir(), `omnisocket-${name}-`));
    const port = await freePort();
    const child: ChildProcess = spawn(command, config(port, dir), { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout!.on("data", (d: Uint8Array) => { output += new TextDecoder().decode(d); });
    child.stderr!.on("data", (d: Uint8Array) => { output += new TextDecoder().decode(d); });
    let exited = false;
    const exit = new Promise<void>((resolve) => child.once("exit", () => { exited = true; resolve(); }));
    child.once("error", () => { exited = true; });
    const cleanup = async () => {
      if (!exited) {
        child.kill("SIGTERM");
        await Promise.race([exit, new Promise((r) => setTimeout(r, 3000))]);
        if (!exited) child.kill("SIGKILL");
      }
      rmSync(dir, { recursive: true, force: true });
    };
    const started = Date.now();
    while (!exited && Date.now() - started < 15_000) {
      if (await canConnect(port)) {
        return { port, output: () => output, close: cleanup };
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    lastOutput = output;
    await cleanup();
  }
  throw new Error(`${name} did not start:\n${lastOutput}`);
}

export interface TinyproxyOptions {
  /** Require `Proxy-Authorization: Basic` for this user (tinyproxy's BasicAuth). */
  auth?: { user: string; password: string };
  /** Clients allowed (tinyproxy's Allow); default 127.0.0.1. Anything else refuses us with 403. */
  allow?: string;
  /** Ports CONNECT may reach (tinyproxy's ConnectPort); default any. Others are refused with 403. */
  connectPorts?: number[];
}

export interface Tinyproxy extends RunningPeer {
  /** http://127.0.0.1:PORT */
  origin: string;
}

export async function startTinyproxy(options: TinyproxyOptions = {}): Promise<Tinyproxy> {
  const command = TINYPROXY();
  if (!command) throw new Error(TINYPROXY_INSTALL_HINT);
  const peer = await startDaemon("tinyproxy", command, (port, dir) => {
    const lines = [
      `Port ${port}`,
      "Listen 127.0.0.1",
      "Timeout 30",
      "MaxClients 64",
      "LogLevel Connect",
      `Allow ${options.allow ?? "127.0.0.1"}`,
    ];
    if (options.auth) lines.push(`BasicAuth ${options.auth.user} ${options.auth.password}`);
    for (const p of options.connectPorts ?? []) lines.push(`ConnectPort ${p}`);
    const file = join(dir, "tinyproxy.conf");
    writeFileSync(file, lines.join("\n") + "\n");
    // -d: stay in the foreground, log to stderr.
    return ["-d", "-c", file];
  });
  return { ...peer, origin: `http://127.0.0.1:${peer.port}` };
}

/** TLS on a fresh port in front of 127.0.0.1:`connectPort` (stunnel's server mode). */
export async function startStunnel(connectPort: number, tls: { key: string; cert: string }): Promise<RunningPeer> {
  const command = STUNNEL();
  if (!command) throw new Error(STUNNEL_INSTALL_HINT);
  return startDaemon("stunnel", command, (port, dir) => {
    writeFileSync(join(dir, "key.pem"), tls.key);
    writeFileSync(join(dir, "cert.pem"), tls.cert);
    const file = join(dir, "stunnel.conf");
    writeFileSync(file, [
      "foreground = yes",
      "pid =",
      "debug = 4",
      "[proxy]",
      `accept = 127.0.0.1:${port}`,
      `connect = 127.0.0.1:${connectPort}`,
      `cert = ${join(dir, "cert.pem")}`,
      `key = ${join(dir, "key.pem")}`,
    ].join("\n") + "\n");
    return [file];
  });
}

/** The reverse-proxy recipe of docs/proxies.md, as a user copies it. */
export const NGINX_RECIPE = new URL("../../examples/nginx/websocket.conf", import.meta.url);

/**
 * nginx with the recipe's `map` and `server` blocks, its production values
 * swapped for the test's: the listening port, the certificate files and
 * the upstream (our server on `upstreamPort`).
 */
export async function startNginx(upstreamPort: number, tls: { key: string; cert: string }): Promise<RunningPeer> {
  const command = NGINX();
  if (!command) throw new Error(NGINX_INSTALL_HINT);
  const recipe = readFileSync(NGINX_RECIPE, "utf8");
  return startDaemon("nginx", command, (port, dir) => {
    writeFileSync(join(dir, "key.pem"), tls.key);
    writeFileSync(join(dir, "cert.pem"), tls.cert);
    const site = swap(recipe, [
      ["listen 443 ssl;", `listen 127.0.0.1:${port} ssl;`],
      ["/etc/ssl/example.com/fullchain.pem", join(dir, "cert.pem")],
      ["/etc/ssl/example.com/privkey.pem", join(dir, "key.pem")],
      ["server 127.0.0.1:8080;", `server 127.0.0.1:${upstreamPort};`],
    ]);
    const file = join(dir, "nginx.conf");
    const root = process.getuid?.() === 0;
    writeFileSync(file, [
      // As root, workers would switch to "nobody"; they stay root here
      // (the temp files below are root's). Other users run as themselves.
      root ? "user root;" : "",
      "daemon off;",
      "worker_processes 1;",
      `pid ${join(dir, "nginx.pid")};`,
      "error_log stderr notice;",
      "events { worker_connections 256; }",
      "http {",
      "  access_log off;",
      `  client_body_temp_path ${join(dir, "body")};`,
      `  proxy_temp_path ${join(dir, "proxy")};`,
      `  fastcgi_temp_path ${join(dir, "fastcgi")};`,
      `  uwsgi_temp_path ${join(dir, "uwsgi")};`,
      `  scgi_temp_path ${join(dir, "scgi")};`,
      site,
      "}",
    ].join("\n") + "\n");
    // -e: the early error log goes to stderr, not /var/log/nginx; -p: the prefix.
    return ["-e", "stderr", "-p", dir, "-c", file];
  });
}

function swap(text: string, pairs: Array<[string, string]>): string {
  let out = text;
  for (const [from, to] of pairs) {
    if (!out.includes(from)) throw new Error(`examples/nginx/websocket.conf no longer holds "${from}"`);
    out = out.split(from).join(to);
  }
  return out;
}
