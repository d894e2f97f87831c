package testproxy

import (
	"encoding/binary"
	"errors"
	"io"
	"net"
	"strconv"
)

// SOCKS5Options shape a SOCKS5 proxy (RFC 1928, RFC 1929).
type SOCKS5Options struct {
	// Username and Password, if Username is not empty, are required: the
	// proxy selects username/password authentication and refuses other
	// credentials.
	Username, Password string
	// Reply, if not zero, answers every CONNECT with this reply code (for
	// example 5, connection refused).
	Reply byte
	// HangAt makes the proxy stop answering at a step: "auth" after
	// selecting the method, "connect" after reading the CONNECT request.
	HangAt string
	// Upstream, if set, is the host:port every connection goes to, whatever
	// was asked.
	Upstream string
}

// SOCKS5 is a running SOCKS5 proxy.
type SOCKS5 struct {
	server
	opts SOCKS5Options
	// Asked receives each CONNECT request as it arrives (buffered, 64).
	Asked chan Request
	// Hanging receives a value each time a connection reaches
	// SOCKS5Options.HangAt (buffered, 64).
	Hanging chan struct{}
}

// NewSOCKS5 starts a SOCKS5 proxy on 127.0.0.1 with a random port.
func NewSOCKS5(opts SOCKS5Options) (*SOCKS5, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &SOCKS5{opts: opts, Asked: make(chan Request, 64), Hanging: make(chan struct{}, 64)}
	p.start(ln, p.serve)
	return p, nil
}

var errSOCKS = errors.New("socks5: bad request")

func (p *SOCKS5) serve(c net.Conn) {
	// Greeting: VER NMETHODS METHODS.
	var b [2]byte
	if _, err := io.ReadFull(c, b[:]); err != nil || b[0] != 5 {
		return
	}
	methods := make([]byte, b[1])
	if _, err := io.ReadFull(c, methods); err != nil {
		return
	}
	var r Request
	want := byte(0) // no authentication
	if p.opts.Username != "" {
		want = 2 // username/password
	}
	found := false
	for _, m := range methods {
		found = found || m == want
	}
	if !found {
		c.Write([]byte{5, 0xff})
		return
	}
	c.Write([]byte{5, want})
	if p.opts.HangAt == "auth" {
		p.hang(c)
		return
	}
	if want == 2 {
		user, pass, err := readUserPass(c)
		if err != nil {
			return
		}
		r.User, r.Password = user, pass
		if user != p.opts.Username || pass != p.opts.Password {
			c.Write([]byte{1, 1})
			return
		}
		c.Write([]byte{1, 0})
	}
	// Request: VER CMD RSV ATYP DST.ADDR DST.PORT.
	target, err := readTarget(c)
	if err != nil {
		return
	}
	r.Authority = target
	p.record(r)
	select {
	case p.Asked <- r:
	default:
	}
	if p.opts.HangAt == "connect" {
		p.hang(c)
		return
	}
	reply := func(code byte) { c.Write([]byte{5, code, 0, 1, 0, 0, 0, 0, 0, 0}) }
	if p.opts.Reply != 0 {
		reply(p.opts.Reply)
		return
	}
	if p.opts.Upstream != "" {
		target = p.opts.Upstream
	}
	up, err := net.Dial("tcp", target)
	if err != nil {
		reply(5) // connection refused
		return
	}
	if !p.track(up) {
		up.Close()
		return
	}
	defer up.Close()
	reply(0)
	done := make(chan struct{})
	go func() {
		io.Copy(up, c)
		up.(*net.TCPConn).CloseWrite()
		close(done)
	}()
	io.Copy(c, up)
	c.Close()
	<-done
}

// hang reads and drops what the client sends until it closes.
func (p *SOCKS5) hang(c net.Conn) {
	select {
	case p.Hanging <- struct{}{}:
	default:
	}
	io.Copy(io.Discard, c)
}

func readUserPass(c net.Conn) (user, pass string, err error) {
	var b [2]byte
	if _, err := io.ReadFull(c, b[:]); err != nil || b[0] != 1 {
		return "", "", errSOCKS
	}
	u := make([]byte, b[1])
	if _, err := io.ReadFull(c, u); err != nil {
		return "", "", err
	}
	if _, err := io.ReadFull(c, b[:1]); err != nil {
		return "", "", err
	}
	pw := make([]byte, b[0])
	if _, err := io.ReadFull(c, pw); err != nil {
		return "", "", err
	}
	return string(u), string(pw), nil
}

func readTarget(c net.Conn) (string, error) {
	var h [4]byte
	if _, err := io.ReadFull(c, h[:]); err != nil || h[0] != 5 || h[1] != 1 {
		return "", errSOCKS
	}
	var host string
	switch h[3] {
	case 1, 4: // IPv4, IPv6
		ip := make(net.IP, 4)
		if h[3] == 4 {
			ip = make(net.IP, 16)
		}
		if _, err := io.ReadFull(c, ip); err != nil {
			return "", err
		}
		host = ip.String()
	case 3: // a name
		var n [1]byte
		if _, err := io.ReadFull(c, n[:]); err != nil {
			return "", err
		}
		name := make([]byte, n[0])
		if _, err := io.ReadFull(c, name); err != nil {
			return "", err
		}
		host = string(name)
	default:
		return "", errSOCKS
	}
	var port [2]byte
	if _, err := io.ReadFull(c, port[:]); err != nil {
		return "", err
	}
	return net.JoinHostPort(host, strconv.Itoa(int(binary.BigEndian.Uint16(port[:])))), nil
}
