package interop_test

import (
	"strings"
	"testing"
	"time"

	"github.com/samber/mo"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cangjie-go/ohos/networkkit/websocket"
)

// startNodeWS runs testdata/ws_server.js in mode with Debian's node-ws and
// returns its ws:// URL.
func startNodeWS(t *testing.T, mode string) (*peer, string) {
	t.Helper()
	node := requireTool(t, "/usr/bin/node", "nodejs")
	requireTool(t, "/usr/share/nodejs/ws/package.json", "node-ws")
	p := startPeer(t, node, "testdata/ws_server.js", mode)
	return p, "ws://127.0.0.1:" + strings.TrimPrefix(p.waitLine(t, "READY "), "READY ") + "/"
}

// TestNodeWS runs the client against node-ws: server pings with a payload,
// ws's maxPayload, and echo.
func TestNodeWS(t *testing.T) {
	t.Run("the pong echoes the payload of a server ping", func(t *testing.T) {
		p, url := startNodeWS(t, "ping")
		ctx := peerCtx(t)
		c := dialPeer(t, ctx, url, nil)
		// The server reports the payload of the pong it got.
		assert.Equal(t, websocket.MessageData(websocket.StringData("pong:are-you-there")), c.next(t, ctx))
		c.roundTrip(t, ctx, websocket.StringData("still open"))
		require.NoError(t, c.ws.CloseContext(ctx, nil))
		assert.Equal(t, websocket.CloseResult{Code: 1000}, c.closed(t, ctx))
		p.waitLine(t, "CLOSED 1000")
	})

	t.Run("maxPayload exceeded is reported as close 1009", func(t *testing.T) {
		p, url := startNodeWS(t, "maxpayload")
		ctx := peerCtx(t)
		c := dialPeer(t, ctx, url, nil)
		c.roundTrip(t, ctx, websocket.ArrayData(payload(1024, false))) // the limit itself passes
		require.NoError(t, c.ws.SendContext(ctx, websocket.ArrayData(payload(2048, false))))
		res := c.closed(t, ctx)
		assert.EqualValues(t, 1009, res.Code, "close event %+v", res)
		// ws stops reading once it has failed the connection, so it never
		// sees the client's answering Close frame and itself logs 1006.
		p.waitLine(t, "ERROR Max payload size exceeded")
		// The connection is over.
		assert.ErrorIs(t, c.ws.SendContext(ctx, websocket.StringData("after")), websocket.ErrConnectionNotExist)
	})

	t.Run("Ping measures a round trip beside keep-alive", func(t *testing.T) {
		_, url := startNodeWS(t, "echo")
		ctx := peerCtx(t)
		ws := websocket.CreateWebSocket()
		require.NoError(t, ws.ConnectContext(ctx, url, &websocket.RequestOptions{PingInterval: mo.Some(5 * time.Millisecond)}))
		for range 20 {
			rtt, err := ws.Ping(ctx)
			require.NoError(t, err)
			assert.Positive(t, rtt)
		}
		require.NoError(t, ws.CloseContext(ctx, nil))
	})

	t.Run("echo", func(t *testing.T) {
		_, url := startNodeWS(t, "echo")
		echo(t, url, nil)
		echoAllSizes(t, url, []int{0, 125, 126, 65536, 1 << 20})
	})
}
