// Package wstest turns the callbacks of a [websocket.WebSocket] into one
// ordered channel of events, so that tests wait on a channel under a
// deadline instead of sleeping, and holds the few helpers the tests of
// several packages share. It is not part of the library.
//
//	ws := wstest.NewWS(t)
//	r := wstest.NewRecorder(t, ws)
//	r.Open(t, url, nil)             // headerReceive, connect, open
//	r.Echo(t, "hello")              // SendContext, then message and dataEnd
//	e := r.Shut(t)                  // Close: its callback, then close
package wstest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/samber/mo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cangjie-go/ohos/callback"
	"github.com/cangjie-go/ohos/networkkit/websocket"
)

// Timeout bounds every wait of the package for something that must happen.
const Timeout = 5 * time.Second

// Event is one thing a Recorder saw: an event ("headerReceive", "open",
// "message", "dataEnd", "error", "close"), the completion of a Connect,
// Send or Close call (under the kind given to [Recorder.Done]), or whatever
// a test's own callback pushes. A callback invoked with arguments of the
// wrong shape has the kind "…(malformed)".
type Event struct {
	Kind    string
	Headers websocket.ResponseHeaders // headerReceive
	Status  map[uint32]string         // open
	Msg     websocket.MessageData     // message
	Close   websocket.CloseResult     // close
	Err     error                     // error event (*callback.BusinessException); completions (callback.AsyncError)
	OK      bool                      // completions: Some(true)
}

// String describes the event for test output.
func (e Event) String() string {
	switch {
	case e.Err != nil:
		return fmt.Sprintf("%s(%v)", e.Kind, e.Err)
	case e.Msg != nil:
		return fmt.Sprintf("%s(%T %q)", e.Kind, e.Msg, e.Msg.String())
	case e.Kind == "close":
		return fmt.Sprintf("close(%d %q)", e.Close.Code, e.Close.Reason)
	}
	return e.Kind
}

// Recorder turns the callbacks of one WebSocket into a single ordered
// stream of Events. Every callback of an object runs on its callback
// goroutine, one at a time, so the stream has the order in which the
// callbacks ran.
type Recorder struct {
	// WS is the recorded object.
	WS *websocket.WebSocket
	ch chan Event
}

// NewRecorder returns a Recorder of ws with its six event callbacks
// registered.
func NewRecorder(t testing.TB, ws *websocket.WebSocket) *Recorder {
	t.Helper()
	r := Detached(ws)
	r.Attach(t)
	return r
}

// Detached returns a Recorder of ws whose event callbacks are not yet
// registered, so that a test can register its own callbacks first; see
// [Recorder.Attach].
func Detached(ws *websocket.WebSocket) *Recorder {
	// Large enough that no callback ever blocks on it.
	return &Recorder{WS: ws, ch: make(chan Event, 1<<14)}
}

// Push adds e to the stream; a test's own callbacks use it to mark where
// they ran.
func (r *Recorder) Push(e Event) { r.ch <- e }

// C returns the stream, for a test that selects on it together with other
// channels.
func (r *Recorder) C() <-chan Event { return r.ch }

// eventKind marks an event callback invocation that does not carry exactly
// the data (and no error).
func eventKind(kind string, err mo.Option[callback.AsyncError], hasData bool) string {
	if err.IsPresent() || !hasData {
		return kind + "(malformed)"
	}
	return kind
}

// Attach registers the recorder's callbacks for all six events.
func (r *Recorder) Attach(t testing.TB) {
	t.Helper()
	ws := r.WS
	require.NoError(t, ws.On(websocket.EventHeaderReceive{}, callback.Callback1Func[websocket.ResponseHeaders](func(h websocket.ResponseHeaders) {
		r.Push(Event{Kind: "headerReceive", Headers: h})
	})))
	require.NoError(t, ws.On(websocket.EventOpen{}, websocket.WebSocketAsyncCallbackFunc[map[uint32]string](
		func(err mo.Option[callback.AsyncError], data mo.Option[map[uint32]string]) {
			r.Push(Event{Kind: eventKind("open", err, data.IsPresent()), Status: data.OrEmpty()})
		})))
	require.NoError(t, ws.On(websocket.EventMessage{}, websocket.WebSocketAsyncCallbackFunc[websocket.MessageData](
		func(err mo.Option[callback.AsyncError], data mo.Option[websocket.MessageData]) {
			r.Push(Event{Kind: eventKind("message", err, data.IsPresent()), Msg: data.OrEmpty()})
		})))
	require.NoError(t, ws.On(websocket.EventDataEnd{}, callback.Callback0Func(func() {
		r.Push(Event{Kind: "dataEnd"})
	})))
	require.NoError(t, ws.On(websocket.EventClose{}, websocket.WebSocketAsyncCallbackFunc[websocket.CloseResult](
		func(err mo.Option[callback.AsyncError], data mo.Option[websocket.CloseResult]) {
			r.Push(Event{Kind: eventKind("close", err, data.IsPresent()), Close: data.OrEmpty()})
		})))
	require.NoError(t, ws.On(websocket.EventError{}, websocket.WebSocketErrorCallbackFunc(func(e *callback.BusinessException) {
		ev := Event{Kind: "error", Err: e}
		if e == nil {
			ev = Event{Kind: "error(malformed)"}
		}
		r.Push(ev)
	})))
}

// Done returns a completion callback for Connect, Send or Close that
// records its outcome as an Event of the given kind.
func (r *Recorder) Done(kind string) callback.AsyncCallback[bool] {
	return func(err mo.Option[callback.AsyncError], data mo.Option[bool]) {
		e := Event{Kind: kind}
		ae, hasErr := err.Get()
		ok, hasData := data.Get()
		switch {
		case hasErr && !hasData:
			e.Err = ae
		case !hasErr && hasData && ok:
			e.OK = true
		default:
			e.Kind += "(malformed)"
		}
		r.Push(e)
	}
}

// Next returns the next Event, failing the test after [Timeout].
func (r *Recorder) Next(t testing.TB) Event {
	t.Helper()
	select {
	case e := <-r.ch:
		return e
	case <-time.After(Timeout):
		require.FailNow(t, "no event within "+Timeout.String())
		return Event{}
	}
}

// Expect returns the next len(kinds) Events and fails the test at the
// first one that is not of the expected kind.
func (r *Recorder) Expect(t testing.TB, kinds ...string) []Event {
	t.Helper()
	got := make([]Event, 0, len(kinds))
	for i, k := range kinds {
		e := r.Next(t)
		got = append(got, e)
		require.Equal(t, k, e.Kind, "event %d: want sequence %v, got %v so far", i, kinds, got)
	}
	return got
}

// ExpectSet returns the next len(kinds) Events, which must be of the given
// kinds in any order, by kind.
func (r *Recorder) ExpectSet(t testing.TB, kinds ...string) map[string]Event {
	t.Helper()
	got := make([]Event, 0, len(kinds))
	names := make([]string, 0, len(kinds))
	for range kinds {
		e := r.Next(t)
		got = append(got, e)
		names = append(names, e.Kind)
	}
	require.ElementsMatch(t, kinds, names, "events: %v", got)
	byKind := make(map[string]Event, len(got))
	for _, e := range got {
		byKind[e.Kind] = e
	}
	return byKind
}

// WaitFor skips Events until one satisfies pred and returns it, failing
// the test after [Timeout].
func (r *Recorder) WaitFor(t testing.TB, what string, pred func(Event) bool) Event {
	t.Helper()
	deadline := time.After(Timeout)
	var skipped []Event
	for {
		select {
		case e := <-r.ch:
			if pred(e) {
				return e
			}
			skipped = append(skipped, e)
		case <-deadline:
			require.FailNow(t, "timed out waiting for "+what, "saw instead: %v", skipped)
		}
	}
}

// Quiet asserts that no Event arrives for d: a wait for absence.
func (r *Recorder) Quiet(t testing.TB, d time.Duration) {
	t.Helper()
	select {
	case e := <-r.ch:
		assert.Fail(t, "unexpected event", "%v", e)
	case <-time.After(d):
	}
}

// Open connects with the callback face and checks the opening events.
func (r *Recorder) Open(t testing.TB, url string, opts *websocket.RequestOptions) []Event {
	t.Helper()
	r.WS.Connect(url, r.Done("connect"), opts)
	evs := r.Expect(t, "headerReceive", "connect", "open")
	require.True(t, evs[1].OK, "connect: %v", evs[1])
	return evs
}

// Shut closes with the callback face and returns the close event.
func (r *Recorder) Shut(t testing.TB) Event {
	t.Helper()
	r.WS.Close(r.Done("closecb"), nil)
	evs := r.Expect(t, "closecb", "close")
	require.True(t, evs[0].OK, "close callback: %v", evs[0])
	return evs[1]
}

// Echo sends text with the blocking face and waits for its echo.
func (r *Recorder) Echo(t testing.TB, text string) {
	t.Helper()
	require.NoError(t, r.WS.SendContext(Ctx(t), websocket.StringData(text)))
	evs := r.Expect(t, "message", "dataEnd")
	require.Equal(t, websocket.MessageData(websocket.StringData(text)), evs[0].Msg)
}

// NewWS returns a WebSocket that is closed (and its connection ended) when
// the test ends, whatever state the test left it in.
func NewWS(t testing.TB) *websocket.WebSocket {
	ws := websocket.CreateWebSocket()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), Timeout)
		defer cancel()
		_ = ws.CloseContext(ctx, nil)
	})
	return ws
}

// Ctx returns a context that ends after [Timeout], or with the test.
func Ctx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), Timeout)
	t.Cleanup(cancel)
	return ctx
}

// RefusedURL returns a ws URL on a loopback port nobody listens on.
func RefusedURL(t testing.TB) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return "ws://" + addr + "/"
}

// AssertCode checks that err carries code both ways the package promises:
// errors.Is with the code, and errors.As to *callback.BusinessException
// (and, for a completion's error, callback.AsyncError) with that code and
// a message that starts with "websocket: ".
func AssertCode(t testing.TB, err error, want websocket.ErrorCode) bool {
	t.Helper()
	if !assert.Error(t, err, "want error %d", want) {
		return false
	}
	ok := assert.ErrorIs(t, err, want)
	var be *callback.BusinessException
	if assert.ErrorAs(t, err, &be) {
		ok = assert.Equal(t, int32(want), be.Code, "BusinessException.Code of %v", err) && ok
		ok = assert.True(t, strings.HasPrefix(be.Error(), "websocket: "), "message %q", be.Error()) && ok
	} else {
		ok = false
	}
	var ae callback.AsyncError
	if errors.As(err, &ae) {
		ok = assert.Equal(t, int32(want), ae.Code, "AsyncError.Code of %v", err) && ok
	}
	return ok
}

// LogBuffer is a bytes.Buffer that a logger (slog, or the log package) and
// the test may use at once.
type LogBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *LogBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns what was written so far.
func (b *LogBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
