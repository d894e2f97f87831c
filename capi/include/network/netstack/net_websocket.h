/*
 * net_websocket.h - the HarmonyOS NetworkKit WebSocket client C API (NDK,
 * API 11), for libnet_websocket.so built from github.com/cangjie-go/ohos/capi:
 *
 *     go build -buildmode=c-shared -o libnet_websocket.so ./capi
 *
 * Written from the platform's public documentation: the same six functions
 * with the same signatures, so that NDK code compiles unchanged. Compiles as
 * C (C99 or later) and as C++.
 *
 * All functions are safe to call from any thread, including from inside the
 * callbacks. The callbacks of one client run one at a time, in order, on a
 * thread of the library; the callbacks of different clients may run at the
 * same time. Strings and data handed to a callback are valid only during
 * the call. The return values are those of WebSocket_ErrCode.
 */
#ifndef NET_WEBSOCKET_H
#define NET_WEBSOCKET_H

#include "net_websocket_type.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * OH_WebSocketClient_Constructor creates a client with the four callbacks
 * (any of them may be NULL: that event is then not reported) and returns
 * it; NULL only on an internal failure. Free it with
 * OH_WebSocketClient_Destroy.
 */
struct WebSocket *OH_WebSocketClient_Constructor(WebSocket_OnOpenCallback onOpen, WebSocket_OnMessageCallback onMessage,
    WebSocket_OnErrorCallback onError, WebSocket_OnCloseCallback onclose);

/*
 * OH_WebSocketClient_AddHeader appends a copy of header (its fieldName and
 * fieldValue; header.next is ignored) to client->requestOptions.headers. The
 * library owns the node it appends: do not free it; Destroy does. A NULL
 * fieldValue is sent as an empty value.
 *
 * Returns WEBSOCKET_OK; WEBSOCKET_CLIENT_NULL; WEBSOCKET_CLIENT_NOT_CREATED;
 * WEBSOCKET_NO_HEADER_CONTEXT if fieldName is NULL; WEBSOCKET_HEADER_EXCEEDED
 * if the list already holds 8192 nodes.
 */
int OH_WebSocketClient_AddHeader(struct WebSocket *client, struct WebSocket_Header header);

/*
 * OH_WebSocketClient_Connect starts connecting client to url (ws:// or
 * wss://) with the header fields of options.headers (usually
 * client->requestOptions) and returns without waiting: onOpen reports
 * success, onError (WEBSOCKET_CONNECTION_ERROR and a message) failure.
 *
 * Returns WEBSOCKET_OK once started; WEBSOCKET_CLIENT_NULL;
 * WEBSOCKET_CLIENT_NOT_CREATED; WEBSOCKET_CONNECTION_PARSE_URL_ERROR for a
 * NULL or unusable URL or a scheme other than ws and wss;
 * WEBSOCKET_NO_HEADER_CONTEXT for a header node with a NULL fieldName;
 * WEBSOCKET_HEADER_EXCEEDED for more than 8192 header nodes;
 * WEBSOCKET_PROTOCOL_ERROR for a header that HTTP does not allow;
 * WEBSOCKET_CONNECTION_ERROR if the client is already connecting or
 * connected, or the connection cannot be started.
 */
int OH_WebSocketClient_Connect(struct WebSocket *client, const char *url, struct WebSocket_RequestOptions options);

/*
 * OH_WebSocketClient_Send sends length bytes of data as one message: a text
 * message if they hold no NUL byte and are valid UTF-8, else a binary
 * message. It returns once the message is written to the connection (while
 * connecting, it first waits for the connection to open). length 0 sends
 * an empty text message.
 *
 * Returns WEBSOCKET_OK; WEBSOCKET_CLIENT_NULL; WEBSOCKET_CLIENT_NOT_CREATED;
 * WEBSOCKET_SEND_DATA_NULL; WEBSOCKET_DATA_LENGTH_EXCEEDED for more than
 * 4 MiB (4194304 bytes); WEBSOCKET_NO_CONNECTION if the client is not
 * connected or the connection ended before the message was written;
 * WEBSOCKET_QUEUE_LENGTH_EXCEEDED if too many messages wait to be sent.
 */
int OH_WebSocketClient_Send(struct WebSocket *client, char *data, size_t length);

/*
 * OH_WebSocketClient_Close closes the connection with options.code (0
 * means 1000) and options.reason (NULL means "") and returns once it has
 * closed: after the server's Close frame, or after 5 seconds without it.
 * onClose then reports the code and reason sent. Close while connecting
 * aborts the attempt; no callback follows.
 *
 * Returns WEBSOCKET_OK; WEBSOCKET_CLIENT_NULL; WEBSOCKET_CLIENT_NOT_CREATED;
 * WEBSOCKET_NO_CONNECTION if there is no connection (or it is already
 * closing); WEBSOCKET_PROTOCOL_ERROR for a code that may not be sent
 * (allowed: 1000-1003, 1007-1014, 3000-4999) or a reason that is longer than
 * 123 bytes or not UTF-8.
 */
int OH_WebSocketClient_Close(struct WebSocket *client, struct WebSocket_CloseOption options);

/*
 * OH_WebSocketClient_Destroy closes an open connection with code 1001,
 * waits for a running callback of client to return (unless called from
 * inside it), and frees client and the header nodes that
 * OH_WebSocketClient_AddHeader appended. No callback of client runs after it
 * returns, and client must not be used again.
 *
 * Returns WEBSOCKET_OK; WEBSOCKET_CLIENT_NULL; WEBSOCKET_CLIENT_NOT_CREATED
 * (also for a client already destroyed); WEBSOCKET_NO_CONNECTION_CONTEXT if
 * client never connected - it is freed all the same.
 */
int OH_WebSocketClient_Destroy(struct WebSocket *client);

#ifdef __cplusplus
}
#endif

#endif /* NET_WEBSOCKET_H */
