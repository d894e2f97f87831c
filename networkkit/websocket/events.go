package websocket

import (
	"fmt"
	"log"
	"reflect"
	"runtime/debug"
	"sync"
	"unsafe"

	"github.com/cangjie-go/ohos/callback"
	"github.com/samber/mo"
)

// OnOffType names an event for On and Off (the platform's OnOffType). It is
// one of:
//
//	EventOpen           "open"
//	EventMessage        "message"
//	EventClose          "close"
//	EventError          "error"
//	EventDataEnd        "dataEnd"
//	EventHeaderReceive  "headerReceive"
type OnOffType interface {
	// String returns the platform's event name, for example "dataEnd".
	String() string
	eventIndex() eventIndex
}

// The six events. See the package documentation for when each fires and
// which callback type it takes.
type (
	EventOpen          struct{}
	EventMessage       struct{}
	EventClose         struct{}
	EventError         struct{}
	EventDataEnd       struct{}
	EventHeaderReceive struct{}
)

type eventIndex uint8

const (
	evOpen eventIndex = iota
	evMessage
	evClose
	evError
	evDataEnd
	evHeaderReceive
	numEvents
)

func (EventOpen) eventIndex() eventIndex          { return evOpen }
func (EventMessage) eventIndex() eventIndex       { return evMessage }
func (EventClose) eventIndex() eventIndex         { return evClose }
func (EventError) eventIndex() eventIndex         { return evError }
func (EventDataEnd) eventIndex() eventIndex       { return evDataEnd }
func (EventHeaderReceive) eventIndex() eventIndex { return evHeaderReceive }

func (EventOpen) String() string          { return "open" }
func (EventMessage) String() string       { return "message" }
func (EventClose) String() string         { return "close" }
func (EventError) String() string         { return "error" }
func (EventDataEnd) String() string       { return "dataEnd" }
func (EventHeaderReceive) String() string { return "headerReceive" }

// WebSocketAsyncCallback is the callback of the open, message and close
// events: exactly one of err and data is present (the events of this package
// always carry data). Any type with this Invoke method is one; a function
// becomes one with [WebSocketAsyncCallbackFunc].
type WebSocketAsyncCallback[T any] interface {
	Invoke(err mo.Option[callback.AsyncError], data mo.Option[T])
}

// WebSocketAsyncCallbackFunc adapts a function to [WebSocketAsyncCallback].
type WebSocketAsyncCallbackFunc[T any] func(err mo.Option[callback.AsyncError], data mo.Option[T])

// Invoke calls f(err, data).
func (f WebSocketAsyncCallbackFunc[T]) Invoke(err mo.Option[callback.AsyncError], data mo.Option[T]) {
	f(err, data)
}

// WebSocketErrorCallback is the callback of the error event. A function
// becomes one with [WebSocketErrorCallbackFunc].
type WebSocketErrorCallback interface {
	Invoke(err *callback.BusinessException)
}

// WebSocketErrorCallbackFunc adapts a function to [WebSocketErrorCallback].
type WebSocketErrorCallbackFunc func(err *callback.BusinessException)

// Invoke calls f(err).
func (f WebSocketErrorCallbackFunc) Invoke(err *callback.BusinessException) { f(err) }

// CloseResult is the payload of the close event: the close code and reason.
type CloseResult struct {
	Code   uint32
	Reason string
}

// The callback type each event takes.
type (
	openCallback    = WebSocketAsyncCallback[map[uint32]string]
	messageCallback = WebSocketAsyncCallback[MessageData]
	closeCallback   = WebSocketAsyncCallback[CloseResult]
	errorCallback   = WebSocketErrorCallback
	dataEndCallback = callback.Callback0Argument
	headerCallback  = callback.Callback1Argument[ResponseHeaders]
)

// wantType names the callback type of each event, for error messages.
var wantType = [numEvents]string{
	evOpen:          "WebSocketAsyncCallback[map[uint32]string]",
	evMessage:       "WebSocketAsyncCallback[MessageData]",
	evClose:         "WebSocketAsyncCallback[CloseResult]",
	evError:         "WebSocketErrorCallback",
	evDataEnd:       "callback.Callback0Argument",
	evHeaderReceive: "callback.Callback1Argument[ResponseHeaders]",
}

// fits reports whether cb has the callback type of event ev.
func fits(ev eventIndex, cb any) bool {
	var ok bool
	switch ev {
	case evOpen:
		_, ok = cb.(openCallback)
	case evMessage:
		_, ok = cb.(messageCallback)
	case evClose:
		_, ok = cb.(closeCallback)
	case evError:
		_, ok = cb.(errorCallback)
	case evDataEnd:
		_, ok = cb.(dataEndCallback)
	case evHeaderReceive:
		_, ok = cb.(headerCallback)
	}
	return ok
}

// listener is one registered callback and the key that identifies it.
type listener struct {
	cb  any
	key any
}

// listeners holds the callbacks of each event. Each slice is replaced, never
// changed in place, so dispatch reads it without copying.
type listeners struct {
	mu   sync.Mutex
	byEv [numEvents][]listener
}

// add registers cb for ev unless it is already there.
func (l *listeners) add(ev eventIndex, cb any) {
	key := identity(cb)
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, x := range l.byEv[ev] {
		if x.key == key {
			return
		}
	}
	next := make([]listener, len(l.byEv[ev]), len(l.byEv[ev])+1)
	copy(next, l.byEv[ev])
	l.byEv[ev] = append(next, listener{cb: cb, key: key})
}

// remove unregisters cb from ev, or every callback of ev if cb is nil.
func (l *listeners) remove(ev eventIndex, cb any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if cb == nil {
		l.byEv[ev] = nil
		return
	}
	key := identity(cb)
	for i, x := range l.byEv[ev] {
		if x.key == key {
			next := make([]listener, 0, len(l.byEv[ev])-1)
			next = append(next, l.byEv[ev][:i]...)
			l.byEv[ev] = append(next, l.byEv[ev][i+1:]...)
			return
		}
	}
}

// get returns the callbacks of ev; the caller must not modify the slice.
func (l *listeners) get(ev eventIndex) []listener {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.byEv[ev]
}

// refID identifies a callback by reference: its dynamic type and the
// pointer its interface value holds.
type refID struct {
	t reflect.Type
	p unsafe.Pointer
}

// identity returns the key that identifies cb for Off. Values of comparable
// dynamic types (pointers, empty structs, ...) are their own key. Function
// values, which Go cannot compare with ==, are identified by the closure
// they point to: the same function value registered twice is the same
// callback; two closures are two callbacks (a literal that captures nothing
// is one static closure). Other incomparable values are
// identified by the copy the interface holds, so only Off(ev, nil) removes
// them.
func identity(cb any) any {
	if reflect.ValueOf(cb).Comparable() {
		return cb
	}
	// An interface value is two words: its type and a pointer to (or, for
	// pointer-shaped types such as func, the value of) its data.
	words := (*[2]unsafe.Pointer)(unsafe.Pointer(&cb))
	return refID{t: reflect.TypeOf(cb), p: words[1]}
}

// isNilCallback reports whether cb is nil or a typed nil.
func isNilCallback(cb any) bool {
	if cb == nil {
		return true
	}
	v := reflect.ValueOf(cb)
	switch v.Kind() {
	case reflect.Pointer, reflect.Func, reflect.Map, reflect.Slice, reflect.Chan, reflect.Interface:
		return v.IsNil()
	}
	return false
}

// event is one item for the callback goroutine: an event to deliver, or the
// completion of a Connect, Send or Close call.
type event struct {
	ev      eventIndex
	done    callback.AsyncCallback[bool] // a completion when non-nil
	err     error                        // completion error, or the error event's exception
	msg     MessageData
	close   CloseResult
	open    map[uint32]string
	headers ResponseHeaders
}

// dispatcher runs callbacks one at a time, in the order they were queued, on
// one goroutine that exists only while there is work.
type dispatcher struct {
	mu      sync.Mutex
	queue   []event
	running bool
	l       listeners
}

// post queues e and starts the callback goroutine if it is not running.
func (d *dispatcher) post(e event) {
	d.mu.Lock()
	d.queue = append(d.queue, e)
	start := !d.running
	d.running = true
	d.mu.Unlock()
	if start {
		go d.run()
	}
}

func (d *dispatcher) run() {
	for {
		d.mu.Lock()
		if len(d.queue) == 0 {
			d.running = false
			if cap(d.queue) > 1 {
				d.queue = nil // a burst's storage is not kept by an idle object
			} else {
				d.queue = d.queue[:0]
			}
			d.mu.Unlock()
			return
		}
		e := d.queue[0]
		d.queue[0] = event{}
		d.queue = d.queue[1:]
		d.mu.Unlock()
		d.deliver(&e)
	}
}

// deliver runs the callbacks of one item.
func (d *dispatcher) deliver(e *event) {
	if e.done != nil {
		if e.err != nil {
			guard("completion", func() { e.done(mo.Some(callback.NewAsyncError(e.err)), mo.None[bool]()) })
		} else {
			guard("completion", func() { e.done(mo.None[callback.AsyncError](), mo.Some(true)) })
		}
		return
	}
	for _, x := range d.l.get(e.ev) {
		switch e.ev {
		case evOpen:
			guard("open", func() { x.cb.(openCallback).Invoke(mo.None[callback.AsyncError](), mo.Some(e.open)) })
		case evMessage:
			guard("message", func() { x.cb.(messageCallback).Invoke(mo.None[callback.AsyncError](), mo.Some(e.msg)) })
		case evClose:
			guard("close", func() { x.cb.(closeCallback).Invoke(mo.None[callback.AsyncError](), mo.Some(e.close)) })
		case evError:
			be := e.err.(*callback.BusinessException)
			guard("error", func() { x.cb.(errorCallback).Invoke(be) })
		case evDataEnd:
			guard("dataEnd", func() { x.cb.(dataEndCallback).Invoke() })
		case evHeaderReceive:
			guard("headerReceive", func() { x.cb.(headerCallback).Invoke(e.headers) })
		default:
			panic(fmt.Sprintf("websocket: unexpected event %d", e.ev))
		}
	}
	if e.ev == evMessage { // dataEnd follows every message, with nothing between
		d.deliver(&event{ev: evDataEnd})
	}
}

// guard runs a user callback. A panicking callback is logged with its stack
// and skipped, like a panicking net/http handler; the later callbacks and
// events run as usual.
func guard(what string, f func()) {
	defer func() {
		if r := recover(); r != nil {
			log.Printf("websocket: panic in %s callback: %v\n%s", what, r, debug.Stack())
		}
	}()
	f()
}
