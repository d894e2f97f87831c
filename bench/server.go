package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	gorilla "github.com/gorilla/websocket"
	"github.com/lxzan/gws"
)

// The neutral echo server: gorilla's server side with 64 KiB buffers. A
// gorilla server's WriteMessage writes every message as one frame (header,
// then the payload straight from the caller's slice), so no client is fed
// fragments it did not ask for. Write buffers come from a pool, so idle
// connections hold only their read buffer. The server is the same process
// for every client implementation.
//
// The compressed workloads need a server that negotiates permessage-deflate
// with context takeover, which gorilla's server side does not do (it only
// answers server_no_context_takeover and client_no_context_takeover). So
// the same process serves them on two more paths (compression.path) with
// gws's Upgrader, which does both modes: /z with context takeover both ways
// and /zn without, each answering its mode whatever the client offered
// (RFC 7692 lets a server add either no_context_takeover), 32 KiB windows
// both ways (gws's server would otherwise cap its own at 4 KiB when it keeps
// the context), flate level 1, every message compressed. gws's server, like
// gorilla's, echoes a message as one frame. Every other path, "/" included,
// is the gorilla echo above, unchanged, for the uncompressed workloads.
func serverMain(args []string) error {
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:0", "listen address (loopback)")
	stdinEOF := fs.Bool("exit-on-stdin-eof", false, "exit when stdin closes (used by the orchestrator)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	raiseNoFile()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	fmt.Printf("ADDR %s\n", ln.Addr())
	if *stdinEOF {
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			os.Exit(0)
		}()
	}
	srv := &http.Server{
		Handler:           echoHandler(),
		ReadHeaderTimeout: 30 * time.Second,
		ErrorLog:          nil,
	}
	err = srv.Serve(ln)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// echoHandler serves the gorilla echo on every path but the compressed
// ones, which the gws echo of their mode serves.
func echoHandler() http.Handler {
	up := gorilla.Upgrader{
		ReadBufferSize:  64 << 10,
		WriteBufferSize: 64 << 10,
		WriteBufferPool: &sync.Pool{},
		CheckOrigin:     func(*http.Request) bool { return true },
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { echo(&up, w, r) })
	for _, z := range []compression{zTakeover, zNoTakeover} {
		zu := gwsEchoUpgrader(z)
		mux.HandleFunc(z.path(), func(w http.ResponseWriter, r *http.Request) {
			c, err := zu.Upgrade(w, r)
			if err != nil {
				return
			}
			c.ReadLoop() // runs the handler's callbacks until the connection ends
		})
	}
	return mux
}

func echo(up *gorilla.Upgrader, w http.ResponseWriter, r *http.Request) {
	c, err := up.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	defer c.Close()
	c.SetReadLimit(64 << 20)
	var buf []byte
	for {
		mt, rd, err := c.NextReader()
		if err != nil {
			return // includes the client's Close frame, answered by gorilla
		}
		n := 0
		for {
			if n == len(buf) {
				nb := make([]byte, max(4096, 2*len(buf)))
				copy(nb, buf[:n])
				buf = nb
			}
			m, err := rd.Read(buf[n:])
			n += m
			if err == io.EOF {
				break
			}
			if err != nil {
				return
			}
		}
		if err := c.WriteMessage(mt, buf[:n]); err != nil {
			return
		}
	}
}

// gwsEchoUpgrader is the compressed echo of mode z.
func gwsEchoUpgrader(z compression) *gws.Upgrader {
	takeover := z == zTakeover
	return gws.NewUpgrader(gwsEcho{}, &gws.ServerOption{
		ReadBufferSize:     64 << 10,
		ReadMaxPayloadSize: 64 << 20,
		PermessageDeflate: gws.PermessageDeflate{
			Enabled:               true,
			Level:                 zLevel,
			Threshold:             zThreshold,
			ServerContextTakeover: takeover,
			ClientContextTakeover: takeover,
			ServerMaxWindowBits:   15,
			ClientMaxWindowBits:   15,
		},
	})
}

// gwsEcho echoes every message with its opcode, and answers a Ping with a
// Pong carrying its payload (gws's built-in handler sends an empty one).
type gwsEcho struct{ gws.BuiltinEventHandler }

func (gwsEcho) OnMessage(c *gws.Conn, m *gws.Message) {
	_ = c.WriteMessage(m.Opcode, m.Bytes())
	_ = m.Close()
}

func (gwsEcho) OnPing(c *gws.Conn, payload []byte) { _ = c.WritePong(payload) }
