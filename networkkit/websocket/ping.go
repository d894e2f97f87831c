package websocket

import (
	"context"
	"encoding/binary"
	"net"
	"slices"
	"time"
)

// userPing is the Ping of one Ping call; ws.mu guards its fields.
type userPing struct {
	payload uint64    // 1<<63 | a number: never a keep-alive Ping's
	due     bool      // not yet written
	sent    time.Time // when its writing began
	result  chan pingResult
}

type pingResult struct {
	rtt time.Duration
	err error
}

// Ping sends a Ping frame and waits for its Pong, and returns the round
// trip: the time from the writing of the Ping to the arrival of the Pong.
// The Ping goes through the owner of the write side like every control
// frame, so it is written between two fragments of a long message. Ping
// may be called concurrently with everything else, also from a callback,
// and does not disturb keep-alive: each Ping carries a payload of its own,
// and only the Pong with that payload answers it.
//
// Ping returns error 2302006 if the connection is not open, or ends before
// the Pong arrives (wrapping a [*CloseError] when it has a close status).
// Cancelling ctx returns ctx.Err(); a Pong that arrives later is ignored.
func (ws *WebSocket) Ping(ctx context.Context) (time.Duration, error) {
	if ctx == nil {
		return 0, newError(ErrParameter, nil, "Ping: nil context")
	}
	ws.mu.Lock()
	s := ws.sess
	if s == nil || ws.state != stateOpen || s.ended {
		end := ws.lastClose
		if s != nil {
			end = s.end // ending now: finish has decided how
		}
		ws.mu.Unlock()
		if end != nil {
			return 0, newError(ErrConnectionNotExist, end, "ping: the connection closed with %d %q", end.Code, end.Reason)
		}
		return 0, newError(ErrConnectionNotExist, net.ErrClosed, "ping: the connection is not open")
	}
	s.pingCount++
	p := &userPing{payload: 1<<63 | s.pingCount, due: true, result: make(chan pingResult, 1)}
	s.userPings = append(s.userPings, p)
	s.ctrlDue.Store(true)
	own := s.acquire()
	ws.mu.Unlock()
	if own {
		s.release() // writes the Ping, and what else became due
	}
	s.readerRunsCallbacks() // the Pong must be read, also when Ping runs in a callback
	select {
	case r := <-p.result:
		return r.rtt, r.err
	case <-ctx.Done():
		ws.mu.Lock()
		s.userPings = slices.DeleteFunc(s.userPings, func(x *userPing) bool { return x == p })
		ws.mu.Unlock()
		return 0, ctx.Err()
	}
}

// takeUserPings returns the payloads of the Pings of Ping calls that wait
// to be written, and marks them written from now on; ws.mu must be held.
func (s *session) takeUserPings() []uint64 {
	var due []uint64
	for _, p := range s.userPings {
		if p.due {
			p.due, p.sent = false, time.Now()
			due = append(due, p.payload)
		}
	}
	return due
}

// userPong answers the Ping call whose Ping carried p, if any; ws.mu must
// be held.
func (s *session) userPong(p []byte) {
	if len(p) != 8 {
		return
	}
	payload := binary.BigEndian.Uint64(p)
	for i, x := range s.userPings {
		if x.payload == payload && !x.due {
			x.result <- pingResult{rtt: time.Since(x.sent)}
			s.userPings = slices.Delete(s.userPings, i, i+1)
			return
		}
	}
}

// failUserPings ends the waiting Ping calls with err; ws.mu must be held.
func (s *session) failUserPings(err error) {
	for _, x := range s.userPings {
		x.result <- pingResult{err: err}
	}
	s.userPings = nil
}
