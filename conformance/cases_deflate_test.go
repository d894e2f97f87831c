package conformance_test

import (
	"fmt"
	"sync"

	"github.com/cangjie-go/ohos/internal/hostile"
	"github.com/cangjie-go/ohos/networkkit/websocket"
)

// Compression (permessage-deflate, RFC 7692): the compressed messages of
// Autobahn's client cases 12.x (sizes and fragmentations) and 13.x (every
// parameter combination a server may answer).
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

// wantExtensions checks that Extensions() shows the server's answer.
func wantExtensions(answer string) func(r *run, o *clientObs, res *result) {
	return func(r *run, o *clientObs, res *result) {
		if o.connectErr == nil && o.extensions != answer {
			res.fail("Extensions() = %q, want the server's answer %q", o.extensions, answer)
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
	for _, group := range [][]testCase{compressedEchoCases(), parameterCases()} {
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
