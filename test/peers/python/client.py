"""
A python-websockets client for interop tests (websockets 10.x legacy API).

    echo '{"url": "ws://...", "subprotocols": [...], "headers": [[name, value]],
           "steps": [...]}' | /usr/bin/python3 client.py

Connects, runs the steps (see steps.py), closes with 1000 if the steps left
the connection open, and prints one JSON line: the transcript from
steps.finish(), or {"error": ExceptionName, "status": ..., "headers": ...,
"message": ...} when the opening handshake fails. Compression and keepalive
pings are off; messages up to 64 MiB are taken.
"""
import asyncio
import json
import sys

import websockets
from websockets.exceptions import InvalidHandshake, InvalidStatusCode

from steps import finish, run_steps


async def main():
    config = json.loads(sys.stdin.read())
    try:
        ws = await websockets.connect(
            config["url"],
            subprotocols=config.get("subprotocols") or None,
            extra_headers=[tuple(h) for h in config.get("headers", [])],
            compression=None,
            max_size=2**26,
            ping_interval=None,
            open_timeout=20,
        )
    except InvalidStatusCode as exc:
        headers = {k.lower(): v for k, v in exc.headers.raw_items()}
        return {"error": "InvalidStatusCode", "status": exc.status_code, "headers": headers, "message": str(exc)}
    except (InvalidHandshake, asyncio.TimeoutError) as exc:
        return {"error": type(exc).__name__, "message": str(exc)}
    transcript = await run_steps(ws, config.get("steps", []))
    await ws.close()
    return await finish(ws, transcript)


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main())), flush=True)
