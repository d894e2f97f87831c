package websocket

// White-box tests of dial.go: how refused handshakes are described.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHandshakeErrorReasons(t *testing.T) {
	long := strings.Repeat("x", 3000)
	tests := []struct {
		name       string
		status     int
		statusText string
		header     http.Header
		body       io.Reader
		wantReason string
		wantBody   string
	}{
		{"403", 403, "403 Forbidden", http.Header{"X-Why": {"no"}}, strings.NewReader("refused"),
			"server answered 403 Forbidden instead of 101 Switching Protocols", "refused"},
		{"200 without body", 200, "200 OK", http.Header{}, nil,
			"server answered 200 OK instead of 101 Switching Protocols", ""},
		{"body cut at 1 KiB", 500, "500 Internal Server Error", http.Header{}, strings.NewReader(long),
			"server answered 500 Internal Server Error instead of 101 Switching Protocols", long[:1024]},
		{"101 without Upgrade", 101, "101 Switching Protocols", http.Header{"Connection": {"Upgrade"}}, nil,
			`101 answer without "Upgrade: websocket"`, ""},
		{"101 with another Upgrade", 101, "101 Switching Protocols", http.Header{"Upgrade": {"h2c"}, "Connection": {"Upgrade"}}, nil,
			`101 answer without "Upgrade: websocket"`, ""},
		{"101 without Connection", 101, "101 Switching Protocols", http.Header{"Upgrade": {"WebSocket"}}, nil,
			`101 answer without "Connection: Upgrade"`, ""},
		{"101 with Connection keep-alive only", 101, "101 Switching Protocols", http.Header{"Upgrade": {"websocket"}, "Connection": {"keep-alive"}}, nil,
			`101 answer without "Connection: Upgrade"`, ""},
		{"101 with a token list", 101, "101 Switching Protocols", http.Header{"Upgrade": {"websocket"}, "Connection": {"keep-alive, UPGRADE"}}, nil,
			"101 answer with a wrong Sec-WebSocket-Accept", ""},
		{"101 with Connection twice", 101, "101 Switching Protocols", http.Header{"Upgrade": {"websocket"}, "Connection": {"keep-alive", "upgrade"}}, nil,
			"101 answer with a wrong Sec-WebSocket-Accept", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := &http.Response{StatusCode: tt.status, Status: tt.statusText, Header: tt.header}
			if tt.body != nil {
				resp.Body = io.NopCloser(tt.body)
			}
			err := handshakeError(resp)
			var he *HandshakeError
			require.ErrorAs(t, err, &he)
			assert.Equal(t, tt.status, he.StatusCode)
			assert.Equal(t, tt.statusText, he.Status)
			assert.Equal(t, tt.header, he.Header)
			assert.Equal(t, tt.wantReason, he.Reason)
			assert.Equal(t, tt.wantBody, string(he.Body))
			assert.Equal(t, "websocket: handshake failed: "+tt.wantReason, err.Error())
		})
	}
}

func TestReasonPhrase(t *testing.T) {
	tests := []struct{ status, want string }{
		{"101 Switching Protocols", "Switching Protocols"},
		{"200 OK", "OK"},
		{"101", ""},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(strconv.Quote(tt.status), func(t *testing.T) {
			assert.Equal(t, tt.want, reasonPhrase(&http.Response{Status: tt.status}))
		})
	}
}

// timeoutError is a net.Error that timed out.
type timeoutError struct{}

func (timeoutError) Error() string   { return "i/o timeout" }
func (timeoutError) Timeout() bool   { return true }
func (timeoutError) Temporary() bool { return true }

func TestDescribe(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"deadline", context.DeadlineExceeded, "the opening handshake timed out: context deadline exceeded"},
		{"wrapped deadline", fmt.Errorf("dial: %w", context.DeadlineExceeded), "the opening handshake timed out: dial: context deadline exceeded"},
		{"net timeout", &net.OpError{Op: "dial", Net: "tcp", Err: timeoutError{}}, "the opening handshake timed out: dial tcp: i/o timeout"},
		{"prefix removed", errors.New("websocket: bad handshake"), "bad handshake"},
		{"other", errors.New("connection refused"), "connection refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, describe(tt.err))
		})
	}
}
