/*
 * reentrant.c - the functions called from inside callbacks: Send in onOpen
 * and onMessage, Close in onMessage and onOpen, Connect in onClose, Destroy
 * in onClose.
 *
 * usage: reentrant ECHO_URL
 */
#include "harness.h"

static const char *url;
static slot *s;
static int rets[6] = {-1, -1, -1, -1, -1, -1}; /* h_mu */
static int finished;                            /* h_mu */

enum { SEND_IN_OPEN, SEND_IN_MESSAGE, CLOSE_IN_MESSAGE, CONNECT_IN_CLOSE, CLOSE_IN_OPEN, DESTROY_IN_CLOSE };

static void record(int step, int ret)
{
    pthread_mutex_lock(&h_mu);
    rets[step] = ret;
    if (step == DESTROY_IN_CLOSE) {
        s->destroyed = 1;
        finished = 1;
    }
    pthread_cond_broadcast(&h_cv);
    pthread_mutex_unlock(&h_mu);
}

static void on_open(struct WebSocket *client, WebSocket_OpenResult r)
{
    h_on_open(client, r);
    if (read_int(&s->opens) == 1) {
        char hello[] = "hello";
        record(SEND_IN_OPEN, OH_WebSocketClient_Send(client, hello, strlen(hello)));
    } else {
        struct WebSocket_CloseOption option = {4002, "from onOpen"};
        record(CLOSE_IN_OPEN, OH_WebSocketClient_Close(client, option));
    }
}

static void on_message(struct WebSocket *client, char *data, uint32_t length)
{
    h_on_message(client, data, length);
    if (strcmp(data, "hello") == 0) {
        char bye[] = "bye";
        record(SEND_IN_MESSAGE, OH_WebSocketClient_Send(client, bye, strlen(bye)));
    } else if (strcmp(data, "bye") == 0) {
        struct WebSocket_CloseOption option = {1000, "bye"};
        record(CLOSE_IN_MESSAGE, OH_WebSocketClient_Close(client, option));
    }
}

static void on_close(struct WebSocket *client, WebSocket_CloseResult r)
{
    h_on_close(client, r);
    if (read_int(&s->closes) == 1) {
        record(CONNECT_IN_CLOSE, OH_WebSocketClient_Connect(client, url, client->requestOptions));
    } else {
        record(DESTROY_IN_CLOSE, OH_WebSocketClient_Destroy(client));
    }
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: reentrant ECHO_URL\n");
        return 2;
    }
    char buf[512];
    url = url_join(buf, sizeof buf, argv[1], "/reentrant");

    struct WebSocket *c = OH_WebSocketClient_Constructor(on_open, on_message, h_on_error, on_close);
    s = track("r", c);
    EXPECT(OH_WebSocketClient_Connect(c, url, c->requestOptions), WEBSOCKET_OK);
    wait_for(&finished, 1, "Destroy in the second onClose");

    EXPECT(read_int(&rets[SEND_IN_OPEN]), WEBSOCKET_OK);
    EXPECT(read_int(&rets[SEND_IN_MESSAGE]), WEBSOCKET_OK);
    EXPECT(read_int(&rets[CLOSE_IN_MESSAGE]), WEBSOCKET_OK);
    EXPECT(read_int(&rets[CONNECT_IN_CLOSE]), WEBSOCKET_OK);
    EXPECT(read_int(&rets[CLOSE_IN_OPEN]), WEBSOCKET_OK);
    EXPECT(read_int(&rets[DESTROY_IN_CLOSE]), WEBSOCKET_OK);
    EXPECT(read_int(&s->errors), 0);
    EXPECT(OH_WebSocketClient_Destroy(c), WEBSOCKET_CLIENT_NOT_CREATED);
    return finish();
}
