package main

// Allocation benchmarks of the hot paths: one op = one message received or
// sent. The peer is a raw in-process TCP server that allocates nothing per
// message (it writes pre-encoded frames, or reads and discards), so the
// allocations -benchmem reports are the client's.
//
//	go test -run='^$' -bench=. -benchmem

import (
	"bufio"
	"context"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cangjie-go/ohos/callback"
	"github.com/cangjie-go/ohos/networkkit/websocket"
	coder "github.com/coder/websocket"
	gorilla "github.com/gorilla/websocket"
	"github.com/lxzan/gws"
	"github.com/samber/mo"
)

var benchSizes = []int{64, 64 << 10}

func sizeName(n int) string {
	if n >= 1<<10 {
		return fmt.Sprintf("%dKiB", n>>10)
	}
	return fmt.Sprintf("%dB", n)
}

// rawServer accepts WebSocket handshakes and hands over the raw connection.
type rawServer struct {
	ln    net.Listener
	conns chan net.Conn
	url   string
}

func newRawServer(tb testing.TB) *rawServer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	s := &rawServer{ln: ln, conns: make(chan net.Conn, 4), url: "ws://" + ln.Addr().String() + "/"}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			if err := handshake(c); err != nil {
				c.Close()
				continue
			}
			s.conns <- c
		}
	}()
	tb.Cleanup(func() { ln.Close() })
	return s
}

func handshake(c net.Conn) error {
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	defer c.SetDeadline(time.Time{})
	// The client sends nothing after its request until it has the answer,
	// so the buffered reader holds nothing past the request.
	req, err := http.ReadRequest(bufio.NewReader(c))
	if err != nil {
		return err
	}
	key := req.Header.Get("Sec-WebSocket-Key")
	if key == "" {
		return errors.New("no key")
	}
	h := sha1.Sum([]byte(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
	_, err = fmt.Fprintf(c, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n",
		base64.StdEncoding.EncodeToString(h[:]))
	return err
}

func (s *rawServer) accept(tb testing.TB) net.Conn {
	select {
	case c := <-s.conns:
		tb.Cleanup(func() { c.Close() })
		return c
	case <-time.After(10 * time.Second):
		tb.Fatal("no connection")
		return nil
	}
}

// frames is a buffer of pre-encoded unmasked binary frames.
type frames struct {
	buf      []byte
	frameLen int
	count    int
}

func encodeFrames(size int) frames {
	var hdr []byte
	switch {
	case size < 126:
		hdr = []byte{0x82, byte(size)}
	case size <= 0xffff:
		hdr = []byte{0x82, 126, 0, 0}
		binary.BigEndian.PutUint16(hdr[2:], uint16(size))
	default:
		hdr = make([]byte, 10)
		hdr[0], hdr[1] = 0x82, 127
		binary.BigEndian.PutUint64(hdr[2:], uint64(size))
	}
	f := frames{frameLen: len(hdr) + size, count: max(1, (16<<10)/(len(hdr)+size))}
	for range f.count {
		f.buf = append(f.buf, hdr...)
		f.buf = append(f.buf, make([]byte, size)...)
	}
	return f
}

// push writes n frames to c from another goroutine.
func push(c net.Conn, f frames, n int) <-chan error {
	done := make(chan error, 1)
	go func() {
		for n >= f.count {
			if _, err := c.Write(f.buf); err != nil {
				done <- err
				return
			}
			n -= f.count
		}
		if n > 0 {
			_, err := c.Write(f.buf[:n*f.frameLen])
			done <- err
			return
		}
		done <- nil
	}()
	return done
}

// discard reads and drops everything the client sends.
func discard(c net.Conn) {
	go func() {
		buf := make([]byte, 256<<10)
		for {
			if _, err := c.Read(buf); err != nil {
				return
			}
		}
	}()
}

// ---- this library ----

type oursBench struct {
	ws     *websocket.WebSocket
	count  atomic.Int64
	target atomic.Int64
	bad    atomic.Int64
	done   chan struct{}
	closed chan struct{}
}

func newOursBench(b *testing.B, url string, size int) *oursBench {
	o := &oursBench{ws: websocket.CreateWebSocket(), done: make(chan struct{}, 1), closed: make(chan struct{})}
	_ = o.ws.OnMessage(websocket.WebSocketAsyncCallbackFunc[websocket.MessageData](
		func(_ mo.Option[callback.AsyncError], data mo.Option[websocket.MessageData]) {
			if d, ok := data.Get(); ok {
				if a, ok := d.(websocket.ArrayData); !ok || len(a) != size {
					o.bad.Add(1)
				}
			}
			if o.count.Add(1) == o.target.Load() {
				o.done <- struct{}{}
			}
		}))
	_ = o.ws.OnClose(websocket.WebSocketAsyncCallbackFunc[websocket.CloseResult](
		func(mo.Option[callback.AsyncError], mo.Option[websocket.CloseResult]) { close(o.closed) }))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := o.ws.ConnectContext(ctx, url, nil); err != nil {
		b.Fatal(err)
	}
	return o
}

// receive has the server push n messages and waits until all arrived.
func (o *oursBench) receive(b *testing.B, sc net.Conn, f frames, n int) {
	o.count.Store(0)
	o.target.Store(int64(n))
	errc := push(sc, f, n)
	select {
	case <-o.done:
	case <-time.After(120 * time.Second):
		b.Fatalf("received %d of %d", o.count.Load(), n)
	}
	if err := <-errc; err != nil {
		b.Fatal(err)
	}
	if o.bad.Load() != 0 {
		b.Fatal("wrong message received")
	}
}

// finish drops the link and waits for the close event.
func (o *oursBench) finish(sc net.Conn) {
	sc.Close()
	select {
	case <-o.closed:
	case <-time.After(10 * time.Second):
	}
}

func BenchmarkOursCallbackReceive(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(sizeName(size), func(b *testing.B) {
			srv := newRawServer(b)
			o := newOursBench(b, srv.url, size)
			sc := srv.accept(b)
			discard(sc)
			f := encodeFrames(size)
			o.receive(b, sc, f, 100) // warm-up
			b.SetBytes(int64(size))
			b.ReportAllocs()
			b.ResetTimer()
			o.receive(b, sc, f, b.N)
			b.StopTimer()
			o.finish(sc)
		})
	}
}

func BenchmarkOursCallbackSend(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(sizeName(size), func(b *testing.B) {
			srv := newRawServer(b)
			o := newOursBench(b, srv.url, size)
			sc := srv.accept(b)
			discard(sc)
			payload := make([]byte, size)
			const window = 64
			sem := make(chan struct{}, window)
			var failed atomic.Int64
			cb := callback.AsyncCallback[bool](func(err mo.Option[callback.AsyncError], _ mo.Option[bool]) {
				if err.IsPresent() {
					failed.Add(1)
				}
				<-sem
			})
			send := func(n int) {
				for range n {
					sem <- struct{}{}
					o.ws.Send(websocket.ArrayData(payload), cb)
				}
				for range window { // wait for every callback
					sem <- struct{}{}
				}
				for range window {
					<-sem
				}
			}
			send(100)
			b.SetBytes(int64(size))
			b.ReportAllocs()
			b.ResetTimer()
			send(b.N)
			b.StopTimer()
			if failed.Load() != 0 {
				b.Fatalf("%d sends failed", failed.Load())
			}
			o.finish(sc)
		})
	}
}

// BenchmarkOursBlockingSend measures SendContext with a context that never
// ends (64B, 64KiB) and with one that has a deadline, as the workloads pass
// (64B_deadline, 64KiB_deadline).
func BenchmarkOursBlockingSend(b *testing.B) {
	for _, deadline := range []bool{false, true} {
		for _, size := range benchSizes {
			name := sizeName(size)
			if deadline {
				name += "_deadline"
			}
			b.Run(name, func(b *testing.B) {
				srv := newRawServer(b)
				o := newOursBench(b, srv.url, size)
				sc := srv.accept(b)
				discard(sc)
				payload := make([]byte, size)
				ctx := context.Background()
				if deadline {
					var cancel context.CancelFunc
					ctx, cancel = context.WithTimeout(ctx, 10*time.Minute)
					defer cancel()
				}
				for range 100 {
					if err := o.ws.SendContext(ctx, websocket.ArrayData(payload)); err != nil {
						b.Fatal(err)
					}
				}
				b.SetBytes(int64(size))
				b.ReportAllocs()
				b.ResetTimer()
				for range b.N {
					if err := o.ws.SendContext(ctx, websocket.ArrayData(payload)); err != nil {
						b.Fatal(err)
					}
				}
				b.StopTimer()
				o.finish(sc)
			})
		}
	}
}

// BenchmarkOursBlockingReceive receives through the blocking face's
// receiver (impl_ours.go), as the workloads do.
func BenchmarkOursBlockingReceive(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(sizeName(size), func(b *testing.B) {
			srv := newRawServer(b)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
			defer cancel()
			sess, err := dialOursBlocking(ctx, srv.url, dialOpts{})
			if err != nil {
				b.Fatal(err)
			}
			o := sess.(*oursBlocking)
			sc := srv.accept(b)
			discard(sc)
			f := encodeFrames(size)
			recv := func(n int) {
				errc := push(sc, f, n)
				for i := range n {
					p, err := o.recv(ctx)
					if err != nil || len(p) != size {
						b.Fatalf("receive %d: %d bytes, %v", i, len(p), err)
					}
				}
				if err := <-errc; err != nil {
					b.Fatal(err)
				}
			}
			recv(100)
			b.SetBytes(int64(size))
			b.ReportAllocs()
			b.ResetTimer()
			recv(b.N)
			b.StopTimer()
			// Drop the link and wait for the close to reach the receiver.
			sc.Close()
			wctx, wcancel := context.WithTimeout(ctx, 10*time.Second)
			defer wcancel()
			if _, err := o.recv(wctx); err == nil {
				b.Fatal("a message after the last one")
			}
		})
	}
}

// ---- peers, for comparison ----

func BenchmarkGorillaReceive(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(sizeName(size), func(b *testing.B) {
			srv := newRawServer(b)
			c, _, err := gorilla.DefaultDialer.Dial(srv.url, nil)
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			sc := srv.accept(b)
			discard(sc)
			f := encodeFrames(size)
			recv := func(n int) {
				errc := push(sc, f, n)
				for range n {
					if _, p, err := c.ReadMessage(); err != nil || len(p) != size {
						b.Fatal("read", err)
					}
				}
				if err := <-errc; err != nil {
					b.Fatal(err)
				}
			}
			recv(100)
			b.SetBytes(int64(size))
			b.ReportAllocs()
			b.ResetTimer()
			recv(b.N)
		})
	}
}

func BenchmarkGorillaSend(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(sizeName(size), func(b *testing.B) {
			srv := newRawServer(b)
			c, _, err := gorilla.DefaultDialer.Dial(srv.url, nil)
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			discard(srv.accept(b))
			payload := make([]byte, size)
			b.SetBytes(int64(size))
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if err := c.WriteMessage(gorilla.BinaryMessage, payload); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkCoderReceive(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(sizeName(size), func(b *testing.B) {
			srv := newRawServer(b)
			ctx := context.Background()
			c, _, err := coder.Dial(ctx, srv.url, &coder.DialOptions{CompressionMode: coder.CompressionDisabled})
			if err != nil {
				b.Fatal(err)
			}
			defer c.CloseNow()
			c.SetReadLimit(64 << 20)
			sc := srv.accept(b)
			discard(sc)
			f := encodeFrames(size)
			recv := func(n int) {
				errc := push(sc, f, n)
				for range n {
					if _, p, err := c.Read(ctx); err != nil || len(p) != size {
						b.Fatal("read", err)
					}
				}
				if err := <-errc; err != nil {
					b.Fatal(err)
				}
			}
			recv(100)
			b.SetBytes(int64(size))
			b.ReportAllocs()
			b.ResetTimer()
			recv(b.N)
		})
	}
}

func BenchmarkCoderSend(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(sizeName(size), func(b *testing.B) {
			srv := newRawServer(b)
			ctx := context.Background()
			c, _, err := coder.Dial(ctx, srv.url, &coder.DialOptions{CompressionMode: coder.CompressionDisabled})
			if err != nil {
				b.Fatal(err)
			}
			defer c.CloseNow()
			discard(srv.accept(b))
			payload := make([]byte, size)
			b.SetBytes(int64(size))
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if err := c.Write(ctx, coder.MessageBinary, payload); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

type gwsBench struct {
	gws.BuiltinEventHandler
	count, target atomic.Int64
	done          chan struct{}
}

func (g *gwsBench) OnMessage(_ *gws.Conn, m *gws.Message) {
	_ = m.Close()
	if g.count.Add(1) == g.target.Load() {
		g.done <- struct{}{}
	}
}

func BenchmarkGwsReceive(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(sizeName(size), func(b *testing.B) {
			srv := newRawServer(b)
			h := &gwsBench{done: make(chan struct{}, 1)}
			c, _, err := gws.NewClient(h, &gws.ClientOption{Addr: srv.url, ReadMaxPayloadSize: 64 << 20})
			if err != nil {
				b.Fatal(err)
			}
			go c.ReadLoop()
			defer c.NetConn().Close()
			sc := srv.accept(b)
			discard(sc)
			f := encodeFrames(size)
			recv := func(n int) {
				h.count.Store(0)
				h.target.Store(int64(n))
				errc := push(sc, f, n)
				select {
				case <-h.done:
				case <-time.After(120 * time.Second):
					b.Fatal("timeout")
				}
				if err := <-errc; err != nil {
					b.Fatal(err)
				}
			}
			recv(100)
			b.SetBytes(int64(size))
			b.ReportAllocs()
			b.ResetTimer()
			recv(b.N)
		})
	}
}

func BenchmarkGwsSend(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(sizeName(size), func(b *testing.B) {
			srv := newRawServer(b)
			c, _, err := gws.NewClient(&gws.BuiltinEventHandler{}, &gws.ClientOption{Addr: srv.url})
			if err != nil {
				b.Fatal(err)
			}
			go c.ReadLoop()
			defer c.NetConn().Close()
			discard(srv.accept(b))
			payload := make([]byte, size)
			b.SetBytes(int64(size))
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if err := c.WriteMessage(gws.OpcodeBinary, payload); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
