package websocket

import (
	"fmt"
	"time"
)

// beginClose starts the client's closing handshake; ws.mu must be held.
// The Close frame is written after the messages already queued (on the
// calling goroutine if nothing is queued), and the link is dropped if the
// server has not closed it within CloseTimeout. While connecting, Close
// aborts the handshake instead.
func (s *session) beginClose(req *closeRequest) (action closeAction) {
	s.closing = req
	s.ws.state = stateClosing
	switch {
	case s.cancel != nil: // connecting
		s.cancel()
		return closeDone
	case s.w == nil: // waiting to reconnect
		if s.retry.Stop() {
			if s.endWaiting() {
				return closeRunCallbacks
			}
		} // else the attempt is starting: redial sees closing
		return closeDone
	}
	s.stopKeepAlive()
	s.queue.push(outgoing{isClose: true})
	s.closeTimer = time.AfterFunc(s.cfg.closeTimeout, s.dropLink)
	// The server's Close must be read, whatever the callbacks do.
	s.stopHolding.Store(true)
	s.ws.events.wake()
	s.readerRunsCallbacks()
	if s.queue.len() == 1 && s.acquire() {
		s.queue.pop()
		return closeWriteHere
	}
	s.kick()
	return closeDone
}

// closeAction says what Close does once beginClose has returned.
type closeAction uint8

const (
	closeDone         closeAction = iota
	closeWriteHere                // write the Close frame on the calling goroutine
	closeRunCallbacks             // the object closed at once: run the callbacks it queued
)

// dropLink closes the socket at once; the reader then ends the connection.
func (s *session) dropLink() {
	s.stopHolding.Store(true)
	s.ws.events.wake()
	s.w.Close()
}

// finish ends the connection after the reader stopped, and reports the
// end: the Close frame the client still owes is written (within
// CloseTimeout), the socket is closed, and then, in this order, the
// completions of the sends that were never written, of the Close calls,
// the error event if any, and the close event. They are queued before the
// object can start its next connection, so every event of this connection
// comes before any event of the next one.
func (s *session) finish(rf readFailure) {
	s.flushCoalesced() // what Send queued before the end goes out, if it still can
	ws := s.ws
	ws.mu.Lock()
	s.ended = true // from here on, failure and closing do not change
	s.stopKeepAlive()
	if s.closeTimer != nil {
		s.closeTimer.Stop()
	}
	report, res := s.outcome(rf)
	s.end = &CloseError{res}
	r := s.cfg.reconnect
	retry := r != nil && s.closing == nil && r.afterEnd(res, report, rf)
	s.failUserPings(newError(ErrConnectionNotExist, s.end, "ping: the connection closed with %d %q before the pong", res.Code, res.Reason))
	if rf.mustClose {
		s.final = &closeRequest{code: rf.code, reason: rf.reason}
		if rf.kind == peerClosed { // the answer to the server's Close has its code and no reason
			s.final.reason = ""
		}
		s.ctrlDue.Store(true)
	}
	// The Close frame the client owes is written by the owner of the write
	// side at its next frame boundary: here, if nobody owns it. Either way
	// the link is dropped within CloseTimeout, which also ends a write
	// stuck on a server that does not read.
	own := !s.writing
	var idle chan struct{}
	if own {
		s.writing = true
	} else {
		s.idle = make(chan struct{})
		idle = s.idle
	}
	ws.mu.Unlock()
	drop := time.AfterFunc(s.cfg.closeTimeout, func() { s.w.Close() })
	if own {
		s.writeControls()
		ws.mu.Lock()
		s.free()
		ws.mu.Unlock()
	} else {
		<-idle
	}
	drop.Stop()
	s.w.Close()
	s.w.release() // finish runs on the reader, which reads no more

	ws.mu.Lock()
	claimed := false
	if !retry { // else the next connection sends them
		queue := s.queue
		s.queue = fifo[outgoing]{}
		claimed = s.failQueued(&queue, newError(ErrConnectionNotExist, s.end, "send: the connection closed with %d %q before the message was sent", res.Code, res.Reason))
	}
	for _, c := range s.closers {
		claimed = ws.completeLocked(c, nil) || claimed
	}
	if report != nil {
		claimed = ws.events.pushClaim(event{ev: evError, err: report}) || claimed
	}
	claimed = ws.events.pushClaim(event{ev: evClose, data: res}) || claimed
	ws.lastClose = s.end
	if retry {
		var cause error = s.end
		if report != nil {
			cause = fmt.Errorf("%w (%w)", report, s.end)
		}
		claimed = ws.events.pushClaim(ws.scheduleReconnect(s, 1, cause)) || claimed
	} else {
		ws.sess, ws.state = nil, stateClosed
	}
	ws.mu.Unlock()
	if !retry {
		ws.events.connectionEnded()
	}
	if claimed {
		ws.events.run(-1)
	}
}

// outcome returns what the end of the connection reports: the error event
// (nil for none) and the close event's result; ws.mu must be held.
func (s *session) outcome(rf readFailure) (report error, res CloseResult) {
	switch {
	case s.failure != nil && rf.kind != peerClosed:
		return s.failure, CloseResult{Code: CloseAbnormalClosure, Reason: linkDownReason}
	case s.closing != nil:
		return nil, CloseResult{Code: s.closing.code, Reason: s.closing.reason}
	case rf.kind == peerClosed:
		return nil, CloseResult{Code: rf.code, Reason: rf.reason}
	case rf.kind == protocolFailure:
		return newError(ErrConnectionFailed, fmt.Errorf("%w: %s", ErrProtocol, rf.reason), "the server broke the protocol (%s); closed with 1002", rf.reason),
			CloseResult{Code: CloseProtocolError, Reason: rf.reason}
	case rf.kind == invalidData:
		return newError(ErrConnectionFailed, ErrInvalidUTF8, "%s; closed with 1007", rf.reason),
			CloseResult{Code: CloseInvalidPayload, Reason: rf.reason}
	case rf.kind == tooBig:
		return newError(ErrConnectionFailed, ErrMessageTooBig, "a message exceeded the maximum size of %d bytes; closed with 1009", s.cfg.maxMessageSize),
			CloseResult{Code: CloseMessageTooBig, Reason: rf.reason}
	}
	return newError(ErrConnectionFailed, fmt.Errorf("%w: %w", ErrLinkDown, rf.err), "the link is down: %v", rf.err),
		CloseResult{Code: CloseAbnormalClosure, Reason: linkDownReason}
}

// linkDownReason is the close reason when the link dropped without a Close
// frame (the platform's wording).
const linkDownReason = "The link is down"

// failQueued completes every message of q with err and reports whether
// the caller took the callbacks' role (see dispatcher.pushClaim); ws.mu
// must be held.
func (s *session) failQueued(q *fifo[outgoing], err error) (claimed bool) {
	for {
		m, ok := q.pop()
		if !ok {
			return claimed
		}
		if !m.isClose && m.ticket.begin() {
			m.ticket.end()
			claimed = s.ws.completeLocked(m.done, err) || claimed
		}
	}
}
