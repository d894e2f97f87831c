package main

import (
	"bytes"
	"context"
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
	srv := echoserver.New(echoserver.Options{})
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	var out bytes.Buffer
	require.NoError(t, run(ctx, srv.WSURL("/"), &out))

	// A send callback may run before or after the echo of its message; the
	// echoes come in the order of the sends.
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	assert.Equal(t, 2, strings.Count(out.String(), "send success\n"), out.String())
	lines = slices.DeleteFunc(lines, func(l string) bool { return l == "send success" })
	assert.Equal(t, []string{
		"on message, text: Hello, server!",
		"on message, binary: [1, 2, 3]",
	}, lines)
}
