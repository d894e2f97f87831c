"""A python3-websockets server for the interop tests (websockets 10.4, the
legacy asyncio API of Debian 12).

Usage: ws_peer.py [PORT]
Listens on 127.0.0.1 with PORT (a free port if absent), prints
"READY <port>" and flushes, and exits when stdin closes, closing its
connections with 1001 (going away). What it does depends on the request path:

  /refuse              refuses the handshake: 403, the header
                       "X-Refused-By: ws_peer.py" and the body "no entry"
  /close/CODE/REASON   closes at once with CODE and REASON
  anything else        echoes every text and binary message (no size limit)

When a connection has ended it prints "CLOSED <code> <reason>": the close
code and reason the client sent (or the one the server sent, if it closed
first).
"""
import asyncio
import http
import sys

import websockets


async def process_request(path, request_headers):
    if path == "/refuse":
        return (
            http.HTTPStatus.FORBIDDEN,
            [("X-Refused-By", "ws_peer.py"), ("Content-Type", "text/plain")],
            b"no entry\n",
        )
    return None


async def handler(ws, path=None):
    path = path if path is not None else ws.path
    try:
        if path.startswith("/close/"):
            _, _, code, reason = path.split("/", 3)
            await ws.close(int(code), reason)
            return
        async for message in ws:
            await ws.send(message)
    except websockets.ConnectionClosed:
        pass
    finally:
        print("CLOSED", ws.close_code, ws.close_reason, flush=True)


async def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    async with websockets.serve(handler, "127.0.0.1", port, process_request=process_request,
                                max_size=None, ping_interval=None) as server:
        port = server.sockets[0].getsockname()[1]
        print("READY", port, flush=True)
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, sys.stdin.read)


asyncio.run(main())
