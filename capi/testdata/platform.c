/*
 * platform.c - an NDK program written the way the platform documents it:
 * the guide "使用WebSocket访问网络(C/C++)" (Using WebSocket, C/C++) with
 * printf instead of hilog and a main instead of the ArkTS bindings. It uses
 * only the names of net_websocket.h and net_websocket_type.h and the
 * documented pattern: construct, AddHeader, Connect with
 * client->requestOptions, Send, Close, Destroy.
 *
 * usage: platform URL
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "network/netstack/net_websocket.h"
#include "network/netstack/net_websocket_type.h"

/* The WebSocket client. */
static struct WebSocket *client = NULL;

/* The callbacks run on a thread of the library: main waits for them. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static int opened, received;

static void note(int *flag)
{
    pthread_mutex_lock(&lock);
    *flag = 1;
    pthread_cond_broadcast(&changed);
    pthread_mutex_unlock(&lock);
}

/* wait_until waits up to 10 seconds for *flag; it returns *flag. */
static int wait_until(int *flag)
{
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 10;
    pthread_mutex_lock(&lock);
    while (!*flag && pthread_cond_timedwait(&changed, &lock, &deadline) == 0) {
    }
    int v = *flag;
    pthread_mutex_unlock(&lock);
    return v;
}

static void onOpen(struct WebSocket *client, WebSocket_OpenResult openResult)
{
    (void)client;
    printf("onOpen: code: %u, reason: %s\n", openResult.code, openResult.reason);
    fflush(stdout);
    note(&opened);
}

static void onMessage(struct WebSocket *client, char *data, uint32_t length)
{
    (void)client;
    char *tmp = malloc(length + 1);
    for (uint32_t i = 0; i < length; i++) {
        tmp[i] = data[i];
    }
    tmp[length] = '\0';
    printf("onMessage: len: %u, data: %s\n", length, tmp);
    fflush(stdout);
    free(tmp);
    note(&received);
}

static void onError(struct WebSocket *client, WebSocket_ErrorResult errorResult)
{
    (void)client;
    printf("onError: code: %u, message: %s\n", errorResult.errorCode, errorResult.errorMessage);
    fflush(stdout);
}

static void onClose(struct WebSocket *client, WebSocket_CloseResult closeResult)
{
    (void)client;
    printf("onClose: code: %u, reason: %s\n", closeResult.code, closeResult.reason);
    fflush(stdout);
}

/* ConnectWebsocket connects to url and reports whether connecting began. */
static int ConnectWebsocket(const char *url)
{
    if (client != NULL) {
        printf("there is already one websocket client running.\n");
        return 0;
    }
    client = OH_WebSocketClient_Constructor(onOpen, onMessage, onError, onClose);
    if (client == NULL) {
        return 0;
    }
    struct WebSocket_Header header1;
    header1.fieldName = "Content-Type";
    header1.fieldValue = "application/json";
    header1.next = NULL;
    OH_WebSocketClient_AddHeader(client, header1);
    int connectRet = OH_WebSocketClient_Connect(client, url, client->requestOptions);
    return connectRet == 0;
}

/* SendMessage sends message to the server. */
static int SendMessage(const char *message)
{
    if (client == NULL) {
        printf("websocket client not connected.\n");
        return WEBSOCKET_CLIENT_NULL;
    }
    size_t length = strlen(message);
    char *buf = malloc(length + 1);
    memcpy(buf, message, length + 1);
    int ret = OH_WebSocketClient_Send(client, buf, length);
    free(buf);
    return ret;
}

/* CloseWebsocket closes the connection and frees the client. */
static int CloseWebsocket(void)
{
    if (client == NULL) {
        printf("websocket client not connected.\n");
        return -1;
    }
    struct WebSocket_CloseOption option = {.code = 0, .reason = "Actively Close"};
    int ret = OH_WebSocketClient_Close(client, option);
    OH_WebSocketClient_Destroy(client);
    client = NULL;
    return ret;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: platform URL\n");
        return 2;
    }
    if (!ConnectWebsocket(argv[1])) {
        printf("Connect failed\n");
        return 1;
    }
    if (!wait_until(&opened)) {
        printf("no onOpen\n");
        return 1;
    }
    printf("Send: %d\n", SendMessage("Hello, server!"));
    fflush(stdout);
    if (!wait_until(&received)) {
        printf("no onMessage\n");
        return 1;
    }
    printf("Close: %d\n", CloseWebsocket());
    printf("Close again: %d\n", CloseWebsocket());
    return 0;
}
