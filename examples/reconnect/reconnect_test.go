package main

import (
	"bytes"
	"context"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/cangjie-go/ohos/internal/echoserver"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestRun(t *testing.T) {
	srv := echoserver.New(echoserver.Options{})
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var out bytes.Buffer
	require.NoError(t, run(ctx, srv, &out), "output:\n%s", out.String())
	assert.Regexp(t, regexp.MustCompile(`^connecting to ws://127\.0\.0\.1:\d+/
open
echo: before the restart
restarting the server
close: 1006 The link is down
reconnect: attempt 1
(reconnect: attempt \d+
)*open
echo: after the restart
close: 1000 
$`), out.String())
}
