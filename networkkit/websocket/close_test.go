package websocket_test

// Tests of the end of a connection (package doc, section Lifecycle): the
// events of one connection come before any event of the next, and the end
// is reported only once the write side is done.

import (
	"fmt"
	"io"
	"net"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/samber/mo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cangjie-go/ohos/callback"
	"github.com/cangjie-go/ohos/internal/hostile"
	"github.com/cangjie-go/ohos/internal/wstest"
	"github.com/cangjie-go/ohos/networkkit/websocket"
)

// TestEventsOrderedAcrossConnections closes and connects again on one
// object many times, without waiting for the events in between, mixing
// connections that open and attempts that are refused, and Close through
// both faces. Every event of connection k — its close event, or its error
// event — must come before any event of connection k+1 (package doc,
// section Lifecycle).
func TestEventsOrderedAcrossConnections(t *testing.T) {
	const cycles = 300
	srv := hostile.New(t, func(c *hostile.Conn) {
		req, key, err := c.ReadRequest()
		if err != nil || c.Accept(key, "X-Conn: "+strings.TrimPrefix(req.URL.Path, "/")) != nil {
			return
		}
		answerClose(c)
	})
	refused := wstest.RefusedURL(t)
	ws := wstest.NewWS(t)
	r := wstest.NewRecorder(t, ws)

	type tagged struct{ kind, conn string }
	var want []tagged
	closed := make(chan error, 1)
	for k := range cycles {
		conn := fmt.Sprintf("c%d", k)
		if k%3 == 2 {
			err := ws.ConnectContext(wstest.Ctx(t), refused+conn, nil)
			require.True(t, wstest.AssertCode(t, err, websocket.ErrConnectionFailed), "cycle %d", k)
			want = append(want, tagged{"error", conn})
			continue
		}
		require.NoError(t, ws.ConnectContext(wstest.Ctx(t), srv.URL()+conn, nil), "cycle %d", k)
		want = append(want, tagged{"headerReceive", conn}, tagged{"open", conn}, tagged{"close", conn})
		opts := &websocket.CloseOptions{Code: 4000, Reason: conn}
		if k%2 == 0 {
			require.NoError(t, ws.CloseContext(wstest.Ctx(t), opts), "cycle %d", k)
			continue
		}
		ws.Close(func(err mo.Option[callback.AsyncError], _ mo.Option[bool]) {
			if e, failed := err.Get(); failed {
				closed <- e
				return
			}
			closed <- nil
		}, opts)
		require.NoError(t, recv(t, closed), "cycle %d", k)
	}

	connOfError := regexp.MustCompile(`/(c\d+):`)
	var got []tagged
	for len(got) < len(want) {
		e := r.Next(t)
		var conn string
		switch e.Kind {
		case "headerReceive":
			conn = e.Headers.(websocket.MapData)["x-conn"]
		case "open":
			if len(got) > 0 {
				conn = got[len(got)-1].conn // the open event has nothing of its own to tell
			}
		case "close":
			conn = e.Close.Reason
		case "error":
			if m := connOfError.FindStringSubmatch(e.Err.Error()); m != nil {
				conn = m[1]
			}
		}
		got = append(got, tagged{e.Kind, conn})
	}
	for i := range want {
		if !assert.Equal(t, want[i], got[i], "event %d", i) {
			t.Logf("around it: want %v, got %v", want[max(0, i-3):min(len(want), i+4)], got[max(0, i-3):min(len(got), i+4)])
			break
		}
	}
	r.Quiet(t, 50*time.Millisecond)
}

// TestEndWaitsForTheWriter checks that the end of a connection is reported
// only when its write side is done: a Send whose write is in progress when
// the server's Close frame arrives completes exactly once, with 2302006,
// before the close event. With fragments, the client's answer to the
// Close cuts the message off at the next frame boundary (the server goes
// on reading); with NoFragmentation, on a server that stops reading, the
// write stays blocked until the link is dropped, CloseTimeout later
// (package doc, sections Lifecycle and Writing).
func TestEndWaitsForTheWriter(t *testing.T) {
	for _, tt := range []struct {
		name     string
		maxFrame int
		read     bool // the server reads on after its Close frame
	}{
		{"fragments", 0, true},
		{"NoFragmentation", websocket.NoFragmentation, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			done := newGate()
			srv := hostile.New(t, func(c *hostile.Conn) {
				smallReadBuffer(c)
				if _, err := c.Upgrade(); err != nil {
					return
				}
				var first [2]byte // the message's first frame header: its write has begun
				if _, err := io.ReadFull(c.NetConn(), first[:]); err != nil {
					return
				}
				if c.WriteFrame(hostile.Close(4001, "bye")) != nil {
					return
				}
				if !tt.read && !done.wait() {
					return
				}
				c.NetConn().SetReadDeadline(soon())
				io.Copy(io.Discard, c.NetConn()) // until the client drops the link
			})
			t.Cleanup(done.open)
			ws := wstest.NewWS(t)
			r := wstest.NewRecorder(t, ws)
			r.Open(t, srv.URL(), &websocket.RequestOptions{MaxFrameSize: tt.maxFrame, CloseTimeout: 300 * time.Millisecond})
			ws.Send(websocket.ArrayData(make([]byte, 16<<20)), r.Done("send"))

			evs := r.Expect(t, "send", "close")
			wstest.AssertCode(t, evs[0].Err, websocket.ErrConnectionNotExist)
			assert.ErrorIs(t, evs[0].Err, net.ErrClosed)
			assert.Equal(t, websocket.CloseResult{Code: 4001, Reason: "bye"}, evs[1].Close)
			r.Quiet(t, 200*time.Millisecond) // the Send completed once
			done.open()
		})
	}
}

// TestCloseFrameTheClientSends: the client answers the server's Close
// frame with the same code and no reason, and a Close frame that ends the
// connection for a broken rule carries its code and names the rule
// (package doc, section On the wire).
func TestCloseFrameTheClientSends(t *testing.T) {
	tests := []struct {
		name       string
		frame      hostile.Frame
		code       int
		reasonLike string // a regexp; "^$" for no reason
	}{
		{"answer to the server's Close", hostile.Close(4000, "bye"), 4000, "^$"},
		{"reserved opcode", hostile.Frame{Fin: true, Opcode: hostile.Opcode(3)}, 1002, "reserved data opcode 3"},
		{"invalid UTF-8", hostile.Text("\xc3\x28"), 1007, "invalid UTF-8 in text message"},
		{"text ending inside a UTF-8 sequence", hostile.Text("ok\xe2\x82"), 1007, "invalid UTF-8 in text message"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			type closeFrame struct {
				code   int
				reason string
				err    error
			}
			got := make(chan closeFrame, 1)
			srv := hostile.New(t, func(c *hostile.Conn) {
				if _, err := c.Upgrade(); err != nil {
					return
				}
				c.WriteFrame(tt.frame)
				code, reason, err := c.ExpectClose(soon())
				got <- closeFrame{code, reason, err}
			})
			r := wstest.NewRecorder(t, wstest.NewWS(t))
			r.Open(t, srv.URL(), nil)
			f := recv(t, got)
			require.NoError(t, f.err)
			assert.Equal(t, tt.code, f.code)
			assert.Regexp(t, tt.reasonLike, f.reason)
		})
	}
}
