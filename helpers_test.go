package ohos_test

import (
	"bufio"
	"context"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/samber/mo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cangjie-go/ohos/callback"
	"github.com/cangjie-go/ohos/internal/echoserver"
	"github.com/cangjie-go/ohos/networkkit/websocket"
)

// waitTimeout bounds every wait for something that must happen.
const waitTimeout = 5 * time.Second

// evt is one thing a recorder saw: an event, or the completion of a
// Connect, Send or Close call, or whatever a test's own callback reports.
type evt struct {
	kind    string
	headers websocket.ResponseHeaders // headerReceive
	status  map[uint32]string         // open
	msg     websocket.MessageData     // message
	close   websocket.CloseResult     // close
	err     error                     // error event (*callback.BusinessException); completions (callback.AsyncError)
	ok      bool                      // completions: Some(true)
}

func (e evt) String() string {
	switch {
	case e.err != nil:
		return fmt.Sprintf("%s(%v)", e.kind, e.err)
	case e.msg != nil:
		return fmt.Sprintf("%s(%T %q)", e.kind, e.msg, e.msg.String())
	case e.kind == "close":
		return fmt.Sprintf("close(%d %q)", e.close.Code, e.close.Reason)
	}
	return e.kind
}

// recorder turns the callbacks of one WebSocket into a single ordered stream
// of evt values. Everything is pushed from the object's callback goroutine,
// so the stream has the order in which the callbacks ran.
type recorder struct {
	ws *websocket.WebSocket
	ch chan evt
}

// newRecorder returns a recorder with its six event callbacks registered.
func newRecorder(t *testing.T, ws *websocket.WebSocket) *recorder {
	t.Helper()
	r := detachedRecorder(ws)
	r.attach(t)
	return r
}

// detachedRecorder returns a recorder whose event callbacks are not yet
// registered, so that a test can register its own callbacks first.
func detachedRecorder(ws *websocket.WebSocket) *recorder {
	// Large enough that no callback ever blocks on it.
	return &recorder{ws: ws, ch: make(chan evt, 1<<14)}
}

func (r *recorder) push(e evt) { r.ch <- e }

// eventKind marks an event callback invocation that does not carry exactly
// the data (and no error).
func eventKind(kind string, err mo.Option[callback.AsyncError], hasData bool) string {
	if err.IsPresent() || !hasData {
		return kind + "(malformed)"
	}
	return kind
}

// attach registers the recorder's callbacks for all six events.
func (r *recorder) attach(t *testing.T) {
	t.Helper()
	ws := r.ws
	require.NoError(t, ws.On(websocket.EventHeaderReceive{}, callback.Callback1Func[websocket.ResponseHeaders](func(h websocket.ResponseHeaders) {
		r.push(evt{kind: "headerReceive", headers: h})
	})))
	require.NoError(t, ws.On(websocket.EventOpen{}, websocket.WebSocketAsyncCallbackFunc[map[uint32]string](
		func(err mo.Option[callback.AsyncError], data mo.Option[map[uint32]string]) {
			r.push(evt{kind: eventKind("open", err, data.IsPresent()), status: data.OrEmpty()})
		})))
	require.NoError(t, ws.On(websocket.EventMessage{}, websocket.WebSocketAsyncCallbackFunc[websocket.MessageData](
		func(err mo.Option[callback.AsyncError], data mo.Option[websocket.MessageData]) {
			r.push(evt{kind: eventKind("message", err, data.IsPresent()), msg: data.OrEmpty()})
		})))
	require.NoError(t, ws.On(websocket.EventDataEnd{}, callback.Callback0Func(func() {
		r.push(evt{kind: "dataEnd"})
	})))
	require.NoError(t, ws.On(websocket.EventClose{}, websocket.WebSocketAsyncCallbackFunc[websocket.CloseResult](
		func(err mo.Option[callback.AsyncError], data mo.Option[websocket.CloseResult]) {
			r.push(evt{kind: eventKind("close", err, data.IsPresent()), close: data.OrEmpty()})
		})))
	require.NoError(t, ws.On(websocket.EventError{}, websocket.WebSocketErrorCallbackFunc(func(e *callback.BusinessException) {
		ev := evt{kind: "error", err: e}
		if e == nil {
			ev = evt{kind: "error(malformed)"}
		}
		r.push(ev)
	})))
}

// done returns a completion callback for Connect, Send or Close that
// records its outcome as an evt of the given kind.
func (r *recorder) done(kind string) callback.AsyncCallback[bool] {
	return func(err mo.Option[callback.AsyncError], data mo.Option[bool]) {
		e := evt{kind: kind}
		ae, hasErr := err.Get()
		ok, hasData := data.Get()
		switch {
		case hasErr && !hasData:
			e.err = ae
		case !hasErr && hasData && ok:
			e.ok = true
		default:
			e.kind += "(malformed)"
		}
		r.push(e)
	}
}

// next returns the next evt, failing the test after waitTimeout.
func (r *recorder) next(t *testing.T) evt {
	t.Helper()
	select {
	case e := <-r.ch:
		return e
	case <-time.After(waitTimeout):
		require.FailNow(t, "no event within "+waitTimeout.String())
		return evt{}
	}
}

// expect returns the next len(kinds) events and fails the test at the first
// one that is not of the expected kind.
func (r *recorder) expect(t *testing.T, kinds ...string) []evt {
	t.Helper()
	got := make([]evt, 0, len(kinds))
	for i, k := range kinds {
		e := r.next(t)
		got = append(got, e)
		require.Equal(t, k, e.kind, "event %d: want sequence %v, got %v so far", i, kinds, got)
	}
	return got
}

// expectSet returns the next len(kinds) events, which must be of the given
// kinds in any order.
func (r *recorder) expectSet(t *testing.T, kinds ...string) map[string]evt {
	t.Helper()
	got := make([]evt, 0, len(kinds))
	names := make([]string, 0, len(kinds))
	for range kinds {
		e := r.next(t)
		got = append(got, e)
		names = append(names, e.kind)
	}
	require.ElementsMatch(t, kinds, names, "events: %v", got)
	byKind := make(map[string]evt, len(got))
	for _, e := range got {
		byKind[e.kind] = e
	}
	return byKind
}

// waitFor skips events until one satisfies pred and returns it.
func (r *recorder) waitFor(t *testing.T, what string, pred func(evt) bool) evt {
	t.Helper()
	deadline := time.After(waitTimeout)
	var skipped []evt
	for {
		select {
		case e := <-r.ch:
			if pred(e) {
				return e
			}
			skipped = append(skipped, e)
		case <-deadline:
			require.FailNow(t, "timed out waiting for "+what, "saw instead: %v", skipped)
		}
	}
}

// quiet asserts that no event arrives for d: a wait for absence.
func (r *recorder) quiet(t *testing.T, d time.Duration) {
	t.Helper()
	select {
	case e := <-r.ch:
		assert.Fail(t, "unexpected event", "%v", e)
	case <-time.After(d):
	}
}

// open connects with the callback face and checks the opening events.
func (r *recorder) open(t *testing.T, url string, opts *websocket.RequestOptions) []evt {
	t.Helper()
	r.ws.Connect(url, r.done("connect"), opts)
	evs := r.expect(t, "headerReceive", "connect", "open")
	require.True(t, evs[1].ok, "connect: %v", evs[1])
	return evs
}

// shut closes with the callback face and returns the close event.
func (r *recorder) shut(t *testing.T) evt {
	t.Helper()
	r.ws.Close(r.done("closecb"), nil)
	evs := r.expect(t, "closecb", "close")
	require.True(t, evs[0].ok, "close callback: %v", evs[0])
	return evs[1]
}

// echo sends text with the blocking face and waits for its echo.
func (r *recorder) echo(t *testing.T, text string) {
	t.Helper()
	require.NoError(t, r.ws.SendContext(testCtx(t), websocket.StringData(text)))
	evs := r.expect(t, "message", "dataEnd")
	require.Equal(t, websocket.MessageData(websocket.StringData(text)), evs[0].msg)
}

// newWS returns a WebSocket that is closed (and its connection ended) when
// the test ends, whatever state the test left it in.
func newWS(t *testing.T) *websocket.WebSocket {
	ws := websocket.CreateWebSocket()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
		defer cancel()
		_ = ws.CloseContext(ctx, nil)
	})
	return ws
}

// testCtx returns a context that ends after waitTimeout.
func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	t.Cleanup(cancel)
	return ctx
}

// newServer starts an echo server that is closed when the test ends.
func newServer(t *testing.T, opts echoserver.Options) *echoserver.Server {
	srv := echoserver.New(opts)
	t.Cleanup(srv.Close)
	return srv
}

// newHeldServer starts an echo server that holds every handshake until
// release is called (release is idempotent and runs at the end of the test
// at the latest).
func newHeldServer(t *testing.T, opts echoserver.Options) (srv *echoserver.Server, release func()) {
	hold := make(chan struct{})
	var once sync.Once
	release = func() { once.Do(func() { close(hold) }) }
	opts.HoldHandshake = hold
	srv = newServer(t, opts)
	t.Cleanup(release) // runs before srv.Close
	return srv, release
}

// refusedURL returns a ws URL on a loopback port nobody listens on.
func refusedURL(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return "ws://" + addr + "/"
}

// assertCode checks that err carries code both ways the package promises:
// errors.Is with the code, and errors.As to *callback.BusinessException.
func assertCode(t *testing.T, err error, want websocket.ErrorCode) bool {
	t.Helper()
	if !assert.Error(t, err, "want error %d", want) {
		return false
	}
	ok := assert.ErrorIs(t, err, want)
	var be *callback.BusinessException
	if assert.ErrorAs(t, err, &be) {
		ok = assert.Equal(t, int32(want), be.Code, "BusinessException.Code of %v", err) && ok
		ok = assert.True(t, strings.HasPrefix(be.Error(), "websocket: "), "message %q", be.Error()) && ok
	} else {
		ok = false
	}
	var ae callback.AsyncError
	if errors.As(err, &ae) {
		ok = assert.Equal(t, int32(want), ae.Code, "AsyncError.Code of %v", err) && ok
	}
	return ok
}

// rawServer is a minimal WebSocket server written by hand: it records the
// raw bytes of each opening request, answers 101, and then reads and
// discards everything without ever answering (a server that never completes
// the closing handshake).
type rawServer struct {
	ln     net.Listener
	heads  chan string
	mu     sync.Mutex
	closed bool
	conns  []net.Conn
	wg     sync.WaitGroup
}

func newRawServer(t *testing.T) *rawServer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s := &rawServer{ln: ln, heads: make(chan string, 16)}
	s.wg.Add(1)
	go s.accept()
	t.Cleanup(s.Close)
	return s
}

func (s *rawServer) URL() string { return "ws://" + s.ln.Addr().String() + "/" }

func (s *rawServer) accept() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			c.Close()
			return
		}
		s.conns = append(s.conns, c)
		s.wg.Add(1)
		s.mu.Unlock()
		go s.serve(c)
	}
}

func (s *rawServer) serve(c net.Conn) {
	defer s.wg.Done()
	br := bufio.NewReader(c)
	var head strings.Builder
	key := ""
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return
		}
		head.WriteString(line)
		if line == "\r\n" {
			break
		}
		if name, value, ok := strings.Cut(line, ":"); ok && strings.EqualFold(name, "Sec-WebSocket-Key") {
			key = strings.TrimSpace(value)
		}
	}
	select {
	case s.heads <- head.String():
	default:
	}
	sum := sha1.Sum([]byte(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
	fmt.Fprintf(c, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n",
		base64.StdEncoding.EncodeToString(sum[:]))
	io.Copy(io.Discard, br) // never answers anything, until the connection is dropped
}

// nextHead returns the raw head of the next opening request.
func (s *rawServer) nextHead(t *testing.T) string {
	t.Helper()
	select {
	case h := <-s.heads:
		return h
	case <-time.After(waitTimeout):
		require.FailNow(t, "the raw server saw no request")
		return ""
	}
}

// dropAll closes every connection without a Close frame.
func (s *rawServer) dropAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.conns {
		c.Close()
	}
	s.conns = nil
}

func (s *rawServer) Close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.ln.Close()
	s.dropAll()
	s.wg.Wait()
}
