"""
A python-websockets peer with permessage-deflate, for interop tests
(websockets 10.x legacy API; RFC 7692 through its PerMessageDeflate).

    /usr/bin/python3 deflate_peer.py server
        Listens on 127.0.0.1, port 0, and prints {"port": N}. Each
        connection's deflate settings come from its `?deflate=<JSON>` query:
        null (no compression) or the keyword arguments of
        ServerPerMessageDeflateFactory. It echoes every message until
        closed, then prints one report line (below) with its "path".
        Exits when stdin closes.

    echo '{"url": ..., "deflate": {...} | null, "steps": [...]}' | deflate_peer.py client
        Connects with ClientPerMessageDeflateFactory(**deflate) (none when
        null), runs the steps of steps.py, closes, prints one report line,
        or {"error": ..., "message": ...} when the handshake fails.

Report: {"extensions": the Sec-WebSocket-Extensions response header or null,
"agreement": the PerMessageDeflate parameters this end acts on or null,
"compressed_in" / "compressed_out": data messages with RSV1 read / written,
"steps": [...] (client), "messages": [...] (server), "close_code": ...}.
Keepalive pings are off; messages up to 64 MiB are taken.
"""
import asyncio
import json
import sys
from urllib.parse import parse_qs, urlsplit

import websockets
from websockets.exceptions import InvalidHandshake, InvalidStatusCode
from websockets.extensions.permessage_deflate import (
    ClientPerMessageDeflateFactory,
    PerMessageDeflate,
    ServerPerMessageDeflateFactory,
)
from websockets.frames import OP_BINARY, OP_TEXT
from websockets.legacy.server import WebSocketServerProtocol

from steps import describe, finish, run_steps

MAX_SIZE = 2**26


class Counting:
    """Wraps an extension and counts the data messages it sees with RSV1."""

    def __init__(self, inner):
        self.inner = inner
        self.name = inner.name
        self.compressed_in = 0
        self.compressed_out = 0

    def decode(self, frame, *, max_size=None):
        if frame.opcode in (OP_TEXT, OP_BINARY) and frame.rsv1:
            self.compressed_in += 1
        return self.inner.decode(frame, max_size=max_size)

    def encode(self, frame):
        out = self.inner.encode(frame)
        if out.opcode in (OP_TEXT, OP_BINARY) and out.rsv1:
            self.compressed_out += 1
        return out


def instrument(ws):
    """Swaps each negotiated extension for a counting wrapper, in place."""
    ws.extensions[:] = [Counting(e) for e in ws.extensions]


def agreement(ws):
    for e in ws.extensions:
        inner = e.inner if isinstance(e, Counting) else e
        if isinstance(inner, PerMessageDeflate):
            return {
                "remote_no_context_takeover": inner.remote_no_context_takeover,
                "local_no_context_takeover": inner.local_no_context_takeover,
                "remote_max_window_bits": inner.remote_max_window_bits,
                "local_max_window_bits": inner.local_max_window_bits,
            }
    return None


def counts(ws):
    c = [e for e in ws.extensions if isinstance(e, Counting)]
    return {
        "compressed_in": sum(e.compressed_in for e in c),
        "compressed_out": sum(e.compressed_out for e in c),
    }


def report(ws):
    return {
        "extensions": ws.response_headers.get("Sec-WebSocket-Extensions"),
        "agreement": agreement(ws),
        **counts(ws),
        "close_code": ws.close_code,
    }


# ---------------------------------------------------------------- server --


class DeflateServerProtocol(WebSocketServerProtocol):
    """Takes the deflate settings of each connection from its query string."""

    deflate = None

    async def process_request(self, path, request_headers):
        query = parse_qs(urlsplit(path).query)
        self.deflate = json.loads(query["deflate"][0]) if "deflate" in query else None
        return None

    def process_extensions(self, headers, available_extensions):
        factories = None if self.deflate is None else [ServerPerMessageDeflateFactory(**self.deflate)]
        return WebSocketServerProtocol.process_extensions(headers, factories)


async def echo(ws, path):
    instrument(ws)
    messages = []
    try:
        async for message in ws:
            messages.append(describe(message))
            await ws.send(message)
    except websockets.ConnectionClosed:
        pass
    await ws.wait_closed()
    out = report(ws)
    out["path"] = urlsplit(path).path
    out["messages"] = messages
    print(json.dumps(out), flush=True)


async def serve():
    async with websockets.serve(
        echo,
        "127.0.0.1",
        0,
        create_protocol=DeflateServerProtocol,
        compression=None,
        max_size=MAX_SIZE,
        ping_interval=None,
    ) as server:
        print(json.dumps({"port": server.sockets[0].getsockname()[1]}), flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


# ---------------------------------------------------------------- client --


async def client():
    config = json.loads(sys.stdin.read())
    deflate = config.get("deflate")
    extensions = None if deflate is None else [ClientPerMessageDeflateFactory(**deflate)]
    try:
        ws = await websockets.connect(
            config["url"],
            extensions=extensions,
            compression=None,
            max_size=MAX_SIZE,
            ping_interval=None,
            open_timeout=20,
        )
    except InvalidStatusCode as exc:
        return {"error": "InvalidStatusCode", "status": exc.status_code, "message": str(exc)}
    except (InvalidHandshake, asyncio.TimeoutError) as exc:
        return {"error": type(exc).__name__, "message": str(exc)}
    instrument(ws)
    transcript = await run_steps(ws, config.get("steps", []))
    await ws.close()
    done = await finish(ws, transcript)
    out = report(ws)
    out["steps"] = done["steps"]
    return out


if __name__ == "__main__":
    if sys.argv[1:] == ["server"]:
        asyncio.run(serve())
    elif sys.argv[1:] == ["client"]:
        print(json.dumps(asyncio.run(client())), flush=True)
    else:
        sys.exit("usage: deflate_peer.py server|client")
