// Reconnect shows RequestOptions.Reconnect, which the platform lacks: the
// program starts an echo server of its own, connects with a reconnection
// policy, restarts the server under the open connection, and goes on
// without doing anything itself — the object reports the lost connection,
// connects again after a jittered delay, and sends what was sent
// meanwhile once it is back.
//
// Usage:
//
//	go run ./examples/reconnect
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/cangjie-go/ohos/internal/echoserver"
	"github.com/cangjie-go/ohos/internal/exampleutil"
	"github.com/cangjie-go/ohos/networkkit/websocket"
)

// run connects to srv, restarts it, and echoes one message before and one
// after the restart.
func run(ctx context.Context, srv *echoserver.Server, out io.Writer) error {
	out = &lockedWriter{w: out} // the callbacks print too, on their goroutine
	ws := websocket.CreateWebSocket()
	opened := make(chan struct{}, 1)
	lost := make(chan struct{}, 1)
	closed := make(chan struct{}, 2)
	err := errors.Join(
		ws.OnOpen(websocket.Data(func(map[uint32]string) {
			fmt.Fprintln(out, "open")
			opened <- struct{}{}
		})),
		ws.OnClose(websocket.Data(func(r websocket.CloseResult) {
			fmt.Fprintf(out, "close: %d %s\n", r.Code, r.Reason)
			closed <- struct{}{}
		})),
		ws.OnReconnect(websocket.Data(func(r websocket.Reconnect) {
			// The delay is drawn at random; the attempts may be more than
			// one if the server is slower to come back than the delay.
			fmt.Fprintf(out, "reconnect: attempt %d\n", r.Attempt)
			if r.Attempt == 1 {
				lost <- struct{}{}
			}
		})),
	)
	if err != nil {
		return err
	}
	policy := &websocket.ReconnectPolicy{InitialDelay: 100 * time.Millisecond, MaxDelay: time.Second}
	url := srv.WSURL("/")
	fmt.Fprintln(out, "connecting to", url)
	if err := ws.ConnectContext(ctx, url, &websocket.RequestOptions{Reconnect: policy}); err != nil {
		return err
	}
	defer ws.CloseContext(ctx, nil)
	<-opened
	if err := echo(ctx, ws, out, "before the restart"); err != nil {
		return err
	}

	fmt.Fprintln(out, "restarting the server")
	if err := srv.Restart(); err != nil {
		return err
	}
	select {
	case <-lost:
	case <-ctx.Done():
		return fmt.Errorf("the lost connection was not noticed: %w", ctx.Err())
	}
	// Sent while the client reconnects: it waits, and goes out on the new
	// connection. (A message sent before the client noticed the loss would
	// have been written to the dead link, and lost: delivery is at most
	// once.)
	sent := make(chan error, 1)
	ws.Send(websocket.StringData("after the restart"), websocket.Done(func(err error) { sent <- err }))
	select {
	case <-opened:
	case <-ctx.Done():
		return fmt.Errorf("not reconnected: %w", ctx.Err())
	}
	if err := <-sent; err != nil {
		return err
	}
	msg, err := ws.ReceiveContext(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "echo:", msg)
	if err := ws.CloseContext(ctx, nil); err != nil {
		return err
	}
	<-closed // the lost connection's
	select { // this one's: its callback may run after CloseContext returns
	case <-closed:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// echo sends text and prints its echo.
func echo(ctx context.Context, ws *websocket.WebSocket, out io.Writer, text string) error {
	if err := ws.SendContext(ctx, websocket.StringData(text)); err != nil {
		return err
	}
	msg, err := ws.ReceiveContext(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "echo:", msg)
	return nil
}

// lockedWriter serialises the writes of run and of the callbacks.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func main() {
	srv := echoserver.New(echoserver.Options{})
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), exampleutil.Timeout)
	defer cancel()
	if err := run(ctx, srv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "reconnect:", err)
		srv.Close()
		os.Exit(1)
	}
}
