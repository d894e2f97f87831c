package websocket

import (
	"context"
	"crypto/tls"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/samber/mo"
)

// Defaults of the options whose zero value means "the default".
const (
	DefaultPingInterval     = 30 * time.Second
	DefaultPongTimeout      = 30 * time.Second
	DefaultHandshakeTimeout = 30 * time.Second
	DefaultCloseTimeout     = 5 * time.Second
	DefaultMaxMessageSize   = 16 << 20
	DefaultSendQueueSize    = 4096
	// DefaultMaxFrameSize is the largest frame payload the client sends
	// unless RequestOptions.MaxFrameSize says otherwise: 64 KiB, one write
	// buffer. Messages up to it (nearly all messages of most applications)
	// stay one frame; a control frame waits behind at most 64 KiB of a
	// larger one. See the package documentation, section Writing.
	DefaultMaxFrameSize = 64 << 10
	// NoFragmentation, as RequestOptions.MaxFrameSize, sends every message
	// as one frame however large, as the platform does.
	NoFragmentation          = -1
	DefaultWriteTimeout      = 30 * time.Second
	DefaultReceiveQueueSize  = 256
	DefaultReceiveQueueBytes = 4 << 20
	// MaxURLLength is one more than the longest URL Connect accepts (the
	// platform's limit since API 26).
	MaxURLLength = 8196
)

// RequestOptions are the options of one connection (the platform's
// WebSocketRequestOptions). A nil *RequestOptions means all defaults; the
// zero value of each field is its default. Connect reads the options (and
// the files they name) during the call only: it never modifies them, and
// changing them afterwards does not affect the connection.
type RequestOptions struct {
	// Header holds extra HTTP header fields for the opening handshake. Names
	// are sent as given. A name that is not an HTTP token, two names that
	// differ only in case, a value with a control character (CR, LF, NUL,
	// ...), or a header the handshake owns (Upgrade, Connection,
	// Sec-WebSocket-Key, Sec-WebSocket-Version, Sec-WebSocket-Extensions,
	// Sec-WebSocket-Accept, Content-Length, Transfer-Encoding;
	// Sec-WebSocket-Protocol belongs in Protocol) is refused with error 401.
	// A "Host" entry replaces the Host header. An "Origin" entry replaces
	// the Origin the client sends (see SupportOriginPort); an empty one
	// sends no Origin at all. A "Cookie" entry is sent with the cookies of
	// Jar, in one Cookie header. If nil, no extra header is sent.
	Header map[string]string

	// Jar, if not nil, holds the cookies of the handshake: the cookies it
	// returns for the URL — a ws URL taken as http, wss as https, so that a
	// jar keeps Secure cookies for wss — are sent in the Cookie header
	// (after a Cookie entry of Header, in the same header), and the
	// Set-Cookie fields of the server's answer are stored in it, whether
	// the answer is the 101 or a refusal. The jar is consulted when the
	// request is written and called on a goroutine of the package, so it
	// must be safe for concurrent use (net/http/cookiejar's Jar is). If nil,
	// no cookies are sent but a Cookie entry of Header, and none are
	// stored.
	Jar http.CookieJar

	// SupportOriginPort puts the URL's port into the Origin header (the
	// platform's supportOriginPort, API 26). The handshake sends Origin as
	// the platform builds it: "http://" for ws and "https://" for wss, then
	// the URL's host, and — only when SupportOriginPort is set and the URL
	// names a port other than the scheme's default — ":" and the port. So
	// ws://example.com:8080/ sends "Origin: http://example.com", or
	// "Origin: http://example.com:8080" with SupportOriginPort. Defaults to
	// false. A server that requires the Origin to match its Host (gorilla's
	// default Upgrader does) refuses a URL with a non-default port unless
	// SupportOriginPort is set. An Origin entry in Header overrides both.
	SupportOriginPort bool

	// CAPath is a PEM file, or a directory of PEM files, whose certificates
	// replace the system roots for wss connections (TLSClientConfig.RootCAs
	// of the connection). If empty, the system roots are used. A path that
	// cannot be read, or holds no certificate, is error 2302002; CAPath with
	// a TLSClientConfig that sets RootCAs is error 401.
	CAPath string

	// ClientCert is the client certificate presented to wss servers that ask
	// for one (TLSClientConfig.Certificates of the connection). If nil (or
	// both paths are empty), none is presented. Its files are read at
	// Connect: see [ClientCert] for the errors. ClientCert with a
	// TLSClientConfig that sets Certificates or GetClientCertificate is
	// error 401.
	ClientCert *ClientCert

	// SkipServerCertVerification turns off verification of the server's
	// certificate chain and host name (TLSClientConfig.InsecureSkipVerify
	// of the connection). Defaults to false: wss connections verify both
	// (the platform skips the host name check; this package does not), and
	// a server that fails verification fails the connection with code 200
	// (the cause is an x509 or tls error). It never conflicts with
	// TLSClientConfig: it only turns verification off.
	SkipServerCertVerification bool

	// MinTLSVersion is the oldest TLS version accepted (the platform's
	// minSupportTlsProtocol; TLSClientConfig.MinVersion of the connection).
	// If zero, TLSClientConfig's MinVersion, or Go's default minimum (TLS
	// 1.2). A value above TLSv13 is error 401, and so is a value other than
	// a MinVersion that TLSClientConfig sets; a server that cannot meet it
	// fails the connection with code 200.
	MinTLSVersion TLSProtocol

	// TLSClientConfig, if not nil, is the starting point of the TLS
	// configuration of wss connections. Connect clones it (the caller's
	// value is never modified; one value may serve many connections, and
	// its ClientSessionCache then resumes sessions across them). On the
	// clone, ServerName defaults to the URL's host name, and NextProtos
	// keeps only "http/1.1" (the handshake is HTTP/1.1). CAPath, ClientCert,
	// SkipServerCertVerification and MinTLSVersion each set one field of
	// the clone, named in their documentation; setting one whose field
	// TLSClientConfig already sets to something else is error 401, so that
	// each setting has one source. If nil, the clone starts empty: system
	// roots, Go's defaults. It does not apply to an HTTPS proxy (see
	// ProxyTLSConfig) nor to ws URLs.
	TLSClientConfig *tls.Config

	// DialContext, if not nil, opens every connection the client makes, in
	// place of a net.Dialer: to the server, or to the proxy when one is
	// used. network is "tcp"; addr is the URL's host:port (with the
	// scheme's default port if the URL names none), or the proxy's
	// host:port. The function may connect anywhere — a Unix socket, an
	// in-memory pipe — and the URL still names the server: it gives the Host
	// header, the Origin, the TLS server name and the cookies' URL. A
	// function that always connects to one place should come with
	// Proxy: NoProxy{}, or the environment's proxy address is handed to it
	// instead of the server's. The package layers the proxy protocol, TLS
	// and WebSocket over the returned net.Conn, which must support
	// deadlines (cancelling the handshake sets one in the past). The
	// function should return when ctx ends: Close and a cancelled
	// ConnectContext do not wait for it, and a connection it returns later
	// is closed. An error it returns fails the connection with code 200 and
	// is the cause. If nil, a net.Dialer.
	DialContext func(ctx context.Context, network, addr string) (net.Conn, error)

	// Proxy says how to reach the server. If nil, [SystemProxy].
	Proxy ProxyConfiguration

	// ProxyTLSConfig, if not nil, is the TLS configuration for reaching an
	// HTTPS proxy: an [HTTPProxy] with HTTPS set, or an https:// proxy URL
	// of the environment. Connect clones it; ServerName defaults to the
	// proxy's host, and NextProtos keeps only "http/1.1". It is separate
	// from the server's: CAPath, ClientCert, SkipServerCertVerification,
	// MinTLSVersion and TLSClientConfig never apply to the proxy, nor
	// ProxyTLSConfig to the server. If nil, the proxy is verified against
	// the system roots and its host name. Unused when no HTTPS proxy is.
	ProxyTLSConfig *tls.Config

	// ProxyConnectHeader holds extra header fields for the CONNECT request
	// sent to an HTTP or HTTPS proxy (SOCKS5 has none), checked like Header
	// (error 401), with Host, Content-Length and Transfer-Encoding refused.
	// It may hold Proxy-Authorization (for example a Bearer token) when the
	// proxy has no credentials: with HTTPProxy.Username it is error 401,
	// and with credentials in the environment's proxy URL the connection
	// fails with code 200, so that the proxy never gets two. A User-Agent
	// entry replaces Go's. If nil, the CONNECT request carries only Host,
	// Go's User-Agent and the credentials.
	ProxyConnectHeader map[string]string

	// Protocol is the Sec-WebSocket-Protocol offered: one name, or a comma
	// list of names, each an HTTP token (else error 401). A server that
	// chooses a protocol that was not offered fails the handshake. If empty,
	// no protocol is offered.
	Protocol string

	// PingInterval is how long the connection may go without a Pong before
	// the client sends a Ping. If absent, [DefaultPingInterval]; Some(0)
	// disables keep-alive. Negative is error 401.
	PingInterval mo.Option[time.Duration]

	// PongTimeout is how long the client waits for a Pong after a keep-alive
	// Ping before it fails the connection (error event, then close 1006).
	// Only a Pong confirms the link; data does not. If absent,
	// [DefaultPongTimeout]; Some(0) sends pings but never fails the link.
	// Negative is error 401.
	PongTimeout mo.Option[time.Duration]

	// HandshakeTimeout bounds the opening handshake (DNS, TCP, proxy, TLS
	// and the HTTP upgrade). If zero, [DefaultHandshakeTimeout]. Negative is
	// error 401.
	HandshakeTimeout time.Duration

	// CloseTimeout bounds the closing handshake: after Close, the client
	// waits this long for the server's Close frame before it drops the link.
	// If zero, [DefaultCloseTimeout]. Negative is error 401.
	CloseTimeout time.Duration

	// MaxMessageSize is the largest message, in bytes, the client accepts.
	// A larger one makes the client close with 1009 and report the error
	// event. If zero, [DefaultMaxMessageSize] (16 MiB). Negative is error 401.
	MaxMessageSize int64

	// SendQueueSize is how many messages may wait to be sent (before open,
	// or while earlier ones are written). Send on a full queue completes with
	// error 2302999 wrapping [ErrSendQueueFull]. Messages written at once on
	// the calling goroutine do not count. If zero, [DefaultSendQueueSize].
	// Negative is error 401.
	SendQueueSize int

	// MaxFrameSize is the largest frame payload the client sends: a longer
	// message goes out as a first frame and continuation frames of at most
	// this size, and control frames (Pong, Ping, Close) are written between
	// them. If zero, [DefaultMaxFrameSize] (64 KiB). [NoFragmentation]
	// sends every message as one frame (control frames then wait for the
	// whole message). Any other negative value is error 401.
	MaxFrameSize int

	// WriteTimeout bounds every write to the connection: one write of at
	// most 64 KiB plus a frame header that has not completed within
	// WriteTimeout (at least 7/8 of it: the deadline is moved only when it
	// comes that close) fails the connection (error event with code 200,
	// then close 1006), as does a write that fails. A link that moves at
	// least 64 KiB per WriteTimeout is never failed for being slow. If
	// zero, [DefaultWriteTimeout] (30 s). Negative is error 401.
	WriteTimeout time.Duration

	// ReceiveQueueSize is how many received messages may wait for the
	// message callbacks. When that many wait, the client stops reading from
	// the connection until a callback has taken one (see the package
	// documentation, section Back-pressure). If zero,
	// [DefaultReceiveQueueSize]. Negative is error 401.
	ReceiveQueueSize int

	// ReceiveQueueBytes is how many bytes of received messages may wait for
	// the message callbacks before the client stops reading, like
	// ReceiveQueueSize. If zero, [DefaultReceiveQueueBytes] (4 MiB).
	// Negative is error 401.
	ReceiveQueueBytes int64

	// Compression offers permessage-deflate (RFC 7692), in one of its two
	// modes. If zero, [CompressionOff]: no extension is offered, as on the
	// platform. A server may still decline; see the package documentation,
	// section Compression, for what is accepted and what it costs. Another
	// value is error 401.
	Compression CompressionMode

	// CompressionLevel is flate's level, 1 (fastest) to 9 (smallest), for
	// the messages the client compresses. If zero,
	// [DefaultCompressionLevel] (1). Another value is error 401. When the
	// server limits the client's window below 32 KiB
	// (client_max_window_bits), the level is that of a small-window
	// compressor instead.
	CompressionLevel int

	// CompressionThreshold is the size in bytes below which a message is
	// sent uncompressed. If zero, [DefaultCompressionThreshold] (256); 1
	// compresses every message but empty ones. Negative is error 401.
	CompressionThreshold int

	// Reconnect, if not nil, makes the object connect again when a
	// connection that was open ends without the client asking (see
	// [ReconnectPolicy] and the package documentation, section
	// Lifecycle). If nil, it does not, as on the platform.
	Reconnect *ReconnectPolicy

	// Logger receives the package's log lines — a callback that panicked,
	// with its stack — each with the connection's URL (credentials
	// redacted) as the attribute "url". If nil, slog.Default() at the time
	// of logging. The logger of the most recent Connect is used for every
	// callback of the object.
	Logger *slog.Logger

	// AllowedHosts, if not empty, lists the only hosts Connect may reach;
	// any other host is error 2302998. Entries match the URL's host name
	// case-insensitively; an entry "*.example.com" matches the subdomains of
	// example.com. If empty, every host is allowed.
	AllowedHosts []string
}

// ClientCert is a client certificate and its private key, both PEM files
// (the platform's WebSocketClientCert). Setting only one of the paths is
// error 401; a file that cannot be read is error 2302002; a certificate and
// key that do not make a pair are error 401.
type ClientCert struct {
	// CertPath is the certificate (chain) file.
	CertPath string
	// KeyPath is the private key file: RSA, ECDSA or Ed25519, in PKCS#1,
	// SEC 1 or PKCS#8 form, plain or encrypted.
	KeyPath string
	// KeyPassword decrypts an encrypted key: legacy PEM ("Proc-Type:
	// 4,ENCRYPTED") or PKCS#8 ("ENCRYPTED PRIVATE KEY"). If absent, the key
	// must not be encrypted. A missing or wrong password is error 401.
	KeyPassword mo.Option[string]
}

// TLSProtocol is a TLS version (the platform's TlsProtocol). The zero value
// means "Go's default".
type TLSProtocol uint8

// TLS versions for RequestOptions.MinTLSVersion.
const (
	TLSv10 TLSProtocol = iota + 1
	TLSv11
	TLSv12
	TLSv13
)

// CloseOptions are the code and reason of a client-initiated close (the
// platform's WebSocketCloseOptions). A nil *CloseOptions means code 1000 and
// an empty reason.
type CloseOptions struct {
	// Code is the close code sent. Zero means 1000. Allowed: 1000–1003,
	// 1007–1014 and 3000–4999 (RFC 6455 §7.4); anything else is error 401.
	Code uint32
	// Reason is the close reason sent: valid UTF-8 of at most 123 bytes,
	// else error 401. Defaults to "".
	Reason string
}

// Close codes the package uses itself.
const (
	CloseNormalClosure    = 1000
	CloseProtocolError    = 1002
	CloseNoStatusReceived = 1005
	CloseAbnormalClosure  = 1006
	CloseInvalidPayload   = 1007
	CloseMessageTooBig    = 1009
)

// maxCloseReason is the longest close reason that fits a control frame.
const maxCloseReason = 123

// config is a validated connection request, every option resolved to the
// value the connection uses. It is built once by newConfig; nothing reads
// the caller's RequestOptions after Connect returns. Once open, a
// connection that will not reconnect drops the fields only the handshake
// needs (url, header, subprotocols); nothing else changes.
type config struct {
	url          *url.URL
	header       http.Header
	origin       string // the Origin header sent with header; "" for none
	jar          http.CookieJar
	subprotocols []string
	proxy        ProxyConfiguration // one of the variants, never a pointer
	tls          tlsFiles           // read by load at Connect
	proxyTLS     *tls.Config        // a clone of ProxyTLSConfig; nil if none
	proxyHeader  http.Header        // ProxyConnectHeader, names as given

	// dial is RequestOptions.DialContext; nil means a net.Dialer (see
	// dialFunc).
	dial func(ctx context.Context, network, addr string) (net.Conn, error)

	handshakeTimeout time.Duration
	closeTimeout     time.Duration
	writeTimeout     time.Duration
	pingInterval     time.Duration // 0: no keep-alive
	pongTimeout      time.Duration // 0: pings never fail the link

	logger *slog.Logger

	reconnect *reconnectPolicy // nil: no reconnection

	compression          CompressionMode
	compressionLevel     int
	compressionThreshold int

	maxMessageSize int64
	maxFrameSize   int // NoFragmentation is math.MaxInt
	sendQueueSize  int
	recvQueueSize  int
	recvQueueBytes int64
}

// parseURL checks the URL as the platform does, plus RFC 6455 §3. Error
// messages show the URL with any password replaced.
func parseURL(raw string) (*url.URL, error) {
	if len(raw) >= MaxURLLength {
		return nil, newError(ErrURL, nil, "url is %d bytes long; the limit is %d", len(raw), MaxURLLength-1)
	}
	shown := redactRawURL(raw)
	u, err := url.Parse(raw)
	if err != nil {
		return nil, newError(ErrURL, nil, "cannot parse url %q", shown)
	}
	switch u.Scheme { // url.Parse lower-cases the scheme
	case "ws", "wss":
	case "":
		return nil, newError(ErrURL, nil, "url %q has no scheme; use ws:// or wss://", shown)
	default:
		return nil, newError(ErrURL, nil, "url scheme %q is not ws or wss", u.Scheme)
	}
	if u.User != nil {
		return nil, newError(ErrURL, nil, "url %q holds user information, which WebSocket URLs do not allow", shown)
	}
	if u.Fragment != "" || strings.HasSuffix(raw, "#") {
		return nil, newError(ErrURL, nil, "url %q has a fragment, which WebSocket URLs do not allow", shown)
	}
	// An empty port ("ws://host:/") means the default port (RFC 3986
	// §3.2.3); dropping the colon keeps it out of the dial address and the
	// Host header. The host is checked after: in "ws://::" the second colon
	// is that empty port, and no host remains.
	if h := strings.TrimSuffix(u.Host, ":"); h != u.Host {
		u.Host = h
		if _, err := url.Parse(u.String()); err != nil { // "ws://:A:" leaves the host ":A"
			return nil, newError(ErrURL, nil, "cannot parse url %q", shown)
		}
	}
	if u.Opaque != "" || u.Hostname() == "" {
		return nil, newError(ErrURL, nil, "url %q has no host", shown)
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return nil, newError(ErrURL, nil, "url port %q is not in 1–65535", p)
		}
	}
	return u, nil
}

// redactRawURL replaces the password of the authority of a URL, which may
// not parse, with "xxxxx". The authority follows "scheme://", or "//" at
// the start (a URL without scheme).
func redactRawURL(raw string) string {
	start := 2
	if !strings.HasPrefix(raw, "//") {
		i := strings.Index(raw, "://")
		if i < 0 {
			return raw
		}
		start = i + 3
	}
	end := len(raw)
	if j := strings.IndexAny(raw[start:], "/?#"); j >= 0 {
		end = start + j
	}
	at := strings.LastIndex(raw[start:end], "@")
	if at < 0 {
		return raw
	}
	user, _, hasPassword := strings.Cut(raw[start:start+at], ":")
	if !hasPassword {
		return raw
	}
	return raw[:start] + user + ":xxxxx" + raw[start+at:]
}

// handshakeOwned are the header names the opening handshake sets itself.
var handshakeOwned = []string{
	"upgrade", "connection", "sec-websocket-key", "sec-websocket-version",
	"sec-websocket-extensions", "sec-websocket-accept", "content-length", "transfer-encoding",
}

// newConfig validates rawURL and o and resolves every option.
func newConfig(rawURL string, o *RequestOptions) (*config, error) {
	if o == nil {
		o = &RequestOptions{}
	}
	if err := o.validate(); err != nil {
		return nil, err
	}
	u, err := parseURL(rawURL)
	if err != nil {
		return nil, err
	}
	if len(o.AllowedHosts) > 0 && !hostAllowed(o.AllowedHosts, u.Hostname()) {
		return nil, newError(ErrDomainNotAllowed, nil, "host %q is not in the allow-list", u.Hostname())
	}
	c := &config{
		url:       u,
		header:    make(http.Header, len(o.Header)),
		proxy:     proxyVariant(o.Proxy),
		jar:       o.Jar,
		dial:      o.DialContext,
		proxyTLS:  o.ProxyTLSConfig.Clone(),
		tls:       newTLSFiles(o),
		logger:    o.Logger,
		reconnect: newReconnectPolicy(o.Reconnect),

		compression:          o.Compression,
		compressionLevel:     orDefault(o.CompressionLevel, DefaultCompressionLevel),
		compressionThreshold: orDefault(o.CompressionThreshold, DefaultCompressionThreshold),
		handshakeTimeout:     orDefault(o.HandshakeTimeout, DefaultHandshakeTimeout),
		closeTimeout:         orDefault(o.CloseTimeout, DefaultCloseTimeout),
		writeTimeout:         orDefault(o.WriteTimeout, DefaultWriteTimeout),
		pingInterval:         o.PingInterval.OrElse(DefaultPingInterval),
		pongTimeout:          o.PongTimeout.OrElse(DefaultPongTimeout),
		maxMessageSize:       orDefault(o.MaxMessageSize, DefaultMaxMessageSize),
		maxFrameSize:         orDefault(o.MaxFrameSize, DefaultMaxFrameSize),
		sendQueueSize:        orDefault(o.SendQueueSize, DefaultSendQueueSize),
		recvQueueSize:        orDefault(o.ReceiveQueueSize, DefaultReceiveQueueSize),
		recvQueueBytes:       orDefault(o.ReceiveQueueBytes, DefaultReceiveQueueBytes),
	}
	if c.maxFrameSize == NoFragmentation {
		c.maxFrameSize = math.MaxInt
	}
	c.origin = platformOrigin(u, o.SupportOriginPort)
	for name, value := range o.Header {
		switch {
		case strings.EqualFold(name, "host"):
			name = "Host" // the key gorilla takes as the Host header
		case strings.EqualFold(name, "user-agent"):
			name = "User-Agent" // the key net/http writes instead of its own
		case strings.EqualFold(name, "cookie"):
			name = "Cookie" // the key the jar's cookies join
		case strings.EqualFold(name, "origin"):
			c.origin = "" // the caller's Origin, or none if it is empty
			if value == "" {
				continue
			}
		}
		c.header[name] = []string{value}
	}
	if o.Protocol != "" {
		for _, p := range strings.Split(o.Protocol, ",") {
			c.subprotocols = append(c.subprotocols, strings.TrimSpace(p))
		}
	}
	if len(o.ProxyConnectHeader) > 0 {
		c.proxyHeader = make(http.Header, len(o.ProxyConnectHeader))
		for name, value := range o.ProxyConnectHeader {
			if strings.EqualFold(name, "user-agent") {
				name = "User-Agent" // the key net/http writes instead of its own
			}
			c.proxyHeader[name] = []string{value}
		}
	}
	return c, nil
}

// platformOrigin is the Origin the platform sends for u: the scheme ws → http
// or wss → https, and the host as the URL writes it; with withPort, also a
// port that is not the scheme's default. (The platform writes an IPv6
// address without brackets; the URL's brackets are kept here.)
func platformOrigin(u *url.URL, withPort bool) string {
	scheme, defaultPort := "http", "80"
	if u.Scheme == "wss" {
		scheme, defaultPort = "https", "443"
	}
	host := u.Host
	port := u.Port()
	if port != "" {
		host = strings.TrimSuffix(host, ":"+port)
	}
	if withPort && port != "" && port != defaultPort {
		host += ":" + port
	}
	return scheme + "://" + host
}

// orDefault returns v, or def if v is zero.
func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// connectOwned are the header names the CONNECT request sets itself.
var connectOwned = []string{"host", "content-length", "transfer-encoding"}

// checkHeader checks the fields of a header option: names that are HTTP
// tokens, given once whatever their case, values without control
// characters, and none of the names the request sets itself.
func checkHeader(what string, h map[string]string, owned []string, ownedBy string) error {
	seen := make(map[string]string, len(h))
	for name, value := range h {
		if other, dup := seen[strings.ToLower(name)]; dup {
			return newError(ErrParameter, nil, "%s %q is given twice (also as %q)", what, name, other)
		}
		seen[strings.ToLower(name)] = name
		if !isToken(name) {
			return newError(ErrParameter, nil, "%s name %q is not an HTTP token", what, name)
		}
		if i := strings.IndexFunc(value, isCTL); i >= 0 {
			return newError(ErrParameter, nil, "%s %q has control character %q in its value", what, name, value[i])
		}
		for _, o := range owned {
			if strings.EqualFold(name, o) {
				return newError(ErrParameter, nil, "%s %q is set by %s itself", what, name, ownedBy)
			}
		}
	}
	return nil
}

// hasField reports whether h has the field name, in any case.
func hasField[V any](h map[string]V, name string) bool {
	for k := range h {
		if strings.EqualFold(k, name) {
			return true
		}
	}
	return false
}

// validate checks every field that can be wrong without touching the file
// system or the network.
func (o *RequestOptions) validate() error {
	if err := checkHeader("header", o.Header, handshakeOwned, "the handshake"); err != nil {
		return err
	}
	if hasField(o.Header, "sec-websocket-protocol") {
		return newError(ErrParameter, nil, "header %q must be given as RequestOptions.Protocol", "Sec-WebSocket-Protocol")
	}
	if err := checkHeader("ProxyConnectHeader", o.ProxyConnectHeader, connectOwned, "the CONNECT request"); err != nil {
		return err
	}
	if o.Protocol != "" {
		for _, p := range strings.Split(o.Protocol, ",") {
			if p = strings.TrimSpace(p); !isToken(p) {
				return newError(ErrParameter, nil, "protocol %q is not a list of HTTP tokens", o.Protocol)
			}
		}
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{
		{"PingInterval", o.PingInterval.OrEmpty()}, {"PongTimeout", o.PongTimeout.OrEmpty()},
		{"HandshakeTimeout", o.HandshakeTimeout}, {"CloseTimeout", o.CloseTimeout},
		{"WriteTimeout", o.WriteTimeout},
	} {
		if d.v < 0 {
			return newError(ErrParameter, nil, "%s is negative (%v)", d.name, d.v)
		}
	}
	if o.MaxMessageSize < 0 {
		return newError(ErrParameter, nil, "MaxMessageSize is negative (%d)", o.MaxMessageSize)
	}
	for _, n := range []struct {
		name string
		v    int64
	}{
		{"SendQueueSize", int64(o.SendQueueSize)}, {"ReceiveQueueSize", int64(o.ReceiveQueueSize)},
		{"ReceiveQueueBytes", o.ReceiveQueueBytes},
	} {
		if n.v < 0 {
			return newError(ErrParameter, nil, "%s is negative (%d)", n.name, n.v)
		}
	}
	if o.Reconnect != nil {
		if err := o.Reconnect.check(); err != nil {
			return err
		}
	}
	if o.Compression > CompressionContextTakeover {
		return newError(ErrParameter, nil, "Compression %d is not a CompressionMode", o.Compression)
	}
	if o.CompressionLevel < 0 || o.CompressionLevel > 9 {
		return newError(ErrParameter, nil, "CompressionLevel %d is not a flate level (1 to 9, or 0 for the default)", o.CompressionLevel)
	}
	if o.CompressionThreshold < 0 {
		return newError(ErrParameter, nil, "CompressionThreshold is negative (%d)", o.CompressionThreshold)
	}
	if o.MaxFrameSize < 0 && o.MaxFrameSize != NoFragmentation {
		return newError(ErrParameter, nil, "MaxFrameSize is negative (%d); use NoFragmentation (-1) for one frame per message", o.MaxFrameSize)
	}
	if o.MinTLSVersion > TLSv13 {
		return newError(ErrParameter, nil, "MinTLSVersion %d is not a TLS version", o.MinTLSVersion)
	}
	if c := o.ClientCert; c != nil && (c.CertPath == "") != (c.KeyPath == "") {
		return newError(ErrParameter, nil, "ClientCert needs both CertPath and KeyPath")
	}
	if err := o.checkTLSConflicts(); err != nil {
		return err
	}
	if err := checkProxy(o.Proxy); err != nil {
		return err
	}
	if p, ok := proxyVariant(o.Proxy).(HTTPProxy); ok {
		if p.Host == "" {
			return newError(ErrParameter, nil, "HTTPProxy.Host is empty")
		}
		if strings.ContainsAny(p.Host, "/@ \t\r\n") {
			return newError(ErrParameter, nil, "HTTPProxy.Host %q is not a host name or IP address", p.Host)
		}
		if p.Username.IsPresent() && hasField(o.ProxyConnectHeader, "proxy-authorization") {
			return newError(ErrParameter, nil, "HTTPProxy.Username and ProxyConnectHeader's Proxy-Authorization both authenticate to the proxy; use one")
		}
	}
	if p, ok := proxyVariant(o.Proxy).(SOCKS5Proxy); ok {
		if p.Host == "" {
			return newError(ErrParameter, nil, "SOCKS5Proxy.Host is empty")
		}
		if strings.ContainsAny(p.Host, "/@ \t\r\n") {
			return newError(ErrParameter, nil, "SOCKS5Proxy.Host %q is not a host name or IP address", p.Host)
		}
		if user, ok := p.Username.Get(); ok && (len(user) == 0 || len(user) > 255 || len(p.Password) > 255) {
			// RFC 1929: one to 255 bytes each (an empty password is sent as such).
			return newError(ErrParameter, nil, "SOCKS5Proxy.Username must be 1 to 255 bytes long and Password at most 255 bytes (RFC 1929)")
		}
	}
	return nil
}

// checkTLSConflicts refuses an option whose field of the TLS configuration
// TLSClientConfig already sets to something else (see TLSClientConfig).
func (o *RequestOptions) checkTLSConflicts() error {
	c := o.TLSClientConfig
	if c == nil {
		return nil
	}
	if o.CAPath != "" && c.RootCAs != nil {
		return newError(ErrParameter, nil, "CAPath and TLSClientConfig.RootCAs both give the trusted roots; use one")
	}
	if o.ClientCert != nil && o.ClientCert.CertPath != "" && (len(c.Certificates) > 0 || c.GetClientCertificate != nil) {
		return newError(ErrParameter, nil, "ClientCert and TLSClientConfig.Certificates (or GetClientCertificate) both give the client certificate; use one")
	}
	if v := o.MinTLSVersion.version(); v != 0 && c.MinVersion != 0 && c.MinVersion != v {
		return newError(ErrParameter, nil, "MinTLSVersion (%s) and TLSClientConfig.MinVersion (%s) differ; use one",
			tls.VersionName(v), tls.VersionName(c.MinVersion))
	}
	return nil
}

// version is the crypto/tls version of p; 0 for the zero value.
func (p TLSProtocol) version() uint16 {
	if p == 0 {
		return 0
	}
	return tls.VersionTLS10 + uint16(p-TLSv10)
}

// validate checks a close request and returns its code and reason.
func (o *CloseOptions) validate() (uint32, string, error) {
	if o == nil {
		return CloseNormalClosure, "", nil
	}
	code := o.Code
	if code == 0 {
		code = CloseNormalClosure
	}
	if !sendableCloseCode(code) {
		return 0, "", newError(ErrParameter, nil, "close code %d cannot be sent (allowed: 1000–1003, 1007–1014, 3000–4999)", code)
	}
	if len(o.Reason) > maxCloseReason {
		return 0, "", newError(ErrParameter, nil, "close reason is %d bytes; the limit is %d", len(o.Reason), maxCloseReason)
	}
	if !utf8.ValidString(o.Reason) {
		return 0, "", newError(ErrParameter, nil, "close reason is not valid UTF-8")
	}
	return code, o.Reason, nil
}

// sendableCloseCode reports whether an endpoint may send code (RFC 6455
// §7.4.1, with the IANA registrations up to 1014).
func sendableCloseCode(code uint32) bool {
	switch {
	case code >= 1000 && code <= 1003, code >= 1007 && code <= 1014, code >= 3000 && code <= 4999:
		return true
	}
	return false
}

// hostAllowed matches host against an allow-list.
func hostAllowed(list []string, host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	for _, e := range list {
		e = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(e), "."))
		if e == host || (strings.HasPrefix(e, "*.") && strings.HasSuffix(host, e[1:])) {
			return true
		}
	}
	return false
}

// isToken reports whether s is a non-empty HTTP token (RFC 9110 §5.6.2).
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0 {
			continue
		}
		return false
	}
	return true
}

// isCTL reports whether r is a control character not allowed in a header
// value (every C0 control but horizontal tab, and DEL).
func isCTL(r rune) bool { return r < ' ' && r != '\t' || r == 0x7f }
