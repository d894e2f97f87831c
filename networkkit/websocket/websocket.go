package websocket

import (
	"context"
	"net"
	"sync"

	"github.com/cangjie-go/ohos/callback"
)

// WebSocket is a WebSocket client connection object (the platform's
// WebSocket class). Create one with [CreateWebSocket]; the zero value is
// ready to use too.
//
// One object holds at most one connection at a time and may connect again
// after the previous connection has closed. Its event listeners stay
// registered across connections.
//
// All methods are safe for concurrent use by multiple goroutines, including
// from inside callbacks. Callbacks run one at a time on a goroutine of the
// object's own (see the package documentation, section Concurrency).
type WebSocket struct {
	mu         sync.Mutex
	state      state
	sess       *session    // the current connection; nil when idle or closed
	protocol   string      // the subprotocol of the last connection that opened
	lastClose  *CloseError // how the last connection ended, until the next Connect
	extensions string      // the extensions of the last connection that opened
	events     dispatcher
}

// state is the lifecycle state of a WebSocket.
type state uint8

const (
	stateIdle state = iota
	stateConnecting
	stateOpen
	stateClosing
	stateClosed
)

// CreateWebSocket returns a new, unconnected WebSocket (the platform's
// createWebSocket).
func CreateWebSocket() *WebSocket { return &WebSocket{} }

// completion is where the outcome of a Connect, Send or Close call goes: a
// callback (run on the callback goroutine) or a channel (the blocking face).
type completion struct {
	cb callback.AsyncCallback[bool]
	ch chan error // buffered, capacity 1
}

// complete delivers the outcome of a call: to its callback through the
// callbacks' queue, or to its channel.
func (ws *WebSocket) complete(c completion, err error) {
	if c.cb != nil {
		ws.events.post(event{done: c.cb, err: err})
	} else if c.ch != nil {
		c.ch <- err
	}
}

// completeLocked is complete for a caller that holds ws.mu (see
// dispatcher.pushClaim): it reports whether the caller took the role of
// running callbacks.
func (ws *WebSocket) completeLocked(c completion, err error) (claimed bool) {
	if c.cb != nil {
		return ws.events.pushClaim(event{done: c.cb, err: err})
	}
	if c.ch != nil {
		c.ch <- err
	}
	return false
}

// reportNilCallback reports, through the error event, a call that cannot be
// answered because its callback is nil.
func (ws *WebSocket) reportNilCallback(method string) {
	ws.events.post(event{ev: evError, err: newError(ErrParameter, nil, "%s: callback is nil; the call was ignored", method)})
}

// Connect opens a connection to url, a ws:// or wss:// URL, with options
// (nil means defaults), and returns at once. callback receives the outcome
// exactly once: Some(true) after the server's 101 answer was validated
// (after the headerReceive event and before the open event), or an
// AsyncError: 401 for invalid options, 2302001 for a bad URL, 2302998 for a
// host outside RequestOptions.AllowedHosts, 2302002 for an unreadable
// certificate file, 2302003 if the object already has a connection
// (connecting, open or closing), and 200 if the connection failed, in which
// case the error event fires too.
//
// If callback is nil, nothing is done and the error event reports 401.
func (ws *WebSocket) Connect(url string, callback callback.AsyncCallback[bool], options *RequestOptions) {
	if callback == nil {
		ws.reportNilCallback("Connect")
		return
	}
	ws.connect(context.Background(), url, options, completion{cb: callback})
}

// ConnectContext opens a connection to url like [WebSocket.Connect] and
// waits for the handshake to finish. It returns nil once the server's 101
// answer was validated, or the error Connect's callback would have
// received. The events fire as they do for Connect; ConnectContext may
// return before their callbacks have run.
//
// Cancelling ctx aborts the handshake at whatever step it is (DNS, TCP,
// proxy, TLS, waiting for the 101): ConnectContext then returns ctx.Err(),
// no error event fires, and the object can connect again at once. Once
// ConnectContext has returned, ctx no longer matters to the connection.
func (ws *WebSocket) ConnectContext(ctx context.Context, url string, options *RequestOptions) error {
	if ctx == nil {
		return newError(ErrParameter, nil, "ConnectContext: nil context")
	}
	ch := make(chan error, 1)
	ws.connect(ctx, url, options, completion{ch: ch})
	return <-ch
}

func (ws *WebSocket) connect(ctx context.Context, url string, options *RequestOptions, done completion) {
	cfg, err := newConfig(url, options)
	if err != nil {
		ws.complete(done, err)
		return
	}
	tc, err := cfg.tls.load() // read the files also for ws: a bad path is an error either way
	if err != nil {
		ws.complete(done, err)
		return
	}
	if cfg.url.Scheme != "wss" {
		tc = nil
	}
	s := &session{ws: ws, cfg: cfg, connect: done, tls: tc}
	ws.mu.Lock()
	if ws.sess != nil {
		err := newError(ErrConnectionExists, nil, "the object is %s; close it before connecting again", ws.stateName())
		ws.mu.Unlock()
		ws.complete(done, err)
		return
	}
	ws.sess = s
	ws.state = stateConnecting
	ws.lastClose = nil
	ws.events.log.Store(&connLog{logger: cfg.logger, url: cfg.url.Redacted()})
	hctx, cancel := context.WithCancel(ctx)
	s.cancel = cancel
	ws.mu.Unlock()
	go s.dial(ctx, hctx)
}

// stateName names the state for messages; ws.mu must be held.
func (ws *WebSocket) stateName() string {
	switch ws.state {
	case stateConnecting:
		if ws.sess != nil && ws.sess.attempt > 0 {
			return "reconnecting"
		}
		return "connecting"
	case stateOpen:
		return "open"
	case stateClosing:
		return "closing"
	}
	return "not connected"
}

// Send sends data and returns at once. callback receives the outcome
// exactly once: Some(true) once the message has been written to the
// connection, or an AsyncError: 401 if data is nil, not a StringData or
// ArrayData (or a non-nil pointer to one), or a StringData that is not
// valid UTF-8; 2302006 if there is no connection (never connected, closing
// or closed; the error wraps net.ErrClosed) or the connection broke before
// the message was written whole; 2302999 wrapping [ErrSendQueueFull] if the
// send queue is full.
//
// When the connection is open, nothing waits to be written and the message
// is at most 64 KiB, Send writes it on the calling goroutine before it
// returns (bounded by RequestOptions.WriteTimeout); otherwise it queues the
// message for a writer goroutine. Send while connecting queues the
// message; it is sent, in order, when the connection opens, and completes
// with 2302006 if the connection fails first. Messages are sent in the
// order of the Send calls; one longer than RequestOptions.MaxFrameSize is
// sent in fragments.
//
// If callback is nil, nothing is sent and the error event reports 401.
func (ws *WebSocket) Send(data MessageData, callback callback.AsyncCallback[bool]) {
	if callback == nil {
		ws.reportNilCallback("Send")
		return
	}
	m, err := newOutgoing(data, completion{cb: callback})
	if err != nil {
		ws.complete(m.done, err)
		return
	}
	ws.mu.Lock()
	s, err := ws.sendable()
	// While the reader coalesces replies, Send queues the message for its
	// flush, up to a batch.
	coalesce := err == nil && s.coalescing.Load() && s.queue.len() < maxBatch
	if err == nil && m.size() <= writeChunk && !coalesce {
		if written, werr := s.sendNow(&m); written { // released ws.mu
			ws.complete(m.done, werr)
			return
		}
	}
	if err == nil {
		err = s.enqueue(m, !coalesce)
	}
	ws.mu.Unlock()
	if err != nil {
		ws.complete(m.done, err)
	}
}

// SendContext sends data like [WebSocket.Send] and waits until it has been
// written to the connection, returning nil or the error Send's callback
// would have received. When nothing else waits to be written, the message
// is written on the calling goroutine, whatever its size.
//
// ctx bounds the call. If ctx has ended already, nothing is sent. If ctx
// ends while the message waits in the queue, the message is withdrawn — it
// is never written, whatever is queued behind it — and SendContext returns
// ctx.Err(). If ctx ends after the first bytes of the message were written,
// the rest can no longer be written in time and the connection cannot go
// on with half a message: the connection is failed (error event 200, close
// 1006) and SendContext returns error 2302006 wrapping net.ErrClosed and
// ctx.Err(). A message that was written whole returns nil.
func (ws *WebSocket) SendContext(ctx context.Context, data MessageData) error {
	if ctx == nil {
		return newError(ErrParameter, nil, "SendContext: nil context")
	}
	m, err := newOutgoing(data, completion{})
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	ws.mu.Lock()
	s, err := ws.sendable()
	if err == nil {
		if written, werr := s.sendContextNow(ctx, &m); written { // released ws.mu
			return werr
		}
	}
	if err == nil {
		m.done.ch = make(chan error, 1)
		m.ticket = new(sendTicket)
		err = s.enqueue(m, true)
	}
	ws.mu.Unlock()
	if err != nil {
		return err
	}
	select {
	case err := <-m.done.ch:
		return err
	case <-ctx.Done():
		if s.giveUp(m.ticket, ctx.Err()) {
			return ctx.Err()
		}
		err := <-m.done.ch
		if err != nil && m.ticket.state.Load() == ticketAbandoned {
			err = abandonedError(ctx.Err())
		}
		return err
	}
}

// sendable returns the session a message may be sent on; ws.mu must be
// held.
func (ws *WebSocket) sendable() (*session, error) {
	switch {
	case ws.sess == nil && ws.lastClose != nil:
		c := ws.lastClose
		return nil, newError(ErrConnectionNotExist, c, "send: the connection closed with %d %q", c.Code, c.Reason)
	case ws.sess == nil:
		return nil, newError(ErrConnectionNotExist, net.ErrClosed, "send: the object is not connected")
	case ws.state == stateClosing:
		return nil, newError(ErrConnectionNotExist, net.ErrClosed, "send: the connection is closing")
	}
	return ws.sess, nil
}

// enqueue puts m on the send queue, for the writer goroutine (or, while
// connecting, for the open; or, while the reader coalesces, for the
// reader's flush: kick false); ws.mu must be held.
func (s *session) enqueue(m outgoing, kick bool) error {
	if s.queue.len() >= s.cfg.sendQueueSize {
		return newError(ErrUnknown, ErrSendQueueFull, "send: the send queue is full (%d messages)", s.cfg.sendQueueSize)
	}
	s.queue.push(m)
	if kick {
		s.kick()
	}
	return nil
}

// Close starts the closing handshake with options (nil means code 1000 and
// no reason) and returns at once. Messages queued by earlier Send calls are
// sent first. The client then waits up to RequestOptions.CloseTimeout for
// the server's Close frame and drops the link. callback receives the outcome
// exactly once, when the connection has closed (just before the close
// event): Some(true), or an AsyncError: 401 for a close code that cannot be
// sent or a reason over 123 bytes; 2302999 if there is no connection or it
// is already closing (a second Close).
//
// Close while connecting aborts the attempt: Connect's callback receives
// error 200, no error event and no close event fire, and Close's callback
// receives Some(true).
//
// If callback is nil, nothing is done and the error event reports 401.
func (ws *WebSocket) Close(callback callback.AsyncCallback[bool], options *CloseOptions) {
	if callback == nil {
		ws.reportNilCallback("Close")
		return
	}
	ws.close(options, completion{cb: callback})
}

// CloseContext closes the connection like [WebSocket.Close] and waits until
// it has closed, returning nil or the error Close's callback would have
// received. It may return before the close event's callbacks have run.
// Cancelling ctx stops the wait and returns ctx.Err(); the connection still
// closes.
func (ws *WebSocket) CloseContext(ctx context.Context, options *CloseOptions) error {
	if ctx == nil {
		return newError(ErrParameter, nil, "CloseContext: nil context")
	}
	ch := make(chan error, 1)
	ws.close(options, completion{ch: ch})
	select {
	case err := <-ch:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (ws *WebSocket) close(options *CloseOptions, done completion) {
	code, reason, err := options.validate()
	if err != nil {
		ws.complete(done, err)
		return
	}
	ws.mu.Lock()
	s := ws.sess
	switch {
	case s == nil:
		err = newError(ErrUnknown, net.ErrClosed, "close: the object is not connected")
	case s.closing != nil:
		err = newError(ErrUnknown, nil, "close: the connection is already closing")
	}
	if err != nil {
		ws.mu.Unlock()
		ws.complete(done, err)
		return
	}
	s.closers = append(s.closers, done)
	action := s.beginClose(&closeRequest{code: code, reason: reason})
	ws.mu.Unlock()
	switch action {
	case closeWriteHere: // nothing was queued: the Close frame goes out now
		s.writeQueued(&outgoing{isClose: true})
		s.release()
	case closeRunCallbacks:
		go ws.events.run(-1) // the callbacks of Close run on their goroutine, not in Close
	}
}

// Extensions returns the server's Sec-WebSocket-Extensions answer of the
// current connection, or of the last one that opened, as the server sent it
// (for example "permessage-deflate; client_max_window_bits=10"); "" if no
// extension is in use. See RequestOptions.Compression.
func (ws *WebSocket) Extensions() string {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	return ws.extensions
}

// Protocol returns the subprotocol the server chose for the current
// connection, or for the last one that opened; "" if none was chosen.
func (ws *WebSocket) Protocol() string {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	return ws.protocol
}

// On registers callback for the event named by typ (the platform's on); a
// non-nil pointer to an event type names the same event. The callback's
// type must fit the event:
//
//	EventOpen           WebSocketAsyncCallback[map[uint32]string]
//	EventMessage        WebSocketAsyncCallback[MessageData]
//	EventClose          WebSocketAsyncCallback[CloseResult]
//	EventError          WebSocketErrorCallback
//	EventDataEnd        callback.Callback0Argument
//	EventHeaderReceive  callback.Callback1Argument[ResponseHeaders]
//	EventOpenInfo       WebSocketAsyncCallback[OpenInfo]
//	EventReconnect      WebSocketAsyncCallback[Reconnect]
//
// A typ that names no event (nil, a nil pointer, another type), a nil
// callback, or a callback that does not fit, is refused with error 401. Several callbacks may be registered for one event; they run in
// the order of registration. Registering the same callback again keeps one
// registration (see [WebSocket.Off] for what "the same" means).
func (ws *WebSocket) On(typ OnOffType, callback any) error {
	ev, ok := eventOf(typ)
	if !ok {
		return badEventType("on", typ)
	}
	if isNilCallback(callback) {
		return newError(ErrParameter, nil, "on(%s): callback is nil", eventName[ev])
	}
	if !fits(ev, callback) {
		return newError(ErrParameter, nil, "on(%s): callback of type %T does not fit; want %s", eventName[ev], callback, wantType[ev])
	}
	ws.events.l.add(ev, callback)
	return nil
}

// Off unregisters callback from the event named by typ (the platform's off),
// or every callback of that event if callback is nil. A callback is the same
// as a registered one if it is the same pointer, the same function value,
// or an equal comparable value. Function values are compared as closures: a
// function literal that captures variables gives a new callback each time
// it is evaluated, while a named function, or a literal that captures
// nothing, is one callback wherever it is used. Removing a callback that is
// not registered does nothing. A typ that names no event (nil, a nil
// pointer), or a callback whose type does not fit the event, is refused
// with error 401.
func (ws *WebSocket) Off(typ OnOffType, callback any) error {
	ev, ok := eventOf(typ)
	if !ok {
		return badEventType("off", typ)
	}
	if isNilCallback(callback) {
		ws.events.l.remove(ev, nil)
		return nil
	}
	if !fits(ev, callback) {
		return newError(ErrParameter, nil, "off(%s): callback of type %T does not fit; want %s", eventName[ev], callback, wantType[ev])
	}
	ws.events.l.remove(ev, callback)
	return nil
}

// badEventType is the error of On and Off for a typ that names no event.
func badEventType(method string, typ OnOffType) error {
	if typ == nil {
		return newError(ErrParameter, nil, "%s: event type is nil", method)
	}
	return newError(ErrParameter, nil, "%s: event type %T is not supported; use EventOpen, EventMessage, EventClose, EventError, EventDataEnd, EventHeaderReceive, EventOpenInfo or EventReconnect (or a non-nil pointer to one)", method, typ)
}

// OnOpen registers cb for the open event; see [WebSocket.On].
func (ws *WebSocket) OnOpen(cb WebSocketAsyncCallback[map[uint32]string]) error {
	return ws.On(EventOpen{}, cb)
}

// OffOpen unregisters cb (all if nil) from the open event; see [WebSocket.Off].
func (ws *WebSocket) OffOpen(cb WebSocketAsyncCallback[map[uint32]string]) error {
	return ws.Off(EventOpen{}, cb)
}

// OnMessage registers cb for the message event; see [WebSocket.On].
func (ws *WebSocket) OnMessage(cb WebSocketAsyncCallback[MessageData]) error {
	return ws.On(EventMessage{}, cb)
}

// OffMessage unregisters cb (all if nil) from the message event.
func (ws *WebSocket) OffMessage(cb WebSocketAsyncCallback[MessageData]) error {
	return ws.Off(EventMessage{}, cb)
}

// OnClose registers cb for the close event; see [WebSocket.On].
func (ws *WebSocket) OnClose(cb WebSocketAsyncCallback[CloseResult]) error {
	return ws.On(EventClose{}, cb)
}

// OffClose unregisters cb (all if nil) from the close event.
func (ws *WebSocket) OffClose(cb WebSocketAsyncCallback[CloseResult]) error {
	return ws.Off(EventClose{}, cb)
}

// OnError registers cb for the error event; see [WebSocket.On].
func (ws *WebSocket) OnError(cb WebSocketErrorCallback) error {
	return ws.On(EventError{}, cb)
}

// OffError unregisters cb (all if nil) from the error event.
func (ws *WebSocket) OffError(cb WebSocketErrorCallback) error {
	return ws.Off(EventError{}, cb)
}

// OnDataEnd registers cb for the dataEnd event; see [WebSocket.On].
func (ws *WebSocket) OnDataEnd(cb callback.Callback0Argument) error {
	return ws.On(EventDataEnd{}, cb)
}

// OffDataEnd unregisters cb (all if nil) from the dataEnd event.
func (ws *WebSocket) OffDataEnd(cb callback.Callback0Argument) error {
	return ws.Off(EventDataEnd{}, cb)
}

// OnHeaderReceive registers cb for the headerReceive event; see [WebSocket.On].
func (ws *WebSocket) OnHeaderReceive(cb callback.Callback1Argument[ResponseHeaders]) error {
	return ws.On(EventHeaderReceive{}, cb)
}

// OffHeaderReceive unregisters cb (all if nil) from the headerReceive event.
func (ws *WebSocket) OffHeaderReceive(cb callback.Callback1Argument[ResponseHeaders]) error {
	return ws.Off(EventHeaderReceive{}, cb)
}

// OnOpenInfo registers cb for the openInfo event; see [WebSocket.On].
func (ws *WebSocket) OnOpenInfo(cb WebSocketAsyncCallback[OpenInfo]) error {
	return ws.On(EventOpenInfo{}, cb)
}

// OffOpenInfo unregisters cb (all if nil) from the openInfo event.
func (ws *WebSocket) OffOpenInfo(cb WebSocketAsyncCallback[OpenInfo]) error {
	return ws.Off(EventOpenInfo{}, cb)
}

// OnReconnect registers cb for the reconnect event (Go only; see
// [ReconnectPolicy]); see [WebSocket.On].
func (ws *WebSocket) OnReconnect(cb WebSocketAsyncCallback[Reconnect]) error {
	return ws.On(EventReconnect{}, cb)
}

// OffReconnect unregisters cb (all if nil) from the reconnect event.
func (ws *WebSocket) OffReconnect(cb WebSocketAsyncCallback[Reconnect]) error {
	return ws.Off(EventReconnect{}, cb)
}
