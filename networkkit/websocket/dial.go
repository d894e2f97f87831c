package websocket

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// errAborted is the cause reported to Connect when Close aborted it.
var errAborted = errors.New("websocket: the connection attempt was aborted by Close")

// dial is the dialer goroutine: it performs the handshake and then opens
// the connection (or reports why it could not). ctx is the caller's
// context, hctx the handshake's own (cancelled by Close too).
func (s *session) dial(ctx, hctx context.Context) {
	ws := s.ws
	w, resp, params, err := s.handshake(hctx)
	ws.mu.Lock()
	s.cancel() // under ws.mu, like every use of s.cancel (beginClose calls it too)
	s.cancel = nil
	if err == nil && s.closing != nil { // Close won the race against the 101
		w.Close()
		err = errAborted
	}
	if err != nil {
		s.failed(ctx, err)
		return
	}
	w.startFrames()
	w.beforeWait = s.flushCoalesced
	s.w = w
	if params.on {
		s.deflate = newDeflater(params, s.cfg.compressionLevel, s.cfg.compressionThreshold)
		s.inflate = newInflater(params)
	}
	ws.extensions = params.answer
	if s.cfg.reconnect == nil { // let go of what only connecting needed
		s.cfg.url, s.cfg.header, s.cfg.subprotocols, s.tls = nil, nil, nil, nil
	}
	ws.state, ws.lastClose = stateOpen, nil
	ws.protocol = resp.Header.Get("Sec-WebSocket-Protocol")
	status, phrase := uint32(resp.StatusCode), reasonPhrase(resp)
	claimed := ws.events.pushClaim(event{ev: evHeaderReceive, data: responseHeaders(resp.Header)})
	claimed = ws.completeLocked(s.connect, nil) || claimed
	claimed = ws.events.pushClaim(event{ev: evOpen, data: map[uint32]string{status: phrase}}) || claimed
	// openInfo follows open at once, as on the platform (API 26).
	claimed = ws.events.pushClaim(event{ev: evOpenInfo, data: OpenInfo{Status: status, Message: phrase, Protocol: ws.protocol}}) || claimed
	s.startKeepAlive()
	s.kick() // the messages sent while connecting
	ws.mu.Unlock()

	// The reader runs on a fresh goroutine: the handshake's deep stack
	// (TLS, HTTP) is not kept for the life of the connection. It finds the
	// callbacks' role taken, so its messages queue behind the open events.
	go s.readLoop(0)
	if claimed {
		ws.events.run(-1)
	}
}

// failed reports a handshake that did not open the connection; ws.mu must
// be held, and failed releases it.
func (s *session) failed(ctx context.Context, err error) {
	ws := s.ws
	aborted := s.closing != nil
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
	s.ended = true
	if s.attempt > 0 && !aborted { // a reconnect attempt: try again, or give up
		claimed := s.attemptFailed(err)
		ws.mu.Unlock()
		if claimed {
			ws.events.run(-1)
		}
		return
	}
	claimed := ws.completeLocked(s.connect, err)
	queue := s.queue
	s.queue = fifo[outgoing]{}
	claimed = s.failQueued(&queue, newError(ErrConnectionNotExist, net.ErrClosed, "send: the connection failed before the message was sent")) || claimed
	if report != nil {
		claimed = ws.events.pushClaim(event{ev: evError, err: report}) || claimed
	}
	for _, c := range s.closers {
		claimed = ws.completeLocked(c, nil) || claimed
	}
	ws.sess, ws.state = nil, stateClosed
	ws.mu.Unlock()
	ws.events.connectionEnded()
	if claimed {
		ws.events.run(-1)
	}
}

// handshake dials and performs the opening handshake, then checks what
// gorilla does not: the HTTP version, and the subprotocol and extensions
// the server chose. Cancelling ctx aborts it at whatever step it is.
func (s *session) handshake(ctx context.Context) (*wire, *http.Response, deflateParams, error) {
	var none deflateParams
	cfg := s.cfg
	route, err := resolveProxy(cfg.proxy, cfg.url)
	if err != nil {
		return nil, nil, none, err
	}
	if route.addr != "" && !route.socks {
		if route.username.IsPresent() && hasField(cfg.proxyHeader, "proxy-authorization") {
			// An explicit proxy with both was refused at Connect (401).
			return nil, nil, none, errors.New("the proxy URL from the environment has credentials and ProxyConnectHeader has Proxy-Authorization; use one")
		}
		route.header = cfg.proxyHeader
		if route.useTLS {
			route.tls = proxyTLS(cfg.proxyTLS, route.addr)
		}
	}
	var tc *tls.Config
	if cfg.url.Scheme == "wss" {
		tc = s.tls // this connection's own: setting a field is safe
		if tc.ServerName == "" {
			tc.ServerName = cfg.url.Hostname()
		}
	}
	dial := cfg.dialFunc()
	var w *wire
	var stopWatch func() bool
	netDial := func(dctx context.Context, network, addr string) (net.Conn, error) {
		var c net.Conn
		var err error
		switch {
		case route.addr == "":
			c, err = dial(dctx, network, addr)
		case route.socks:
			c, err = dialSOCKS5(dctx, dial, route, addr)
		default:
			c, err = dialThroughProxy(dctx, dial, route, addr)
		}
		if err != nil {
			return nil, err
		}
		raw := c
		if tc != nil {
			tlsConn := tls.Client(c, tc)
			if err := tlsConn.HandshakeContext(dctx); err != nil {
				c.Close()
				return nil, err
			}
			c = tlsConn
		}
		w = newWire(c, cfg.writeTimeout)
		w.raw = raw
		w.head.takeExtensions = true
		// The abort must win over every deadline the handshake code sets
		// from here on (see wire.SetDeadline).
		stopWatch = context.AfterFunc(ctx, w.abort)
		return w, nil
	}
	header := cfg.header
	if cfg.origin != "" || cfg.jar != nil {
		header = header.Clone()
	}
	if cfg.origin != "" {
		header["Origin"] = []string{cfg.origin}
	}
	var jarURL *url.URL
	if cfg.jar != nil {
		jarURL = cookieURL(cfg.url)
		addCookies(header, cfg.jar.Cookies(jarURL))
	}
	start := time.Now()
	resp, protocol, err := handshake(ctx, &handshakeConfig{
		url:              cfg.url.String(),
		header:           header,
		subprotocols:     cfg.subprotocols,
		extensions:       extensionOffer(cfg.compression),
		handshakeTimeout: cfg.handshakeTimeout,
		netDial:          netDial,
	})
	if resp != nil && cfg.jar != nil { // a 101 or a refusal: its cookies count
		if rc := resp.Cookies(); len(rc) > 0 {
			cfg.jar.SetCookies(jarURL, rc)
		}
	}
	if stopWatch != nil && !stopWatch() { // aborted
		w.Close()
		return nil, nil, none, ctx.Err()
	}
	if err != nil && w != nil {
		w.Close()
	}
	if errors.Is(err, errBadHandshake) {
		return nil, nil, none, handshakeError(resp)
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil, none, ctx.Err()
		}
		if errors.Is(err, errHeaderTooLarge) {
			return nil, nil, none, err
		}
		if timeout := cfg.handshakeTimeout; time.Since(start) >= timeout {
			// The deadline can cut a line of the answer, which the HTTP
			// reader then reports as malformed: say what happened.
			return nil, nil, none, &handshakeTimeout{after: timeout, cause: err}
		}
		return nil, nil, none, err
	}
	// The extensions the guard kept from gorilla belong to the answer.
	if len(w.head.extensions) > 0 {
		resp.Header["Sec-Websocket-Extensions"] = w.head.extensions
	}
	refuse := func(reason string) (*wire, *http.Response, deflateParams, error) {
		w.Close()
		return nil, nil, none, &HandshakeError{StatusCode: resp.StatusCode, Status: resp.Status, Header: resp.Header, Reason: reason}
	}
	if !resp.ProtoAtLeast(1, 1) {
		return refuse("server answered with " + resp.Proto + "; the WebSocket handshake needs HTTP/1.1")
	}
	if protocol != "" && !slices.Contains(cfg.subprotocols, protocol) {
		return refuse(fmt.Sprintf("server chose subprotocol %q, which was not offered", protocol))
	}
	params, err := negotiate(cfg.compression, w.head.extensions)
	if err != nil {
		return refuse(strings.TrimPrefix(err.Error(), "websocket: "))
	}
	return w, resp, params, nil
}

// cookieURL is the URL a cookie jar sees for a WebSocket URL: ws as http,
// wss as https (RFC 6455 §4.1 sends cookies as for the http(s) URL).
func cookieURL(u *url.URL) *url.URL {
	c := *u
	c.Scheme = "http"
	if u.Scheme == "wss" {
		c.Scheme = "https"
	}
	return &c
}

// addCookies appends cookies to the Cookie field of h (one field, as RFC
// 6265 §5.4 requires), after any value it holds.
func addCookies(h http.Header, cookies []*http.Cookie) {
	if len(cookies) == 0 {
		return
	}
	r := http.Request{Header: h}
	for _, c := range cookies {
		r.AddCookie(c)
	}
}

// dialFunc returns how the connection (to the server or the proxy) is
// opened: RequestOptions.DialContext, or a net.Dialer. The caller's function
// is not trusted to honour ctx: when ctx ends first, the dial is abandoned
// (a connection it returns later is closed), so that Close and cancelling
// ConnectContext never wait for it.
func (c *config) dialFunc() func(ctx context.Context, network, addr string) (net.Conn, error) {
	if c.dial == nil {
		var d net.Dialer
		return d.DialContext
	}
	user := c.dial
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		type result struct {
			c   net.Conn
			err error
		}
		done := make(chan result, 1)
		go func() {
			conn, err := user(ctx, network, addr)
			done <- result{conn, err}
		}()
		select {
		case r := <-done:
			switch {
			case r.err != nil:
				if r.c != nil {
					r.c.Close()
				}
				return nil, r.err
			case r.c == nil:
				return nil, errors.New("RequestOptions.DialContext returned neither a connection nor an error")
			}
			return r.c, nil
		case <-ctx.Done():
			go func() {
				if r := <-done; r.c != nil {
					r.c.Close()
				}
			}()
			return nil, ctx.Err()
		}
	}
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
