/**
 * The answer to a peer's Close (RFC 6455 section 5.5.1): the status code
 * echoed, and with `echoCloseReason` (faye-websocket's drivers, for
 * omnisocket/faye) the reason too.
 */
import { describe, expect, it } from "../harness.ts";
import { client, closeFrame, events, sent, server } from "./support/bytes.ts";

describe("the answer to a Close", () => {
  it("echoes the code only, by default", () => {
    const p = server();
    p.receiveData(closeFrame(4001, "bye", true));
    expect(events(p)).toEqual([{ type: "close", code: 4001, reason: "bye" }]);
    expect(sent(p)).toEqual(closeFrame(4001));
  });

  it("echoes the reason too with echoCloseReason, from a server", () => {
    const p = server({ echoCloseReason: true });
    p.receiveData(closeFrame(4001, "bye", true));
    expect(sent(p)).toEqual(closeFrame(4001, "bye"));
  });

  it("echoes the reason too with echoCloseReason, from a client (masked)", () => {
    const p = client({ echoCloseReason: true });
    p.receiveData(closeFrame(1000, "done"));
    expect(sent(p)).toEqual(closeFrame(1000, "done", true));
  });

  it("answers an empty Close with an empty Close either way", () => {
    const p = server({ echoCloseReason: true });
    p.receiveData(closeFrame(undefined, "", true));
    expect(sent(p)).toEqual(closeFrame(undefined));
  });
});
