/**
 * The classes are the interface (WebIDL's ECMAScript binding, as the
 * web-platform-tests idlharness checks it), on the entry the running
 * runtime resolves "omnisocket" to: the prototype chain, own attributes
 * and operations, constants on the constructor and the prototype,
 * lengths, the toString tag, and argument checks before any state check.
 */
import { describe, expect, it, runtime } from "../harness.ts";
import { entry } from "../entry.ts";
const { WebSocket, CloseEvent, ErrorEvent } = entry;

/**
 * Runtime difference: Deno ships its own CloseEvent (the Deno entry
 * re-exports it, as every runtime's own event classes are kept); Deno's
 * has no toString tag of its own and takes a missing type argument.
 */
const DENO_OWN_CLOSE_EVENT = runtime === "deno";

const ATTRIBUTES = ["url", "readyState", "bufferedAmount", "onopen", "onerror", "onclose", "extensions", "protocol", "onmessage", "binaryType"];
const CONSTANTS = { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 };

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

/** A socket that never connects: port 2 refuses (and is no fetch "bad port"). */
function idle(): InstanceType<typeof WebSocket> {
  const ws = new WebSocket("ws://127.0.0.1:2/");
  ws.onerror = () => {};
  return ws;
}

describe(`WebIDL layout of the ${runtime} entry's WebSocket`, () => {
  it("inherits from EventTarget directly, on the constructor and on the prototype", () => {
    expect(Object.getPrototypeOf(WebSocket)).toBe(EventTarget);
    expect(Object.getPrototypeOf(WebSocket.prototype)).toBe(EventTarget.prototype);
    expect(WebSocket.name).toBe("WebSocket");
  });

  it("has every attribute as an enumerable, configurable accessor of its own prototype", () => {
    for (const name of ATTRIBUTES) {
      const desc = Object.getOwnPropertyDescriptor(WebSocket.prototype, name);
      expect(typeof desc?.get).toBe("function");
      expect(desc!.enumerable).toBe(true);
      expect(desc!.configurable).toBe(true);
      // A getter called on another object is a TypeError (WebIDL "perform a security check" / brand check).
      expect(thrown(() => desc!.get!.call({}))).toBeInstanceOf(TypeError);
    }
    for (const name of ["readyState", "url", "bufferedAmount", "extensions", "protocol"]) {
      expect(Object.getOwnPropertyDescriptor(WebSocket.prototype, name)!.set).toBeUndefined();
    }
    for (const name of ["onopen", "onerror", "onclose", "onmessage", "binaryType"]) {
      expect(typeof Object.getOwnPropertyDescriptor(WebSocket.prototype, name)!.set).toBe("function");
    }
  });

  it("has send and close as enumerable operations of its own prototype, with WebIDL lengths", () => {
    for (const [name, length] of [["send", 1], ["close", 0]] as const) {
      const desc = Object.getOwnPropertyDescriptor(WebSocket.prototype, name)!;
      expect(typeof desc.value).toBe("function");
      expect(desc.enumerable).toBe(true);
      expect(desc.writable).toBe(true);
      expect((desc.value as () => void).length).toBe(length);
    }
  });

  it("has the constants on the constructor and the prototype: read-only, enumerable, not configurable", () => {
    for (const target of [WebSocket, WebSocket.prototype]) {
      for (const [name, value] of Object.entries(CONSTANTS)) {
        expect(Object.getOwnPropertyDescriptor(target, name)).toEqual({ value, writable: false, enumerable: true, configurable: false });
      }
    }
  });

  it("has length 1, and the toString tag WebSocket on the prototype and on instances", () => {
    expect(WebSocket.length).toBe(1);
    expect(Object.prototype.toString.call(WebSocket.prototype)).toBe("[object WebSocket]");
    const ws = idle();
    expect(Object.prototype.toString.call(ws)).toBe("[object WebSocket]");
    expect(Object.getPrototypeOf(ws)).toBe(WebSocket.prototype);
    ws.close();
  });

  it("send() with no argument is a TypeError, before the CONNECTING check", () => {
    const ws = idle();
    expect(thrown(() => (ws.send as () => void)())).toBeInstanceOf(TypeError);
    expect((thrown(() => ws.send("x")) as DOMException).name).toBe("InvalidStateError");
    ws.close();
  });

  it("close() converts its code as [Clamp] unsigned short and its reason as a string before checking them", () => {
    const ws = idle();
    const name = (fn: () => void) => (thrown(fn) as DOMException | undefined)?.name;
    expect(name(() => ws.close(NaN))).toBe("InvalidAccessError"); // NaN -> 0
    expect(name(() => ws.close(null as never))).toBe("InvalidAccessError"); // null -> 0
    expect(name(() => ws.close("abc" as never))).toBe("InvalidAccessError");
    expect(name(() => ws.close(-1))).toBe("InvalidAccessError"); // clamped to 0
    expect(name(() => ws.close(1000, "x".repeat(124)))).toBe("SyntaxError");
    expect(name(() => ws.close(1000, "é".repeat(62)))).toBe("SyntaxError"); // 124 bytes of UTF-8
    // 999.5 rounds half to even (1000), so this one is valid and closes the socket.
    expect(name(() => ws.close(999.5, null as never))).toBeUndefined();
    expect(ws.readyState).toBe(WebSocket.CLOSING);
  });

  it("ignores a binaryType it does not know, after converting it to a string", () => {
    const ws = idle();
    ws.binaryType = "arraybuffer";
    ws.binaryType = "nonsense" as never;
    expect(ws.binaryType).toBe("arraybuffer");
    ws.binaryType = { toString: () => "blob" } as never;
    expect(ws.binaryType).toBe("blob");
    ws.close();
  });

  it("takes a stray extra argument (a WPT check) and protocols given as any iterable", () => {
    const ws = new (WebSocket as unknown as new (...args: unknown[]) => InstanceType<typeof WebSocket>)("ws://127.0.0.1:2/", "echo", undefined, "stray");
    ws.onerror = () => {};
    expect(ws).toBeInstanceOf(WebSocket);
    ws.close();
    const viaSet = new WebSocket("ws://127.0.0.1:2/", new Set(["a", "b"]) as unknown as string[]);
    viaSet.onerror = () => {};
    viaSet.close();
  });
});

describe(`WebIDL layout of the ${runtime} entry's CloseEvent and ErrorEvent`, () => {
  it("CloseEvent: named CloseEvent, code/reason/wasClean getters on the prototype, length 1, toString tag", () => {
    expect(CloseEvent.name).toBe("CloseEvent");
    expect(CloseEvent.length).toBe(1);
    expect(Object.getPrototypeOf(CloseEvent.prototype)).toBe(Event.prototype);
    for (const name of ["code", "reason", "wasClean"]) {
      expect(typeof Object.getOwnPropertyDescriptor(CloseEvent.prototype, name)?.get).toBe("function");
    }
    const event = new CloseEvent("close", { code: 4000, reason: "bye", wasClean: true });
    expect(Object.keys(event)).not.toContain("code");
    expect([event.code, event.reason, event.wasClean]).toEqual([4000, "bye", true]);
    expect(Object.prototype.toString.call(event)).toBe(DENO_OWN_CLOSE_EVENT ? "[object Event]" : "[object CloseEvent]");
    const noType = thrown(() => new (CloseEvent as unknown as new () => Event)());
    if (DENO_OWN_CLOSE_EVENT) expect(noType).toBeUndefined();
    else expect(noType).toBeInstanceOf(TypeError);
  });

  it("ErrorEvent: named ErrorEvent, message/error getters on the prototype, toString tag", () => {
    expect(ErrorEvent.name).toBe("ErrorEvent");
    for (const name of ["message", "filename", "lineno", "colno", "error"]) {
      expect(typeof Object.getOwnPropertyDescriptor(ErrorEvent.prototype, name)?.get).toBe("function");
    }
    const cause = new Error("x");
    const event = new ErrorEvent("error", { message: "m", error: cause });
    expect([event.message, event.error]).toEqual(["m", cause]);
    expect(Object.prototype.toString.call(event)).toBe("[object ErrorEvent]");
  });
});
