// Off ports the example of off('open', callback) in the ArkTS
// @ohos.net.webSocket documentation: it registers callback1 for the open
// event, removes it again with Off, and shows that only callback2, which
// stays registered, runs when the connection opens.
//
// Usage:
//
//	go run ./examples/off [-url ws://host:port/path]
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
	// onOpen returns an open callback that prints its name and the status.
	onOpen := func(name string) websocket.WebSocketAsyncCallbackFunc[map[uint32]string] {
		return func(_ mo.Option[callback.AsyncError], value mo.Option[map[uint32]string]) {
			for status, message := range value.OrEmpty() {
				fmt.Fprintf(out, "%s: on open, status: %d, message: %s\n", name, status, message)
			}
			ws.Close(func(mo.Option[callback.AsyncError], mo.Option[bool]) {}, nil) // the close event reports the end
		}
	}
	callback1, callback2 := onOpen("callback1"), onOpen("callback2")
	if err := errors.Join(
		ws.On(websocket.EventOpen{}, callback1),
		ws.On(websocket.EventOpen{}, callback2),
		// Off finds callback1 by identity: pass the very value given to On.
		// Off(websocket.EventOpen{}, nil) would remove every open callback.
		ws.Off(websocket.EventOpen{}, callback1),
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

func main() { exampleutil.Main("off", echoserver.Options{}, run) }
