/**
 * The `npm start` demo scaled out: two demo processes on their own ports,
 * REDIS_URL pointing at one redis-server (started here on a loopback
 * port), share one chat room; without REDIS_URL the demo stays alone.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { describe, expect, itWithPeer, until } from "../harness.ts";
import { WebSocket } from "../entry.ts";
import { hasRedis, REDIS_INSTALL_HINT, startRedis } from "../peers/redis.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

function startDemoProcess(redisUrl: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn("node", ["--import", "tsx", "examples/demo/server.ts"], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, PORT: "0", REDIS_URL: redisUrl },
  });
  let output = "";
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (d: Uint8Array) => {
      output += new TextDecoder().decode(d);
      const m = /open (http:\/\/127\.0\.0\.1:\d+\/)/.exec(output);
      if (m) resolve({ child, url: m[1]! });
    });
    child.stderr!.on("data", (d: Uint8Array) => { output += new TextDecoder().decode(d); });
    child.once("exit", (code) => reject(new Error(`demo exited (${code}):\n${output}`)));
  });
}

interface Page {
  ws: WebSocket;
  messages: string[];
}

async function page(url: string): Promise<Page> {
  const ws = new WebSocket(url.replace("http:", "ws:") + "chat");
  const messages: string[] = [];
  ws.addEventListener("message", (event) => {
    const m = JSON.parse(String((event as MessageEvent).data)) as { type: string; from?: string; text?: string };
    if (m.type === "message") messages.push(`${m.from}: ${m.text}`);
  });
  await new Promise((resolve, reject) => {
    ws.addEventListener("open", resolve, { once: true });
    ws.addEventListener("error", () => reject(new Error("could not connect")), { once: true });
  });
  return { ws, messages };
}

describe("the demo with REDIS_URL", () => {
  itWithPeer("two demo processes share one chat room through Redis", hasRedis, REDIS_INSTALL_HINT, async () => {
    const redis = await startRedis();
    const children: ChildProcess[] = [];
    const pages: Page[] = [];
    const admin = new Redis(redis.url);
    try {
      const a = await startDemoProcess(redis.url);
      children.push(a.child);
      const b = await startDemoProcess(redis.url);
      children.push(b.child);
      pages.push(await page(a.url), await page(b.url));
      // Both demos subscribed their room in Redis.
      for (let t = Date.now(); ((await admin.pubsub("NUMSUB", "omnisocket:room")) as [string, number])[1] < 2; ) {
        if (Date.now() - t > 20_000) throw new Error("the demos never subscribed");
        await new Promise((r) => setTimeout(r, 50));
      }
      pages[0]!.ws.send(JSON.stringify({ from: "alice", text: "hi from port A" }));
      await until(() => pages.every((p) => p.messages.length === 1), 20_000, "both pages got alice's line");
      pages[1]!.ws.send(JSON.stringify({ from: "bob", text: "hi from port B" }));
      await until(() => pages.every((p) => p.messages.length === 2), 20_000, "both pages got bob's line");
      for (const p of pages) expect(p.messages).toEqual(["alice: hi from port A", "bob: hi from port B"]);
    } finally {
      admin.disconnect();
      for (const p of pages) p.ws.terminate();
      for (const c of children) c.kill("SIGKILL");
      await redis.close();
    }
  }, 60_000);
});
