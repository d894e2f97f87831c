/*
 * destroy.c - Destroy with an open connection, from inside a callback of
 * the same client, while a callback of the client runs on another thread,
 * and without a connection.
 *
 * usage: destroy PROBE_URL ECHO_URL
 *
 * PROBE_URL records the Close frame each connection sends (the Go test
 * checks that Destroy sent 1001).
 */
#include "harness.h"

#include <errno.h>

static int self_ret = -1;  /* what Destroy returned inside onMessage; h_mu */
static int self_done;      /* onMessage of "self" returned; h_mu */
static int slow_entered;   /* onMessage of "slow" began; h_mu */
static int slow_finished;  /* onMessage of "slow" is about to return; h_mu */

/* self_on_message destroys its own client from inside the callback. */
static void self_on_message(struct WebSocket *client, char *data, uint32_t length)
{
    (void)data;
    (void)length;
    int ret = OH_WebSocketClient_Destroy(client);
    pthread_mutex_lock(&h_mu);
    slot *s = find_locked(client);
    s->destroyed = 1; /* no callback may follow */
    self_ret = ret;
    self_done = 1;
    printf("self destroyed itself in onMessage: %d\n", ret);
    pthread_cond_broadcast(&h_cv);
    pthread_mutex_unlock(&h_mu);
}

/* slow_on_message takes a while, so that Destroy finds it running. */
static void slow_on_message(struct WebSocket *client, char *data, uint32_t length)
{
    (void)client;
    (void)data;
    (void)length;
    pthread_mutex_lock(&h_mu);
    slow_entered = 1;
    pthread_cond_broadcast(&h_cv);
    pthread_mutex_unlock(&h_mu);
    /* The slowness is the behaviour under test: Destroy must wait for it. */
    struct timespec pause = {0, 300 * 1000 * 1000};
    while (nanosleep(&pause, &pause) != 0 && errno == EINTR) {
    }
    pthread_mutex_lock(&h_mu);
    slow_finished = 1;
    pthread_mutex_unlock(&h_mu);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: destroy PROBE_URL ECHO_URL\n");
        return 2;
    }
    char probeURL[512], echoURL[512];
    url_join(probeURL, sizeof probeURL, argv[1], "/destroy-open");
    url_join(echoURL, sizeof echoURL, argv[2], "/destroy");
    struct WebSocket_Header header = {"X-Owned", "by the library", NULL};
    char x[] = "x";

    /* An open connection: Destroy closes it with 1001; no onClose follows. */
    slot *open = new_client("open");
    EXPECT(OH_WebSocketClient_AddHeader(open->client, header), WEBSOCKET_OK);
    EXPECT(OH_WebSocketClient_AddHeader(open->client, header), WEBSOCKET_OK);
    EXPECT(OH_WebSocketClient_Connect(open->client, probeURL, open->client->requestOptions), WEBSOCKET_OK);
    wait_for(&open->opens, 1, "open onOpen");
    DESTROY(open, WEBSOCKET_OK);
    EXPECT(read_int(&open->closes), 0);

    /* Destroy from inside a callback of the same client. */
    slot *self = new_client("self");
    self->client->onMessage = self_on_message; /* callbacks may change before Connect */
    EXPECT(OH_WebSocketClient_Connect(self->client, echoURL, self->client->requestOptions), WEBSOCKET_OK);
    wait_for(&self->opens, 1, "self onOpen");
    EXPECT(OH_WebSocketClient_Send(self->client, x, 1), WEBSOCKET_OK);
    wait_for(&self_done, 1, "self Destroy in onMessage");
    EXPECT(read_int(&self_ret), WEBSOCKET_OK);
    EXPECT(OH_WebSocketClient_Send(self->client, x, 1), WEBSOCKET_CLIENT_NOT_CREATED);

    /* Destroy on this thread while a callback runs on another: it waits. */
    slot *slow = new_client("slow");
    slow->client->onMessage = slow_on_message;
    EXPECT(OH_WebSocketClient_Connect(slow->client, echoURL, slow->client->requestOptions), WEBSOCKET_OK);
    wait_for(&slow->opens, 1, "slow onOpen");
    EXPECT(OH_WebSocketClient_Send(slow->client, x, 1), WEBSOCKET_OK);
    wait_for(&slow_entered, 1, "slow onMessage");
    DESTROY(slow, WEBSOCKET_OK);
    EXPECT(read_int(&slow_finished), 1);

    /* Never connected: 1018, and freed all the same. */
    slot *idle = new_client("idle");
    EXPECT(OH_WebSocketClient_AddHeader(idle->client, header), WEBSOCKET_OK);
    DESTROY(idle, WEBSOCKET_NO_CONNECTION_CONTEXT);
    EXPECT(OH_WebSocketClient_Destroy(idle->client), WEBSOCKET_CLIENT_NOT_CREATED);

    /* A last round trip on a new client gives stray callbacks time to show. */
    slot *last = new_client("last");
    EXPECT(OH_WebSocketClient_Connect(last->client, echoURL, last->client->requestOptions), WEBSOCKET_OK);
    wait_for(&last->opens, 1, "last onOpen");
    EXPECT(OH_WebSocketClient_Send(last->client, x, 1), WEBSOCKET_OK);
    wait_for(&last->messages, 1, "last onMessage");
    struct WebSocket_CloseOption normal = {1000, ""};
    EXPECT(OH_WebSocketClient_Close(last->client, normal), WEBSOCKET_OK);
    wait_for(&last->closes, 1, "last onClose");
    DESTROY(last, WEBSOCKET_OK);

    EXPECT(read_int(&open->closes) + read_int(&open->errors), 0);
    EXPECT(read_int(&self->closes) + read_int(&self->errors), 0);
    EXPECT(read_int(&slow->closes) + read_int(&slow->errors), 0);
    return finish();
}
