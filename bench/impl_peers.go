package main

import (
	"context"
	"errors"
	"time"

	coder "github.com/coder/websocket"
	gorilla "github.com/gorilla/websocket"
	"github.com/lxzan/gws"
)

// ---- raw gorilla: the default Dialer, WriteMessage / ReadMessage ----

type gorillaConn struct {
	c *gorilla.Conn
	// reader is the idle connection's reader goroutine's outcome; nil when
	// the connection is read by stream.
	reader chan error
}

func dialGorilla(ctx context.Context, url string, idle bool) (session, error) {
	c, _, err := gorilla.DefaultDialer.DialContext(ctx, url, nil)
	if err != nil {
		return nil, err
	}
	if d, ok := ctx.Deadline(); ok {
		_ = c.SetReadDeadline(d)
		_ = c.SetWriteDeadline(d)
	}
	g := &gorillaConn{c: c}
	if idle {
		g.reader = make(chan error, 1)
		go func() {
			for {
				if _, _, err := c.ReadMessage(); err != nil {
					g.reader <- err
					return
				}
			}
		}()
	}
	return g, nil
}

func (g *gorillaConn) send(_ context.Context, p []byte) error {
	return g.c.WriteMessage(gorilla.BinaryMessage, p)
}

func (g *gorillaConn) recv(context.Context) ([]byte, error) {
	_, b, err := g.c.ReadMessage()
	return b, err
}

func (g *gorillaConn) stream(ctx context.Context, ring [][]byte, n int) error {
	return streamSync(ctx, g, ring, n)
}

func (g *gorillaConn) paced(ctx context.Context, buf []byte, pc pace) (int, error) {
	return pacedSync(ctx, g, buf, pc)
}

// close performs the closing handshake: send Close, read until the server's
// Close frame, then close the socket.
func (g *gorillaConn) close(context.Context) error {
	defer g.c.Close()
	msg := gorilla.FormatCloseMessage(gorilla.CloseNormalClosure, "")
	if err := g.c.WriteControl(gorilla.CloseMessage, msg, time.Now().Add(5*time.Second)); err != nil {
		return err
	}
	_ = g.c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if g.reader != nil { // the reader goroutine sees the server's Close
		if err := <-g.reader; !gorilla.IsCloseError(err, gorilla.CloseNormalClosure) {
			return err
		}
		return nil
	}
	for range 1000 {
		if _, _, err := g.c.ReadMessage(); err != nil {
			if gorilla.IsCloseError(err, gorilla.CloseNormalClosure) {
				return nil
			}
			return err
		}
	}
	return errors.New("no Close frame from the server")
}

// ---- coder/websocket: Dial, Write / Read ----

type coderConn struct {
	c      *coder.Conn
	cancel context.CancelFunc
}

func dialCoder(ctx context.Context, url string, idle bool) (session, error) {
	c, _, err := coder.Dial(ctx, url, &coder.DialOptions{CompressionMode: coder.CompressionDisabled})
	if err != nil {
		return nil, err
	}
	c.SetReadLimit(64 << 20)
	if idle {
		go func() {
			for {
				if _, _, err := c.Read(context.Background()); err != nil {
					return
				}
			}
		}()
	}
	return &coderConn{c: c}, nil
}

func (c *coderConn) send(ctx context.Context, p []byte) error {
	return c.c.Write(ctx, coder.MessageBinary, p)
}

func (c *coderConn) recv(ctx context.Context) ([]byte, error) {
	_, b, err := c.c.Read(ctx)
	return b, err
}

func (c *coderConn) stream(ctx context.Context, ring [][]byte, n int) error {
	return streamSync(ctx, c, ring, n)
}

func (c *coderConn) paced(ctx context.Context, buf []byte, pc pace) (int, error) {
	return pacedSync(ctx, c, buf, pc)
}

func (c *coderConn) close(context.Context) error {
	return c.c.Close(coder.StatusNormalClosure, "")
}

// ---- gws: client with an event handler; the read loop runs the callbacks ----

type gwsConn struct {
	gws.BuiltinEventHandler
	socket *gws.Conn
	p      *pump
	closed chan struct{}
}

func dialGws(ctx context.Context, url string, _ bool) (session, error) {
	g := &gwsConn{closed: make(chan struct{})}
	g.p = newPump(func(b []byte) error { return g.socket.WriteMessage(gws.OpcodeBinary, b) })
	opt := &gws.ClientOption{Addr: url, ReadMaxPayloadSize: 64 << 20, WriteMaxPayloadSize: 64 << 20}
	if d, ok := ctx.Deadline(); ok {
		opt.HandshakeTimeout = time.Until(d)
	}
	socket, _, err := gws.NewClient(g, opt)
	if err != nil {
		return nil, err
	}
	g.socket = socket
	go socket.ReadLoop()
	return g, nil
}

func (g *gwsConn) OnMessage(_ *gws.Conn, m *gws.Message) {
	g.p.onMessage(m.Bytes())
	_ = m.Close()
}

func (g *gwsConn) OnClose(_ *gws.Conn, err error) {
	if err == nil {
		err = errors.New("closed")
	}
	g.p.fail(err)
	close(g.closed)
}

func (g *gwsConn) stream(ctx context.Context, ring [][]byte, n int) error {
	return g.p.run(ctx, ring, n)
}

func (g *gwsConn) paced(ctx context.Context, buf []byte, pc pace) (int, error) {
	return g.p.paced(ctx, buf, pc)
}

// close is gws's own: WriteClose sends the Close frame and closes the
// socket; then the read loop ends.
func (g *gwsConn) close(ctx context.Context) error {
	_ = g.socket.WriteClose(1000, nil)
	select {
	case <-g.closed:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
