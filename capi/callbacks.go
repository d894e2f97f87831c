package main

/*
#cgo CFLAGS: -I${SRCDIR}/include
#include <stdlib.h>
#include "network/netstack/net_websocket_type.h"

// capi_current is the client whose callback runs on this thread, if any. A
// call into the library from inside a callback runs on the same thread, so
// Destroy can tell that it was called from a callback of its own client.
static _Thread_local struct WebSocket *capi_current;

static int capi_in_callback_of(struct WebSocket *c) { return capi_current == c; }

// The capi_call_* functions call one callback of c, if it is not NULL. They
// read the function pointer at call time, so C code may change it, and do
// not touch c after the call: the callback may have destroyed it.

static void capi_call_open(struct WebSocket *c, uint32_t code, const char *reason) {
	WebSocket_OnOpenCallback f = c->onOpen;
	if (f == NULL) {
		return;
	}
	struct WebSocket *outer = capi_current;
	capi_current = c;
	WebSocket_OpenResult r = {code, reason};
	f(c, r);
	capi_current = outer;
}

static void capi_call_message(struct WebSocket *c, char *data, uint32_t length) {
	WebSocket_OnMessageCallback f = c->onMessage;
	if (f == NULL) {
		return;
	}
	struct WebSocket *outer = capi_current;
	capi_current = c;
	f(c, data, length);
	capi_current = outer;
}

static void capi_call_error(struct WebSocket *c, uint32_t code, const char *message) {
	WebSocket_OnErrorCallback f = c->onError;
	if (f == NULL) {
		return;
	}
	struct WebSocket *outer = capi_current;
	capi_current = c;
	WebSocket_ErrorResult r = {code, message};
	f(c, r);
	capi_current = outer;
}

static void capi_call_close(struct WebSocket *c, uint32_t code, const char *reason) {
	WebSocket_OnCloseCallback f = c->onClose;
	if (f == NULL) {
		return;
	}
	struct WebSocket *outer = capi_current;
	capi_current = c;
	WebSocket_CloseResult r = {code, reason};
	f(c, r);
	capi_current = outer;
}
*/
import "C"

import (
	"unsafe"

	"github.com/samber/mo"

	"github.com/cangjie-go/ohos/callback"
	"github.com/cangjie-go/ohos/networkkit/websocket"
)

// listen registers the listeners that turn the library's events into calls
// of the C callbacks. They run on the WebSocket's callback goroutine, one at
// a time. Registering cannot fail: each listener is non-nil and fits its
// event.
func (c *client) listen() {
	c.ws.OnOpen(websocket.WebSocketAsyncCallbackFunc[map[uint32]string](
		func(_ mo.Option[callback.AsyncError], data mo.Option[map[uint32]string]) {
			for code, reason := range data.OrEmpty() { // one entry: {101: "Switching Protocols"}
				c.callOpen(code, reason)
			}
		}))
	c.ws.OnMessage(websocket.WebSocketAsyncCallbackFunc[websocket.MessageData](
		func(_ mo.Option[callback.AsyncError], data mo.Option[websocket.MessageData]) {
			switch d := data.OrEmpty().(type) {
			case websocket.StringData:
				callMessage(c, string(d))
			case websocket.ArrayData:
				callMessage(c, []byte(d))
			}
		}))
	c.ws.OnError(websocket.WebSocketErrorCallbackFunc(func(err *callback.BusinessException) {
		c.callError(errConnection, err.Error())
	}))
	c.ws.OnClose(websocket.WebSocketAsyncCallbackFunc[websocket.CloseResult](
		func(_ mo.Option[callback.AsyncError], data mo.Option[websocket.CloseResult]) {
			r := data.OrEmpty()
			c.callClose(r.Code, r.Reason)
		}))
}

// enter reports whether a callback may run, and counts it as running; leave
// ends it. No callback starts once Destroy has begun.
func (c *client) enter() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gone {
		return false
	}
	c.running++
	return true
}

func (c *client) leave() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.running--
	c.idle.Broadcast()
}

// waitCallbacks waits until no callback of c runs, apart from the one the
// caller runs inside (Destroy from a callback of its own client).
func (c *client) waitCallbacks() {
	self := 0
	if C.capi_in_callback_of(c.ptr) != 0 {
		self = 1
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for c.running > self {
		c.idle.Wait()
	}
}

func (c *client) callOpen(code uint32, reason string) {
	if !c.enter() {
		return
	}
	defer c.leave()
	cs := C.CString(reason)
	defer C.free(unsafe.Pointer(cs))
	C.capi_call_open(c.ptr, C.uint32_t(code), cs)
}

// callMessage hands data to onMessage as a NUL-terminated C copy.
func callMessage[T string | []byte](c *client, data T) {
	if !c.enter() {
		return
	}
	defer c.leave()
	if c.ptr.onMessage == nil {
		return // spare the copy
	}
	buf := C.malloc(C.size_t(len(data) + 1))
	defer C.free(buf)
	b := unsafe.Slice((*byte)(buf), len(data)+1)
	b[copy(b, data)] = 0
	C.capi_call_message(c.ptr, (*C.char)(buf), C.uint32_t(len(data)))
}

func (c *client) callError(code errCode, message string) {
	if !c.enter() {
		return
	}
	defer c.leave()
	cs := C.CString(message)
	defer C.free(unsafe.Pointer(cs))
	C.capi_call_error(c.ptr, C.uint32_t(code), cs)
}

func (c *client) callClose(code uint32, reason string) {
	if !c.enter() {
		return
	}
	defer c.leave()
	cs := C.CString(reason)
	defer C.free(unsafe.Pointer(cs))
	C.capi_call_close(c.ptr, C.uint32_t(code), cs)
}
