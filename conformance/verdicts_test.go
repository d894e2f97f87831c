package conformance_test

// Verdicts: what a case's observations mean, in Autobahn's vocabulary.

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cangjie-go/ohos/callback"
	"github.com/cangjie-go/ohos/internal/hostile"
	"github.com/cangjie-go/ohos/networkkit/websocket"
)

// verdict is a case's outcome, in Autobahn's vocabulary.
type verdict int

const (
	verdictOK        verdict = iota // behaviour exactly as expected
	verdictNonStrict                // acceptable, but not strict
	verdictFailed                   // wrong
)

func (v verdict) String() string {
	switch v {
	case verdictOK:
		return "OK"
	case verdictNonStrict:
		return "NON-STRICT"
	}
	return "FAILED"
}

// result is a case's verdict and the findings behind it.
type result struct {
	tc      *testCase
	verdict verdict
	notes   []string
	seen    string // what was observed, for the report
	dur     time.Duration
}

func (res *result) fail(format string, args ...any) {
	res.verdict = verdictFailed
	res.notes = append(res.notes, "FAILED: "+fmt.Sprintf(format, args...))
}

func (res *result) nonStrict(format string, args ...any) {
	res.verdict = max(res.verdict, verdictNonStrict)
	res.notes = append(res.notes, "NON-STRICT: "+fmt.Sprintf(format, args...))
}

// evaluate judges a case.
func evaluate(tc *testCase, r *run, o *clientObs, accepted int) *result {
	res := &result{tc: tc}
	seq, msgs, errs, closes := o.snapshot()
	res.seen = observed(r, o)
	if accepted == 0 {
		res.fail("the client never connected (connect: %v)", o.connectErr)
		return res
	}
	if accepted > 1 {
		res.fail("the client opened %d connections", accepted)
	}
	for _, v := range r.violations {
		res.fail("%s", v)
	}
	if r.frames >= 3 && len(r.maskSet) == 1 {
		res.fail("the client used the same mask key for all %d frames", r.frames)
	}
	if o.hung {
		res.fail("the client reported no close event by the case's deadline")
	}
	if tc.kind != kindCustom {
		if o.connectErr != nil {
			res.fail("connect failed: %v", o.connectErr)
			return res
		}
		checkOpened(res, seq)
		checkEvents(tc, r, res)
		if len(r.after) > 0 {
			res.fail("the client sent %s after its Close", describeEvents(r.after))
		}
		if r.late {
			res.nonStrict("the client failed only once the rest of the message was sent, not at the first octet that broke the rule (an invalid byte, the size limit)")
		}
		switch tc.kind {
		case kindEcho:
			checkEchoClose(r, res, errs, closes)
		case kindFail:
			checkFailClose(tc, r, res, errs, closes)
		}
		if tc.appMessages != nil && !sameMessages(msgs, tc.appMessages) {
			res.fail("the message event delivered %s, want %s", describeMessages(msgs), describeMessages(tc.appMessages))
		}
	}
	if tc.verify != nil {
		tc.verify(r, o, res)
	}
	return res
}

// checkOpened checks the client's event order for a connection that
// opened: headerReceive, open, messages, [error], close — once each.
func checkOpened(res *result, seq []string) {
	if len(seq) < 2 || seq[0] != "headerReceive" || seq[1] != "open" {
		res.fail("events %v do not start with headerReceive, open", seq)
		return
	}
	for i, name := range seq[2:] {
		i += 2
		switch name {
		case "message":
		case "error":
			if i != len(seq)-2 || seq[len(seq)-1] != "close" {
				res.fail("events %v: error is not right before close", seq)
			}
		case "close":
			if i != len(seq)-1 {
				res.fail("events %v: something after close", seq)
			}
		default:
			res.fail("events %v: unexpected %s", seq, name)
		}
	}
}

// checkEvents matches the client's frames before its Close with want and
// alts.
func checkEvents(tc *testCase, r *run, res *result) {
	got := r.log
	if eventsMatch(got, tc.want, tc.anyOrder) {
		return
	}
	for _, a := range tc.alts {
		if eventsMatch(got, a.events, false) {
			if a.verdict == verdictNonStrict {
				res.nonStrict("%s", a.note)
			}
			return
		}
	}
	if tc.prefixOK && isPrefix(got, tc.want) {
		return
	}
	res.fail("the client sent %s before its Close, want %s", describeEvents(got), describeEvents(tc.want))
}

func eventsMatch(got, want []ev, anyOrder bool) bool {
	if len(got) != len(want) {
		return false
	}
	if !anyOrder {
		for i := range got {
			if !got[i].equal(want[i]) {
				return false
			}
		}
		return true
	}
	used := make([]bool, len(want))
next:
	for _, g := range got {
		for j, w := range want {
			if !used[j] && g.equal(w) {
				used[j] = true
				continue next
			}
		}
		return false
	}
	return true
}

// isPrefix reports whether got is a prefix of want, whose last message may
// have been cut short.
func isPrefix(got, want []ev) bool {
	if len(got) > len(want) {
		return false
	}
	for i, g := range got {
		w := want[i]
		if g.kind == evPartial && i == len(got)-1 {
			k := evText
			if g.op == hostile.OpBinary {
				k = evBinary
			}
			if w.kind != k || !bytes.HasPrefix(w.payload, g.payload) {
				return false
			}
			continue
		}
		if !g.equal(w) {
			return false
		}
	}
	return true
}

// checkEchoClose checks the closing of a kindEcho case: the server closed,
// the client must answer and report the server's code and reason.
func checkEchoClose(r *run, res *result, errs []*callback.BusinessException, closes []websocket.CloseResult) {
	sc := r.serverClose
	switch {
	case sc == nil && r.clientClose != nil:
		res.fail("the client closed with %s before the server closed", r.clientClose)
		return
	case sc == nil && r.eof:
		res.fail("the client dropped the TCP connection")
		return
	case sc == nil:
		res.fail("the server never got to close (the client did not send what was expected)")
		return
	case r.clientClose == nil && r.eof:
		res.fail("the client dropped TCP without answering the server's Close")
	case r.clientClose == nil:
		res.fail("the client did not answer the server's Close within %v", caseTimeout)
	default:
		want := []int{1000, sc.code}
		if !slices.Contains(want, r.clientClose.code) {
			res.fail("the client answered the server's %s with %s, want code %v", sc, r.clientClose, want)
		}
	}
	for _, e := range errs {
		res.fail("error event after a clean close: %v", e)
	}
	if len(closes) != 1 {
		res.fail("%d close events, want 1", len(closes))
		return
	}
	if got := closes[0]; int(got.Code) != sc.code || got.Reason != sc.reason {
		res.fail("close event {%d %q}, want the server's {%d %q}", got.Code, got.Reason, sc.code, sc.reason)
	}
}

// checkFailClose checks the closing of a kindFail case: the client must
// fail the connection with one of the codes.
func checkFailClose(tc *testCase, r *run, res *result, errs []*callback.BusinessException, closes []websocket.CloseResult) {
	switch {
	case r.clientClose != nil:
		if !slices.Contains(tc.codes, r.clientClose.code) {
			res.fail("the client closed with %s, want code %v", r.clientClose, tc.codes)
		}
	case r.eof:
		res.nonStrict("the client dropped TCP without a Close frame (want code %v)", tc.codes)
	default:
		res.fail("the client neither closed nor dropped the connection within %v (want close code %v)", caseTimeout, tc.codes)
	}
	if len(errs) != 1 {
		res.fail("%d error events, want 1", len(errs))
	} else {
		e := errs[0]
		if !errors.Is(e, websocket.ErrConnectionFailed) {
			res.fail("error event code %d, want 200: %v", e.Code, e)
		}
		if r.clientClose != nil {
			if cause := causeFor(r.clientClose.code); cause != nil && !errors.Is(e, cause) {
				res.fail("error event %q does not wrap %q", e, cause)
			}
		}
	}
	if len(closes) != 1 {
		res.fail("%d close events, want 1", len(closes))
		return
	}
	if r.clientClose != nil && int(closes[0].Code) != r.clientClose.code {
		res.fail("close event code %d, but the client sent %s", closes[0].Code, r.clientClose)
	}
	if r.clientClose == nil && r.eof {
		res.nonStrict("close event {%d %q} after failing without a Close frame", closes[0].Code, closes[0].Reason)
	}
}

// causeFor is the cause the error event must wrap when the client failed
// the connection with code.
func causeFor(code int) error {
	switch code {
	case 1002:
		return websocket.ErrProtocol
	case 1007:
		return websocket.ErrInvalidUTF8
	case 1009:
		return websocket.ErrMessageTooBig
	}
	return nil
}

func sameMessages(got, want []websocket.MessageData) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		switch w := want[i].(type) {
		case websocket.StringData:
			if g, ok := got[i].(websocket.StringData); !ok || g != w {
				return false
			}
		case websocket.ArrayData:
			if g, ok := got[i].(websocket.ArrayData); !ok || !bytes.Equal(g, w) {
				return false
			}
		}
	}
	return true
}

func describeMessages(list []websocket.MessageData) string {
	s := make([]string, len(list))
	for i, m := range list {
		switch m := m.(type) {
		case websocket.StringData:
			s[i] = "text " + hostile.Describe([]byte(m))
		case websocket.ArrayData:
			s[i] = "binary " + hostile.Describe(m)
		}
	}
	return "[" + strings.Join(s, ", ") + "]"
}

// observed summarises what happened, for the report of a case that is not
// OK.
func observed(r *run, o *clientObs) string {
	seq, msgs, errs, closes := o.snapshot()
	var b strings.Builder
	fmt.Fprintf(&b, "wire: client sent %s", describeEvents(r.log))
	switch {
	case r.clientClose != nil:
		fmt.Fprintf(&b, ", then %s", r.clientClose)
	case r.eof:
		b.WriteString(", then dropped TCP without a Close")
	case r.timedOut:
		b.WriteString(", then nothing until the deadline")
	}
	if r.serverClose != nil {
		fmt.Fprintf(&b, "; server sent %s", r.serverClose)
	}
	if len(r.after) > 0 {
		fmt.Fprintf(&b, "; after its Close: %s", describeEvents(r.after))
	}
	fmt.Fprintf(&b, " | client: events %v", seq)
	if o.connectErr != nil {
		fmt.Fprintf(&b, ", connect error %q after %v", o.connectErr, o.connectDur.Round(time.Millisecond))
	}
	if len(msgs) > 0 {
		fmt.Fprintf(&b, ", messages %s", describeMessages(msgs))
	}
	for _, e := range errs {
		fmt.Fprintf(&b, ", error %q", e)
	}
	for _, c := range closes {
		fmt.Fprintf(&b, ", close {%d %q}", c.Code, c.Reason)
	}
	o.mu.Lock()
	sendErrs := slices.Clone(o.sendErrs)
	o.mu.Unlock()
	for _, e := range sendErrs {
		fmt.Fprintf(&b, ", echo failed: %q", e)
	}
	if o.closeErr != nil || o.closeDur > 0 {
		fmt.Fprintf(&b, ", CloseContext %v after %v", o.closeErr, o.closeDur.Round(time.Millisecond))
	}
	for _, s := range r.info {
		b.WriteString("; " + s)
	}
	return b.String()
}
