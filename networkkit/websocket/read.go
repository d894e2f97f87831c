package websocket

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"unicode/utf8"
	"unsafe"
)

// readFailure says why the reader stopped.
type readFailure struct {
	kind   failureKind
	code   uint32 // the peer's close code (peerClosed), or the code the client closes with
	reason string
	// mustClose: the client still has to send its Close frame with code
	// and reason before dropping the link.
	mustClose bool
	err       error // linkLost: the read error
}

type failureKind uint8

const (
	linkLost        failureKind = iota // EOF, reset, or the socket closed locally
	peerClosed                         // a valid Close frame arrived
	protocolFailure                    // the server broke RFC 6455: close with 1002
	invalidData                        // invalid UTF-8 in a text message or close reason: close with 1007
	tooBig                             // a message over MaxMessageSize: close with 1009
)

func violation(format string, args ...any) readFailure {
	return readFailure{kind: protocolFailure, code: CloseProtocolError, reason: fmt.Sprintf(format, args...), mustClose: true}
}

func badUTF8(what string) readFailure {
	return readFailure{kind: invalidData, code: CloseInvalidPayload, reason: "invalid UTF-8 in " + what, mustClose: true}
}

// largeMessage is the size above which a message's buffer grows as its
// bytes arrive instead of being allocated whole from the declared length.
const largeMessage = 1 << 20

// inlineLimit is how many queued callbacks the reader runs after those of
// its own message before it hands the rest to a goroutine and reads on.
const inlineLimit = 64

// readLoop is the reader goroutine (gen is its number; see replaceReader).
// It reads frames and delivers messages until the connection ends, then
// ends it (finish). It checks everything RFC 6455 asks of a client
// receiving frames: reserved bits and opcodes, unmasked frames, control
// frame rules, fragmentation order, close payloads, UTF-8 of text (failing
// at the first invalid byte, not at the end of the message) and the
// maximum message size (before reading or allocating the payload).
func (s *session) readLoop(gen int64) {
	normal := false
	defer func() {
		if !normal { // a callback run here called runtime.Goexit
			s.replaceReader(gen)
		}
	}()
	s.held.Store(false)
	w := s.w
	var m inbound
	for {
		// This loop waits for the network in readHeader, so its frame is
		// what an idle connection's stack holds: the work on frames is
		// done in calls that return before the next wait.
		h, err := w.readHeader()
		if err != nil {
			normal = true
			s.finish(readError(err))
			return
		}
		if rf, done := s.frame(h, &m); done {
			normal = true
			s.finish(rf)
			return
		}
		if m.ready && !s.deliver(&m, gen) {
			normal = true
			return
		}
	}
}

// readError is the end of a connection whose frame header could not be read.
//
//go:noinline
func readError(err error) readFailure {
	if errors.Is(err, errBadLength) {
		return violation("%v", err)
	}
	return readFailure{kind: linkLost, err: err}
}

// frame handles one frame; done reports that the connection ends with rf.
//
//go:noinline
func (s *session) frame(h header, m *inbound) (rf readFailure, done bool) {
	if h.op >= opClose || h.masked || h.rsv != 0 && !s.compressed(h) {
		return s.control(h)
	}
	return s.data(h, m)
}

// rsv1 is the reserved bit that marks a compressed message (RFC 7692).
const rsv1 = 0x40

// compressed reports whether h starts a compressed message: RSV1 alone, on
// a text or binary frame, with permessage-deflate in use. RSV1 anywhere
// else is a protocol violation.
func (s *session) compressed(h header) bool {
	return h.rsv == rsv1 && s.inflate != nil && (h.op == opText || h.op == opBinary)
}

// inbound is the message being received.
type inbound struct {
	kind  byte // opText or opBinary while a message is open, else 0
	msg   []byte
	wants uint64 // bytes of the message announced so far
	text  utf8Validator
	ready bool // msg is a whole message, waiting to be delivered
}

// control checks a frame header that is not plain data and handles a
// control frame; done reports that the connection ends with rf.
func (s *session) control(h header) (rf readFailure, done bool) {
	switch {
	case h.rsv == rsv1 && h.op == opContinuation && s.inflate != nil:
		return violation("RSV1 set on a continuation frame"), true
	case h.rsv == rsv1 && s.inflate == nil && h.op < opClose:
		return violation("RSV1 set, but permessage-deflate was not negotiated"), true
	case h.rsv != 0:
		return violation("reserved bits set (RSV %d)", h.rsv>>4), true
	case h.masked:
		return violation("masked frame from the server"), true
	case h.op > opPong:
		return violation("reserved control opcode %d", h.op), true
	case !h.fin:
		return violation("fragmented control frame"), true
	case h.length > maxControlPayload:
		return violation("control frame with a %d-byte payload", h.length), true
	}
	w := s.w
	var buf [maxControlPayload]byte // on the stack: control frames are rare, idle connections hold none
	p := buf[:h.length]
	if err := w.readFull(p); err != nil {
		return readFailure{kind: linkLost, err: err}, true
	}
	switch h.op {
	case opPing:
		s.queuePong(p)
	case opPong:
		s.onPong(p)
	case opClose:
		return peerClose(p), true
	}
	return readFailure{}, false
}

// data reads the payload of a data frame into m; when the frame ends a
// message, m is ready. done reports that the connection ends with rf.
func (s *session) data(h header, m *inbound) (rf readFailure, done bool) {
	switch h.op {
	case opText, opBinary:
		if m.kind != 0 {
			return violation("a new message started before the previous one ended"), true
		}
		m.kind, m.wants, m.msg = h.op, 0, nil
		m.text.reset()
		if h.rsv == rsv1 {
			return s.inflateMessage(h, m)
		}
	case opContinuation:
		if m.kind == 0 {
			return violation("continuation frame without a message to continue"), true
		}
	default:
		return violation("reserved data opcode %d", h.op), true
	}
	m.wants += h.length
	if m.wants > uint64(s.cfg.maxMessageSize) {
		return tooBigFailure(), true
	}
	if m.msg == nil {
		m.msg = make([]byte, 0, min(m.wants, largeMessage))
	}
	msg := m.msg
	for uint64(len(msg)) < m.wants {
		if len(msg) == cap(msg) {
			msg = append(msg, 0)[:len(msg)]
		}
		end := min(uint64(cap(msg)), m.wants)
		n, err := s.w.readSome(msg[len(msg):end])
		if err != nil {
			return readFailure{kind: linkLost, err: err}, true
		}
		if m.kind == opText && !m.text.write(msg[len(msg):len(msg)+n]) {
			return badUTF8("text message"), true
		}
		msg = msg[:len(msg)+n]
	}
	m.msg = msg
	if h.fin {
		if m.kind == opText && !m.text.done() {
			return badUTF8("text message"), true
		}
		m.ready = true
	}
	return readFailure{}, false
}

// inflateMessage reads a compressed message that h begins — all its frames,
// and the control frames between them — and inflates it into m. The size
// limit is checked on the inflated bytes while they are produced (a small
// frame that would inflate past MaxMessageSize stops at the limit, having
// allocated no more than that), and so is UTF-8, failing at the first
// invalid byte.
//
//go:noinline
func (s *session) inflateMessage(h header, m *inbound) (rf readFailure, done bool) {
	limit := uint64(s.cfg.maxMessageSize)
	src := &inflateSource{s: s, left: h.length, fin: h.fin, total: h.length, bound: compressedBound(limit)}
	if src.total > src.bound {
		return tooBigFailure(), true
	}
	zr, br := s.inflate.reader(src)
	// The data is inflated into a pooled scratch buffer, which grows with
	// the data from a size the frame cannot dictate, and then copied into
	// one buffer of the message's size.
	sp := scratch(min(max(4*min(h.length, 16<<10), readSmall), limit+1))
	out := *sp
	whole := false
	defer func() {
		s.inflate.done(zr, br, out, whole)
		putScratch(sp, out)
	}()
	for {
		if len(out) == cap(out) { // grow by doubling, to one byte over the limit at most
			grown := make([]byte, len(out), min(2*uint64(cap(out)), limit+1))
			copy(grown, out)
			out = grown
		}
		n, err := zr.Read(out[len(out):min(uint64(cap(out)), limit+1)])
		if m.kind == opText && !m.text.write(out[len(out):len(out)+n]) {
			return badUTF8("text message"), true
		}
		out = out[:len(out)+n]
		if uint64(len(out)) > limit {
			return tooBigFailure(), true
		}
		switch {
		case err == io.EOF:
			// A sender may end the data with a final block and pad after it
			// (RFC 7692 §7.2.3.4): the rest of the message's payload is
			// read and ignored, so that the next frame is read as a frame.
			if _, err := io.Copy(io.Discard, br); err != nil {
				if src.failed {
					return src.fail, true
				}
				return violation("invalid compressed data: %v", err), true
			}
			whole = true
			if m.kind == opText && !m.text.done() {
				return badUTF8("text message"), true
			}
			m.msg, m.ready = append(make([]byte, 0, len(out)), out...), true
			return readFailure{}, false
		case src.failed:
			return src.fail, true
		case err != nil:
			return violation("invalid compressed data: %v", err), true
		}
	}
}

// compressedBound is the most compressed payload a message under limit
// can need: stored blocks add 5 bytes per 64 KiB to data that does not
// compress. Past it, the stream is refused even if it inflates to nothing.
func compressedBound(limit uint64) uint64 {
	if limit > math.MaxUint64/2 {
		return math.MaxUint64
	}
	return limit + limit/16 + 64<<10
}

func tooBigFailure() readFailure {
	return readFailure{kind: tooBig, code: CloseMessageTooBig, reason: "message too big", mustClose: true}
}

// inflateEnd follows the payloads of a compressed message: the tail the
// sender stripped, then an empty final block, so that the decompressor
// ends there.
var inflateEnd = [...]byte{0x00, 0x00, 0xff, 0xff, 0x01, 0x00, 0x00, 0xff, 0xff}

// errSourceFailed is what inflateSource reports to the decompressor when
// the connection ended; the failure itself is in fail.
var errSourceFailed = errors.New("the connection ended inside a compressed message")

// inflateSource is the compressed bytes of one message as the
// decompressor reads them: the payloads of its frames, read from the wire
// as they are asked for (the control frames between them are handled on
// the way), then inflateEnd.
type inflateSource struct {
	s      *session
	left   uint64 // payload bytes left in the current frame
	fin    bool   // the current frame is the message's last
	total  uint64 // compressed bytes so far
	bound  uint64 // the most compressed bytes allowed (compressedBound)
	end    int    // bytes of inflateEnd handed out
	failed bool
	fail   readFailure
}

func (src *inflateSource) Read(p []byte) (int, error) {
	for src.left == 0 && !src.fin {
		if !src.next() {
			return 0, errSourceFailed
		}
	}
	if src.left > 0 {
		n, err := src.s.w.readSome(p[:min(uint64(len(p)), src.left)])
		if err != nil {
			src.failed, src.fail = true, readFailure{kind: linkLost, err: err}
			return 0, errSourceFailed
		}
		src.left -= uint64(n)
		return n, nil
	}
	if src.end < len(inflateEnd) {
		n := copy(p, inflateEnd[src.end:])
		src.end += n
		return n, nil
	}
	return 0, io.EOF
}

// next reads frame headers until the message's next frame, handling the
// control frames before it; it reports false when the connection ends.
func (src *inflateSource) next() bool {
	s := src.s
	for {
		h, err := s.w.readHeader()
		if err != nil {
			src.failed, src.fail = true, readError(err)
			return false
		}
		if h.op >= opClose || h.masked || h.rsv != 0 {
			if rf, done := s.control(h); done {
				src.failed, src.fail = true, rf
				return false
			}
			continue
		}
		if h.op != opContinuation {
			src.failed, src.fail = true, violation("a new message started before the previous one ended")
			return false
		}
		src.total += h.length
		if src.total > src.bound {
			src.failed, src.fail = true, tooBigFailure()
			return false
		}
		src.left, src.fin = h.length, h.fin
		return true
	}
}

// deliver hands the ready message in m to the callbacks (see the package
// documentation, section Back-pressure) and resets m. It reports false if
// this goroutine stopped being the reader while it ran callbacks.
//
//go:noinline
func (s *session) deliver(m *inbound, gen int64) bool {
	e := event{ev: evMessage, size: int64(len(m.msg))}
	if m.kind == opText {
		// The buffer is never written again, so the string can share it.
		e.msg = StringData(unsafe.String(unsafe.SliceData(m.msg), len(m.msg)))
	} else {
		e.msg = ArrayData(m.msg)
	}
	m.kind, m.msg, m.ready = 0, nil, false

	d := &s.ws.events
	res, space := d.offer(e, s.cfg.recvQueueSize, s.cfg.recvQueueBytes, s.stopHolding.Load())
	switch res {
	case offerRunHere:
		if s.w.buffered() { // more messages are probably ready: coalesce their replies
			s.coalescing.Store(true)
		}
		s.held.Store(true)
		s.reader.Store(gen<<1 | 1)
		d.run(inlineLimit)
		// A replaceReader meanwhile changed the number: another goroutine
		// reads now, and held is its.
		if !s.reader.CompareAndSwap(gen<<1|1, gen<<1) {
			s.flushCoalesced()
			return false
		}
		s.held.Store(false)
		return true
	case offerFull:
		s.flushCoalesced()
		if !s.stopHolding.Load() {
			s.held.Store(true)
			<-space
			s.held.Store(false)
		}
	}
	return true
}

// replaceReader starts a new reader goroutine if reader number gen runs
// callbacks itself (or ended in one with runtime.Goexit), so that reading
// goes on: Close, and blocking calls made from a callback, need the
// connection read. The old goroutine stops reading when its callbacks
// return.
func (s *session) replaceReader(gen int64) {
	if s.reader.CompareAndSwap(gen<<1|1, (gen+1)<<1) {
		go s.readLoop(gen + 1)
	}
}

// readerRunsCallbacks starts a new reader if the current one runs
// callbacks; see replaceReader.
func (s *session) readerRunsCallbacks() {
	if r := s.reader.Load(); r&1 != 0 {
		s.replaceReader(r >> 1)
	}
}

// peerClose handles the server's Close frame: it checks the payload. The
// client answers with the same code (finish writes the frame, unless the
// client sent its own Close already); the closing handshake is then
// complete and the link is dropped at once (RFC 6455 §7.1.1 lets the
// client close TCP after both Close frames; a server that waits for the
// client to do so is not kept waiting).
func peerClose(p []byte) readFailure {
	rf := readFailure{kind: peerClosed, code: CloseNoStatusReceived, mustClose: true}
	switch {
	case len(p) == 1:
		return violation("close frame with a 1-byte payload")
	case len(p) >= 2:
		rf.code = uint32(binary.BigEndian.Uint16(p))
		if !sendableCloseCode(rf.code) {
			return violation("invalid close code %d", rf.code)
		}
		if !utf8.Valid(p[2:]) {
			return badUTF8("close reason")
		}
		rf.reason = string(p[2:])
	}
	return rf
}
