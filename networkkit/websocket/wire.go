package websocket

import (
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
	// readSmall is the read buffer every connection has, the one an idle
	// connection waits in. Frame headers and small payloads are read
	// through it; larger payloads are read straight into the message.
	readSmall = 256
	// readBig is the size of the pooled read buffer the reader switches to
	// while data keeps coming (a read filled the buffer), so that a burst
	// of small messages takes few reads; it goes back to the pool when a
	// read no longer fills it.
	readBig = 8 << 10
	// writeChunk is the size of the pooled buffers frames are masked into,
	// and so the most one write to the socket carries besides a frame
	// header: WriteTimeout bounds writes of this size.
	writeChunk = 64 << 10
	// maxControlPayload is the largest payload of a control frame.
	maxControlPayload = 125
	// maxHeader is the size of the longest client frame header.
	maxHeader = 14
)

// opName names an opcode for error messages.
func opName(op byte) string {
	switch op {
	case opText:
		return "text"
	case opBinary:
		return "binary"
	case opContinuation:
		return "continuation"
	case opClose:
		return "close"
	case opPing:
		return "ping"
	case opPong:
		return "pong"
	}
	return fmt.Sprintf("opcode %d", op)
}

// wire is one WebSocket connection's byte stream, after TLS: the opening
// handshake's answer, then frames.
//
// Reading: during the handshake, Read (the handshake code's reader) goes
// through head; afterwards only the reader goroutine reads, with readHeader,
// readSome and readFull. Writing: the frame writers (writeFrame,
// writeFrames, writeClose) may only be called by the goroutine that owns
// the connection's write side (session.writing, write.go); the handshake
// writes its request with Write.
type wire struct {
	conn net.Conn
	raw  net.Conn // the connection under TLS, which Close closes; conn if none

	// Handshake only; nil once frames begin.
	head    *headGuard
	abortMu sync.Mutex
	aborted bool // abort was called: every deadline is in the past from now on

	// Reader goroutine only, after the handshake.
	small    [readSmall]byte
	rbuf     []byte  // small[:], or *big during a burst
	big      *[]byte // from readPool, or nil
	lastFull bool    // the last read filled rbuf: more is probably waiting
	rr, rw   int     // rbuf[rr:rw] is unread
	extra    []byte  // bytes that arrived with the 101 and did not fit rbuf
	// beforeWait runs before every read from the socket (nil: nothing).
	beforeWait func()

	// The write side's owner only.
	closeSent    bool          // no frame may follow the client's Close
	writeTimeout time.Duration // bounds each write; 0 means none (tests)
	deadline     time.Time     // the write deadline last set
	limit        time.Time     // an earlier deadline for the message being written (SendContext's), or zero
	written      int64         // bytes written to the socket so far
}

func newWire(c net.Conn, writeTimeout time.Duration) *wire {
	w := &wire{conn: c, raw: c, writeTimeout: writeTimeout, head: &headGuard{r: c}}
	w.rbuf = w.small[:]
	return w
}

// wire is the net.Conn the handshake code uses.
var _ net.Conn = (*wire)(nil)

// Read hands the handshake code the bytes of the response header and
// nothing after it (see headGuard).
func (w *wire) Read(p []byte) (int, error) {
	if w.head == nil {
		return 0, io.EOF
	}
	return w.head.Read(p)
}

func (w *wire) Write(p []byte) (int, error) { return w.conn.Write(p) }

// Close closes the connection at once. Under TLS it closes the TCP
// connection beneath: tls.Conn.Close would first write a close_notify
// alert, which waits up to 5 s on a server that does not read. The
// WebSocket closing handshake, not TLS's, is the orderly end.
func (w *wire) Close() error         { return w.raw.Close() }
func (w *wire) LocalAddr() net.Addr  { return w.conn.LocalAddr() }
func (w *wire) RemoteAddr() net.Addr { return w.conn.RemoteAddr() }

// SetDeadline and its two relatives are used by the handshake code. Once
// abort was called they keep the deadline in the past, so that no deadline
// the handshake code sets can undo an abort.
func (w *wire) SetDeadline(t time.Time) error {
	return w.setDeadline(t, w.conn.SetDeadline)
}
func (w *wire) SetReadDeadline(t time.Time) error {
	return w.setDeadline(t, w.conn.SetReadDeadline)
}
func (w *wire) SetWriteDeadline(t time.Time) error {
	return w.setDeadline(t, w.conn.SetWriteDeadline)
}

func (w *wire) setDeadline(t time.Time, set func(time.Time) error) error {
	w.abortMu.Lock()
	defer w.abortMu.Unlock()
	if w.aborted {
		t = aLongTimeAgo
	}
	return set(t)
}

// aLongTimeAgo is a deadline that has passed: it ends any blocked read or
// write at once.
var aLongTimeAgo = time.Unix(1, 0)

// abort ends the handshake at whatever read or write it is blocked in.
func (w *wire) abort() {
	w.abortMu.Lock()
	defer w.abortMu.Unlock()
	w.aborted = true
	w.conn.SetDeadline(aLongTimeAgo)
}

// startFrames switches the reader from the handshake to frames: the bytes
// that arrived after the 101's header become the start of the frame stream.
func (w *wire) startFrames() {
	rest := w.head.rest
	w.head = nil
	w.rw = copy(w.rbuf, rest)
	if w.rw < len(rest) {
		w.extra = rest[w.rw:]
	}
}

// readPool holds the big read buffers of bursts; a cache, like writePool.
var readPool = sync.Pool{New: func() any { b := make([]byte, readBig); return &b }}

// fill reads more bytes into rbuf, after moving what is unread to its
// start. It uses the big buffer while reads keep filling the buffer, and
// the small one again once they do not, before it waits.
func (w *wire) fill() error {
	switch {
	case w.lastFull && w.big == nil: // a burst: take the big buffer
		b := readPool.Get().(*[]byte)
		w.rw = copy(*b, w.rbuf[w.rr:w.rw])
		w.rr, w.rbuf, w.big = 0, *b, b
	case !w.lastFull && w.big != nil && w.rw-w.rr <= readSmall: // the burst is over
		w.rw = copy(w.small[:], w.rbuf[w.rr:w.rw])
		w.rr, w.rbuf = 0, w.small[:]
		readPool.Put(w.big)
		w.big = nil
	case w.rr > 0:
		w.rw = copy(w.rbuf, w.rbuf[w.rr:w.rw])
		w.rr = 0
	}
	if len(w.extra) > 0 {
		n := copy(w.rbuf[w.rw:], w.extra)
		w.extra = w.extra[n:]
		w.rw += n
		return nil
	}
	if w.beforeWait != nil {
		w.beforeWait()
	}
	n, err := w.conn.Read(w.rbuf[w.rw:])
	w.rw += n
	w.lastFull = w.rw == len(w.rbuf)
	if n > 0 {
		return nil
	}
	if err == nil {
		err = io.ErrNoProgress
	}
	return err
}

// buffered reports whether bytes that were read wait in the buffer: more
// frames may be ready without a read.
func (w *wire) buffered() bool { return w.rr < w.rw || len(w.extra) > 0 }

// release gives the big read buffer back when the connection ends.
func (w *wire) release() {
	if w.big != nil {
		w.rbuf, w.rr, w.rw = w.small[:0], 0, 0
		readPool.Put(w.big)
		w.big = nil
	}
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
	if len(p) < len(w.rbuf) { // small reads go through the buffer
		if err := w.fill(); err != nil {
			return 0, err
		}
		return w.readSome(p)
	}
	if w.beforeWait != nil {
		w.beforeWait()
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

// send writes p to the socket within the write timeout. A write that
// fails or times out may have written part of p: the caller must fail the
// connection.
//
// The deadline is moved only when it is closer than 7/8 of the timeout, so
// that a stream of quick writes does not reset the runtime's timer (and
// wake its network poller) at every write: a write gets between 7/8 of
// WriteTimeout and WriteTimeout.
func (w *wire) send(p []byte) error {
	if w.writeTimeout > 0 || !w.limit.IsZero() {
		want := w.deadline
		if now := time.Now(); w.writeTimeout > 0 && want.Sub(now) < w.writeTimeout-w.writeTimeout/8 {
			want = now.Add(w.writeTimeout)
		}
		if !w.limit.IsZero() && (want.IsZero() || w.limit.Before(want)) {
			want = w.limit
		}
		if !want.Equal(w.deadline) {
			w.deadline = want
			w.conn.SetWriteDeadline(want)
		}
	}
	n, err := w.conn.Write(p)
	w.written += int64(n)
	return err
}

// untouched reports whether a write that failed, started when written was
// before, left the connection as it was: nothing reached the socket, and
// there is no TLS layer (whose state a failed write ends for good).
func (w *wire) untouched(before int64) bool { return w.written == before && w.raw == w.conn }

// writeFrame writes one frame with the payload text or data (only one of
// them is used), masked with a fresh key (RFC 6455 §5.3), in writes of at
// most writeChunk bytes of payload. The caller's bytes are never changed.
func (w *wire) writeFrame(op byte, fin bool, text string, data []byte) error {
	if w.closeSent {
		return errCloseSent
	}
	if text != "" {
		data = unsafe.Slice(unsafe.StringData(text), len(text))
	}
	bp := writePool.Get().(*[]byte)
	defer writePool.Put(bp)
	buf := *bp

	key := maskKey()
	n := putHeader(buf, op, fin, len(data), key)
	pos := 0
	for {
		c := copy(buf[n:], data)
		maskBytes(key, pos, buf[n:n+c])
		pos += c
		data = data[c:]
		if err := w.send(buf[:n+c]); err != nil {
			return err
		}
		if len(data) == 0 {
			return nil
		}
		n = 0
	}
}

// maskKey returns a fresh masking key. RFC 6455 §5.3 wants keys an
// observer cannot predict: math/rand/v2's generator is ChaCha8, seeded from
// the operating system's entropy for each thread, and costs no state per
// connection.
func maskKey() uint32 { return mrand.Uint32() }

// putHeader writes the header of a masked frame into buf and returns its
// length.
func putHeader(buf []byte, op byte, fin bool, length int, key uint32) int {
	n := 2
	buf[0] = op
	if fin {
		buf[0] |= 0x80
	}
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

// frameOut is one whole-message frame for writeFrames: op and its payload,
// text or data.
type frameOut struct {
	op   byte
	text string
	data []byte
}

// writeFrames writes several small frames (each batchable, each a whole
// message) with as few writes as the pooled buffer allows.
func (w *wire) writeFrames(frames []frameOut) error {
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
			if err := w.send(buf[:n]); err != nil {
				return err
			}
			n = 0
		}
		key := maskKey()
		n += putHeader(buf[n:], f.op, true, len(data), key)
		copy(buf[n:], data)
		maskBytes(key, 0, buf[n:n+len(data)])
		n += len(data)
	}
	return w.send(buf[:n])
}

// errCloseSent is the error of a write after the client's Close frame.
var errCloseSent = fmt.Errorf("websocket: close frame already sent: %w", net.ErrClosed)

// writeClose sends the client's Close frame, once; code 1005 sends one
// without payload.
func (w *wire) writeClose(code uint32, reason string) error {
	if w.closeSent {
		return errCloseSent
	}
	var p [maxControlPayload]byte
	n := 0
	if code != CloseNoStatusReceived {
		binary.BigEndian.PutUint16(p[:], uint16(code))
		n = 2 + copy(p[2:], reason)
	}
	err := w.writeFrame(opClose, true, "", p[:n])
	w.closeSent = true
	return err
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
