package websocket_test

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	gorilla "github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cangjie-go/ohos/internal/echoserver"
	"github.com/cangjie-go/ohos/networkkit/websocket"
)

// newBridge starts a WebSocket server that relays each connection's binary
// messages to a new TCP connection to target and the bytes read from it
// back as binary messages: a tunnel, as websockify and gRPC-over-WebSocket
// gateways are.
func newBridge(t *testing.T, target string) string {
	// Any Origin: the client sends the platform's, without the port.
	up := gorilla.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	var wg sync.WaitGroup
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer ws.Close()
		tcp, err := net.Dial("tcp", target)
		if err != nil {
			return
		}
		defer tcp.Close()
		wg.Add(1)
		go func() { // target → WebSocket
			defer wg.Done()
			buf := make([]byte, 16<<10)
			for {
				n, err := tcp.Read(buf)
				if n > 0 && ws.WriteMessage(gorilla.BinaryMessage, buf[:n]) != nil {
					return
				}
				if err != nil {
					ws.WriteControl(gorilla.CloseMessage, gorilla.FormatCloseMessage(1000, ""), time.Now().Add(time.Second))
					return
				}
			}
		}()
		for { // WebSocket → target
			_, p, err := ws.ReadMessage()
			if err != nil {
				tcp.Close()
				return
			}
			if _, err := tcp.Write(p); err != nil {
				return
			}
		}
	}))
	t.Cleanup(func() {
		srv.CloseClientConnections()
		srv.Close()
		wg.Wait()
	})
	return "ws" + strings.TrimPrefix(srv.URL, "http") + "/"
}

// TestNetConnHTTPSInside runs HTTPS through the net.Conn: a TLS handshake
// and HTTP requests inside the WebSocket tunnel, then the end of the
// stream.
func TestNetConnHTTPSInside(t *testing.T) {
	https := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello over %s, path %s", r.Proto, r.URL.Path)
	}))
	t.Cleanup(https.Close)
	bridge := newBridge(t, https.Listener.Addr().String())

	ws := dialed(t, bridge, nil)
	conn, err := ws.NetConn(nil)
	require.NoError(t, err)
	pool := https.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
	tc := tls.Client(conn, &tls.Config{RootCAs: pool, ServerName: "example.com"})
	ctx := receiveCtx(t)
	require.NoError(t, tc.HandshakeContext(ctx), "TLS handshake inside the WebSocket")

	used := false
	client := &http.Client{Transport: &http.Transport{
		DialTLSContext: func(context.Context, string, string) (net.Conn, error) {
			if used {
				return nil, errors.New("one tunnel only")
			}
			used = true
			return tc, nil
		},
	}}
	for i := range 3 {
		req, _ := http.NewRequestWithContext(ctx, "GET", fmt.Sprintf("https://example.com/r%d", i), nil)
		resp, err := client.Do(req)
		require.NoError(t, err)
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.NoError(t, err)
		assert.Equal(t, fmt.Sprintf("hello over HTTP/1.1, path /r%d", i), string(body))
	}
	client.CloseIdleConnections()
	assert.NotNil(t, conn.LocalAddr())
	assert.NotNil(t, conn.RemoteAddr())
}

// TestNetConnDeadlines: a read deadline unblocks a Read without closing
// the connection; a deadline in the past fails at once; moving it later
// lets the next Read succeed.
func TestNetConnDeadlines(t *testing.T) {
	srv := echoserver.New(echoserver.Options{})
	t.Cleanup(srv.Close)
	ws := dialed(t, srv.WSURL("/"), nil)
	conn, err := ws.NetConn(nil)
	require.NoError(t, err)
	buf := make([]byte, 64)

	require.NoError(t, conn.SetReadDeadline(time.Now().Add(50*time.Millisecond)))
	start := time.Now()
	_, err = conn.Read(buf)
	assert.ErrorIs(t, err, os.ErrDeadlineExceeded)
	var ne net.Error
	require.ErrorAs(t, err, &ne)
	assert.True(t, ne.Timeout())
	assert.Less(t, time.Since(start), 2*time.Second)

	// A deadline moved while a Read waits takes effect at once.
	require.NoError(t, conn.SetReadDeadline(time.Time{}))
	done := make(chan error, 1)
	go func() {
		_, err := conn.Read(buf)
		done <- err
	}()
	select {
	case err := <-done:
		t.Fatalf("Read returned %v without a message or a deadline", err)
	case <-time.After(50 * time.Millisecond): // it is blocked, as it should be
	}
	require.NoError(t, conn.SetReadDeadline(time.Now()))
	select {
	case err := <-done:
		assert.ErrorIs(t, err, os.ErrDeadlineExceeded)
	case <-time.After(receiveTimeout):
		t.Fatal("moving the deadline did not unblock the Read")
	}

	// The connection went on: write, then read the echo in two parts.
	require.NoError(t, conn.SetDeadline(time.Time{}))
	n, err := conn.Write([]byte("hello, tunnel"))
	require.NoError(t, err)
	assert.Equal(t, 13, n)
	small := make([]byte, 5)
	n, err = conn.Read(small)
	require.NoError(t, err)
	assert.Equal(t, "hello", string(small[:n]))
	n, err = conn.Read(buf)
	require.NoError(t, err)
	assert.Equal(t, ", tunnel", string(buf[:n]))

	// A write deadline in the past fails before anything is written.
	require.NoError(t, conn.SetWriteDeadline(time.Now().Add(-time.Second)))
	_, err = conn.Write([]byte("late"))
	assert.ErrorIs(t, err, os.ErrDeadlineExceeded)
	require.NoError(t, conn.SetWriteDeadline(time.Time{}))

	require.NoError(t, conn.Close())
	assert.ErrorIs(t, conn.Close(), net.ErrClosed, "a second Close")
	_, err = conn.Read(buf)
	assert.ErrorIs(t, err, io.EOF, "closed with 1000: EOF")
}

// TestNetConnRefusals: NetConn needs an open connection and no message
// listener; a text net.Conn refuses bytes that are not UTF-8.
func TestNetConnRefusals(t *testing.T) {
	ws := websocket.CreateWebSocket()
	_, err := ws.NetConn(nil)
	assert.ErrorIs(t, err, websocket.ErrConnectionNotExist)

	srv := echoserver.New(echoserver.Options{})
	t.Cleanup(srv.Close)
	ws = dialed(t, srv.WSURL("/"), nil)
	listener := websocket.Data(func(websocket.MessageData) {})
	require.NoError(t, ws.OnMessage(listener))
	_, err = ws.NetConn(nil)
	assert.ErrorIs(t, err, websocket.ErrParameter)
	require.NoError(t, ws.OffMessage(listener))

	conn, err := ws.NetConn(&websocket.NetConnOptions{Text: true})
	require.NoError(t, err)
	_, err = conn.Write([]byte{0xff})
	assert.ErrorIs(t, err, websocket.ErrParameter)
	_, err = conn.Write([]byte("ok"))
	require.NoError(t, err)
	m, err := ws.ReceiveContext(receiveCtx(t))
	require.NoError(t, err)
	assert.Equal(t, websocket.MessageData(websocket.StringData("ok")), m, "text mode sends text messages")
}
