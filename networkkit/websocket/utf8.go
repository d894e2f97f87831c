package websocket

import "unicode/utf8"

// utf8Validator checks UTF-8 text that arrives in pieces, so that a text
// message can be failed at the first invalid byte rather than at its end
// (RFC 6455 §8.1: fail fast). It keeps at most three bytes of a code point
// cut by a piece boundary.
type utf8Validator struct {
	pending [utf8.UTFMax]byte
	n       int // bytes held in pending
}

// write checks the next piece and reports whether the text is still valid
// UTF-8 so far.
func (v *utf8Validator) write(p []byte) bool {
	for v.n > 0 && len(p) > 0 {
		// Complete the held code point one byte at a time.
		v.pending[v.n] = p[0]
		v.n++
		p = p[1:]
		if utf8.FullRune(v.pending[:v.n]) {
			r, size := utf8.DecodeRune(v.pending[:v.n])
			if r == utf8.RuneError && size <= 1 {
				return false
			}
			v.n = 0
		} else if !validPrefix(v.pending[:v.n]) {
			return false
		}
	}
	if len(p) == 0 {
		return true
	}
	// Hold back an incomplete code point at the end of p.
	tail := 0
	for i := len(p) - 1; i >= 0 && i >= len(p)-(utf8.UTFMax-1); i-- {
		if utf8.RuneStart(p[i]) {
			if !utf8.FullRune(p[i:]) {
				tail = len(p) - i
			}
			break
		}
	}
	if !utf8.Valid(p[:len(p)-tail]) {
		return false
	}
	if tail > 0 {
		if !validPrefix(p[len(p)-tail:]) {
			return false
		}
		v.n = copy(v.pending[:], p[len(p)-tail:])
	}
	return true
}

// done reports whether the text ended on a whole code point.
func (v *utf8Validator) done() bool { return v.n == 0 }

// reset makes v ready for a new message.
func (v *utf8Validator) reset() { v.n = 0 }

// validPrefix reports whether p, an incomplete code point, can still become
// a valid one: the lead byte and each continuation byte are in the ranges
// of RFC 3629 (so overlong forms, surrogates and values past U+10FFFF fail
// at the first byte that rules them out).
func validPrefix(p []byte) bool {
	lead := p[0]
	var lo, hi byte = 0x80, 0xBF // range of the second byte
	switch {
	case lead >= 0xC2 && lead <= 0xDF:
	case lead == 0xE0:
		lo = 0xA0
	case lead >= 0xE1 && lead <= 0xEC, lead == 0xEE, lead == 0xEF:
	case lead == 0xED:
		hi = 0x9F
	case lead == 0xF0:
		lo = 0x90
	case lead >= 0xF1 && lead <= 0xF3:
	case lead == 0xF4:
		hi = 0x8F
	default:
		return false
	}
	for i, c := range p[1:] {
		if i == 0 {
			if c < lo || c > hi {
				return false
			}
		} else if c < 0x80 || c > 0xBF {
			return false
		}
	}
	return true
}
