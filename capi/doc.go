// Command capi is the HarmonyOS NetworkKit WebSocket client C API (the NDK's
// net_websocket.h, API 11) over package
// github.com/cangjie-go/ohos/networkkit/websocket: a C shared library,
// libnet_websocket.so, that NDK programs compile and run against on Linux.
//
//	go build -buildmode=c-shared -o libnet_websocket.so ./capi
//	cc -I capi/include -o app app.c -L . -lnet_websocket -lpthread
//	LD_LIBRARY_PATH=. ./app
//
// The headers are capi/include/network/netstack/net_websocket.h and
// net_websocket_type.h, written from the platform's documentation: the six
// functions, the structs (each also a typedef of its own name), the four
// callback types and WebSocket_ErrCode with its public values. They compile
// as C99 and later and as C++11 and later. (go build also writes
// libnet_websocket.h beside the library; it is cgo's, not for programs.)
//
// # Functions
//
//	function                        returns
//	OH_WebSocketClient_Constructor  the client (NULL only on an internal failure); any callback may be NULL
//	OH_WebSocketClient_AddHeader    0; 1001, 1002; 1015 NULL fieldName; 1016 the list holds 8192 nodes
//	OH_WebSocketClient_Connect      0 once connecting has begun; 1001, 1002; 1005 NULL or bad URL, scheme not ws/wss;
//	                                1015 a header node without name; 1016 over 8192 nodes;
//	                                1009 a header HTTP does not allow; 1003 already connecting or open
//	OH_WebSocketClient_Send         0 once written; 1001, 1002; 1011 NULL data; 1012 over 4 MiB;
//	                                1017 not connected; 1013 send queue full
//	OH_WebSocketClient_Close        0 once closed; 1001, 1002; 1017 not connected (or already closing);
//	                                1009 a code or reason RFC 6455 does not allow
//	OH_WebSocketClient_Destroy      0; 1001, 1002 (also when destroyed before); 1018 never connected (freed all the same)
//
// 1001 is a NULL client, 1002 a client the library did not create or has
// destroyed. Details:
//
//   - AddHeader appends a copy of the header's strings (header.next is
//     ignored) to client->requestOptions.headers. The library owns the nodes
//     it appends; Destroy frees them. A NULL fieldValue is sent empty.
//   - Connect reads the header list of its options argument, usually
//     client->requestOptions (the list AddHeader builds; callers may link in
//     nodes of their own). Names that differ only in case are sent as one
//     field, the values joined with ", " in list order. Connect returns at
//     once: onOpen reports success; onError with 1003 and a message (for
//     example "websocket: connection failed: ws://…: handshake failed:
//     server answered 403 Forbidden instead of 101 Switching Protocols")
//     reports a failure. A client connects again after its connection has
//     ended, with the same callbacks.
//   - Send sends the length bytes as a text message if they hold no NUL byte
//     and are valid UTF-8, else as a binary message. It copies the data and
//     returns once the message is written to the connection; while
//     connecting it first waits for the connection to open (or fail: 1017).
//     length 0 sends an empty text message.
//   - Close sends code (0 means 1000) and reason (NULL means "") and returns
//     once the connection has closed: the server answered, or did not within
//     5 seconds. onClose follows with the code and reason sent. Close while
//     connecting aborts the attempt, returns 0, and no callback follows.
//   - Destroy closes an open connection with 1001 (and waits for it to
//     close, as Close does), waits for a running callback of the client to
//     return, and frees the struct and the nodes AddHeader appended. No
//     callback of the client runs after Destroy returns. Called from inside
//     one of the client's own callbacks, it does not wait for that callback
//     (it is recognised by its thread); the callback must not touch the
//     client after Destroy returns.
//
// # Callbacks and threads
//
// Every function is safe to call from any thread, also from inside
// callbacks. The callbacks of one client run one at a time, in order, on a
// thread of the library (the Go runtime's): onOpen, then onMessage for each
// whole message, then onError if the connection failed, then onClose once if
// it had opened. A failed handshake reports onError and no onClose. The
// callbacks of different clients may run at the same time. A callback that
// blocks delays only its own client's later callbacks; Destroy of a client
// waits for its running callback, so do not call it while holding a lock
// that callback waits for.
//
//	callback   receives
//	onOpen     {101, "Switching Protocols"}
//	onMessage  a whole message: data holds length bytes and a NUL byte after them; text and binary alike
//	onError    {1003, message}: handshake, dial or TLS failure, protocol violation, link loss
//	onClose    the server's code and reason; the client's own when it closed; {1005, ""} for a Close
//	           frame without code; {1006, "The link is down"} when the link dropped without one
//
// The strings and data a callback receives belong to the library and are
// valid only during the call. The library reads a callback pointer from
// the struct each time it calls it, so C code may change client->onMessage
// and the others at any time.
//
// # Memory
//
// Go owns nothing that C holds: the struct WebSocket and the header nodes
// AddHeader appends are C memory (malloc), freed by Destroy. Each struct
// WebSocket maps to its Go client in a registry guarded by a mutex. A C API
// has to keep this package-level registry (C hands back bare pointers that
// Go can neither check nor own otherwise); it is the one exception to the
// project's rule against package-level state. Every exported function
// recovers a Go panic, logs it with its stack through the standard log
// package and returns 1003 (NULL from the constructor): no panic crosses
// into C.
//
// # Differences from HarmonyOS
//
// The library returns the public WebSocket_ErrCode numbers (the platform
// returns internal numbers for some failures: 1004 for a bad URL, 1006 for
// a failed connect) and fixes what would crash or leak there:
//
//   - NULL callbacks, a NULL URL and header nodes with NULL strings are
//     skipped or refused with a code (the platform crashes); AddHeader
//     copies the strings (the platform stores the caller's pointers).
//   - Connect checks the URL scheme (ws or wss) and refuses a second Connect
//     while connecting or open with 1003 (the platform starts a second
//     connection). The platform's INTERNET permission check (1020) does not
//     apply.
//   - Send checks the connection (the platform queues without checking)
//     and waits until the data is written; it decides text or binary from
//     the length bytes alone (the platform calls strlen, reading past them)
//     and sends invalid UTF-8 as binary; length 0 sends an empty message
//     (the platform sends nothing).
//   - Close checks the code and reason (the platform sends any code, and
//     sends 1000 when the reason is NULL); Close while connecting aborts and
//     returns 0 (the platform returns 1017).
//   - Destroy closes the connection, frees the client and its header nodes,
//     and guarantees that no callback runs afterwards; a client that never
//     connected is freed too (1018 tells that nothing was connected). The
//     platform leaks both and keeps the connection's thread running.
//   - onError also reports link loss and protocol violations; onClose after
//     link loss is {1006, "The link is down"} (the platform: {1001,
//     "websocket close from server"}); an empty server reason stays empty.
//   - The handshake sends Origin: http://host (https:// for wss) without the
//     port, as the platform's native client does; an Origin header added
//     with AddHeader replaces it (the platform sends both).
//   - The package's TLS defaults hold: wss verifies the certificate chain and
//     the host name (the platform verifies nothing); the system proxy is read
//     from HTTPS_PROXY, HTTP_PROXY and NO_PROXY. Received messages are
//     limited to 16 MiB (the platform: 1 GiB), the opening handshake to
//     30 seconds; there is no limit on the number of clients (the platform:
//     100).
//
// # Tests
//
// go test ./capi builds the library into a temporary directory, compiles
// the C programs in capi/testdata with gcc (and the C++ one with g++) and
// runs them against loopback echo servers. Without gcc the tests are
// skipped, or fail when the environment variable CI is set.
package main

// main is empty: the library's entry points are the exported functions.
func main() {}
