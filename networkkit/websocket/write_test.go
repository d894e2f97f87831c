package websocket_test

// Tests of the write side (package doc, section Writing): fragmenting,
// control frames between fragments, the write bound, SendContext and its
// context, and the send queue.

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/samber/mo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cangjie-go/ohos/callback"
	"github.com/cangjie-go/ohos/internal/echoserver"
	"github.com/cangjie-go/ohos/internal/hostile"
	"github.com/cangjie-go/ohos/internal/testpki"
	"github.com/cangjie-go/ohos/internal/wstest"
	"github.com/cangjie-go/ohos/networkkit/websocket"
)

// TestFragmenting checks that a message longer than MaxFrameSize goes out
// as a first frame and continuation frames of at most MaxFrameSize, only
// the last one final, and that NoFragmentation sends one frame however
// large (package doc, section Writing).
func TestFragmenting(t *testing.T) {
	const k = 1 << 10
	tests := []struct {
		name     string
		maxFrame int
		size     int
		text     bool
		want     []int // the payload size of each frame
	}{
		{name: "text over MaxFrameSize", maxFrame: 1000, size: 4500, text: true, want: []int{1000, 1000, 1000, 1000, 500}},
		{name: "binary over MaxFrameSize", maxFrame: 1000, size: 2001, want: []int{1000, 1000, 1}},
		{name: "exactly MaxFrameSize", maxFrame: 1000, size: 1000, want: []int{1000}},
		{name: "one-byte frames", maxFrame: 1, size: 3, text: true, want: []int{1, 1, 1}},
		{name: "empty message", maxFrame: 1, size: 0, want: []int{0}},
		{name: "default is 64 KiB", size: 200 * k, want: []int{64 * k, 64 * k, 64 * k, 8 * k}},
		{name: "NoFragmentation", maxFrame: websocket.NoFragmentation, size: 200 * k, want: []int{200 * k}},
		{name: "NoFragmentation, text", maxFrame: websocket.NoFragmentation, size: 70 * k, text: true, want: []int{70 * k}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, records := newRecordingServer(t)
			ws := wstest.NewWS(t)
			r := wstest.NewRecorder(t, ws)
			r.Open(t, srv.URL(), &websocket.RequestOptions{MaxFrameSize: tt.maxFrame})

			data := []byte(strings.Repeat("é", tt.size/2) + strings.Repeat("x", tt.size%2))
			var md websocket.MessageData = websocket.ArrayData(data)
			op := hostile.OpBinary
			if tt.text {
				md, op = websocket.StringData(data), hostile.OpText
			}
			// Both faces: Send (written on the caller's goroutine up to
			// 64 KiB, else by the writer goroutine) and SendContext.
			ws.Send(md, r.Done("send"))
			require.True(t, r.Expect(t, "send")[0].OK)
			require.NoError(t, ws.SendContext(wstest.Ctx(t), md))
			r.Shut(t)

			rec := recv(t, records)
			msgs := messagesOf(rec)
			require.Equal(t, 2, len(msgs), "messages received")
			for _, m := range msgs {
				assert.Equal(t, op, m.op, "the first frame carries the message's opcode")
				assert.True(t, m.whole)
				assert.Equal(t, tt.want, m.frames)
				assert.True(t, bytes.Equal(data, m.data), "the message arrives whole")
			}
			for _, x := range rec {
				if f := x.Frame; !f.Opcode.IsControl() {
					assert.Zero(t, f.Rsv, "%v", f)
					assert.True(t, f.Masked, "%v", f)
				}
			}
		})
	}
}

// TestPongBetweenFragments checks that the client answers a Ping that
// arrives while it uploads large messages between two fragments of the
// message being written, not after the whole message, and promptly: the
// server reads no more than the socket buffers' worth of data between its
// Ping and the Pong (package doc, section Writing).
func TestPongBetweenFragments(t *testing.T) {
	const (
		messages = 48
		size     = 1 << 20 // 16 frames of 64 KiB each
		pings    = 6
		every    = messages * size / (2 * pings) // payload bytes between two Pings: all in the first half of the upload, so that each Pong comes while much remains to write
	)
	type report struct {
		record []hostile.Received
		before [pings]int // frames read when Ping i was sent
	}
	reports := make(chan report, 1)
	srv := hostile.New(t, func(c *hostile.Conn) {
		var rep report
		defer func() {
			rep.record = c.Record()
			reports <- rep
		}()
		// A small receive buffer: the kernel would otherwise let it grow
		// to tcp_rmem's maximum (32 MiB here), all of it ahead of the Pong.
		if tc, ok := c.NetConn().(*net.TCPConn); ok {
			tc.SetReadBuffer(256 << 10)
		}
		if _, err := c.Upgrade(); err != nil {
			return
		}
		read, sent := 0, 0
		for {
			f, err := nextFrame(c)
			if err != nil {
				return
			}
			if f.Opcode == hostile.OpClose {
				c.WriteFrame(hostile.Close(1000, ""))
				return
			}
			if f.Opcode.IsControl() {
				continue
			}
			if read += len(f.Payload); read >= (sent+1)*every && sent < pings {
				rep.before[sent] = len(c.Record())
				c.WriteFrame(hostile.Ping([]byte{'p', byte(sent)}))
				sent++
			}
		}
	})
	ws := wstest.NewWS(t)
	r := wstest.NewRecorder(t, ws)
	r.Open(t, srv.URL(), nil)
	for i := range messages {
		ws.Send(websocket.ArrayData(payload(uint64(i), size)), r.Done("send"))
	}
	for i := range messages {
		e := r.Next(t)
		require.Equal(t, "send", e.Kind, "message %d: %v", i, e)
		require.True(t, e.OK, "message %d: %v", i, e)
	}
	r.Shut(t)
	rep := recv(t, reports)
	rec := rep.record

	midMessage := 0
	for i := range pings {
		at := -1
		for j, x := range rec {
			if x.Frame.Opcode == hostile.OpPong && string(x.Frame.Payload) == string([]byte{'p', byte(i)}) {
				at = j
				break
			}
		}
		require.GreaterOrEqual(t, at, 0, "no Pong for Ping %d", i)
		between := 0
		for _, x := range rec[rep.before[i]:at] {
			between += len(x.Frame.Payload)
		}
		// What was in the socket buffers (4 MiB here) when the Ping went
		// out, and what the client wrote before its reader got to the Ping
		// (a few milliseconds at memory speed on a loaded machine); not
		// the rest of the upload.
		assert.Less(t, between, messages*size/2, "the Pong of Ping %d came after %d bytes of data", i, between)
		before := -1
		for j := at - 1; j >= 0; j-- {
			if !rec[j].Frame.Opcode.IsControl() {
				before = j
				break
			}
		}
		require.GreaterOrEqual(t, before, 0, "Pong %d before any data", i)
		if !rec[before].Frame.Fin {
			midMessage++ // between two fragments: the FIN fragment comes after the Pong
		}
	}
	// A Ping the client reads while it writes the last fragment of a
	// message (one time in 16) is answered right after that message,
	// before the next one; the others between two fragments.
	assert.GreaterOrEqual(t, midMessage, pings/2,
		"Pongs written between two fragments of a message; the others came after a whole message")

	msgs := messagesOf(rec)
	require.Equal(t, messages, len(msgs), "messages received")
	for i, m := range msgs {
		ok := assert.True(t, m.whole, "message %d", i) &&
			assert.Len(t, m.frames, size/(64<<10), "message %d is written in 64 KiB frames", i) &&
			assert.Equal(t, uint64(i), idOf(m.data), "messages keep their order") &&
			assert.Equal(t, size, len(m.data), "message %d", i)
		if !ok {
			break
		}
	}
}

// tlsStuckServer is a wss server that answers the handshake and then
// reads nothing until resumed; resumed, it reports (on ended) nil once the
// client closed the TCP connection, or why reading stopped.
type tlsStuckServer struct {
	url    string
	resume *gate
	ended  chan error
}

func newTLSStuckServer(t *testing.T, leaf testpki.Leaf) *tlsStuckServer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s := &tlsStuckServer{url: "wss://" + ln.Addr().String() + "/", resume: newGate(), ended: make(chan error, 1)}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	wg.Add(1)
	go func() {
		defer wg.Done()
		raw, err := ln.Accept()
		if err != nil {
			return
		}
		mu.Lock()
		conns = append(conns, raw)
		mu.Unlock()
		raw.(*net.TCPConn).SetReadBuffer(256 << 10)
		tc := tls.Server(raw, &tls.Config{Certificates: []tls.Certificate{leaf.TLS}})
		tc.SetDeadline(soon())
		req, err := http.ReadRequest(bufio.NewReader(tc))
		if err != nil {
			return
		}
		if _, err := tc.Write(hostile.Response101(req.Header.Get("Sec-WebSocket-Key"))); err != nil {
			return
		}
		if !s.resume.wait() {
			return
		}
		// Under TLS the bytes mean nothing to the test: read the TCP
		// stream to its end.
		raw.SetReadDeadline(time.Now().Add(slowWait))
		_, err = io.Copy(io.Discard, raw)
		if err != nil && hostile.PeerClosed(err) {
			err = nil
		}
		s.ended <- err
	}()
	t.Cleanup(func() {
		s.resume.open()
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return s
}

// TestWriteTimeout checks the write bound: a write that does not complete
// within WriteTimeout fails the connection — the Send completes with
// 2302006, the error event (200) names the frame and the timeout, close
// reports 1006 — and the socket is closed at once, so that no half frame
// stays on an open connection; on ws and wss alike, for data and control
// frames (package doc, section Writing).
func TestWriteTimeout(t *testing.T) {
	const writeTimeout = 200 * time.Millisecond
	big := websocket.StringData(strings.Repeat("x", 16<<20)) // far more than the socket buffers

	// failed checks the error and close events of a connection whose write
	// of a kind frame timed out after limit.
	failed := func(t *testing.T, r *wstest.Recorder, kind string, limit time.Duration) {
		t.Helper()
		evs := expectSlow(t, r, "error", "close")
		wstest.AssertCode(t, evs[0].Err, websocket.ErrConnectionFailed)
		assert.Contains(t, evs[0].Err.Error(), fmt.Sprintf("writing a %s frame timed out after %v", kind, limit))
		assert.ErrorIs(t, evs[0].Err, websocket.ErrLinkDown)
		var ne net.Error
		if assert.ErrorAs(t, evs[0].Err, &ne) {
			assert.True(t, ne.Timeout(), "the cause is the write's timeout: %v", ne)
		}
		assert.Equal(t, websocket.CloseResult{Code: 1006, Reason: "The link is down"}, evs[1].Close)
	}
	// sendFails sends big and checks that it fails at once: filling the
	// socket buffers takes well under a second, then one write waits for
	// WriteTimeout. The bound leaves room for a loaded machine, not for a
	// 5 s wait anywhere (the default WriteTimeout is 30 s; crypto/tls
	// gives a close_notify 5 s).
	sendFails := func(t *testing.T, r *wstest.Recorder) {
		t.Helper()
		start := time.Now()
		r.WS.Send(big, r.Done("send"))
		e := expectSlow(t, r, "send")[0]
		wstest.AssertCode(t, e.Err, websocket.ErrConnectionNotExist)
		assert.ErrorIs(t, e.Err, net.ErrClosed)
		failed(t, r, "text", writeTimeout)
		assert.Less(t, time.Since(start), 4*time.Second, "the connection was not failed at once")
	}

	t.Run("ws", func(t *testing.T) {
		srv := newStuckServer(t)
		ws := wstest.NewWS(t)
		r := wstest.NewRecorder(t, ws)
		r.Open(t, srv.URL(), &websocket.RequestOptions{WriteTimeout: writeTimeout})
		sendFails(t, r)
		srv.resume.open()
		assert.NoError(t, recv(t, srv.ended), "the client must close the TCP connection")
	})

	t.Run("wss", func(t *testing.T) {
		ca := testpki.NewCA(t, "write-timeout")
		srv := newTLSStuckServer(t, ca.Issue("server", testpki.LeafOptions{}))
		ws := wstest.NewWS(t)
		r := wstest.NewRecorder(t, ws)
		r.Open(t, srv.url, &websocket.RequestOptions{WriteTimeout: writeTimeout, CAPath: ca.CertFile})
		sendFails(t, r)
		srv.resume.open()
		assert.NoError(t, recvWithin(t, srv.ended, slowWait), "the client must close the TCP connection")
	})

	t.Run("pong", func(t *testing.T) {
		// The client's socket stops taking bytes (stallConn: what a socket
		// whose buffers the server no longer drains does), then the server
		// sends a Ping: the Pong cannot be written, and its write ends at
		// WriteTimeout. Filling real socket buffers with Pongs instead
		// depends on how often the writer runs while Pings flood in, which
		// a single CPU makes too rare.
		const pongWriteTimeout = time.Second
		pinged := newGate()
		ended := make(chan error, 1)
		srv := hostile.New(t, func(c *hostile.Conn) {
			if _, err := c.Upgrade(); err != nil {
				return
			}
			if !pinged.wait() {
				return
			}
			c.WriteFrame(hostile.Ping([]byte("are you there")))
			closed, err := c.WaitTCPClose(soon())
			if closed {
				err = nil
			} else if err == nil {
				err = errors.New("the client did not close the connection")
			}
			ended <- err
		})
		t.Cleanup(pinged.open)
		var sc *stallConn
		dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			sc = newStallConn(c)
			return sc, nil
		}
		ws := wstest.NewWS(t)
		r := wstest.NewRecorder(t, ws)
		r.Open(t, srv.URL(), &websocket.RequestOptions{WriteTimeout: pongWriteTimeout, DialContext: dial})
		sc.stall()
		start := time.Now()
		pinged.open()
		failed(t, r, "pong", pongWriteTimeout)
		elapsed := time.Since(start)
		assert.GreaterOrEqual(t, elapsed, pongWriteTimeout*7/8, "the Pong's write waited for its bound")
		assert.Less(t, elapsed, pongWriteTimeout+3*time.Second, "the Pong's write was bounded by WriteTimeout")
		assert.Equal(t, int64(1), sc.stalledWrites.Load(), "one write, the Pong's, was attempted")
		assert.NoError(t, recv(t, ended), "the client must close the TCP connection")
	})
}

// stallConn is a connection whose writes a test can stall: once stalled, a
// write sends nothing and waits for the write deadline, as a write to a
// socket whose buffers are full does, then fails with
// os.ErrDeadlineExceeded; without a deadline it waits until Close.
type stallConn struct {
	net.Conn
	stalled       atomic.Bool
	stalledWrites atomic.Int64
	closed        chan struct{}
	closeOnce     sync.Once

	mu       sync.Mutex
	deadline time.Time
}

func newStallConn(c net.Conn) *stallConn { return &stallConn{Conn: c, closed: make(chan struct{})} }

// stall makes every later write wait for its deadline.
func (c *stallConn) stall() { c.stalled.Store(true) }

func (c *stallConn) Write(p []byte) (int, error) {
	if !c.stalled.Load() {
		return c.Conn.Write(p)
	}
	c.stalledWrites.Add(1)
	c.mu.Lock()
	deadline := c.deadline
	c.mu.Unlock()
	var expired <-chan time.Time
	if !deadline.IsZero() {
		t := time.NewTimer(time.Until(deadline))
		defer t.Stop()
		expired = t.C
	}
	select {
	case <-expired:
		return 0, &net.OpError{Op: "write", Net: "tcp", Source: c.LocalAddr(), Addr: c.RemoteAddr(), Err: os.ErrDeadlineExceeded}
	case <-c.closed:
		return 0, net.ErrClosed
	}
}

func (c *stallConn) SetDeadline(t time.Time) error {
	c.mu.Lock()
	c.deadline = t
	c.mu.Unlock()
	return c.Conn.SetDeadline(t)
}

func (c *stallConn) SetWriteDeadline(t time.Time) error {
	c.mu.Lock()
	c.deadline = t
	c.mu.Unlock()
	return c.Conn.SetWriteDeadline(t)
}

func (c *stallConn) Close() error {
	c.closeOnce.Do(func() { close(c.closed) })
	return c.Conn.Close()
}

// TestSendContextEndedBeforeSend checks that SendContext with a context
// that has ended sends nothing and returns ctx.Err() itself (package doc,
// section Writing).
func TestSendContextEndedBeforeSend(t *testing.T) {
	srv, records := newRecordingServer(t)
	ws := wstest.NewWS(t)
	r := wstest.NewRecorder(t, ws)
	r.Open(t, srv.URL(), nil)

	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancel2 := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel2()
	markers := 0
	for _, ctx := range []context.Context{cancelled, expired} {
		for _, data := range []websocket.MessageData{
			websocket.StringData("small"),
			websocket.ArrayData(payload(99, 1<<20)), // larger than one frame
		} {
			err := ws.SendContext(ctx, data)
			assert.True(t, err == ctx.Err(), "want ctx.Err() itself (%v), got %v", ctx.Err(), err) //nolint:errorlint // identity is the promise
			require.NoError(t, ws.SendContext(wstest.Ctx(t), websocket.ArrayData(payload(uint64(markers), 8))))
			markers++
		}
	}
	r.Shut(t)
	var ids []uint64
	for _, m := range messagesOf(recv(t, records)) {
		ids = append(ids, idOf(m.data))
	}
	assert.Equal(t, []uint64{0, 1, 2, 3}, ids, "only the markers were sent")
}

// TestSendContextDeadlineMidWrite checks that SendContext returns promptly
// when its context ends while its message is being written to a server
// that does not read: the connection is failed (error event 200, close
// 1006) and the error is 2302006 wrapping both the context's error and
// net.ErrClosed (package doc, section Writing).
func TestSendContextDeadlineMidWrite(t *testing.T) {
	const limit = 300 * time.Millisecond
	srv := newStuckServer(t)
	ws := wstest.NewWS(t)
	r := wstest.NewRecorder(t, ws)
	r.Open(t, srv.URL(), nil) // WriteTimeout stays 30 s: only the context ends the write

	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	start := time.Now()
	errc := make(chan error, 1)
	go func() { errc <- ws.SendContext(ctx, websocket.ArrayData(make([]byte, 32<<20))) }()
	err := recv(t, errc)
	elapsed := time.Since(start)

	assert.GreaterOrEqual(t, elapsed, limit-10*time.Millisecond)
	assert.Less(t, elapsed, 1500*time.Millisecond, "SendContext did not return promptly")
	wstest.AssertCode(t, err, websocket.ErrConnectionNotExist)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.ErrorIs(t, err, net.ErrClosed)
	evs := r.Expect(t, "error", "close")
	wstest.AssertCode(t, evs[0].Err, websocket.ErrConnectionFailed)
	assert.Contains(t, evs[0].Err.Error(), "the context of SendContext ended while its message was being written")
	assert.ErrorIs(t, evs[0].Err, context.DeadlineExceeded)
	assert.Equal(t, websocket.CloseResult{Code: 1006, Reason: "The link is down"}, evs[1].Close)
	srv.resume.open()
	assert.NoError(t, recv(t, srv.ended), "the client must close the TCP connection")
}

// TestSendContextWithdrawnWhileQueued checks that a SendContext whose
// context ends while its message waits in the send queue returns ctx.Err()
// and that its message is never written, while the messages queued behind
// it are written, in order (package doc, section Writing).
func TestSendContextWithdrawnWhileQueued(t *testing.T) {
	tests := []struct {
		name string
		size int
	}{
		{"small, written in a batch with the others", 100},
		{"large, written alone in fragments", 200 << 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resume := newGate()
			records := make(chan []hostile.Received, 1)
			srv := hostile.New(t, func(c *hostile.Conn) {
				defer func() { records <- c.Record() }()
				smallReadBuffer(c)
				if _, err := c.Upgrade(); err != nil || !resume.wait() {
					return
				}
				answerClose(c)
			})
			t.Cleanup(resume.open)
			ws := wstest.NewWS(t)
			r := wstest.NewRecorder(t, ws)
			r.Open(t, srv.URL(), nil)

			// The writer is busy with a message the server does not read.
			ws.Send(websocket.ArrayData(payload(0, 8<<20)), r.Done("send0"))
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			errc := make(chan error, 1)
			go func() { errc <- ws.SendContext(ctx, websocket.ArrayData(payload(1, tt.size))) }()
			waitParked(t, "(*WebSocket).SendContext") // message 1 is queued
			ws.Send(websocket.ArrayData(payload(2, tt.size)), r.Done("send2"))
			ws.Send(websocket.StringData(payload(3, 10)), r.Done("send3"))

			cancel()
			err := recv(t, errc)
			assert.True(t, err == context.Canceled, "want context.Canceled itself, got %v", err) //nolint:errorlint // identity is the promise
			resume.open()
			for _, e := range r.Expect(t, "send0", "send2", "send3") {
				assert.True(t, e.OK, "%v", e)
			}
			r.Shut(t)
			var ids []uint64
			for _, m := range messagesOf(recv(t, records)) {
				assert.True(t, m.whole)
				ids = append(ids, idOf(m.data))
			}
			assert.Equal(t, []uint64{0, 2, 3}, ids, "the withdrawn message 1 must never be written")
		})
	}
}

// TestSendContextCancellationRace sends many messages with SendContext
// from several goroutines at once, half of them with contexts that end
// within 5 ms: while queued, while being written, after being written;
// plain Sends go between them.
// Whatever the moment: a call that returned ctx.Err() was not received, a
// call that returned nil was received whole, and a call that returned
// 2302006 failed the connection (package doc, section Writing).
func TestSendContextCancellationRace(t *testing.T) {
	const (
		rounds     = 8
		goroutines = 8
		calls      = 15
	)
	sizes := []int{64, 64, 2 << 10, 2 << 10, 20 << 10, 20 << 10, 20 << 10, 150 << 10} // one in 8 takes three writes
	records := make(chan []hostile.Received, rounds)
	srv := hostile.New(t, func(c *hostile.Conn) {
		defer func() { records <- c.Record() }()
		if _, err := c.Upgrade(); err != nil {
			return
		}

		answerClose(c)
	})

	var withdrawn, written, abandoned, failedCalls, failedRounds int
	for round := range rounds {
		ws := wstest.NewWS(t)
		r := wstest.NewRecorder(t, ws)
		r.Open(t, srv.URL(), nil)

		type result struct {
			err, ctxErr error
		}
		results := make(map[uint64]result)
		var mu sync.Mutex
		var wg sync.WaitGroup
		for g := range goroutines {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rng := rand.New(rand.NewPCG(uint64(round), uint64(g)))
				for k := range calls {
					id := uint64(round*10000 + g*100 + k)
					// Half the contexts end within 300 µs, some of them at
					// once: about as long as a message waits behind the
					// others' on this machine, with or without -race.
					limit := time.Second
					if rng.IntN(2) == 0 {
						limit = time.Duration(rng.IntN(300)) * time.Microsecond
					}
					ctx, cancel := context.WithTimeout(context.Background(), limit)
					err := ws.SendContext(ctx, websocket.ArrayData(payload(id, sizes[rng.IntN(len(sizes))])))
					mu.Lock()
					results[id] = result{err: err, ctxErr: ctx.Err()}
					mu.Unlock()
					cancel()
				}
			}()
		}
		// Plain Sends share the queue, and the batches, with the
		// SendContext messages.
		for g := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for k := range calls {
					id := uint64(round*10000 + (goroutines+g)*100 + k)
					done := make(chan error, 1)
					ws.Send(websocket.ArrayData(payload(id, 64)), func(e mo.Option[callback.AsyncError], _ mo.Option[bool]) {
						if ae, failed := e.Get(); failed {
							done <- ae
						} else {
							done <- nil
						}
					})
					err := recv(t, done)
					mu.Lock()
					results[id] = result{err: err}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()

		connectionFailed := false
		ws.Close(r.Done("closecb"), nil)
		for e := r.Next(t); e.Kind != "close"; e = r.Next(t) {
			switch e.Kind {
			case "error":
				wstest.AssertCode(t, e.Err, websocket.ErrConnectionFailed)
				connectionFailed = true
			case "closecb":
			default:
				t.Errorf("round %d: unexpected %v", round, e)
			}
		}
		received := make(map[uint64]bool)
		for _, m := range messagesOf(recv(t, records)) {
			if m.whole {
				received[idOf(m.data)] = true
			}
		}
		sawNotExist := false
		for id, res := range results {
			err := res.err
			switch {
			case err == nil:
				written++
				assert.True(t, received[id], "message %d: sent without error but the server did not receive it", id)
			case errors.Is(err, websocket.ErrConnectionNotExist):
				failedCalls++
				if res.ctxErr != nil && errors.Is(err, res.ctxErr) {
					abandoned++ // its context ended while it was being written
				}
				sawNotExist = true
			case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
				withdrawn++
				assert.True(t, err == res.ctxErr, "message %d: want ctx.Err() itself, got %v", id, err) //nolint:errorlint // identity is the promise
				assert.False(t, received[id], "message %d: SendContext returned %v but the server received it", id, err)
			default:
				t.Errorf("message %d: unexpected error %v", id, err)
			}
		}
		if sawNotExist {
			failedRounds++
			assert.True(t, connectionFailed, "round %d: a call returned 2302006 but the connection was not failed", round)
		}
	}
	t.Logf("%d calls written, %d withdrawn, %d failed with the connection (%d of them cut off by their context; %d of %d rounds failed)",
		written, withdrawn, failedCalls, abandoned, failedRounds, rounds)
	assert.Positive(t, written)
	assert.Positive(t, withdrawn)
}

// TestSendQueueSize checks the bound of the send queue: messages written
// on the calling goroutine do not count, and a Send that finds
// SendQueueSize messages queued fails at once with 2302999 wrapping
// ErrSendQueueFull (package doc, section Writing).
func TestSendQueueSize(t *testing.T) {
	writing := make(chan struct{}, 1)
	resume := newGate()
	srv := hostile.New(t, func(c *hostile.Conn) {
		smallReadBuffer(c)
		if _, err := c.Upgrade(); err != nil {
			return
		}
		var first [2]byte // the first frame's header: the write has begun
		if _, err := io.ReadFull(c.NetConn(), first[:]); err != nil {
			return
		}
		writing <- struct{}{}
		if !resume.wait() {
			return
		}
		io.Copy(io.Discard, c.NetConn()) // until the client closes
	})
	t.Cleanup(resume.open)
	ws := wstest.NewWS(t)
	r := wstest.NewRecorder(t, ws)
	r.Open(t, srv.URL(), &websocket.RequestOptions{SendQueueSize: 2, CloseTimeout: 100 * time.Millisecond})

	// Written on this goroutine: it owns the write side and never enters
	// the queue.
	errc := make(chan error, 1)
	go func() { errc <- ws.SendContext(context.Background(), websocket.ArrayData(make([]byte, 8<<20))) }()
	recv(t, writing)
	ws.Send(websocket.StringData("1"), r.Done("send1"))
	ws.Send(websocket.StringData("2"), r.Done("send2"))
	start := time.Now()
	ws.Send(websocket.StringData("3"), r.Done("send3"))
	e := r.Expect(t, "send3")[0]
	assert.Less(t, time.Since(start), time.Second, "a full queue fails the Send at once")
	wstest.AssertCode(t, e.Err, websocket.ErrUnknown)
	assert.ErrorIs(t, e.Err, websocket.ErrSendQueueFull)
	err := ws.SendContext(wstest.Ctx(t), websocket.StringData("4"))
	wstest.AssertCode(t, err, websocket.ErrUnknown)
	assert.ErrorIs(t, err, websocket.ErrSendQueueFull)

	resume.open()
	assert.NoError(t, recv(t, errc))
	for _, e := range r.Expect(t, "send1", "send2") {
		assert.True(t, e.OK, "%v", e)
	}
}

// TestSendBatches: small messages queued behind a large one go out in
// order, one frame each, in batches — more messages than one batch takes
// (64) and more bytes than one write carries (64 KiB) (package doc,
// section Writing: "Runs of small queued messages go out together in one
// write, one frame each").
func TestSendBatches(t *testing.T) {
	const n, size = 200, 3000
	writing := make(chan struct{}, 1)
	resume := newGate()
	got := make(chan []message, 1)
	srv := hostile.New(t, func(c *hostile.Conn) {
		smallReadBuffer(c)
		if _, err := c.Upgrade(); err != nil {
			return
		}
		if _, err := c.ReadFrame(soon()); err != nil { // the large message's first fragment
			return
		}
		writing <- struct{}{}
		if !resume.wait() {
			return
		}
		for {
			if _, err := c.ReadFrame(time.Now().Add(slowWait)); err != nil {
				break
			}
			if msgs := messagesOf(c.Record()); len(msgs) == n+1 && msgs[n].whole {
				break
			}
		}
		got <- messagesOf(c.Record())
		c.WriteFrame(hostile.Close(1000, ""))
		c.ExpectClose(soon())
	})
	t.Cleanup(resume.open)
	ws := wstest.NewWS(t)
	r := wstest.NewRecorder(t, ws)
	r.Open(t, srv.URL(), nil)

	errc := make(chan error, 1)
	go func() { errc <- ws.SendContext(context.Background(), websocket.ArrayData(make([]byte, 8<<20))) }()
	recv(t, writing)
	sent := make(chan error, n)
	var done callback.AsyncCallback[bool] = func(err mo.Option[callback.AsyncError], _ mo.Option[bool]) {
		if e, failed := err.Get(); failed {
			sent <- fmt.Errorf("send failed: %v", e)
			return
		}
		sent <- nil
	}
	for i := range n {
		ws.Send(websocket.ArrayData(payload(uint64(i), size)), done)
	}
	resume.open()
	require.NoError(t, recvWithin(t, errc, slowWait))
	for range n {
		require.NoError(t, recvWithin(t, sent, slowWait))
	}
	msgs := recvWithin(t, got, slowWait)
	require.Len(t, msgs, n+1)
	for i, m := range msgs[1:] {
		require.Equal(t, payload(uint64(i), size), m.data, "message %d", i)
		require.Equal(t, []int{size}, m.frames, "message %d is one frame", i)
	}
}

// embedsString satisfies MessageData by embedding a variant; Send must
// refuse it.
type embedsString struct{ websocket.StringData }

// TestSendPointerVariants checks that Send and SendContext accept non-nil
// pointers to StringData and ArrayData and send what they point to, and
// refuse with 401, without panicking, a nil pointer and a type that only
// embeds a variant (package doc, section Errors).
func TestSendPointerVariants(t *testing.T) {
	srv, records := newRecordingServer(t)
	ws := wstest.NewWS(t)
	r := wstest.NewRecorder(t, ws)
	r.Open(t, srv.URL(), nil)

	text := websocket.StringData("through a pointer")
	bin := websocket.ArrayData{1, 2, 3}
	ws.Send(&text, r.Done("send"))
	ws.Send(&bin, r.Done("send"))
	for _, e := range r.Expect(t, "send", "send") {
		assert.True(t, e.OK, "%v", e)
	}
	require.NoError(t, ws.SendContext(wstest.Ctx(t), &text))
	require.NoError(t, ws.SendContext(wstest.Ctx(t), &bin))

	for _, bad := range []websocket.MessageData{
		(*websocket.StringData)(nil),
		(*websocket.ArrayData)(nil),
		embedsString{"embedded"},
		&embedsString{"embedded"},
	} {
		t.Run(fmt.Sprintf("%T", bad), func(t *testing.T) {
			require.NotPanics(t, func() { ws.Send(bad, r.Done("send")) })
			e := r.Expect(t, "send")[0]
			wstest.AssertCode(t, e.Err, websocket.ErrParameter)
			var err error
			require.NotPanics(t, func() { err = ws.SendContext(wstest.Ctx(t), bad) })
			wstest.AssertCode(t, err, websocket.ErrParameter)
		})
	}
	r.Shut(t)

	var got []string
	for _, m := range messagesOf(recv(t, records)) {
		got = append(got, fmt.Sprintf("%v %q", m.op, m.data))
	}
	want := []string{`text "through a pointer"`, `binary "\x01\x02\x03"`}
	assert.Equal(t, append(want, want...), got)
}

// platformSendCap is the largest message the platform's ArkTS send accepts
// (5 MiB − 16); this package has no such cap (package doc, Differences from
// HarmonyOS).
const platformSendCap = 5*1024*1024 - 16

// TestSendHasNoPlatformCap: a message one byte over the platform's send cap
// is sent, by Send and SendContext, and arrives whole.
func TestSendHasNoPlatformCap(t *testing.T) {
	srv := newEchoHost(t, nil, echoserver.Options{})
	ws := websocket.CreateWebSocket()
	got := make(chan websocket.MessageData, 2)
	require.NoError(t, ws.OnMessage(websocket.Data(func(m websocket.MessageData) { got <- m })))
	ctx := optCtx(t)
	require.NoError(t, ws.ConnectContext(ctx, srv.url("127.0.0.1"), nil))
	t.Cleanup(func() { assert.NoError(t, ws.CloseContext(optCtx(t), nil)) })

	big := bytes.Repeat([]byte{0xa5}, platformSendCap+1)
	require.NoError(t, ws.SendContext(ctx, websocket.ArrayData(big)))
	sent := make(chan error, 1)
	ws.Send(websocket.StringData(bytes.Repeat([]byte{'x'}, platformSendCap+1)), websocket.Done(func(err error) { sent <- err }))
	for i, want := range []int{platformSendCap + 1, platformSendCap + 1} {
		select {
		case m := <-got:
			assert.Len(t, m, want, "message %d", i)
		case <-ctx.Done():
			t.Fatalf("message %d did not come back", i)
		}
	}
	select {
	case err := <-sent:
		assert.NoError(t, err)
	case <-ctx.Done():
		t.Fatal("Send did not complete")
	}
}
