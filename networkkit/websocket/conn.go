package websocket

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// session is one connection of a WebSocket, from Connect to its end. It runs
// two goroutines: run (the handshake, then the reader) and writeLoop (data,
// keep-alive pings and the Close frame). Fields marked "ws.mu" are guarded by
// the owning WebSocket's mutex.
type session struct {
	ws       *WebSocket
	cfg      *config
	tls      *tls.Config
	route    proxyRoute
	routeErr error
	connect  completion

	cancel context.CancelFunc // aborts the handshake

	sendq      chan *outgoing
	closeReq   chan struct{} // closed by beginClose once the connection is open
	pong       chan struct{} // a Pong arrived (capacity 1)
	done       chan struct{} // closed when the reader has stopped
	writerDone chan struct{}

	tr         *transport    // ws.mu; set when the handshake succeeded
	closing    *closeRequest // ws.mu; set once, by Close or by the client failing the connection
	closers    []completion  // ws.mu; Close calls waiting for the end
	failure    error         // ws.mu; why the client dropped the link (keep-alive)
	closeTimer *time.Timer   // ws.mu; drops the link when the closing handshake takes too long
}

// closeRequest is a Close frame the client sends.
type closeRequest struct {
	code   uint32
	reason string
	flush  bool  // write the queued messages first (Close), or drop them (failure)
	err    error // the error event's exception when the client fails the connection
}

// outgoing is one queued message.
type outgoing struct {
	text   string
	binary []byte
	isText bool
	done   completion
	state  atomic.Uint32 // outQueued, then outClaimed by whoever completes it
}

const (
	outQueued uint32 = iota
	outClaimed
)

// claim reports whether the caller is the one to complete m.
func (m *outgoing) claim() bool { return m.state.CompareAndSwap(outQueued, outClaimed) }

func newOutgoing(data MessageData, done completion) (*outgoing, error) {
	m := &outgoing{done: done}
	switch d := data.(type) {
	case nil:
		return m, newError(ErrParameter, nil, "send: data is nil")
	case StringData:
		if !utf8.ValidString(string(d)) {
			return m, newError(ErrParameter, nil, "send: text is not valid UTF-8; send it as ArrayData")
		}
		m.text, m.isText = string(d), true
	case ArrayData:
		m.binary = d
	default:
		panic(fmt.Sprintf("websocket: unexpected MessageData %T", d))
	}
	return m, nil
}

func newSession(ws *WebSocket, cfg *config, connect completion) (*session, error) {
	s := &session{
		ws:         ws,
		cfg:        cfg,
		connect:    connect,
		sendq:      make(chan *outgoing, cfg.opts.SendQueueSize),
		closeReq:   make(chan struct{}),
		pong:       make(chan struct{}, 1),
		done:       make(chan struct{}),
		writerDone: make(chan struct{}),
	}
	tc, err := tlsConfig(&cfg.opts) // read the files also for ws: a bad path is an error either way
	if err != nil {
		return nil, err
	}
	if cfg.url.Scheme == "wss" {
		tc.ServerName = cfg.url.Hostname()
		s.tls = tc
	}
	// The proxy is chosen now, so that nothing of the caller's options is
	// read after Connect returns.
	s.route, s.routeErr = resolveProxy(cfg.opts.Proxy, cfg.url)
	return s, nil
}

// errAborted is the cause reported to Connect when Close aborted it.
var errAborted = errors.New("websocket: the connection attempt was aborted by Close")

// run performs the handshake and then reads until the connection ends. ctx
// is the caller's context, hctx the handshake's own (cancelled by Close).
func (s *session) run(ctx, hctx context.Context) {
	ws := s.ws
	tr, resp, err := s.handshake(hctx)
	s.cancel()
	ws.mu.Lock()
	if err == nil && s.closing != nil { // Close won the race against the 101
		tr.close()
		err = errAborted
	}
	if err != nil {
		aborted := s.closing != nil
		closers := s.closers
		ws.sess, ws.state = nil, stateClosed
		ws.mu.Unlock()
		var report error // for the error event
		switch {
		case aborted:
			err = newError(ErrConnectionFailed, errAborted, "connect: aborted by Close")
		case ctx.Err() != nil:
			err = ctx.Err()
		default:
			err = newError(ErrConnectionFailed, err, "%s: %s", s.cfg.url.Redacted(), describe(err))
			report = err
		}
		ws.complete(s.connect, err)
		s.failQueued("the connection failed before the message was sent")
		if report != nil {
			ws.events.post(event{ev: evError, err: report})
		}
		for _, c := range closers {
			ws.complete(c, nil)
		}
		return
	}
	s.tr = tr
	ws.state = stateOpen
	ws.protocol = tr.subprotocol()
	ws.mu.Unlock()

	ws.events.post(event{ev: evHeaderReceive, headers: responseHeaders(resp.Header)})
	ws.complete(s.connect, nil)
	ws.events.post(event{ev: evOpen, open: map[uint32]string{uint32(resp.StatusCode): reasonPhrase(resp)}})
	go s.writeLoop()
	s.readLoop()
}

// handshake dials and performs the opening handshake, then checks what
// gorilla does not: the subprotocol and extensions the server chose.
func (s *session) handshake(ctx context.Context) (*transport, *http.Response, error) {
	if s.routeErr != nil {
		return nil, nil, s.routeErr
	}
	var stopWatch func() bool
	var dialer net.Dialer
	netDial := func(dctx context.Context, network, addr string) (net.Conn, error) {
		var c net.Conn
		var err error
		if s.route.addr == "" {
			c, err = dialer.DialContext(dctx, network, addr)
		} else {
			c, err = dialThroughProxy(dctx, &dialer, s.route, addr)
		}
		if err != nil {
			return nil, err
		}
		// gorilla bounds the handshake by its timeout only; a cancelled
		// context must also break a read that waits for the 101.
		stopWatch = context.AfterFunc(ctx, func() { c.SetDeadline(time.Unix(1, 0)) })
		if s.tls != nil {
			tc := tls.Client(c, s.tls)
			if err := tc.HandshakeContext(dctx); err != nil {
				c.Close()
				return nil, err
			}
			c = tc
		}
		return &wireGuard{Conn: c}, nil
	}
	tr, resp, err := dial(ctx, &dialConfig{
		url:              s.cfg.url.String(),
		header:           s.cfg.header,
		subprotocols:     s.cfg.subprotocols,
		handshakeTimeout: s.cfg.opts.HandshakeTimeout,
		netDial:          netDial,
		maxMessageSize:   s.cfg.maxMessageSize,
		onPong:           s.onPong,
	})
	if stopWatch != nil && !stopWatch() {
		if tr != nil {
			tr.close()
		}
		return nil, nil, ctx.Err()
	}
	if errors.Is(err, errBadHandshake) {
		return nil, nil, handshakeError(resp)
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		return nil, nil, err
	}
	if !resp.ProtoAtLeast(1, 1) {
		tr.close()
		return nil, nil, &HandshakeError{StatusCode: resp.StatusCode, Status: resp.Status, Header: resp.Header,
			Reason: "server answered with " + resp.Proto + "; the WebSocket handshake needs HTTP/1.1"}
	}
	if p := tr.subprotocol(); p != "" && !slices.Contains(s.cfg.subprotocols, p) {
		tr.close()
		return nil, nil, &HandshakeError{StatusCode: resp.StatusCode, Status: resp.Status, Header: resp.Header,
			Reason: fmt.Sprintf("server chose subprotocol %q, which was not offered", p)}
	}
	if ext := resp.Header.Get("Sec-WebSocket-Extensions"); ext != "" {
		tr.close()
		return nil, nil, &HandshakeError{StatusCode: resp.StatusCode, Status: resp.Status, Header: resp.Header,
			Reason: fmt.Sprintf("server enabled extension %q, which was not offered", ext)}
	}
	return tr, resp, nil
}

// handshakeError describes a refused handshake.
func handshakeError(resp *http.Response) error {
	e := &HandshakeError{StatusCode: resp.StatusCode, Status: resp.Status, Header: resp.Header}
	if resp.Body != nil {
		buf := make([]byte, 1024)
		n, _ := resp.Body.Read(buf)
		e.Body = buf[:n]
	}
	switch {
	case resp.StatusCode != http.StatusSwitchingProtocols:
		e.Reason = "server answered " + resp.Status + " instead of 101 Switching Protocols"
	case !strings.EqualFold(resp.Header.Get("Upgrade"), "websocket"):
		e.Reason = "101 answer without \"Upgrade: websocket\""
	case !headerHasToken(resp.Header, "Connection", "upgrade"):
		e.Reason = "101 answer without \"Connection: Upgrade\""
	default:
		e.Reason = "101 answer with a wrong Sec-WebSocket-Accept"
	}
	return e
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

// reasonPhrase returns the reason phrase of the status line ("Switching
// Protocols").
func reasonPhrase(resp *http.Response) string {
	_, phrase, _ := strings.Cut(resp.Status, " ")
	return phrase
}

// describe words a connection failure for the error message.
func describe(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout():
		return "the opening handshake timed out: " + err.Error()
	}
	return strings.TrimPrefix(err.Error(), "websocket: ")
}

// onPong runs on the reader goroutine for every Pong frame.
func (s *session) onPong() {
	select {
	case s.pong <- struct{}{}:
	default:
	}
}

// readLoop delivers messages until the connection ends, then finishes it.
func (s *session) readLoop() {
	var text utf8Validator
	for {
		kind, r, err := s.tr.nextMessage()
		if err != nil {
			s.finish(classifyReadError(err), err)
			return
		}
		p, valid := s.readPayload(kind, r, &text)
		if !valid {
			s.fail(CloseInvalidPayload, "invalid UTF-8 in text message", ErrInvalidUTF8)
			continue
		}
		if p == nil || s.failing() {
			continue // a read error (nextMessage reports it) or the client is failing the connection
		}
		if kind == textFrame {
			s.ws.events.post(event{ev: evMessage, msg: StringData(p)})
		} else {
			s.ws.events.post(event{ev: evMessage, msg: ArrayData(p)})
		}
	}
}

// readPayload reads one message. For text it checks UTF-8 as the pieces
// arrive and stops at the first invalid byte (valid false). It returns a
// nil slice if the message was cut short by a read error.
func (s *session) readPayload(kind frameKind, r io.Reader, text *utf8Validator) (p []byte, valid bool) {
	text.reset()
	p = make([]byte, 0, 512)
	for {
		if len(p) == cap(p) {
			p = append(p, 0)[:len(p)]
		}
		n, err := r.Read(p[len(p):cap(p)])
		if kind == textFrame && !text.write(p[len(p):len(p)+n]) {
			return nil, false
		}
		p = p[:len(p)+n]
		switch {
		case err == io.EOF:
			if kind == textFrame && !text.done() {
				return nil, false
			}
			return p, true
		case err != nil:
			return nil, true
		}
	}
}

// failing reports whether the client is failing the connection.
func (s *session) failing() bool {
	s.ws.mu.Lock()
	defer s.ws.mu.Unlock()
	return s.closing != nil && s.closing.err != nil
}

// fail starts a closing handshake with code because the server broke the
// rules; the error event will report cause.
func (s *session) fail(code uint32, reason string, cause error) {
	s.ws.mu.Lock()
	defer s.ws.mu.Unlock()
	if s.closing != nil {
		return
	}
	s.beginClose(&closeRequest{code: code, reason: reason,
		err: newError(ErrConnectionFailed, cause, "%s; closing with %d", strings.TrimPrefix(cause.Error(), "websocket: "), code)})
}

// beginClose records req and starts closing; ws.mu must be held.
func (s *session) beginClose(req *closeRequest) {
	s.closing = req
	s.ws.state = stateClosing
	if s.tr == nil { // still connecting: abort the handshake
		s.cancel()
		return
	}
	close(s.closeReq)
	tr := s.tr
	s.closeTimer = time.AfterFunc(s.cfg.opts.CloseTimeout, func() { tr.close() })
}

// writeLoop writes queued messages, keep-alive pings and the Close frame.
func (s *session) writeLoop() {
	defer close(s.writerDone)
	var pingTimer, pongTimer *time.Timer
	var pingC, pongC <-chan time.Time
	if s.cfg.pingInterval > 0 {
		pingTimer = time.NewTimer(s.cfg.pingInterval)
		defer pingTimer.Stop()
		pingC = pingTimer.C
	}
	if s.cfg.pongTimeout > 0 {
		pongTimer = time.NewTimer(time.Hour)
		pongTimer.Stop()
		defer pongTimer.Stop()
	}
	for {
		select {
		case m := <-s.sendq:
			s.write(m)
		case <-s.closeReq:
			s.writeClose()
			<-s.done
			return
		case <-pingC:
			if err := s.tr.writePing(time.Now().Add(s.cfg.opts.CloseTimeout)); err != nil {
				<-s.done // the reader sees the broken link too
				return
			}
			if pongTimer != nil {
				pongTimer.Reset(s.cfg.pongTimeout)
				pongC = pongTimer.C
			} else {
				pingTimer.Reset(s.cfg.pingInterval)
			}
		case <-s.pong:
			if pingTimer != nil {
				pingTimer.Reset(s.cfg.pingInterval)
			}
			if pongTimer != nil {
				pongTimer.Stop()
				pongC = nil
			}
		case <-pongC:
			s.ws.mu.Lock()
			s.failure = newError(ErrConnectionFailed, ErrPongTimeout, "no pong within %v of a keep-alive ping; the link is down", s.cfg.pongTimeout)
			s.ws.mu.Unlock()
			s.tr.close()
			<-s.done
			return
		case <-s.done:
			return
		}
	}
}

// write sends one queued message unless SendContext withdrew it.
func (s *session) write(m *outgoing) {
	if !m.claim() {
		return
	}
	var err error
	if m.isText {
		err = s.tr.writeText(m.text)
	} else {
		err = s.tr.writeBinary(m.binary)
	}
	if err != nil {
		err = newError(ErrConnectionNotExist, fmt.Errorf("%w: %w", net.ErrClosed, err), "send: the connection broke while sending")
	}
	s.ws.complete(m.done, err)
}

// writeClose writes the queued messages (for Close) and the Close frame.
func (s *session) writeClose() {
	s.ws.mu.Lock()
	req := s.closing
	s.ws.mu.Unlock()
	if req.flush {
		for {
			select {
			case m := <-s.sendq:
				s.write(m)
				continue
			default:
			}
			break
		}
	}
	s.tr.writeClose(req.code, req.reason, time.Now().Add(s.cfg.opts.CloseTimeout))
}

// finish ends the connection after the reader stopped with err, and reports
// the end: pending sends, Close callbacks, the error event if any, then the
// close event.
func (s *session) finish(rf readFailure, err error) {
	ws := s.ws
	if rf.mustClose {
		s.tr.writeClose(rf.code, rf.reason, time.Now().Add(time.Second))
	}
	s.tr.close()
	close(s.done)
	<-s.writerDone

	ws.mu.Lock()
	req, failure, closers := s.closing, s.failure, s.closers
	if s.closeTimer != nil {
		s.closeTimer.Stop()
	}
	ws.sess, ws.state = nil, stateClosed
	ws.mu.Unlock()

	var report error // for the error event
	var res CloseResult
	switch {
	case failure != nil:
		report, res = failure, CloseResult{Code: CloseAbnormalClosure, Reason: linkDownReason}
	case req != nil:
		report, res = req.err, CloseResult{Code: req.code, Reason: req.reason}
	case rf.kind == peerClosed:
		res = CloseResult{Code: rf.code, Reason: rf.reason}
	case rf.kind == protocolFailure:
		report = newError(ErrConnectionFailed, fmt.Errorf("%w: %s", ErrProtocol, rf.reason), "the server broke the protocol (%s); closed with 1002", rf.reason)
		res = CloseResult{Code: CloseProtocolError, Reason: rf.reason}
	case rf.kind == tooBig:
		report = newError(ErrConnectionFailed, ErrMessageTooBig, "a message exceeded the maximum size of %d bytes; closed with 1009", s.cfg.maxMessageSize)
		res = CloseResult{Code: CloseMessageTooBig}
	default:
		report = newError(ErrConnectionFailed, fmt.Errorf("%w: %w", ErrLinkDown, err), "the link is down: %s", strings.TrimPrefix(err.Error(), "websocket: "))
		res = CloseResult{Code: CloseAbnormalClosure, Reason: linkDownReason}
	}
	s.failQueued("the connection closed before the message was sent")
	for _, c := range closers {
		ws.complete(c, nil)
	}
	if report != nil {
		ws.events.post(event{ev: evError, err: report})
	}
	ws.events.post(event{ev: evClose, close: res})
}

// linkDownReason is the close reason when the link dropped without a Close
// frame (the platform's wording).
const linkDownReason = "The link is down"

// failQueued completes every message still queued with error 2302006.
func (s *session) failQueued(why string) {
	for {
		select {
		case m := <-s.sendq:
			if m.claim() {
				s.ws.complete(m.done, newError(ErrConnectionNotExist, net.ErrClosed, "send: %s", why))
			}
		default:
			return
		}
	}
}
