// Package websocket is the WebSocket client of the HarmonyOS NetworkKit
// (ohos.net.webSocket) in Go: the platform's callback API, as Cangjie code
// uses it, plus a blocking API for Go callers, both over one connection
// engine.
//
// The blocking face, for Go programs:
//
//	ws := websocket.CreateWebSocket()
//	if err := ws.ConnectContext(ctx, "wss://example.com/chat", nil); err != nil { ... }
//	if err := ws.SendContext(ctx, websocket.StringData("Hello, server!")); err != nil { ... }
//	msg, err := ws.ReceiveContext(ctx) // or: for msg, err := range ws.Messages(ctx)
//	...
//	err = ws.CloseContext(ctx, nil)
//
// The callback face, as on the platform (Data and Done adapt plain funcs;
// the Cangjie-shaped callback types work too, see Mapping from Cangjie):
//
//	ws.OnMessage(websocket.Data(func(m websocket.MessageData) { fmt.Println("message:", m) }))
//	ws.Connect("wss://example.com/chat", websocket.Done(func(err error) { ... }), nil)
//
// # Lifecycle
//
// A [WebSocket] goes idle → connecting → open → closing → closed, and from
// closed (or idle) it may connect again; its listeners stay registered
// (with RequestOptions.Reconnect, a lost connection goes back to
// connecting by itself: see Reconnecting below).
//
//   - [WebSocket.Connect] (or [WebSocket.ConnectContext]) starts connecting.
//     On success the events headerReceive, then the Connect callback, then
//     open and openInfo. On failure the Connect callback gets an error and the error
//     event fires; no close event follows.
//   - [WebSocket.Send] sends a message: at once on the calling goroutine
//     when nothing else is being written, else through the send queue (see
//     Writing). Sends made while connecting wait in the queue and go out, in
//     order, when the connection opens; if it fails first, each completes
//     with error 2302006.
//   - [WebSocket.Close] sends the queued messages, then a Close frame, and
//     waits up to RequestOptions.CloseTimeout for the server's Close frame
//     before dropping the link. Close while connecting aborts the attempt.
//   - A connection that opened ends with exactly one close event. When the
//     server broke the protocol, the link dropped or the keep-alive timed
//     out, the error event comes first.
//
// Every Connect, Send and Close call completes exactly once, also on bad
// arguments: through its callback (callback face) or its return value
// (blocking face). When a connection has ended, none of its goroutines,
// timers or sockets remain.
//
// On one object, every event of a connection — its final error and close
// events included — is delivered before any event of the next connection.
// A Connect made once Close has completed (its callback ran, or
// CloseContext returned) belongs to the next connection.
//
// Reconnecting. With RequestOptions.Reconnect set (a [ReconnectPolicy];
// off by default, as on the platform), the object connects again when a
// connection that was open ends without the client asking. The states,
// with reconnection:
//
//	          Connect                 101            Close
//	idle ─────────────▶ connecting ─────────▶ open ─────────▶ closing ──▶ closed
//	                       │  ▲                │ lost: 1006, keep-alive,
//	         failed: error │  │ delay passed   │ failed write, server Close
//	         event, closed │  │                │ with a code of the policy
//	                       ▼  │                ▼
//	                    waiting ◀──────── (error,) close, reconnect n=1
//	                      │  ▲
//	                      │  └── attempt failed, transient: reconnect n+1
//	                      └───── attempt refused for good, or MaxAttempts
//	                             reached: reconnect GaveUp, closed
//	Close while waiting, or during an attempt: closed at once
//
// What the program sees:
//
//   - The lost connection ends as without the policy: error (if any), then
//     close. Then the reconnect event (EventReconnect, a Go-only event)
//     with Attempt 1, the Delay drawn, and the Cause: the end of the
//     connection, whose close status [CloseStatus] finds.
//   - A successful attempt fires headerReceive, then open (no Connect
//     callback: there was no Connect call). The attempt count starts again
//     at 1 the next time the connection is lost.
//   - A failed attempt fires no error event: the next reconnect event
//     carries its Cause. Transient causes — a dial, TLS or proxy failure, a
//     timeout, a 5xx, 408 or 429 answer — schedule the next attempt; any
//     other refused handshake (400, 401, 403, 404, …, or a 101 the client
//     cannot accept) ends the policy. A Retry-After header on a 429 or 503
//     replaces the drawn delay, capped by MaxDelay.
//   - When the policy ends (a permanent cause, or MaxAttempts failed
//     attempts in a row), the reconnect event with GaveUp true is the last
//     event, and the object is closed.
//   - Close during the wait, or during an attempt, ends the object at once:
//     no further attempt, no timer left, Close's callback completes, and no
//     close event fires for the connection that never opened.
//   - A Connect of the program never reconnects after a failure of its own:
//     ConnectContext returns at the first open or failure.
//
// Messages sent while the object waits or reconnects are queued (at most
// SendQueueSize) and sent, in order, when the connection opens; messages
// the lost connection had not begun to send wait too. Each completes
// exactly once: written, or failed with 2302006 when the policy gives up
// or Close ends the object. Delivery is at most once: a message written to
// a link that then dropped is not sent again, since the client cannot know
// whether the server read it. For at-least-once delivery, number the
// messages and have the server acknowledge them; on open, send again those
// not acknowledged, and let the server drop duplicates by number.
//
// ReceiveContext goes on across a reconnection: it returns the messages of
// the lost connection that arrived before it dropped, then waits for those
// of the next; it reports an end only when the object is closed (the
// policy gave up, or Close). Listen to the reconnect event to know that
// messages may have been lost in between.
//
// Receiving without callbacks: a message goes to the message and dataEnd
// listeners if at least one is registered when it arrives; otherwise it
// waits for [WebSocket.ReceiveContext] (or [WebSocket.Messages]) in the
// same bounded queue (see Back-pressure). Once the connection has ended
// and its messages were taken, ReceiveContext returns the end. The end of a
// connection shows in the errors of every later call that needs one —
// Send, SendContext, ReceiveContext, Ping — as a [*CloseError] with the
// close code and reason ([CloseStatus]), until the next Connect.
//
// Beside the platform's API: [WebSocket.Ping] measures a round trip;
// [WebSocket.NetConn] turns the open connection into a net.Conn for code
// that takes a byte stream.
//
// # Events
//
// Register callbacks with [WebSocket.On] (checked at run time, as on the
// platform) or with the typed methods OnOpen, OnOpenInfo, OnMessage,
// OnClose, OnError, OnDataEnd and OnHeaderReceive (checked at compile time).
//
//	event          callback type                                  when
//	headerReceive  callback.Callback1Argument[ResponseHeaders]    the 101 answer was validated (before open)
//	open           WebSocketAsyncCallback[map[uint32]string]      the connection is open; data {101: "Switching Protocols"}
//	openInfo       WebSocketAsyncCallback[OpenInfo]               right after open; data {101, "Switching Protocols", subprotocol}
//	message        WebSocketAsyncCallback[MessageData]            a whole message arrived: StringData or ArrayData
//	dataEnd        callback.Callback0Argument                     right after every message event
//	error          WebSocketErrorCallback                         the connection failed (code 200); see Errors
//	close          WebSocketAsyncCallback[CloseResult]            the connection has ended
//	reconnect      WebSocketAsyncCallback[Reconnect]              Go only: an attempt was scheduled, or the policy gave up
//	                                                              (see Reconnecting)
//
// The order is headerReceive → open → openInfo → (message → dataEnd)* →
// [error] → close. openInfo (the platform's API 26 event) repeats open's
// status and reason phrase as an [OpenInfo] and adds the subprotocol the
// server chose ("" if none, where the platform omits the property). The close event's CloseResult is the server's code and reason when
// the server closed; the client's own when the client closed (also when the
// server did not answer in time); 1005 and "" for a server Close frame
// without a code; 1006 and "The link is down" when the link dropped without
// a Close frame; 1002, 1007 or 1009 with the reason sent when the client
// failed the connection (protocol violation, invalid UTF-8, message too
// big).
//
// headerReceive delivers [MapData]: header names in lower case, repeated
// headers joined with "," (Set-Cookie and Cookie with ";"); [UndefinedData]
// for a response without headers.
//
// Several callbacks may be registered per event; they run in registration
// order. Registering the same callback twice keeps one. [WebSocket.Off]
// removes one callback by identity, or all callbacks of the event when the
// callback is nil.
//
// # Concurrency
//
// Every method of [WebSocket] is safe for concurrent use. The goroutines of
// a connection:
//
//   - The reader, one per open connection, reads frames. When a message
//     arrives and no callback is running or waiting, the reader runs the
//     message's callbacks itself; otherwise the message waits in the
//     receive queue (see Back-pressure).
//   - A writer goroutine exists only while messages wait to be written (see
//     Writing); Send and SendContext write on the calling goroutine when
//     nothing else is being written.
//   - A callback goroutine exists only while callbacks wait and the reader
//     is not running them.
//   - Keep-alive runs on timers. An idle open connection has one goroutine,
//     the reader.
//
// All callbacks of one WebSocket — event listeners and the callbacks of
// Connect, Send and Close — run one at a time, in order. A callback may
// call any method of the same object: Send, Close and the blocking
// ConnectContext, SendContext and CloseContext work from inside a callback
// (SendContext blocks the callbacks after it until the message is written,
// bounded by RequestOptions.WriteTimeout; CloseContext and ConnectContext
// do not need the callbacks to run). What cannot work is a callback that
// waits for a later callback of the same object, for example for a
// channel that a later message callback fills: the later callback runs
// only when the waiting one returns.
//
// A slow callback delays the callbacks after it; while a message callback
// runs on the reader, or while the receive queue is full, the connection is
// not read (back-pressure), but Close, CloseContext, ReceiveContext and
// Ping still complete: when one of them needs the connection read while the
// reader runs a callback, a new reader takes over. A callback that panics
// is recovered, logged with its stack through RequestOptions.Logger
// (slog.Default() if nil) with the connection's URL, and skipped; one that
// calls runtime.Goexit (a misused t.FailNow) ends only itself. The others
// still run.
//
// ReceiveContext, Ping and NetConn's Read and Write may be called from any
// goroutine, concurrently with everything else; several ReceiveContext
// calls at once share the messages, each going to one of them.
//
// The blocking methods (ConnectContext, SendContext, CloseContext) return
// when the operation is done on the connection; the callbacks of the events
// it caused may still be waiting to run.
//
// # Writing
//
// One goroutine at a time owns the connection's write side: the caller of
// Send or SendContext when nothing else is being written, a writer
// goroutine while queued messages wait, a keep-alive timer for its Ping.
// Every frame goes through the owner: messages, the Pongs that answer the
// server's Pings, keep-alive Pings and Close frames. The reader never
// writes and never waits for a write: it hands a Ping's payload to the
// owner (at most 16 unanswered Pings are kept; beyond that the oldest go
// unanswered, as RFC 6455 §5.5.3 allows) and reads on.
//
// A message longer than RequestOptions.MaxFrameSize (64 KiB by default) is
// sent as fragments: a text or binary frame, then continuation frames, each
// at most MaxFrameSize bytes. Between two fragments the owner writes the
// control frames that became due, so a Pong never waits behind more than one
// fragment. [NoFragmentation] sends every message as one frame, as the
// platform does; control frames then wait for the whole message. Runs of
// small queued messages go out together in one write, one frame each.
//
// Every write to the socket is bounded by RequestOptions.WriteTimeout
// (30 s by default): a write of at most 64 KiB plus a frame header that has
// not completed by then, or that fails, fails the connection. The socket is
// closed at once — no frame is ever left half written on a connection that
// goes on, over ws and wss alike — the error event reports code 200 with
// the frame that could not be written and why ("writing a binary frame timed
// out after 30s (WriteTimeout)"), and the close event reports 1006. The
// sends that were not written complete with 2302006.
//
// SendContext honours its context at every step: if ctx has ended, nothing
// is sent; if ctx ends while the message waits in the queue, the message is
// withdrawn — never written, whatever is queued behind it — and
// SendContext returns ctx.Err(); if ctx ends after the first bytes of the
// message were written, the connection cannot go on with half a message, so
// it is failed at once and SendContext returns 2302006 wrapping
// net.ErrClosed and ctx.Err(). A message that was written whole returns nil,
// never ctx.Err().
//
// # Back-pressure
//
// A received message goes to the message callbacks. If no callback is
// running or waiting, the reader runs them at once; otherwise the message
// waits in the receive queue. When the queue holds
// RequestOptions.ReceiveQueueSize messages (256 by default) or at least
// RequestOptions.ReceiveQueueBytes bytes (4 MiB by default), the reader
// stops reading the socket until a callback has taken a message, so TCP
// pushes back on the server. While a message callback runs on the reader,
// the socket is not read either.
//
// While the reader is held: the server's Pings are answered when it
// resumes; the keep-alive's Pong timeout does not fail the connection (it
// starts again when it runs out); a Close frame of the server is seen when
// the reader resumes. Once the client has called Close, the reader is never
// held: messages that do not fit the queue are discarded, so that the
// closing handshake always completes.
//
// The memory of received data is bounded per connection by
//
//	ReceiveQueueBytes + 2 × MaxMessageSize
//
// (the queue, which its last message may push past ReceiveQueueBytes, and
// the message a callback holds) plus a 256-byte read buffer (8 KiB,
// pooled, while a burst of data keeps every read full; it goes back to the
// pool when a read no longer fills it); with the defaults, 36 MiB at most,
// and nothing but the 256-byte buffer when the callbacks keep up.
//
// # Keep-alive
//
// After RequestOptions.PingInterval without a Pong (30 s by default), the
// client sends a Ping with an 8-byte payload of its own, written by the
// owner of the write side at the next frame boundary. At most one
// keep-alive Ping is outstanding. The Pong timeout
// (RequestOptions.PongTimeout, 30 s by default) starts when the Ping has
// been written, so a Ping that waits behind a fragment being written is not
// late yet, and a link that is busy writing a long message is judged by
// WriteTimeout instead. Only the Pong that carries the outstanding Ping's
// payload answers it; other (unsolicited) Pongs change nothing. When the
// answer comes, the next Ping is due PingInterval later. Without an answer
// in time, the error event reports code 200 wrapping [ErrPongTimeout] and
// the close event 1006. Keep-alive stops when Close is called.
//
// # On the wire
//
// gorilla/websocket performs the opening handshake; the package reads and
// writes frames itself. Client frames are masked with fresh keys from a
// per-connection ChaCha8 stream seeded from crypto/rand, through pooled
// 64 KiB buffers; a received message is read into one buffer of its size
// (a compressed one is inflated into a pooled buffer, then copied into one
// of its size).
// The client checks every frame of the server (reserved bits and opcodes,
// masking, control frame rules, fragmentation, close codes and reasons,
// UTF-8 of text, failing at the first invalid byte) and closes with 1002,
// 1007 or 1009 when the server breaks a rule, with a reason that names the
// rule ("reserved data opcode 3"). After a Close frame from the server it
// answers with the same code and no reason; once both Close frames have
// crossed, it closes the TCP connection.
//
// # Compression
//
// RequestOptions.Compression turns on permessage-deflate (RFC 7692); it is
// off by default, as on the platform, whose client offers no extension.
// The client offers
//
//	permessage-deflate; client_no_context_takeover; server_no_context_takeover; client_max_window_bits
//	permessage-deflate; client_max_window_bits
//
// for [CompressionNoContextTakeover] and [CompressionContextTakeover]. It
// accepts every answer RFC 7692 allows: no extension (messages then go
// uncompressed), a server that drops or adds server_no_context_takeover,
// that demands client_no_context_takeover, that chooses
// server_max_window_bits 8–15 or limits the client's window with
// client_max_window_bits 8–15 (the client then really compresses with that
// smaller window). It fails the handshake (code 200, a [*HandshakeError]
// naming the reason) on every answer it forbids: an extension that was not
// offered, permessage-deflate twice, an unknown or repeated parameter, a
// value out of range or where none belongs. [WebSocket.Extensions] and the
// headerReceive event show the answer.
//
// Messages of at least RequestOptions.CompressionThreshold bytes (256 by
// default) are compressed at RequestOptions.CompressionLevel (1 by
// default) and sent with RSV1 on their first frame; smaller ones, and
// control frames, go as they are. Compressed messages are fragmented like
// the others. Received compressed messages may be fragmented too, with
// control frames between their fragments. MaxMessageSize applies to the
// inflated size and is checked while inflating: a small frame that would
// inflate past it ends the connection with 1009 once the limit is reached,
// having allocated about the limit (it grows a buffer to the limit, not to
// what the frame announces). The UTF-8 of a compressed text message is
// checked on the inflated bytes as they are produced, failing at the first
// invalid one (1007). RSV1 on a message when permessage-deflate was not
// negotiated, or on a continuation or control frame, is a protocol
// violation (1002), as is compressed data that does not inflate.
//
// Memory: without context takeover, compressors and decompressors are
// shared through pools and an idle connection holds none. With context
// takeover, a connection holds its compressor from its first compressed
// message on — klauspost/compress/flate's state: about 810 KiB of heap at
// level 1 and 1.0–1.4 MiB at levels 2–9, of which only the pages the
// messages touch become resident (about 190 KiB of RSS per idle connection
// at level 1 after one 1 KiB JSON message, bench workload idlez1000) — and
// the window of the messages it received, up to 32 KiB (less when the
// server's window is smaller); decompressors are shared.
//
// # Opening handshake
//
// The response header of the server (and of an HTTP or HTTPS proxy's answer
// to CONNECT) may be at most 64 KiB; a longer one fails the connection with
// code 200 naming the limit. A refused handshake (any status but 101) is
// reported as soon as its header has arrived: [HandshakeError].Body holds
// what arrived with the header (at most 1 KiB), and the client does not
// wait for more. Frames that arrive in the same segment as the 101 are kept
// for the reader, whether the answer's lines end with CRLF or a bare LF.
//
// Close while connecting, and cancelling the context of ConnectContext,
// abort the attempt at once at every step (DNS, TCP, proxy, TLS, the wait
// for the 101): the deadlines the handshake sets on the connection cannot
// undo the abort. A RequestOptions.DialContext that does not return when
// its context ends is not waited for; the connection it returns later is
// closed.
//
// The TLS configuration of a wss connection is built at Connect from a
// clone of RequestOptions.TLSClientConfig (or an empty one), then each of
// CAPath, ClientCert, SkipServerCertVerification and MinTLSVersion sets
// its field:
//
//	option                      field of the clone   refused (401) when TLSClientConfig sets
//	CAPath                      RootCAs              RootCAs
//	ClientCert                  Certificates         Certificates or GetClientCertificate
//	SkipServerCertVerification  InsecureSkipVerify   (never: it only turns verification off)
//	MinTLSVersion               MinVersion           MinVersion to another version
//	(the URL's host)            ServerName           (never: a ServerName of the config wins)
//	—                           NextProtos           (never: only "http/1.1" is kept)
//
// # Errors
//
// Every error is a *callback.BusinessException with one of these codes;
// compare with errors.Is(err, websocket.ErrURL) and read the code with
// errors.As. The cause, where there is one, is reachable with errors.Unwrap
// and errors.As (for example *[HandshakeError] with the HTTP status and
// headers of a refused handshake, *[ProxyError], *net.OpError,
// [ErrPongTimeout], net.ErrClosed).
//
//	code     constant                 when
//	200      ErrConnectionFailed      error event and failed Connect: dial, proxy, TLS, non-101 answer,
//	                                  response header over 64 KiB, protocol violation, invalid UTF-8,
//	                                  message too big, keep-alive timeout, write failed or timed out, link down
//	201      ErrPermissionDenied      never: Go programs need no INTERNET permission
//	401      ErrParameter             nil callback or data, a type that is not one of a sealed interface's
//	                                  variants (or a non-nil pointer to one), callback type that does not
//	                                  fit the event, close code not sendable, reason over 123 bytes, bad
//	                                  header, invalid option, two options that set one thing (TLS fields,
//	                                  proxy credentials)
//	2302001  ErrURL                   unparsable URL, scheme not ws/wss, no host, user info, fragment,
//	                                  port out of range, URL of 8196 bytes or more
//	2302002  ErrCertificateNotFound   CAPath or a client certificate or key that cannot be read
//	2302003  ErrConnectionExists      Connect while connecting, open or closing
//	2302006  ErrConnectionNotExist    Send with no connection or while closing, a queued message the connection
//	                                  never sent, a message the connection broke or closed in the middle of
//	2302998  ErrDomainNotAllowed      host not in RequestOptions.AllowedHosts
//	2302999  ErrUnknown               Close with no connection or a second Close; a full send queue
//
// Connect checks its arguments in this order: options (401), URL (2302001),
// allow-list (2302998), certificate files (2302002), state (2302003).
// Cancelling the context of a blocking call returns ctx.Err() itself (for
// SendContext: unless the message was partly written; see Writing).
//
// No input makes the package panic. A non-nil pointer to a variant of a
// sealed interface stands for the variant: *StringData and *ArrayData for
// [MessageData], *SystemProxy, *NoProxy, *HTTPProxy and *SOCKS5Proxy for
// [ProxyConfiguration], *EventOpen and the other event types for
// [OnOffType]. A nil pointer, or another type that has the interface's
// methods by embedding a variant, is refused with 401. A URL with an empty
// port ("ws://host:/") means the scheme's default port (RFC 3986).
//
// # Mapping from Cangjie
//
//	Cangjie (kit.NetworkKit)                       Go
//	createWebSocket()                              CreateWebSocket()
//	ws.connect(url, cb, options: o)                ws.Connect(url, cb, &o)      or ws.ConnectContext(ctx, url, &o)
//	ws.send(STRING_DATA(s), cb)                    ws.Send(StringData(s), cb)   or ws.SendContext(ctx, StringData(s))
//	ws.send(ARRAY_DATA(b), cb)                     ws.Send(ArrayData(b), cb)
//	ws.close(cb, options: o)                       ws.Close(cb, &o)             or ws.CloseContext(ctx, &o)
//	ws.on(OnOffType.OPEN, cb)                      ws.On(EventOpen{}, cb)       or ws.OnOpen(cb)
//	ws.off(OnOffType.OPEN, callback: cb)           ws.Off(EventOpen{}, cb)      or ws.OffOpen(cb)
//	ws.off(OnOffType.OPEN)                         ws.Off(EventOpen{}, nil)
//	OnOffType.OPEN/MESSAGE/CLOSE/ERROR/            EventOpen{}, EventMessage{}, EventClose{}, EventError{},
//	  DATAEND/HEADERRECEIVE                          EventDataEnd{}, EventHeaderReceive{}
//	on('openInfo', cb) (ArkTS, API 26)             ws.On(EventOpenInfo{}, cb)   or ws.OnOpenInfo(cb)
//	WebSocketOpenInfo {status, message, protocol?} OpenInfo{Status, Message, Protocol}
//	WebSocketAsyncCallback<T>({e, d => ...})       WebSocketAsyncCallbackFunc[T](func(e, d) {...})
//	                                               or, the data only: Data(func(d T) {...})
//	AsyncCallback<Bool> of connect/send/close      callback.AsyncCallback[bool]; the outcome only: Done(func(err error) {...})
//	WebSocketErrorCallback({e => ...})             WebSocketErrorCallbackFunc(func(e) {...})
//	Callback0Argument, Callback1Argument<T>        callback.Callback0Func, callback.Callback1Func[T]
//	MessageData.STRING_DATA / ARRAY_DATA           StringData / ArrayData
//	ResponseHeaders.MAP_DATA / ARRAY_STRING_DATA   MapData / ArrayStringData
//	  / UNDEFINED_DATA                               / UndefinedData
//	ProxyConfiguration.SYSTEM / NO_PROXY           SystemProxy{} (or nil) / NoProxy{}
//	  / HTTPPROXY(WebSocketHttpProxy(...))           / HTTPProxy{...}
//	  (no platform variant)                          / SOCKS5Proxy{...}
//	WebSocketRequestOptions(header:, caPath:,      RequestOptions{Header:, CAPath:, ClientCert:,
//	  clientCert:, proxy:, protocol:)                Proxy:, Protocol:}
//	WebSocketClientCert(certPath, keyPath,         ClientCert{CertPath:, KeyPath:,
//	  keyPassword: p)                                KeyPassword: mo.Some(p)}
//	WebSocketCloseOptions(code:, reason:)          CloseOptions{Code:, Reason:}
//	CloseResult(code, reason)                      CloseResult{Code, Reason}
//	BusinessException, AsyncError                  *callback.BusinessException, callback.AsyncError
//	Option<T>, Some(v), None                       mo.Option[T], mo.Some(v), mo.None[T]()
//
// ArkTS names map the same way: on('open') is On(EventOpen{}, ...), the
// Promise forms are the Context methods, the static API's
// onWebSocketClose/onWebSocketError are OnClose/OnError, and
// skipServerCertVerification, pingInterval, pongTimeout,
// supportOriginPort and minSupportTlsProtocol are RequestOptions fields of
// the same names (MinTLSVersion for the last).
//
// # Differences from HarmonyOS
//
// On purpose, this package differs from the platform where the platform is
// weaker than a careful user expects:
//
//   - TLS verifies the server's host name, not only the chain; a
//     self-signed server certificate is refused unless CAPath trusts it or
//     SkipServerCertVerification is set.
//   - The HTTP proxy's username and password are sent
//     (Proxy-Authorization: Basic); the platform ignores them.
//   - Every Connect, Send and Close completes exactly once; the platform
//     sometimes never calls back. Sends before open are flushed at open.
//   - Received text is validated as UTF-8 (invalid: close 1007 and the
//     error event); so is sent text (invalid: 401).
//   - Several listeners per event, as in Cangjie (ArkTS keeps only the
//     last); the error and message events do not need an open listener.
//   - dataEnd follows every message whether or not a message listener is
//     registered.
//   - A dropped link reports close code 1006, not 0; an empty close reason
//     from the server stays empty (the platform substitutes
//     "The link is down"); a Close frame without code reports 1005.
//   - Close codes that may not be sent are refused with 401, not replaced
//     with 1000; the default reason is "", not "CLOSE_NORMAL".
//   - Close sends the messages queued before it; the platform drops them.
//   - Error 201 (permission) is never produced; connection failures report
//     code 200 with a message that says what failed, and the Go error
//     behind it.
//   - CAPath empty means the system roots (the platform's default path
//     /etc/ssl/certs/cacert.pem does not exist on most systems).
//   - The URL scheme is matched case-insensitively; URLs with user
//     information or a fragment are refused (RFC 6455 §3).
//   - Origin is sent as the platform builds it ("http://host" or
//     "https://host", the port only with SupportOriginPort), but an Origin
//     in RequestOptions.Header replaces it (the platform sends both) and an
//     empty one sends none; an IPv6 host keeps its brackets (the platform
//     drops them).
//   - Automatic reconnection (RequestOptions.Reconnect, off by default) and
//     its reconnect event; compression (RequestOptions.Compression, off by
//     default); ReceiveContext, Ping, NetConn: none of them is the
//     platform's.
//   - Limits the platform lacks: a maximum message size (16 MiB), a
//     handshake timeout (30 s), a write timeout (30 s), a bounded send
//     queue (4096 messages), a bounded receive queue (256 messages, 4 MiB)
//     with back-pressure, a bounded response header (64 KiB).
//   - Messages over 64 KiB are sent in fragments so that control frames are
//     never stuck behind them; [NoFragmentation] restores the platform's
//     one frame per message.
//   - Send has no size cap. The platform refuses a message over 5,242,864
//     bytes (5 MiB − 16) with 401, because libwebsockets writes a message
//     from one buffer with 16 bytes of headroom. This package writes a
//     message in MaxFrameSize fragments straight from the caller's bytes,
//     each write bounded by WriteTimeout, so the cap would protect nothing
//     here; made the default, it would turn sends that work today into
//     errors. What bounds memory is the receiver's limit (MaxMessageSize
//     on this side); a program that wants the platform's limit checks
//     len(data) itself.
//   - The keep-alive's Pong timeout runs from the moment the Ping was
//     written, and only the Pong with the Ping's payload answers it.
//   - Options the platform lacks: a dial function (DialContext, for Unix
//     sockets and custom transports), a *tls.Config (TLSClientConfig: for
//     in-memory certificates, session resumption, custom verification),
//     HTTPS proxies (HTTPProxy.HTTPS and https:// proxy URLs, verified with
//     ProxyTLSConfig), SOCKS5 proxies (SOCKS5Proxy, socks5:// and
//     socks5h:// proxy URLs), ALL_PROXY as the fallback of HTTP_PROXY and
//     HTTPS_PROXY, extra CONNECT header fields (ProxyConnectHeader),
//     and a cookie jar (Jar; the platform sends no cookies but those of the
//     header option and stores none).
package websocket
