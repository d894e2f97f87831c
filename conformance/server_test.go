package conformance_test

// The server side of a case: the hostile connection, and what the client
// sent on it, filed as events.

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cangjie-go/ohos/internal/hostile"
	"github.com/cangjie-go/ohos/networkkit/websocket"
)

// evKind is the kind of something the client sent.
type evKind int

const (
	evText evKind = iota + 1
	evBinary
	evPing
	evPong
	evClose
	evPartial // a message cut short by the client's Close or by EOF
)

// ev is one thing the client sent, at message level: data messages
// reassembled from their frames, control frames as they are.
type ev struct {
	kind    evKind
	payload []byte
	op      hostile.Opcode // evPartial: the message's opcode
	code    int            // evClose
	reason  string         // evClose
}

func text(s string) ev            { return ev{kind: evText, payload: []byte(s)} }
func textB(p []byte) ev           { return ev{kind: evText, payload: p} }
func binary(p []byte) ev          { return ev{kind: evBinary, payload: p} }
func pong(p []byte) ev            { return ev{kind: evPong, payload: p} }
func pongS(s string) ev           { return pong([]byte(s)) }
func evs(e ...ev) []ev            { return e }
func codes(c ...int) []int        { return c }
func repeat(b byte, n int) []byte { return bytes.Repeat([]byte{b}, n) }

func (e ev) String() string {
	switch e.kind {
	case evText:
		return "text " + hostile.Describe(e.payload)
	case evBinary:
		return "binary " + hostile.Describe(e.payload)
	case evPing:
		return "ping " + hostile.Describe(e.payload)
	case evPong:
		return "pong " + hostile.Describe(e.payload)
	case evClose:
		if e.code == hostile.NoStatus {
			return "close (no code)"
		}
		return fmt.Sprintf("close %d %q", e.code, e.reason)
	case evPartial:
		return fmt.Sprintf("partial %s message %s", e.op, hostile.Describe(e.payload))
	}
	return "?"
}

func (e ev) equal(o ev) bool {
	return e.kind == o.kind && bytes.Equal(e.payload, o.payload) && e.code == o.code && e.reason == o.reason
}

func describeEvents(list []ev) string {
	if len(list) == 0 {
		return "nothing"
	}
	s := make([]string, len(list))
	for i, e := range list {
		s[i] = e.String()
	}
	return "[" + strings.Join(s, ", ") + "]"
}

// run is the server side of one case: the hostile connection and what the
// client sent on it. Only the script's goroutine uses it until the script
// has returned.
type run struct {
	tc       *testCase
	c        *hostile.Conn
	deadline time.Time

	req *http.Request // the client's opening handshake

	log         []ev // client messages and control frames before its Close
	after       []ev // anything the client sent after its Close
	clientClose *ev  // the client's Close
	eof         bool // the client closed the TCP connection
	timedOut    bool // the client neither closed nor dropped in time
	serverClose *ev  // the first Close the server sent

	msgOp   hostile.Opcode // the client message being reassembled
	msgBuf  []byte
	inMsg   bool
	msgZ    bool // it is compressed (RSV1 on its first frame)
	frames  int
	maskSet map[[4]byte]struct{}

	late       bool     // a fail-fast case that failed late
	violations []string // FAILED findings of the script
	info       []string // observations for the report

	tcpClosedByPeer bool // custom scripts: WaitTCPClose said the client closed

	pmd   *pmdServer // permessage-deflate, when the server's answer enabled it
	alloc uint64     // cases run alone: bytes the process allocated while the case ran
}

func (r *run) violate(format string, args ...any) {
	r.violations = append(r.violations, fmt.Sprintf(format, args...))
}

// done reports whether the client has closed or dropped the connection.
func (r *run) done() bool { return r.clientClose != nil || r.eof }

// handshake reads the request, checks it, and answers it.
func (r *run) handshake() bool {
	req, key, err := r.c.ReadRequest()
	if err != nil {
		r.violate("reading the opening handshake: %v", err)
		return false
	}
	r.req = req
	r.checkRequest(req, key)
	if r.tc.accept != nil {
		r.tc.accept(r, key)
	} else if err := r.c.Accept(key); err != nil {
		r.violate("writing the 101 answer: %v", err)
		return false
	}
	return true
}

// checkRequest checks the client's opening handshake (RFC 6455 §4.1).
func (r *run) checkRequest(req *http.Request, key string) {
	if req.Method != http.MethodGet {
		r.violate("handshake method %s, want GET", req.Method)
	}
	if !req.ProtoAtLeast(1, 1) {
		r.violate("handshake over %s, want HTTP/1.1", req.Proto)
	}
	if req.Host == "" {
		r.violate("handshake without Host")
	}
	if !headerHasToken(req.Header, "Upgrade", "websocket") {
		r.violate("handshake Upgrade header %q", req.Header.Get("Upgrade"))
	}
	if !headerHasToken(req.Header, "Connection", "upgrade") {
		r.violate("handshake Connection header %q", req.Header.Get("Connection"))
	}
	if v := req.Header.Get("Sec-WebSocket-Version"); v != "13" {
		r.violate("handshake Sec-WebSocket-Version %q, want 13", v)
	}
	if k, err := base64.StdEncoding.DecodeString(key); err != nil || len(k) != 16 {
		r.violate("handshake Sec-WebSocket-Key %q is not 16 bytes in base64", key)
	}
	// The offer is the one the package documents for the case's
	// Compression (none when it is off).
	var o websocket.RequestOptions
	if r.tc.opts != nil {
		r.tc.opts(&o)
	}
	if offer, want := strings.Join(req.Header.Values("Sec-WebSocket-Extensions"), ", "), deflateOffers[o.Compression]; offer != want {
		r.violate("handshake offers extensions %q, want %q", offer, want)
	}
}

func headerHasToken(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

// write sends frames in one write (or as shaped by opts). A write error is
// not a finding: the client may have failed the connection already.
func (r *run) write(frames ...hostile.Frame) { r.writeWith(nil, frames...) }

func (r *run) writeWith(opts []hostile.WriteOption, frames ...hostile.Frame) {
	r.noteClose(frames)
	r.c.WriteFrames(frames, opts...)
}

// writeRaw sends bytes that hold the given frames (for chops inside a
// frame).
func (r *run) writeRaw(p []byte, opts ...hostile.WriteOption) { r.c.WriteRaw(p, opts...) }

// noteClose remembers the first Close frame the server sends.
func (r *run) noteClose(frames []hostile.Frame) {
	for _, f := range frames {
		if f.Opcode == hostile.OpClose && r.serverClose == nil {
			e := ev{kind: evClose, code: -1}
			if code, reason, err := hostile.ParseClose(f.Payload); err == nil {
				e.code, e.reason = code, reason
			}
			r.serverClose = &e
		}
	}
}

// next reads one frame from the client and files it. It reports false if
// nothing happened by deadline.
func (r *run) next(deadline time.Time) bool {
	if r.eof {
		return false
	}
	f, err := r.c.ReadFrame(deadline)
	switch {
	case err == nil || errors.Is(err, hostile.ErrUnmasked):
		r.file(f, err)
		return true
	case errors.Is(err, hostile.ErrTimeout):
		return false
	}
	if !hostile.PeerClosed(err) {
		r.violate("reading from the client: %v", err)
	}
	r.eof = true
	if r.inMsg {
		r.push(ev{kind: evPartial, op: r.msgOp, payload: r.msgBuf})
		r.inMsg = false
	}
	return true
}

// file checks a client frame and turns it into events.
func (r *run) file(f hostile.Frame, err error) {
	r.frames++
	if err != nil {
		r.violate("client sent an unmasked %v frame", f.Opcode)
	} else {
		if r.maskSet == nil {
			r.maskSet = make(map[[4]byte]struct{})
		}
		r.maskSet[f.MaskKey] = struct{}{}
	}
	// RSV1 marks a compressed message, on its first frame only, once
	// permessage-deflate was negotiated (RFC 7692 §6).
	compressed := r.pmd != nil && f.Rsv == hostile.RSV1 && (f.Opcode == hostile.OpText || f.Opcode == hostile.OpBinary)
	if f.Rsv != 0 && !compressed {
		r.violate("client set reserved bits %03b on a %v frame", f.Rsv, f.Opcode)
	}
	switch f.Opcode {
	case hostile.OpText, hostile.OpBinary:
		if r.inMsg {
			r.violate("client started a %v message inside a fragmented message", f.Opcode)
		}
		r.inMsg, r.msgOp, r.msgBuf, r.msgZ = true, f.Opcode, append([]byte(nil), f.Payload...), compressed
	case hostile.OpContinuation:
		if !r.inMsg {
			r.violate("client sent a continuation frame with no message to continue")
			return
		}
		r.msgBuf = append(r.msgBuf, f.Payload...)
	case hostile.OpPing, hostile.OpPong, hostile.OpClose:
		if !f.Fin || len(f.Payload) > 125 {
			r.violate("client sent a fragmented or oversized %v frame", f.Opcode)
		}
		switch f.Opcode {
		case hostile.OpPing:
			r.push(ev{kind: evPing, payload: f.Payload})
		case hostile.OpPong:
			r.push(ev{kind: evPong, payload: f.Payload})
		default:
			r.fileClose(f)
		}
		return
	default:
		r.violate("client sent a frame with reserved opcode %d", f.Opcode)
		return
	}
	if f.Fin {
		r.inflateMessage()
		kind := evText
		if r.msgOp == hostile.OpBinary {
			kind = evBinary
			if r.msgBuf == nil {
				r.msgBuf = []byte{}
			}
		} else if !utf8.Valid(r.msgBuf) {
			r.violate("client sent a text message that is not valid UTF-8")
		}
		r.inMsg = false
		r.push(ev{kind: kind, payload: r.msgBuf})
	}
}

// inflateMessage replaces the compressed message just completed with its
// inflated bytes, and notes the sizes of every data message the client
// sends once permessage-deflate is in use.
func (r *run) inflateMessage() {
	switch {
	case r.pmd == nil:
		return
	case !r.msgZ:
		r.pmd.msgs = append(r.pmd.msgs, pmdClientMsg{wire: len(r.msgBuf), inflated: len(r.msgBuf)})
		return
	}
	p, err := r.pmd.inflate(r.msgBuf)
	if err != nil {
		r.violate("client sent a compressed %v message that does not inflate: %v", r.msgOp, err)
		return
	}
	r.msgBuf = p
}

func (r *run) fileClose(f hostile.Frame) {
	code, reason, err := hostile.ParseClose(f.Payload)
	if err != nil {
		r.violate("client sent a Close with a 1-byte payload")
		code = -1
	} else if code != hostile.NoStatus && !sendableCode(code) {
		r.violate("client sent close code %d, which an endpoint must not send", code)
	}
	if !utf8.ValidString(reason) {
		r.violate("client sent a close reason that is not valid UTF-8")
	}
	if r.clientClose == nil && r.inMsg {
		r.push(ev{kind: evPartial, op: r.msgOp, payload: r.msgBuf})
		r.inMsg = false
	}
	r.push(ev{kind: evClose, code: code, reason: reason})
}

// push files an event before or after the client's Close.
func (r *run) push(e ev) {
	if r.clientClose != nil {
		r.after = append(r.after, e)
		return
	}
	if e.kind == evClose {
		r.clientClose = &e
		return
	}
	r.log = append(r.log, e)
}

// sendableCode reports whether an endpoint may send a close code (RFC 6455
// §7.4 and the contract §4: 1000–1003, 1007–1014, 3000–4999).
func sendableCode(code int) bool {
	return code >= 1000 && code <= 1003 || code >= 1007 && code <= 1014 || code >= 3000 && code <= 4999
}

// awaitN reads client events until n messages or control frames (other
// than Close) arrived, the client closed, or the wait deadline.
func (r *run) awaitN(n int) bool {
	wait := time.Now().Add(time.Until(r.deadline) * 2 / 3)
	for len(r.log) < n && !r.done() {
		if !r.next(wait) {
			return false
		}
	}
	return len(r.log) >= n
}

// awaitClose reads client events for up to d and reports whether the client
// closed or dropped the connection meanwhile.
func (r *run) awaitClose(d time.Duration) bool {
	wait := time.Now().Add(d)
	for !r.done() {
		if !r.next(wait) {
			return false
		}
	}
	return true
}

// finish waits for the client to close or drop the connection, answers its
// Close if the server has not sent one, and keeps reading until the client
// closes TCP (or linger passes) to catch anything sent after the Close.
func (r *run) finish() {
	for !r.done() {
		if !r.next(r.deadline) {
			r.timedOut = true
			return
		}
	}
	if r.clientClose != nil && r.serverClose == nil {
		code, reason := r.clientClose.code, ""
		if code != hostile.NoStatus && !sendableCode(code) {
			code = 1002
		}
		r.write(hostile.Close(code, reason))
	}
	wait := time.Now().Add(linger)
	for !r.eof && r.next(wait) {
	}
}

// standard is the server script of kindEcho and kindFail cases.
func (r *run) standard() {
	if !r.handshake() {
		return
	}
	if r.tc.send != nil {
		r.tc.send(r)
	}
	if r.tc.kind == kindEcho && !r.done() {
		r.awaitN(len(r.tc.want))
		if !r.done() && r.serverClose == nil {
			r.write(hostile.Close(1000, ""))
		}
	}
	r.finish()
}

// waitTCPClose waits for the client to close the TCP connection (custom
// scripts).
func (r *run) waitTCPClose(d time.Duration) {
	closed, err := r.c.WaitTCPClose(time.Now().Add(d))
	r.tcpClosedByPeer = closed
	if !closed {
		r.info = append(r.info, fmt.Sprintf("waiting for the client to close TCP: %v", err))
	}
}
