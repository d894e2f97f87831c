package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/cangjie-go/ohos/callback"
	"github.com/cangjie-go/ohos/networkkit/websocket"
	"github.com/samber/mo"
)

// This library, used only through its public API with default options
// (nil *RequestOptions), as an application would; the compressed workloads
// set only what they need (requestOptions).

// requestOptions are the options of a dial: nil unless the workload
// compresses; then the mode, level and threshold every client uses, and the
// wire counter as the dial function.
func requestOptions(o dialOpts) *websocket.RequestOptions {
	if o.z == zOff {
		return nil
	}
	ro := &websocket.RequestOptions{CompressionLevel: zLevel, CompressionThreshold: zThreshold}
	switch o.z {
	case zTakeover:
		ro.Compression = websocket.CompressionContextTakeover
	case zNoTakeover:
		ro.Compression = websocket.CompressionNoContextTakeover
	}
	if o.wire != nil {
		ro.DialContext = o.wire.DialContext
	}
	return ro
}

// checkOurs checks the extension the server answered, for a compressed
// workload (ws.Extensions is the answer as the server sent it).
func checkOurs(ws *websocket.WebSocket, o dialOpts) error {
	if err := o.z.checkAnswer(ws.Extensions()); err != nil {
		return fmt.Errorf("compression: %w", err)
	}
	return nil
}

type oursCallback struct {
	ws     *websocket.WebSocket
	p      *pump
	closed chan websocket.CloseResult
}

// dialOursCallback is the callback face: Connect with a callback, the
// message event drives the stream (each echo's callback sends the next
// message), Send with one reusable callback, Close with a callback.
func dialOursCallback(ctx context.Context, url string, o dialOpts) (session, error) {
	s := &oursCallback{ws: websocket.CreateWebSocket(), closed: make(chan websocket.CloseResult, 1)}
	var sendCB callback.AsyncCallback[bool] = callback.AsyncCallback[bool](
		func(err mo.Option[callback.AsyncError], _ mo.Option[bool]) {
			if e, failed := err.Get(); failed {
				s.p.fail(fmt.Errorf("send callback: %w", e))
			}
		})
	s.p = newPump(func(b []byte) error {
		s.ws.Send(websocket.ArrayData(b), sendCB)
		return nil
	})
	_ = s.ws.OnMessage(websocket.WebSocketAsyncCallbackFunc[websocket.MessageData](
		func(err mo.Option[callback.AsyncError], data mo.Option[websocket.MessageData]) {
			if e, failed := err.Get(); failed {
				s.p.fail(e)
				return
			}
			b, ok := data.MustGet().(websocket.ArrayData)
			if !ok {
				s.p.fail(errors.New("text message received"))
				return
			}
			s.p.onMessage(b)
		}))
	_ = s.ws.OnClose(websocket.WebSocketAsyncCallbackFunc[websocket.CloseResult](
		func(_ mo.Option[callback.AsyncError], data mo.Option[websocket.CloseResult]) {
			r := data.OrEmpty()
			s.p.fail(fmt.Errorf("closed: %d %s", r.Code, r.Reason))
			select {
			case s.closed <- r:
			default:
			}
		}))
	connected := make(chan error, 1)
	s.ws.Connect(url, callback.AsyncCallback[bool](
		func(err mo.Option[callback.AsyncError], _ mo.Option[bool]) {
			if e, failed := err.Get(); failed {
				connected <- e
				return
			}
			connected <- nil
		}), requestOptions(o))
	select {
	case err := <-connected:
		if err != nil {
			return nil, err
		}
		if err := checkOurs(s.ws, o); err != nil {
			return nil, err
		}
		return s, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (s *oursCallback) stream(ctx context.Context, ring [][]byte, window, n int) error {
	return s.p.run(ctx, ring, window, n)
}

func (s *oursCallback) paced(ctx context.Context, buf []byte, pc pace) (int, error) {
	return s.p.paced(ctx, buf, pc)
}

// park: nothing to do, the library's own goroutines wait for messages.
func (s *oursCallback) park() {}

// close waits for the Close callback and the close event.
func (s *oursCallback) close(ctx context.Context) error {
	done := make(chan error, 1)
	s.ws.Close(callback.AsyncCallback[bool](
		func(err mo.Option[callback.AsyncError], _ mo.Option[bool]) {
			if e, failed := err.Get(); failed {
				done <- e
				return
			}
			done <- nil
		}), nil)
	select {
	case err := <-done:
		if err != nil {
			return err
		}
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-s.closed:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// oursBlocking is the blocking face: ConnectContext, SendContext,
// CloseContext, and a blocking receive through [receiver].
type oursBlocking struct {
	ws *websocket.WebSocket
	rx receiver
}

func dialOursBlocking(ctx context.Context, url string, o dialOpts) (session, error) {
	s := &oursBlocking{ws: websocket.CreateWebSocket()}
	s.rx.init(s.ws)
	if err := s.ws.ConnectContext(ctx, url, requestOptions(o)); err != nil {
		return nil, err
	}
	if err := checkOurs(s.ws, o); err != nil {
		return nil, err
	}
	return s, nil
}

// send is SendContext with the caller's context, as an application passes
// it (the workloads' contexts carry the run's deadline).
func (s *oursBlocking) send(ctx context.Context, p []byte) error {
	return s.ws.SendContext(ctx, websocket.ArrayData(p))
}

func (s *oursBlocking) recv(ctx context.Context) ([]byte, error) {
	return s.rx.receive(ctx)
}

func (s *oursBlocking) stream(ctx context.Context, ring [][]byte, window, n int) error {
	return streamSync(ctx, s, ring, window, n)
}

func (s *oursBlocking) paced(ctx context.Context, buf []byte, pc pace) (int, error) {
	return pacedSync(ctx, s, buf, pc)
}

// park: nothing to do; the library's reader runs, and messages would wait
// for ReceiveContext.
func (s *oursBlocking) park() {}

func (s *oursBlocking) close(ctx context.Context) error {
	return s.ws.CloseContext(ctx, nil)
}

// ---- The blocking face's receive: the one place to change ----
//
// receiver is the blocking face's receive side: WebSocket.ReceiveContext
// with the caller's context. No listener is registered, so every message
// waits for ReceiveContext; the end of the connection is its error.
//
// The workloads and the allocation benchmark BenchmarkOursBlockingReceive
// receive through this type only.
type receiver struct {
	ws *websocket.WebSocket
}

// init binds the receiver to ws, before it connects.
func (r *receiver) init(ws *websocket.WebSocket) { r.ws = ws }

// receive returns the next message.
func (r *receiver) receive(ctx context.Context) ([]byte, error) {
	d, err := r.ws.ReceiveContext(ctx)
	if err != nil {
		return nil, err
	}
	b, ok := d.(websocket.ArrayData)
	if !ok {
		return nil, errors.New("text message received")
	}
	return b, nil
}
