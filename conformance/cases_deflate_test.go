package conformance_test

import (
	"bytes"
	"compress/flate"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/cangjie-go/ohos/internal/hostile"
	"github.com/cangjie-go/ohos/networkkit/websocket"
)

// Compression (permessage-deflate, RFC 7692): the compressed messages of
// Autobahn's client cases 12.x (sizes and fragmentations) and 13.x (every
// parameter combination a server may answer), then cases Autobahn lacks:
// answers the client must refuse (X.10), answers it must accept (X.11),
// RSV1 misuse (X.12), decompression bombs and the size limit on inflated
// data (X.13), UTF-8 of compressed text (X.14), and the examples of RFC 7692
// §7.2.3 (X.15).
//
// The server inflates what the client sends with a decoder of its own
// (deflate_test.go) that fails on a back-reference farther than the window
// the client was given, and on a reference to an earlier message when the
// client must compress each message on its own.

// zmsg is a message of a compression case.
type zmsg struct {
	op hostile.Opcode
	p  []byte
}

func (m zmsg) echo() ev {
	if m.op == hostile.OpText {
		return textB(m.p)
	}
	return binary(m.p)
}

// acceptDeflate answers the handshake with the permessage-deflate answer
// given (none if ""), and sets up the server's side of it.
func acceptDeflate(answer string) func(r *run, key string) {
	return func(r *run, key string) {
		var extra []string
		if answer != "" {
			extra = append(extra, "Sec-WebSocket-Extensions: "+answer)
			var o websocket.RequestOptions
			r.tc.opts(&o)
			r.pmd = newPMDServer(parsePMDAnswer(answer), o.Compression)
		}
		if err := r.c.Accept(key, extra...); err != nil {
			r.violate("writing the 101 answer: %v", err)
		}
	}
}

// deflateOpts returns the options of a case that offers mode, adjusted by
// more.
func deflateOpts(mode websocket.CompressionMode, more func(o *websocket.RequestOptions)) func(o *websocket.RequestOptions) {
	return func(o *websocket.RequestOptions) {
		o.Compression = mode
		if more != nil {
			more(o)
		}
	}
}

// wantExtensions checks that Extensions() and the headerReceive event show
// the server's answer (the package doc, section Compression).
func wantExtensions(answer string) func(r *run, o *clientObs, res *result) {
	return func(r *run, o *clientObs, res *result) {
		if o.connectErr != nil {
			return
		}
		if o.extensions != answer {
			res.fail("Extensions() = %q, want the server's answer %q", o.extensions, answer)
		}
		o.mu.Lock()
		h, _ := o.headers.(websocket.MapData)
		o.mu.Unlock()
		if h["sec-websocket-extensions"] != answer {
			res.fail("headerReceive shows sec-websocket-extensions %q, want the server's answer %q", h["sec-websocket-extensions"], answer)
		}
	}
}

// andVerify runs checks one after the other.
func andVerify(checks ...func(r *run, o *clientObs, res *result)) func(r *run, o *clientObs, res *result) {
	return func(r *run, o *clientObs, res *result) {
		for _, c := range checks {
			if c != nil {
				c(r, o, res)
			}
		}
	}
}

// wantThreshold checks that the client compressed exactly its messages of
// at least threshold octets (the package doc, section Compression).
func wantThreshold(threshold int) func(r *run, o *clientObs, res *result) {
	return func(r *run, o *clientObs, res *result) {
		if r.pmd == nil {
			return
		}
		for i, m := range r.pmd.msgs {
			if want := m.inflated >= threshold; m.compressed != want {
				res.fail("client message %d of %d octets: compressed %v, want %v (CompressionThreshold %d)", i+1, m.inflated, m.compressed, want, threshold)
			}
		}
	}
}

// wantTakeover checks that the client kept its compression context when
// the negotiation let it (CompressionContextTakeover without
// client_no_context_takeover in the answer): some message referred back
// into an earlier one.
func wantTakeover(r *run, o *clientObs, res *result) {
	if r.pmd == nil || r.pmd.clientResets {
		return
	}
	for _, m := range r.pmd.msgs {
		if m.stats.intoHist {
			return
		}
	}
	res.fail("the client never referred back to an earlier message, although it offered context takeover and the server allowed it")
}

// deflateEcho is a kindEcho case where the server answers with answer and
// sends msgs compressed, each cut into frames of frag octets (one frame if
// 0); the client must echo them.
func deflateEcho(id, desc string, mode websocket.CompressionMode, answer string, msgs []zmsg, frag int, more func(o *websocket.RequestOptions)) testCase {
	var want []ev
	for _, m := range msgs {
		want = append(want, m.echo())
	}
	return testCase{
		id: id, desc: desc, kind: kindEcho, want: want,
		opts:   deflateOpts(mode, more),
		accept: acceptDeflate(answer),
		send: func(r *run) {
			for _, m := range msgs {
				r.write(r.compressedFrames(m.op, m.p, frag)...)
			}
		},
		verify: wantExtensions(answer),
	}
}

const (
	answerNoTakeover = "permessage-deflate; client_no_context_takeover; server_no_context_takeover"
	answerTakeover   = "permessage-deflate"
)

func deflateCases() []testCase {
	var cases []testCase
	for _, group := range [][]testCase{compressedEchoCases(), parameterCases(), forbiddenAnswerCases(), acceptedAnswerCases(),
		rsv1Cases(), deflateLimitCases(), deflateUTF8Cases(), rfc7692ExampleCases()} {
		cases = append(cases, group...)
	}
	return cases
}

// 12.x: compressed messages of 16 octets to 256 KiB, text and binary, in
// one frame or fragmented (both ways: the client's MaxFrameSize is the
// server's fragment size), without and with context takeover. The server
// compresses every message; the client compresses those of at least 256
// octets (the default CompressionThreshold) and must echo them all.
func compressedEchoCases() []testCase {
	sizes := []int{16, 64, 256, 1 * kib, 4 * kib, 16 * kib, 64 * kib, 256 * kib}
	frags := []int{0, 256, 4 * kib}
	groups := []struct {
		op     hostile.Opcode
		mode   websocket.CompressionMode
		answer string
	}{
		{hostile.OpText, websocket.CompressionNoContextTakeover, answerNoTakeover},
		{hostile.OpBinary, websocket.CompressionNoContextTakeover, answerNoTakeover},
		{hostile.OpText, websocket.CompressionContextTakeover, answerTakeover},
		{hostile.OpBinary, websocket.CompressionContextTakeover, answerTakeover},
	}
	var cases []testCase
	for g, grp := range groups {
		k := 0
		for _, n := range sizes {
			count := min(max(128*kib/n, 2), 16)
			for _, frag := range frags {
				k++
				var msgs []zmsg
				for j := range count {
					seed := uint64(n*100 + j)
					if grp.op == hostile.OpText {
						msgs = append(msgs, zmsg{grp.op, deflateText(n, seed)})
					} else {
						msgs = append(msgs, zmsg{grp.op, deflateBinary(n, seed)})
					}
				}
				how := "in one frame each"
				if frag > 0 {
					how = fmt.Sprintf("in fragments of %d octets each way", frag)
				}
				tc := deflateEcho(fmt.Sprintf("12.%d.%d", g+1, k),
					fmt.Sprintf("%d compressed %v messages of %s, %s, %s", count, grp.op, sizeName(n), how, grp.mode),
					grp.mode, grp.answer, msgs, frag, func(o *websocket.RequestOptions) {
						if frag > 0 {
							o.MaxFrameSize = frag
						}
					})
				tc.verify = andVerify(tc.verify, wantThreshold(websocket.DefaultCompressionThreshold))
				cases = append(cases, tc)
			}
		}
	}
	return cases
}

// parameterMessages are the messages of the 13.x cases: small and large,
// each sent twice (so that context takeover shows), a block repeated 20 KiB
// later (so that a window shows), and an empty one.
var parameterMessages = sync.OnceValue(func() []zmsg {
	t200, t3000 := deflateText(200, 1), deflateText(3000, 2)
	far := farRepeat(20*kib, 3)
	return []zmsg{
		{hostile.OpText, []byte("Hello, compressed world!")},
		{hostile.OpText, t200}, {hostile.OpText, t200},
		{hostile.OpText, t3000}, {hostile.OpText, t3000},
		{hostile.OpBinary, far}, {hostile.OpBinary, far},
		{hostile.OpText, deflateText(48*kib, 4)},
		{hostile.OpBinary, []byte{}},
	}
})

// parameterCase echoes parameterMessages under an answer; the client
// compresses every message but the empty one (CompressionThreshold 1). The
// 48 KiB text comes in fragments of 4 KiB with a ping after the first.
func parameterCase(id string, mode websocket.CompressionMode, answer string) testCase {
	msgs := parameterMessages()
	want := []ev{pongS("between")}
	for _, m := range msgs {
		want = append(want, m.echo())
	}
	return testCase{
		id: id, desc: fmt.Sprintf("the client offers %s; the server answers %q; messages both ways", mode, answer),
		kind: kindEcho, want: want, anyOrder: true,
		opts:   deflateOpts(mode, func(o *websocket.RequestOptions) { o.CompressionThreshold = 1 }),
		accept: acceptDeflate(answer),
		send: func(r *run) {
			for i, m := range msgs {
				frames := r.compressedFrames(m.op, m.p, 4*kib)
				if i == len(msgs)-2 {
					frames = append(frames[:1], append([]hostile.Frame{hostile.Ping([]byte("between"))}, frames[1:]...)...)
				}
				r.write(frames...)
			}
		},
		verify: andVerify(wantExtensions(answer), wantThreshold(1), wantTakeover),
	}
}

// 13.x: for each mode the client offers, every kind of answer a server may
// choose: the takeover combinations, server_max_window_bits 8–15,
// client_max_window_bits 8–15, and both window bits at once.
func parameterCases() []testCase {
	var cases []testCase
	for g, mode := range []websocket.CompressionMode{websocket.CompressionNoContextTakeover, websocket.CompressionContextTakeover} {
		answers := []string{
			"permessage-deflate",
			"permessage-deflate; server_no_context_takeover",
			"permessage-deflate; client_no_context_takeover",
			"permessage-deflate; client_no_context_takeover; server_no_context_takeover",
		}
		for bits := 8; bits <= 15; bits++ {
			answers = append(answers, fmt.Sprintf("permessage-deflate; server_max_window_bits=%d", bits))
		}
		for bits := 8; bits <= 15; bits++ {
			answers = append(answers, fmt.Sprintf("permessage-deflate; client_max_window_bits=%d", bits))
		}
		for bits := 8; bits <= 15; bits++ {
			a := fmt.Sprintf("permessage-deflate; server_max_window_bits=%d; client_max_window_bits=%d", bits, bits)
			if mode == websocket.CompressionNoContextTakeover {
				a = fmt.Sprintf("permessage-deflate; client_no_context_takeover; server_no_context_takeover; server_max_window_bits=%d; client_max_window_bits=%d", bits, bits)
			}
			answers = append(answers, a)
		}
		for k, a := range answers {
			cases = append(cases, parameterCase(fmt.Sprintf("13.%d.%d", g+1, k+1), mode, a))
		}
	}
	return cases
}

// forbiddenCase: the server answers with the Sec-WebSocket-Extensions lines
// given; the client must refuse the handshake (as refusedCase) with a
// *websocket.HandshakeError whose Reason contains every part of reason.
func forbiddenCase(id, desc string, mode websocket.CompressionMode, lines []string, reason ...string) testCase {
	tc := refusedCase(id, desc, func(key string) []byte {
		var extra []string
		for _, l := range lines {
			extra = append(extra, "Sec-WebSocket-Extensions: "+l)
		}
		return hostile.Response101(key, extra...)
	}, func(he *websocket.HandshakeError, res *result) {
		if he == nil {
			res.fail("no *websocket.HandshakeError reachable with errors.As")
			return
		}
		if he.StatusCode != 101 {
			res.fail("HandshakeError status %d, want 101", he.StatusCode)
		}
		for _, part := range reason {
			if !strings.Contains(he.Reason, part) {
				res.fail("HandshakeError reason %q does not name the problem (want %q in it)", he.Reason, part)
			}
		}
	})
	tc.opts = deflateOpts(mode, nil)
	return tc
}

// X.10: answers RFC 7692 forbids: the client fails the handshake with a
// reason naming the problem, and closes the connection.
func forbiddenAnswerCases() []testCase {
	noTO, to := websocket.CompressionNoContextTakeover, websocket.CompressionContextTakeover
	one := func(s string) []string { return []string{s} }
	return []testCase{
		forbiddenCase("X.10.1", "unknown parameter with a value", to, one("permessage-deflate; foo=1"), "unknown", `"foo"`),
		forbiddenCase("X.10.2", "unknown parameter without a value", noTO, one("permessage-deflate; client_no_context_takeover; x-webkit"), "unknown", `"x-webkit"`),
		forbiddenCase("X.10.3", "server_no_context_takeover twice", noTO,
			one("permessage-deflate; server_no_context_takeover; server_no_context_takeover"), "server_no_context_takeover", "twice"),
		forbiddenCase("X.10.4", "client_no_context_takeover twice", to,
			one("permessage-deflate; client_no_context_takeover; client_no_context_takeover"), "client_no_context_takeover", "twice"),
		forbiddenCase("X.10.5", "client_max_window_bits twice, with different values", to,
			one("permessage-deflate; client_max_window_bits=10; client_max_window_bits=12"), "client_max_window_bits", "twice"),
		forbiddenCase("X.10.6", "server_max_window_bits twice, with the same value", noTO,
			one("permessage-deflate; server_max_window_bits=10; server_max_window_bits=10"), "server_max_window_bits", "twice"),
		forbiddenCase("X.10.7", "server_max_window_bits=7 (below 8)", to, one("permessage-deflate; server_max_window_bits=7"), "server_max_window_bits", "8 to 15"),
		forbiddenCase("X.10.8", "server_max_window_bits=16 (above 15)", to, one("permessage-deflate; server_max_window_bits=16"), "server_max_window_bits", "8 to 15"),
		forbiddenCase("X.10.9", "client_max_window_bits=0", noTO, one("permessage-deflate; client_max_window_bits=0"), "client_max_window_bits", "8 to 15"),
		forbiddenCase("X.10.10", "client_max_window_bits=16", to, one("permessage-deflate; client_max_window_bits=16"), "client_max_window_bits", "8 to 15"),
		forbiddenCase("X.10.11", "server_max_window_bits=08 (a leading zero)", to, one("permessage-deflate; server_max_window_bits=08"), "server_max_window_bits", "8 to 15"),
		forbiddenCase("X.10.12", "server_max_window_bits=ten", noTO, one("permessage-deflate; server_max_window_bits=ten"), "server_max_window_bits", "8 to 15"),
		forbiddenCase("X.10.13", "server_max_window_bits without a value", to, one("permessage-deflate; server_max_window_bits"), "server_max_window_bits", "8 to 15"),
		forbiddenCase("X.10.14", "client_max_window_bits without a value (an answer must give one)", to,
			one("permessage-deflate; client_max_window_bits"), "client_max_window_bits", "8 to 15"),
		forbiddenCase("X.10.15", "client_max_window_bits=-9", noTO, one("permessage-deflate; client_max_window_bits=-9"), "client_max_window_bits", "8 to 15"),
		forbiddenCase("X.10.16", "server_no_context_takeover with a value", noTO,
			one("permessage-deflate; server_no_context_takeover=1"), "server_no_context_takeover", "takes no value"),
		forbiddenCase("X.10.17", "client_no_context_takeover with a quoted value", to,
			one(`permessage-deflate; client_no_context_takeover="yes"`), "client_no_context_takeover", "takes no value"),
		forbiddenCase("X.10.18", "an extension that was not offered instead of permessage-deflate", to, one("x-webkit-deflate-frame"),
			`"x-webkit-deflate-frame"`, "not offered"),
		forbiddenCase("X.10.19", "permessage-deflate and an extension that was not offered", noTO, one("permessage-deflate, x-custom; level=9"),
			`"x-custom"`, "not offered"),
		forbiddenCase("X.10.20", "permessage-deflate when the client offered no extension", websocket.CompressionOff, one("permessage-deflate"),
			"permessage-deflate", "not offered"),
		forbiddenCase("X.10.21", "two permessage-deflate answers in one header line", to,
			one("permessage-deflate; server_no_context_takeover, permessage-deflate"), "permessage-deflate", "twice"),
		forbiddenCase("X.10.22", "two permessage-deflate answers in two header lines", noTO,
			[]string{"permessage-deflate; client_no_context_takeover", "permessage-deflate; client_no_context_takeover"}, "permessage-deflate", "twice"),
		forbiddenCase("X.10.23", "a malformed answer (empty parameter)", to, one("permessage-deflate;; server_no_context_takeover"), "malformed"),
		forbiddenCase("X.10.24", "a malformed answer (unterminated quoted value)", to, one(`permessage-deflate; server_max_window_bits="10`), "malformed"),
	}
}

// X.11: answers RFC 7692 allows that the 13.x cases do not show: the
// client accepts them, and compresses (or not) as they say.
func acceptedAnswerCases() []testCase {
	t3000 := deflateText(3000, 11)
	msgs := []zmsg{{hostile.OpText, []byte("Hello")}, {hostile.OpText, t3000}, {hostile.OpText, t3000}, {hostile.OpBinary, farRepeat(20*kib, 12)}}
	accepted := func(id, desc string, mode websocket.CompressionMode, answer string) testCase {
		tc := deflateEcho(id, desc, mode, answer, msgs, 0, nil)
		tc.verify = andVerify(tc.verify, wantThreshold(websocket.DefaultCompressionThreshold))
		return tc
	}
	declined := func(id string, mode websocket.CompressionMode) testCase {
		var want []ev
		var frames []hostile.Frame
		for _, m := range msgs {
			want = append(want, m.echo())
			frames = append(frames, hostile.Frame{Fin: true, Opcode: m.op, Payload: m.p})
		}
		return testCase{
			id: id, desc: fmt.Sprintf("the client offers %s; the server answers without extension: no message is compressed", mode),
			kind: kindEcho, want: want, opts: deflateOpts(mode, nil), accept: acceptDeflate(""),
			send: sendFrames(frames...), verify: wantExtensions(""),
		}
	}
	// X.11.7: the answer folded over two lines (obs-fold), after another
	// header: RFC 7230 §3.2.4 has a user agent replace the fold with a space.
	unfolded := "permessage-deflate; server_no_context_takeover ; client_max_window_bits=10"
	folded := accepted("X.11.7", "the answer folded over two lines (obs-fold, RFC 7230 §3.2.4), the second holding client_max_window_bits=10",
		websocket.CompressionContextTakeover, unfolded)
	folded.accept = func(r *run, key string) {
		r.pmd = newPMDServer(parsePMDAnswer(unfolded), websocket.CompressionContextTakeover)
		if err := r.c.Accept(key, "X-Served-By: hostile",
			"Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover\r\n ; client_max_window_bits=10"); err != nil {
			r.violate("writing the 101 answer: %v", err)
		}
	}
	folded.verify = andVerify(wantThreshold(websocket.DefaultCompressionThreshold), func(r *run, o *clientObs, res *result) {
		if o.connectErr == nil && !strings.Contains(o.extensions, "client_max_window_bits=10") {
			res.fail("Extensions() = %q: the folded line is lost", o.extensions)
		}
	})

	// X.11.8: an empty list element before the extension: RFC 7230 §7 has
	// a recipient parse and ignore it (RFC 2616's #rule allowed null
	// elements too).
	nullElement := accepted("X.11.8", "an empty list element before permessage-deflate (RFC 7230 §7)", websocket.CompressionContextTakeover,
		", permessage-deflate; client_max_window_bits=10")
	nullElement.accept = func(r *run, key string) {
		r.pmd = newPMDServer(parsePMDAnswer("permessage-deflate; client_max_window_bits=10"), websocket.CompressionContextTakeover)
		if err := r.c.Accept(key, "Sec-WebSocket-Extensions: , permessage-deflate; client_max_window_bits=10"); err != nil {
			r.violate("writing the 101 answer: %v", err)
		}
	}

	return []testCase{
		accepted("X.11.1", "client_max_window_bits as a quoted string (RFC 6455 §9.1)", websocket.CompressionContextTakeover,
			`permessage-deflate; client_max_window_bits="10"`),
		accepted("X.11.2", "names in mixed case", websocket.CompressionNoContextTakeover,
			"Permessage-Deflate; Server_No_Context_Takeover; Client_Max_Window_Bits=9"),
		accepted("X.11.3", "white space around the separators", websocket.CompressionContextTakeover,
			"permessage-deflate ;  server_max_window_bits = 10 ;client_no_context_takeover"),
		accepted("X.11.4", "the server demands client_no_context_takeover and limits both windows to 8 bits", websocket.CompressionContextTakeover,
			"permessage-deflate; client_no_context_takeover; client_max_window_bits=8; server_max_window_bits=8"),
		declined("X.11.5", websocket.CompressionNoContextTakeover),
		declined("X.11.6", websocket.CompressionContextTakeover),
		folded,
		nullElement,
	}
}

// rsvCase is a kindFail case (close 1002) on a connection that negotiated
// answer (none if "") after offering mode.
func rsvCase(id, desc string, mode websocket.CompressionMode, answer string, frames ...hostile.Frame) testCase {
	tc := failCase(id, desc, codes(1002), sendFrames(frames...))
	tc.opts = deflateOpts(mode, nil)
	if mode != websocket.CompressionOff {
		tc.accept = acceptDeflate(answer)
	}
	return tc
}

// X.12: RSV1 where it does not belong, and compressed data that does not
// inflate: 1002.
func rsv1Cases() []testCase {
	to := websocket.CompressionContextTakeover
	z := func(op hostile.Opcode, fin bool, rsv byte, p []byte) hostile.Frame {
		return hostile.Frame{Fin: fin, Rsv: rsv, Opcode: op, Payload: p}
	}
	r1 := hostile.RSV1
	return []testCase{
		rsvCase("X.12.1", "RSV1 on a text frame when the client offered no compression", websocket.CompressionOff, "",
			z(hostile.OpText, true, r1, helloZ)),
		rsvCase("X.12.2", "RSV1 on a text frame when the server declined the offered compression", websocket.CompressionNoContextTakeover, "",
			z(hostile.OpText, true, r1, helloZ)),
		rsvCase("X.12.3", "compressed text in 2 fragments, RSV1 on both", to, answerTakeover,
			z(hostile.OpText, false, r1, helloZ[:3]), z(hostile.OpContinuation, true, r1, helloZ[3:])),
		rsvCase("X.12.4", "uncompressed first fragment, RSV1 on the continuation frame", to, answerTakeover,
			z(hostile.OpText, false, 0, []byte("Hel")), z(hostile.OpContinuation, true, r1, []byte("lo"))),
		rsvCase("X.12.5", "ping with RSV1", to, answerTakeover, z(hostile.OpPing, true, r1, []byte("ping"))),
		rsvCase("X.12.6", "pong with RSV1", to, answerTakeover, z(hostile.OpPong, true, r1, []byte("pong"))),
		rsvCase("X.12.7", "close 1000 with RSV1", to, answerTakeover, z(hostile.OpClose, true, r1, hostile.ClosePayload(1000, ""))),
		rsvCase("X.12.8", "ping with RSV1 between the fragments of a compressed message", to, answerTakeover,
			z(hostile.OpText, false, r1, helloZ[:3]), z(hostile.OpPing, true, r1, nil), z(hostile.OpContinuation, true, 0, helloZ[3:])),
		rsvCase("X.12.9", "compressed text with RSV1 and RSV2", to, answerTakeover, z(hostile.OpText, true, r1|hostile.RSV2, helloZ)),
		rsvCase("X.12.10", "text with RSV2 (permessage-deflate negotiated)", to, answerTakeover, z(hostile.OpText, true, hostile.RSV2, []byte("Hello"))),
		rsvCase("X.12.11", "binary with RSV3 (permessage-deflate negotiated)", to, answerTakeover, z(hostile.OpBinary, true, hostile.RSV3, []byte{1, 2})),
		rsvCase("X.12.12", "compressed data with an invalid block type (3)", to, answerTakeover, z(hostile.OpBinary, true, r1, []byte{0xff, 0xff, 0xff, 0xff})),
		rsvCase("X.12.13", "compressed data that refers back before its start (RFC 7692 §7.2.3.2's second message, sent first)", to, answerTakeover,
			z(hostile.OpText, true, r1, []byte{0xf2, 0x00, 0x11, 0x00, 0x00})),
		rsvCase("X.12.14", "compressed data whose stored block is longer than the message", to, answerTakeover,
			z(hostile.OpBinary, true, r1, []byte{0x00, 0x64, 0x00, 0x9b, 0xff, 'a', 'b', 'c'})),
	}
}

// bombCase: the server sends frames whose compressed data inflates to far
// more than the limit, first (the beginning of) the frames up to octet
// first, then, if the client has not failed within failFastWait, the rest.
// The client must fail with 1009 before the rest is sent, having allocated
// about the limit.
func bombCase(id, desc string, limit int64, frames []hostile.Frame, first int) testCase {
	tc := failCase(id, desc, codes(1009), func(r *run) {
		raw := hostile.Encode(frames...)
		r.writeRaw(raw[:first])
		if !r.awaitClose(failFastWait) {
			r.late = true
		}
		if !r.eof {
			// Complete the message, so that the server's Close is not
			// read as its payload.
			r.writeRaw(raw[first:])
		}
	})
	tc.opts = deflateOpts(websocket.CompressionContextTakeover, func(o *websocket.RequestOptions) { o.MaxMessageSize = limit })
	tc.accept = acceptDeflate(answerTakeover)
	tc.alone = true
	if limit == 0 {
		limit = websocket.DefaultMaxMessageSize
	}
	tc.verify = func(r *run, o *clientObs, res *result) {
		// A buffer that doubles up to the limit allocates twice the limit
		// in all; the rest is the server's and the decompressor's.
		bound := uint64(3*limit + 8*mib)
		if r.alloc > bound {
			res.fail("the process allocated %d MiB while the case ran, over %d MiB (3 times the limit and 8 MiB): the inflating does not stop at the limit",
				r.alloc>>20, bound>>20)
		}
		r.info = append(r.info, fmt.Sprintf("allocated %d KiB while the case ran", r.alloc>>10))
	}
	return tc
}

// X.13: MaxMessageSize applies to the inflated size, checked while
// inflating: decompression bombs stop at the limit with 1009.
func deflateLimitCases() []testCase {
	bomb := bombMessage(1024) // 1 GiB inflated
	blk := len(bombBlock())
	var fragments []hostile.Frame
	for i := range 1024 {
		p := bombBlock()
		if i == 1023 {
			p = p[:len(p)-len(deflateTail)]
		}
		f := hostile.Frame{Fin: i == 1023, Opcode: hostile.OpContinuation, Payload: p}
		if i == 0 {
			f.Opcode, f.Rsv = hostile.OpBinary, hostile.RSV1
		}
		fragments = append(fragments, f)
	}
	limit := func(n int64) func(o *websocket.RequestOptions) {
		return func(o *websocket.RequestOptions) { o.MaxMessageSize = n }
	}
	exact := deflateText(64*kib, 21)
	exactCase := deflateEcho("X.13.3", "MaxMessageSize 64 KiB: compressed text that inflates to exactly 64 KiB is accepted",
		websocket.CompressionContextTakeover, answerTakeover, []zmsg{{hostile.OpText, exact}}, 0, limit(64*kib))
	over := deflateText(64*kib+1, 21)
	overCase := failCase("X.13.4", "MaxMessageSize 64 KiB: compressed text that inflates to 64 KiB + 1", codes(1009),
		func(r *run) { r.write(r.compressedFrames(hostile.OpText, over, 0)...) })
	overCase.opts = deflateOpts(websocket.CompressionContextTakeover, limit(64*kib))
	overCase.accept = acceptDeflate(answerTakeover)
	// X.13.5: incompressible octets in stored blocks: the compressed
	// payload is longer than the message it inflates to.
	random := farRepeat(32*kib, 22)
	var sb bytes.Buffer
	sw, _ := flate.NewWriter(&sb, flate.NoCompression)
	sw.Write(random)
	sw.Flush()
	storedZ := sb.Bytes()[:sb.Len()-len(deflateTail)]
	stored := deflateEcho("X.13.5", fmt.Sprintf("MaxMessageSize 64 KiB: binary of exactly 64 KiB in stored DEFLATE blocks (%d octets compressed) is accepted",
		len(storedZ)), websocket.CompressionContextTakeover, answerTakeover, []zmsg{{hostile.OpBinary, random}}, 0, limit(64*kib))
	stored.send = func(r *run) { r.write(rsv1Frames(hostile.OpBinary, storedZ, 0)...) }

	return []testCase{
		bombCase("X.13.1", fmt.Sprintf("MaxMessageSize 1 MiB: one compressed frame of %d KiB that inflates to 1 GiB, sent 64 KiB first: 1009, fail fast, allocating about the limit",
			len(bomb)>>10), mib, []hostile.Frame{{Fin: true, Rsv: hostile.RSV1, Opcode: hostile.OpBinary, Payload: bomb}}, 64*kib),
		bombCase("X.13.2", fmt.Sprintf("default MaxMessageSize (16 MiB): a compressed message of 1024 fragments of %d octets, each inflating to 1 MiB, 32 fragments sent first: 1009, fail fast, allocating about the limit",
			blk), 0, fragments, 32*(blk+4)),
		exactCase,
		overCase,
		stored,
	}
}

// X.14: UTF-8 of compressed text is checked on the inflated octets, failing
// at the first invalid one.
func deflateUTF8Cases() []testCase {
	to := websocket.CompressionContextTakeover
	withDeflate := func(tc testCase) testCase {
		tc.opts = deflateOpts(to, nil)
		tc.accept = acceptDeflate(answerTakeover)
		return tc
	}
	kosme := []byte("\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5")

	// X.14.1: a long text that compresses poorly, its invalid octet near the
	// start; the server sends 64 KiB of the frame and waits.
	rng := rand.New(rand.NewPCG(14, 1))
	long := []byte("the invalid octet comes early: \xff then a long text")
	for len(long) < 2*mib {
		long = append(long, "abcdefghijklmnopqrstuvwxyzäöüßéèêàçñ "[rng.IntN(37)])
	}
	longZ := bytes.Join(compressParts(long), nil)
	early := withDeflate(failCase("X.14.1", fmt.Sprintf("compressed text of 2 MiB (%d KiB compressed) whose 32nd octet is invalid UTF-8, the first 64 KiB sent first: 1007 before the rest is sent",
		len(longZ)>>10), codes(1007), func(r *run) {
		raw := hostile.Frame{Fin: true, Rsv: hostile.RSV1, Opcode: hostile.OpText, Payload: longZ}.Encode()
		r.writeRaw(raw[:64*kib])
		if !r.awaitClose(failFastWait) {
			r.late = true
		}
		if !r.eof {
			r.writeRaw(raw[64*kib:]) // so that the server's Close is not read as payload
		}
	}))

	// failFastZ: compressed text in three sync-flushed parts (p1 valid, p2
	// invalid, p3 the rest), as fragments or as chops of one frame; the
	// client must fail after p2 without waiting for p3.
	failFastZ := func(id, desc string, p1, p2, p3 []byte, chops bool) testCase {
		z := compressParts(p1, p2, p3)
		var pieces [][]byte
		if chops {
			enc := hostile.Frame{Fin: true, Rsv: hostile.RSV1, Opcode: hostile.OpText, Payload: bytes.Join(z, nil)}.Encode()
			h := len(enc) - len(z[0]) - len(z[1]) - len(z[2])
			pieces = [][]byte{enc[:h+len(z[0])], enc[h+len(z[0]) : h+len(z[0])+len(z[1])], enc[h+len(z[0])+len(z[1]):]}
		} else {
			pieces = [][]byte{
				hostile.Frame{Rsv: hostile.RSV1, Opcode: hostile.OpText, Payload: z[0]}.Encode(),
				fragment(hostile.OpContinuation, false, z[1]).Encode(),
				fragment(hostile.OpContinuation, true, z[2]).Encode(),
			}
		}
		return withDeflate(failCase(id, desc, codes(1007), func(r *run) {
			r.writeRaw(pieces[0])
			if r.awaitClose(100 * time.Millisecond) {
				r.violate("the client failed the connection after the first part, which is valid UTF-8 so far")
				return
			}
			r.writeRaw(pieces[1])
			if r.awaitClose(failFastWait) {
				if chops && !r.eof {
					r.writeRaw(pieces[2])
				}
				return
			}
			r.late = true
			r.writeRaw(pieces[2])
		}))
	}

	// X.14.6: valid text whose code points are cut between the parts, each
	// part a fragment of its own: the inflated octets of a fragment end
	// inside a code point.
	var parts [][]byte
	text := bytes.Repeat([]byte("κόσμε 😀 東京 "), 2000)
	for i := 0; i < len(text); {
		end := min(i+997, len(text)) // 997 cuts code points
		parts = append(parts, text[i:end])
		i = end
	}
	var cut []hostile.Frame
	for i, z := range compressParts(parts...) {
		f := fragment(hostile.OpContinuation, i == len(parts)-1, z)
		if i == 0 {
			f.Opcode, f.Rsv = hostile.OpText, hostile.RSV1
		}
		cut = append(cut, f)
	}
	straddle := withDeflate(echoCase("X.14.6", fmt.Sprintf("compressed text of %d octets in %d fragments, each inflating to 997 octets that end inside a code point: echoed",
		len(text), len(parts)), sendFrames(cut...), textB(text)))

	truncated := withDeflate(failCase("X.14.5", "compressed text that inflates to valid UTF-8 cut in the middle of its last code point", codes(1007),
		func(r *run) {
			z := compressParts(append(deflateText(1000, 5), 0xe2, 0x82))[0]
			r.write(rsv1Frames(hostile.OpText, z, 0)...)
		}))
	return []testCase{
		early,
		failFastZ("X.14.2", "compressed text in 3 fragments: valid, a code point over U+10FFFF, valid — fail at the 2nd fragment",
			kosme, []byte("\xf4\x90\x80\x80"), []byte("edited"), false),
		failFastZ("X.14.3", "compressed text in one frame sent in 3 chops: valid, a code point over U+10FFFF, valid — fail at the 2nd chop",
			kosme, []byte("\xf4\x90\x80\x80"), []byte("edited"), true),
		failFastZ("X.14.4", "compressed text in 3 fragments, the 1st ending with the lead octet 0xF4, the 2nd the invalid 0x90 — fail at the 2nd fragment",
			append(append([]byte(nil), kosme...), 0xf4), []byte{0x90}, []byte("\x80\x80edited"), false),
		truncated,
		straddle,
	}
}

// X.15: the examples of RFC 7692 §7.2.3, and messages that mix compressed
// and plain frames.
func rfc7692ExampleCases() []testCase {
	to := websocket.CompressionContextTakeover
	ex := func(id, desc string, answer string, send func(r *run), want ...ev) testCase {
		tc := echoCase(id, desc, send, want...)
		tc.opts = deflateOpts(to, nil)
		tc.accept = acceptDeflate(answer)
		tc.verify = wantExtensions(answer)
		return tc
	}
	z := func(op hostile.Opcode, fin bool, rsv byte, p ...byte) hostile.Frame {
		return hostile.Frame{Fin: fin, Rsv: rsv, Opcode: op, Payload: p}
	}
	r1 := hostile.RSV1
	hello := text("Hello")
	bfinal := []byte{0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00} // §7.2.3.4

	// X.15.9: a message whose data ends with a final block (BFINAL set),
	// then one that refers back past that block (context takeover).
	t := deflateText(600, 31)
	var b bytes.Buffer
	w, _ := flate.NewWriter(&b, 6)
	w.Write(t)
	w.Close()
	m1 := append(append([]byte(nil), b.Bytes()...), 0x00)
	b.Reset()
	wd, _ := flate.NewWriterDict(&b, 6, t)
	wd.Write(t)
	wd.Flush()
	m2 := append([]byte(nil), b.Bytes()[:b.Len()-4]...)

	bfinalFragmented := ex("X.15.6", "RFC 7692 §7.2.3.4's message (BFINAL set) in 2 fragments, its last octet alone in the second, then a text message",
		answerTakeover, sendFrames(z(hostile.OpText, false, r1, bfinal[:7]...), z(hostile.OpContinuation, true, 0, bfinal[7]), hostile.Text("after")),
		hello, text("after"))
	bfinalChopped := ex("X.15.7", "RFC 7692 §7.2.3.4's message (BFINAL set) in one frame whose last octet arrives 50 ms after the rest, then a text message",
		answerTakeover, func(r *run) {
			r.writeRaw(z(hostile.OpText, true, r1, bfinal...).Encode(), hostile.Chop(9), hostile.Delay(50*time.Millisecond))
			r.write(hostile.Text("after"))
		}, hello, text("after"))
	smuggled := ex("X.15.14", "a compressed frame whose payload holds, after a final block (BFINAL), the octets of a text frame, "+
		"which arrive 50 ms after the rest: they are payload, not a frame", answerTakeover, func(r *run) {
		inner := append(append([]byte(nil), bfinal[:7]...), hostile.Text("smuggled").Encode()...)
		r.writeRaw(z(hostile.OpText, true, r1, inner...).Encode(), hostile.Chop(9), hostile.Delay(50*time.Millisecond))
		r.write(hostile.Text("after"))
	}, hello, text("after"))

	return []testCase{
		ex("X.15.1", "RFC 7692 §7.2.3.1: \"Hello\" compressed, in one frame", answerNoTakeover,
			sendFrames(z(hostile.OpText, true, r1, helloZ...)), hello),
		ex("X.15.2", "RFC 7692 §7.2.3.1: \"Hello\" compressed, in 2 fragments", answerNoTakeover,
			sendFrames(z(hostile.OpText, false, r1, helloZ[:3]...), z(hostile.OpContinuation, true, 0, helloZ[3:]...)), hello),
		ex("X.15.3", "RFC 7692 §7.2.3.2: \"Hello\" twice with context takeover, the second as a reference to the first", answerTakeover,
			sendFrames(z(hostile.OpText, true, r1, helloZ...), z(hostile.OpText, true, r1, 0xf2, 0x00, 0x11, 0x00, 0x00)), hello, hello),
		ex("X.15.4", "RFC 7692 §7.2.3.3: \"Hello\" in a stored (uncompressed) DEFLATE block", answerTakeover,
			sendFrames(z(hostile.OpText, true, r1, 0x00, 0x05, 0x00, 0xfa, 0xff, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x00)), hello),
		ex("X.15.5", "RFC 7692 §7.2.3.4: \"Hello\" in a DEFLATE block with BFINAL set, in one frame, then a text message", answerTakeover,
			sendFrames(z(hostile.OpText, true, r1, bfinal...), hostile.Text("after")), hello, text("after")),
		bfinalFragmented,
		bfinalChopped,
		ex("X.15.8", "RFC 7692 §7.2.3.5: \"Hello\" in 2 DEFLATE blocks in one message", answerTakeover,
			sendFrames(z(hostile.OpText, true, r1, 0xf2, 0x48, 0x05, 0x00, 0x00, 0x00, 0xff, 0xff, 0xca, 0xc9, 0xc9, 0x07, 0x00)), hello),
		ex("X.15.9", "a message ending with a final block (BFINAL set) and a 0x00 octet, then one that refers back into it (context takeover)",
			answerTakeover, sendFrames(z(hostile.OpText, true, r1, m1...), z(hostile.OpText, true, r1, m2...)), textB(t), textB(t)),
		ex("X.15.10", "an empty message compressed (the payload 0x00)", answerTakeover,
			sendFrames(z(hostile.OpBinary, true, r1, 0x00)), binary([]byte{})),
		ex("X.15.11", "a compressed message whose first and last fragments are empty", answerTakeover,
			sendFrames(z(hostile.OpText, false, r1), z(hostile.OpContinuation, false, 0, helloZ...), z(hostile.OpContinuation, true, 0)), hello),
		ex("X.15.12", "compressed, plain and compressed messages in a row", answerNoTakeover,
			sendFrames(z(hostile.OpText, true, r1, helloZ...), hostile.Text("plain"), z(hostile.OpBinary, true, r1, helloZ...)),
			hello, text("plain"), binary([]byte("Hello"))),
		ex("X.15.13", "a ping between the fragments of a compressed message", answerTakeover,
			sendFrames(z(hostile.OpText, false, r1, helloZ[:2]...), hostile.Ping([]byte("in between")), z(hostile.OpContinuation, true, 0, helloZ[2:]...)),
			pongS("in between"), hello),
		ex("X.15.15", "context takeover: \"Hello\" compressed, a plain message, then RFC 7692 §7.2.3.2's reference to \"Hello\" "+
			"(uncompressed messages are not in the window)", answerTakeover,
			sendFrames(z(hostile.OpText, true, r1, helloZ...), hostile.Text("plain"), z(hostile.OpText, true, r1, 0xf2, 0x00, 0x11, 0x00, 0x00)),
			hello, text("plain"), hello),
		smuggled,
	}
}
