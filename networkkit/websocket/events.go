package websocket

import (
	"fmt"
	"log/slog"
	"reflect"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"
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
//	EventOpenInfo       "openInfo"
//	EventReconnect      "reconnect" (Go only: see ReconnectPolicy)
type OnOffType interface {
	// String returns the platform's event name, for example "dataEnd".
	String() string
	eventIndex() eventIndex
}

// The events. See the package documentation for when each fires and which
// callback type it takes. EventReconnect is not the platform's: it reports
// the attempts of RequestOptions.Reconnect.
type (
	EventOpen          struct{}
	EventMessage       struct{}
	EventClose         struct{}
	EventError         struct{}
	EventDataEnd       struct{}
	EventHeaderReceive struct{}
	EventOpenInfo      struct{}
	EventReconnect     struct{}
)

type eventIndex uint8

const (
	evOpen eventIndex = iota
	evMessage
	evClose
	evError
	evDataEnd
	evHeaderReceive
	evOpenInfo
	evReconnect
	numEvents
)

func (EventOpen) eventIndex() eventIndex          { return evOpen }
func (EventMessage) eventIndex() eventIndex       { return evMessage }
func (EventClose) eventIndex() eventIndex         { return evClose }
func (EventError) eventIndex() eventIndex         { return evError }
func (EventDataEnd) eventIndex() eventIndex       { return evDataEnd }
func (EventHeaderReceive) eventIndex() eventIndex { return evHeaderReceive }
func (EventOpenInfo) eventIndex() eventIndex      { return evOpenInfo }
func (EventReconnect) eventIndex() eventIndex     { return evReconnect }

// eventOf returns the event typ names. A non-nil pointer to one of the
// event types names the same event; a nil pointer, or another type that has
// the methods by embedding one of them, names none (ok false).
func eventOf(typ OnOffType) (ev eventIndex, ok bool) {
	switch t := typ.(type) {
	case EventOpen, EventMessage, EventClose, EventError, EventDataEnd, EventHeaderReceive, EventOpenInfo, EventReconnect:
		return t.eventIndex(), true
	case *EventOpen:
		return evOpen, t != nil
	case *EventMessage:
		return evMessage, t != nil
	case *EventClose:
		return evClose, t != nil
	case *EventError:
		return evError, t != nil
	case *EventDataEnd:
		return evDataEnd, t != nil
	case *EventHeaderReceive:
		return evHeaderReceive, t != nil
	case *EventOpenInfo:
		return evOpenInfo, t != nil
	case *EventReconnect:
		return evReconnect, t != nil
	}
	return 0, false
}

// eventName is the platform's name of each event.
var eventName = [numEvents]string{
	evOpen: "open", evMessage: "message", evClose: "close", evError: "error",
	evDataEnd: "dataEnd", evHeaderReceive: "headerReceive", evOpenInfo: "openInfo", evReconnect: "reconnect",
}

func (EventOpen) String() string          { return eventName[evOpen] }
func (EventMessage) String() string       { return eventName[evMessage] }
func (EventClose) String() string         { return eventName[evClose] }
func (EventError) String() string         { return eventName[evError] }
func (EventDataEnd) String() string       { return eventName[evDataEnd] }
func (EventHeaderReceive) String() string { return eventName[evHeaderReceive] }
func (EventOpenInfo) String() string      { return eventName[evOpenInfo] }
func (EventReconnect) String() string     { return eventName[evReconnect] }

// WebSocketAsyncCallback is the callback of the open, openInfo, message and
// close events: exactly one of err and data is present (the events of this package
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

// Data adapts a function of the payload alone to the callback of the open,
// openInfo, message or close event, whose error argument is always absent:
//
//	ws.OnMessage(websocket.Data(func(m websocket.MessageData) { fmt.Println(m) }))
//	ws.OnOpenInfo(websocket.Data(func(i websocket.OpenInfo) { fmt.Println(i.Protocol) }))
//	ws.OnClose(websocket.Data(func(r websocket.CloseResult) { ... }))
//
// Each call returns a new callback; keep the value to unregister it with
// Off (or OffMessage, ...). Data(nil) returns nil, which On refuses.
func Data[T any](f func(T)) WebSocketAsyncCallback[T] {
	if f == nil {
		return nil
	}
	return &dataCallback[T]{f: f}
}

// dataCallback is the callback Data returns; being a pointer, it is its own
// identity for Off.
type dataCallback[T any] struct{ f func(T) }

// Invoke calls the function with the data; an invocation without data
// (which this package never makes) is ignored.
func (c *dataCallback[T]) Invoke(_ mo.Option[callback.AsyncError], data mo.Option[T]) {
	if d, ok := data.Get(); ok {
		c.f(d)
	}
}

// Done adapts a function of the outcome alone to the completion callback
// of Connect, Send and Close:
//
//	ws.Send(websocket.StringData("hi"), websocket.Done(func(err error) {
//		if err != nil { ... } // a *callback.BusinessException: errors.Is(err, websocket.ErrConnectionNotExist), ...
//	}))
//
// err is nil on success. Done(nil) returns nil, which the methods refuse
// (the error event reports 401).
func Done(f func(err error)) callback.AsyncCallback[bool] {
	if f == nil {
		return nil
	}
	return func(e mo.Option[callback.AsyncError], _ mo.Option[bool]) {
		ae, failed := e.Get()
		switch {
		case !failed:
			f(nil)
		case ae.Err != nil:
			f(ae.Err)
		default:
			f(ae)
		}
	}
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

// OpenInfo is the payload of the openInfo event (the platform's
// WebSocketOpenInfo, API 26): the handshake's answer, as the open event
// reports it, and the subprotocol the server chose.
type OpenInfo struct {
	// Status is the HTTP status of the answer: 101. It is a uint32 like the
	// status key of the open event's map.
	Status uint32
	// Message is the reason phrase of the status line, for example
	// "Switching Protocols"; "" if the server sent none.
	Message string
	// Protocol is the Sec-WebSocket-Protocol the server chose; "" if none
	// (the platform then omits the property).
	Protocol string
}

// The callback type each event takes.
type (
	openCallback      = WebSocketAsyncCallback[map[uint32]string]
	messageCallback   = WebSocketAsyncCallback[MessageData]
	closeCallback     = WebSocketAsyncCallback[CloseResult]
	errorCallback     = WebSocketErrorCallback
	dataEndCallback   = callback.Callback0Argument
	headerCallback    = callback.Callback1Argument[ResponseHeaders]
	reconnectCallback = WebSocketAsyncCallback[Reconnect]
	openInfoCallback  = WebSocketAsyncCallback[OpenInfo]
)

// wantType names the callback type of each event, for error messages.
var wantType = [numEvents]string{
	evOpen:          "WebSocketAsyncCallback[map[uint32]string]",
	evMessage:       "WebSocketAsyncCallback[MessageData]",
	evClose:         "WebSocketAsyncCallback[CloseResult]",
	evError:         "WebSocketErrorCallback",
	evDataEnd:       "callback.Callback0Argument",
	evHeaderReceive: "callback.Callback1Argument[ResponseHeaders]",
	evOpenInfo:      "WebSocketAsyncCallback[OpenInfo]",
	evReconnect:     "WebSocketAsyncCallback[Reconnect]",
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
	case evOpenInfo:
		_, ok = cb.(openInfoCallback)
	case evReconnect:
		_, ok = cb.(reconnectCallback)
	}
	return ok
}

// listener is one registered callback and the key that identifies it.
type listener struct {
	cb  any
	key any
}

// listeners holds the callbacks of each event. Each list is replaced,
// never changed in place, so that dispatch reads it without a lock.
type listeners struct {
	mu   sync.Mutex // serialises add and remove
	byEv [numEvents]atomic.Pointer[[]listener]
}

// add registers cb for ev unless it is already there.
func (l *listeners) add(ev eventIndex, cb any) {
	key := identity(cb)
	l.mu.Lock()
	defer l.mu.Unlock()
	old := l.get(ev)
	for _, x := range old {
		if x.key == key {
			return
		}
	}
	next := append(slices.Clip(old), listener{cb: cb, key: key})
	l.byEv[ev].Store(&next)
}

// remove unregisters cb from ev, or every callback of ev if cb is nil.
func (l *listeners) remove(ev eventIndex, cb any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if cb == nil {
		l.byEv[ev].Store(nil)
		return
	}
	key := identity(cb)
	old := l.get(ev)
	for i, x := range old {
		if x.key == key {
			next := slices.Delete(slices.Clone(old), i, i+1)
			l.byEv[ev].Store(&next)
			return
		}
	}
}

// get returns the callbacks of ev; the caller must not modify the slice.
func (l *listeners) get(ev eventIndex) []listener {
	if p := l.byEv[ev].Load(); p != nil {
		return *p
	}
	return nil
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

// event is one item for the callbacks: an event to deliver, or the
// completion of a Connect, Send or Close call.
type event struct {
	ev   eventIndex
	done callback.AsyncCallback[bool] // a completion when non-nil
	err  error                        // completion error, or the error event's exception
	msg  MessageData
	size int64 // a queued message's bytes, counted against the receive bound
	// The payload of the other events: map[uint32]string (open),
	// OpenInfo (openInfo), CloseResult (close), ResponseHeaders
	// (headerReceive), Reconnect (reconnect). One field keeps the queue's
	// entries small.
	data any
}

// dispatcher runs the callbacks of one WebSocket one at a time, in the
// order their events were posted. Whoever holds the role (running) runs
// them: a goroutine of the dispatcher's own, started by post when nobody
// runs callbacks, or an engine goroutine that takes the role to run them
// itself (runHere, offer): the reader, the dialer, finish.
type dispatcher struct {
	mu      sync.Mutex
	queue   fifo[event]
	running bool          // a goroutine holds the role
	msgs    int           // messages in queue and inbox
	bytes   int64         // their bytes
	space   chan struct{} // made by a reader that waits for room; closed when a message is taken

	// Messages that found no message listener wait in inbox for
	// ReceiveContext (receive.go).
	inbox     fifo[inboxMsg]
	receivers int           // ReceiveContext calls waiting
	arrived   chan struct{} // capacity 1, made on first use: wakes a waiting receiver

	log atomic.Pointer[connLog] // where recovered panics are logged: the most recent Connect\'s

	// The role holder's own: the event being delivered, its listeners and
	// the next one to run, so that a goroutine taking over after
	// runtime.Goexit in a callback carries on with the next callback.
	cur  event
	ls   []listener
	next int
	busy bool // cur is being delivered

	l listeners
}

// post queues e and starts a goroutine to run the callbacks if nobody runs
// them.
func (d *dispatcher) post(e event) {
	d.mu.Lock()
	d.queue.push(e)
	if d.running {
		d.mu.Unlock()
		return
	}
	d.running = true
	d.mu.Unlock()
	go d.run(-1)
}

// pushClaim queues e and, if nobody runs the callbacks, gives the role to
// the caller, which must then call run(-1) once it holds no lock. Callers
// hold ws.mu, so that the events of one connection are queued before the
// object can start its next one.
func (d *dispatcher) pushClaim(e event) (claimed bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.queue.push(e)
	if d.running {
		return false
	}
	d.running = true
	return true
}

// taken accounts for a message taken from the queue or the inbox, and
// releases a reader that waits for room; d.mu must be held.
func (d *dispatcher) taken(size int64) {
	d.msgs--
	d.bytes -= size
	if d.space != nil {
		close(d.space)
		d.space = nil
	}
}

// wake releases a reader that waits for room in the queue (see offer).
func (d *dispatcher) wake() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.space != nil {
		close(d.space)
		d.space = nil
	}
}

// offerResult says what became of a received message; see offer.
type offerResult uint8

const (
	offerRunHere offerResult = iota // the caller holds the role and must call deliver
	offerQueued                     // queued for the role holder
	offerFull                       // queued, and the queue reached a bound: wait on space
	offerDropped                    // the queue was full and drop was set
)

// offer hands a received message to the message and dataEnd listeners or,
// if none is registered, to ReceiveContext. If nobody runs callbacks (so nothing is
// queued), the caller takes the role, to run the listeners itself.
// Otherwise the message is queued (or put in the inbox); when the queue and
// the inbox then hold maxMsgs messages or at least maxBytes bytes, offer
// returns offerFull and the channel that is closed when a message is taken.
// With drop, a message that finds them at a bound is discarded instead.
func (d *dispatcher) offer(e event, maxMsgs int, maxBytes int64, drop bool) (offerResult, <-chan struct{}) {
	toListeners := len(d.l.get(evMessage)) > 0 || len(d.l.get(evDataEnd)) > 0
	d.mu.Lock()
	defer d.mu.Unlock()
	if toListeners && !d.running {
		d.running = true
		d.cur, d.ls, d.next, d.busy = e, nil, 0, true
		return offerRunHere, nil
	}
	full := func() bool { return d.msgs >= maxMsgs || d.bytes >= maxBytes }
	if drop && full() {
		return offerDropped, nil
	}
	if toListeners {
		d.queue.push(e)
	} else {
		d.inbox.push(inboxMsg{msg: e.msg, size: e.size})
		d.signal()
	}
	d.msgs++
	d.bytes += e.size
	if !full() {
		return offerQueued, nil
	}
	if d.space == nil {
		d.space = make(chan struct{})
	}
	return offerFull, d.space
}

// run holds the role: it delivers the current event, then queued events
// until the queue is empty (or, with limit >= 0, until limit more have
// run: then a goroutine of its own takes the role over), and gives the
// role up. If a callback ends its goroutine with runtime.Goexit, a new
// goroutine carries on with the next callback.
func (d *dispatcher) run(limit int) {
	goexit := true
	defer func() {
		if goexit {
			go d.run(-1)
		}
	}()
	for {
		if d.busy {
			d.deliver()
		}
		d.mu.Lock()
		if limit == 0 && d.queue.len() > 0 {
			d.mu.Unlock()
			goexit = false
			go d.run(-1)
			return
		}
		e, ok := d.queue.pop()
		if !ok {
			d.running = false
			d.mu.Unlock()
			goexit = false
			return
		}
		limit--
		if e.ev == evMessage && e.done == nil {
			d.taken(e.size)
		}
		d.cur, d.ls, d.next, d.busy = e, nil, 0, true
		d.mu.Unlock()
	}
}

// deliver runs the callbacks of the current event, from the next one on.
func (d *dispatcher) deliver() {
	e := &d.cur
	if e.done != nil {
		d.busy = false
		done, err := e.done, e.err
		d.cur = event{}
		if err != nil {
			d.guard("completion", func() { done(mo.Some(callback.NewAsyncError(err)), mo.None[bool]()) })
		} else {
			d.guard("completion", func() { done(mo.None[callback.AsyncError](), mo.Some(true)) })
		}
		return
	}
	if d.next == 0 {
		d.ls = d.l.get(e.ev)
	}
	for d.next < len(d.ls) {
		x := d.ls[d.next]
		d.next++
		switch e.ev {
		case evOpen:
			d.guard("open", func() {
				x.cb.(openCallback).Invoke(mo.None[callback.AsyncError](), mo.Some(e.data.(map[uint32]string)))
			})
		case evMessage:
			d.guard("message", func() { x.cb.(messageCallback).Invoke(mo.None[callback.AsyncError](), mo.Some(e.msg)) })
		case evClose:
			d.guard("close", func() { x.cb.(closeCallback).Invoke(mo.None[callback.AsyncError](), mo.Some(e.data.(CloseResult))) })
		case evError:
			be := e.err.(*callback.BusinessException)
			d.guard("error", func() { x.cb.(errorCallback).Invoke(be) })
		case evDataEnd:
			d.guard("dataEnd", func() { x.cb.(dataEndCallback).Invoke() })
		case evHeaderReceive:
			d.guard("headerReceive", func() { x.cb.(headerCallback).Invoke(e.data.(ResponseHeaders)) })
		case evReconnect:
			d.guard("reconnect", func() { x.cb.(reconnectCallback).Invoke(mo.None[callback.AsyncError](), mo.Some(e.data.(Reconnect))) })
		case evOpenInfo:
			d.guard("openInfo", func() { x.cb.(openInfoCallback).Invoke(mo.None[callback.AsyncError](), mo.Some(e.data.(OpenInfo))) })
		default:
			panic(fmt.Sprintf("websocket: unexpected event %d", e.ev))
		}
	}
	if e.ev == evMessage { // dataEnd follows every message, with nothing between
		d.cur, d.ls, d.next = event{ev: evDataEnd}, nil, 0
		d.deliver()
		return
	}
	d.cur, d.ls, d.busy = event{}, nil, false
}

// guard runs a user callback. A panicking callback is logged with its stack
// and skipped, like a panicking net/http handler; the later callbacks and
// events run as usual.
func (d *dispatcher) guard(what string, f func()) {
	defer func() {
		if r := recover(); r != nil {
			d.log.Load().error(fmt.Sprintf("websocket: panic in %s callback: %v", what, r), "stack", string(debug.Stack()))
		}
	}()
	f()
}

// fifo is a first-in first-out queue that grows on demand and lets its
// storage go when it empties, so idle connections hold none. It is the
// one queue type of the package: the send queue and the callbacks' queue.
type fifo[T any] struct {
	buf  []T
	head int
	n    int
}

func (q *fifo[T]) len() int { return q.n }

func (q *fifo[T]) push(v T) {
	if q.n == len(q.buf) {
		next := make([]T, max(2, 2*len(q.buf)))
		for i := 0; i < q.n; i++ {
			next[i] = q.buf[(q.head+i)%len(q.buf)]
		}
		q.buf, q.head = next, 0
	}
	q.buf[(q.head+q.n)%len(q.buf)] = v
	q.n++
}

func (q *fifo[T]) peek() (T, bool) {
	if q.n == 0 {
		var zero T
		return zero, false
	}
	return q.buf[q.head], true
}

func (q *fifo[T]) pop() (T, bool) {
	var zero T
	if q.n == 0 {
		return zero, false
	}
	v := q.buf[q.head]
	q.buf[q.head] = zero
	q.head = (q.head + 1) % len(q.buf)
	q.n--
	if q.n == 0 {
		q.head = 0
		if len(q.buf) > 64 {
			q.buf = nil
		}
	}
	return v, true
}

// connLog is where the package's log lines go: RequestOptions.Logger (or
// slog.Default()), with the connection's URL, credentials redacted.
type connLog struct {
	logger *slog.Logger // nil: slog.Default() at the time of logging
	url    string
}

// error logs msg at level Error. A nil *connLog (no Connect yet) logs to
// slog.Default() without a URL.
func (l *connLog) error(msg string, args ...any) {
	logger := slog.Default()
	if l != nil {
		if l.logger != nil {
			logger = l.logger
		}
		args = append(args, "url", l.url)
	}
	logger.Error(msg, args...)
}
