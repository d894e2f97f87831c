package websocket_test

// Tests of connecting (package doc, sections Lifecycle and Opening
// handshake): aborting at every step, the bound on response headers, a
// refused handshake, the default port, and pointer variants of the proxy.

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/cangjie-go/ohos/internal/echoserver"
	"github.com/cangjie-go/ohos/internal/hostile"
	"github.com/cangjie-go/ohos/internal/testpki"
	"github.com/cangjie-go/ohos/internal/testproxy"
	"github.com/cangjie-go/ohos/internal/wstest"
	"github.com/cangjie-go/ohos/networkkit/websocket"
)

// abortLimit is how soon a cancelled ConnectContext, and a Close while
// connecting, must return (package doc, section Lifecycle).
const abortLimit = 100 * time.Millisecond

// silentServer accepts TCP connections on 127.0.0.1 and never writes. It
// announces each connection on reached: at once, or once the client's
// first bytes have arrived (readFirst), or once a TLS handshake with leaf
// has completed (tls).
type silentServer struct {
	addr    string
	reached chan struct{}
}

func newSilentServer(t *testing.T, readFirst bool, leaf *testpki.Leaf) *silentServer {
	s := &silentServer{reached: make(chan struct{}, 64)}
	s.addr = serveTCP(t, func(c net.Conn) {
		c.SetDeadline(soon())
		switch {
		case leaf != nil:
			if tls.Server(c, &tls.Config{Certificates: []tls.Certificate{leaf.TLS}}).Handshake() != nil {
				return
			}
		case readFirst:
			if _, err := c.Read(make([]byte, 1)); err != nil {
				return
			}
		}
		s.reached <- struct{}{}
		io.Copy(io.Discard, c) // until the client gives up
	})
	return s
}

// fullBacklogAddr returns the address of a listener that never accepts and
// whose accept queue is full, so that a TCP connect to it hangs: the
// kernel drops the SYNs.
func fullBacklogAddr(t *testing.T) string {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	require.NoError(t, err)
	f := os.NewFile(uintptr(fd), "listener")
	t.Cleanup(func() { f.Close() })
	require.NoError(t, syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}))
	require.NoError(t, syscall.Listen(fd, 0))
	sa, err := syscall.Getsockname(fd)
	require.NoError(t, err)
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(sa.(*syscall.SockaddrInet4).Port))
	// Fill the accept queue until a connect no longer completes.
	for range 16 {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err != nil {
			return addr
		}
		t.Cleanup(func() { c.Close() })
	}
	require.FailNow(t, "the accept queue never filled")
	return ""
}

// waitInStack waits until some goroutine's stack holds function fn.
func waitInStack(t *testing.T, fn string) {
	t.Helper()
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	buf := make([]byte, 1<<20)
	for end := time.Now().Add(wstest.Timeout); time.Now().Before(end); <-tick.C {
		if n := runtime.Stack(buf, true); bytes.Contains(buf[:n], []byte(fn+"(")) {
			return
		}
	}
	require.FailNow(t, "no goroutine in "+fn)
}

// TestConnectAbortsPromptly checks that a cancelled ConnectContext, and a
// Close while connecting, return within 100 ms at each step of the
// handshake — TCP connect, proxy CONNECT, TLS, the wait for the 101 —
// although HandshakeTimeout is 30 s (package doc, section Lifecycle).
func TestConnectAbortsPromptly(t *testing.T) {
	ca := testpki.NewCA(t, "abort")
	leaf := ca.Issue("server", testpki.LeafOptions{})
	steps := []struct {
		name string
		// start returns the URL and options to connect with, and waits
		// until the client is in the step.
		start func(t *testing.T) (url string, opts *websocket.RequestOptions, reached func())
	}{
		{"TCP connect", func(t *testing.T) (string, *websocket.RequestOptions, func()) {
			addr := fullBacklogAddr(t)
			return "ws://" + addr + "/", nil, func() { waitInStack(t, "net.(*netFD).connect") }
		}},
		{"proxy CONNECT", func(t *testing.T) (string, *websocket.RequestOptions, func()) {
			p := newProxy(t, testproxy.Options{Hang: true})
			return "ws://ws.example.invalid/", &websocket.RequestOptions{Proxy: proxyOf(t, p)}, func() { recv(t, p.Asked) }
		}},
		{"TLS", func(t *testing.T) (string, *websocket.RequestOptions, func()) {
			s := newSilentServer(t, true, nil) // reads the ClientHello, never answers it
			return "wss://" + s.addr + "/", &websocket.RequestOptions{CAPath: ca.CertFile}, func() { recv(t, s.reached) }
		}},
		{"the 101", func(t *testing.T) (string, *websocket.RequestOptions, func()) {
			s := newSilentServer(t, true, nil) // reads the request, never answers it
			return "ws://" + s.addr + "/", nil, func() { recv(t, s.reached) }
		}},
		{"the 101 over TLS", func(t *testing.T) (string, *websocket.RequestOptions, func()) {
			s := newSilentServer(t, false, &leaf)
			return "wss://" + s.addr + "/", &websocket.RequestOptions{CAPath: ca.CertFile}, func() { recv(t, s.reached) }
		}},
	}
	for _, step := range steps {
		t.Run(step.name, func(t *testing.T) {
			t.Run("cancel", func(t *testing.T) {
				url, opts, reached := step.start(t)
				opts = withHandshakeTimeout(opts)
				ws := wstest.NewWS(t)
				r := wstest.NewRecorder(t, ws)
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				errc := make(chan error, 1)
				go func() { errc <- ws.ConnectContext(ctx, url, opts) }()
				reached()
				start := time.Now()
				cancel()
				err := recv(t, errc)
				assert.Less(t, time.Since(start), abortLimit, "ConnectContext returned late")
				assert.True(t, err == context.Canceled, "want context.Canceled itself, got %v", err) //nolint:errorlint // identity is the promise
				r.Quiet(t, 50*time.Millisecond)                                                      // no error event
			})
			t.Run("Close", func(t *testing.T) {
				url, opts, reached := step.start(t)
				opts = withHandshakeTimeout(opts)
				ws := wstest.NewWS(t)
				r := wstest.NewRecorder(t, ws)
				errc := make(chan error, 1)
				go func() { errc <- ws.ConnectContext(context.Background(), url, opts) }()
				reached()
				start := time.Now()
				require.NoError(t, ws.CloseContext(wstest.Ctx(t), nil))
				closed := time.Since(start)
				err := recv(t, errc)
				connected := time.Since(start)
				assert.Less(t, closed, abortLimit, "CloseContext returned late")
				assert.Less(t, connected, abortLimit, "ConnectContext returned late")
				wstest.AssertCode(t, err, websocket.ErrConnectionFailed)
				r.Quiet(t, 50*time.Millisecond) // no error event, no close event
			})
		})
	}
}

// withHandshakeTimeout returns a copy of opts (nil means none) with a
// HandshakeTimeout of 30 s, so that only the abort can end the handshake
// in time.
func withHandshakeTimeout(opts *websocket.RequestOptions) *websocket.RequestOptions {
	o := websocket.RequestOptions{}
	if opts != nil {
		o = *opts
	}
	o.HandshakeTimeout = 30 * time.Second
	return &o
}

// TestCloseRightAfterDial races Close against the end of the TCP or TLS
// dial: Close comes as soon as the server has the connection, when the
// handshake code is about to set its own deadline on it. The abort must
// win over that deadline, so ConnectContext returns long before
// HandshakeTimeout (30 s); the 100 ms promptness of each step is
// TestConnectAbortsPromptly's, so that 40 rounds on a loaded machine do
// not fail for a slow scheduler (package doc, section Lifecycle).
func TestCloseRightAfterDial(t *testing.T) {
	const rounds, limit = 40, time.Second
	ca := testpki.NewCA(t, "race")
	leaf := ca.Issue("server", testpki.LeafOptions{})
	for _, tt := range []struct {
		name   string
		scheme string
		leaf   *testpki.Leaf
		opts   *websocket.RequestOptions
	}{
		{"TCP", "ws", nil, nil},
		{"TLS", "wss", &leaf, &websocket.RequestOptions{CAPath: ca.CertFile}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := newSilentServer(t, false, tt.leaf)
			ws := wstest.NewWS(t)
			opts := withHandshakeTimeout(tt.opts)
			for i := range rounds {
				errc := make(chan error, 1)
				go func() { errc <- ws.ConnectContext(context.Background(), tt.scheme+"://"+s.addr+"/", opts) }()
				recv(t, s.reached)
				for range i * 50 { // spread the moment of Close over the steps after the dial
					runtime.Gosched()
				}
				start := time.Now()
				require.NoError(t, ws.CloseContext(wstest.Ctx(t), nil), "round %d", i)
				err := recv(t, errc)
				require.Less(t, time.Since(start), limit, "round %d: ConnectContext returned late", i)
				wstest.AssertCode(t, err, websocket.ErrConnectionFailed)
			}
		})
	}
}

// endlessHeader serves, on every connection, the first line of an answer
// and then header lines without end, until the client goes away.
func endlessHeader(t *testing.T, first string) (addr string) {
	line := []byte("X-Filler: " + strings.Repeat("a", 1000) + "\r\n")
	return serveTCP(t, func(c net.Conn) {
		c.Read(make([]byte, 4096)) // the request
		c.Write([]byte(first + "\r\n"))
		for deadline := soon(); time.Now().Before(deadline); {
			if _, err := c.Write(line); err != nil {
				return
			}
		}
	})
}

// TestResponseHeaderBound checks that a response header that never ends —
// the server's answer to the opening handshake, or a proxy's answer to
// CONNECT — fails the connection at 64 KiB, long before HandshakeTimeout
// and without holding the header in memory (package doc, section Opening
// handshake).
func TestResponseHeaderBound(t *testing.T) {
	for _, tt := range []struct {
		name  string
		first string
		proxy bool
	}{
		{"server", "HTTP/1.1 101 Switching Protocols", false},
		{"proxy", "HTTP/1.1 200 Connection established", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			addr := endlessHeader(t, tt.first)
			url := "ws://" + addr + "/"
			opts := &websocket.RequestOptions{HandshakeTimeout: 30 * time.Second}
			if tt.proxy {
				host, port, _ := net.SplitHostPort(addr)
				n, _ := strconv.Atoi(port)
				url = "ws://ws.example.invalid/"
				opts.Proxy = websocket.HTTPProxy{Host: host, Port: uint16(n)}
			}
			ws := wstest.NewWS(t)
			r := wstest.NewRecorder(t, ws)
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			start := time.Now()
			err := ws.ConnectContext(wstest.Ctx(t), url, opts)
			elapsed := time.Since(start)
			runtime.ReadMemStats(&after)

			wstest.AssertCode(t, err, websocket.ErrConnectionFailed)
			assert.Contains(t, err.Error(), "response header exceeds 64 KiB")
			assert.Less(t, elapsed, 2*time.Second, "the bound must hit long before HandshakeTimeout")
			allocated := after.TotalAlloc - before.TotalAlloc
			assert.Less(t, allocated, uint64(4<<20), "allocated %d bytes while reading the header", allocated)
			e := r.Expect(t, "error")[0]
			assert.Contains(t, e.Err.Error(), "response header exceeds 64 KiB")
		})
	}
}

// TestRefusedHandshakeAtOnce checks that an answer other than 101 is
// reported at once, even when it has no Content-Length and the server
// keeps the connection open: error 200 with a *HandshakeError that holds
// the status and what of the body arrived with the header (package doc,
// section Opening handshake).
func TestRefusedHandshakeAtOnce(t *testing.T) {
	srv := hostile.New(t, func(c *hostile.Conn) {
		if _, _, err := c.ReadRequest(); err != nil {
			return
		}
		if c.WriteRaw([]byte("HTTP/1.1 403 Forbidden\r\nX-Why: test\r\n\r\nno entry")) != nil {
			return
		}
		c.WaitTCPClose(soon()) // the body never ends
	})
	ws := wstest.NewWS(t)
	r := wstest.NewRecorder(t, ws)
	start := time.Now()
	err := ws.ConnectContext(wstest.Ctx(t), srv.URL(), &websocket.RequestOptions{HandshakeTimeout: 30 * time.Second})
	assert.Less(t, time.Since(start), time.Second, "the client waited for the body")
	wstest.AssertCode(t, err, websocket.ErrConnectionFailed)
	var he *websocket.HandshakeError
	require.ErrorAs(t, err, &he)
	assert.Equal(t, 403, he.StatusCode)
	assert.Equal(t, "test", he.Header.Get("X-Why"))
	assert.Equal(t, "no entry", string(he.Body))
	e := r.Expect(t, "error")[0]
	assert.True(t, errors.As(e.Err, &he), "the error event carries the HandshakeError")
}

// TestEmptyPortMeansDefault checks that a URL with an empty port
// ("ws://host:/") dials the scheme's default port — 80 for ws, 443 for
// wss — and sends a Host header without the colon (package doc, section
// Errors; RFC 3986 §3.2.3). A proxy shows where the client wanted to go.
func TestEmptyPortMeansDefault(t *testing.T) {
	srv := newEchoHost(t, nil, echoserver.Options{})
	p := newProxy(t, testproxy.Options{Upstream: srv.addr()})
	connectEcho(t, "ws://127.0.0.1:/path", &websocket.RequestOptions{Proxy: proxyOf(t, p)})
	reqs := p.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, "127.0.0.1:80", reqs[0].Authority)
	seen := srv.echo.Requests()
	require.Len(t, seen, 1)
	assert.Equal(t, "127.0.0.1", seen[0].Host)
	assert.Equal(t, "/path", seen[0].URI)

	refusing := newProxy(t, testproxy.Options{Status: 502})
	err := tryConnect(t, "wss://127.0.0.1:/", &websocket.RequestOptions{Proxy: proxyOf(t, refusing)})
	wstest.AssertCode(t, err, websocket.ErrConnectionFailed)
	reqs = refusing.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, "127.0.0.1:443", reqs[0].Authority)
}

// embedsHTTPProxy satisfies ProxyConfiguration by embedding a variant;
// Connect must refuse it.
type embedsHTTPProxy struct{ websocket.HTTPProxy }

// TestProxyPointerVariants checks that RequestOptions.Proxy accepts
// non-nil pointers to the variants and refuses, with 401 and without
// panicking, nil pointers and types that embed a variant (package doc,
// section Errors).
func TestProxyPointerVariants(t *testing.T) {
	srv := newEchoHost(t, nil, echoserver.Options{})
	p := newProxy(t, testproxy.Options{})
	hp := proxyOf(t, p)
	connectEcho(t, srv.url("127.0.0.1"), &websocket.RequestOptions{Proxy: &hp})
	assert.Len(t, p.Requests(), 1, "the connection went through the proxy")
	connectEcho(t, srv.url("127.0.0.1"), &websocket.RequestOptions{Proxy: &websocket.NoProxy{}})
	connectEcho(t, srv.url("127.0.0.1"), &websocket.RequestOptions{Proxy: &websocket.SystemProxy{}})
	assert.Len(t, p.Requests(), 1)

	for _, bad := range []websocket.ProxyConfiguration{
		(*websocket.HTTPProxy)(nil),
		(*websocket.NoProxy)(nil),
		(*websocket.SystemProxy)(nil),
		embedsHTTPProxy{hp},
		&embedsHTTPProxy{hp},
	} {
		t.Run(fmt.Sprintf("%T", bad), func(t *testing.T) {
			var err error
			require.NotPanics(t, func() { err = tryConnect(t, srv.url("127.0.0.1"), &websocket.RequestOptions{Proxy: bad}) })
			wstest.AssertCode(t, err, websocket.ErrParameter)
		})
	}
}

// unixEcho serves the echo server's handler on a Unix socket, over TLS if
// tlsCfg is not nil, and returns the echo server (for its requests) and the
// socket's path.
func unixEcho(t *testing.T, tlsCfg *tls.Config) (*echoserver.Server, string) {
	t.Helper()
	echo := echoserver.New(echoserver.Options{})
	path := filepath.Join(t.TempDir(), "ws.sock")
	ln, err := net.Listen("unix", path)
	require.NoError(t, err)
	ts := httptest.NewUnstartedServer(echo.Server.Config.Handler)
	ts.Listener.Close()
	ts.Listener = ln
	ts.Config.ErrorLog = log.New(io.Discard, "", 0) // refused TLS handshakes are expected
	if tlsCfg != nil {
		ts.TLS = tlsCfg
		ts.StartTLS()
	} else {
		ts.Start()
	}
	t.Cleanup(func() {
		ts.Close()
		echo.Close()
	})
	return echo, path
}

// dialRecorder is a DialContext that sends every connection to one Unix
// socket, or to the address asked when path is empty, and records the
// addresses it was asked for.
type dialRecorder struct {
	path  string
	mu    sync.Mutex
	asked []string
}

func (d *dialRecorder) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	d.mu.Lock()
	d.asked = append(d.asked, network+" "+addr)
	d.mu.Unlock()
	var nd net.Dialer
	if d.path != "" {
		return nd.DialContext(ctx, "unix", d.path)
	}
	return nd.DialContext(ctx, network, addr)
}

func (d *dialRecorder) addrs() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.asked...)
}

// TestDialContextUnixSocket: the dial function decides where the bytes go;
// the URL still gives the dial address, the Host header, the Origin and,
// for wss, the name the certificate is verified for.
func TestDialContextUnixSocket(t *testing.T) {
	t.Run("ws", func(t *testing.T) {
		echo, path := unixEcho(t, nil)
		d := &dialRecorder{path: path}
		connectEcho(t, "ws://app.internal/chat?room=1", &websocket.RequestOptions{DialContext: d.dial, Proxy: websocket.NoProxy{}})
		assert.Equal(t, []string{"tcp app.internal:80"}, d.addrs())
		reqs := echo.Requests()
		require.Len(t, reqs, 1)
		assert.Equal(t, "app.internal", reqs[0].Host)
		assert.Equal(t, "/chat?room=1", reqs[0].URI)
		assert.Equal(t, "http://app.internal", reqs[0].Header.Get("Origin"))
	})
	t.Run("wss", func(t *testing.T) {
		ca := testpki.NewCA(t, "unix")
		echo, path := unixEcho(t, serverTLS(ca.Issue("app", testpki.LeafOptions{DNSNames: []string{"app.internal"}})))
		d := &dialRecorder{path: path}
		connectEcho(t, "wss://app.internal:8443/", &websocket.RequestOptions{DialContext: d.dial, Proxy: websocket.NoProxy{},
			CAPath: ca.CertFile})
		assert.Equal(t, []string{"tcp app.internal:8443"}, d.addrs())
		reqs := echo.Requests()
		require.Len(t, reqs, 1)
		assert.Equal(t, "app.internal:8443", reqs[0].Host)

		// The certificate is verified for the URL's host.
		d = &dialRecorder{path: path}
		err := tryConnect(t, "wss://other.internal/", &websocket.RequestOptions{DialContext: d.dial, Proxy: websocket.NoProxy{},
			CAPath: ca.CertFile})
		requireCode(t, err, websocket.ErrConnectionFailed)
		assert.Contains(t, err.Error(), "other.internal")
	})
}

// TestDialContextReachesTheProxy: with a proxy, the dial function opens the
// connection to the proxy, and the proxy is asked for the server.
func TestDialContextReachesTheProxy(t *testing.T) {
	srv := newEchoHost(t, nil, echoserver.Options{})
	p := newProxy(t, testproxy.Options{})
	d := &dialRecorder{}
	connectEcho(t, srv.url("127.0.0.1"), &websocket.RequestOptions{DialContext: d.dial, Proxy: proxyOf(t, p)})
	assert.Equal(t, []string{"tcp " + p.Addr()}, d.addrs())
	reqs := p.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, srv.addr(), reqs[0].Authority)
}

// TestDialContextErrors: the dial function's error is the cause of a 200;
// a function that returns neither a connection nor an error fails the
// connection too, and a connection returned with an error is closed.
func TestDialContextErrors(t *testing.T) {
	refused := errors.New("no route to the moon")
	c1, c2 := net.Pipe()
	t.Cleanup(func() { c2.Close() })
	tests := []struct {
		name string
		dial func(context.Context, string, string) (net.Conn, error)
		want string
	}{
		{"error", func(context.Context, string, string) (net.Conn, error) { return nil, refused }, refused.Error()},
		{"connection and error", func(context.Context, string, string) (net.Conn, error) { return c1, refused }, refused.Error()},
		{"neither", func(context.Context, string, string) (net.Conn, error) { return nil, nil }, "neither a connection nor an error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tryConnect(t, "ws://example.test/", &websocket.RequestOptions{DialContext: tt.dial, Proxy: websocket.NoProxy{}})
			requireCode(t, err, websocket.ErrConnectionFailed)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
	assertPeerClosed(t, c2, "the connection returned with an error was not closed")
}

// assertPeerClosed checks that the other end of the pipe c is closed, or is
// closed within optWait.
func assertPeerClosed(t *testing.T, c net.Conn, msg string) {
	t.Helper()
	read := make(chan error, 1)
	go func() {
		_, err := c.Read(make([]byte, 1))
		read <- err
	}()
	select {
	case err := <-read:
		assert.ErrorIs(t, err, io.EOF, msg)
	case <-time.After(optWait):
		c.Close()
		<-read
		t.Error(msg)
	}
}

// TestDialContextNotHonouringContext: Close and a cancelled ConnectContext
// do not wait for a dial function that ignores its context; the connection
// it returns afterwards is closed.
func TestDialContextNotHonouringContext(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	for _, how := range []string{"cancel", "Close"} {
		t.Run(how, func(t *testing.T) {
			release := make(chan struct{})
			entered := make(chan struct{})
			client, server := net.Pipe()
			defer server.Close()
			stuck := func(context.Context, string, string) (net.Conn, error) {
				close(entered)
				<-release
				return client, nil
			}
			ws := websocket.CreateWebSocket()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			errc := make(chan error, 1)
			go func() {
				errc <- ws.ConnectContext(ctx, "ws://example.test/", &websocket.RequestOptions{DialContext: stuck, Proxy: websocket.NoProxy{}})
			}()
			select {
			case <-entered:
			case <-time.After(optWait):
				t.Fatal("the dial function was not called")
			}
			start := time.Now()
			if how == "cancel" {
				cancel()
			} else {
				require.NoError(t, ws.CloseContext(optCtx(t), nil))
			}
			select {
			case err := <-errc:
				require.Error(t, err)
				assert.Less(t, time.Since(start), 2*time.Second)
			case <-time.After(optWait):
				t.Fatal("ConnectContext waited for the dial function")
			}
			close(release)
			assertPeerClosed(t, server, "the late connection was not closed")
		})
	}
}
