/**
 * permessage-deflate (RFC 7692) against peers nobody here wrote, for every
 * parameter combination, both ways:
 *
 *   ws / faye+permessage-deflate / python / our client  --->  our server (perMessageDeflate)
 *   our client (perMessageDeflate)  --->  ws / faye+permessage-deflate / python server
 *
 * Each combination is written once with ws's option names (`client` for
 * the client's side, `server` for the server's) and translated for each
 * peer (test/peers/deflate-peers.ts). Every pair checks the extensions
 * string on both sides, echoes text (multi-byte UTF-8) and binary messages
 * big enough to compress plus one under the threshold, checks content, and
 * checks the bytes on the TCP socket (or python's count of RSV1 messages):
 * compressed when agreed, plain when declined. Runs under vitest, deno test
 * and bun test, our client and server being the running runtime's own. The Chromium client is in test/browser/chromium-deflate.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it, itWithPeer } from "../harness.ts";
import { WebSocket } from "../entry.ts";
import {
  fayeDeflateClient, fayeExtensions, ourDeflateClient, pythonDeflate, startFayeDeflateServer, startOurDeflateServer,
  startWsDeflateServer, UNSUPPORTED, wsDeflateClient,
  type DeflateClient, type DeflateServer, type DeflateSetting,
} from "../peers/deflate-peers.ts";
import { firstDifference, textOf } from "../peers/payloads.ts";
import type { Wire } from "../peers/wire.ts";
import {
  describe as info, hasPythonWebsockets, payload, PYTHON_WEBSOCKETS_INSTALL_HINT as HINT, type Step,
} from "../peers/python.ts";
import {
  runPythonDeflateClient, startPythonDeflateServer,
  type DeflateReport, type PythonDeflateServer,
} from "../peers/python-deflate.ts";

const TIMEOUT = 30_000;

// Big enough to compress well under any window; one under the 1024-byte threshold.
const TEXT = textOf(64 * 1024, 3);
const BINARY = payload("binary", 48 * 1024);
const TINY = "tiny";
const MESSAGES: Array<string | Uint8Array> = [TEXT, BINARY, TINY, TEXT];
const APP_BYTES = 64 * 1024 + 48 * 1024 + 4 + 64 * 1024;
/**
 * Above what the messages compress to under any window (with 9 bits the
 * binary's 256-byte period is out of reach and it stays as is: about 50 KB),
 * far below what they weigh.
 */
const COMPRESSED_MAX = APP_BYTES / 2;

// Python's own payloads (python/steps.py), the same four shapes.
const PY_STEPS: Step[] = [
  { op: "send", kind: "text", size: 64 * 1024 },
  { op: "send", kind: "binary", size: 48 * 1024 },
  { op: "send", text: TINY },
  { op: "send", kind: "text", size: 64 * 1024 },
  { op: "recv" }, { op: "recv" }, { op: "recv" }, { op: "recv" },
];
const PY_MESSAGES: Array<string | Uint8Array> = [payload("text", 64 * 1024), BINARY, TINY, payload("text", 64 * 1024)];

type PeerName = "ws" | "faye" | "python";
/** The handshake fails (ws answers 400 when it can accept no offer). */
const REFUSED = { refused: true } as const;

interface Combo {
  name: string;
  client: DeflateSetting;
  server: DeflateSetting;
  /** What our server answers; "" when it declines. */
  response: string;
  /** Peer servers that answer differently from ours. */
  peerResponse?: Partial<Record<PeerName, string | typeof REFUSED>>;
  /** Pairs a peer cannot take part in, and why. */
  peerLimits?: Partial<Record<`${PeerName} ${"client" | "server"}`, string>>;
}

const PYTHON_8 = "python's zlib cannot compress with a 256-byte window (compressobj(wbits=-8) fails)";

const COMBOS: Combo[] = [
  { name: "no parameters", client: true, server: true, response: "permessage-deflate" },
  {
    name: "server_no_context_takeover, the server's choice",
    client: true, server: { serverNoContextTakeover: true },
    response: "permessage-deflate; server_no_context_takeover",
  },
  {
    name: "server_no_context_takeover, the client asks",
    client: { serverNoContextTakeover: true }, server: true,
    response: "permessage-deflate; server_no_context_takeover",
  },
  {
    name: "client_no_context_takeover, the server asks",
    client: true, server: { clientNoContextTakeover: true },
    response: "permessage-deflate; client_no_context_takeover",
  },
  {
    name: "client_no_context_takeover, the client announces it",
    client: { clientNoContextTakeover: true }, server: true,
    response: "permessage-deflate; client_no_context_takeover",
  },
  {
    name: "server_max_window_bits=10, the server's choice",
    client: true, server: { serverMaxWindowBits: 10 },
    response: "permessage-deflate; server_max_window_bits=10",
    // permessage-deflate npm limits itself without saying so unless asked (for Firefox).
    peerResponse: { faye: "permessage-deflate" },
  },
  {
    name: "server_max_window_bits=10, the client asks",
    client: { serverMaxWindowBits: 10 }, server: true,
    response: "permessage-deflate; server_max_window_bits=10",
  },
  {
    name: "server_max_window_bits=8, the client asks (compressed with 9)",
    client: { serverMaxWindowBits: 8 }, server: true,
    response: "permessage-deflate; server_max_window_bits=8",
    peerLimits: { "python server": PYTHON_8 },
  },
  {
    name: "client_max_window_bits=10, the server limits a bare offer",
    client: true, server: { clientMaxWindowBits: 10 },
    response: "permessage-deflate; client_max_window_bits=10",
  },
  {
    name: "client_max_window_bits=10, the client offers the value",
    client: { clientMaxWindowBits: 10 }, server: true,
    response: "permessage-deflate; client_max_window_bits=10",
  },
  {
    name: "client_max_window_bits=8, the server limits (compressed with 9)",
    client: true, server: { clientMaxWindowBits: 8 },
    response: "permessage-deflate; client_max_window_bits=8",
    peerLimits: { "python client": PYTHON_8 },
  },
  {
    name: "all parameters",
    client: { serverNoContextTakeover: true, clientNoContextTakeover: true, serverMaxWindowBits: 11, clientMaxWindowBits: 12 },
    server: { serverNoContextTakeover: true, clientNoContextTakeover: true, serverMaxWindowBits: 10, clientMaxWindowBits: 9 },
    response: "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits=9",
  },
  {
    name: "declined: the client asks server_max_window_bits, the server refuses it",
    client: { serverMaxWindowBits: 10 }, server: { serverMaxWindowBits: false },
    response: "",
    peerResponse: { ws: REFUSED },
  },
  {
    name: "declined: the client asks server_no_context_takeover, the server refuses it",
    client: { serverNoContextTakeover: true }, server: { serverNoContextTakeover: false },
    response: "",
    peerResponse: { ws: REFUSED },
  },
  {
    name: "declined: the server requires client_max_window_bits, the client leaves it out",
    client: { clientMaxWindowBits: false }, server: { clientMaxWindowBits: 10 },
    response: "",
    // permessage-deflate npm accepts and leaves the client unlimited.
    peerResponse: { ws: REFUSED, faye: "permessage-deflate" },
  },
  { name: "off: the client does not offer it", client: false, server: true, response: "" },
  { name: "off: the server does not accept it", client: true, server: false, response: "" },
];

/** Our client's option: `true` in the table is the default, i.e. the option left out. */
const ourSetting = (setting: DeflateSetting): DeflateSetting | undefined => (setting === true ? undefined : setting);

function bytes(data: string | Uint8Array): Uint8Array {
  return typeof data === "string" ? new TextEncoder().encode(data) : data;
}

/** Sends the four messages and checks each echo, in order, by content. */
async function exchange(client: DeflateClient): Promise<void> {
  for (const m of MESSAGES) client.send(m);
  for (const m of MESSAGES) {
    const reply = await client.next();
    expect(reply.text).toBe(typeof m === "string");
    expect(firstDifference(bytes(reply.data), bytes(m))).toBe(-1);
  }
}

/** What went over one TCP connection: compressed when agreed, plain when not. */
function expectWire(socket: Wire, compressed: boolean): void {
  const read = socket.bytesRead;
  const written = socket.bytesWritten;
  if (compressed) {
    expect(read).toBeLessThan(COMPRESSED_MAX);
    expect(written).toBeLessThan(COMPRESSED_MAX);
  } else {
    expect(read).toBeGreaterThan(APP_BYTES);
    expect(written).toBeGreaterThan(APP_BYTES);
  }
}

/** Parameters of a response header, as the agreement both ends act on. */
function agreementOf(header: string): { snct: boolean; cnct: boolean; smwb: number; cmwb: number } {
  const params = new Map(header.split(";").slice(1).map((p) => {
    const [k, v] = p.trim().split("=");
    return [k!, v ?? true] as const;
  }));
  return {
    snct: params.has("server_no_context_takeover"),
    cnct: params.has("client_no_context_takeover"),
    smwb: Number(params.get("server_max_window_bits") ?? 15),
    cmwb: Number(params.get("client_max_window_bits") ?? 15),
  };
}

/** Python's report of a connection whose response was `header`, seen from `role`. */
function expectPython(report: DeflateReport, header: string, role: "client" | "server"): void {
  expect(report.extensions).toBe(header === "" ? null : header);
  if (header === "") {
    expect(report.agreement).toBe(null);
    expect([report.compressed_in, report.compressed_out]).toEqual([0, 0]);
    return;
  }
  const a = agreementOf(header);
  const server = role === "server";
  expect(report.agreement).toEqual({
    remote_no_context_takeover: server ? a.cnct : a.snct,
    local_no_context_takeover: server ? a.snct : a.cnct,
    remote_max_window_bits: server ? a.cmwb : a.smwb,
    local_max_window_bits: server ? a.smwb : a.cmwb,
  });
  // Python compresses every message; we leave the one under 1024 bytes alone.
  expect(report.compressed_in).toBe(3);
  expect(report.compressed_out).toBe(4);
}

function limited(combo: Combo, pair: `${PeerName} ${"client" | "server"}`, setting: unknown): string | null {
  if (combo.peerLimits?.[pair]) return combo.peerLimits[pair]!;
  if (setting === UNSUPPORTED) return `${pair.split(" ")[0]}'s options cannot express ${JSON.stringify(pair.endsWith("client") ? combo.client : combo.server)}`;
  return null;
}


// ------------------------------------------------ peer clients -> our server --

describe("permessage-deflate: peer clients -> our server", () => {
  for (const combo of COMBOS) {
    describe(combo.name, () => {
      let server: DeflateServer;
      beforeAll(async () => { server = await startOurDeflateServer(combo.server); });
      afterAll(async () => { await server.close(); });
      const compressed = combo.response !== "";

      /** The server side of the connection the client just opened. */
      const lastConnection = (count: number) => {
        expect(server.connections.length).toBe(count);
        return server.connections[count - 1]!;
      };

      const clients: Array<[string, (url: string) => DeflateClient, string]> = [
        ["ours", (url) => ourDeflateClient(url, ourSetting(combo.client)), combo.response],
        // ws reports only the names of what it agreed to.
        ["ws", (url) => wsDeflateClient(url, combo.client), compressed ? "permessage-deflate" : ""],
        ["faye", (url) => fayeDeflateClient(url, combo.client), combo.response],
      ];
      for (const [name, connect, seen] of clients) {
        const why = name === "faye" ? limited(combo, "faye client", fayeExtensions("client", combo.client)) : null;
        if (why) continue; // the peer cannot take part in this combination (why says how)
        it(`${name} client: "${seen}" on both sides, messages echoed, ${compressed ? "compressed" : "plain"} on the wire`, async () => {
          const before = server.connections.length;
          const client = connect(server.url + "/" + name);
          await client.opened;
          const connection = lastConnection(before + 1);
          expect(connection.extensions).toBe(combo.response);
          expect(client.extensions()).toBe(seen);
          await exchange(client);
          expectWire(connection.socket, compressed);
          client.close();
          expect((await client.closed).code).toBe(1000);
        }, TIMEOUT);
      }

      const py = pythonDeflate("client", combo.client);
      const why = limited(combo, "python client", py);
      // Unless Python cannot take part in this combination (why says how):
      if (!why) {
        itWithPeer(`python client: "${combo.response}", messages echoed, ${compressed ? "compressed" : "plain"}`, hasPythonWebsockets, HINT, async () => {
          const before = server.connections.length;
          const report = await runPythonDeflateClient({ url: server.url + "/python", deflate: py as Record<string, unknown> | null, steps: PY_STEPS });
          if ("error" in report) throw new Error(`python could not connect: ${report.error}: ${report.message}`);
          const connection = lastConnection(before + 1);
          expect(connection.extensions).toBe(combo.response);
          expectPython(report, combo.response, "client");
          const expected = await Promise.all(PY_MESSAGES.map((m) => info(m)));
          expect(report.steps.slice(4)).toEqual(expected.map((message) => ({ message })));
          expectWire(connection.socket, compressed);
          expect(report.close_code).toBe(1000);
        }, TIMEOUT);
      }
    });
  }
});

// ------------------------------------------------ our client -> peer servers --

describe("permessage-deflate: our client -> peer servers", () => {
  let python: PythonDeflateServer | undefined;
  let paths = 0;
  beforeAll(async () => {
    if (hasPythonWebsockets()) python = await startPythonDeflateServer();
  });
  afterAll(async () => { await python?.close(); });

  for (const combo of COMBOS) {
    describe(combo.name, () => {
      const servers: Array<[PeerName, () => Promise<DeflateServer>, unknown]> = [
        ["ws", () => startWsDeflateServer(combo.server), combo.server],
        ["faye", () => startFayeDeflateServer(combo.server), fayeExtensions("server", combo.server)],
      ];
      for (const [name, start, translated] of servers) {
        const why = limited(combo, `${name} server`, translated);
        if (why) continue; // the peer cannot take part in this combination (why says how)
        const answer = combo.peerResponse?.[name] ?? combo.response;
        const title = typeof answer === "string"
          ? `${name} server: "${answer}", messages echoed, ${answer ? "compressed" : "plain"} on the wire`
          : `${name} server refuses the handshake (it accepts no offer)`;
        it(title, async () => {
          const server = await start();
          try {
            const client = ourDeflateClient(server.url + "/", ourSetting(combo.client));
            if (typeof answer !== "string") {
              await expect(client.opened).rejects.toThrow("400");
              expect(server.connections.length).toBe(0);
              return;
            }
            await client.opened;
            expect(client.extensions()).toBe(answer);
            expect(server.connections.length).toBe(1);
            if (name === "ws") expect(server.connections[0]!.extensions).toBe(answer ? "permessage-deflate" : "");
            await exchange(client);
            expectWire(server.connections[0]!.socket, answer !== "");
            client.close();
            expect((await client.closed).code).toBe(1000);
          } finally {
            await server.close();
          }
        }, TIMEOUT);
      }

      const py = pythonDeflate("server", combo.server);
      const why = limited(combo, "python server", py);
      // Unless Python cannot take part in this combination (why says how):
      if (!why) {
        const answer = combo.peerResponse?.python ?? combo.response;
        itWithPeer(`python server: "${answer}", messages echoed, ${answer ? "compressed" : "plain"}`, hasPythonWebsockets, HINT, async () => {
          const path = `/combo-${paths++}`;
          const client = ourDeflateClient(python!.url(path, py as Record<string, unknown> | null), ourSetting(combo.client));
          await client.opened;
          expect(client.extensions()).toBe(answer as string);
          await exchange(client);
          client.close();
          expect((await client.closed).code).toBe(1000);
          const report = await python!.report(path);
          expectPython(report, answer as string, "server");
          expect(report.messages).toEqual(await Promise.all(MESSAGES.map((m) => info(m))));
        }, TIMEOUT);
      }
    });
  }

  it("faye's server leaves out the server_max_window_bits=15 we asked for: we fail the connection (RFC 7692 section 7.1.2.1)", async () => {
    const server = await startFayeDeflateServer(true);
    try {
      const client = ourDeflateClient(server.url + "/", { serverMaxWindowBits: 15 });
      await expect(client.opened).rejects.toThrow(/rejected the server's parameters/);
      expect(client.socket.readyState).toBe(WebSocket.CLOSED);
    } finally {
      await server.close();
    }
  }, TIMEOUT);
});
