// Sendtext ports the example of send(data, callback) in the ArkTS
// @ohos.net.webSocket documentation: once the open event arrives, it sends a
// text message (a string) and a binary message (an ArrayBuffer, here
// ArrayData), prints the echo of each, and closes.
//
// Usage:
//
//	go run ./examples/sendtext [-url ws://host:port/path]
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
	closed := make(chan struct{})
	sent := func(err mo.Option[callback.AsyncError], _ mo.Option[bool]) {
		if e, failed := err.Get(); failed {
			fmt.Fprintf(out, "send fail, err: %v\n", e)
		} else {
			fmt.Fprintln(out, "send success")
		}
	}
	received := 0 // only the message callback uses it
	if err := errors.Join(
		ws.OnOpen(websocket.WebSocketAsyncCallbackFunc[map[uint32]string](func(mo.Option[callback.AsyncError], mo.Option[map[uint32]string]) {
			// send may be called once the open event has arrived.
			ws.Send(websocket.StringData("Hello, server!"), sent)
			ws.Send(websocket.ArrayData{1, 2, 3}, sent)
		})),
		ws.OnMessage(websocket.WebSocketAsyncCallbackFunc[websocket.MessageData](func(_ mo.Option[callback.AsyncError], value mo.Option[websocket.MessageData]) {
			switch msg := value.OrEmpty().(type) {
			case websocket.StringData:
				fmt.Fprintf(out, "on message, text: %s\n", msg)
			case websocket.ArrayData:
				fmt.Fprintf(out, "on message, binary: %v\n", msg) // Cangjie's toString: [1, 2, 3]
			}
			if received++; received == 2 {
				ws.Close(func(mo.Option[callback.AsyncError], mo.Option[bool]) {}, nil) // the close event reports the end
			}
		})),
		ws.OnClose(websocket.WebSocketAsyncCallbackFunc[websocket.CloseResult](func(mo.Option[callback.AsyncError], mo.Option[websocket.CloseResult]) {
			close(closed)
		})),
	); err != nil {
		return err
	}

	if err := ws.ConnectContext(ctx, url, nil); err != nil {
		return err
	}
	select {
	case <-closed:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("no close event from %s: %w", url, ctx.Err())
	}
}

func main() { exampleutil.Main("sendtext", echoserver.Options{}, run) }
