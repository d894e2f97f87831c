package websocket

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// session is one connection of a WebSocket, from Connect to its end.
//
// Its goroutines: run does the handshake, then a reader goroutine reads
// frames until the end (read.go); a writer goroutine exists only while queued messages wait
// (SendContext writes on the caller's goroutine when nothing is queued);
// keep-alive runs on timers. An idle open connection has one goroutine, the
// reader. Fields marked "ws.mu" are guarded by the owning WebSocket's
// mutex.
type session struct {
	ws       *WebSocket
	cfg      *config
	tls      *tls.Config // nil for ws
	route    proxyRoute
	routeErr error
	connect  completion

	cancel context.CancelFunc // aborts the handshake

	w *wire // set (under ws.mu) when the handshake succeeded; read freely after that

	queue      sendQueue // ws.mu; messages (and a client Close) waiting to be written
	writing    bool      // ws.mu; a goroutine owns the writing of the queue
	ended      bool      // ws.mu; finish has begun: no new writer may start
	writers    sync.WaitGroup
	closing    *closeRequest // ws.mu; set once, by Close
	closers    []completion  // ws.mu; Close calls waiting for the end
	failure    error         // ws.mu; why the client dropped the link (keep-alive)
	closeTimer *time.Timer   // ws.mu; drops the link when the closing handshake takes too long

	km        sync.Mutex // keep-alive
	pingTimer *time.Timer
	pongTimer *time.Timer
	kaStopped bool
}

// closeRequest is the Close frame of a client Close.
type closeRequest struct {
	code   uint32
	reason string
}

// outgoing is one queued message, or (isClose) the client's Close frame.
type outgoing struct {
	text    string
	binary  []byte
	isText  bool
	isClose bool
	done    completion
	ticket  *sendTicket // SendContext only: lets a cancelled caller withdraw the message
}

// sendTicket decides who completes a SendContext message: the writer, or
// the caller that gave up waiting.
type sendTicket struct{ state atomic.Bool }

// claim reports whether the caller is the one to complete the message.
func (t *sendTicket) claim() bool { return t == nil || t.state.CompareAndSwap(false, true) }

func newOutgoing(data MessageData, done completion) (outgoing, error) {
	m := outgoing{done: done}
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

// sendQueue is a FIFO of outgoing messages that grows on demand and lets
// its storage go when it empties, so idle connections hold none.
type sendQueue struct {
	buf  []outgoing
	head int
	n    int
}

func (q *sendQueue) len() int { return q.n }

func (q *sendQueue) push(m outgoing) {
	if q.n == len(q.buf) {
		next := make([]outgoing, max(8, 2*len(q.buf)))
		for i := 0; i < q.n; i++ {
			next[i] = q.buf[(q.head+i)%len(q.buf)]
		}
		q.buf, q.head = next, 0
	}
	q.buf[(q.head+q.n)%len(q.buf)] = m
	q.n++
}

func (q *sendQueue) peek() (outgoing, bool) {
	if q.n == 0 {
		return outgoing{}, false
	}
	return q.buf[q.head], true
}

func (q *sendQueue) pop() (outgoing, bool) {
	if q.n == 0 {
		return outgoing{}, false
	}
	m := q.buf[q.head]
	q.buf[q.head] = outgoing{}
	q.head = (q.head + 1) % len(q.buf)
	q.n--
	if q.n == 0 {
		q.head = 0
		if len(q.buf) > 64 {
			q.buf = nil
		}
	}
	return m, true
}

func newSession(ws *WebSocket, cfg *config, connect completion) (*session, error) {
	s := &session{ws: ws, cfg: cfg, connect: connect}
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
	w, resp, err := s.handshake(hctx)
	ws.mu.Lock()
	s.cancel()                          // under ws.mu, like every use of s.cancel (beginClose calls it too)
	if err == nil && s.closing != nil { // Close won the race against the 101
		w.Close()
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
	w.startFrames()
	s.w = w
	// Let go of what only connecting needed.
	s.cancel = nil
	s.cfg.header, s.cfg.subprotocols, s.tls = nil, nil, nil
	ws.state = stateOpen
	ws.protocol = resp.Header.Get("Sec-WebSocket-Protocol")
	ws.events.post(event{ev: evHeaderReceive, headers: responseHeaders(resp.Header)})
	ws.complete(s.connect, nil)
	ws.events.post(event{ev: evOpen, open: map[uint32]string{uint32(resp.StatusCode): reasonPhrase(resp)}})
	s.startWriter() // the messages sent while connecting
	ws.mu.Unlock()

	s.startKeepAlive()
	// The reader runs on a fresh goroutine: the handshake's deep stack
	// (TLS, HTTP) is not kept for the life of the connection.
	go func() { s.finish(s.receive()) }()
}

// handshake dials and performs the opening handshake, then checks what
// gorilla does not: the HTTP version, and the subprotocol and extensions
// the server chose.
func (s *session) handshake(ctx context.Context) (*wire, *http.Response, error) {
	if s.routeErr != nil {
		return nil, nil, s.routeErr
	}
	var w *wire
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
		w = newWire(c)
		return w, nil
	}
	start := time.Now()
	resp, protocol, err := handshake(ctx, &handshakeConfig{
		url:              s.cfg.url.String(),
		header:           s.cfg.header,
		subprotocols:     s.cfg.subprotocols,
		handshakeTimeout: s.cfg.opts.HandshakeTimeout,
		netDial:          netDial,
	})
	if stopWatch != nil && !stopWatch() {
		if err == nil {
			w.Close()
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
		if timeout := s.cfg.opts.HandshakeTimeout; time.Since(start) >= timeout {
			// The deadline can cut a line of the answer, which the HTTP
			// reader then reports as malformed: say what happened.
			return nil, nil, &handshakeTimeout{after: timeout, cause: err}
		}
		return nil, nil, err
	}
	refuse := func(reason string) (*wire, *http.Response, error) {
		w.Close()
		return nil, nil, &HandshakeError{StatusCode: resp.StatusCode, Status: resp.Status, Header: resp.Header, Reason: reason}
	}
	if !resp.ProtoAtLeast(1, 1) {
		return refuse("server answered with " + resp.Proto + "; the WebSocket handshake needs HTTP/1.1")
	}
	if protocol != "" && !slices.Contains(s.cfg.subprotocols, protocol) {
		return refuse(fmt.Sprintf("server chose subprotocol %q, which was not offered", protocol))
	}
	if ext := resp.Header.Get("Sec-WebSocket-Extensions"); ext != "" {
		return refuse(fmt.Sprintf("server enabled extension %q, which was not offered", ext))
	}
	return w, resp, nil
}

// handshakeError describes a refused handshake.
func handshakeError(resp *http.Response) error {
	e := &HandshakeError{StatusCode: resp.StatusCode, Status: resp.Status, Header: resp.Header}
	if resp.Body != nil {
		buf := make([]byte, 1024)
		n, _ := resp.Body.Read(buf)
		e.Body = buf[:n]
	}
	switch ext := resp.Header.Get("Sec-WebSocket-Extensions"); {
	case resp.StatusCode != http.StatusSwitchingProtocols:
		e.Reason = "server answered " + resp.Status + " instead of 101 Switching Protocols"
	case ext != "":
		e.Reason = fmt.Sprintf("server enabled extension %q, which was not offered", ext)
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

// handshakeTimeout is the cause of a handshake that ran out of
// HandshakeTimeout, whatever the read it cut reported. It is a net.Error
// whose Timeout is true, and it matches context.DeadlineExceeded.
type handshakeTimeout struct {
	after time.Duration
	cause error
}

func (e *handshakeTimeout) Error() string {
	return fmt.Sprintf("the opening handshake timed out after %v (%v)", e.after, e.cause)
}
func (e *handshakeTimeout) Timeout() bool   { return true }
func (e *handshakeTimeout) Temporary() bool { return false }
func (e *handshakeTimeout) Unwrap() []error { return []error{context.DeadlineExceeded, e.cause} }

// describe words a connection failure for the error message.
func describe(err error) string {
	var ht *handshakeTimeout
	var ne net.Error
	switch {
	case errors.As(err, &ht):
		return ht.Error()
	case errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout():
		return "the opening handshake timed out: " + err.Error()
	}
	return strings.TrimPrefix(err.Error(), "websocket: ")
}

// startWriter starts a goroutine writing the queue, if there is something
// to write and nobody is writing; ws.mu must be held.
func (s *session) startWriter() {
	if s.writing || s.ended || s.queue.len() == 0 || s.w == nil {
		return
	}
	s.writing = true
	s.writers.Add(1)
	go s.drain()
}

// maxBatch is how many small queued messages one write may carry.
const maxBatch = 64

// drain writes queued messages until the queue is empty. Runs of small
// messages are written together, one frame each, in one write.
func (s *session) drain() {
	defer s.writers.Done()
	ws := s.ws
	var batch [maxBatch]outgoing
	var frames [maxBatch]frameOut
	for {
		ws.mu.Lock()
		n := 0
		for n < maxBatch {
			m, ok := s.queue.peek()
			if !ok || m.isClose || !batchable(len(m.text)+len(m.binary)) || (n > 0 && m.ticket != nil) {
				break
			}
			batch[n], _ = s.queue.pop()
			n++
		}
		var single outgoing
		ok := true
		if n == 0 {
			single, ok = s.queue.pop()
		}
		if !ok {
			s.writing = false
			ws.mu.Unlock()
			return
		}
		ws.mu.Unlock()
		if n <= 1 {
			if n == 1 {
				single = batch[0]
			}
			s.write(single)
			continue
		}
		for i := range n {
			m := &batch[i]
			frames[i] = frameOut{op: opBinary, data: m.binary}
			if m.isText {
				frames[i] = frameOut{op: opText, text: m.text}
			}
		}
		err := s.w.writeFrames(frames[:n])
		if err != nil {
			err = newError(ErrConnectionNotExist, fmt.Errorf("%w: %w", net.ErrClosed, err), "send: the connection broke while sending")
		}
		for i := range n {
			ws.complete(batch[i].done, err)
			batch[i], frames[i] = outgoing{}, frameOut{}
		}
	}
}

// writeNow writes m on the caller's goroutine if nothing is queued or being
// written, and reports whether it did; otherwise the caller queues m.
// ws.mu must be held; writeNow releases it.
func (s *session) writeNow(m outgoing) bool {
	ws := s.ws
	if s.writing || s.ended || s.queue.len() > 0 || s.w == nil || ws.state != stateOpen {
		return false
	}
	s.writing = true
	s.writers.Add(1)
	ws.mu.Unlock()
	s.write(m)
	ws.mu.Lock()
	s.writing = false
	if s.queue.len() > 0 && !s.ended { // queued meanwhile: hand over to a writer goroutine
		s.writing = true
		s.writers.Add(1)
		go s.drain()
	}
	s.writers.Done()
	return true
}

// write writes one queued item unless SendContext withdrew it.
func (s *session) write(m outgoing) {
	if m.isClose {
		s.ws.mu.Lock()
		req := s.closing
		s.ws.mu.Unlock()
		s.w.writeClose(req.code, req.reason, time.Now().Add(s.cfg.opts.CloseTimeout))
		return
	}
	if !m.ticket.claim() {
		return
	}
	var err error
	if m.isText {
		err = s.w.writeFrame(opText, m.text, nil, time.Time{})
	} else {
		err = s.w.writeFrame(opBinary, "", m.binary, time.Time{})
	}
	if err != nil {
		err = newError(ErrConnectionNotExist, fmt.Errorf("%w: %w", net.ErrClosed, err), "send: the connection broke while sending")
	}
	s.ws.complete(m.done, err)
}

// beginClose starts the client's closing handshake; ws.mu must be held.
// The Close frame is written after the messages already queued, and the
// link is dropped if the server has not closed it within CloseTimeout.
func (s *session) beginClose(req *closeRequest) {
	s.closing = req
	s.ws.state = stateClosing
	if s.w == nil { // still connecting: abort the handshake
		s.cancel()
		return
	}
	s.stopKeepAlive()
	s.queue.push(outgoing{isClose: true})
	s.startWriter()
	s.closeTimer = time.AfterFunc(s.cfg.opts.CloseTimeout, s.dropLink)
}

// dropLink closes the connection at once; the reader then ends it.
func (s *session) dropLink() { s.w.Close() }

// startKeepAlive arms the first keep-alive ping.
func (s *session) startKeepAlive() {
	if s.cfg.pingInterval <= 0 {
		return
	}
	s.km.Lock()
	defer s.km.Unlock()
	if !s.kaStopped {
		s.pingTimer = time.AfterFunc(s.cfg.pingInterval, s.ping)
	}
}

// ping sends a keep-alive Ping. Its Pong is awaited from before the write,
// since the Pong can arrive before the write returns.
func (s *session) ping() {
	s.km.Lock()
	switch {
	case s.kaStopped:
		s.km.Unlock()
		return
	case s.cfg.pongTimeout > 0:
		s.pongTimer = time.AfterFunc(s.cfg.pongTimeout, s.pongMissed)
	default:
		s.pingTimer.Reset(s.cfg.pingInterval)
	}
	s.km.Unlock()
	s.w.writeFrame(opPing, "", nil, time.Now().Add(s.cfg.opts.CloseTimeout)) // a failed write shows on the reader
}

// onPong runs on the reader goroutine for every Pong frame: the link is
// confirmed, and the next Ping is due a full interval later.
func (s *session) onPong() {
	s.km.Lock()
	defer s.km.Unlock()
	if s.pingTimer == nil || s.kaStopped {
		return
	}
	if s.pongTimer != nil {
		s.pongTimer.Stop()
		s.pongTimer = nil
	}
	s.pingTimer.Reset(s.cfg.pingInterval)
}

// pongMissed fails the link: no Pong came in time.
func (s *session) pongMissed() {
	s.ws.mu.Lock()
	s.failure = newError(ErrConnectionFailed, ErrPongTimeout, "no pong within %v of a keep-alive ping; the link is down", s.cfg.pongTimeout)
	s.ws.mu.Unlock()
	s.w.Close()
}

func (s *session) stopKeepAlive() {
	s.km.Lock()
	defer s.km.Unlock()
	s.kaStopped = true
	if s.pingTimer != nil {
		s.pingTimer.Stop()
	}
	if s.pongTimer != nil {
		s.pongTimer.Stop()
	}
}

// finish ends the connection after the reader stopped, and reports the end:
// pending sends, Close callbacks, the error event if any, then the close
// event.
func (s *session) finish(rf readFailure) {
	ws := s.ws
	ws.mu.Lock()
	s.ended = true // from here on no writer starts, so waiting for them is sound
	ws.mu.Unlock()
	if rf.mustClose {
		s.w.writeCloseNow(rf.code, rf.reason)
	}
	s.w.Close()
	s.stopKeepAlive()
	s.writers.Wait() // their writes fail fast on the closed connection

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
		res = CloseResult{Code: req.code, Reason: req.reason}
	case rf.kind == peerClosed:
		res = CloseResult{Code: rf.code, Reason: rf.reason}
	case rf.kind == protocolFailure:
		report = newError(ErrConnectionFailed, fmt.Errorf("%w: %s", ErrProtocol, rf.reason), "the server broke the protocol (%s); closed with 1002", rf.reason)
		res = CloseResult{Code: CloseProtocolError, Reason: rf.reason}
	case rf.kind == invalidData:
		report = newError(ErrConnectionFailed, ErrInvalidUTF8, "%s; closed with 1007", rf.reason)
		res = CloseResult{Code: CloseInvalidPayload, Reason: rf.reason}
	case rf.kind == tooBig:
		report = newError(ErrConnectionFailed, ErrMessageTooBig, "a message exceeded the maximum size of %d bytes; closed with 1009", s.cfg.maxMessageSize)
		res = CloseResult{Code: CloseMessageTooBig, Reason: rf.reason}
	default:
		report = newError(ErrConnectionFailed, fmt.Errorf("%w: %w", ErrLinkDown, rf.err), "the link is down: %v", rf.err)
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
	s.ws.mu.Lock()
	q := s.queue
	s.queue = sendQueue{}
	s.ws.mu.Unlock()
	for {
		m, ok := q.pop()
		if !ok {
			return
		}
		if !m.isClose && m.ticket.claim() {
			s.ws.complete(m.done, newError(ErrConnectionNotExist, net.ErrClosed, "send: %s", why))
		}
	}
}
