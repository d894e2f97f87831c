package websocket_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	gorilla "github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cangjie-go/ohos/internal/echoserver"
	"github.com/cangjie-go/ohos/networkkit/websocket"
)

// receiveTimeout bounds every wait of these tests.
const receiveTimeout = 5 * time.Second

func receiveCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), receiveTimeout)
	t.Cleanup(cancel)
	return ctx
}

// dialed connects a new WebSocket to url with the blocking face and closes
// it when the test ends.
func dialed(t *testing.T, url string, opts *websocket.RequestOptions) *websocket.WebSocket {
	t.Helper()
	ws := websocket.CreateWebSocket()
	require.NoError(t, ws.ConnectContext(receiveCtx(t), url, opts))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), receiveTimeout)
		defer cancel()
		_ = ws.CloseContext(ctx, nil)
	})
	return ws
}

// TestReceiveOrder: without listeners, every message goes to
// ReceiveContext, in order (package doc, section Back-pressure;
// ReceiveContext).
func TestReceiveOrder(t *testing.T) {
	srv := echoserver.New(echoserver.Options{})
	t.Cleanup(srv.Close)
	ws := dialed(t, srv.WSURL("/"), nil)
	ctx := receiveCtx(t)
	const n = 200
	for i := range n {
		var m websocket.MessageData = websocket.StringData(fmt.Sprint("m", i))
		if i%2 == 1 {
			m = websocket.ArrayData{byte(i)}
		}
		require.NoError(t, ws.SendContext(ctx, m))
	}
	for i := range n {
		m, err := ws.ReceiveContext(ctx)
		require.NoError(t, err)
		if i%2 == 1 {
			assert.Equal(t, websocket.MessageData(websocket.ArrayData{byte(i)}), m)
		} else {
			assert.Equal(t, websocket.MessageData(websocket.StringData(fmt.Sprint("m", i))), m)
		}
	}
}

// TestReceiveCancelLosesNothing: a ReceiveContext whose context ends while
// it waits returns ctx.Err(), takes no message and leaves the connection
// open.
func TestReceiveCancelLosesNothing(t *testing.T) {
	srv := echoserver.New(echoserver.Options{})
	t.Cleanup(srv.Close)
	ws := dialed(t, srv.WSURL("/"), nil)

	for _, tc := range []struct {
		name string
		ctx  func() (context.Context, context.CancelFunc)
		want error
	}{
		{"deadline", func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 30*time.Millisecond)
		}, context.DeadlineExceeded},
		{"cancel", func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(30*time.Millisecond, cancel)
			return ctx, cancel
		}, context.Canceled},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := tc.ctx()
			defer cancel()
			_, err := ws.ReceiveContext(ctx)
			assert.Equal(t, tc.want, err, "ctx.Err() itself")

			require.NoError(t, ws.SendContext(receiveCtx(t), websocket.StringData("after "+tc.name)))
			m, err := ws.ReceiveContext(receiveCtx(t))
			require.NoError(t, err)
			assert.Equal(t, websocket.MessageData(websocket.StringData("after "+tc.name)), m)
		})
	}
}

// TestReceiveConcurrent: several receivers share the messages, each
// message goes to exactly one.
func TestReceiveConcurrent(t *testing.T) {
	srv := echoserver.New(echoserver.Options{})
	t.Cleanup(srv.Close)
	ws := dialed(t, srv.WSURL("/"), nil)
	ctx := receiveCtx(t)
	const receivers, n = 4, 400
	got := make(chan string, n)
	var wg sync.WaitGroup
	var taken atomic.Int32
	for range receivers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for taken.Add(1) <= n {
				m, err := ws.ReceiveContext(ctx)
				if !assert.NoError(t, err) {
					return
				}
				got <- m.String()
			}
		}()
	}
	for i := range n {
		require.NoError(t, ws.SendContext(ctx, websocket.StringData(fmt.Sprint(i))))
	}
	wg.Wait()
	close(got)
	seen := map[string]bool{}
	for m := range got {
		assert.False(t, seen[m], "message %s received twice", m)
		seen[m] = true
	}
	assert.Len(t, seen, n)
}

// TestReceiveEnd: the messages that arrived before the end come first, then
// an error that carries the close code and reason; Send, SendContext and
// Ping after the end carry them too.
func TestReceiveEnd(t *testing.T) {
	srv := echoserver.New(echoserver.Options{Commands: true})
	t.Cleanup(srv.Close)
	ws := dialed(t, srv.WSURL("/"), nil)
	ctx := receiveCtx(t)
	require.NoError(t, ws.SendContext(ctx, websocket.StringData("last words")))
	require.NoError(t, ws.SendContext(ctx, websocket.StringData("cmd:close:4001:bye now")))

	m, err := ws.ReceiveContext(ctx)
	require.NoError(t, err)
	assert.Equal(t, websocket.MessageData(websocket.StringData("last words")), m)

	_, err = ws.ReceiveContext(ctx)
	want := websocket.CloseResult{Code: 4001, Reason: "bye now"}
	assertClosedWith(t, err, want)
	_, err = ws.ReceiveContext(ctx) // again: the end stays
	assertClosedWith(t, err, want)

	assertClosedWith(t, ws.SendContext(ctx, websocket.StringData("late")), want)
	sent := make(chan error, 1)
	ws.Send(websocket.StringData("late"), websocket.Done(func(err error) { sent <- err }))
	select {
	case err := <-sent:
		assertClosedWith(t, err, want)
	case <-ctx.Done():
		t.Fatal("no Send completion")
	}
	_, err = ws.Ping(ctx)
	assertClosedWith(t, err, want)

	// The iterator yields the end once and stops.
	var errs []error
	for m, err := range ws.Messages(ctx) {
		assert.Nil(t, m)
		errs = append(errs, err)
	}
	require.Len(t, errs, 1)
	assertClosedWith(t, errs[0], want)

	// A new Connect forgets the end.
	require.NoError(t, ws.ConnectContext(ctx, srv.WSURL("/"), nil))
	require.NoError(t, ws.SendContext(ctx, websocket.StringData("again")))
	m, err = ws.ReceiveContext(ctx)
	require.NoError(t, err)
	assert.Equal(t, websocket.MessageData(websocket.StringData("again")), m)
}

func assertClosedWith(t *testing.T, err error, want websocket.CloseResult) {
	t.Helper()
	require.Error(t, err)
	assert.ErrorIs(t, err, websocket.ErrConnectionNotExist)
	assert.ErrorIs(t, err, net.ErrClosed)
	got, ok := websocket.CloseStatus(err)
	assert.True(t, ok, "CloseStatus finds the close status in %v", err)
	assert.Equal(t, want, got)
	var ce *websocket.CloseError
	if assert.ErrorAs(t, err, &ce) {
		assert.Equal(t, want, ce.CloseResult)
	}
}

// TestReceiveNeverConnected: ReceiveContext on an object that never
// connected says so, with net.ErrClosed and no close status.
func TestReceiveNeverConnected(t *testing.T) {
	ws := websocket.CreateWebSocket()
	_, err := ws.ReceiveContext(receiveCtx(t))
	assert.ErrorIs(t, err, websocket.ErrConnectionNotExist)
	assert.ErrorIs(t, err, net.ErrClosed)
	_, ok := websocket.CloseStatus(err)
	assert.False(t, ok)
	_, err = ws.ReceiveContext(nil) //nolint:staticcheck // a nil context is refused
	assert.ErrorIs(t, err, websocket.ErrParameter)
}

// TestReceiveWaitsWhileConnecting: a ReceiveContext made while the object
// connects waits for the connection's first message.
func TestReceiveWaitsWhileConnecting(t *testing.T) {
	srv := echoserver.New(echoserver.Options{})
	t.Cleanup(srv.Close)
	ws := websocket.CreateWebSocket()
	t.Cleanup(func() { _ = ws.CloseContext(context.Background(), nil) })
	ctx := receiveCtx(t)
	opened := make(chan struct{})
	ws.Connect(srv.WSURL("/"), websocket.Done(func(err error) {
		assert.NoError(t, err)
		close(opened)
	}), nil)
	got := make(chan websocket.MessageData, 1)
	go func() {
		m, err := ws.ReceiveContext(ctx)
		assert.NoError(t, err)
		got <- m
	}()
	select {
	case <-opened:
	case <-ctx.Done():
		t.Fatal("no open")
	}
	require.NoError(t, ws.SendContext(ctx, websocket.StringData("first")))
	select {
	case m := <-got:
		assert.Equal(t, websocket.MessageData(websocket.StringData("first")), m)
	case <-ctx.Done():
		t.Fatal("the waiting ReceiveContext got nothing")
	}
}

// TestReceiveAndListeners: a message goes to the listeners when one is
// registered at its arrival, otherwise to ReceiveContext.
func TestReceiveAndListeners(t *testing.T) {
	srv := echoserver.New(echoserver.Options{})
	t.Cleanup(srv.Close)
	ws := dialed(t, srv.WSURL("/"), nil)
	ctx := receiveCtx(t)

	heard := make(chan websocket.MessageData, 8)
	listener := websocket.Data(func(m websocket.MessageData) { heard <- m })
	require.NoError(t, ws.OnMessage(listener))
	require.NoError(t, ws.SendContext(ctx, websocket.StringData("to the listener")))
	select {
	case m := <-heard:
		assert.Equal(t, websocket.MessageData(websocket.StringData("to the listener")), m)
	case <-ctx.Done():
		t.Fatal("the listener heard nothing")
	}
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	_, err := ws.ReceiveContext(short)
	cancel()
	assert.ErrorIs(t, err, context.DeadlineExceeded, "nothing goes to ReceiveContext while a listener is registered")

	require.NoError(t, ws.OffMessage(listener))
	require.NoError(t, ws.SendContext(ctx, websocket.StringData("to the receiver")))
	m, err := ws.ReceiveContext(ctx)
	require.NoError(t, err)
	assert.Equal(t, websocket.MessageData(websocket.StringData("to the receiver")), m)
	assert.Empty(t, heard)

	// A dataEnd listener alone also takes messages: dataEnd follows every
	// message delivered to the callbacks.
	ends := make(chan struct{}, 1)
	require.NoError(t, ws.On(websocket.EventDataEnd{}, callbackFunc0(func() { ends <- struct{}{} })))
	require.NoError(t, ws.SendContext(ctx, websocket.StringData("to the callbacks")))
	select {
	case <-ends:
	case <-ctx.Done():
		t.Fatal("no dataEnd")
	}
}

// TestReceiveFromCallback: ReceiveContext works from inside a message
// callback that runs on the reader (package doc, section Concurrency): the
// callback's receive is served by another reader.
func TestReceiveFromCallback(t *testing.T) {
	srv := echoserver.New(echoserver.Options{})
	t.Cleanup(srv.Close)
	ws := dialed(t, srv.WSURL("/"), nil)
	ctx := receiveCtx(t)
	result := make(chan error, 1)
	// The dataEnd listener routes messages to the callbacks; the message
	// listener removes both and then receives the next message itself.
	var onData websocket.WebSocketAsyncCallback[websocket.MessageData]
	end := callbackFunc0(func() {})
	onData = websocket.Data(func(m websocket.MessageData) {
		if m.String() != "first" {
			return
		}
		_ = ws.OffMessage(onData)
		_ = ws.OffDataEnd(end)
		if err := ws.SendContext(ctx, websocket.StringData("second")); err != nil {
			result <- err
			return
		}
		m, err := ws.ReceiveContext(ctx)
		if err == nil && m.String() != "second" {
			err = fmt.Errorf("got %q", m)
		}
		result <- err
	})
	require.NoError(t, ws.OnMessage(onData))
	require.NoError(t, ws.OnDataEnd(end))
	require.NoError(t, ws.SendContext(ctx, websocket.StringData("first")))
	select {
	case err := <-result:
		require.NoError(t, err)
	case <-ctx.Done():
		t.Fatal("ReceiveContext inside the callback never returned")
	}
}

// floodServer sends messages of size bytes as fast as the client takes
// them, up to n, and counts the messages whose write has completed.
type floodServer struct {
	*httptest.Server
	written atomic.Int64
}

func newFloodServer(t *testing.T, n, size int) *floodServer {
	f := &floodServer{}
	// Any Origin: the client sends the platform's, without the port.
	up := gorilla.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer c.Close()
		go func() { // read, so that the client's Close is answered
			for {
				if _, _, err := c.ReadMessage(); err != nil {
					return
				}
			}
		}()
		p := make([]byte, size)
		for i := range n {
			p[0] = byte(i)
			c.SetWriteDeadline(time.Now().Add(2 * receiveTimeout))
			if err := c.WriteMessage(gorilla.BinaryMessage, p); err != nil {
				return
			}
			f.written.Add(1)
		}
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *floodServer) url() string { return "ws" + f.URL[len("http"):] + "/" }

// stalled waits until the server's count of written messages has not moved
// for quiet, and returns it.
func (f *floodServer) stalled(t *testing.T, quiet time.Duration) int64 {
	t.Helper()
	deadline := time.After(receiveTimeout)
	tick := time.NewTicker(quiet / 4)
	defer tick.Stop()
	last, since := f.written.Load(), time.Now()
	for {
		select {
		case <-tick.C:
			if n := f.written.Load(); n != last {
				last, since = n, time.Now()
			} else if time.Since(since) >= quiet {
				return n
			}
		case <-deadline:
			t.Fatalf("the server never stalled: %d messages written", f.written.Load())
		}
	}
}

// TestReceiveBackPressure: a program that does not receive stops the
// socket: the server's writes block, and the client's heap stays under the
// documented bound (package doc, section Back-pressure). Nothing is lost.
func TestReceiveBackPressure(t *testing.T) {
	const n, size = 400, 256 << 10 // 100 MiB in all
	srv := newFloodServer(t, n, size)
	opts := &websocket.RequestOptions{ReceiveQueueSize: 4, ReceiveQueueBytes: 1 << 20, MaxMessageSize: 1 << 20}
	bound := opts.ReceiveQueueBytes + 2*opts.MaxMessageSize

	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	ws := dialed(t, srv.url(), opts)
	written := srv.stalled(t, 300*time.Millisecond)
	runtime.GC()
	var held runtime.MemStats
	runtime.ReadMemStats(&held)
	growth := int64(held.HeapInuse) - int64(before.HeapInuse)
	t.Logf("stalled after %d of %d messages; heap grew %d KiB (bound %d KiB)", written, n, growth>>10, bound>>10)
	assert.Less(t, written, int64(n/2), "the server's writes block while nobody receives")
	assert.Less(t, growth, bound+4<<20, "heap growth within the documented bound plus slack")

	ctx := receiveCtx(t)
	for i := range n {
		m, err := ws.ReceiveContext(ctx)
		require.NoError(t, err, "message %d", i)
		a, ok := m.(websocket.ArrayData)
		require.True(t, ok)
		require.Len(t, a, size)
		require.Equal(t, byte(i), a[0], "message %d in order", i)
	}
}

// TestReceiveBackPressureCallbacks: the same bound holds for a slow
// message callback; Close from another goroutine still completes while the
// reader is held, and the messages that fit are delivered.
func TestReceiveBackPressureCallbacks(t *testing.T) {
	const n, size = 400, 256 << 10
	srv := newFloodServer(t, n, size)
	opts := &websocket.RequestOptions{ReceiveQueueSize: 4, ReceiveQueueBytes: 1 << 20, MaxMessageSize: 1 << 20}
	release := make(chan struct{})
	var releaseOnce sync.Once
	t.Cleanup(func() { releaseOnce.Do(func() { close(release) }) })
	var got atomic.Int32
	ws := websocket.CreateWebSocket()
	require.NoError(t, ws.OnMessage(websocket.Data(func(websocket.MessageData) {
		got.Add(1)
		<-release
	})))
	ctx := receiveCtx(t)
	require.NoError(t, ws.ConnectContext(ctx, srv.url(), opts))
	written := srv.stalled(t, 300*time.Millisecond)
	assert.Less(t, written, int64(n/2), "the server's writes block while the callback blocks")

	closed := make(chan error, 1)
	go func() { closed <- ws.CloseContext(ctx, nil) }()
	select {
	case err := <-closed:
		require.NoError(t, err)
	case <-time.After(2 * time.Second):
		t.Fatal("CloseContext did not complete while the reader was held")
	}
	releaseOnce.Do(func() { close(release) })
	assert.Eventually(t, func() bool { return got.Load() >= 1 }, receiveTimeout, 10*time.Millisecond)
}

// callbackFunc0 is a dataEnd callback.
type callbackFunc0 func()

func (f callbackFunc0) Invoke() { f() }
