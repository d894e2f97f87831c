package websocket_test

// Tests of keep-alive (package doc, section Keep-alive): when Pings go out,
// which Pong answers them, when the Pong timeout runs, and that a busy or
// stuck write side neither breaks a healthy link nor multiplies
// goroutines.

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"runtime"
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

// pingLog is what a keep-alive test server reports: the Pings it read,
// with their arrival, and the client's frames.
type pingLog struct {
	pings  []hostile.Received
	record []hostile.Received
}

// newPongServer starts a server that reads every frame (at rate bytes per
// second, or as fast as they come if rate is 0), answers each Ping with a
// Pong after delay, answers the client's Close and reports its pingLog.
func newPongServer(t *testing.T, rate int, delay time.Duration) (*hostile.Server, <-chan pingLog) {
	logs := make(chan pingLog, 4)
	srv := hostile.New(t, func(c *hostile.Conn) {
		var log pingLog
		defer func() {
			log.record = c.Record()
			logs <- log
		}()
		if _, err := c.Upgrade(); err != nil {
			return
		}
		c.SetReadRate(rate)
		for {
			f, err := nextFrame(c)
			if err != nil {
				return
			}
			switch f.Opcode {
			case hostile.OpPing:
				log.pings = append(log.pings, hostile.Received{Frame: f, At: time.Now()})
				if delay > 0 && c.Pause(delay) != nil {
					return
				}
				c.WriteFrame(hostile.Pong(f.Payload))
			case hostile.OpClose:
				c.WriteFrame(hostile.Close(1000, ""))
				return
			}
		}
	})
	return srv, logs
}

// TestKeepAliveDuringSlowUpload checks that a link that is slow but
// healthy is never declared dead: the server reads a large upload slowly
// and answers every Ping. The Pong timeout starts when the Ping has been
// written, not when it was due: between two fragments the Ping waits
// behind at most the socket buffers; with NoFragmentation it waits for the
// whole message, and is not late meanwhile (package doc, sections
// Keep-alive and Writing).
func TestKeepAliveDuringSlowUpload(t *testing.T) {
	// The server reads about 16 MiB/s (less on a loaded machine): the
	// client's socket buffers (up to 4 MiB) delay a Ping by about 0.25 s,
	// and the whole 48 MiB message by about three seconds. The Pong
	// timeout lies between, with room for a machine five times slower.
	// The fragmented upload lasts over a second, long enough for several
	// Pings however fast the client is.
	const (
		rate        = 16 << 20
		pongTimeout = 2 * time.Second
	)
	for _, tt := range []struct {
		name     string
		maxFrame int
		size     int
		pings    int // at least
	}{
		{"fragments", 0, 24 << 20, 2},
		{"NoFragmentation", websocket.NoFragmentation, 48 << 20, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv, logs := newPongServer(t, rate, 0)
			ws := wstest.NewWS(t)
			r := wstest.NewRecorder(t, ws)
			r.Open(t, srv.URL(), &websocket.RequestOptions{
				PingInterval: mo.Some(50 * time.Millisecond),
				PongTimeout:  mo.Some(pongTimeout),
				MaxFrameSize: tt.maxFrame,
			})
			start := time.Now()
			sent := make(chan mo.Option[callback.AsyncError], 1)
			ws.Send(websocket.ArrayData(make([]byte, tt.size)), func(err mo.Option[callback.AsyncError], _ mo.Option[bool]) { sent <- err })
			select {
			case err := <-sent:
				require.False(t, err.IsPresent(), "the upload failed: %v", err)
			case e := <-r.C():
				require.Fail(t, "the upload failed", "%v", e)
			case <-time.After(30 * time.Second):
				require.Fail(t, "the upload did not end")
			}
			t.Logf("uploaded %d MiB in %v", tt.size>>20, time.Since(start).Round(time.Millisecond))
			r.Shut(t)
			log := recv(t, logs)
			assert.GreaterOrEqual(t, len(log.pings), tt.pings, "keep-alive Pings during the upload")
		})
	}
}

// TestKeepAliveWhileWriteStuck checks that keep-alive starts no goroutine
// per interval: with a 1 ms PingInterval and a write stuck on a server
// that does not read, the number of goroutines stays flat (package doc,
// section Keep-alive).
func TestKeepAliveWhileWriteStuck(t *testing.T) {
	for _, tt := range []struct {
		name        string
		pongTimeout mo.Option[time.Duration]
	}{
		{"pings never time out", mo.Some[time.Duration](0)},
		{"default pong timeout", mo.None[time.Duration]()},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := newStuckServer(t)
			ws := wstest.NewWS(t)
			r := wstest.NewRecorder(t, ws)
			r.Open(t, srv.URL(), &websocket.RequestOptions{
				PingInterval: mo.Some(time.Millisecond),
				PongTimeout:  tt.pongTimeout,
				WriteTimeout: 10 * time.Second,
				CloseTimeout: 100 * time.Millisecond,
			})
			ws.Send(websocket.ArrayData(make([]byte, 32<<20)), r.Done("send")) // far more than the socket buffers
			start := runtime.NumGoroutine()
			most := start
			tick := time.NewTicker(10 * time.Millisecond)
			defer tick.Stop()
			for end := time.Now().Add(time.Second); time.Now().Before(end); {
				<-tick.C
				most = max(most, runtime.NumGoroutine())
			}
			assert.LessOrEqual(t, most, start+3, "goroutines grew from %d to %d", start, most)
			select {
			case e := <-r.C():
				assert.Fail(t, "the stuck connection must go on", "%v", e)
			default:
			}
		})
	}
}

// TestKeepAliveUnsolicitedPongs checks that Pongs the client did not ask
// for change nothing: with a server that answers every Ping and also sends
// Pongs of its own all the time (random payloads, the payload of the Ping
// answered last, the payload the next Ping will carry), keep-alive Pings
// still go out every PingInterval and the link is never declared dead
// (package doc, section Keep-alive).
func TestKeepAliveUnsolicitedPongs(t *testing.T) {
	const interval = 20 * time.Millisecond
	var pings atomic.Int64
	srv := hostile.New(t, func(c *hostile.Conn) {
		if _, err := c.Upgrade(); err != nil {
			return
		}
		var last atomic.Uint64 // the payload of the last Ping, as a number
		go func() {
			rng := rand.New(rand.NewPCG(1, 2))
			var p [8]byte
			for i := 0; c.Pause(2*time.Millisecond) == nil; i++ {
				switch i % 3 {
				case 0:
					binary.BigEndian.PutUint64(p[:], rng.Uint64())
				case 1:
					binary.BigEndian.PutUint64(p[:], last.Load())
				case 2:
					binary.BigEndian.PutUint64(p[:], last.Load()+1)
				}
				if c.WriteFrame(hostile.Pong(p[:])) != nil {
					return
				}
			}
		}()
		for {
			f, err := nextFrame(c)
			if err != nil {
				return
			}
			switch f.Opcode {
			case hostile.OpPing:
				pings.Add(1)
				if len(f.Payload) == 8 {
					last.Store(binary.BigEndian.Uint64(f.Payload))
				}
				c.WriteFrame(hostile.Pong(f.Payload))
			case hostile.OpClose:
				c.WriteFrame(hostile.Close(1000, ""))
				return
			}
		}
	})
	ws := wstest.NewWS(t)
	r := wstest.NewRecorder(t, ws)
	r.Open(t, srv.URL(), &websocket.RequestOptions{
		PingInterval: mo.Some(interval),
		PongTimeout:  mo.Some(25 * interval),
	})
	const watch = 2 * time.Second
	r.Quiet(t, watch) // no error, no close
	r.Shut(t)
	// A Ping every interval plus a round trip: some 80 in 2 s.
	assert.GreaterOrEqual(t, pings.Load(), int64(watch/interval/4), "unsolicited Pongs held back the keep-alive Pings")
}

// TestKeepAliveUnsolicitedPongsDoNotAnswer checks that only the Pong that
// carries the outstanding Ping's payload answers it: a server that never
// answers a Ping but sends other Pongs all the time is declared dead after
// PongTimeout (package doc, section Keep-alive).
func TestKeepAliveUnsolicitedPongsDoNotAnswer(t *testing.T) {
	const interval, timeout = 20 * time.Millisecond, 100 * time.Millisecond
	srv := hostile.New(t, func(c *hostile.Conn) {
		if _, err := c.Upgrade(); err != nil {
			return
		}
		go func() {
			for seq := uint64(0); c.Pause(2*time.Millisecond) == nil; seq++ {
				var p [8]byte
				binary.BigEndian.PutUint64(p[:], seq/8) // stale and early keep-alive payloads
				if c.WriteFrame(hostile.Pong(p[:])) != nil || c.WriteFrame(hostile.Pong([]byte("unasked"))) != nil {
					return
				}
			}
		}()
		for { // read, never answer
			if _, err := nextFrame(c); err != nil {
				return
			}
		}
	})
	ws := wstest.NewWS(t)
	r := wstest.NewRecorder(t, ws)
	r.Open(t, srv.URL(), &websocket.RequestOptions{PingInterval: mo.Some(interval), PongTimeout: mo.Some(timeout)})
	evs := r.Expect(t, "error", "close") // within wstest.Timeout: the Pong timeout is 100 ms
	wstest.AssertCode(t, evs[0].Err, websocket.ErrConnectionFailed)
	assert.ErrorIs(t, evs[0].Err, websocket.ErrPongTimeout)
	assert.Equal(t, websocket.CloseResult{Code: 1006, Reason: "The link is down"}, evs[1].Close)
}

// TestKeepAliveRearm checks the keep-alive timer: each answered Ping makes
// the next one due PingInterval after its Pong, again and again. The
// server answers each Ping after a delay, so the Pings are at least delay
// plus PingInterval apart (package doc, section Keep-alive).
func TestKeepAliveRearm(t *testing.T) {
	const interval, delay = 100 * time.Millisecond, 150 * time.Millisecond
	srv, logs := newPongServer(t, 0, delay)
	ws := wstest.NewWS(t)
	r := wstest.NewRecorder(t, ws)
	r.Open(t, srv.URL(), &websocket.RequestOptions{PingInterval: mo.Some(interval), PongTimeout: mo.Some(time.Second)})
	r.Quiet(t, 4*(interval+delay)+interval/2) // four Pings, and nothing else
	r.Shut(t)

	pings := recv(t, logs).pings
	require.GreaterOrEqual(t, len(pings), 3, "keep-alive Pings")
	seen := make(map[string]bool)
	for i, p := range pings {
		assert.Len(t, p.Frame.Payload, 8, "a keep-alive Ping carries an 8-byte payload")
		assert.False(t, seen[string(p.Frame.Payload)], "Ping %d repeats a payload", i)
		seen[string(p.Frame.Payload)] = true
		if i > 0 {
			gap := p.At.Sub(pings[i-1].At)
			// The timer fires PingInterval after the Pong arrived; the
			// arrival times jitter by a few milliseconds.
			assert.GreaterOrEqual(t, gap, delay+interval-10*time.Millisecond, "Ping %d came %v after the previous one", i, gap)
			assert.Less(t, gap, delay+interval+time.Second, "Ping %d came %v after the previous one", i, gap)
		}
	}
}

// TestKeepAliveStopsAtClose checks that Close ends keep-alive: no Ping is
// written after the client's Close frame, and a Ping left unanswered when
// Close was called does not cut the closing handshake short when its Pong
// timeout passes — the client waits for the server's Close frame (package
// doc, sections Keep-alive and Lifecycle).
func TestKeepAliveStopsAtClose(t *testing.T) {
	const (
		interval    = 20 * time.Millisecond
		pongTimeout = 300 * time.Millisecond
		reply       = 600 * time.Millisecond // the server's Close comes this long after the client's
	)
	pinged := make(chan struct{}, 1)
	type report struct {
		openWhenReplying bool
		closedByClient   bool
		record           []hostile.Received
	}
	reports := make(chan report, 1)
	srv := hostile.New(t, func(c *hostile.Conn) {
		var rep report
		defer func() {
			rep.record = c.Record()
			reports <- rep
		}()
		if _, err := c.Upgrade(); err != nil {
			return
		}
		for { // read, never answer a Ping
			f, err := nextFrame(c)
			if err != nil {
				return
			}
			if f.Opcode == hostile.OpPing {
				select {
				case pinged <- struct{}{}:
				default:
				}
			}
			if f.Opcode == hostile.OpClose {
				break
			}
		}
		if c.Pause(reply) != nil {
			return
		}
		ended, _, _, _ := c.Ended()
		rep.openWhenReplying = !ended
		c.WriteFrame(hostile.Close(1000, ""))
		rep.closedByClient, _ = c.WaitTCPClose(soon())
	})
	ws := wstest.NewWS(t)
	r := wstest.NewRecorder(t, ws)
	r.Open(t, srv.URL(), &websocket.RequestOptions{PingInterval: mo.Some(interval), PongTimeout: mo.Some(pongTimeout)})
	recv(t, pinged) // a Ping is outstanding: its Pong timeout runs

	start := time.Now()
	require.NoError(t, ws.CloseContext(wstest.Ctx(t), nil))
	assert.GreaterOrEqual(t, time.Since(start), reply-50*time.Millisecond, "the closing handshake was cut short")
	assert.Equal(t, websocket.CloseResult{Code: 1000}, r.WaitFor(t, "close", func(e wstest.Event) bool { return e.Kind == "close" }).Close)

	rep := recv(t, reports)
	assert.True(t, rep.openWhenReplying, "the client dropped the link before the server's Close")
	assert.True(t, rep.closedByClient, "the client closes the TCP connection after the closing handshake")
	closeAt := -1
	for i, x := range rep.record {
		if x.Frame.Opcode == hostile.OpClose {
			closeAt = i
		}
	}
	require.GreaterOrEqual(t, closeAt, 0, "the client's Close frame")
	for _, x := range rep.record[closeAt+1:] {
		assert.NotEqual(t, hostile.OpPing, x.Frame.Opcode, "a Ping after the client's Close frame")
	}
}

// TestKeepAliveOff: PingInterval Some(0) turns keep-alive off: the client
// sends no Ping, however long the connection stays quiet (package doc,
// section Keep-alive). The server listens for 500 ms; with keep-alive on,
// an interval of zero would send the first Ping at once.
func TestKeepAliveOff(t *testing.T) {
	frames := make(chan error, 1)
	srv := hostile.New(t, func(c *hostile.Conn) {
		if _, err := c.Upgrade(); err != nil {
			return
		}
		f, err := c.ReadFrame(time.Now().Add(500 * time.Millisecond))
		if err == nil {
			frames <- fmt.Errorf("the client sent a frame (opcode %d) on a quiet connection", f.Opcode)
		} else {
			frames <- nil
		}
		c.WriteFrame(hostile.Close(1000, ""))
		c.ExpectClose(soon())
	})
	dialed(t, srv.URL(), &websocket.RequestOptions{PingInterval: mo.Some(time.Duration(0))})
	assert.NoError(t, recv(t, frames))
}
