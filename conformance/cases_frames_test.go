package conformance_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/cangjie-go/ohos/internal/hostile"
	"github.com/cangjie-go/ohos/networkkit/websocket"
)

// Helpers to build server actions.

// sendFrames writes frames back to back in one write.
func sendFrames(frames ...hostile.Frame) func(r *run) {
	return func(r *run) { r.write(frames...) }
}

// sendChopped writes frames back to back in pieces of chop bytes, delay
// apart.
func sendChopped(chop int, delay time.Duration, frames ...hostile.Frame) func(r *run) {
	return func(r *run) { r.writeWith([]hostile.WriteOption{hostile.Chop(chop), hostile.Delay(delay)}, frames...) }
}

// sendPaced writes each frame in its own write, delay apart.
func sendPaced(delay time.Duration, frames ...hostile.Frame) func(r *run) {
	return func(r *run) {
		for i, f := range frames {
			if i > 0 {
				pause(r, delay)
			}
			r.write(f)
		}
	}
}

// pause paces the server's writes (it waits for nothing: the point is that
// the frames arrive apart).
func pause(r *run, d time.Duration) { r.c.Pause(d) }

// seq runs server actions in order.
func seq(steps ...func(r *run)) func(r *run) {
	return func(r *run) {
		for _, s := range steps {
			s(r)
		}
	}
}

// awaitEvents waits until the client has sent n messages or control frames.
func awaitEvents(n int) func(r *run) { return func(r *run) { r.awaitN(n) } }

func fragment(op hostile.Opcode, fin bool, p []byte) hostile.Frame {
	return hostile.Frame{Fin: fin, Opcode: op, Payload: p}
}

func frag(op hostile.Opcode, fin bool, s string) hostile.Frame { return fragment(op, fin, []byte(s)) }

func echoCase(id, desc string, send func(r *run), want ...ev) testCase {
	return testCase{id: id, desc: desc, kind: kindEcho, send: send, want: want}
}

func failCase(id, desc string, accepted []int, send func(r *run), want ...ev) testCase {
	return testCase{id: id, desc: desc, kind: kindFail, send: send, want: want, codes: accepted}
}

// oneChop marks a case whose offending frame arrives in the same write as a
// valid message before it: the message must reach the application, but the
// client may fail the connection before its echo is written (the contract
// §2.2.6: queued sends fail with the connection).
func oneChop(tc testCase, msg websocket.MessageData) testCase {
	tc.alts = append(tc.alts, alt{events: nil, verdict: verdictOK})
	tc.appMessages = []websocket.MessageData{msg}
	return tc
}

// 1.x: framing of text and binary messages.
func framingCases() []testCase {
	var cases []testCase
	sizes := []int{0, 125, 126, 127, 128, 65535, 65536}
	for i, n := range sizes {
		p := strings.Repeat("*", n)
		cases = append(cases, echoCase(fmt.Sprintf("1.1.%d", i+1),
			fmt.Sprintf("text message with payload of length %d", n), sendFrames(hostile.Text(p)), text(p)))
	}
	p := strings.Repeat("*", 65536)
	cases = append(cases, echoCase("1.1.8", "text message with payload of length 65536, sent in chops of 997 octets",
		sendChopped(997, 0, hostile.Text(p)), text(p)))
	for i, n := range sizes {
		b := repeat(0xfe, n)
		cases = append(cases, echoCase(fmt.Sprintf("1.2.%d", i+1),
			fmt.Sprintf("binary message with payload of length %d", n), sendFrames(hostile.Binary(b)), binary(b)))
	}
	b := repeat(0xfe, 65536)
	cases = append(cases, echoCase("1.2.8", "binary message with payload of length 65536, sent in chops of 997 octets",
		sendChopped(997, 0, hostile.Binary(b)), binary(b)))
	return cases
}

// 2.x: pings and pongs.
func pingCases() []testCase {
	bin := []byte{0x00, 0xff, 0xfe, 0xfd, 0xfc, 0xfb, 0x00, 0xff}
	p125 := repeat(0xfe, 125)
	var tenPings []hostile.Frame
	var tenPongs []ev
	for i := range 10 {
		p := fmt.Sprintf("payload-%d", i)
		tenPings = append(tenPings, hostile.Ping([]byte(p)))
		tenPongs = append(tenPongs, pongS(p))
	}
	return []testCase{
		echoCase("2.1", "ping without payload", sendFrames(hostile.Ping(nil)), pong(nil)),
		echoCase("2.2", "ping with small text payload", sendFrames(hostile.Ping([]byte("Hello, world!"))), pongS("Hello, world!")),
		echoCase("2.3", "ping with small binary (non UTF-8) payload", sendFrames(hostile.Ping(bin)), pong(bin)),
		echoCase("2.4", "ping with binary payload of 125 octets", sendFrames(hostile.Ping(p125)), pong(p125)),
		failCase("2.5", "ping with binary payload of 126 octets (over the control frame limit)", codes(1002),
			sendFrames(hostile.Ping(repeat(0xfe, 126)))),
		echoCase("2.6", "ping with binary payload of 125 octets, sent in octet-wise chops", sendChopped(1, time.Millisecond, hostile.Ping(p125)), pong(p125)),
		echoCase("2.7", "unsolicited pong without payload", sendFrames(hostile.Pong(nil))),
		echoCase("2.8", "unsolicited pong with payload", sendFrames(hostile.Pong([]byte("unsolicited pong payload")))),
		echoCase("2.9", "unsolicited pong with payload, then ping with payload",
			sendFrames(hostile.Pong([]byte("unsolicited pong payload")), hostile.Ping([]byte("ping payload"))), pongS("ping payload")),
		echoCase("2.10", "10 pings with payload", sendFrames(tenPings...), tenPongs...),
		echoCase("2.11", "10 pings with payload, sent in octet-wise chops", sendChopped(1, time.Millisecond, tenPings...), tenPongs...),
	}
}

// 3.x: reserved bits.
func reservedBitsCases() []testCase {
	const hello = "Hello, world!"
	withRsv := func(f hostile.Frame, rsv byte) hostile.Frame { f.Rsv = rsv; return f }
	ping := hostile.Ping(nil)
	return []testCase{
		failCase("3.1", "small text message with RSV = 1", codes(1002), sendFrames(withRsv(hostile.Text(hello), 4))),
		failCase("3.2", "small text message, then (after its echo) a text message with RSV = 2, then a ping", codes(1002),
			seq(sendFrames(hostile.Text(hello)), awaitEvents(1), sendFrames(withRsv(hostile.Text(hello), 2), ping)), text(hello)),
		oneChop(failCase("3.3", "small text message, a text message with RSV = 3 and a ping, all in one write", codes(1002),
			sendFrames(hostile.Text(hello), withRsv(hostile.Text(hello), 3), ping), text(hello)), websocket.StringData(hello)),
		failCase("3.4", "small text message, then (after its echo) a text message with RSV = 4 and a ping, in octet-wise chops", codes(1002),
			seq(sendChopped(1, time.Millisecond, hostile.Text(hello)), awaitEvents(1),
				sendChopped(1, time.Millisecond, withRsv(hostile.Text(hello), 4), ping)), text(hello)),
		failCase("3.5", "small binary message with RSV = 5", codes(1002), sendFrames(withRsv(hostile.Binary([]byte{0, 1, 2, 3}), 5))),
		failCase("3.6", "ping with RSV = 6", codes(1002), sendFrames(withRsv(hostile.Ping([]byte(hello)), 6))),
		failCase("3.7", "close with RSV = 7", codes(1002), sendFrames(withRsv(hostile.Close(1000, ""), 7))),
	}
}

// 4.x: reserved opcodes.
func opcodeCases() []testCase {
	const hello = "Hello, world!"
	op := func(o hostile.Opcode, p string) hostile.Frame {
		return hostile.Frame{Fin: true, Opcode: o, Payload: []byte(p)}
	}
	ping := hostile.Ping(nil)
	var cases []testCase
	for i, base := range []hostile.Opcode{3, 11} {
		g := fmt.Sprintf("4.%d", i+1)
		kind := "non-control"
		if base >= 8 {
			kind = "control"
		}
		cases = append(cases,
			failCase(g+".1", fmt.Sprintf("frame with reserved %s opcode %d", kind, base), codes(1002), sendFrames(op(base, ""))),
			failCase(g+".2", fmt.Sprintf("frame with reserved %s opcode %d and payload", kind, base+1), codes(1002),
				sendFrames(op(base+1, "reserved opcode payload"))),
			failCase(g+".3", fmt.Sprintf("small text message, then (after its echo) a frame with reserved %s opcode %d, then a ping", kind, base+2),
				codes(1002), seq(sendFrames(hostile.Text(hello)), awaitEvents(1), sendFrames(op(base+2, ""), ping)), text(hello)),
			oneChop(failCase(g+".4", fmt.Sprintf("small text message, a frame with reserved %s opcode %d and payload, and a ping, all in one write", kind, base+3),
				codes(1002), sendFrames(hostile.Text(hello), op(base+3, "reserved opcode payload"), ping), text(hello)), websocket.StringData(hello)),
			failCase(g+".5", fmt.Sprintf("small text message, then (after its echo) a frame with reserved %s opcode %d and payload and a ping, in octet-wise chops", kind, base+4),
				codes(1002), seq(sendChopped(1, time.Millisecond, hostile.Text(hello)), awaitEvents(1),
					sendChopped(1, time.Millisecond, op(base+4, "reserved opcode payload"), ping)), text(hello)),
		)
	}
	return cases
}

// 5.x: fragmentation.
func fragmentationCases() []testCase {
	const (
		f1 = "fragment1"
		f2 = "fragment2"
	)
	text2 := []hostile.Frame{frag(hostile.OpText, false, f1), frag(hostile.OpContinuation, true, f2)}
	pingP := hostile.Ping([]byte("ping payload"))
	withPing := []hostile.Frame{frag(hostile.OpText, false, f1), pingP, frag(hostile.OpContinuation, true, f2)}
	const delay = 10 * time.Millisecond
	contTrue := frag(hostile.OpContinuation, true, "non-continuation payload")
	contFalse := frag(hostile.OpContinuation, false, "non-continuation payload")
	hello := hostile.Text("Hello, world!")
	return []testCase{
		failCase("5.1", "ping in 2 fragments", codes(1002),
			sendFrames(frag(hostile.OpPing, false, "fragment1"), frag(hostile.OpContinuation, true, "fragment2"))),
		failCase("5.2", "pong in 2 fragments", codes(1002),
			sendFrames(frag(hostile.OpPong, false, "fragment1"), frag(hostile.OpContinuation, true, "fragment2"))),
		echoCase("5.3", "text message in 2 fragments", sendFrames(text2...), text(f1+f2)),
		echoCase("5.4", "text message in 2 fragments, sent apart", sendPaced(delay, text2...), text(f1+f2)),
		echoCase("5.5", "text message in 2 fragments, sent in octet-wise chops", sendChopped(1, time.Millisecond, text2...), text(f1+f2)),
		echoCase("5.6", "text message in 2 fragments with a ping in between", sendFrames(withPing...), pongS("ping payload"), text(f1+f2)),
		echoCase("5.7", "text message in 2 fragments with a ping in between, sent apart", sendPaced(delay, withPing...), pongS("ping payload"), text(f1+f2)),
		echoCase("5.8", "text message in 2 fragments with a ping in between, sent in octet-wise chops",
			sendChopped(1, time.Millisecond, withPing...), pongS("ping payload"), text(f1+f2)),
		failCase("5.9", "continuation frame with FIN = 1 and nothing to continue, then a text message", codes(1002),
			sendFrames(contTrue, hello)),
		failCase("5.10", "continuation frame with FIN = 1 and nothing to continue, then a text message, sent apart", codes(1002),
			sendPaced(delay, contTrue, hello)),
		failCase("5.11", "continuation frame with FIN = 1 and nothing to continue, then a text message, in octet-wise chops", codes(1002),
			sendChopped(1, time.Millisecond, contTrue, hello)),
		failCase("5.12", "continuation frame with FIN = 0 and nothing to continue, then a text message", codes(1002),
			sendFrames(contFalse, hello)),
		failCase("5.13", "continuation frame with FIN = 0 and nothing to continue, then a text message, sent apart", codes(1002),
			sendPaced(delay, contFalse, hello)),
		failCase("5.14", "continuation frame with FIN = 0 and nothing to continue, then a text message, in octet-wise chops", codes(1002),
			sendChopped(1, time.Millisecond, contFalse, hello)),
		oneChop(failCase("5.15", "text message in 2 fragments, then a continuation frame with FIN = 0 and nothing to continue, then a text message, all in one write",
			codes(1002), sendFrames(append(append([]hostile.Frame(nil), text2...),
				frag(hostile.OpContinuation, false, "fragment3"), frag(hostile.OpContinuation, true, "fragment4"))...),
			text(f1+f2)), websocket.StringData(f1+f2)),
		failCase("5.16", "twice: a continuation frame with FIN = 0 and nothing to continue, then a text message in 2 fragments", codes(1002),
			sendFrames(contFalse, text2[0], text2[1], contFalse, text2[0], text2[1])),
		failCase("5.17", "twice: a continuation frame with FIN = 1 and nothing to continue, then a text message in 2 fragments", codes(1002),
			sendFrames(contTrue, text2[0], text2[1], contTrue, text2[0], text2[1])),
		failCase("5.18", "text message in 2 fragments, both with opcode text", codes(1002),
			sendFrames(frag(hostile.OpText, false, f1), frag(hostile.OpText, true, f2))),
		echoCase("5.19", "text message in 5 fragments with pings: 2 fragments, ping, (its pong), 2 fragments, ping, last fragment",
			seq(sendFrames(frag(hostile.OpText, false, "fragment1"), frag(hostile.OpContinuation, false, "fragment2"),
				hostile.Ping([]byte("pongme 1!"))), awaitEvents(1),
				sendFrames(frag(hostile.OpContinuation, false, "fragment3"), frag(hostile.OpContinuation, false, "fragment4"),
					hostile.Ping([]byte("pongme 2!")), frag(hostile.OpContinuation, true, "fragment5"))),
			pongS("pongme 1!"), pongS("pongme 2!"), text("fragment1fragment2fragment3fragment4fragment5")),
		echoCase("5.20", "as 5.19, in octet-wise chops",
			seq(sendChopped(1, time.Millisecond, frag(hostile.OpText, false, "fragment1"), frag(hostile.OpContinuation, false, "fragment2"),
				hostile.Ping([]byte("pongme 1!"))), awaitEvents(1),
				sendChopped(1, time.Millisecond, frag(hostile.OpContinuation, false, "fragment3"), frag(hostile.OpContinuation, false, "fragment4"),
					hostile.Ping([]byte("pongme 2!")), frag(hostile.OpContinuation, true, "fragment5"))),
			pongS("pongme 1!"), pongS("pongme 2!"), text("fragment1fragment2fragment3fragment4fragment5")),
	}
}
