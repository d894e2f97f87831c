// Package echoserver is a WebSocket echo server on loopback, for the
// examples and the tests. It is not part of the library: the library itself
// imports gorilla/websocket in one file only, and this package uses
// gorilla's server side to stand for "some other server".
//
// Every text and binary message is echoed back. With Options.Commands, a
// text message that starts with "cmd:" is a command instead (see
// [Server.handleCommand]), so that tests can make the server do what a
// hostile or failing server does.
package echoserver

import (
	"encoding/hex"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"

	gorilla "github.com/gorilla/websocket"
)

// Options shape the server.
type Options struct {
	// Commands turns on the "cmd:" messages.
	Commands bool
	// Subprotocols the server may choose from, in order of preference.
	Subprotocols []string
	// ForceSubprotocol, if set, is sent as the chosen subprotocol whatever
	// the client offered.
	ForceSubprotocol string
	// ResponseHeader is added to the 101 answer.
	ResponseHeader http.Header
	// RefuseStatus, if not zero, answers every handshake with this status,
	// RefuseHeader and the body "refused".
	RefuseStatus int
	RefuseHeader http.Header
	// IgnorePings makes the server never answer a Ping.
	IgnorePings bool
	// HoldHandshake, if not nil, makes the server read the request and wait
	// until the channel is closed before answering it.
	HoldHandshake chan struct{}
	// Compression accepts permessage-deflate when the client offers it
	// (gorilla's server side: no context takeover either way) and
	// compresses every echo.
	Compression bool
}

// Request is what the server saw of one opening handshake.
type Request struct {
	Header http.Header
	Host   string
	URI    string
}

// Server is a running echo server.
type Server struct {
	*httptest.Server
	opts     Options
	mu       sync.Mutex
	requests []Request
	conns    []*gorilla.Conn
}

// New starts a server on 127.0.0.1 with a random port. Call Close when done.
func New(opts Options) *Server {
	s := &Server{opts: opts}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// WSURL returns the ws:// URL of the server with path appended.
func (s *Server) WSURL(path string) string {
	return "ws" + strings.TrimPrefix(s.Server.URL, "http") + path
}

// Requests returns the handshakes seen so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Close stops the server and drops every connection.
func (s *Server) Close() {
	s.mu.Lock()
	for _, c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.Server.CloseClientConnections()
	s.Server.Close()
}

// Restart stops the server as a crashed or redeployed server stops — its
// listener closes and every connection drops without a Close frame — and
// starts it again on the same address. It is not safe to call concurrently
// with the other methods.
func (s *Server) Restart() error {
	addr := s.Listener.Addr().String()
	s.Close()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.conns = nil
	s.mu.Unlock()
	s.Server = &httptest.Server{Listener: ln, Config: &http.Server{Handler: http.HandlerFunc(s.serve)}}
	s.Server.Start()
	return nil
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests = append(s.requests, Request{Header: r.Header.Clone(), Host: r.Host, URI: r.RequestURI})
	s.mu.Unlock()
	if s.opts.HoldHandshake != nil {
		select {
		case <-s.opts.HoldHandshake:
		case <-r.Context().Done():
			return
		}
	}
	if s.opts.RefuseStatus != 0 {
		for k, v := range s.opts.RefuseHeader {
			w.Header()[k] = v
		}
		w.WriteHeader(s.opts.RefuseStatus)
		w.Write([]byte("refused"))
		return
	}
	up := gorilla.Upgrader{Subprotocols: s.opts.Subprotocols, CheckOrigin: func(*http.Request) bool { return true },
		EnableCompression: s.opts.Compression}
	h := s.opts.ResponseHeader.Clone()
	if s.opts.ForceSubprotocol != "" {
		if h == nil {
			h = http.Header{}
		}
		h.Set("Sec-WebSocket-Protocol", s.opts.ForceSubprotocol)
	}
	c, err := up.Upgrade(w, r, h)
	if err != nil {
		return
	}
	s.mu.Lock()
	s.conns = append(s.conns, c)
	s.mu.Unlock()
	defer c.Close()
	if s.opts.IgnorePings {
		c.SetPingHandler(func(string) error { return nil })
	}
	for {
		typ, p, err := c.ReadMessage()
		if err != nil {
			return
		}
		if s.opts.Commands && typ == gorilla.TextMessage && strings.HasPrefix(string(p), "cmd:") {
			if !s.handleCommand(c, strings.TrimPrefix(string(p), "cmd:")) {
				return
			}
			continue
		}
		if err := c.WriteMessage(typ, p); err != nil {
			return
		}
	}
}

// handleCommand runs one command and reports whether to keep reading:
//
//	close:CODE:REASON  send a Close frame, wait for the answer, return
//	closeempty         send a Close frame without payload
//	drop               close the TCP connection without a Close frame
//	raw:HEX            write the bytes as they are (a crafted frame)
//	text:N / bin:N     send a text / binary message of N bytes
//	ping:DATA          send a Ping with DATA
//	say:TEXT           send TEXT as a text message
//	silence            stop reading and writing (but keep the TCP connection)
func (s *Server) handleCommand(c *gorilla.Conn, cmd string) bool {
	name, arg, _ := strings.Cut(cmd, ":")
	deadline := time.Now().Add(5 * time.Second)
	switch name {
	case "close":
		codeText, reason, _ := strings.Cut(arg, ":")
		code, _ := strconv.Atoi(codeText)
		c.WriteControl(gorilla.CloseMessage, gorilla.FormatCloseMessage(code, reason), deadline)
		c.SetReadDeadline(deadline)
		for { // until the client's Close arrives
			if _, _, err := c.ReadMessage(); err != nil {
				return false
			}
		}
	case "closeempty":
		c.WriteControl(gorilla.CloseMessage, nil, deadline)
		c.SetReadDeadline(deadline)
		for {
			if _, _, err := c.ReadMessage(); err != nil {
				return false
			}
		}
	case "drop":
		if tc, ok := c.UnderlyingConn().(*net.TCPConn); ok {
			tc.SetLinger(0)
		}
		c.UnderlyingConn().Close()
		return false
	case "raw":
		b, err := hex.DecodeString(arg)
		if err == nil {
			c.UnderlyingConn().Write(b)
		}
	case "text", "bin":
		n, _ := strconv.Atoi(arg)
		p := make([]byte, n)
		for i := range p {
			p[i] = 'a' + byte(i%26)
		}
		typ := gorilla.TextMessage
		if name == "bin" {
			typ = gorilla.BinaryMessage
		}
		c.WriteMessage(typ, p)
	case "ping":
		c.WriteControl(gorilla.PingMessage, []byte(arg), deadline)
	case "say":
		c.WriteMessage(gorilla.TextMessage, []byte(arg))
	case "silence":
		buf := make([]byte, 1)
		c.UnderlyingConn().Read(buf) // blocks until the client gives up
		return false
	}
	return true
}
