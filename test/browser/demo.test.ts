/**
 * The `npm start` demo in a real browser: two headless Chromium pages join
 * the chat room over Chromium's own WebSocket, each types a message, and
 * both pages must show both messages and the connected count.
 */
import type { Browser, Page } from "playwright-core";
import { startDemo, type Demo } from "../../examples/demo/server.ts";
import { afterAll, describe, expect, itWithPeer } from "../harness.ts";
import { CHROMIUM_INSTALL_HINT, hasChromium, launchChromium } from "../peers/chromium.ts";

const WAIT = { timeout: 30_000 };

async function openChat(browser: Browser, url: string): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(url);
  await page.waitForFunction(() => document.getElementById("state")?.textContent === "connected", undefined, WAIT);
  return page;
}

async function say(page: Page, name: string, text: string): Promise<void> {
  await page.fill("#name", name);
  await page.fill("#text", text);
  await page.press("#text", "Enter");
}

function waitForLine(page: Page, line: string): Promise<unknown> {
  return page.waitForFunction(
    (expected) => [...document.querySelectorAll("#log li")].some((li) => li.textContent?.endsWith(expected)),
    line,
    WAIT,
  );
}

function waitForCount(page: Page, n: number): Promise<unknown> {
  return page.waitForFunction((expected) => document.getElementById("count")?.textContent === String(expected), n, WAIT);
}

describe("demo chat room in Chromium", () => {
  let demo: Demo | undefined;
  let browser: Browser | undefined;

  afterAll(async () => {
    await browser?.close();
    await demo?.close();
  });

  itWithPeer("two pages see each other's messages and the client count", hasChromium, CHROMIUM_INSTALL_HINT, async () => {
    demo = await startDemo(0, "127.0.0.1", false);
    browser = await launchChromium();

    const alice = await openChat(browser, demo.url);
    const bob = await openChat(browser, demo.url);
    await waitForCount(alice, 2);
    await waitForCount(bob, 2);
    expect(demo.clients.size).toBe(2);

    await say(alice, "alice", "hello from alice <b>not bold</b>");
    await waitForLine(alice, "alice:hello from alice <b>not bold</b>");
    await waitForLine(bob, "alice:hello from alice <b>not bold</b>");

    await say(bob, "bob", "hi alice, héllo ✓");
    await waitForLine(bob, "bob:hi alice, héllo ✓");
    await waitForLine(alice, "bob:hi alice, héllo ✓");

    // Text, never markup: the message arrived as characters, not as an element.
    expect(await alice.locator("#log b").count()).toBe(0);

    await bob.close();
    await waitForCount(alice, 1);
    expect(demo.clients.size).toBe(1);
  }, 90_000);
});
