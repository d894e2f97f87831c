// Package websocket is the WebSocket client of the HarmonyOS NetworkKit
// (ohos.net.webSocket) in Go: the platform's callback API, as Cangjie code
// uses it, plus a blocking API for Go callers, both over one connection
// engine.
//
//	ws := websocket.CreateWebSocket()
//	ws.OnMessage(websocket.WebSocketAsyncCallbackFunc[websocket.MessageData](
//		func(err mo.Option[callback.AsyncError], data mo.Option[websocket.MessageData]) {
//			fmt.Println("message:", data.MustGet())
//		}))
//	if err := ws.ConnectContext(ctx, "wss://example.com/chat", nil); err != nil { ... }
//	if err := ws.SendContext(ctx, websocket.StringData("Hello, server!")); err != nil { ... }
//	...
//	err := ws.CloseContext(ctx, nil)
//
// # Lifecycle
//
// A [WebSocket] goes idle → connecting → open → closing → closed, and from
// closed (or idle) it may connect again; its listeners stay registered.
//
//   - [WebSocket.Connect] (or [WebSocket.ConnectContext]) starts connecting.
//     On success the events headerReceive, then the Connect callback, then
//     open. On failure the Connect callback gets an error and the error
//     event fires; no close event follows.
//   - [WebSocket.Send] queues a message. Sends made while connecting wait in
//     the queue and go out, in order, when the connection opens; if it fails
//     first, each completes with error 2302006.
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
// # Events
//
// Register callbacks with [WebSocket.On] (checked at run time, as on the
// platform) or with the typed methods OnOpen, OnMessage, OnClose, OnError,
// OnDataEnd and OnHeaderReceive (checked at compile time).
//
//	event          callback type                                  when
//	headerReceive  callback.Callback1Argument[ResponseHeaders]    the 101 answer was validated (before open)
//	open           WebSocketAsyncCallback[map[uint32]string]      the connection is open; data {101: "Switching Protocols"}
//	message        WebSocketAsyncCallback[MessageData]            a whole message arrived: StringData or ArrayData
//	dataEnd        callback.Callback0Argument                     right after every message event
//	error          WebSocketErrorCallback                         the connection failed (code 200); see Errors
//	close          WebSocketAsyncCallback[CloseResult]            the connection has ended
//
// The order is headerReceive → open → (message → dataEnd)* → [error] →
// close. The close event's CloseResult is the server's code and reason when
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
// Every method of [WebSocket] is safe for concurrent use. An open
// connection has one goroutine of its own, which reads; a writer goroutine
// exists only while messages wait to be written, and keep-alive runs on
// timers. Messages are sent in the order of the Send calls, each as one
// frame. SendContext writes on the calling goroutine when nothing else
// waits to be written.
//
// All callbacks of one WebSocket — event listeners and the callbacks of
// Connect, Send and Close — run one at a time, in order, on one goroutine
// that exists while callbacks are waiting to run. A callback may call any
// method of the same object, including ConnectContext, SendContext and
// CloseContext, without deadlock; a slow callback delays the callbacks after
// it and nothing else (messages keep arriving and queue for it). A callback
// that panics is recovered, logged with its stack through the standard log
// package, and skipped; the others still run.
//
// The blocking methods (ConnectContext, SendContext, CloseContext) return
// when the operation is done on the connection; the callbacks of the events
// it caused may still be waiting to run.
//
// # On the wire
//
// gorilla/websocket performs the opening handshake; the package reads and
// writes frames itself. Client frames are masked with fresh keys from a
// per-connection ChaCha8 stream seeded from crypto/rand. A message is sent
// as one frame however large (masked through pooled 64 KiB buffers), and a
// received message is read into one buffer of its size. The client answers
// Pings with Pongs carrying the same payload, checks every frame of the
// server (reserved bits and opcodes, masking, control frame rules,
// fragmentation, close codes and reasons, UTF-8 of text, failing at the
// first invalid byte) and closes with 1002, 1007 or 1009 when the server
// breaks a rule. After a Close frame from the server it answers with the
// same code; once both Close frames have crossed, it closes the TCP
// connection.
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
//	                                  protocol violation, invalid UTF-8, message too big, keep-alive timeout, link down
//	201      ErrPermissionDenied      never: Go programs need no INTERNET permission
//	401      ErrParameter             nil callback or data, callback type that does not fit the event,
//	                                  close code not sendable, reason over 123 bytes, bad header, invalid option
//	2302001  ErrURL                   unparsable URL, scheme not ws/wss, no host, user info, fragment,
//	                                  port out of range, URL of 8196 bytes or more
//	2302002  ErrCertificateNotFound   CAPath or a client certificate or key that cannot be read
//	2302003  ErrConnectionExists      Connect while connecting, open or closing
//	2302006  ErrConnectionNotExist    Send with no connection, or a queued message the connection never sent
//	2302998  ErrDomainNotAllowed      host not in RequestOptions.AllowedHosts
//	2302999  ErrUnknown               Close with no connection or a second Close; a full send queue
//
// Connect checks its arguments in this order: options (401), URL (2302001),
// allow-list (2302998), certificate files (2302002), state (2302003).
// Cancelling the context of a blocking call returns ctx.Err() itself.
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
//	WebSocketAsyncCallback<T>({e, d => ...})       WebSocketAsyncCallbackFunc[T](func(e, d) {...})
//	WebSocketErrorCallback({e => ...})             WebSocketErrorCallbackFunc(func(e) {...})
//	Callback0Argument, Callback1Argument<T>        callback.Callback0Func, callback.Callback1Func[T]
//	MessageData.STRING_DATA / ARRAY_DATA           StringData / ArrayData
//	ResponseHeaders.MAP_DATA / ARRAY_STRING_DATA   MapData / ArrayStringData
//	  / UNDEFINED_DATA                               / UndefinedData
//	ProxyConfiguration.SYSTEM / NO_PROXY           SystemProxy{} (or nil) / NoProxy{}
//	  / HTTPPROXY(WebSocketHttpProxy(...))           / HTTPProxy{...}
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
// skipServerCertVerification, pingInterval, pongTimeout and
// minSupportTlsProtocol are RequestOptions fields of the same names
// (MinTLSVersion for the last).
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
//   - Limits the platform lacks: a maximum message size (16 MiB), a
//     handshake timeout (30 s), a bounded send queue (4096 messages).
package websocket
