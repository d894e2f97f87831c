package websocket_test

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cangjie-go/ohos/internal/echoserver"
	"github.com/cangjie-go/ohos/networkkit/websocket"
)

// platformSendCap is the largest message the platform's ArkTS send accepts
// (5 MiB − 16); this package has no such cap (package doc, Differences from
// HarmonyOS).
const platformSendCap = 5*1024*1024 - 16

// TestSendHasNoPlatformCap: a message one byte over the platform's send cap
// is sent, by Send and SendContext, and arrives whole.
func TestSendHasNoPlatformCap(t *testing.T) {
	srv := newEchoHost(t, nil, echoserver.Options{})
	ws := websocket.CreateWebSocket()
	got := make(chan websocket.MessageData, 2)
	require.NoError(t, ws.OnMessage(websocket.Data(func(m websocket.MessageData) { got <- m })))
	ctx := optCtx(t)
	require.NoError(t, ws.ConnectContext(ctx, srv.url("127.0.0.1"), nil))
	t.Cleanup(func() { assert.NoError(t, ws.CloseContext(optCtx(t), nil)) })

	big := bytes.Repeat([]byte{0xa5}, platformSendCap+1)
	require.NoError(t, ws.SendContext(ctx, websocket.ArrayData(big)))
	sent := make(chan error, 1)
	ws.Send(websocket.StringData(bytes.Repeat([]byte{'x'}, platformSendCap+1)), websocket.Done(func(err error) { sent <- err }))
	for i, want := range []int{platformSendCap + 1, platformSendCap + 1} {
		select {
		case m := <-got:
			assert.Len(t, m, want, "message %d", i)
		case <-ctx.Done():
			t.Fatalf("message %d did not come back", i)
		}
	}
	select {
	case err := <-sent:
		assert.NoError(t, err)
	case <-ctx.Done():
		t.Fatal("Send did not complete")
	}
}
