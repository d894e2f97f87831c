package websocket

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net"
	"sync"
	"time"
	"unsafe"
)

// Opcodes (RFC 6455 §5.2).
const (
	opContinuation = 0x0
	opText         = 0x1
	opBinary       = 0x2
	opClose        = 0x8
	opPing         = 0x9
	opPong         = 0xA
)

const (
	// readBufSize is the per-connection read buffer. Frame headers and small
	// messages are read through it; larger payloads are read straight into
	// the message.
	readBufSize = 512
	// writeChunk is the size of the pooled buffers a frame is masked into;
	// a larger message is still one frame, written in several chunks.
	writeChunk = 64 << 10
	// maxControlPayload is the largest payload of a control frame.
	maxControlPayload = 125
)

// wire is one WebSocket connection's byte stream, after TLS: the end of the
// opening handshake, then frames. The reader goroutine reads frames; writes
// are serialised by a mutex, so any goroutine may write a frame.
type wire struct {
	conn net.Conn

	// During the handshake, Read hands out bytes only up to the blank line
	// that ends the HTTP response and keeps the rest in extra, so the
	// handshake's reader never holds frame bytes that arrived in the same
	// segment as the 101 answer.
	inFrames bool
	crlf     uint32
	extra    []byte

	rbuf   [readBufSize]byte       // reader goroutine only
	rr, rw int                     // rbuf[rr:rw] is unread
	ctrl   [maxControlPayload]byte // reader goroutine only: a control frame's payload

	wmu       sync.Mutex
	rng       *mrand.ChaCha8 // mask keys; under wmu
	closeSent bool           // under wmu: no frame may follow the client's Close
}

func newWire(c net.Conn) *wire {
	var seed [32]byte
	rand.Read(seed[:])
	return &wire{conn: c, rng: mrand.NewChaCha8(seed)}
}

// wire is the net.Conn the handshake uses.
var _ net.Conn = (*wire)(nil)

// Read is used by the opening handshake only.
func (w *wire) Read(p []byte) (int, error) {
	if len(w.extra) > 0 {
		n := copy(p, w.extra)
		w.extra = w.extra[n:]
		return n, nil
	}
	n, err := w.conn.Read(p)
	if w.inFrames {
		return n, err
	}
	for i := 0; i < n; i++ {
		w.crlf = w.crlf<<8 | uint32(p[i])
		if w.crlf == 0x0d0a0d0a {
			w.inFrames = true
			w.extra = append([]byte(nil), p[i+1:n]...)
			return i + 1, err
		}
	}
	return n, err
}

func (w *wire) Write(p []byte) (int, error)        { return w.conn.Write(p) }
func (w *wire) Close() error                       { return w.conn.Close() }
func (w *wire) LocalAddr() net.Addr                { return w.conn.LocalAddr() }
func (w *wire) RemoteAddr() net.Addr               { return w.conn.RemoteAddr() }
func (w *wire) SetDeadline(t time.Time) error      { return w.conn.SetDeadline(t) }
func (w *wire) SetReadDeadline(t time.Time) error  { return w.conn.SetReadDeadline(t) }
func (w *wire) SetWriteDeadline(t time.Time) error { return w.conn.SetWriteDeadline(t) }

// startFrames switches the reader from the handshake to frames: the bytes
// kept back during the handshake become the start of the frame stream.
func (w *wire) startFrames() {
	w.rw = copy(w.rbuf[:], w.extra)
	if w.rw < len(w.extra) { // cannot happen with a sane server: more than a buffer in the 101's segment
		w.extra = w.extra[w.rw:]
	} else {
		w.extra = nil
	}
}

// fill reads more bytes into rbuf, after moving what is unread to its start.
func (w *wire) fill() error {
	if w.rr > 0 {
		w.rw = copy(w.rbuf[:], w.rbuf[w.rr:w.rw])
		w.rr = 0
	}
	if len(w.extra) > 0 {
		n := copy(w.rbuf[w.rw:], w.extra)
		w.extra = w.extra[n:]
		w.rw += n
		return nil
	}
	n, err := w.conn.Read(w.rbuf[w.rw:])
	w.rw += n
	if n > 0 {
		return nil
	}
	if err == nil {
		err = io.ErrNoProgress
	}
	return err
}

// header is a frame header (RFC 6455 §5.2).
type header struct {
	fin    bool
	rsv    byte // the three reserved bits, in place (0x70)
	op     byte
	masked bool
	length uint64
}

// errBadLength is a 64-bit payload length with its top bit set.
var errBadLength = errors.New("payload length with the most significant bit set")

// readHeader reads the next frame header. Its mask key, if any, is skipped:
// a masked frame is refused by the caller.
func (w *wire) readHeader() (header, error) {
	for w.rw-w.rr < 2 {
		if err := w.fill(); err != nil {
			return header{}, err
		}
	}
	b0, b1 := w.rbuf[w.rr], w.rbuf[w.rr+1]
	h := header{fin: b0&0x80 != 0, rsv: b0 & 0x70, op: b0 & 0x0f, masked: b1&0x80 != 0, length: uint64(b1 & 0x7f)}
	need := 2
	switch h.length {
	case 126:
		need += 2
	case 127:
		need += 8
	}
	if h.masked {
		need += 4
	}
	for w.rw-w.rr < need {
		if err := w.fill(); err != nil {
			return header{}, err
		}
	}
	p := w.rbuf[w.rr+2:]
	switch h.length {
	case 126:
		h.length = uint64(binary.BigEndian.Uint16(p))
	case 127:
		h.length = binary.BigEndian.Uint64(p)
		if h.length>>63 != 0 {
			return header{}, errBadLength
		}
	}
	w.rr += need
	return h, nil
}

// readSome reads up to len(p) bytes of payload: what is buffered first,
// then straight from the connection.
func (w *wire) readSome(p []byte) (int, error) {
	if w.rr < w.rw {
		n := copy(p, w.rbuf[w.rr:w.rw])
		w.rr += n
		return n, nil
	}
	if len(w.extra) > 0 {
		n := copy(p, w.extra)
		w.extra = w.extra[n:]
		return n, nil
	}
	if len(p) < readBufSize { // small reads go through the buffer
		if err := w.fill(); err != nil {
			return 0, err
		}
		return w.readSome(p)
	}
	n, err := w.conn.Read(p)
	if n > 0 {
		return n, nil
	}
	if err == nil {
		err = io.ErrNoProgress
	}
	return 0, err
}

// readFull reads exactly len(p) bytes of payload.
func (w *wire) readFull(p []byte) error {
	for len(p) > 0 {
		n, err := w.readSome(p)
		if err != nil {
			return err
		}
		p = p[n:]
	}
	return nil
}

// writePool holds the buffers frames are masked into. It is a cache, not
// state: nothing the package does depends on what it holds.
var writePool = sync.Pool{New: func() any { b := make([]byte, maxHeader+writeChunk); return &b }}

// writeFrame writes one frame, final, with the payload text or data (only
// one of them is used), masked with a fresh key (RFC 6455 §5.3). The
// payload is copied into pooled buffers for masking; the caller's bytes are
// never changed. A deadline, if not zero, bounds the write.
func (w *wire) writeFrame(op byte, text string, data []byte, deadline time.Time) error {
	w.wmu.Lock()
	defer w.wmu.Unlock()
	return w.writeFrameLocked(op, text, data, deadline)
}

func (w *wire) writeFrameLocked(op byte, text string, data []byte, deadline time.Time) error {
	if w.closeSent {
		return errCloseSent
	}
	if text != "" {
		data = unsafe.Slice(unsafe.StringData(text), len(text))
	}
	bp := writePool.Get().(*[]byte)
	defer writePool.Put(bp)
	buf := *bp

	key := uint32(w.rng.Uint64())
	n := putHeader(buf, op, len(data), key)
	if !deadline.IsZero() {
		w.conn.SetWriteDeadline(deadline)
		defer w.conn.SetWriteDeadline(time.Time{})
	}
	pos := 0
	for {
		c := copy(buf[n:], data)
		maskBytes(key, pos, buf[n:n+c])
		pos += c
		data = data[c:]
		if _, err := w.conn.Write(buf[:n+c]); err != nil {
			return err
		}
		if len(data) == 0 {
			return nil
		}
		n = 0
	}
}

// maxHeader is the size of the longest client frame header.
const maxHeader = 14

// putHeader writes the header of a final, masked frame into buf and
// returns its length.
func putHeader(buf []byte, op byte, length int, key uint32) int {
	n := 2
	buf[0] = 0x80 | op
	switch {
	case length <= 125:
		buf[1] = 0x80 | byte(length)
	case length <= 0xffff:
		buf[1] = 0x80 | 126
		binary.BigEndian.PutUint16(buf[2:], uint16(length))
		n += 2
	default:
		buf[1] = 0x80 | 127
		binary.BigEndian.PutUint64(buf[2:], uint64(length))
		n += 8
	}
	binary.LittleEndian.PutUint32(buf[n:], key)
	return n + 4
}

// batchable reports whether a payload is small enough to share a write
// with other frames.
func batchable(size int) bool { return size <= writeChunk/8 }

// writeFrames writes several small frames (each batchable) with as few
// writes as the pooled buffer allows. Each frame is a whole message.
func (w *wire) writeFrames(frames []frameOut) error {
	w.wmu.Lock()
	defer w.wmu.Unlock()
	if w.closeSent {
		return errCloseSent
	}
	bp := writePool.Get().(*[]byte)
	defer writePool.Put(bp)
	buf := *bp
	n := 0
	for _, f := range frames {
		data := f.data
		if f.text != "" {
			data = unsafe.Slice(unsafe.StringData(f.text), len(f.text))
		}
		if n+maxHeader+len(data) > len(buf) {
			if _, err := w.conn.Write(buf[:n]); err != nil {
				return err
			}
			n = 0
		}
		key := uint32(w.rng.Uint64())
		n += putHeader(buf[n:], f.op, len(data), key)
		copy(buf[n:], data)
		maskBytes(key, 0, buf[n:n+len(data)])
		n += len(data)
	}
	_, err := w.conn.Write(buf[:n])
	return err
}

// frameOut is one frame for writeFrames: op and its payload, text or data.
type frameOut struct {
	op   byte
	text string
	data []byte
}

// errCloseSent is the error of a write after the client's Close frame.
var errCloseSent = fmt.Errorf("websocket: close frame already sent: %w", net.ErrClosed)

// writeClose sends the client's Close frame, once; code 1005 sends none.
func (w *wire) writeClose(code uint32, reason string, deadline time.Time) error {
	w.wmu.Lock()
	defer w.wmu.Unlock()
	return w.writeCloseLocked(code, reason, deadline)
}

func (w *wire) writeCloseLocked(code uint32, reason string, deadline time.Time) error {
	if w.closeSent {
		return errCloseSent
	}
	var p []byte
	if code != CloseNoStatusReceived {
		p = binary.BigEndian.AppendUint16(make([]byte, 0, 2+len(reason)), uint16(code))
		p = append(p, reason...)
	}
	err := w.writeFrameLocked(opClose, "", p, deadline)
	w.closeSent = true
	return err
}

// writeCloseNow sends a Close frame when the client fails the connection.
// If a write is under way (perhaps blocked on a server that does not read),
// the Close frame is skipped and the link is simply dropped.
func (w *wire) writeCloseNow(code uint32, reason string) {
	if !w.wmu.TryLock() {
		return
	}
	defer w.wmu.Unlock()
	w.writeCloseLocked(code, reason, time.Now().Add(time.Second))
}

// maskBytes XORs p with the mask key, starting at byte pos of the key
// stream, eight bytes at a time.
func maskBytes(key uint32, pos int, p []byte) {
	k := key
	if s := uint(pos&3) * 8; s != 0 {
		k = key>>s | key<<(32-s)
	}
	k64 := uint64(k) | uint64(k)<<32
	for len(p) >= 8 {
		binary.LittleEndian.PutUint64(p, binary.LittleEndian.Uint64(p)^k64)
		p = p[8:]
	}
	for i := range p {
		p[i] ^= byte(k >> (8 * uint(i&3)))
	}
}
