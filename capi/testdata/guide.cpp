// guide.cpp - the C++ example of the platform's guide "使用WebSocket访问网络
// (C/C++)" with its NDK code unchanged: the callbacks, ConnectWebsocket with
// options {}, SendMessage with WebSocket_ErrCode::WEBSOCKET_CLIENT_NULL,
// CloseWebsocket with designated initializers. Only the N-API glue and hilog
// are replaced: a main drives the three functions, std::printf logs.
//
// usage: guide URL
#include "network/netstack/net_websocket.h"
#include "network/netstack/net_websocket_type.h"

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>

#define OH_LOG_INFO(type, fmt, ...) (std::printf(fmt "\n", __VA_ARGS__), std::fflush(stdout))

// WebSocket客户端全局变量
static struct WebSocket *client = nullptr;

static std::mutex mu;
static std::condition_variable cv;
static bool opened, received;

static void notify(bool &flag)
{
    std::lock_guard<std::mutex> lock(mu);
    flag = true;
    cv.notify_all();
}

static void onOpen(struct WebSocket *client, WebSocket_OpenResult openResult)
{
    (void)client;
    OH_LOG_INFO(LOG_APP, "onOpen: code: %u, reason: %s",
        openResult.code, openResult.reason);
    notify(opened);
}

static void onMessage(struct WebSocket *client, char *data, uint32_t length)
{
    (void)client;
    char *tmp = new char[length + 1];
    for (uint32_t i = 0; i < length; i++) {
        tmp[i] = data[i];
    }
    tmp[length] = '\0';
    OH_LOG_INFO(LOG_APP, "onMessage: len: %u, data: %s",
        length, tmp);
    delete[] tmp;
    notify(received);
}

static void onError(struct WebSocket *client, WebSocket_ErrorResult errorResult)
{
    (void)client;
    OH_LOG_INFO(LOG_APP, "onError: code: %u, message: %s",
        errorResult.errorCode, errorResult.errorMessage);
}

static void onClose(struct WebSocket *client, WebSocket_CloseResult closeResult)
{
    (void)client;
    OH_LOG_INFO(LOG_APP, "onClose: code: %u, reason: %s",
        closeResult.code, closeResult.reason);
}

static bool ConnectWebsocket(const std::string &url)
{
    if (client != nullptr) {
        std::printf("there is already one websocket client running.\n");
        return false;
    }
    char *buf = new char[url.size() + 1];
    std::memset(buf, 0, url.size() + 1);
    std::memcpy(buf, url.data(), url.size());
    // 创建WebSocket Client对象指针
    client = OH_WebSocketClient_Constructor(onOpen, onMessage, onError, onClose);
    if (client == nullptr) {
        delete[] buf;
        return false;
    }
    // 连接buf存放的URL对应的WebSocket服务器
    int connectRet = OH_WebSocketClient_Connect(client, buf, {});

    delete[] buf;
    return connectRet == 0;
}

static int SendMessage(const std::string &message)
{
    if (client == nullptr) {
        std::printf("websocket client not connected.\n");
        return WebSocket_ErrCode::WEBSOCKET_CLIENT_NULL;
    }
    size_t length = message.size();
    char *buf = new char[length + 1];
    std::memset(buf, 0, length + 1);
    std::memcpy(buf, message.data(), length);
    // 发送buf中的消息给服务器
    int ret = OH_WebSocketClient_Send(client, buf, length);

    delete[] buf;
    return ret;
}

static int CloseWebsocket()
{
    if (client == nullptr) {
        std::printf("websocket client not connected.\n");
        return -1;
    }
    // 关闭WebSocket连接
    int ret = OH_WebSocketClient_Close(client, {
        .code = 0,
        .reason = "Actively Close",
    });
    // 释放WebSocket资源并置空
    OH_WebSocketClient_Destroy(client);
    client = nullptr;
    return ret;
}

static bool waitFor(bool &flag)
{
    std::unique_lock<std::mutex> lock(mu);
    return cv.wait_for(lock, std::chrono::seconds(10), [&] { return flag; });
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        std::fprintf(stderr, "usage: guide URL\n");
        return 2;
    }
    if (!ConnectWebsocket(argv[1]) || !waitFor(opened)) {
        std::printf("Connect failed\n");
        return 1;
    }
    std::printf("Send: %d\n", SendMessage("Hello, server!"));
    std::fflush(stdout);
    if (!waitFor(received)) {
        std::printf("no onMessage\n");
        return 1;
    }
    std::printf("Close: %d\n", CloseWebsocket());
    std::printf("Send after Close: %d\n", SendMessage("again"));
    return 0;
}
