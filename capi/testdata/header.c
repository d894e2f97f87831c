/*
 * header.c - the header as the platform names it, checked at compile time:
 * struct tags and typedef names, fields, callback types, the error codes.
 * Compiled with -fsyntax-only as C11 and C17, and (as header.cpp) as C++11
 * and later.
 */
#include "network/netstack/net_websocket.h"
#include "network/netstack/net_websocket_type.h"
#include "network/netstack/net_websocket.h" /* include guards */

#include <stddef.h>

#ifdef __cplusplus
#include <type_traits>
#define STATIC_ASSERT(e) static_assert(e, #e)
#define SAME_TYPE(a, b) static_assert(std::is_same<a, b>::value, #a " is " #b)
#else
#define STATIC_ASSERT(e) _Static_assert(e, #e)
#define SAME_TYPE(a, b) _Static_assert(_Generic((a *)0, b *: 1, default: 0), #a " is " #b)
#endif

/* Every struct is also a typedef of its own name. */
SAME_TYPE(struct WebSocket, WebSocket);
SAME_TYPE(struct WebSocket_CloseResult, WebSocket_CloseResult);
SAME_TYPE(struct WebSocket_CloseOption, WebSocket_CloseOption);
SAME_TYPE(struct WebSocket_ErrorResult, WebSocket_ErrorResult);
SAME_TYPE(struct WebSocket_OpenResult, WebSocket_OpenResult);
SAME_TYPE(struct WebSocket_Header, WebSocket_Header);
SAME_TYPE(struct WebSocket_RequestOptions, WebSocket_RequestOptions);
SAME_TYPE(enum WebSocket_ErrCode, WebSocket_ErrCode);

/* The public values of WebSocket_ErrCode. */
STATIC_ASSERT(WEBSOCKET_OK == 0);
STATIC_ASSERT(E_BASE == 1000);
STATIC_ASSERT(WEBSOCKET_CLIENT_NULL == 1001);
STATIC_ASSERT(WEBSOCKET_CLIENT_NOT_CREATED == 1002);
STATIC_ASSERT(WEBSOCKET_CONNECTION_ERROR == 1003);
STATIC_ASSERT(WEBSOCKET_CONNECTION_PARSE_URL_ERROR == 1005);
STATIC_ASSERT(WEBSOCKET_CONNECTION_NO_MEMORY == 1006);
STATIC_ASSERT(WEBSOCKET_CONNECTION_CLOSED_BY_PEER == 1007);
STATIC_ASSERT(WEBSOCKET_DESTROYED == 1008);
STATIC_ASSERT(WEBSOCKET_PROTOCOL_ERROR == 1009);
STATIC_ASSERT(WEBSOCKET_SEND_NO_MEMORY == 1010);
STATIC_ASSERT(WEBSOCKET_SEND_DATA_NULL == 1011);
STATIC_ASSERT(WEBSOCKET_DATA_LENGTH_EXCEEDED == 1012);
STATIC_ASSERT(WEBSOCKET_QUEUE_LENGTH_EXCEEDED == 1013);
STATIC_ASSERT(WEBSOCKET_NO_CLIENT_CONTEXT == 1014);
STATIC_ASSERT(WEBSOCKET_NO_HEADER_CONTEXT == 1015);
STATIC_ASSERT(WEBSOCKET_HEADER_EXCEEDED == 1016);
STATIC_ASSERT(WEBSOCKET_NO_CONNECTION == 1017);
STATIC_ASSERT(WEBSOCKET_NO_CONNECTION_CONTEXT == 1018);

/* The fields, in the platform's order. */
STATIC_ASSERT(offsetof(struct WebSocket, onOpen) == 0);
STATIC_ASSERT(offsetof(struct WebSocket, onMessage) > offsetof(struct WebSocket, onOpen));
STATIC_ASSERT(offsetof(struct WebSocket, onError) > offsetof(struct WebSocket, onMessage));
STATIC_ASSERT(offsetof(struct WebSocket, onClose) > offsetof(struct WebSocket, onError));
STATIC_ASSERT(offsetof(struct WebSocket, requestOptions) > offsetof(struct WebSocket, onClose));
STATIC_ASSERT(offsetof(struct WebSocket_Header, fieldName) == 0);
STATIC_ASSERT(offsetof(struct WebSocket_Header, next) > offsetof(struct WebSocket_Header, fieldValue));
STATIC_ASSERT(offsetof(struct WebSocket_CloseResult, reason) > offsetof(struct WebSocket_CloseResult, code));
STATIC_ASSERT(offsetof(struct WebSocket_ErrorResult, errorMessage) > offsetof(struct WebSocket_ErrorResult, errorCode));

/* The callback types and function signatures, as the platform writes them. */
static void on_open(struct WebSocket *client, WebSocket_OpenResult openResult) { (void)client; (void)openResult; }
static void on_message(struct WebSocket *client, char *data, uint32_t length) { (void)client; (void)data; (void)length; }
static void on_error(struct WebSocket *client, WebSocket_ErrorResult errorResult) { (void)client; (void)errorResult; }
static void on_close(struct WebSocket *client, WebSocket_CloseResult closeResult) { (void)client; (void)closeResult; }

WebSocket_OnOpenCallback open_cb = on_open;
WebSocket_OnMessageCallback message_cb = on_message;
WebSocket_OnErrorCallback error_cb = on_error;
WebSocket_OnCloseCallback close_cb = on_close;

struct WebSocket *(*constructor)(WebSocket_OnOpenCallback, WebSocket_OnMessageCallback, WebSocket_OnErrorCallback,
    WebSocket_OnCloseCallback) = OH_WebSocketClient_Constructor;
int (*add_header)(struct WebSocket *, struct WebSocket_Header) = OH_WebSocketClient_AddHeader;
int (*connect_fn)(struct WebSocket *, const char *, struct WebSocket_RequestOptions) = OH_WebSocketClient_Connect;
int (*send_fn)(struct WebSocket *, char *, size_t) = OH_WebSocketClient_Send;
int (*close_fn)(struct WebSocket *, struct WebSocket_CloseOption) = OH_WebSocketClient_Close;
int (*destroy_fn)(struct WebSocket *) = OH_WebSocketClient_Destroy;

/* Both spellings declare variables. */
struct WebSocket_OpenResult open_result = {101, "Switching Protocols"};
WebSocket_CloseOption close_option = {1000, "bye"};
WebSocket_Header header = {"Content-Type", "application/json", NULL};
WebSocket_RequestOptions options = {&header};
WebSocket_ErrCode code = WEBSOCKET_OK;
