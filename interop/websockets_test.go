package interop_test

import (
	"context"
	"net"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cangjie-go/ohos/callback"
	"github.com/cangjie-go/ohos/networkkit/websocket"
)

// TestPythonWebsockets runs the client against python3-websockets
// (testdata/ws_peer.py): echo of every frame-length edge up to 16 MiB, close
// codes in both directions, and a refused handshake. Subprotocols are
// covered by TestPythonWebsocketsSubprotocols.
func TestPythonWebsockets(t *testing.T) {
	py := requirePython(t, "websockets", "python3-websockets")
	p := startPeer(t, py, "testdata/ws_peer.py")
	base := "ws://127.0.0.1:" + strings.TrimPrefix(p.waitLine(t, "READY "), "READY ")

	t.Run("echo text and binary from 0 bytes to 16 MiB", func(t *testing.T) {
		echoAllSizes(t, base+"/echo", echoSizes)
	})

	t.Run("server closes with 4000 bye", func(t *testing.T) {
		ctx := peerCtx(t)
		c := dialPeer(t, ctx, base+"/close/4000/bye", nil)
		assert.Equal(t, websocket.CloseResult{Code: 4000, Reason: "bye"}, c.closed(t, ctx))
		// The client answered with the same code (RFC 6455 §5.5.1).
		p.waitLine(t, "CLOSED 4000")
	})

	t.Run("client closes with 3001 done", func(t *testing.T) {
		ctx := peerCtx(t)
		c := dialPeer(t, ctx, base+"/echo", nil)
		c.roundTrip(t, ctx, websocket.StringData("before the close"))
		require.NoError(t, c.ws.CloseContext(ctx, &websocket.CloseOptions{Code: 3001, Reason: "done"}))
		assert.Equal(t, websocket.CloseResult{Code: 3001, Reason: "done"}, c.closed(t, ctx))
		// The server saw the client's code and reason.
		p.waitLine(t, "CLOSED 3001 done")
	})

	t.Run("Ping measures a round trip; the pull receive gets the echo", func(t *testing.T) {
		ctx := peerCtx(t)
		ws := websocket.CreateWebSocket()
		require.NoError(t, ws.ConnectContext(ctx, base+"/echo", nil))
		for range 3 {
			rtt, err := ws.Ping(ctx)
			require.NoError(t, err)
			assert.Positive(t, rtt)
		}
		require.NoError(t, ws.SendContext(ctx, websocket.StringData("pulled")))
		m, err := ws.ReceiveContext(ctx)
		require.NoError(t, err)
		assert.Equal(t, websocket.MessageData(websocket.StringData("pulled")), m)
		require.NoError(t, ws.CloseContext(ctx, nil))
		_, err = ws.ReceiveContext(ctx)
		res, ok := websocket.CloseStatus(err)
		assert.True(t, ok, "the end carries the close status: %v", err)
		assert.EqualValues(t, 1000, res.Code)
	})

	t.Run("refused handshake shows status and headers", func(t *testing.T) {
		err := connectErr(t, base+"/refuse", nil) // code 200
		var be *callback.BusinessException
		require.ErrorAs(t, err, &be)
		assert.EqualValues(t, 200, be.Code)
		var he *websocket.HandshakeError
		require.ErrorAs(t, err, &he)
		assert.Equal(t, 403, he.StatusCode)
		assert.Equal(t, "ws_peer.py", he.Header.Get("X-Refused-By"))
		assert.Contains(t, string(he.Body), "no entry")
		assert.Contains(t, err.Error(), "403")
	})
}

// TestPythonWebsocketsUnixSocket runs the client against python3-websockets
// listening on a Unix socket (testdata/ws_unix_server.py), reached through
// RequestOptions.DialContext: the URL names the host, which the handshake
// sends, while the dial function decides where the bytes go.
func TestPythonWebsocketsUnixSocket(t *testing.T) {
	py := requirePython(t, "websockets", "python3-websockets")
	path := filepath.Join(t.TempDir(), "ws.sock")
	p := startPeer(t, py, "testdata/ws_unix_server.py", path)
	p.waitLine(t, "READY")
	var asked []string
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		asked = append(asked, network+" "+addr)
		var d net.Dialer
		return d.DialContext(ctx, "unix", path)
	}
	echo(t, "ws://app.internal/chat?room=1", &websocket.RequestOptions{DialContext: dial, Proxy: websocket.NoProxy{}},
		"host:app.internal origin:http://app.internal path:/chat?room=1")
	assert.Equal(t, []string{"tcp app.internal:80"}, asked)

	echo(t, "ws://app.internal:8080/", &websocket.RequestOptions{DialContext: dial, Proxy: websocket.NoProxy{}, SupportOriginPort: true},
		"host:app.internal:8080 origin:http://app.internal:8080 path:/")
}
