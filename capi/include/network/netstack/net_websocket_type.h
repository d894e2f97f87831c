/*
 * net_websocket_type.h - the data types of the HarmonyOS NetworkKit
 * WebSocket client C API (NDK, API 11), for libnet_websocket.so built from
 * github.com/cangjie-go/ohos/capi.
 *
 * Written from the platform's public documentation: the same struct, field,
 * callback and enum names and the same enum values, so that NDK code
 * compiles unchanged. Compiles as C (C99 or later) and as C++; every struct
 * is also a typedef of its own name, so "struct WebSocket_OpenResult" and
 * "WebSocket_OpenResult" name the same type in both languages.
 */
#ifndef NET_WEBSOCKET_TYPE_H
#define NET_WEBSOCKET_TYPE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The client; defined below, after the callback types that it holds. */
typedef struct WebSocket WebSocket;

/*
 * WebSocket_CloseResult is what onClose receives: the close code and reason
 * of the connection that ended. reason is valid only during the callback.
 */
typedef struct WebSocket_CloseResult {
    uint32_t code;
    const char *reason;
} WebSocket_CloseResult;

/*
 * WebSocket_CloseOption is what OH_WebSocketClient_Close sends: code 0
 * means 1000, a NULL reason means "".
 */
typedef struct WebSocket_CloseOption {
    uint32_t code;
    const char *reason;
} WebSocket_CloseOption;

/*
 * WebSocket_ErrorResult is what onError receives: an error code of
 * WebSocket_ErrCode and a message; errorMessage is valid only during the
 * callback.
 */
typedef struct WebSocket_ErrorResult {
    uint32_t errorCode;
    const char *errorMessage;
} WebSocket_ErrorResult;

/*
 * WebSocket_OpenResult is what onOpen receives: the handshake status (101)
 * and its reason phrase ("Switching Protocols"); reason is valid only during
 * the callback.
 */
typedef struct WebSocket_OpenResult {
    uint32_t code;
    const char *reason;
} WebSocket_OpenResult;

/* WebSocket_OnOpenCallback is called once the connection is open. */
typedef void (*WebSocket_OnOpenCallback)(struct WebSocket *client, WebSocket_OpenResult openResult);

/*
 * WebSocket_OnMessageCallback is called with every whole message received,
 * text or binary. data holds length bytes followed by a NUL byte and is
 * valid only during the callback.
 */
typedef void (*WebSocket_OnMessageCallback)(struct WebSocket *client, char *data, uint32_t length);

/* WebSocket_OnErrorCallback is called when the connection fails. */
typedef void (*WebSocket_OnErrorCallback)(struct WebSocket *client, WebSocket_ErrorResult errorResult);

/* WebSocket_OnCloseCallback is called once when an open connection ends. */
typedef void (*WebSocket_OnCloseCallback)(struct WebSocket *client, WebSocket_CloseResult closeResult);

/*
 * WebSocket_Header is one node of a linked list of HTTP header fields sent
 * with the opening handshake.
 */
typedef struct WebSocket_Header {
    const char *fieldName;
    const char *fieldValue;
    struct WebSocket_Header *next;
} WebSocket_Header;

/* WebSocket_RequestOptions are the options of OH_WebSocketClient_Connect. */
typedef struct WebSocket_RequestOptions {
    struct WebSocket_Header *headers;
} WebSocket_RequestOptions;

/*
 * WebSocket is the client that OH_WebSocketClient_Constructor returns. Its
 * callbacks may be changed before OH_WebSocketClient_Connect;
 * requestOptions.headers is the list OH_WebSocketClient_AddHeader appends
 * to.
 */
struct WebSocket {
    WebSocket_OnOpenCallback onOpen;
    WebSocket_OnMessageCallback onMessage;
    WebSocket_OnErrorCallback onError;
    WebSocket_OnCloseCallback onClose;
    WebSocket_RequestOptions requestOptions;
};

/*
 * WebSocket_ErrCode are the return values of the functions and the
 * errorCode of onError. Codes marked "unused" are part of the platform's
 * enum but never returned by this library.
 */
typedef enum WebSocket_ErrCode {
    /* Success. */
    WEBSOCKET_OK = 0,
    /* The base of the error codes (unused). */
    E_BASE = 1000,
    /* The client is NULL. */
    WEBSOCKET_CLIENT_NULL = (E_BASE + 1),
    /* The client was not made by OH_WebSocketClient_Constructor, or was destroyed. */
    WEBSOCKET_CLIENT_NOT_CREATED = (E_BASE + 2),
    /* The connection failed (onError), or Connect while connecting or connected. */
    WEBSOCKET_CONNECTION_ERROR = (E_BASE + 3),
    /* The URL is NULL or unusable, or its scheme is not ws or wss. */
    WEBSOCKET_CONNECTION_PARSE_URL_ERROR = (E_BASE + 5),
    /* Out of memory while connecting (unused). */
    WEBSOCKET_CONNECTION_NO_MEMORY = (E_BASE + 6),
    /* The peer closed the connection (unused: onClose reports it). */
    WEBSOCKET_CONNECTION_CLOSED_BY_PEER = (E_BASE + 7),
    /* The client was destroyed (unused: WEBSOCKET_CLIENT_NOT_CREATED). */
    WEBSOCKET_DESTROYED = (E_BASE + 8),
    /* A header, close code or close reason that HTTP or RFC 6455 does not allow. */
    WEBSOCKET_PROTOCOL_ERROR = (E_BASE + 9),
    /* Out of memory while sending (unused). */
    WEBSOCKET_SEND_NO_MEMORY = (E_BASE + 10),
    /* The data to send is NULL. */
    WEBSOCKET_SEND_DATA_NULL = (E_BASE + 11),
    /* The data to send is longer than 4 MiB. */
    WEBSOCKET_DATA_LENGTH_EXCEEDED = (E_BASE + 12),
    /* Too many messages wait to be sent. */
    WEBSOCKET_QUEUE_LENGTH_EXCEEDED = (E_BASE + 13),
    /* The client has no context (unused). */
    WEBSOCKET_NO_CLIENT_CONTEXT = (E_BASE + 14),
    /* A header node has a NULL fieldName. */
    WEBSOCKET_NO_HEADER_CONTEXT = (E_BASE + 15),
    /* More than 8192 header nodes. */
    WEBSOCKET_HEADER_EXCEEDED = (E_BASE + 16),
    /* The client is not connected. */
    WEBSOCKET_NO_CONNECTION = (E_BASE + 17),
    /* Destroy: the client never connected (it is freed all the same). */
    WEBSOCKET_NO_CONNECTION_CONTEXT = (E_BASE + 18)
} WebSocket_ErrCode;

#ifdef __cplusplus
}
#endif

#endif /* NET_WEBSOCKET_TYPE_H */
