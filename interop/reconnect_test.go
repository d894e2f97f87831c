package interop_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cangjie-go/ohos/networkkit/websocket"
)

// TestPythonWebsocketsRestart restarts a python3-websockets server under an
// open connection: it goes away with 1001, comes back on the same port, and
// the client reconnects by itself; what was sent meanwhile arrives once and
// in order (package doc, section Lifecycle: Reconnecting).
func TestPythonWebsocketsRestart(t *testing.T) {
	py := requirePython(t, "websockets", "python3-websockets")
	first := startPeer(t, py, "testdata/ws_peer.py")
	port := strings.TrimPrefix(first.waitLine(t, "READY "), "READY ")
	url := "ws://127.0.0.1:" + port + "/echo"

	ctx := peerCtx(t)
	ws := websocket.CreateWebSocket()
	t.Cleanup(func() { _ = ws.CloseContext(ctx, nil) })
	events := make(chan string, 64)
	require.NoError(t, ws.OnClose(websocket.Data(func(r websocket.CloseResult) { events <- fmt.Sprint("close ", r.Code) })))
	require.NoError(t, ws.OnReconnect(websocket.Data(func(r websocket.Reconnect) { events <- fmt.Sprint("reconnect ", r.Attempt) })))
	require.NoError(t, ws.OnOpen(websocket.Data(func(map[uint32]string) { events <- "open" })))
	policy := &websocket.ReconnectPolicy{InitialDelay: 20 * time.Millisecond, MaxDelay: 100 * time.Millisecond}
	require.NoError(t, ws.ConnectContext(ctx, url, &websocket.RequestOptions{Reconnect: policy}))
	next := func() string {
		select {
		case e := <-events:
			return e
		case <-ctx.Done():
			t.Fatal("no event")
			return ""
		}
	}
	assert.Equal(t, "open", next())
	require.NoError(t, ws.SendContext(ctx, websocket.StringData("before")))
	m, err := ws.ReceiveContext(ctx)
	require.NoError(t, err)
	assert.Equal(t, "before", m.String())

	first.stop(t)
	assert.Equal(t, "close 1001", next(), "the server went away")
	assert.Equal(t, "reconnect 1", next())
	const n = 20
	sent := make(chan error, n)
	for i := range n {
		ws.Send(websocket.StringData(fmt.Sprint("while down ", i)), websocket.Done(func(err error) { sent <- err }))
	}
	second := startPeer(t, py, "testdata/ws_peer.py", port)
	second.waitLine(t, "READY "+port)
	for e := next(); e != "open"; e = next() {
		assert.True(t, strings.HasPrefix(e, "reconnect "), "attempts until the server is back: %q", e)
	}
	for i := range n {
		require.NoError(t, <-sent)
		m, err := ws.ReceiveContext(ctx)
		require.NoError(t, err)
		assert.Equal(t, fmt.Sprint("while down ", i), m.String(), "once and in order")
	}
	require.NoError(t, ws.CloseContext(ctx, nil))
	assert.Equal(t, "close 1000", next())
	second.waitLine(t, "CLOSED 1000")
}
