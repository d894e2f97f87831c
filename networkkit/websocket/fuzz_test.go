package websocket

// Native fuzz targets for the package's parsers and validators. Each target
// states its properties in its doc comment; the seed corpora are the f.Add
// calls below and the files in testdata/fuzz/<target>/. Run one target with,
// for example:
//
//	go test -run='^$' -fuzz='^FuzzParseURL$' -fuzztime=10s ./networkkit/websocket/

import (
	"bytes"
	stdflate "compress/flate"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/klauspost/compress/flate"
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

// ---- permessage-deflate ----

// FuzzExtensions checks negotiate on any Sec-WebSocket-Extensions answer
// (its header lines joined with "\n") against each offer mode. It never
// panics. A refused answer is an *extensionError with a reason, and
// settles nothing. An accepted one settles nothing when every line is
// blank; otherwise the client offered compression, the answer names
// permessage-deflate and every parameter set, the window bits are 8–15,
// the client resets its context whenever it offered to, and the answer is
// kept as sent; written out again in canonical form it settles the same
// parameters.
func FuzzExtensions(f *testing.F) {
	for _, s := range []struct {
		mode   CompressionMode
		answer string
	}{
		{CompressionContextTakeover, ""},
		{CompressionOff, "permessage-deflate"},
		{CompressionNoContextTakeover, "permessage-deflate; client_no_context_takeover; server_no_context_takeover"},
		{CompressionContextTakeover, "permessage-deflate; server_max_window_bits=12; client_max_window_bits=12"},
		{CompressionContextTakeover, `Permessage-Deflate ; client_max_window_bits="9", `},
		{CompressionNoContextTakeover, "permessage-deflate\npermessage-deflate"},
		{CompressionContextTakeover, "permessage-deflate; x=1"},
		{CompressionContextTakeover, "permessage-deflate; server_max_window_bits=08"},
		{CompressionContextTakeover, "permessage-deflate; server_max_window_bits=16"},
		{CompressionContextTakeover, "permessage-deflate; client_max_window_bits"},
		{CompressionContextTakeover, "permessage-deflate; server_no_context_takeover=\"\""},
		{CompressionContextTakeover, "permessage-deflate; client_no_context_takeover=1"},
		{CompressionNoContextTakeover, "permessage-deflate; server_no_context_takeover; server_no_context_takeover"},
		{CompressionContextTakeover, "permessage-deflate; client_max_window_bits=9; Client_Max_Window_Bits=10"},
		{CompressionContextTakeover, "x-webkit-deflate-frame, permessage-deflate"},
		{CompressionContextTakeover, "permessage-deflate, permessage-deflate"},
		{CompressionContextTakeover, " \t\n"},
	} {
		f.Add(uint8(s.mode), s.answer)
	}
	f.Fuzz(func(t *testing.T, modeByte uint8, header string) {
		mode := CompressionMode(modeByte % 3)
		var answers []string
		if header != "" {
			answers = strings.Split(header, "\n")
		}
		p, err := negotiate(mode, answers)
		if err != nil {
			var ee *extensionError
			require.ErrorAs(t, err, &ee)
			assert.NotEmpty(t, ee.reason)
			assert.True(t, strings.HasPrefix(err.Error(), "websocket: extension negotiation failed: "), err.Error())
			assert.Equal(t, deflateParams{}, p)
			return
		}
		if !p.on {
			assert.Equal(t, deflateParams{}, p)
			for _, a := range answers {
				assert.Empty(t, strings.Trim(a, " \t,"), "an answer that enables nothing holds only blanks and empty elements")
			}
			return
		}
		lower := strings.ToLower(header)
		assert.NotEqual(t, CompressionOff, mode, "an extension that was not offered")
		assert.Contains(t, lower, deflateName)
		for _, b := range []int{p.clientWindowBits, p.serverWindowBits} {
			assert.True(t, b >= 8 && b <= 15, "window bits %d", b)
		}
		for _, c := range []struct {
			set  bool
			name string
		}{
			{p.clientNoTakeover && mode != CompressionNoContextTakeover, "client_no_context_takeover"},
			{p.serverNoTakeover, "server_no_context_takeover"},
			{p.clientWindowBits != 15, "client_max_window_bits"},
			{p.serverWindowBits != 15, "server_max_window_bits"},
		} {
			if c.set {
				assert.Contains(t, lower, c.name, "a parameter the answer does not name")
			}
		}
		if mode == CompressionNoContextTakeover {
			assert.True(t, p.clientNoTakeover, "the client keeps to the client_no_context_takeover it offered")
		}
		assert.Equal(t, strings.Join(answers, ", "), p.answer)
		fuzzCheckAnswer(t, answers)

		canonical := deflateName
		if p.clientNoTakeover {
			canonical += "; client_no_context_takeover"
		}
		if p.serverNoTakeover {
			canonical += "; server_no_context_takeover"
		}
		canonical += fmt.Sprintf("; client_max_window_bits=%d; server_max_window_bits=%d", p.clientWindowBits, p.serverWindowBits)
		q, err := negotiate(mode, []string{canonical})
		require.NoError(t, err, canonical)
		p.answer, q.answer = "", ""
		assert.Equal(t, p, q, "%q settles other parameters than %q", canonical, header)
	})
}

// fuzzCheckAnswer checks an accepted answer apart from the parser: its
// elements (split at "," and ";", which a token or a quoted token cannot
// hold) make one extension, permessage-deflate, whose parameters are known,
// each at most once, the takeover ones without a value and the window bits
// ones with 8–15.
func fuzzCheckAnswer(t *testing.T, answers []string) {
	t.Helper()
	extensions := 0
	for _, a := range answers {
		for _, ext := range strings.Split(a, ",") {
			if strings.Trim(ext, " \t") == "" {
				continue
			}
			extensions++
			parts := strings.Split(ext, ";")
			assert.True(t, strings.EqualFold(strings.Trim(parts[0], " \t"), deflateName), "extension %q", parts[0])
			seen := map[string]bool{}
			for _, param := range parts[1:] {
				name, value, hasValue := strings.Cut(param, "=")
				name = strings.ToLower(strings.Trim(name, " \t"))
				assert.False(t, seen[name], "parameter %s twice", name)
				seen[name] = true
				switch name {
				case "client_no_context_takeover", "server_no_context_takeover":
					assert.False(t, hasValue, "%s with a value", name)
				case "client_max_window_bits", "server_max_window_bits":
					v := strings.Trim(value, " \t")
					if len(v) >= 2 && v[0] == '"' {
						v = strings.ReplaceAll(v[1:len(v)-1], `\`, "")
					}
					assert.Contains(t, []string{"8", "9", "10", "11", "12", "13", "14", "15"}, v, "%s=%s", name, value)
				default:
					t.Errorf("unknown parameter %q accepted", name)
				}
			}
		}
	}
	assert.Equal(t, 1, extensions, "permessage-deflate once")
}

// fuzzMaxMessage is MaxMessageSize in FuzzInflateReader: small, so that
// decompression bombs reach it fast.
const fuzzMaxMessage = 64 << 10

// fuzzFrameAlloc bounds what the reader may allocate for one frame (a
// compressed message with all its frames): a buffer grown by doubling to
// the limit allocates up to twice the limit, plus a decompressor, its
// buffered reader and the window of context takeover.
const fuzzFrameAlloc = 4*fuzzMaxMessage + 256<<10

// FuzzInflateReader feeds the reader of a connection that negotiated
// permessage-deflate (sel picks server_max_window_bits 8–15 and whether
// the server keeps its context) a stream of frames in irregular pieces,
// with MaxMessageSize 64 KiB. Whatever the stream:
//
//   - nothing panics;
//   - handling one frame (for a compressed message, all its frames)
//     allocates at most fuzzFrameAlloc;
//   - every message fits MaxMessageSize, and text is valid UTF-8;
//   - the messages are those an independent decoding finds (the frames
//     parsed apart, compressed ones inflated with compress/flate), in order,
//     until the stream stops making sense to it;
//   - the reader ends with a documented outcome: the end of the stream
//     (link lost), the server's valid Close, or 1002, 1007 or 1009 with the
//     client's Close due.
func FuzzInflateReader(f *testing.F) {
	z := func(p []byte, level int) []byte {
		var b bytes.Buffer
		w, _ := stdflate.NewWriter(&b, level)
		w.Write(p)
		w.Flush()
		return b.Bytes()[:b.Len()-4]
	}
	frame := func(b0 byte, p []byte) []byte {
		f := []byte{b0}
		switch {
		case len(p) < 126:
			f = append(f, byte(len(p)))
		case len(p) <= 0xffff:
			f = append(f, 126)
			f = binary.BigEndian.AppendUint16(f, uint16(len(p)))
		default:
			f = append(f, 127)
			f = binary.BigEndian.AppendUint64(f, uint64(len(p)))
		}
		return append(f, p...)
	}
	hello := []byte{0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}
	text := bytes.Repeat([]byte("κόσμε compressed "), 300)
	bomb := z(make([]byte, 1<<20), 9)
	var takeover []byte // three messages, each referring back to the one before
	var b bytes.Buffer
	w, _ := stdflate.NewWriter(&b, 6)
	for _, m := range []string{"the first message, compressed", "the second message, compressed", "the first message, compressed"} {
		b.Reset()
		w.Write([]byte(m))
		w.Flush()
		takeover = append(takeover, frame(0xc1, b.Bytes()[:b.Len()-4])...)
	}
	for _, s := range []struct {
		stream []byte
		sel    uint8
		chunk  uint8
	}{
		{frame(0xc1, hello), 0, 0},
		{append(frame(0xc1, hello), frame(0xc1, []byte{0xf2, 0x00, 0x11, 0x00, 0x00})...), 6, 3},
		{append(append(frame(0x41, hello[:3]), frame(0x89, []byte("ping"))...), frame(0x80, hello[3:])...), 1, 1},
		{append(frame(0xc1, z(text, 6)), frame(0xc2, z(text, 1))...), 15, 0},
		{takeover, 14, 9},
		{frame(0xc2, bomb), 2, 200},
		{frame(0xc1, z([]byte("ok \xff"), 6)), 3, 0},
		{frame(0xc1, []byte{0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00}), 4, 0},
		{append(frame(0xc1, hello), frame(0x88, []byte{0x03, 0xe8})...), 5, 2},
		{frame(0xc1, []byte{0xff, 0xff}), 6, 0},
		{append(frame(0x41, hello[:3]), frame(0xc0, hello[3:])...), 8, 0},
	} {
		f.Add(s.stream, s.sel, s.chunk)
	}
	f.Fuzz(fuzzInflateOnce)
}

// fuzzInflateOnce is one iteration of FuzzInflateReader.
func fuzzInflateOnce(t *testing.T, data []byte, sel, chunk uint8) {
	params := deflateParams{on: true, clientWindowBits: 15, serverWindowBits: 8 + int(sel>>1)%8, serverNoTakeover: sel&1 != 0}
	size := func(k int) int { return 1 + (int(chunk)*7+k*13)%700 }
	if chunk == 0 {
		size = func(int) int { return len(fuzzHead) + len(data) + 1 }
	}
	w := newWire(&fuzzPieces{data: append([]byte(fuzzHead), data...), size: size}, 0)
	buf := make([]byte, 4096)
	for head := []byte{}; !bytes.HasSuffix(head, []byte("\r\n\r\n")); {
		n, err := w.Read(buf)
		require.NoError(t, err)
		head = append(head, buf[:n]...)
	}
	w.startFrames()
	s := &session{ws: &WebSocket{}, cfg: &config{maxMessageSize: fuzzMaxMessage}, w: w, inflate: newInflater(params)}
	s.ended, s.ka.stopped = true, true // Pings and Pongs go nowhere

	type message struct {
		op byte
		p  []byte
	}
	var got []message
	var m inbound
	var rf readFailure
	var before, after runtime.MemStats
	for {
		h, err := w.readHeader()
		if err != nil {
			rf = readError(err)
			break
		}
		// Every message inflates with a decompressor of its own, so that an
		// input's outcome cannot depend on the inputs before it.
		for readerPool.Get() != nil {
		}
		runtime.ReadMemStats(&before)
		frf, done := s.frame(h, &m)
		runtime.ReadMemStats(&after)
		if n := after.TotalAlloc - before.TotalAlloc; n > fuzzFrameAlloc {
			t.Fatalf("handling a frame (%+v) allocated %d KiB, over %d KiB", h, n>>10, fuzzFrameAlloc>>10)
		}
		if done {
			rf = frf
			break
		}
		if m.ready {
			require.LessOrEqual(t, len(m.msg), fuzzMaxMessage)
			if m.kind == opText {
				require.True(t, utf8.Valid(m.msg), "text that is not UTF-8")
			}
			got = append(got, message{m.kind, bytes.Clone(m.msg)})
			m.kind, m.msg, m.ready = 0, nil, false
		}
	}

	switch rf.kind {
	case linkLost:
		assert.Error(t, rf.err)
	case peerClosed:
		assert.True(t, rf.code == CloseNoStatusReceived || sendableCloseCode(rf.code), "close code %d", rf.code)
		assert.True(t, rf.mustClose)
	case protocolFailure, invalidData, tooBig:
		want := map[failureKind]uint32{protocolFailure: CloseProtocolError, invalidData: CloseInvalidPayload, tooBig: CloseMessageTooBig}[rf.kind]
		assert.Equal(t, want, rf.code, "%+v", rf)
		assert.True(t, rf.mustClose)
		assert.NotEmpty(t, rf.reason)
		assert.LessOrEqual(t, len(rf.reason), 123, "the reason must fit a Close frame")
	default:
		t.Fatalf("outcome %+v", rf)
	}

	want, stop := fuzzDeflateModel(data, params)
	for i, g := range got {
		if i >= len(want) {
			require.NotEmpty(t, stop, "message %d (%d octets of opcode %d) is not in the stream, which holds %d; input %q sel %d chunk %d; got %q", i, len(g.p), g.op, len(want), data, sel, chunk, g.p[:min(len(g.p), 64)])
			break
		}
		require.Equal(t, want[i].op, g.op, "message %d", i)
		require.True(t, bytes.Equal(want[i].p, g.p), "message %d: %d octets, want %d", i, len(g.p), len(want[i].p))
	}
	if stop == "" {
		require.Len(t, got, len(want), "the reader stopped (%+v) before the end of what the stream holds", rf)
	}
}

// fuzzModelMessage is a message fuzzDeflateModel finds.
type fuzzModelMessage struct {
	op byte
	p  []byte
}

// fuzzDeflateModel finds the messages of a stream of server frames on a
// connection that negotiated permessage-deflate with params, independently
// of the reader: the frames parsed by fuzzFrames, compressed messages
// inflated by compress/flate, with the end of the earlier messages as the
// window when the server keeps its context. It stops at the first thing
// that breaks a rule — a Close, a masked or reserved frame, misplaced RSV
// bits, bad fragmentation, data that does not inflate, a message over
// fuzzMaxMessage, text that is not UTF-8 — or at the end of the stream:
// the reader must deliver exactly these messages. It reports why it stopped
// early (stop) where its simple rules and the reader's may part — compressed
// data that goes on after a final block (conformance case X.15.6, which the
// reader reads and ignores), compressed data longer than MaxMessageSize
// (X.13.5, within the reader's bound for stored blocks), a block with an
// empty distance code (TestDeflateEmptyDistanceCode) — from which on only
// the messages before it are compared.
func fuzzDeflateModel(data []byte, params deflateParams) (msgs []fuzzModelMessage, stop string) {
	frames, _ := fuzzFrames(data)
	var dict []byte
	var op byte
	var payload []byte
	compressed, open := false, false
	// end is where the model stops inside a compressed message that has not
	// ended (with more octets of it, if its last frame is cut short): if
	// its data so far holds a final block, the reader ends the message there.
	end := func(more []byte) string {
		if !open || !compressed {
			return ""
		}
		in := bytes.NewReader(append(bytes.Clone(payload), more...))
		if _, err := io.ReadAll(io.LimitReader(stdflate.NewReaderDict(in, dict), fuzzMaxMessage+1)); err == nil {
			return "data after a final block"
		}
		return ""
	}
	for _, f := range frames {
		h := f.h
		if h.masked {
			return msgs, end(nil)
		}
		cut := uint64(len(f.payload)) < h.length
		if h.op >= opClose {
			if cut || h.op == opClose || h.op > opPong || h.rsv != 0 || !h.fin || h.length > maxControlPayload {
				return msgs, end(nil)
			}
			continue
		}
		switch {
		case h.op == opContinuation && open && h.rsv == 0:
		case (h.op == opText || h.op == opBinary) && !open && (h.rsv == 0 || h.rsv == rsv1):
			op, payload, compressed, open = h.op, nil, h.rsv == rsv1, true
		default:
			return msgs, end(nil)
		}
		if cut {
			return msgs, end(f.payload)
		}
		payload = append(payload, f.payload...)
		if len(payload) > fuzzMaxMessage {
			if compressed {
				return msgs, "compressed data over the limit"
			}
			return msgs, ""
		}
		if !h.fin {
			continue
		}
		open = false
		p := payload
		if compressed {
			in := bytes.NewReader(append(bytes.Clone(payload), 0x00, 0x00, 0xff, 0xff, 0x01, 0x00, 0x00, 0xff, 0xff))
			out, err := io.ReadAll(io.LimitReader(stdflate.NewReaderDict(in, dict), fuzzMaxMessage+1))
			if err != nil {
				kin := bytes.NewReader(append(bytes.Clone(payload), 0x00, 0x00, 0xff, 0xff, 0x01, 0x00, 0x00, 0xff, 0xff))
				if _, err := io.ReadAll(io.LimitReader(flate.NewReaderDict(kin, dict), fuzzMaxMessage+1)); err == nil {
					return msgs, "an empty distance code after a block with one"
				}
				return msgs, ""
			}
			if len(out) > fuzzMaxMessage {
				return msgs, ""
			}
			if consumed := int(in.Size()) - in.Len(); consumed < len(payload) {
				return msgs, "data after a final block"
			}
			if !params.serverNoTakeover {
				dict = append(dict, out...)
				dict = dict[max(0, len(dict)-1<<params.serverWindowBits):]
			}
			p = out
		}
		if op == opText && !utf8.Valid(p) {
			return msgs, ""
		}
		msgs = append(msgs, fuzzModelMessage{op, p})
	}
	return msgs, end(nil)
}
