package conformance_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cangjie-go/ohos/callback"
	"github.com/cangjie-go/ohos/internal/hostile"
	"github.com/cangjie-go/ohos/networkkit/websocket"
)

// The verdicts must tell broken clients apart: these tests feed evaluate
// made-up observations of clients that do something wrong.

func closeEv(code int, reason string) *ev { return &ev{kind: evClose, code: code, reason: reason} }

// clientSaw builds the client side of an opened connection.
func clientSaw(closeCode uint32, reason string, errs ...*callback.BusinessException) *clientObs {
	o := &clientObs{seq: []string{"headerReceive", "open"}}
	for _, e := range errs {
		o.seq = append(o.seq, "error")
		o.errs = append(o.errs, e)
	}
	o.seq = append(o.seq, "close")
	o.closes = []websocket.CloseResult{{Code: closeCode, Reason: reason}}
	return o
}

func failedWith(cause error) *callback.BusinessException {
	return &callback.BusinessException{Code: 200, Message: "websocket: connection failed", Err: fmt.Errorf("%w: detail", cause)}
}

func TestVerdicts(t *testing.T) {
	echoTC := echoCase("v.1", "echo", nil, text("hi"))
	failTC := failCase("v.2", "fail", codes(1002), nil)
	chopTC := oneChop(failCase("v.3", "one chop", codes(1002), nil, text("hi")), websocket.StringData("hi"))
	prefixTC := echoCase("v.4", "prefix", nil, text("long message"), text("hi"))
	prefixTC.prefixOK = true
	protocolErr := failedWith(websocket.ErrProtocol)

	cleanEcho := func() *run {
		return &run{log: evs(text("hi")), serverClose: closeEv(1000, ""), clientClose: closeEv(1000, ""), eof: true}
	}
	cleanFail := func() *run { return &run{clientClose: closeEv(1002, "bad"), eof: true} }

	tests := []struct {
		name string
		tc   testCase
		r    *run
		o    *clientObs
		want verdict
	}{
		{"echo as expected", echoTC, cleanEcho(), clientSaw(1000, ""), verdictOK},
		{"echo missing", echoTC, func() *run { r := cleanEcho(); r.log = nil; return r }(), clientSaw(1000, ""), verdictFailed},
		{"echo changed", echoTC, func() *run { r := cleanEcho(); r.log = evs(text("ho")); return r }(), clientSaw(1000, ""), verdictFailed},
		{"echo as binary", echoTC, func() *run { r := cleanEcho(); r.log = evs(binary([]byte("hi"))); return r }(), clientSaw(1000, ""), verdictFailed},
		{"extra pong", echoTC, func() *run { r := cleanEcho(); r.log = evs(text("hi"), pong(nil)); return r }(), clientSaw(1000, ""), verdictFailed},
		{"close answered with another code", echoTC, func() *run { r := cleanEcho(); r.clientClose = closeEv(1001, ""); return r }(),
			clientSaw(1000, ""), verdictFailed},
		{"close not answered, TCP dropped", echoTC, func() *run { r := cleanEcho(); r.clientClose = nil; return r }(), clientSaw(1000, ""), verdictFailed},
		{"close not answered at all", echoTC, func() *run { r := cleanEcho(); r.clientClose, r.eof = nil, false; return r }(),
			clientSaw(1000, ""), verdictFailed},
		{"client closed first", echoTC, func() *run { r := cleanEcho(); r.serverClose = nil; return r }(), clientSaw(1000, ""), verdictFailed},
		{"error event on a clean close", echoTC, cleanEcho(), clientSaw(1000, "", protocolErr), verdictFailed},
		{"close event with the wrong code", echoTC, cleanEcho(), clientSaw(1006, "The link is down"), verdictFailed},
		{"no close event", echoTC, cleanEcho(), &clientObs{seq: []string{"headerReceive", "open"}}, verdictFailed},
		{"no open event", echoTC, cleanEcho(), &clientObs{seq: []string{"close"}, closes: []websocket.CloseResult{{Code: 1000}}}, verdictFailed},
		{"frames after the Close", echoTC, func() *run { r := cleanEcho(); r.after = evs(pongS("late")); return r }(), clientSaw(1000, ""), verdictFailed},
		{"a violation on the wire", echoTC, func() *run { r := cleanEcho(); r.violate("unmasked"); return r }(), clientSaw(1000, ""), verdictFailed},
		{"one mask key for every frame", echoTC, func() *run {
			r := cleanEcho()
			r.frames, r.maskSet = 3, map[[4]byte]struct{}{{1, 2, 3, 4}: {}}
			return r
		}(), clientSaw(1000, ""), verdictFailed},
		{"client hung", echoTC, cleanEcho(), func() *clientObs { o := clientSaw(1000, ""); o.hung = true; return o }(), verdictFailed},

		{"failed as expected", failTC, cleanFail(), clientSaw(1002, "bad", protocolErr), verdictOK},
		{"failed with the wrong code", failTC, func() *run { r := cleanFail(); r.clientClose = closeEv(1000, ""); return r }(),
			clientSaw(1000, "", protocolErr), verdictFailed},
		{"failed by dropping TCP", failTC, &run{eof: true}, clientSaw(1006, "The link is down", protocolErr), verdictNonStrict},
		{"failed late", failTC, func() *run { r := cleanFail(); r.late = true; return r }(), clientSaw(1002, "bad", protocolErr), verdictNonStrict},
		{"never failed", failTC, &run{timedOut: true}, clientSaw(1002, "bad", protocolErr), verdictFailed},
		{"failed without an error event", failTC, cleanFail(), clientSaw(1002, "bad"), verdictFailed},
		{"error event with the wrong cause", failTC, cleanFail(), clientSaw(1002, "bad", failedWith(websocket.ErrInvalidUTF8)), verdictFailed},
		{"error event with the wrong code", failTC, cleanFail(),
			clientSaw(1002, "bad", &callback.BusinessException{Code: 401, Err: websocket.ErrProtocol}), verdictFailed},
		{"close event not the code sent", failTC, cleanFail(), clientSaw(1000, "", protocolErr), verdictFailed},
		{"accepted a message it should have refused", failTC, func() *run { r := cleanFail(); r.log = evs(text("bad")); return r }(),
			clientSaw(1002, "bad", protocolErr), verdictFailed},

		{"one chop, echoed", chopTC, &run{log: evs(text("hi")), clientClose: closeEv(1002, ""), eof: true},
			func() *clientObs {
				o := clientSaw(1002, "", protocolErr)
				o.messages = []websocket.MessageData{websocket.StringData("hi")}
				return o
			}(), verdictOK},
		{"one chop, echo dropped", chopTC, &run{clientClose: closeEv(1002, ""), eof: true},
			func() *clientObs {
				o := clientSaw(1002, "", protocolErr)
				o.messages = []websocket.MessageData{websocket.StringData("hi")}
				return o
			}(), verdictOK},
		{"one chop, message never delivered", chopTC, &run{clientClose: closeEv(1002, ""), eof: true}, clientSaw(1002, "", protocolErr), verdictFailed},

		{"prefix: all echoed", prefixTC, &run{log: evs(text("long message"), text("hi")), serverClose: closeEv(1000, ""), clientClose: closeEv(1000, "")},
			clientSaw(1000, ""), verdictOK},
		{"prefix: cut short", prefixTC, &run{log: evs(ev{kind: evPartial, op: hostile.OpText, payload: []byte("long")}),
			serverClose: closeEv(1000, ""), clientClose: closeEv(1000, "")}, clientSaw(1000, ""), verdictOK},
		{"prefix: wrong bytes", prefixTC, &run{log: evs(ev{kind: evPartial, op: hostile.OpText, payload: []byte("lung")}),
			serverClose: closeEv(1000, ""), clientClose: closeEv(1000, "")}, clientSaw(1000, ""), verdictFailed},
		{"prefix: second message before the first", prefixTC, &run{log: evs(text("hi")),
			serverClose: closeEv(1000, ""), clientClose: closeEv(1000, "")}, clientSaw(1000, ""), verdictFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tc := tt.tc
			tt.r.tc = &tc
			res := evaluate(&tc, tt.r, tt.o, 1)
			assert.Equal(t, tt.want, res.verdict, "notes: %s", strings.Join(res.notes, "; "))
		})
	}
}

// TestFile checks how the server files what the client sends.
func TestFile(t *testing.T) {
	masked := func(f hostile.Frame, key byte) hostile.Frame {
		f.Masked, f.MaskKey = true, [4]byte{key, 2, 3, 4}
		return f
	}
	r := &run{}
	r.file(masked(frag(hostile.OpText, false, "frag"), 1), nil)
	r.file(masked(hostile.Ping([]byte("p")), 2), nil)
	r.file(masked(frag(hostile.OpContinuation, true, "ment"), 3), nil)
	r.file(masked(hostile.Binary(nil), 4), nil)
	r.file(masked(frag(hostile.OpBinary, false, "cut"), 5), nil)
	r.file(masked(hostile.Close(1000, "bye"), 6), nil)
	r.file(masked(hostile.Pong(nil), 7), nil)
	require.Empty(t, r.violations)
	assert.Equal(t, describeEvents(evs(ping("p"), text("fragment"), binary(nil), ev{kind: evPartial, op: hostile.OpBinary, payload: []byte("cut")})),
		describeEvents(r.log))
	assert.Equal(t, closeEv(1000, "bye").String(), r.clientClose.String())
	assert.Equal(t, describeEvents(evs(pong(nil))), describeEvents(r.after))
	assert.Len(t, r.maskSet, 7)

	for _, bad := range []struct {
		name string
		f    hostile.Frame
		err  error
	}{
		{"unmasked", hostile.Text("x"), hostile.ErrUnmasked},
		{"reserved bits", masked(hostile.Frame{Fin: true, Rsv: hostile.RSV2, Opcode: hostile.OpText}, 1), nil},
		{"reserved opcode", masked(hostile.Frame{Fin: true, Opcode: 5}, 1), nil},
		{"fragmented ping", masked(hostile.Frame{Opcode: hostile.OpPing}, 1), nil},
		{"continuation without a message", masked(frag(hostile.OpContinuation, true, "x"), 1), nil},
		{"invalid close code", masked(hostile.Close(1005+1, ""), 1), nil},
		{"1-byte close", masked(closeFrame([]byte{1}), 1), nil},
		{"invalid text", masked(fragment(hostile.OpText, true, []byte{0xff}), 1), nil},
	} {
		r := &run{}
		r.file(bad.f, bad.err)
		assert.NotEmpty(t, r.violations, bad.name)
	}
}

func ping(s string) ev { return ev{kind: evPing, payload: []byte(s)} }

// TestFailIndex checks the reference used for fail-fast cases.
func TestFailIndex(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want int
	}{
		{"hello", -1},
		{"\xce\xba\xe1\xbd\xb9", -1},
		{"ab\xce", 3},           // incomplete at the end only
		{"ab\x80cd", 2},         // stray continuation byte
		{"ab\xed\xa0\x80", 3},   // surrogate: the second byte rules it out
		{"\xf4\x90\x80\x80", 1}, // over U+10FFFF
		{"\xf4\x8f\xbf\xbf", -1},
		{"\xe0\x80\xaf", 1}, // overlong
		{"\xc0\xaf", 0},     // never a lead byte
		{"\xf8\x88\x80\x80\x80", 0},
		{"\xef\xbf\xbd", -1}, // U+FFFD itself is valid
	} {
		assert.Equal(t, tt.want, failIndex([]byte(tt.in)), "%x", tt.in)
	}
}
