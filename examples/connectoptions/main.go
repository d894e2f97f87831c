// Connectoptions ports the example of connect(url, options, callback) in the
// ArkTS @ohos.net.webSocket documentation: it connects with three extra
// header fields and the subprotocol "my-protocol", prints the response
// header of the headerReceive event and the subprotocol the server chose,
// and closes.
//
// Usage:
//
//	go run ./examples/connectoptions [-url ws://host:port/path]
//
// Without -url it starts an echo server on 127.0.0.1 that speaks
// "my-protocol" and talks to that.
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
	done := make(chan error, 1)
	if err := errors.Join(
		ws.OnHeaderReceive(callback.Callback1Func[websocket.ResponseHeaders](func(h websocket.ResponseHeaders) {
			fmt.Fprintf(out, "on headerReceive: %v\n", h)
		})),
		ws.OnClose(websocket.WebSocketAsyncCallbackFunc[websocket.CloseResult](func(mo.Option[callback.AsyncError], mo.Option[websocket.CloseResult]) {
			done <- nil
		})),
	); err != nil {
		return err
	}

	// CAPath is left empty, as in the document: wss URLs use the system roots.
	options := &websocket.RequestOptions{
		Header:   map[string]string{"name1": "value1", "name2": "value2", "name3": "value3"},
		Protocol: "my-protocol",
	}
	ws.Connect(url, func(err mo.Option[callback.AsyncError], _ mo.Option[bool]) {
		if e, failed := err.Get(); failed {
			done <- e // no close event follows a failed connect
			return
		}
		fmt.Fprintf(out, "connect success, protocol: %q\n", ws.Protocol())
		ws.Close(func(mo.Option[callback.AsyncError], mo.Option[bool]) {}, nil) // the close event reports the end
	}, options)

	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return fmt.Errorf("no outcome from %s: %w", url, ctx.Err())
	}
}

func main() {
	exampleutil.Main("connectoptions", echoserver.Options{Subprotocols: []string{"my-protocol"}}, run)
}
