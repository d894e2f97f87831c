package ohos_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/samber/mo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/cangjie-go/ohos/callback"
	"github.com/cangjie-go/ohos/internal/echoserver"
	"github.com/cangjie-go/ohos/internal/wstest"
	"github.com/cangjie-go/ohos/networkkit/websocket"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestEventSequence checks every event's payload and the order
// headerReceive → connect callback → open → (message → dataEnd)* → close
// (BEHAVIOR §2.3, §2.5, §3).
func TestEventSequence(t *testing.T) {
	srv := newServer(t, echoserver.Options{ResponseHeader: http.Header{
		"X-Custom":   {"v"},
		"X-Multi":    {"a", "b"},
		"Set-Cookie": {"k1=v1", "k2=v2"},
	}})
	ws := wstest.NewWS(t)
	r := wstest.NewRecorder(t, ws)

	ws.Connect(srv.WSURL("/"), r.Done("connect"), nil)
	ctx := wstest.Ctx(t)
	open := r.Expect(t, "headerReceive", "connect", "open")
	require.NoError(t, ws.SendContext(ctx, websocket.StringData("hello")))
	require.NoError(t, ws.SendContext(ctx, websocket.ArrayData{1, 2, 3}))
	msgs := r.Expect(t, "message", "dataEnd", "message", "dataEnd")
	ws.Close(r.Done("closecb"), &websocket.CloseOptions{Code: 4000, Reason: "done"})
	end := r.Expect(t, "closecb", "close")

	assert.True(t, open[1].OK, "connect callback gets Some(true)")
	assert.Equal(t, map[uint32]string{101: "Switching Protocols"}, open[2].Status)
	assert.Equal(t, websocket.MessageData(websocket.StringData("hello")), msgs[0].Msg)
	assert.Equal(t, websocket.MessageData(websocket.ArrayData{1, 2, 3}), msgs[2].Msg)
	assert.True(t, end[0].OK, "close callback gets Some(true)")
	assert.Equal(t, websocket.CloseResult{Code: 4000, Reason: "done"}, end[1].Close)

	t.Run("headers", func(t *testing.T) {
		h, ok := open[0].Headers.(websocket.MapData)
		require.True(t, ok, "headerReceive delivers MapData, got %T", open[0].Headers)
		for _, tt := range []struct{ name, want string }{
			{"x-custom", "v"},
			{"x-multi", "a,b"},
			{"set-cookie", "k1=v1;k2=v2"},
			{"upgrade", "websocket"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				assert.Equal(t, tt.want, h[tt.name])
			})
		}
		for name := range h {
			assert.Equal(t, strings.ToLower(name), name, "header names are lower case")
		}
	})
}

// TestConnectErrors checks every argument Connect refuses, through the
// callback face and the blocking face (BEHAVIOR §4).
func TestConnectErrors(t *testing.T) {
	srv := newServer(t, echoserver.Options{})
	base := srv.WSURL("/")
	hostport := strings.TrimSuffix(strings.TrimPrefix(base, "ws://"), "/")
	_, port, err := net.SplitHostPort(hostport)
	require.NoError(t, err)
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.pem")
	present := filepath.Join(dir, "present.pem")
	require.NoError(t, os.WriteFile(present, []byte("not checked before the key is read"), 0o600))
	long := base + strings.Repeat("a", 8196-len(base))
	require.Len(t, long, 8196)

	tests := []struct {
		name string
		url  string
		opts *websocket.RequestOptions
		want websocket.ErrorCode
	}{
		{"header name with CR", base, &websocket.RequestOptions{Header: map[string]string{"X-A\r": "v"}}, websocket.ErrParameter},
		{"header name with LF", base, &websocket.RequestOptions{Header: map[string]string{"X-A\n": "v"}}, websocket.ErrParameter},
		{"header name with NUL", base, &websocket.RequestOptions{Header: map[string]string{"X-A\x00": "v"}}, websocket.ErrParameter},
		{"header value with CR", base, &websocket.RequestOptions{Header: map[string]string{"X-A": "v\rw"}}, websocket.ErrParameter},
		{"header value with LF", base, &websocket.RequestOptions{Header: map[string]string{"X-A": "v\nX-B: w"}}, websocket.ErrParameter},
		{"header value with NUL", base, &websocket.RequestOptions{Header: map[string]string{"X-A": "v\x00"}}, websocket.ErrParameter},
		{"negative PingInterval", base, &websocket.RequestOptions{PingInterval: mo.Some(-time.Second)}, websocket.ErrParameter},
		{"negative PongTimeout", base, &websocket.RequestOptions{PongTimeout: mo.Some(-time.Second)}, websocket.ErrParameter},
		{"negative HandshakeTimeout", base, &websocket.RequestOptions{HandshakeTimeout: -time.Second}, websocket.ErrParameter},
		{"negative CloseTimeout", base, &websocket.RequestOptions{CloseTimeout: -time.Second}, websocket.ErrParameter},
		{"negative MaxMessageSize", base, &websocket.RequestOptions{MaxMessageSize: -1}, websocket.ErrParameter},
		{"negative SendQueueSize", base, &websocket.RequestOptions{SendQueueSize: -1}, websocket.ErrParameter},
		{"protocol with a space", base, &websocket.RequestOptions{Protocol: "a b"}, websocket.ErrParameter},

		{"empty url", "", nil, websocket.ErrURL},
		{"bad escape", base + "%zz", nil, websocket.ErrURL},
		{"bad host", "ws://[::1/", nil, websocket.ErrURL},
		{"scheme http", "http://" + hostport + "/", nil, websocket.ErrURL},
		{"scheme https", "https://" + hostport + "/", nil, websocket.ErrURL},
		{"scheme ftp", "ftp://" + hostport + "/", nil, websocket.ErrURL},
		{"no scheme", "//" + hostport + "/", nil, websocket.ErrURL},
		{"no host", "ws:///path", nil, websocket.ErrURL},
		{"port without host", "ws://:" + port + "/", nil, websocket.ErrURL},
		{"url of 8196 bytes", long, nil, websocket.ErrURL},

		{"CAPath missing", "wss://" + hostport + "/", &websocket.RequestOptions{CAPath: missing}, websocket.ErrCertificateNotFound},
		{"client cert and key missing", "wss://" + hostport + "/",
			&websocket.RequestOptions{ClientCert: &websocket.ClientCert{CertPath: missing, KeyPath: missing}}, websocket.ErrCertificateNotFound},
		{"client key missing", "wss://" + hostport + "/",
			&websocket.RequestOptions{ClientCert: &websocket.ClientCert{CertPath: present, KeyPath: missing}}, websocket.ErrCertificateNotFound},

		{"host not allowed", base, &websocket.RequestOptions{AllowedHosts: []string{"example.com", "localhost"}}, websocket.ErrDomainNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Run("callback", func(t *testing.T) {
				ws := wstest.NewWS(t)
				r := wstest.NewRecorder(t, ws)
				ws.Connect(tt.url, r.Done("connect"), tt.opts)
				e := r.Next(t)
				require.Equal(t, "connect", e.Kind, "%v", e)
				wstest.AssertCode(t, e.Err, tt.want)
			})
			t.Run("blocking", func(t *testing.T) {
				ws := wstest.NewWS(t)
				wstest.AssertCode(t, ws.ConnectContext(wstest.Ctx(t), tt.url, tt.opts), tt.want)
			})
		})
	}
	assert.Empty(t, srv.Requests(), "no refused Connect reached the server")
}

// TestConnectAccepts checks the edges of the URL and option rules from the
// accepting side: each of these connects.
func TestConnectAccepts(t *testing.T) {
	srv := newServer(t, echoserver.Options{})
	base := srv.WSURL("/")
	hostport := strings.TrimSuffix(strings.TrimPrefix(base, "ws://"), "/")
	long := base + strings.Repeat("b", 8195-len(base))
	require.Len(t, long, 8195)

	tests := []struct {
		name    string
		url     string
		opts    *websocket.RequestOptions
		wantURI string
	}{
		{"upper-case scheme", "WS://" + hostport + "/upper", nil, "/upper"},
		{"mixed-case scheme", "Ws://" + hostport + "/mixed", nil, "/mixed"},
		{"url of 8195 bytes", long, nil, strings.TrimPrefix(long, "ws://"+hostport)},
		{"allow-list with the host", base, &websocket.RequestOptions{AllowedHosts: []string{"example.com", "127.0.0.1"}}, "/"},
		{"protocol list", base, &websocket.RequestOptions{Protocol: "a, b"}, "/"},
		{"header value with a tab", base, &websocket.RequestOptions{Header: map[string]string{"X-Tab": "a\tb"}}, "/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ws := wstest.NewWS(t)
			r := wstest.NewRecorder(t, ws)
			before := len(srv.Requests())
			r.Open(t, tt.url, tt.opts)
			reqs := srv.Requests()
			require.Len(t, reqs, before+1)
			assert.Equal(t, tt.wantURI, reqs[before].URI)
			r.Echo(t, "ok")
			r.Shut(t)
		})
	}
}

// TestConnectStateErrors checks 2302003: Connect while connecting, open or
// closing, through both faces.
func TestConnectStateErrors(t *testing.T) {
	connectTwice := func(t *testing.T, r *wstest.Recorder, url string) {
		t.Helper()
		r.WS.Connect(url, r.Done("connect2"), nil)
		e := r.Next(t)
		require.Equal(t, "connect2", e.Kind, "%v", e)
		wstest.AssertCode(t, e.Err, websocket.ErrConnectionExists)
		wstest.AssertCode(t, r.WS.ConnectContext(wstest.Ctx(t), url, nil), websocket.ErrConnectionExists)
	}

	t.Run("connecting", func(t *testing.T) {
		srv, release := newHeldServer(t, echoserver.Options{})
		ws := wstest.NewWS(t)
		r := wstest.NewRecorder(t, ws)
		ws.Connect(srv.WSURL("/"), r.Done("connect"), nil)
		connectTwice(t, r, srv.WSURL("/"))
		release()
		evs := r.Expect(t, "headerReceive", "connect", "open")
		assert.True(t, evs[1].OK, "the first attempt goes on: %v", evs[1])
		r.Shut(t)
		assert.Len(t, srv.Requests(), 1)
	})

	t.Run("open", func(t *testing.T) {
		srv := newServer(t, echoserver.Options{})
		ws := wstest.NewWS(t)
		r := wstest.NewRecorder(t, ws)
		r.Open(t, srv.WSURL("/"), nil)
		connectTwice(t, r, srv.WSURL("/"))
		r.Echo(t, "still open")
		r.Shut(t)
		assert.Len(t, srv.Requests(), 1)
	})

	t.Run("closing", func(t *testing.T) {
		raw := newRawServer(t) // never answers the Close frame: the object stays closing
		ws := wstest.NewWS(t)
		r := wstest.NewRecorder(t, ws)
		r.Open(t, raw.URL(), &websocket.RequestOptions{CloseTimeout: time.Minute})
		raw.nextHead(t)
		ws.Close(r.Done("closecb"), nil)
		connectTwice(t, r, raw.URL())
		raw.dropAll()
		evs := r.Expect(t, "closecb", "close")
		assert.True(t, evs[0].OK, "%v", evs[0])
		assert.Equal(t, websocket.CloseResult{Code: 1000}, evs[1].Close)
	})
}

// TestSendErrors checks 401 for nil data and 2302006 for Send without a
// connection, through both faces.
func TestSendErrors(t *testing.T) {
	sendBoth := func(t *testing.T, r *wstest.Recorder, data websocket.MessageData, want websocket.ErrorCode) {
		t.Helper()
		r.WS.Send(data, r.Done("send"))
		e := r.Next(t)
		require.Equal(t, "send", e.Kind, "%v", e)
		wstest.AssertCode(t, e.Err, want)
		err := r.WS.SendContext(wstest.Ctx(t), data)
		wstest.AssertCode(t, err, want)
		if want == websocket.ErrConnectionNotExist {
			assert.ErrorIs(t, err, net.ErrClosed)
		}
	}

	t.Run("nil data", func(t *testing.T) {
		srv := newServer(t, echoserver.Options{})
		ws := wstest.NewWS(t)
		r := wstest.NewRecorder(t, ws)
		r.Open(t, srv.WSURL("/"), nil)
		sendBoth(t, r, nil, websocket.ErrParameter)
		r.Echo(t, "next") // nothing was sent for the refused calls
		r.Shut(t)
	})

	t.Run("never connected", func(t *testing.T) {
		ws := wstest.NewWS(t)
		sendBoth(t, wstest.NewRecorder(t, ws), websocket.StringData("x"), websocket.ErrConnectionNotExist)
	})

	t.Run("after close", func(t *testing.T) {
		srv := newServer(t, echoserver.Options{})
		ws := wstest.NewWS(t)
		r := wstest.NewRecorder(t, ws)
		r.Open(t, srv.WSURL("/"), nil)
		r.Shut(t)
		sendBoth(t, r, websocket.ArrayData{1}, websocket.ErrConnectionNotExist)
	})

	t.Run("while closing", func(t *testing.T) {
		raw := newRawServer(t)
		ws := wstest.NewWS(t)
		r := wstest.NewRecorder(t, ws)
		r.Open(t, raw.URL(), &websocket.RequestOptions{CloseTimeout: time.Minute})
		ws.Close(r.Done("closecb"), nil)
		sendBoth(t, r, websocket.StringData("late"), websocket.ErrConnectionNotExist)
		raw.dropAll()
		r.Expect(t, "closecb", "close")
	})
}

// TestCloseErrors checks 401 for close options that cannot be sent; the
// connection stays open through all of them.
func TestCloseErrors(t *testing.T) {
	srv := newServer(t, echoserver.Options{})
	ws := wstest.NewWS(t)
	r := wstest.NewRecorder(t, ws)
	r.Open(t, srv.WSURL("/"), nil)

	tests := []struct {
		name string
		opts *websocket.CloseOptions
	}{
		{"code 999", &websocket.CloseOptions{Code: 999}},
		{"code 1004", &websocket.CloseOptions{Code: 1004}},
		{"code 1005", &websocket.CloseOptions{Code: 1005}},
		{"code 1006", &websocket.CloseOptions{Code: 1006}},
		{"code 1015", &websocket.CloseOptions{Code: 1015}},
		{"code 2999", &websocket.CloseOptions{Code: 2999}},
		{"code 5000", &websocket.CloseOptions{Code: 5000}},
		{"reason of 124 bytes", &websocket.CloseOptions{Code: 1000, Reason: strings.Repeat("r", 124)}},
		{"reason not UTF-8", &websocket.CloseOptions{Code: 1000, Reason: "\xc3\x28"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ws.Close(r.Done("closecb"), tt.opts)
			e := r.Next(t)
			require.Equal(t, "closecb", e.Kind, "%v", e)
			wstest.AssertCode(t, e.Err, websocket.ErrParameter)
			wstest.AssertCode(t, ws.CloseContext(wstest.Ctx(t), tt.opts), websocket.ErrParameter)
		})
	}
	r.Echo(t, "still open")
	r.Shut(t)
}

// TestCloseStateErrors checks 2302999 for Close without a connection and for
// a second Close.
func TestCloseStateErrors(t *testing.T) {
	closeFails := func(t *testing.T, r *wstest.Recorder) {
		t.Helper()
		r.WS.Close(r.Done("closecb"), nil)
		e := r.Next(t)
		require.Equal(t, "closecb", e.Kind, "%v", e)
		wstest.AssertCode(t, e.Err, websocket.ErrUnknown)
		wstest.AssertCode(t, r.WS.CloseContext(wstest.Ctx(t), nil), websocket.ErrUnknown)
	}

	t.Run("never connected", func(t *testing.T) {
		ws := wstest.NewWS(t)
		closeFails(t, wstest.NewRecorder(t, ws))
	})

	t.Run("after close", func(t *testing.T) {
		srv := newServer(t, echoserver.Options{})
		ws := wstest.NewWS(t)
		r := wstest.NewRecorder(t, ws)
		r.Open(t, srv.WSURL("/"), nil)
		r.Shut(t)
		closeFails(t, r)
	})

	t.Run("second close", func(t *testing.T) {
		srv := newServer(t, echoserver.Options{})
		ws := wstest.NewWS(t)
		r := wstest.NewRecorder(t, ws)
		r.Open(t, srv.WSURL("/"), nil)
		ws.Close(r.Done("closecb1"), &websocket.CloseOptions{Code: 4001})
		ws.Close(r.Done("closecb2"), &websocket.CloseOptions{Code: 4002})
		wstest.AssertCode(t, ws.CloseContext(wstest.Ctx(t), nil), websocket.ErrUnknown)
		got := r.ExpectSet(t, "closecb1", "closecb2", "close")
		assert.True(t, got["closecb1"].OK, "%v", got["closecb1"])
		wstest.AssertCode(t, got["closecb2"].Err, websocket.ErrUnknown)
		assert.Equal(t, websocket.CloseResult{Code: 4001}, got["close"].Close, "the first Close decides")
	})
}

// TestConnectionFailure checks code 200: the error event fires and Connect
// reports 200 too (BEHAVIOR §2.5, §3); the refused handshake's status and
// header are reachable with errors.As.
func TestConnectionFailure(t *testing.T) {
	handshakeErr := func(status int, header string) func(t *testing.T, err error) {
		return func(t *testing.T, err error) {
			var he *websocket.HandshakeError
			if assert.ErrorAs(t, err, &he) {
				assert.Equal(t, status, he.StatusCode)
				if header != "" {
					assert.Equal(t, header, he.Header.Get("X-Refused-Why"))
				}
			}
		}
	}
	tests := []struct {
		name  string
		url   func(t *testing.T) string
		opts  *websocket.RequestOptions
		check func(t *testing.T, err error)
	}{
		{
			name: "connection refused",
			url:  func(t *testing.T) string { return wstest.RefusedURL(t) },
			check: func(t *testing.T, err error) {
				var ne net.Error
				assert.ErrorAs(t, err, &ne, "the dial error is reachable")
			},
		},
		{
			name: "403",
			url: func(t *testing.T) string {
				return newServer(t, echoserver.Options{RefuseStatus: http.StatusForbidden,
					RefuseHeader: http.Header{"X-Refused-Why": {"nope"}}}).WSURL("/")
			},
			check: handshakeErr(http.StatusForbidden, "nope"),
		},
		{
			name: "subprotocol not offered",
			url: func(t *testing.T) string {
				return newServer(t, echoserver.Options{ForceSubprotocol: "zzz"}).WSURL("/")
			},
			opts:  &websocket.RequestOptions{Protocol: "a"},
			check: handshakeErr(http.StatusSwitchingProtocols, ""),
		},
		{
			name: "subprotocol when none offered",
			url: func(t *testing.T) string {
				return newServer(t, echoserver.Options{ForceSubprotocol: "zzz"}).WSURL("/")
			},
			check: handshakeErr(http.StatusSwitchingProtocols, ""),
		},
		{
			name: "handshake timeout",
			url: func(t *testing.T) string {
				srv, _ := newHeldServer(t, echoserver.Options{})
				return srv.WSURL("/")
			},
			opts: &websocket.RequestOptions{HandshakeTimeout: 100 * time.Millisecond},
			check: func(t *testing.T, err error) {
				assert.Contains(t, err.Error(), "timed out")
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Run("callback", func(t *testing.T) {
				url := tt.url(t)
				ws := wstest.NewWS(t)
				r := wstest.NewRecorder(t, ws)
				ws.Connect(url, r.Done("connect"), tt.opts)
				got := r.ExpectSet(t, "connect", "error")
				for _, e := range got {
					wstest.AssertCode(t, e.Err, websocket.ErrConnectionFailed)
					tt.check(t, e.Err)
				}
			})
			t.Run("blocking", func(t *testing.T) {
				url := tt.url(t)
				ws := wstest.NewWS(t)
				r := wstest.NewRecorder(t, ws)
				start := time.Now()
				err := ws.ConnectContext(wstest.Ctx(t), url, tt.opts)
				assert.Less(t, time.Since(start), 3*time.Second)
				wstest.AssertCode(t, err, websocket.ErrConnectionFailed)
				tt.check(t, err)
				e := r.Next(t)
				require.Equal(t, "error", e.Kind, "the error event fires for the blocking face too: %v", e)
				wstest.AssertCode(t, e.Err, websocket.ErrConnectionFailed)
			})
		})
	}
}

// openProbe is a pointer-typed open callback that reports itself.
type openProbe struct {
	r     *wstest.Recorder
	label string
}

func (p *openProbe) Invoke(_ mo.Option[callback.AsyncError], _ mo.Option[map[uint32]string]) {
	p.r.Push(wstest.Event{Kind: p.label})
}

// TestOffByIdentity checks that Off removes exactly the callback registered
// (by pointer or by function value), that registering twice keeps one, and
// that an equal-looking other callback is a different one (BEHAVIOR §3).
func TestOffByIdentity(t *testing.T) {
	srv := newServer(t, echoserver.Options{})
	type probes struct{ cb, other any }
	tests := []struct {
		name string
		make func(r *wstest.Recorder) probes
		on   func(ws *websocket.WebSocket, cb any) error
		off  func(ws *websocket.WebSocket, cb any) error
	}{
		{
			name: "pointer",
			make: func(r *wstest.Recorder) probes {
				// Two distinct pointers to equal values.
				return probes{&openProbe{r, "probe"}, &openProbe{r, "probe"}}
			},
			on:  func(ws *websocket.WebSocket, cb any) error { return ws.On(websocket.EventOpen{}, cb) },
			off: func(ws *websocket.WebSocket, cb any) error { return ws.Off(websocket.EventOpen{}, cb) },
		},
		{
			name: "func adapter",
			make: func(r *wstest.Recorder) probes {
				f := websocket.WebSocketAsyncCallbackFunc[map[uint32]string](func(mo.Option[callback.AsyncError], mo.Option[map[uint32]string]) {
					r.Push(wstest.Event{Kind: "probe"})
				})
				g := websocket.WebSocketAsyncCallbackFunc[map[uint32]string](func(mo.Option[callback.AsyncError], mo.Option[map[uint32]string]) {
					r.Push(wstest.Event{Kind: "probe"})
				})
				return probes{f, g}
			},
			on:  func(ws *websocket.WebSocket, cb any) error { return ws.On(websocket.EventOpen{}, cb) },
			off: func(ws *websocket.WebSocket, cb any) error { return ws.Off(websocket.EventOpen{}, cb) },
		},
		{
			name: "typed OnOpen and OffOpen",
			make: func(r *wstest.Recorder) probes {
				return probes{&openProbe{r, "probe"}, &openProbe{r, "probe"}}
			},
			on: func(ws *websocket.WebSocket, cb any) error {
				return ws.OnOpen(cb.(websocket.WebSocketAsyncCallback[map[uint32]string]))
			},
			off: func(ws *websocket.WebSocket, cb any) error {
				return ws.OffOpen(cb.(websocket.WebSocketAsyncCallback[map[uint32]string]))
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ws := wstest.NewWS(t)
			r := wstest.Detached(ws)
			p := tt.make(r)
			require.NoError(t, tt.on(ws, p.cb))
			require.NoError(t, tt.on(ws, p.cb)) // the same callback again: kept once
			r.Attach(t)                         // the recorder's open callback runs after the probe

			connect := func(kinds ...string) {
				t.Helper()
				ws.Connect(srv.WSURL("/"), r.Done("connect"), nil)
				r.Expect(t, kinds...)
				r.Shut(t)
			}
			connect("headerReceive", "connect", "probe", "open")

			require.NoError(t, tt.off(ws, p.other)) // an equal-looking other callback: not registered
			connect("headerReceive", "connect", "probe", "open")

			require.NoError(t, tt.off(ws, p.cb))
			connect("headerReceive", "connect", "open")

			require.NoError(t, tt.off(ws, p.cb)) // removing it again does nothing
			connect("headerReceive", "connect", "open")
		})
	}
}

// TestOffAllAndOrder checks that several callbacks of one event run in
// registration order, that registering one again keeps its place, and that
// Off(type, nil) removes all callbacks of that type only (BEHAVIOR §3).
func TestOffAllAndOrder(t *testing.T) {
	srv := newServer(t, echoserver.Options{})
	ws := wstest.NewWS(t)
	r := wstest.Detached(ws)
	probe := func(label string) websocket.WebSocketAsyncCallbackFunc[websocket.MessageData] {
		return func(mo.Option[callback.AsyncError], mo.Option[websocket.MessageData]) {
			r.Push(wstest.Event{Kind: label})
		}
	}
	a, b, c := probe("A"), probe("B"), probe("C")
	for _, cb := range []any{a, b, c, a} {
		require.NoError(t, ws.On(websocket.EventMessage{}, cb))
	}
	r.Attach(t)
	r.Open(t, srv.WSURL("/"), nil)
	ctx := wstest.Ctx(t)

	require.NoError(t, ws.SendContext(ctx, websocket.StringData("one")))
	r.Expect(t, "A", "B", "C", "message", "dataEnd")

	require.NoError(t, ws.Off(websocket.EventMessage{}, b))
	require.NoError(t, ws.SendContext(ctx, websocket.StringData("two")))
	r.Expect(t, "A", "C", "message", "dataEnd")

	require.NoError(t, ws.Off(websocket.EventMessage{}, nil))
	require.NoError(t, ws.SendContext(ctx, websocket.StringData("three")))
	r.Expect(t, "dataEnd") // no message callback left; dataEnd still fires

	require.NoError(t, ws.On(websocket.EventMessage{}, b))
	require.NoError(t, ws.SendContext(ctx, websocket.StringData("four")))
	r.Expect(t, "B", "dataEnd")
	r.Shut(t)
}

// callbackOf returns, for each event, a callback of that event's type.
func callbackOf() []struct {
	event string
	cb    any
} {
	return []struct {
		event string
		cb    any
	}{
		{"open", websocket.WebSocketAsyncCallbackFunc[map[uint32]string](func(mo.Option[callback.AsyncError], mo.Option[map[uint32]string]) {})},
		{"message", websocket.WebSocketAsyncCallbackFunc[websocket.MessageData](func(mo.Option[callback.AsyncError], mo.Option[websocket.MessageData]) {})},
		{"close", websocket.WebSocketAsyncCallbackFunc[websocket.CloseResult](func(mo.Option[callback.AsyncError], mo.Option[websocket.CloseResult]) {})},
		{"error", websocket.WebSocketErrorCallbackFunc(func(*callback.BusinessException) {})},
		{"dataEnd", callback.Callback0Func(func() {})},
		{"headerReceive", callback.Callback1Func[websocket.ResponseHeaders](func(websocket.ResponseHeaders) {})},
		{"openInfo", websocket.WebSocketAsyncCallbackFunc[websocket.OpenInfo](func(mo.Option[callback.AsyncError], mo.Option[websocket.OpenInfo]) {})},
	}
}

var allEvents = []websocket.OnOffType{
	websocket.EventOpen{}, websocket.EventMessage{}, websocket.EventClose{},
	websocket.EventError{}, websocket.EventDataEnd{}, websocket.EventHeaderReceive{},
	websocket.EventOpenInfo{},
}

// TestOnCallbackTypes checks, for every event × the callback type of every
// event, that On accepts exactly the fitting type and refuses the others
// with 401 (BEHAVIOR §3, §4).
func TestOnCallbackTypes(t *testing.T) {
	for _, ev := range allEvents {
		for _, c := range callbackOf() {
			t.Run(ev.String()+"/"+c.event+" callback", func(t *testing.T) {
				ws := websocket.CreateWebSocket()
				if c.event == ev.String() {
					assert.NoError(t, ws.On(ev, c.cb))
					assert.NoError(t, ws.Off(ev, c.cb))
					return
				}
				wstest.AssertCode(t, ws.On(ev, c.cb), websocket.ErrParameter)
				wstest.AssertCode(t, ws.Off(ev, c.cb), websocket.ErrParameter)
			})
		}
		others := []struct {
			name string
			cb   any
		}{
			{"nil", nil},
			{"typed nil pointer", (*openProbe)(nil)},
			{"typed nil func", websocket.WebSocketAsyncCallbackFunc[map[uint32]string](nil)},
			{"string", "not a callback"},
			{"completion callback", callback.AsyncCallback[bool](func(mo.Option[callback.AsyncError], mo.Option[bool]) {})},
			{"callback of another payload", websocket.WebSocketAsyncCallbackFunc[string](func(mo.Option[callback.AsyncError], mo.Option[string]) {})},
			{"one-argument callback of string", callback.Callback1Func[string](func(string) {})},
		}
		for _, o := range others {
			t.Run(ev.String()+"/"+o.name, func(t *testing.T) {
				ws := websocket.CreateWebSocket()
				wstest.AssertCode(t, ws.On(ev, o.cb), websocket.ErrParameter)
			})
		}
	}
	t.Run("nil OnOffType", func(t *testing.T) {
		ws := websocket.CreateWebSocket()
		cb := callback.Callback0Func(func() {})
		wstest.AssertCode(t, ws.On(nil, cb), websocket.ErrParameter)
		wstest.AssertCode(t, ws.Off(nil, cb), websocket.ErrParameter)
	})
}

// TestOnOffTypeString checks the platform's event names.
func TestOnOffTypeString(t *testing.T) {
	want := []string{"open", "message", "close", "error", "dataEnd", "headerReceive", "openInfo"}
	for i, ev := range allEvents {
		t.Run(want[i], func(t *testing.T) {
			assert.Equal(t, want[i], ev.String())
		})
	}
}

// TestReentrantCalls checks that callbacks can call the object's methods,
// blocking ones included, without deadlock (BEHAVIOR §2.4).
func TestReentrantCalls(t *testing.T) {
	t.Run("Send from open", func(t *testing.T) {
		srv := newServer(t, echoserver.Options{})
		ws := wstest.NewWS(t)
		r := wstest.Detached(ws)
		require.NoError(t, ws.OnOpen(websocket.WebSocketAsyncCallbackFunc[map[uint32]string](func(mo.Option[callback.AsyncError], mo.Option[map[uint32]string]) {
			ws.Send(websocket.StringData("from open"), r.Done("send"))
		})))
		r.Attach(t)
		r.Open(t, srv.WSURL("/"), nil)
		got := r.ExpectSet(t, "send", "message", "dataEnd")
		assert.True(t, got["send"].OK, "%v", got["send"])
		assert.Equal(t, websocket.MessageData(websocket.StringData("from open")), got["message"].Msg)
		r.Shut(t)
	})

	t.Run("Close from message", func(t *testing.T) {
		srv := newServer(t, echoserver.Options{})
		ws := wstest.NewWS(t)
		r := wstest.Detached(ws)
		require.NoError(t, ws.OnMessage(websocket.WebSocketAsyncCallbackFunc[websocket.MessageData](func(mo.Option[callback.AsyncError], mo.Option[websocket.MessageData]) {
			ws.Close(r.Done("closecb"), &websocket.CloseOptions{Code: 4001, Reason: "from message"})
		})))
		r.Attach(t)
		r.Open(t, srv.WSURL("/"), nil)
		require.NoError(t, ws.SendContext(wstest.Ctx(t), websocket.StringData("trigger")))
		evs := r.Expect(t, "message", "dataEnd", "closecb", "close")
		assert.True(t, evs[2].OK, "%v", evs[2])
		assert.Equal(t, websocket.CloseResult{Code: 4001, Reason: "from message"}, evs[3].Close)
	})

	t.Run("Off from inside", func(t *testing.T) {
		srv := newServer(t, echoserver.Options{})
		ws := wstest.NewWS(t)
		r := wstest.Detached(ws)
		p := &selfRemover{ws: ws, r: r}
		require.NoError(t, ws.On(websocket.EventMessage{}, p))
		r.Attach(t)
		r.Open(t, srv.WSURL("/"), nil)
		ctx := wstest.Ctx(t)
		require.NoError(t, ws.SendContext(ctx, websocket.StringData("first")))
		evs := r.Expect(t, "probe", "message", "dataEnd")
		assert.NoError(t, evs[0].Err, "Off from inside the callback")
		require.NoError(t, ws.SendContext(ctx, websocket.StringData("second")))
		r.Expect(t, "message", "dataEnd")
		r.Shut(t)
	})

	t.Run("Connect from close", func(t *testing.T) {
		srv := newServer(t, echoserver.Options{})
		ws := wstest.NewWS(t)
		r := wstest.Detached(ws)
		var once atomic.Bool
		require.NoError(t, ws.OnClose(websocket.WebSocketAsyncCallbackFunc[websocket.CloseResult](func(mo.Option[callback.AsyncError], mo.Option[websocket.CloseResult]) {
			if once.CompareAndSwap(false, true) {
				ws.Connect(srv.WSURL("/again"), r.Done("reconnect"), nil)
			}
		})))
		r.Attach(t)
		r.Open(t, srv.WSURL("/"), nil)
		r.Shut(t)
		evs := r.Expect(t, "headerReceive", "reconnect", "open")
		assert.True(t, evs[1].OK, "%v", evs[1])
		r.Echo(t, "on the second connection")
		r.Shut(t)
		reqs := srv.Requests()
		require.Len(t, reqs, 2)
		assert.Equal(t, "/again", reqs[1].URI)
	})

	t.Run("SendContext and CloseContext from callbacks", func(t *testing.T) {
		srv := newServer(t, echoserver.Options{})
		ws := wstest.NewWS(t)
		r := wstest.Detached(ws)
		require.NoError(t, ws.OnOpen(websocket.WebSocketAsyncCallbackFunc[map[uint32]string](func(mo.Option[callback.AsyncError], mo.Option[map[uint32]string]) {
			ctx, cancel := context.WithTimeout(context.Background(), wstest.Timeout)
			defer cancel()
			r.Push(wstest.Event{Kind: "sendctx", Err: ws.SendContext(ctx, websocket.StringData("blocking in open"))})
		})))
		require.NoError(t, ws.OnMessage(websocket.WebSocketAsyncCallbackFunc[websocket.MessageData](func(mo.Option[callback.AsyncError], mo.Option[websocket.MessageData]) {
			ctx, cancel := context.WithTimeout(context.Background(), wstest.Timeout)
			defer cancel()
			r.Push(wstest.Event{Kind: "closectx", Err: ws.CloseContext(ctx, &websocket.CloseOptions{Code: 4003})})
		})))
		r.Attach(t)
		ws.Connect(srv.WSURL("/"), r.Done("connect"), nil)
		evs := r.Expect(t, "headerReceive", "connect", "sendctx", "open", "closectx", "message", "dataEnd", "close")
		assert.NoError(t, evs[2].Err)
		assert.NoError(t, evs[4].Err)
		assert.Equal(t, websocket.MessageData(websocket.StringData("blocking in open")), evs[5].Msg)
		assert.Equal(t, websocket.CloseResult{Code: 4003}, evs[7].Close)
	})
}

// selfRemover is a message callback that unregisters itself.
type selfRemover struct {
	ws *websocket.WebSocket
	r  *wstest.Recorder
}

func (s *selfRemover) Invoke(mo.Option[callback.AsyncError], mo.Option[websocket.MessageData]) {
	s.r.Push(wstest.Event{Kind: "probe", Err: s.ws.Off(websocket.EventMessage{}, s)})
}

// TestReconnect checks that one object connects again after a close and its
// listeners stay registered (BEHAVIOR §2.1).
func TestReconnect(t *testing.T) {
	srv := newServer(t, echoserver.Options{})
	ws := wstest.NewWS(t)
	r := wstest.NewRecorder(t, ws)
	for i := range 3 {
		r.Open(t, srv.WSURL(fmt.Sprintf("/%d", i)), nil)
		r.Echo(t, fmt.Sprintf("message %d", i))
		assert.Equal(t, websocket.CloseResult{Code: 1000}, r.Shut(t).Close)
	}
	// The blocking face reconnects the same way.
	require.NoError(t, ws.ConnectContext(wstest.Ctx(t), srv.WSURL("/blocking"), nil))
	r.Expect(t, "headerReceive", "open")
	r.Echo(t, "blocking")
	require.NoError(t, ws.CloseContext(wstest.Ctx(t), nil))
	r.Expect(t, "close")
	assert.Len(t, srv.Requests(), 4)
}

// TestConcurrentSends checks many goroutines sending at once: every message
// is echoed exactly once and each goroutine's messages keep their order.
func TestConcurrentSends(t *testing.T) {
	const goroutines, perGoroutine = 20, 50
	srv := newServer(t, echoserver.Options{})
	ws := wstest.NewWS(t)
	r := wstest.NewRecorder(t, ws)
	r.Open(t, srv.WSURL("/"), nil)
	ctx := wstest.Ctx(t)

	errs := make(chan error, goroutines*perGoroutine)
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perGoroutine {
				if err := ws.SendContext(ctx, websocket.StringData(fmt.Sprintf("%02d-%03d", g, i))); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		assert.NoError(t, err)
	}

	seen := make(map[string]int)
	last := make([]int, goroutines)
	for g := range last {
		last[g] = -1
	}
	for range goroutines * perGoroutine {
		e := r.WaitFor(t, "a message", func(e wstest.Event) bool { return e.Kind == "message" })
		var g, i int
		_, err := fmt.Sscanf(e.Msg.String(), "%02d-%03d", &g, &i)
		require.NoError(t, err, "message %q", e.Msg)
		seen[e.Msg.String()]++
		assert.Equal(t, last[g]+1, i, "goroutine %d: message %d after %d", g, i, last[g])
		last[g] = i
	}
	assert.Len(t, seen, goroutines*perGoroutine)
	for m, n := range seen {
		assert.Equal(t, 1, n, "message %s", m)
	}
	r.Expect(t, "dataEnd")
	r.Shut(t)
}

// TestCloseResults checks the close event for server- and client-initiated
// closes (BEHAVIOR §3, §5).
func TestCloseResults(t *testing.T) {
	srv := newServer(t, echoserver.Options{Commands: true})
	reason123 := strings.Repeat("é", 61) + "r" // 123 bytes
	require.Len(t, reason123, 123)
	tests := []struct {
		name    string
		command string                  // sent to the server, or
		client  *websocket.CloseOptions // used to close from the client
		want    websocket.CloseResult
	}{
		{name: "server code and reason", command: "cmd:close:4000:bye", want: websocket.CloseResult{Code: 4000, Reason: "bye"}},
		{name: "server 1000", command: "cmd:close:1000:", want: websocket.CloseResult{Code: 1000}},
		{name: "server without payload", command: "cmd:closeempty", want: websocket.CloseResult{Code: 1005}},
		{name: "client default", want: websocket.CloseResult{Code: 1000}},
		{name: "client zero code", client: &websocket.CloseOptions{Reason: "zero"}, want: websocket.CloseResult{Code: 1000, Reason: "zero"}},
		{name: "client code and reason", client: &websocket.CloseOptions{Code: 4002, Reason: "client bye"}, want: websocket.CloseResult{Code: 4002, Reason: "client bye"}},
		{name: "client 1001", client: &websocket.CloseOptions{Code: 1001}, want: websocket.CloseResult{Code: 1001}},
		{name: "client 1003", client: &websocket.CloseOptions{Code: 1003}, want: websocket.CloseResult{Code: 1003}},
		{name: "client 1007", client: &websocket.CloseOptions{Code: 1007}, want: websocket.CloseResult{Code: 1007}},
		{name: "client 1014", client: &websocket.CloseOptions{Code: 1014}, want: websocket.CloseResult{Code: 1014}},
		{name: "client 3000 with 123-byte reason", client: &websocket.CloseOptions{Code: 3000, Reason: reason123}, want: websocket.CloseResult{Code: 3000, Reason: reason123}},
		{name: "client 4999", client: &websocket.CloseOptions{Code: 4999}, want: websocket.CloseResult{Code: 4999}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ws := wstest.NewWS(t)
			r := wstest.NewRecorder(t, ws)
			r.Open(t, srv.WSURL("/"), nil)
			var e wstest.Event
			if tt.command != "" {
				require.NoError(t, ws.SendContext(wstest.Ctx(t), websocket.StringData(tt.command)))
				e = r.Expect(t, "close")[0] // no error event before it
			} else {
				ws.Close(r.Done("closecb"), tt.client)
				evs := r.Expect(t, "closecb", "close")
				assert.True(t, evs[0].OK, "%v", evs[0])
				e = evs[1]
			}
			assert.Equal(t, tt.want, e.Close)
		})
	}
}

// TestFailures checks that link loss and peers breaking the rules give the
// error event, then the close event with the right code (BEHAVIOR §3, §6).
func TestFailures(t *testing.T) {
	srv := newServer(t, echoserver.Options{Commands: true})
	tests := []struct {
		name      string
		opts      *websocket.RequestOptions
		command   string
		cause     error
		code      uint32
		reason    string // checked if not empty
		firstEcho string // a message that must still get through first
	}{
		{name: "link drop", command: "cmd:drop", cause: websocket.ErrLinkDown, code: 1006, reason: "The link is down"},
		{name: "invalid UTF-8", command: "cmd:raw:8102c328", cause: websocket.ErrInvalidUTF8, code: 1007},
		{name: "RSV1 set", command: "cmd:raw:c1026162", cause: websocket.ErrProtocol, code: 1002},
		{name: "unknown opcode", command: "cmd:raw:83026162", cause: websocket.ErrProtocol, code: 1002},
		{name: "fragmented ping", command: "cmd:raw:0900", cause: websocket.ErrProtocol, code: 1002},
		{name: "oversized ping", command: "cmd:raw:897e007e", cause: websocket.ErrProtocol, code: 1002},
		{name: "bad close code", command: "cmd:raw:880203ed", cause: websocket.ErrProtocol, code: 1002},
		{name: "message too big", opts: &websocket.RequestOptions{MaxMessageSize: 1000},
			command: "cmd:bin:2000", cause: websocket.ErrMessageTooBig, code: 1009, firstEcho: "cmd:bin:1000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ws := wstest.NewWS(t)
			r := wstest.NewRecorder(t, ws)
			r.Open(t, srv.WSURL("/"), tt.opts)
			ctx := wstest.Ctx(t)
			if tt.firstEcho != "" { // the limit itself is allowed
				require.NoError(t, ws.SendContext(ctx, websocket.StringData(tt.firstEcho)))
				evs := r.Expect(t, "message", "dataEnd")
				assert.Len(t, evs[0].Msg, 1000)
			}
			require.NoError(t, ws.SendContext(ctx, websocket.StringData(tt.command)))
			evs := r.Expect(t, "error", "close")
			wstest.AssertCode(t, evs[0].Err, websocket.ErrConnectionFailed)
			assert.ErrorIs(t, evs[0].Err, tt.cause)
			assert.Equal(t, tt.code, evs[1].Close.Code)
			if tt.reason != "" {
				assert.Equal(t, tt.reason, evs[1].Close.Reason)
			}
			wstest.AssertCode(t, ws.SendContext(ctx, websocket.StringData("after")), websocket.ErrConnectionNotExist)
		})
	}
}

// TestKeepAlive checks the keep-alive: a server that never answers pings is
// failed with the error event and close 1006; one that answers stays open.
func TestKeepAlive(t *testing.T) {
	t.Run("no pong", func(t *testing.T) {
		srv := newServer(t, echoserver.Options{IgnorePings: true})
		ws := wstest.NewWS(t)
		r := wstest.NewRecorder(t, ws)
		r.Open(t, srv.WSURL("/"), &websocket.RequestOptions{PingInterval: mo.Some(50 * time.Millisecond), PongTimeout: mo.Some(50 * time.Millisecond)})
		evs := r.Expect(t, "error", "close")
		wstest.AssertCode(t, evs[0].Err, websocket.ErrConnectionFailed)
		assert.ErrorIs(t, evs[0].Err, websocket.ErrPongTimeout)
		assert.Equal(t, websocket.CloseResult{Code: 1006, Reason: "The link is down"}, evs[1].Close)
	})

	t.Run("pongs answered", func(t *testing.T) {
		srv := newServer(t, echoserver.Options{})
		ws := wstest.NewWS(t)
		r := wstest.NewRecorder(t, ws)
		// Without pongs this would fail after 30 + 200 ms; the pong timeout
		// leaves room for a slow machine.
		r.Open(t, srv.WSURL("/"), &websocket.RequestOptions{PingInterval: mo.Some(30 * time.Millisecond), PongTimeout: mo.Some(200 * time.Millisecond)})
		r.Quiet(t, 400*time.Millisecond) // many ping intervals without an error or close event
		r.Echo(t, "still open")
		r.Shut(t)
	})
}

// TestSendBeforeOpen checks that sends made while connecting are sent in
// order at open, and fail with 2302006 if the connection fails (BEHAVIOR
// §2.6).
func TestSendBeforeOpen(t *testing.T) {
	t.Run("flushed at open", func(t *testing.T) {
		srv, release := newHeldServer(t, echoserver.Options{})
		ws := wstest.NewWS(t)
		r := wstest.NewRecorder(t, ws)
		ws.Connect(srv.WSURL("/"), r.Done("connect"), nil)
		for i := range 3 {
			ws.Send(websocket.StringData(fmt.Sprintf("queued %d", i)), r.Done(fmt.Sprintf("send%d", i)))
		}
		release()
		r.Expect(t, "headerReceive", "connect", "open")
		var msgs, sends []string
		for range 9 { // 3 × (send completion, message, dataEnd)
			e := r.Next(t)
			switch {
			case e.Kind == "message":
				msgs = append(msgs, e.Msg.String())
			case strings.HasPrefix(e.Kind, "send"):
				assert.True(t, e.OK, "%v", e)
				sends = append(sends, e.Kind)
			default:
				assert.Equal(t, "dataEnd", e.Kind)
			}
		}
		assert.Equal(t, []string{"queued 0", "queued 1", "queued 2"}, msgs)
		assert.Equal(t, []string{"send0", "send1", "send2"}, sends)
		r.Shut(t)
	})

	t.Run("connection fails", func(t *testing.T) {
		srv, release := newHeldServer(t, echoserver.Options{RefuseStatus: http.StatusForbidden})
		ws := wstest.NewWS(t)
		r := wstest.NewRecorder(t, ws)
		ws.Connect(srv.WSURL("/"), r.Done("connect"), nil)
		for i := range 3 {
			ws.Send(websocket.StringData(fmt.Sprintf("queued %d", i)), r.Done(fmt.Sprintf("send%d", i)))
		}
		release()
		got := r.ExpectSet(t, "connect", "send0", "send1", "send2", "error")
		wstest.AssertCode(t, got["connect"].Err, websocket.ErrConnectionFailed)
		wstest.AssertCode(t, got["error"].Err, websocket.ErrConnectionFailed)
		for _, k := range []string{"send0", "send1", "send2"} {
			wstest.AssertCode(t, got[k].Err, websocket.ErrConnectionNotExist)
		}
	})
}

// TestCloseWhileConnecting checks that Close aborts a connection attempt:
// Connect gets 200, Close gets Some(true), no open, error or close event
// fires, and the object connects again (BEHAVIOR §2.7).
func TestCloseWhileConnecting(t *testing.T) {
	srv, release := newHeldServer(t, echoserver.Options{})
	ws := wstest.NewWS(t)
	r := wstest.NewRecorder(t, ws)
	ws.Connect(srv.WSURL("/"), r.Done("connect"), nil)
	ws.Close(r.Done("closecb"), nil)
	// An error or close event of the aborted attempt would come before the
	// close callback, which is the last thing the attempt reports.
	evs := r.Expect(t, "connect", "closecb")
	wstest.AssertCode(t, evs[0].Err, websocket.ErrConnectionFailed)
	assert.True(t, evs[1].OK, "%v", evs[1])

	release()
	r.Open(t, srv.WSURL("/"), nil)
	r.Echo(t, "after the abort")
	r.Shut(t)
}

// TestContextCancellation checks the blocking face's context handling.
func TestContextCancellation(t *testing.T) {
	srv, release := newHeldServer(t, echoserver.Options{})
	ws := wstest.NewWS(t)
	r := wstest.NewRecorder(t, ws)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stop := time.AfterFunc(50*time.Millisecond, cancel)
	defer stop.Stop()
	start := time.Now()
	err := ws.ConnectContext(ctx, srv.WSURL("/"), nil)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Less(t, time.Since(start), 2*time.Second, "ConnectContext returns promptly")

	// The object can connect again at once, and the cancelled attempt
	// reported no event: the next events are those of the new connection.
	release()
	require.NoError(t, ws.ConnectContext(wstest.Ctx(t), srv.WSURL("/"), nil))
	r.Expect(t, "headerReceive", "open")
	require.NoError(t, ws.CloseContext(wstest.Ctx(t), nil))
	r.Expect(t, "close")
}

// TestSubprotocol checks the negotiated subprotocol.
func TestSubprotocol(t *testing.T) {
	srv := newServer(t, echoserver.Options{Subprotocols: []string{"b"}})
	ws := wstest.NewWS(t)
	r := wstest.NewRecorder(t, ws)
	evs := r.Open(t, srv.WSURL("/"), &websocket.RequestOptions{Protocol: "a, b"})
	assert.Equal(t, "b", ws.Protocol())
	h, ok := evs[0].Headers.(websocket.MapData)
	require.True(t, ok, "%T", evs[0].Headers)
	assert.Equal(t, "b", h["sec-websocket-protocol"])
	reqs := srv.Requests()
	require.Len(t, reqs, 1)
	var offered []string
	for _, p := range strings.Split(reqs[0].Header.Get("Sec-WebSocket-Protocol"), ",") {
		offered = append(offered, strings.TrimSpace(p))
	}
	assert.Equal(t, []string{"a", "b"}, offered)
	r.Shut(t)
	assert.Equal(t, "b", ws.Protocol(), "the last connection's protocol stays readable")
}

// TestRequestHeader checks that the header option reaches the server, with
// the names spelled as given (BEHAVIOR §5).
func TestRequestHeader(t *testing.T) {
	header := map[string]string{"X-Token": "abc", "x-lower-case": "v1", "X-MiXed-CaSe": "v2"}

	t.Run("values", func(t *testing.T) {
		srv := newServer(t, echoserver.Options{})
		ws := wstest.NewWS(t)
		r := wstest.NewRecorder(t, ws)
		r.Open(t, srv.WSURL("/"), &websocket.RequestOptions{Header: header})
		reqs := srv.Requests()
		require.Len(t, reqs, 1)
		for name, value := range header {
			assert.Equal(t, value, reqs[0].Header.Get(name), name)
		}
		r.Shut(t)
	})

	t.Run("names as given on the wire", func(t *testing.T) {
		raw := newRawServer(t)
		ws := wstest.NewWS(t)
		r := wstest.NewRecorder(t, ws)
		r.Open(t, raw.URL(), &websocket.RequestOptions{Header: header, CloseTimeout: 100 * time.Millisecond})
		head := raw.nextHead(t)
		for name, value := range header {
			assert.Contains(t, head, "\r\n"+name+": "+value+"\r\n")
		}
		// The raw server never answers the Close frame: CloseTimeout ends it.
		assert.Equal(t, websocket.CloseResult{Code: 1000}, r.Shut(t).Close)
	})
}

// A Connect, Send or Close whose callback is nil cannot be answered through
// it: the call is ignored and the error event reports 401.
func TestNilCompletionCallback(t *testing.T) {
	srv := newServer(t, echoserver.Options{})
	tests := []struct {
		name string
		call func(ws *websocket.WebSocket)
	}{
		{"Connect", func(ws *websocket.WebSocket) { ws.Connect(srv.WSURL("/"), nil, nil) }},
		{"Send", func(ws *websocket.WebSocket) { ws.Send(websocket.StringData("x"), nil) }},
		{"Close", func(ws *websocket.WebSocket) { ws.Close(nil, nil) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ws := wstest.NewWS(t)
			r := wstest.NewRecorder(t, ws)
			tt.call(ws)
			e := r.Expect(t, "error")[0]
			wstest.AssertCode(t, e.Err, websocket.ErrParameter)
			assert.Contains(t, e.Err.Error(), tt.name+": callback is nil")
			r.Quiet(t, 100*time.Millisecond) // nothing was started
			assert.Empty(t, srv.Requests())
		})
	}
}
