// Arkts ports the full example (完整示例) of the ArkTS @ohos.net.webSocket
// documentation: send "Hello, server!" on open, print every message, close
// when the server says "bye", and print the close and error events.
//
// An echo server never says "bye" by itself, so after the first echo this
// program sends "bye", and the server's echo of it starts the close.
//
// Usage:
//
//	go run ./examples/arkts [-url ws://host:port/path]
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
	var opened bool // callbacks run one at a time and share it without a lock
	done := make(chan error, 1)
	// result prints what a Send or Close callback received.
	result := func(method string) callback.AsyncCallback[bool] {
		return func(err mo.Option[callback.AsyncError], _ mo.Option[bool]) {
			if e, failed := err.Get(); failed {
				fmt.Fprintf(out, "%s fail, err: %v\n", method, e)
			} else {
				fmt.Fprintf(out, "%s success\n", method)
			}
		}
	}
	err := errors.Join(
		ws.OnOpen(websocket.WebSocketAsyncCallbackFunc[map[uint32]string](func(mo.Option[callback.AsyncError], mo.Option[map[uint32]string]) {
			opened = true
			// Once the connection is open, send talks to the server.
			ws.Send(websocket.StringData("Hello, server!"), result("send"))
		})),
		ws.OnMessage(websocket.WebSocketAsyncCallbackFunc[websocket.MessageData](func(_ mo.Option[callback.AsyncError], value mo.Option[websocket.MessageData]) {
			msg := value.OrEmpty()
			fmt.Fprintf(out, "on message, message: %v\n", msg)
			switch text, _ := msg.(websocket.StringData); text {
			case "Hello, server!":
				ws.Send(websocket.StringData("bye"), result("send")) // the echo server will say it back
			case "bye":
				ws.Close(result("close"), nil)
			}
		})),
		ws.OnClose(websocket.WebSocketAsyncCallbackFunc[websocket.CloseResult](func(_ mo.Option[callback.AsyncError], value mo.Option[websocket.CloseResult]) {
			fmt.Fprintf(out, "on close, code is %d, reason is %s\n", value.OrEmpty().Code, value.OrEmpty().Reason)
			done <- nil
		})),
		ws.OnError(websocket.WebSocketErrorCallbackFunc(func(err *callback.BusinessException) {
			fmt.Fprintf(out, "on error, error: %v\n", err)
			if !opened {
				done <- err // the handshake failed: no close event follows
			}
		})),
	)
	if err != nil {
		return err
	}

	ws.Connect(url, func(err mo.Option[callback.AsyncError], _ mo.Option[bool]) {
		// The document's callback also calls close here, which would end the
		// connection before the exchange; this port closes on "bye" only.
		e, failed := err.Get()
		if !failed {
			fmt.Fprintf(out, "connect success, protocol: %s\n", ws.Protocol())
			return
		}
		fmt.Fprintf(out, "connect fail, err: %v\n", e)
		if !errors.Is(e, websocket.ErrConnectionFailed) {
			done <- e // a failure with code 200 ends with the error event, which comes next
		}
	}, &websocket.RequestOptions{
		Header: map[string]string{"name1": "value1", "name2": "value2", "name3": "value3"},
		// The document tunnels through the HTTP proxy 192.168.0.150:8888;
		// this port connects directly so that its traffic stays on loopback.
		Proxy:    websocket.NoProxy{},
		Protocol: "my-protocol",
	})

	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return fmt.Errorf("no outcome from %s: %w", url, ctx.Err())
	}
}

func main() {
	exampleutil.Main("arkts", echoserver.Options{Subprotocols: []string{"my-protocol"}}, run)
}
