package websocket

// White-box, table-driven tests of options.go: URL parsing, the
// validation of RequestOptions and CloseOptions, defaults, close codes and
// the host allow-list.

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/samber/mo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseURL(t *testing.T) {
	long := func(n int) string {
		const prefix = "ws://example.com/"
		return prefix + strings.Repeat("a", n-len(prefix))
	}
	tests := []struct {
		name       string
		raw        string
		want       ErrorCode // 0: accepted
		wantScheme string
		wantHost   string
	}{
		{"ws", "ws://example.com", 0, "ws", "example.com"},
		{"wss with path", "wss://example.com/chat", 0, "wss", "example.com"},
		{"uppercase scheme", "WS://example.com/", 0, "ws", "example.com"},
		{"mixed-case wss", "WsS://Example.com/", 0, "wss", "Example.com"},
		{"query without path", "ws://example.com?a=1&b=2", 0, "ws", "example.com"},
		{"IPv4 literal with port", "ws://127.0.0.1:8080/x", 0, "ws", "127.0.0.1"},
		{"IPv6 literal", "ws://[::1]/", 0, "ws", "::1"},
		{"IPv6 literal with port", "wss://[2001:db8::1]:8443/x?y", 0, "wss", "2001:db8::1"},
		{"port 1", "ws://example.com:1", 0, "ws", "example.com"},
		{"port 65535", "ws://example.com:65535", 0, "ws", "example.com"},
		{"empty port", "ws://example.com:/", 0, "ws", "example.com"},
		{"length 8195", long(8195), 0, "ws", "example.com"},

		{"port 0", "ws://example.com:0/", ErrURL, "", ""},
		{"port 65536", "ws://example.com:65536/", ErrURL, "", ""},
		{"port 99999999999999999999", "ws://example.com:99999999999999999999/", ErrURL, "", ""},
		{"port abc", "ws://example.com:abc/", ErrURL, "", ""},
		{"no host", "ws:///path", ErrURL, "", ""},
		{"scheme only", "ws://", ErrURL, "", ""},
		{"port without host", "ws://:8080/", ErrURL, "", ""},
		{"empty port after a colon host", "ws://::", ErrURL, "", ""},
		{"empty", "", ErrURL, "", ""},
		{"no scheme", "example.com/chat", ErrURL, "", ""},
		{"opaque", "ws:example.com", ErrURL, "", ""},
		{"http scheme", "http://example.com/", ErrURL, "", ""},
		{"https scheme", "https://example.com/", ErrURL, "", ""},
		{"ftp scheme", "ftp://example.com/", ErrURL, "", ""},
		{"userinfo", "ws://user:pass@example.com/", ErrURL, "", ""},
		{"user only", "ws://user@example.com/", ErrURL, "", ""},
		{"fragment", "ws://example.com/chat#top", ErrURL, "", ""},
		{"empty fragment", "ws://example.com/chat#", ErrURL, "", ""},
		{"space in host", "ws://exa mple.com/", ErrURL, "", ""},
		{"control character", "ws://example.com/\x00", ErrURL, "", ""},
		{"unclosed IPv6 bracket", "ws://[::1/", ErrURL, "", ""},
		{"length 8196", long(8196), ErrURL, "", ""},
		{"length 100000", long(100000), ErrURL, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := parseURL(tt.raw)
			if tt.want != 0 {
				assertCode(t, err, tt.want)
				assert.Nil(t, u)
				return
			}
			require.NoError(t, err)
			require.NotNil(t, u)
			assert.Equal(t, tt.wantScheme, u.Scheme)
			assert.Equal(t, tt.wantHost, u.Hostname())
		})
	}
}

func TestParseURLLengthLimit(t *testing.T) {
	// The limit follows MaxURLLength, whatever its value.
	base := "wss://example.com/"
	ok := base + strings.Repeat("x", MaxURLLength-1-len(base))
	require.Len(t, ok, MaxURLLength-1)
	_, err := parseURL(ok)
	assert.NoError(t, err)
	_, err = parseURL(ok + "x")
	assertCode(t, err, ErrURL)
}

func TestParseURLErrorHidesPassword(t *testing.T) {
	tests := []struct {
		name, raw string
	}{
		{"userinfo refused", "ws://user:s3cr3t@example.com/"},
		{"userinfo with fragment", "ws://user:s3cr3t@example.com/#x"},
		{"unparsable url with userinfo", "ws://user:s3cr3t@example.com:bad/"},
		{"userinfo without host", "ws://user:s3cr3t@/chat"},
		{"scheme not ws", "http://user:s3cr3t@example.com/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseURL(tt.raw)
			assertCode(t, err, ErrURL)
			assert.NotContains(t, err.Error(), "s3cr3t")
		})
	}
}

func TestRequestOptionsValidate(t *testing.T) {
	hdr := func(name, value string) RequestOptions {
		return RequestOptions{Header: map[string]string{name: value}}
	}
	tests := []struct {
		name string
		opts RequestOptions
		want ErrorCode
	}{
		{"zero value", RequestOptions{}, 0},

		// Header names and values.
		{"plain header", hdr("X-Token", "abc"), 0},
		{"lower-case name", hdr("x-token", "abc"), 0},
		{"empty value", hdr("X-Empty", ""), 0},
		{"tab in value", hdr("X-Tab", "a\tb"), 0},
		{"space in value", hdr("X-Space", "a b"), 0},
		{"non-ASCII value", hdr("X-Name", "héllo"), 0},
		{"token punctuation in name", hdr("X-!#$%&'*+-.^_`|~", "v"), 0},
		{"Host", hdr("Host", "example.org"), 0},
		{"User-Agent", hdr("user-agent", "test/1"), 0},
		{"Origin", hdr("Origin", "https://example.org"), 0},
		{"empty name", hdr("", "v"), ErrParameter},
		{"space in name", hdr("Bad Name", "v"), ErrParameter},
		{"colon in name", hdr("Bad:Name", "v"), ErrParameter},
		{"CRLF in name", hdr("X-A\r\nX-B", "v"), ErrParameter},
		{"non-ASCII name", hdr("X-Ñame", "v"), ErrParameter},
		{"CR in value", hdr("X-A", "a\rb"), ErrParameter},
		{"LF in value", hdr("X-A", "a\nb"), ErrParameter},
		{"CRLF injection", hdr("X-A", "a\r\nX-Injected: 1"), ErrParameter},
		{"NUL in value", hdr("X-A", "a\x00b"), ErrParameter},
		{"DEL in value", hdr("X-A", "a\x7fb"), ErrParameter},
		{"other C0 control in value", hdr("X-A", "\x01"), ErrParameter},
		{"ESC in value", hdr("X-A", "\x1b[0m"), ErrParameter},

		// Headers the handshake owns, in any case.
		{"Upgrade", hdr("Upgrade", "websocket"), ErrParameter},
		{"connection", hdr("connection", "Upgrade"), ErrParameter},
		{"SEC-WEBSOCKET-KEY", hdr("SEC-WEBSOCKET-KEY", "x"), ErrParameter},
		{"Sec-WebSocket-Version", hdr("Sec-WebSocket-Version", "13"), ErrParameter},
		{"sec-websocket-extensions", hdr("sec-websocket-extensions", "permessage-deflate"), ErrParameter},
		{"Sec-WebSocket-Accept", hdr("Sec-WebSocket-Accept", "x"), ErrParameter},
		{"Content-Length", hdr("Content-Length", "0"), ErrParameter},
		{"transfer-encoding", hdr("transfer-encoding", "chunked"), ErrParameter},
		{"Sec-WebSocket-Protocol", hdr("Sec-WebSocket-Protocol", "chat"), ErrParameter},
		{"sec-websocket-protocol", hdr("sec-websocket-protocol", "chat"), ErrParameter},
		{"one bad header among good ones", RequestOptions{Header: map[string]string{"X-A": "1", "X-B": "2", "Upgrade": "x"}}, ErrParameter},

		// Protocol token lists.
		{"one protocol", RequestOptions{Protocol: "chat"}, 0},
		{"protocol list", RequestOptions{Protocol: "chat, superchat"}, 0},
		{"protocol list without spaces", RequestOptions{Protocol: "chat,superchat,v1.json"}, 0},
		{"protocol list with outer spaces", RequestOptions{Protocol: " chat , superchat "}, 0},
		{"empty list element", RequestOptions{Protocol: "chat,,superchat"}, ErrParameter},
		{"trailing comma", RequestOptions{Protocol: "chat,"}, ErrParameter},
		{"comma only", RequestOptions{Protocol: ","}, ErrParameter},
		{"blank", RequestOptions{Protocol: " "}, ErrParameter},
		{"space inside a name", RequestOptions{Protocol: "my chat"}, ErrParameter},
		{"separator inside a name", RequestOptions{Protocol: "chat;v=1"}, ErrParameter},
		{"slash inside a name", RequestOptions{Protocol: "chat/1"}, ErrParameter},
		{"CRLF in protocol", RequestOptions{Protocol: "chat\r\nX: y"}, ErrParameter},

		// Durations and sizes.
		{"PingInterval Some(0)", RequestOptions{PingInterval: mo.Some(time.Duration(0))}, 0},
		{"PingInterval positive", RequestOptions{PingInterval: mo.Some(time.Second)}, 0},
		{"PingInterval negative", RequestOptions{PingInterval: mo.Some(-time.Nanosecond)}, ErrParameter},
		{"PongTimeout Some(0)", RequestOptions{PongTimeout: mo.Some(time.Duration(0))}, 0},
		{"PongTimeout negative", RequestOptions{PongTimeout: mo.Some(-time.Second)}, ErrParameter},
		{"HandshakeTimeout negative", RequestOptions{HandshakeTimeout: -1}, ErrParameter},
		{"CloseTimeout negative", RequestOptions{CloseTimeout: -1}, ErrParameter},
		{"MaxMessageSize negative", RequestOptions{MaxMessageSize: -1}, ErrParameter},
		{"SendQueueSize negative", RequestOptions{SendQueueSize: -1}, ErrParameter},
		{"positive limits", RequestOptions{HandshakeTimeout: 1, CloseTimeout: 1, MaxMessageSize: 1, SendQueueSize: 1}, 0},

		// MinTLSVersion.
		{"TLSv10", RequestOptions{MinTLSVersion: TLSv10}, 0},
		{"TLSv13", RequestOptions{MinTLSVersion: TLSv13}, 0},
		{"TLSv13+1", RequestOptions{MinTLSVersion: TLSv13 + 1}, ErrParameter},
		{"TLS 255", RequestOptions{MinTLSVersion: 255}, ErrParameter},

		// ClientCert.
		{"ClientCert empty", RequestOptions{ClientCert: &ClientCert{}}, 0},
		{"ClientCert both paths", RequestOptions{ClientCert: &ClientCert{CertPath: "c.pem", KeyPath: "k.pem"}}, 0},
		{"ClientCert without KeyPath", RequestOptions{ClientCert: &ClientCert{CertPath: "c.pem"}}, ErrParameter},
		{"ClientCert without CertPath", RequestOptions{ClientCert: &ClientCert{KeyPath: "k.pem"}}, ErrParameter},

		// TLSClientConfig and the options that set its fields.
		{"TLSClientConfig alone", RequestOptions{TLSClientConfig: &tls.Config{RootCAs: x509.NewCertPool(), MinVersion: tls.VersionTLS12}}, 0},
		{"CAPath and RootCAs", RequestOptions{CAPath: "ca.pem", TLSClientConfig: &tls.Config{RootCAs: x509.NewCertPool()}}, ErrParameter},
		{"CAPath without RootCAs", RequestOptions{CAPath: "ca.pem", TLSClientConfig: &tls.Config{}}, 0},
		{"ClientCert and Certificates", RequestOptions{ClientCert: &ClientCert{CertPath: "c", KeyPath: "k"},
			TLSClientConfig: &tls.Config{Certificates: make([]tls.Certificate, 1)}}, ErrParameter},
		{"ClientCert and GetClientCertificate", RequestOptions{ClientCert: &ClientCert{CertPath: "c", KeyPath: "k"},
			TLSClientConfig: &tls.Config{GetClientCertificate: func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return nil, nil }}}, ErrParameter},
		{"empty ClientCert and Certificates", RequestOptions{ClientCert: &ClientCert{},
			TLSClientConfig: &tls.Config{Certificates: make([]tls.Certificate, 1)}}, 0},
		{"MinTLSVersion and another MinVersion", RequestOptions{MinTLSVersion: TLSv12, TLSClientConfig: &tls.Config{MinVersion: tls.VersionTLS13}}, ErrParameter},
		{"MinTLSVersion and the same MinVersion", RequestOptions{MinTLSVersion: TLSv13, TLSClientConfig: &tls.Config{MinVersion: tls.VersionTLS13}}, 0},
		{"MinTLSVersion and no MinVersion", RequestOptions{MinTLSVersion: TLSv13, TLSClientConfig: &tls.Config{}}, 0},
		{"SkipServerCertVerification and a verifying config", RequestOptions{SkipServerCertVerification: true,
			TLSClientConfig: &tls.Config{RootCAs: x509.NewCertPool()}}, 0},

		// Proxy.
		{"SystemProxy", RequestOptions{Proxy: SystemProxy{}}, 0},
		{"NoProxy", RequestOptions{Proxy: NoProxy{}}, 0},
		{"HTTPProxy", RequestOptions{Proxy: HTTPProxy{Host: "proxy.test", Port: 3128}}, 0},
		{"HTTPProxy IPv6", RequestOptions{Proxy: HTTPProxy{Host: "::1"}}, 0},
		{"HTTPProxy empty host", RequestOptions{Proxy: HTTPProxy{Port: 3128}}, ErrParameter},
		{"HTTPProxy host with user", RequestOptions{Proxy: HTTPProxy{Host: "user@proxy.test"}}, ErrParameter},
		{"HTTPProxy host with path", RequestOptions{Proxy: HTTPProxy{Host: "proxy.test/x"}}, ErrParameter},
		{"HTTPProxy host with space", RequestOptions{Proxy: HTTPProxy{Host: "proxy test"}}, ErrParameter},
		{"HTTPProxy URL as host", RequestOptions{Proxy: HTTPProxy{Host: "http://proxy.test"}}, ErrParameter},
		{"SOCKS5Proxy", RequestOptions{Proxy: SOCKS5Proxy{Host: "socks.test", Port: 1080}}, 0},
		{"*SOCKS5Proxy", RequestOptions{Proxy: &SOCKS5Proxy{Host: "socks.test"}}, 0},
		{"nil *SOCKS5Proxy", RequestOptions{Proxy: (*SOCKS5Proxy)(nil)}, ErrParameter},
		{"SOCKS5Proxy empty host", RequestOptions{Proxy: SOCKS5Proxy{Port: 1080}}, ErrParameter},
		{"SOCKS5Proxy host with user", RequestOptions{Proxy: SOCKS5Proxy{Host: "u@socks.test"}}, ErrParameter},
		{"SOCKS5Proxy URL as host", RequestOptions{Proxy: SOCKS5Proxy{Host: "socks5://socks.test"}}, ErrParameter},
		{"SOCKS5Proxy credentials", RequestOptions{Proxy: SOCKS5Proxy{Host: "s", Username: mo.Some("u"), Password: "p"}}, 0},
		{"SOCKS5Proxy empty password", RequestOptions{Proxy: SOCKS5Proxy{Host: "s", Username: mo.Some("u")}}, 0},
		{"SOCKS5Proxy 255-byte credentials", RequestOptions{Proxy: SOCKS5Proxy{Host: "s",
			Username: mo.Some(strings.Repeat("u", 255)), Password: strings.Repeat("p", 255)}}, 0},
		{"SOCKS5Proxy empty username", RequestOptions{Proxy: SOCKS5Proxy{Host: "s", Username: mo.Some("")}}, ErrParameter},
		{"SOCKS5Proxy long username", RequestOptions{Proxy: SOCKS5Proxy{Host: "s", Username: mo.Some(strings.Repeat("u", 256))}}, ErrParameter},
		{"SOCKS5Proxy long password", RequestOptions{Proxy: SOCKS5Proxy{Host: "s", Username: mo.Some("u"), Password: strings.Repeat("p", 256)}}, ErrParameter},
		{"SOCKS5Proxy long password without username", RequestOptions{Proxy: SOCKS5Proxy{Host: "s", Password: strings.Repeat("p", 256)}}, 0},
		{"SOCKS5Proxy with ProxyConnectHeader", RequestOptions{Proxy: SOCKS5Proxy{Host: "s", Username: mo.Some("u")},
			ProxyConnectHeader: map[string]string{"Proxy-Authorization": "x"}}, 0},

		// ProxyConnectHeader.
		{"ProxyConnectHeader", RequestOptions{ProxyConnectHeader: map[string]string{"X-Tenant": "blue", "User-Agent": "a/1"}}, 0},
		{"ProxyConnectHeader Proxy-Authorization", RequestOptions{ProxyConnectHeader: map[string]string{"Proxy-Authorization": "Bearer x"}}, 0},
		{"ProxyConnectHeader Proxy-Authorization and HTTPProxy.Username", RequestOptions{
			Proxy:              HTTPProxy{Host: "proxy.test", Username: mo.Some("")},
			ProxyConnectHeader: map[string]string{"PROXY-AUTHORIZATION": "Bearer x"}}, ErrParameter},
		{"ProxyConnectHeader Proxy-Authorization and a password alone", RequestOptions{
			Proxy:              HTTPProxy{Host: "proxy.test", Password: "pw"},
			ProxyConnectHeader: map[string]string{"Proxy-Authorization": "Bearer x"}}, 0},
		{"ProxyConnectHeader Host", RequestOptions{ProxyConnectHeader: map[string]string{"host": "x"}}, ErrParameter},
		{"ProxyConnectHeader Content-Length", RequestOptions{ProxyConnectHeader: map[string]string{"Content-Length": "0"}}, ErrParameter},
		{"ProxyConnectHeader Transfer-Encoding", RequestOptions{ProxyConnectHeader: map[string]string{"transfer-encoding": "chunked"}}, ErrParameter},
		{"ProxyConnectHeader bad name", RequestOptions{ProxyConnectHeader: map[string]string{"X A": "1"}}, ErrParameter},
		{"ProxyConnectHeader CRLF", RequestOptions{ProxyConnectHeader: map[string]string{"X-A": "1\r\nX-B: 2"}}, ErrParameter},
		{"ProxyConnectHeader twice", RequestOptions{ProxyConnectHeader: map[string]string{"X-A": "1", "x-a": "2"}}, ErrParameter},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := tt.opts
			checkErr(t, opts.validate(), tt.want)

			// newConfig reports the same.
			c, err := newConfig("ws://example.com/", &opts)
			checkErr(t, err, tt.want)
			if tt.want != 0 {
				assert.Nil(t, c)
			}
		})
	}
}

func TestNewConfigCheckOrder(t *testing.T) {
	// Options (401), then URL (2302001), then allow-list (2302998).
	tests := []struct {
		name string
		url  string
		opts *RequestOptions
		want ErrorCode
	}{
		{"bad options and bad url", "http://x", &RequestOptions{SendQueueSize: -1}, ErrParameter},
		{"bad url and host not allowed", "http://x", &RequestOptions{AllowedHosts: []string{"example.com"}}, ErrURL},
		{"host not allowed", "ws://other.com/", &RequestOptions{AllowedHosts: []string{"example.com"}}, ErrDomainNotAllowed},
		{"host allowed", "ws://EXAMPLE.com/", &RequestOptions{AllowedHosts: []string{"example.com"}}, 0},
		{"empty allow-list allows all", "ws://other.com/", &RequestOptions{AllowedHosts: []string{}}, 0},
		{"nil options", "ws://example.com/", nil, 0},
		{"nil options, bad url", "ws://example.com:0/", nil, ErrURL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := newConfig(tt.url, tt.opts)
			checkErr(t, err, tt.want)
			if tt.want == 0 {
				require.NotNil(t, c)
				assert.NotNil(t, c.url)
			}
		})
	}
}

func TestNewConfigDefaults(t *testing.T) {
	type want struct {
		ping, pong, handshake, closeTimeout time.Duration
		maxMessageSize                      int64
		sendQueueSize                       int
	}
	defaults := want{
		ping: 30 * time.Second, pong: 30 * time.Second, handshake: 30 * time.Second,
		closeTimeout: 5 * time.Second, maxMessageSize: 16 << 20, sendQueueSize: 4096,
	}
	with := func(f func(*want)) want { w := defaults; f(&w); return w }
	tests := []struct {
		name string
		opts *RequestOptions
		want want
	}{
		{"nil options", nil, defaults},
		{"zero options", &RequestOptions{}, defaults},
		{"PingInterval None", &RequestOptions{PingInterval: mo.None[time.Duration]()}, defaults},
		{"PingInterval Some(0) disables", &RequestOptions{PingInterval: mo.Some(time.Duration(0))}, with(func(w *want) { w.ping = 0 })},
		{"PingInterval Some(5s)", &RequestOptions{PingInterval: mo.Some(5 * time.Second)}, with(func(w *want) { w.ping = 5 * time.Second })},
		{"PongTimeout Some(0)", &RequestOptions{PongTimeout: mo.Some(time.Duration(0))}, with(func(w *want) { w.pong = 0 })},
		{"PongTimeout Some(2s)", &RequestOptions{PongTimeout: mo.Some(2 * time.Second)}, with(func(w *want) { w.pong = 2 * time.Second })},
		{"HandshakeTimeout 1s", &RequestOptions{HandshakeTimeout: time.Second}, with(func(w *want) { w.handshake = time.Second })},
		{"CloseTimeout 2s", &RequestOptions{CloseTimeout: 2 * time.Second}, with(func(w *want) { w.closeTimeout = 2 * time.Second })},
		{"MaxMessageSize 10", &RequestOptions{MaxMessageSize: 10}, with(func(w *want) { w.maxMessageSize = 10 })},
		{"SendQueueSize 1", &RequestOptions{SendQueueSize: 1}, with(func(w *want) { w.sendQueueSize = 1 })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := newConfig("ws://example.com/", tt.opts)
			require.NoError(t, err)
			got := want{
				ping: c.pingInterval, pong: c.pongTimeout, handshake: c.handshakeTimeout,
				closeTimeout: c.closeTimeout, maxMessageSize: c.maxMessageSize, sendQueueSize: c.sendQueueSize,
			}
			assert.Equal(t, tt.want, got)
		})
	}
	// The exported defaults are the documented ones.
	assert.Equal(t, 30*time.Second, DefaultPingInterval)
	assert.Equal(t, 30*time.Second, DefaultPongTimeout)
	assert.Equal(t, 30*time.Second, DefaultHandshakeTimeout)
	assert.Equal(t, 5*time.Second, DefaultCloseTimeout)
	assert.Equal(t, 16<<20, DefaultMaxMessageSize)
	assert.Equal(t, 4096, DefaultSendQueueSize)
	assert.Equal(t, 8196, MaxURLLength)
}

func TestNewConfigHeader(t *testing.T) {
	tests := []struct {
		name string
		in   map[string]string
		want http.Header
	}{
		{"nil", nil, http.Header{}},
		{"host lower case", map[string]string{"host": "example.org"}, http.Header{"Host": {"example.org"}}},
		{"HOST upper case", map[string]string{"HOST": "example.org"}, http.Header{"Host": {"example.org"}}},
		{"user-agent", map[string]string{"user-agent": "app/1"}, http.Header{"User-Agent": {"app/1"}}},
		{"USER-AGENT", map[string]string{"USER-AGENT": "app/1"}, http.Header{"User-Agent": {"app/1"}}},
		{"cookie", map[string]string{"cookie": "a=1"}, http.Header{"Cookie": {"a=1"}}},
		{"other names kept as given", map[string]string{"x-lower": "1", "X-Mixed-CASE": "2", "Origin": "o"},
			http.Header{"x-lower": {"1"}, "X-Mixed-CASE": {"2"}, "Origin": {"o"}}},
		{"value kept as given", map[string]string{"X-A": "  spaced\tvalue  "}, http.Header{"X-A": {"  spaced\tvalue  "}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := newConfig("ws://example.com/", &RequestOptions{Header: tt.in})
			require.NoError(t, err)
			assert.Equal(t, tt.want, c.header)
		})
	}
}

func TestNewConfigOrigin(t *testing.T) {
	tests := []struct {
		url      string
		withPort bool
		header   map[string]string
		want     string
	}{
		{url: "ws://example.com/", want: "http://example.com"},
		{url: "wss://example.com/", want: "https://example.com"},
		{url: "WSS://Example.COM/", want: "https://Example.COM"},
		{url: "ws://example.com:8080/x?y", want: "http://example.com"},
		{url: "ws://example.com:8080/", withPort: true, want: "http://example.com:8080"},
		{url: "wss://example.com:8443/", withPort: true, want: "https://example.com:8443"},
		{url: "ws://example.com:80/", withPort: true, want: "http://example.com"},
		{url: "wss://example.com:443/", withPort: true, want: "https://example.com"},
		{url: "ws://example.com:443/", withPort: true, want: "http://example.com:443"},
		{url: "wss://example.com:80/", withPort: true, want: "https://example.com:80"},
		{url: "ws://example.com:/", withPort: true, want: "http://example.com"},
		{url: "ws://[::1]:8080/", want: "http://[::1]"},
		{url: "ws://[::1]:8080/", withPort: true, want: "http://[::1]:8080"},
		{url: "ws://[::1]/", withPort: true, want: "http://[::1]"},
		{url: "ws://127.0.0.1:9/", withPort: true, want: "http://127.0.0.1:9"},
		{url: "ws://example.com:8080/", withPort: true, header: map[string]string{"Origin": "null"}, want: ""},
		{url: "ws://example.com/", header: map[string]string{"origin": ""}, want: ""},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s port=%v %v", tt.url, tt.withPort, tt.header), func(t *testing.T) {
			c, err := newConfig(tt.url, &RequestOptions{SupportOriginPort: tt.withPort, Header: tt.header})
			require.NoError(t, err)
			assert.Equal(t, tt.want, c.origin)
			for name, value := range tt.header {
				if value == "" {
					assert.NotContains(t, c.header, name, "an empty Origin is not sent")
				} else {
					assert.Equal(t, []string{value}, c.header[name])
				}
			}
		})
	}
}

func TestNewConfigSubprotocols(t *testing.T) {
	tests := []struct {
		protocol string
		want     []string
	}{
		{"", nil},
		{"chat", []string{"chat"}},
		{"chat, superchat", []string{"chat", "superchat"}},
		{" chat ,superchat ,v1.json", []string{"chat", "superchat", "v1.json"}},
	}
	for _, tt := range tests {
		t.Run(strconv.Quote(tt.protocol), func(t *testing.T) {
			c, err := newConfig("ws://example.com/", &RequestOptions{Protocol: tt.protocol})
			require.NoError(t, err)
			assert.Equal(t, tt.want, c.subprotocols)
		})
	}
}

func TestNewConfigKeepsCallerStruct(t *testing.T) {
	mk := func() *RequestOptions {
		return &RequestOptions{
			Header:       map[string]string{"host": "example.org", "user-agent": "app/1", "X-A": "1"},
			ClientCert:   &ClientCert{CertPath: "c.pem", KeyPath: "k.pem", KeyPassword: mo.Some("pw")},
			Proxy:        HTTPProxy{Host: "proxy.test", ExclusionList: []string{"*.example.com"}, Username: mo.Some("u")},
			Protocol:     "chat, superchat",
			AllowedHosts: []string{"example.com"},
		}
	}
	opts := mk()
	c, err := newConfig("ws://example.com/", opts)
	require.NoError(t, err)
	assert.Equal(t, mk(), opts, "newConfig must not modify the caller's options")

	// The defaults went into the copy only.
	assert.Zero(t, opts.HandshakeTimeout)
	assert.Zero(t, opts.CloseTimeout)
	assert.Zero(t, opts.SendQueueSize)
	assert.Equal(t, DefaultHandshakeTimeout, c.handshakeTimeout)

	// Later changes by the caller do not reach the validated header.
	opts.Header["X-A"] = "changed"
	opts.Header["X-New"] = "new"
	assert.Equal(t, http.Header{"Host": {"example.org"}, "User-Agent": {"app/1"}, "X-A": {"1"}}, c.header)
}

func TestCloseOptionsValidate(t *testing.T) {
	tests := []struct {
		name       string
		opts       *CloseOptions
		wantCode   uint32
		wantReason string
		want       ErrorCode
	}{
		{"nil", nil, 1000, "", 0},
		{"zero value", &CloseOptions{}, 1000, "", 0},
		{"code 0 with reason", &CloseOptions{Reason: "bye"}, 1000, "bye", 0},
		{"1001", &CloseOptions{Code: 1001, Reason: "going away"}, 1001, "going away", 0},
		{"4000", &CloseOptions{Code: 4000}, 4000, "", 0},
		{"999", &CloseOptions{Code: 999}, 0, "", ErrParameter},
		{"1005", &CloseOptions{Code: 1005}, 0, "", ErrParameter},
		{"1006", &CloseOptions{Code: 1006}, 0, "", ErrParameter},
		{"5000", &CloseOptions{Code: 5000}, 0, "", ErrParameter},
		{"reason 123 bytes", &CloseOptions{Reason: strings.Repeat("a", 123)}, 1000, strings.Repeat("a", 123), 0},
		{"reason 123 bytes of UTF-8", &CloseOptions{Reason: strings.Repeat("é", 61) + "a"}, 1000, strings.Repeat("é", 61) + "a", 0},
		{"reason 124 bytes", &CloseOptions{Reason: strings.Repeat("a", 124)}, 0, "", ErrParameter},
		{"reason 62 two-byte runes (124 bytes)", &CloseOptions{Reason: strings.Repeat("é", 62)}, 0, "", ErrParameter},
		{"invalid UTF-8 reason", &CloseOptions{Reason: "bad \xff"}, 0, "", ErrParameter},
		{"truncated UTF-8 reason", &CloseOptions{Reason: "\xc3"}, 0, "", ErrParameter},
		{"bad code and bad reason", &CloseOptions{Code: 1, Reason: "\xff"}, 0, "", ErrParameter},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var before CloseOptions
			if tt.opts != nil {
				before = *tt.opts
			}
			code, reason, err := tt.opts.validate()
			checkErr(t, err, tt.want)
			assert.Equal(t, tt.wantCode, code)
			assert.Equal(t, tt.wantReason, reason)
			if tt.opts != nil {
				assert.Equal(t, before, *tt.opts, "validate must not modify the options")
			}
		})
	}
}

func TestCloseOptionsValidateCodeTable(t *testing.T) {
	tests := []struct {
		code uint32
		ok   bool
	}{
		{999, false}, {1000, true}, {1001, true}, {1002, true}, {1003, true},
		{1004, false}, {1005, false}, {1006, false},
		{1007, true}, {1008, true}, {1009, true}, {1010, true}, {1011, true},
		{1012, true}, {1013, true}, {1014, true}, {1015, false},
		{2999, false}, {3000, true}, {4999, true}, {5000, false},
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(int(tt.code)), func(t *testing.T) {
			code, _, err := (&CloseOptions{Code: tt.code}).validate()
			if tt.ok {
				assert.NoError(t, err)
				assert.Equal(t, tt.code, code)
			} else {
				assertCode(t, err, ErrParameter)
			}
		})
	}
}

func TestSendableCloseCode(t *testing.T) {
	sendable := map[uint32]bool{}
	for c := uint32(1000); c <= 1003; c++ {
		sendable[c] = true
	}
	for c := uint32(1007); c <= 1014; c++ {
		sendable[c] = true
	}
	for c := uint32(3000); c <= 4999; c++ {
		sendable[c] = true
	}
	// Every code up to 5100, and a few far beyond.
	for c := uint32(0); c <= 5100; c++ {
		if got := sendableCloseCode(c); got != sendable[c] {
			t.Errorf("sendableCloseCode(%d) = %v, want %v", c, got, sendable[c])
		}
	}
	for _, c := range []uint32{65535, 65536, 1<<32 - 1} {
		assert.False(t, sendableCloseCode(c), "code %d", c)
	}
}
