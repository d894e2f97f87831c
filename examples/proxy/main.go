// Proxy ports the proxy and protocol options of the full example of the
// ArkTS @ohos.net.webSocket documentation (the one that connects with
// header, proxy and protocol): it connects through an HTTP proxy that
// requires credentials, offering the subprotocol "my-protocol", prints the
// protocol the server chose, sends "Hello, server!", prints the echo,
// closes, and prints the close result.
//
// Usage:
//
//	go run ./examples/proxy [-url ws://host:port/path] [-proxy host:port -proxy-user USER -proxy-password PASSWORD] [-protocol NAME]
//
// Without -url it starts, on 127.0.0.1, an echo server that speaks
// "my-protocol" and a CONNECT proxy that requires the user "user" with the
// password "pass", and talks to the echo server through the proxy; the
// -proxy flags are then ignored. With -url and no -proxy, the system proxy
// is used.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"time"

	"github.com/cangjie-go/ohos/callback"
	"github.com/cangjie-go/ohos/internal/echoserver"
	"github.com/cangjie-go/ohos/internal/testproxy"
	"github.com/cangjie-go/ohos/networkkit/websocket"
	"github.com/samber/mo"
)

// requestOptions returns the options of the document's example: the
// subprotocol and, if proxy (host:port) is not empty, that HTTP proxy with
// the credentials, if user is not empty. Hosts under "internal.example"
// would be reached directly.
func requestOptions(proxy, user, password, protocol string) (*websocket.RequestOptions, error) {
	opts := &websocket.RequestOptions{Protocol: protocol}
	if proxy != "" {
		host, portText, err := net.SplitHostPort(proxy)
		if err != nil {
			return nil, fmt.Errorf("proxy %q: %w", proxy, err)
		}
		port, err := strconv.ParseUint(portText, 10, 16)
		if err != nil {
			return nil, fmt.Errorf("proxy %q: port is not a number in 0-65535", proxy)
		}
		opts.Proxy = websocket.HTTPProxy{Host: host, Port: uint16(port), ExclusionList: []string{"*.internal.example"},
			Username: mo.EmptyableToOption(user), Password: password}
	}
	return opts, nil
}

// run connects to url with opts, exchanges one message, closes, and returns
// nil once the close event has arrived, or the error of a failed connect.
func run(ctx context.Context, url string, opts *websocket.RequestOptions, out io.Writer) error {
	ws := websocket.CreateWebSocket()
	// One outcome only: a failed connect, or the close event that ends every
	// connection that opened.
	done := make(chan error, 1)
	if err := errors.Join(
		ws.OnOpen(websocket.WebSocketAsyncCallbackFunc[map[uint32]string](func(mo.Option[callback.AsyncError], mo.Option[map[uint32]string]) {
			ws.Send(websocket.StringData("Hello, server!"), func(err mo.Option[callback.AsyncError], _ mo.Option[bool]) {
				if e, failed := err.Get(); failed {
					fmt.Fprintf(out, "send fail, err: %v\n", e)
				}
			})
		})),
		ws.OnMessage(websocket.WebSocketAsyncCallbackFunc[websocket.MessageData](func(_ mo.Option[callback.AsyncError], value mo.Option[websocket.MessageData]) {
			fmt.Fprintf(out, "on message, message: %v\n", value.OrEmpty())
			ws.Close(func(mo.Option[callback.AsyncError], mo.Option[bool]) {}, nil) // the close event reports the end
		})),
		ws.OnClose(websocket.WebSocketAsyncCallbackFunc[websocket.CloseResult](func(_ mo.Option[callback.AsyncError], value mo.Option[websocket.CloseResult]) {
			res := value.OrEmpty()
			fmt.Fprintf(out, "on close, code is %d, reason is %q\n", res.Code, res.Reason)
			done <- nil
		})),
	); err != nil {
		return err
	}

	ws.Connect(url, func(err mo.Option[callback.AsyncError], _ mo.Option[bool]) {
		if e, failed := err.Get(); failed {
			fmt.Fprintf(out, "connect fail, err: %v\n", e)
			done <- e // no close event follows a failed connect
			return
		}
		fmt.Fprintf(out, "connect success, protocol: %q\n", ws.Protocol())
	}, opts)

	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		ws.Close(func(mo.Option[callback.AsyncError], mo.Option[bool]) {}, nil) // give up the connection
		return fmt.Errorf("no outcome from %s: %w", url, ctx.Err())
	}
}

func main() {
	url := flag.String("url", "", "WebSocket server `URL`; if empty, an echo server and a proxy on 127.0.0.1 are started")
	proxy := flag.String("proxy", "", "HTTP proxy `host:port`; if empty, the system proxy")
	user := flag.String("proxy-user", "", "`user` name for the proxy; if empty, no credentials are sent")
	password := flag.String("proxy-password", "", "`password` for the proxy")
	protocol := flag.String("protocol", "my-protocol", "Sec-WebSocket-Protocol to offer")
	flag.Parse()
	if err := serveAndRun(*url, *proxy, *user, *password, *protocol); err != nil {
		fmt.Fprintln(os.Stderr, "proxy:", err)
		os.Exit(1)
	}
}

// serveAndRun calls run for url through proxy, or for an embedded echo
// server through an embedded proxy if url is empty, within 30 seconds.
func serveAndRun(url, proxy, user, password, protocol string) error {
	if url == "" {
		srv := echoserver.New(echoserver.Options{Subprotocols: []string{"my-protocol"}})
		defer srv.Close()
		p, err := testproxy.New(testproxy.Options{Username: "user", Password: "pass"})
		if err != nil {
			return err
		}
		defer p.Close()
		url, proxy, user, password = srv.WSURL("/"), p.Addr(), "user", "pass"
	}
	opts, err := requestOptions(proxy, user, password, protocol)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return run(ctx, url, opts, os.Stdout)
}
