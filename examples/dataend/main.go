// Dataend ports the example of on('dataEnd', callback) in the ArkTS
// @ohos.net.webSocket documentation: the dataEnd event follows every message
// event. The program sends two messages and prints the message and dataEnd
// events of their echoes, then closes.
//
// Usage:
//
//	go run ./examples/dataend [-url ws://host:port/path]
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
	ignore := func(mo.Option[callback.AsyncError], mo.Option[bool]) {}
	ends := 0 // only the dataEnd callback uses it
	if err := errors.Join(
		ws.OnOpen(websocket.WebSocketAsyncCallbackFunc[map[uint32]string](func(mo.Option[callback.AsyncError], mo.Option[map[uint32]string]) {
			ws.Send(websocket.StringData("first"), ignore)
			ws.Send(websocket.StringData("second"), ignore)
		})),
		ws.OnMessage(websocket.WebSocketAsyncCallbackFunc[websocket.MessageData](func(_ mo.Option[callback.AsyncError], value mo.Option[websocket.MessageData]) {
			fmt.Fprintf(out, "on message: %v\n", value.OrEmpty())
		})),
		ws.OnDataEnd(callback.Callback0Func(func() {
			fmt.Fprintln(out, "on dataEnd")
			if ends++; ends == 2 {
				ws.Close(ignore, nil) // the close event reports the end
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

func main() { exampleutil.Main("dataend", echoserver.Options{}, run) }
