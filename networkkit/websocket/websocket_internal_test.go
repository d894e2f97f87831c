package websocket

// White-box tests shared by the package: TestMain (goleak over every test
// of the package, black-box tests and examples included), the helpers
// the white-box tests share, and the typed On/Off registration of
// websocket.go.

import (
	"strings"
	"testing"
	"time"

	"github.com/samber/mo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/cangjie-go/ohos/callback"
)

// TestMain checks that no test of the package (black-box tests and examples
// included: they share this test binary) leaves a goroutine behind.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// waitTimeout bounds every wait on a channel in these tests.
const waitTimeout = 10 * time.Second

// assertCode checks that err is a *callback.BusinessException with code,
// reachable with errors.Is and errors.As, with a "websocket: " message.
func assertCode(t *testing.T, err error, code ErrorCode) {
	t.Helper()
	require.Error(t, err)
	assert.ErrorIs(t, err, code)
	var be *callback.BusinessException
	if assert.ErrorAs(t, err, &be) {
		assert.Equal(t, int32(code), be.Code)
		assert.True(t, strings.HasPrefix(be.Error(), code.Error()+": "), "message %q starts with the code's message", be.Error())
		assert.False(t, strings.HasSuffix(be.Error(), "."), "message %q has no trailing period", be.Error())
	}
}

// checkErr checks err against want: nil when want is 0, else the code.
func checkErr(t *testing.T, err error, want ErrorCode) {
	t.Helper()
	if want == 0 {
		assert.NoError(t, err)
		return
	}
	assertCode(t, err, want)
}

func TestTypedOnOff(t *testing.T) {
	openCB := WebSocketAsyncCallbackFunc[map[uint32]string](func(mo.Option[callback.AsyncError], mo.Option[map[uint32]string]) {})
	messageCB := WebSocketAsyncCallbackFunc[MessageData](func(mo.Option[callback.AsyncError], mo.Option[MessageData]) {})
	closeCB := WebSocketAsyncCallbackFunc[CloseResult](func(mo.Option[callback.AsyncError], mo.Option[CloseResult]) {})
	errorCB := WebSocketErrorCallbackFunc(func(*callback.BusinessException) {})
	dataEndCB := callback.Callback0Func(func() {})
	headerCB := callback.Callback1Func[ResponseHeaders](func(ResponseHeaders) {})
	openInfoCB := Data(func(OpenInfo) {})

	tests := []struct {
		name    string
		ev      eventIndex
		on, off func(ws *WebSocket) error
		offAll  func(ws *WebSocket) error
	}{
		{"open", evOpen,
			func(ws *WebSocket) error { return ws.OnOpen(openCB) },
			func(ws *WebSocket) error { return ws.OffOpen(openCB) },
			func(ws *WebSocket) error { return ws.OffOpen(nil) }},
		{"message", evMessage,
			func(ws *WebSocket) error { return ws.OnMessage(messageCB) },
			func(ws *WebSocket) error { return ws.OffMessage(messageCB) },
			func(ws *WebSocket) error { return ws.OffMessage(nil) }},
		{"close", evClose,
			func(ws *WebSocket) error { return ws.OnClose(closeCB) },
			func(ws *WebSocket) error { return ws.OffClose(closeCB) },
			func(ws *WebSocket) error { return ws.OffClose(nil) }},
		{"error", evError,
			func(ws *WebSocket) error { return ws.OnError(errorCB) },
			func(ws *WebSocket) error { return ws.OffError(errorCB) },
			func(ws *WebSocket) error { return ws.OffError(nil) }},
		{"dataEnd", evDataEnd,
			func(ws *WebSocket) error { return ws.OnDataEnd(dataEndCB) },
			func(ws *WebSocket) error { return ws.OffDataEnd(dataEndCB) },
			func(ws *WebSocket) error { return ws.OffDataEnd(nil) }},
		{"headerReceive", evHeaderReceive,
			func(ws *WebSocket) error { return ws.OnHeaderReceive(headerCB) },
			func(ws *WebSocket) error { return ws.OffHeaderReceive(headerCB) },
			func(ws *WebSocket) error { return ws.OffHeaderReceive(nil) }},
		{"openInfo", evOpenInfo,
			func(ws *WebSocket) error { return ws.OnOpenInfo(openInfoCB) },
			func(ws *WebSocket) error { return ws.OffOpenInfo(openInfoCB) },
			func(ws *WebSocket) error { return ws.OffOpenInfo(nil) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ws := CreateWebSocket()
			require.NoError(t, tt.on(ws))
			require.NoError(t, tt.on(ws)) // the same callback again: kept once
			for ev := range numEvents {
				want := 0
				if ev == tt.ev {
					want = 1
				}
				assert.Len(t, ws.events.l.get(ev), want, "listeners of event %d", ev)
			}
			require.NoError(t, tt.off(ws))
			assert.Empty(t, ws.events.l.get(tt.ev))
			require.NoError(t, tt.off(ws), "removing a callback that is not registered does nothing")

			require.NoError(t, tt.on(ws))
			require.NoError(t, tt.offAll(ws))
			assert.Empty(t, ws.events.l.get(tt.ev))
		})
	}
}
