// Blocking ports the Promise forms of connect, send and close in the ArkTS
// @ohos.net.webSocket documentation to the blocking face of the package:
// ConnectContext, SendContext and CloseContext return an error instead of
// calling back. Messages still arrive through the message event; its callback
// hands them to run over a channel.
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

	"github.com/cangjie-go/ohos/callback"
	"github.com/cangjie-go/ohos/internal/echoserver"
	"github.com/cangjie-go/ohos/internal/exampleutil"
	"github.com/cangjie-go/ohos/networkkit/websocket"
	"github.com/samber/mo"
)

func run(ctx context.Context, url string, out io.Writer) error {
	ws := websocket.CreateWebSocket()
	messages := make(chan websocket.MessageData, 1)
	err := ws.OnMessage(websocket.WebSocketAsyncCallbackFunc[websocket.MessageData](func(_ mo.Option[callback.AsyncError], value mo.Option[websocket.MessageData]) {
		select {
		case messages <- value.OrEmpty():
		default: // run waits for one message only; drop the rest
		}
	}))
	if err != nil {
		return err
	}

	if err := ws.ConnectContext(ctx, url, nil); err != nil {
		return err
	}
	fmt.Fprintln(out, "connect success")
	sendErr := ws.SendContext(ctx, websocket.StringData("Hello, server!"))
	if sendErr == nil {
		fmt.Fprintln(out, "send success")
		select {
		case msg := <-messages:
			fmt.Fprintf(out, "message: %v\n", msg)
		case <-ctx.Done():
			sendErr = fmt.Errorf("no echo from %s: %w", url, ctx.Err())
		}
	}
	// Close in any case, so that the connection does not outlive run.
	closeErr := ws.CloseContext(ctx, nil)
	if closeErr == nil {
		fmt.Fprintln(out, "close success")
	}
	return errors.Join(sendErr, closeErr)
}

func main() { exampleutil.Main("blocking", echoserver.Options{}, run) }
