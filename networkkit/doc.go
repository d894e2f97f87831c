// Package networkkit is the root of the HarmonyOS NetworkKit in Go, as
// kit.NetworkKit is on the platform (ArkTS: @kit.NetworkKit). It holds no
// code; this page maps every platform name of the WebSocket client to its Go
// home.
//
// # Modules
//
//	Platform                                  Go package
//	kit.NetworkKit / @kit.NetworkKit          github.com/cangjie-go/ohos/networkkit (this page)
//	ohos.net.webSocket / @ohos.net.webSocket  github.com/cangjie-go/ohos/networkkit/websocket
//	ohos.base / @ohos.base                    github.com/cangjie-go/ohos/callback
//	Option<T> (?T)                            github.com/samber/mo, plus github.com/cangjie-go/ohos/option
//	NDK net_websocket.h, libnet_websocket.so  github.com/cangjie-go/ohos/capi (go build -buildmode=c-shared)
//
// # Functions and types (Cangjie, ArkTS → Go)
//
//	createWebSocket / webSocket.createWebSocket      websocket.CreateWebSocket
//	WebSocket                                        *websocket.WebSocket
//	connect(url, callback, options)                  (*WebSocket).Connect
//	connect(url, options): Promise<boolean>          (*WebSocket).ConnectContext
//	send(data, callback)                             (*WebSocket).Send
//	send(data): Promise<boolean>                     (*WebSocket).SendContext
//	close(callback, options)                         (*WebSocket).Close
//	close(options): Promise<boolean>                 (*WebSocket).CloseContext
//	on(type, callback) / off(type, callback)         (*WebSocket).On / Off
//	onOpen / offOpen (ArkTS static)                  (*WebSocket).OnOpen / OffOpen
//	onMessage / offMessage                           (*WebSocket).OnMessage / OffMessage
//	onWebSocketClose / offWebSocketClose             (*WebSocket).OnClose / OffClose
//	onWebSocketError / offWebSocketError             (*WebSocket).OnError / OffError
//	onDataEnd / offDataEnd                           (*WebSocket).OnDataEnd / OffDataEnd
//	onHeaderReceive / offHeaderReceive               (*WebSocket).OnHeaderReceive / OffHeaderReceive
//	OnOffType.OPEN, 'open'                           websocket.EventOpen{}
//	OnOffType.MESSAGE, 'message'                     websocket.EventMessage{}
//	OnOffType.CLOSE, 'close'                         websocket.EventClose{}
//	OnOffType.ERROR, 'error'                         websocket.EventError{}
//	OnOffType.DATAEND, 'dataEnd'                     websocket.EventDataEnd{}
//	OnOffType.HEADERRECEIVE, 'headerReceive'         websocket.EventHeaderReceive{}
//	'openInfo' (ArkTS, API 26)                       websocket.EventOpenInfo{}, (*WebSocket).OnOpenInfo / OffOpenInfo
//	WebSocketOpenInfo {status, message, protocol?}   websocket.OpenInfo{Status, Message, Protocol}
//	WebSocketAsyncCallback<T>                        websocket.WebSocketAsyncCallback[T], WebSocketAsyncCallbackFunc[T]
//	WebSocketErrorCallback, ErrorCallback            websocket.WebSocketErrorCallback, WebSocketErrorCallbackFunc
//	MessageData (STRING_DATA, ARRAY_DATA)            websocket.MessageData (StringData, ArrayData)
//	string | ArrayBuffer (ArkTS)                     websocket.StringData | websocket.ArrayData
//	ResponseHeaders (MAP_DATA, ARRAY_STRING_DATA,    websocket.ResponseHeaders (MapData, ArrayStringData,
//	  UNDEFINED_DATA)                                  UndefinedData)
//	ProxyConfiguration (SYSTEM, NO_PROXY,            websocket.ProxyConfiguration (SystemProxy, NoProxy,
//	  HTTPPROXY), 'system' | 'no-proxy' | HttpProxy    HTTPProxy; SOCKS5Proxy has no platform name)
//	WebSocketHttpProxy, connection.HttpProxy         websocket.HTTPProxy
//	WebSocketRequestOptions                          websocket.RequestOptions
//	  header, caPath, clientCert, proxy, protocol      Header, CAPath, ClientCert, Proxy, Protocol
//	  skipServerCertVerification                       SkipServerCertVerification
//	  pingInterval, pongTimeout                        PingInterval, PongTimeout
//	  minSupportTlsProtocol, TlsProtocol               MinTLSVersion, websocket.TLSProtocol
//	  supportOriginPort                                SupportOriginPort
//	WebSocketClientCert, ClientCert                  websocket.ClientCert
//	WebSocketCloseOptions                            websocket.CloseOptions
//	CloseResult                                      websocket.CloseResult
//	open payload HashMap<UInt32, String>             map[uint32]string
//	OpenResult {status, message} (ArkTS static)      map[uint32]string{status: message}
//	Callback0Argument, Callback1Argument<T>,         callback.Callback0Argument, Callback1Argument[T],
//	  Callback2Argument<A, B>                          Callback2Argument[A, B] (adapters: Callback0Func, ...)
//	CallbackObject                                   any value with an Invoke method
//	AsyncCallback<T>                                 callback.AsyncCallback[T]
//	AsyncError                                       callback.AsyncError
//	BusinessException, BusinessError                 *callback.BusinessException
//
// # Error codes
//
//	200      websocket.ErrConnectionFailed     2302002  websocket.ErrCertificateNotFound
//	201      websocket.ErrPermissionDenied     2302003  websocket.ErrConnectionExists
//	401      websocket.ErrParameter            2302006  websocket.ErrConnectionNotExist
//	2302001  websocket.ErrURL                  2302998  websocket.ErrDomainNotAllowed
//	                                           2302999  websocket.ErrUnknown
//
// # Not provided
//
// The WebSocket server (createWebSocketServer, API 19+) has no Go
// counterpart yet.
package networkkit
