package websocket

// This file is the only one that imports gorilla/websocket. Everything the
// rest of the package needs from the wire goes through transport, and no
// gorilla type or error leaves this file.

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	gorilla "github.com/gorilla/websocket"
)

// frameKind is the kind of a data message on the wire.
type frameKind uint8

const (
	textFrame frameKind = iota + 1
	binaryFrame
)

// dialConfig is everything transport needs to open a connection.
type dialConfig struct {
	url              string
	header           http.Header
	subprotocols     []string
	handshakeTimeout time.Duration
	// netDial opens the connection (and, for wss, does the TLS handshake);
	// what it returns is what gorilla reads and writes.
	netDial        func(ctx context.Context, network, addr string) (net.Conn, error)
	maxMessageSize int64
	onPong         func()
}

// transport is one established WebSocket connection. It allows one
// concurrent reader and one concurrent writer; writeControl and close may be
// called from any goroutine.
type transport struct {
	c *gorilla.Conn
}

// errBadHandshake marks a handshake answer that is not a valid 101; dial
// returns it with the response.
var errBadHandshake = errors.New("bad handshake")

// dial opens the TCP (and TLS) connection and performs the opening
// handshake. On a refused handshake it returns errBadHandshake and the
// response (its body holds at most the first 1 KiB).
func dial(ctx context.Context, cfg *dialConfig) (*transport, *http.Response, error) {
	d := gorilla.Dialer{
		NetDialContext:    cfg.netDial,
		NetDialTLSContext: cfg.netDial,
		HandshakeTimeout:  cfg.handshakeTimeout,
		Subprotocols:      cfg.subprotocols,
	}
	c, resp, err := d.DialContext(ctx, cfg.url, cfg.header)
	if err != nil {
		if errors.Is(err, gorilla.ErrBadHandshake) {
			return nil, resp, errBadHandshake
		}
		return nil, resp, err
	}
	c.SetReadLimit(cfg.maxMessageSize)
	if cfg.onPong != nil {
		c.SetPongHandler(func(string) error { cfg.onPong(); return nil })
	}
	return &transport{c: c}, resp, nil
}

// subprotocol returns the subprotocol the server chose, or "".
func (t *transport) subprotocol() string { return t.c.Subprotocol() }

// nextMessage returns the next data message as a reader that yields its
// payload as the frames arrive; it returns io.EOF at the message's end.
// Control frames are handled on the way: pings are answered, pongs reported
// to onPong, and a Close frame is answered with a Close frame carrying the
// same code. Calling nextMessage again discards the rest of the previous
// message.
func (t *transport) nextMessage() (frameKind, io.Reader, error) {
	typ, r, err := t.c.NextReader()
	if err != nil {
		return 0, nil, err
	}
	if typ == gorilla.TextMessage {
		return textFrame, r, nil
	}
	return binaryFrame, r, nil
}

// writeText and writeBinary send one data message. Only one goroutine may
// write data messages at a time.
func (t *transport) writeText(s string) error {
	w, err := t.c.NextWriter(gorilla.TextMessage)
	if err != nil {
		return err
	}
	if _, err := io.WriteString(w, s); err != nil {
		return err
	}
	return w.Close()
}

func (t *transport) writeBinary(p []byte) error {
	w, err := t.c.NextWriter(gorilla.BinaryMessage)
	if err != nil {
		return err
	}
	if _, err := w.Write(p); err != nil {
		return err
	}
	return w.Close()
}

// writePing sends a Ping frame; safe from any goroutine.
func (t *transport) writePing(deadline time.Time) error {
	return t.c.WriteControl(gorilla.PingMessage, nil, deadline)
}

// writeClose sends a Close frame with code and reason; safe from any
// goroutine. Code 1005 sends a Close frame with no payload.
func (t *transport) writeClose(code uint32, reason string, deadline time.Time) error {
	return t.c.WriteControl(gorilla.CloseMessage, gorilla.FormatCloseMessage(int(code), reason), deadline)
}

// close closes the network connection at once; safe from any goroutine and
// more than once.
func (t *transport) close() error { return t.c.Close() }

// readFailure says why readMessage failed, in the engine's terms.
type readFailure struct {
	kind   failureKind
	code   uint32 // the peer's close code (peerClosed), or the code the transport sent
	reason string
	// mustClose: the Close frame for code and reason is still to be sent
	// (gorilla sends it for the violations it finds itself).
	mustClose bool
}

type failureKind uint8

const (
	peerClosed      failureKind = iota + 1 // a Close frame arrived
	linkLost                               // EOF, reset or a local close of the socket
	protocolFailure                        // the peer broke RFC 6455; a 1002 Close was sent
	tooBig                                 // the message exceeded the read limit; a 1009 Close was sent
)

// classifyReadError maps an error from readMessage to a readFailure.
func classifyReadError(err error) readFailure {
	var ce *gorilla.CloseError
	if errors.As(err, &ce) {
		if ce.Code == gorilla.CloseAbnormalClosure { // gorilla's code for EOF
			return readFailure{kind: linkLost}
		}
		return readFailure{kind: peerClosed, code: uint32(ce.Code), reason: ce.Text}
	}
	if errors.Is(err, errCloseOneByte) {
		return readFailure{kind: protocolFailure, code: CloseProtocolError, reason: err.Error(), mustClose: true}
	}
	if errors.Is(err, gorilla.ErrReadLimit) {
		return readFailure{kind: tooBig, code: CloseMessageTooBig}
	}
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, net.ErrClosed) || errors.Is(err, io.EOF) ||
		errors.Is(err, io.ErrUnexpectedEOF) {
		return readFailure{kind: linkLost}
	}
	// Everything else from gorilla's reader is a protocol error, reported
	// after gorilla sent a 1002 Close frame whose reason is the message, cut
	// to fit a control frame.
	reason := strings.TrimPrefix(err.Error(), "websocket: ")
	if len(reason) > maxCloseReason {
		reason = reason[:maxCloseReason]
	}
	return readFailure{kind: protocolFailure, code: CloseProtocolError, reason: reason}
}
