package websocket_test

// End-to-end tests of RequestOptions.DialContext: where the bytes go (a Unix
// socket), what the URL still decides, the dial to a proxy, and a dial
// function that does not honour its context.

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log"
	"net"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/cangjie-go/ohos/internal/echoserver"
	"github.com/cangjie-go/ohos/internal/testpki"
	"github.com/cangjie-go/ohos/internal/testproxy"
	"github.com/cangjie-go/ohos/networkkit/websocket"
)

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
