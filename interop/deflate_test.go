package interop_test

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cangjie-go/ohos/networkkit/websocket"
)

// Compression (permessage-deflate) against real peers: python3-websockets,
// which compresses by default and limits both windows to 12 bits, and
// node-ws limiting the client's window to 10 bits, with and without server
// context takeover. Both decompress with zlib, whose inflater fails on a
// back-reference beyond the window it was given ("invalid distance too far
// back"): a message that repeats 20 KiB of random octets shows whether the
// client kept to the window.

// farMessage is 20 KiB of random octets twice: a compressor with a window of
// more than 20 KiB encodes the second half as references 20 KiB back.
func farMessage(seed uint64) []byte {
	rng := rand.New(rand.NewPCG(seed, 7))
	b := make([]byte, 20<<10)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return append(b, b...)
}

// answerParams returns the parameters of a permessage-deflate answer, in
// order, without the extension's name.
func answerParams(answer string) []string {
	parts := strings.Split(answer, ";")
	var params []string
	for _, p := range parts[1:] {
		params = append(params, strings.TrimSpace(p))
	}
	slices.Sort(params)
	return params
}

// deflateEchoAll connects with opts, checks that the server answered
// permessage-deflate with the parameters want, echoes text and binary
// messages of every size in sizes and farMessage twice (so that context
// takeover refers back 40 KiB too), and closes with 1000.
func deflateEchoAll(t *testing.T, url string, opts *websocket.RequestOptions, want []string, sizes []int) {
	t.Helper()
	ctx := peerCtx(t)
	began := time.Now()
	c := dialPeer(t, ctx, url, opts)
	answer := c.ws.Extensions()
	require.True(t, strings.HasPrefix(answer, "permessage-deflate"), "Extensions() = %q", answer)
	slices.Sort(want)
	assert.Equal(t, want, answerParams(answer), "Extensions() = %q", answer)
	far := farMessage(uint64(opts.Compression))
	c.roundTrip(t, ctx, websocket.ArrayData(far))
	c.roundTrip(t, ctx, websocket.ArrayData(far))
	for _, n := range sizes {
		c.roundTrip(t, ctx, websocket.StringData(payload(n, true)))
		c.roundTrip(t, ctx, websocket.ArrayData(payload(n, false)))
	}
	require.NoError(t, c.ws.CloseContext(ctx, nil))
	assert.Equal(t, websocket.CloseResult{Code: 1000}, c.closed(t, ctx))
	t.Logf("%s: echoed in %v", answer, time.Since(began).Round(time.Millisecond))
}

// deflateOptions are the client's options in the compression tests: the
// largest echo (16 MiB) is the limit itself; without context takeover the
// client compresses every message but empty ones (threshold 1), with it
// those of the default threshold (256 octets).
func deflateOptions(mode websocket.CompressionMode) *websocket.RequestOptions {
	o := &websocket.RequestOptions{Compression: mode, MaxMessageSize: 16 << 20}
	if mode == websocket.CompressionNoContextTakeover {
		o.CompressionThreshold = 1
	}
	return o
}

// TestPythonWebsocketsDeflate: python3-websockets with its default
// compression (server_max_window_bits=12, client_max_window_bits=12), from
// 0 octets to 16 MiB, in both modes the client offers.
func TestPythonWebsocketsDeflate(t *testing.T) {
	py := requirePython(t, "websockets", "python3-websockets")
	p := startPeer(t, py, "testdata/ws_peer.py")
	url := "ws://127.0.0.1:" + strings.TrimPrefix(p.waitLine(t, "READY "), "READY ") + "/echo"
	t.Run("no context takeover", func(t *testing.T) {
		deflateEchoAll(t, url, deflateOptions(websocket.CompressionNoContextTakeover), []string{
			"server_no_context_takeover", "client_no_context_takeover", "server_max_window_bits=12", "client_max_window_bits=12",
		}, echoSizes)
		p.waitLine(t, "CLOSED 1000")
	})
	t.Run("context takeover", func(t *testing.T) {
		deflateEchoAll(t, url, deflateOptions(websocket.CompressionContextTakeover), []string{
			"server_max_window_bits=12", "client_max_window_bits=12",
		}, echoSizes)
		p.waitLine(t, "CLOSED 1000")
	})
}

// TestNodeWSDeflate: node-ws with perMessageDeflate { clientMaxWindowBits:
// 10, threshold: 0 }, without server context takeover (mode deflate of
// testdata/ws_server.js) and with it (deflate-takeover), in both modes the
// client offers, from 0 octets to 16 MiB (to 1 MiB when the client offers
// no context takeover: the four runs of 16 MiB would take most of 20 s
// under -race). node's zlib inflates with a 10-bit window: a client that
// compressed with a larger one fails the connection.
func TestNodeWSDeflate(t *testing.T) {
	for _, tc := range []struct {
		server string
		mode   websocket.CompressionMode
		want   []string
	}{
		{"deflate", websocket.CompressionNoContextTakeover,
			[]string{"client_no_context_takeover", "server_no_context_takeover", "client_max_window_bits=10"}},
		{"deflate", websocket.CompressionContextTakeover,
			[]string{"server_no_context_takeover", "client_max_window_bits=10"}},
		{"deflate-takeover", websocket.CompressionNoContextTakeover,
			[]string{"client_no_context_takeover", "server_no_context_takeover", "client_max_window_bits=10"}},
		{"deflate-takeover", websocket.CompressionContextTakeover,
			[]string{"client_max_window_bits=10"}},
	} {
		t.Run(tc.server+", client offers "+tc.mode.String(), func(t *testing.T) {
			p, url := startNodeWS(t, tc.server)
			sizes := echoSizes
			if tc.mode == websocket.CompressionNoContextTakeover {
				sizes = slices.DeleteFunc(slices.Clone(sizes), func(n int) bool { return n > 1<<20 })
			}
			deflateEchoAll(t, url, deflateOptions(tc.mode), tc.want, sizes)
			p.waitLine(t, "CLOSED 1000")
		})
	}
}
