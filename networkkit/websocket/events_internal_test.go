package websocket

// White-box tests of events.go: event × callback-type acceptance, callback
// identity, the listener lists and the dispatcher.

import (
	"bytes"
	"fmt"
	"log"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/samber/mo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cangjie-go/ohos/callback"
)

var allEvents = []OnOffType{EventOpen{}, EventMessage{}, EventClose{}, EventError{}, EventDataEnd{}, EventHeaderReceive{}, EventOpenInfo{}, EventReconnect{}}

func TestEventNames(t *testing.T) {
	tests := []struct {
		ev   OnOffType
		name string
		idx  eventIndex
	}{
		{EventOpen{}, "open", evOpen},
		{EventMessage{}, "message", evMessage},
		{EventClose{}, "close", evClose},
		{EventError{}, "error", evError},
		{EventDataEnd{}, "dataEnd", evDataEnd},
		{EventHeaderReceive{}, "headerReceive", evHeaderReceive},
		{EventOpenInfo{}, "openInfo", evOpenInfo},
		{EventReconnect{}, "reconnect", evReconnect},
	}
	require.Len(t, tests, int(numEvents))
	seen := map[eventIndex]bool{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.name, tt.ev.String())
			assert.Equal(t, tt.name, fmt.Sprint(tt.ev))
			assert.Equal(t, tt.idx, tt.ev.eventIndex())
			assert.False(t, seen[tt.idx], "index used twice")
			seen[tt.idx] = true
			assert.NotEmpty(t, wantType[tt.idx])
		})
	}
}

// Callback types that are not function adapters.
type (
	openStruct    struct{ id int }
	errorStruct   struct{ id int }
	dataEndStruct struct{ id int }
)

func (*openStruct) Invoke(mo.Option[callback.AsyncError], mo.Option[map[uint32]string]) {}
func (*errorStruct) Invoke(*callback.BusinessException)                                 {}
func (dataEndStruct) Invoke()                                                           {}

// callbackKinds is one value of each kind the acceptance table checks, with
// the event it fits ("" for none).
func callbackKinds() []struct {
	name string
	cb   any
	fits OnOffType
} {
	return []struct {
		name string
		cb   any
		fits OnOffType
	}{
		{"open func", WebSocketAsyncCallbackFunc[map[uint32]string](func(mo.Option[callback.AsyncError], mo.Option[map[uint32]string]) {}), EventOpen{}},
		{"message func", WebSocketAsyncCallbackFunc[MessageData](func(mo.Option[callback.AsyncError], mo.Option[MessageData]) {}), EventMessage{}},
		{"close func", WebSocketAsyncCallbackFunc[CloseResult](func(mo.Option[callback.AsyncError], mo.Option[CloseResult]) {}), EventClose{}},
		{"error func", WebSocketErrorCallbackFunc(func(*callback.BusinessException) {}), EventError{}},
		{"dataEnd func", callback.Callback0Func(func() {}), EventDataEnd{}},
		{"headerReceive func", callback.Callback1Func[ResponseHeaders](func(ResponseHeaders) {}), EventHeaderReceive{}},
		{"openInfo func", WebSocketAsyncCallbackFunc[OpenInfo](func(mo.Option[callback.AsyncError], mo.Option[OpenInfo]) {}), EventOpenInfo{}},
		{"openInfo Data", Data(func(OpenInfo) {}), EventOpenInfo{}},
		{"open pointer", &openStruct{}, EventOpen{}},
		{"error pointer", &errorStruct{}, EventError{}},
		{"dataEnd value", dataEndStruct{}, EventDataEnd{}},
		{"dataEnd pointer", &dataEndStruct{}, EventDataEnd{}},
		{"close as Callback2Func", callback.Callback2Func[mo.Option[callback.AsyncError], mo.Option[CloseResult]](
			func(mo.Option[callback.AsyncError], mo.Option[CloseResult]) {}), EventClose{}},

		{"async func of string", WebSocketAsyncCallbackFunc[string](func(mo.Option[callback.AsyncError], mo.Option[string]) {}), nil},
		{"async func of map[string]string", WebSocketAsyncCallbackFunc[map[string]string](func(mo.Option[callback.AsyncError], mo.Option[map[string]string]) {}), nil},
		{"header func of MapData", callback.Callback1Func[MapData](func(MapData) {}), nil},
		{"Callback1Func of error", callback.Callback1Func[error](func(error) {}), nil},
		{"AsyncCallback (no Invoke)", callback.AsyncCallback[bool](func(mo.Option[callback.AsyncError], mo.Option[bool]) {}), nil},
		{"plain func()", func() {}, nil},
		{"plain error func", func(*callback.BusinessException) {}, nil},
		{"string", "callback", nil},
		{"int", 1, nil},
		{"open value (pointer method)", openStruct{}, nil},
	}
}

func TestFits(t *testing.T) {
	for _, k := range callbackKinds() {
		for _, ev := range allEvents {
			t.Run(k.name+"/"+ev.String(), func(t *testing.T) {
				want := k.fits != nil && k.fits == ev
				assert.Equal(t, want, fits(ev.eventIndex(), k.cb))
			})
		}
	}
	assert.False(t, fits(numEvents, callback.Callback0Func(func() {})), "no event beyond the seven")
}

func TestOnOffAcceptance(t *testing.T) {
	for _, k := range callbackKinds() {
		for _, ev := range allEvents {
			t.Run(k.name+"/"+ev.String(), func(t *testing.T) {
				var ws WebSocket
				err := ws.On(ev, k.cb)
				if k.fits != nil && k.fits == ev {
					require.NoError(t, err)
					for _, other := range allEvents {
						want := 0
						if other == ev {
							want = 1
						}
						assert.Len(t, ws.events.l.get(other.eventIndex()), want, "listeners of %s", other)
					}
					require.NoError(t, ws.Off(ev, k.cb))
				} else {
					assertCode(t, err, ErrParameter)
					assert.Contains(t, err.Error(), ev.String())
					assert.Contains(t, err.Error(), wantType[ev.eventIndex()], "the message names the type that fits")
					assertCode(t, ws.Off(ev, k.cb), ErrParameter)
				}
				for _, other := range allEvents {
					assert.Empty(t, ws.events.l.get(other.eventIndex()), "listeners of %s", other)
				}
			})
		}
	}
}

func TestOnOffNil(t *testing.T) {
	var ws WebSocket
	cb := callback.Callback0Func(func() {})
	assertCode(t, ws.On(nil, cb), ErrParameter)
	assertCode(t, ws.Off(nil, cb), ErrParameter)
	assertCode(t, ws.On(EventDataEnd{}, nil), ErrParameter)
	assertCode(t, ws.On(EventDataEnd{}, callback.Callback0Func(nil)), ErrParameter)
	assertCode(t, ws.On(EventError{}, (*errorStruct)(nil)), ErrParameter)
	assertCode(t, ws.OnDataEnd(nil), ErrParameter)

	// Off with nil removes every callback of that event only.
	require.NoError(t, ws.On(EventDataEnd{}, cb))
	require.NoError(t, ws.On(EventDataEnd{}, dataEndStruct{id: 1}))
	require.NoError(t, ws.On(EventError{}, &errorStruct{}))
	require.NoError(t, ws.Off(EventDataEnd{}, nil))
	assert.Empty(t, ws.events.l.get(evDataEnd))
	assert.Len(t, ws.events.l.get(evError), 1)
	require.NoError(t, ws.OffError(nil))
	assert.Empty(t, ws.events.l.get(evError))
}

//go:noinline
func nonCapturingLiteral() callback.Callback0Func { return func() {} }

func TestIdentity(t *testing.T) {
	n := 0
	capturing := func() callback.Callback0Func { return func() { n++ } }
	f := callback.Callback0Func(func() { n++ })
	g := callback.Callback0Func(func() { n++ })
	p1, p2 := &openStruct{id: 1}, &openStruct{id: 1}
	var boxed any = struct{ f func() }{f: func() { n++ }}

	tests := []struct {
		name string
		a, b any
		same bool
	}{
		{"same pointer", p1, p1, true},
		{"two pointers to equal values", p1, p2, false},
		{"same func value", f, f, true},
		{"same func value, converted twice", any(f), any(f), true},
		{"two func literals", f, g, false},
		{"capturing literal evaluated twice", capturing(), capturing(), false},
		{"equal comparable struct values", dataEndStruct{id: 1}, dataEndStruct{id: 1}, true},
		{"different comparable struct values", dataEndStruct{id: 1}, dataEndStruct{id: 2}, false},
		{"same value, different types", dataEndStruct{id: 1}, openStruct{id: 1}, false},
		{"incomparable value, same interface value", boxed, boxed, true},
		{"incomparable values, two interface values", struct{ f func() }{f: func() { n++ }}, struct{ f func() }{f: func() { n++ }}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ka, kb := identity(tt.a), identity(tt.b)
			assert.NotPanics(t, func() { _ = ka == kb })
			assert.Equal(t, tt.same, ka == kb)
		})
	}
}

func TestIdentityNonCapturingLiteral(t *testing.T) {
	// The doc of Off: a literal that captures nothing is one function
	// wherever it is evaluated, so it is one callback.
	a, b := nonCapturingLiteral(), nonCapturingLiteral()
	assert.Equal(t, identity(a), identity(b))
}

func TestIsNilCallback(t *testing.T) {
	tests := []struct {
		name string
		cb   any
		want bool
	}{
		{"nil", nil, true},
		{"typed nil pointer", (*openStruct)(nil), true},
		{"typed nil func", callback.Callback0Func(nil), true},
		{"typed nil async func", WebSocketAsyncCallbackFunc[CloseResult](nil), true},
		{"typed nil error func", WebSocketErrorCallbackFunc(nil), true},
		{"typed nil map", map[string]int(nil), true},
		{"typed nil slice", []int(nil), true},
		{"typed nil chan", (chan int)(nil), true},
		{"non-nil pointer", &openStruct{}, false},
		{"non-nil func", callback.Callback0Func(func() {}), false},
		{"struct value", dataEndStruct{}, false},
		{"zero int", 0, false},
		{"empty string", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, isNilCallback(tt.cb))
		})
	}
}

func keysOf(ls []listener) []any {
	out := make([]any, len(ls))
	for i, x := range ls {
		out[i] = x.cb
	}
	return out
}

func TestListeners(t *testing.T) {
	a, b, c, d := &errorStruct{1}, &errorStruct{2}, &errorStruct{3}, &errorStruct{4}
	var l listeners

	l.add(evError, a)
	l.add(evError, b)
	l.add(evError, a) // again: kept once, in its first place
	l.add(evError, c)
	assert.Equal(t, []any{a, b, c}, keysOf(l.get(evError)))
	assert.Empty(t, l.get(evOpen), "other events untouched")

	snapshot := l.get(evError)
	l.add(evError, d)
	l.remove(evError, b)
	assert.Equal(t, []any{a, b, c}, keysOf(snapshot), "a slice from get is not changed by later add or remove")
	assert.Equal(t, []any{a, c, d}, keysOf(l.get(evError)))

	l.remove(evError, &errorStruct{1}) // equal value, other pointer: not registered
	assert.Equal(t, []any{a, c, d}, keysOf(l.get(evError)))

	l.remove(evError, d)
	l.remove(evError, a)
	assert.Equal(t, []any{c}, keysOf(l.get(evError)))

	l.add(evDataEnd, dataEndStruct{1})
	l.remove(evError, nil)
	assert.Empty(t, l.get(evError))
	assert.Len(t, l.get(evDataEnd), 1, "remove(nil) clears one event only")

	l.remove(evError, a) // from an empty list: nothing happens
	assert.Empty(t, l.get(evError))
}

func TestListenersFuncIdentity(t *testing.T) {
	n := 0
	f := callback.Callback0Func(func() { n++ })
	g := callback.Callback0Func(func() { n += 2 })
	var l listeners
	l.add(evDataEnd, f)
	l.add(evDataEnd, f)
	l.add(evDataEnd, g)
	require.Len(t, l.get(evDataEnd), 2)
	l.remove(evDataEnd, f)
	ls := l.get(evDataEnd)
	require.Len(t, ls, 1)
	ls[0].cb.(callback.Callback0Argument).Invoke()
	assert.Equal(t, 2, n, "the remaining callback is g")

	// Comparable values are equal by value.
	l.add(evDataEnd, dataEndStruct{7})
	l.remove(evDataEnd, dataEndStruct{7})
	assert.Len(t, l.get(evDataEnd), 1)
}

func TestListenersConcurrent(t *testing.T) {
	var l listeners
	var wg sync.WaitGroup
	cbs := make([]*errorStruct, 32)
	for i := range cbs {
		cbs[i] = &errorStruct{i}
	}
	for _, cb := range cbs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l.add(evError, cb)
			_ = l.get(evError)
		}()
	}
	wg.Wait()
	assert.Len(t, l.get(evError), len(cbs))
	for _, cb := range cbs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l.remove(evError, cb)
		}()
	}
	wg.Wait()
	assert.Empty(t, l.get(evError))
}

// waitFor waits for ch to be closed or to deliver, under waitTimeout.
func waitFor(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(waitTimeout):
		t.Fatalf("timed out waiting for %s", what)
	}
}

func TestDispatcherOrderAndExclusion(t *testing.T) {
	const producers, perProducer = 8, 200
	var d dispatcher
	var running, overlaps, total atomic.Int32
	got := make([][]int, producers) // written by callbacks only, which run one at a time
	done := make(chan struct{})

	var wg sync.WaitGroup
	for p := range producers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perProducer {
				d.post(event{done: func(mo.Option[callback.AsyncError], mo.Option[bool]) {
					if running.Add(1) != 1 {
						overlaps.Add(1)
					}
					got[p] = append(got[p], i)
					runtime.Gosched()
					running.Add(-1)
					if total.Add(1) == producers*perProducer {
						close(done)
					}
				}})
			}
		}()
	}
	wg.Wait()
	waitFor(t, done, "every callback")

	assert.Zero(t, overlaps.Load(), "callbacks ran at the same time")
	for p := range producers {
		want := make([]int, perProducer)
		for i := range want {
			want[i] = i
		}
		assert.Equal(t, want, got[p], "callbacks of producer %d out of order", p)
	}
}

func TestDispatcherCompletion(t *testing.T) {
	var d dispatcher
	type result struct {
		err  mo.Option[callback.AsyncError]
		data mo.Option[bool]
	}
	results := make(chan result, 2)
	cb := func(err mo.Option[callback.AsyncError], data mo.Option[bool]) { results <- result{err, data} }

	d.post(event{done: cb})
	cause := newError(ErrConnectionNotExist, nil, "x")
	d.post(event{done: cb, err: cause})

	r := <-results
	assert.True(t, r.err.IsAbsent())
	assert.Equal(t, mo.Some(true), r.data)

	r = <-results
	require.True(t, r.err.IsPresent())
	assert.Equal(t, int32(ErrConnectionNotExist), r.err.MustGet().Code)
	assert.Same(t, cause, r.err.MustGet().Err)
	assert.True(t, r.data.IsAbsent())
}

func TestDispatcherDeliversPayloads(t *testing.T) {
	var d dispatcher
	var mu sync.Mutex
	var got []string
	record := func(s string) { mu.Lock(); got = append(got, s); mu.Unlock() }
	done := make(chan struct{})

	be := newError(ErrConnectionFailed, nil, "boom")
	d.l.add(evHeaderReceive, callback.Callback1Func[ResponseHeaders](func(h ResponseHeaders) { record("headers " + h.String()) }))
	d.l.add(evOpen, WebSocketAsyncCallbackFunc[map[uint32]string](func(err mo.Option[callback.AsyncError], data mo.Option[map[uint32]string]) {
		record(fmt.Sprintf("open %v %v", err.IsPresent(), data.MustGet()))
	}))
	d.l.add(evMessage, WebSocketAsyncCallbackFunc[MessageData](func(err mo.Option[callback.AsyncError], data mo.Option[MessageData]) {
		record(fmt.Sprintf("message %v %T %s", err.IsPresent(), data.MustGet(), data.MustGet()))
	}))
	d.l.add(evDataEnd, callback.Callback0Func(func() { record("dataEnd") }))
	d.l.add(evError, WebSocketErrorCallbackFunc(func(e *callback.BusinessException) {
		if e == be {
			record("error " + e.Error())
		}
	}))
	d.l.add(evClose, WebSocketAsyncCallbackFunc[CloseResult](func(err mo.Option[callback.AsyncError], data mo.Option[CloseResult]) {
		record(fmt.Sprintf("close %v %+v", err.IsPresent(), data.MustGet()))
		close(done)
	}))
	d.l.add(evOpenInfo, WebSocketAsyncCallbackFunc[OpenInfo](func(err mo.Option[callback.AsyncError], data mo.Option[OpenInfo]) {
		record(fmt.Sprintf("openInfo %v %+v", err.IsPresent(), data.MustGet()))
	}))

	d.post(event{ev: evHeaderReceive, data: MapData{"upgrade": "websocket"}})
	d.post(event{ev: evOpen, data: map[uint32]string{101: "Switching Protocols"}})
	d.post(event{ev: evOpenInfo, data: OpenInfo{Status: 101, Message: "Switching Protocols", Protocol: "chat"}})
	d.post(event{ev: evMessage, msg: StringData("hi")})
	d.post(event{ev: evMessage, msg: ArrayData{1, 2}})
	d.post(event{ev: evDataEnd})
	d.post(event{ev: evError, err: be})
	d.post(event{ev: evClose, data: CloseResult{Code: 1000, Reason: "bye"}})
	waitFor(t, done, "the close event")

	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, []string{
		"headers {upgrade: websocket}",
		"open false map[101:Switching Protocols]",
		"openInfo false {Status:101 Message:Switching Protocols Protocol:chat}",
		"message false websocket.StringData hi",
		"dataEnd",
		"message false websocket.ArrayData [1, 2]",
		"dataEnd",
		"dataEnd",
		"error websocket: connection failed: boom",
		"close false {Code:1000 Reason:bye}",
	}, got)
}

func TestDispatcherListenersInRegistrationOrder(t *testing.T) {
	var d dispatcher
	var got []int
	done := make(chan struct{})
	for i := range 5 {
		d.l.add(evDataEnd, callback.Callback0Func(func() { got = append(got, i) }))
	}
	d.post(event{ev: evDataEnd})
	d.post(event{done: func(mo.Option[callback.AsyncError], mo.Option[bool]) { close(done) }})
	waitFor(t, done, "the completion")
	assert.Equal(t, []int{0, 1, 2, 3, 4}, got)
}

// lockedBuffer is a bytes.Buffer safe for the log package and the test.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

func TestDispatcherRecoversPanics(t *testing.T) {
	var buf lockedBuffer
	prev := log.Writer()
	log.SetOutput(&buf)
	t.Cleanup(func() { log.SetOutput(prev) })

	var d dispatcher
	var ran []string
	done := make(chan struct{})
	d.l.add(evDataEnd, callback.Callback0Func(func() { panic("boom in listener") }))
	d.l.add(evDataEnd, callback.Callback0Func(func() { ran = append(ran, "second listener") }))
	d.l.add(evMessage, WebSocketAsyncCallbackFunc[MessageData](func(mo.Option[callback.AsyncError], mo.Option[MessageData]) {
		panic("boom in message")
	}))

	d.post(event{ev: evDataEnd})
	d.post(event{done: func(mo.Option[callback.AsyncError], mo.Option[bool]) { panic("boom in completion") }})
	d.post(event{ev: evMessage, msg: StringData("x")}) // its dataEnd still follows
	d.post(event{done: func(mo.Option[callback.AsyncError], mo.Option[bool]) {
		ran = append(ran, "last completion")
		close(done)
	}})
	waitFor(t, done, "the last completion")

	assert.Equal(t, []string{"second listener", "second listener", "last completion"}, ran)
	out := buf.String()
	assert.Contains(t, out, "panic in")
	assert.Contains(t, out, "panic in dataEnd callback: boom in listener")
	assert.Contains(t, out, "panic in completion callback: boom in completion")
	assert.Contains(t, out, "panic in message callback: boom in message")
	assert.Contains(t, out, "goroutine ", "the log holds the stack")
}

func TestDispatcherGoroutineEnds(t *testing.T) {
	var d dispatcher
	for round := range 3 {
		done := make(chan struct{})
		d.post(event{done: func(mo.Option[callback.AsyncError], mo.Option[bool]) { close(done) }})
		waitFor(t, done, "round "+strconv.Itoa(round))
		// The goroutine stops when the queue is empty; goleak in TestMain
		// checks that it does, and a later post starts a new one.
	}
	require.Eventually(t, func() bool {
		d.mu.Lock()
		defer d.mu.Unlock()
		return !d.running && d.queue.len() == 0
	}, waitTimeout, time.Millisecond)
}
