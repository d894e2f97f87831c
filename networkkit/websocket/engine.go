package websocket

// The engine: who runs where, and who owns what.
//
// Goroutines of one WebSocket object and its connection (a session):
//
//   - The caller's goroutines run the methods. Send and SendContext write on
//     the caller's goroutine when the write side is free (write.go); Close
//     writes its Close frame there too when nothing is queued.
//   - The dialer (session.dial, dial.go) exists from Connect until the
//     handshake has ended. It calls RequestOptions.Jar. On success it starts
//     the reader and then runs the callbacks of headerReceive, Connect, open
//     and openInfo itself. A caller's RequestOptions.DialContext runs on a
//     goroutine of its own, which the dialer stops waiting for when the
//     handshake is aborted (config.dialFunc); the SOCKS5 negotiation
//     (golang.org/x/net/proxy) watches the handshake's context on another
//     while it runs.
//   - The reader (session.readLoop, read.go), one per open connection, reads
//     frames. When nobody runs callbacks it runs a message's callbacks itself;
//     when the receive queue is full it waits for room (back-pressure). When
//     the connection ends it runs finish (close.go) and then the final
//     callbacks. If something needs reading while the reader runs callbacks
//     (Close, a blocking call from inside a callback) or a callback ends the
//     reader with runtime.Goexit, a new reader goroutine takes over at the
//     message boundary (replaceReader).
//   - A writer goroutine (session.writeLoop, write.go) exists only while
//     queued messages or due control frames wait and their writer would
//     otherwise be a goroutine that must not block (the reader, a timer).
//   - The dispatcher's goroutine (dispatcher.run, events.go) exists only
//     while callbacks wait and no other goroutine runs them.
//   - Timers: the keep-alive Ping and the Pong timeout (keepalive.go), the
//     close timeout (close.go). Their functions never wait on the network
//     for longer than one bounded write.
//
// Locks, in the order they may be taken (holding one, take only those
// below it):
//
//	ws.mu   the object's state, and its session's fields marked "ws.mu"
//	d.mu    the callbacks' queue (dispatcher, events.go)
//	l.mu    registering and removing listeners (events.go)
//	w.abortMu  the handshake's deadlines (wire.go)
//
// No lock is held while reading from or writing to the socket or while a
// callback runs. Two roles are held without a lock, by flags set under one:
// the write side (session.writing, ws.mu): only its holder calls the
// wire's frame writers; and running callbacks (dispatcher.running, d.mu):
// only its holder delivers events.

import (
	"context"
	"crypto/tls"
	"sync/atomic"
	"time"
)

// session is one connection of a WebSocket, from Connect to its end.
type session struct {
	ws      *WebSocket
	cfg     *config
	connect completion  // Connect's outcome
	tls     *tls.Config // built at Connect from the option files; used for wss

	// Connecting (ws.mu).
	cancel  context.CancelFunc // aborts the handshake
	attempt int                // 0 for Connect; n for the n-th reconnect attempt (reconnect.go)
	retry   *time.Timer        // a reconnect attempt's wait; it calls redial

	// Set under ws.mu when the handshake succeeded; read-only afterwards.
	w *wire

	// Write side (ws.mu, but ctrlDue).
	writing   bool           // a goroutine owns the write side
	queue     fifo[outgoing] // messages, and the client's Close, waiting to be written
	pongs     [][]byte       // payloads of the server's Pings not yet answered, oldest first
	pingDue   bool           // the keep-alive Ping ka.seq waits to be written
	userPings []*userPing    // Pings of Ping calls, not yet answered (ping.go)
	pingCount uint64         // numbers the Pings of Ping calls
	final     *closeRequest  // a Close frame that ends the connection, due before anything queued
	ctrlDue   atomic.Bool    // pongs, pingDue, a due user Ping or final; read between frames without ws.mu
	idle      chan struct{}  // made by finish to wait for the write side; closed when it is free
	// coalescing: the reader runs the callbacks of messages it has already
	// read more of; Send queues instead of writing, and the reader writes
	// the queue in one go before it next waits for the socket (write.go).
	coalescing atomic.Bool

	// Compression (permessage-deflate), nil when not negotiated; set with w.
	deflate *deflater // the write side's owner only
	inflate *inflater // the reader only

	// Reader.
	reader      atomic.Int64 // readerGen<<1 | 1 while the reader runs callbacks itself
	held        atomic.Bool  // the reader is not reading: it runs callbacks or waits for room
	stopHolding atomic.Bool  // closing, or the link is down: the reader never waits for room again

	// Keep-alive (ws.mu).
	ka keepAlive

	// Lifecycle (ws.mu).
	closing    *closeRequest // the client's Close, once called
	closers    []completion  // Close calls waiting for the end
	failure    error         // why the client failed the connection
	ended      bool          // finish has begun: nothing new is written
	end        *CloseError   // how the connection ended; set when finish begins
	closeTimer *time.Timer   // drops the link when the closing handshake takes too long
}

// closeRequest is the code and reason of a Close frame.
type closeRequest struct {
	code   uint32
	reason string
}
