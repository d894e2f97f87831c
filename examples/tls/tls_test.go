package main

import (
	"bytes"
	"context"
	"os"
	"testing"
	"time"

	"github.com/cangjie-go/ohos/networkkit/websocket"
	"github.com/samber/mo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// local starts the example's local setup for one test.
func local(t *testing.T) (string, *websocket.RequestOptions) {
	url, opts, stop, err := startLocal("test password")
	require.NoError(t, err)
	t.Cleanup(func() {
		stop()
		_, err := os.Stat(opts.CAPath)
		assert.ErrorIs(t, err, os.ErrNotExist, "the temporary files are removed")
	})
	return url, opts
}

func TestRun(t *testing.T) {
	url, opts := local(t)
	require.Regexp(t, `^wss://127\.0\.0\.1:\d+$`, url)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	var out bytes.Buffer
	require.NoError(t, run(ctx, url, opts, &out))
	assert.Equal(t, "connect success\n"+
		"on message, message: Hello, server!\n"+
		"on close, code is 1000, reason is \"\"\n", out.String())
}

func TestRunWrongKeyPassword(t *testing.T) {
	url, opts := local(t)
	bad := *opts
	cert := *opts.ClientCert
	cert.KeyPassword = mo.Some("wrong password")
	bad.ClientCert = &cert
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	var out bytes.Buffer
	err := run(ctx, url, &bad, &out)
	require.Error(t, err)
	assert.ErrorIs(t, err, websocket.ErrParameter)
	assert.Contains(t, err.Error(), "cannot be decrypted")
	assert.NotContains(t, err.Error(), "wrong password")
	assert.Equal(t, "connect fail, err: "+err.Error()+"\n", out.String())
}

func TestRunWithoutClientCert(t *testing.T) {
	url, opts := local(t)
	bad := *opts
	bad.ClientCert = nil
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	var out bytes.Buffer
	err := run(ctx, url, &bad, &out)
	require.Error(t, err)
	assert.ErrorIs(t, err, websocket.ErrConnectionFailed)
	assert.Contains(t, err.Error(), "certificate required") // the server's TLS alert
	assert.Equal(t, "connect fail, err: "+err.Error()+"\n", out.String())
}

func TestRunWithoutCAPath(t *testing.T) {
	url, opts := local(t)
	bad := *opts
	bad.CAPath = "" // the system roots do not know the example's CA
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	var out bytes.Buffer
	err := run(ctx, url, &bad, &out)
	require.Error(t, err)
	assert.ErrorIs(t, err, websocket.ErrConnectionFailed)
	assert.Contains(t, err.Error(), "certificate signed by unknown authority")
}
