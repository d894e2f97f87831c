package interop_test

import (
	"fmt"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cangjie-go/ohos/networkkit/websocket"
)

// TestLibwebsocketsTestServer runs the client against
// libwebsockets-test-server. libwebsockets is the engine the platform's own
// WebSocket client (ohos.net.webSocket, NetworkKit's net_websocket) is built
// on, so this is the peer closest to what HarmonyOS code talks to.
func TestLibwebsocketsTestServer(t *testing.T) {
	bin := requireTool(t, "/usr/bin/libwebsockets-test-server", "libwebsockets-test-server")
	port := freePort(t)
	// -i lo: loopback only; -r: the resource directory of
	// libwebsockets-test-server-common (a dependency of the package).
	p := startPeer(t, bin, "-p", strconv.Itoa(port), "-i", "lo", "-r", "/usr/share/libwebsockets-test-server/")
	waitListening(t, p, net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	url := fmt.Sprintf("ws://127.0.0.1:%d/", port)

	t.Run("dumb-increment-protocol", func(t *testing.T) {
		ctx := peerCtx(t)
		c := dialPeer(t, ctx, url, &websocket.RequestOptions{Protocol: "dumb-increment-protocol"})
		assert.Equal(t, "dumb-increment-protocol", c.ws.Protocol())
		// The server sends an increasing counter as text, about every 50 ms.
		number := func() int {
			t.Helper()
			m := c.next(t, ctx)
			s, ok := m.(websocket.StringData)
			require.True(t, ok, "want text, got %T", m)
			n, err := strconv.Atoi(string(s))
			require.NoError(t, err, "message %q", s)
			return n
		}
		prev := number()
		for range 5 {
			n := number()
			assert.Equal(t, prev+1, n, "the counter goes up by one")
			prev = n
		}
		// "reset\n" starts the counter again from 0, within a few messages.
		require.NoError(t, c.ws.SendContext(ctx, websocket.StringData("reset\n")))
		for i, n := 0, number(); n != 0; i, n = i+1, number() {
			require.Less(t, i, 100, "the counter was not reset")
			require.Greater(t, n, prev, "numbers before the reset keep increasing")
			prev = n
		}
		// "closeme\n" makes the server close with 1001 "seeya".
		require.NoError(t, c.ws.SendContext(ctx, websocket.StringData("closeme\n")))
		for {
			select {
			case res := <-c.closes:
				assert.Equal(t, websocket.CloseResult{Code: 1001, Reason: "seeya"}, res)
				return
			case m := <-c.msgs: // numbers sent before the server read closeme
				assert.IsType(t, websocket.StringData(""), m)
			case e := <-c.errs:
				require.FailNow(t, "error event", "%v", e)
			case <-ctx.Done():
				require.FailNow(t, "no close event")
			}
		}
	})

	t.Run("lws-mirror-protocol", func(t *testing.T) {
		ctx := peerCtx(t)
		opts := &websocket.RequestOptions{Protocol: "lws-mirror-protocol"}
		a := dialPeer(t, ctx, url, opts)
		b := dialPeer(t, ctx, url, opts)
		assert.Equal(t, "lws-mirror-protocol", a.ws.Protocol())
		text := fmt.Sprintf("mirrored at %d", time.Now().UnixNano())
		require.NoError(t, a.ws.SendContext(ctx, websocket.StringData(text)))
		// Every client of the mirror gets it: the other one and the sender.
		assert.Equal(t, websocket.MessageData(websocket.StringData(text)), b.next(t, ctx), "the other client")
		assert.Equal(t, websocket.MessageData(websocket.StringData(text)), a.next(t, ctx), "the sender")
		// And the other way round.
		require.NoError(t, b.ws.SendContext(ctx, websocket.StringData(text+" back")))
		assert.Equal(t, websocket.MessageData(websocket.StringData(text+" back")), a.next(t, ctx))
		assert.Equal(t, websocket.MessageData(websocket.StringData(text+" back")), b.next(t, ctx))
		for _, c := range []*peerClient{a, b} {
			require.NoError(t, c.ws.CloseContext(ctx, nil))
			assert.Equal(t, websocket.CloseResult{Code: 1000}, c.closed(t, ctx))
		}
	})
}
