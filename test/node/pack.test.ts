/**
 * The npm package as a user gets it:
 *
 *   copy of the repo --npm run build--> dist/esm --npm pack--> omnisocket-x.y.z.tgz
 *        |
 *   empty project --npm install --offline <tgz>--> node_modules/omnisocket
 *        |
 *        +-- node client.mjs      import            -> "node" condition
 *        +-- node client.cjs      require (esm)     -> "node" condition
 *        +-- deno run client.mjs  import            -> "deno" condition
 *        +-- bun client.mjs / .cjs                  -> "bun" condition
 *        +-- tsc                  the declarations type-check for a user
 *
 * Each client connects to an echo server in this process (our Node hook),
 * sends "ping-<runtime>", gets it back and closes with 1000. The build runs
 * in a temporary copy so the repo's dist/ is never touched by the suite.
 */
import { spawnSync, spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "../harness.ts";
import { startHookServer, type HookServer } from "../peers/servers.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BIN = join(ROOT, "node_modules", ".bin");
const NPM = process.platform === "win32" ? "npm.cmd" : "npm";
/**
 * Children get no npm_* variables: under `npm test` they carry the repo's
 * settings (npm_config_local_prefix, ...), and the consumer must be a
 * project of its own.
 */
const ENV: Record<string, string | undefined> = {
  ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name) && name !== "INIT_CWD")),
  NO_COLOR: "1",
  DENO_NO_UPDATE_CHECK: "1",
  NPM_CONFIG_UPDATE_NOTIFIER: "false",
};

/** Runs a command to completion; throws with its output when it fails. */
function run(command: string, args: string[], cwd: string): { stdout: string; stderr: string } {
  const result = spawnSync(command, args, { cwd, env: ENV, encoding: "utf8", timeout: 120_000 });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(" ")} (in ${cwd}) exited with ${result.status ?? result.signal}:\n${result.stdout}\n${result.stderr}`);
  }
  return { stdout: result.stdout, stderr: result.stderr };
}

/** Like run(), but asynchronous, so the echo server in this process can answer. */
function runAsync(command: string, args: string[], cwd: string): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: ENV });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Uint8Array) => { stdout += chunk; });
    child.stderr.on("data", (chunk: Uint8Array) => { stderr += chunk; });
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve({ stdout, stderr });
      else reject(new Error(`${command} ${args.join(" ")} exited with ${code ?? signal}:\n${stdout}\n${stderr}`));
    });
  });
}

const RUNTIME = `const runtime = globalThis.Deno ? "deno" : globalThis.Bun ? "bun" : "node";
const url = globalThis.Deno ? Deno.args[0] : process.argv[2];`;

/** A client in plain browser API; prints what it saw as one JSON line. */
const ROUND_TRIP = `const ws = new WebSocket(url);
let echoed = null;
ws.onopen = () => ws.send("ping-" + runtime);
ws.onmessage = (event) => { echoed = event.data; ws.close(1000); };
ws.onclose = (event) => console.log(JSON.stringify({
  runtime, entry, echoed, code: event.code, wasClean: event.wasClean,
  // omnisocket's class, not the runtime's own global WebSocket:
  ours: WebSocket !== globalThis.WebSocket && ws.version === "hybi-13",
}));`;

const CLIENT_MJS = `import { WebSocket } from "omnisocket";
${RUNTIME}
const entry = import.meta.resolve("omnisocket");
${ROUND_TRIP}
`;

const CLIENT_CJS = `const { WebSocket } = require("omnisocket");
${RUNTIME}
const entry = require.resolve("omnisocket");
${ROUND_TRIP}
`;

/** Type-checks like a user would: nodenext, strict, the package's own declarations. */
const CHECK_TS = `import { WebSocket, CloseEvent, type WebSocketOptions } from "omnisocket";
import { WebSocket as BrowserWebSocket } from "omnisocket/browser";
const options: WebSocketOptions = { headers: { "x-test": "1" }, maxLength: 1024 };
const ws: WebSocket = new WebSocket("ws://127.0.0.1:2/", ["chat"], options);
ws.onclose = (event: CloseEvent) => { const code: number = event.code; void code; };
const sent: boolean = ws.ping("x", () => {});
const native: typeof globalThis.WebSocket = BrowserWebSocket;
void sent; void native;
`;

/** faye's client through the package's faye entry; prints one JSON line. */
const FAYE_CLIENT = `const runtime = globalThis.Deno ? "deno" : globalThis.Bun ? "bun" : "node";
const url = globalThis.Deno ? Deno.args[0] : process.argv[2];
const ws = new WebSocket.Client(url);
let echoed = null;
ws.on("open", () => ws.send("faye-" + runtime));
ws.on("message", (event) => { echoed = event.data; ws.close(); });
ws.on("close", (event) => console.log(JSON.stringify({
  runtime, entry, echoed, code: event.code,
  isClass: typeof WebSocket === "function" && typeof WebSocket.isWebSocket === "function" && WebSocket.WebSocket === WebSocket,
})));`;

const FAYE_CJS = `const WebSocket = require("omnisocket/faye");
const entry = require.resolve("omnisocket/faye");
${FAYE_CLIENT}
`;

const FAYE_MJS = `import WebSocket from "omnisocket/faye";
const entry = import.meta.resolve("omnisocket/faye");
${FAYE_CLIENT}
`;

/** A ws-style client through omnisocket/ws; also reports ws's statics on what it loaded. */
const WS_ROUND_TRIP = `const ws = new WebSocket(url);
let echoed = null;
ws.on("open", () => ws.send("ws-" + runtime));
ws.on("message", (data, isBinary) => { echoed = String(data) + (isBinary ? " (binary)" : " (text)"); ws.close(1000); });
ws.on("close", (code) => console.log(JSON.stringify({
  runtime, entry, echoed, code,
  statics: typeof WebSocket.Server === "function" && WebSocket.WebSocketServer === WebSocket.Server
    && WebSocket.WebSocket === WebSocket && typeof WebSocket.createWebSocketStream === "function",
})));`;

const WS_MJS = `import WebSocket from "omnisocket/ws";
${RUNTIME}
const entry = import.meta.resolve("omnisocket/ws");
${WS_ROUND_TRIP}
`;

const WS_CJS = `const WebSocket = require("omnisocket/ws");
${RUNTIME}
const entry = require.resolve("omnisocket/ws");
${WS_ROUND_TRIP}
`;

/** ws-style code as @types/ws users write it, in ESM and CommonJS. */
const CHECK_WS_TS = `import WebSocket, { WebSocketServer } from "omnisocket/ws";
const wss = new WebSocketServer({ noServer: true, perMessageDeflate: { threshold: 1024 } });
wss.on("connection", (ws: WebSocket) => ws.on("message", (data: WebSocket.RawData, isBinary: boolean) => ws.send(data, { binary: isBinary })));
`;
const CHECK_WS_CTS = `import WebSocket = require("omnisocket/ws");
const wss: WebSocket.Server = new WebSocket.Server({ noServer: true });
const ws = new WebSocket("ws://127.0.0.1:1/", { handshakeTimeout: 100 });
ws.on("message", (data: WebSocket.RawData) => { void data; });
void wss;
`;

interface Outcome {
  runtime: string;
  entry: string;
  echoed: string | null;
  code: number;
  wasClean: boolean;
  ours: boolean;
}

function parseOutcome(stdout: string): Outcome {
  return JSON.parse(stdout.trim().split("\n").pop()!) as Outcome;
}

describe("npm package: build, pack, install offline, use on three runtimes", () => {
  const work = mkdtempSync(join(tmpdir(), "omnisocket-pack-"));
  const consumer = join(work, "consumer");
  let server: HookServer;
  let installed = false;

  beforeAll(async () => {
    server = await startHookServer();
  });
  afterAll(async () => {
    await server?.close();
    // KEEP_PACK=1 leaves the stage and the consumer project for a look.
    if (!process.env.KEEP_PACK) rmSync(work, { recursive: true, force: true });
  });

  function requireInstalled(): void {
    if (!installed) throw new Error("the package was not built and installed (see the first test)");
  }

  it("npm run build and npm pack make a tarball of dist/ only, with no dependencies", () => {
    // A copy of what the build reads, with the repo's node_modules linked in.
    const stage = join(work, "stage");
    mkdirSync(stage);
    for (const name of ["package.json", "tsconfig.json", "tsconfig.build.json", "README.md", "LICENSE", "src"]) {
      cpSync(join(ROOT, name), join(stage, name), { recursive: true });
    }
    symlinkSync(join(ROOT, "node_modules"), join(stage, "node_modules"), "dir");
    run(NPM, ["run", "build"], stage);

    const packed = JSON.parse(run(NPM, ["pack", "--json", "--pack-destination", work], stage).stdout) as {
      filename: string;
      files: { path: string }[];
    }[];
    const files = packed[0]!.files.map((f) => f.path);
    for (const entry of ["node", "deno", "bun"]) {
      expect(files).toContain(`dist/esm/runtime/${entry}/index.js`);
      expect(files).toContain(`dist/esm/runtime/${entry}/index.d.ts`);
    }
    expect(files).toContain("dist/esm/web/browser.js");
    expect(files).toContain("package.json");
    expect(files.filter((f) => !f.startsWith("dist/esm/") && !["package.json", "README.md", "LICENSE"].includes(f))).toEqual([]);
    const manifest = JSON.parse(readFileSync(join(stage, "package.json"), "utf8")) as Record<string, unknown>;
    expect(manifest.dependencies).toBeUndefined();

    mkdirSync(consumer);
    writeFileSync(join(consumer, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
    run(NPM, ["install", "--offline", "--no-audit", "--no-fund", join(work, packed[0]!.filename)], consumer);
    writeFileSync(join(consumer, "client.mjs"), CLIENT_MJS);
    writeFileSync(join(consumer, "client.cjs"), CLIENT_CJS);
    writeFileSync(join(consumer, "ws-client.mjs"), WS_MJS);
    writeFileSync(join(consumer, "ws-client.cjs"), WS_CJS);
    installed = true;
  }, 180_000);

  it("Node: import", async () => {
    requireInstalled();
    const { stdout, stderr } = await runAsync(process.execPath, ["client.mjs", server.url], consumer);
    const outcome = parseOutcome(stdout);
    expect(outcome).toEqual({ ...outcome, runtime: "node", echoed: "ping-node", code: 1000, wasClean: true, ours: true });
    expect(outcome.entry).toMatch(/node_modules\/omnisocket\/dist\/esm\/runtime\/node\/index\.js$/);
    expect(stderr).toBe("");
  }, 60_000);

  it("Node: require (no CommonJS copy: Node 20.19+ loads the ES modules)", async () => {
    requireInstalled();
    const { stdout, stderr } = await runAsync(process.execPath, ["client.cjs", server.url], consumer);
    const outcome = parseOutcome(stdout);
    expect(outcome).toEqual({ ...outcome, runtime: "node", echoed: "ping-node", code: 1000, wasClean: true, ours: true });
    expect(outcome.entry).toMatch(/node_modules\/omnisocket\/dist\/esm\/runtime\/node\/index\.js$/);
    expect(stderr).toBe("");
  }, 60_000);

  it("Deno: import from node_modules picks the deno entry", async () => {
    requireInstalled();
    writeFileSync(join(consumer, "deno.json"), JSON.stringify({ nodeModulesDir: "manual" }));
    const { stdout } = await runAsync(join(BIN, "deno"), ["run", "-A", "client.mjs", server.url], consumer);
    const outcome = parseOutcome(stdout);
    expect(outcome).toEqual({ ...outcome, runtime: "deno", echoed: "ping-deno", code: 1000, wasClean: true, ours: true });
    expect(outcome.entry).toMatch(/node_modules\/omnisocket\/dist\/esm\/runtime\/deno\/index\.js$/);
  }, 60_000);

  it("Bun: import and require pick the bun entry", async () => {
    requireInstalled();
    for (const client of ["client.mjs", "client.cjs"]) {
      const { stdout } = await runAsync(join(BIN, "bun"), [client, server.url], consumer);
      const outcome = parseOutcome(stdout);
      expect(outcome).toEqual({ ...outcome, runtime: "bun", echoed: "ping-bun", code: 1000, wasClean: true, ours: true });
      expect(outcome.entry).toMatch(/node_modules\/omnisocket\/dist\/esm\/runtime\/bun\/index\.js$/);
    }
  }, 60_000);

  it("omnisocket/faye: require() gives the class itself, import its default, on Node, Deno and Bun", async () => {
    requireInstalled();
    writeFileSync(join(consumer, "faye.cjs"), FAYE_CJS);
    writeFileSync(join(consumer, "faye.mjs"), FAYE_MJS);
    const runs: [string, string[], string][] = [
      ["node", [process.execPath, "faye.cjs"], "faye.cjs"],
      ["node", [process.execPath, "faye.mjs"], "faye/index.js"],
      ["deno", [join(BIN, "deno"), "run", "-A", "faye.mjs"], "faye/index.js"],
      ["bun", [join(BIN, "bun"), "faye.cjs"], "faye.cjs"],
    ];
    for (const [runtime, [command, ...args], entry] of runs) {
      const { stdout } = await runAsync(command!, [...args, server.url], consumer);
      const outcome = JSON.parse(stdout.trim().split("\n").pop()!) as Record<string, unknown>;
      expect(outcome).toEqual({ ...outcome, runtime, isClass: true, echoed: `faye-${runtime}`, code: 1000 });
      expect(String(outcome.entry).endsWith(entry)).toBe(true);
    }
    // A TypeScript user, CommonJS and ES module forms.
    writeFileSync(join(consumer, "faye-check.cts"), `import WebSocket = require("omnisocket/faye");
const client: InstanceType<typeof WebSocket.Client> = new WebSocket.Client("ws://127.0.0.1:1/", [], { ping: 5 });
const sent: boolean = client.send("x");
void sent;
`);
    writeFileSync(join(consumer, "faye-check.mts"), `import WebSocket from "omnisocket/faye";
import http from "node:http";
http.createServer().on("upgrade", (request, socket, body) => {
  if (WebSocket.isWebSocket(request)) new WebSocket(request, socket, body, ["chat"], { maxLength: 1024 }).pipe(process.stdout);
});
`);
    writeFileSync(join(consumer, "tsconfig.faye.json"), JSON.stringify({
      compilerOptions: {
        target: "ES2022", module: "nodenext", moduleResolution: "nodenext", lib: ["ES2022", "DOM"], types: ["node"],
        typeRoots: [join(ROOT, "node_modules", "@types")], strict: true, noEmit: true, skipLibCheck: false,
      },
      files: ["faye-check.cts", "faye-check.mts"],
    }));
    run(join(BIN, "tsc"), ["-p", "tsconfig.faye.json"], consumer);
  }, 120_000);

  it("omnisocket/ws: import and require give ws's class on Node, Deno and Bun", async () => {
    requireInstalled();
    const cases: Array<[string, string, string[], string, RegExp]> = [
      ["node", process.execPath, ["ws-client.mjs"], "node", /node_modules\/omnisocket\/dist\/esm\/runtime\/node\/compat\/ws\/index\.js$/],
      ["node", process.execPath, ["ws-client.cjs"], "node", /node_modules\/omnisocket\/dist\/esm\/runtime\/node\/compat\/ws\/ws\.cjs$/],
      ["deno", join(BIN, "deno"), ["run", "-A", "ws-client.mjs"], "deno", /node_modules\/omnisocket\/dist\/esm\/runtime\/deno\/ws\.js$/],
      ["bun", join(BIN, "bun"), ["ws-client.mjs"], "bun", /node_modules\/omnisocket\/dist\/esm\/runtime\/bun\/ws\.js$/],
      ["bun", join(BIN, "bun"), ["ws-client.cjs"], "bun", /node_modules\/omnisocket\/dist\/esm\/runtime\/bun\/ws\.cjs$/],
    ];
    for (const [, command, args, runtime, entry] of cases) {
      const { stdout } = await runAsync(command, [...args, server.url], consumer);
      const outcome = JSON.parse(stdout.trim().split("\n").pop()!) as Record<string, unknown>;
      expect(outcome).toEqual({ ...outcome, runtime, echoed: `ws-${runtime} (text)`, code: 1000, statics: true });
      expect(outcome.entry).toMatch(entry);
    }
  }, 120_000);

  it("TypeScript: the declarations type-check in a user's nodenext project", () => {
    requireInstalled();
    writeFileSync(join(consumer, "check.ts"), CHECK_TS);
    writeFileSync(join(consumer, "check-ws.ts"), CHECK_WS_TS);
    writeFileSync(join(consumer, "check-ws.cts"), CHECK_WS_CTS);
    writeFileSync(join(consumer, "tsconfig.json"), JSON.stringify({
      compilerOptions: {
        target: "ES2022",
        module: "nodenext",
        moduleResolution: "nodenext",
        lib: ["ES2022", "DOM"],
        types: ["node"],
        typeRoots: [join(ROOT, "node_modules", "@types")],
        strict: true,
        noEmit: true,
        skipLibCheck: false,
      },
      files: ["check.ts", "check-ws.ts", "check-ws.cts"],
    }));
    run(join(BIN, "tsc"), ["-p", "tsconfig.json"], consumer);
  }, 60_000);
});
