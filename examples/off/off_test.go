package main

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/cangjie-go/ohos/internal/echoserver"
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
	assert.Equal(t, "callback2: on open, status: 101, message: Switching Protocols\n", out.String())
}
