package ohos_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
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

// Faults and load: many connections in a row and at once, a server that
// dies in the middle of a message, Close racing Send, and callbacks that
// panic or block. Every loop here is bounded in count and in time.

// resources is what a process holds that a leaking connection would keep.
type resources struct {
	goroutines int
	fds        int // -1 where /proc/self/fd does not exist
	heapInuse  uint64
}

func (r resources) String() string {
	return fmt.Sprintf("%d goroutines, %d fds, heap in use %.1f MiB",
		r.goroutines, r.fds, float64(r.heapInuse)/(1<<20))
}

// openFDs counts the process's open file descriptors, or returns -1 where
// /proc/self/fd is not available.
func openFDs(t *testing.T) int {
	t.Helper()
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return -1
	}
	return len(entries)
}

// measure collects garbage and reads the current resources.
func measure(t *testing.T) resources {
	t.Helper()
	runtime.GC()
	runtime.GC() // the second cycle frees what the first one's finalizers released
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return resources{goroutines: runtime.NumGoroutine(), fds: openFDs(t), heapInuse: ms.HeapInuse}
}

// Slack allowed over the starting level once everything has ended. A
// leaked connection holds at least gorilla's 4 KiB read and write buffers,
// so 1,000 leaked connections exceed the heap slack.
const (
	goroutineSlack = 2
	fdSlack        = 2
	heapSlack      = 4 << 20
)

// assertBackToStart waits, polling on a ticker under a deadline, until the
// goroutines and file descriptors are back to the starting level (plus a
// small slack), then checks the heap. The descriptors are counted before
// any forced collection: a socket left to the garbage collector's finalizer
// is a leak too.
func assertBackToStart(t *testing.T, start resources) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	var goroutines, fds int
	for settled := false; !settled; {
		goroutines, fds = runtime.NumGoroutine(), openFDs(t)
		settled = goroutines <= start.goroutines+goroutineSlack && fds <= start.fds+fdSlack
		select {
		case <-tick.C:
		case <-deadline:
			settled = true
		}
	}
	now := measure(t)
	t.Logf("start: %v; end: %d goroutines, %d fds, heap in use %.1f MiB", start, goroutines, fds, float64(now.heapInuse)/(1<<20))
	if !assert.LessOrEqual(t, goroutines, start.goroutines+goroutineSlack, "goroutines did not return to the starting level") {
		buf := make([]byte, 1<<20)
		t.Logf("goroutines:\n%s", buf[:runtime.Stack(buf, true)])
	}
	if start.fds >= 0 {
		assert.LessOrEqual(t, fds, start.fds+fdSlack, "file descriptors did not return to the starting level")
	} else {
		t.Log("/proc/self/fd is not available: file descriptors not counted")
	}
	assert.LessOrEqual(t, now.heapInuse, start.heapInuse+heapSlack, "heap in use grew by more than %d MiB", heapSlack>>20)
}

// cycler runs connect → echo → close cycles against one echo server and
// checks every step of each.
type cycler struct {
	url    string
	msgs   chan websocket.MessageData
	closes chan websocket.CloseResult
}

// listen registers the cycler's message and close listeners on ws.
func (c *cycler) listen(t *testing.T, ws *websocket.WebSocket) {
	t.Helper()
	require.NoError(t, ws.OnMessage(websocket.WebSocketAsyncCallbackFunc[websocket.MessageData](
		func(_ mo.Option[callback.AsyncError], d mo.Option[websocket.MessageData]) { c.msgs <- d.OrEmpty() })))
	require.NoError(t, ws.OnClose(websocket.WebSocketAsyncCallbackFunc[websocket.CloseResult](
		func(_ mo.Option[callback.AsyncError], d mo.Option[websocket.CloseResult]) { c.closes <- d.OrEmpty() })))
}

// cycle connects ws, echoes one message, closes, and waits for the close
// event; it returns the first thing that went wrong.
func (c *cycler) cycle(ctx context.Context, ws *websocket.WebSocket, i int) error {
	if err := ws.ConnectContext(ctx, c.url, nil); err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	text := fmt.Sprintf("cycle %d", i)
	if err := ws.SendContext(ctx, websocket.StringData(text)); err != nil {
		return fmt.Errorf("send: %w", err)
	}
	select {
	case m := <-c.msgs:
		if m != websocket.MessageData(websocket.StringData(text)) {
			return fmt.Errorf("echo: got %v, want %q", m, text)
		}
	case <-ctx.Done():
		return fmt.Errorf("no echo: %w", ctx.Err())
	}
	if err := ws.CloseContext(ctx, nil); err != nil {
		return fmt.Errorf("close: %w", err)
	}
	select {
	case res := <-c.closes:
		if res != (websocket.CloseResult{Code: 1000}) {
			return fmt.Errorf("close event %+v, want {1000 \"\"}", res)
		}
	case <-ctx.Done():
		return fmt.Errorf("no close event: %w", ctx.Err())
	}
	return nil
}

// runCycles runs n cycles against a server of its own, which it closes
// before returning, so that nothing of the server remains either.
func runCycles(t *testing.T, n int, fresh bool) {
	t.Helper()
	srv := echoserver.New(echoserver.Options{})
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	c := &cycler{url: srv.WSURL("/cycle"), msgs: make(chan websocket.MessageData, 1), closes: make(chan websocket.CloseResult, 1)}
	var ws *websocket.WebSocket
	began := time.Now()
	for i := range n {
		if ws == nil || fresh {
			ws = websocket.CreateWebSocket()
			c.listen(t, ws)
		}
		require.NoError(t, c.cycle(ctx, ws, i), "cycle %d of %d", i, n)
	}
	t.Logf("%d cycles in %v", n, time.Since(began).Round(time.Millisecond))
	select {
	case m := <-c.msgs:
		t.Errorf("message after the last cycle: %v", m)
	case res := <-c.closes:
		t.Errorf("second close event after the last cycle: %+v", res)
	default:
	}
}

// TestCycleLeaks runs 1,000 connect → echo → close cycles on one object and
// 1,000 on fresh objects, and checks that goroutines, file descriptors and
// the heap return to their starting level (BEHAVIOR §2.8).
func TestCycleLeaks(t *testing.T) {
	// 1,000 cycles take about a second each way under -race on 2 cores, so
	// the full count always runs.
	const cycles = 1000
	for _, tc := range []struct {
		name  string
		fresh bool
	}{
		{"one object", false},
		{"fresh objects", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := measure(t)
			runCycles(t, cycles, tc.fresh)
			assertBackToStart(t, start)
		})
	}
}

// TestLoadConcurrentClients sends 500 messages from each of 200 clients at
// once through one echo server: every message comes back exactly once, in
// order per connection, as the type it was sent.
func TestLoadConcurrentClients(t *testing.T) {
	const clients, perClient = 200, 500
	srv := newServer(t, echoserver.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	began := time.Now()

	type client struct {
		ws      *websocket.WebSocket
		got     []websocket.MessageData // appended on the client's callback goroutine
		count   atomic.Int32            // len(got), for reading from the test goroutine
		all     chan struct{}           // closed at the perClient-th message
		closed  chan int                // the number of messages when the close event came
		sent    atomic.Int32
		sendErr chan error
	}
	msg := func(c, i int) websocket.MessageData {
		s := fmt.Sprintf("client %03d message %03d", c, i)
		if i%2 == 1 {
			return websocket.ArrayData(s)
		}
		return websocket.StringData(s)
	}
	cs := make([]*client, clients)
	for n := range cs {
		c := &client{ws: wstest.NewWS(t), all: make(chan struct{}), closed: make(chan int, 2), sendErr: make(chan error, perClient+1)}
		require.NoError(t, c.ws.OnMessage(websocket.WebSocketAsyncCallbackFunc[websocket.MessageData](
			func(_ mo.Option[callback.AsyncError], d mo.Option[websocket.MessageData]) {
				c.got = append(c.got, d.OrEmpty())
				if c.count.Add(1) == perClient {
					close(c.all)
				}
			})))
		require.NoError(t, c.ws.OnClose(websocket.WebSocketAsyncCallbackFunc[websocket.CloseResult](
			func(_ mo.Option[callback.AsyncError], d mo.Option[websocket.CloseResult]) {
				assert.Equal(t, websocket.CloseResult{Code: 1000}, d.OrEmpty())
				c.closed <- len(c.got)
			})))
		cs[n] = c
	}

	// Connect all at once, then send everything, pipelined through Send.
	var wg sync.WaitGroup
	for n, c := range cs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := c.ws.ConnectContext(ctx, srv.WSURL(fmt.Sprintf("/client/%d", n)), nil); err != nil {
				c.sendErr <- fmt.Errorf("connect: %w", err)
				return
			}
			for i := range perClient {
				c.ws.Send(msg(n, i), func(e mo.Option[callback.AsyncError], ok mo.Option[bool]) {
					if ae, failed := e.Get(); failed || !ok.OrEmpty() {
						c.sendErr <- fmt.Errorf("send %d: %v", i, ae)
						return
					}
					c.sent.Add(1)
				})
			}
		}()
	}
	wg.Wait()
	for n, c := range cs {
		select {
		case <-c.all:
		case err := <-c.sendErr:
			require.NoError(t, err, "client %d", n)
		case <-ctx.Done():
			require.FailNow(t, "not every message came back in time", "client %d got %d of %d", n, c.count.Load(), perClient)
		}
	}
	t.Logf("%d clients × %d messages echoed in %v", clients, perClient, time.Since(began).Round(time.Millisecond))

	for n, c := range cs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			assert.NoError(t, c.ws.CloseContext(ctx, nil), "client %d", n)
		}()
	}
	wg.Wait()
	for n, c := range cs {
		select {
		case count := <-c.closed:
			// Nothing arrived after the last echo.
			assert.Equal(t, perClient, count, "client %d: messages before the close event", n)
		case <-ctx.Done():
			require.FailNow(t, "no close event", "client %d", n)
		}
		assert.EqualValues(t, perClient, c.sent.Load(), "client %d: sends completed", n)
		select {
		case err := <-c.sendErr:
			assert.NoError(t, err, "client %d", n)
		default:
		}
		for i, m := range c.got {
			if !assert.Equal(t, msg(n, i), m, "client %d: message %d", n, i) {
				break
			}
		}
	}
}

// cutServer is a server that dies in the middle of a message: it accepts
// one connection, answers the handshake, sends the header of a 1 MiB binary
// frame and half of its payload, and drops the TCP connection, with a reset
// if reset is set.
type cutServer struct {
	ln       net.Listener
	err      error // what went wrong on the server's side; read after finished
	finished chan struct{}
}

func newCutServer(t *testing.T, reset bool) *cutServer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s := &cutServer{ln: ln, finished: make(chan struct{})}
	go func() {
		defer close(s.finished)
		s.err = s.serve(reset)
	}()
	t.Cleanup(func() {
		ln.Close()
		<-s.finished
	})
	return s
}

func (s *cutServer) URL() string { return "ws://" + s.ln.Addr().String() + "/" }

func (s *cutServer) serve(reset bool) error {
	c, err := s.ln.Accept()
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(wstest.Timeout))
	req, err := http.ReadRequest(bufio.NewReader(c))
	if err != nil {
		return err
	}
	sum := sha1.Sum([]byte(req.Header.Get("Sec-WebSocket-Key") + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
	if _, err := fmt.Fprintf(c, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n",
		base64.StdEncoding.EncodeToString(sum[:])); err != nil {
		return err
	}
	const size = 1 << 20
	frame := []byte{0x82, 127, 0, 0, 0, 0, 0, 0, 0, 0} // FIN, binary, 64-bit length
	binary.BigEndian.PutUint64(frame[2:], size)
	frame = append(frame, bytes.Repeat([]byte{0xa5}, size/2)...)
	if _, err := c.Write(frame); err != nil {
		return err
	}
	if reset {
		c.(*net.TCPConn).SetLinger(0)
	}
	return c.Close()
}

// TestKillMidMessage drops the link in the middle of a 1 MiB message: the
// error event, then close 1006, and no message event (BEHAVIOR §3).
func TestKillMidMessage(t *testing.T) {
	for _, tc := range []struct {
		name  string
		reset bool
	}{
		{"FIN", false},
		{"RST", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newCutServer(t, tc.reset)
			ws := wstest.NewWS(t)
			r := wstest.NewRecorder(t, ws)
			r.Open(t, srv.URL(), nil)
			evs := r.Expect(t, "error", "close")
			wstest.AssertCode(t, evs[0].Err, websocket.ErrConnectionFailed)
			assert.ErrorIs(t, evs[0].Err, websocket.ErrLinkDown)
			assert.Equal(t, websocket.CloseResult{Code: 1006, Reason: "The link is down"}, evs[1].Close)
			r.Quiet(t, 100*time.Millisecond) // no message, dataEnd or second close
			wstest.AssertCode(t, ws.SendContext(wstest.Ctx(t), websocket.ArrayData("after")), websocket.ErrConnectionNotExist)
			select {
			case <-srv.finished:
				require.NoError(t, srv.err, "the server")
			case <-time.After(wstest.Timeout):
				require.FailNow(t, "the server did not finish")
			}
		})
	}
}

// TestCloseRacesSend closes while 50 goroutines send: every Send completes
// exactly once, with success or 2302006; Close completes once; exactly one
// close event; no deadlock (BEHAVIOR §2.2, §2.6).
func TestCloseRacesSend(t *testing.T) {
	const rounds, senders, maxSends = 5, 50, 100
	srv := newServer(t, echoserver.Options{})
	for round := range rounds {
		t.Run(fmt.Sprint("round ", round), func(t *testing.T) {
			ws := wstest.NewWS(t)
			r := wstest.NewRecorder(t, ws)
			r.Open(t, srv.WSURL("/race"), nil)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()

			// calls[g][i] counts the completions of goroutine g's i-th Send.
			var calls [senders][maxSends]atomic.Int32
			var started, succeeded, refused atomic.Int32
			closeNow := make(chan struct{})
			var closeOnce sync.Once
			errs := make(chan error, senders*maxSends)
			var wg sync.WaitGroup
			for g := range senders {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range maxSends {
						if started.Add(1) == senders*maxSends/10 {
							closeOnce.Do(func() { close(closeNow) })
						}
						data := websocket.StringData(fmt.Sprintf("%02d-%03d", g, i))
						var err error
						if g%2 == 0 { // the blocking face
							err = ws.SendContext(ctx, data)
							calls[g][i].Add(1)
						} else { // the callback face, one Send at a time
							done := make(chan error, 1)
							ws.Send(data, func(e mo.Option[callback.AsyncError], ok mo.Option[bool]) {
								calls[g][i].Add(1)
								if ae, failed := e.Get(); failed {
									done <- ae
								} else if !ok.OrEmpty() {
									done <- errors.New("completion without error and without Some(true)")
								} else {
									done <- nil
								}
							})
							select {
							case err = <-done:
							case <-ctx.Done():
								err = fmt.Errorf("send callback never ran: %w", ctx.Err())
							}
						}
						switch {
						case err == nil:
							succeeded.Add(1)
						case errors.Is(err, websocket.ErrConnectionNotExist):
							refused.Add(1)
							return // closed: later sends would only be refused too
						default:
							errs <- fmt.Errorf("goroutine %d send %d: %w", g, i, err)
							return
						}
					}
				}()
			}
			go func() {
				select {
				case <-closeNow:
				case <-ctx.Done():
				}
				ws.Close(r.Done("closecb"), nil)
			}()
			finished := make(chan struct{})
			go func() { wg.Wait(); close(finished) }()
			select {
			case <-finished:
			case <-ctx.Done():
				require.FailNow(t, "senders deadlocked", "started %d, succeeded %d, refused %d", started.Load(), succeeded.Load(), refused.Load())
			}
			close(errs)
			for err := range errs {
				assert.NoError(t, err)
			}

			var closecb, closes []wstest.Event
			for len(closes) == 0 {
				e := r.WaitFor(t, "the close event", func(e wstest.Event) bool { return e.Kind != "message" && e.Kind != "dataEnd" })
				switch e.Kind {
				case "closecb":
					closecb = append(closecb, e)
				case "close":
					closes = append(closes, e)
				default:
					require.FailNow(t, "unexpected event", "%v", e)
				}
			}
			require.Len(t, closecb, 1, "Close completions")
			assert.True(t, closecb[0].OK, "%v", closecb[0])
			assert.Equal(t, websocket.CloseResult{Code: 1000}, closes[0].Close)
			r.Quiet(t, 100*time.Millisecond) // no second close event or completion
			wstest.AssertCode(t, ws.SendContext(ctx, websocket.StringData("after")), websocket.ErrConnectionNotExist)
			for g := range senders {
				for i := range maxSends {
					if n := calls[g][i].Load(); n > 1 {
						t.Errorf("goroutine %d send %d completed %d times", g, i, n)
					}
				}
			}
			assert.Equal(t, started.Load(), succeeded.Load()+refused.Load(), "every Send completed once")
			t.Logf("%d sends: %d sent, %d refused after Close", started.Load(), succeeded.Load(), refused.Load())
		})
	}
}

// captureLog sends the standard logger's output to a buffer until the test
// ends.
func captureLog(t *testing.T) *wstest.LogBuffer {
	b := &wstest.LogBuffer{}
	out, flags := log.Writer(), log.Flags()
	log.SetOutput(b)
	t.Cleanup(func() {
		log.SetOutput(out)
		log.SetFlags(flags)
	})
	return b
}

// assertPanicLogged checks that the panic of a callback for what was logged
// with its value and its stack.
func assertPanicLogged(t *testing.T, logs *wstest.LogBuffer, what, value string) {
	t.Helper()
	out := logs.String()
	assert.Contains(t, out, fmt.Sprintf("websocket: panic in %s callback: %s", what, value))
	assert.Contains(t, out, "faults_test.go", "the stack of the panic is logged")
}

// TestPanicInCallback checks the documented behaviour of a panicking
// callback: it is recovered, logged with its stack through the standard log
// package and skipped; the next callback registered for the same event
// still runs, and later events still arrive.
func TestPanicInCallback(t *testing.T) {
	srv := newServer(t, echoserver.Options{Commands: true})

	// Each case registers a callback that panics before the recorder's
	// callbacks, then goes through a whole connection.
	for _, tc := range []struct {
		event    string
		register func(*websocket.WebSocket, func()) error
	}{
		{"headerReceive", func(ws *websocket.WebSocket, boom func()) error {
			return ws.OnHeaderReceive(callback.Callback1Func[websocket.ResponseHeaders](func(websocket.ResponseHeaders) { boom() }))
		}},
		{"open", func(ws *websocket.WebSocket, boom func()) error {
			return ws.OnOpen(websocket.WebSocketAsyncCallbackFunc[map[uint32]string](
				func(mo.Option[callback.AsyncError], mo.Option[map[uint32]string]) { boom() }))
		}},
		{"message", func(ws *websocket.WebSocket, boom func()) error {
			return ws.OnMessage(websocket.WebSocketAsyncCallbackFunc[websocket.MessageData](
				func(mo.Option[callback.AsyncError], mo.Option[websocket.MessageData]) { boom() }))
		}},
		{"dataEnd", func(ws *websocket.WebSocket, boom func()) error {
			return ws.OnDataEnd(callback.Callback0Func(boom))
		}},
		{"close", func(ws *websocket.WebSocket, boom func()) error {
			return ws.OnClose(websocket.WebSocketAsyncCallbackFunc[websocket.CloseResult](
				func(mo.Option[callback.AsyncError], mo.Option[websocket.CloseResult]) { boom() }))
		}},
	} {
		t.Run(tc.event, func(t *testing.T) {
			logs := captureLog(t)
			ws := wstest.NewWS(t)
			var panics atomic.Int32
			value := "boom in the " + tc.event + " callback"
			require.NoError(t, tc.register(ws, func() {
				panics.Add(1)
				panic(value)
			}))
			r := wstest.NewRecorder(t, ws)
			// Two connections on the same object: events keep coming after
			// the panic, also after a panicking close callback.
			for i := range 2 {
				r.Open(t, srv.WSURL("/panic"), nil)
				r.Echo(t, fmt.Sprint("after the panic ", i))
				r.Echo(t, "and again")
				assert.Equal(t, websocket.CloseResult{Code: 1000}, r.Shut(t).Close)
			}
			assert.Positive(t, panics.Load(), "the callback ran")
			assertPanicLogged(t, logs, tc.event, value)
		})
	}

	t.Run("error", func(t *testing.T) {
		logs := captureLog(t)
		ws := wstest.NewWS(t)
		require.NoError(t, ws.OnError(websocket.WebSocketErrorCallbackFunc(func(*callback.BusinessException) {
			panic("boom in the error callback")
		})))
		r := wstest.NewRecorder(t, ws)
		ws.Connect(wstest.RefusedURL(t), r.Done("connect"), nil)
		evs := r.ExpectSet(t, "connect", "error")
		wstest.AssertCode(t, evs["error"].Err, websocket.ErrConnectionFailed)
		assertPanicLogged(t, logs, "error", "boom in the error callback")
		// The object still works.
		r.Open(t, srv.WSURL("/after-error"), nil)
		r.Echo(t, "after the panic")
		r.Shut(t)
	})

	t.Run("completion", func(t *testing.T) {
		logs := captureLog(t)
		ws := wstest.NewWS(t)
		r := wstest.NewRecorder(t, ws)
		r.Open(t, srv.WSURL("/completion"), nil)
		ws.Send(websocket.StringData("first"), func(mo.Option[callback.AsyncError], mo.Option[bool]) {
			panic("boom in a Send callback")
		})
		ws.Send(websocket.StringData("second"), r.Done("send"))
		// The panicking completion is skipped; the next completion and the
		// echoes still come, in order.
		var kinds []string
		var msgs []string
		for range 5 { // send, message, dataEnd, message, dataEnd (completion and echoes interleave)
			e := r.Next(t)
			kinds = append(kinds, e.Kind)
			if e.Kind == "message" {
				msgs = append(msgs, e.Msg.String())
			}
			if e.Kind == "send" {
				assert.True(t, e.OK, "%v", e)
			}
		}
		assert.ElementsMatch(t, []string{"send", "message", "dataEnd", "message", "dataEnd"}, kinds)
		assert.Equal(t, []string{"first", "second"}, msgs)
		assertPanicLogged(t, logs, "completion", "boom in a Send callback")
		r.Echo(t, "after the panic")
		r.Shut(t)
	})
}

// TestBlockingCallback checks the documented behaviour of a slow callback:
// it delays the later callbacks of its own object, which then run in order,
// and nothing else: another object's events and the blocking methods of the
// same object go on.
func TestBlockingCallback(t *testing.T) {
	srv := newServer(t, echoserver.Options{})
	ctx := wstest.Ctx(t)

	slow := wstest.NewWS(t)
	release := make(chan struct{})
	var releaseOnce sync.Once
	t.Cleanup(func() { releaseOnce.Do(func() { close(release) }) })
	blocked := make(chan struct{})
	require.NoError(t, slow.OnMessage(websocket.WebSocketAsyncCallbackFunc[websocket.MessageData](
		func(_ mo.Option[callback.AsyncError], d mo.Option[websocket.MessageData]) {
			if d.OrEmpty().String() == "block" {
				close(blocked)
				select {
				case <-release:
				case <-time.After(2 * wstest.Timeout): // never forever, whatever the test does
				}
			}
		})))
	rs := wstest.NewRecorder(t, slow)
	rs.Open(t, srv.WSURL("/slow"), nil)

	other := wstest.NewWS(t)
	ro := wstest.NewRecorder(t, other)
	ro.Open(t, srv.WSURL("/other"), nil)

	require.NoError(t, slow.SendContext(ctx, websocket.StringData("block")))
	select {
	case <-blocked:
	case <-ctx.Done():
		require.FailNow(t, "the message callback did not run")
	}

	// While the callback blocks, the object still sends, and another object
	// is not delayed at all.
	const later = 20
	for i := range later {
		require.NoError(t, slow.SendContext(ctx, websocket.StringData(fmt.Sprint("later ", i))))
		ro.Echo(t, fmt.Sprint("other ", i))
	}
	rs.Quiet(t, 100*time.Millisecond) // nothing of the slow object runs meanwhile
	// CloseContext returns when the connection has closed, even though the
	// callbacks of its events still wait.
	require.NoError(t, slow.CloseContext(ctx, nil))
	rs.Quiet(t, 50*time.Millisecond)

	releaseOnce.Do(func() { close(release) })
	evs := rs.Expect(t, "message", "dataEnd")
	assert.Equal(t, websocket.MessageData(websocket.StringData("block")), evs[0].Msg)
	for i := range later {
		evs := rs.Expect(t, "message", "dataEnd")
		assert.Equal(t, websocket.MessageData(websocket.StringData(fmt.Sprint("later ", i))), evs[0].Msg)
	}
	assert.Equal(t, websocket.CloseResult{Code: 1000}, rs.Expect(t, "close")[0].Close)
	ro.Shut(t)
}
