// Tour is the first program of the README: the callback face of the package
// in its short form. It connects, sends "Hello, server!" when the connection
// opens, prints the echo, closes, and returns once the close event has
// arrived. Connect, Send and Close return at once and report through their
// callbacks, so run waits for the events before it returns.
//
// Usage:
//
//	go run ./examples/tour [-url ws://host:port/path]
//
// Without -url it starts an echo server on 127.0.0.1 and talks to that.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/cangjie-go/ohos/callback"
	"github.com/cangjie-go/ohos/internal/echoserver"
	"github.com/cangjie-go/ohos/internal/exampleutil"
	"github.com/cangjie-go/ohos/networkkit/websocket"
)

func run(ctx context.Context, url string, out io.Writer) error {
	ws := websocket.CreateWebSocket()
	// done receives the outcome: nil from the close event, which ends every
	// connection that opened, or the error of a connection that never did.
	done := make(chan error, 1)
	opened := false // the callbacks run one at a time, so they share it without a lock

	ws.OnOpen(websocket.Data(func(status map[uint32]string) {
		opened = true
		fmt.Fprintln(out, "open:", status) // map[101:Switching Protocols]
		ws.Send(websocket.StringData("Hello, server!"), websocket.Done(func(err error) {
			if err != nil {
				fmt.Fprintln(out, "send failed:", err)
			}
		}))
	}))
	ws.OnMessage(websocket.Data(func(m websocket.MessageData) {
		fmt.Fprintln(out, "message:", m)
		ws.Close(websocket.Done(func(err error) {
			if err != nil {
				fmt.Fprintln(out, "close failed:", err)
			}
		}), nil)
	}))
	ws.OnClose(websocket.Data(func(r websocket.CloseResult) {
		fmt.Fprintf(out, "close: %d %q\n", r.Code, r.Reason)
		done <- nil
	}))
	ws.OnError(websocket.WebSocketErrorCallbackFunc(func(err *callback.BusinessException) {
		fmt.Fprintln(out, "error:", err)
		if !opened {
			done <- err // the handshake failed: no close event follows
		}
	}))

	fmt.Fprintln(out, "connecting to", url)
	ws.Connect(url, websocket.Done(func(err error) {
		// A failed handshake (code 200) is reported by the error event too,
		// which comes next; any other failure (a bad URL, ...) ends here.
		if err != nil && !errors.Is(err, websocket.ErrConnectionFailed) {
			done <- err
		}
	}), nil)

	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		ws.Close(websocket.Done(func(error) {}), nil) // give up the connection
		return fmt.Errorf("no close event from %s: %w", url, ctx.Err())
	}
}

func main() { exampleutil.Main("tour", echoserver.Options{}, run) }
