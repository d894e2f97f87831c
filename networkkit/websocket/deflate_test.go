package websocket_test

import (
	"bytes"
	"compress/flate"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/samber/mo"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cangjie-go/ohos/callback"
	"github.com/cangjie-go/ohos/internal/echoserver"
	"github.com/cangjie-go/ohos/internal/hostile"
	"github.com/cangjie-go/ohos/networkkit/websocket"
)

// deflateRaw compresses p as permessage-deflate does: a raw deflate stream
// ending in a sync flush, whose 4-byte tail is stripped.
func deflateRaw(t *testing.T, p []byte, level int) []byte {
	t.Helper()
	var b bytes.Buffer
	w, err := flate.NewWriter(&b, level)
	require.NoError(t, err)
	_, err = w.Write(p)
	require.NoError(t, err)
	require.NoError(t, w.Flush())
	out := b.Bytes()
	require.Equal(t, []byte{0, 0, 0xff, 0xff}, out[len(out)-4:])
	return out[:len(out)-4]
}

// inflateRaw inflates one permessage-deflate message.
func inflateRaw(t *testing.T, p []byte) []byte {
	t.Helper()
	r := flate.NewReader(io.MultiReader(bytes.NewReader(p), bytes.NewReader([]byte{0, 0, 0xff, 0xff, 1, 0, 0, 0xff, 0xff})))
	out, err := io.ReadAll(r)
	require.NoError(t, err)
	return out
}

// deflateServer answers the handshake with the given extension answer
// ("" for none) and runs script.
func deflateServer(t *testing.T, answer string, script func(c *hostile.Conn)) *hostile.Server {
	return hostile.New(t, func(c *hostile.Conn) {
		var extra []string
		if answer != "" {
			extra = append(extra, "Sec-WebSocket-Extensions: "+answer)
		}
		if _, err := c.Upgrade(extra...); err != nil {
			return
		}
		script(c)
	})
}

// endEvents connects, runs nothing else, and returns the close result and
// the error event (nil if none) of the connection.
func endEvents(t *testing.T, url string, opts *websocket.RequestOptions) (websocket.CloseResult, error) {
	t.Helper()
	ws := websocket.CreateWebSocket()
	errs := make(chan error, 1)
	closes := make(chan websocket.CloseResult, 1)
	require.NoError(t, ws.OnError(websocket.WebSocketErrorCallbackFunc(func(e *callback.BusinessException) { errs <- e })))
	require.NoError(t, ws.OnClose(websocket.Data(func(r websocket.CloseResult) { closes <- r })))
	require.NoError(t, ws.OnMessage(websocket.Data(func(websocket.MessageData) {})))
	require.NoError(t, ws.ConnectContext(receiveCtx(t), url, opts))
	select {
	case r := <-closes:
		select {
		case err := <-errs:
			return r, err
		default:
			return r, nil
		}
	case <-time.After(receiveTimeout):
		t.Fatal("no close event")
		return websocket.CloseResult{}, nil
	}
}

// TestDeflateBomb: a small compressed frame that would inflate far past
// MaxMessageSize is stopped at the limit with 1009, and the client
// allocates about the limit, not what the frame would inflate to (package
// doc, section Compression).
func TestDeflateBomb(t *testing.T) {
	bomb := deflateRaw(t, make([]byte, 64<<20), flate.BestSpeed) // 64 MiB of zeros
	t.Logf("bomb: %d KiB inflating to 64 MiB", len(bomb)>>10)
	codes := make(chan int, 1)
	srv := deflateServer(t, "permessage-deflate", func(c *hostile.Conn) {
		c.WriteFrame(hostile.Frame{Fin: true, Rsv: hostile.RSV1, Opcode: hostile.OpBinary, Payload: bomb})
		code, _, _ := c.ExpectClose(time.Now().Add(receiveTimeout))
		codes <- code
	})
	srv.SetMaxPayload(int64(len(bomb)) + 1)
	const limit = 1 << 20
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	res, err := endEvents(t, srv.URL(), &websocket.RequestOptions{Compression: websocket.CompressionContextTakeover, MaxMessageSize: limit})
	runtime.ReadMemStats(&after)
	assert.EqualValues(t, 1009, res.Code)
	assert.ErrorIs(t, err, websocket.ErrMessageTooBig)
	assert.Equal(t, 1009, <-codes, "the client closed with 1009")
	allocated := after.TotalAlloc - before.TotalAlloc
	t.Logf("allocated %d KiB while inflating (limit %d KiB)", allocated>>10, limit>>10)
	assert.Less(t, allocated, uint64(4*limit+2<<20), "allocation bounded by the limit, not by the bomb")
}

// TestDeflateLimits: MaxMessageSize applies to the inflated size — a
// compressed message of exactly the limit is received, one octet more ends
// the connection with 1009 — and a compressed payload longer than any
// message under the limit can need (the data stored, 5 octets per 64 KiB
// block) is refused with 1009 as soon as its header arrives (package doc,
// section Compression).
func TestDeflateLimits(t *testing.T) {
	const limit = 1 << 20
	incompressible := make([]byte, limit)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range incompressible {
		incompressible[i] = byte(rng.Uint32())
	}
	stored := deflateRaw(t, incompressible, flate.NoCompression)
	opts := &websocket.RequestOptions{Compression: websocket.CompressionContextTakeover, MaxMessageSize: limit}

	t.Run("at the limit", func(t *testing.T) {
		zeros := deflateRaw(t, make([]byte, limit), flate.BestSpeed)
		srv := deflateServer(t, "permessage-deflate; server_no_context_takeover", func(c *hostile.Conn) {
			c.WriteFrame(hostile.Frame{Fin: true, Rsv: hostile.RSV1, Opcode: hostile.OpBinary, Payload: stored})
			c.WriteFrame(hostile.Frame{Fin: true, Rsv: hostile.RSV1, Opcode: hostile.OpBinary, Payload: zeros})
			c.ExpectClose(soon())
		})
		srv.SetMaxPayload(2 * limit)
		ws := dialed(t, srv.URL(), opts)
		for _, want := range [][]byte{incompressible, make([]byte, limit)} {
			m, err := ws.ReceiveContext(receiveCtx(t))
			require.NoError(t, err)
			require.True(t, bytes.Equal(want, m.(websocket.ArrayData)), "the message of %d octets", len(want))
		}
	})
	t.Run("one octet over", func(t *testing.T) {
		over := deflateRaw(t, make([]byte, limit+1), flate.BestSpeed)
		codes := make(chan int, 1)
		srv := deflateServer(t, "permessage-deflate", func(c *hostile.Conn) {
			c.WriteFrame(hostile.Frame{Fin: true, Rsv: hostile.RSV1, Opcode: hostile.OpBinary, Payload: over})
			code, _, _ := c.ExpectClose(soon())
			codes <- code
		})
		res, err := endEvents(t, srv.URL(), opts)
		assert.EqualValues(t, 1009, res.Code)
		assert.ErrorIs(t, err, websocket.ErrMessageTooBig)
		assert.Equal(t, 1009, recv(t, codes))
	})
	t.Run("compressed payload over the bound", func(t *testing.T) {
		bound := uint64(limit + limit/16 + 64<<10)
		require.Less(t, uint64(len(stored)), bound)
		codes := make(chan int, 1)
		srv := deflateServer(t, "permessage-deflate", func(c *hostile.Conn) {
			// The header announces one octet over the bound; only the
			// start of the payload follows, so a client that waited for
			// the rest would never answer.
			c.WriteFrame(hostile.Frame{Fin: true, Rsv: hostile.RSV1, Opcode: hostile.OpBinary, Payload: stored[:1000], Length: mo.Some(bound + 1)})
			code, _, _ := c.ExpectClose(soon())
			codes <- code
		})
		res, err := endEvents(t, srv.URL(), opts)
		assert.EqualValues(t, 1009, res.Code)
		assert.ErrorIs(t, err, websocket.ErrMessageTooBig)
		assert.Equal(t, 1009, recv(t, codes))
	})
}

// TestDeflateBufferGrowsWithData: the buffer of a compressed message grows
// with the inflated data, not with the length the frame announces (package
// doc, section Compression: "it grows a buffer to the limit, not to what the
// frame announces"). A frame announcing 64 MiB of which a few octets arrive
// before the link drops costs little, whatever MaxMessageSize allows.
func TestDeflateBufferGrowsWithData(t *testing.T) {
	z := deflateRaw(t, []byte("hello"), 6)
	srv := deflateServer(t, "permessage-deflate", func(c *hostile.Conn) {
		c.WriteFrame(hostile.Frame{Fin: true, Rsv: hostile.RSV1, Opcode: hostile.OpBinary, Payload: z, Length: mo.Some(uint64(64 << 20))})
		// Returning drops the link.
	})
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	res, err := endEvents(t, srv.URL(), &websocket.RequestOptions{Compression: websocket.CompressionContextTakeover, MaxMessageSize: 256 << 20})
	runtime.ReadMemStats(&after)
	assert.EqualValues(t, 1006, res.Code)
	assert.ErrorIs(t, err, websocket.ErrLinkDown)
	allocated := after.TotalAlloc - before.TotalAlloc
	assert.Less(t, allocated, uint64(16<<20), "allocated %d MiB for a message of which %d octets arrived", allocated>>20, len(z))
}

// TestDeflateHugeLimit: with MaxMessageSize at its largest, a compressed
// frame announcing 2^61 octets neither crashes the process nor allocates
// for the announcement ("No input makes the package panic", package doc,
// section Errors). The client runs in a process of its own, so that a crash
// fails this test instead of ending the test binary.
func TestDeflateHugeLimit(t *testing.T) {
	if os.Getenv("WEBSOCKET_HUGE_LIMIT_CHILD") == "1" {
		srv := deflateServer(t, "permessage-deflate", func(c *hostile.Conn) {
			c.WriteFrame(hostile.Frame{Fin: true, Rsv: hostile.RSV1, Opcode: hostile.OpBinary, Length: mo.Some(uint64(1) << 61)})
		})
		res, _ := endEvents(t, srv.URL(), &websocket.RequestOptions{Compression: websocket.CompressionContextTakeover, MaxMessageSize: math.MaxInt64})
		assert.EqualValues(t, 1006, res.Code)
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestDeflateHugeLimit$", "-test.count=1")
	cmd.Env = append(os.Environ(), "WEBSOCKET_HUGE_LIMIT_CHILD=1")
	out, err := cmd.CombinedOutput()
	assert.NoError(t, err, "the client's process failed:\n%s", out)
}

// deflateBits writes the bits of DEFLATE data, least significant first.
type deflateBits struct {
	b []byte
	n uint
}

func (w *deflateBits) bits(v uint32, k uint) {
	for i := range k {
		if w.n%8 == 0 {
			w.b = append(w.b, 0)
		}
		w.b[len(w.b)-1] |= byte(v>>i&1) << (w.n % 8)
		w.n++
	}
}

// code writes a Huffman code of k bits, its most significant bit first.
func (w *deflateBits) code(c uint32, k uint) {
	for i := int(k) - 1; i >= 0; i-- {
		w.bits(c>>uint(i)&1, 1)
	}
}

// copyMessage returns a message of one dynamic DEFLATE block (RFC 1951
// §3.2.7) whose literal/length code is 'a' (0), end of block (10) and length
// 3 (11), with one distance code, distance 1, of length distLen (0: the
// distance code is empty), and whose data is 'a', a copy of 3 octets at
// distance 1 (code 0) and the end of block: "aaaa", or, without a distance
// code, invalid data.
func copyMessage(distLen uint32) []byte {
	var w deflateBits
	w.bits(0, 1)  // BFINAL
	w.bits(2, 2)  // BTYPE: dynamic
	w.bits(1, 5)  // 258 literal/length codes
	w.bits(0, 5)  // 1 distance code
	w.bits(14, 4) // 18 code length codes
	lengths := map[int]uint32{0: 2, 1: 2, 2: 2, 18: 2}
	for _, sym := range []int{16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1} {
		w.bits(lengths[sym], 3)
	}
	// The code length code: 0 is 00, 1 is 01, 2 is 10, 18 (a run of zeros) is 11.
	w.code(3, 2)
	w.bits(97-11, 7) // 97 zeros
	w.code(1, 2)     // 'a': 1
	w.code(3, 2)
	w.bits(138-11, 7) // 138 zeros
	w.code(3, 2)
	w.bits(20-11, 7)   // 20 zeros
	w.code(2, 2)       // end of block: 2
	w.code(2, 2)       // length 3: 2
	w.code(distLen, 2) // distance 1
	// The data.
	w.code(0, 1) // 'a'
	w.code(3, 2) // length 3
	w.code(0, 1) // distance 1
	w.code(2, 2) // end of block
	w.bits(0, 3) // the header of the sync flush's empty stored block
	return w.b
}

// TestDeflateEmptyDistanceCode: a dynamic block with an empty distance code
// that uses a length code is invalid DEFLATE (compress/flate and zlib
// refuse it): the client fails with 1002, whatever it inflated before, on
// this connection or on another.
func TestDeflateEmptyDistanceCode(t *testing.T) {
	answer := "permessage-deflate; server_no_context_takeover"
	valid := hostile.Frame{Fin: true, Rsv: hostile.RSV1, Opcode: hostile.OpText, Payload: copyMessage(1)}
	invalid := hostile.Frame{Fin: true, Rsv: hostile.RSV1, Opcode: hostile.OpText, Payload: copyMessage(0)}
	opts := &websocket.RequestOptions{Compression: websocket.CompressionContextTakeover}

	t.Run("after a message of the same connection", func(t *testing.T) {
		srv := deflateServer(t, answer, func(c *hostile.Conn) {
			c.WriteFrames([]hostile.Frame{valid, invalid})
			c.ExpectClose(time.Now().Add(receiveTimeout))
		})
		ws := dialed(t, srv.URL(), opts)
		m, err := ws.ReceiveContext(receiveCtx(t))
		require.NoError(t, err)
		assert.Equal(t, "aaaa", m.String())
		m, err = ws.ReceiveContext(receiveCtx(t))
		assert.Nil(t, m, "the invalid message was delivered")
		res, _ := websocket.CloseStatus(err)
		assert.EqualValues(t, 1002, res.Code, "%v", err)
	})
	t.Run("after a message of another connection", func(t *testing.T) {
		for range 5 {
			first := deflateServer(t, answer, func(c *hostile.Conn) {
				c.WriteFrame(valid)
				c.ExpectClose(time.Now().Add(receiveTimeout))
			})
			ws := dialed(t, first.URL(), opts)
			_, err := ws.ReceiveContext(receiveCtx(t))
			require.NoError(t, err)
			require.NoError(t, ws.CloseContext(receiveCtx(t), nil))

			srv := deflateServer(t, answer, func(c *hostile.Conn) {
				c.WriteFrame(invalid)
				c.ExpectClose(time.Now().Add(receiveTimeout))
			})
			res, err := endEvents(t, srv.URL(), opts)
			assert.EqualValues(t, 1002, res.Code)
			assert.ErrorIs(t, err, websocket.ErrProtocol)
		}
	})
}

// TestDeflateProtocolErrors: RSV1 where it does not belong is 1002;
// corrupt compressed data is 1002; invalid UTF-8 in an inflated text, or
// a text that ends inside a UTF-8 sequence, is 1007.
func TestDeflateProtocolErrors(t *testing.T) {
	good := deflateRaw(t, []byte("hello, compressed world"), 6)
	badUTF8 := deflateRaw(t, append(bytes.Repeat([]byte("ok "), 100), 0xff, 0xfe), 6)
	cutUTF8 := deflateRaw(t, append(bytes.Repeat([]byte("ok "), 100), 0xe2, 0x82), 6)
	tests := []struct {
		name   string
		answer string
		mode   websocket.CompressionMode
		frames []hostile.Frame
		code   uint32
		cause  error
	}{
		{"RSV1 without negotiation", "", websocket.CompressionOff,
			[]hostile.Frame{{Fin: true, Rsv: hostile.RSV1, Opcode: hostile.OpText, Payload: good}}, 1002, websocket.ErrProtocol},
		{"RSV1 on a continuation frame", "permessage-deflate", websocket.CompressionContextTakeover,
			[]hostile.Frame{
				{Fin: false, Rsv: hostile.RSV1, Opcode: hostile.OpText, Payload: good[:5]},
				{Fin: true, Rsv: hostile.RSV1, Opcode: hostile.OpContinuation, Payload: good[5:]},
			}, 1002, websocket.ErrProtocol},
		{"RSV1 on a control frame", "permessage-deflate", websocket.CompressionContextTakeover,
			[]hostile.Frame{{Fin: true, Rsv: hostile.RSV1, Opcode: hostile.OpPing}}, 1002, websocket.ErrProtocol},
		{"RSV2 on a data frame", "permessage-deflate", websocket.CompressionContextTakeover,
			[]hostile.Frame{{Fin: true, Rsv: hostile.RSV2, Opcode: hostile.OpText, Payload: []byte("x")}}, 1002, websocket.ErrProtocol},
		{"corrupt compressed data", "permessage-deflate", websocket.CompressionContextTakeover,
			[]hostile.Frame{{Fin: true, Rsv: hostile.RSV1, Opcode: hostile.OpBinary, Payload: []byte{0xff, 0xff, 0xff, 0xff}}}, 1002, websocket.ErrProtocol},
		{"invalid UTF-8 in the inflated text", "permessage-deflate", websocket.CompressionContextTakeover,
			[]hostile.Frame{{Fin: true, Rsv: hostile.RSV1, Opcode: hostile.OpText, Payload: badUTF8}}, 1007, websocket.ErrInvalidUTF8},
		{"inflated text ending inside a UTF-8 sequence", "permessage-deflate", websocket.CompressionContextTakeover,
			[]hostile.Frame{{Fin: true, Rsv: hostile.RSV1, Opcode: hostile.OpText, Payload: cutUTF8}}, 1007, websocket.ErrInvalidUTF8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := deflateServer(t, tt.answer, func(c *hostile.Conn) {
				c.WriteFrames(tt.frames)
				c.ExpectClose(time.Now().Add(receiveTimeout))
			})
			res, err := endEvents(t, srv.URL(), &websocket.RequestOptions{Compression: tt.mode})
			assert.Equal(t, tt.code, res.Code, "close %+v", res)
			assert.ErrorIs(t, err, tt.cause)
		})
	}
}

// TestDeflateReceive: compressed messages from the server, fragmented, with
// control frames between the fragments, with and without context takeover;
// uncompressed messages between them.
func TestDeflateReceive(t *testing.T) {
	for _, takeover := range []bool{false, true} {
		t.Run(fmt.Sprintf("takeover %v", takeover), func(t *testing.T) {
			answer := "permessage-deflate; server_no_context_takeover"
			if takeover {
				answer = "permessage-deflate"
			}
			msgs := []string{strings.Repeat("abc", 1000), strings.Repeat("abc", 1000) + "!", "plain", strings.Repeat("xyz", 50000)}
			srv := deflateServer(t, answer, func(c *hostile.Conn) {
				var b bytes.Buffer
				w, _ := flate.NewWriter(&b, 6)
				for i, m := range msgs {
					if i == 2 { // sent uncompressed
						c.WriteFrame(hostile.Text(m))
						continue
					}
					if !takeover {
						w.Reset(&b)
					}
					b.Reset()
					w.Write([]byte(m))
					w.Flush()
					z := b.Bytes()[:b.Len()-4]
					third := len(z) / 3
					c.WriteFrames([]hostile.Frame{
						{Fin: false, Rsv: hostile.RSV1, Opcode: hostile.OpText, Payload: append([]byte(nil), z[:third]...)},
						hostile.Ping([]byte("between")),
						{Fin: false, Opcode: hostile.OpContinuation, Payload: append([]byte(nil), z[third:2*third]...)},
						{Fin: true, Opcode: hostile.OpContinuation, Payload: append([]byte(nil), z[2*third:]...)},
					}, hostile.Chop(7))
				}
				c.ExpectClose(time.Now().Add(receiveTimeout))
			})
			ws := dialed(t, srv.URL(), &websocket.RequestOptions{Compression: websocket.CompressionContextTakeover})
			assert.Equal(t, answer, ws.Extensions())
			for _, want := range msgs {
				m, err := ws.ReceiveContext(receiveCtx(t))
				require.NoError(t, err)
				assert.Equal(t, want, m.String())
			}
		})
	}
}

// TestDeflateReceiveExactSize: a compressed message reaches the receiver
// in one buffer of its inflated size, however the inflating grew (package
// doc, section On the wire: "a received message is read into one buffer of
// its size"), so that a queued or kept message holds no slack.
func TestDeflateReceiveExactSize(t *testing.T) {
	sizes := []int{0, 3, 1000, 50_000, 300_000}
	srv := deflateServer(t, "permessage-deflate", func(c *hostile.Conn) {
		var b bytes.Buffer
		w, _ := flate.NewWriter(&b, 6)
		for _, n := range sizes {
			p := make([]byte, n)
			for i := range p {
				p[i] = byte(i % 251 % 7)
			}
			b.Reset()
			w.Write(p)
			w.Flush()
			c.WriteFrame(hostile.Frame{Fin: true, Rsv: hostile.RSV1, Opcode: hostile.OpBinary, Payload: append([]byte(nil), b.Bytes()[:b.Len()-4]...)})
		}
		c.ExpectClose(time.Now().Add(receiveTimeout))
	})
	ws := dialed(t, srv.URL(), &websocket.RequestOptions{Compression: websocket.CompressionContextTakeover})
	for _, n := range sizes {
		m, err := ws.ReceiveContext(receiveCtx(t))
		require.NoError(t, err)
		a, ok := m.(websocket.ArrayData)
		require.True(t, ok, "a binary message")
		require.Len(t, a, n)
		for i := range a {
			if a[i] != byte(i%251%7) {
				t.Fatalf("message of %d octets: octet %d is %d", n, i, a[i])
			}
		}
		assert.Equal(t, n, cap(a), "capacity of the buffer of a %d-octet message", n)
	}
}

// TestDeflateSend: the client compresses messages at or over the
// threshold, sets RSV1 on the first frame only, fragments at MaxFrameSize,
// keeps its context only with takeover, and sends small messages as they
// are.
func TestDeflateSend(t *testing.T) {
	for _, tc := range []struct {
		mode     websocket.CompressionMode
		answer   string
		takeover bool
	}{
		{websocket.CompressionNoContextTakeover, "permessage-deflate; client_no_context_takeover; server_no_context_takeover", false},
		{websocket.CompressionContextTakeover, "permessage-deflate", true},
		{websocket.CompressionContextTakeover, "permessage-deflate; client_no_context_takeover", false},
	} {
		t.Run(tc.answer, func(t *testing.T) {
			got := make(chan []hostile.Frame, 1)
			srv := deflateServer(t, tc.answer, func(c *hostile.Conn) {
				var frames []hostile.Frame
				for {
					f, err := c.ReadFrame(time.Now().Add(receiveTimeout))
					if err != nil || f.Opcode == hostile.OpClose {
						break
					}
					frames = append(frames, f)
				}
				got <- frames
				c.WriteFrame(hostile.Close(1000, ""))
			})
			ws := dialed(t, srv.URL(), &websocket.RequestOptions{Compression: tc.mode, MaxFrameSize: 1000, CompressionThreshold: 100})
			ctx := receiveCtx(t)
			rng := rand.New(rand.NewPCG(1, 2))
			letters := make([]byte, 20000) // hard to compress on its own, easy after itself
			for i := range letters {
				letters[i] = 'a' + byte(rng.IntN(26))
			}
			big := string(letters)
			require.NoError(t, ws.SendContext(ctx, websocket.StringData(big)))
			require.NoError(t, ws.SendContext(ctx, websocket.StringData(big)))
			require.NoError(t, ws.SendContext(ctx, websocket.StringData("small")))
			atThreshold := strings.Repeat("t", 100)
			require.NoError(t, ws.SendContext(ctx, websocket.StringData(atThreshold)))
			require.NoError(t, ws.SendContext(ctx, websocket.StringData(atThreshold[1:])))
			require.NoError(t, ws.CloseContext(ctx, nil))
			frames := <-got

			// Reassemble the messages.
			var msgs [][]hostile.Frame
			for _, f := range frames {
				if f.Opcode != hostile.OpContinuation {
					msgs = append(msgs, nil)
				}
				msgs[len(msgs)-1] = append(msgs[len(msgs)-1], f)
			}
			require.Len(t, msgs, 5)
			var sizes [2]int
			var stream []byte // both messages, as one deflate stream
			for i, m := range msgs[:2] {
				assert.Equal(t, hostile.RSV1, m[0].Rsv, "RSV1 on the first frame")
				var z []byte
				for j, f := range m {
					assert.LessOrEqual(t, len(f.Payload), 1000, "fragmented at MaxFrameSize")
					if j > 0 {
						assert.Zero(t, f.Rsv, "no RSV bit on continuation frames")
					}
					z = append(z, f.Payload...)
				}
				sizes[i] = len(z)
				if i > 0 {
					stream = append(stream, 0, 0, 0xff, 0xff) // the tail the first message's sender stripped
				}
				stream = append(stream, z...)
				if !tc.takeover {
					assert.Equal(t, big, string(inflateRaw(t, z)))
				}
			}
			if tc.takeover {
				assert.Less(t, sizes[1], sizes[0]/10, "the second message refers back to the first: %v", sizes)
				assert.Equal(t, big+big, string(inflateRaw(t, stream)), "one stream: the second needs the first")
			} else {
				assert.InDelta(t, sizes[0], sizes[1], 16, "without takeover both compress alike: %v", sizes)
			}
			require.Len(t, msgs[2], 1)
			assert.Zero(t, msgs[2][0].Rsv, "below the threshold: sent as it is")
			assert.Equal(t, "small", string(msgs[2][0].Payload))
			assert.Equal(t, hostile.RSV1, msgs[3][0].Rsv, "at the threshold: compressed")
			require.Len(t, msgs[4], 1)
			assert.Zero(t, msgs[4][0].Rsv, "one octet below the threshold: sent as it is")
			assert.Equal(t, atThreshold[1:], string(msgs[4][0].Payload))
		})
	}
}

// TestDeflateEchoServer: compression against gorilla's server side (no
// context takeover both ways, the only mode it has).
func TestDeflateEchoServer(t *testing.T) {
	srv := echoserver.New(echoserver.Options{Compression: true})
	t.Cleanup(srv.Close)
	for _, mode := range []websocket.CompressionMode{websocket.CompressionNoContextTakeover, websocket.CompressionContextTakeover} {
		ws := dialed(t, srv.WSURL("/"), &websocket.RequestOptions{Compression: mode})
		assert.Contains(t, ws.Extensions(), "permessage-deflate")
		ctx := receiveCtx(t)
		for _, size := range []int{0, 1, 255, 256, 4096, 70000, 1 << 20} {
			msg := bytes.Repeat([]byte("compressible "), size/13+1)[:size]
			require.NoError(t, ws.SendContext(ctx, websocket.ArrayData(msg)))
			m, err := ws.ReceiveContext(ctx)
			require.NoError(t, err)
			assert.Equal(t, websocket.MessageData(websocket.ArrayData(msg)), m, "size %d", size)
		}
	}
}
