package websocket

// White-box, table-driven tests of proxy.go: proxy exclusion lists and the
// proxy route chosen for each configuration.

import (
	"fmt"
	"net/url"
	"testing"

	"github.com/samber/mo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHostAllowed(t *testing.T) {
	tests := []struct {
		name string
		list []string
		host string
		want bool
	}{
		{"exact", []string{"example.com"}, "example.com", true},
		{"case-insensitive host", []string{"example.com"}, "EXAMPLE.Com", true},
		{"case-insensitive entry", []string{"Example.COM"}, "example.com", true},
		{"host with trailing dot", []string{"example.com"}, "example.com.", true},
		{"entry with spaces", []string{"  example.com "}, "example.com", true},
		{"other host", []string{"example.com"}, "example.org", false},
		{"subdomain needs wildcard", []string{"example.com"}, "a.example.com", false},
		{"wildcard subdomain", []string{"*.example.com"}, "a.example.com", true},
		{"wildcard deep subdomain", []string{"*.example.com"}, "a.b.example.com", true},
		{"wildcard not the bare domain", []string{"*.example.com"}, "example.com", false},
		{"wildcard not a suffix of a label", []string{"*.example.com"}, "badexample.com", false},
		{"second entry", []string{"example.org", "example.com"}, "example.com", true},
		{"IP literal", []string{"127.0.0.1"}, "127.0.0.1", true},
		{"IPv6 literal", []string{"::1"}, "::1", true},
		{"empty list", nil, "example.com", false},
		{"empty entry", []string{""}, "example.com", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, hostAllowed(tt.list, tt.host))
		})
	}
}

func TestExcluded(t *testing.T) {
	tests := []struct {
		name string
		list []string
		host string
		want bool
	}{
		{"star alone", []string{"*"}, "anything.example", true},
		{"star alone, IP", []string{"*"}, "10.0.0.1", true},
		{"star with spaces", []string{" * "}, "example.com", true},
		{"wildcard subdomain", []string{"*.example.com"}, "a.example.com", true},
		{"wildcard deep subdomain", []string{"*.example.com"}, "a.b.example.com", true},
		{"wildcard not the bare domain", []string{"*.example.com"}, "example.com", false},
		{"wildcard not another domain", []string{"*.example.com"}, "a.example.org", false},
		{"wildcard not a label suffix", []string{"*.example.com"}, "badexample.com", false},
		{"wildcard in the middle", []string{"api.*.example.com"}, "api.eu.example.com", true},
		{"wildcard in the middle, no match", []string{"api.*.example.com"}, "web.eu.example.com", false},
		{"wildcard at the end", []string{"10.0.*"}, "10.0.1.2", true},
		{"wildcard without dot", []string{"*example.com"}, "badexample.com", true},
		{"dot suffix, bare domain", []string{".example.com"}, "example.com", true},
		{"dot suffix, subdomain", []string{".example.com"}, "a.example.com", true},
		{"dot suffix, deep subdomain", []string{".example.com"}, "a.b.example.com", true},
		{"dot suffix, not a label suffix", []string{".example.com"}, "badexample.com", false},
		{"dot suffix, other domain", []string{".example.com"}, "example.org", false},
		{"exact", []string{"example.com"}, "example.com", true},
		{"exact, not a subdomain", []string{"example.com"}, "a.example.com", false},
		{"exact, not a prefix", []string{"example.com"}, "example.co", false},
		{"exact IP", []string{"192.168.1.10"}, "192.168.1.10", true},
		{"exact IPv6", []string{"::1"}, "::1", true},
		{"case-insensitive entry", []string{"EXAMPLE.com"}, "example.com", true},
		{"case-insensitive host", []string{"example.com"}, "Example.COM", true},
		{"case-insensitive wildcard", []string{"*.Example.Com"}, "A.EXAMPLE.com", true},
		{"case-insensitive dot suffix", []string{".EXAMPLE.com"}, "a.example.COM", true},
		{"host with trailing dot", []string{"example.com"}, "example.com.", true},
		{"host with trailing dot, wildcard", []string{"*.example.com"}, "a.example.com.", true},
		{"host with trailing dot, dot suffix", []string{".example.com"}, "a.example.com.", true},
		{"empty entry skipped", []string{""}, "example.com", false},
		{"blank entry skipped", []string{"   "}, "example.com", false},
		{"empty entries around a match", []string{"", " ", "example.com", ""}, "example.com", true},
		{"empty list", nil, "example.com", false},
		{"question mark literal, exact", []string{"a?.example.com"}, "ab.example.com", false},
		{"question mark literal, wildcard", []string{"a?*.example.com"}, "ab.example.com", false},
		{"question mark literal, wildcard, same text", []string{"a?*.example.com"}, "a?x.example.com", true},
		{"bracket literal, wildcard", []string{"[ab]*.example.com"}, "a.example.com", false},
		{"bracket literal, wildcard, same text", []string{"[ab]*.example.com"}, "[ab]x.example.com", true},
		{"unclosed bracket, wildcard", []string{"[*.example.com"}, "[x.example.com", true},
		{"unclosed bracket, no match", []string{"[*.example.com"}, "x.example.com", false},
		{"backslash literal, wildcard", []string{`a\*.example.com`}, `a\x.example.com`, true},
		{"backslash literal, wildcard, no escape", []string{`a\*.example.com`}, `a*.example.com`, false},
		{"first of several", []string{"example.com", "example.org"}, "example.com", true},
		{"last of several", []string{"example.org", "*.example.com"}, "x.example.com", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, excluded(tt.list, tt.host))
		})
	}
}

func mustURL(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := parseURL(raw)
	require.NoError(t, err)
	return u
}

func TestResolveProxyExplicit(t *testing.T) {
	// NoProxy and HTTPProxy ignore the environment.
	clearProxyEnv(t)
	t.Setenv("HTTP_PROXY", "http://env-proxy.test:1111")
	t.Setenv("HTTPS_PROXY", "http://env-proxy.test:2222")

	tests := []struct {
		name   string
		p      ProxyConfiguration
		target string
		want   proxyRoute
	}{
		{"NoProxy ws", NoProxy{}, "ws://example.com/", proxyRoute{}},
		{"NoProxy wss", NoProxy{}, "wss://example.com/", proxyRoute{}},
		{"HTTPProxy default port", HTTPProxy{Host: "proxy.test"}, "ws://example.com/", proxyRoute{addr: "proxy.test:80"}},
		{"HTTPProxy port", HTTPProxy{Host: "proxy.test", Port: 3128}, "wss://example.com/", proxyRoute{addr: "proxy.test:3128"}},
		{"HTTPProxy IPv6 host", HTTPProxy{Host: "::1", Port: 3128}, "ws://example.com/", proxyRoute{addr: "[::1]:3128"}},
		{"HTTPProxy for loopback target", HTTPProxy{Host: "proxy.test", Port: 3128}, "ws://127.0.0.1:8080/", proxyRoute{addr: "proxy.test:3128"}},
		{"HTTPProxy credentials", HTTPProxy{Host: "proxy.test", Port: 3128, Username: mo.Some("user"), Password: "pw"},
			"ws://example.com/", proxyRoute{addr: "proxy.test:3128", username: mo.Some("user"), password: "pw"}},
		{"HTTPProxy empty username", HTTPProxy{Host: "proxy.test", Username: mo.Some("")},
			"ws://example.com/", proxyRoute{addr: "proxy.test:80", username: mo.Some("")}},
		{"HTTPProxy password without username", HTTPProxy{Host: "proxy.test", Password: "pw"},
			"ws://example.com/", proxyRoute{addr: "proxy.test:80", password: "pw"}},
		{"HTTPProxy excluded host", HTTPProxy{Host: "proxy.test", ExclusionList: []string{"example.com"}}, "ws://example.com/", proxyRoute{}},
		{"HTTPProxy excluded by wildcard", HTTPProxy{Host: "proxy.test", ExclusionList: []string{"*.example.com"}}, "wss://a.example.com:8443/", proxyRoute{}},
		{"HTTPProxy excluded by star", HTTPProxy{Host: "proxy.test", ExclusionList: []string{"*"}}, "ws://example.com/", proxyRoute{}},
		{"HTTPProxy excluded IPv6", HTTPProxy{Host: "proxy.test", ExclusionList: []string{"::1"}}, "ws://[::1]:8080/", proxyRoute{}},
		{"HTTPProxy not excluded", HTTPProxy{Host: "proxy.test", ExclusionList: []string{"example.org"}}, "ws://example.com/", proxyRoute{addr: "proxy.test:80"}},
		{"HTTPS proxy default port", HTTPProxy{Host: "proxy.test", HTTPS: true}, "ws://example.com/", proxyRoute{addr: "proxy.test:443", useTLS: true}},
		{"HTTPS proxy port", HTTPProxy{Host: "proxy.test", Port: 3129, HTTPS: true}, "wss://example.com/", proxyRoute{addr: "proxy.test:3129", useTLS: true}},
		{"HTTPS proxy excluded", HTTPProxy{Host: "proxy.test", HTTPS: true, ExclusionList: []string{"example.com"}}, "ws://example.com/", proxyRoute{}},
		{"SOCKS5Proxy default port", SOCKS5Proxy{Host: "socks.test"}, "ws://example.com/", proxyRoute{addr: "socks.test:1080", socks: true}},
		{"SOCKS5Proxy port, credentials", SOCKS5Proxy{Host: "socks.test", Port: 9050, Username: mo.Some("u"), Password: "pw"},
			"wss://example.com/", proxyRoute{addr: "socks.test:9050", socks: true, username: mo.Some("u"), password: "pw"}},
		{"SOCKS5Proxy IPv6 host", SOCKS5Proxy{Host: "::1"}, "ws://example.com/", proxyRoute{addr: "[::1]:1080", socks: true}},
		{"SOCKS5Proxy for loopback target", SOCKS5Proxy{Host: "socks.test"}, "ws://127.0.0.1:8080/", proxyRoute{addr: "socks.test:1080", socks: true}},
		{"SOCKS5Proxy excluded", SOCKS5Proxy{Host: "socks.test", ExclusionList: []string{"*.example.com"}}, "ws://a.example.com/", proxyRoute{}},
		{"SOCKS5Proxy not excluded", SOCKS5Proxy{Host: "socks.test", ExclusionList: []string{"example.org"}}, "ws://example.com/", proxyRoute{addr: "socks.test:1080", socks: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := resolveProxy(tt.p, mustURL(t, tt.target))
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

// clearProxyEnv empties every variable the system proxy reads, for this test.
func clearProxyEnv(t *testing.T) {
	t.Helper()
	for _, k := range []string{"HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy", "REQUEST_METHOD"} {
		t.Setenv(k, "")
	}
}

func TestResolveProxySystem(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		target  string
		want    proxyRoute
		wantErr string // substring of the error; "" means no error
	}{
		{"no variables", nil, "ws://example.com/", proxyRoute{}, ""},
		{"HTTP_PROXY for ws", map[string]string{"HTTP_PROXY": "http://proxy.test:3128"},
			"ws://example.com/", proxyRoute{addr: "proxy.test:3128"}, ""},
		{"http_proxy lower case", map[string]string{"http_proxy": "http://proxy.test:3128"},
			"ws://example.com/", proxyRoute{addr: "proxy.test:3128"}, ""},
		{"HTTP_PROXY not for wss", map[string]string{"HTTP_PROXY": "http://proxy.test:3128"},
			"wss://example.com/", proxyRoute{}, ""},
		{"HTTPS_PROXY for wss", map[string]string{"HTTPS_PROXY": "http://sproxy.test:8443"},
			"wss://example.com/", proxyRoute{addr: "sproxy.test:8443"}, ""},
		{"https_proxy lower case", map[string]string{"https_proxy": "http://sproxy.test:8443"},
			"wss://example.com/", proxyRoute{addr: "sproxy.test:8443"}, ""},
		{"HTTPS_PROXY not for ws", map[string]string{"HTTPS_PROXY": "http://sproxy.test:8443"},
			"ws://example.com/", proxyRoute{}, ""},
		{"each scheme its own proxy (ws)", map[string]string{"HTTP_PROXY": "http://p1.test:1", "HTTPS_PROXY": "http://p2.test:2"},
			"ws://example.com/", proxyRoute{addr: "p1.test:1"}, ""},
		{"each scheme its own proxy (wss)", map[string]string{"HTTP_PROXY": "http://p1.test:1", "HTTPS_PROXY": "http://p2.test:2"},
			"wss://example.com/", proxyRoute{addr: "p2.test:2"}, ""},
		{"http proxy default port 80", map[string]string{"HTTP_PROXY": "http://proxy.test"},
			"ws://example.com/", proxyRoute{addr: "proxy.test:80"}, ""},
		{"proxy without scheme is http", map[string]string{"HTTP_PROXY": "proxy.test:3128"},
			"ws://example.com/", proxyRoute{addr: "proxy.test:3128"}, ""},
		{"https proxy: TLS, default port 443", map[string]string{"HTTPS_PROXY": "https://sproxy.test"},
			"wss://example.com/", proxyRoute{addr: "sproxy.test:443", useTLS: true}, ""},
		{"https proxy with port", map[string]string{"HTTP_PROXY": "https://sproxy.test:8443"},
			"ws://example.com/", proxyRoute{addr: "sproxy.test:8443", useTLS: true}, ""},
		{"IPv6 proxy", map[string]string{"HTTP_PROXY": "http://[2001:db8::1]:3128"},
			"ws://example.com/", proxyRoute{addr: "[2001:db8::1]:3128"}, ""},
		{"credentials", map[string]string{"HTTP_PROXY": "http://user:p%40ss@proxy.test:3128"},
			"ws://example.com/", proxyRoute{addr: "proxy.test:3128", username: mo.Some("user"), password: "p@ss"}, ""},
		{"username only", map[string]string{"HTTP_PROXY": "http://user@proxy.test:3128"},
			"ws://example.com/", proxyRoute{addr: "proxy.test:3128", username: mo.Some("user")}, ""},
		{"NO_PROXY exact", map[string]string{"HTTP_PROXY": "http://proxy.test:3128", "NO_PROXY": "example.com"},
			"ws://example.com/", proxyRoute{}, ""},
		{"NO_PROXY covers subdomains", map[string]string{"HTTP_PROXY": "http://proxy.test:3128", "NO_PROXY": "example.com"},
			"ws://a.example.com/", proxyRoute{}, ""},
		{"NO_PROXY other host", map[string]string{"HTTP_PROXY": "http://proxy.test:3128", "NO_PROXY": "example.org"},
			"ws://example.com/", proxyRoute{addr: "proxy.test:3128"}, ""},
		{"NO_PROXY list", map[string]string{"HTTPS_PROXY": "http://proxy.test:3128", "NO_PROXY": "example.org, example.com"},
			"wss://example.com/", proxyRoute{}, ""},
		{"NO_PROXY star", map[string]string{"HTTP_PROXY": "http://proxy.test:3128", "NO_PROXY": "*"},
			"ws://example.com/", proxyRoute{}, ""},
		{"no_proxy lower case", map[string]string{"HTTP_PROXY": "http://proxy.test:3128", "no_proxy": "example.com"},
			"ws://example.com/", proxyRoute{}, ""},
		{"NO_PROXY CIDR", map[string]string{"HTTP_PROXY": "http://proxy.test:3128", "NO_PROXY": "10.0.0.0/8"},
			"ws://10.1.2.3/", proxyRoute{}, ""},
		{"loopback IPv4 never proxied", map[string]string{"HTTP_PROXY": "http://proxy.test:3128"},
			"ws://127.0.0.1:8080/", proxyRoute{}, ""},
		{"other loopback IPv4 never proxied", map[string]string{"HTTP_PROXY": "http://proxy.test:3128"},
			"ws://127.0.0.2:8080/", proxyRoute{}, ""},
		{"loopback IPv6 never proxied", map[string]string{"HTTPS_PROXY": "http://proxy.test:3128"},
			"wss://[::1]:8443/", proxyRoute{}, ""},
		{"localhost never proxied", map[string]string{"HTTP_PROXY": "http://proxy.test:3128"},
			"ws://localhost:8080/", proxyRoute{}, ""},
		{"socks5 in HTTP_PROXY", map[string]string{"HTTP_PROXY": "socks5://proxy.test:1081"},
			"ws://example.com/", proxyRoute{addr: "proxy.test:1081", socks: true}, ""},
		{"socks5h in HTTPS_PROXY, credentials, default port", map[string]string{"HTTPS_PROXY": "socks5h://user:s3cr3t@proxy.test"},
			"wss://example.com/", proxyRoute{addr: "proxy.test:1080", socks: true, username: mo.Some("user"), password: "s3cr3t"}, ""},
		{"ALL_PROXY for ws", map[string]string{"ALL_PROXY": "socks5://all.test:1080"},
			"ws://example.com/", proxyRoute{addr: "all.test:1080", socks: true}, ""},
		{"all_proxy lower case for wss", map[string]string{"all_proxy": "socks5h://all.test:9050"},
			"wss://example.com/", proxyRoute{addr: "all.test:9050", socks: true}, ""},
		{"ALL_PROXY with an http proxy", map[string]string{"ALL_PROXY": "http://all.test:3128"},
			"wss://example.com/", proxyRoute{addr: "all.test:3128"}, ""},
		{"HTTP_PROXY wins over ALL_PROXY", map[string]string{"HTTP_PROXY": "http://p1.test:1", "ALL_PROXY": "socks5://all.test:1080"},
			"ws://example.com/", proxyRoute{addr: "p1.test:1"}, ""},
		{"ALL_PROXY fills HTTPS_PROXY only when unset", map[string]string{"HTTP_PROXY": "http://p1.test:1", "ALL_PROXY": "socks5://all.test:1080"},
			"wss://example.com/", proxyRoute{addr: "all.test:1080", socks: true}, ""},
		{"NO_PROXY applies to ALL_PROXY", map[string]string{"ALL_PROXY": "socks5://all.test:1080", "NO_PROXY": ".example.com"},
			"ws://a.example.com/", proxyRoute{}, ""},
		{"loopback never proxied by ALL_PROXY", map[string]string{"ALL_PROXY": "socks5://all.test:1080"},
			"ws://127.0.0.1:8080/", proxyRoute{}, ""},
		{"ALL_PROXY in a CGI environment", map[string]string{"ALL_PROXY": "socks5://all.test:1080", "REQUEST_METHOD": "GET"},
			"ws://example.com/", proxyRoute{addr: "all.test:1080", socks: true}, ""},
		{"unknown scheme refused", map[string]string{"HTTPS_PROXY": "ftp://user:s3cr3t@proxy.test:21"},
			"wss://example.com/", proxyRoute{}, "ftp"},
		{"socks4 refused", map[string]string{"HTTP_PROXY": "socks4://proxy.test:1080"},
			"ws://example.com/", proxyRoute{}, "socks4"},
		{"HTTP_PROXY in a CGI environment", map[string]string{"HTTP_PROXY": "http://proxy.test:3128", "REQUEST_METHOD": "GET"},
			"ws://example.com/", proxyRoute{}, "CGI"},
	}
	for _, p := range []ProxyConfiguration{nil, SystemProxy{}} {
		for _, tt := range tests {
			t.Run(fmt.Sprintf("%T/%s", p, tt.name), func(t *testing.T) {
				clearProxyEnv(t)
				for k, v := range tt.env {
					t.Setenv(k, v)
				}
				got, err := resolveProxy(p, mustURL(t, tt.target))
				if tt.wantErr != "" {
					require.Error(t, err)
					assert.Contains(t, err.Error(), tt.wantErr)
					assert.NotContains(t, err.Error(), "s3cr3t", "credentials must not appear in an error")
					return
				}
				require.NoError(t, err)
				assert.Equal(t, tt.want, got)
			})
		}
	}
}

func TestResolveProxySystemReadsEnvironmentEachTime(t *testing.T) {
	clearProxyEnv(t)
	target := mustURL(t, "ws://example.com/")

	t.Setenv("HTTP_PROXY", "http://first.test:1")
	r, err := resolveProxy(SystemProxy{}, target)
	require.NoError(t, err)
	assert.Equal(t, "first.test:1", r.addr)

	t.Setenv("HTTP_PROXY", "http://second.test:2")
	r, err = resolveProxy(SystemProxy{}, target)
	require.NoError(t, err)
	assert.Equal(t, "second.test:2", r.addr)

	t.Setenv("HTTP_PROXY", "")
	r, err = resolveProxy(SystemProxy{}, target)
	require.NoError(t, err)
	assert.Equal(t, proxyRoute{}, r)
}

func TestResolveProxyUnknownPanics(t *testing.T) {
	type otherProxy struct{ ProxyConfiguration }
	assert.PanicsWithValue(t, "websocket: unexpected ProxyConfiguration websocket.otherProxy", func() {
		_, _ = resolveProxy(otherProxy{}, mustURL(t, "ws://example.com/"))
	})
}
