"""
A python-websockets server for interop tests (websockets 10.x legacy API).

    /usr/bin/python3 echo_server.py [--subprotocols a,b]

Listens on 127.0.0.1, port 0, and prints {"port": N} as its first stdout
line. Every connection runs the steps in its `?script=<JSON list>` query
(see steps.py), or echoes until closed when there is none, then prints one
line {"path": ..., "subprotocol": ..., "steps": [...], "close_rcvd": ...,
"close_sent": ...}. Paths under /reject get 403 from process_request.
Compression and keepalive pings are off; messages up to 64 MiB are taken.
"""
import argparse
import asyncio
import http
import json
import sys
from urllib.parse import parse_qs, urlsplit

import websockets

from steps import finish, run_steps


def reject(path, request_headers):
    if path.startswith("/reject"):
        return http.HTTPStatus.FORBIDDEN, [("X-Reason", "not allowed")], b"forbidden\n"
    return None


async def handler(ws, path):
    query = parse_qs(urlsplit(path).query)
    script = json.loads(query["script"][0]) if "script" in query else [{"op": "echo_until_closed"}]
    transcript = await run_steps(ws, script)
    await ws.close()
    report = await finish(ws, transcript)
    report["path"] = urlsplit(path).path
    print(json.dumps(report), flush=True)


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--subprotocols", default="")
    args = parser.parse_args()
    subprotocols = [p for p in args.subprotocols.split(",") if p] or None
    async with websockets.serve(
        handler,
        "127.0.0.1",
        0,
        subprotocols=subprotocols,
        process_request=reject,
        compression=None,
        max_size=2**26,
        ping_interval=None,
    ) as server:
        port = server.sockets[0].getsockname()[1]
        print(json.dumps({"port": port}), flush=True)
        # Runs until the test closes stdin or kills the process.
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, sys.stdin.read)


if __name__ == "__main__":
    asyncio.run(main())
