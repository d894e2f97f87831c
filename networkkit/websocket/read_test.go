package websocket_test

// Tests of the reader (package doc, sections Back-pressure and Opening
// handshake): the receive queue's bounds, what a held reader does to the
// server, to keep-alive and to Close, and the frames that arrive with the
// 101 answer.

import (
	"encoding/binary"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/samber/mo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cangjie-go/ohos/callback"
	"github.com/cangjie-go/ohos/internal/hostile"
	"github.com/cangjie-go/ohos/internal/wstest"
	"github.com/cangjie-go/ohos/networkkit/websocket"
)

// chattyServer sends count binary messages of size bytes, numbered from 0,
// as fast as the client takes them (with a small send buffer, so that its
// writes block soon after the client stops reading), once the test opens
// start. Then it reads until the client's Close and answers it.
type chattyServer struct {
	*hostile.Server
	start *gate
	sent  atomic.Int64 // messages written whole
}

func newChattyServer(t *testing.T, count, size int) *chattyServer {
	s := &chattyServer{start: newGate()}
	s.Server = hostile.New(t, func(c *hostile.Conn) {
		smallWriteBuffer(c)
		if _, err := c.Upgrade(); err != nil {
			return
		}
		// One frame, written again and again with its number changed, so
		// that the server allocates nothing while it sends.
		frame := hostile.Binary(payload(0, size)).Encode()
		at := len(frame) - size
		if !s.start.wait() {
			return
		}
		for i := range count {
			binary.BigEndian.PutUint64(frame[at:], uint64(i))
			if c.WriteRaw(frame) != nil {
				return
			}
			s.sent.Store(int64(i + 1))
		}
		answerClose(c)
	})
	t.Cleanup(s.start.open)
	return s
}

// heapInUse collects garbage and returns the bytes of live heap objects.
func heapInUse() int64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc)
}

// blocker is a callback that blocks the first time it runs, until
// released.
type blocker struct {
	entered chan struct{}
	release *gate
	once    atomic.Bool
}

func newBlocker(t *testing.T) *blocker {
	b := &blocker{entered: make(chan struct{}), release: newGate()}
	t.Cleanup(b.release.open)
	return b
}

func (b *blocker) block() {
	if b.once.CompareAndSwap(false, true) {
		close(b.entered)
		b.release.wait()
	}
}

// TestBackPressure checks the bound on received data: while the callbacks
// do not take messages, the reader stops reading once the receive queue
// is full, the server's writes block in TCP, and the memory held stays
// under ReceiveQueueBytes + 2 × MaxMessageSize; once the callbacks go on,
// every message arrives, in order. A message callback that blocks holds
// the reader itself; an open callback that blocks holds the callbacks
// while the reader fills the queue (package doc, section Back-pressure).
func TestBackPressure(t *testing.T) {
	const (
		count      = 300
		size       = 1 << 20
		queueBytes = 2 << 20
		slack      = 2 << 20 // the runtime's and the test's own allocations
	)
	for _, tt := range []struct {
		name  string
		event websocket.OnOffType
	}{
		{"message callback blocks the reader", websocket.EventMessage{}},
		{"open callback blocks, messages queue", websocket.EventOpen{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := newChattyServer(t, count, size)
			ws := wstest.NewWS(t)
			b := newBlocker(t)
			switch tt.event.(type) {
			case websocket.EventMessage:
				require.NoError(t, ws.OnMessage(websocket.WebSocketAsyncCallbackFunc[websocket.MessageData](
					func(mo.Option[callback.AsyncError], mo.Option[websocket.MessageData]) { b.block() })))
			case websocket.EventOpen:
				require.NoError(t, ws.OnOpen(websocket.WebSocketAsyncCallbackFunc[map[uint32]string](
					func(mo.Option[callback.AsyncError], mo.Option[map[uint32]string]) { b.block() })))
			}
			r := wstest.Detached(ws)
			r.Attach(t) // after the blocking callback: the recorder sees what follows it
			opts := &websocket.RequestOptions{MaxMessageSize: size, ReceiveQueueBytes: queueBytes}
			if _, ok := tt.event.(websocket.EventMessage); ok {
				r.Open(t, srv.URL(), opts) // the open callbacks are done: the reader runs the message callback itself
			} else {
				require.NoError(t, ws.ConnectContext(wstest.Ctx(t), srv.URL(), opts))
			}

			base := heapInUse()
			srv.start.open()
			recv(t, b.entered)
			sent := waitStalled(t, srv.sent.Load, 300*time.Millisecond)
			grown := heapInUse() - base
			t.Logf("the server wrote %d of %d messages; the heap grew by %.1f MiB", sent, count, float64(grown)/(1<<20))
			assert.Less(t, sent, int64(count), "the server's writes must block")
			assert.Less(t, grown, int64(queueBytes+2*size+slack), "memory beyond the bound")

			b.release.open()
			next := 0
			for next < count {
				e := r.Next(t)
				switch e.Kind {
				case "headerReceive", "connect", "open", "dataEnd":
				case "message":
					data, ok := e.Msg.(websocket.ArrayData)
					require.True(t, ok, "%v", e)
					require.Equal(t, uint64(next), idOf(data), "messages arrive in order")
					require.Equal(t, size, len(data))
					next++
				default:
					require.Fail(t, "unexpected event", "%v", e)
				}
			}
			r.Expect(t, "dataEnd")
			assert.Equal(t, websocket.CloseResult{Code: 1000}, r.Shut(t).Close)
		})
	}
}

// TestReceiveQueueBounds checks each bound of the receive queue alone:
// ReceiveQueueSize messages, or ReceiveQueueBytes bytes, stop the reader
// while the callbacks are held (package doc, section Back-pressure).
func TestReceiveQueueBounds(t *testing.T) {
	for _, tt := range []struct {
		name  string
		count int
		size  int
		opts  websocket.RequestOptions
	}{
		{"ReceiveQueueSize", 16000, 4 << 10, websocket.RequestOptions{ReceiveQueueSize: 8, ReceiveQueueBytes: 1 << 30}},
		{"ReceiveQueueBytes", 1000, 64 << 10, websocket.RequestOptions{ReceiveQueueSize: 1 << 20, ReceiveQueueBytes: 256 << 10}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := newChattyServer(t, tt.count, tt.size)
			ws := wstest.NewWS(t)
			b := newBlocker(t)
			require.NoError(t, ws.OnOpen(websocket.WebSocketAsyncCallbackFunc[map[uint32]string](
				func(mo.Option[callback.AsyncError], mo.Option[map[uint32]string]) { b.block() })))
			var got atomic.Int64 // messages in order so far
			all := make(chan struct{})
			require.NoError(t, ws.OnMessage(websocket.WebSocketAsyncCallbackFunc[websocket.MessageData](
				func(_ mo.Option[callback.AsyncError], data mo.Option[websocket.MessageData]) {
					if m := data.MustGet().(websocket.ArrayData); idOf(m) == uint64(got.Load()) {
						if got.Add(1) == int64(tt.count) {
							close(all)
						}
					}
				})))
			require.NoError(t, ws.ConnectContext(wstest.Ctx(t), srv.URL(), &tt.opts))
			srv.start.open()
			recv(t, b.entered)
			sent := waitStalled(t, srv.sent.Load, 300*time.Millisecond)
			t.Logf("the server wrote %d of %d messages", sent, tt.count)
			assert.Less(t, sent, int64(tt.count), "the server's writes must block")

			b.release.open()
			select {
			case <-all:
			case <-time.After(wstest.Timeout):
				assert.Fail(t, "not every message arrived in order", "%d of %d", got.Load(), tt.count)
			}
			require.NoError(t, ws.CloseContext(wstest.Ctx(t), nil))
		})
	}
}

// TestCloseWhileReaderHeld checks that Close completes promptly while a
// message callback blocks the reader and the server keeps sending: after
// Close the reader is never held, so the server's Close frame is read
// (package doc, section Back-pressure).
func TestCloseWhileReaderHeld(t *testing.T) {
	closing := atomic.Bool{}
	srv := hostile.New(t, func(c *hostile.Conn) {
		smallWriteBuffer(c)
		if _, err := c.Upgrade(); err != nil {
			return
		}
		// The client's text message starts the sending; its Close frame
		// stops it.
		started := make(chan struct{})
		var once sync.Once
		start := func() { once.Do(func() { close(started) }) }
		go func() {
			defer start()
			for {
				f, err := nextFrame(c)
				if err != nil {
					return
				}
				switch f.Opcode {
				case hostile.OpText:
					start()
				case hostile.OpClose:
					closing.Store(true)
					return
				}
			}
		}()
		<-started
		frame := hostile.Binary(make([]byte, 256<<10)).Encode()
		for deadline := soon(); !closing.Load() && time.Now().Before(deadline); {
			if c.WriteRaw(frame) != nil {
				return
			}
		}
		c.WriteFrame(hostile.Close(1000, ""))
		c.WaitTCPClose(soon())
	})
	ws := wstest.NewWS(t)
	b := newBlocker(t)
	require.NoError(t, ws.OnMessage(websocket.WebSocketAsyncCallbackFunc[websocket.MessageData](
		func(mo.Option[callback.AsyncError], mo.Option[websocket.MessageData]) { b.block() })))
	r := wstest.NewRecorder(t, ws)
	r.Open(t, srv.URL(), &websocket.RequestOptions{CloseTimeout: 10 * time.Second})
	// Once the open callbacks are done, so that the reader runs the message
	// callback itself.
	require.NoError(t, ws.SendContext(wstest.Ctx(t), websocket.StringData("go")))
	recv(t, b.entered)

	start := time.Now()
	require.NoError(t, ws.CloseContext(wstest.Ctx(t), nil))
	assert.Less(t, time.Since(start), time.Second, "Close waited for the held reader")
	b.release.open()
	e := r.WaitFor(t, "the close event", func(e wstest.Event) bool { return e.Kind == "close" })
	assert.Equal(t, websocket.CloseResult{Code: 1000}, e.Close)
}

// TestHeldReaderAndKeepAlive checks keep-alive while a message callback
// holds the reader: the Pong timeout does not fail the connection, since
// the reader cannot see the Pong; the server's Ping is answered once the
// reader resumes; and the connection goes on (package doc, sections
// Back-pressure and Keep-alive).
func TestHeldReaderAndKeepAlive(t *testing.T) {
	const hold = time.Second
	pongAt := make(chan time.Time, 1)
	srv := hostile.New(t, func(c *hostile.Conn) {
		if _, err := c.Upgrade(); err != nil {
			return
		}
		started := false
		for {
			f, err := nextFrame(c)
			if err != nil {
				return
			}
			switch {
			case f.Opcode == hostile.OpPing:
				c.WriteFrame(hostile.Pong(f.Payload))
			case f.Opcode == hostile.OpPong && string(f.Payload) == "server":
				pongAt <- time.Now()
			case f.Opcode == hostile.OpText && !started:
				// The open callbacks are done: the reader runs the message
				// callback itself, and then reads the Ping.
				started = true
				c.WriteFrames([]hostile.Frame{hostile.Text("hold"), hostile.Ping([]byte("server"))})
			case f.Opcode == hostile.OpText:
				c.WriteFrame(hostile.Text(string(f.Payload)))
			case f.Opcode == hostile.OpClose:
				c.WriteFrame(hostile.Close(1000, ""))
				return
			}
		}
	})
	ws := wstest.NewWS(t)
	b := newBlocker(t)
	require.NoError(t, ws.OnMessage(websocket.WebSocketAsyncCallbackFunc[websocket.MessageData](
		func(mo.Option[callback.AsyncError], mo.Option[websocket.MessageData]) { b.block() })))
	r := wstest.NewRecorder(t, ws)
	r.Open(t, srv.URL(), &websocket.RequestOptions{
		PingInterval: mo.Some(20 * time.Millisecond),
		PongTimeout:  mo.Some(300 * time.Millisecond), // it passes while the reader is held
	})
	require.NoError(t, ws.SendContext(wstest.Ctx(t), websocket.StringData("go")))
	recv(t, b.entered)
	held := time.Now()
	select {
	case <-pongAt:
		t.Fatal("the held reader answered a Ping")
	case e := <-r.C():
		t.Fatalf("event while the reader is held: %v", e)
	case <-time.After(hold):
	}
	released := time.Now()
	b.release.open()
	t.Logf("held for %v", released.Sub(held).Round(time.Millisecond))
	r.Expect(t, "message", "dataEnd")
	r.Echo(t, "still open") // no error event: the connection goes on
	at := recv(t, pongAt)
	assert.Less(t, at.Sub(released), time.Second, "the Ping waited after the reader resumed")
	r.Shut(t)
}

// TestFramesWithThe101 checks that frames the server sends in the same
// write as its 101 answer are never lost, whatever the line endings of
// the answer, and whether they fit the reader's buffer or not (package
// doc, section Opening handshake).
func TestFramesWithThe101(t *testing.T) {
	long := string(payload(7, 2000))
	for _, tt := range []struct {
		name, eol string
		frames    []string
	}{
		{"CRLF", "\r\n", []string{"hello"}},
		{"bare LF", "\n", []string{"hello"}},
		{"bare LF, frames longer than the read buffer", "\n", []string{"hello", long, "bye"}},
		{"CRLF, frames longer than the read buffer", "\r\n", []string{long, "hello"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := hostile.New(t, func(c *hostile.Conn) {
				_, key, err := c.ReadRequest()
				if err != nil {
					return
				}
				head := "HTTP/1.1 101 Switching Protocols" + tt.eol + "Upgrade: websocket" + tt.eol +
					"Connection: Upgrade" + tt.eol + "Sec-WebSocket-Accept: " + hostile.AcceptKey(key) + tt.eol + tt.eol
				out := []byte(head)
				for _, f := range tt.frames {
					out = append(out, hostile.Text(f).Encode()...)
				}
				if c.WriteRaw(out) != nil {
					return
				}
				answerClose(c)
			})
			ws := wstest.NewWS(t)
			r := wstest.NewRecorder(t, ws)
			r.Open(t, srv.URL(), nil)
			for _, want := range tt.frames {
				e := r.Expect(t, "message", "dataEnd")[0]
				assert.Equal(t, websocket.MessageData(websocket.StringData(want)), e.Msg)
			}
			r.Shut(t)
		})
	}
}

// TestReceiveFragmented: a message in fragments, with control frames
// between them and a UTF-8 sequence split across two, arrives whole (package
// doc, section On the wire).
func TestReceiveFragmented(t *testing.T) {
	srv := hostile.New(t, func(c *hostile.Conn) {
		if _, err := c.Upgrade(); err != nil {
			return
		}
		c.WriteFrames([]hostile.Frame{
			{Opcode: hostile.OpText, Payload: []byte("hel")},
			hostile.Ping([]byte("between")),
			{Opcode: hostile.OpContinuation, Payload: []byte("lo, w\xc3")},
			{Opcode: hostile.OpContinuation},
			{Fin: true, Opcode: hostile.OpContinuation, Payload: []byte("\xa9rld")},
			{Opcode: hostile.OpBinary, Payload: []byte{1, 2}},
			{Fin: true, Opcode: hostile.OpContinuation, Payload: []byte{3}},
		})
		c.ExpectClose(soon())
	})
	ws := dialed(t, srv.URL(), nil)
	for _, want := range []websocket.MessageData{websocket.StringData("hello, wérld"), websocket.ArrayData{1, 2, 3}} {
		m, err := ws.ReceiveContext(receiveCtx(t))
		require.NoError(t, err)
		assert.Equal(t, want, m)
	}
}
