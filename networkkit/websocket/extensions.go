package websocket

import (
	"fmt"
	"strconv"
	"strings"
)

// CompressionMode says whether the client offers permessage-deflate (RFC
// 7692) and with which context takeover. See RequestOptions.Compression.
type CompressionMode uint8

const (
	// CompressionOff offers no extension: every message goes uncompressed,
	// as the platform sends them. The zero value.
	CompressionOff CompressionMode = iota
	// CompressionNoContextTakeover compresses each message on its own
	// (client_no_context_takeover, server_no_context_takeover): nothing is
	// held between messages, and idle connections share the compressors.
	CompressionNoContextTakeover
	// CompressionContextTakeover keeps the compression context from one
	// message to the next in both directions, for better ratios on streams
	// of similar messages, at the memory cost the package documentation
	// states (section Compression).
	CompressionContextTakeover
)

// String names the mode.
func (m CompressionMode) String() string {
	switch m {
	case CompressionOff:
		return "off"
	case CompressionNoContextTakeover:
		return "no context takeover"
	case CompressionContextTakeover:
		return "context takeover"
	}
	return "CompressionMode(" + strconv.Itoa(int(m)) + ")"
}

// deflateName is the extension's token.
const deflateName = "permessage-deflate"

// deflateParams is the permessage-deflate configuration a handshake
// settled on. The zero value means the extension is not in use.
type deflateParams struct {
	on bool
	// clientNoTakeover: the client resets its compressor for every
	// message; serverNoTakeover: the server does, so the client's
	// decompressor may reset too.
	clientNoTakeover, serverNoTakeover bool
	// clientWindowBits is the base-2 logarithm of the client's compression
	// window (8–15); serverWindowBits the server's, 15 if it said nothing.
	clientWindowBits, serverWindowBits int
	answer                             string // the server's Sec-WebSocket-Extensions, as it sent it
}

// extensionOffer is the Sec-WebSocket-Extensions the client sends for mode,
// or "" for none. The client always offers client_max_window_bits, so that
// a server may ask for a smaller window (RFC 7692 §7.1.2.2).
func extensionOffer(mode CompressionMode) string {
	switch mode {
	case CompressionNoContextTakeover:
		return deflateName + "; client_no_context_takeover; server_no_context_takeover; client_max_window_bits"
	case CompressionContextTakeover:
		return deflateName + "; client_max_window_bits"
	}
	return ""
}

// extensionError is the cause of a handshake whose extension answer RFC
// 7692 forbids, or that enables an extension that was not offered.
type extensionError struct{ reason string }

func (e *extensionError) Error() string {
	return "websocket: extension negotiation failed: " + e.reason
}

// negotiate checks the server's Sec-WebSocket-Extensions answer (the
// values of its header lines) against the offer made for mode, and
// returns what was settled. It accepts every answer RFC 7692 allows and
// refuses every other: an extension that was not offered, permessage-deflate
// twice, an unknown or repeated parameter, a parameter value out of range
// or where none belongs.
func negotiate(mode CompressionMode, answers []string) (deflateParams, error) {
	exts, err := parseExtensions(answers)
	if err != nil {
		return deflateParams{}, err
	}
	var p deflateParams
	for _, e := range exts {
		switch {
		case !strings.EqualFold(e.name, deflateName) || mode == CompressionOff:
			return deflateParams{}, &extensionError{fmt.Sprintf("the server enabled extension %q, which was not offered", e.name)}
		case p.on:
			return deflateParams{}, &extensionError{"the server answered permessage-deflate twice"}
		}
		p = deflateParams{on: true, clientWindowBits: 15, serverWindowBits: 15, answer: strings.Join(answers, ", ")}
		seen := map[string]bool{}
		for _, param := range e.params {
			name := strings.ToLower(param.name)
			if seen[name] {
				return deflateParams{}, &extensionError{fmt.Sprintf("permessage-deflate parameter %s appears twice", name)}
			}
			seen[name] = true
			switch name {
			case "client_no_context_takeover", "server_no_context_takeover":
				if param.hasValue {
					return deflateParams{}, &extensionError{fmt.Sprintf("permessage-deflate parameter %s takes no value, got %q", name, param.value)}
				}
				if name == "client_no_context_takeover" {
					p.clientNoTakeover = true
				} else {
					p.serverNoTakeover = true
				}
			case "client_max_window_bits", "server_max_window_bits":
				bits, ok := windowBits(param)
				if !ok {
					return deflateParams{}, &extensionError{fmt.Sprintf("permessage-deflate parameter %s must be 8 to 15, got %q", name, param.value)}
				}
				if name == "client_max_window_bits" {
					p.clientWindowBits = bits
				} else {
					p.serverWindowBits = bits
				}
			default:
				return deflateParams{}, &extensionError{fmt.Sprintf("unknown permessage-deflate parameter %q", param.name)}
			}
		}
		// The client keeps to what it offered even where the server does
		// not ask it to.
		if mode == CompressionNoContextTakeover {
			p.clientNoTakeover = true
		}
	}
	return p, nil
}

// windowBits reads a window-bits value: 8 to 15, decimal, without leading
// zeros (RFC 7692 §7.1.2).
func windowBits(p extensionParam) (int, bool) {
	v := p.value
	if !p.hasValue || len(v) == 0 || len(v) > 2 || v[0] == '0' {
		return 0, false
	}
	n, err := strconv.Atoi(v)
	return n, err == nil && n >= 8 && n <= 15
}

// extension is one element of a Sec-WebSocket-Extensions list.
type extension struct {
	name   string
	params []extensionParam
}

type extensionParam struct {
	name, value string
	hasValue    bool
}

// parseExtensions parses header values by the grammar of RFC 6455 §9.1:
// extension *( "," extension ), extension = token *( ";" param ),
// param = token [ "=" ( token / quoted-string ) ], with optional white
// space around the separators.
func parseExtensions(values []string) ([]extension, error) {
	var out []extension
	for _, v := range values {
		s := &extScanner{s: v}
		for {
			s.space()
			if s.done() {
				break
			}
			if s.peek(',') { // an empty list element is ignored (RFC 9110 §5.6.1)
				s.i++
				continue
			}
			name, ok := s.token()
			if !ok {
				return nil, s.fail("an extension name")
			}
			e := extension{name: name}
			for s.space(); s.peek(';'); s.space() {
				s.i++
				s.space()
				pname, ok := s.token()
				if !ok {
					return nil, s.fail("a parameter name")
				}
				p := extensionParam{name: pname}
				s.space()
				if s.peek('=') {
					s.i++
					s.space()
					if p.value, ok = s.valueText(); !ok {
						return nil, s.fail("a parameter value")
					}
					p.hasValue = true
				}
				e.params = append(e.params, p)
			}
			out = append(out, e)
			if s.done() {
				break
			}
			if !s.peek(',') {
				return nil, s.fail(`"," or ";"`)
			}
			s.i++
		}
	}
	return out, nil
}

// extScanner walks one header value.
type extScanner struct {
	s string
	i int
}

func (s *extScanner) done() bool       { return s.i >= len(s.s) }
func (s *extScanner) peek(c byte) bool { return s.i < len(s.s) && s.s[s.i] == c }
func (s *extScanner) fail(want string) error {
	return &extensionError{fmt.Sprintf("malformed Sec-WebSocket-Extensions %q: want %s at byte %d", s.s, want, s.i)}
}

func (s *extScanner) space() {
	for s.i < len(s.s) && (s.s[s.i] == ' ' || s.s[s.i] == '\t') {
		s.i++
	}
}

func (s *extScanner) token() (string, bool) {
	start := s.i
	for s.i < len(s.s) && isTokenByte(s.s[s.i]) {
		s.i++
	}
	return s.s[start:s.i], s.i > start
}

// valueText reads a token or a quoted-string (whose content must itself be
// a token, RFC 6455 §9.1) and returns its text.
func (s *extScanner) valueText() (string, bool) {
	if !s.peek('"') {
		return s.token()
	}
	s.i++
	var b strings.Builder
	for s.i < len(s.s) && s.s[s.i] != '"' {
		c := s.s[s.i]
		if c == '\\' && s.i+1 < len(s.s) {
			s.i++
			c = s.s[s.i]
		}
		if !isTokenByte(c) {
			return "", false
		}
		b.WriteByte(c)
		s.i++
	}
	if !s.peek('"') || b.Len() == 0 {
		return "", false
	}
	s.i++
	return b.String(), true
}

// isTokenByte reports whether c may appear in an HTTP token (RFC 9110
// §5.6.2).
func isTokenByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}
