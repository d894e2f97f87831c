package websocket

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"
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

// receive reads frames and delivers messages until the connection ends,
// and says why it ended. It checks everything RFC 6455 asks of a client
// receiving frames: reserved bits and opcodes, unmasked frames, control
// frame rules, fragmentation order, close payloads, UTF-8 of text (failing
// at the first invalid byte, not at the end of the message) and the
// maximum message size (before reading or allocating the payload).
func (s *session) receive() readFailure {
	w := s.w
	var m inbound
	for {
		// This loop waits for the network in readHeader, so its frame is
		// what an idle connection's stack holds: the work on frames is
		// done in calls that return before the next wait.
		h, err := w.readHeader()
		if err != nil {
			return readError(err)
		}
		if rf, done := s.frame(h, &m); done {
			return rf
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
	if h.op >= opClose || h.rsv != 0 || h.masked {
		return s.control(h)
	}
	return s.data(h, m)
}

// inbound is the message being received.
type inbound struct {
	kind  byte // opText or opBinary while a message is open, else 0
	msg   []byte
	wants uint64 // bytes of the message announced so far
	text  utf8Validator
}

// control checks a frame header that is not plain data and handles a
// control frame; done reports that the connection ends with rf.
func (s *session) control(h header) (rf readFailure, done bool) {
	switch {
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
	p := w.ctrl[:h.length]
	if err := w.readFull(p); err != nil {
		return readFailure{kind: linkLost, err: err}, true
	}
	switch h.op {
	case opPing:
		w.writeFrame(opPong, "", p, time.Now().Add(s.cfg.opts.CloseTimeout)) // a broken link shows on the next read
	case opPong:
		s.onPong()
	case opClose:
		return s.peerClose(p), true
	}
	return readFailure{}, false
}

// data reads the payload of a data frame into m and delivers m when it is
// complete; done reports that the connection ends with rf.
func (s *session) data(h header, m *inbound) (rf readFailure, done bool) {
	switch h.op {
	case opText, opBinary:
		if m.kind != 0 {
			return violation("a new message started before the previous one ended"), true
		}
		m.kind, m.wants, m.msg = h.op, 0, nil
		m.text.reset()
	case opContinuation:
		if m.kind == 0 {
			return violation("continuation frame without a message to continue"), true
		}
	default:
		return violation("reserved data opcode %d", h.op), true
	}
	m.wants += h.length
	if m.wants > uint64(s.cfg.maxMessageSize) {
		return readFailure{kind: tooBig, code: CloseMessageTooBig, reason: "message too big", mustClose: true}, true
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
	if !h.fin {
		return readFailure{}, false
	}
	if m.kind == opText {
		if !m.text.done() {
			return badUTF8("text message"), true
		}
		// The buffer is never written again, so the string can share it.
		s.ws.events.post(event{ev: evMessage, msg: StringData(unsafe.String(unsafe.SliceData(msg), len(msg)))})
	} else {
		s.ws.events.post(event{ev: evMessage, msg: ArrayData(msg)})
	}
	m.kind, m.msg = 0, nil
	return readFailure{}, false
}

// peerClose handles the server's Close frame: it checks the payload and
// answers with a Close frame unless the client sent one already. The
// closing handshake is then complete and the caller drops the link at once
// (RFC 6455 §7.1.1 lets the client close TCP after both Close frames; a
// server that waits for the client to do so is not kept waiting).
func (s *session) peerClose(p []byte) readFailure {
	rf := readFailure{kind: peerClosed, code: CloseNoStatusReceived}
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
	s.w.writeClose(rf.code, "", time.Now().Add(s.cfg.opts.CloseTimeout)) // unless the client sent its own already
	return rf
}
