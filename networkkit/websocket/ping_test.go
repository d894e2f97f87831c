package websocket_test

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/samber/mo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cangjie-go/ohos/internal/echoserver"
	"github.com/cangjie-go/ohos/internal/hostile"
	"github.com/cangjie-go/ohos/networkkit/websocket"
)

// TestPing: Ping returns the round trip of its own Ping, concurrently with
// other Pings, sends and keep-alive.
func TestPing(t *testing.T) {
	srv := echoserver.New(echoserver.Options{})
	t.Cleanup(srv.Close)
	ws := dialed(t, srv.WSURL("/"), &websocket.RequestOptions{PingInterval: mo.Some(5 * time.Millisecond)})
	ctx := receiveCtx(t)
	rtt, err := ws.Ping(ctx)
	require.NoError(t, err)
	assert.Positive(t, rtt)
	assert.Less(t, rtt, receiveTimeout)

	var wg sync.WaitGroup
	for range 8 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for range 20 {
				_, err := ws.Ping(ctx)
				if !assert.NoError(t, err) {
					return
				}
			}
		}()
		go func() {
			defer wg.Done()
			for range 20 {
				if !assert.NoError(t, ws.SendContext(ctx, websocket.StringData("x"))) {
					return
				}
			}
		}()
	}
	wg.Wait()
}

// TestPingCancelled: a Ping whose Pong never comes returns ctx.Err() when
// ctx ends, and the connection goes on.
func TestPingCancelled(t *testing.T) {
	srv := echoserver.New(echoserver.Options{IgnorePings: true})
	t.Cleanup(srv.Close)
	ws := dialed(t, srv.WSURL("/"), nil)
	short, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := ws.Ping(short)
	assert.Equal(t, context.DeadlineExceeded, err)
	require.NoError(t, ws.SendContext(receiveCtx(t), websocket.StringData("still open")))
	m, err := ws.ReceiveContext(receiveCtx(t))
	require.NoError(t, err)
	assert.Equal(t, "still open", m.String())
}

// TestPingErrors: Ping needs an open connection and a context.
func TestPingErrors(t *testing.T) {
	ws := websocket.CreateWebSocket()
	_, err := ws.Ping(receiveCtx(t))
	assert.ErrorIs(t, err, websocket.ErrConnectionNotExist)
	assert.ErrorIs(t, err, net.ErrClosed)
	_, err = ws.Ping(nil) //nolint:staticcheck // a nil context is refused
	assert.ErrorIs(t, err, websocket.ErrParameter)
}

// TestPingEndsWithConnection: a Ping waiting for its Pong when the
// connection ends returns the end, with its close status.
func TestPingEndsWithConnection(t *testing.T) {
	srv := hostile.New(t, func(c *hostile.Conn) {
		if _, err := c.Upgrade(); err != nil {
			return
		}
		// Close once the Ping has arrived, so that the Ping call waits for
		// its Pong when the connection ends (not: finds it ending).
		for {
			f, err := c.ReadFrame(time.Now().Add(receiveTimeout))
			if err != nil || f.Opcode == hostile.OpPing {
				break
			}
		}
		c.WriteFrame(hostile.Close(4002, "going"))
		c.ExpectClose(time.Now().Add(receiveTimeout))
	})
	ws := dialed(t, srv.URL(), nil)
	got := make(chan error, 1)
	go func() {
		_, err := ws.Ping(receiveCtx(t))
		got <- err
	}()
	select {
	case err := <-got:
		assertClosedWith(t, err, websocket.CloseResult{Code: 4002, Reason: "going"})
	case <-time.After(receiveTimeout):
		t.Fatal("Ping did not return when the connection ended")
	}
}

// TestPingBetweenFragments: a Ping made while a long message is being
// written is written between two of its fragments, and its Pong is read
// while the message is still being written (package doc, section
// Writing).
func TestPingBetweenFragments(t *testing.T) {
	const size = 16 << 20 // more than the socket buffers hold
	type seen struct {
		pingAt    int // index among the client's frames
		finalData int // index of the message's final frame
	}
	result := make(chan seen, 1)
	srv := hostile.New(t, func(c *hostile.Conn) {
		if _, err := c.Upgrade(); err != nil {
			return
		}
		s := seen{pingAt: -1, finalData: -1}
		deadline := time.Now().Add(30 * time.Second)
		for i := 0; s.finalData < 0; i++ {
			f, err := c.ReadFrame(deadline)
			if err != nil {
				break
			}
			switch {
			case f.Opcode == hostile.OpPing:
				s.pingAt = i
				c.WriteFrame(hostile.Pong(f.Payload))
			case !f.Opcode.IsControl() && f.Fin:
				s.finalData = i
			}
		}
		result <- s
		c.ExpectClose(time.Now().Add(receiveTimeout))
	})
	srv.SetMaxPayload(size)
	ws := dialed(t, srv.URL(), nil)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second) // 16 MiB under -race on a busy machine
	defer cancel()
	sent := make(chan error, 1)
	go func() { sent <- ws.SendContext(ctx, websocket.ArrayData(make([]byte, size))) }()
	rtt, err := ws.Ping(ctx)
	require.NoError(t, err)
	select {
	case err := <-sent:
		t.Logf("the message was written before the Pong came back (%v); rtt %v", err, rtt)
	default: // the Pong came back while the message was still being written
	}
	require.NoError(t, <-sent)
	s := <-result
	require.GreaterOrEqual(t, s.pingAt, 0, "the server saw the Ping")
	assert.Less(t, s.pingAt, s.finalData, "the Ping went out between fragments of the message")
}
