/*
 * echo.c - headers, text and binary echo, frame types, client close,
 * reconnect.
 *
 * usage: echo ECHO_URL PROBE_URL
 *
 * ECHO_URL echoes every message. PROBE_URL answers every message with the
 * text "text N" or "binary N": the frame type and length it received.
 */
#include "harness.h"

/* roundtrip sends length bytes of data on s and checks the echo. */
static void roundtrip(slot *s, const char *what, char *data, size_t length)
{
    int want = read_int(&s->messages) + 1;
    int ret = OH_WebSocketClient_Send(s->client, data, length);
    if (ret != WEBSOCKET_OK) {
        say("FAIL %s: OH_WebSocketClient_Send = %d\n", what, ret);
        exit(1);
    }
    wait_for(&s->messages, want, what);
    pthread_mutex_lock(&h_mu);
    int same = s->last_len == length && memcmp(s->last, data, length) == 0;
    pthread_mutex_unlock(&h_mu);
    if (same) {
        say("ok echo %s\n", what);
    } else {
        pthread_mutex_lock(&h_mu);
        fail_locked("echo %s: got %u bytes, sent %zu\n", what, s->last_len, length);
        pthread_mutex_unlock(&h_mu);
    }
}

/* probe sends length bytes of data on s and checks the server's description. */
static void probe(slot *s, char *data, size_t length, const char *want)
{
    int n = read_int(&s->messages) + 1;
    EXPECT(OH_WebSocketClient_Send(s->client, data, length), WEBSOCKET_OK);
    wait_for(&s->messages, n, want);
    pthread_mutex_lock(&h_mu);
    char got[64];
    snprintf(got, sizeof got, "%s", (const char *)s->last);
    pthread_mutex_unlock(&h_mu);
    EXPECT_STR(got, want);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: echo ECHO_URL PROBE_URL\n");
        return 2;
    }
    char url[512], probeURL[512];
    url_join(url, sizeof url, argv[1], "/echo?room=1");
    url_join(probeURL, sizeof probeURL, argv[2], "/types");

    slot *e = new_client("e");

    /* AddHeader copies the strings: change them afterwards. */
    char name[32] = "X-Copied", value[32] = "original";
    struct WebSocket_Header copied = {name, value, NULL};
    struct WebSocket_Header token = {"X-Token", "abc", NULL};
    struct WebSocket_Header multi1 = {"x-multi", "a", NULL}, multi2 = {"X-Multi", "b", NULL};
    struct WebSocket_Header empty = {"X-Empty", NULL, NULL};
    EXPECT(OH_WebSocketClient_AddHeader(e->client, token), WEBSOCKET_OK);
    EXPECT(OH_WebSocketClient_AddHeader(e->client, copied), WEBSOCKET_OK);
    EXPECT(OH_WebSocketClient_AddHeader(e->client, multi1), WEBSOCKET_OK);
    EXPECT(OH_WebSocketClient_AddHeader(e->client, multi2), WEBSOCKET_OK);
    EXPECT(OH_WebSocketClient_AddHeader(e->client, empty), WEBSOCKET_OK);
    strcpy(name, "X-Changed");
    strcpy(value, "changed");
    struct WebSocket_Header *first = e->client->requestOptions.headers;
    EXPECT_STR(first->fieldName, "X-Token");
    EXPECT_STR(first->next->fieldName, "X-Copied");
    EXPECT_STR(first->next->fieldValue, "original");

    /* A node of the caller's own, linked in by hand, is sent too. */
    struct WebSocket_Header own = {"X-Own", "mine", NULL};
    struct WebSocket_Header *tail = first;
    while (tail->next != NULL) {
        tail = tail->next;
    }
    tail->next = &own;

    EXPECT(OH_WebSocketClient_Connect(e->client, url, e->client->requestOptions), WEBSOCKET_OK);
    wait_for(&e->opens, 1, "e onOpen");
    EXPECT(e->open_code, 101);
    EXPECT_STR(e->open_reason, "Switching Protocols");
    tail->next = NULL;

    /* Echo: text, binary with NUL bytes, empty, UTF-8, 4 MiB. */
    char hello[] = "Hello, server!";
    char binary[] = {'a', 0, 'b', (char)0xff, 0, 'c'};
    char nothing[] = "";
    char utf8[] = "h\xc3\xa9llo w\xc3\xb6rld";
    roundtrip(e, "text", hello, strlen(hello));
    roundtrip(e, "binary", binary, sizeof binary);
    roundtrip(e, "empty", nothing, 0);
    roundtrip(e, "utf8", utf8, strlen(utf8));
    size_t bigLen = 4194304;
    char *big = malloc(bigLen);
    for (size_t i = 0; i < bigLen; i++) {
        big[i] = (char)(i * 7);
    }
    roundtrip(e, "4MiB binary", big, bigLen);
    memset(big, 'z', bigLen);
    roundtrip(e, "4MiB text", big, bigLen);
    free(big);

    /* Client-initiated close with code and reason; afterwards no connection. */
    struct WebSocket_CloseOption done = {4001, "done"};
    EXPECT(OH_WebSocketClient_Close(e->client, done), WEBSOCKET_OK);
    wait_for(&e->closes, 1, "e onClose");
    EXPECT(e->close_code, 4001);
    EXPECT_STR(e->close_reason, "done");
    EXPECT(OH_WebSocketClient_Send(e->client, hello, strlen(hello)), WEBSOCKET_NO_CONNECTION);
    EXPECT(OH_WebSocketClient_Close(e->client, done), WEBSOCKET_NO_CONNECTION);

    /* The same client connects again, with the headers AddHeader made. */
    EXPECT(OH_WebSocketClient_Connect(e->client, url, e->client->requestOptions), WEBSOCKET_OK);
    wait_for(&e->opens, 2, "e onOpen again");
    roundtrip(e, "text again", hello, strlen(hello));
    struct WebSocket_CloseOption normal = {1000, "Actively Close"};
    EXPECT(OH_WebSocketClient_Close(e->client, normal), WEBSOCKET_OK);
    wait_for(&e->closes, 2, "e onClose again");
    EXPECT(e->close_code, 1000);
    EXPECT_STR(e->close_reason, "Actively Close");
    EXPECT(e->errors, 0);
    DESTROY(e, WEBSOCKET_OK);

    /* The frame type Send chooses. */
    slot *p = new_client("p");
    struct WebSocket_RequestOptions none = {NULL};
    EXPECT(OH_WebSocketClient_Connect(p->client, probeURL, none), WEBSOCKET_OK);
    wait_for(&p->opens, 1, "p onOpen");
    char abc[] = "abc";
    char nul[] = {'a', 0, 'b'};
    char invalid[] = {(char)0xff, (char)0xfe};
    probe(p, hello, strlen(hello), "text 14");
    probe(p, utf8, strlen(utf8), "text 13");
    probe(p, nothing, 0, "text 0");
    probe(p, abc, 2, "text 2"); /* only length bytes count: no NUL needed after them */
    probe(p, nul, sizeof nul, "binary 3");
    probe(p, invalid, sizeof invalid, "binary 2");
    probe(p, utf8, 2, "binary 2"); /* "h" and half of "é" */
    struct WebSocket_CloseOption bye = {1000, "bye"};
    EXPECT(OH_WebSocketClient_Close(p->client, bye), WEBSOCKET_OK);
    wait_for(&p->closes, 1, "p onClose");
    DESTROY(p, WEBSOCKET_OK);

    return finish();
}
