//go:build cgo

package main

import (
	"io"
	"log"
	"slices"
	"sync"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cangjie-go/ohos/internal/echoserver"
)

// These tests call the exported functions from Go, so that the race
// detector watches the registry and the client's bookkeeping (the C
// programs use a library built without it). Test files cannot use cgo, so
// the C argument types are reached through the functions' signatures.

// params2 and params3 return zero values of the parameter types of f.
func params2[A, B, R any](func(A, B) R) (a A, b B)            { return }
func params3[A, B, C, R any](func(A, B, C) R) (a A, b B, c C) { return }

// spawn runs f in a goroutine that wg waits for.
func spawn(wg *sync.WaitGroup, f func()) {
	wg.Add(1)
	go func() {
		defer wg.Done()
		f()
	}()
}

// pointTo returns b's first byte as a pointer of p's type (a C pointer
// type), for the functions that read C strings and bytes.
func pointTo[P ~*E, E any](_ P, b []byte) P { return P(unsafe.Pointer(unsafe.SliceData(b))) }

// cString returns s as a NUL-terminated string of the type of p.
func cString[P ~*E, E any](p P, s string) P { return pointTo(p, append([]byte(s), 0)) }

func TestExportsFromGoroutines(t *testing.T) {
	srv := echo(t, echoserver.Options{})
	_, url, opts := params3(OH_WebSocketClient_Connect)
	url = cString(url, srv.WSURL("/go"))
	_, data, length := params3(OH_WebSocketClient_Send)
	data, length = cString(data, "hello"), 5
	_, closeOpts := params2(OH_WebSocketClient_Close) // code 0: 1000

	_, header := params2(OH_WebSocketClient_AddHeader)
	header.fieldName = cString(header.fieldName, "X-Go")
	header.fieldValue = cString(header.fieldValue, "yes")

	const clients, sends = 8, 20
	var wg sync.WaitGroup
	for i := range clients {
		spawn(&wg, func() {
			p := OH_WebSocketClient_Constructor(nil, nil, nil, nil)
			if !assert.NotNil(t, p) {
				return
			}
			if i%2 == 0 {
				assert.EqualValues(t, errOK, OH_WebSocketClient_Connect(p, url, opts))
			} else { // with the header list AddHeader builds
				assert.EqualValues(t, errOK, OH_WebSocketClient_AddHeader(p, header))
				assert.EqualValues(t, errOK, OH_WebSocketClient_Connect(p, url, p.requestOptions))
			}
			var senders sync.WaitGroup
			for range 2 {
				spawn(&senders, func() {
					for range sends {
						assert.EqualValues(t, errOK, OH_WebSocketClient_Send(p, data, length))
					}
				})
			}
			senders.Wait()
			assert.EqualValues(t, errOK, OH_WebSocketClient_Close(p, closeOpts))
			assert.EqualValues(t, errOK, OH_WebSocketClient_Destroy(p))
			assert.EqualValues(t, errClientNotCreated, OH_WebSocketClient_Send(p, data, length))
		})
	}
	wg.Wait()
	reqs := srv.Requests()
	assert.Len(t, reqs, clients)
	withHeader := 0
	for _, r := range reqs {
		if r.Header.Get("X-Go") == "yes" {
			withHeader++
		}
	}
	assert.Equal(t, clients/2, withHeader)
}

// TestDestroyWhileConnectionFails lets Destroy race with a refused
// handshake, whose error event may come before, during or after it.
func TestDestroyWhileConnectionFails(t *testing.T) {
	srv := echo(t, echoserver.Options{RefuseStatus: 403})
	_, url, opts := params3(OH_WebSocketClient_Connect)
	p := OH_WebSocketClient_Constructor(nil, nil, nil, nil)
	require.NotNil(t, p)
	require.EqualValues(t, errOK, OH_WebSocketClient_Connect(p, cString(url, srv.WSURL("/")), opts))
	assert.EqualValues(t, errOK, OH_WebSocketClient_Destroy(p))
}

func TestDestroyRacesWithUse(t *testing.T) {
	srv := echo(t, echoserver.Options{})
	_, url, opts := params3(OH_WebSocketClient_Connect)
	url = cString(url, srv.WSURL("/race"))
	_, data, length := params3(OH_WebSocketClient_Send)
	data, length = cString(data, "x"), 1
	_, closeOpts := params2(OH_WebSocketClient_Close)

	p := OH_WebSocketClient_Constructor(nil, nil, nil, nil)
	require.NotNil(t, p)
	require.EqualValues(t, errOK, OH_WebSocketClient_Connect(p, url, opts))

	var mu sync.Mutex
	var destroys []errCode
	var wg sync.WaitGroup
	for range 4 {
		spawn(&wg, func() {
			for range 20 {
				code := errCode(OH_WebSocketClient_Send(p, data, length))
				assert.Contains(t, []errCode{errOK, errNoConnection, errClientNotCreated}, code)
			}
			code := errCode(OH_WebSocketClient_Close(p, closeOpts))
			assert.Contains(t, []errCode{errOK, errNoConnection, errClientNotCreated}, code)
		})
		spawn(&wg, func() {
			code := errCode(OH_WebSocketClient_Destroy(p))
			mu.Lock()
			destroys = append(destroys, code)
			mu.Unlock()
		})
	}
	wg.Wait()
	slices.Sort(destroys)
	assert.Equal(t, []errCode{errOK, errClientNotCreated, errClientNotCreated, errClientNotCreated}, destroys,
		"exactly one Destroy frees the client")
}

func TestNoPanicCrossesIntoC(t *testing.T) {
	defer log.SetOutput(log.Writer())
	log.SetOutput(io.Discard)
	ret := OH_WebSocketClient_Destroy(nil) // a variable of the C return type
	assert.EqualValues(t, errClientNull, ret)
	func() {
		defer recoverTo(&ret, errConnection, "test")
		panic("boom")
	}()
	assert.EqualValues(t, errConnection, ret)
}
