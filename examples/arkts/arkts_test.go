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
	// A send callback may run before or after the echo of its message; the
	// other lines have a fixed order.
	assert.Equal(t, 2, strings.Count(out.String(), "send success\n"), out.String())
	lines = slices.DeleteFunc(lines, func(l string) bool { return l == "send success" })
	assert.Equal(t, []string{
		"connect success, protocol: my-protocol",
		"on message, message: Hello, server!",
		"on message, message: bye",
		"close success",
		"on close, code is 1000, reason is ",
	}, lines)

	reqs := srv.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, "value1", reqs[0].Header.Get("name1"))
	assert.Equal(t, "value2", reqs[0].Header.Get("name2"))
	assert.Equal(t, "value3", reqs[0].Header.Get("name3"))
	assert.Equal(t, "my-protocol", reqs[0].Header.Get("Sec-WebSocket-Protocol"))
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
	assert.Contains(t, err.Error(), url)
	assert.Contains(t, err.Error(), "connection refused")
	assert.Equal(t, "connect fail, err: "+err.Error()+"\non error, error: "+err.Error()+"\n", out.String())
}
