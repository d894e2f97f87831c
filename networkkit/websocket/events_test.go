package websocket_test

// Tests of events and their callbacks (package doc, sections Events,
// Concurrency and Errors): pointer variants of the event types, and
// runtime.Goexit in callbacks.

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"testing"
	"time"

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

// TestShortCallbacks: Data and Done adapt plain funcs to every event that
// carries data and to every completion, and Off removes what Data returned.
func TestShortCallbacks(t *testing.T) {
	srv := echoserver.New(echoserver.Options{})
	t.Cleanup(srv.Close)
	ws := websocket.CreateWebSocket()
	t.Cleanup(func() { _ = ws.CloseContext(context.Background(), nil) })

	got := make(chan string, 16)
	onOpen := websocket.Data(func(m map[uint32]string) { got <- "open " + m[101] })
	onMessage := websocket.Data(func(m websocket.MessageData) { got <- "message " + m.String() })
	onClose := websocket.Data(func(r websocket.CloseResult) { got <- "close " + r.Reason })
	require.NoError(t, ws.OnOpen(onOpen))
	require.NoError(t, ws.On(websocket.EventMessage{}, onMessage), "the runtime On takes them too")
	require.NoError(t, ws.OnClose(onClose))
	done := func(what string) func(error) {
		return func(err error) {
			if err != nil {
				got <- what + " failed: " + err.Error()
				return
			}
			got <- what + " ok"
		}
	}
	next := func() string {
		select {
		case s := <-got:
			return s
		case <-time.After(receiveTimeout):
			t.Fatal("no callback")
			return ""
		}
	}

	ws.Connect(srv.WSURL("/"), websocket.Done(done("connect")), nil)
	assert.Equal(t, "connect ok", next())
	assert.Equal(t, "open Switching Protocols", next())
	ws.Send(websocket.StringData("hi"), websocket.Done(done("send")))
	assert.ElementsMatch(t, []string{"send ok", "message hi"}, []string{next(), next()})

	// Off with the adapter's value removes exactly that callback.
	require.NoError(t, ws.OffMessage(onMessage))
	again := websocket.Data(func(m websocket.MessageData) { got <- "second listener " + m.String() })
	require.NoError(t, ws.OnMessage(again))
	ws.Send(websocket.StringData("ho"), websocket.Done(done("send")))
	assert.ElementsMatch(t, []string{"send ok", "second listener ho"}, []string{next(), next()})

	ws.Close(websocket.Done(done("close")), &websocket.CloseOptions{Reason: "bye"})
	assert.Equal(t, "close ok", next())
	assert.Equal(t, "close bye", next())

	// Done passes the error itself: codes work with errors.Is.
	ws.Send(websocket.StringData("late"), websocket.Done(func(err error) {
		if errors.Is(err, websocket.ErrConnectionNotExist) {
			got <- "send refused"
		} else {
			got <- "unexpected " + err.Error()
		}
	}))
	assert.Equal(t, "send refused", next())

	// nil funcs make nil callbacks, which are refused.
	assert.ErrorIs(t, ws.OnMessage(websocket.Data[websocket.MessageData](nil)), websocket.ErrParameter)
	assert.Nil(t, websocket.Done(nil))
}

// TestPanicLogger: a panicking callback is logged through
// RequestOptions.Logger with the connection's URL, and the next callbacks
// still run.
func TestPanicLogger(t *testing.T) {
	srv := echoserver.New(echoserver.Options{})
	t.Cleanup(srv.Close)
	var buf wstest.LogBuffer
	logger := slog.New(slog.NewJSONHandler(&buf, nil))
	ws := websocket.CreateWebSocket()
	t.Cleanup(func() { _ = ws.CloseContext(context.Background(), nil) })
	require.NoError(t, ws.OnMessage(websocket.Data(func(websocket.MessageData) { panic("boom") })))
	after := make(chan struct{}, 1)
	require.NoError(t, ws.OnMessage(websocket.Data(func(websocket.MessageData) { after <- struct{}{} })))
	ctx := receiveCtx(t)
	url := srv.WSURL("/path?q=1")
	require.NoError(t, ws.ConnectContext(ctx, url, &websocket.RequestOptions{Logger: logger}))
	require.NoError(t, ws.SendContext(ctx, websocket.StringData("x")))
	select {
	case <-after:
	case <-ctx.Done():
		t.Fatal("the callback after the panicking one did not run")
	}
	out := buf.String()
	assert.Contains(t, out, `"level":"ERROR"`)
	assert.Contains(t, out, "panic in message callback: boom")
	assert.Contains(t, out, `"url":"`+url+`"`)
	assert.Contains(t, out, `"stack":"goroutine `)
}

// TestOpenInfo: openInfo fires once per connection, right after open and
// before any message, with the status and reason phrase of open and the
// subprotocol the server chose ("" when none); the runtime On takes
// Data(func(OpenInfo)) as the typed OnOpenInfo does.
func TestOpenInfo(t *testing.T) {
	srv := echoserver.New(echoserver.Options{Subprotocols: []string{"chat"}})
	t.Cleanup(srv.Close)
	for _, tt := range []struct {
		name     string
		protocol string
		runtime  bool
	}{
		{name: "chosen protocol, typed", protocol: "chat"},
		{name: "no protocol, runtime On", runtime: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ws := websocket.CreateWebSocket()
			t.Cleanup(func() { _ = ws.CloseContext(context.Background(), nil) })
			var mu sync.Mutex
			var order []string
			infos := make(chan websocket.OpenInfo, 2)
			record := func(s string) { mu.Lock(); order = append(order, s); mu.Unlock() }
			require.NoError(t, ws.OnHeaderReceive(callback.Callback1Func[websocket.ResponseHeaders](func(websocket.ResponseHeaders) { record("headerReceive") })))
			require.NoError(t, ws.OnOpen(websocket.Data(func(map[uint32]string) { record("open") })))
			onInfo := websocket.Data(func(i websocket.OpenInfo) { record("openInfo"); infos <- i })
			if tt.runtime {
				require.NoError(t, ws.On(websocket.EventOpenInfo{}, onInfo))
			} else {
				require.NoError(t, ws.OnOpenInfo(onInfo))
			}
			got := make(chan struct{}, 1)
			require.NoError(t, ws.OnMessage(websocket.Data(func(websocket.MessageData) { record("message"); got <- struct{}{} })))

			ctx := receiveCtx(t)
			ws.Connect(srv.WSURL("/"), websocket.Done(func(err error) {
				if err == nil {
					record("connect")
				}
			}), &websocket.RequestOptions{Protocol: tt.protocol})
			var info websocket.OpenInfo
			select {
			case info = <-infos:
			case <-ctx.Done():
				t.Fatal("no openInfo event")
			}
			require.NoError(t, ws.SendContext(ctx, websocket.StringData("x")))
			select {
			case <-got:
			case <-ctx.Done():
				t.Fatal("no message")
			}
			assert.Equal(t, websocket.OpenInfo{Status: 101, Message: "Switching Protocols", Protocol: tt.protocol}, info)
			mu.Lock()
			assert.Equal(t, []string{"headerReceive", "connect", "open", "openInfo", "message"}, order)
			mu.Unlock()
			assert.Empty(t, infos, "openInfo fired twice")
		})
	}
}
