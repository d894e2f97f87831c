package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/cangjie-go/ohos/internal/echoserver"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestRun(t *testing.T) {
	srv := echoserver.New(echoserver.Options{Subprotocols: []string{"my-protocol"}})
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	var out bytes.Buffer
	require.NoError(t, run(ctx, srv.WSURL("/"), &out))

	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	require.Len(t, lines, 2, out.String())
	assert.Regexp(t, `^on headerReceive: \{connection: Upgrade, sec-websocket-accept: [A-Za-z0-9+/]{27}=, sec-websocket-protocol: my-protocol, upgrade: websocket\}$`, lines[0])
	assert.Equal(t, `connect success, protocol: "my-protocol"`, lines[1])

	reqs := srv.Requests()
	require.Len(t, reqs, 1)
	h := reqs[0].Header
	assert.Equal(t, []string{"value1"}, h.Values("name1"))
	assert.Equal(t, []string{"value2"}, h.Values("name2"))
	assert.Equal(t, []string{"value3"}, h.Values("name3"))
	assert.Equal(t, []string{"my-protocol"}, h.Values("Sec-WebSocket-Protocol"))
}

func TestRunWithoutProtocol(t *testing.T) {
	srv := echoserver.New(echoserver.Options{}) // offers no subprotocol
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	var out bytes.Buffer
	require.NoError(t, run(ctx, srv.WSURL("/"), &out))
	assert.Contains(t, out.String(), "\nconnect success, protocol: \"\"\n")
}
