// Package interop_test runs the client against real servers and proxies
// from other implementations, installed from Debian by .ci/run: tinyproxy,
// nginx, python3-websockets (also on a Unix socket), node-ws,
// libwebsockets-test-server, python3-autobahn, dante-server and microsocks
// (SOCKS5, with and without credentials) and squid-openssl (an HTTPS proxy
// with Basic credentials). Each test skips with a message when its peer is
// missing on a developer machine, and fails when CI is set. Configuration
// files, certificates and ports are made at test time.
package interop_test

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cangjie-go/ohos/callback"
	"github.com/cangjie-go/ohos/internal/echoserver"
	"github.com/cangjie-go/ohos/internal/testpki"
	"github.com/cangjie-go/ohos/networkkit/websocket"
	"github.com/samber/mo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// echo connects with opts, sends one text message, expects it back (or, if
// first is set, expects first as the first message), closes, and returns the
// messages received.
func echo(t *testing.T, url string, opts *websocket.RequestOptions, want ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	ws := websocket.CreateWebSocket()
	got := make(chan string, 16)
	require.NoError(t, ws.OnMessage(websocket.WebSocketAsyncCallbackFunc[websocket.MessageData](
		func(_ mo.Option[callback.AsyncError], d mo.Option[websocket.MessageData]) {
			got <- d.MustGet().String()
		})))
	closed := make(chan websocket.CloseResult, 1)
	require.NoError(t, ws.OnClose(websocket.WebSocketAsyncCallbackFunc[websocket.CloseResult](
		func(_ mo.Option[callback.AsyncError], d mo.Option[websocket.CloseResult]) { closed <- d.MustGet() })))
	require.NoError(t, ws.ConnectContext(ctx, url, opts))
	require.NoError(t, ws.SendContext(ctx, websocket.StringData("hello through a real peer")))
	for _, w := range append(want, "hello through a real peer") {
		select {
		case m := <-got:
			assert.Equal(t, w, m)
		case <-ctx.Done():
			t.Fatalf("no message %q", w)
		}
	}
	require.NoError(t, ws.CloseContext(ctx, nil))
	select {
	case res := <-closed:
		assert.Equal(t, websocket.CloseResult{Code: 1000}, res)
	case <-ctx.Done():
		t.Fatal("no close event")
	}
}

// connectErr connects with opts and returns the error, which must be the
// connection failure 200.
func connectErr(t *testing.T, url string, opts *websocket.RequestOptions) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	err := websocket.CreateWebSocket().ConnectContext(ctx, url, opts)
	require.Error(t, err)
	assert.ErrorIs(t, err, websocket.ErrConnectionFailed)
	return err
}

func TestTinyproxyBasicAuth(t *testing.T) {
	bin := requireTool(t, "/usr/bin/tinyproxy", "tinyproxy")
	backend := echoserver.New(echoserver.Options{})
	defer backend.Close()
	port := freePort(t)
	dir := t.TempDir()
	conf := writeFile(t, dir, "tinyproxy.conf", fmt.Sprintf(`Port %d
Listen 127.0.0.1
Timeout 30
Allow 127.0.0.1
BasicAuth alice s3cr3t-pw
MaxClients 20
LogLevel Info
`, port))
	p := startPeer(t, bin, "-d", "-c", conf)
	waitListening(t, p, net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))

	proxy := func(user, password string) *websocket.RequestOptions {
		return &websocket.RequestOptions{Proxy: websocket.HTTPProxy{
			Host: "127.0.0.1", Port: uint16(port), Username: mo.Some(user), Password: password}}
	}
	t.Run("right credentials pass", func(t *testing.T) {
		echo(t, backend.WSURL("/via-tinyproxy"), proxy("alice", "s3cr3t-pw"))
		require.NotEmpty(t, backend.Requests())
		assert.Equal(t, "/via-tinyproxy", backend.Requests()[len(backend.Requests())-1].URI)
	})
	t.Run("wrong credentials fail with the status named", func(t *testing.T) {
		err := connectErr(t, backend.WSURL("/"), proxy("alice", "wrong-pw"))
		var pe *websocket.ProxyError
		require.ErrorAs(t, err, &pe)
		// tinyproxy 1.11 answers wrong credentials with 401 (and missing
		// ones with 407, below); the error names whatever it said.
		assert.Contains(t, []int{401, 407}, pe.StatusCode)
		assert.Contains(t, err.Error(), pe.Status)
		assert.NotContains(t, err.Error(), "wrong-pw")
		assert.NotContains(t, err.Error(), "alice")
	})
	t.Run("no credentials fail with 407", func(t *testing.T) {
		err := connectErr(t, backend.WSURL("/"), &websocket.RequestOptions{Proxy: websocket.HTTPProxy{Host: "127.0.0.1", Port: uint16(port)}})
		var pe *websocket.ProxyError
		require.ErrorAs(t, err, &pe)
		assert.Equal(t, 407, pe.StatusCode)
		assert.Contains(t, err.Error(), "407 Proxy Authentication Required")
	})
}

func TestNginxClientCertificate(t *testing.T) {
	bin := requireTool(t, "/usr/sbin/nginx", "nginx")
	backend := echoserver.New(echoserver.Options{})
	defer backend.Close()
	ca := testpki.NewCA(t, "interop")
	server := ca.Issue("nginx", testpki.LeafOptions{})
	port := freePort(t)
	dir := t.TempDir()
	conf := writeFile(t, dir, "nginx.conf", fmt.Sprintf(`daemon off;
master_process off;
worker_processes 1;
pid %[1]s/nginx.pid;
error_log stderr info;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path %[1]s/body;
    proxy_temp_path %[1]s/proxy;
    fastcgi_temp_path %[1]s/fastcgi;
    uwsgi_temp_path %[1]s/uwsgi;
    scgi_temp_path %[1]s/scgi;
    server {
        listen 127.0.0.1:%[2]d ssl;
        ssl_certificate %[3]s;
        ssl_certificate_key %[4]s;
        ssl_client_certificate %[5]s;
        ssl_verify_client on;
        location / {
            proxy_pass http://%[6]s;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection "upgrade";
            proxy_set_header X-Client-Subject $ssl_client_s_dn;
        }
    }
}
`, dir, port, server.CertFile, server.KeyFile, ca.CertFile, strings.TrimPrefix(backend.URL, "http://")))
	p := startPeer(t, bin, "-p", dir, "-c", conf)
	waitListening(t, p, net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	url := fmt.Sprintf("wss://127.0.0.1:%d/tls", port)

	for _, tc := range []struct {
		name   string
		key    testpki.KeyType
		format testpki.KeyFormat
	}{
		{"PKCS#8-encrypted ECDSA key", testpki.ECDSA, testpki.PKCS8},
		{"PKCS#8-encrypted RSA key", testpki.RSA, testpki.PKCS8},
		{"legacy-encrypted RSA key", testpki.RSA, testpki.Legacy},
		{"plain Ed25519 key", testpki.Ed25519, testpki.Plain},
	} {
		t.Run(tc.name, func(t *testing.T) {
			client := ca.Issue("client-"+strconv.Itoa(int(tc.key))+"-"+strconv.Itoa(int(tc.format)),
				testpki.LeafOptions{Client: true, Key: tc.key, Format: tc.format, Password: "key-pw"})
			echo(t, url, &websocket.RequestOptions{
				CAPath: ca.CertFile,
				ClientCert: &websocket.ClientCert{CertPath: client.CertFile, KeyPath: client.KeyFile,
					KeyPassword: mo.Some("key-pw")},
			})
			reqs := backend.Requests()
			require.NotEmpty(t, reqs)
			assert.Contains(t, reqs[len(reqs)-1].Header.Get("X-Client-Subject"), "client-")
		})
	}
	t.Run("without a client certificate nginx refuses", func(t *testing.T) {
		err := connectErr(t, url, &websocket.RequestOptions{CAPath: ca.CertFile})
		var he *websocket.HandshakeError
		require.ErrorAs(t, err, &he)
		assert.Equal(t, 400, he.StatusCode)
	})
	t.Run("wrong key password is a clear 401 before dialing", func(t *testing.T) {
		client := ca.Issue("client-wrong-pw", testpki.LeafOptions{Client: true, Format: testpki.PKCS8, Password: "key-pw"})
		err := websocket.CreateWebSocket().ConnectContext(context.Background(), url, &websocket.RequestOptions{
			CAPath:     ca.CertFile,
			ClientCert: &websocket.ClientCert{CertPath: client.CertFile, KeyPath: client.KeyFile, KeyPassword: mo.Some("nope")},
		})
		require.ErrorIs(t, err, websocket.ErrParameter)
		assert.Contains(t, err.Error(), "wrong KeyPassword")
	})
}

func TestPythonWebsocketsSubprotocols(t *testing.T) {
	py := requirePython(t, "websockets", "python3-websockets")
	p := startPeer(t, py, "testdata/ws_server.py", "chat", "superchat")
	port := strings.TrimPrefix(p.waitLine(t, "READY "), "READY ")
	url := "ws://127.0.0.1:" + port + "/"

	for _, tc := range []struct {
		offered, chosen string
	}{
		{"chat", "chat"},
		{"superchat", "superchat"},
		{"unknown, superchat", "superchat"},
		{"unknown", ""},
		{"", ""},
	} {
		t.Run("offer "+tc.offered, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
			defer cancel()
			ws := websocket.CreateWebSocket()
			headers := make(chan websocket.ResponseHeaders, 1)
			require.NoError(t, ws.OnHeaderReceive(callback.Callback1Func[websocket.ResponseHeaders](
				func(h websocket.ResponseHeaders) { headers <- h })))
			closed := make(chan struct{})
			require.NoError(t, ws.OnClose(websocket.WebSocketAsyncCallbackFunc[websocket.CloseResult](
				func(mo.Option[callback.AsyncError], mo.Option[websocket.CloseResult]) { close(closed) })))
			require.NoError(t, ws.ConnectContext(ctx, url, &websocket.RequestOptions{Protocol: tc.offered}))
			assert.Equal(t, tc.chosen, ws.Protocol())
			select {
			case h := <-headers:
				m, ok := h.(websocket.MapData)
				require.True(t, ok, "headers: %v", h)
				assert.Equal(t, tc.chosen, m["sec-websocket-protocol"])
			case <-ctx.Done():
				t.Fatal("no headerReceive")
			}
			require.NoError(t, ws.CloseContext(ctx, nil))
			select {
			case <-closed:
			case <-ctx.Done():
				t.Fatal("no close event")
			}
		})
	}
	t.Run("echo", func(t *testing.T) {
		echo(t, url, &websocket.RequestOptions{Protocol: "chat"}, "protocol:chat")
	})
}
