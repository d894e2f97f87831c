package main

/*
#cgo CFLAGS: -I${SRCDIR}/include
#include "network/netstack/net_websocket_type.h"
*/
import "C"

import (
	"log"
	"runtime/debug"
)

// This file holds the six exported functions. Its preamble may only
// declare (cgo copies it into two C files) and includes the type header
// only: the prototypes cgo writes for the exports spell const char *url as
// char *url, which would clash with net_websocket.h. The ABI is the same.

// recoverTo turns a panic in an exported function into the return value
// code, so that no Go panic crosses into C. It logs the panic and its stack
// through the standard log package.
func recoverTo(ret *C.int, code errCode, function string) {
	if r := recover(); r != nil {
		log.Printf("capi: panic in %s: %v\n%s", function, r, debug.Stack())
		*ret = C.int(code)
	}
}

//export OH_WebSocketClient_Constructor
func OH_WebSocketClient_Constructor(onOpen C.WebSocket_OnOpenCallback, onMessage C.WebSocket_OnMessageCallback,
	onError C.WebSocket_OnErrorCallback, onClose C.WebSocket_OnCloseCallback) (client *C.struct_WebSocket) {
	defer func() {
		if r := recover(); r != nil {
			log.Printf("capi: panic in OH_WebSocketClient_Constructor: %v\n%s", r, debug.Stack())
			client = nil
		}
	}()
	return newClient(onOpen, onMessage, onError, onClose).ptr
}

//export OH_WebSocketClient_AddHeader
func OH_WebSocketClient_AddHeader(client *C.struct_WebSocket, header C.struct_WebSocket_Header) (ret C.int) {
	defer recoverTo(&ret, errConnection, "OH_WebSocketClient_AddHeader")
	c, code := clients.lookup(client)
	if c == nil {
		return C.int(code)
	}
	return C.int(c.addHeader(header))
}

//export OH_WebSocketClient_Connect
func OH_WebSocketClient_Connect(client *C.struct_WebSocket, url *C.char, options C.struct_WebSocket_RequestOptions) (ret C.int) {
	defer recoverTo(&ret, errConnection, "OH_WebSocketClient_Connect")
	c, code := clients.lookup(client)
	if c == nil {
		return C.int(code)
	}
	return C.int(c.connect(url, options.headers))
}

//export OH_WebSocketClient_Send
func OH_WebSocketClient_Send(client *C.struct_WebSocket, data *C.char, length C.size_t) (ret C.int) {
	defer recoverTo(&ret, errConnection, "OH_WebSocketClient_Send")
	c, code := clients.lookup(client)
	if c == nil {
		return C.int(code)
	}
	return C.int(c.send(data, length))
}

//export OH_WebSocketClient_Close
func OH_WebSocketClient_Close(client *C.struct_WebSocket, options C.struct_WebSocket_CloseOption) (ret C.int) {
	defer recoverTo(&ret, errConnection, "OH_WebSocketClient_Close")
	c, code := clients.lookup(client)
	if c == nil {
		return C.int(code)
	}
	return C.int(c.close(options))
}

//export OH_WebSocketClient_Destroy
func OH_WebSocketClient_Destroy(client *C.struct_WebSocket) (ret C.int) {
	defer recoverTo(&ret, errConnection, "OH_WebSocketClient_Destroy")
	c, code := clients.lookup(client)
	if c == nil {
		return C.int(code)
	}
	return C.int(c.destroy())
}
