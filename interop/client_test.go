package interop_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/samber/mo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cangjie-go/ohos/callback"
	"github.com/cangjie-go/ohos/networkkit/websocket"
)

// peerTimeout bounds each real-peer test; the largest messages (16 MiB)
// take a few seconds under -race.
const peerTimeout = 60 * time.Second

// peerCtx returns a context that ends after peerTimeout or with the test.
func peerCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), peerTimeout)
	t.Cleanup(cancel)
	return ctx
}

// peerClient is a WebSocket connected to a real peer, whose message, error
// and close events arrive on channels.
type peerClient struct {
	ws     *websocket.WebSocket
	msgs   chan websocket.MessageData
	errs   chan *callback.BusinessException
	closes chan websocket.CloseResult
}

// dialPeer connects to url with opts; the connection is closed when the
// test ends, whatever state the test left it in.
func dialPeer(t *testing.T, ctx context.Context, url string, opts *websocket.RequestOptions) *peerClient {
	t.Helper()
	c := &peerClient{
		ws:     websocket.CreateWebSocket(),
		msgs:   make(chan websocket.MessageData, 1024),
		errs:   make(chan *callback.BusinessException, 4),
		closes: make(chan websocket.CloseResult, 4),
	}
	require.NoError(t, c.ws.OnMessage(websocket.WebSocketAsyncCallbackFunc[websocket.MessageData](
		func(_ mo.Option[callback.AsyncError], d mo.Option[websocket.MessageData]) {
			select {
			case c.msgs <- d.OrEmpty():
			case <-time.After(peerTimeout): // a test that stopped reading; never block forever
			}
		})))
	require.NoError(t, c.ws.OnError(websocket.WebSocketErrorCallbackFunc(func(e *callback.BusinessException) { c.errs <- e })))
	require.NoError(t, c.ws.OnClose(websocket.WebSocketAsyncCallbackFunc[websocket.CloseResult](
		func(_ mo.Option[callback.AsyncError], d mo.Option[websocket.CloseResult]) { c.closes <- d.OrEmpty() })))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = c.ws.CloseContext(ctx, nil)
	})
	require.NoError(t, c.ws.ConnectContext(ctx, url, opts))
	return c
}

// next returns the next message.
func (c *peerClient) next(t *testing.T, ctx context.Context) websocket.MessageData {
	t.Helper()
	select {
	case m := <-c.msgs:
		return m
	case e := <-c.errs:
		require.FailNow(t, "error event instead of a message", "%v", e)
	case res := <-c.closes:
		require.FailNow(t, "close event instead of a message", "%+v", res)
	case <-ctx.Done():
		require.FailNow(t, "no message in time")
	}
	return nil
}

// closed returns the close event, failing the test if an error event or a
// message comes first.
func (c *peerClient) closed(t *testing.T, ctx context.Context) websocket.CloseResult {
	t.Helper()
	select {
	case res := <-c.closes:
		return res
	case e := <-c.errs:
		require.FailNow(t, "error event before the close event", "%v", e)
	case m := <-c.msgs:
		require.FailNow(t, "message before the close event", "%s", describeMessage(m))
	case <-ctx.Done():
		require.FailNow(t, "no close event in time")
	}
	return websocket.CloseResult{}
}

// roundTrip sends data and expects the same data back, of the same type.
func (c *peerClient) roundTrip(t *testing.T, ctx context.Context, data websocket.MessageData) {
	t.Helper()
	require.NoError(t, c.ws.SendContext(ctx, data), "send %s", describeMessage(data))
	got := c.next(t, ctx)
	assert.True(t, sameMessage(data, got), "sent %s, got back %s", describeMessage(data), describeMessage(got))
}

// payload returns n bytes of a pattern that is valid UTF-8 text (ASCII)
// or, for binary, runs through every byte value.
func payload(n int, text bool) []byte {
	p := make([]byte, n)
	for i := range p {
		if text {
			p[i] = 'a' + byte(i%26)
		} else {
			p[i] = byte(i*7 + i>>8)
		}
	}
	return p
}

// sameMessage compares messages without printing megabytes on failure.
func sameMessage(a, b websocket.MessageData) bool {
	switch a := a.(type) {
	case websocket.StringData:
		b, ok := b.(websocket.StringData)
		return ok && a == b
	case websocket.ArrayData:
		b, ok := b.(websocket.ArrayData)
		return ok && bytes.Equal(a, b)
	}
	return false
}

// describeMessage names a message's type and size, and shows its start.
func describeMessage(m websocket.MessageData) string {
	switch m := m.(type) {
	case websocket.StringData:
		return fmt.Sprintf("text of %d bytes %.32q", len(m), string(m))
	case websocket.ArrayData:
		return fmt.Sprintf("binary of %d bytes %.32x", len(m), []byte(m))
	}
	return fmt.Sprintf("%T", m)
}

// echoSizes are the message sizes the echo tests send: the edges of the
// frame length encodings (125/126, 65535/65536), then 1 MiB and 16 MiB, the
// default RequestOptions.MaxMessageSize, which must pass.
var echoSizes = []int{0, 1, 125, 126, 65535, 65536, 1 << 20, websocket.DefaultMaxMessageSize}

// echoAllSizes sends text and binary messages of every size in sizes and
// checks each echo.
func echoAllSizes(t *testing.T, url string, sizes []int) {
	ctx := peerCtx(t)
	c := dialPeer(t, ctx, url, nil)
	for _, n := range sizes {
		began := time.Now()
		c.roundTrip(t, ctx, websocket.StringData(payload(n, true)))
		c.roundTrip(t, ctx, websocket.ArrayData(payload(n, false)))
		if n >= 1<<20 {
			t.Logf("%d bytes, text and binary, echoed in %v", n, time.Since(began).Round(time.Millisecond))
		}
	}
	require.NoError(t, c.ws.CloseContext(ctx, nil))
	assert.Equal(t, websocket.CloseResult{Code: 1000}, c.closed(t, ctx))
}
