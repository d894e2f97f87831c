package websocket_test

// Helpers shared by the black-box tests of the engine (write_test.go,
// read_test.go, keepalive_test.go, close_test.go, dial_test.go,
// events_test.go). The servers are internal/hostile scripts on 127.0.0.1;
// the client's callbacks become a channel through internal/wstest. Server
// scripts run on goroutines of their own: they report to the test through
// buffered channels and never call t.FailNow.

import (
	"bytes"
	"encoding/binary"
	"errors"
	"net"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cangjie-go/ohos/internal/hostile"
	"github.com/cangjie-go/ohos/internal/wstest"
)

// soon is the deadline of a server script's wait: wstest.Timeout from now.
func soon() time.Time { return time.Now().Add(wstest.Timeout) }

// slowWait bounds the waits for steps that take long on a loaded machine
// (filling socket buffers, large uploads): much longer than wstest.Timeout,
// much shorter than the 30 s defaults a broken bound would fall back on.
const slowWait = 20 * time.Second

// expectSlow is wstest.Recorder.Expect for such steps: it waits up to
// slowWait for each event.
func expectSlow(t testing.TB, r *wstest.Recorder, kinds ...string) []wstest.Event {
	t.Helper()
	got := make([]wstest.Event, 0, len(kinds))
	for i, k := range kinds {
		select {
		case e := <-r.C():
			got = append(got, e)
			require.Equal(t, k, e.Kind, "event %d: want sequence %v, got %v so far", i, kinds, got)
		case <-time.After(slowWait):
			require.FailNow(t, "no event within "+slowWait.String(), "want sequence %v, got %v so far", kinds, got)
		}
	}
	return got
}

// nextFrame returns the next frame the client sent, or why there is none
// (the connection ended). It waits as long as it takes, up to four times
// wstest.Timeout: one large frame read slowly on a loaded machine can take
// longer than wstest.Timeout.
func nextFrame(c *hostile.Conn) (hostile.Frame, error) {
	for end := time.Now().Add(4 * wstest.Timeout); ; {
		f, err := c.ReadFrame(soon())
		if !errors.Is(err, hostile.ErrTimeout) || time.Now().After(end) {
			return f, err
		}
	}
}

// answerClose reads the client's frames until its Close, and answers it
// with 1000; it returns when the connection ends.
func answerClose(c *hostile.Conn) {
	for {
		f, err := nextFrame(c)
		if err != nil {
			return
		}
		if f.Opcode == hostile.OpClose {
			c.WriteFrame(hostile.Close(1000, ""))
			return
		}
	}
}

// recv returns the next value of ch, failing the test after
// wstest.Timeout.
func recv[T any](t testing.TB, ch <-chan T) T {
	t.Helper()
	return recvWithin(t, ch, wstest.Timeout)
}

// recvWithin returns the next value of ch, failing the test after d.
func recvWithin[T any](t testing.TB, ch <-chan T, d time.Duration) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(d):
		require.FailNow(t, "nothing received within "+d.String())
		panic("unreachable")
	}
}

// gate is a channel a test opens once, to let a server script go on.
type gate struct {
	ch   chan struct{}
	once sync.Once
}

// newGate returns a gate that is not open yet. Register g.open as a
// cleanup after the server whose script waits on it has started (cleanups
// run last first), so that no script waits on it after the test.
func newGate() *gate { return &gate{ch: make(chan struct{})} }

// open lets the waiting scripts go on; additional calls do nothing.
func (g *gate) open() { g.once.Do(func() { close(g.ch) }) }

// wait waits, for at most slowWait, until the gate is open and reports
// whether it was; server scripts use it to wait for the test.
func (g *gate) wait() bool {
	select {
	case <-g.ch:
		return true
	case <-time.After(slowWait):
		return false
	}
}

// serveTCP listens on 127.0.0.1 and runs handle on a goroutine of its own
// for each connection; a connection stays open when handle returns. The
// test's cleanup closes the listener and every connection and waits for the
// handlers. It returns the address.
func serveTCP(t *testing.T, handle func(c net.Conn)) (addr string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var mu sync.Mutex
	var conns []net.Conn
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				handle(c)
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return ln.Addr().String()
}

// smallReadBuffer fixes the server's socket receive buffer at 256 KiB
// before any frame arrives, so that the client's writes block in TCP soon
// after the server stops reading (the client's own send buffer still
// grows up to the system's limit, 4 MiB here). Much smaller buffers make
// the window smaller than loopback's 64 KiB segments, and the kernel then
// trickles the data on its persist timer.
func smallReadBuffer(c *hostile.Conn) {
	c.NetConn().(*net.TCPConn).SetReadBuffer(256 << 10)
}

// smallWriteBuffer fixes the server's socket send buffer at 256 KiB, so
// that the server's writes block soon after the client stops reading.
func smallWriteBuffer(c *hostile.Conn) {
	c.NetConn().(*net.TCPConn).SetWriteBuffer(256 << 10)
}

// message is one data message a server received, reassembled from its
// frames.
type message struct {
	op     hostile.Opcode // OpText or OpBinary
	data   []byte
	frames []int // the payload size of each frame
	whole  bool  // its FIN frame arrived
}

// messagesOf reassembles the data messages of a server's record, in
// order; control frames are skipped.
func messagesOf(rec []hostile.Received) []message {
	var out []message
	open := false
	for _, r := range rec {
		f := r.Frame
		switch {
		case f.Opcode.IsControl():
			continue
		case f.Opcode != hostile.OpContinuation || !open:
			out = append(out, message{op: f.Opcode})
		}
		m := &out[len(out)-1]
		m.data = append(m.data, f.Payload...)
		m.frames = append(m.frames, len(f.Payload))
		m.whole, open = f.Fin, !f.Fin
	}
	return out
}

// payload returns a message of size bytes (at least 8) that starts with
// id, so that a server can tell the messages apart.
func payload(id uint64, size int) []byte {
	p := bytes.Repeat([]byte{'a' + byte(id%26)}, size)
	binary.BigEndian.PutUint64(p, id)
	return p
}

// idOf returns the id payload put at the start of p.
func idOf(p []byte) uint64 {
	if len(p) < 8 {
		return ^uint64(0)
	}
	return binary.BigEndian.Uint64(p)
}

// waitStalled waits until n() has not changed for quiet and returns its
// value: a wait for something to stop happening, bounded by
// wstest.Timeout.
func waitStalled(t testing.TB, n func() int64, quiet time.Duration) int64 {
	t.Helper()
	tick := time.NewTicker(quiet / 10)
	defer tick.Stop()
	deadline := time.Now().Add(wstest.Timeout)
	last, since := n(), time.Now()
	for time.Now().Before(deadline) {
		<-tick.C
		if v := n(); v != last {
			last, since = v, time.Now()
		} else if time.Since(since) >= quiet {
			return v
		}
	}
	require.FailNow(t, "the counter never stopped changing", "last value %d", last)
	return 0
}

// waitParked waits until some goroutine is parked in a select directly in
// function fn (for example "(*WebSocket).SendContext": its message is
// queued and it waits for the outcome). It reads the stacks of all
// goroutines on a ticker, under wstest.Timeout.
func waitParked(t testing.TB, fn string) {
	t.Helper()
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	deadline := time.Now().Add(wstest.Timeout)
	buf := make([]byte, 1<<20)
	for time.Now().Before(deadline) {
		n := runtime.Stack(buf, true)
		for _, g := range strings.Split(string(buf[:n]), "\n\n") {
			lines := strings.SplitN(g, "\n", 3)
			if len(lines) >= 2 && strings.Contains(lines[0], "[select") && strings.Contains(lines[1], fn+"(") {
				return
			}
		}
		<-tick.C
	}
	require.FailNow(t, "no goroutine parked in "+fn)
}

// newRecordingServer starts a server that accepts the handshake, reads
// every frame, answers a Close frame with the same code and sends the
// record of what it read to the returned channel, once per connection.
func newRecordingServer(t testing.TB) (*hostile.Server, <-chan []hostile.Received) {
	records := make(chan []hostile.Received, 16)
	srv := hostile.New(t, func(c *hostile.Conn) {
		defer func() { records <- c.Record() }()
		if _, err := c.Upgrade(); err != nil {
			return
		}
		for {
			f, err := nextFrame(c)
			if err != nil {
				return
			}
			if f.Opcode == hostile.OpClose {
				code, _, _ := hostile.ParseClose(f.Payload)
				c.WriteFrame(hostile.Close(code, ""))
				c.WaitTCPClose(soon())
				return
			}
		}
	})
	return srv, records
}

// stuckServer is a server that accepts the handshake and then reads
// nothing (with a small receive buffer) until the test resumes it: the
// client's writes block in TCP. Resumed, it reads what the client sent and
// reports whether the client had closed the TCP connection.
type stuckServer struct {
	*hostile.Server
	resume *gate
	// ended receives, once resumed, nil if the client closed the TCP
	// connection (end of stream, or reset), else why reading stopped.
	ended chan error
}

func newStuckServer(t testing.TB) *stuckServer {
	s := &stuckServer{resume: newGate(), ended: make(chan error, 16)}
	s.Server = hostile.New(t, func(c *hostile.Conn) {
		smallReadBuffer(c)
		if _, err := c.Upgrade(); err != nil {
			return
		}
		if !s.resume.wait() {
			return
		}
		closed, err := c.WaitTCPClose(soon())
		if closed {
			err = nil
		} else if err == nil {
			err = errors.New("the client did not close the connection")
		}
		s.ended <- err
	})
	t.Cleanup(s.resume.open)
	return s
}
