package websocket

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"sync/atomic"
	"time"
	"unicode/utf8"
	"unsafe"
)

// outgoing is one queued message, or (isClose) the client's Close frame.
type outgoing struct {
	text    string
	binary  []byte
	isText  bool
	isClose bool
	done    completion
	ticket  *sendTicket // SendContext only: lets the caller withdraw the message
}

func (m *outgoing) size() int { return len(m.text) + len(m.binary) }

// newOutgoing checks data and makes the message that sends it. A non-nil
// pointer to a StringData or ArrayData is sent as the value it points to.
func newOutgoing(data MessageData, done completion) (outgoing, error) {
	m := outgoing{done: done}
	switch d := data.(type) {
	case StringData:
		m.text, m.isText = string(d), true
	case ArrayData:
		m.binary = d
	case *StringData:
		if d == nil {
			return m, newError(ErrParameter, nil, "send: data is a nil *StringData")
		}
		m.text, m.isText = string(*d), true
	case *ArrayData:
		if d == nil {
			return m, newError(ErrParameter, nil, "send: data is a nil *ArrayData")
		}
		m.binary = *d
	case nil:
		return m, newError(ErrParameter, nil, "send: data is nil")
	default:
		return m, newError(ErrParameter, nil, "send: data of type %T is not supported; use StringData or ArrayData", data)
	}
	if m.isText && !utf8.ValidString(m.text) {
		return m, newError(ErrParameter, nil, "send: text is not valid UTF-8; send it as ArrayData")
	}
	return m, nil
}

// sendTicket is the state of a SendContext message, which its caller may
// give up on.
type sendTicket struct{ state atomic.Int32 }

const (
	ticketQueued    = iota // waiting in the queue
	ticketWriting          // the writer has begun writing it
	ticketDone             // written, or failed by the writer
	ticketWithdrawn        // the caller gave up before the writing began: never written
	ticketAbandoned        // the caller gave up during the writing: the connection is failed
)

// begin reports whether the writer may write the message: it was not
// withdrawn. A message without ticket always may.
func (t *sendTicket) begin() bool {
	return t == nil || t.state.CompareAndSwap(ticketQueued, ticketWriting)
}

// end marks the writing over.
func (t *sendTicket) end() {
	if t != nil {
		t.state.CompareAndSwap(ticketWriting, ticketDone)
	}
}

// errCancelledMidWrite is the cause of the failure of a connection whose
// SendContext caller gave up while its message was being written.
var errCancelledMidWrite = errors.New("the context of SendContext ended while its message was being written")

// giveUp is called by a SendContext caller whose ctx ended: it withdraws
// the message if its writing has not begun, and reports true. If the
// writing has begun, it fails the connection, because the rest of the
// message can no longer be written in time, and reports false: the caller
// then waits for the outcome, which the failure makes prompt.
func (s *session) giveUp(t *sendTicket, ctxErr error) bool {
	if t.state.CompareAndSwap(ticketQueued, ticketWithdrawn) {
		return true
	}
	if t.state.CompareAndSwap(ticketWriting, ticketAbandoned) {
		s.giveUpWriting(ctxErr)
	}
	return false
}

// giveUpWriting fails the connection because the context of a
// SendContext whose message was partly written has ended.
func (s *session) giveUpWriting(ctxErr error) {
	s.fail(newError(ErrConnectionFailed, fmt.Errorf("%w: %w", errCancelledMidWrite, ctxErr), "%v (%v); the link is dropped", errCancelledMidWrite, ctxErr))
}

// acquire takes the write side if it is free and the connection is open;
// ws.mu must be held.
func (s *session) acquire() bool {
	if s.writing || s.ended || s.w == nil {
		return false
	}
	s.writing = true
	return true
}

// kick starts a writer goroutine if something waits to be written and
// nobody owns the write side; ws.mu must be held.
func (s *session) kick() {
	if (s.queue.len() > 0 || s.ctrlDue.Load()) && s.acquire() {
		go s.writeLoop()
	}
}

// release gives the write side back after its owner's own write. Control
// frames that became due meanwhile are written first; queued messages are
// handed to a writer goroutine, so that the caller returns.
func (s *session) release() {
	ws := s.ws
	for {
		if s.ctrlDue.Load() {
			s.writeControls()
		}
		ws.mu.Lock()
		switch {
		case s.ctrlDue.Load() && !s.ended || s.final != nil:
			ws.mu.Unlock()
			continue
		case s.queue.len() > 0 && !s.ended:
			ws.mu.Unlock()
			go s.writeLoop() // the write side passes to it
			return
		}
		s.free()
		ws.mu.Unlock()
		return
	}
}

// free marks the write side free; ws.mu must be held.
func (s *session) free() {
	s.writing = false
	if s.idle != nil {
		close(s.idle)
		s.idle = nil
	}
}

// maxBatch is how many small queued messages one write may carry.
const maxBatch = 64

// writeLoop is the writer goroutine: it owns the write side and writes
// due control frames and queued messages until there are none, then gives
// the write side up. Runs of small messages are written together, one
// frame each, in one write.
func (s *session) writeLoop() {
	ws := s.ws
	var batch [maxBatch]outgoing
	var frames [maxBatch]frameOut
	for {
		if s.ctrlDue.Load() {
			s.writeControls()
		}
		ws.mu.Lock()
		if s.ctrlDue.Load() && !s.ended || s.final != nil {
			ws.mu.Unlock()
			continue
		}
		if s.ended || s.queue.len() == 0 {
			s.free()
			ws.mu.Unlock()
			return
		}
		n := 0
		limit := min(writeChunk/8, s.cfg.maxFrameSize)
		if s.deflate != nil { // messages to compress go one by one
			limit = min(limit, s.deflate.threshold-1)
		}
		for n < maxBatch {
			m, ok := s.queue.peek()
			if !ok || m.isClose || m.size() > limit {
				break
			}
			s.queue.pop()
			if m.ticket.begin() {
				batch[n] = m
				n++
			}
		}
		var single outgoing
		if n == 0 {
			var ok bool
			if single, ok = s.queue.pop(); !ok { // all were withdrawn
				ws.mu.Unlock()
				continue
			}
		}
		ws.mu.Unlock()

		switch {
		case n == 0:
			s.writeQueued(&single)
		case n == 1:
			err := s.writeMessage(&batch[0])
			batch[0].ticket.end()
			ws.complete(batch[0].done, err)
			batch[0] = outgoing{}
		default:
			for i := range n {
				m := &batch[i]
				frames[i] = frameOut{op: opBinary, data: m.binary}
				if m.isText {
					frames[i] = frameOut{op: opText, text: m.text}
				}
			}
			var err error
			if werr := s.w.writeFrames(frames[:n]); werr != nil {
				s.writeFailed(opName(frames[0].op), werr)
				err = s.sendError(werr)
			}
			for i := range n {
				batch[i].ticket.end()
				ws.complete(batch[i].done, err)
				batch[i], frames[i] = outgoing{}, frameOut{}
			}
		}
	}
}

// writeQueued writes one item taken from the queue: the client's Close
// frame, or a message (unless its SendContext caller withdrew it).
func (s *session) writeQueued(m *outgoing) {
	if m.isClose {
		s.ws.mu.Lock()
		req := s.closing
		s.ws.mu.Unlock()
		if err := s.w.writeClose(req.code, req.reason); err != nil {
			s.writeFailed("close", err)
		}
		return
	}
	if !m.ticket.begin() {
		return
	}
	err := s.writeMessage(m)
	m.ticket.end()
	s.ws.complete(m.done, err)
}

// writeMessage writes one message as frames of at most MaxFrameSize bytes,
// writing the control frames that became due between two of them; the
// caller owns the write side. It returns the error the message's sender
// gets: nil, or 2302006 when the connection broke or closed before the
// message was written whole.
func (s *session) writeMessage(m *outgoing) error { return s.writeMessageCtx(m, nil) }

// writeMessageCtx is writeMessage for SendContext: if ctx (when not nil)
// ends while the message is written, the connection is failed and the
// error wraps ctx.Err().
func (s *session) writeMessageCtx(m *outgoing, ctx context.Context) error {
	op := byte(opBinary)
	data := m.binary
	if m.isText {
		op = opText
		data = unsafe.Slice(unsafe.StringData(m.text), len(m.text))
	}
	first := op
	if d := s.deflate; d != nil && len(data) >= d.threshold {
		z, err := d.compress(data)
		if err != nil { // cannot happen: the compressor writes to memory
			s.writeFailed(opName(first), err)
			return s.sendError(err)
		}
		defer d.release()
		data, op = z, op|rsv1 // RSV1 on the first frame only
	}
	before := s.w.written
	for {
		n := min(len(data), s.cfg.maxFrameSize)
		fin := n == len(data)
		if err := s.w.writeFrame(op, fin, "", data[:n]); err != nil {
			if cerr := s.contextEnded(ctx); cerr != nil { // its deadline cut the write
				if s.w.untouched(before) { // nothing went out: withdrawn
					return cerr
				}
				s.giveUpWriting(cerr)
				return abandonedError(cerr)
			}
			s.writeFailed(opName(first), err)
			return s.sendError(err)
		}
		if fin {
			return nil
		}
		if ctx != nil && ctx.Err() != nil {
			s.giveUpWriting(ctx.Err())
			return abandonedError(ctx.Err())
		}
		data = data[n:]
		op = opContinuation
		if s.ctrlDue.Load() {
			if err := s.writeControls(); err != nil {
				return s.sendError(err)
			}
		}
	}
}

// contextEnded returns the error of ctx if it has ended, or
// context.DeadlineExceeded if the write deadline it set has passed (the
// socket's timer may fire a moment before the context's own).
func (s *session) contextEnded(ctx context.Context) error {
	if ctx == nil {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if !s.w.limit.IsZero() && !time.Now().Before(s.w.limit) {
		// The context's own timer is due: wait for it, so that what is
		// returned is ctx.Err() itself.
		t := time.NewTimer(100 * time.Millisecond)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
			return context.DeadlineExceeded
		}
	}
	return nil
}

// sendError is the error of a message whose writing failed with err: the
// write itself failed, or the connection ended (errCloseSent) before the
// message was written whole.
func (s *session) sendError(err error) error {
	if errors.Is(err, errCloseSent) {
		s.ws.mu.Lock()
		end := s.end
		s.ws.mu.Unlock()
		if end != nil {
			return newError(ErrConnectionNotExist, end, "send: the connection closed with %d %q before the message was sent whole", end.Code, end.Reason)
		}
		return newError(ErrConnectionNotExist, net.ErrClosed, "send: the connection closed before the message was sent whole")
	}
	return newError(ErrConnectionNotExist, fmt.Errorf("%w: %w", net.ErrClosed, err), "send: the connection broke while sending")
}

// writeControls writes the control frames that are due; the caller owns
// the write side. A Close frame that ends the connection goes first and
// nothing follows it (the error is errCloseSent, for a message cut off);
// then the Pong, then the keep-alive Ping. A failed write fails the
// connection and is returned.
func (s *session) writeControls() error {
	ws := s.ws
	ws.mu.Lock()
	final, pongs := s.final, s.pongs
	s.final, s.pongs = nil, nil
	pingDue, seq := s.pingDue, s.ka.seq
	s.pingDue = false
	var userPings []uint64
	if !s.ended { // only a Close frame may still go out
		userPings = s.takeUserPings()
	} else {
		pongs, pingDue = nil, false
	}
	s.ctrlDue.Store(false)
	ws.mu.Unlock()

	if final != nil {
		err := s.w.writeClose(final.code, final.reason)
		if err != nil && !errors.Is(err, errCloseSent) {
			s.writeFailed("close", err)
			return err
		}
		return errCloseSent
	}
	for _, p := range pongs {
		if err := s.w.writeFrame(opPong, true, "", p); err != nil {
			s.writeFailed("pong", err)
			return err
		}
	}
	if pingDue {
		payload := pingPayload(seq)
		if err := s.w.writeFrame(opPing, true, "", payload[:]); err != nil {
			s.writeFailed("ping", err)
			return err
		}
		s.pingWritten(seq)
	}
	for _, p := range userPings {
		var payload [8]byte
		binary.BigEndian.PutUint64(payload[:], p)
		if err := s.w.writeFrame(opPing, true, "", payload[:]); err != nil {
			s.writeFailed("ping", err)
			return err
		}
	}
	return nil
}

// maxPendingPongs bounds the Pings that wait for their Pong. When more
// arrive before the writer gets to them, the oldest go unanswered (RFC 6455
// §5.5.3 allows answering only the latest).
const maxPendingPongs = 16

// queuePong hands the payload of the server's Ping to the writer, which
// answers it; the reader calls it and never waits for the write.
func (s *session) queuePong(p []byte) {
	ws := s.ws
	ws.mu.Lock()
	defer ws.mu.Unlock()
	if s.ended {
		return
	}
	if len(s.pongs) == maxPendingPongs {
		s.pongs = s.pongs[1:]
	}
	s.pongs = append(s.pongs, append([]byte(nil), p...))
	s.ctrlDue.Store(true)
	s.kick()
}

// writeFailed fails the connection after a write of a frame of the given
// kind failed with err: the socket is closed at once, so no frame stays
// half written on a connection that goes on, and the reader ends the
// connection with the error event (code 200) and close 1006. A failure
// while the client closes, or after the connection ended, is not
// reported: the link was going away.
func (s *session) writeFailed(kind string, err error) {
	if errors.Is(err, errCloseSent) {
		return
	}
	var what string
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		what = fmt.Sprintf("writing a %s frame timed out after %v (WriteTimeout)", kind, s.cfg.writeTimeout)
	} else {
		what = fmt.Sprintf("writing a %s frame failed: %v", kind, err)
	}
	s.fail(newError(ErrConnectionFailed, fmt.Errorf("%w: %w", ErrLinkDown, err), "%s; the link is dropped", what))
}

// fail ends the connection because of err: the socket is closed and the
// reader reports err through the error event, then close 1006. Only the
// first failure is reported, and none once the client is closing or the
// connection has ended.
func (s *session) fail(err error) {
	ws := s.ws
	ws.mu.Lock()
	if !s.ended && s.closing == nil && s.failure == nil {
		s.failure = err
	}
	ws.mu.Unlock()
	s.dropLink()
}

// sendNow writes m on the calling goroutine if the connection is open and
// nothing is queued or being written, and reports whether it did; ws.mu
// must be held, and sendNow releases it when it reports true. The outcome
// is returned: the caller completes m.
func (s *session) sendNow(m *outgoing) (bool, error) {
	if s.ws.state != stateOpen || s.queue.len() > 0 || !s.acquire() {
		return false, nil
	}
	s.ws.mu.Unlock()
	err := s.writeMessage(m)
	s.release()
	return true, err
}

// sendContextNow is sendNow for SendContext: if ctx can end, a ticket lets
// its end fail the connection while the message is being written, so that
// the caller returns promptly.
//
// A ctx with a deadline costs nothing more: the deadline becomes the
// socket's write deadline while the message is written, and the context is
// checked between frames; an explicit cancellation then takes effect at
// the next frame boundary or at the deadline. A ctx without a deadline is
// watched with context.AfterFunc, so that its cancellation ends even a
// write blocked on a server that does not read.
func (s *session) sendContextNow(ctx context.Context, m *outgoing) (bool, error) {
	if ctx.Done() == nil {
		return s.sendNow(m)
	}
	if s.ws.state != stateOpen || s.queue.len() > 0 || !s.acquire() {
		return false, nil
	}
	s.ws.mu.Unlock()
	if deadline, ok := ctx.Deadline(); ok {
		s.w.limit = deadline
		err := s.writeMessageCtx(m, ctx)
		s.w.limit = time.Time{}
		s.release()
		return true, err
	}
	t := new(sendTicket)
	t.state.Store(ticketWriting)
	stop := context.AfterFunc(ctx, func() { s.giveUp(t, ctx.Err()) })
	err := s.writeMessage(m)
	finished := t.state.CompareAndSwap(ticketWriting, ticketDone) // before stop: a late giveUp then finds nothing to abandon
	stop()
	if !finished && err != nil {
		err = abandonedError(ctx.Err())
	}
	s.release()
	return true, err
}

// abandonedError is what SendContext returns when its ctx ended while its
// message was being written, and the connection was failed for it.
func abandonedError(ctxErr error) error {
	return newError(ErrConnectionNotExist, fmt.Errorf("%w: %w", net.ErrClosed, ctxErr), "send: %v", errCancelledMidWrite)
}

// flushCoalesced ends coalescing: the messages that Send queued meanwhile
// are written now, in as few writes as they fit, on the reader's
// goroutine. The reader calls it before it waits for the socket, for room
// in the receive queue, or for the end.
func (s *session) flushCoalesced() {
	if !s.coalescing.Load() {
		return
	}
	ws := s.ws
	ws.mu.Lock()
	s.coalescing.Store(false)
	own := s.queue.len() > 0 && s.acquire()
	ws.mu.Unlock()
	if own {
		s.writeLoop()
	}
}
