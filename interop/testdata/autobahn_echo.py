"""A python3-autobahn (Twisted) echo server for the interop tests.

Usage: autobahn_echo.py
Listens on 127.0.0.1 with a free port, prints "READY <port>" and flushes,
echoes every text and binary message, prints "CLOSED <code> <reason>" when a
connection has ended, and exits when stdin closes.
"""
import sys
import threading

from autobahn.twisted.websocket import WebSocketServerFactory, WebSocketServerProtocol
from twisted.internet import reactor


class Echo(WebSocketServerProtocol):
    def onMessage(self, payload, isBinary):
        self.sendMessage(payload, isBinary)

    def onClose(self, wasClean, code, reason):
        print("CLOSED", code, reason or "", flush=True)


def main():
    factory = WebSocketServerFactory()
    factory.protocol = Echo
    factory.setProtocolOptions(maxMessagePayloadSize=0, maxFramePayloadSize=0)
    port = reactor.listenTCP(0, factory, interface="127.0.0.1")
    print("READY", port.getHost().port, flush=True)

    def wait_for_stdin():
        sys.stdin.read()
        reactor.callFromThread(reactor.stop)

    threading.Thread(target=wait_for_stdin, daemon=True).start()
    reactor.run()


main()
