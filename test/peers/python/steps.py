"""
A scripted exchange on one python-websockets connection, shared by
client.py and echo_server.py (websockets 10.x legacy asyncio API).

    steps (JSON list) --> run_steps(ws) --> transcript (JSON-able dicts)

Steps:
    {"op": "send", "kind": "text"|"binary", "size": N}   generated payload
    {"op": "send", "text": "..."} / {"op": "send", "hex": "..."}
    {"op": "send_fragments", "kind": ..., "sizes": [a, b, ...]}
        one message sent as len(sizes) frames (an iterable of fragments)
    {"op": "recv"}                   one message -> {"message": describe(m)}
    {"op": "ping", "data": "..."}    waits for the matching pong -> {"pong": data}
    {"op": "close", "code": C, "reason": "..."}   closing handshake
    {"op": "recv_until_closed"}      messages until the peer closes
    {"op": "echo_until_closed"}      echoes every message until closed

Payloads are generated the same way as in python.ts (`payload()`), so each
side can check the other's bytes by size and SHA-256.
"""
import hashlib

import websockets


def payload(kind, size):
    """Text: ASCII a..z repeated. Binary: byte i is (i * 7 + 3) mod 256."""
    if kind == "text":
        alphabet = "abcdefghijklmnopqrstuvwxyz"
        return (alphabet * (size // 26 + 1))[:size]
    pattern = bytes((i * 7 + 3) & 0xFF for i in range(256))
    return (pattern * (size // 256 + 1))[:size]


def describe(message):
    """A message as type, byte size, SHA-256, and the data itself when small."""
    if isinstance(message, str):
        raw = message.encode("utf-8")
        out = {"type": "text", "size": len(raw), "sha256": hashlib.sha256(raw).hexdigest()}
        if len(raw) <= 256:
            out["data"] = message
        return out
    raw = bytes(message)
    out = {"type": "binary", "size": len(raw), "sha256": hashlib.sha256(raw).hexdigest()}
    if len(raw) <= 256:
        out["hex"] = raw.hex()
    return out


def _data_of(step):
    if "text" in step:
        return step["text"]
    if "hex" in step:
        return bytes.fromhex(step["hex"])
    return payload(step["kind"], step["size"])


def _frame(close):
    return None if close is None else {"code": close.code, "reason": close.reason}


async def run_steps(ws, steps):
    transcript = []
    try:
        for step in steps:
            op = step["op"]
            if op == "send":
                await ws.send(_data_of(step))
                transcript.append({"sent": step.get("size", len(_data_of(step)))})
            elif op == "send_fragments":
                whole = payload(step["kind"], sum(step["sizes"]))
                parts, at = [], 0
                for n in step["sizes"]:
                    parts.append(whole[at:at + n])
                    at += n
                await ws.send(parts)  # an iterable: one fragmented message
                transcript.append({"sent_fragments": step["sizes"]})
            elif op == "recv":
                transcript.append({"message": describe(await ws.recv())})
            elif op == "ping":
                waiter = await ws.ping(step.get("data", ""))
                await waiter
                transcript.append({"pong": step.get("data", "")})
            elif op == "close":
                await ws.close(step.get("code", 1000), step.get("reason", ""))
                transcript.append({"closed": True})
            elif op == "recv_until_closed":
                async for message in ws:
                    transcript.append({"message": describe(message)})
            elif op == "echo_until_closed":
                async for message in ws:
                    await ws.send(message)
            else:
                raise ValueError("unknown step " + op)
    except websockets.ConnectionClosed as exc:
        transcript.append({"connection_closed": type(exc).__name__})
    return transcript


async def finish(ws, transcript):
    """Waits for the connection to end and reports both close frames."""
    await ws.wait_closed()
    return {
        "subprotocol": ws.subprotocol,
        "steps": transcript,
        "close_rcvd": _frame(ws.close_rcvd),
        "close_sent": _frame(ws.close_sent),
        "close_code": ws.close_code,
    }
