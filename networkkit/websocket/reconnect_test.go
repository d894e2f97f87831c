package websocket_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	gorilla "github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cangjie-go/ohos/callback"
	"github.com/cangjie-go/ohos/internal/echoserver"
	"github.com/cangjie-go/ohos/networkkit/websocket"
)

// fast is a policy with small delays, so that the tests do not wait.
func fast() *websocket.ReconnectPolicy {
	return &websocket.ReconnectPolicy{InitialDelay: 5 * time.Millisecond, MaxDelay: 20 * time.Millisecond}
}

// events records the events of an object as strings, in order.
type events struct {
	ch chan string
	rc chan websocket.Reconnect
}

func record(t *testing.T, ws *websocket.WebSocket) *events {
	e := &events{ch: make(chan string, 4096), rc: make(chan websocket.Reconnect, 4096)}
	require.NoError(t, ws.OnHeaderReceive(callback.Callback1Func[websocket.ResponseHeaders](func(websocket.ResponseHeaders) { e.ch <- "headerReceive" })))
	require.NoError(t, ws.OnOpen(websocket.Data(func(map[uint32]string) { e.ch <- "open" })))
	require.NoError(t, ws.OnError(websocket.WebSocketErrorCallbackFunc(func(err *callback.BusinessException) { e.ch <- "error" })))
	require.NoError(t, ws.OnClose(websocket.Data(func(r websocket.CloseResult) { e.ch <- fmt.Sprintf("close %d", r.Code) })))
	require.NoError(t, ws.OnReconnect(websocket.Data(func(r websocket.Reconnect) {
		e.rc <- r
		if r.GaveUp {
			e.ch <- fmt.Sprintf("gave up after %d", r.Attempt)
		} else {
			e.ch <- fmt.Sprintf("reconnect %d", r.Attempt)
		}
	})))
	return e
}

func (e *events) expect(t *testing.T, want ...string) {
	t.Helper()
	for i, w := range want {
		select {
		case got := <-e.ch:
			require.Equal(t, w, got, "event %d of %v", i, want)
		case <-time.After(receiveTimeout):
			t.Fatalf("no event %d of %v", i, want)
		}
	}
}

func (e *events) quiet(t *testing.T, d time.Duration) {
	t.Helper()
	select {
	case got := <-e.ch:
		t.Fatalf("unexpected event %q", got)
	case <-time.After(d):
	}
}

// TestReconnectAfterDrop: a dropped link is reported as before (error,
// close 1006), then reconnect and a new open; the connection works again
// (package doc, section Lifecycle: Reconnecting).
func TestReconnectAfterDrop(t *testing.T) {
	srv := echoserver.New(echoserver.Options{Commands: true})
	t.Cleanup(srv.Close)
	ws := websocket.CreateWebSocket()
	t.Cleanup(func() { _ = ws.CloseContext(context.Background(), nil) })
	e := record(t, ws)
	ctx := receiveCtx(t)
	require.NoError(t, ws.OnMessage(websocket.Data(func(websocket.MessageData) {})))
	require.NoError(t, ws.ConnectContext(ctx, srv.WSURL("/"), &websocket.RequestOptions{Reconnect: fast()}))
	e.expect(t, "headerReceive", "open")
	for i := range 3 {
		require.NoError(t, ws.SendContext(ctx, websocket.StringData("cmd:drop")))
		e.expect(t, "error", "close 1006", "reconnect 1", "headerReceive", "open")
		r := <-e.rc
		assert.Equal(t, 1, r.Attempt, "round %d", i)
		res, ok := websocket.CloseStatus(r.Cause)
		assert.True(t, ok, "the cause carries the close status: %v", r.Cause)
		assert.EqualValues(t, 1006, res.Code)
		assert.ErrorIs(t, r.Cause, websocket.ErrLinkDown)
		assert.LessOrEqual(t, r.Delay, 5*time.Millisecond)
	}
	assert.Equal(t, 4, len(srv.Requests()), "one handshake per connection")
}

// TestReconnectCloseCodes: a server Close reconnects only with the codes
// of the policy (by default 1001, 1011, 1012, 1013); the client's own Close
// never does.
func TestReconnectCloseCodes(t *testing.T) {
	srv := echoserver.New(echoserver.Options{Commands: true})
	t.Cleanup(srv.Close)
	for _, tc := range []struct {
		name  string
		codes []uint32
		code  int
		again bool
	}{
		{"1000 does not", nil, 1000, false},
		{"1001 does", nil, 1001, true},
		{"1008 does not", nil, 1008, false},
		{"1011 does", nil, 1011, true},
		{"1012 does", nil, 1012, true},
		{"1013 does", nil, 1013, true},
		{"4000 with its own list", []uint32{4000}, 4000, true},
		{"1012 not in its own list", []uint32{4000}, 1012, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ws := websocket.CreateWebSocket()
			t.Cleanup(func() { _ = ws.CloseContext(context.Background(), nil) })
			e := record(t, ws)
			policy := fast()
			policy.CloseCodes = tc.codes
			ctx := receiveCtx(t)
			require.NoError(t, ws.ConnectContext(ctx, srv.WSURL("/"), &websocket.RequestOptions{Reconnect: policy}))
			e.expect(t, "headerReceive", "open")
			require.NoError(t, ws.SendContext(ctx, websocket.StringData(fmt.Sprintf("cmd:close:%d:", tc.code))))
			e.expect(t, fmt.Sprintf("close %d", tc.code))
			if tc.again {
				e.expect(t, "reconnect 1", "headerReceive", "open")
				require.NoError(t, ws.CloseContext(ctx, nil))
				e.expect(t, "close 1000")
			}
			e.quiet(t, 30*time.Millisecond)
		})
	}
}

// restartable is a WebSocket echo server that can be stopped and started
// again on the same port, and answer handshakes with a status instead.
type restartable struct {
	t      *testing.T
	addr   string
	srv    *httptest.Server
	refuse atomic.Int32                  // a status to answer with instead of 101
	header http.Header                   // sent with a refusal
	hold   atomic.Pointer[chan struct{}] // handshakes wait until it is closed
	held   atomic.Int32                  // handshakes that waited
	mu     sync.Mutex
	conns  map[*gorilla.Conn]bool // open WebSocket connections (hijacked: httptest does not track them)
	seen   chan string            // messages received, in order
}

func newRestartable(t *testing.T) *restartable {
	r := &restartable{t: t, seen: make(chan string, 4096)}
	r.start()
	r.addr = r.srv.Listener.Addr().String()
	t.Cleanup(r.stop)
	return r
}

func (r *restartable) url() string { return "ws://" + r.addr + "/" }

func (r *restartable) start() {
	var ln net.Listener
	var err error
	if r.addr == "" {
		ln, err = net.Listen("tcp", "127.0.0.1:0")
	} else {
		ln, err = net.Listen("tcp", r.addr) // the same port again
	}
	require.NoError(r.t, err)
	up := gorilla.Upgrader{CheckOrigin: func(*http.Request) bool { return true }} // the platform's Origin has no port
	r.srv = &httptest.Server{Listener: ln, Config: &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if h := r.hold.Load(); h != nil {
			r.held.Add(1)
			select {
			case <-*h:
			case <-req.Context().Done():
			}
			return
		}
		if status := int(r.refuse.Load()); status != 0 {
			for k, v := range r.header {
				w.Header()[k] = v
			}
			w.WriteHeader(status)
			return
		}
		c, err := up.Upgrade(w, req, nil)
		if err != nil {
			return
		}
		r.mu.Lock()
		if r.conns == nil {
			r.conns = map[*gorilla.Conn]bool{}
		}
		r.conns[c] = true
		r.mu.Unlock()
		defer func() {
			r.mu.Lock()
			delete(r.conns, c)
			r.mu.Unlock()
			c.Close()
		}()
		for {
			typ, p, err := c.ReadMessage()
			if err != nil {
				return
			}
			r.seen <- string(p)
			if c.WriteMessage(typ, p) != nil {
				return
			}
		}
	})}}
	r.srv.Start()
}

// drop closes every open WebSocket connection without a Close frame.
func (r *restartable) drop() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for c := range r.conns {
		c.NetConn().Close()
	}
}

func (r *restartable) stop() {
	if r.srv != nil {
		r.srv.Listener.Close()
		r.drop()
		r.srv.Close()
		r.srv = nil
	}
}

// TestReconnectRestartQueuedSends: the server goes away and comes back on
// the same port; the messages sent meanwhile wait, are sent once and in
// order when the connection is open again, and each completes once; the
// pull receive goes on across the reconnection.
func TestReconnectRestartQueuedSends(t *testing.T) {
	r := newRestartable(t)
	ws := websocket.CreateWebSocket()
	t.Cleanup(func() { _ = ws.CloseContext(context.Background(), nil) })
	ctx := receiveCtx(t)
	reconnects := make(chan websocket.Reconnect, 100)
	require.NoError(t, ws.OnReconnect(websocket.Data(func(x websocket.Reconnect) { reconnects <- x })))
	require.NoError(t, ws.ConnectContext(ctx, r.url(), &websocket.RequestOptions{Reconnect: fast()}))
	require.NoError(t, ws.SendContext(ctx, websocket.StringData("before")))
	assert.Equal(t, "before", (<-r.seen))
	m, err := ws.ReceiveContext(ctx)
	require.NoError(t, err)
	assert.Equal(t, "before", m.String())

	r.stop()
	select {
	case x := <-reconnects:
		assert.Equal(t, 1, x.Attempt)
	case <-ctx.Done():
		t.Fatal("no reconnect event")
	}
	// While the server is down: attempts fail and are rescheduled; sends
	// wait in the queue.
	const n = 50
	completions := make(chan error, n)
	for i := range n {
		ws.Send(websocket.StringData(fmt.Sprint("queued ", i)), websocket.Done(func(err error) { completions <- err }))
	}
	select {
	case x := <-reconnects:
		assert.Equal(t, 2, x.Attempt, "a failed attempt schedules the next")
		assert.False(t, x.GaveUp)
	case <-ctx.Done():
		t.Fatal("no second attempt")
	}
	r.start()
	for i := range n {
		select {
		case got := <-r.seen:
			require.Equal(t, fmt.Sprint("queued ", i), got, "once and in order")
		case <-ctx.Done():
			t.Fatalf("message %d never arrived", i)
		}
		require.NoError(t, <-completions)
	}
	for i := range n { // the pull receive goes on
		m, err := ws.ReceiveContext(ctx)
		require.NoError(t, err)
		assert.Equal(t, fmt.Sprint("queued ", i), m.String())
	}
	select {
	case got := <-r.seen:
		t.Fatalf("a message arrived twice: %q", got)
	default:
	}
}

// TestReconnectBackoff: delays stay within the full-jitter bounds and the
// cap; MaxAttempts ends with the final event; the object is then closed and
// the messages that waited fail.
func TestReconnectBackoff(t *testing.T) {
	r := newRestartable(t)
	ws := websocket.CreateWebSocket()
	t.Cleanup(func() { _ = ws.CloseContext(context.Background(), nil) })
	e := record(t, ws)
	policy := &websocket.ReconnectPolicy{InitialDelay: time.Millisecond, MaxDelay: 6 * time.Millisecond, Multiplier: 2, MaxAttempts: 8}
	ctx := receiveCtx(t)
	require.NoError(t, ws.ConnectContext(ctx, r.url(), &websocket.RequestOptions{Reconnect: policy}))
	e.expect(t, "headerReceive", "open")
	r.stop()
	e.expect(t, "error", "close 1006")
	failed := make(chan error, 1)
	for i := 1; i <= 8; i++ {
		e.expect(t, fmt.Sprint("reconnect ", i))
		x := <-e.rc
		bound := min(time.Millisecond<<(i-1), 6*time.Millisecond)
		assert.GreaterOrEqual(t, x.Delay, time.Duration(0))
		assert.LessOrEqual(t, x.Delay, bound, "attempt %d", i)
		if i == 1 {
			ws.Send(websocket.StringData("waits"), websocket.Done(func(err error) { failed <- err }))
		} else {
			var ne net.Error
			assert.ErrorAs(t, x.Cause, &ne, "attempt %d failed to dial: %v", i, x.Cause)
		}
	}
	e.expect(t, "gave up after 8")
	final := <-e.rc
	assert.True(t, final.GaveUp)
	assert.Zero(t, final.Delay)
	assert.ErrorIs(t, <-failed, websocket.ErrConnectionNotExist)
	assert.ErrorIs(t, ws.SendContext(ctx, websocket.StringData("late")), websocket.ErrConnectionNotExist, "closed")
	e.quiet(t, 30*time.Millisecond)
}

// TestReconnectPermanentRefusal: a 403 on a reconnect attempt stops the
// policy at once; a 503 with Retry-After waits as long as it says, capped
// by MaxDelay.
func TestReconnectPermanentRefusal(t *testing.T) {
	r := newRestartable(t)
	ws := websocket.CreateWebSocket()
	t.Cleanup(func() { _ = ws.CloseContext(context.Background(), nil) })
	e := record(t, ws)
	policy := &websocket.ReconnectPolicy{InitialDelay: time.Millisecond, MaxDelay: 40 * time.Millisecond}
	ctx := receiveCtx(t)
	require.NoError(t, ws.ConnectContext(ctx, r.url(), &websocket.RequestOptions{Reconnect: policy}))
	e.expect(t, "headerReceive", "open")

	r.header = http.Header{"Retry-After": {"3600"}}
	r.refuse.Store(http.StatusServiceUnavailable)
	r.drop()
	e.expect(t, "error", "close 1006", "reconnect 1")
	<-e.rc
	e.expect(t, "reconnect 2")
	x := <-e.rc
	assert.Equal(t, 40*time.Millisecond, x.Delay, "Retry-After capped by MaxDelay")
	var he *websocket.HandshakeError
	require.ErrorAs(t, x.Cause, &he)
	assert.Equal(t, 503, he.StatusCode)

	r.refuse.Store(http.StatusForbidden)
	e.expect(t, "gave up after 2")
	final := <-e.rc
	require.ErrorAs(t, final.Cause, &he)
	assert.Equal(t, 403, he.StatusCode)
	e.quiet(t, 60*time.Millisecond)
}

// TestReconnectCloseWhileWaiting: Close during the backoff wait ends the
// object at once: its callback completes, no close event fires for a
// connection that never opened, no attempt follows, the waiting sends
// fail.
func TestReconnectCloseWhileWaiting(t *testing.T) {
	r := newRestartable(t)
	ws := websocket.CreateWebSocket()
	e := record(t, ws)
	ctx := receiveCtx(t)
	require.NoError(t, ws.ConnectContext(ctx, r.url(), &websocket.RequestOptions{Reconnect: &websocket.ReconnectPolicy{InitialDelay: time.Hour, MaxDelay: time.Hour}}))
	e.expect(t, "headerReceive", "open")
	r.drop()
	e.expect(t, "error", "close 1006", "reconnect 1")
	waiting := make(chan error, 1)
	ws.Send(websocket.StringData("waits"), websocket.Done(func(err error) { waiting <- err }))
	start := time.Now()
	require.NoError(t, ws.CloseContext(ctx, nil))
	assert.Less(t, time.Since(start), 100*time.Millisecond)
	err := <-waiting
	assert.ErrorIs(t, err, websocket.ErrConnectionNotExist)
	res, ok := websocket.CloseStatus(err)
	assert.True(t, ok)
	assert.EqualValues(t, 1006, res.Code, "the close status of the lost connection")
	e.quiet(t, 50*time.Millisecond)
	// The object can connect again.
	require.NoError(t, ws.ConnectContext(ctx, r.url(), nil))
	e.expect(t, "headerReceive", "open")
	require.NoError(t, ws.CloseContext(ctx, nil))
	e.expect(t, "close 1000")
}

// TestReconnectCloseDuringAttempt: Close while a reconnect attempt waits
// for its 101 aborts it at once, and no close event fires for it.
func TestReconnectCloseDuringAttempt(t *testing.T) {
	r := newRestartable(t)
	ws := websocket.CreateWebSocket()
	e := record(t, ws)
	ctx := receiveCtx(t)
	require.NoError(t, ws.ConnectContext(ctx, r.url(), &websocket.RequestOptions{Reconnect: fast()}))
	e.expect(t, "headerReceive", "open")
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	r.hold.Store(&release) // the next handshakes wait
	r.drop()
	e.expect(t, "error", "close 1006", "reconnect 1")
	require.Eventually(t, func() bool { return r.held.Load() > 0 }, receiveTimeout, time.Millisecond, "the attempt reached the server")
	start := time.Now()
	require.NoError(t, ws.CloseContext(ctx, nil))
	assert.Less(t, time.Since(start), 100*time.Millisecond)
	e.quiet(t, 50*time.Millisecond)
}

// TestReconnectCycles: 1,000 drop and reconnect cycles leave no goroutine,
// timer or descriptor behind.
func TestReconnectCycles(t *testing.T) {
	srv := echoserver.New(echoserver.Options{Commands: true})
	t.Cleanup(srv.Close)
	runtime.GC()
	goroutines, fds := runtime.NumGoroutine(), countFDs()
	ws := websocket.CreateWebSocket()
	opened := make(chan struct{}, 1)
	require.NoError(t, ws.OnOpen(websocket.Data(func(map[uint32]string) { opened <- struct{}{} })))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	require.NoError(t, ws.ConnectContext(ctx, srv.WSURL("/"), &websocket.RequestOptions{Reconnect: &websocket.ReconnectPolicy{InitialDelay: time.Microsecond, MaxDelay: time.Microsecond}}))
	<-opened
	const cycles = 1000
	for i := range cycles {
		require.NoError(t, ws.SendContext(ctx, websocket.StringData("cmd:drop")), "cycle %d", i)
		select {
		case <-opened:
		case <-ctx.Done():
			t.Fatalf("cycle %d: no reopen", i)
		}
	}
	require.NoError(t, ws.CloseContext(ctx, nil))
	srv.CloseClientConnections()
	require.Eventually(t, func() bool {
		return runtime.NumGoroutine() <= goroutines+2 && (fds < 0 || countFDs() <= fds+2)
	}, 10*time.Second, 10*time.Millisecond, "goroutines %d (start %d), fds %d (start %d)", runtime.NumGoroutine(), goroutines, countFDs(), fds)
}

func countFDs() int {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return -1
	}
	return len(entries)
}
