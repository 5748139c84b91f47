/**
 * Headless Chromium (Debian's `chromium` package) driven by playwright-core,
 * for interop tests against a real browser's WebSocket and EventSource.
 *
 *   itWithPeer("...", hasChromium, CHROMIUM_INSTALL_HINT, async () => {
 *     const browser = await launchChromium();
 *     try { const page = await browser.newPage(); ... } finally { await browser.close(); }
 *   });
 *
 * Playwright passes its own temporary user-data-dir; no browser download is
 * involved (playwright-core ships none).
 */
import { existsSync } from "node:fs";
import type http from "node:http";
import type { Browser, Page } from "playwright-core";

export const CHROMIUM_PATH = "/usr/bin/chromium";

export const CHROMIUM_INSTALL_HINT = "apt-get install -y chromium";

/** Flags for a quiet, sandbox-free headless run that talks to nothing but the test. */
export const CHROMIUM_ARGS: readonly string[] = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export function hasChromium(): boolean {
  return existsSync(CHROMIUM_PATH);
}

export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import("playwright-core");
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS] });
}

/** Listens on 127.0.0.1 and opens the server's page "/" in a fresh headless Chromium. */
export async function openServerPage(server: http.Server): Promise<{ browser: Browser; page: Page }> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  const browser = await launchChromium();
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${port}/`);
  return { browser, page };
}

/** Closes the browser, drops the server's TCP connections, and closes the server. */
export async function closeServerPage(browser: Browser | undefined, server: http.Server, sockets: Iterable<{ destroy(): void }>): Promise<void> {
  await browser?.close();
  for (const socket of sockets) socket.destroy();
  if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
}
