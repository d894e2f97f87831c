package websocket_test

import (
	"bufio"
	"crypto/sha1"
	"encoding/base64"
	"io"
	"net"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cangjie-go/ohos/callback"
	"github.com/cangjie-go/ohos/networkkit/websocket"
	"github.com/samber/mo"
)

// rawBenchServer accepts one connection, answers the handshake, and then
// runs serve on it. It allocates nothing per message itself, so the
// allocations a benchmark counts are the client's.
func rawBenchServer(b *testing.B, serve func(c net.Conn)) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { ln.Close() })
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		req, err := http.ReadRequest(bufio.NewReader(c))
		if err != nil {
			return
		}
		h := sha1.Sum([]byte(req.Header.Get("Sec-WebSocket-Key") + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
		io.WriteString(c, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: "+
			base64.StdEncoding.EncodeToString(h[:])+"\r\n\r\n")
		serve(c)
	}()
	return "ws://" + ln.Addr().String() + "/"
}

func BenchmarkReceive64Callback(b *testing.B) {
	frame := append([]byte{0x81, 64}, make([]byte, 64)...)
	for i := 2; i < len(frame); i++ {
		frame[i] = 'a'
	}
	batch := make([]byte, 0, 64*len(frame))
	for range 64 {
		batch = append(batch, frame...)
	}
	start := make(chan struct{})
	url := rawBenchServer(b, func(c net.Conn) {
		<-start
		for sent := 0; sent < b.N; sent += 64 {
			n := min(64, b.N-sent)
			if _, err := c.Write(batch[:n*len(frame)]); err != nil {
				return
			}
		}
		io.Copy(io.Discard, c)
	})
	ws := websocket.CreateWebSocket()
	var got atomic.Int64
	done := make(chan struct{})
	ws.OnMessage(websocket.WebSocketAsyncCallbackFunc[websocket.MessageData](
		func(_ mo.Option[callback.AsyncError], d mo.Option[websocket.MessageData]) {
			if got.Add(1) == int64(b.N) {
				close(done)
			}
		}))
	if err := ws.ConnectContext(b.Context(), url, &websocket.RequestOptions{PingInterval: mo.Some(time.Duration(0))}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	close(start)
	<-done
	b.StopTimer()
	ws.CloseContext(b.Context(), nil)
}

func BenchmarkSend64Callback(b *testing.B) {
	url := rawBenchServer(b, func(c net.Conn) { io.Copy(io.Discard, c) })
	ws := websocket.CreateWebSocket()
	if err := ws.ConnectContext(b.Context(), url, &websocket.RequestOptions{PingInterval: mo.Some(time.Duration(0)), SendQueueSize: 1 << 20}); err != nil {
		b.Fatal(err)
	}
	var sent atomic.Int64
	done := make(chan struct{})
	cb := callback.AsyncCallback[bool](func(mo.Option[callback.AsyncError], mo.Option[bool]) {
		if sent.Add(1) == int64(b.N) {
			close(done)
		}
	})
	var msg websocket.MessageData = websocket.StringData("0123456789012345678901234567890123456789012345678901234567890123")
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		ws.Send(msg, cb)
	}
	<-done
	b.StopTimer()
	ws.CloseContext(b.Context(), nil)
}
