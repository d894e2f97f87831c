package websocket_test

// Tests of events and their callbacks (package doc, sections Events,
// Concurrency and Errors): pointer variants of the event types, and
// runtime.Goexit in callbacks.

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/samber/mo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cangjie-go/ohos/callback"
	"github.com/cangjie-go/ohos/internal/echoserver"
	"github.com/cangjie-go/ohos/internal/wstest"
	"github.com/cangjie-go/ohos/networkkit/websocket"
)

// embedsEventOpen satisfies OnOffType by embedding a variant; On and Off
// must refuse it.
type embedsEventOpen struct{ websocket.EventOpen }

// TestOnOffPointerVariants checks that On and Off take a non-nil pointer
// to an event type as that event, and refuse with 401, without panicking,
// a nil pointer and a type that embeds an event type (package doc,
// section Errors).
func TestOnOffPointerVariants(t *testing.T) {
	srv := echoserver.New(echoserver.Options{})
	t.Cleanup(srv.Close)
	ws := wstest.NewWS(t)
	r := wstest.NewRecorder(t, ws)

	opened := websocket.WebSocketAsyncCallbackFunc[map[uint32]string](
		func(mo.Option[callback.AsyncError], mo.Option[map[uint32]string]) {
			r.Push(wstest.Event{Kind: "open by pointer"})
		})
	require.NoError(t, ws.On(&websocket.EventOpen{}, opened))
	message := websocket.WebSocketAsyncCallbackFunc[websocket.MessageData](
		func(mo.Option[callback.AsyncError], mo.Option[websocket.MessageData]) {
			r.Push(wstest.Event{Kind: "message by pointer"})
		})
	require.NoError(t, ws.On(&websocket.EventMessage{}, message))

	ws.Connect(srv.WSURL("/"), r.Done("connect"), nil)
	r.Expect(t, "headerReceive", "connect", "open", "open by pointer")
	require.NoError(t, ws.SendContext(wstest.Ctx(t), websocket.StringData("one")))
	r.Expect(t, "message", "message by pointer", "dataEnd")

	require.NoError(t, ws.Off(&websocket.EventMessage{}, message))
	require.NoError(t, ws.SendContext(wstest.Ctx(t), websocket.StringData("two")))
	r.Expect(t, "message", "dataEnd")

	for _, bad := range []websocket.OnOffType{
		(*websocket.EventOpen)(nil),
		(*websocket.EventMessage)(nil),
		(*websocket.EventClose)(nil),
		(*websocket.EventError)(nil),
		(*websocket.EventDataEnd)(nil),
		(*websocket.EventHeaderReceive)(nil),
		embedsEventOpen{},
		&embedsEventOpen{},
	} {
		t.Run(fmt.Sprintf("%T", bad), func(t *testing.T) {
			var err error
			require.NotPanics(t, func() { err = ws.On(bad, opened) })
			wstest.AssertCode(t, err, websocket.ErrParameter)
			require.NotPanics(t, func() { err = ws.Off(bad, opened) })
			wstest.AssertCode(t, err, websocket.ErrParameter)
			require.NotPanics(t, func() { err = ws.Off(bad, nil) })
			wstest.AssertCode(t, err, websocket.ErrParameter)
		})
	}
	r.Shut(t)
}

// TestGoexitInCallbacks checks that runtime.Goexit in a callback — a
// misused t.FailNow — ends only that callback: the later callbacks of the
// same event and the later events still run, the connection keeps
// working, and the object connects again. It covers a message callback
// (which the reader may run itself), a completion callback and a close
// callback (package doc, sections Concurrency and Errors).
func TestGoexitInCallbacks(t *testing.T) {
	srv := echoserver.New(echoserver.Options{})
	t.Cleanup(srv.Close)
	ws := wstest.NewWS(t)
	// Registered before the recorder's: each ends its goroutine before
	// the recorder's callback of the same event runs.
	require.NoError(t, ws.OnMessage(websocket.WebSocketAsyncCallbackFunc[websocket.MessageData](
		func(_ mo.Option[callback.AsyncError], data mo.Option[websocket.MessageData]) {
			if data.OrEmpty() == websocket.MessageData(websocket.StringData("exit")) {
				runtime.Goexit()
			}
		})))
	require.NoError(t, ws.OnClose(websocket.WebSocketAsyncCallbackFunc[websocket.CloseResult](
		func(mo.Option[callback.AsyncError], mo.Option[websocket.CloseResult]) { runtime.Goexit() })))
	r := wstest.Detached(ws)
	r.Attach(t)

	for round := range 2 { // the second connection on the same object works too
		r.Open(t, srv.WSURL("/"), nil)

		require.NoError(t, ws.SendContext(wstest.Ctx(t), websocket.StringData("exit")))
		e := r.Expect(t, "message", "dataEnd")[0]
		assert.Equal(t, websocket.MessageData(websocket.StringData("exit")), e.Msg, "round %d", round)
		r.Echo(t, "after a message callback's Goexit")

		ws.Send(websocket.StringData("sent"), func(mo.Option[callback.AsyncError], mo.Option[bool]) {
			r.Push(wstest.Event{Kind: "send callback"})
			runtime.Goexit()
		})
		// The echo may come before the completion: Send completes after its
		// write.
		r.ExpectSet(t, "send callback", "message", "dataEnd")
		r.Echo(t, "after a completion callback's Goexit")

		assert.Equal(t, websocket.CloseResult{Code: 1000}, r.Shut(t).Close, "round %d", round)
	}
}
