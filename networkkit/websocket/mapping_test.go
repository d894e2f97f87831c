package websocket

// White-box, table-driven tests of the package's mappings: URL and option
// validation, defaults, close codes, host and proxy matching, proxy routes,
// response headers, message and header values, error codes, event ×
// callback-type acceptance, callback identity, TLS settings, and the
// dispatcher.

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/samber/mo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/youmark/pkcs8"
	"go.uber.org/goleak"

	"github.com/cangjie-go/ohos/callback"
)

// TestMain checks that no test of the package (black-box tests and examples
// included: they share this test binary) leaves a goroutine behind.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// waitTimeout bounds every wait on a channel in these tests.
const waitTimeout = 10 * time.Second

// assertCode checks that err is a *callback.BusinessException with code,
// reachable with errors.Is and errors.As, with a "websocket: " message.
func assertCode(t *testing.T, err error, code ErrorCode) {
	t.Helper()
	require.Error(t, err)
	assert.ErrorIs(t, err, code)
	var be *callback.BusinessException
	if assert.ErrorAs(t, err, &be) {
		assert.Equal(t, int32(code), be.Code)
		assert.True(t, strings.HasPrefix(be.Error(), code.Error()+": "), "message %q starts with the code's message", be.Error())
		assert.False(t, strings.HasSuffix(be.Error(), "."), "message %q has no trailing period", be.Error())
	}
}

// checkErr checks err against want: nil when want is 0, else the code.
func checkErr(t *testing.T, err error, want ErrorCode) {
	t.Helper()
	if want == 0 {
		assert.NoError(t, err)
		return
	}
	assertCode(t, err, want)
}

// ---- URLs ----

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

// ---- RequestOptions ----

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

// ---- CloseOptions ----

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

// ---- host allow-list and proxy exclusion ----

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

// ---- proxy routes ----

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

// ---- response headers ----

func TestResponseHeaders(t *testing.T) {
	tests := []struct {
		name string
		in   http.Header
		want ResponseHeaders
	}{
		{"nil", nil, UndefinedData{}},
		{"empty", http.Header{}, UndefinedData{}},
		{"one header", http.Header{"Content-Type": {"text/plain"}}, MapData{"content-type": "text/plain"}},
		{"names lower-cased", http.Header{"Upgrade": {"websocket"}, "Sec-WebSocket-Accept": {"abc="}, "X-UPPER": {"1"}},
			MapData{"upgrade": "websocket", "sec-websocket-accept": "abc=", "x-upper": "1"}},
		{"values kept as they are", http.Header{"X-A": {"Mixed Case, Value"}}, MapData{"x-a": "Mixed Case, Value"}},
		{"repeated values joined with comma", http.Header{"X-A": {"1", "2", "3"}}, MapData{"x-a": "1,2,3"}},
		{"Set-Cookie joined with semicolon", http.Header{"Set-Cookie": {"a=1", "b=2"}}, MapData{"set-cookie": "a=1;b=2"}},
		{"Cookie joined with semicolon", http.Header{"Cookie": {"a=1", "b=2"}}, MapData{"cookie": "a=1;b=2"}},
		{"one Set-Cookie", http.Header{"Set-Cookie": {"a=1; Path=/"}}, MapData{"set-cookie": "a=1; Path=/"}},
		{"empty value", http.Header{"X-Empty": {""}}, MapData{"x-empty": ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, responseHeaders(tt.in))
		})
	}
}

func TestResponseHeadersMergesSpellings(t *testing.T) {
	tests := []struct {
		name string
		in   http.Header
		key  string
		sep  string
		want []string
	}{
		{"two spellings", http.Header{"X-A": {"1"}, "x-a": {"2"}}, "x-a", ",", []string{"1", "2"}},
		{"three spellings, repeated", http.Header{"X-A": {"1", "2"}, "x-a": {"3"}, "X-a": {"4"}}, "x-a", ",", []string{"1", "2", "3", "4"}},
		{"Set-Cookie spellings", http.Header{"Set-Cookie": {"a=1"}, "set-cookie": {"b=2"}}, "set-cookie", ";", []string{"a=1", "b=2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := responseHeaders(tt.in)
			m, ok := got.(MapData)
			require.True(t, ok, "got %T", got)
			assert.Len(t, m, 1)
			// The order of the spellings is not defined; all values are kept.
			assert.ElementsMatch(t, tt.want, strings.Split(m[tt.key], tt.sep))
		})
	}
}

func TestResponseHeadersDoesNotModifyInput(t *testing.T) {
	in := http.Header{"X-A": {"1"}, "x-a": {"2"}, "Set-Cookie": {"a=1", "b=2"}}
	before := in.Clone()
	responseHeaders(in)
	assert.Equal(t, before, in)
}

func TestResponseHeadersString(t *testing.T) {
	tests := []struct {
		name string
		h    ResponseHeaders
		want string
	}{
		{"MapData sorted", MapData{"b": "2", "a": "1", "c": "x,y"}, "{a: 1, b: 2, c: x,y}"},
		{"MapData one", MapData{"upgrade": "websocket"}, "{upgrade: websocket}"},
		{"MapData empty", MapData{}, "{}"},
		{"MapData nil", MapData(nil), "{}"},
		{"ArrayStringData", ArrayStringData{"a", "b"}, "[a, b]"},
		{"ArrayStringData one", ArrayStringData{"a"}, "[a]"},
		{"ArrayStringData empty", ArrayStringData{}, "[]"},
		{"UndefinedData", UndefinedData{}, "undefined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.h.String())
			assert.Equal(t, tt.want, fmt.Sprint(tt.h))
		})
	}
}

// ---- message data ----

func TestMessageDataString(t *testing.T) {
	tests := []struct {
		name string
		d    MessageData
		want string
	}{
		{"StringData", StringData("hello"), "hello"},
		{"StringData empty", StringData(""), ""},
		{"StringData UTF-8", StringData("你好"), "你好"},
		{"ArrayData", ArrayData{1, 2, 3}, "[1, 2, 3]"},
		{"ArrayData one", ArrayData{42}, "[42]"},
		{"ArrayData extremes", ArrayData{0, 255}, "[0, 255]"},
		{"ArrayData empty", ArrayData{}, "[]"},
		{"ArrayData nil", ArrayData(nil), "[]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.d.String())
			assert.Equal(t, tt.want, fmt.Sprint(tt.d))
		})
	}
}

// ---- error codes ----

var allCodes = []ErrorCode{
	ErrConnectionFailed, ErrPermissionDenied, ErrParameter, ErrURL, ErrCertificateNotFound,
	ErrConnectionExists, ErrConnectionNotExist, ErrDomainNotAllowed, ErrUnknown,
}

func TestErrorCode(t *testing.T) {
	tests := []struct {
		code ErrorCode
		num  int32
		msg  string
	}{
		{ErrConnectionFailed, 200, "websocket: connection failed"},
		{ErrPermissionDenied, 201, "websocket: permission denied"},
		{ErrParameter, 401, "websocket: parameter error"},
		{ErrURL, 2302001, "websocket: url error"},
		{ErrCertificateNotFound, 2302002, "websocket: certificate file does not exist"},
		{ErrConnectionExists, 2302003, "websocket: connection already exists"},
		{ErrConnectionNotExist, 2302006, "websocket: connection does not exist"},
		{ErrDomainNotAllowed, 2302998, "websocket: it is not allowed to access this domain"},
		{ErrUnknown, 2302999, "websocket: other unknown error"},
		{ErrorCode(12345), 12345, "websocket: error code 12345"},
		{ErrorCode(0), 0, "websocket: error code 0"},
		{ErrorCode(-7), -7, "websocket: error code -7"},
	}
	require.Len(t, allCodes, 9)
	for _, tt := range tests {
		t.Run(strconv.Itoa(int(tt.num)), func(t *testing.T) {
			assert.Equal(t, tt.num, tt.code.ErrorCode())
			assert.Equal(t, tt.msg, tt.code.Error())
			var err error = tt.code
			assert.Equal(t, tt.msg, err.Error())
			assert.Equal(t, strings.ToLower(tt.msg), tt.msg, "messages are lower case")
		})
	}
}

func TestNewErrorIs(t *testing.T) {
	for _, made := range allCodes {
		for _, target := range allCodes {
			t.Run(fmt.Sprintf("%d/%d", made, target), func(t *testing.T) {
				err := newError(made, nil, "detail %d", 7)
				want := made == target
				assert.Equal(t, want, errors.Is(err, target))
				assert.Equal(t, want, errors.Is(fmt.Errorf("wrapped: %w", err), target))
				assert.Equal(t, want, errors.Is(callback.NewAsyncError(err), target))
			})
		}
	}
}

func TestNewError(t *testing.T) {
	cause := io.ErrUnexpectedEOF
	be := newError(ErrConnectionFailed, cause, "reading %q failed after %d bytes", "x", 3)
	assert.Equal(t, int32(200), be.Code)
	assert.Equal(t, `websocket: connection failed: reading "x" failed after 3 bytes`, be.Error())
	assert.Same(t, cause, errors.Unwrap(be))
	assert.ErrorIs(t, be, cause)
	assert.ErrorIs(t, be, ErrConnectionFailed)
	assert.NotErrorIs(t, be, ErrUnknown)

	var got *callback.BusinessException
	require.ErrorAs(t, fmt.Errorf("outer: %w", be), &got)
	assert.Same(t, be, got)

	ae := callback.NewAsyncError(be)
	assert.Equal(t, int32(200), ae.Code)
	assert.ErrorIs(t, ae, cause)

	// No cause.
	assert.Nil(t, errors.Unwrap(newError(ErrUnknown, nil, "x")))
}

func TestHandshakeErrorMessage(t *testing.T) {
	e := &HandshakeError{StatusCode: 403, Status: "403 Forbidden", Reason: "server answered 403 Forbidden"}
	assert.Equal(t, "websocket: handshake failed: server answered 403 Forbidden", e.Error())
	var got *HandshakeError
	require.ErrorAs(t, newError(ErrConnectionFailed, e, "x"), &got)
	assert.Same(t, e, got)
}

// ---- events and callbacks ----

var allEvents = []OnOffType{EventOpen{}, EventMessage{}, EventClose{}, EventError{}, EventDataEnd{}, EventHeaderReceive{}, EventOpenInfo{}, EventReconnect{}}

func TestEventNames(t *testing.T) {
	tests := []struct {
		ev   OnOffType
		name string
		idx  eventIndex
	}{
		{EventOpen{}, "open", evOpen},
		{EventMessage{}, "message", evMessage},
		{EventClose{}, "close", evClose},
		{EventError{}, "error", evError},
		{EventDataEnd{}, "dataEnd", evDataEnd},
		{EventHeaderReceive{}, "headerReceive", evHeaderReceive},
		{EventOpenInfo{}, "openInfo", evOpenInfo},
		{EventReconnect{}, "reconnect", evReconnect},
	}
	require.Len(t, tests, int(numEvents))
	seen := map[eventIndex]bool{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.name, tt.ev.String())
			assert.Equal(t, tt.name, fmt.Sprint(tt.ev))
			assert.Equal(t, tt.idx, tt.ev.eventIndex())
			assert.False(t, seen[tt.idx], "index used twice")
			seen[tt.idx] = true
			assert.NotEmpty(t, wantType[tt.idx])
		})
	}
}

// Callback types that are not function adapters.
type (
	openStruct    struct{ id int }
	errorStruct   struct{ id int }
	dataEndStruct struct{ id int }
)

func (*openStruct) Invoke(mo.Option[callback.AsyncError], mo.Option[map[uint32]string]) {}
func (*errorStruct) Invoke(*callback.BusinessException)                                 {}
func (dataEndStruct) Invoke()                                                           {}

// callbackKinds is one value of each kind the acceptance table checks, with
// the event it fits ("" for none).
func callbackKinds() []struct {
	name string
	cb   any
	fits OnOffType
} {
	return []struct {
		name string
		cb   any
		fits OnOffType
	}{
		{"open func", WebSocketAsyncCallbackFunc[map[uint32]string](func(mo.Option[callback.AsyncError], mo.Option[map[uint32]string]) {}), EventOpen{}},
		{"message func", WebSocketAsyncCallbackFunc[MessageData](func(mo.Option[callback.AsyncError], mo.Option[MessageData]) {}), EventMessage{}},
		{"close func", WebSocketAsyncCallbackFunc[CloseResult](func(mo.Option[callback.AsyncError], mo.Option[CloseResult]) {}), EventClose{}},
		{"error func", WebSocketErrorCallbackFunc(func(*callback.BusinessException) {}), EventError{}},
		{"dataEnd func", callback.Callback0Func(func() {}), EventDataEnd{}},
		{"headerReceive func", callback.Callback1Func[ResponseHeaders](func(ResponseHeaders) {}), EventHeaderReceive{}},
		{"openInfo func", WebSocketAsyncCallbackFunc[OpenInfo](func(mo.Option[callback.AsyncError], mo.Option[OpenInfo]) {}), EventOpenInfo{}},
		{"openInfo Data", Data(func(OpenInfo) {}), EventOpenInfo{}},
		{"open pointer", &openStruct{}, EventOpen{}},
		{"error pointer", &errorStruct{}, EventError{}},
		{"dataEnd value", dataEndStruct{}, EventDataEnd{}},
		{"dataEnd pointer", &dataEndStruct{}, EventDataEnd{}},
		{"close as Callback2Func", callback.Callback2Func[mo.Option[callback.AsyncError], mo.Option[CloseResult]](
			func(mo.Option[callback.AsyncError], mo.Option[CloseResult]) {}), EventClose{}},

		{"async func of string", WebSocketAsyncCallbackFunc[string](func(mo.Option[callback.AsyncError], mo.Option[string]) {}), nil},
		{"async func of map[string]string", WebSocketAsyncCallbackFunc[map[string]string](func(mo.Option[callback.AsyncError], mo.Option[map[string]string]) {}), nil},
		{"header func of MapData", callback.Callback1Func[MapData](func(MapData) {}), nil},
		{"Callback1Func of error", callback.Callback1Func[error](func(error) {}), nil},
		{"AsyncCallback (no Invoke)", callback.AsyncCallback[bool](func(mo.Option[callback.AsyncError], mo.Option[bool]) {}), nil},
		{"plain func()", func() {}, nil},
		{"plain error func", func(*callback.BusinessException) {}, nil},
		{"string", "callback", nil},
		{"int", 1, nil},
		{"open value (pointer method)", openStruct{}, nil},
	}
}

func TestFits(t *testing.T) {
	for _, k := range callbackKinds() {
		for _, ev := range allEvents {
			t.Run(k.name+"/"+ev.String(), func(t *testing.T) {
				want := k.fits != nil && k.fits == ev
				assert.Equal(t, want, fits(ev.eventIndex(), k.cb))
			})
		}
	}
	assert.False(t, fits(numEvents, callback.Callback0Func(func() {})), "no event beyond the seven")
}

func TestOnOffAcceptance(t *testing.T) {
	for _, k := range callbackKinds() {
		for _, ev := range allEvents {
			t.Run(k.name+"/"+ev.String(), func(t *testing.T) {
				var ws WebSocket
				err := ws.On(ev, k.cb)
				if k.fits != nil && k.fits == ev {
					require.NoError(t, err)
					for _, other := range allEvents {
						want := 0
						if other == ev {
							want = 1
						}
						assert.Len(t, ws.events.l.get(other.eventIndex()), want, "listeners of %s", other)
					}
					require.NoError(t, ws.Off(ev, k.cb))
				} else {
					assertCode(t, err, ErrParameter)
					assert.Contains(t, err.Error(), ev.String())
					assert.Contains(t, err.Error(), wantType[ev.eventIndex()], "the message names the type that fits")
					assertCode(t, ws.Off(ev, k.cb), ErrParameter)
				}
				for _, other := range allEvents {
					assert.Empty(t, ws.events.l.get(other.eventIndex()), "listeners of %s", other)
				}
			})
		}
	}
}

func TestOnOffNil(t *testing.T) {
	var ws WebSocket
	cb := callback.Callback0Func(func() {})
	assertCode(t, ws.On(nil, cb), ErrParameter)
	assertCode(t, ws.Off(nil, cb), ErrParameter)
	assertCode(t, ws.On(EventDataEnd{}, nil), ErrParameter)
	assertCode(t, ws.On(EventDataEnd{}, callback.Callback0Func(nil)), ErrParameter)
	assertCode(t, ws.On(EventError{}, (*errorStruct)(nil)), ErrParameter)
	assertCode(t, ws.OnDataEnd(nil), ErrParameter)

	// Off with nil removes every callback of that event only.
	require.NoError(t, ws.On(EventDataEnd{}, cb))
	require.NoError(t, ws.On(EventDataEnd{}, dataEndStruct{id: 1}))
	require.NoError(t, ws.On(EventError{}, &errorStruct{}))
	require.NoError(t, ws.Off(EventDataEnd{}, nil))
	assert.Empty(t, ws.events.l.get(evDataEnd))
	assert.Len(t, ws.events.l.get(evError), 1)
	require.NoError(t, ws.OffError(nil))
	assert.Empty(t, ws.events.l.get(evError))
}

//go:noinline
func nonCapturingLiteral() callback.Callback0Func { return func() {} }

func TestIdentity(t *testing.T) {
	n := 0
	capturing := func() callback.Callback0Func { return func() { n++ } }
	f := callback.Callback0Func(func() { n++ })
	g := callback.Callback0Func(func() { n++ })
	p1, p2 := &openStruct{id: 1}, &openStruct{id: 1}
	var boxed any = struct{ f func() }{f: func() { n++ }}

	tests := []struct {
		name string
		a, b any
		same bool
	}{
		{"same pointer", p1, p1, true},
		{"two pointers to equal values", p1, p2, false},
		{"same func value", f, f, true},
		{"same func value, converted twice", any(f), any(f), true},
		{"two func literals", f, g, false},
		{"capturing literal evaluated twice", capturing(), capturing(), false},
		{"equal comparable struct values", dataEndStruct{id: 1}, dataEndStruct{id: 1}, true},
		{"different comparable struct values", dataEndStruct{id: 1}, dataEndStruct{id: 2}, false},
		{"same value, different types", dataEndStruct{id: 1}, openStruct{id: 1}, false},
		{"incomparable value, same interface value", boxed, boxed, true},
		{"incomparable values, two interface values", struct{ f func() }{f: func() { n++ }}, struct{ f func() }{f: func() { n++ }}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ka, kb := identity(tt.a), identity(tt.b)
			assert.NotPanics(t, func() { _ = ka == kb })
			assert.Equal(t, tt.same, ka == kb)
		})
	}
}

func TestIdentityNonCapturingLiteral(t *testing.T) {
	// The doc of Off: a literal that captures nothing is one function
	// wherever it is evaluated, so it is one callback.
	a, b := nonCapturingLiteral(), nonCapturingLiteral()
	assert.Equal(t, identity(a), identity(b))
}

func TestIsNilCallback(t *testing.T) {
	tests := []struct {
		name string
		cb   any
		want bool
	}{
		{"nil", nil, true},
		{"typed nil pointer", (*openStruct)(nil), true},
		{"typed nil func", callback.Callback0Func(nil), true},
		{"typed nil async func", WebSocketAsyncCallbackFunc[CloseResult](nil), true},
		{"typed nil error func", WebSocketErrorCallbackFunc(nil), true},
		{"typed nil map", map[string]int(nil), true},
		{"typed nil slice", []int(nil), true},
		{"typed nil chan", (chan int)(nil), true},
		{"non-nil pointer", &openStruct{}, false},
		{"non-nil func", callback.Callback0Func(func() {}), false},
		{"struct value", dataEndStruct{}, false},
		{"zero int", 0, false},
		{"empty string", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, isNilCallback(tt.cb))
		})
	}
}

// ---- listeners ----

func keysOf(ls []listener) []any {
	out := make([]any, len(ls))
	for i, x := range ls {
		out[i] = x.cb
	}
	return out
}

func TestListeners(t *testing.T) {
	a, b, c, d := &errorStruct{1}, &errorStruct{2}, &errorStruct{3}, &errorStruct{4}
	var l listeners

	l.add(evError, a)
	l.add(evError, b)
	l.add(evError, a) // again: kept once, in its first place
	l.add(evError, c)
	assert.Equal(t, []any{a, b, c}, keysOf(l.get(evError)))
	assert.Empty(t, l.get(evOpen), "other events untouched")

	snapshot := l.get(evError)
	l.add(evError, d)
	l.remove(evError, b)
	assert.Equal(t, []any{a, b, c}, keysOf(snapshot), "a slice from get is not changed by later add or remove")
	assert.Equal(t, []any{a, c, d}, keysOf(l.get(evError)))

	l.remove(evError, &errorStruct{1}) // equal value, other pointer: not registered
	assert.Equal(t, []any{a, c, d}, keysOf(l.get(evError)))

	l.remove(evError, d)
	l.remove(evError, a)
	assert.Equal(t, []any{c}, keysOf(l.get(evError)))

	l.add(evDataEnd, dataEndStruct{1})
	l.remove(evError, nil)
	assert.Empty(t, l.get(evError))
	assert.Len(t, l.get(evDataEnd), 1, "remove(nil) clears one event only")

	l.remove(evError, a) // from an empty list: nothing happens
	assert.Empty(t, l.get(evError))
}

func TestListenersFuncIdentity(t *testing.T) {
	n := 0
	f := callback.Callback0Func(func() { n++ })
	g := callback.Callback0Func(func() { n += 2 })
	var l listeners
	l.add(evDataEnd, f)
	l.add(evDataEnd, f)
	l.add(evDataEnd, g)
	require.Len(t, l.get(evDataEnd), 2)
	l.remove(evDataEnd, f)
	ls := l.get(evDataEnd)
	require.Len(t, ls, 1)
	ls[0].cb.(callback.Callback0Argument).Invoke()
	assert.Equal(t, 2, n, "the remaining callback is g")

	// Comparable values are equal by value.
	l.add(evDataEnd, dataEndStruct{7})
	l.remove(evDataEnd, dataEndStruct{7})
	assert.Len(t, l.get(evDataEnd), 1)
}

func TestListenersConcurrent(t *testing.T) {
	var l listeners
	var wg sync.WaitGroup
	cbs := make([]*errorStruct, 32)
	for i := range cbs {
		cbs[i] = &errorStruct{i}
	}
	for _, cb := range cbs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l.add(evError, cb)
			_ = l.get(evError)
		}()
	}
	wg.Wait()
	assert.Len(t, l.get(evError), len(cbs))
	for _, cb := range cbs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l.remove(evError, cb)
		}()
	}
	wg.Wait()
	assert.Empty(t, l.get(evError))
}

// ---- dispatcher ----

// waitFor waits for ch to be closed or to deliver, under waitTimeout.
func waitFor(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(waitTimeout):
		t.Fatalf("timed out waiting for %s", what)
	}
}

func TestDispatcherOrderAndExclusion(t *testing.T) {
	const producers, perProducer = 8, 200
	var d dispatcher
	var running, overlaps, total atomic.Int32
	got := make([][]int, producers) // written by callbacks only, which run one at a time
	done := make(chan struct{})

	var wg sync.WaitGroup
	for p := range producers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perProducer {
				d.post(event{done: func(mo.Option[callback.AsyncError], mo.Option[bool]) {
					if running.Add(1) != 1 {
						overlaps.Add(1)
					}
					got[p] = append(got[p], i)
					runtime.Gosched()
					running.Add(-1)
					if total.Add(1) == producers*perProducer {
						close(done)
					}
				}})
			}
		}()
	}
	wg.Wait()
	waitFor(t, done, "every callback")

	assert.Zero(t, overlaps.Load(), "callbacks ran at the same time")
	for p := range producers {
		want := make([]int, perProducer)
		for i := range want {
			want[i] = i
		}
		assert.Equal(t, want, got[p], "callbacks of producer %d out of order", p)
	}
}

func TestDispatcherCompletion(t *testing.T) {
	var d dispatcher
	type result struct {
		err  mo.Option[callback.AsyncError]
		data mo.Option[bool]
	}
	results := make(chan result, 2)
	cb := func(err mo.Option[callback.AsyncError], data mo.Option[bool]) { results <- result{err, data} }

	d.post(event{done: cb})
	cause := newError(ErrConnectionNotExist, nil, "x")
	d.post(event{done: cb, err: cause})

	r := <-results
	assert.True(t, r.err.IsAbsent())
	assert.Equal(t, mo.Some(true), r.data)

	r = <-results
	require.True(t, r.err.IsPresent())
	assert.Equal(t, int32(ErrConnectionNotExist), r.err.MustGet().Code)
	assert.Same(t, cause, r.err.MustGet().Err)
	assert.True(t, r.data.IsAbsent())
}

func TestDispatcherDeliversPayloads(t *testing.T) {
	var d dispatcher
	var mu sync.Mutex
	var got []string
	record := func(s string) { mu.Lock(); got = append(got, s); mu.Unlock() }
	done := make(chan struct{})

	be := newError(ErrConnectionFailed, nil, "boom")
	d.l.add(evHeaderReceive, callback.Callback1Func[ResponseHeaders](func(h ResponseHeaders) { record("headers " + h.String()) }))
	d.l.add(evOpen, WebSocketAsyncCallbackFunc[map[uint32]string](func(err mo.Option[callback.AsyncError], data mo.Option[map[uint32]string]) {
		record(fmt.Sprintf("open %v %v", err.IsPresent(), data.MustGet()))
	}))
	d.l.add(evMessage, WebSocketAsyncCallbackFunc[MessageData](func(err mo.Option[callback.AsyncError], data mo.Option[MessageData]) {
		record(fmt.Sprintf("message %v %T %s", err.IsPresent(), data.MustGet(), data.MustGet()))
	}))
	d.l.add(evDataEnd, callback.Callback0Func(func() { record("dataEnd") }))
	d.l.add(evError, WebSocketErrorCallbackFunc(func(e *callback.BusinessException) {
		if e == be {
			record("error " + e.Error())
		}
	}))
	d.l.add(evClose, WebSocketAsyncCallbackFunc[CloseResult](func(err mo.Option[callback.AsyncError], data mo.Option[CloseResult]) {
		record(fmt.Sprintf("close %v %+v", err.IsPresent(), data.MustGet()))
		close(done)
	}))
	d.l.add(evOpenInfo, WebSocketAsyncCallbackFunc[OpenInfo](func(err mo.Option[callback.AsyncError], data mo.Option[OpenInfo]) {
		record(fmt.Sprintf("openInfo %v %+v", err.IsPresent(), data.MustGet()))
	}))

	d.post(event{ev: evHeaderReceive, data: MapData{"upgrade": "websocket"}})
	d.post(event{ev: evOpen, data: map[uint32]string{101: "Switching Protocols"}})
	d.post(event{ev: evOpenInfo, data: OpenInfo{Status: 101, Message: "Switching Protocols", Protocol: "chat"}})
	d.post(event{ev: evMessage, msg: StringData("hi")})
	d.post(event{ev: evMessage, msg: ArrayData{1, 2}})
	d.post(event{ev: evDataEnd})
	d.post(event{ev: evError, err: be})
	d.post(event{ev: evClose, data: CloseResult{Code: 1000, Reason: "bye"}})
	waitFor(t, done, "the close event")

	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, []string{
		"headers {upgrade: websocket}",
		"open false map[101:Switching Protocols]",
		"openInfo false {Status:101 Message:Switching Protocols Protocol:chat}",
		"message false websocket.StringData hi",
		"dataEnd",
		"message false websocket.ArrayData [1, 2]",
		"dataEnd",
		"dataEnd",
		"error websocket: connection failed: boom",
		"close false {Code:1000 Reason:bye}",
	}, got)
}

func TestDispatcherListenersInRegistrationOrder(t *testing.T) {
	var d dispatcher
	var got []int
	done := make(chan struct{})
	for i := range 5 {
		d.l.add(evDataEnd, callback.Callback0Func(func() { got = append(got, i) }))
	}
	d.post(event{ev: evDataEnd})
	d.post(event{done: func(mo.Option[callback.AsyncError], mo.Option[bool]) { close(done) }})
	waitFor(t, done, "the completion")
	assert.Equal(t, []int{0, 1, 2, 3, 4}, got)
}

// lockedBuffer is a bytes.Buffer safe for the log package and the test.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

func TestDispatcherRecoversPanics(t *testing.T) {
	var buf lockedBuffer
	prev := log.Writer()
	log.SetOutput(&buf)
	t.Cleanup(func() { log.SetOutput(prev) })

	var d dispatcher
	var ran []string
	done := make(chan struct{})
	d.l.add(evDataEnd, callback.Callback0Func(func() { panic("boom in listener") }))
	d.l.add(evDataEnd, callback.Callback0Func(func() { ran = append(ran, "second listener") }))
	d.l.add(evMessage, WebSocketAsyncCallbackFunc[MessageData](func(mo.Option[callback.AsyncError], mo.Option[MessageData]) {
		panic("boom in message")
	}))

	d.post(event{ev: evDataEnd})
	d.post(event{done: func(mo.Option[callback.AsyncError], mo.Option[bool]) { panic("boom in completion") }})
	d.post(event{ev: evMessage, msg: StringData("x")}) // its dataEnd still follows
	d.post(event{done: func(mo.Option[callback.AsyncError], mo.Option[bool]) {
		ran = append(ran, "last completion")
		close(done)
	}})
	waitFor(t, done, "the last completion")

	assert.Equal(t, []string{"second listener", "second listener", "last completion"}, ran)
	out := buf.String()
	assert.Contains(t, out, "panic in")
	assert.Contains(t, out, "panic in dataEnd callback: boom in listener")
	assert.Contains(t, out, "panic in completion callback: boom in completion")
	assert.Contains(t, out, "panic in message callback: boom in message")
	assert.Contains(t, out, "goroutine ", "the log holds the stack")
}

func TestDispatcherGoroutineEnds(t *testing.T) {
	var d dispatcher
	for round := range 3 {
		done := make(chan struct{})
		d.post(event{done: func(mo.Option[callback.AsyncError], mo.Option[bool]) { close(done) }})
		waitFor(t, done, "round "+strconv.Itoa(round))
		// The goroutine stops when the queue is empty; goleak in TestMain
		// checks that it does, and a later post starts a new one.
	}
	require.Eventually(t, func() bool {
		d.mu.Lock()
		defer d.mu.Unlock()
		return !d.running && d.queue.len() == 0
	}, waitTimeout, time.Millisecond)
}

// ---- TLS ----

// testCert is a generated self-signed certificate and its key, written to
// files.
type testCert struct {
	der      []byte
	cert     *x509.Certificate
	key      *ecdsa.PrivateKey
	certPath string
	keyPath  string // SEC 1 "EC PRIVATE KEY"
	keyPEM   []byte
}

func newTestCert(t *testing.T, dir, name string) testCert {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              []string{name},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	keyDER, err := x509.MarshalECPrivateKey(key)
	require.NoError(t, err)
	tc := testCert{
		der: der, cert: cert, key: key,
		certPath: filepath.Join(dir, name+".crt"),
		keyPath:  filepath.Join(dir, name+".key"),
		keyPEM:   pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}),
	}
	writeFile(t, tc.certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	writeFile(t, tc.keyPath, tc.keyPEM)
	return tc
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	require.NoError(t, os.WriteFile(path, data, 0o600))
}

// tlsConfig builds the TLS configuration Connect builds from o.
func tlsConfig(o *RequestOptions) (*tls.Config, error) {
	f := newTLSFiles(o)
	return f.load()
}

func TestTLSConfigMinVersion(t *testing.T) {
	tests := []struct {
		v    TLSProtocol
		want uint16
	}{
		{0, 0},
		{TLSv10, tls.VersionTLS10},
		{TLSv11, tls.VersionTLS11},
		{TLSv12, tls.VersionTLS12},
		{TLSv13, tls.VersionTLS13},
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(int(tt.v)), func(t *testing.T) {
			cfg, err := tlsConfig(&RequestOptions{MinTLSVersion: tt.v})
			require.NoError(t, err)
			assert.Equal(t, tt.want, cfg.MinVersion)
		})
	}
}

func TestTLSConfigDefaults(t *testing.T) {
	cfg, err := tlsConfig(&RequestOptions{})
	require.NoError(t, err)
	assert.False(t, cfg.InsecureSkipVerify, "verification is on by default")
	assert.Nil(t, cfg.RootCAs, "system roots by default")
	assert.Empty(t, cfg.Certificates)
	assert.Empty(t, cfg.ServerName, "the host name comes from the URL")

	cfg, err = tlsConfig(&RequestOptions{SkipServerCertVerification: true})
	require.NoError(t, err)
	assert.True(t, cfg.InsecureSkipVerify)

	cfg, err = tlsConfig(&RequestOptions{ClientCert: &ClientCert{}})
	require.NoError(t, err)
	assert.Empty(t, cfg.Certificates, "an empty ClientCert presents nothing")
}

func TestTLSConfigFromTLSClientConfig(t *testing.T) {
	cache := tls.NewLRUClientSessionCache(1)
	pool := x509.NewCertPool()
	base := &tls.Config{ServerName: "named.example", RootCAs: pool, ClientSessionCache: cache,
		NextProtos: []string{"h2", "http/1.1"}, MaxVersion: tls.VersionTLS12}
	cfg, err := tlsConfig(&RequestOptions{TLSClientConfig: base, SkipServerCertVerification: true, MinTLSVersion: TLSv11})
	require.NoError(t, err)
	assert.NotSame(t, base, cfg)
	assert.Equal(t, "named.example", cfg.ServerName, "a ServerName of the config is kept")
	assert.Same(t, pool, cfg.RootCAs)
	assert.Equal(t, cache, cfg.ClientSessionCache, "the cache is shared, for resumption")
	assert.Equal(t, []string{"http/1.1"}, cfg.NextProtos)
	assert.Equal(t, uint16(tls.VersionTLS12), cfg.MaxVersion)
	assert.True(t, cfg.InsecureSkipVerify)
	assert.Equal(t, uint16(tls.VersionTLS11), cfg.MinVersion)
	// The caller's config is as it was.
	assert.False(t, base.InsecureSkipVerify)
	assert.Zero(t, base.MinVersion)
	assert.Equal(t, []string{"h2", "http/1.1"}, base.NextProtos)

	// Each load has its own configuration.
	f := newTLSFiles(&RequestOptions{TLSClientConfig: base})
	a, err := f.load()
	require.NoError(t, err)
	b, err := f.load()
	require.NoError(t, err)
	assert.NotSame(t, a, b)
}

func TestProxyTLS(t *testing.T) {
	c := proxyTLS(nil, "proxy.test:3129")
	assert.Equal(t, "proxy.test", c.ServerName)
	assert.Nil(t, c.RootCAs, "system roots")
	assert.False(t, c.InsecureSkipVerify)

	c = proxyTLS(nil, "[2001:db8::1]:443")
	assert.Equal(t, "2001:db8::1", c.ServerName)

	pool := x509.NewCertPool()
	base := &tls.Config{RootCAs: pool, NextProtos: []string{"h2", "http/1.1"}}
	c = proxyTLS(base, "proxy.test:443")
	assert.NotSame(t, base, c)
	assert.Same(t, pool, c.RootCAs)
	assert.Equal(t, []string{"http/1.1"}, c.NextProtos)
	assert.Empty(t, base.ServerName)

	base.ServerName = "named.proxy"
	assert.Equal(t, "named.proxy", proxyTLS(base, "10.0.0.1:443").ServerName)
}

func TestHTTP11Only(t *testing.T) {
	assert.Nil(t, http11Only(nil))
	assert.Nil(t, http11Only([]string{"h2"}))
	assert.Equal(t, []string{"http/1.1"}, http11Only([]string{"h2", "http/1.1", "spdy/3"}))
}

func TestTLSConfigCAPath(t *testing.T) {
	dir := t.TempDir()
	ca := newTestCert(t, dir, "ca.test")
	other := newTestCert(t, t.TempDir(), "other.test")

	caDir := filepath.Join(dir, "cas")
	require.NoError(t, os.Mkdir(caDir, 0o700))
	writeFile(t, filepath.Join(caDir, "ca.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.der}))
	writeFile(t, filepath.Join(caDir, "README"), []byte("not a certificate"))
	require.NoError(t, os.Mkdir(filepath.Join(caDir, "sub"), 0o700))

	emptyDir := filepath.Join(dir, "empty")
	require.NoError(t, os.Mkdir(emptyDir, 0o700))
	noPEMDir := filepath.Join(dir, "nopem")
	require.NoError(t, os.Mkdir(noPEMDir, 0o700))
	writeFile(t, filepath.Join(noPEMDir, "x.txt"), []byte("hello"))
	noPEM := filepath.Join(dir, "nopem.pem")
	writeFile(t, noPEM, []byte("this is not PEM\n"))
	keyOnly := filepath.Join(dir, "keyonly.pem")
	writeFile(t, keyOnly, ca.keyPEM)

	tests := []struct {
		name string
		path string
		want ErrorCode
	}{
		{"file", ca.certPath, 0},
		{"directory", caDir, 0},
		{"missing", filepath.Join(dir, "missing.pem"), ErrCertificateNotFound},
		{"file without PEM", noPEM, ErrCertificateNotFound},
		{"file with a key, no certificate", keyOnly, ErrCertificateNotFound},
		{"empty directory", emptyDir, ErrCertificateNotFound},
		{"directory without PEM", noPEMDir, ErrCertificateNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := tlsConfig(&RequestOptions{CAPath: tt.path})
			checkErr(t, err, tt.want)
			if tt.want != 0 {
				assert.Nil(t, cfg)
				assert.Contains(t, err.Error(), tt.path)
				return
			}
			require.NotNil(t, cfg.RootCAs)
			// The pool trusts the CA and nothing else.
			_, err = ca.cert.Verify(x509.VerifyOptions{Roots: cfg.RootCAs, DNSName: "ca.test"})
			assert.NoError(t, err)
			_, err = other.cert.Verify(x509.VerifyOptions{Roots: cfg.RootCAs})
			assert.Error(t, err)
		})
	}
}

// legacyEncrypt encrypts a PEM key block with the legacy Proc-Type scheme.
func legacyEncrypt(t *testing.T, keyPEM []byte, password string) []byte {
	t.Helper()
	block, _ := pem.Decode(keyPEM)
	require.NotNil(t, block)
	//nolint:staticcheck // legacy PEM encryption is one of the forms ClientCert.KeyPassword decrypts
	enc, err := x509.EncryptPEMBlock(rand.Reader, block.Type, block.Bytes, []byte(password), x509.PEMCipherAES256)
	require.NoError(t, err)
	return pem.EncodeToMemory(enc)
}

// legacyPasswords returns two wrong passwords for a legacy encrypted key:
// one the cipher's padding check detects, and one that decrypts to bytes
// with valid padding (about 1 in 256 wrong passwords do), which only
// parsing the result can tell from the right password.
func legacyPasswords(t *testing.T, encPEM []byte) (detected, validPadding string) {
	t.Helper()
	block, _ := pem.Decode(encPEM)
	require.NotNil(t, block)
	for i := 0; i < 100000 && (detected == "" || validPadding == ""); i++ {
		pw := "wrong-" + strconv.Itoa(i)
		//nolint:staticcheck // see legacyEncrypt
		_, err := x509.DecryptPEMBlock(block, []byte(pw))
		switch {
		case errors.Is(err, x509.IncorrectPasswordError) && detected == "":
			detected = pw
		case err == nil && validPadding == "":
			validPadding = pw
		}
	}
	require.NotEmpty(t, detected)
	require.NotEmpty(t, validPadding)
	return detected, validPadding
}

func TestTLSConfigClientCert(t *testing.T) {
	dir := t.TempDir()
	c := newTestCert(t, dir, "client.test")
	other := newTestCert(t, dir, "other.test")

	pkcs8DER, err := x509.MarshalPKCS8PrivateKey(c.key)
	require.NoError(t, err)
	pkcs8Key := filepath.Join(dir, "pkcs8.key")
	writeFile(t, pkcs8Key, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8DER}))

	ecParamsKey := filepath.Join(dir, "ecparams.key") // as "openssl ecparam -genkey" writes it
	writeFile(t, ecParamsKey, append(pem.EncodeToMemory(&pem.Block{Type: "EC PARAMETERS", Bytes: []byte{6, 8, 42, 134, 72, 206, 61, 3, 1, 7}}), c.keyPEM...))

	encPEM := legacyEncrypt(t, c.keyPEM, "s3cret")
	encKey := filepath.Join(dir, "enc.key")
	writeFile(t, encKey, encPEM)
	wrong, wrongValidPadding := legacyPasswords(t, encPEM)

	pkcs8EncDER, err := pkcs8.MarshalPrivateKey(c.key, []byte("s3cret"), nil)
	require.NoError(t, err)
	pkcs8Enc := filepath.Join(dir, "pkcs8enc.key")
	writeFile(t, pkcs8Enc, pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: pkcs8EncDER}))
	damagedEnc := filepath.Join(dir, "damaged.key")
	writeFile(t, damagedEnc, pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: []byte{0x30, 0x03, 0x02, 0x01, 0x00}}))

	garbageKey := filepath.Join(dir, "garbage.key")
	writeFile(t, garbageKey, []byte("not a key"))
	garbageCert := filepath.Join(dir, "garbage.crt")
	writeFile(t, garbageCert, []byte("not a certificate"))

	_, edKey, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	edDER, err := x509.MarshalPKCS8PrivateKey(edKey)
	require.NoError(t, err)
	edKeyPath := filepath.Join(dir, "ed25519.key")
	writeFile(t, edKeyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: edDER}))

	missing := filepath.Join(dir, "missing")
	tests := []struct {
		name    string
		cc      ClientCert
		want    ErrorCode
		wantMsg string
	}{
		{"SEC 1 key", ClientCert{CertPath: c.certPath, KeyPath: c.keyPath}, 0, ""},
		{"PKCS#8 key", ClientCert{CertPath: c.certPath, KeyPath: pkcs8Key}, 0, ""},
		{"EC PARAMETERS before the key", ClientCert{CertPath: c.certPath, KeyPath: ecParamsKey}, 0, ""},
		{"unencrypted key, password given", ClientCert{CertPath: c.certPath, KeyPath: c.keyPath, KeyPassword: mo.Some("unused")}, 0, ""},
		{"legacy encrypted key, right password", ClientCert{CertPath: c.certPath, KeyPath: encKey, KeyPassword: mo.Some("s3cret")}, 0, ""},
		{"legacy encrypted key, wrong password", ClientCert{CertPath: c.certPath, KeyPath: encKey, KeyPassword: mo.Some(wrong)}, ErrParameter, "wrong KeyPassword"},
		{"legacy encrypted key, wrong password with valid padding", ClientCert{CertPath: c.certPath, KeyPath: encKey, KeyPassword: mo.Some(wrongValidPadding)}, ErrParameter, "wrong KeyPassword"},
		{"legacy encrypted key, empty password", ClientCert{CertPath: c.certPath, KeyPath: encKey, KeyPassword: mo.Some("")}, ErrParameter, ""},
		{"legacy encrypted key, no password", ClientCert{CertPath: c.certPath, KeyPath: encKey}, ErrParameter, "KeyPassword is absent"},
		{"PKCS#8 encrypted key, right password", ClientCert{CertPath: c.certPath, KeyPath: pkcs8Enc, KeyPassword: mo.Some("s3cret")}, 0, ""},
		{"PKCS#8 encrypted key, wrong password", ClientCert{CertPath: c.certPath, KeyPath: pkcs8Enc, KeyPassword: mo.Some("not-the-pw-42")}, ErrParameter, "wrong KeyPassword"},
		{"PKCS#8 encrypted key, no password", ClientCert{CertPath: c.certPath, KeyPath: pkcs8Enc}, ErrParameter, "KeyPassword is absent"},
		{"damaged ENCRYPTED PRIVATE KEY block", ClientCert{CertPath: c.certPath, KeyPath: damagedEnc, KeyPassword: mo.Some("s3cret")}, ErrParameter, ""},
		{"damaged ENCRYPTED PRIVATE KEY block, no password", ClientCert{CertPath: c.certPath, KeyPath: damagedEnc}, ErrParameter, ""},
		{"cert and key mismatch", ClientCert{CertPath: c.certPath, KeyPath: other.keyPath}, ErrParameter, "key pair"},
		{"cert and Ed25519 key mismatch", ClientCert{CertPath: c.certPath, KeyPath: edKeyPath}, ErrParameter, ""},
		{"key file without PEM", ClientCert{CertPath: c.certPath, KeyPath: garbageKey}, ErrParameter, ""},
		{"cert file without PEM", ClientCert{CertPath: garbageCert, KeyPath: c.keyPath}, ErrParameter, ""},
		{"cert missing", ClientCert{CertPath: missing, KeyPath: c.keyPath}, ErrCertificateNotFound, missing},
		{"key missing", ClientCert{CertPath: c.certPath, KeyPath: missing}, ErrCertificateNotFound, missing},
		{"both missing", ClientCert{CertPath: missing, KeyPath: missing + ".key"}, ErrCertificateNotFound, ""},
		{"cert is a directory", ClientCert{CertPath: dir, KeyPath: c.keyPath}, ErrCertificateNotFound, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var cfg *tls.Config
			var err error
			assert.NotPanics(t, func() { cfg, err = tlsConfig(&RequestOptions{ClientCert: &tt.cc}) })
			checkErr(t, err, tt.want)
			if tt.want != 0 {
				assert.Nil(t, cfg)
				if tt.wantMsg != "" {
					assert.Contains(t, err.Error(), tt.wantMsg)
				}
				if pw, ok := tt.cc.KeyPassword.Get(); ok && pw != "" {
					assert.NotContains(t, err.Error(), pw, "the password must not appear in the error")
				}
				return
			}
			require.Len(t, cfg.Certificates, 1)
			got := cfg.Certificates[0]
			require.NotEmpty(t, got.Certificate)
			assert.Equal(t, c.der, got.Certificate[0])
			priv, ok := got.PrivateKey.(*ecdsa.PrivateKey)
			require.True(t, ok, "private key is %T", got.PrivateKey)
			assert.True(t, c.key.Equal(priv))
		})
	}
}

func TestTLSConfigCAPathAndClientCertTogether(t *testing.T) {
	dir := t.TempDir()
	ca := newTestCert(t, dir, "ca.test")
	c := newTestCert(t, dir, "client.test")
	cfg, err := tlsConfig(&RequestOptions{
		CAPath: ca.certPath, ClientCert: &ClientCert{CertPath: c.certPath, KeyPath: c.keyPath},
		MinTLSVersion: TLSv12, SkipServerCertVerification: true,
	})
	require.NoError(t, err)
	assert.NotNil(t, cfg.RootCAs)
	assert.Len(t, cfg.Certificates, 1)
	assert.Equal(t, uint16(tls.VersionTLS12), cfg.MinVersion)
	assert.True(t, cfg.InsecureSkipVerify)

	// A bad CAPath is reported before the client certificate is read.
	_, err = tlsConfig(&RequestOptions{CAPath: filepath.Join(dir, "missing"), ClientCert: &ClientCert{CertPath: "x", KeyPath: "y"}})
	assertCode(t, err, ErrCertificateNotFound)
	assert.Contains(t, err.Error(), "CAPath")
}

// ---- typed registration ----

func TestTypedOnOff(t *testing.T) {
	openCB := WebSocketAsyncCallbackFunc[map[uint32]string](func(mo.Option[callback.AsyncError], mo.Option[map[uint32]string]) {})
	messageCB := WebSocketAsyncCallbackFunc[MessageData](func(mo.Option[callback.AsyncError], mo.Option[MessageData]) {})
	closeCB := WebSocketAsyncCallbackFunc[CloseResult](func(mo.Option[callback.AsyncError], mo.Option[CloseResult]) {})
	errorCB := WebSocketErrorCallbackFunc(func(*callback.BusinessException) {})
	dataEndCB := callback.Callback0Func(func() {})
	headerCB := callback.Callback1Func[ResponseHeaders](func(ResponseHeaders) {})
	openInfoCB := Data(func(OpenInfo) {})

	tests := []struct {
		name    string
		ev      eventIndex
		on, off func(ws *WebSocket) error
		offAll  func(ws *WebSocket) error
	}{
		{"open", evOpen,
			func(ws *WebSocket) error { return ws.OnOpen(openCB) },
			func(ws *WebSocket) error { return ws.OffOpen(openCB) },
			func(ws *WebSocket) error { return ws.OffOpen(nil) }},
		{"message", evMessage,
			func(ws *WebSocket) error { return ws.OnMessage(messageCB) },
			func(ws *WebSocket) error { return ws.OffMessage(messageCB) },
			func(ws *WebSocket) error { return ws.OffMessage(nil) }},
		{"close", evClose,
			func(ws *WebSocket) error { return ws.OnClose(closeCB) },
			func(ws *WebSocket) error { return ws.OffClose(closeCB) },
			func(ws *WebSocket) error { return ws.OffClose(nil) }},
		{"error", evError,
			func(ws *WebSocket) error { return ws.OnError(errorCB) },
			func(ws *WebSocket) error { return ws.OffError(errorCB) },
			func(ws *WebSocket) error { return ws.OffError(nil) }},
		{"dataEnd", evDataEnd,
			func(ws *WebSocket) error { return ws.OnDataEnd(dataEndCB) },
			func(ws *WebSocket) error { return ws.OffDataEnd(dataEndCB) },
			func(ws *WebSocket) error { return ws.OffDataEnd(nil) }},
		{"headerReceive", evHeaderReceive,
			func(ws *WebSocket) error { return ws.OnHeaderReceive(headerCB) },
			func(ws *WebSocket) error { return ws.OffHeaderReceive(headerCB) },
			func(ws *WebSocket) error { return ws.OffHeaderReceive(nil) }},
		{"openInfo", evOpenInfo,
			func(ws *WebSocket) error { return ws.OnOpenInfo(openInfoCB) },
			func(ws *WebSocket) error { return ws.OffOpenInfo(openInfoCB) },
			func(ws *WebSocket) error { return ws.OffOpenInfo(nil) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ws := CreateWebSocket()
			require.NoError(t, tt.on(ws))
			require.NoError(t, tt.on(ws)) // the same callback again: kept once
			for ev := range numEvents {
				want := 0
				if ev == tt.ev {
					want = 1
				}
				assert.Len(t, ws.events.l.get(ev), want, "listeners of event %d", ev)
			}
			require.NoError(t, tt.off(ws))
			assert.Empty(t, ws.events.l.get(tt.ev))
			require.NoError(t, tt.off(ws), "removing a callback that is not registered does nothing")

			require.NoError(t, tt.on(ws))
			require.NoError(t, tt.offAll(ws))
			assert.Empty(t, ws.events.l.get(tt.ev))
		})
	}
}

// ---- handshake answers ----

func TestHandshakeErrorReasons(t *testing.T) {
	long := strings.Repeat("x", 3000)
	tests := []struct {
		name       string
		status     int
		statusText string
		header     http.Header
		body       io.Reader
		wantReason string
		wantBody   string
	}{
		{"403", 403, "403 Forbidden", http.Header{"X-Why": {"no"}}, strings.NewReader("refused"),
			"server answered 403 Forbidden instead of 101 Switching Protocols", "refused"},
		{"200 without body", 200, "200 OK", http.Header{}, nil,
			"server answered 200 OK instead of 101 Switching Protocols", ""},
		{"body cut at 1 KiB", 500, "500 Internal Server Error", http.Header{}, strings.NewReader(long),
			"server answered 500 Internal Server Error instead of 101 Switching Protocols", long[:1024]},
		{"101 without Upgrade", 101, "101 Switching Protocols", http.Header{"Connection": {"Upgrade"}}, nil,
			`101 answer without "Upgrade: websocket"`, ""},
		{"101 with another Upgrade", 101, "101 Switching Protocols", http.Header{"Upgrade": {"h2c"}, "Connection": {"Upgrade"}}, nil,
			`101 answer without "Upgrade: websocket"`, ""},
		{"101 without Connection", 101, "101 Switching Protocols", http.Header{"Upgrade": {"WebSocket"}}, nil,
			`101 answer without "Connection: Upgrade"`, ""},
		{"101 with Connection keep-alive only", 101, "101 Switching Protocols", http.Header{"Upgrade": {"websocket"}, "Connection": {"keep-alive"}}, nil,
			`101 answer without "Connection: Upgrade"`, ""},
		{"101 with a token list", 101, "101 Switching Protocols", http.Header{"Upgrade": {"websocket"}, "Connection": {"keep-alive, UPGRADE"}}, nil,
			"101 answer with a wrong Sec-WebSocket-Accept", ""},
		{"101 with Connection twice", 101, "101 Switching Protocols", http.Header{"Upgrade": {"websocket"}, "Connection": {"keep-alive", "upgrade"}}, nil,
			"101 answer with a wrong Sec-WebSocket-Accept", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := &http.Response{StatusCode: tt.status, Status: tt.statusText, Header: tt.header}
			if tt.body != nil {
				resp.Body = io.NopCloser(tt.body)
			}
			err := handshakeError(resp)
			var he *HandshakeError
			require.ErrorAs(t, err, &he)
			assert.Equal(t, tt.status, he.StatusCode)
			assert.Equal(t, tt.statusText, he.Status)
			assert.Equal(t, tt.header, he.Header)
			assert.Equal(t, tt.wantReason, he.Reason)
			assert.Equal(t, tt.wantBody, string(he.Body))
			assert.Equal(t, "websocket: handshake failed: "+tt.wantReason, err.Error())
		})
	}
}

func TestReasonPhrase(t *testing.T) {
	tests := []struct{ status, want string }{
		{"101 Switching Protocols", "Switching Protocols"},
		{"200 OK", "OK"},
		{"101", ""},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(strconv.Quote(tt.status), func(t *testing.T) {
			assert.Equal(t, tt.want, reasonPhrase(&http.Response{Status: tt.status}))
		})
	}
}

// timeoutError is a net.Error that timed out.
type timeoutError struct{}

func (timeoutError) Error() string   { return "i/o timeout" }
func (timeoutError) Timeout() bool   { return true }
func (timeoutError) Temporary() bool { return true }

func TestDescribe(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"deadline", context.DeadlineExceeded, "the opening handshake timed out: context deadline exceeded"},
		{"wrapped deadline", fmt.Errorf("dial: %w", context.DeadlineExceeded), "the opening handshake timed out: dial: context deadline exceeded"},
		{"net timeout", &net.OpError{Op: "dial", Net: "tcp", Err: timeoutError{}}, "the opening handshake timed out: dial tcp: i/o timeout"},
		{"prefix removed", errors.New("websocket: bad handshake"), "bad handshake"},
		{"other", errors.New("connection refused"), "connection refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, describe(tt.err))
		})
	}
}

func TestTLSConfigClientCertEd25519(t *testing.T) {
	dir := t.TempDir()
	pub, key, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "ed25519.test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, pub, key)
	require.NoError(t, err)
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	require.NoError(t, err)
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})

	certPath := filepath.Join(dir, "ed.crt")
	writeFile(t, certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	plainKey := filepath.Join(dir, "ed.key")
	writeFile(t, plainKey, keyPEM)
	legacyKey := filepath.Join(dir, "ed-legacy.key")
	writeFile(t, legacyKey, legacyEncrypt(t, keyPEM, "pw"))
	pkcs8DER, err := pkcs8.MarshalPrivateKey(key, []byte("pw"), nil)
	require.NoError(t, err)
	pkcs8Key := filepath.Join(dir, "ed-pkcs8.key")
	writeFile(t, pkcs8Key, pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: pkcs8DER}))

	tests := []struct {
		name string
		cc   ClientCert
	}{
		{"PKCS#8", ClientCert{CertPath: certPath, KeyPath: plainKey}},
		{"legacy encrypted PKCS#8", ClientCert{CertPath: certPath, KeyPath: legacyKey, KeyPassword: mo.Some("pw")}},
		{"encrypted PKCS#8", ClientCert{CertPath: certPath, KeyPath: pkcs8Key, KeyPassword: mo.Some("pw")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := tlsConfig(&RequestOptions{ClientCert: &tt.cc})
			require.NoError(t, err)
			require.Len(t, cfg.Certificates, 1)
			assert.Equal(t, der, cfg.Certificates[0].Certificate[0])
			got, ok := cfg.Certificates[0].PrivateKey.(ed25519.PrivateKey)
			require.True(t, ok, "private key is %T", cfg.Certificates[0].PrivateKey)
			assert.True(t, key.Equal(got))
		})
	}
}
