package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"testing"
	"time"

	"github.com/cangjie-go/ohos/internal/echoserver"
	"github.com/cangjie-go/ohos/internal/testproxy"
	"github.com/cangjie-go/ohos/networkkit/websocket"
	"github.com/samber/mo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// local starts the example's echo server and proxy for one test.
func local(t *testing.T) (*echoserver.Server, *testproxy.Proxy) {
	srv := echoserver.New(echoserver.Options{Subprotocols: []string{"my-protocol"}})
	t.Cleanup(srv.Close)
	p, err := testproxy.New(testproxy.Options{Username: "user", Password: "pass"})
	require.NoError(t, err)
	t.Cleanup(p.Close) // runs before srv.Close
	return srv, p
}

func TestRun(t *testing.T) {
	srv, p := local(t)
	opts, err := requestOptions(p.Addr(), "user", "pass", "my-protocol")
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	var out bytes.Buffer
	require.NoError(t, run(ctx, srv.WSURL("/"), opts, &out))
	assert.Equal(t, "connect success, protocol: \"my-protocol\"\n"+
		"on message, message: Hello, server!\n"+
		"on close, code is 1000, reason is \"\"\n", out.String())

	asked := p.Requests()
	for i := range asked {
		asked[i].Header = nil // the whole header is not this example's concern
	}
	assert.Equal(t, []testproxy.Request{{
		Authority: srv.Listener.Addr().String(),
		Auth:      "Basic " + base64.StdEncoding.EncodeToString([]byte("user:pass")),
		User:      "user",
		Password:  "pass",
	}}, asked)
	reqs := srv.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, []string{"my-protocol"}, reqs[0].Header.Values("Sec-WebSocket-Protocol"))
}

func TestRunWrongProxyPassword(t *testing.T) {
	srv, p := local(t)
	opts, err := requestOptions(p.Addr(), "user", "secret-but-wrong", "my-protocol")
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	var out bytes.Buffer
	err = run(ctx, srv.WSURL("/"), opts, &out)
	require.Error(t, err)
	assert.ErrorIs(t, err, websocket.ErrConnectionFailed)
	assert.Contains(t, err.Error(), "407")
	assert.NotContains(t, err.Error(), "secret-but-wrong")
	assert.NotContains(t, err.Error(), base64.StdEncoding.EncodeToString([]byte("user:secret-but-wrong")))
	var pe *websocket.ProxyError
	if assert.True(t, errors.As(err, &pe), "%T", err) {
		assert.Equal(t, 407, pe.StatusCode)
		assert.Equal(t, p.Addr(), pe.Proxy)
	}
	assert.Equal(t, "connect fail, err: "+err.Error()+"\n", out.String())

	reqs := p.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, srv.Listener.Addr().String(), reqs[0].Authority)
	assert.Equal(t, "user", reqs[0].User)
	assert.Equal(t, "secret-but-wrong", reqs[0].Password)
	assert.Empty(t, srv.Requests(), "the echo server was not reached")
}

func TestRequestOptions(t *testing.T) {
	for _, tt := range []struct {
		name, proxy, user, password string
		want                        websocket.ProxyConfiguration
		wantErr                     string
	}{
		{name: "no proxy flag means the system proxy", want: nil},
		{name: "proxy with credentials", proxy: "127.0.0.1:8888", user: "user", password: "pass",
			want: websocket.HTTPProxy{Host: "127.0.0.1", Port: 8888, ExclusionList: []string{"*.internal.example"},
				Username: mo.Some("user"), Password: "pass"}},
		{name: "proxy without credentials", proxy: "[::1]:3128",
			want: websocket.HTTPProxy{Host: "::1", Port: 3128, ExclusionList: []string{"*.internal.example"}}},
		{name: "no port", proxy: "proxy.example", wantErr: "missing port"},
		{name: "port out of range", proxy: "proxy.example:70000", wantErr: "0-65535"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			opts, err := requestOptions(tt.proxy, tt.user, tt.password, "my-protocol")
			if tt.wantErr != "" {
				assert.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, opts.Proxy)
			assert.Equal(t, "my-protocol", opts.Protocol)
		})
	}
}
