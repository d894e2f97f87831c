//go:build cgo

package main

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	gorilla "github.com/gorilla/websocket"
)

// probe is a WebSocket server for the C programs that the echo server
// cannot serve: it answers every message with its frame type and length
// ("text 5", "binary 3"), and reports the Close frame each connection sends
// on closes, keyed by request path.
type probe struct {
	*httptest.Server
	closes chan closeFrame
}

// closeFrame is a Close frame a client sent.
type closeFrame struct {
	path   string
	code   int
	reason string
}

func newProbe(t *testing.T) *probe {
	p := &probe{closes: make(chan closeFrame, 64)}
	p.Server = httptest.NewServer(http.HandlerFunc(p.serve))
	t.Cleanup(p.Close)
	return p
}

// WSURL returns the ws:// URL of the server.
func (p *probe) WSURL() string { return "ws" + strings.TrimPrefix(p.URL, "http") }

func (p *probe) serve(w http.ResponseWriter, r *http.Request) {
	// Any Origin: the client sends the platform's, without the port.
	up := gorilla.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	c, err := up.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	defer c.Close()
	for {
		typ, data, err := c.ReadMessage()
		if err != nil {
			var ce *gorilla.CloseError
			if errors.As(err, &ce) {
				p.closes <- closeFrame{path: r.URL.Path, code: ce.Code, reason: ce.Text}
			}
			return
		}
		kind := "text"
		if typ == gorilla.BinaryMessage {
			kind = "binary"
		}
		if err := c.WriteMessage(gorilla.TextMessage, fmt.Appendf(nil, "%s %d", kind, len(data))); err != nil {
			return
		}
	}
}

// closeOf waits for the Close frame of the connection to path.
func (p *probe) closeOf(t *testing.T, path string) closeFrame {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case f := <-p.closes:
			if f.path == path {
				return f
			}
		case <-timeout:
			t.Fatalf("no Close frame from the connection to %s", path)
			return closeFrame{}
		}
	}
}
