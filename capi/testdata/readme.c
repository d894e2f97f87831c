/*
 * readme.c - the C program of the README: connect, send "Hello, server!",
 * print the echo, close. The callbacks run on a thread of the library; main
 * waits for each one it needs on a condition variable, at most 10 seconds.
 *
 * usage: readme ws://host:port/path
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "network/netstack/net_websocket.h"

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static int opened, received, closed, failed; /* guarded by mu */

/* set sets *flag and wakes main. */
static void set(int *flag)
{
    pthread_mutex_lock(&mu);
    *flag = 1;
    pthread_cond_signal(&changed);
    pthread_mutex_unlock(&mu);
}

/* wait_for waits until *flag is set, onError has run, or 10 seconds have
 * passed, and returns *flag. */
static int wait_for(const int *flag, const char *what)
{
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 10;
    pthread_mutex_lock(&mu);
    int err = 0;
    while (!*flag && !failed && err == 0) {
        err = pthread_cond_timedwait(&changed, &mu, &deadline);
    }
    int ok = *flag;
    pthread_mutex_unlock(&mu);
    if (!ok) {
        fprintf(stderr, "no %s\n", what);
    }
    return ok;
}

static void onOpen(struct WebSocket *client, WebSocket_OpenResult r)
{
    (void)client;
    printf("onOpen: code: %u, reason: %s\n", r.code, r.reason);
    set(&opened);
}

static void onMessage(struct WebSocket *client, char *data, uint32_t length)
{
    (void)client;
    printf("onMessage: len: %u, data: %.*s\n", length, (int)length, data);
    set(&received);
}

static void onError(struct WebSocket *client, WebSocket_ErrorResult e)
{
    (void)client;
    printf("onError: code: %u, message: %s\n", e.errorCode, e.errorMessage);
    set(&failed);
}

static void onClose(struct WebSocket *client, WebSocket_CloseResult r)
{
    (void)client;
    printf("onClose: code: %u, reason: %s\n", r.code, r.reason);
    set(&closed);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s ws://host:port/path\n", argv[0]);
        return 2;
    }
    struct WebSocket *client = OH_WebSocketClient_Constructor(onOpen, onMessage, onError, onClose);
    struct WebSocket_Header header = {"Content-Type", "application/json", NULL};
    OH_WebSocketClient_AddHeader(client, header);

    int ok = 0;
    if (OH_WebSocketClient_Connect(client, argv[1], client->requestOptions) == WEBSOCKET_OK &&
        wait_for(&opened, "onOpen")) {
        char message[] = "Hello, server!";
        ok = OH_WebSocketClient_Send(client, message, strlen(message)) == WEBSOCKET_OK &&
             wait_for(&received, "onMessage");
        /* Close returns once the connection has closed; onClose follows. */
        struct WebSocket_CloseOption option = {.code = 1000, .reason = "Actively Close"};
        if (OH_WebSocketClient_Close(client, option) != WEBSOCKET_OK || !wait_for(&closed, "onClose")) {
            ok = 0;
        }
    }
    OH_WebSocketClient_Destroy(client); /* no callback runs after it returns */
    return ok ? 0 : 1;
}
