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
)

// The neutral echo server: gorilla's server side with 64 KiB buffers. A
// gorilla server's WriteMessage writes every message as one frame (header,
// then the payload straight from the caller's slice), so no client is fed
// fragments it did not ask for. Write buffers come from a pool, so idle
// connections hold only their read buffer. The server is the same process
// for every client implementation.
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
	up := gorilla.Upgrader{
		ReadBufferSize:  64 << 10,
		WriteBufferSize: 64 << 10,
		WriteBufferPool: &sync.Pool{},
		CheckOrigin:     func(*http.Request) bool { return true },
	}
	srv := &http.Server{
		Handler:           http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { echo(&up, w, r) }),
		ReadHeaderTimeout: 30 * time.Second,
		ErrorLog:          nil,
	}
	err = srv.Serve(ln)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
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
