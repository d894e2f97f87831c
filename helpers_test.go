package ohos_test

// Servers only the tests of this package use. The recorder that turns
// callbacks into a channel of events, and the helpers around it, are in
// internal/wstest.

import (
	"bufio"
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cangjie-go/ohos/internal/echoserver"
	"github.com/cangjie-go/ohos/internal/wstest"
)

// newServer starts an echo server that is closed when the test ends.
func newServer(t *testing.T, opts echoserver.Options) *echoserver.Server {
	srv := echoserver.New(opts)
	t.Cleanup(srv.Close)
	return srv
}

// newHeldServer starts an echo server that holds every handshake until
// release is called (release is idempotent and runs at the end of the test
// at the latest).
func newHeldServer(t *testing.T, opts echoserver.Options) (srv *echoserver.Server, release func()) {
	hold := make(chan struct{})
	var once sync.Once
	release = func() { once.Do(func() { close(hold) }) }
	opts.HoldHandshake = hold
	srv = newServer(t, opts)
	t.Cleanup(release) // runs before srv.Close
	return srv, release
}

// rawServer is a minimal WebSocket server written by hand: it records the
// raw bytes of each opening request, answers 101, and then reads and
// discards everything without ever answering (a server that never completes
// the closing handshake).
type rawServer struct {
	ln     net.Listener
	heads  chan string
	mu     sync.Mutex
	closed bool
	conns  []net.Conn
	wg     sync.WaitGroup
}

func newRawServer(t *testing.T) *rawServer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s := &rawServer{ln: ln, heads: make(chan string, 16)}
	s.wg.Add(1)
	go s.accept()
	t.Cleanup(s.Close)
	return s
}

func (s *rawServer) URL() string { return "ws://" + s.ln.Addr().String() + "/" }

func (s *rawServer) accept() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			c.Close()
			return
		}
		s.conns = append(s.conns, c)
		s.wg.Add(1)
		s.mu.Unlock()
		go s.serve(c)
	}
}

func (s *rawServer) serve(c net.Conn) {
	defer s.wg.Done()
	br := bufio.NewReader(c)
	var head strings.Builder
	key := ""
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return
		}
		head.WriteString(line)
		if line == "\r\n" {
			break
		}
		if name, value, ok := strings.Cut(line, ":"); ok && strings.EqualFold(name, "Sec-WebSocket-Key") {
			key = strings.TrimSpace(value)
		}
	}
	select {
	case s.heads <- head.String():
	default:
	}
	sum := sha1.Sum([]byte(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
	fmt.Fprintf(c, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n",
		base64.StdEncoding.EncodeToString(sum[:]))
	io.Copy(io.Discard, br) // never answers anything, until the connection is dropped
}

// nextHead returns the raw head of the next opening request.
func (s *rawServer) nextHead(t *testing.T) string {
	t.Helper()
	select {
	case h := <-s.heads:
		return h
	case <-time.After(wstest.Timeout):
		require.FailNow(t, "the raw server saw no request")
		return ""
	}
}

// dropAll closes every connection without a Close frame.
func (s *rawServer) dropAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.conns {
		c.Close()
	}
	s.conns = nil
}

func (s *rawServer) Close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.ln.Close()
	s.dropAll()
	s.wg.Wait()
}
