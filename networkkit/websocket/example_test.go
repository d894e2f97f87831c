package websocket_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/samber/mo"

	"github.com/cangjie-go/ohos/callback"
	"github.com/cangjie-go/ohos/internal/echoserver"
	"github.com/cangjie-go/ohos/networkkit/websocket"
)

// The examples run against a WebSocket echo server on 127.0.0.1. Each waits
// for the events it prints before it returns, so that its output is
// complete.

// ExampleCreateWebSocket is the platform's callback flow, in the shape of
// Cangjie's callbacks: connect, send when the connection opens, close when
// the answer arrives. ExampleData is the same flow with the short forms.
func ExampleCreateWebSocket() {
	srv := echoserver.New(echoserver.Options{})
	defer srv.Close()

	ws := websocket.CreateWebSocket()
	closed := make(chan struct{})

	ws.On(websocket.EventOpen{}, websocket.WebSocketAsyncCallbackFunc[map[uint32]string](
		func(err mo.Option[callback.AsyncError], status mo.Option[map[uint32]string]) {
			fmt.Println("open:", status.MustGet())
			ws.Send(websocket.StringData("Hello, server!"), func(err mo.Option[callback.AsyncError], _ mo.Option[bool]) {
				if e, failed := err.Get(); failed {
					fmt.Println("send failed:", e)
				}
			})
		}))
	ws.On(websocket.EventMessage{}, websocket.WebSocketAsyncCallbackFunc[websocket.MessageData](
		func(err mo.Option[callback.AsyncError], data mo.Option[websocket.MessageData]) {
			fmt.Println("message:", data.MustGet())
			ws.Close(func(err mo.Option[callback.AsyncError], ok mo.Option[bool]) {
				fmt.Println("close done:", ok.OrElse(false))
			}, nil)
		}))
	ws.On(websocket.EventClose{}, websocket.WebSocketAsyncCallbackFunc[websocket.CloseResult](
		func(err mo.Option[callback.AsyncError], result mo.Option[websocket.CloseResult]) {
			r := result.MustGet()
			fmt.Printf("close: %d %q\n", r.Code, r.Reason)
			close(closed)
		}))

	ws.Connect(srv.WSURL("/"), func(err mo.Option[callback.AsyncError], ok mo.Option[bool]) {
		if e, failed := err.Get(); failed {
			fmt.Println("connect failed:", e.Code, e)
			return
		}
		fmt.Println("connected:", ok.MustGet())
	}, nil)

	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		fmt.Println("timed out")
	}
	// Output:
	// connected: true
	// open: map[101:Switching Protocols]
	// message: Hello, server!
	// close done: true
	// close: 1000 ""
}

// ExampleWebSocket_ConnectContext uses the blocking methods, for Go code
// that wants no callbacks: each returns an error instead of calling back,
// and ReceiveContext returns the next message.
func ExampleWebSocket_ConnectContext() {
	srv := echoserver.New(echoserver.Options{})
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	ws := websocket.CreateWebSocket()

	// A URL that cannot be used fails at once, with its code.
	err := ws.ConnectContext(ctx, "http://example.com/", nil)
	fmt.Println("bad url:", errors.Is(err, websocket.ErrURL))

	if err := ws.ConnectContext(ctx, srv.WSURL("/chat"), nil); err != nil {
		fmt.Println("connect:", err)
		return
	}
	if err := ws.SendContext(ctx, websocket.ArrayData{1, 2, 3}); err != nil {
		fmt.Println("send:", err)
		return
	}
	msg, err := ws.ReceiveContext(ctx)
	if err != nil {
		fmt.Println("receive:", err)
		return
	}
	fmt.Println("echo:", msg)
	if err := ws.CloseContext(ctx, nil); err != nil {
		fmt.Println("close:", err)
		return
	}
	fmt.Println("closed")
	// Output:
	// bad url: true
	// echo: [1, 2, 3]
	// closed
}

// ExampleWebSocket_On registers several listeners; they run in the order of
// registration, and a callback whose type does not fit the event is
// refused.
func ExampleWebSocket_On() {
	srv := echoserver.New(echoserver.Options{})
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	ws := websocket.CreateWebSocket()

	err := ws.On(websocket.EventOpen{}, callback.Callback0Func(func() {}))
	fmt.Println("wrong callback type refused:", errors.Is(err, websocket.ErrParameter))

	ws.On(websocket.EventMessage{}, websocket.Data(func(m websocket.MessageData) {
		fmt.Println("first listener:", m)
	}))
	ws.On(websocket.EventMessage{}, websocket.Data(func(m websocket.MessageData) {
		fmt.Println("second listener:", m)
	}))
	ended := make(chan struct{}, 1)
	ws.On(websocket.EventDataEnd{}, callback.Callback0Func(func() {
		fmt.Println("dataEnd")
		ended <- struct{}{}
	}))
	closed := make(chan struct{})
	ws.On(websocket.EventClose{}, websocket.Data(func(websocket.CloseResult) { close(closed) }))

	if err := ws.ConnectContext(ctx, srv.WSURL("/"), nil); err != nil {
		fmt.Println("connect:", err)
		return
	}
	ws.SendContext(ctx, websocket.StringData("ping?"))
	select {
	case <-ended:
	case <-ctx.Done():
		fmt.Println("timed out")
	}
	ws.CloseContext(ctx, nil)
	select {
	case <-closed:
	case <-ctx.Done():
		fmt.Println("timed out")
	}
	// Output:
	// wrong callback type refused: true
	// first listener: ping?
	// second listener: ping?
	// dataEnd
}

// ExampleWebSocket_Off removes one listener by identity, then all listeners
// of the event.
func ExampleWebSocket_Off() {
	srv := echoserver.New(echoserver.Options{})
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	ws := websocket.CreateWebSocket()
	// Keep a callback to remove it: each Data call makes a new one.
	loud := websocket.Data(func(m websocket.MessageData) { fmt.Println("loud:", m) })
	quiet := websocket.Data(func(m websocket.MessageData) { fmt.Println("quiet:", m) })
	ws.On(websocket.EventMessage{}, loud)
	ws.On(websocket.EventMessage{}, quiet)
	ws.Off(websocket.EventMessage{}, loud) // the same callback: removed

	// dataEnd follows every message, listened to or not.
	ended := make(chan struct{}, 1)
	ws.On(websocket.EventDataEnd{}, callback.Callback0Func(func() { ended <- struct{}{} }))
	closed := make(chan struct{})
	ws.On(websocket.EventClose{}, websocket.Data(func(websocket.CloseResult) { close(closed) }))

	wait := func(ch <-chan struct{}) {
		select {
		case <-ch:
		case <-ctx.Done():
			fmt.Println("timed out")
		}
	}

	if err := ws.ConnectContext(ctx, srv.WSURL("/"), nil); err != nil {
		fmt.Println("connect:", err)
		return
	}
	ws.SendContext(ctx, websocket.StringData("one"))
	wait(ended)

	ws.Off(websocket.EventMessage{}, nil) // every message listener
	ws.SendContext(ctx, websocket.StringData("two"))
	wait(ended)
	fmt.Println("\"two\" arrived; no message listener is left")

	ws.CloseContext(ctx, nil)
	wait(closed)
	// Output:
	// quiet: one
	// "two" arrived; no message listener is left
}

// ExampleWebSocket_Close closes with a code and a reason of the client's
// choice. A code that may not be sent is refused, and a second Close fails.
func ExampleWebSocket_Close() {
	srv := echoserver.New(echoserver.Options{})
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	ws := websocket.CreateWebSocket()
	closed := make(chan websocket.CloseResult, 1)
	ws.OnClose(websocket.Data(func(r websocket.CloseResult) { closed <- r }))
	if err := ws.ConnectContext(ctx, srv.WSURL("/"), nil); err != nil {
		fmt.Println("connect:", err)
		return
	}

	err := ws.CloseContext(ctx, &websocket.CloseOptions{Code: 1005})
	fmt.Println("1005 refused:", errors.Is(err, websocket.ErrParameter))

	ws.Close(websocket.Done(func(err error) {
		fmt.Println("close done:", err)
	}), &websocket.CloseOptions{Code: 4000, Reason: "work finished"})

	select {
	case r := <-closed:
		fmt.Printf("close event: %d %q\n", r.Code, r.Reason)
	case <-ctx.Done():
		fmt.Println("timed out")
	}

	err = ws.CloseContext(ctx, nil)
	fmt.Println("second close:", errors.Is(err, websocket.ErrUnknown))
	// Output:
	// 1005 refused: true
	// close done: <nil>
	// close event: 4000 "work finished"
	// second close: true
}

// ExampleWebSocket_OnHeaderReceive reads the server's handshake answer:
// names in lower case, repeated headers joined.
func ExampleWebSocket_OnHeaderReceive() {
	srv := echoserver.New(echoserver.Options{ResponseHeader: http.Header{
		"X-Demo":     {"a", "b"},
		"Set-Cookie": {"session=1", "theme=dark"},
	}})
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	ws := websocket.CreateWebSocket()
	headers := make(chan websocket.ResponseHeaders, 1)
	ws.OnHeaderReceive(callback.Callback1Func[websocket.ResponseHeaders](func(h websocket.ResponseHeaders) {
		headers <- h
	}))
	closed := make(chan struct{})
	ws.OnClose(websocket.Data(func(websocket.CloseResult) { close(closed) }))

	if err := ws.ConnectContext(ctx, srv.WSURL("/"), nil); err != nil {
		fmt.Println("connect:", err)
		return
	}
	select {
	case h := <-headers:
		if m, ok := h.(websocket.MapData); ok {
			fmt.Println("upgrade:", m["upgrade"])
			fmt.Println("x-demo:", m["x-demo"])
			fmt.Println("set-cookie:", m["set-cookie"])
		}
	case <-ctx.Done():
		fmt.Println("timed out")
	}

	ws.CloseContext(ctx, nil)
	select {
	case <-closed:
	case <-ctx.Done():
		fmt.Println("timed out")
	}
	// Output:
	// upgrade: websocket
	// x-demo: a,b
	// set-cookie: session=1;theme=dark
}

// ExampleRequestOptions sends an extra header and offers two subprotocols;
// the server picks one.
func ExampleRequestOptions() {
	srv := echoserver.New(echoserver.Options{Subprotocols: []string{"chat"}})
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	ws := websocket.CreateWebSocket()
	closed := make(chan struct{})
	ws.OnClose(websocket.Data(func(websocket.CloseResult) { close(closed) }))

	opts := &websocket.RequestOptions{
		Header:   map[string]string{"X-Token": "abc123"},
		Protocol: "superchat, chat",
	}
	if err := ws.ConnectContext(ctx, srv.WSURL("/"), opts); err != nil {
		fmt.Println("connect:", err)
		return
	}
	req := srv.Requests()[0]
	fmt.Println("server saw X-Token:", req.Header.Get("X-Token"))
	fmt.Println("offered:", req.Header.Get("Sec-WebSocket-Protocol"))
	fmt.Println("chosen:", ws.Protocol())

	// A header the handshake owns is refused before anything is sent.
	err := websocket.CreateWebSocket().ConnectContext(ctx, srv.WSURL("/"),
		&websocket.RequestOptions{Header: map[string]string{"Upgrade": "h2c"}})
	fmt.Println("Upgrade header refused:", errors.Is(err, websocket.ErrParameter))

	ws.CloseContext(ctx, nil)
	select {
	case <-closed:
	case <-ctx.Done():
		fmt.Println("timed out")
	}
	// Output:
	// server saw X-Token: abc123
	// offered: superchat, chat
	// chosen: chat
	// Upgrade header refused: true
}

// ExampleWebSocket_ReceiveContext reads messages without callbacks: with
// no message listener registered, each message waits for ReceiveContext.
// Once the connection has ended, ReceiveContext says how.
func ExampleWebSocket_ReceiveContext() {
	srv := echoserver.New(echoserver.Options{})
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	ws := websocket.CreateWebSocket()
	if err := ws.ConnectContext(ctx, srv.WSURL("/"), nil); err != nil {
		fmt.Println("connect:", err)
		return
	}
	ws.SendContext(ctx, websocket.StringData("Hello, server!"))
	ws.SendContext(ctx, websocket.ArrayData{1, 2, 3})
	for range 2 {
		msg, err := ws.ReceiveContext(ctx)
		if err != nil {
			fmt.Println("receive:", err)
			return
		}
		switch m := msg.(type) {
		case websocket.StringData:
			fmt.Println("text:", m)
		case websocket.ArrayData:
			fmt.Println("binary:", m)
		}
	}

	ws.CloseContext(ctx, &websocket.CloseOptions{Code: 4000, Reason: "done"})
	_, err := ws.ReceiveContext(ctx)
	fmt.Println("after the end:", errors.Is(err, websocket.ErrConnectionNotExist))
	if status, ok := websocket.CloseStatus(err); ok {
		fmt.Printf("closed with %d %q\n", status.Code, status.Reason)
	}
	// Output:
	// text: Hello, server!
	// binary: [1, 2, 3]
	// after the end: true
	// closed with 4000 "done"
}

// ExampleData registers event callbacks of the data alone, and completes
// Connect, Send and Close with callbacks of the outcome alone (Done).
func ExampleData() {
	srv := echoserver.New(echoserver.Options{})
	defer srv.Close()

	ws := websocket.CreateWebSocket()
	closed := make(chan struct{})
	ws.OnOpen(websocket.Data(func(status map[uint32]string) {
		fmt.Println("open:", status)
		ws.Send(websocket.StringData("Hello, server!"), websocket.Done(func(err error) {
			if err != nil {
				fmt.Println("send failed:", err)
			}
		}))
	}))
	ws.OnMessage(websocket.Data(func(m websocket.MessageData) {
		fmt.Println("message:", m)
		ws.Close(websocket.Done(func(err error) { fmt.Println("close done:", err) }), nil)
	}))
	ws.OnClose(websocket.Data(func(r websocket.CloseResult) {
		fmt.Printf("close: %d %q\n", r.Code, r.Reason)
		close(closed)
	}))

	ws.Connect(srv.WSURL("/"), websocket.Done(func(err error) {
		fmt.Println("connect done:", err) // a *callback.BusinessException, or nil
	}), nil)

	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		fmt.Println("timed out")
	}
	// Output:
	// connect done: <nil>
	// open: map[101:Switching Protocols]
	// message: Hello, server!
	// close done: <nil>
	// close: 1000 ""
}

// ExampleWebSocket_Ping measures a round trip to the server. Ping fails once
// the connection has closed.
func ExampleWebSocket_Ping() {
	srv := echoserver.New(echoserver.Options{})
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	ws := websocket.CreateWebSocket()
	if err := ws.ConnectContext(ctx, srv.WSURL("/"), nil); err != nil {
		fmt.Println("connect:", err)
		return
	}
	rtt, err := ws.Ping(ctx)
	if err != nil {
		fmt.Println("ping:", err)
		return
	}
	fmt.Println("pong arrived, round trip measured:", rtt > 0) // rtt is a time.Duration

	ws.CloseContext(ctx, nil)
	_, err = ws.Ping(ctx)
	fmt.Println("ping after close:", errors.Is(err, websocket.ErrConnectionNotExist))
	// Output:
	// pong arrived, round trip measured: true
	// ping after close: true
}

// ExampleCloseStatus tells how a connection ended from the error of a call
// made after the end: here the server closes with a code and a reason of
// its own.
func ExampleCloseStatus() {
	srv := echoserver.New(echoserver.Options{Commands: true})
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	ws := websocket.CreateWebSocket()
	if err := ws.ConnectContext(ctx, srv.WSURL("/"), nil); err != nil {
		fmt.Println("connect:", err)
		return
	}
	// The test server closes when it is told to, with the code and reason given.
	ws.SendContext(ctx, websocket.StringData("cmd:close:4001:going away"))

	_, err := ws.ReceiveContext(ctx)
	if status, ok := websocket.CloseStatus(err); ok {
		fmt.Printf("receive: the server closed with %d %q\n", status.Code, status.Reason)
	}
	err = ws.SendContext(ctx, websocket.StringData("too late"))
	if status, ok := websocket.CloseStatus(err); ok {
		fmt.Printf("send: the server closed with %d %q\n", status.Code, status.Reason)
	}
	_, ok := websocket.CloseStatus(ctx.Err())
	fmt.Println("an error without a close status:", !ok)
	// Output:
	// receive: the server closed with 4001 "going away"
	// send: the server closed with 4001 "going away"
	// an error without a close status: true
}

// ExampleWebSocket_NetConn uses the connection as a byte stream: each
// Write is one message, and Read returns the bytes of the messages.
func ExampleWebSocket_NetConn() {
	srv := echoserver.New(echoserver.Options{})
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	ws := websocket.CreateWebSocket()
	if err := ws.ConnectContext(ctx, srv.WSURL("/"), nil); err != nil {
		fmt.Println("connect:", err)
		return
	}
	conn, err := ws.NetConn(&websocket.NetConnOptions{Text: true})
	if err != nil {
		fmt.Println("NetConn:", err)
		return
	}
	defer conn.Close() // closes the WebSocket with 1000

	conn.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(conn, "Hello, %s!\n", "stream") // one Write: one text message
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		fmt.Println("read:", err)
		return
	}
	fmt.Print("echo: ", line)
	// Output:
	// echo: Hello, stream!
}

func ExampleStringData() {
	var data websocket.MessageData = websocket.StringData("Hello, server!")
	fmt.Println(data)
	switch d := data.(type) {
	case websocket.StringData:
		fmt.Println("text of", len(d), "bytes")
	case websocket.ArrayData:
		fmt.Println("binary of", len(d), "bytes")
	}
	// Output:
	// Hello, server!
	// text of 14 bytes
}

func ExampleArrayData() {
	fmt.Println(websocket.ArrayData{1, 2, 3})
	fmt.Println(websocket.ArrayData([]byte("hi")))
	fmt.Println(websocket.ArrayData{})
	// Output:
	// [1, 2, 3]
	// [104, 105]
	// []
}

func ExampleMapData() {
	var h websocket.ResponseHeaders = websocket.MapData{"upgrade": "websocket", "connection": "Upgrade"}
	fmt.Println(h)
	fmt.Println(websocket.UndefinedData{})
	// Output:
	// {connection: Upgrade, upgrade: websocket}
	// undefined
}

// ExampleRequestOptions_dialContext reaches a server on a Unix socket: the
// dial function decides where the bytes go, while the URL still names the
// host for the Host header and the Origin. NoProxy keeps the environment's
// proxy from being handed to the dial function.
func ExampleRequestOptions_dialContext() {
	dir, err := os.MkdirTemp("", "example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	socket := filepath.Join(dir, "ws.sock")
	ln, err := net.Listen("unix", socket)
	if err != nil {
		fmt.Println(err)
		return
	}
	srv := echoserver.New(echoserver.Options{})
	defer srv.Close()
	unix := &http.Server{Handler: srv.Server.Config.Handler}
	go unix.Serve(ln)
	defer unix.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ws := websocket.CreateWebSocket()
	err = ws.ConnectContext(ctx, "ws://app.internal/chat", &websocket.RequestOptions{
		Proxy: websocket.NoProxy{},
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", socket)
		},
	})
	if err != nil {
		fmt.Println("connect:", err)
		return
	}
	defer ws.CloseContext(ctx, nil)
	req := srv.Requests()[0]
	fmt.Println("Host:", req.Host)
	fmt.Println("Origin:", req.Header.Get("Origin"))
	// Output:
	// Host: app.internal
	// Origin: http://app.internal
}

// ExampleWebSocket_OnOpenInfo shows the openInfo event (API 26): after
// open, the status, the reason phrase and the subprotocol the server chose.
func ExampleWebSocket_OnOpenInfo() {
	srv := echoserver.New(echoserver.Options{Subprotocols: []string{"chat"}})
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	ws := websocket.CreateWebSocket()
	infos := make(chan websocket.OpenInfo, 1)
	ws.OnOpenInfo(websocket.Data(func(info websocket.OpenInfo) { infos <- info }))
	if err := ws.ConnectContext(ctx, srv.WSURL("/"), &websocket.RequestOptions{Protocol: "chat"}); err != nil {
		fmt.Println("connect:", err)
		return
	}
	defer ws.CloseContext(ctx, nil)
	select {
	case info := <-infos:
		fmt.Println(info.Status, info.Message, info.Protocol)
	case <-ctx.Done():
		fmt.Println("no openInfo:", ctx.Err())
	}
	// Output:
	// 101 Switching Protocols chat
}
