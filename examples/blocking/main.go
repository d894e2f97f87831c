// Blocking is the second program of the README: the blocking face of the
// package, for Go programs that want no callbacks at all. ConnectContext,
// SendContext and CloseContext return an error instead of calling back (as
// the Promise forms of the ArkTS documentation resolve or reject), and
// ReceiveContext returns the next message. It connects, sends
// "Hello, server!", waits for the echo, prints it, and closes.
//
// Usage:
//
//	go run ./examples/blocking [-url ws://host:port/path]
//
// Without -url it starts an echo server on 127.0.0.1 and talks to that.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/cangjie-go/ohos/internal/echoserver"
	"github.com/cangjie-go/ohos/internal/exampleutil"
	"github.com/cangjie-go/ohos/networkkit/websocket"
)

func run(ctx context.Context, url string, out io.Writer) error {
	ws := websocket.CreateWebSocket()
	fmt.Fprintln(out, "connecting to", url)
	if err := ws.ConnectContext(ctx, url, nil); err != nil {
		return err // code 200 if the connection failed, 2302001 for a bad URL, ...
	}
	fmt.Fprintln(out, "connected")

	// After a failure, close anyway, so that the connection does not outlive run.
	if err := ws.SendContext(ctx, websocket.StringData("Hello, server!")); err != nil {
		return errors.Join(err, ws.CloseContext(ctx, nil))
	}
	// No message listener is registered, so messages wait for ReceiveContext.
	msg, err := ws.ReceiveContext(ctx)
	if err != nil {
		return errors.Join(err, ws.CloseContext(ctx, nil))
	}
	fmt.Fprintln(out, "message:", msg)

	if err := ws.CloseContext(ctx, nil); err != nil {
		return err
	}
	fmt.Fprintln(out, "closed")
	return nil
}

func main() { exampleutil.Main("blocking", echoserver.Options{}, run) }
