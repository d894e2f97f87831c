package main

import (
	"bytes"
	"context"
	"net"
	"testing"
	"time"

	"github.com/cangjie-go/ohos/internal/echoserver"
	"github.com/cangjie-go/ohos/internal/exampleutil"
	"github.com/cangjie-go/ohos/networkkit/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestRun(t *testing.T) {
	srv := echoserver.New(echoserver.Options{})
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	var out bytes.Buffer
	url := srv.WSURL("/")
	require.NoError(t, run(ctx, url, &out))
	assert.Equal(t, "connecting to "+url+"\nconnected\nmessage: Hello, server!\nclosed\n", out.String())
	assert.Len(t, srv.Requests(), 1)
}

func TestRunRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	url := "ws://" + ln.Addr().String() + "/"
	require.NoError(t, ln.Close()) // nothing listens on the port any more
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	var out bytes.Buffer
	err = run(ctx, url, &out)
	assert.ErrorIs(t, err, websocket.ErrConnectionFailed)
	assert.Equal(t, "connecting to "+url+"\n", out.String())
}

// TestMainProgram runs the program as "go run ./examples/blocking" does:
// with the embedded echo server.
func TestMainProgram(t *testing.T) {
	var out, errOut bytes.Buffer
	status := exampleutil.Run("blocking", nil, echoserver.Options{}, run, &out, &errOut)
	assert.Equal(t, 0, status, errOut.String())
	assert.Regexp(t, `^connecting to ws://127\.0\.0\.1:\d+/\nconnected\nmessage: Hello, server!\nclosed\n$`, out.String())
}
