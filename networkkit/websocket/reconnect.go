package websocket

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"strconv"
	"time"
)

// ReconnectPolicy turns on automatic reconnection (RequestOptions.Reconnect):
// when a connection that was open ends without the client asking, the
// object connects again after a delay, as often as the policy allows. The
// platform does not reconnect; see the package documentation, section
// Lifecycle (Reconnecting), for when it happens and what the program sees.
//
// The delay before attempt n (1, 2, ...) is drawn uniformly from
// [0, min(MaxDelay, InitialDelay × Multiplier^(n-1))] — "full jitter": after
// a server restart, clients that lost their connections at the same moment
// spread their attempts over the whole window instead of arriving together,
// which equal jitter (the upper half of the window only) does less well. A
// Retry-After header on a 429 or 503 answer replaces the drawn delay,
// capped by MaxDelay.
type ReconnectPolicy struct {
	// InitialDelay bounds the delay before the first attempt. If zero, 1 s.
	// Negative is error 401.
	InitialDelay time.Duration
	// MaxDelay caps every delay. If zero, 30 s. Below InitialDelay is
	// error 401.
	MaxDelay time.Duration
	// Multiplier grows the bound from one attempt to the next. If zero, 2.
	// Below 1 (or NaN, or infinite) is error 401.
	Multiplier float64
	// MaxAttempts is how many attempts in a row may fail before the policy
	// gives up; zero means no limit. Negative is error 401.
	MaxAttempts int
	// CloseCodes are the codes of a server Close after which the client
	// reconnects. If nil, 1001 (going away), 1011 (internal error), 1012
	// (service restart) and 1013 (try again later). A link that drops
	// without a Close (1006), a keep-alive timeout or a failed write always
	// reconnects; a Close of the client's own never does.
	CloseCodes []uint32
}

// Defaults of ReconnectPolicy.
const (
	DefaultReconnectInitialDelay = time.Second
	DefaultReconnectMaxDelay     = 30 * time.Second
	DefaultReconnectMultiplier   = 2
)

// DefaultReconnectCloseCodes are the server close codes that reconnect when
// ReconnectPolicy.CloseCodes is nil.
var defaultReconnectCloseCodes = []uint32{1001, 1011, 1012, 1013}

// Reconnect is the payload of the reconnect event: an attempt to connect
// again was scheduled, or the policy gave up.
type Reconnect struct {
	// Attempt numbers the attempts since the connection was lost, from 1.
	Attempt int
	// Delay is how long the client waits before the attempt.
	Delay time.Duration
	// Cause is why: the end of the connection (for attempt 1; its close
	// code is in CloseStatus(Cause)), or the failure of the previous
	// attempt.
	Cause error
	// GaveUp is true on the last event, when the policy allows no further
	// attempt: the object is then closed. Delay is zero.
	GaveUp bool
}

// checkReconnect validates a policy.
func (p *ReconnectPolicy) check() error {
	switch {
	case p.InitialDelay < 0:
		return newError(ErrParameter, nil, "Reconnect.InitialDelay is negative (%v)", p.InitialDelay)
	case p.MaxDelay < 0 || p.MaxDelay != 0 && p.MaxDelay < orDefault(p.InitialDelay, DefaultReconnectInitialDelay):
		return newError(ErrParameter, nil, "Reconnect.MaxDelay (%v) is below InitialDelay", p.MaxDelay)
	case p.Multiplier != 0 && !(p.Multiplier >= 1 && !math.IsInf(p.Multiplier, 1)):
		return newError(ErrParameter, nil, "Reconnect.Multiplier %v is not a number of at least 1", p.Multiplier)
	case p.MaxAttempts < 0:
		return newError(ErrParameter, nil, "Reconnect.MaxAttempts is negative (%d)", p.MaxAttempts)
	}
	return nil
}

// reconnectPolicy is a ReconnectPolicy with its defaults, copied at Connect.
type reconnectPolicy struct {
	initial, max time.Duration
	multiplier   float64
	maxAttempts  int
	closeCodes   []uint32
}

func newReconnectPolicy(p *ReconnectPolicy) *reconnectPolicy {
	if p == nil {
		return nil
	}
	r := &reconnectPolicy{
		initial:     orDefault(p.InitialDelay, DefaultReconnectInitialDelay),
		max:         orDefault(p.MaxDelay, DefaultReconnectMaxDelay),
		multiplier:  orDefault(p.Multiplier, DefaultReconnectMultiplier),
		maxAttempts: p.MaxAttempts,
		closeCodes:  slices.Clone(p.CloseCodes),
	}
	if p.CloseCodes == nil {
		r.closeCodes = defaultReconnectCloseCodes
	}
	return r
}

// delay draws the delay before attempt n (see ReconnectPolicy).
func (r *reconnectPolicy) delay(n int) time.Duration {
	bound := float64(r.initial) * math.Pow(r.multiplier, float64(n-1))
	if bound > float64(r.max) || math.IsInf(bound, 1) || math.IsNaN(bound) {
		bound = float64(r.max)
	}
	if bound < 1 {
		return 0
	}
	return time.Duration(rand.Int64N(int64(bound) + 1))
}

// afterEnd reports whether a connection that ended with res (and the
// client's failure report, nil if none) is one to reconnect.
func (r *reconnectPolicy) afterEnd(res CloseResult, report error, rf readFailure) bool {
	switch {
	case res.Code == CloseAbnormalClosure: // link down, keep-alive, a failed write
		return true
	case report != nil: // the server broke the protocol: it would again
		return false
	case rf.kind == peerClosed:
		return slices.Contains(r.closeCodes, res.Code)
	}
	return false
}

// transient reports whether a failed attempt may succeed if repeated: a
// network or TLS failure, a timeout, a 5xx, 408 or 429 answer, a proxy
// that could not reach the server. A refused handshake with any other
// status, or a 101 the client cannot accept, is permanent.
func transient(err error) bool {
	var he *HandshakeError
	if errors.As(err, &he) {
		return he.StatusCode >= 500 || he.StatusCode == http.StatusTooManyRequests || he.StatusCode == http.StatusRequestTimeout
	}
	var pe *ProxyError
	if errors.As(err, &pe) {
		return pe.StatusCode >= 500 || pe.StatusCode == http.StatusTooManyRequests || pe.StatusCode == http.StatusRequestTimeout
	}
	return !errors.Is(err, errHeaderTooLarge)
}

// retryAfter returns the delay a 429 or 503 answer asks for with
// Retry-After (seconds, or an HTTP date), and whether it asked.
func retryAfter(err error, now time.Time) (time.Duration, bool) {
	var he *HandshakeError
	if !errors.As(err, &he) || he.StatusCode != http.StatusTooManyRequests && he.StatusCode != http.StatusServiceUnavailable {
		return 0, false
	}
	v := he.Header.Get("Retry-After")
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil && secs >= 0 {
		return time.Duration(min(secs, math.MaxInt64/int64(time.Second))) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// scheduleReconnect makes the object's next session, which waits delay
// and then connects, carrying over the messages s did not send; ws.mu must
// be held. It returns the reconnect event to post.
func (ws *WebSocket) scheduleReconnect(s *session, attempt int, cause error) event {
	r := s.cfg.reconnect
	delay := r.delay(attempt)
	if d, ok := retryAfter(cause, time.Now()); ok {
		delay = min(d, r.max)
	}
	next := &session{ws: ws, cfg: s.cfg, tls: s.tls, attempt: attempt, queue: s.queue}
	s.queue = fifo[outgoing]{}
	ws.sess, ws.state = next, stateConnecting
	next.retry = time.AfterFunc(delay, next.redial)
	return event{ev: evReconnect, data: Reconnect{Attempt: attempt, Delay: delay, Cause: cause}}
}

// giveUp closes the object after the last failed attempt: the messages
// that waited are failed, and the final reconnect event is queued; ws.mu
// must be held. It reports whether the caller took the callbacks' role.
func (ws *WebSocket) giveUp(s *session, cause error) (claimed bool) {
	queue := s.queue
	s.queue = fifo[outgoing]{}
	claimed = s.failQueued(&queue, newError(ErrConnectionNotExist, fmt.Errorf("%w: %w", errReconnectFailed, cause),
		"send: the connection was lost and could not be opened again"))
	ws.sess, ws.state = nil, stateClosed
	return ws.events.pushClaim(event{ev: evReconnect, data: Reconnect{Attempt: s.attempt, Cause: cause, GaveUp: true}}) || claimed
}

// errReconnectFailed is the cause of the sends that waited for a
// reconnection the policy gave up on.
var errReconnectFailed = errors.New("websocket: the reconnection policy gave up")

// redial runs on the session's timer when its delay has passed: it starts
// the attempt, unless Close came first.
func (s *session) redial() {
	ws := s.ws
	ws.mu.Lock()
	if s.closing != nil {
		claimed := s.endWaiting()
		ws.mu.Unlock()
		if claimed {
			ws.events.run(-1)
		}
		return
	}
	hctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	ws.mu.Unlock()
	s.dial(context.Background(), hctx) // on the timer's goroutine
}

// attemptFailed handles the failure of reconnect attempt s: another attempt
// is scheduled if the cause is transient and the policy allows one more,
// else the policy gives up; ws.mu must be held. It returns whether the
// caller took the callbacks' role.
func (s *session) attemptFailed(cause error) (claimed bool) {
	ws := s.ws
	r := s.cfg.reconnect
	if !transient(cause) || r.maxAttempts > 0 && s.attempt >= r.maxAttempts {
		return ws.giveUp(s, cause)
	}
	return ws.events.pushClaim(ws.scheduleReconnect(s, s.attempt+1, cause))
}

// endWaiting ends a session that waited to reconnect, for Close: the
// messages that waited are failed and the Close calls complete; no close
// event fires, since the session never opened. ws.mu must be held; it
// reports whether the caller took the callbacks' role.
func (s *session) endWaiting() (claimed bool) {
	ws := s.ws
	var cause error = net.ErrClosed
	if ws.lastClose != nil {
		cause = ws.lastClose
	}
	queue := s.queue
	s.queue = fifo[outgoing]{}
	claimed = s.failQueued(&queue, newError(ErrConnectionNotExist, cause, "send: the object was closed while it waited to reconnect"))
	for _, c := range s.closers {
		claimed = ws.completeLocked(c, nil) || claimed
	}
	ws.sess, ws.state = nil, stateClosed
	return claimed
}
