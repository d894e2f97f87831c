/*
 * errors.c - every error code the functions return.
 *
 * usage: errors ECHO_URL
 */
#include "harness.h"

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: errors ECHO_URL\n");
        return 2;
    }
    char url[512];
    url_join(url, sizeof url, argv[1], "/errors");

    struct WebSocket stranger; /* not made by OH_WebSocketClient_Constructor */
    memset(&stranger, 0, sizeof stranger);
    struct WebSocket_Header header = {"X-Test", "1", NULL};
    struct WebSocket_Header noname = {NULL, "value", NULL};
    struct WebSocket_RequestOptions none = {NULL};
    struct WebSocket_CloseOption normal = {1000, "bye"};
    char text[] = "hi";

    /* The callbacks may all be NULL. */
    struct WebSocket *bare = OH_WebSocketClient_Constructor(NULL, NULL, NULL, NULL);
    EXPECT(bare != NULL, 1);
    EXPECT(bare->requestOptions.headers == NULL, 1);

    /* A NULL client. */
    EXPECT(OH_WebSocketClient_AddHeader(NULL, header), WEBSOCKET_CLIENT_NULL);
    EXPECT(OH_WebSocketClient_Connect(NULL, url, none), WEBSOCKET_CLIENT_NULL);
    EXPECT(OH_WebSocketClient_Send(NULL, text, 2), WEBSOCKET_CLIENT_NULL);
    EXPECT(OH_WebSocketClient_Close(NULL, normal), WEBSOCKET_CLIENT_NULL);
    EXPECT(OH_WebSocketClient_Destroy(NULL), WEBSOCKET_CLIENT_NULL);

    /* A client the library did not create. */
    EXPECT(OH_WebSocketClient_AddHeader(&stranger, header), WEBSOCKET_CLIENT_NOT_CREATED);
    EXPECT(OH_WebSocketClient_Connect(&stranger, url, none), WEBSOCKET_CLIENT_NOT_CREATED);
    EXPECT(OH_WebSocketClient_Send(&stranger, text, 2), WEBSOCKET_CLIENT_NOT_CREATED);
    EXPECT(OH_WebSocketClient_Close(&stranger, normal), WEBSOCKET_CLIENT_NOT_CREATED);
    EXPECT(OH_WebSocketClient_Destroy(&stranger), WEBSOCKET_CLIENT_NOT_CREATED);
    EXPECT(stranger.requestOptions.headers == NULL, 1);

    slot *s = new_client("c");
    struct WebSocket *c = s->client;

    /* AddHeader: no name; the list limit of 8192 nodes. */
    EXPECT(OH_WebSocketClient_AddHeader(c, noname), WEBSOCKET_NO_HEADER_CONTEXT);
    EXPECT(c->requestOptions.headers == NULL, 1);
    int ret = WEBSOCKET_OK;
    int added = 0;
    for (; added < 8192 && ret == WEBSOCKET_OK; added++) {
        ret = OH_WebSocketClient_AddHeader(bare, header);
    }
    EXPECT(added, 8192);
    EXPECT(ret, WEBSOCKET_OK);
    EXPECT(OH_WebSocketClient_AddHeader(bare, header), WEBSOCKET_HEADER_EXCEEDED);

    /* Connect: more than 8192 header nodes. */
    struct WebSocket_Header *tail = bare->requestOptions.headers;
    while (tail->next != NULL) {
        tail = tail->next;
    }
    struct WebSocket_Header extra = {"X-Extra", "1", NULL};
    tail->next = &extra;
    EXPECT(OH_WebSocketClient_Connect(bare, url, bare->requestOptions), WEBSOCKET_HEADER_EXCEEDED);
    tail->next = NULL;

    /* Connect: a header node without a name. */
    struct WebSocket_Header named = {"X-Named", "1", &noname};
    struct WebSocket_RequestOptions withNoname = {&named};
    EXPECT(OH_WebSocketClient_Connect(c, url, withNoname), WEBSOCKET_NO_HEADER_CONTEXT);

    /* Connect: header fields that HTTP does not allow. */
    struct WebSocket_Header badName = {"Bad Name", "v", NULL};
    struct WebSocket_Header badValue = {"X-Split", "a\r\nX-Injected: b", NULL};
    struct WebSocket_Header owned = {"Sec-WebSocket-Key", "x", NULL};
    struct WebSocket_RequestOptions o1 = {&badName}, o2 = {&badValue}, o3 = {&owned};
    EXPECT(OH_WebSocketClient_Connect(c, url, o1), WEBSOCKET_PROTOCOL_ERROR);
    EXPECT(OH_WebSocketClient_Connect(c, url, o2), WEBSOCKET_PROTOCOL_ERROR);
    EXPECT(OH_WebSocketClient_Connect(c, url, o3), WEBSOCKET_PROTOCOL_ERROR);

    /* Connect: bad URLs and schemes. */
    EXPECT(OH_WebSocketClient_Connect(c, NULL, none), WEBSOCKET_CONNECTION_PARSE_URL_ERROR);
    EXPECT(OH_WebSocketClient_Connect(c, "", none), WEBSOCKET_CONNECTION_PARSE_URL_ERROR);
    EXPECT(OH_WebSocketClient_Connect(c, "127.0.0.1:80", none), WEBSOCKET_CONNECTION_PARSE_URL_ERROR);
    EXPECT(OH_WebSocketClient_Connect(c, "http://127.0.0.1/", none), WEBSOCKET_CONNECTION_PARSE_URL_ERROR);
    EXPECT(OH_WebSocketClient_Connect(c, "ws://", none), WEBSOCKET_CONNECTION_PARSE_URL_ERROR);
    EXPECT(OH_WebSocketClient_Connect(c, "ws://127.0.0.1:99999/", none), WEBSOCKET_CONNECTION_PARSE_URL_ERROR);
    EXPECT(OH_WebSocketClient_Connect(c, "ws://%zz/", none), WEBSOCKET_CONNECTION_PARSE_URL_ERROR);

    /* Send and Close without a connection; Send's own checks come first. */
    char *big = malloc(4194304 + 1);
    memset(big, 'a', 4194304 + 1);
    EXPECT(OH_WebSocketClient_Send(c, NULL, 2), WEBSOCKET_SEND_DATA_NULL);
    EXPECT(OH_WebSocketClient_Send(c, big, 4194304 + 1), WEBSOCKET_DATA_LENGTH_EXCEEDED);
    EXPECT(OH_WebSocketClient_Send(c, text, 2), WEBSOCKET_NO_CONNECTION);
    EXPECT(OH_WebSocketClient_Close(c, normal), WEBSOCKET_NO_CONNECTION);

    /* Connected: a second Connect fails; Close refuses codes and reasons RFC 6455 forbids. */
    EXPECT(OH_WebSocketClient_Connect(c, url, c->requestOptions), WEBSOCKET_OK);
    wait_for(&s->opens, 1, "c onOpen");
    EXPECT(OH_WebSocketClient_Connect(c, url, c->requestOptions), WEBSOCKET_CONNECTION_ERROR);
    char longReason[125];
    memset(longReason, 'r', 124);
    longReason[124] = 0;
    struct WebSocket_CloseOption noStatus = {1005, "x"}, tooBig = {5000, "x"}, tooSmall = {999, "x"};
    struct WebSocket_CloseOption tooLong = {1000, longReason}, notUTF8 = {1000, "\xff"};
    EXPECT(OH_WebSocketClient_Close(c, noStatus), WEBSOCKET_PROTOCOL_ERROR);
    EXPECT(OH_WebSocketClient_Close(c, tooBig), WEBSOCKET_PROTOCOL_ERROR);
    EXPECT(OH_WebSocketClient_Close(c, tooSmall), WEBSOCKET_PROTOCOL_ERROR);
    EXPECT(OH_WebSocketClient_Close(c, tooLong), WEBSOCKET_PROTOCOL_ERROR);
    EXPECT(OH_WebSocketClient_Close(c, notUTF8), WEBSOCKET_PROTOCOL_ERROR);
    EXPECT(OH_WebSocketClient_Send(c, big, 4194304 + 1), WEBSOCKET_DATA_LENGTH_EXCEEDED);

    /* ... and the connection is still open. */
    EXPECT(OH_WebSocketClient_Send(c, text, 2), WEBSOCKET_OK);
    wait_for(&s->messages, 1, "c onMessage");
    EXPECT_STR((const char *)s->last, "hi");

    /* Close: code 0 and a NULL reason mean 1000 and "". */
    struct WebSocket_CloseOption defaults = {0, NULL};
    EXPECT(OH_WebSocketClient_Close(c, defaults), WEBSOCKET_OK);
    wait_for(&s->closes, 1, "c onClose");
    EXPECT(s->close_code, 1000);
    EXPECT_STR(s->close_reason, "");
    EXPECT(OH_WebSocketClient_Close(c, normal), WEBSOCKET_NO_CONNECTION);
    EXPECT(OH_WebSocketClient_Send(c, text, 2), WEBSOCKET_NO_CONNECTION);
    EXPECT(s->errors, 0);

    /* Destroy: a client that connected; twice; one that never connected. */
    DESTROY(s, WEBSOCKET_OK);
    EXPECT(OH_WebSocketClient_Destroy(c), WEBSOCKET_CLIENT_NOT_CREATED);
    EXPECT(OH_WebSocketClient_Send(c, text, 2), WEBSOCKET_CLIENT_NOT_CREATED);
    EXPECT(OH_WebSocketClient_Destroy(bare), WEBSOCKET_NO_CONNECTION_CONTEXT);
    EXPECT(OH_WebSocketClient_Destroy(bare), WEBSOCKET_CLIENT_NOT_CREATED);

    free(big);
    return finish();
}
