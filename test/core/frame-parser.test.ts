/**
 * The incremental frame parser: byte literals in, frames or a WebSocketError
 * out, the same whatever the chunking; zero copy where a chunk holds a frame.
 */
import { describe, it, expect } from "../harness.ts";
import { FrameParser } from "../../src/core/websocket/frame/parser.ts";
import { WebSocketError } from "../../src/core/shared/errors.ts";
import { encodeFrame } from "../../src/core/websocket/frame/encoder.ts";
import { MaskSource } from "../../src/core/websocket/frame/mask-source.ts";
import { Opcode, RSV1, type Frame } from "../../src/core/websocket/frame/types.ts";
import { b, concat, fixedKey, hex, seq, utf8 } from "./support/bytes.ts";

type Role = "client" | "server";

function parser(role: Role = "client", maxLength = 0x3ffffff, allowedRsv = 0): FrameParser {
  const p = new FrameParser({ role, maxLength });
  p.allowedRsv = allowedRsv;
  return p;
}

/** Every frame (or the error) the parser gives for these chunks. */
function parseAll(p: FrameParser, ...chunks: Uint8Array[]): (Frame | WebSocketError)[] {
  const out: (Frame | WebSocketError)[] = [];
  for (const chunk of chunks) {
    p.push(chunk);
    for (let r = p.read(); r !== null; r = p.read()) {
      if (r instanceof WebSocketError) out.push(r);
      else out.push({ fin: r.fin, rsv: r.rsv, opcode: r.opcode, payload: r.payload }); // `checked` has tests of its own
    }
  }
  return out;
}

function frames(role: Role, ...chunks: Uint8Array[]): Frame[] {
  const out = parseAll(parser(role), ...chunks);
  for (const f of out) if (f instanceof WebSocketError) throw f;
  return out as Frame[];
}

/** The error the bytes give, checked to be the only and last result. */
function failure(bytes: Uint8Array, role: Role = "client", maxLength = 0x3ffffff, allowedRsv = 0): WebSocketError {
  const out = parseAll(parser(role, maxLength, allowedRsv), bytes);
  const last = out[out.length - 1];
  if (!(last instanceof WebSocketError)) throw new Error(`expected an error, got ${JSON.stringify(out)}`);
  return last;
}

const frame = (opcode: number, data: string | Uint8Array, fin = true, rsv = 0) => ({
  fin,
  rsv,
  opcode,
  payload: typeof data === "string" ? utf8(data) : data,
});

describe("FrameParser: RFC 6455 section 5.7 examples", () => {
  it("a single-frame unmasked text message", () => {
    expect(frames("client", hex("81 05 48 65 6c 6c 6f"))).toEqual([frame(Opcode.TEXT, "Hello")]);
  });

  it("a single-frame masked text message", () => {
    expect(frames("server", hex("81 85 37 fa 21 3d 7f 9f 4d 51 58"))).toEqual([frame(Opcode.TEXT, "Hello")]);
  });

  it("a fragmented unmasked text message", () => {
    expect(frames("client", hex("01 03 48 65 6c"), hex("80 02 6c 6f"))).toEqual([
      frame(Opcode.TEXT, "Hel", false),
      frame(Opcode.CONTINUATION, "lo"),
    ]);
  });

  it("an unmasked Ping and a masked Pong", () => {
    expect(frames("client", hex("89 05 48 65 6c 6c 6f"))).toEqual([frame(Opcode.PING, "Hello")]);
    expect(frames("server", hex("8a 85 37 fa 21 3d 7f 9f 4d 51 58"))).toEqual([frame(Opcode.PONG, "Hello")]);
  });

  it("256 bytes and 64 KiB of binary data", () => {
    expect(frames("client", concat(hex("82 7e 01 00"), seq(256)))).toEqual([frame(Opcode.BINARY, seq(256))]);
    expect(frames("client", concat(hex("82 7f 00 00 00 00 00 01 00 00"), seq(65536)))).toEqual([
      frame(Opcode.BINARY, seq(65536)),
    ]);
  });
});

describe("FrameParser: chunking", () => {
  const stream = concat(
    hex("81 85 37 fa 21 3d 7f 9f 4d 51 58"), // masked Hello
    hex("01 83 00 00 00 00 48 65 6c"), // Hel, zero mask
    hex("89 80 01 02 03 04"), // empty Ping between fragments
    hex("80 82 00 00 00 00 6c 6f"), // lo
    concat(hex("82 fe 01 2c 01 02 03 04"), encodeFrame(Opcode.BINARY, seq(300), true, 0, new MaskSource(fixedKey([1, 2, 3, 4])))[0]!.subarray(8)),
  );
  const want = [
    frame(Opcode.TEXT, "Hello"),
    frame(Opcode.TEXT, "Hel", false),
    frame(Opcode.PING, ""),
    frame(Opcode.CONTINUATION, "lo"),
    frame(Opcode.BINARY, seq(300)),
  ];

  it("parses a stream in one chunk", () => {
    expect(frames("server", stream.slice())).toEqual(want);
  });

  it("parses the same byte by byte", () => {
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < stream.length; i++) chunks.push(stream.slice(i, i + 1));
    expect(frames("server", ...chunks)).toEqual(want);
  });

  it("parses the same split in two at every offset", () => {
    for (let i = 1; i < stream.length; i++) {
      expect(frames("server", stream.slice(0, i), stream.slice(i))).toEqual(want);
    }
  });

  it("returns null until a frame is whole, and ignores empty chunks", () => {
    const p = parser("client");
    p.push(hex("81"));
    expect(p.read()).toBeNull();
    p.push(new Uint8Array(0));
    expect(p.read()).toBeNull();
    p.push(hex("05 48 65"));
    expect(p.read()).toBeNull();
    p.push(hex("6c 6c 6f 82"));
    // Text that came in pieces was checked as UTF-8 piece by piece.
    expect(p.read()).toEqual({ ...frame(Opcode.TEXT, "Hello"), checked: true });
    expect(p.read()).toBeNull();
  });
});

describe("FrameParser: zero copy", () => {
  it("hands out an unmasked payload as a view of the chunk that holds the frame", () => {
    const chunk = concat(hex("82 05"), seq(5), hex("82 03"), seq(3, 9));
    const [f1, f2] = frames("client", chunk);
    expect(f1!.payload.buffer === chunk.buffer).toBe(true);
    expect(f1!.payload.byteOffset).toBe(chunk.byteOffset + 2);
    expect(f2!.payload.buffer === chunk.buffer).toBe(true);
    expect(f2!.payload.byteOffset).toBe(chunk.byteOffset + 9);
  });

  it("unmasks in place, in the chunk", () => {
    const chunk = hex("82 85 37 fa 21 3d 7f 9f 4d 51 58");
    const [f] = frames("server", chunk);
    expect(f!.payload.buffer === chunk.buffer).toBe(true);
    expect(chunk.subarray(6)).toEqual(utf8("Hello"));
  });

  it("copies a payload that spans chunks", () => {
    const a = hex("82 05 01 02");
    const c = hex("03 04 05");
    const [f] = frames("client", a, c);
    expect(f!.payload).toEqual(hex("01 02 03 04 05"));
    expect(f!.payload.buffer === a.buffer || f!.payload.buffer === c.buffer).toBe(false);
  });
});

describe("FrameParser: lengths", () => {
  it("reads 16-bit and 64-bit lengths", () => {
    expect(frames("client", concat(hex("82 7e 00 7e"), seq(126)))).toEqual([frame(Opcode.BINARY, seq(126))]);
    expect(frames("client", concat(hex("82 7e ff ff"), seq(65535)))).toEqual([frame(Opcode.BINARY, seq(65535))]);
    expect(frames("client", concat(hex("82 7f 00 00 00 00 00 00 00 03"), seq(3)))).toEqual([frame(Opcode.BINARY, seq(3))]);
  });

  it("fails a 64-bit length of 2^53 with 1009, before any payload", () => {
    const err = failure(hex("82 7f 00 20 00 00 00 00 00 00"));
    expect(err.code).toBe("WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH");
    expect(err.closeCode).toBe(1009);
  });

  it("fails a 64-bit length with the most significant bit set", () => {
    const err = failure(hex("82 7f 80 00 00 00 00 00 00 01"));
    expect(err.code).toBe("WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH");
    expect(err.closeCode).toBe(1009);
  });

  it("fails 2^53 - 1 on maxLength, at the header", () => {
    const err = failure(hex("82 7f 00 1f ff ff ff ff ff ff"));
    expect(err.code).toBe("WS_ERR_UNSUPPORTED_MESSAGE_LENGTH");
    expect(err.closeCode).toBe(1009);
  });

  it("takes a frame of exactly maxLength and refuses one byte more", () => {
    expect(parseAll(parser("client", 10), concat(hex("82 0a"), seq(10)))).toEqual([frame(Opcode.BINARY, seq(10))]);
    expect(failure(hex("82 0b"), "client", 10).code).toBe("WS_ERR_UNSUPPORTED_MESSAGE_LENGTH");
    expect(failure(hex("82 7e 00 0b"), "client", 10).closeCode).toBe(1009);
  });

  it("sums the fragments of a message against maxLength", () => {
    const p = parser("client", 10);
    const out = parseAll(p, concat(hex("02 04"), seq(4)), concat(hex("00 04"), seq(4)), hex("89 00"), hex("80 03"));
    expect(out.slice(0, 3)).toEqual([frame(Opcode.BINARY, seq(4), false), frame(Opcode.CONTINUATION, seq(4), false), frame(Opcode.PING, "")]);
    const err = out[3] as WebSocketError;
    expect(err.code).toBe("WS_ERR_UNSUPPORTED_MESSAGE_LENGTH");
  });

  it("starts the count again with each message", () => {
    const p = parser("client", 10);
    const out = parseAll(p, concat(hex("02 05"), seq(5), hex("80 05"), seq(5), hex("02 05"), seq(5), hex("80 05"), seq(5)));
    expect(out).toHaveLength(4);
    expect(out.every((f) => !(f instanceof WebSocketError))).toBe(true);
  });

  it("does not count control frames between fragments", () => {
    const p = parser("client", 4);
    const out = parseAll(p, concat(hex("01 02 61 62 89 7d"), seq(125), hex("80 02 63 64")));
    expect(out.map((f) => (f as Frame).opcode)).toEqual([1, 9, 0]);
  });
});

describe("FrameParser: protocol errors (RFC 6455 section 5)", () => {
  const cases: [string, string, Role, string, number][] = [
    ["RSV1 without an extension", "c1 00", "client", "WS_ERR_UNEXPECTED_RSV_1", 1002],
    ["RSV2 without an extension", "a1 00", "client", "WS_ERR_UNEXPECTED_RSV_2", 1002],
    ["RSV3 without an extension", "91 00", "client", "WS_ERR_UNEXPECTED_RSV_3", 1002],
    ["opcode 3", "83 00", "client", "WS_ERR_INVALID_OPCODE", 1002],
    ["opcode 4", "84 00", "client", "WS_ERR_INVALID_OPCODE", 1002],
    ["opcode 5", "85 00", "client", "WS_ERR_INVALID_OPCODE", 1002],
    ["opcode 6", "86 00", "client", "WS_ERR_INVALID_OPCODE", 1002],
    ["opcode 7", "87 00", "client", "WS_ERR_INVALID_OPCODE", 1002],
    ["opcode 0xB", "8b 00", "client", "WS_ERR_INVALID_OPCODE", 1002],
    ["opcode 0xC", "8c 00", "client", "WS_ERR_INVALID_OPCODE", 1002],
    ["opcode 0xD", "8d 00", "client", "WS_ERR_INVALID_OPCODE", 1002],
    ["opcode 0xE", "8e 00", "client", "WS_ERR_INVALID_OPCODE", 1002],
    ["opcode 0xF", "8f 00", "client", "WS_ERR_INVALID_OPCODE", 1002],
    ["a fragmented Ping", "09 00", "client", "WS_ERR_EXPECTED_FIN", 1002],
    ["a fragmented Close", "08 00", "client", "WS_ERR_EXPECTED_FIN", 1002],
    ["a fragmented Pong", "0a 00", "client", "WS_ERR_EXPECTED_FIN", 1002],
    ["a Ping of 126 bytes", "89 7e 00 7e", "client", "WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH", 1002],
    ["a Close of 126 bytes", "88 7e 00 7e", "client", "WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH", 1002],
    ["a Pong with a 64-bit length", "8a 7f 00 00 00 00 00 00 00 05", "client", "WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH", 1002],
    ["a continuation without a start", "80 00", "client", "WS_ERR_INVALID_CONTINUATION_FRAME", 1002],
    ["a non-final continuation without a start", "00 00", "client", "WS_ERR_INVALID_CONTINUATION_FRAME", 1002],
    ["a text frame inside a fragmented message", "01 01 61 81 01 62", "client", "WS_ERR_EXPECTED_CONTINUATION_FRAME", 1002],
    ["a binary frame inside a fragmented message", "02 01 61 02 01 62", "client", "WS_ERR_EXPECTED_CONTINUATION_FRAME", 1002],
    ["an unmasked frame at a server", "81 05 48 65 6c 6c 6f", "server", "WS_ERR_EXPECTED_MASK", 1002],
    ["an unmasked control frame at a server", "89 00", "server", "WS_ERR_EXPECTED_MASK", 1002],
    ["a masked frame at a client", "81 85 37 fa 21 3d 7f 9f 4d 51 58", "client", "WS_ERR_UNEXPECTED_MASK", 1002],
    ["a masked control frame at a client", "8a 80 00 00 00 00", "client", "WS_ERR_UNEXPECTED_MASK", 1002],
  ];
  for (const [name, bytes, role, code, closeCode] of cases) {
    it(`fails ${name} with ${code} (${closeCode})`, () => {
      const err = failure(hex(bytes), role);
      expect(err).toBeInstanceOf(WebSocketError);
      expect(err.code).toBe(code);
      expect(err.closeCode).toBe(closeCode);
    });
  }

  it("fails a control frame over 125 bytes at the header, before its payload", () => {
    const p = parser("client");
    p.push(hex("89 7e 00 7e"));
    expect((p.read() as WebSocketError).code).toBe("WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH");
  });

  it("stops for good after an error", () => {
    const p = parser("client");
    p.push(hex("83 00 81 01 61"));
    expect(p.read()).toBeInstanceOf(WebSocketError);
    expect(p.read()).toBeNull();
    p.push(hex("81 01 61"));
    expect(p.read()).toBeNull();
  });

  it("delivers the frames before the bad one", () => {
    const out = parseAll(parser("client"), hex("81 01 61 89 00 8f 00 81 01 62"));
    expect(out.slice(0, 2)).toEqual([frame(Opcode.TEXT, "a"), frame(Opcode.PING, "")]);
    expect((out[2] as WebSocketError).code).toBe("WS_ERR_INVALID_OPCODE");
    expect(out).toHaveLength(3);
  });
});

describe("FrameParser: RSV bits claimed by an extension", () => {
  it("allows a claimed bit on the first frame of a data message", () => {
    const out = parseAll(parser("client", 100, RSV1), hex("c1 01 61 42 01 62 80 01 63"));
    expect(out).toEqual([frame(Opcode.TEXT, "a", true, RSV1), frame(Opcode.BINARY, "b", false, RSV1), frame(Opcode.CONTINUATION, "c")]);
  });

  it("refuses a claimed bit on a continuation frame", () => {
    const err = failure(hex("41 01 61 c0 01 62"), "client", 100, RSV1);
    expect(err.code).toBe("WS_ERR_UNEXPECTED_RSV_1");
    expect(err.closeCode).toBe(1002);
  });

  it("refuses a claimed bit on control frames", () => {
    for (const bytes of ["c9 00", "ca 00", "c8 00"]) {
      expect(failure(hex(bytes), "client", 100, RSV1).code).toBe("WS_ERR_UNEXPECTED_RSV_1");
    }
  });

  it("refuses bits nobody claimed", () => {
    expect(failure(hex("e1 00"), "client", 100, RSV1).code).toBe("WS_ERR_UNEXPECTED_RSV_2");
    expect(failure(hex("d1 00"), "client", 100, RSV1).code).toBe("WS_ERR_UNEXPECTED_RSV_3");
  });
});

describe("FrameParser: masking keys", () => {
  it("unmasks with each frame's own key", () => {
    const key1 = new MaskSource(fixedKey([1, 2, 3, 4]));
    const key2 = new MaskSource(fixedKey([0xaa, 0xbb, 0xcc, 0xdd]));
    const stream = concat(
      encodeFrame(Opcode.TEXT, utf8("first"), true, 0, key1)[0]!,
      encodeFrame(Opcode.BINARY, seq(1000), true, 0, key2)[0]!,
    );
    expect(frames("server", stream)).toEqual([frame(Opcode.TEXT, "first"), frame(Opcode.BINARY, seq(1000))]);
  });

  it("reads a zero-length masked frame", () => {
    expect(frames("server", b("\x81\x80\x01\x02\x03\x04"))).toEqual([frame(Opcode.TEXT, "")]);
  });
});
