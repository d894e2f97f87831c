package websocket

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"time"
	"unsafe"
)

// NetConnOptions shape the net.Conn that [WebSocket.NetConn] returns. A nil
// *NetConnOptions means binary messages.
type NetConnOptions struct {
	// Text makes Write send text messages (each Write must then be valid
	// UTF-8, else Write fails with error 401). Defaults to false: binary
	// messages.
	Text bool
}

// NetConn returns a net.Conn over the open connection, for code that
// takes a byte stream (yamux, a TLS or HTTP connection inside the
// WebSocket, ...). Each Write sends its bytes as one message; Read returns
// the bytes of the received messages, text or binary, in order, and a
// message may take several Reads.
//
// Read takes its messages through [WebSocket.ReceiveContext], so no
// message or dataEnd listener may be registered while the net.Conn is used
// (NetConn refuses with 401 if one is). Read returns io.EOF once the
// connection has closed with 1000 and every message was read, and the
// error ReceiveContext returns for any other end.
//
// Deadlines work as net.Conn documents them: a Read or Write blocked when
// its deadline passes returns an error that wraps os.ErrDeadlineExceeded
// (a net.Error whose Timeout is true), and the connection goes on, with one
// exception that follows from the package's rule for SendContext: if the
// write deadline passes after a message was partly written, the connection
// is failed (see the package documentation, section Writing). Close closes
// the WebSocket with code 1000 and waits for the closing handshake
// (bounded by RequestOptions.CloseTimeout). The net.Conn belongs to the
// connection that was open when NetConn was called: once the object has
// connected again, it reports net.ErrClosed.
//
// NetConn returns error 2302006 if the object has no open connection.
func (ws *WebSocket) NetConn(options *NetConnOptions) (net.Conn, error) {
	ws.mu.Lock()
	s := ws.sess
	open := s != nil && ws.state == stateOpen
	ws.mu.Unlock()
	if !open {
		return nil, newError(ErrConnectionNotExist, net.ErrClosed, "NetConn: the object has no open connection")
	}
	if len(ws.events.l.get(evMessage)) > 0 || len(ws.events.l.get(evDataEnd)) > 0 {
		return nil, newError(ErrParameter, nil, "NetConn: a message or dataEnd listener is registered; messages would go to it instead of Read")
	}
	c := &netConn{ws: ws, s: s, local: s.w.LocalAddr(), remote: s.w.RemoteAddr()}
	if options != nil {
		c.text = options.Text
	}
	c.rd.init()
	c.wd.init()
	return c, nil
}

// netConn is the net.Conn of NetConn.
type netConn struct {
	ws            *WebSocket
	s             *session // the connection it belongs to
	text          bool
	local, remote net.Addr
	rd, wd        deadline

	rmu  sync.Mutex // one Read at a time
	rest []byte     // unread bytes of the last message

	closeOnce sync.Once
}

// current reports whether the object still has the net.Conn's connection,
// or none (the connection ended, and its last messages may still be read).
func (c *netConn) current() bool {
	c.ws.mu.Lock()
	defer c.ws.mu.Unlock()
	return c.ws.sess == c.s || c.ws.sess == nil
}

func (c *netConn) Read(p []byte) (int, error) {
	c.rmu.Lock()
	defer c.rmu.Unlock()
	if len(c.rest) == 0 {
		if !c.current() {
			return 0, net.ErrClosed
		}
		m, err := c.ws.ReceiveContext(c.rd.context())
		if err != nil {
			if r, ok := CloseStatus(err); ok && r.Code == CloseNormalClosure {
				return 0, io.EOF
			}
			return 0, timeout(err)
		}
		switch m := m.(type) {
		case StringData:
			c.rest = unsafe.Slice(unsafe.StringData(string(m)), len(m)) // only read
		case ArrayData:
			c.rest = m
		}
	}
	n := copy(p, c.rest)
	c.rest = c.rest[n:]
	return n, nil
}

func (c *netConn) Write(p []byte) (int, error) {
	if !c.current() {
		return 0, net.ErrClosed
	}
	var m MessageData = ArrayData(p)
	if c.text {
		m = StringData(p)
	}
	if err := c.ws.SendContext(c.wd.context(), m); err != nil {
		return 0, timeout(err)
	}
	return len(p), nil
}

func (c *netConn) Close() error {
	err := net.ErrClosed
	c.closeOnce.Do(func() {
		err = nil
		if c.current() {
			err = c.ws.CloseContext(context.Background(), nil)
			if errors.Is(err, net.ErrClosed) { // the connection had ended already
				err = nil
			}
		}
		c.rd.set(aLongTimeAgo)
		c.wd.set(aLongTimeAgo)
	})
	return err
}

func (c *netConn) LocalAddr() net.Addr  { return c.local }
func (c *netConn) RemoteAddr() net.Addr { return c.remote }

func (c *netConn) SetDeadline(t time.Time) error {
	c.rd.set(t)
	c.wd.set(t)
	return nil
}
func (c *netConn) SetReadDeadline(t time.Time) error  { c.rd.set(t); return nil }
func (c *netConn) SetWriteDeadline(t time.Time) error { c.wd.set(t); return nil }

// deadline is a settable deadline. Each period until it passes has a
// context that is cancelled when it passes, so that a blocked call sees a
// change of the deadline made while it waits.
type deadline struct {
	mu     sync.Mutex
	timer  *time.Timer
	ctx    context.Context
	cancel context.CancelFunc
}

func (d *deadline) init() { d.ctx, d.cancel = context.WithCancel(context.Background()) }

// set moves the deadline to t; the zero time means none.
func (d *deadline) set(t time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.timer != nil {
		d.timer.Stop()
		d.timer = nil
	}
	if d.ctx.Err() != nil { // it had passed: a new period
		d.init()
	}
	switch {
	case t.IsZero():
	case time.Until(t) <= 0:
		d.cancel()
	default:
		d.timer = time.AfterFunc(time.Until(t), d.cancel)
	}
}

// context returns the context of the current period.
func (d *deadline) context() context.Context {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.ctx
}

// timeout turns the error of a call whose deadline context ended into one
// that wraps os.ErrDeadlineExceeded, as net.Conn's errors do.
func timeout(err error) error {
	switch {
	case err == context.Canceled:
		return os.ErrDeadlineExceeded
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("%w (%w)", err, os.ErrDeadlineExceeded)
	}
	return err
}
