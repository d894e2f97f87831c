package ohos_test

import (
	"bufio"
	"context"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/samber/mo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cangjie-go/ohos/callback"
	"github.com/cangjie-go/ohos/networkkit/websocket"
)

// Bounds of one FuzzServerStream iteration. CloseTimeout is short so that an
// iteration whose server never sends a Close frame ends quickly; the other
// bounds are generous multiples of it.
const (
	streamCloseTimeout = 200 * time.Millisecond
	streamMaxMessage   = 1 << 20
	streamConnectWait  = 3 * time.Second // ConnectContext
	streamCloseWait    = 2 * time.Second // CloseContext
	streamEventWait    = 3 * time.Second // the close event, after CloseContext
	streamSettleWait   = 3 * time.Second // goroutines back to their number at the start
	streamServerLife   = 5 * time.Second // the server's connection, at most
)

// FuzzServerStream connects the client to a server that answers the
// handshake correctly and then sends arbitrary bytes (in the same write as
// the 101, so they may arrive in the same segment), and closes the client
// once the server has sent them. Whatever the bytes:
//
//   - nothing panics, and ConnectContext succeeds;
//   - CloseContext returns within its bound, with nil or 2302999 (the
//     stream had already ended the connection);
//   - the close event arrives within a bounded time after CloseContext;
//   - the events follow headerReceive → open → (message → dataEnd)* →
//     [error] → close, with text messages of valid UTF-8, no message over
//     MaxMessageSize, and an error event of code 200;
//   - the number of goroutines returns to what it was at the start of the
//     iteration (the package's TestMain runs goleak at the end).
func FuzzServerStream(f *testing.F) {
	for _, s := range [][]byte{
		nil,
		streamJoin(streamFrame(0x81, []byte("hello")), streamClose(1000, "")),
		streamJoin(streamFrame(0x82, []byte{0, 1, 2, 0xff}), streamClose(1001, "going away")),
		streamClose(4000, "bye"),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, stream []byte) {
		start := runtime.NumGoroutine()
		srv := startStreamServer(t, stream)
		rec := newStreamLog()
		ws := websocket.CreateWebSocket()
		rec.register(t, ws)

		ctx, cancel := context.WithTimeout(context.Background(), streamConnectWait)
		err := ws.ConnectContext(ctx, srv.url(), &websocket.RequestOptions{
			CloseTimeout:   streamCloseTimeout,
			PingInterval:   mo.Some(time.Duration(0)),
			MaxMessageSize: streamMaxMessage,
		})
		cancel()
		if err != nil {
			srv.close()
			require.NoError(t, err, "the handshake is valid whatever follows it")
		}

		select {
		case <-srv.written:
		case <-time.After(streamServerLife):
			srv.close()
			require.FailNow(t, "the server could not write its stream", "events: %v", rec.events())
		}
		ctx, cancel = context.WithTimeout(context.Background(), streamCloseWait)
		err = ws.CloseContext(ctx, nil)
		cancel()
		if err != nil {
			assert.ErrorIs(t, err, websocket.ErrUnknown, "CloseContext") // not connected any more
		}
		select {
		case <-rec.closed:
		case <-time.After(streamEventWait):
			srv.close()
			require.FailNow(t, "no close event within "+streamEventWait.String()+" of CloseContext", "events: %v", rec.events())
		}
		srv.close()
		settleGoroutines(t, start)
		rec.check(t)
	})
}

// settleGoroutines waits until no more than want goroutines run, polling,
// and fails the test with their stacks if they do not get there in time.
func settleGoroutines(t *testing.T, want int) {
	t.Helper()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	deadline := time.NewTimer(streamSettleWait)
	defer deadline.Stop()
	for runtime.NumGoroutine() > want {
		select {
		case <-tick.C:
		case <-deadline.C:
			buf := make([]byte, 1<<20)
			buf = buf[:runtime.Stack(buf, true)]
			require.FailNow(t, "goroutines left behind",
				"%d goroutines, %d at the start of the iteration:\n%s", runtime.NumGoroutine(), want, buf)
		}
	}
}

// streamLog records the events of one connection in the order their
// callbacks ran, and checks each payload as it arrives.
type streamLog struct {
	mu       sync.Mutex
	kinds    []string
	problems []string
	closes   int
	closed   chan struct{} // closed by the first close event
}

func newStreamLog() *streamLog { return &streamLog{closed: make(chan struct{})} }

func (l *streamLog) add(kind, problem string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.kinds = append(l.kinds, kind)
	if problem != "" {
		l.problems = append(l.problems, kind+": "+problem)
	}
	if kind == "close" {
		l.closes++
		if l.closes == 1 {
			close(l.closed)
		}
	}
}

func (l *streamLog) events() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.kinds...)
}

// register adds the log's callbacks for the six events.
func (l *streamLog) register(t *testing.T, ws *websocket.WebSocket) {
	t.Helper()
	malformed := func(hasErr, hasData bool) string {
		if hasErr || !hasData {
			return "called with an error or without data"
		}
		return ""
	}
	require.NoError(t, ws.OnHeaderReceive(callback.Callback1Func[websocket.ResponseHeaders](func(h websocket.ResponseHeaders) {
		problem := ""
		if h == nil {
			problem = "nil headers"
		}
		l.add("headerReceive", problem)
	})))
	require.NoError(t, ws.OnOpen(websocket.WebSocketAsyncCallbackFunc[map[uint32]string](
		func(err mo.Option[callback.AsyncError], data mo.Option[map[uint32]string]) {
			problem := malformed(err.IsPresent(), data.IsPresent())
			if status := data.OrEmpty(); problem == "" && (len(status) != 1 || status[101] != "Switching Protocols") {
				problem = fmt.Sprintf("status %v", status)
			}
			l.add("open", problem)
		})))
	require.NoError(t, ws.OnMessage(websocket.WebSocketAsyncCallbackFunc[websocket.MessageData](
		func(err mo.Option[callback.AsyncError], data mo.Option[websocket.MessageData]) {
			problem := malformed(err.IsPresent(), data.IsPresent())
			switch m := data.OrEmpty().(type) {
			case websocket.StringData:
				if !utf8.ValidString(string(m)) {
					problem = "text is not valid UTF-8"
				}
				if len(m) > streamMaxMessage {
					problem = "text over MaxMessageSize"
				}
			case websocket.ArrayData:
				if len(m) > streamMaxMessage {
					problem = "binary over MaxMessageSize"
				}
			default:
				problem = "no MessageData"
			}
			l.add("message", problem)
		})))
	require.NoError(t, ws.OnDataEnd(callback.Callback0Func(func() { l.add("dataEnd", "") })))
	require.NoError(t, ws.OnError(websocket.WebSocketErrorCallbackFunc(func(e *callback.BusinessException) {
		problem := ""
		if e == nil || e.Code != int32(websocket.ErrConnectionFailed) {
			problem = "not code 200"
		}
		l.add("error", problem)
	})))
	require.NoError(t, ws.OnClose(websocket.WebSocketAsyncCallbackFunc[websocket.CloseResult](
		func(err mo.Option[callback.AsyncError], data mo.Option[websocket.CloseResult]) {
			l.add("close", malformed(err.IsPresent(), data.IsPresent()))
		})))
}

// check asserts the order of a connection that opened:
// headerReceive → open → (message → dataEnd)* → [error] → close.
func (l *streamLog) check(t *testing.T) {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	assert.Empty(t, l.problems)
	k := l.kinds
	ok := len(k) >= 3 && k[0] == "headerReceive" && k[1] == "open" && k[len(k)-1] == "close"
	if ok {
		body := k[2 : len(k)-1]
		if len(body) > 0 && body[len(body)-1] == "error" {
			body = body[:len(body)-1]
		}
		for i := 0; ok && i < len(body); i += 2 {
			ok = i+1 < len(body) && body[i] == "message" && body[i+1] == "dataEnd"
		}
	}
	assert.True(t, ok, "events out of order: %v", k)
}

// streamServer accepts one connection, answers its handshake with a valid
// 101 followed by the stream, and then reads and discards until the client
// closes the connection (or streamServerLife ends).
type streamServer struct {
	ln      net.Listener
	written chan struct{} // closed once the 101 and the stream were written (or could not be)
	done    chan struct{} // closed when the server's goroutines have ended

	mu     sync.Mutex
	conn   net.Conn
	closed bool
}

func startStreamServer(t *testing.T, stream []byte) *streamServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s := &streamServer{ln: ln, written: make(chan struct{}), done: make(chan struct{})}
	go s.serve(stream)
	return s
}

func (s *streamServer) url() string { return "ws://" + s.ln.Addr().String() + "/" }

func (s *streamServer) serve(stream []byte) {
	defer close(s.done)
	var once sync.Once
	wrote := func() { once.Do(func() { close(s.written) }) }
	defer wrote()
	c, err := s.ln.Accept()
	if err != nil {
		return
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		c.Close()
		return
	}
	s.conn = c
	s.mu.Unlock()
	defer c.Close()
	c.SetDeadline(time.Now().Add(streamServerLife))

	br := bufio.NewReader(c)
	req, err := http.ReadRequest(br)
	if err != nil {
		return
	}
	sum := sha1.Sum([]byte(req.Header.Get("Sec-WebSocket-Key") + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
	head := "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " +
		base64.StdEncoding.EncodeToString(sum[:]) + "\r\n\r\n"

	// Read while writing, so that the client's pongs and Close frame never
	// wait for the server.
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		io.Copy(io.Discard, br)
	}()
	c.Write(append([]byte(head), stream...))
	wrote()
	<-drained
}

// close stops the server and waits for its goroutines.
func (s *streamServer) close() {
	s.ln.Close()
	s.mu.Lock()
	s.closed = true
	if s.conn != nil {
		s.conn.Close()
	}
	s.mu.Unlock()
	<-s.done
}

// streamFrame returns an unmasked frame with the given first byte (FIN,
// RSV and opcode) and payload.
func streamFrame(b0 byte, payload []byte) []byte {
	f := []byte{b0}
	switch n := len(payload); {
	case n < 126:
		f = append(f, byte(n))
	case n <= 0xffff:
		f = append(f, 126)
		f = binary.BigEndian.AppendUint16(f, uint16(n))
	default:
		f = append(f, 127)
		f = binary.BigEndian.AppendUint64(f, uint64(n))
	}
	return append(f, payload...)
}

// streamClose returns a Close frame with code and reason.
func streamClose(code uint16, reason string) []byte {
	return streamFrame(0x88, append(binary.BigEndian.AppendUint16(nil, code), reason...))
}

func streamJoin(frames ...[]byte) []byte {
	var b []byte
	for _, f := range frames {
		b = append(b, f...)
	}
	return b
}
