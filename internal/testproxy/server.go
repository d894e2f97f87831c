package testproxy

import (
	"net"
	"sync"
)

// server is what both proxies share: the listener, the connections being
// served (closed by Close), the requests recorded, and the goroutines.
type server struct {
	ln    net.Listener
	mu    sync.Mutex
	reqs  []Request
	conns map[net.Conn]struct{}
	wg    sync.WaitGroup
}

// start serves every connection ln accepts with serve, each on its own
// goroutine, until Close.
func (p *server) start(ln net.Listener, serve func(net.Conn)) {
	p.ln, p.conns = ln, map[net.Conn]struct{}{}
	p.wg.Add(1)
	go p.accept(serve)
}

// Addr returns the proxy's host:port.
func (p *server) Addr() string { return p.ln.Addr().String() }

// Requests returns the requests so far: Authority is the address asked for
// (a host name stays a name), User and Password the credentials.
func (p *server) Requests() []Request {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Request(nil), p.reqs...)
}

// Close stops the proxy and every connection, and waits for its goroutines.
func (p *server) Close() {
	p.ln.Close()
	p.mu.Lock()
	for c := range p.conns {
		c.Close()
	}
	p.conns = nil
	p.mu.Unlock()
	p.wg.Wait()
}

// record adds r to the requests.
func (p *server) record(r Request) {
	p.mu.Lock()
	p.reqs = append(p.reqs, r)
	p.mu.Unlock()
}

func (p *server) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.conns == nil {
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

func (p *server) accept(serve func(net.Conn)) {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		if !p.track(c) {
			c.Close()
			return
		}
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			defer c.Close()
			serve(c)
		}()
	}
}
