package websocket

// Native fuzz targets for the package's parsers and validators. Each target
// states its properties in its doc comment; the seed corpora are the f.Add
// calls below and the files in testdata/fuzz/<target>/. Run one target with,
// for example:
//
//	go test -run='^$' -fuzz='^FuzzParseURL$' -fuzztime=10s ./networkkit/websocket/

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/samber/mo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/http/httpguts"
)

// ---- URLs ----

// FuzzParseURL checks parseURL on any string: it never panics; an accepted
// URL is ws or wss, has a host and no user information or fragment, is
// shorter than MaxURLLength, and survives the round trip through
// url.URL.String that the transport makes; a refused one is ErrURL, and its
// message never shows the password of the input's user information.
func FuzzParseURL(f *testing.F) {
	for _, raw := range []string{
		"ws://example.com",
		"wss://example.com:443/chat?room=1",
		"WsS://Example.COM:8443",
		"ws://[::1]:8080/",
		"ws://127.0.0.1:65535/x?y#",
		"ws://user:s3cr3t-pass@example.com/",
		"wss://user:s3cr3t-pass@example.com:bad/",
		"http://user:s3cr3t-pass@example.com/",
		"ws://user:s3cr3t-pass@/chat",
		"ws://example.com/chat#top",
		"ws:example.com",
		"ws://example.com:0/",
		"ws://%zz/",
		"example.com/chat",
		"",
	} {
		f.Add(raw)
	}
	// The fixed words of the package's URL errors: a "password" that is one
	// of them is not a leak when it shows.
	var fixed strings.Builder
	for _, probe := range []string{"", "h", "//h", "ws://", "ws:h", "http://h", "ws://u@h", "ws://u:p@h", "ws://h#", "ws://h:0", "ws://%zz", strings.Repeat("h", MaxURLLength)} {
		if _, err := parseURL(probe); err != nil {
			fixed.WriteString(err.Error())
			fixed.WriteByte(0)
		}
	}
	f.Fuzz(func(t *testing.T, raw string) {
		u, err := parseURL(raw)
		if err == nil {
			require.NotNil(t, u)
			assert.Less(t, len(raw), MaxURLLength)
			assert.Contains(t, []string{"ws", "wss"}, u.Scheme)
			assert.NotEmpty(t, u.Hostname())
			assert.Nil(t, u.User)
			assert.Empty(t, u.Fragment)
			again, err := url.Parse(u.String())
			if assert.NoError(t, err, "the transport re-parses %q", u.String()) {
				assert.Equal(t, u.Scheme, again.Scheme)
				assert.Equal(t, u.Host, again.Host)
			}
			return
		}
		assert.Nil(t, u)
		assert.ErrorIs(t, err, ErrURL)
		if len(raw) >= MaxURLLength {
			return
		}
		start, end, ok := fuzzPassword(raw)
		if !ok || end-start < 6 {
			return
		}
		secret := raw[start:end]
		quoted := strconv.Quote(secret)
		quoted = quoted[1 : len(quoted)-1]
		// What the message may show: the URL with the password replaced
		// (the package's marker is "xxxxx"), raw and quoted, its length and
		// the fixed words.
		shown := raw[:start] + "xxxxx" + raw[end:]
		public := strings.ToLower(shown + "\x00" + strconv.Quote(shown) + "\x00" + strconv.Itoa(len(raw)) + "\x00" + fixed.String())
		if strings.Contains(public, strings.ToLower(secret)) || strings.Contains(public, strings.ToLower(quoted)) {
			return // the "password" also stands elsewhere in the URL or in the message's own words
		}
		msg := err.Error()
		assert.NotContains(t, msg, secret, "the error shows the password")
		assert.NotContains(t, msg, quoted, "the error shows the password")
	})
}

// fuzzPassword finds the password of raw's user information as RFC 3986
// §3.2.1 defines it: an authority ("//" at the start or after the scheme),
// its user information (before its last '@'), and the password (after the
// user information's first ':'). It returns the password's bounds in raw.
func fuzzPassword(raw string) (start, end int, ok bool) {
	rest := 0
	if i := strings.IndexByte(raw, ':'); i > 0 && fuzzIsScheme(raw[:i]) {
		rest = i + 1
	}
	if !strings.HasPrefix(raw[rest:], "//") {
		return 0, 0, false
	}
	a := rest + 2
	b := len(raw)
	if j := strings.IndexAny(raw[a:], "/?#"); j >= 0 {
		b = a + j
	}
	at := strings.LastIndexByte(raw[a:b], '@')
	if at < 0 {
		return 0, 0, false
	}
	colon := strings.IndexByte(raw[a:a+at], ':')
	if colon < 0 {
		return 0, 0, false
	}
	return a + colon + 1, a + at, true
}

// fuzzIsScheme reports whether s is a URL scheme (RFC 3986 §3.1).
func fuzzIsScheme(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		case i > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.'):
		default:
			return false
		}
	}
	return s != ""
}

// ---- RequestOptions ----

// fuzzOwnedHeaders are the header names RequestOptions.Header documents as
// refused, whatever their case.
var fuzzOwnedHeaders = []string{
	"Upgrade", "Connection", "Sec-WebSocket-Key", "Sec-WebSocket-Version", "Sec-WebSocket-Extensions",
	"Sec-WebSocket-Accept", "Content-Length", "Transfer-Encoding", "Sec-WebSocket-Protocol",
}

// FuzzRequestOptions checks newConfig with one header, a protocol list and
// every numeric option: it never panics; it refuses with ErrParameter
// exactly when a documented rule is broken (the name is not a token, the
// value holds a control character, the handshake owns the name, a protocol
// is not a token, a number is negative), and otherwise returns a config
// that holds the header value unchanged and the numbers or their defaults;
// the caller's options are never modified. Two names that differ only in
// case are refused.
func FuzzRequestOptions(f *testing.F) {
	const ms = int64(time.Millisecond)
	f.Add("X-Token", "abc 123", "chat", int64(0), int64(0), int64(0), int64(0), int64(0), 0)
	f.Add("Authorization", "Bearer eyJhbGciOi", "chat, superchat", 30*ms, 10*ms, 5000*ms, 200*ms, int64(1<<20), 16)
	f.Add("Host", "example.com:8080", "", int64(-1), int64(0), int64(0), int64(0), int64(0), 0)
	f.Add("user-agent", "fuzz/1.0", "a,,b", int64(0), int64(-1), int64(0), int64(0), int64(0), 0)
	f.Add("X-Bad", "a\r\nInjected: 1", "", int64(0), int64(0), int64(-1), int64(0), int64(0), 0)
	f.Add("X-Nul", "a\x00b", "", int64(0), int64(0), int64(0), int64(-1), int64(0), 0)
	f.Add("Bad Name", "v", "", int64(0), int64(0), int64(0), int64(0), int64(-1), 0)
	f.Add("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==", "", int64(0), int64(0), int64(0), int64(0), int64(0), -1)
	f.Add("Sec-WebSocket-Protocol", "chat", "x y", int64(0), int64(0), int64(0), int64(0), int64(0), 0)
	f.Add("X-Tab", "a\tb\x7f", "\tchat ", int64(0), int64(0), int64(0), int64(0), int64(0), 0)
	f.Add("", "", "", int64(0), int64(0), int64(0), int64(0), int64(0), 0)
	f.Fuzz(func(t *testing.T, name, value, protocol string, ping, pong, hs, ct, maxSize int64, queue int) {
		build := func() *RequestOptions {
			return &RequestOptions{
				Header:           map[string]string{name: value},
				Protocol:         protocol,
				PingInterval:     mo.Some(time.Duration(ping)),
				PongTimeout:      mo.Some(time.Duration(pong)),
				HandshakeTimeout: time.Duration(hs),
				CloseTimeout:     time.Duration(ct),
				MaxMessageSize:   maxSize,
				SendQueueSize:    queue,
			}
		}
		opts := build()
		c, err := newConfig("ws://127.0.0.1/", opts)
		assert.Equal(t, build(), opts, "newConfig modified the caller's options")

		var broken []string
		if !httpguts.ValidHeaderFieldName(name) {
			broken = append(broken, "name is not a token")
		}
		if !httpguts.ValidHeaderFieldValue(value) {
			broken = append(broken, "value has a control character")
		}
		for _, owned := range fuzzOwnedHeaders {
			if strings.EqualFold(name, owned) {
				broken = append(broken, "the handshake owns the name")
			}
		}
		if protocol != "" {
			for _, p := range strings.Split(protocol, ",") {
				if !httpguts.ValidHeaderFieldName(strings.TrimSpace(p)) {
					broken = append(broken, "a protocol is not a token")
				}
			}
		}
		if ping < 0 || pong < 0 || hs < 0 || ct < 0 || maxSize < 0 || queue < 0 {
			broken = append(broken, "a number is negative")
		}

		if err != nil {
			assert.Nil(t, c)
			assert.ErrorIs(t, err, ErrParameter)
			assert.NotEmpty(t, broken, "refused without a documented reason: %v", err)
		} else {
			require.NotNil(t, c)
			assert.Empty(t, broken, "accepted")
			assert.False(t, strings.ContainsAny(value, "\r\n\x00"), "accepted a value with CR, LF or NUL")
			assert.True(t, isToken(name), "accepted a name that is not a token")
			if assert.Len(t, c.header, 1) {
				for k, v := range c.header {
					assert.True(t, strings.EqualFold(k, name), "header name %q for %q", k, name)
					assert.Equal(t, []string{value}, v)
				}
			}
			if protocol == "" {
				assert.Empty(t, c.subprotocols)
			} else {
				assert.Len(t, c.subprotocols, strings.Count(protocol, ",")+1)
				for _, p := range c.subprotocols {
					assert.True(t, httpguts.ValidHeaderFieldName(p), "subprotocol %q", p)
				}
			}
			orDefault := func(v, def int64) int64 {
				if v == 0 {
					return def
				}
				return v
			}
			assert.Equal(t, time.Duration(ping), c.pingInterval)
			assert.Equal(t, time.Duration(pong), c.pongTimeout)
			assert.Equal(t, orDefault(hs, int64(DefaultHandshakeTimeout)), int64(c.handshakeTimeout))
			assert.Equal(t, orDefault(ct, int64(DefaultCloseTimeout)), int64(c.closeTimeout))
			assert.Equal(t, orDefault(maxSize, DefaultMaxMessageSize), c.maxMessageSize)
			assert.Equal(t, orDefault(int64(queue), DefaultSendQueueSize), int64(c.sendQueueSize))
		}

		if upper := strings.ToUpper(name); upper != name {
			_, err := newConfig("ws://127.0.0.1/", &RequestOptions{Header: map[string]string{name: value, upper: value}})
			assert.ErrorIs(t, err, ErrParameter, "names %q and %q differ only in case", name, upper)
		}
	})
}

// ---- CloseOptions ----

// FuzzCloseOptions checks CloseOptions.validate: it never panics or
// modifies the options; it accepts exactly a sendable code (0 meaning 1000)
// with a reason of valid UTF-8 that fits a control frame, and returns them
// unchanged; it refuses everything else with ErrParameter.
func FuzzCloseOptions(f *testing.F) {
	for _, s := range []struct {
		code   uint32
		reason string
	}{
		{0, ""}, {1000, "bye"}, {1001, "going away"}, {1004, ""}, {1005, ""}, {1006, ""}, {1015, ""},
		{2999, ""}, {3000, "app"}, {4999, strings.Repeat("é", 61) + "a"}, {5000, ""}, {4000, strings.Repeat("r", 124)},
		{4000, "\xff"}, {1<<32 - 1, ""},
	} {
		f.Add(s.code, s.reason)
	}
	f.Fuzz(func(t *testing.T, code uint32, reason string) {
		o := &CloseOptions{Code: code, Reason: reason}
		gotCode, gotReason, err := o.validate()
		assert.Equal(t, &CloseOptions{Code: code, Reason: reason}, o, "validate modified the options")

		want := code
		if want == 0 {
			want = CloseNormalClosure
		}
		sendable := want >= 1000 && want <= 1003 || want >= 1007 && want <= 1014 || want >= 3000 && want <= 4999
		assert.Equal(t, sendable, sendableCloseCode(want), "code %d", want)
		ok := sendable && len(reason) <= 123 && utf8.ValidString(reason)
		if err != nil {
			assert.ErrorIs(t, err, ErrParameter)
			assert.False(t, ok, "refused a sendable close: %v", err)
			return
		}
		assert.True(t, ok, "accepted code %d with a %d-byte reason", code, len(reason))
		assert.Equal(t, want, gotCode)
		assert.Equal(t, reason, gotReason)
		assert.LessOrEqual(t, 2+len(gotReason), 125, "the Close payload fits a control frame")
	})
}

// ---- proxy exclusion and host allow-list ----

// FuzzExcluded checks the proxy exclusion list (excluded) and the host
// allow-list (hostAllowed), which share their matching rules: neither
// panics; "*" excludes every host; an entry that is the host itself, in any
// ASCII case, matches it; and the result does not depend on the case of
// the entry or of the host.
func FuzzExcluded(f *testing.F) {
	for _, s := range []struct{ entry, host string }{
		{"*", "example.com"}, {"example.com", "EXAMPLE.com"}, {"*.example.com", "a.b.example.com"},
		{".example.com", "example.com"}, {"api.*.example.com", "api.eu.example.com"}, {"10.0.*", "10.0.1.2"},
		{" Example.COM ", "example.com"}, {"[a-z]*", "a"}, {"a?c", "abc"}, {"\\*", "x"}, {"", ""}, {"::1", "::1"},
	} {
		f.Add(s.entry, s.host)
	}
	f.Fuzz(func(t *testing.T, entry, host string) {
		ex := excluded([]string{entry}, host)
		al := hostAllowed([]string{entry}, host)
		assert.True(t, excluded([]string{"*"}, host), `"*" excludes %q`, host)
		assert.True(t, excluded([]string{entry, "*"}, host), `"*" after %q excludes %q`, entry, host)
		assert.Equal(t, ex, excluded([]string{"", entry}, host), "an empty entry changes nothing")

		for _, v := range []struct{ entry, host string }{
			{fuzzASCIILower(entry), fuzzASCIIUpper(host)},
			{fuzzASCIIUpper(entry), fuzzASCIILower(host)},
		} {
			assert.Equal(t, ex, excluded([]string{v.entry}, v.host), "excluded: %q for %q, and %q for %q", entry, host, v.entry, v.host)
			assert.Equal(t, al, hostAllowed([]string{v.entry}, v.host), "hostAllowed: %q for %q, and %q for %q", entry, host, v.entry, v.host)
		}

		if strings.TrimSuffix(host, ".") == "" || strings.TrimSpace(host) != host {
			return // entries are trimmed; host names hold no white space; "." is the empty name
		}
		for _, e := range []string{host, fuzzASCIILower(host), fuzzASCIIUpper(host)} {
			assert.True(t, excluded([]string{e}, host), "exclusion entry %q for host %q", e, host)
			assert.True(t, hostAllowed([]string{e}, host), "allow-list entry %q for host %q", e, host)
		}
	})
}

func fuzzASCIILower(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
}

func fuzzASCIIUpper(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' {
			return r - ('a' - 'A')
		}
		return r
	}, s)
}

// ---- UTF-8 ----

// FuzzUTF8Validator feeds data to a utf8Validator in three pieces cut at
// arbitrary points. The verdict at the end is utf8.Valid(data), and the
// validator fails fast: each write reports false exactly when the text so
// far can no longer be completed to valid UTF-8.
func FuzzUTF8Validator(f *testing.F) {
	for _, s := range []struct {
		data         []byte
		split1, spl2 uint
	}{
		{[]byte("κόσμε"), 1, 5},
		{[]byte("\U0001F600 ok"), 2, 3},
		{[]byte{0xed, 0xa0, 0x80}, 1, 2},
		{[]byte{0xf4, 0x90, 0x80, 0x80}, 1, 1},
		{[]byte{0xe0, 0x80, 0xaf}, 0, 2},
		{[]byte{0xc2}, 0, 0},
		{[]byte{0xf1, 0x80, 0x80}, 3, 3},
		{[]byte("Hello-µ@ßöäüàá-UTF-8!!"), 7, 8},
		{nil, 0, 0},
	} {
		f.Add(s.data, s.split1, s.spl2)
	}
	f.Fuzz(func(t *testing.T, data []byte, split1, split2 uint) {
		i := int(split1 % uint(len(data)+1))
		j := int(split2 % uint(len(data)+1))
		if i > j {
			i, j = j, i
		}
		var v utf8Validator
		valid := true
		for k, cut := range [][2]int{{0, i}, {i, j}, {j, len(data)}} {
			got := v.write(data[cut[0]:cut[1]])
			want := fuzzCompletable(data[:cut[1]])
			require.Equal(t, want, got, "%x cut at %d,%d: piece %d (%x)", data, i, j, k, data[cut[0]:cut[1]])
			if !got {
				valid = false
				break
			}
		}
		if valid {
			valid = v.done()
		}
		assert.Equal(t, utf8.Valid(data), valid, "%x cut at %d,%d", data, i, j)
	})
}

// fuzzCompletable reports whether some bytes appended to p make valid
// UTF-8, with utf8.Valid as the judge: p is valid up to an incomplete code
// point at its end, which a run of one continuation byte completes.
func fuzzCompletable(p []byte) bool {
	if utf8.Valid(p) {
		return true
	}
	for i := len(p) - 1; i >= 0 && i >= len(p)-(utf8.UTFMax-1); i-- {
		if !utf8.RuneStart(p[i]) {
			continue
		}
		if utf8.FullRune(p[i:]) || !utf8.Valid(p[:i]) {
			return false
		}
		for b := byte(0x80); b <= 0xBF; b++ {
			tail := append(bytes.Clone(p[i:]), b, b, b)
			for n := len(p) - i + 1; n <= len(tail); n++ {
				if utf8.Valid(tail[:n]) {
					return true
				}
			}
		}
		return false
	}
	return false
}

// ---- the frame reader ----

// fuzzHead is a handshake answer for FuzzWireReader to put before a stream.
const fuzzHead = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"

// FuzzWireReader feeds the frame reader a 101 answer followed by arbitrary
// bytes, in pieces of the fuzzed size, one byte at a time and in irregular
// pieces. It never panics; the handshake's reads end exactly at the blank
// line; and whatever the pieces, the headers and payloads it reads are
// those an independent parser finds, up to where the stream ends or a
// 64-bit length has its top bit set.
func FuzzWireReader(f *testing.F) {
	text := []byte{0x81, 0x02, 'h', 'i'}
	for _, s := range []struct {
		stream []byte
		chunk  uint8
	}{
		{[]byte("\x81\x02hi\x88\x01\x03"), 0},
		{[]byte("\x88\x01\x03"), 1},
		{append([]byte{0x82, 126, 0x01, 0x00}, bytes.Repeat([]byte{0x88, 0x01}, 128)...), 7},
		{append([]byte{0x82, 127, 0, 0, 0, 0, 0, 0, 0, 3, 0x88, 0x01, 0x00}, 0x88, 0x81, 1, 2, 3, 4, 5), 2},
		{append(append([]byte{}, text...), 0x89, 0x00, 0x8a, 0x01, 'p', 0x88, 0x02, 0x03, 0xe8), 5},
		{[]byte{0x82, 127, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x88, 0x01}, 1},
		{append([]byte{0x02, 0x7e, 0x02, 0x00}, bytes.Repeat([]byte{9}, 512)...), 200},
		{nil, 0},
	} {
		f.Add(s.stream, s.chunk)
	}
	f.Fuzz(func(t *testing.T, data []byte, chunk uint8) {
		want, wantBadLength := fuzzFrames(data)
		all := append([]byte(fuzzHead), data...)
		fixed := int(chunk)
		if fixed == 0 {
			fixed = len(all) + 1
		}
		for _, c := range []struct {
			name string
			size func(k int) int
		}{
			{"pieces of " + strconv.Itoa(fixed), func(int) int { return fixed }},
			{"bytes", func(int) int { return 1 }},
			{"irregular pieces", func(k int) int { return 1 + (int(chunk)*7+k*13)%700 }},
		} {
			w := newWire(&fuzzPieces{data: all, size: c.size}, 0)
			head := make([]byte, 0, len(fuzzHead))
			buf := make([]byte, 4096)
			for !bytes.HasSuffix(head, []byte("\r\n\r\n")) {
				n, err := w.Read(buf)
				require.NoError(t, err, c.name)
				head = append(head, buf[:n]...)
			}
			require.Equal(t, fuzzHead, string(head), "%s: the handshake read past its end", c.name)
			w.startFrames()
			var got []fuzzFrame
			badLength := false
			for {
				h, err := w.readHeader()
				if errors.Is(err, errBadLength) {
					badLength = true
					break
				}
				if err != nil {
					break // end of the stream, possibly inside a header
				}
				p, complete := fuzzReadPayload(w, h.length)
				got = append(got, fuzzFrame{h, p})
				if !complete {
					break
				}
			}
			require.Equal(t, want, got, "%s: frames of %x", c.name, data)
			require.Equal(t, wantBadLength, badLength, "%s: %x", c.name, data)
		}
	})
}

// fuzzFrame is a frame header and as much of its payload as the stream has.
type fuzzFrame struct {
	h       header
	payload []byte
}

// fuzzFrames parses a frame stream independently of wire; the last frame
// may be cut short. badLength reports a 64-bit length with the top bit set.
func fuzzFrames(s []byte) (frames []fuzzFrame, badLength bool) {
	for i := 0; len(s)-i >= 2; {
		b0, b1 := s[i], s[i+1]
		h := header{fin: b0&0x80 != 0, rsv: b0 & 0x70, op: b0 & 0x0f, masked: b1&0x80 != 0, length: uint64(b1 & 0x7f)}
		ext := map[uint64]int{126: 2, 127: 8}[h.length]
		if h.masked {
			ext += 4
		}
		if len(s)-i-2 < ext {
			return frames, false
		}
		switch h.length {
		case 126:
			h.length = uint64(binary.BigEndian.Uint16(s[i+2:]))
		case 127:
			h.length = binary.BigEndian.Uint64(s[i+2:])
			if h.length>>63 != 0 {
				return frames, true
			}
		}
		i += 2 + ext
		n := uint64(len(s) - i)
		if n > h.length {
			n = h.length
		}
		frames = append(frames, fuzzFrame{h, append([]byte{}, s[i:i+int(n)]...)})
		i += int(n)
		if n < h.length {
			return frames, false
		}
	}
	return frames, false
}

// fuzzReadPayload reads a payload of length bytes from w, or what the
// stream has of it, without allocating more than arrives.
func fuzzReadPayload(w *wire, length uint64) (p []byte, complete bool) {
	p = []byte{}
	var buf [700]byte
	for uint64(len(p)) < length {
		n, err := w.readSome(buf[:min(uint64(len(buf)), length-uint64(len(p)))])
		p = append(p, buf[:n]...)
		if err != nil {
			return p, false
		}
	}
	return p, true
}

// fuzzPieces is a net.Conn that reads a byte string in pieces of the sizes
// size gives.
type fuzzPieces struct {
	net.Conn
	data []byte
	size func(k int) int
	k    int
}

func (p *fuzzPieces) Read(b []byte) (int, error) {
	if len(p.data) == 0 {
		return 0, io.EOF
	}
	n := copy(b[:min(len(b), p.size(p.k))], p.data)
	p.k++
	p.data = p.data[n:]
	return n, nil
}
