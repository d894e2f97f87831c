package websocket

import (
	"bytes"
	"encoding/binary"
	"io"
	"net"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMaskBytesMatchesBytewiseMasking(t *testing.T) {
	key := uint32(0x9a3b5c7d)
	var keyBytes [4]byte
	binary.LittleEndian.PutUint32(keyBytes[:], key)
	src := make([]byte, 67)
	for i := range src {
		src[i] = byte(i * 7)
	}
	for pos := 0; pos < 8; pos++ {
		for n := 0; n <= len(src); n++ {
			got := append([]byte(nil), src[:n]...)
			maskBytes(key, pos, got)
			for i := range n {
				require.Equal(t, src[i]^keyBytes[(pos+i)%4], got[i], "pos %d n %d byte %d", pos, n, i)
			}
		}
	}
}

// readClientFrame parses one masked client frame, as a server would.
func readClientFrame(t *testing.T, r io.Reader) (fin bool, op byte, payload []byte) {
	t.Helper()
	var h [2]byte
	_, err := io.ReadFull(r, h[:])
	require.NoError(t, err)
	require.NotZero(t, h[1]&0x80, "client frames are masked")
	n := uint64(h[1] & 0x7f)
	switch n {
	case 126:
		var b [2]byte
		io.ReadFull(r, b[:])
		n = uint64(binary.BigEndian.Uint16(b[:]))
	case 127:
		var b [8]byte
		io.ReadFull(r, b[:])
		n = binary.BigEndian.Uint64(b[:])
	}
	var key [4]byte
	_, err = io.ReadFull(r, key[:])
	require.NoError(t, err)
	payload = make([]byte, n)
	_, err = io.ReadFull(r, payload)
	require.NoError(t, err)
	for i := range payload {
		payload[i] ^= key[i%4]
	}
	return h[0]&0x80 != 0, h[0] & 0x0f, payload
}

func TestWriteFrameIsOneMaskedFrame(t *testing.T) {
	for _, size := range []int{0, 1, 125, 126, 65535, 65536, writeChunk - 14, writeChunk, 3*writeChunk + 5} {
		client, server := net.Pipe()
		w := newWire(client, 0)
		data := bytes.Repeat([]byte("abcdefg"), size/7+1)[:size]
		errc := make(chan error, 1)
		go func() { errc <- w.writeFrame(opBinary, true, "", data) }()
		fin, op, got := readClientFrame(t, server)
		require.NoError(t, <-errc)
		assert.True(t, fin, "size %d", size)
		assert.Equal(t, byte(opBinary), op)
		assert.Equal(t, data, got, "size %d", size)
		client.Close()
		server.Close()
	}
}

func TestWriteFrameText(t *testing.T) {
	client, server := net.Pipe()
	defer server.Close()
	w := newWire(client, 0)
	go w.writeFrame(opText, true, "κόσμε", nil)
	_, op, got := readClientFrame(t, server)
	assert.Equal(t, byte(opText), op)
	assert.Equal(t, "κόσμε", string(got))
}

func TestNoFrameAfterClose(t *testing.T) {
	client, server := net.Pipe()
	defer server.Close()
	w := newWire(client, 0)
	errc := make(chan error, 1)
	go func() { errc <- w.writeClose(1000, "bye") }()
	_, op, got := readClientFrame(t, server)
	require.NoError(t, <-errc)
	assert.Equal(t, byte(opClose), op)
	assert.Equal(t, []byte{0x03, 0xe8, 'b', 'y', 'e'}, got)
	assert.ErrorIs(t, w.writeFrame(opText, true, "late", nil), net.ErrClosed)
	assert.ErrorIs(t, w.writeClose(1000, ""), net.ErrClosed)
}

// stream is a net.Conn reading from a fixed byte string in pieces.
type stream struct {
	net.Conn
	data  []byte
	piece int
}

func (s *stream) Read(p []byte) (int, error) {
	if len(s.data) == 0 {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), s.piece)], s.data)
	s.data = s.data[n:]
	return n, nil
}

func TestWireKeepsFramesThatFollowTheResponse(t *testing.T) {
	resp := "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n"
	frames := []byte{0x81, 0x02, 'h', 'i', 0x82, 0x7e, 0x02, 0x00}
	frames = append(frames, bytes.Repeat([]byte{7}, 512)...)
	for _, piece := range []int{1, 3, 64, 4096} {
		w := newWire(&stream{data: append([]byte(resp), frames...), piece: piece}, 0)
		// What the handshake reads ends exactly at the blank line.
		var got []byte
		buf := make([]byte, 4096)
		for !strings.HasSuffix(string(got), "\r\n\r\n") {
			n, err := w.Read(buf)
			require.NoError(t, err)
			got = append(got, buf[:n]...)
		}
		assert.Equal(t, resp, string(got), "piece %d", piece)
		w.startFrames()

		h, err := w.readHeader()
		require.NoError(t, err)
		assert.Equal(t, header{fin: true, op: opText, length: 2}, h)
		p := make([]byte, 2)
		require.NoError(t, w.readFull(p))
		assert.Equal(t, "hi", string(p))
		h, err = w.readHeader()
		require.NoError(t, err)
		assert.Equal(t, header{fin: true, op: opBinary, length: 512}, h)
		p = make([]byte, 512)
		require.NoError(t, w.readFull(p))
		assert.Equal(t, bytes.Repeat([]byte{7}, 512), p, "piece %d", piece)
		_, err = w.readHeader()
		assert.ErrorIs(t, err, io.EOF)
	}
}

func TestReadHeaderForms(t *testing.T) {
	tests := []struct {
		name  string
		bytes []byte
		want  header
		err   error
	}{
		{"7-bit", []byte{0x89, 0x05}, header{fin: true, op: opPing, length: 5}, nil},
		{"16-bit", []byte{0x02, 0x7e, 0x01, 0x00}, header{op: opBinary, length: 256}, nil},
		{"64-bit", []byte{0x80, 0x7f, 0, 0, 0, 1, 0, 0, 0, 0}, header{fin: true, op: opContinuation, length: 1 << 32}, nil},
		{"masked", []byte{0x81, 0x81, 1, 2, 3, 4}, header{fin: true, op: opText, masked: true, length: 1}, nil},
		{"reserved bits", []byte{0xf1, 0x00}, header{fin: true, rsv: 0x70, op: opText}, nil},
		{"top bit of 64-bit length", []byte{0x82, 0x7f, 0x80, 0, 0, 0, 0, 0, 0, 0}, header{}, errBadLength},
		{"truncated", []byte{0x82, 0x7f, 0}, header{}, io.EOF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWire(&stream{data: tt.bytes, piece: 1}, 0)
			w.startFrames()
			h, err := w.readHeader()
			if tt.err != nil {
				assert.ErrorIs(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, h)
		})
	}
}

func TestFIFO(t *testing.T) {
	var q fifo[outgoing]
	for round := 0; round < 3; round++ {
		for i := range 100 {
			q.push(outgoing{text: string(rune('a' + i%26))})
			if i%3 == 0 {
				q.pop()
			}
		}
		for q.len() > 0 {
			q.pop()
		}
		assert.Nil(t, q.buf, "storage released when empty")
	}
	for i := range 20 {
		q.push(outgoing{text: string(rune('a' + i))})
	}
	for i := range 20 {
		m, ok := q.pop()
		require.True(t, ok)
		assert.Equal(t, string(rune('a'+i)), m.text, "FIFO")
	}
	_, ok := q.pop()
	assert.False(t, ok)
}

// TestHeadGuard checks what the handshake's HTTP reader is handed: the
// header, ended by CRLF or bare LF; after a 101 nothing more (the frames
// stay for the reader); after another status the body that arrived with
// the header, or as much as Content-Length announces, at most 1 KiB
// (package doc, section Opening handshake).
func TestHeadGuard(t *testing.T) {
	frames := "\x81\x02hi"
	tests := []struct {
		name   string
		stream string
		head   string // what the guard hands out up to the header's end
		after  string // what it hands out after it (until io.EOF)
		rest   string // what stays for the reader
		piece  int
	}{
		{"101 CRLF", "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n" + frames,
			"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n", "", frames, 4096},
		{"101 bare LF", "HTTP/1.1 101 Switching Protocols\nUpgrade: websocket\n\n" + frames,
			"HTTP/1.1 101 Switching Protocols\nUpgrade: websocket\n\n", "", frames, 4096},
		{"101 mixed, byte by byte", "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\n\r\n" + frames,
			"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\n\r\n", "", "", 1}, // the frames were not read yet
		{"403 without length: what arrived", "HTTP/1.1 403 Forbidden\r\nX: y\r\n\r\nno entry",
			"HTTP/1.1 403 Forbidden\r\nX: y\r\n\r\n", "no entry", "", 4096},
		{"403 with length, body in later reads", "HTTP/1.1 403 Forbidden\r\nContent-Length: 8\r\n\r\nno entry",
			"HTTP/1.1 403 Forbidden\r\nContent-Length: 8\r\n\r\n", "no entry", "", 3},
		{"403 with a long body: 1 KiB of it", "HTTP/1.1 403 Forbidden\r\ncontent-length:  4000 \r\n\r\n" + strings.Repeat("b", 4000),
			"HTTP/1.1 403 Forbidden\r\ncontent-length:  4000 \r\n\r\n", strings.Repeat("b", 1024), "", 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := &headGuard{r: &stream{data: []byte(tt.stream), piece: tt.piece}}
			var head, after []byte
			buf := make([]byte, 512)
			for !g.ended {
				n, err := g.Read(buf)
				require.NoError(t, err)
				head = append(head, buf[:n]...)
			}
			for {
				n, err := g.Read(buf)
				after = append(after, buf[:n]...)
				if err != nil {
					assert.ErrorIs(t, err, io.EOF)
					break
				}
			}
			assert.Equal(t, tt.head, string(head))
			assert.Equal(t, tt.after, string(after))
			assert.Equal(t, tt.rest, string(g.rest))
		})
	}

	t.Run("header over 64 KiB", func(t *testing.T) {
		endless := "HTTP/1.1 101 Switching Protocols\r\n" + strings.Repeat("X-Pad: "+strings.Repeat("p", 100)+"\r\n", 1000)
		g := &headGuard{r: &stream{data: []byte(endless), piece: 4096}}
		total := 0
		buf := make([]byte, 4096)
		var err error
		for err == nil {
			var n int
			n, err = g.Read(buf)
			total += n
		}
		assert.ErrorIs(t, err, errHeaderTooLarge)
		assert.LessOrEqual(t, total, maxResponseHeader, "no more than the bound is handed out")
		assert.Greater(t, total, maxResponseHeader-200, "whole lines up to the bound")
		assert.Contains(t, err.Error(), "64 KiB")
	})

	t.Run("extension lines kept from the HTTP reader", func(t *testing.T) {
		resp := "HTTP/1.1 101 Switching Protocols\r\nSec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=10\r\n" +
			"Upgrade: websocket\r\nsec-websocket-extensions:x-other\n\r\n" + frames
		g := &headGuard{r: &stream{data: []byte(resp), piece: 7}, takeExtensions: true}
		var head []byte
		buf := make([]byte, 3)
		for !g.ended {
			n, err := g.Read(buf)
			require.NoError(t, err)
			head = append(head, buf[:n]...)
		}
		assert.Equal(t, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n", string(head))
		assert.Equal(t, []string{"permessage-deflate; client_max_window_bits=10", "x-other"}, g.extensions)
	})

	t.Run("an extension line folded over two", func(t *testing.T) {
		resp := "HTTP/1.1 101 Switching Protocols\r\nSec-WebSocket-Extensions: permessage-deflate;\r\n\t client_max_window_bits=9\r\n" +
			"X-Folded: a\r\n b\r\n\r\n"
		g := &headGuard{r: &stream{data: []byte(resp), piece: 5}, takeExtensions: true}
		head, err := io.ReadAll(g)
		require.NoError(t, err)
		assert.Equal(t, "HTTP/1.1 101 Switching Protocols\r\nX-Folded: a\r\n b\r\n\r\n", string(head), "other folds go to the HTTP reader")
		assert.Equal(t, []string{"permessage-deflate; client_max_window_bits=9"}, g.extensions)
	})
}

// chunks is a connection whose reads return its chunks one at a time (a
// chunk larger than the read buffer over several reads), then EOF.
type chunks struct {
	net.Conn
	queue [][]byte
}

func (c *chunks) Read(p []byte) (int, error) {
	if len(c.queue) == 0 {
		return 0, io.EOF
	}
	n := copy(p, c.queue[0])
	if c.queue[0] = c.queue[0][n:]; len(c.queue[0]) == 0 {
		c.queue = c.queue[1:]
	}
	return n, nil
}

// TestWireBurstBuffers: the reader reads through its small buffer, takes
// the big one while reads fill the buffer (a burst), and goes back to the
// small one once they do not, so that an idle connection holds no big
// buffer (package doc, section Back-pressure: the read buffer).
func TestWireBurstBuffers(t *testing.T) {
	frame := []byte{0x82, 0x08, 1, 2, 3, 4, 5, 6, 7, 8}
	burst := bytes.Repeat(frame, 400) // 4,000 bytes: more than the small buffer holds
	w := newWire(&chunks{queue: [][]byte{burst, frame}}, 0)
	w.startFrames()
	readFrame := func() {
		t.Helper()
		h, err := w.readHeader()
		require.NoError(t, err)
		require.Equal(t, header{fin: true, op: opBinary, length: 8}, h)
		p := make([]byte, 8)
		require.NoError(t, w.readFull(p))
		require.Equal(t, frame[2:], p)
	}
	readFrame()
	assert.Nil(t, w.big, "the first read goes through the small buffer")
	sawBig := false
	for range 400 {
		readFrame()
		sawBig = sawBig || w.big != nil
	}
	assert.True(t, sawBig, "a read that filled the small buffer moves the reader to the big one")
	assert.Nil(t, w.big, "once a read no longer fills the buffer, the big one is given back")
	assert.Len(t, w.rbuf, readSmall)
	_, err := w.readHeader()
	assert.ErrorIs(t, err, io.EOF)
}
