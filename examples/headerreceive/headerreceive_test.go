package main

import (
	"bytes"
	"context"
	"net/http"
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
	srv := echoserver.New(echoserver.Options{
		ResponseHeader: http.Header{"X-Example": {"a", "b"}, "Set-Cookie": {"k1=v1", "k2=v2"}},
	})
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	var out bytes.Buffer
	require.NoError(t, run(ctx, srv.WSURL("/"), &out))

	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	require.Len(t, lines, 5, out.String())
	assert.Equal(t, "on headerReceive connection: Upgrade", lines[0])
	assert.Regexp(t, `^on headerReceive sec-websocket-accept: [A-Za-z0-9+/]{27}=$`, lines[1])
	assert.Equal(t, []string{
		"on headerReceive set-cookie: k1=v1;k2=v2",
		"on headerReceive upgrade: websocket",
		"on headerReceive x-example: a,b",
	}, lines[2:])
}
