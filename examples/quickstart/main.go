// Quickstart is the full example of the Cangjie ohos.net.webSocket
// documentation (section "Examples") made to run: it registers a callback for
// each of the six events with On, connects with the header
// "content-type: application/json", sends "Hello, server!" when the
// connection opens, closes when the echo arrives, and prints the URL it
// connects to and one line per callback. An error shows its code, the
// code's name and what happened: "error 200 (connection failed): <detail>".
//
// Usage:
//
//	go run ./examples/quickstart [-url ws://host:port/path]
//
// Without -url it starts an echo server on 127.0.0.1 and talks to that.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/cangjie-go/ohos/callback"
	"github.com/cangjie-go/ohos/internal/echoserver"
	"github.com/cangjie-go/ohos/internal/exampleutil"
	"github.com/cangjie-go/ohos/networkkit/websocket"
	"github.com/samber/mo"
)

// run connects to url, exchanges one message, closes, and returns nil once
// the close event has arrived, or the error that ended the connection.
func run(ctx context.Context, url string, out io.Writer) error {
	ws := websocket.CreateWebSocket()
	// Callbacks run one at a time on one goroutine, so they share these
	// variables without a lock. done takes the first outcome only.
	var opened bool
	var lastErr error
	done := make(chan error, 1)
	finish := func(err error) {
		select {
		case done <- err:
		default:
		}
	}
	// report prints the outcome of Connect, Send or Close and returns it.
	report := func(method string, err mo.Option[callback.AsyncError]) (callback.AsyncError, bool) {
		e, failed := err.Get()
		if failed {
			fmt.Fprintf(out, "%s callback: %s\n", method, describe(e.Code, e))
		} else {
			fmt.Fprintf(out, "%s callback: success\n", method)
		}
		return e, failed
	}

	openCallback := websocket.WebSocketAsyncCallbackFunc[map[uint32]string](
		func(_ mo.Option[callback.AsyncError], data mo.Option[map[uint32]string]) {
			opened = true
			for status, phrase := range data.OrEmpty() { // one entry: {101: "Switching Protocols"}
				fmt.Fprintf(out, "on open: %d %s\n", status, phrase)
			}
			ws.Send(websocket.StringData("Hello, server!"), func(err mo.Option[callback.AsyncError], _ mo.Option[bool]) {
				report("send", err)
			})
		})
	errorCallback := websocket.WebSocketErrorCallbackFunc(func(err *callback.BusinessException) {
		fmt.Fprintf(out, "on error: %s\n", describe(err.Code, err))
		lastErr = err
		if !opened {
			finish(err) // the handshake failed: no close event follows
		}
	})
	messageCallback := websocket.WebSocketAsyncCallbackFunc[websocket.MessageData](
		func(_ mo.Option[callback.AsyncError], data mo.Option[websocket.MessageData]) {
			fmt.Fprintf(out, "on message: %v\n", data.OrEmpty())
			ws.Close(func(err mo.Option[callback.AsyncError], _ mo.Option[bool]) { report("close", err) }, nil)
		})
	closeCallback := websocket.WebSocketAsyncCallbackFunc[websocket.CloseResult](
		func(_ mo.Option[callback.AsyncError], data mo.Option[websocket.CloseResult]) {
			res := data.OrEmpty()
			fmt.Fprintf(out, "on close: code %d, reason %q\n", res.Code, res.Reason)
			finish(lastErr)
		})
	dataEndCallback := callback.Callback0Func(func() { fmt.Fprintln(out, "on dataEnd") })
	headerCallback := callback.Callback1Func[websocket.ResponseHeaders](func(h websocket.ResponseHeaders) {
		fmt.Fprintf(out, "on headerReceive: %v\n", h)
	})
	if err := errors.Join(
		ws.On(websocket.EventOpen{}, openCallback),
		ws.On(websocket.EventError{}, errorCallback),
		ws.On(websocket.EventMessage{}, messageCallback),
		ws.On(websocket.EventClose{}, closeCallback),
		ws.On(websocket.EventDataEnd{}, dataEndCallback),
		ws.On(websocket.EventHeaderReceive{}, headerCallback),
	); err != nil {
		return err
	}

	options := &websocket.RequestOptions{Header: map[string]string{"content-type": "application/json"}}
	fmt.Fprintf(out, "connecting to %s\n", url)
	ws.Connect(url, func(err mo.Option[callback.AsyncError], _ mo.Option[bool]) {
		// A failed connection (code 200) is reported by the error event too,
		// which comes next; any other failure ends here.
		if e, failed := report("connect", err); failed && !errors.Is(e, websocket.ErrConnectionFailed) {
			finish(e)
		}
	}, options)

	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		ws.Close(func(mo.Option[callback.AsyncError], mo.Option[bool]) {}, nil) // give up the connection
		return fmt.Errorf("no outcome from %s: %w", url, ctx.Err())
	}
}

// describe shows an error with its code and the code's name first:
// "error 200 (connection failed): ws://…: dial tcp …". The detail is the
// message without its "websocket: connection failed: " prefix, which would
// only repeat the code's name.
func describe(code int32, err error) string {
	name := websocket.ErrorCode(code).String()
	detail := strings.TrimPrefix(err.Error(), "websocket: "+name+": ")
	return fmt.Sprintf("error %d (%s): %s", code, name, detail)
}

func main() { exampleutil.Main("quickstart", echoserver.Options{}, run) }
