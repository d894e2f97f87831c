"""A python3-websockets echo server for the interop tests.

Usage: ws_server.py SUBPROTOCOL...
Listens on 127.0.0.1 with a free port, prints "READY <port>" and flushes,
then echoes every message. Each connection's chosen subprotocol is sent as
the first message "protocol:<name>" ("protocol:" when none was chosen).
Exits when stdin closes.
"""
import asyncio
import sys

import websockets


async def handler(ws, path=None):
    await ws.send("protocol:" + (ws.subprotocol or ""))
    async for message in ws:
        await ws.send(message)


async def main():
    protocols = sys.argv[1:] or None
    async with websockets.serve(handler, "127.0.0.1", 0, subprotocols=protocols) as server:
        port = server.sockets[0].getsockname()[1]
        print("READY", port, flush=True)
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, sys.stdin.read)


asyncio.run(main())
