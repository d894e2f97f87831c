// Closeoptions ports the example of close(options, callback) in the ArkTS
// @ohos.net.webSocket documentation: it closes an open connection with code
// 1000 and the reason "your reason", and prints the close callback's result
// and the code and reason of the close event.
//
// Usage:
//
//	go run ./examples/closeoptions [-url ws://host:port/path]
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
	if err := errors.Join(
		ws.OnOpen(websocket.WebSocketAsyncCallbackFunc[map[uint32]string](func(mo.Option[callback.AsyncError], mo.Option[map[uint32]string]) {
			options := &websocket.CloseOptions{Code: 1000, Reason: "your reason"}
			ws.Close(func(err mo.Option[callback.AsyncError], _ mo.Option[bool]) {
				if e, failed := err.Get(); failed {
					fmt.Fprintf(out, "close fail, err is %v\n", e)
				} else {
					fmt.Fprintln(out, "close success")
				}
			}, options)
		})),
		ws.OnClose(websocket.WebSocketAsyncCallbackFunc[websocket.CloseResult](func(_ mo.Option[callback.AsyncError], value mo.Option[websocket.CloseResult]) {
			res := value.OrEmpty()
			fmt.Fprintf(out, "on close, code is %d, reason is %s\n", res.Code, res.Reason)
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

func main() { exampleutil.Main("closeoptions", echoserver.Options{}, run) }
