// Package testproxy is an HTTP CONNECT proxy on loopback for tests, plain or
// over TLS (an HTTPS proxy). It records every request it was asked (the
// authority, the credentials and the header), can demand Basic
// credentials, can refuse with a chosen status, and can hang without
// answering. [SOCKS5] is the same for SOCKS5 (RFC 1928, RFC 1929). They
// stand for proxies in the package's own tests; the interop tests run real
// ones (tinyproxy, squid, dante, microsocks).
package testproxy

import (
	"bufio"
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
)

// Options shape the proxy.
type Options struct {
	// Username and Password, if Username is not empty, are required: a
	// request without them is answered 407.
	Username, Password string
	// Status, if not zero, answers every CONNECT with this status.
	Status int
	// Hang makes the proxy read the request and never answer.
	Hang bool
	// Upstream, if set, is the host:port every tunnel goes to, whatever
	// authority was asked: tests can ask for names that do not resolve
	// while all traffic stays on loopback.
	Upstream string
	// TLS, if set, makes the proxy an HTTPS proxy: clients reach it over
	// TLS with this server configuration.
	TLS *tls.Config
}

// Request is one CONNECT request the proxy saw.
type Request struct {
	// Authority is the host:port asked for.
	Authority string
	// Auth is the raw Proxy-Authorization header; User and Password are
	// decoded from it when it is Basic.
	Auth           string
	User, Password string
	// Header is the request's header.
	Header http.Header
}

// Proxy is a running proxy.
type Proxy struct {
	server
	opts Options
	// Asked receives each request as it arrives (buffered, 64).
	Asked chan Request
}

// New starts a proxy on 127.0.0.1 with a random port.
func New(opts Options) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	if opts.TLS != nil {
		ln = tls.NewListener(ln, opts.TLS)
	}
	p := &Proxy{opts: opts, Asked: make(chan Request, 64)}
	p.start(ln, p.serve)
	return p, nil
}

func (p *Proxy) serve(c net.Conn) {
	br := bufio.NewReader(c)
	req, err := http.ReadRequest(br)
	if err != nil {
		return
	}
	r := Request{Authority: req.Host, Auth: req.Header.Get("Proxy-Authorization"), Header: req.Header}
	if enc, ok := strings.CutPrefix(r.Auth, "Basic "); ok {
		if dec, err := base64.StdEncoding.DecodeString(enc); err == nil {
			r.User, r.Password, _ = strings.Cut(string(dec), ":")
		}
	}
	p.record(r)
	select {
	case p.Asked <- r:
	default:
	}
	switch {
	case p.opts.Hang:
		io.Copy(io.Discard, br) // until the client or Close drops the connection
		return
	case req.Method != http.MethodConnect:
		io.WriteString(c, "HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
		return
	case p.opts.Username != "" && (r.User != p.opts.Username || r.Password != p.opts.Password):
		io.WriteString(c, "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"test\"\r\nContent-Length: 0\r\n\r\n")
		return
	case p.opts.Status != 0:
		fmt.Fprintf(c, "HTTP/1.1 %d %s\r\nContent-Length: 0\r\n\r\n", p.opts.Status, http.StatusText(p.opts.Status))
		return
	}
	target := req.Host
	if p.opts.Upstream != "" {
		target = p.opts.Upstream
	}
	up, err := net.Dial("tcp", target)
	if err != nil {
		io.WriteString(c, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
		return
	}
	if !p.track(up) {
		up.Close()
		return
	}
	defer up.Close()
	io.WriteString(c, "HTTP/1.1 200 Connection established\r\n\r\n")
	done := make(chan struct{})
	go func() {
		io.Copy(up, br)
		up.(*net.TCPConn).CloseWrite()
		close(done)
	}()
	io.Copy(c, up)
	c.Close()
	<-done
}
