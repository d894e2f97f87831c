package conformance_test

import (
	"bytes"
	"compress/flate"
	"fmt"
	"strings"
	"testing"

	kflate "github.com/klauspost/compress/flate"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cangjie-go/ohos/internal/hostile"
	"github.com/cangjie-go/ohos/networkkit/websocket"
)

// The suite's DEFLATE decoder must decode what real compressors produce,
// and its window proof must be able to fail: these tests check both.

// syncFlushed compresses msgs as one permessage-deflate stream (context
// takeover) with w, returning each message's payload.
func syncFlushed(t *testing.T, w messageWriter, out *bytes.Buffer, msgs ...[]byte) [][]byte {
	t.Helper()
	var z [][]byte
	for _, m := range msgs {
		out.Reset()
		_, err := w.Write(m)
		require.NoError(t, err)
		require.NoError(t, w.Flush())
		b := out.Bytes()
		require.True(t, bytes.HasSuffix(b, deflateTail))
		z = append(z, append([]byte(nil), b[:len(b)-4]...))
	}
	return z
}

// TestInflater decodes the output of compress/flate and of klauspost's
// compressor at every level and window, message by message with context
// takeover, and compares it with the input.
func TestInflater(t *testing.T) {
	msgs := [][]byte{
		[]byte("Hello"), {}, deflateText(5000, 1), deflateText(5000, 1), deflateBinary(100*kib, 2),
		farRepeat(20*kib, 3), bytes.Repeat([]byte{0}, 300*kib), deflateText(70*kib, 4),
	}
	type compressor struct {
		name string
		new  func(out *bytes.Buffer) messageWriter
	}
	var all []compressor
	for level := flate.HuffmanOnly; level <= flate.BestCompression; level++ {
		all = append(all, compressor{fmt.Sprintf("compress/flate level %d", level), func(out *bytes.Buffer) messageWriter {
			w, _ := flate.NewWriter(out, level)
			return w
		}}, compressor{fmt.Sprintf("klauspost level %d", level), func(out *bytes.Buffer) messageWriter {
			w, _ := kflate.NewWriter(out, level)
			return w
		}})
	}
	for bits := 8; bits <= 15; bits++ {
		all = append(all, compressor{fmt.Sprintf("klauspost window %d bits", bits), func(out *bytes.Buffer) messageWriter {
			w, _ := kflate.NewWriterWindow(out, 1<<bits)
			return w
		}})
	}
	for _, c := range all {
		t.Run(c.name, func(t *testing.T) {
			var out bytes.Buffer
			z := syncFlushed(t, c.new(&out), &out, msgs...)
			var f inflater
			for i, p := range z {
				got, st, err := f.message(p, true, 64<<20)
				require.NoError(t, err, "message %d", i)
				assert.True(t, bytes.Equal(msgs[i], got), "message %d: %d octets, want %d", i, len(got), len(msgs[i]))
				assert.LessOrEqual(t, st.maxDist, 32768)
				assert.False(t, st.bfinal)
			}
		})
	}
}

// TestInflaterWindowProof: the 13.x messages make a compressor that ignores
// the window use distances beyond every window below 15 bits, and
// klauspost's windowed compressor stays within its window; a decoder
// without history refuses a stream that refers to an earlier message.
func TestInflaterWindowProof(t *testing.T) {
	msgs := [][]byte{}
	for _, m := range parameterMessages() {
		msgs = append(msgs, m.p)
	}
	var out bytes.Buffer
	w, _ := kflate.NewWriter(&out, websocket.DefaultCompressionLevel)
	var f inflater
	maxDist, intoHist := 0, false
	for i, p := range syncFlushed(t, w, &out, msgs...) {
		_, st, err := f.message(p, true, 64<<20)
		require.NoError(t, err, "message %d", i)
		maxDist, intoHist = max(maxDist, st.maxDist), intoHist || st.intoHist
	}
	assert.Greater(t, maxDist, 1<<14, "a 15-bit window reaches beyond every smaller window")
	assert.True(t, intoHist, "takeover shows")

	for bits := 8; bits <= 15; bits++ {
		w, _ := kflate.NewWriterWindow(&out, 1<<bits)
		s := &pmdServer{params: pmdParams{clientBits: bits, serverBits: 15}}
		for i, p := range syncFlushed(t, w, &out, msgs...) {
			got, err := s.inflate(p)
			require.NoError(t, err, "%d bits, message %d", bits, i)
			assert.Equal(t, len(msgs[i]), len(got))
		}
		// Limit the same stream to a smaller window: the proof fails.
		if bits > 8 {
			w, _ := kflate.NewWriterWindow(&out, 1<<bits)
			s := &pmdServer{params: pmdParams{clientBits: bits - 1, serverBits: 15}}
			var failed error
			for _, p := range syncFlushed(t, w, &out, msgs...) {
				if _, err := s.inflate(p); err != nil {
					failed = err
					break
				}
			}
			if assert.Error(t, failed, "%d-bit stream judged against %d bits", bits, bits-1) {
				assert.Contains(t, failed.Error(), "beyond its window")
			}
		}
	}

	// Without takeover, a reference to an earlier message fails.
	w, _ = kflate.NewWriter(&out, 1)
	s := &pmdServer{params: pmdParams{clientNoTakeover: true, clientBits: 15, serverBits: 15}, clientResets: true}
	z := syncFlushed(t, w, &out, msgs[1], msgs[2])
	_, err := s.inflate(z[0])
	require.NoError(t, err)
	_, err = s.inflate(z[1])
	require.ErrorIs(t, err, errTooFarBack)
	assert.Contains(t, err.Error(), "client_no_context_takeover")
}

// TestServerCompressor: the server's messages stay within the window it
// announced, refer back to earlier messages only with takeover, and inflate
// to what was compressed.
func TestServerCompressor(t *testing.T) {
	for _, p := range []pmdParams{
		{serverBits: 15, clientBits: 15}, {serverBits: 15, clientBits: 15, serverNoTakeover: true},
		{serverBits: 8, clientBits: 15}, {serverBits: 11, clientBits: 15, serverNoTakeover: true},
	} {
		s := newPMDServer(p, websocket.CompressionContextTakeover)
		var f inflater
		intoHist := false
		for i, m := range parameterMessages() {
			got, st, err := f.message(s.compress(m.p), !p.serverNoTakeover, 64<<20)
			require.NoError(t, err, "%+v message %d", p, i)
			assert.True(t, bytes.Equal(m.p, got), "%+v message %d", p, i)
			assert.LessOrEqual(t, st.maxDist, 1<<p.serverBits, "%+v message %d", p, i)
			intoHist = intoHist || st.intoHist
		}
		assert.Equal(t, !p.serverNoTakeover, intoHist, "%+v: references to earlier messages", p)
	}
}

// TestInflaterRFC7692: the examples of RFC 7692 §7.2.3.
func TestInflaterRFC7692(t *testing.T) {
	var f inflater
	for _, tt := range []struct {
		name     string
		payload  []byte
		takeover bool
		bfinal   bool
	}{
		{"7.2.3.1", helloZ, true, false},
		{"7.2.3.2 second message", []byte{0xf2, 0x00, 0x11, 0x00, 0x00}, true, false},
		{"7.2.3.3 stored", []byte{0x00, 0x05, 0x00, 0xfa, 0xff, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x00}, false, false},
		{"7.2.3.4 BFINAL", []byte{0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00}, false, true},
		{"7.2.3.5 two blocks", []byte{0xf2, 0x48, 0x05, 0x00, 0x00, 0x00, 0xff, 0xff, 0xca, 0xc9, 0xc9, 0x07, 0x00}, false, false},
	} {
		got, st, err := f.message(tt.payload, tt.takeover, 100)
		require.NoError(t, err, tt.name)
		assert.Equal(t, "Hello", string(got), tt.name)
		assert.Equal(t, tt.bfinal, st.bfinal, tt.name)
	}
	for _, bad := range [][]byte{{0xff, 0xff}, {0x00, 0x64, 0x00, 0x9b, 0xff, 'a'}, {0xf2, 0x00, 0x11, 0x00, 0x00}} {
		var fresh inflater
		_, _, err := fresh.message(bad, false, 100)
		assert.Error(t, err, "%x", bad)
	}
	_, _, err := f.message(bombMessage(2), false, mib)
	assert.ErrorContains(t, err, "output over")
}

// TestFileCompressed checks how the server files compressed client frames.
func TestFileCompressed(t *testing.T) {
	masked := func(f hostile.Frame) hostile.Frame {
		f.Masked, f.MaskKey = true, [4]byte{9, 8, 7, 6}
		return f
	}
	newRun := func() *run {
		return &run{pmd: newPMDServer(pmdParams{clientBits: 15, serverBits: 15}, websocket.CompressionContextTakeover)}
	}
	r := newRun()
	r.file(masked(hostile.Frame{Rsv: hostile.RSV1, Opcode: hostile.OpText, Payload: helloZ[:3]}), nil)
	r.file(masked(hostile.Frame{Fin: true, Opcode: hostile.OpContinuation, Payload: helloZ[3:]}), nil)
	r.file(masked(hostile.Binary([]byte("plain"))), nil)
	require.Empty(t, r.violations)
	assert.Equal(t, describeEvents(evs(text("Hello"), binary([]byte("plain")))), describeEvents(r.log))
	require.Len(t, r.pmd.msgs, 2)
	assert.True(t, r.pmd.msgs[0].compressed)
	assert.False(t, r.pmd.msgs[1].compressed)

	for _, bad := range []struct {
		name   string
		frames []hostile.Frame
		want   string
	}{
		{"RSV1 on a continuation frame", []hostile.Frame{
			{Rsv: hostile.RSV1, Opcode: hostile.OpText, Payload: helloZ[:3]},
			{Fin: true, Rsv: hostile.RSV1, Opcode: hostile.OpContinuation, Payload: helloZ[3:]}}, "reserved bits"},
		{"RSV1 on a pong", []hostile.Frame{{Fin: true, Rsv: hostile.RSV1, Opcode: hostile.OpPong}}, "reserved bits"},
		{"data that does not inflate", []hostile.Frame{{Fin: true, Rsv: hostile.RSV1, Opcode: hostile.OpBinary, Payload: []byte{0xff}}}, "does not inflate"},
	} {
		r := newRun()
		for _, f := range bad.frames {
			r.file(masked(f), nil)
		}
		assert.Contains(t, strings.Join(r.violations, "\n"), bad.want, bad.name)
	}
	r = &run{} // not negotiated
	r.file(masked(hostile.Frame{Fin: true, Rsv: hostile.RSV1, Opcode: hostile.OpText, Payload: helloZ}), nil)
	assert.NotEmpty(t, r.violations)
}
