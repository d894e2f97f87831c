package echoserver_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	gorilla "github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/cangjie-go/ohos/internal/echoserver"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// dial connects a gorilla client to the server, under a deadline.
func dial(t *testing.T, url string, h http.Header, d *gorilla.Dialer) (*gorilla.Conn, *http.Response, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if d == nil {
		d = &gorilla.Dialer{}
	}
	c, resp, err := d.DialContext(ctx, url, h)
	if c != nil {
		t.Cleanup(func() { c.Close() })
		require.NoError(t, c.SetReadDeadline(time.Now().Add(10*time.Second)))
	}
	return c, resp, err
}

func TestWSURL(t *testing.T) {
	srv := echoserver.New(echoserver.Options{})
	defer srv.Close()
	assert.True(t, strings.HasPrefix(srv.WSURL("/x"), "ws://127.0.0.1:"), srv.WSURL("/x"))
	assert.True(t, strings.HasSuffix(srv.WSURL("/x"), "/x"))
	assert.Equal(t, "ws"+strings.TrimPrefix(srv.URL, "http"), srv.WSURL(""))
}

func TestEchoes(t *testing.T) {
	srv := echoserver.New(echoserver.Options{})
	defer srv.Close()
	c, resp, err := dial(t, srv.WSURL("/"), nil, nil)
	require.NoError(t, err)
	assert.Equal(t, http.StatusSwitchingProtocols, resp.StatusCode)

	tests := []struct {
		name string
		typ  int
		data []byte
	}{
		{"text", gorilla.TextMessage, []byte("hello")},
		{"binary", gorilla.BinaryMessage, []byte{0, 1, 2, 255}},
		{"empty text", gorilla.TextMessage, []byte{}},
		{"large binary", gorilla.BinaryMessage, make([]byte, 1<<16)},
		{"text that looks like a command", gorilla.TextMessage, []byte("cmd:say:hi")}, // Commands is off
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.NoError(t, c.WriteMessage(tt.typ, tt.data))
			typ, p, err := c.ReadMessage()
			require.NoError(t, err)
			assert.Equal(t, tt.typ, typ)
			assert.Equal(t, tt.data, p)
		})
	}
}

func TestRequestsRecorded(t *testing.T) {
	srv := echoserver.New(echoserver.Options{})
	defer srv.Close()
	assert.Empty(t, srv.Requests())

	_, _, err := dial(t, srv.WSURL("/chat?room=1"), http.Header{"X-Token": {"abc"}}, nil)
	require.NoError(t, err)
	_, _, err = dial(t, srv.WSURL("/second"), nil, nil)
	require.NoError(t, err)

	reqs := srv.Requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, "/chat?room=1", reqs[0].URI)
	assert.Equal(t, "abc", reqs[0].Header.Get("X-Token"))
	assert.Equal(t, "websocket", reqs[0].Header.Get("Upgrade"))
	assert.Equal(t, strings.TrimPrefix(srv.URL, "http://"), reqs[0].Host)
	assert.Equal(t, "/second", reqs[1].URI)

	// Requests returns a copy.
	reqs[0].URI = "changed"
	assert.Equal(t, "/chat?room=1", srv.Requests()[0].URI)
}

func TestRefuseStatus(t *testing.T) {
	srv := echoserver.New(echoserver.Options{
		RefuseStatus: http.StatusForbidden,
		RefuseHeader: http.Header{"X-Reason": {"no entry"}},
	})
	defer srv.Close()

	c, resp, err := dial(t, srv.WSURL("/"), nil, nil)
	require.ErrorIs(t, err, gorilla.ErrBadHandshake)
	assert.Nil(t, c)
	require.NotNil(t, resp)
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	assert.Equal(t, "no entry", resp.Header.Get("X-Reason"))
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Equal(t, "refused", string(body))
	assert.Len(t, srv.Requests(), 1, "a refused handshake is recorded too")
}

func TestSubprotocols(t *testing.T) {
	tests := []struct {
		name    string
		opts    echoserver.Options
		offered []string
		want    string
	}{
		{"server's preference among those offered", echoserver.Options{Subprotocols: []string{"b", "a"}}, []string{"a", "b"}, "b"},
		{"none in common", echoserver.Options{Subprotocols: []string{"x"}}, []string{"a"}, ""},
		{"forced", echoserver.Options{ForceSubprotocol: "evil"}, []string{"a"}, "evil"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := echoserver.New(tt.opts)
			defer srv.Close()
			c, resp, err := dial(t, srv.WSURL("/"), nil, &gorilla.Dialer{Subprotocols: tt.offered})
			require.NoError(t, err)
			assert.Equal(t, tt.want, resp.Header.Get("Sec-WebSocket-Protocol"))
			assert.Equal(t, tt.want, c.Subprotocol())
		})
	}
}

func TestResponseHeader(t *testing.T) {
	srv := echoserver.New(echoserver.Options{ResponseHeader: http.Header{"X-Demo": {"a", "b"}}})
	defer srv.Close()
	_, resp, err := dial(t, srv.WSURL("/"), nil, nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b"}, resp.Header.Values("X-Demo"))
}

func TestCommands(t *testing.T) {
	srv := echoserver.New(echoserver.Options{Commands: true})
	defer srv.Close()
	c, _, err := dial(t, srv.WSURL("/"), nil, nil)
	require.NoError(t, err)

	t.Run("say", func(t *testing.T) {
		require.NoError(t, c.WriteMessage(gorilla.TextMessage, []byte("cmd:say:hi there")))
		typ, p, err := c.ReadMessage()
		require.NoError(t, err)
		assert.Equal(t, gorilla.TextMessage, typ)
		assert.Equal(t, "hi there", string(p))
	})
	t.Run("bin", func(t *testing.T) {
		require.NoError(t, c.WriteMessage(gorilla.TextMessage, []byte("cmd:bin:30")))
		typ, p, err := c.ReadMessage()
		require.NoError(t, err)
		assert.Equal(t, gorilla.BinaryMessage, typ)
		assert.Equal(t, "abcdefghijklmnopqrstuvwxyzabcd", string(p))
	})
	t.Run("text", func(t *testing.T) {
		require.NoError(t, c.WriteMessage(gorilla.TextMessage, []byte("cmd:text:3")))
		typ, p, err := c.ReadMessage()
		require.NoError(t, err)
		assert.Equal(t, gorilla.TextMessage, typ)
		assert.Equal(t, "abc", string(p))
	})
	t.Run("ping", func(t *testing.T) {
		pings := make(chan string, 1)
		c.SetPingHandler(func(data string) error { pings <- data; return nil })
		require.NoError(t, c.WriteMessage(gorilla.TextMessage, []byte("cmd:ping:are you there")))
		require.NoError(t, c.WriteMessage(gorilla.TextMessage, []byte("after")))
		_, p, err := c.ReadMessage() // the ping handler runs while reading
		require.NoError(t, err)
		assert.Equal(t, "after", string(p))
		assert.Equal(t, "are you there", <-pings)
	})
	t.Run("binary message is echoed, not a command", func(t *testing.T) {
		require.NoError(t, c.WriteMessage(gorilla.BinaryMessage, []byte("cmd:say:x")))
		typ, p, err := c.ReadMessage()
		require.NoError(t, err)
		assert.Equal(t, gorilla.BinaryMessage, typ)
		assert.Equal(t, "cmd:say:x", string(p))
	})
	t.Run("close", func(t *testing.T) {
		require.NoError(t, c.WriteMessage(gorilla.TextMessage, []byte("cmd:close:4001:bye")))
		_, _, err := c.ReadMessage()
		var ce *gorilla.CloseError
		require.ErrorAs(t, err, &ce)
		assert.Equal(t, 4001, ce.Code)
		assert.Equal(t, "bye", ce.Text)
	})
}

func TestCommandDrop(t *testing.T) {
	srv := echoserver.New(echoserver.Options{Commands: true})
	defer srv.Close()
	c, _, err := dial(t, srv.WSURL("/"), nil, nil)
	require.NoError(t, err)
	require.NoError(t, c.WriteMessage(gorilla.TextMessage, []byte("cmd:drop")))
	_, _, err = c.ReadMessage()
	require.Error(t, err)
	var ce *gorilla.CloseError
	if errors.As(err, &ce) {
		assert.Equal(t, gorilla.CloseAbnormalClosure, ce.Code, "no Close frame was sent")
	}
}

func TestHoldHandshake(t *testing.T) {
	hold := make(chan struct{})
	srv := echoserver.New(echoserver.Options{HoldHandshake: hold})
	defer srv.Close()

	type result struct {
		c   *gorilla.Conn
		err error
	}
	done := make(chan result, 1)
	go func() {
		c, _, err := gorilla.DefaultDialer.Dial(srv.WSURL("/"), nil)
		done <- result{c, err}
	}()

	// The request is recorded before the answer is held back.
	require.Eventually(t, func() bool { return len(srv.Requests()) == 1 }, 10*time.Second, time.Millisecond)
	select {
	case r := <-done:
		t.Fatalf("handshake finished while held: %v", r.err)
	default:
	}

	close(hold)
	select {
	case r := <-done:
		require.NoError(t, r.err)
		r.c.Close()
	case <-time.After(10 * time.Second):
		t.Fatal("handshake not released")
	}
}

func TestCloseDropsConnections(t *testing.T) {
	srv := echoserver.New(echoserver.Options{})
	c, _, err := dial(t, srv.WSURL("/"), nil, nil)
	require.NoError(t, err)
	// The server has registered the connection once it echoes.
	require.NoError(t, c.WriteMessage(gorilla.TextMessage, []byte("x")))
	_, _, err = c.ReadMessage()
	require.NoError(t, err)

	srv.Close()
	_, _, err = c.ReadMessage()
	assert.Error(t, err)
}
