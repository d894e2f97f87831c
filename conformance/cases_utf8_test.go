package conformance_test

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cangjie-go/ohos/internal/hostile"
)

// utf8Group is one group of test sequences from Markus Kuhn's "UTF-8
// decoder capability and stress test" (the sequences of Autobahn's cases
// 6.5–6.23, in the same order).
type utf8Group struct {
	name string
	seqs [][]byte
}

// kuhnGroups returns the UTF-8 test sequences. Which are valid is decided
// by unicode/utf8 (RFC 3629), not written down here.
func kuhnGroups() []utf8Group {
	b := func(s string) []byte { return []byte(s) }
	kosme := b("\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5") // κόσμε

	var prefixes [][]byte
	for i := 1; i <= len(kosme); i++ {
		prefixes = append(prefixes, kosme[:i])
	}

	var conts [][]byte
	conts = append(conts, b("\x80"), b("\xbf"))
	for n := 2; n <= 7; n++ {
		var s []byte
		for i := range n {
			s = append(s, []byte{0x80, 0xbf}[i%2])
		}
		conts = append(conts, s)
	}
	var all64 []byte
	for c := 0x80; c <= 0xbf; c++ {
		all64 = append(all64, byte(c))
	}
	conts = append(conts, all64)

	var lonely [][]byte
	for _, rg := range [][2]int{{0xc0, 0xdf}, {0xe0, 0xef}, {0xf0, 0xf7}, {0xf8, 0xfb}, {0xfc, 0xfd}} {
		var s []byte
		for c := rg[0]; c <= rg[1]; c++ {
			s = append(s, byte(c), ' ')
		}
		lonely = append(lonely, s)
	}

	missing := [][]byte{
		b("\xc0"), b("\xe0\x80"), b("\xf0\x80\x80"), b("\xf8\x80\x80\x80"), b("\xfc\x80\x80\x80\x80"),
		b("\xdf"), b("\xef\xbf"), b("\xf7\xbf\xbf"), b("\xfb\xbf\xbf\xbf"), b("\xfd\xbf\xbf\xbf\xbf"),
	}
	var concat []byte
	for _, m := range missing {
		concat = append(concat, m...)
	}

	// Non-characters: U+FFFE, U+FFFF, U+nFFFE and U+nFFFF of every plane,
	// and U+FDD0–U+FDEF. They are valid UTF-8.
	nonChars := [][]byte{b("\xef\xbf\xbe"), b("\xef\xbf\xbf")}
	for plane := rune(1); plane <= 16; plane++ {
		nonChars = append(nonChars, utf8.AppendRune(nil, plane<<16|0xfffe), utf8.AppendRune(nil, plane<<16|0xffff))
	}
	var fdd0 []byte
	for r := rune(0xfdd0); r <= 0xfdef; r++ {
		fdd0 = utf8.AppendRune(fdd0, r)
	}
	nonChars = append(nonChars, fdd0)

	var specials [][]byte
	for r := rune(0xfff9); r <= 0xffff; r++ {
		specials = append(specials, utf8.AppendRune(nil, r))
	}

	return []utf8Group{
		{"some valid UTF-8 sequences", [][]byte{
			b("hello\x24world"), b("hello\xc2\xa2world"), b("hello\xe2\x82\xacworld"), b("hello\xf0\xa4\xad\xa2world"), kosme}},
		{"all prefixes of a valid UTF-8 string with multi-byte code points", prefixes},
		{"first possible sequence of a certain length", [][]byte{
			b("\x00"), b("\xc2\x80"), b("\xe0\xa0\x80"), b("\xf0\x90\x80\x80")}},
		{"first possible sequence of length 5 and 6 (invalid code points)", [][]byte{
			b("\xf8\x88\x80\x80\x80"), b("\xfc\x84\x80\x80\x80\x80")}},
		{"last possible sequence of a certain length", [][]byte{
			b("\x7f"), b("\xdf\xbf"), b("\xef\xbf\xbf"), b("\xf4\x8f\xbf\xbf")}},
		{"last possible sequence of length 4, 5 and 6 (invalid code points)", [][]byte{
			b("\xf7\xbf\xbf\xbf"), b("\xfb\xbf\xbf\xbf\xbf"), b("\xfd\xbf\xbf\xbf\xbf\xbf")}},
		{"other boundary conditions", [][]byte{
			b("\xed\x9f\xbf"), b("\xee\x80\x80"), b("\xef\xbf\xbd"), b("\xf4\x8f\xbf\xbf"), b("\xf4\x90\x80\x80")}},
		{"unexpected continuation bytes", conts},
		{"lonely start characters, each followed by a space", lonely},
		{"sequences with the last continuation byte missing", missing},
		{"concatenation of incomplete sequences", [][]byte{concat}},
		{"impossible bytes", [][]byte{b("\xfe"), b("\xff"), b("\xfe\xfe\xff\xff")}},
		{"overlong ASCII character", [][]byte{
			b("\xc0\xaf"), b("\xe0\x80\xaf"), b("\xf0\x80\x80\xaf"), b("\xf8\x80\x80\x80\xaf"), b("\xfc\x80\x80\x80\x80\xaf")}},
		{"maximum overlong sequences", [][]byte{
			b("\xc1\xbf"), b("\xe0\x9f\xbf"), b("\xf0\x8f\xbf\xbf"), b("\xf8\x87\xbf\xbf\xbf"), b("\xfc\x83\xbf\xbf\xbf\xbf")}},
		{"overlong representation of the NUL character", [][]byte{
			b("\xc0\x80"), b("\xe0\x80\x80"), b("\xf0\x80\x80\x80"), b("\xf8\x80\x80\x80\x80"), b("\xfc\x80\x80\x80\x80\x80")}},
		{"single UTF-16 surrogates", [][]byte{
			b("\xed\xa0\x80"), b("\xed\xad\xbf"), b("\xed\xae\x80"), b("\xed\xaf\xbf"), b("\xed\xb0\x80"), b("\xed\xbe\x80"), b("\xed\xbf\xbf")}},
		{"paired UTF-16 surrogates", [][]byte{
			b("\xed\xa0\x80\xed\xb0\x80"), b("\xed\xa0\x80\xed\xbf\xbf"), b("\xed\xad\xbf\xed\xb0\x80"), b("\xed\xad\xbf\xed\xbf\xbf"),
			b("\xed\xae\x80\xed\xb0\x80"), b("\xed\xae\x80\xed\xbf\xbf"), b("\xed\xaf\xbf\xed\xb0\x80"), b("\xed\xaf\xbf\xed\xbf\xbf")}},
		{"non-character code points (valid UTF-8)", nonChars},
		{"Unicode specials (valid UTF-8)", specials},
	}
}

// wellFormed is RFC 3629's table of well-formed multi-byte sequences: the
// lead bytes, the length, and the range of the second byte (later bytes are
// 0x80–0xBF).
var wellFormed = []struct {
	lead1, lead2 byte
	n            int
	lo, hi       byte
}{
	{0xc2, 0xdf, 2, 0x80, 0xbf},
	{0xe0, 0xe0, 3, 0xa0, 0xbf},
	{0xe1, 0xec, 3, 0x80, 0xbf},
	{0xed, 0xed, 3, 0x80, 0x9f},
	{0xee, 0xef, 3, 0x80, 0xbf},
	{0xf0, 0xf0, 4, 0x90, 0xbf},
	{0xf1, 0xf3, 4, 0x80, 0xbf},
	{0xf4, 0xf4, 4, 0x80, 0x8f},
}

// canComplete reports whether p, the start of a multi-byte sequence that
// is not complete, can still become a well-formed one.
func canComplete(p []byte) bool {
	for _, w := range wellFormed {
		if p[0] < w.lead1 || p[0] > w.lead2 {
			continue
		}
		if len(p) >= w.n {
			return false
		}
		for i, c := range p[1:] {
			lo, hi := byte(0x80), byte(0xbf)
			if i == 0 {
				lo, hi = w.lo, w.hi
			}
			if c < lo || c > hi {
				return false
			}
		}
		return true
	}
	return false
}

// failIndex returns the index of the byte at which p stops being the
// beginning of valid UTF-8 (a validator that fails fast fails there), or
// len(p) if p is invalid only because it ends in the middle of a sequence,
// or -1 if p is valid.
func failIndex(p []byte) int {
	if utf8.Valid(p) {
		return -1
	}
	for k := 1; k <= len(p); k++ {
		if !validPrefix(p[:k]) {
			return k - 1
		}
	}
	return len(p)
}

// validPrefix reports whether p is valid UTF-8 followed by at most the
// beginning of one more sequence that can still be completed.
func validPrefix(p []byte) bool {
	for i := 0; i < len(p); {
		r, size := utf8.DecodeRune(p[i:])
		if r == utf8.RuneError && size <= 1 {
			return canComplete(p[i:])
		}
		i += size
	}
	return true
}

// splitText cuts p into a text message of fragments of size bytes (one
// frame if size is 0).
func splitText(p []byte, size int) []hostile.Frame {
	if size <= 0 || len(p) <= size {
		return []hostile.Frame{fragment(hostile.OpText, true, p)}
	}
	var frames []hostile.Frame
	for i := 0; i < len(p); i += size {
		op := hostile.OpContinuation
		if i == 0 {
			op = hostile.OpText
		}
		end := min(i+size, len(p))
		frames = append(frames, fragment(op, end == len(p), p[i:end]))
	}
	return frames
}

// utf8Case sends p as a text message in fragments of fragSize bytes (one
// frame if 0). Valid text must be echoed; invalid text must fail the
// connection with 1007 — at the fragment holding the first invalid byte
// (fail fast), or the case is NON-STRICT.
func utf8Case(id, desc string, p []byte, fragSize int) testCase {
	frames := splitText(p, fragSize)
	k := failIndex(p)
	if k < 0 {
		return echoCase(id, desc, sendFrames(frames...), textB(p))
	}
	send := sendFrames(frames...)
	if fragSize > 0 && k < len(p) {
		if fi := k / fragSize; fi < len(frames)-1 {
			send = func(r *run) {
				r.write(frames[:fi+1]...)
				if r.awaitClose(failFastWait) {
					return
				}
				r.late = true
				r.write(frames[fi+1:]...)
			}
		}
	}
	return failCase(id, desc, codes(1007), send)
}

// failFast3 sends a text message in three parts: part1 is valid, part2
// makes the text invalid, part3 is the rest. The client must not fail after
// part1, and must fail after part2 without waiting for part3. The parts
// are frames, or (chops) pieces of one frame.
func failFast3(id, desc string, p1, p2, p3 []byte, chops bool) testCase {
	var pieces [][]byte
	if chops {
		all := append(append(append([]byte(nil), p1...), p2...), p3...)
		enc := hostile.Text(string(all)).Encode()
		h := len(enc) - len(all)
		pieces = [][]byte{enc[:h+len(p1)], enc[h+len(p1) : h+len(p1)+len(p2)], enc[h+len(p1)+len(p2):]}
	} else {
		pieces = [][]byte{
			fragment(hostile.OpText, false, p1).Encode(),
			fragment(hostile.OpContinuation, false, p2).Encode(),
			fragment(hostile.OpContinuation, true, p3).Encode(),
		}
	}
	return failCase(id, desc, codes(1007), func(r *run) {
		r.writeRaw(pieces[0])
		if r.awaitClose(100 * time.Millisecond) {
			r.violate("the client failed the connection after the first part, which is valid UTF-8 so far")
			return
		}
		r.writeRaw(pieces[1])
		if r.awaitClose(failFastWait) {
			if chops && !r.eof {
				// Complete the frame, so that the server's Close that
				// answers the client's is not read as its payload.
				r.writeRaw(pieces[2])
			}
			return
		}
		r.late = true
		r.writeRaw(pieces[2])
	})
}

// 6.x: UTF-8 handling, and X.6: the sequences of 6.5–6.23 again, one
// fragment per octet.
func utf8Cases() []testCase {
	hello := []byte("Hello-µ@ßöäüàá-UTF-8!!")
	kosme := []byte("\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5")
	invalid := []byte("\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80\x65\x64\x69\x74\x65\x64")
	cut := strings.Index(string(hello), "àá")
	cases := []testCase{
		echoCase("6.1.1", "text message of length 0", sendFrames(hostile.Text("")), text("")),
		echoCase("6.1.2", "text message of length 0 in 3 empty fragments",
			sendFrames(frag(hostile.OpText, false, ""), frag(hostile.OpContinuation, false, ""), frag(hostile.OpContinuation, true, "")), text("")),
		echoCase("6.1.3", "text message in 3 fragments, the first and last of length 0",
			sendFrames(frag(hostile.OpText, false, ""), frag(hostile.OpContinuation, false, "middle frame payload"), frag(hostile.OpContinuation, true, "")),
			text("middle frame payload")),
		echoCase("6.2.1", "valid UTF-8 text message in one fragment", sendFrames(hostile.Text(string(hello))), textB(hello)),
		echoCase("6.2.2", "valid UTF-8 text message in 2 fragments, split at a code point boundary",
			sendFrames(fragment(hostile.OpText, false, hello[:cut]), fragment(hostile.OpContinuation, true, hello[cut:])), textB(hello)),
		utf8Case("6.2.3", "valid UTF-8 text message, one fragment per octet", hello, 1),
		utf8Case("6.2.4", "valid UTF-8 text message (κόσμε), one fragment per octet", kosme, 1),
		utf8Case("6.3.1", "invalid UTF-8 text message (a surrogate) in one fragment", invalid, 0),
		utf8Case("6.3.2", "invalid UTF-8 text message (a surrogate), one fragment per octet: fail at the first invalid octet", invalid, 1),
		failFast3("6.4.1", "invalid UTF-8 text in 3 fragments: valid, a code point over U+10FFFF, valid — fail at the 2nd fragment",
			kosme, []byte("\xf4\x90\x80\x80"), []byte("edited"), false),
		failFast3("6.4.2", "invalid UTF-8 text in 3 fragments, the 1st ending with the lead byte 0xF4, the 2nd the invalid 0x90 — fail at the 2nd fragment",
			append(append([]byte(nil), kosme...), 0xf4), []byte{0x90}, []byte("\x80\x80edited"), false),
		failFast3("6.4.3", "invalid UTF-8 text in one frame sent in 3 chops: valid, a code point over U+10FFFF, valid — fail at the 2nd chop",
			kosme, []byte("\xf4\x90\x80\x80"), []byte("edited"), true),
		failFast3("6.4.4", "invalid UTF-8 text in one frame sent in 3 chops, the 1st ending with 0xF4, the 2nd the invalid 0x90 — fail at the 2nd chop",
			append(append([]byte(nil), kosme...), 0xf4), []byte{0x90}, []byte("\x80\x80edited"), true),
	}
	groups := kuhnGroups()
	for gi, g := range groups {
		for si, s := range g.seqs {
			id := fmt.Sprintf("6.%d.%d", gi+5, si+1)
			validity := "valid"
			if !utf8.Valid(s) {
				validity = "invalid"
			}
			cases = append(cases, utf8Case(id, fmt.Sprintf("%s: %s text %x in one fragment", g.name, validity, s), s, 0))
		}
	}
	for gi, g := range groups {
		for si, s := range g.seqs {
			if len(s) < 2 {
				continue // one octet: the same as the case in one fragment
			}
			id := fmt.Sprintf("X.6.%d.%d", gi+5, si+1)
			validity := "valid"
			if !utf8.Valid(s) {
				validity = "invalid"
			}
			cases = append(cases, utf8Case(id, fmt.Sprintf("%s: %s text %x, one fragment per octet", g.name, validity, s), s, 1))
		}
	}
	return cases
}
