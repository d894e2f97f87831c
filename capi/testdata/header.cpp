// header.cpp - header.c compiled as C++.
#include "header.c"

// C++ code names the enumerators through the enum, as the platform guide does.
static_assert(WebSocket_ErrCode::WEBSOCKET_CLIENT_NULL == 1001, "scoped enumerator");
