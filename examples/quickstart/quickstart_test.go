package main

import (
	"bytes"
	"context"
	"errors"
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
	url := srv.WSURL("/")
	require.NoError(t, run(ctx, url, &out))

	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	// The send callback runs after open, but may run before or after the
	// echo arrives; every other line has a fixed place.
	require.Contains(t, lines, "send callback: success")
	lines = slices.DeleteFunc(lines, func(l string) bool { return l == "send callback: success" })
	require.Len(t, lines, 8, out.String())
	assert.Equal(t, "connecting to "+url, lines[0])
	assert.Regexp(t, `^on headerReceive: \{connection: Upgrade, sec-websocket-accept: [A-Za-z0-9+/]{27}=, upgrade: websocket\}$`, lines[1])
	assert.Equal(t, []string{
		"connect callback: success",
		"on open: 101 Switching Protocols",
		"on message: Hello, server!",
		"on dataEnd",
		"close callback: success",
		`on close: code 1000, reason ""`,
	}, lines[2:])

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
	// Code and name, then the message without "websocket: connection failed: ".
	detail := strings.TrimPrefix(err.Error(), "websocket: connection failed: ")
	require.NotEqual(t, err.Error(), detail, "the message starts with the code's name")
	require.True(t, strings.HasPrefix(detail, url+": "), detail)
	assert.Equal(t, "connecting to "+url+"\n"+
		"connect callback: error 200 (connection failed): "+detail+"\n"+
		"on error: error 200 (connection failed): "+detail+"\n", out.String())
}

func TestRunBadURL(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	var out bytes.Buffer
	err := run(ctx, "http://127.0.0.1/", &out)
	require.Error(t, err)
	assert.ErrorIs(t, err, websocket.ErrURL)
	assert.Equal(t, "websocket: url error: url scheme \"http\" is not ws or wss", err.Error())
	assert.Equal(t, "connecting to http://127.0.0.1/\n"+
		"connect callback: error 2302001 (url error): url scheme \"http\" is not ws or wss\n", out.String())
}

func TestDescribe(t *testing.T) {
	tests := []struct {
		code int32
		err  error
		want string
	}{
		{200, errors.New("websocket: connection failed: ws://h/: dial tcp: refused"), "error 200 (connection failed): ws://h/: dial tcp: refused"},
		{401, errors.New("websocket: parameter error: nil callback"), "error 401 (parameter error): nil callback"},
		{2302006, errors.New("websocket: connection does not exist: send: not connected"), "error 2302006 (connection does not exist): send: not connected"},
		// A message that does not start with the code's name is kept whole.
		{200, errors.New("something else"), "error 200 (connection failed): something else"},
		{7, errors.New("websocket: odd"), "error 7 (error code 7): websocket: odd"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, describe(tt.code, tt.err))
	}
}
