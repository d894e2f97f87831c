package conformance_test

// The client side of a case: an echo client built on the library, and what
// its events reported.

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/samber/mo"

	"github.com/cangjie-go/ohos/callback"
	"github.com/cangjie-go/ohos/networkkit/websocket"
)

// clientObs is what the client side saw.
type clientObs struct {
	mu         sync.Mutex
	seq        []string // event names in the order the callbacks ran
	messages   []websocket.MessageData
	errs       []*callback.BusinessException
	closes     []websocket.CloseResult
	sendErrs   []string
	protocol   string
	extensions string                    // Extensions() once connected
	headers    websocket.ResponseHeaders // what headerReceive delivered

	connectErr error
	connectDur time.Duration
	closeErr   error // CloseContext's result, for cases that close from the client
	closeDur   time.Duration
	hung       bool // no close event by the deadline

	errCh   chan struct{}
	closeCh chan struct{}
}

func (o *clientObs) add(name string) {
	o.mu.Lock()
	o.seq = append(o.seq, name)
	o.mu.Unlock()
}

// snapshot returns copies of the recorded events.
func (o *clientObs) snapshot() (seq []string, msgs []websocket.MessageData, errs []*callback.BusinessException, closes []websocket.CloseResult) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return slices.Clone(o.seq), slices.Clone(o.messages), slices.Clone(o.errs), slices.Clone(o.closes)
}

// runClient connects an echo client to url and waits for the connection to
// end.
func runClient(tc *testCase, url string, deadline time.Time) *clientObs {
	o := &clientObs{errCh: make(chan struct{}, 1), closeCh: make(chan struct{}, 1)}
	ws := websocket.CreateWebSocket()
	ws.OnHeaderReceive(callback.Callback1Func[websocket.ResponseHeaders](func(h websocket.ResponseHeaders) {
		o.mu.Lock()
		o.headers = h
		o.mu.Unlock()
		o.add("headerReceive")
	}))
	ws.OnOpen(websocket.WebSocketAsyncCallbackFunc[map[uint32]string](
		func(mo.Option[callback.AsyncError], mo.Option[map[uint32]string]) { o.add("open") }))
	ws.OnMessage(websocket.WebSocketAsyncCallbackFunc[websocket.MessageData](
		func(_ mo.Option[callback.AsyncError], data mo.Option[websocket.MessageData]) {
			m := data.MustGet()
			o.mu.Lock()
			o.seq = append(o.seq, "message")
			o.messages = append(o.messages, m)
			o.mu.Unlock()
			ws.Send(m, func(err mo.Option[callback.AsyncError], _ mo.Option[bool]) {
				if e, failed := err.Get(); failed {
					o.mu.Lock()
					o.sendErrs = append(o.sendErrs, e.Error())
					o.mu.Unlock()
				}
			})
		}))
	ws.OnError(websocket.WebSocketErrorCallbackFunc(func(e *callback.BusinessException) {
		o.mu.Lock()
		o.seq = append(o.seq, "error")
		o.errs = append(o.errs, e)
		o.mu.Unlock()
		select {
		case o.errCh <- struct{}{}:
		default:
		}
	}))
	ws.OnClose(websocket.WebSocketAsyncCallbackFunc[websocket.CloseResult](
		func(_ mo.Option[callback.AsyncError], res mo.Option[websocket.CloseResult]) {
			o.mu.Lock()
			o.seq = append(o.seq, "close")
			o.closes = append(o.closes, res.MustGet())
			o.mu.Unlock()
			select {
			case o.closeCh <- struct{}{}:
			default:
			}
		}))

	opts := websocket.RequestOptions{
		PingInterval:     mo.Some(time.Duration(0)),
		CloseTimeout:     clientCloseTimeout,
		HandshakeTimeout: 30 * time.Second,
	}
	if tc.opts != nil {
		tc.opts(&opts)
	}
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	start := time.Now()
	o.connectErr = ws.ConnectContext(ctx, url, &opts)
	o.connectDur = time.Since(start)
	if o.connectErr != nil {
		select { // the error event follows the failed connect
		case <-o.errCh:
		case <-ctx.Done():
		}
		return o
	}
	o.protocol = ws.Protocol()
	o.extensions = ws.Extensions()
	if tc.client != nil {
		tc.client(ctx, ws, o)
	}
	select {
	case <-o.closeCh:
	case <-ctx.Done():
		o.hung = true
		cctx, ccancel := context.WithTimeout(context.Background(), 5*time.Second)
		ws.CloseContext(cctx, nil)
		select {
		case <-o.closeCh:
		case <-cctx.Done():
		}
		ccancel()
	}
	return o
}
