/**
 * Browser-identical behaviour: ONE client script written against the
 * browser's WebSocket API (examples/browser-identical/client.js) runs
 *
 *   headless Chromium   with the browser's own WebSocket
 *   Node, Deno, Bun     with omnisocket's (examples/browser-identical/run.ts)
 *
 * against the same echo server (our faye-style Node hook, subprotocol
 * "chat"), and the four transcripts must be equal, entry by entry.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import type http from "node:http";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it, itWithPeer } from "../harness.ts";
import { CHROMIUM_INSTALL_HINT, hasChromium, launchChromium } from "../peers/chromium.ts";
import { startHookServer, type HookServer } from "../peers/servers.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CLIENT = fileURLToPath(new URL("../../examples/browser-identical/client.js", import.meta.url));
const RUNNER = "examples/browser-identical/run.ts";
const BIN = `${ROOT}node_modules/.bin`;

type Transcript = Record<string, unknown>[];

/** "/" is an empty page, "/client.js" the client script (same origin for import()). */
function serveClient(req: http.IncomingMessage, res: http.ServerResponse): void {
  if (req.url === "/client.js") {
    res.writeHead(200, { "content-type": "text/javascript" }).end(readFileSync(CLIENT));
  } else {
    res.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><title>identical</title>");
  }
}

/** Runs the runner in a child process; its stdout is the transcript. */
function runChild(command: string, args: string[]): Promise<Transcript> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Uint8Array) => { stdout += chunk; });
    child.stderr.on("data", (chunk: Uint8Array) => { stderr += chunk; });
    // A runner that printed its transcript but does not exit leaks a handle.
    const timer = setTimeout(() => child.kill("SIGKILL"), 45_000);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) {
        reject(new Error(`${command} ${args.join(" ")} exited with ${code ?? signal}\nstdout: ${stdout}\nstderr: ${stderr}`));
        return;
      }
      resolve(JSON.parse(stdout.trim().split("\n").pop()!) as Transcript);
    });
  });
}

describe("one browser client, four runtimes, one transcript", () => {
  let server: HookServer;
  let url: string;
  const transcripts = new Map<string, Transcript>();

  beforeAll(async () => {
    server = await startHookServer({ protocols: ["chat"], onRequest: serveClient });
    url = server.url;
  });
  afterAll(async () => {
    await server?.close();
  });

  itWithPeer("headless Chromium with its own WebSocket", hasChromium, CHROMIUM_INSTALL_HINT, async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(`http://127.0.0.1:${server.port}/`);
      // A string, not a function: vitest would rewrite import() inside one.
      const transcript = (await page.evaluate(
        `import("/client.js").then((client) => client.runClient(${JSON.stringify(url)}))`,
      )) as Transcript;
      transcripts.set("chromium", transcript);
      // The browser defines the expected behaviour; spot-check it ran to the end.
      expect(transcript.at(-1)).toEqual({
        step: "closed while connecting",
        events: ["error readyState=3", "close readyState=3"],
        code: 1006,
        reason: "",
        wasClean: false,
      });
    } finally {
      await browser.close();
    }
  }, 90_000);

  /** Records a runtime's transcript and compares it with the browser's, when there is one. */
  function check(name: string, transcript: Transcript): void {
    transcripts.set(name, transcript);
    const reference = transcripts.get("chromium");
    if (!reference) return;
    try {
      expect(transcript).toEqual(reference);
    } catch (error) {
      throw new Error(`${name}'s transcript differs from Chromium's:\n${JSON.stringify(transcript)}\nChromium:\n${JSON.stringify(reference)}`, { cause: error });
    }
  }

  it("Node with omnisocket", async () => {
    check("node", await runChild(`${BIN}/tsx`, [RUNNER, url]));
  }, 60_000);

  it("Deno with omnisocket", async () => {
    check("deno", await runChild(`${BIN}/deno`, ["run", "-A", "--no-check", RUNNER, url]));
  }, 60_000);

  it("Bun with omnisocket", async () => {
    check("bun", await runChild(`${BIN}/bun`, [RUNNER, url]));
  }, 60_000);

  it("the three runtimes agree with each other too (the reference when Chromium is missing)", () => {
    const node = transcripts.get("node");
    expect(node).toBeDefined();
    expect(transcripts.get("deno")).toEqual(node);
    expect(transcripts.get("bun")).toEqual(node);
  });
});
