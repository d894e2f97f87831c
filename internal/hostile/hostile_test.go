package hostile_test

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/samber/mo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/cangjie-go/ohos/internal/hostile"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestAcceptKey(t *testing.T) {
	// The example of RFC 6455 §1.3.
	assert.Equal(t, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", hostile.AcceptKey("dGhlIHNhbXBsZSBub25jZQ=="))
}

func TestFrameEncode(t *testing.T) {
	tests := []struct {
		name string
		f    hostile.Frame
		want []byte
	}{
		{"empty text", hostile.Text(""), []byte{0x81, 0x00}},
		{"not final, reserved bits", hostile.Frame{Rsv: hostile.RSV1 | hostile.RSV3, Opcode: hostile.OpBinary, Payload: []byte("a")},
			[]byte{0x52, 0x01, 'a'}},
		{"reserved opcode", hostile.Frame{Fin: true, Opcode: 0xb}, []byte{0x8b, 0x00}},
		{"close", hostile.Close(1000, "ok"), []byte{0x88, 0x04, 0x03, 0xe8, 'o', 'k'}},
		{"close without code", hostile.Close(hostile.NoStatus, ""), []byte{0x88, 0x00}},
		{"declared length, 16-bit", hostile.Frame{Fin: true, Opcode: hostile.OpText, Length: mo.Some[uint64](300)},
			[]byte{0x81, 126, 0x01, 0x2c}},
		{"declared length, 64-bit", hostile.Frame{Fin: true, Opcode: hostile.OpText, Length: mo.Some[uint64](1 << 62)},
			[]byte{0x81, 127, 0x40, 0, 0, 0, 0, 0, 0, 0}},
		{"forced 64-bit form", hostile.Frame{Fin: true, Opcode: hostile.OpPing, Payload: []byte("p"), LengthForm: 64},
			[]byte{0x89, 127, 0, 0, 0, 0, 0, 0, 0, 1, 'p'}},
		{"masked", hostile.Frame{Fin: true, Opcode: hostile.OpText, Masked: true, MaskKey: [4]byte{1, 2, 3, 4}, Payload: []byte("abcde")},
			[]byte{0x81, 0x85, 1, 2, 3, 4, 'a' ^ 1, 'b' ^ 2, 'c' ^ 3, 'd' ^ 4, 'e' ^ 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.f.Encode())
		})
	}
	// The shortest length form: 7 bits up to 125, 16 bits up to 65535.
	for _, tt := range []struct{ n, header int }{{125, 2}, {126, 4}, {65535, 4}, {65536, 10}} {
		assert.Len(t, hostile.Binary(make([]byte, tt.n)).Encode(), tt.n+tt.header, "length %d", tt.n)
	}
}

func TestParseClose(t *testing.T) {
	code, reason, err := hostile.ParseClose([]byte{0x0f, 0xa0, 'h', 'i'})
	require.NoError(t, err)
	assert.Equal(t, 4000, code)
	assert.Equal(t, "hi", reason)
	code, _, err = hostile.ParseClose(nil)
	require.NoError(t, err)
	assert.Equal(t, hostile.NoStatus, code)
	_, _, err = hostile.ParseClose([]byte{3})
	assert.Error(t, err)
}

// dial connects a raw client and performs the opening handshake by hand.
func dial(t *testing.T, srv *hostile.Server) (net.Conn, *bufio.Reader) {
	t.Helper()
	c, err := net.Dial("tcp", srv.Addr().String())
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	const key = "dGhlIHNhbXBsZSBub25jZQ=="
	_, err = io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: "+key+"\r\nSec-WebSocket-Version: 13\r\n\r\n")
	require.NoError(t, err)
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	require.NoError(t, err)
	require.Equal(t, http.StatusSwitchingProtocols, resp.StatusCode)
	require.Equal(t, hostile.AcceptKey(key), resp.Header.Get("Sec-WebSocket-Accept"))
	require.Equal(t, "yes", resp.Header.Get("X-Extra"))
	return c, br
}

func TestConnRoundTrip(t *testing.T) {
	type seen struct {
		key     string
		frames  []hostile.Frame
		errs    []error
		code    int
		reason  string
		closeBy bool

		record    []hostile.Received
		ended     bool
		bytesRead int64
		endErr    error
	}
	got := make(chan seen, 1)
	srv := hostile.New(t, func(c *hostile.Conn) {
		var s seen
		defer func() { got <- s }()
		req, key, err := c.ReadRequest()
		if err != nil {
			return
		}
		s.key = key
		if req.URL.Path != "/" || c.Accept(key, "X-Extra: yes") != nil {
			return
		}
		deadline := time.Now().Add(5 * time.Second)
		for range 2 {
			f, err := c.ReadFrame(deadline)
			s.frames, s.errs = append(s.frames, f), append(s.errs, err)
		}
		// A frame in chops of 3 bytes, 1 ms apart.
		c.WriteFrame(hostile.Text("chopped text"), hostile.Chop(3), hostile.Delay(time.Millisecond))
		s.code, s.reason, _ = c.ExpectClose(deadline)
		s.closeBy, _ = c.WaitTCPClose(deadline)
		s.record = c.Record()
		s.ended, _, s.bytesRead, s.endErr = c.Ended()
	})
	c, br := dial(t, srv)

	_, err := c.Write(hostile.Frame{Fin: true, Opcode: hostile.OpText, Masked: true, MaskKey: [4]byte{9, 8, 7, 6},
		Payload: []byte("masked hello")}.Encode())
	require.NoError(t, err)
	_, err = c.Write(hostile.Binary([]byte{1, 2}).Encode()) // not masked
	require.NoError(t, err)

	want := hostile.Text("chopped text").Encode()
	buf := make([]byte, len(want))
	_, err = io.ReadFull(br, buf)
	require.NoError(t, err)
	assert.Equal(t, want, buf)

	_, err = c.Write(hostile.Frame{Fin: true, Opcode: hostile.OpClose, Masked: true, MaskKey: [4]byte{1, 1, 1, 1},
		Payload: hostile.ClosePayload(4001, "bye")}.Encode())
	require.NoError(t, err)
	require.NoError(t, c.Close())

	s := <-got
	assert.Equal(t, "dGhlIHNhbXBsZSBub25jZQ==", s.key)
	require.Len(t, s.frames, 2)
	assert.Equal(t, "masked hello", string(s.frames[0].Payload))
	assert.True(t, s.frames[0].Masked)
	assert.NoError(t, s.errs[0])
	assert.Equal(t, []byte{1, 2}, s.frames[1].Payload)
	assert.ErrorIs(t, s.errs[1], hostile.ErrUnmasked)
	assert.Equal(t, 4001, s.code)
	assert.Equal(t, "bye", s.reason)
	assert.True(t, s.closeBy, "WaitTCPClose should see the client close")
	require.Len(t, s.record, 3, "the record holds every frame read")
	assert.Equal(t, hostile.OpClose, s.record[2].Frame.Opcode)
	assert.False(t, s.record[2].At.Before(s.record[0].At))
	assert.True(t, s.ended)
	assert.ErrorIs(t, s.endErr, io.EOF)
	assert.Equal(t, int64(2+4+12)+int64(2+2)+int64(2+4+5), s.bytesRead)
	assert.Equal(t, 1, srv.Accepted())
}

func TestReadFrameTimeoutKeepsLaterFrames(t *testing.T) {
	got := make(chan []error, 1)
	release := make(chan struct{})
	srv := hostile.New(t, func(c *hostile.Conn) {
		if _, err := c.Upgrade("X-Extra: yes"); err != nil {
			return
		}
		var errs []error
		_, err := c.ReadFrame(time.Now().Add(20 * time.Millisecond))
		errs = append(errs, err)
		close(release)
		f, err := c.ReadFrame(time.Now().Add(5 * time.Second))
		if err == nil && string(f.Payload) != "late" {
			err = errors.New("wrong frame " + f.String())
		}
		errs = append(errs, err)
		_, err = c.ReadFrame(time.Now().Add(5 * time.Second))
		errs = append(errs, err)
		got <- errs
	})
	c, _ := dial(t, srv)
	<-release
	_, err := c.Write(hostile.Frame{Fin: true, Opcode: hostile.OpText, Masked: true, Payload: []byte("late")}.Encode())
	require.NoError(t, err)
	require.NoError(t, c.Close())
	errs := <-got
	assert.ErrorIs(t, errs[0], hostile.ErrTimeout)
	assert.NoError(t, errs[1])
	assert.ErrorIs(t, errs[2], io.EOF)
}

func TestMaxPayload(t *testing.T) {
	got := make(chan error, 1)
	srv := hostile.New(t, func(c *hostile.Conn) {
		if _, err := c.Upgrade("X-Extra: yes"); err != nil {
			return
		}
		_, err := c.ReadFrame(time.Now().Add(5 * time.Second))
		got <- err
	})
	srv.SetMaxPayload(100)
	c, _ := dial(t, srv)
	hdr := []byte{0x82, 0xff}
	hdr = binary.BigEndian.AppendUint64(hdr, 1<<40)
	_, err := c.Write(append(hdr, 0, 0, 0, 0))
	require.NoError(t, err)
	assert.ErrorIs(t, <-got, hostile.ErrFrameTooLarge)
}

func TestCloseStopsScripts(t *testing.T) {
	started := make(chan struct{})
	got := make(chan error, 2)
	srv := hostile.New(t, func(c *hostile.Conn) {
		if _, err := c.Upgrade("X-Extra: yes"); err != nil {
			return
		}
		close(started)
		_, err := c.ReadFrame(time.Now().Add(time.Hour))
		got <- err
		got <- c.WriteRaw(bytes.Repeat([]byte{0}, 10), hostile.Chop(1), hostile.Delay(time.Hour))
	})
	dial(t, srv)
	<-started
	srv.Close()
	assert.ErrorIs(t, <-got, net.ErrClosed)
	assert.Error(t, <-got)
	srv.Close() // again: nothing happens
}

func TestSetReadRate(t *testing.T) {
	const size, rate = 100 << 10, 500 << 10 // 100 KiB at 500 KiB/s: at least 200 ms
	took := make(chan time.Duration, 1)
	srv := hostile.New(t, func(c *hostile.Conn) {
		if _, err := c.Upgrade("X-Extra: yes"); err != nil {
			return
		}
		c.SetReadRate(rate)
		start := time.Now()
		f, err := c.ReadFrame(start.Add(5 * time.Second))
		if err != nil || len(f.Payload) != size {
			took <- -1
			return
		}
		took <- time.Since(start)
	})
	c, _ := dial(t, srv)
	_, err := c.Write(hostile.Frame{Fin: true, Opcode: hostile.OpBinary, Masked: true, Payload: make([]byte, size)}.Encode())
	require.NoError(t, err)
	d := <-took
	require.Positive(t, d, "the frame was not read whole")
	assert.GreaterOrEqual(t, d, 150*time.Millisecond, "read faster than the rate")
	assert.Less(t, d, 2*time.Second)
}
