package main

import (
	"bytes"
	"context"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cangjie-go/ohos/internal/echoserver"
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
	require.NoError(t, run(ctx, srv.WSURL("/"), &out))

	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	// The send callback runs after open, but may run before or after the
	// echo arrives; every other line has a fixed place.
	require.Contains(t, lines, "send callback: success")
	lines = slices.DeleteFunc(lines, func(l string) bool { return l == "send callback: success" })
	require.Len(t, lines, 7, out.String())
	assert.Regexp(t, `^headerReceive: \{connection: Upgrade, sec-websocket-accept: [A-Za-z0-9+/]{27}=, upgrade: websocket\}$`, lines[0])
	assert.Equal(t, []string{
		"connect callback: success",
		"open: 101 Switching Protocols",
		"message: Hello, server!",
		"dataEnd",
		"close callback: success",
		`close: code 1000, reason ""`,
	}, lines[1:])

	reqs := srv.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, "application/json", reqs[0].Header.Get("Content-Type"))
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
	require.Error(t, err)
	assert.ErrorIs(t, err, websocket.ErrConnectionFailed)
	assert.Contains(t, err.Error(), url)
	assert.Contains(t, err.Error(), "connection refused")
	assert.Equal(t, "connect callback: error 200\nerror: "+err.Error()+"\n", out.String())
}

func TestRunBadURL(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	var out bytes.Buffer
	err := run(ctx, "http://127.0.0.1/", &out)
	require.Error(t, err)
	assert.ErrorIs(t, err, websocket.ErrURL)
	assert.Contains(t, err.Error(), "not ws or wss")
	assert.Equal(t, "connect callback: error 2302001\n", out.String())
}
