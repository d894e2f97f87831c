package websocket_test

// End-to-end tests of the connection options (BEHAVIOR §5): TLS
// verification, client certificates, the minimum TLS version, explicit and
// environment proxies, the subprotocol and the extra header fields. Every
// test talks to loopback servers only.

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	gorilla "github.com/gorilla/websocket"
	"github.com/samber/mo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/cangjie-go/ohos/callback"
	"github.com/cangjie-go/ohos/internal/echoserver"
	"github.com/cangjie-go/ohos/internal/testpki"
	"github.com/cangjie-go/ohos/internal/testproxy"
	"github.com/cangjie-go/ohos/networkkit/websocket"
)

// optWait bounds every wait in these tests.
const optWait = 10 * time.Second

// optCtx returns a context that ends with the test, or after optWait.
func optCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), optWait)
	t.Cleanup(cancel)
	return ctx
}

// echoHost is a ws or wss echo server built on echoserver's handler. It
// counts the TCP connections it accepts and records, for each request that
// reached the handler, the common name of the client certificate and the
// TLS version, and every byte it received.
type echoHost struct {
	echo  *echoserver.Server
	ts    *httptest.Server
	conns atomic.Int32

	mu       sync.Mutex
	peers    []string // client certificate CN per request; "" if none
	versions []uint16 // TLS version per request
	resumed  []bool   // whether the TLS session was resumed, per request
	alpn     []string // the negotiated ALPN protocol, per request
	raw      bytes.Buffer
}

// newEchoHost starts an echo server on 127.0.0.1: wss with tlsCfg, or ws if
// tlsCfg is nil. The server is closed when the test ends.
func newEchoHost(t *testing.T, tlsCfg *tls.Config, opts echoserver.Options) *echoHost {
	t.Helper()
	h := &echoHost{echo: echoserver.New(opts)}
	handler := h.echo.Server.Config.Handler
	h.ts = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		cn := ""
		if r.TLS != nil {
			if len(r.TLS.PeerCertificates) > 0 {
				cn = r.TLS.PeerCertificates[0].Subject.CommonName
			}
			h.versions = append(h.versions, r.TLS.Version)
			h.resumed = append(h.resumed, r.TLS.DidResume)
			h.alpn = append(h.alpn, r.TLS.NegotiatedProtocol)
		}
		h.peers = append(h.peers, cn)
		h.mu.Unlock()
		handler.ServeHTTP(w, r)
	}))
	h.ts.Listener = &recordingListener{Listener: h.ts.Listener, h: h}
	h.ts.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			h.conns.Add(1)
		}
	}
	h.ts.Config.ErrorLog = log.New(io.Discard, "", 0) // refused TLS handshakes are expected
	if tlsCfg != nil {
		h.ts.TLS = tlsCfg
		h.ts.StartTLS()
	} else {
		h.ts.Start()
	}
	t.Cleanup(func() {
		h.ts.Close()
		h.echo.Close()
	})
	return h
}

// addr is the server's "127.0.0.1:port".
func (h *echoHost) addr() string { return h.ts.Listener.Addr().String() }

// port is the server's port.
func (h *echoHost) port() string {
	_, p, _ := net.SplitHostPort(h.addr())
	return p
}

// url is the server's ws:// or wss:// URL for host (an IP address or name).
func (h *echoHost) url(host string) string {
	scheme := "ws"
	if h.ts.TLS != nil {
		scheme = "wss"
	}
	return scheme + "://" + net.JoinHostPort(host, h.port()) + "/"
}

func (h *echoHost) seenPeers() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.peers...)
}

func (h *echoHost) seenVersions() []uint16 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]uint16(nil), h.versions...)
}

func (h *echoHost) seenResumed() []bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]bool(nil), h.resumed...)
}

func (h *echoHost) seenALPN() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.alpn...)
}

func (h *echoHost) rawBytes() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.raw.String()
}

// recordingListener copies every byte its connections read into h.raw.
type recordingListener struct {
	net.Listener
	h *echoHost
}

func (l *recordingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &recordingConn{Conn: c, h: l.h}, nil
}

type recordingConn struct {
	net.Conn
	h *echoHost
}

func (c *recordingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.h.mu.Lock()
	c.h.raw.Write(p[:n])
	c.h.mu.Unlock()
	return n, err
}

// serverTLS is a server configuration presenting leaf.
func serverTLS(leaf testpki.Leaf) *tls.Config {
	return &tls.Config{Certificates: []tls.Certificate{leaf.TLS}}
}

// connectEcho connects to url with opts, checks that a text message comes
// back, and returns the open WebSocket, which is closed when the test ends.
func connectEcho(t *testing.T, url string, opts *websocket.RequestOptions) *websocket.WebSocket {
	t.Helper()
	ws := websocket.CreateWebSocket()
	msgs := make(chan string, 8)
	require.NoError(t, ws.OnMessage(websocket.WebSocketAsyncCallbackFunc[websocket.MessageData](
		func(_ mo.Option[callback.AsyncError], data mo.Option[websocket.MessageData]) {
			select {
			case msgs <- data.OrEmpty().String():
			default:
			}
		})))
	ctx := optCtx(t)
	require.NoError(t, ws.ConnectContext(ctx, url, opts))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), optWait)
		defer cancel()
		assert.NoError(t, ws.CloseContext(ctx, nil))
	})
	require.NoError(t, ws.SendContext(ctx, websocket.StringData("ping over the tunnel")))
	select {
	case m := <-msgs:
		assert.Equal(t, "ping over the tunnel", m)
	case <-ctx.Done():
		t.Fatal("no echo")
	}
	return ws
}

// tryConnect connects to url with opts and returns ConnectContext's error;
// a connection that opens is closed at once.
func tryConnect(t *testing.T, url string, opts *websocket.RequestOptions) error {
	t.Helper()
	ws := websocket.CreateWebSocket()
	ctx := optCtx(t)
	err := ws.ConnectContext(ctx, url, opts)
	if err == nil {
		assert.NoError(t, ws.CloseContext(ctx, nil))
	}
	return err
}

// requireCode checks that err carries code and is a BusinessException.
func requireCode(t *testing.T, err error, code websocket.ErrorCode) {
	t.Helper()
	require.Error(t, err)
	require.ErrorIs(t, err, code, "error: %v", err)
	var be *callback.BusinessException
	require.ErrorAs(t, err, &be)
}

// newProxy starts a testproxy that is closed when the test ends.
func newProxy(t *testing.T, opts testproxy.Options) *testproxy.Proxy {
	t.Helper()
	p, err := testproxy.New(opts)
	require.NoError(t, err)
	t.Cleanup(p.Close)
	return p
}

// proxyOf is the HTTPProxy setting that names p.
func proxyOf(t *testing.T, p *testproxy.Proxy) websocket.HTTPProxy {
	t.Helper()
	host, port, err := net.SplitHostPort(p.Addr())
	require.NoError(t, err)
	n, err := strconv.Atoi(port)
	require.NoError(t, err)
	return websocket.HTTPProxy{Host: host, Port: uint16(n)}
}

// caDir returns a new directory holding only a copy of the CA certificate.
func caDir(t *testing.T, ca *testpki.CA) string {
	t.Helper()
	data, err := os.ReadFile(ca.CertFile)
	require.NoError(t, err)
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "ca.pem"), data, 0o600))
	return dir
}

// TestTLSVerification checks that wss verifies the chain against CAPath
// (file or directory) and the host name, that SkipServerCertVerification
// turns both off, and that an unusable CAPath is 2302002 before any dial.
func TestTLSVerification(t *testing.T) {
	ca := testpki.NewCA(t, "right")
	other := testpki.NewCA(t, "other")
	good := newEchoHost(t, serverTLS(ca.Issue("good", testpki.LeafOptions{})), echoserver.Options{})
	wrongHost := newEchoHost(t, serverTLS(ca.Issue("wronghost", testpki.LeafOptions{DNSNames: []string{"other.example"}})), echoserver.Options{})
	expired := newEchoHost(t, serverTLS(ca.Issue("expired", testpki.LeafOptions{Expired: true})), echoserver.Options{})

	assertVerifyError := func(t *testing.T, err error) {
		t.Helper()
		var cve *tls.CertificateVerificationError
		assert.ErrorAs(t, err, &cve)
		assert.Contains(t, err.Error(), "certificate")
	}

	tests := []struct {
		name   string
		server *echoHost
		host   string
		opts   websocket.RequestOptions
		code   websocket.ErrorCode // 0: the echo works
		check  func(t *testing.T, err error)
	}{
		{name: "CAPath file", server: good, opts: websocket.RequestOptions{CAPath: ca.CertFile}},
		{name: "CAPath directory", server: good, opts: websocket.RequestOptions{CAPath: caDir(t, ca)}},
		{name: "host name localhost", server: good, host: "localhost", opts: websocket.RequestOptions{CAPath: ca.CertFile}},
		{
			name: "wrong CA", server: good, opts: websocket.RequestOptions{CAPath: other.CertFile},
			code: websocket.ErrConnectionFailed,
			check: func(t *testing.T, err error) {
				assertVerifyError(t, err)
				var uae x509.UnknownAuthorityError
				assert.ErrorAs(t, err, &uae)
			},
		},
		{
			name: "empty CAPath uses the system roots", server: good,
			code: websocket.ErrConnectionFailed,
			check: func(t *testing.T, err error) {
				assertVerifyError(t, err)
				var uae x509.UnknownAuthorityError
				assert.ErrorAs(t, err, &uae)
			},
		},
		{
			name: "wrong host name", server: wrongHost, opts: websocket.RequestOptions{CAPath: ca.CertFile},
			code: websocket.ErrConnectionFailed,
			check: func(t *testing.T, err error) {
				assertVerifyError(t, err)
				var he x509.HostnameError
				if assert.ErrorAs(t, err, &he) {
					assert.Equal(t, "127.0.0.1", he.Host)
				}
			},
		},
		{
			name: "expired certificate", server: expired, opts: websocket.RequestOptions{CAPath: ca.CertFile},
			code: websocket.ErrConnectionFailed,
			check: func(t *testing.T, err error) {
				assertVerifyError(t, err)
				var ie x509.CertificateInvalidError
				if assert.ErrorAs(t, err, &ie) {
					assert.Equal(t, x509.Expired, ie.Reason)
				}
			},
		},
		{name: "skip verification with the wrong CA", server: good, opts: websocket.RequestOptions{CAPath: other.CertFile, SkipServerCertVerification: true}},
		{name: "skip verification with the wrong host name", server: wrongHost, opts: websocket.RequestOptions{CAPath: ca.CertFile, SkipServerCertVerification: true}},
		{name: "skip verification of an expired certificate", server: expired, opts: websocket.RequestOptions{SkipServerCertVerification: true}},
		{
			name: "missing CAPath file", server: good,
			opts: websocket.RequestOptions{CAPath: filepath.Join(t.TempDir(), "missing.pem")},
			code: websocket.ErrCertificateNotFound,
		},
		{
			name: "CAPath without a certificate", server: good,
			opts: websocket.RequestOptions{CAPath: ca.Issue("keyonly", testpki.LeafOptions{}).KeyFile},
			code: websocket.ErrCertificateNotFound,
		},
		{
			name: "empty CAPath directory", server: good,
			opts: websocket.RequestOptions{CAPath: t.TempDir()},
			code: websocket.ErrCertificateNotFound,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			host := tt.host
			if host == "" {
				host = "127.0.0.1"
			}
			before := tt.server.conns.Load()
			if tt.code == 0 {
				connectEcho(t, tt.server.url(host), &tt.opts)
				assert.Greater(t, tt.server.conns.Load(), before)
				return
			}
			err := tryConnect(t, tt.server.url(host), &tt.opts)
			requireCode(t, err, tt.code)
			if tt.code == websocket.ErrCertificateNotFound {
				assert.Equal(t, before, tt.server.conns.Load(), "the server was dialed")
			}
			if tt.check != nil {
				tt.check(t, err)
			}
		})
	}
}

// TestClientCertificate checks that ClientCert is presented in every key
// form, and that unusable keys and files fail before any dial.
func TestClientCertificate(t *testing.T) {
	ca := testpki.NewCA(t, "clients")
	stranger := testpki.NewCA(t, "stranger")
	cfg := serverTLS(ca.Issue("server", testpki.LeafOptions{}))
	cfg.ClientCAs = ca.Pool()
	cfg.ClientAuth = tls.RequireAndVerifyClientCert
	srv := newEchoHost(t, cfg, echoserver.Options{})

	ecdsaPlain := ca.Issue("ecdsa-plain", testpki.LeafOptions{Client: true, Key: testpki.ECDSA})
	rsaLegacy := ca.Issue("rsa-legacy", testpki.LeafOptions{Client: true, Key: testpki.RSA, Format: testpki.Legacy, Password: "rsa pass"})
	ecdsaLegacy := ca.Issue("ecdsa-legacy", testpki.LeafOptions{Client: true, Key: testpki.ECDSA, Format: testpki.Legacy, Password: "ec pass"})
	ecdsaPKCS8 := ca.Issue("ecdsa-pkcs8", testpki.LeafOptions{Client: true, Key: testpki.ECDSA, Format: testpki.PKCS8, Password: "p8 pass"})
	edPKCS8 := ca.Issue("ed25519-pkcs8", testpki.LeafOptions{Client: true, Key: testpki.Ed25519, Format: testpki.PKCS8, Password: "ed pass"})
	untrusted := stranger.Issue("untrusted", testpki.LeafOptions{Client: true})
	missing := filepath.Join(t.TempDir(), "missing.pem")

	works := []struct {
		name string
		cert *websocket.ClientCert
		cn   string
	}{
		{"ECDSA plain", &websocket.ClientCert{CertPath: ecdsaPlain.CertFile, KeyPath: ecdsaPlain.KeyFile}, "ecdsa-plain"},
		{"RSA legacy encrypted", &websocket.ClientCert{CertPath: rsaLegacy.CertFile, KeyPath: rsaLegacy.KeyFile, KeyPassword: mo.Some("rsa pass")}, "rsa-legacy"},
		{"ECDSA legacy encrypted", &websocket.ClientCert{CertPath: ecdsaLegacy.CertFile, KeyPath: ecdsaLegacy.KeyFile, KeyPassword: mo.Some("ec pass")}, "ecdsa-legacy"},
		{"ECDSA PKCS#8 encrypted", &websocket.ClientCert{CertPath: ecdsaPKCS8.CertFile, KeyPath: ecdsaPKCS8.KeyFile, KeyPassword: mo.Some("p8 pass")}, "ecdsa-pkcs8"},
		{"Ed25519 PKCS#8 encrypted", &websocket.ClientCert{CertPath: edPKCS8.CertFile, KeyPath: edPKCS8.KeyFile, KeyPassword: mo.Some("ed pass")}, "ed25519-pkcs8"},
		{"password given for a plain key", &websocket.ClientCert{CertPath: ecdsaPlain.CertFile, KeyPath: ecdsaPlain.KeyFile, KeyPassword: mo.Some("unused")}, "ecdsa-plain"},
	}
	for _, tt := range works {
		t.Run(tt.name, func(t *testing.T) {
			before := len(srv.seenPeers())
			connectEcho(t, srv.url("127.0.0.1"), &websocket.RequestOptions{CAPath: ca.CertFile, ClientCert: tt.cert})
			peers := srv.seenPeers()
			require.Len(t, peers, before+1)
			assert.Equal(t, tt.cn, peers[before], "the client certificate the server saw")
		})
	}

	fails := []struct {
		name     string
		cert     *websocket.ClientCert
		code     websocket.ErrorCode
		contains string
		dialed   bool
	}{
		{name: "no client certificate", code: websocket.ErrConnectionFailed, dialed: true},
		{name: "certificate of another CA", cert: &websocket.ClientCert{CertPath: untrusted.CertFile, KeyPath: untrusted.KeyFile},
			code: websocket.ErrConnectionFailed, dialed: true},
		{name: "wrong legacy KeyPassword", cert: &websocket.ClientCert{CertPath: rsaLegacy.CertFile, KeyPath: rsaLegacy.KeyFile, KeyPassword: mo.Some("wrong")},
			code: websocket.ErrParameter, contains: "wrong KeyPassword"},
		{name: "wrong PKCS#8 KeyPassword", cert: &websocket.ClientCert{CertPath: ecdsaPKCS8.CertFile, KeyPath: ecdsaPKCS8.KeyFile, KeyPassword: mo.Some("wrong")},
			code: websocket.ErrParameter, contains: "wrong KeyPassword"},
		{name: "empty KeyPassword for an encrypted key", cert: &websocket.ClientCert{CertPath: edPKCS8.CertFile, KeyPath: edPKCS8.KeyFile, KeyPassword: mo.Some("")},
			code: websocket.ErrParameter, contains: "wrong KeyPassword"},
		{name: "KeyPassword absent for a legacy encrypted key", cert: &websocket.ClientCert{CertPath: rsaLegacy.CertFile, KeyPath: rsaLegacy.KeyFile},
			code: websocket.ErrParameter, contains: "KeyPassword"},
		{name: "KeyPassword absent for a PKCS#8 encrypted key", cert: &websocket.ClientCert{CertPath: ecdsaPKCS8.CertFile, KeyPath: ecdsaPKCS8.KeyFile},
			code: websocket.ErrParameter, contains: "KeyPassword"},
		{name: "key of another certificate", cert: &websocket.ClientCert{CertPath: ecdsaPlain.CertFile, KeyPath: untrusted.KeyFile},
			code: websocket.ErrParameter},
		{name: "missing certificate file", cert: &websocket.ClientCert{CertPath: missing, KeyPath: ecdsaPlain.KeyFile},
			code: websocket.ErrCertificateNotFound},
		{name: "missing key file", cert: &websocket.ClientCert{CertPath: ecdsaPlain.CertFile, KeyPath: missing},
			code: websocket.ErrCertificateNotFound},
	}
	for _, tt := range fails {
		t.Run(tt.name, func(t *testing.T) {
			before := srv.conns.Load()
			peersBefore := len(srv.seenPeers())
			err := tryConnect(t, srv.url("127.0.0.1"), &websocket.RequestOptions{CAPath: ca.CertFile, ClientCert: tt.cert})
			requireCode(t, err, tt.code)
			if tt.contains != "" {
				assert.Contains(t, err.Error(), tt.contains)
			}
			if tt.dialed {
				assert.Greater(t, srv.conns.Load(), before, "the server was not dialed")
			} else {
				assert.Equal(t, before, srv.conns.Load(), "the server was dialed")
			}
			assert.Len(t, srv.seenPeers(), peersBefore, "a request reached the handler")
		})
	}
}

// TestMinTLSVersion checks that MinTLSVersion refuses older servers.
func TestMinTLSVersion(t *testing.T) {
	ca := testpki.NewCA(t, "versions")
	cfg := serverTLS(ca.Issue("tls12", testpki.LeafOptions{}))
	cfg.MaxVersion = tls.VersionTLS12
	tls12 := newEchoHost(t, cfg, echoserver.Options{})
	tls13 := newEchoHost(t, serverTLS(ca.Issue("tls13", testpki.LeafOptions{})), echoserver.Options{})

	tests := []struct {
		name    string
		server  *echoHost
		min     websocket.TLSProtocol
		fails   bool
		version uint16 // the version the server saw
	}{
		{name: "TLSv13 against a TLS 1.2 server", server: tls12, min: websocket.TLSv13, fails: true},
		{name: "TLSv12 against a TLS 1.2 server", server: tls12, min: websocket.TLSv12, version: tls.VersionTLS12},
		{name: "default against a TLS 1.2 server", server: tls12, version: tls.VersionTLS12},
		{name: "TLSv13 against a TLS 1.3 server", server: tls13, min: websocket.TLSv13, version: tls.VersionTLS13},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := &websocket.RequestOptions{CAPath: ca.CertFile, MinTLSVersion: tt.min}
			before := len(tt.server.seenVersions())
			if tt.fails {
				err := tryConnect(t, tt.server.url("127.0.0.1"), opts)
				requireCode(t, err, websocket.ErrConnectionFailed)
				assert.Contains(t, err.Error(), "protocol version")
				assert.Len(t, tt.server.seenVersions(), before, "a request reached the handler")
				return
			}
			connectEcho(t, tt.server.url("127.0.0.1"), opts)
			versions := tt.server.seenVersions()
			require.Len(t, versions, before+1)
			assert.Equal(t, tls.VersionName(tt.version), tls.VersionName(versions[before]))
		})
	}
}

// TestHTTPProxyTunnel checks the CONNECT tunnel for ws and wss and the
// Proxy-Authorization header.
func TestHTTPProxyTunnel(t *testing.T) {
	ca := testpki.NewCA(t, "proxied")
	servers := map[string]*echoHost{
		"ws":  newEchoHost(t, nil, echoserver.Options{}),
		"wss": newEchoHost(t, serverTLS(ca.Issue("proxied", testpki.LeafOptions{})), echoserver.Options{}),
	}
	basic := func(user, password string) string {
		return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+password))
	}
	tests := []struct {
		name     string
		user     mo.Option[string]
		password string
		wantAuth string
	}{
		{name: "no username", password: "ignored"},
		{name: "username and password", user: mo.Some("u"), password: "p", wantAuth: basic("u", "p")},
		{name: "username without password", user: mo.Some("u"), wantAuth: basic("u", "")},
		{name: "empty username", user: mo.Some(""), password: "p", wantAuth: basic("", "p")},
	}
	for _, scheme := range []string{"ws", "wss"} {
		srv := servers[scheme]
		for _, tt := range tests {
			t.Run(scheme+"/"+tt.name, func(t *testing.T) {
				p := newProxy(t, testproxy.Options{})
				hp := proxyOf(t, p)
				hp.Username, hp.Password = tt.user, tt.password
				before := len(srv.echo.Requests())
				connectEcho(t, srv.url("127.0.0.1"), &websocket.RequestOptions{CAPath: ca.CertFile, Proxy: hp})
				reqs := p.Requests()
				require.Len(t, reqs, 1)
				assert.Equal(t, srv.addr(), reqs[0].Authority)
				assert.Equal(t, tt.wantAuth, reqs[0].Auth, "Proxy-Authorization")
				assert.Len(t, srv.echo.Requests(), before+1, "the handshake did not reach the server")
			})
		}
	}
}

// TestHTTPProxyRefusal checks that a proxy's refusal is a *ProxyError that
// names the status and never the credentials.
func TestHTTPProxyRefusal(t *testing.T) {
	srv := newEchoHost(t, nil, echoserver.Options{})
	tests := []struct {
		name   string
		proxy  testproxy.Options
		user   string
		pass   string
		status int
	}{
		{name: "wrong credentials", proxy: testproxy.Options{Username: "alice", Password: "opensesame"}, user: "mallory", pass: "hunter2", status: http.StatusProxyAuthRequired},
		{name: "no credentials", proxy: testproxy.Options{Username: "alice", Password: "opensesame"}, status: http.StatusProxyAuthRequired},
		{name: "forbidden", proxy: testproxy.Options{Status: http.StatusForbidden}, user: "mallory", pass: "hunter2", status: http.StatusForbidden},
		{name: "bad gateway", proxy: testproxy.Options{Status: http.StatusBadGateway}, user: "mallory", pass: "hunter2", status: http.StatusBadGateway},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newProxy(t, tt.proxy)
			hp := proxyOf(t, p)
			if tt.user != "" {
				hp.Username, hp.Password = mo.Some(tt.user), tt.pass
			}
			err := tryConnect(t, srv.url("127.0.0.1"), &websocket.RequestOptions{Proxy: hp})
			requireCode(t, err, websocket.ErrConnectionFailed)
			var pe *websocket.ProxyError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, tt.status, pe.StatusCode)
			assert.Equal(t, p.Addr(), pe.Proxy)
			code := strconv.Itoa(tt.status)
			assert.Contains(t, pe.Status, code)
			assert.Contains(t, err.Error(), code)
			if tt.user != "" {
				reqs := p.Requests()
				require.Len(t, reqs, 1)
				require.Equal(t, tt.user, reqs[0].User, "the credentials were not sent")
				assert.NotContains(t, err.Error(), tt.user)
				assert.NotContains(t, err.Error(), tt.pass)
				assert.NotContains(t, err.Error(), base64.StdEncoding.EncodeToString([]byte(tt.user+":"+tt.pass)))
			}
			assert.Empty(t, srv.echo.Requests(), "the server was reached")
		})
	}
}

// TestHTTPProxyExclusionList checks which exclusion entries bypass the proxy.
func TestHTTPProxyExclusionList(t *testing.T) {
	srv := newEchoHost(t, nil, echoserver.Options{})
	tests := []struct {
		name    string
		host    string
		list    []string
		proxied bool
	}{
		{name: "exact IP", host: "127.0.0.1", list: []string{"127.0.0.1"}},
		{name: "star alone", host: "127.0.0.1", list: []string{"*"}},
		{name: "wildcard", host: "127.0.0.1", list: []string{"127.0.0.*"}},
		{name: "second entry", host: "127.0.0.1", list: []string{"example.com", "127.0.0.1"}},
		{name: "entry with spaces", host: "127.0.0.1", list: []string{" 127.0.0.1 "}},
		{name: "exact name", host: "localhost", list: []string{"localhost"}},
		{name: "name in another case", host: "localhost", list: []string{"LocalHost"}},
		{name: "URL host in another case", host: "LOCALHOST", list: []string{"localhost"}},
		{name: "leading dot matches the domain itself", host: "localhost", list: []string{".localhost"}},
		{name: "wildcard name", host: "localhost", list: []string{"local*"}},
		{name: "other IP", host: "127.0.0.1", list: []string{"127.0.0.2"}, proxied: true},
		{name: "wildcard that does not match", host: "127.0.0.1", list: []string{"10.*"}, proxied: true},
		{name: "subdomain wildcard does not match the domain", host: "localhost", list: []string{"*.localhost"}, proxied: true},
		{name: "prefix of the name", host: "localhost", list: []string{"local"}, proxied: true},
		{name: "empty list", host: "127.0.0.1", proxied: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newProxy(t, testproxy.Options{})
			hp := proxyOf(t, p)
			hp.ExclusionList = tt.list
			connectEcho(t, srv.url(tt.host), &websocket.RequestOptions{Proxy: hp})
			if !tt.proxied {
				assert.Empty(t, p.Requests(), "the proxy was used")
				return
			}
			reqs := p.Requests()
			require.Len(t, reqs, 1, "the proxy was not used")
			assert.Equal(t, net.JoinHostPort(tt.host, srv.port()), reqs[0].Authority)
		})
	}
}

// TestHTTPProxyCancel checks that cancelling ConnectContext aborts a
// CONNECT that the proxy never answers, promptly and without leaks.
func TestHTTPProxyCancel(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())

	p, err := testproxy.New(testproxy.Options{Hang: true})
	require.NoError(t, err)
	defer p.Close()

	ws := websocket.CreateWebSocket()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	opts := &websocket.RequestOptions{Proxy: proxyOf(t, p)}
	errc := make(chan error, 1)
	go func() { errc <- ws.ConnectContext(ctx, "ws://ws.example.invalid/", opts) }()

	select {
	case r := <-p.Asked:
		assert.Equal(t, "ws.example.invalid:80", r.Authority)
	case err := <-errc:
		t.Fatalf("ConnectContext returned before the proxy was asked: %v", err)
	case <-time.After(optWait):
		t.Fatal("the proxy was not asked")
	}
	cancel()
	start := time.Now()
	select {
	case err := <-errc:
		assert.ErrorIs(t, err, context.Canceled)
		assert.Less(t, time.Since(start), 2*time.Second)
	case <-time.After(optWait):
		t.Fatal("ConnectContext did not return after cancel")
	}
}

// TestHTTPProxyHandshakeTimeout checks that HandshakeTimeout bounds the
// proxy step.
func TestHTTPProxyHandshakeTimeout(t *testing.T) {
	p := newProxy(t, testproxy.Options{Hang: true})
	start := time.Now()
	err := tryConnect(t, "ws://ws.example.invalid/", &websocket.RequestOptions{
		Proxy:            proxyOf(t, p),
		HandshakeTimeout: 200 * time.Millisecond,
	})
	elapsed := time.Since(start)
	requireCode(t, err, websocket.ErrConnectionFailed)
	assert.Contains(t, err.Error(), "timed out")
	assert.GreaterOrEqual(t, elapsed, 150*time.Millisecond)
	assert.Less(t, elapsed, 5*time.Second)
	assert.Len(t, p.Requests(), 1, "the proxy was not asked")
}

// clearProxyEnv empties every variable the system proxy reads.
func clearProxyEnv(t *testing.T) {
	for _, k := range []string{"HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy", "REQUEST_METHOD"} {
		t.Setenv(k, "")
	}
}

// TestSystemProxy checks the proxy taken from HTTP_PROXY, HTTPS_PROXY and
// NO_PROXY, NoProxy, and that errors hide the password of the proxy URL. It
// sets environment variables, so it cannot run in parallel.
func TestSystemProxy(t *testing.T) {
	ca := testpki.NewCA(t, "system")
	plain := newEchoHost(t, nil, echoserver.Options{})
	secure := newEchoHost(t, serverTLS(ca.Issue("invalid-name", testpki.LeafOptions{DNSNames: []string{"ws.example.invalid"}})), echoserver.Options{})

	t.Run("HTTP_PROXY for ws", func(t *testing.T) {
		clearProxyEnv(t)
		httpProxy := newProxy(t, testproxy.Options{Upstream: plain.addr()})
		httpsProxy := newProxy(t, testproxy.Options{Upstream: plain.addr()})
		t.Setenv("HTTP_PROXY", "http://u:p@"+httpProxy.Addr())
		t.Setenv("HTTPS_PROXY", "http://"+httpsProxy.Addr())
		before := len(plain.echo.Requests())
		connectEcho(t, "ws://ws.example.invalid:8080/x", nil)
		reqs := httpProxy.Requests()
		require.Len(t, reqs, 1)
		assert.Equal(t, "ws.example.invalid:8080", reqs[0].Authority)
		assert.Equal(t, "u", reqs[0].User)
		assert.Equal(t, "p", reqs[0].Password)
		assert.Empty(t, httpsProxy.Requests(), "HTTPS_PROXY was used for ws")
		got := plain.echo.Requests()
		require.Len(t, got, before+1)
		assert.Equal(t, "/x", got[before].URI)
	})

	t.Run("HTTPS_PROXY for wss", func(t *testing.T) {
		clearProxyEnv(t)
		httpsProxy := newProxy(t, testproxy.Options{Upstream: secure.addr()})
		httpProxy := newProxy(t, testproxy.Options{Upstream: secure.addr()})
		t.Setenv("HTTPS_PROXY", "http://"+httpsProxy.Addr())
		t.Setenv("HTTP_PROXY", "http://"+httpProxy.Addr())
		connectEcho(t, "wss://ws.example.invalid:8443/", &websocket.RequestOptions{CAPath: ca.CertFile})
		reqs := httpsProxy.Requests()
		require.Len(t, reqs, 1)
		assert.Equal(t, "ws.example.invalid:8443", reqs[0].Authority)
		assert.Empty(t, reqs[0].Auth)
		assert.Empty(t, httpProxy.Requests(), "HTTP_PROXY was used for wss")
	})

	t.Run("lower-case http_proxy", func(t *testing.T) {
		clearProxyEnv(t)
		p := newProxy(t, testproxy.Options{Upstream: plain.addr()})
		t.Setenv("http_proxy", "http://"+p.Addr())
		connectEcho(t, "ws://ws.example.invalid:8080/", nil)
		reqs := p.Requests()
		require.Len(t, reqs, 1)
		assert.Equal(t, "ws.example.invalid:8080", reqs[0].Authority)
	})

	unresolvable := []struct {
		name  string
		env   map[string]string
		proxy websocket.ProxyConfiguration
	}{
		{name: "NO_PROXY names the host", env: map[string]string{"NO_PROXY": "ws.example.invalid"}},
		{name: "NO_PROXY names the domain", env: map[string]string{"NO_PROXY": ".example.invalid"}},
		{name: "NoProxy ignores the environment", proxy: websocket.NoProxy{}},
	}
	for _, tt := range unresolvable {
		t.Run(tt.name, func(t *testing.T) {
			clearProxyEnv(t)
			p := newProxy(t, testproxy.Options{Upstream: plain.addr()})
			t.Setenv("HTTP_PROXY", "http://"+p.Addr())
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			err := tryConnect(t, "ws://ws.example.invalid:8080/", &websocket.RequestOptions{Proxy: tt.proxy, HandshakeTimeout: 3 * time.Second})
			requireCode(t, err, websocket.ErrConnectionFailed)
			var dnsErr *net.DNSError
			assert.ErrorAs(t, err, &dnsErr, "the client did not look the host up itself")
			assert.Empty(t, p.Requests(), "the proxy was used")
		})
	}

	loopback := []struct {
		name  string
		host  string
		proxy websocket.ProxyConfiguration
	}{
		{name: "loopback IP is never proxied", host: "127.0.0.1"},
		{name: "localhost is never proxied", host: "localhost"},
		{name: "SystemProxy value", host: "127.0.0.1", proxy: websocket.SystemProxy{}},
		{name: "NoProxy with a loopback target", host: "127.0.0.1", proxy: websocket.NoProxy{}},
	}
	for _, tt := range loopback {
		t.Run(tt.name, func(t *testing.T) {
			clearProxyEnv(t)
			p := newProxy(t, testproxy.Options{Status: http.StatusForbidden})
			t.Setenv("HTTP_PROXY", "http://"+p.Addr())
			connectEcho(t, plain.url(tt.host), &websocket.RequestOptions{Proxy: tt.proxy})
			assert.Empty(t, p.Requests(), "the proxy was used")
		})
	}

	t.Run("errors hide the password from the environment", func(t *testing.T) {
		const password = "s3cr3t-pw"
		dead := newProxy(t, testproxy.Options{})
		deadAddr := dead.Addr()
		dead.Close() // nothing listens there any more
		tests := []struct {
			name  string
			proxy func(t *testing.T) string
		}{
			{"proxy refuses the credentials", func(t *testing.T) string {
				p := newProxy(t, testproxy.Options{Username: "alice", Password: "other"})
				return "http://u:" + password + "@" + p.Addr()
			}},
			{"proxy forbids the tunnel", func(t *testing.T) string {
				p := newProxy(t, testproxy.Options{Status: http.StatusForbidden})
				return "http://u:" + password + "@" + p.Addr()
			}},
			{"proxy hangs up", func(t *testing.T) string {
				ln, err := net.Listen("tcp", "127.0.0.1:0")
				require.NoError(t, err)
				done := make(chan struct{})
				go func() {
					defer close(done)
					for {
						c, err := ln.Accept()
						if err != nil {
							return
						}
						c.Close()
					}
				}()
				t.Cleanup(func() { ln.Close(); <-done })
				return "http://u:" + password + "@" + ln.Addr().String()
			}},
			{"proxy not listening", func(t *testing.T) string {
				return "http://u:" + password + "@" + deadAddr
			}},
			{"proxy scheme not supported", func(t *testing.T) string {
				return "ftp://u:" + password + "@" + deadAddr
			}},
			{"SOCKS5 proxy not listening", func(t *testing.T) string {
				return "socks5://u:" + password + "@" + deadAddr
			}},
			{"proxy URL that does not parse (ignored, as net/http does)", func(t *testing.T) string {
				return "http://u:" + password + "@" + deadAddr + "/\x7f"
			}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				clearProxyEnv(t)
				t.Setenv("HTTP_PROXY", tt.proxy(t))
				err := tryConnect(t, "ws://ws.example.invalid:8080/", &websocket.RequestOptions{HandshakeTimeout: 3 * time.Second})
				requireCode(t, err, websocket.ErrConnectionFailed)
				assert.NotContains(t, err.Error(), password)
				for e := errors.Unwrap(err); e != nil; e = errors.Unwrap(e) {
					assert.NotContains(t, e.Error(), password, "a wrapped cause shows the password")
				}
			})
		}
	})
}

// TestProtocolOption checks the offered subprotocols, the negotiated one,
// and the refusal of one that was not offered.
func TestProtocolOption(t *testing.T) {
	tests := []struct {
		name     string
		server   echoserver.Options
		offer    string
		sent     string // the Sec-WebSocket-Protocol request header
		chosen   string
		rejected string // the protocol named in the HandshakeError
	}{
		{name: "one offered, chosen", server: echoserver.Options{Subprotocols: []string{"chat"}}, offer: "chat", sent: "chat", chosen: "chat"},
		{name: "list offered, server's choice", server: echoserver.Options{Subprotocols: []string{"superchat", "chat"}}, offer: "chat, superchat", sent: "chat, superchat", chosen: "superchat"},
		{name: "list without spaces", server: echoserver.Options{Subprotocols: []string{"b"}}, offer: "a,b", sent: "a, b", chosen: "b"},
		{name: "none in common", server: echoserver.Options{Subprotocols: []string{"x"}}, offer: "chat", sent: "chat", chosen: ""},
		{name: "nothing offered", server: echoserver.Options{Subprotocols: []string{"chat"}}},
		{name: "server picks one not offered", server: echoserver.Options{ForceSubprotocol: "evil"}, offer: "chat", sent: "chat", rejected: "evil"},
		{name: "server picks one when none was offered", server: echoserver.Options{ForceSubprotocol: "evil"}, rejected: "evil"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newEchoHost(t, nil, tt.server)
			opts := &websocket.RequestOptions{Protocol: tt.offer}
			if tt.rejected != "" {
				err := tryConnect(t, srv.url("127.0.0.1"), opts)
				requireCode(t, err, websocket.ErrConnectionFailed)
				var he *websocket.HandshakeError
				require.ErrorAs(t, err, &he)
				assert.Contains(t, he.Reason, strconv.Quote(tt.rejected))
				assert.Contains(t, he.Reason, "not offered")
				assert.Equal(t, http.StatusSwitchingProtocols, he.StatusCode)
			} else {
				ws := connectEcho(t, srv.url("127.0.0.1"), opts)
				assert.Equal(t, tt.chosen, ws.Protocol())
			}
			reqs := srv.echo.Requests()
			require.Len(t, reqs, 1)
			assert.Equal(t, tt.sent, reqs[0].Header.Get("Sec-WebSocket-Protocol"))
			assert.Len(t, reqs[0].Header.Values("Sec-WebSocket-Protocol"), min(1, len(tt.sent)))
		})
	}
}

// TestHeaderOption checks that extra header fields are sent with their
// names as given, that "Host" replaces the Host header, and that the
// handshake's own fields and malformed ones are 401 before any dial.
func TestHeaderOption(t *testing.T) {
	t.Run("sent as given", func(t *testing.T) {
		srv := newEchoHost(t, nil, echoserver.Options{})
		connectEcho(t, srv.url("127.0.0.1"), &websocket.RequestOptions{Header: map[string]string{
			"X-Custom-Token": "abc",
			"x-lower-case":   "low",
			"X-MIXED-Case":   "a b, c",
			"User-Agent":     "options-test/1",
		}})
		reqs := srv.echo.Requests()
		require.Len(t, reqs, 1)
		h := reqs[0].Header
		assert.Equal(t, "abc", h.Get("X-Custom-Token"))
		assert.Equal(t, "low", h.Get("X-Lower-Case"))
		assert.Equal(t, "a b, c", h.Get("X-Mixed-Case"))
		assert.Equal(t, []string{"options-test/1"}, h.Values("User-Agent"))
		raw := srv.rawBytes()
		for _, line := range []string{"\r\nX-Custom-Token: abc\r\n", "\r\nx-lower-case: low\r\n", "\r\nX-MIXED-Case: a b, c\r\n"} {
			assert.Contains(t, raw, line, "the header name was not sent as given")
		}
	})

	hosts := []struct {
		name, key, value string
	}{
		{"Host", "Host", "example.test:1234"},
		{"host in lower case", "host", "example.test"},
	}
	for _, tt := range hosts {
		t.Run(tt.name, func(t *testing.T) {
			srv := newEchoHost(t, nil, echoserver.Options{})
			connectEcho(t, srv.url("127.0.0.1"), &websocket.RequestOptions{Header: map[string]string{tt.key: tt.value}})
			reqs := srv.echo.Requests()
			require.Len(t, reqs, 1)
			assert.Equal(t, tt.value, reqs[0].Host)
			assert.Equal(t, 1, strings.Count(strings.ToLower(srv.rawBytes()), "\r\nhost: "), "one Host header")
		})
	}

	srv := newEchoHost(t, nil, echoserver.Options{})
	forbidden := []string{
		"Upgrade", "connection", "Sec-WebSocket-Key", "sec-websocket-protocol", "Content-Length",
		"Sec-WebSocket-Version", "sec-websocket-extensions", "Transfer-Encoding", "Sec-WebSocket-Accept",
		"Bad Name", "X-Colon:", "",
	}
	for _, name := range forbidden {
		t.Run("refused "+strconv.Quote(name), func(t *testing.T) {
			before := srv.conns.Load()
			err := tryConnect(t, srv.url("127.0.0.1"), &websocket.RequestOptions{Header: map[string]string{name: "x"}})
			requireCode(t, err, websocket.ErrParameter)
			assert.Equal(t, before, srv.conns.Load(), "the server was dialed")
		})
	}
	values := []string{"a\r\nX-Injected: 1", "a\nb", "a\x00b"}
	for _, v := range values {
		t.Run("refused value "+strconv.Quote(v), func(t *testing.T) {
			before := srv.conns.Load()
			err := tryConnect(t, srv.url("127.0.0.1"), &websocket.RequestOptions{Header: map[string]string{"X-Value": v}})
			requireCode(t, err, websocket.ErrParameter)
			assert.Equal(t, before, srv.conns.Load(), "the server was dialed")
		})
	}
}

// TestOriginOption checks the Origin the handshake sends: the platform's
// (scheme ws → http, wss → https, the host, the port only with
// SupportOriginPort), the caller's own Origin instead, or none for an empty
// one (see RequestOptions.SupportOriginPort).
func TestOriginOption(t *testing.T) {
	ca := testpki.NewCA(t, "origin")
	plain := newEchoHost(t, nil, echoserver.Options{})
	secure := newEchoHost(t, serverTLS(ca.Issue("origin", testpki.LeafOptions{})), echoserver.Options{})
	tests := []struct {
		name   string
		srv    *echoHost
		host   string
		opts   websocket.RequestOptions
		origin []string // the Origin values the server saw
	}{
		{name: "ws without the port", srv: plain, host: "127.0.0.1", origin: []string{"http://127.0.0.1"}},
		{name: "ws with SupportOriginPort", srv: plain, host: "127.0.0.1", opts: websocket.RequestOptions{SupportOriginPort: true},
			origin: []string{"http://127.0.0.1:" + plain.port()}},
		{name: "host name kept as written", srv: plain, host: "LocalHost", origin: []string{"http://LocalHost"}},
		{name: "wss maps to https", srv: secure, host: "127.0.0.1", origin: []string{"https://127.0.0.1"}},
		{name: "wss with SupportOriginPort", srv: secure, host: "localhost", opts: websocket.RequestOptions{SupportOriginPort: true},
			origin: []string{"https://localhost:" + secure.port()}},
		{name: "the caller's Origin wins", srv: plain, host: "127.0.0.1",
			opts:   websocket.RequestOptions{SupportOriginPort: true, Header: map[string]string{"Origin": "https://app.example"}},
			origin: []string{"https://app.example"}},
		{name: "the caller's origin in lower case", srv: plain, host: "127.0.0.1",
			opts:   websocket.RequestOptions{Header: map[string]string{"origin": "https://app.example"}},
			origin: []string{"https://app.example"}},
		{name: "an empty Origin sends none", srv: plain, host: "127.0.0.1",
			opts: websocket.RequestOptions{Header: map[string]string{"ORIGIN": ""}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(tt.srv.echo.Requests())
			opts := tt.opts
			opts.CAPath = ca.CertFile
			require.NoError(t, tryConnect(t, tt.srv.url(tt.host), &opts))
			reqs := tt.srv.echo.Requests()
			require.Len(t, reqs, before+1)
			assert.Equal(t, tt.origin, reqs[before].Header.Values("Origin"))
		})
	}
}

// TestOriginSameOriginCheck: a server that requires the Origin to match its
// Host (gorilla's default Upgrader) refuses the platform's Origin on a
// non-default port, and accepts it with SupportOriginPort.
func TestOriginSameOriginCheck(t *testing.T) {
	var up gorilla.Upgrader // CheckOrigin nil: same origin only
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer c.Close()
		for {
			typ, p, err := c.ReadMessage()
			if err != nil || c.WriteMessage(typ, p) != nil {
				return
			}
		}
	}))
	t.Cleanup(srv.Close)
	url := "ws" + strings.TrimPrefix(srv.URL, "http") + "/"

	err := tryConnect(t, url, nil)
	requireCode(t, err, websocket.ErrConnectionFailed)
	var he *websocket.HandshakeError
	require.ErrorAs(t, err, &he)
	assert.Equal(t, http.StatusForbidden, he.StatusCode)

	connectEcho(t, url, &websocket.RequestOptions{SupportOriginPort: true})
}

// TestCookieJar checks RequestOptions.Jar: a cookie the server sets on the
// 101, or on a refusal, is stored and sent with the next handshake; the
// jar sees a ws URL as http and a wss URL as https; a Cookie entry of
// Header goes in the same Cookie header.
func TestCookieJar(t *testing.T) {
	ca := testpki.NewCA(t, "cookies")
	setting := func(cookies ...string) http.Header { return http.Header{"Set-Cookie": cookies} }
	plain := newEchoHost(t, nil, echoserver.Options{ResponseHeader: setting("session=abc; Path=/")})
	secure := newEchoHost(t, serverTLS(ca.Issue("cookies", testpki.LeafOptions{})),
		echoserver.Options{ResponseHeader: setting("secret=s1; Path=/; Secure", "plain=p1; Path=/")})
	refusing := newEchoHost(t, nil, echoserver.Options{RefuseStatus: http.StatusUnauthorized,
		RefuseHeader: setting("retry=r1; Path=/")})
	lastCookies := func(h *echoHost) []string {
		reqs := h.echo.Requests()
		require.NotEmpty(t, reqs)
		return reqs[len(reqs)-1].Header.Values("Cookie")
	}
	newJar := func(t *testing.T) http.CookieJar {
		jar, err := cookiejar.New(nil)
		require.NoError(t, err)
		return jar
	}

	t.Run("the 101's cookie goes with the next handshake", func(t *testing.T) {
		jar := newJar(t)
		opts := &websocket.RequestOptions{Jar: jar}
		require.NoError(t, tryConnect(t, plain.url("127.0.0.1"), opts))
		assert.Empty(t, lastCookies(plain), "the first handshake had a cookie")
		require.NoError(t, tryConnect(t, plain.url("127.0.0.1"), opts))
		assert.Equal(t, []string{"session=abc"}, lastCookies(plain))
	})

	t.Run("a refusal's cookie is stored", func(t *testing.T) {
		jar := newJar(t)
		err := tryConnect(t, refusing.url("127.0.0.1"), &websocket.RequestOptions{Jar: jar})
		requireCode(t, err, websocket.ErrConnectionFailed)
		u, _ := url.Parse(refusing.url("127.0.0.1"))
		u.Scheme = "http"
		cs := jar.Cookies(u)
		require.Len(t, cs, 1)
		assert.Equal(t, "retry", cs[0].Name)
		assert.Equal(t, "r1", cs[0].Value)
	})

	t.Run("ws is seen as http and wss as https", func(t *testing.T) {
		for _, tt := range []struct {
			srv    *echoHost
			url    string
			scheme string
		}{
			{plain, plain.url("127.0.0.1") + "chat?room=1", "http"},
			{secure, secure.url("localhost") + "chat?room=1", "https"},
		} {
			jar := &recordingJar{}
			require.NoError(t, tryConnect(t, tt.url, &websocket.RequestOptions{Jar: jar, CAPath: ca.CertFile}))
			want := strings.Replace(tt.url, strings.SplitN(tt.url, ":", 2)[0], tt.scheme, 1)
			assert.Equal(t, []string{want}, jar.asked, "Cookies was asked for")
			assert.Equal(t, []string{want}, jar.stored, "SetCookies was given")
		}
	})

	t.Run("a Cookie entry of Header shares the Cookie header", func(t *testing.T) {
		jar := newJar(t)
		u, _ := url.Parse("http://127.0.0.1/")
		jar.SetCookies(u, []*http.Cookie{{Name: "fromjar", Value: "j"}})
		require.NoError(t, tryConnect(t, plain.url("127.0.0.1"), &websocket.RequestOptions{Jar: jar,
			Header: map[string]string{"cookie": "own=o"}}))
		assert.Equal(t, []string{"own=o; fromjar=j"}, lastCookies(plain))
	})

	t.Run("no jar: only the Cookie entry, nothing stored", func(t *testing.T) {
		require.NoError(t, tryConnect(t, plain.url("127.0.0.1"), &websocket.RequestOptions{
			Header: map[string]string{"Cookie": "own=o"}}))
		assert.Equal(t, []string{"own=o"}, lastCookies(plain))
	})
}

// recordingJar is a cookie jar that records the URLs it is asked about and
// holds nothing.
type recordingJar struct {
	mu            sync.Mutex
	asked, stored []string
}

func (j *recordingJar) Cookies(u *url.URL) []*http.Cookie {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.asked = append(j.asked, u.String())
	return nil
}

func (j *recordingJar) SetCookies(u *url.URL, cookies []*http.Cookie) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.stored = append(j.stored, u.String())
}
