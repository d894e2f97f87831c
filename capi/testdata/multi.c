/*
 * multi.c - several clients at once, each driven by its own threads:
 * callbacks of different clients run at the same time, those of one client
 * one at a time and in order.
 *
 * usage: multi ECHO_URL
 */
#include <stdatomic.h>

#include "harness.h"

#define CLIENTS 8
#define SENDERS 2  /* threads sending on each client */
#define MESSAGES 50 /* per sender */

typedef struct {
    int index;
    const char *url;
    struct WebSocket *client;
    atomic_int in_callback;
    int overlaps;            /* callbacks of this client that overlapped; h_mu */
    int opened, closed;      /* h_mu */
    int received;            /* h_mu */
    int next[SENDERS];       /* the next message number expected from each sender; h_mu */
    int misordered;          /* h_mu */
    uint32_t close_code;     /* h_mu */
    char close_reason[32];   /* h_mu */
} peer;

static peer peers[CLIENTS];
static atomic_int busy;      /* callbacks running now, all clients */
static int most_busy;        /* h_mu */

static peer *peer_of(struct WebSocket *client)
{
    for (int i = 0; i < CLIENTS; i++) {
        if (peers[i].client == client) {
            return &peers[i];
        }
    }
    return NULL;
}

/* enter and leave bracket every callback; they catch overlapping callbacks. */
static peer *enter(struct WebSocket *client)
{
    peer *p = peer_of(client);
    if (atomic_fetch_add(&p->in_callback, 1) != 0) {
        pthread_mutex_lock(&h_mu);
        p->overlaps++;
        pthread_mutex_unlock(&h_mu);
    }
    int now = atomic_fetch_add(&busy, 1) + 1;
    pthread_mutex_lock(&h_mu);
    if (now > most_busy) {
        most_busy = now;
    }
    pthread_mutex_unlock(&h_mu);
    return p;
}

static void leave(peer *p)
{
    atomic_fetch_sub(&busy, 1);
    atomic_fetch_sub(&p->in_callback, 1);
    pthread_mutex_lock(&h_mu);
    pthread_cond_broadcast(&h_cv);
    pthread_mutex_unlock(&h_mu);
}

static void on_open(struct WebSocket *client, WebSocket_OpenResult r)
{
    peer *p = enter(client);
    pthread_mutex_lock(&h_mu);
    p->opened = r.code == 101;
    pthread_mutex_unlock(&h_mu);
    leave(p);
}

static void on_message(struct WebSocket *client, char *data, uint32_t length)
{
    peer *p = enter(client);
    int c = -1, t = -1, m = -1;
    char text[64];
    snprintf(text, sizeof text, "%.*s", (int)length, data);
    int ok = sscanf(text, "c%d t%d m%d", &c, &t, &m) == 3 && c == p->index && t >= 0 && t < SENDERS;
    pthread_mutex_lock(&h_mu);
    if (ok && m == p->next[t]) {
        p->next[t]++;
    } else {
        p->misordered++;
        printf("client %d: unexpected message \"%s\"\n", p->index, text);
    }
    p->received++;
    pthread_mutex_unlock(&h_mu);
    leave(p);
}

static void on_error(struct WebSocket *client, WebSocket_ErrorResult r)
{
    peer *p = enter(client);
    say("client %d: onError %u %s\n", p->index, r.errorCode, r.errorMessage);
    pthread_mutex_lock(&h_mu);
    h_failures++;
    pthread_mutex_unlock(&h_mu);
    leave(p);
}

static void on_close(struct WebSocket *client, WebSocket_CloseResult r)
{
    peer *p = enter(client);
    pthread_mutex_lock(&h_mu);
    p->close_code = r.code;
    snprintf(p->close_reason, sizeof p->close_reason, "%s", r.reason);
    p->closed = 1;
    pthread_mutex_unlock(&h_mu);
    leave(p);
}

typedef struct {
    peer *p;
    int sender;
} sender_arg;

static void *send_messages(void *arg)
{
    sender_arg *a = arg;
    for (int m = 0; m < MESSAGES; m++) {
        char text[64];
        snprintf(text, sizeof text, "c%d t%d m%d", a->p->index, a->sender, m);
        int ret = OH_WebSocketClient_Send(a->p->client, text, strlen(text));
        if (ret != WEBSOCKET_OK) {
            say("FAIL client %d sender %d: Send = %d\n", a->p->index, a->sender, ret);
            exit(1);
        }
    }
    return NULL;
}

static void *run_client(void *arg)
{
    peer *p = arg;
    struct WebSocket_Header header = {"X-Client", "multi", NULL};
    OH_WebSocketClient_AddHeader(p->client, header);
    int ret = OH_WebSocketClient_Connect(p->client, p->url, p->client->requestOptions);
    if (ret != WEBSOCKET_OK) {
        say("FAIL client %d: Connect = %d\n", p->index, ret);
        exit(1);
    }
    wait_for(&p->opened, 1, "onOpen");

    pthread_t senders[SENDERS];
    sender_arg args[SENDERS];
    for (int t = 0; t < SENDERS; t++) {
        args[t] = (sender_arg){p, t};
        pthread_create(&senders[t], NULL, send_messages, &args[t]);
    }
    for (int t = 0; t < SENDERS; t++) {
        pthread_join(senders[t], NULL);
    }
    wait_for(&p->received, SENDERS * MESSAGES, "echoes");

    char reason[32];
    snprintf(reason, sizeof reason, "client %d done", p->index);
    struct WebSocket_CloseOption option = {(uint32_t)(4000 + p->index), reason};
    ret = OH_WebSocketClient_Close(p->client, option);
    if (ret != WEBSOCKET_OK) {
        say("FAIL client %d: Close = %d\n", p->index, ret);
        exit(1);
    }
    wait_for(&p->closed, 1, "onClose");
    ret = OH_WebSocketClient_Destroy(p->client);
    if (ret != WEBSOCKET_OK) {
        say("FAIL client %d: Destroy = %d\n", p->index, ret);
        exit(1);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: multi ECHO_URL\n");
        return 2;
    }
    char url[512];
    url_join(url, sizeof url, argv[1], "/multi");

    pthread_t threads[CLIENTS];
    for (int i = 0; i < CLIENTS; i++) {
        peers[i].index = i;
        peers[i].url = url;
        atomic_init(&peers[i].in_callback, 0);
        peers[i].client = OH_WebSocketClient_Constructor(on_open, on_message, on_error, on_close);
    }
    for (int i = 0; i < CLIENTS; i++) {
        pthread_create(&threads[i], NULL, run_client, &peers[i]);
    }
    for (int i = 0; i < CLIENTS; i++) {
        pthread_join(threads[i], NULL);
    }

    for (int i = 0; i < CLIENTS; i++) {
        peer *p = &peers[i];
        char want[32];
        snprintf(want, sizeof want, "client %d done", i);
        EXPECT(p->received, SENDERS * MESSAGES);
        EXPECT(p->misordered, 0);
        EXPECT(p->overlaps, 0);
        EXPECT(p->close_code, 4000 + i);
        EXPECT_STR(p->close_reason, want);
    }
    say("most callbacks at once: %d\n", most_busy);
    return finish();
}
