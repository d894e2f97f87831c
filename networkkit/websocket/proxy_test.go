package websocket_test

// End-to-end tests of HTTPS proxies (HTTPProxy.HTTPS, https:// proxy URLs of
// the environment, RequestOptions.ProxyTLSConfig) and of
// RequestOptions.ProxyConnectHeader. The HTTP proxy over plain TCP is
// tested in options_test.go.

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/samber/mo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/cangjie-go/ohos/internal/echoserver"
	"github.com/cangjie-go/ohos/internal/testpki"
	"github.com/cangjie-go/ohos/internal/testproxy"
	"github.com/cangjie-go/ohos/networkkit/websocket"
)

// httpsProxy starts a testproxy over TLS with a certificate of its own CA,
// and returns it with the HTTPProxy setting that names it and a
// ProxyTLSConfig that trusts it.
func httpsProxy(t *testing.T, opts testproxy.Options) (*testproxy.Proxy, websocket.HTTPProxy, *tls.Config) {
	t.Helper()
	ca := testpki.NewCA(t, "proxy-ca")
	opts.TLS = serverTLS(ca.Issue("proxy", testpki.LeafOptions{}))
	p := newProxy(t, opts)
	hp := proxyOf(t, p)
	hp.HTTPS = true
	return p, hp, &tls.Config{RootCAs: ca.Pool()}
}

// assertNoSecret checks that neither err nor any error it wraps shows
// secret.
func assertNoSecret(t *testing.T, err error, secrets ...string) {
	t.Helper()
	for e := err; e != nil; e = errors.Unwrap(e) {
		for _, s := range secrets {
			assert.NotContains(t, e.Error(), s, "an error shows a credential")
		}
	}
	var be interface{ Unwrap() []error }
	if errors.As(err, &be) {
		for _, e := range be.Unwrap() {
			assertNoSecret(t, e, secrets...)
		}
	}
}

// TestHTTPSProxy: an explicit HTTPS proxy carries ws and wss, with Basic
// credentials; its TLS is verified with ProxyTLSConfig and the server's
// with the server's options, each alone.
func TestHTTPSProxy(t *testing.T) {
	serverCA := testpki.NewCA(t, "server-ca")
	servers := map[string]*echoHost{
		"ws":  newEchoHost(t, nil, echoserver.Options{}),
		"wss": newEchoHost(t, serverTLS(serverCA.Issue("server", testpki.LeafOptions{})), echoserver.Options{}),
	}
	for _, scheme := range []string{"ws", "wss"} {
		t.Run(scheme, func(t *testing.T) {
			srv := servers[scheme]
			p, hp, proxyTLS := httpsProxy(t, testproxy.Options{Username: "alice", Password: "s3cr3t"})
			hp.Username, hp.Password = mo.Some("alice"), "s3cr3t"
			connectEcho(t, srv.url("127.0.0.1"), &websocket.RequestOptions{Proxy: hp, ProxyTLSConfig: proxyTLS, CAPath: serverCA.CertFile})
			reqs := p.Requests()
			require.Len(t, reqs, 1)
			assert.Equal(t, srv.addr(), reqs[0].Authority)
			assert.Equal(t, "alice", reqs[0].User)
		})
	}

	t.Run("the server's CA does not make the proxy trusted", func(t *testing.T) {
		p, hp, _ := httpsProxy(t, testproxy.Options{})
		for _, opts := range []*websocket.RequestOptions{
			{Proxy: hp},
			{Proxy: hp, CAPath: serverCA.CertFile},
			{Proxy: hp, SkipServerCertVerification: true},
			{Proxy: hp, TLSClientConfig: &tls.Config{InsecureSkipVerify: true}},
		} {
			err := tryConnect(t, servers["wss"].url("127.0.0.1"), opts)
			requireCode(t, err, websocket.ErrConnectionFailed)
			assert.Contains(t, err.Error(), "tls handshake with proxy "+p.Addr())
		}
		assert.Empty(t, p.Requests(), "CONNECT went to an unverified proxy")
	})

	t.Run("the proxy's CA does not make the server trusted", func(t *testing.T) {
		_, hp, proxyTLS := httpsProxy(t, testproxy.Options{})
		err := tryConnect(t, servers["wss"].url("127.0.0.1"), &websocket.RequestOptions{Proxy: hp, ProxyTLSConfig: proxyTLS})
		requireCode(t, err, websocket.ErrConnectionFailed)
		assert.NotContains(t, err.Error(), "proxy")
	})

	t.Run("the proxy is verified for its host", func(t *testing.T) {
		_, hp, proxyTLS := httpsProxy(t, testproxy.Options{})
		proxyTLS.ServerName = "other.example"
		err := tryConnect(t, servers["ws"].url("127.0.0.1"), &websocket.RequestOptions{Proxy: hp, ProxyTLSConfig: proxyTLS})
		requireCode(t, err, websocket.ErrConnectionFailed)
		assert.Contains(t, err.Error(), "other.example")
	})

	t.Run("ProxyTLSConfig is cloned", func(t *testing.T) {
		_, hp, proxyTLS := httpsProxy(t, testproxy.Options{})
		proxyTLS.NextProtos = []string{"h2"}
		connectEcho(t, servers["ws"].url("127.0.0.1"), &websocket.RequestOptions{Proxy: hp, ProxyTLSConfig: proxyTLS})
		assert.Empty(t, proxyTLS.ServerName)
		assert.Equal(t, []string{"h2"}, proxyTLS.NextProtos)
	})
}

// TestHTTPSProxyFromEnvironment: an https:// proxy URL of the environment is
// reached over TLS, verified with ProxyTLSConfig.
func TestHTTPSProxyFromEnvironment(t *testing.T) {
	serverCA := testpki.NewCA(t, "env-server")
	secure := newEchoHost(t, serverTLS(serverCA.Issue("server", testpki.LeafOptions{DNSNames: []string{"ws.example.invalid"}})), echoserver.Options{})
	p, _, proxyTLS := httpsProxy(t, testproxy.Options{Upstream: secure.addr(), Username: "u", Password: "pw"})
	clearProxyEnv(t)
	t.Setenv("HTTPS_PROXY", "https://u:pw@"+p.Addr())
	connectEcho(t, "wss://ws.example.invalid:8443/", &websocket.RequestOptions{ProxyTLSConfig: proxyTLS, CAPath: serverCA.CertFile})
	reqs := p.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, "ws.example.invalid:8443", reqs[0].Authority)
	assert.Equal(t, "pw", reqs[0].Password)

	// Without ProxyTLSConfig the proxy's certificate is not trusted.
	err := tryConnect(t, "wss://ws.example.invalid:8443/", &websocket.RequestOptions{CAPath: serverCA.CertFile})
	requireCode(t, err, websocket.ErrConnectionFailed)
	assert.Contains(t, err.Error(), "tls handshake with proxy")
	assertNoSecret(t, err, "pw")
}

// TestProxyConnectHeader: the extra fields reach the proxy, for HTTP and
// HTTPS proxies; a Proxy-Authorization of its own is sent when the proxy
// has no credentials and refused when it has some.
func TestProxyConnectHeader(t *testing.T) {
	srv := newEchoHost(t, nil, echoserver.Options{})
	header := map[string]string{"X-Tenant": "blue", "user-agent": "proxy-test/1"}
	t.Run("HTTP proxy", func(t *testing.T) {
		p := newProxy(t, testproxy.Options{})
		connectEcho(t, srv.url("127.0.0.1"), &websocket.RequestOptions{Proxy: proxyOf(t, p), ProxyConnectHeader: header})
		reqs := p.Requests()
		require.Len(t, reqs, 1)
		assert.Equal(t, "blue", reqs[0].Header.Get("X-Tenant"))
		assert.Equal(t, []string{"proxy-test/1"}, reqs[0].Header.Values("User-Agent"))
		assert.NotContains(t, srv.echo.Requests()[len(srv.echo.Requests())-1].Header, "X-Tenant", "the server got the proxy's header")
	})
	t.Run("HTTPS proxy", func(t *testing.T) {
		p, hp, proxyTLS := httpsProxy(t, testproxy.Options{})
		connectEcho(t, srv.url("127.0.0.1"), &websocket.RequestOptions{Proxy: hp, ProxyTLSConfig: proxyTLS, ProxyConnectHeader: header})
		reqs := p.Requests()
		require.Len(t, reqs, 1)
		assert.Equal(t, "blue", reqs[0].Header.Get("X-Tenant"))
	})
	t.Run("a Proxy-Authorization of its own", func(t *testing.T) {
		p := newProxy(t, testproxy.Options{})
		connectEcho(t, srv.url("127.0.0.1"), &websocket.RequestOptions{Proxy: proxyOf(t, p),
			ProxyConnectHeader: map[string]string{"Proxy-Authorization": "Bearer t0ken"}})
		reqs := p.Requests()
		require.Len(t, reqs, 1)
		assert.Equal(t, "Bearer t0ken", reqs[0].Auth)
	})
	t.Run("with HTTPProxy credentials it is 401", func(t *testing.T) {
		p := newProxy(t, testproxy.Options{})
		hp := proxyOf(t, p)
		hp.Username, hp.Password = mo.Some("u"), "pw"
		err := tryConnect(t, srv.url("127.0.0.1"), &websocket.RequestOptions{Proxy: hp,
			ProxyConnectHeader: map[string]string{"proxy-authorization": "Bearer t0ken"}})
		requireCode(t, err, websocket.ErrParameter)
		assertNoSecret(t, err, "pw", "t0ken")
		assert.Empty(t, p.Requests())
	})
	t.Run("with credentials from the environment it fails", func(t *testing.T) {
		p := newProxy(t, testproxy.Options{Upstream: srv.addr()})
		clearProxyEnv(t)
		t.Setenv("HTTP_PROXY", "http://u:pw@"+p.Addr())
		err := tryConnect(t, "ws://ws.example.invalid/", &websocket.RequestOptions{
			ProxyConnectHeader: map[string]string{"Proxy-Authorization": "Bearer t0ken"}})
		requireCode(t, err, websocket.ErrConnectionFailed)
		assert.Contains(t, err.Error(), "use one")
		assertNoSecret(t, err, "pw", "t0ken")
		assert.Empty(t, p.Requests())
	})
	for _, name := range []string{"Host", "content-length", "Transfer-Encoding", "Bad Name", ""} {
		t.Run("refused "+name, func(t *testing.T) {
			err := tryConnect(t, srv.url("127.0.0.1"), &websocket.RequestOptions{ProxyConnectHeader: map[string]string{name: "x"}})
			requireCode(t, err, websocket.ErrParameter)
		})
	}
	t.Run("refused value", func(t *testing.T) {
		err := tryConnect(t, srv.url("127.0.0.1"), &websocket.RequestOptions{ProxyConnectHeader: map[string]string{"X-A": "a\r\nX-B: b"}})
		requireCode(t, err, websocket.ErrParameter)
	})
}

// noLeaks checks, when the test and its cleanups have ended, that no
// goroutine started during the test is left.
func noLeaks(t *testing.T) {
	t.Helper()
	before := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, before) })
}

// proxyAt is the HTTPProxy setting for the proxy at addr (host:port).
func proxyAt(t *testing.T, addr string) websocket.HTTPProxy {
	t.Helper()
	host, port, err := net.SplitHostPort(addr)
	require.NoError(t, err)
	n, err := strconv.ParseUint(port, 10, 16)
	require.NoError(t, err)
	return websocket.HTTPProxy{Host: host, Port: uint16(n)}
}

// silentListener accepts connections and never writes a byte: a proxy that
// hangs in its first step (the TLS handshake, the SOCKS5 greeting).
func silentListener(t *testing.T) (addr string, accepted <-chan struct{}) {
	t.Helper()
	ch := make(chan struct{}, 16)
	return serveTCP(t, func(net.Conn) { ch <- struct{}{} }), ch
}

// abortWhileConnecting starts ConnectContext with opts, waits until the
// proxy at accepted has a connection, aborts the attempt by cancel or by
// Close, and checks that ConnectContext returns at once.
func abortWhileConnecting(t *testing.T, url string, opts *websocket.RequestOptions, accepted <-chan struct{}) {
	t.Helper()
	for _, how := range []string{"cancel", "Close"} {
		t.Run(how, func(t *testing.T) {
			ws := websocket.CreateWebSocket()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			errc := make(chan error, 1)
			go func() { errc <- ws.ConnectContext(ctx, url, opts) }()
			select {
			case <-accepted:
			case err := <-errc:
				t.Fatalf("ConnectContext returned before the proxy was reached: %v", err)
			case <-time.After(optWait):
				t.Fatal("the proxy was not reached")
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
				if how == "cancel" {
					assert.ErrorIs(t, err, context.Canceled)
				}
				assert.Less(t, time.Since(start), 2*time.Second)
			case <-time.After(optWait):
				t.Fatal("ConnectContext did not return after the abort")
			}
		})
	}
}

// TestHTTPSProxyAbort: Close and a cancelled ConnectContext abort a TLS
// handshake with the proxy that never ends, at once; HandshakeTimeout
// bounds it.
func TestHTTPSProxyAbort(t *testing.T) {
	noLeaks(t)
	addr, accepted := silentListener(t)
	hp := proxyAt(t, addr)
	hp.HTTPS = true
	abortWhileConnecting(t, "ws://ws.example.invalid/", &websocket.RequestOptions{Proxy: hp}, accepted)

	start := time.Now()
	err := tryConnect(t, "ws://ws.example.invalid/", &websocket.RequestOptions{Proxy: hp, HandshakeTimeout: 200 * time.Millisecond})
	requireCode(t, err, websocket.ErrConnectionFailed)
	assert.Contains(t, err.Error(), "timed out")
	assert.Less(t, time.Since(start), 5*time.Second)
}

// TestHTTPSProxyAbortAfterTLS: Close and a cancelled ConnectContext abort
// the wait for an HTTPS proxy's answer to CONNECT, after the TLS handshake
// with the proxy succeeded.
func TestHTTPSProxyAbortAfterTLS(t *testing.T) {
	noLeaks(t)
	p, hp, proxyTLS := httpsProxy(t, testproxy.Options{Hang: true})
	asked := make(chan struct{}, 4)
	go func() {
		for range p.Asked {
			asked <- struct{}{}
		}
	}()
	t.Cleanup(func() { p.Close(); close(p.Asked) })
	abortWhileConnecting(t, "ws://ws.example.invalid/", &websocket.RequestOptions{Proxy: hp, ProxyTLSConfig: proxyTLS}, asked)
}

// TestHTTPSProxyCredentialsNeverShown: whatever goes wrong with an HTTPS
// proxy, no error shows its credentials.
func TestHTTPSProxyCredentialsNeverShown(t *testing.T) {
	const user, password = "proxy-user-x", "proxy-pass-y"
	basic := base64.StdEncoding.EncodeToString([]byte(user + ":" + password))
	srv := newEchoHost(t, nil, echoserver.Options{})
	silent, _ := silentListener(t)
	tests := []struct {
		name  string
		proxy func(t *testing.T) (websocket.HTTPProxy, *tls.Config)
	}{
		{"refused credentials", func(t *testing.T) (websocket.HTTPProxy, *tls.Config) {
			_, hp, c := httpsProxy(t, testproxy.Options{Username: "other", Password: "other"})
			return hp, c
		}},
		{"forbidden", func(t *testing.T) (websocket.HTTPProxy, *tls.Config) {
			_, hp, c := httpsProxy(t, testproxy.Options{Status: http.StatusForbidden})
			return hp, c
		}},
		{"untrusted proxy", func(t *testing.T) (websocket.HTTPProxy, *tls.Config) {
			_, hp, _ := httpsProxy(t, testproxy.Options{})
			return hp, nil
		}},
		{"silent proxy", func(t *testing.T) (websocket.HTTPProxy, *tls.Config) {
			hp := proxyAt(t, silent)
			hp.HTTPS = true
			return hp, nil
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hp, c := tt.proxy(t)
			hp.Username, hp.Password = mo.Some(user), password
			err := tryConnect(t, srv.url("127.0.0.1"), &websocket.RequestOptions{Proxy: hp, ProxyTLSConfig: c,
				HandshakeTimeout: 300 * time.Millisecond})
			requireCode(t, err, websocket.ErrConnectionFailed)
			assertNoSecret(t, err, user, password, basic)
		})
	}
}

// newSOCKS5 starts a SOCKS5 test proxy that is closed when the test ends.
func newSOCKS5(t *testing.T, opts testproxy.SOCKS5Options) *testproxy.SOCKS5 {
	t.Helper()
	p, err := testproxy.NewSOCKS5(opts)
	require.NoError(t, err)
	t.Cleanup(p.Close)
	return p
}

// socksOf is the SOCKS5Proxy setting that names p.
func socksOf(t *testing.T, p *testproxy.SOCKS5) websocket.SOCKS5Proxy {
	t.Helper()
	hp := proxyAt(t, p.Addr())
	return websocket.SOCKS5Proxy{Host: hp.Host, Port: hp.Port}
}

// TestSOCKS5Proxy: ws and wss through a SOCKS5 proxy, with and without
// username/password; the proxy is asked for the URL's host name (it
// resolves it); the exclusion list, and the dial function, apply.
func TestSOCKS5Proxy(t *testing.T) {
	ca := testpki.NewCA(t, "socks")
	plain := newEchoHost(t, nil, echoserver.Options{})
	secure := newEchoHost(t, serverTLS(ca.Issue("socks", testpki.LeafOptions{DNSNames: []string{"ws.example.invalid"}})), echoserver.Options{})
	for _, tt := range []struct {
		name string
		srv  *echoHost
		url  string
		user string
	}{
		{"ws", plain, "ws://ws.example.invalid:8080/", ""},
		{"wss", secure, "wss://ws.example.invalid:8443/", ""},
		{"ws with credentials", plain, "ws://ws.example.invalid:8080/", "alice"},
		{"wss with credentials", secure, "wss://ws.example.invalid:8443/", "alice"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := newSOCKS5(t, testproxy.SOCKS5Options{Username: tt.user, Password: "pw", Upstream: tt.srv.addr()})
			sp := socksOf(t, p)
			if tt.user != "" {
				sp.Username, sp.Password = mo.Some(tt.user), "pw"
			}
			before := len(tt.srv.echo.Requests())
			connectEcho(t, tt.url, &websocket.RequestOptions{Proxy: sp, CAPath: ca.CertFile})
			reqs := p.Requests()
			require.Len(t, reqs, 1)
			assert.Equal(t, strings.TrimSuffix(strings.SplitN(tt.url, "://", 2)[1], "/"), reqs[0].Authority,
				"the proxy was not asked for the host name")
			assert.Equal(t, tt.user, reqs[0].User)
			assert.Len(t, tt.srv.echo.Requests(), before+1)
		})
	}

	t.Run("a pointer to the variant", func(t *testing.T) {
		p := newSOCKS5(t, testproxy.SOCKS5Options{})
		sp := socksOf(t, p)
		connectEcho(t, plain.url("127.0.0.1"), &websocket.RequestOptions{Proxy: &sp})
		assert.Len(t, p.Requests(), 1)
	})

	t.Run("exclusion list", func(t *testing.T) {
		p := newSOCKS5(t, testproxy.SOCKS5Options{})
		sp := socksOf(t, p)
		sp.ExclusionList = []string{"127.0.0.*"}
		connectEcho(t, plain.url("127.0.0.1"), &websocket.RequestOptions{Proxy: sp})
		assert.Empty(t, p.Requests(), "the proxy was used")
	})

	t.Run("the dial function reaches the proxy", func(t *testing.T) {
		p := newSOCKS5(t, testproxy.SOCKS5Options{})
		d := &dialRecorder{}
		connectEcho(t, plain.url("127.0.0.1"), &websocket.RequestOptions{Proxy: socksOf(t, p), DialContext: d.dial})
		assert.Equal(t, []string{"tcp " + p.Addr()}, d.addrs())
		assert.Len(t, p.Requests(), 1)
	})
}

// TestSOCKS5ProxyFailures: refused credentials, a refused connection and a
// proxy that is not there fail with code 200 and a *net.OpError of the
// SOCKS step, and never show the credentials.
func TestSOCKS5ProxyFailures(t *testing.T) {
	const user, password = "socks-user-x", "socks-pass-y"
	dead := newSOCKS5(t, testproxy.SOCKS5Options{})
	deadAddr := dead.Addr()
	dead.Close()
	tests := []struct {
		name  string
		proxy func(t *testing.T) string
		want  string
	}{
		{"refused credentials", func(t *testing.T) string {
			return newSOCKS5(t, testproxy.SOCKS5Options{Username: "alice", Password: "other"}).Addr()
		}, "authentication failed"},
		{"connection refused by the proxy", func(t *testing.T) string {
			return newSOCKS5(t, testproxy.SOCKS5Options{Reply: 5}).Addr()
		}, "connection refused"},
		{"not allowed by the ruleset", func(t *testing.T) string {
			return newSOCKS5(t, testproxy.SOCKS5Options{Reply: 2}).Addr()
		}, "not allowed"},
		{"no acceptable method", func(t *testing.T) string {
			return newSOCKS5(t, testproxy.SOCKS5Options{Username: "alice", Password: "pw"}).Addr()
		}, "no acceptable authentication methods"},
		{"proxy not listening", func(t *testing.T) string { return deadAddr }, "refused"},
	}
	for _, tt := range tests {
		for _, source := range []string{"SOCKS5Proxy", "ALL_PROXY"} {
			t.Run(source+"/"+tt.name, func(t *testing.T) {
				addr := tt.proxy(t)
				opts := &websocket.RequestOptions{HandshakeTimeout: 3 * time.Second}
				clearProxyEnv(t)
				withCredentials := tt.name != "no acceptable method"
				if source == "ALL_PROXY" {
					cred := ""
					if withCredentials {
						cred = user + ":" + password + "@"
					}
					t.Setenv("ALL_PROXY", "socks5h://"+cred+addr)
				} else {
					sp := proxyAt(t, addr)
					opts.Proxy = websocket.SOCKS5Proxy{Host: sp.Host, Port: sp.Port}
					if withCredentials {
						opts.Proxy = websocket.SOCKS5Proxy{Host: sp.Host, Port: sp.Port, Username: mo.Some(user), Password: password}
					}
				}
				err := tryConnect(t, "ws://ws.example.invalid/", opts)
				requireCode(t, err, websocket.ErrConnectionFailed)
				assert.Contains(t, err.Error(), tt.want)
				var opErr *net.OpError
				assert.ErrorAs(t, err, &opErr)
				assertNoSecret(t, err, user, password)
			})
		}
	}
}

// TestSOCKS5ProxyFromEnvironment: socks5:// and socks5h:// URLs in
// HTTP_PROXY and HTTPS_PROXY, and ALL_PROXY, with credentials.
func TestSOCKS5ProxyFromEnvironment(t *testing.T) {
	ca := testpki.NewCA(t, "socks-env")
	plain := newEchoHost(t, nil, echoserver.Options{})
	secure := newEchoHost(t, serverTLS(ca.Issue("socks", testpki.LeafOptions{DNSNames: []string{"ws.example.invalid"}})), echoserver.Options{})
	tests := []struct {
		name     string
		variable string
		scheme   string
		srv      *echoHost
		url      string
	}{
		{"socks5 in HTTP_PROXY", "HTTP_PROXY", "socks5", plain, "ws://ws.example.invalid/"},
		{"socks5h in HTTPS_PROXY", "HTTPS_PROXY", "socks5h", secure, "wss://ws.example.invalid/"},
		{"ALL_PROXY for ws", "ALL_PROXY", "socks5", plain, "ws://ws.example.invalid/"},
		{"all_proxy for wss", "all_proxy", "socks5h", secure, "wss://ws.example.invalid/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearProxyEnv(t)
			p := newSOCKS5(t, testproxy.SOCKS5Options{Username: "u", Password: "p@ss", Upstream: tt.srv.addr()})
			t.Setenv(tt.variable, tt.scheme+"://u:p%40ss@"+p.Addr())
			connectEcho(t, tt.url, &websocket.RequestOptions{CAPath: ca.CertFile})
			reqs := p.Requests()
			require.Len(t, reqs, 1)
			assert.Equal(t, "p@ss", reqs[0].Password)
			assert.Contains(t, reqs[0].Authority, "ws.example.invalid:")
		})
	}
}

// TestSOCKS5ProxyAbort: Close and a cancelled ConnectContext abort the
// SOCKS5 negotiation at once, at the greeting, the authentication and the
// CONNECT; HandshakeTimeout bounds it.
func TestSOCKS5ProxyAbort(t *testing.T) {
	noLeaks(t)
	silent, accepted := silentListener(t)
	sp := proxyAt(t, silent)
	t.Run("greeting", func(t *testing.T) {
		abortWhileConnecting(t, "ws://ws.example.invalid/", &websocket.RequestOptions{
			Proxy: websocket.SOCKS5Proxy{Host: sp.Host, Port: sp.Port}}, accepted)
	})
	for _, step := range []string{"auth", "connect"} {
		t.Run(step, func(t *testing.T) {
			p := newSOCKS5(t, testproxy.SOCKS5Options{Username: "u", Password: "pw", HangAt: step})
			sp := socksOf(t, p)
			sp.Username, sp.Password = mo.Some("u"), "pw"
			abortWhileConnecting(t, "ws://ws.example.invalid/", &websocket.RequestOptions{Proxy: sp}, p.Hanging)
			if step == "connect" {
				assert.NotEmpty(t, p.Requests(), "the CONNECT was not sent")
			}
		})
	}
	t.Run("HandshakeTimeout", func(t *testing.T) {
		start := time.Now()
		err := tryConnect(t, "ws://ws.example.invalid/", &websocket.RequestOptions{
			Proxy: websocket.SOCKS5Proxy{Host: sp.Host, Port: sp.Port}, HandshakeTimeout: 200 * time.Millisecond})
		requireCode(t, err, websocket.ErrConnectionFailed)
		assert.Contains(t, err.Error(), "timed out")
		assert.Less(t, time.Since(start), 5*time.Second)
	})
}
