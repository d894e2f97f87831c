package websocket

// This file is the only one that imports gorilla/websocket, which performs
// the opening handshake: it builds the upgrade request (key, version,
// subprotocols, headers), writes it over the connection netDial returns and
// validates the 101 answer (status, Upgrade, Connection,
// Sec-WebSocket-Accept). After the handshake the package reads and writes
// frames itself (wire.go): gorilla's client splits large messages into
// write-buffer-sized frames, reads messages through a growing buffer, and
// lets a few protocol violations through, which this package must not do.
// No gorilla type or error leaves this file.

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"

	gorilla "github.com/gorilla/websocket"
)

// handshakeConfig is everything the opening handshake needs.
type handshakeConfig struct {
	url              string
	header           http.Header
	subprotocols     []string
	extensions       string // the Sec-WebSocket-Extensions offer, or ""
	handshakeTimeout time.Duration
	// netDial opens the connection (and, for wss, does the TLS handshake);
	// it must return a *wire.
	netDial func(ctx context.Context, network, addr string) (net.Conn, error)
}

// errBadHandshake marks a handshake answer that is not a valid 101;
// handshake returns it with the response.
var errBadHandshake = errors.New("bad handshake")

// handshake performs the opening handshake over the connection cfg.netDial
// opens. It returns the response and the subprotocol the server chose. On a
// refused handshake it returns errBadHandshake and the response (its body
// holds at most the first 1 KiB).
func handshake(ctx context.Context, cfg *handshakeConfig) (*http.Response, string, error) {
	d := gorilla.Dialer{
		NetDialContext:    cfg.netDial,
		NetDialTLSContext: cfg.netDial,
		HandshakeTimeout:  cfg.handshakeTimeout,
		Subprotocols:      cfg.subprotocols,
		ReadBufferSize:    512, // the request and response only; dropped after the handshake
		WriteBufferSize:   512,
	}
	header := cfg.header
	if cfg.extensions != "" {
		// The Dialer refuses the header under its canonical key, because it
		// negotiates compression itself (and only one way); under the
		// lower-case key it sends it unchanged. Its answer never reaches
		// the Dialer: the wire's guard keeps it (see headGuard).
		header = header.Clone()
		header["sec-websocket-extensions"] = []string{cfg.extensions}
	}
	c, resp, err := d.DialContext(ctx, cfg.url, header)
	if err != nil {
		// A response with an error is a refused answer: not 101, or a 101
		// gorilla found wrong (it checks compression itself).
		if errors.Is(err, gorilla.ErrBadHandshake) || resp != nil {
			return resp, "", errBadHandshake
		}
		return resp, "", err
	}
	// From here on the package owns the connection; gorilla's Conn is
	// dropped unread (its buffer holds nothing: wire.Read stopped at the end
	// of the response).
	return resp, c.Subprotocol(), nil
}
