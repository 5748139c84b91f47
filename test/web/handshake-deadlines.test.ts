/**
 * HandshakeDeadlines (src/web/server/handshake-deadlines.ts): one timer for
 * every connection of a listen() server still waiting for its request head.
 *
 *   waiters added over time, some removed (their head came) -> only the rest expire,
 *   oldest first, none before its own deadline, and no timer is left armed after
 */
import { describe, expect, it, until } from "../harness.ts";
import { HandshakeDeadlines, type HandshakeWaiter } from "../../src/web/server/handshake-deadlines.ts";
import { activeTimers } from "../../src/web/websocket/timers.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function waiter(name: string, expired: string[], addedAt: Map<string, number>, early: string[], timeout: number): HandshakeWaiter {
  return {
    deadline: 0, newer: null, older: null,
    expire() {
      // A timer may fire a little before performance.now() says; 2 ms of slack.
      if (performance.now() - addedAt.get(name)! < timeout - 2) early.push(name);
      expired.push(name);
    },
  };
}

describe("HandshakeDeadlines: one timer for a server's waiting handshakes", () => {
  it("expires only the waiters still queued, oldest first and none early; removing the last disarms the timer", async () => {
    const timeout = 80;
    const before = activeTimers();
    const deadlines = new HandshakeDeadlines(timeout);
    const expired: string[] = [];
    const early: string[] = [];
    const addedAt = new Map<string, number>();
    const made = new Map<string, HandshakeWaiter>();
    const add = (name: string) => {
      const w = waiter(name, expired, addedAt, early, timeout);
      made.set(name, w);
      addedAt.set(name, performance.now());
      deadlines.add(w);
    };
    add("a");
    await sleep(20);
    add("b");
    add("c");
    await sleep(20);
    add("d");
    deadlines.remove(made.get("a")!); // the oldest, whose deadline the timer was armed for
    deadlines.remove(made.get("c")!); // one in the middle
    deadlines.remove(made.get("c")!); // twice is harmless
    expect(activeTimers() - before).toBe(1);
    await until(() => expired.length === 2, 5_000, "b and d to expire");
    expect(expired).toEqual(["b", "d"]);
    expect(early).toEqual([]);
    expect(activeTimers() - before).toBe(0);
    deadlines.remove(made.get("b")!); // after expiry: harmless

    add("e");
    expect(activeTimers() - before).toBe(1);
    deadlines.remove(made.get("e")!);
    expect(activeTimers() - before).toBe(0);
    await sleep(timeout + 20);
    expect(expired).toEqual(["b", "d"]);
  });
});
