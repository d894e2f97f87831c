/*
 * refused.c - connections that never open: a refused handshake, a port
 * nobody listens on, and a handshake the server holds while the client
 * closes or destroys.
 *
 * usage: refused REFUSING_URL DEAD_URL HOLDING_URL
 */
#include "harness.h"

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: refused REFUSING_URL DEAD_URL HOLDING_URL\n");
        return 2;
    }
    struct WebSocket_RequestOptions none = {NULL};
    struct WebSocket_CloseOption normal = {1000, ""};

    /* The server answers 403: onError, no onOpen, no onClose. */
    slot *r = new_client("r");
    EXPECT(OH_WebSocketClient_Connect(r->client, argv[1], none), WEBSOCKET_OK);
    wait_for(&r->errors, 1, "r onError");
    EXPECT(r->error_code, WEBSOCKET_CONNECTION_ERROR);
    EXPECT(strstr(r->error_message, "403 Forbidden") != NULL, 1);
    char hi[] = "hi";
    EXPECT(OH_WebSocketClient_Send(r->client, hi, 2), WEBSOCKET_NO_CONNECTION);
    DESTROY(r, WEBSOCKET_OK);
    EXPECT(r->opens, 0);
    EXPECT(r->closes, 0);
    EXPECT(r->errors, 1);

    /* Nobody listens. */
    slot *d = new_client("d");
    EXPECT(OH_WebSocketClient_Connect(d->client, argv[2], none), WEBSOCKET_OK);
    wait_for(&d->errors, 1, "d onError");
    EXPECT(d->error_code, WEBSOCKET_CONNECTION_ERROR);
    EXPECT(strstr(d->error_message, "refused") != NULL, 1);
    DESTROY(d, WEBSOCKET_OK);
    EXPECT(d->opens, 0);
    EXPECT(d->closes, 0);

    /* The server holds the handshake: Close aborts it, Destroy too. */
    slot *h = new_client("h");
    EXPECT(OH_WebSocketClient_Connect(h->client, argv[3], none), WEBSOCKET_OK);
    EXPECT(OH_WebSocketClient_Close(h->client, normal), WEBSOCKET_OK);
    EXPECT(OH_WebSocketClient_Close(h->client, normal), WEBSOCKET_NO_CONNECTION);
    EXPECT(OH_WebSocketClient_Connect(h->client, argv[3], none), WEBSOCKET_OK);
    DESTROY(h, WEBSOCKET_OK);
    EXPECT(h->opens + h->errors + h->closes, 0);

    return finish();
}
