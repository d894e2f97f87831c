/*
 * server_close.c - the server closes: with a code and reason, without a
 * code, and by dropping the link.
 *
 * usage: server_close ECHO_URL   (an echo server with commands)
 */
#include "harness.h"

static void command(slot *s, const char *cmd)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%s", cmd);
    EXPECT(OH_WebSocketClient_Send(s->client, buf, strlen(buf)), WEBSOCKET_OK);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: server_close ECHO_URL\n");
        return 2;
    }
    char url[512];
    url_join(url, sizeof url, argv[1], "/server-close");
    struct WebSocket_RequestOptions none = {NULL};
    struct WebSocket_CloseOption normal = {1000, ""};
    char hi[] = "hi";

    slot *s = new_client("s");

    /* A Close frame with code and reason. */
    EXPECT(OH_WebSocketClient_Connect(s->client, url, none), WEBSOCKET_OK);
    wait_for(&s->opens, 1, "onOpen 1");
    command(s, "cmd:close:4000:bye");
    wait_for(&s->closes, 1, "onClose 1");
    EXPECT(s->close_code, 4000);
    EXPECT_STR(s->close_reason, "bye");
    EXPECT(s->errors, 0);
    EXPECT(OH_WebSocketClient_Send(s->client, hi, 2), WEBSOCKET_NO_CONNECTION);
    EXPECT(OH_WebSocketClient_Close(s->client, normal), WEBSOCKET_NO_CONNECTION);

    /* A Close frame without a code. */
    EXPECT(OH_WebSocketClient_Connect(s->client, url, none), WEBSOCKET_OK);
    wait_for(&s->opens, 2, "onOpen 2");
    command(s, "cmd:closeempty");
    wait_for(&s->closes, 2, "onClose 2");
    EXPECT(s->close_code, 1005);
    EXPECT_STR(s->close_reason, "");
    EXPECT(s->errors, 0);

    /* The link drops without a Close frame: onError, then onClose 1006. */
    EXPECT(OH_WebSocketClient_Connect(s->client, url, none), WEBSOCKET_OK);
    wait_for(&s->opens, 3, "onOpen 3");
    command(s, "cmd:drop");
    wait_for(&s->closes, 3, "onClose 3");
    EXPECT(s->errors, 1);
    EXPECT(s->error_code, WEBSOCKET_CONNECTION_ERROR);
    EXPECT(s->close_code, 1006);
    EXPECT_STR(s->close_reason, "The link is down");
    EXPECT(OH_WebSocketClient_Send(s->client, hi, 2), WEBSOCKET_NO_CONNECTION);

    DESTROY(s, WEBSOCKET_OK);
    return finish();
}
