package websocket_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cangjie-go/ohos/callback"
	"github.com/cangjie-go/ohos/internal/echoserver"
	"github.com/cangjie-go/ohos/networkkit/websocket"
)

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
	var buf syncBuffer
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

// syncBuffer is a bytes.Buffer for a logger that callbacks write to.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
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
