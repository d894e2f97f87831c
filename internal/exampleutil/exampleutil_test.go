package exampleutil

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/cangjie-go/ohos/internal/echoserver"
	"github.com/stretchr/testify/assert"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestRun(t *testing.T) {
	var gotURL string
	record := func(_ context.Context, url string, out io.Writer) error {
		gotURL = url
		io.WriteString(out, "ran\n")
		return nil
	}
	fail := func(context.Context, string, io.Writer) error { return errors.New("websocket: it broke") }
	tests := []struct {
		name      string
		args      []string
		run       RunFunc
		status    int
		out, err  string
		urlPrefix string
	}{
		{"embedded echo server", nil, record, 0, "ran\n", "", "ws://127.0.0.1:"},
		{"url flag", []string{"-url", "ws://example.invalid/x"}, record, 0, "ran\n", "", "ws://example.invalid/x"},
		{"run fails", nil, fail, 1, "", "demo: websocket: it broke\n", ""},
		{"bad flag", []string{"-nope"}, record, 2, "", "flag provided but not defined", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gotURL = ""
			var out, errOut bytes.Buffer
			status := Run("demo", tt.args, echoserver.Options{}, tt.run, &out, &errOut)
			assert.Equal(t, tt.status, status)
			assert.Equal(t, tt.out, out.String())
			assert.True(t, strings.HasPrefix(errOut.String(), tt.err) || strings.Contains(errOut.String(), tt.err), errOut.String())
			assert.True(t, strings.HasPrefix(gotURL, tt.urlPrefix), gotURL)
		})
	}
}
