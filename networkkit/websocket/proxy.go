package websocket

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path"
	"strconv"
	"strings"

	"github.com/samber/mo"
	"golang.org/x/net/http/httpproxy"
	"golang.org/x/net/proxy"
)

// ProxyConfiguration says how Connect reaches the server. It is one of:
//
//	SystemProxy  the proxy of the environment (the default; a nil
//	             ProxyConfiguration means SystemProxy)
//	NoProxy      connect directly
//	HTTPProxy    tunnel through the given HTTP (or HTTPS) proxy with CONNECT
//	SOCKS5Proxy  connect through the given SOCKS5 proxy
type ProxyConfiguration interface {
	isProxyConfiguration()
}

// SystemProxy uses the proxy that the environment names, with the rules of
// Go's net/http: HTTPS_PROXY (or https_proxy) for wss URLs, HTTP_PROXY (or
// http_proxy) for ws URLs, and NO_PROXY (or no_proxy) for exceptions. Beyond
// net/http, ALL_PROXY (or all_proxy) stands for whichever of the two is
// unset, as curl reads it. The environment is read at every Connect. As in
// net/http, requests to "localhost" and to loopback addresses are never
// proxied from the environment; use [HTTPProxy] or [SOCKS5Proxy] to send
// them through a proxy. The proxy URL's scheme says how to reach it:
//
//	http             an HTTP proxy (CONNECT); port 80 by default
//	https            an HTTPS proxy: TLS to the proxy, verified with
//	                 RequestOptions.ProxyTLSConfig; port 443 by default
//	socks5, socks5h  a SOCKS5 proxy; port 1080 by default. Both let the
//	                 proxy resolve the server's host name, as net/http does
//
// User information in the URL ("http://user:password@proxy:3128") gives the
// proxy's credentials; they never appear in an error. Another scheme fails
// the connection with code 200.
type SystemProxy struct{}

// NoProxy connects directly, whatever the environment says.
type NoProxy struct{}

// HTTPProxy tunnels every connection through an HTTP proxy with the CONNECT
// method, for ws and wss alike (the platform's HttpProxy). The CONNECT
// request carries RequestOptions.ProxyConnectHeader besides
// Proxy-Authorization.
type HTTPProxy struct {
	// Host is the proxy's host name or IP address. Empty, or holding '/',
	// '@' or white space, is error 401. A proxy that cannot be reached, or
	// refuses the tunnel, fails the connection with code 200 (the cause is
	// a *net.OpError or a *[ProxyError]).
	Host string
	// Port is the proxy's port. If zero, 80 (443 with HTTPS).
	Port uint16
	// ExclusionList names hosts reached directly, not through the proxy. If
	// empty, every host goes through the proxy (loopback too).
	// Matching is case-insensitive on the host name of the URL. An entry
	// "*" alone matches every host; "*" elsewhere matches any run of
	// characters ("*.example.com"); an entry that starts with "." matches
	// the domain and its subdomains (".example.com", as in NO_PROXY); any
	// other entry matches that host exactly.
	ExclusionList []string
	// Username, when present (even if empty), makes Connect send
	// "Proxy-Authorization: Basic" with Username and Password. If absent,
	// no credentials are sent. Credentials never appear in an error message.
	Username mo.Option[string]
	// Password goes with Username; it is not used without one. Defaults
	// to "".
	Password string
	// HTTPS makes the client reach the proxy itself over TLS (an HTTPS
	// proxy), verified with RequestOptions.ProxyTLSConfig — never with the
	// server's TLS options — before it sends CONNECT. For a wss URL, the
	// server's TLS then runs inside the tunnel. A proxy that fails the TLS
	// handshake fails the connection with code 200. Defaults to false:
	// plain TCP to the proxy.
	HTTPS bool
}

// SOCKS5Proxy connects through a SOCKS5 proxy (RFC 1928), for ws and wss
// alike: the client asks the proxy for a connection to the URL's host name
// and port, which the proxy resolves, and then speaks TLS (for wss) and
// WebSocket through it. RequestOptions.ProxyConnectHeader does not apply.
type SOCKS5Proxy struct {
	// Host is the proxy's host name or IP address. Empty, or holding '/',
	// '@' or white space, is error 401. A proxy that cannot be reached,
	// refuses the credentials or the connection fails the connection with
	// code 200; the cause is a *net.OpError whose Op is "socks connect".
	Host string
	// Port is the proxy's port. If zero, 1080.
	Port uint16
	// ExclusionList names hosts reached directly, with the rules of
	// [HTTPProxy].ExclusionList. If empty, every host goes through the
	// proxy (loopback too).
	ExclusionList []string
	// Username, when present, offers the proxy username/password
	// authentication (RFC 1929) besides none; the proxy chooses. It must be
	// 1 to 255 bytes long, else error 401. If absent, only "no
	// authentication" is offered. Credentials never appear in an error
	// message.
	Username mo.Option[string]
	// Password goes with Username: at most 255 bytes, else error 401. It is
	// not used without Username. Defaults to "".
	Password string
}

func (SystemProxy) isProxyConfiguration() {}
func (NoProxy) isProxyConfiguration()     {}
func (HTTPProxy) isProxyConfiguration()   {}
func (SOCKS5Proxy) isProxyConfiguration() {}

// proxyRoute is how one connection reaches the server.
type proxyRoute struct {
	addr     string // the proxy's host:port; "" means direct
	socks    bool   // a SOCKS5 proxy; else an HTTP proxy (CONNECT)
	useTLS   bool   // TLS to the proxy itself (HTTPProxy.HTTPS, https proxy URL)
	username mo.Option[string]
	password string

	// Set by the session for the dial, from RequestOptions.
	tls    *tls.Config // with useTLS: the proxy's TLS configuration, ServerName set
	header http.Header // ProxyConnectHeader
}

// proxyVariant returns p as one of the four variants: a pointer to one is
// dereferenced and nil means SystemProxy. Anything else (a nil pointer, a
// type that embeds a variant) is returned as it is, for checkProxy to refuse.
func proxyVariant(p ProxyConfiguration) ProxyConfiguration {
	switch v := p.(type) {
	case nil:
		return SystemProxy{}
	case *SystemProxy:
		if v != nil {
			return *v
		}
	case *NoProxy:
		if v != nil {
			return *v
		}
	case *HTTPProxy:
		if v != nil {
			return *v
		}
	case *SOCKS5Proxy:
		if v != nil {
			return *v
		}
	}
	return p
}

// checkProxy refuses a ProxyConfiguration that is not one of the variants
// or a non-nil pointer to one.
func checkProxy(p ProxyConfiguration) error {
	switch proxyVariant(p).(type) {
	case SystemProxy, NoProxy, HTTPProxy, SOCKS5Proxy:
		return nil
	}
	return newError(ErrParameter, nil, "Proxy of type %T is not supported; use SystemProxy, NoProxy, HTTPProxy or SOCKS5Proxy", p)
}

// resolveProxy returns how to reach target (a ws or wss URL) under p,
// which checkProxy accepted.
func resolveProxy(p ProxyConfiguration, target *url.URL) (proxyRoute, error) {
	switch p := proxyVariant(p).(type) {
	case SystemProxy:
		return systemRoute(target)
	case NoProxy:
		return proxyRoute{}, nil
	case HTTPProxy:
		if excluded(p.ExclusionList, target.Hostname()) {
			return proxyRoute{}, nil
		}
		port := p.Port
		if port == 0 {
			port = 80
			if p.HTTPS {
				port = 443
			}
		}
		return proxyRoute{addr: net.JoinHostPort(p.Host, strconv.Itoa(int(port))), useTLS: p.HTTPS,
			username: p.Username, password: p.Password}, nil
	case SOCKS5Proxy:
		if excluded(p.ExclusionList, target.Hostname()) {
			return proxyRoute{}, nil
		}
		port := p.Port
		if port == 0 {
			port = 1080
		}
		return proxyRoute{addr: net.JoinHostPort(p.Host, strconv.Itoa(int(port))), socks: true,
			username: p.Username, password: p.Password}, nil
	default:
		panic(fmt.Sprintf("websocket: unexpected ProxyConfiguration %T", p))
	}
}

// systemRoute reads the proxy environment variables now (net/http reads them
// once per process, which would hide later changes).
func systemRoute(target *url.URL) (proxyRoute, error) {
	u := *target
	u.Scheme = "http"
	if strings.EqualFold(target.Scheme, "wss") {
		u.Scheme = "https"
	}
	env := httpproxy.FromEnvironment()
	if all := getEnvAny("ALL_PROXY", "all_proxy"); all != "" {
		if env.HTTPProxy == "" {
			// Not from a request header, unlike HTTP_PROXY under CGI: safe.
			env.HTTPProxy, env.CGI = all, false
		}
		if env.HTTPSProxy == "" {
			env.HTTPSProxy = all
		}
	}
	// httpproxy ignores proxy URLs that do not parse, as net/http does; its
	// only error is the refusal of HTTP_PROXY in a CGI environment.
	pu, err := env.ProxyFunc()(&u)
	if err != nil {
		return proxyRoute{}, fmt.Errorf("proxy from the environment: %w", err)
	}
	if pu == nil {
		return proxyRoute{}, nil
	}
	r := proxyRoute{}
	port := "80"
	switch pu.Scheme {
	case "http":
	case "https":
		r.useTLS, port = true, "443"
	case "socks5", "socks5h":
		r.socks, port = true, "1080"
	default:
		return proxyRoute{}, fmt.Errorf("proxy scheme %q from the environment is not supported (use http, https, socks5 or socks5h)", pu.Scheme)
	}
	if p := pu.Port(); p != "" {
		port = p
	}
	r.addr = net.JoinHostPort(pu.Hostname(), port)
	if pu.User != nil {
		r.username = mo.Some(pu.User.Username())
		r.password, _ = pu.User.Password()
	}
	return r, nil
}

// getEnvAny returns the first non-empty one of the environment variables.
func getEnvAny(names ...string) string {
	for _, n := range names {
		if v := os.Getenv(n); v != "" {
			return v
		}
	}
	return ""
}

// excluded reports whether host matches an entry of the exclusion list.
func excluded(list []string, host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	for _, e := range list {
		e = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(e), "."))
		switch {
		case e == "":
		case e == "*":
			return true
		case strings.HasPrefix(e, ".") && !strings.Contains(e, "*"):
			if host == e[1:] || strings.HasSuffix(host, e) {
				return true
			}
		case strings.Contains(e, "*"):
			// path.Match treats only '*', '?', '[' and '\\' specially; the
			// entry's other characters match themselves. Host names hold no
			// '/', so '*' spans any run of characters.
			if ok, err := path.Match(escapeGlob(e), host); err == nil && ok {
				return true
			}
		case e == host:
			return true
		}
	}
	return false
}

// escapeGlob escapes every glob metacharacter except '*'.
func escapeGlob(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r == '?' || r == '[' || r == '\\' {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// proxyTLS returns the TLS configuration for the proxy at addr: a clone of
// base (RequestOptions.ProxyTLSConfig, already cloned at Connect) or an
// empty one, with ServerName defaulting to the proxy's host and NextProtos
// kept to "http/1.1", as for the server.
func proxyTLS(base *tls.Config, addr string) *tls.Config {
	c := base.Clone()
	if c == nil {
		c = &tls.Config{}
	}
	if c.ServerName == "" {
		c.ServerName, _, _ = net.SplitHostPort(addr)
	}
	c.NextProtos = http11Only(c.NextProtos)
	return c
}

// ProxyError reports that the proxy refused the CONNECT request. It names the
// proxy and its answer, never the credentials.
type ProxyError struct {
	// Proxy is the proxy's host:port.
	Proxy string
	// StatusCode and Status are the proxy's answer, for example 407 and
	// "407 Proxy Authentication Required".
	StatusCode int
	Status     string
}

// Error describes the refusal.
func (e *ProxyError) Error() string {
	return "websocket: proxy " + e.Proxy + " refused the tunnel: " + e.Status
}

// dialThroughProxy opens a CONNECT tunnel to target through the proxy of r,
// reached with dial. Cancelling ctx aborts every step, also a proxy that
// never answers.
func dialThroughProxy(ctx context.Context, dial func(context.Context, string, string) (net.Conn, error), r proxyRoute, target string) (net.Conn, error) {
	conn, err := dial(ctx, "tcp", r.addr)
	if err != nil {
		return nil, err
	}
	// The deadline goes on the TCP connection, which the TLS one reads and
	// writes through; conn itself is reassigned below, so it must not be
	// read from the AfterFunc's goroutine.
	raw := conn
	stop := context.AfterFunc(ctx, func() { raw.SetDeadline(aLongTimeAgo) })
	fail := func(err error) (net.Conn, error) {
		stop()
		conn.Close()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, err
	}
	if r.useTLS {
		tc := tls.Client(conn, r.tls)
		if err := tc.HandshakeContext(ctx); err != nil {
			return fail(fmt.Errorf("tls handshake with proxy %s: %w", r.addr, err))
		}
		conn = tc
	}
	req := &http.Request{
		Method: http.MethodConnect,
		URL:    &url.URL{Opaque: target},
		Host:   target,
		Header: r.header.Clone(),
	}
	if req.Header == nil {
		req.Header = make(http.Header)
	}
	if user, ok := r.username.Get(); ok {
		cred := base64.StdEncoding.EncodeToString([]byte(user + ":" + r.password))
		req.Header.Set("Proxy-Authorization", "Basic "+cred)
	}
	if err := req.Write(conn); err != nil {
		return fail(fmt.Errorf("sending CONNECT to proxy %s: %w", r.addr, err))
	}
	// The guard bounds the answer's header and keeps the bytes after it.
	head := &headGuard{r: conn}
	resp, err := http.ReadResponse(bufio.NewReader(head), req)
	if err != nil {
		return fail(fmt.Errorf("reading the answer of proxy %s: %w", r.addr, err))
	}
	if resp.StatusCode != http.StatusOK {
		return fail(&ProxyError{Proxy: r.addr, StatusCode: resp.StatusCode, Status: resp.Status})
	}
	if !stop() {
		conn.Close()
		return nil, ctx.Err()
	}
	if len(head.rest) > 0 { // the server spoke before we did; keep its bytes
		return &prefixConn{Conn: conn, prefix: head.rest}, nil
	}
	return conn, nil
}

// dialSOCKS5 connects to target through the SOCKS5 proxy of r, reached with
// dial, using golang.org/x/net/proxy. Cancelling ctx aborts every step: the
// dial, the greeting, the authentication and the CONNECT (x/net sets a
// deadline in the past on the connection when ctx ends).
func dialSOCKS5(ctx context.Context, dial func(context.Context, string, string) (net.Conn, error), r proxyRoute, target string) (net.Conn, error) {
	var auth *proxy.Auth
	if user, ok := r.username.Get(); ok {
		auth = &proxy.Auth{User: user, Password: r.password}
	}
	d, err := proxy.SOCKS5("tcp", r.addr, auth, dialerFunc(dial))
	if err != nil { // only for a forward dialer it cannot use
		return nil, err
	}
	cd, ok := d.(proxy.ContextDialer)
	if !ok { // x/net's SOCKS5 dialer has had DialContext since 2018
		return nil, fmt.Errorf("the SOCKS5 dialer %T cannot be cancelled", d)
	}
	return cd.DialContext(ctx, "tcp", target)
}

// dialerFunc makes a dial function a proxy.ContextDialer.
type dialerFunc func(ctx context.Context, network, addr string) (net.Conn, error)

func (f dialerFunc) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	return f(ctx, network, addr)
}

func (f dialerFunc) Dial(network, addr string) (net.Conn, error) {
	return f(context.Background(), network, addr)
}

// prefixConn is a net.Conn whose first bytes were read already.
type prefixConn struct {
	net.Conn
	prefix []byte
}

func (c *prefixConn) Read(p []byte) (int, error) {
	if len(c.prefix) > 0 {
		n := copy(p, c.prefix)
		c.prefix = c.prefix[n:]
		return n, nil
	}
	return c.Conn.Read(p)
}
