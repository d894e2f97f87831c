// Headerreceive ports the example of on('headerReceive', callback) in the
// ArkTS @ohos.net.webSocket documentation: it prints the HTTP header of the
// server's handshake answer, which the headerReceive event delivers before
// the open event, one field per line, and closes.
//
// Usage:
//
//	go run ./examples/headerreceive [-url ws://host:port/path]
//
// Without -url it starts an echo server on 127.0.0.1 and talks to that.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"

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
		ws.OnHeaderReceive(callback.Callback1Func[websocket.ResponseHeaders](func(data websocket.ResponseHeaders) {
			switch h := data.(type) {
			case websocket.MapData: // names are lower case
				for _, name := range slices.Sorted(maps.Keys(h)) {
					fmt.Fprintf(out, "on headerReceive %s: %s\n", name, h[name])
				}
			default:
				fmt.Fprintf(out, "on headerReceive %v\n", h)
			}
		})),
		ws.OnOpen(websocket.WebSocketAsyncCallbackFunc[map[uint32]string](func(mo.Option[callback.AsyncError], mo.Option[map[uint32]string]) {
			ws.Close(func(mo.Option[callback.AsyncError], mo.Option[bool]) {}, nil) // the close event reports the end
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

func main() { exampleutil.Main("headerreceive", echoserver.Options{}, run) }
