"""A python3-websockets echo server on a Unix socket, for the interop tests.

Usage: ws_unix_server.py PATH
Listens on the Unix socket PATH, prints "READY" and flushes, then, for each
connection, sends "host:<Host> origin:<Origin> path:<path>" as the first
message (what the client's handshake said) and echoes every message.
Exits when stdin closes.
"""
import asyncio
import sys

import websockets


async def handler(ws, path=None):
    headers = ws.request_headers
    await ws.send("host:%s origin:%s path:%s" % (headers.get("Host", ""), headers.get("Origin", ""), ws.path))
    async for message in ws:
        await ws.send(message)


async def main():
    async with websockets.unix_serve(handler, sys.argv[1]):
        print("READY", flush=True)
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, sys.stdin.read)


asyncio.run(main())
