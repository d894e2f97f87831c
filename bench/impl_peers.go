package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	coder "github.com/coder/websocket"
	gorilla "github.com/gorilla/websocket"
	"github.com/lxzan/gws"
)

// ---- raw gorilla: the default Dialer, WriteMessage / ReadMessage ----
//
// Compressed (no context takeover only: gorilla's client offers nothing
// else): a copy of the default Dialer with EnableCompression and the wire
// counter's dial function, and the connection's compression level set.

type gorillaConn struct {
	c *gorilla.Conn
	// reader is the idle connection's reader goroutine's outcome; nil when
	// the connection is read by stream.
	reader chan error
}

func dialGorilla(ctx context.Context, url string, o dialOpts) (session, error) {
	dialer := gorilla.DefaultDialer
	if o.z != zOff {
		if !supports("gorilla", o.z) {
			return nil, fmt.Errorf("gorilla's client cannot negotiate %s", o.z)
		}
		dz := *gorilla.DefaultDialer
		dz.EnableCompression = true
		if o.wire != nil {
			dz.NetDialContext = o.wire.DialContext
		}
		dialer = &dz
	}
	c, resp, err := dialer.DialContext(ctx, url, nil)
	if err != nil {
		return nil, err
	}
	if o.z != zOff {
		if err := o.z.checkAnswer(resp.Header.Get("Sec-WebSocket-Extensions")); err != nil {
			c.Close()
			return nil, fmt.Errorf("compression: %w", err)
		}
		c.EnableWriteCompression(true)
		if err := c.SetCompressionLevel(zLevel); err != nil {
			c.Close()
			return nil, err
		}
	}
	if d, ok := ctx.Deadline(); ok {
		_ = c.SetReadDeadline(d)
		_ = c.SetWriteDeadline(d)
	}
	return &gorillaConn{c: c}, nil
}

// park reads in a goroutine of its own, as an application waiting for
// messages does.
func (g *gorillaConn) park() {
	g.reader = make(chan error, 1)
	go func() {
		for {
			if _, _, err := g.c.ReadMessage(); err != nil {
				g.reader <- err
				return
			}
		}
	}()
}

func (g *gorillaConn) send(_ context.Context, p []byte) error {
	return g.c.WriteMessage(gorilla.BinaryMessage, p)
}

func (g *gorillaConn) recv(context.Context) ([]byte, error) {
	_, b, err := g.c.ReadMessage()
	return b, err
}

func (g *gorillaConn) stream(ctx context.Context, ring [][]byte, window, n int) error {
	return streamSync(ctx, g, ring, window, n)
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
//
// Compressed: CompressionContextTakeover or CompressionNoContextTakeover
// (coder compresses at flate's BestSpeed, level 1, and has no other), the
// common threshold, and an HTTPClient whose Transport dials through the wire
// counter.

type coderConn struct {
	c      *coder.Conn
	cancel context.CancelFunc
}

func dialCoder(ctx context.Context, url string, o dialOpts) (session, error) {
	opts := &coder.DialOptions{CompressionMode: coder.CompressionDisabled}
	switch o.z {
	case zTakeover:
		opts.CompressionMode = coder.CompressionContextTakeover
	case zNoTakeover:
		opts.CompressionMode = coder.CompressionNoContextTakeover
	}
	if o.z != zOff {
		opts.CompressionThreshold = zThreshold
	}
	if o.wire != nil {
		opts.HTTPClient = o.wire.HTTPClient()
	}
	c, resp, err := coder.Dial(ctx, url, opts)
	if err != nil {
		return nil, err
	}
	if o.z != zOff {
		if err := o.z.checkAnswer(resp.Header.Get("Sec-WebSocket-Extensions")); err != nil {
			c.CloseNow()
			return nil, fmt.Errorf("compression: %w", err)
		}
	}
	c.SetReadLimit(64 << 20)
	return &coderConn{c: c}, nil
}

// park reads in a goroutine of its own, as an application waiting for
// messages does.
func (c *coderConn) park() {
	go func() {
		for {
			if _, _, err := c.c.Read(context.Background()); err != nil {
				return
			}
		}
	}()
}

func (c *coderConn) send(ctx context.Context, p []byte) error {
	return c.c.Write(ctx, coder.MessageBinary, p)
}

func (c *coderConn) recv(ctx context.Context) ([]byte, error) {
	_, b, err := c.c.Read(ctx)
	return b, err
}

func (c *coderConn) stream(ctx context.Context, ring [][]byte, window, n int) error {
	return streamSync(ctx, c, ring, window, n)
}

func (c *coderConn) paced(ctx context.Context, buf []byte, pc pace) (int, error) {
	return pacedSync(ctx, c, buf, pc)
}

func (c *coderConn) close(context.Context) error {
	return c.c.Close(coder.StatusNormalClosure, "")
}

// ---- gws: client with an event handler; the read loop runs the callbacks ----
//
// Compressed: PermessageDeflate with the mode's context takeover both ways,
// the common level and threshold (gws compresses every message anyway when
// its side keeps the context), and NewDialer returning the wire counter.

type gwsConn struct {
	gws.BuiltinEventHandler
	socket *gws.Conn
	p      *pump
	closed chan struct{}
}

func dialGws(ctx context.Context, url string, o dialOpts) (session, error) {
	g := &gwsConn{closed: make(chan struct{})}
	g.p = newPump(func(b []byte) error { return g.socket.WriteMessage(gws.OpcodeBinary, b) })
	opt := &gws.ClientOption{Addr: url, ReadMaxPayloadSize: 64 << 20, WriteMaxPayloadSize: 64 << 20}
	if d, ok := ctx.Deadline(); ok {
		opt.HandshakeTimeout = time.Until(d)
	}
	if o.z != zOff {
		opt.PermessageDeflate = gws.PermessageDeflate{
			Enabled:               true,
			Level:                 zLevel,
			Threshold:             zThreshold,
			ServerContextTakeover: o.z == zTakeover,
			ClientContextTakeover: o.z == zTakeover,
		}
	}
	if o.wire != nil {
		opt.NewDialer = func() (gws.Dialer, error) { return o.wire, nil }
	}
	socket, resp, err := gws.NewClient(g, opt)
	if err != nil {
		return nil, err
	}
	if o.z != zOff {
		if err := o.z.checkAnswer(resp.Header.Get("Sec-WebSocket-Extensions")); err != nil {
			_ = socket.NetConn().Close()
			return nil, fmt.Errorf("compression: %w", err)
		}
	}
	g.socket = socket
	go socket.ReadLoop()
	return g, nil
}

// park: nothing to do, the read loop waits for messages.
func (g *gwsConn) park() {}

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

func (g *gwsConn) stream(ctx context.Context, ring [][]byte, window, n int) error {
	return g.p.run(ctx, ring, window, n)
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
