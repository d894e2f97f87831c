package websocket

import (
	"encoding/binary"
	"time"
)

// keepAlive is the state of a connection's keep-alive (see the package
// documentation, section Keep-alive); its fields are guarded by ws.mu.
//
// The Ping timer fires PingInterval after the last answered Ping (or the
// open); the Ping it asks for is written by whoever owns the write side,
// at the next frame boundary. The Pong timer starts when that Ping has been
// written. At most one keep-alive Ping is outstanding, and only the Pong
// that carries its payload answers it.
type keepAlive struct {
	pingTimer   *time.Timer
	pongTimer   *time.Timer
	seq         uint64 // the number of the last keep-alive Ping, its payload
	outstanding bool   // Ping seq was asked for and not yet answered
	stopped     bool
}

// pingPayload is the payload of keep-alive Ping seq.
func pingPayload(seq uint64) [8]byte {
	var p [8]byte
	binary.BigEndian.PutUint64(p[:], seq)
	return p
}

// startKeepAlive arms the first Ping; ws.mu must be held.
func (s *session) startKeepAlive() {
	if s.cfg.pingInterval > 0 {
		s.ka.pingTimer = time.AfterFunc(s.cfg.pingInterval, s.pingTime)
	}
}

// pingTime runs on the Ping timer: it asks for a Ping and writes it at once
// if nobody owns the write side. It never waits for the write side, so no
// goroutine waits per interval.
func (s *session) pingTime() {
	ws := s.ws
	ws.mu.Lock()
	k := &s.ka
	if k.stopped || k.outstanding || s.ended {
		ws.mu.Unlock()
		return
	}
	k.outstanding = true
	k.seq++
	s.pingDue = true
	s.ctrlDue.Store(true)
	own := s.acquire()
	ws.mu.Unlock()
	if own {
		s.release() // writes the Ping, and what else became due
	}
}

// pingWritten starts the Pong timeout of Ping seq, now that it has been
// written; with PongTimeout 0, the next Ping is due a PingInterval later.
func (s *session) pingWritten(seq uint64) {
	ws := s.ws
	ws.mu.Lock()
	defer ws.mu.Unlock()
	k := &s.ka
	if k.stopped || !k.outstanding || k.seq != seq { // answered already, or stopped
		return
	}
	if s.cfg.pongTimeout <= 0 {
		k.outstanding = false
		k.pingTimer.Reset(s.cfg.pingInterval)
		return
	}
	k.pongTimer = time.AfterFunc(s.cfg.pongTimeout, func() { s.pongLate(seq) })
}

// onPong runs on the reader for every Pong frame. The Pong that carries
// the outstanding keep-alive Ping's payload answers it: its timeout stops
// and the next Ping is due a PingInterval later. A Pong with the payload of
// a Ping call's Ping answers that call. Any other Pong changes nothing.
func (s *session) onPong(p []byte) {
	ws := s.ws
	ws.mu.Lock()
	defer ws.mu.Unlock()
	k := &s.ka
	if k.stopped || !k.outstanding || len(p) != 8 || binary.BigEndian.Uint64(p) != k.seq {
		s.userPong(p)
		return
	}
	k.outstanding = false
	if k.pongTimer != nil {
		k.pongTimer.Stop()
		k.pongTimer = nil
	}
	k.pingTimer.Reset(s.cfg.pingInterval)
}

// pongLate runs when Ping seq has gone unanswered for PongTimeout: the
// link is declared down, unless the reader is held (it runs callbacks, or
// waits for room in the receive queue) and so cannot have seen the Pong:
// then the timeout starts again.
func (s *session) pongLate(seq uint64) {
	ws := s.ws
	ws.mu.Lock()
	k := &s.ka
	if k.stopped || !k.outstanding || k.seq != seq {
		ws.mu.Unlock()
		return
	}
	if s.held.Load() {
		k.pongTimer = time.AfterFunc(s.cfg.pongTimeout, func() { s.pongLate(seq) })
		ws.mu.Unlock()
		return
	}
	ws.mu.Unlock()
	s.fail(newError(ErrConnectionFailed, ErrPongTimeout, "no pong within %v of a keep-alive ping; the link is down", s.cfg.pongTimeout))
}

// stopKeepAlive stops the timers for good; ws.mu must be held.
func (s *session) stopKeepAlive() {
	k := &s.ka
	k.stopped = true
	if k.pingTimer != nil {
		k.pingTimer.Stop()
	}
	if k.pongTimer != nil {
		k.pongTimer.Stop()
	}
}
