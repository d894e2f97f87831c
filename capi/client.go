package main

/*
#cgo CFLAGS: -I${SRCDIR}/include
#include <stdlib.h>
#include "network/netstack/net_websocket_type.h"
*/
import "C"

import (
	"context"
	"errors"
	"sync"
	"unsafe"

	"github.com/samber/mo"

	"github.com/cangjie-go/ohos/callback"
	"github.com/cangjie-go/ohos/networkkit/websocket"
)

// client is the Go side of one struct WebSocket: the library's WebSocket
// behind it, and what Destroy needs to free it safely.
type client struct {
	ptr *C.struct_WebSocket // C memory from newClient, freed by destroy
	ws  *websocket.WebSocket

	// op serializes AddHeader, Connect and the first half of Destroy: the
	// calls that read or write *ptr and its header list.
	op sync.Mutex

	mu      sync.Mutex
	idle    sync.Cond                    // signalled when running drops
	running int                          // callbacks into C in progress
	gone    bool                         // Destroy has begun; written with op and mu held
	started bool                         // a Connect returned WEBSOCKET_OK
	nodes   []*C.struct_WebSocket_Header // appended by AddHeader, freed by destroy
}

// clients maps every live struct WebSocket to its client. A C library has
// to keep this registry: C hands back bare pointers, which Go cannot check
// or own otherwise (so the house rule against package-level state yields
// here, and only here).
var clients = registry{m: make(map[*C.struct_WebSocket]*client)}

type registry struct {
	mu sync.Mutex
	m  map[*C.struct_WebSocket]*client
}

func (r *registry) add(c *client) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.m[c.ptr] = c
}

// lookup returns the client of p, or the code for a NULL or unknown p.
func (r *registry) lookup(p *C.struct_WebSocket) (*client, errCode) {
	if p == nil {
		return nil, errClientNull
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	c, ok := r.m[p]
	if !ok {
		return nil, errClientNotCreated
	}
	return c, errOK
}

func (r *registry) remove(c *client) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.m, c.ptr)
}

// newClient allocates a struct WebSocket holding the callbacks and
// registers its client.
func newClient(onOpen C.WebSocket_OnOpenCallback, onMessage C.WebSocket_OnMessageCallback,
	onError C.WebSocket_OnErrorCallback, onClose C.WebSocket_OnCloseCallback) *client {
	p := (*C.struct_WebSocket)(C.malloc(C.sizeof_struct_WebSocket))
	*p = C.struct_WebSocket{onOpen: onOpen, onMessage: onMessage, onError: onError, onClose: onClose}
	c := &client{ptr: p, ws: websocket.CreateWebSocket()}
	c.idle.L = &c.mu
	c.listen()
	clients.add(c)
	return c
}

// isGone reports whether Destroy has begun.
func (c *client) isGone() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gone
}

// addHeader appends a copy of h to ptr.requestOptions.headers.
func (c *client) addHeader(h C.struct_WebSocket_Header) errCode {
	if h.fieldName == nil {
		return errNoHeaderContext
	}
	c.op.Lock()
	defer c.op.Unlock()
	if c.isGone() {
		return errClientNotCreated
	}
	link := &c.ptr.requestOptions.headers
	for n := 0; *link != nil; link = &(*link).next {
		if n++; n >= maxHeaders {
			return errHeaderExceeded
		}
	}
	node := (*C.struct_WebSocket_Header)(C.malloc(C.sizeof_struct_WebSocket_Header))
	*node = C.struct_WebSocket_Header{fieldName: C.CString(C.GoString(h.fieldName))}
	if h.fieldValue != nil {
		node.fieldValue = C.CString(C.GoString(h.fieldValue))
	}
	*link = node
	c.nodes = append(c.nodes, node)
	return errOK
}

// readHeaders reads the header list that starts at h.
func readHeaders(h *C.struct_WebSocket_Header) ([]field, errCode) {
	var fields []field
	for ; h != nil; h = h.next {
		if len(fields) == maxHeaders {
			return nil, errHeaderExceeded
		}
		if h.fieldName == nil {
			return nil, errNoHeaderContext
		}
		f := field{name: C.GoString(h.fieldName)}
		if h.fieldValue != nil {
			f.value = C.GoString(h.fieldValue)
		}
		fields = append(fields, f)
	}
	return fields, errOK
}

// connect starts connecting to url with the headers of the list at
// headers.
//
// The library's Connect reports even a bad URL through its callback, after
// returning; the C function must return it. So connect first validates by
// calling ConnectContext under an already cancelled context: the library
// checks the options, the URL and the state, and then stops at the dial
// (touching no network) with ctx.Err(). Only then does it start the real
// connection. c.op keeps another Connect from slipping in between.
func (c *client) connect(url *C.char, headers *C.struct_WebSocket_Header) errCode {
	c.op.Lock()
	defer c.op.Unlock()
	if c.isGone() {
		return errClientNotCreated
	}
	if url == nil {
		return errParseURL
	}
	fields, code := readHeaders(headers)
	if code != errOK {
		return code
	}
	rawURL := C.GoString(url)
	opts := &websocket.RequestOptions{Header: headerMap(fields)}

	probe, cancel := context.WithCancel(context.Background())
	cancel()
	err := c.ws.ConnectContext(probe, rawURL, opts)
	if errors.Is(err, context.Canceled) {
		// Failures from here on reach onError through the error event; the
		// connect callback has nothing to add.
		c.ws.Connect(rawURL, func(mo.Option[callback.AsyncError], mo.Option[bool]) {}, opts)
		err = nil
	}
	if err == nil {
		c.mu.Lock()
		c.started = true
		c.mu.Unlock()
	}
	return connectCode(err)
}

// send sends the length bytes at data and waits until they are written.
func (c *client) send(data *C.char, length C.size_t) errCode {
	if data == nil {
		return errSendDataNull
	}
	if length > maxSendLength {
		return errDataLengthExceeded
	}
	if c.isGone() {
		return errClientNotCreated
	}
	b := C.GoBytes(unsafe.Pointer(data), C.int(length))
	return sendCode(c.ws.SendContext(context.Background(), messageData(b)))
}

// close closes the connection with o and waits until it has closed.
func (c *client) close(o C.struct_WebSocket_CloseOption) errCode {
	if c.isGone() {
		return errClientNotCreated
	}
	opts := &websocket.CloseOptions{Code: uint32(o.code)}
	if o.reason != nil {
		opts.Reason = C.GoString(o.reason)
	}
	return closeCode(c.ws.CloseContext(context.Background(), opts))
}

// destroy closes the connection with 1001, waits for running callbacks
// (except the one it is called from) and frees the client.
func (c *client) destroy() errCode {
	c.op.Lock()
	c.mu.Lock()
	if c.gone { // a concurrent Destroy came first
		c.mu.Unlock()
		c.op.Unlock()
		return errClientNotCreated
	}
	c.gone = true
	started := c.started
	c.mu.Unlock()
	clients.remove(c)
	if started {
		// Not connected (any more) is fine: there is nothing to close.
		_ = c.ws.CloseContext(context.Background(), &websocket.CloseOptions{Code: closeGoingAway})
	}
	c.op.Unlock()

	c.waitCallbacks()
	for _, n := range c.nodes {
		C.free(unsafe.Pointer(n.fieldName))
		C.free(unsafe.Pointer(n.fieldValue))
		C.free(unsafe.Pointer(n))
	}
	c.nodes = nil
	C.free(unsafe.Pointer(c.ptr))
	c.ptr = nil
	if !started {
		return errNoConnectionContext
	}
	return errOK
}
