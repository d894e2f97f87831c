package websocket

import (
	"context"
	"iter"
	"net"
)

// inboxMsg is a message waiting for ReceiveContext.
type inboxMsg struct {
	msg  MessageData
	size int64
}

// ReceiveContext returns the next received message, waiting for one if
// none has arrived yet: the pull face of the object, for programs that
// read messages one at a time instead of registering callbacks.
//
// A message goes to ReceiveContext when no message or dataEnd listener is
// registered at the moment it arrives; otherwise it goes to the listeners
// (and ReceiveContext keeps waiting). Messages wait for ReceiveContext in
// the receive queue that the callbacks use, with the same bounds: a program
// that does not receive stops the connection from being read (see the
// package documentation, section Back-pressure), and messages are never
// dropped for it. Several goroutines may receive at once; each message goes
// to one of them, in order of arrival.
//
// The messages that arrived before the connection ended are returned
// first. Then ReceiveContext returns error 2302006 wrapping a
// [*CloseError] with the close code and reason (see [CloseStatus]), or
// wrapping net.ErrClosed alone if the object was never connected or its
// last Connect failed. While the object is connecting, ReceiveContext waits
// for the connection.
//
// Cancelling ctx returns ctx.Err(); no message is lost and the connection
// goes on. ReceiveContext may be called from a callback of the object.
func (ws *WebSocket) ReceiveContext(ctx context.Context) (MessageData, error) {
	if ctx == nil {
		return nil, newError(ErrParameter, nil, "ReceiveContext: nil context")
	}
	d := &ws.events
	for {
		m, arrived, ok := d.receive()
		if ok {
			return m, nil
		}
		ws.mu.Lock()
		s, end := ws.sess, ws.lastClose
		ws.mu.Unlock()
		if s == nil {
			d.leave()
			if m, _, ok := d.receive(); ok { // arrived just before the end
				return m, nil
			}
			d.leave()
			if end != nil {
				return nil, newError(ErrConnectionNotExist, end, "receive: the connection closed with %d %q", end.Code, end.Reason)
			}
			return nil, newError(ErrConnectionNotExist, net.ErrClosed, "receive: the object is not connected")
		}
		s.readerRunsCallbacks() // a receive from inside a callback needs another reader
		select {
		case <-arrived:
			d.leave()
		case <-ctx.Done():
			d.leave()
			return nil, ctx.Err()
		}
	}
}

// Messages returns an iterator over the received messages, for
//
//	for msg, err := range ws.Messages(ctx) {
//		if err != nil {
//			... // the end: see CloseStatus(err), or ctx.Err()
//			break
//		}
//		...
//	}
//
// Each step is one [WebSocket.ReceiveContext]; the iteration ends after
// the first error, which it yields.
func (ws *WebSocket) Messages(ctx context.Context) iter.Seq2[MessageData, error] {
	return func(yield func(MessageData, error) bool) {
		for {
			m, err := ws.ReceiveContext(ctx)
			if !yield(m, err) || err != nil {
				return
			}
		}
	}
}

// receive takes the oldest message of the inbox (ok), or registers the
// caller as a waiting receiver and returns the channel that wakes it; the
// caller must then call leave when it stops waiting.
func (d *dispatcher) receive() (m MessageData, arrived <-chan struct{}, ok bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if x, ok := d.inbox.pop(); ok {
		d.taken(x.size)
		if d.inbox.len() > 0 {
			d.signal() // pass the wake-up on to another receiver
		}
		return x.msg, nil, true
	}
	if d.arrived == nil {
		d.arrived = make(chan struct{}, 1)
	}
	d.receivers++
	return nil, d.arrived, false
}

// leave unregisters a waiting receiver. Whatever woke it may have been
// meant for another one, so the others are woken to look again.
func (d *dispatcher) leave() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.receivers--
	d.signal()
}

// signal wakes one waiting receiver, if any; d.mu must be held. A receiver
// that wakes for nothing looks again and waits again.
func (d *dispatcher) signal() {
	if d.receivers > 0 {
		select {
		case d.arrived <- struct{}{}:
		default:
		}
	}
}

// connectionEnded wakes the waiting receivers: the end of a connection (or
// a failed Connect) is theirs to report once the inbox is empty.
func (d *dispatcher) connectionEnded() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.signal()
}
