package conformance_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"time"

	"github.com/cangjie-go/ohos/internal/hostile"
	"github.com/cangjie-go/ohos/networkkit/websocket"
)

// Cases Autobahn lacks ("X.…"): the opening handshake done wrong, timeouts,
// masked server frames, frames riding with the 101 answer, dropped links.

// refusedCase: the server answers the handshake with answer(key); the
// client must refuse the connection: ConnectContext fails with code 200,
// the error event fires, no other event, and the client closes the TCP
// connection. check looks at the *websocket.HandshakeError (nil if there
// is none).
func refusedCase(id, desc string, answer func(key string) []byte, check func(he *websocket.HandshakeError, res *result)) testCase {
	return testCase{
		id: id, desc: desc, kind: kindCustom,
		send: func(r *run) {
			req, key, err := r.c.ReadRequest()
			if err != nil {
				r.violate("reading the opening handshake: %v", err)
				return
			}
			r.req = req
			r.checkRequest(req, key)
			r.writeRaw(answer(key))
			r.waitTCPClose(30 * time.Second)
		},
		verify: func(r *run, o *clientObs, res *result) {
			checkRefused(r, o, res)
			var he *websocket.HandshakeError
			if !errors.As(o.connectErr, &he) {
				he = nil
			}
			if check != nil {
				check(he, res)
			}
		},
	}
}

// checkRefused checks a failed opening handshake.
func checkRefused(r *run, o *clientObs, res *result) {
	seq, _, errs, _ := o.snapshot()
	if o.connectErr == nil {
		res.fail("the handshake succeeded")
		return
	}
	if !errors.Is(o.connectErr, websocket.ErrConnectionFailed) {
		res.fail("ConnectContext returned %q, want code 200", o.connectErr)
	}
	if !slices.Equal(seq, []string{"error"}) {
		res.fail("events %v, want [error]", seq)
	}
	if len(errs) == 1 && !errors.Is(errs[0], websocket.ErrConnectionFailed) {
		res.fail("error event %q, want code 200", errs[0])
	}
	if !r.tcpClosedByPeer {
		res.fail("the client did not close the TCP connection")
	}
}

// wantHandshakeError checks the HandshakeError's status, one header and
// the body.
func wantHandshakeError(status int, header, value, body string) func(he *websocket.HandshakeError, res *result) {
	return func(he *websocket.HandshakeError, res *result) {
		if he == nil {
			res.fail("no *websocket.HandshakeError reachable with errors.As")
			return
		}
		if he.StatusCode != status || !strings.HasPrefix(he.Status, fmt.Sprint(status)) {
			res.fail("HandshakeError status %d %q, want %d", he.StatusCode, he.Status, status)
		}
		if header != "" && he.Header.Get(header) != value {
			res.fail("HandshakeError header %s = %q, want %q", header, he.Header.Get(header), value)
		}
		if body != "" && string(he.Body) != body {
			res.fail("HandshakeError body %q, want %q", he.Body, body)
		}
		if he.Reason == "" {
			res.fail("HandshakeError without a reason")
		}
	}
}

// answer101 returns a 101 answer with the given header lines (no Upgrade,
// Connection or Accept unless listed), as HTTP/1.1.
func answer101(lines ...string) []byte {
	return []byte("HTTP/1.1 101 Switching Protocols\r\n" + strings.Join(lines, "\r\n") + "\r\n\r\n")
}

// refusal returns a complete non-101 answer.
func refusal(status string, body string, lines ...string) func(string) []byte {
	return func(string) []byte {
		h := append([]string{fmt.Sprintf("Content-Length: %d", len(body)), "Content-Type: text/plain"}, lines...)
		return []byte("HTTP/1.1 " + status + "\r\n" + strings.Join(h, "\r\n") + "\r\n\r\n" + body)
	}
}

// timedOutHandshake checks a handshake the client had to give up on after
// its HandshakeTimeout.
func timedOutHandshake(limit time.Duration) func(r *run, o *clientObs, res *result) {
	return func(r *run, o *clientObs, res *result) {
		checkRefused(r, o, res)
		if o.connectErr == nil {
			return
		}
		if errors.Is(o.connectErr, context.DeadlineExceeded) && !errors.Is(o.connectErr, websocket.ErrConnectionFailed) {
			res.fail("ConnectContext returned the context's error; the handshake timeout did not fire")
		}
		var ne net.Error
		if !(errors.As(o.connectErr, &ne) && ne.Timeout()) && !errors.Is(o.connectErr, context.DeadlineExceeded) {
			res.fail("the connect error %q does not say it timed out", o.connectErr)
		}
		if o.connectDur < limit*3/4 || o.connectDur > limit+10*time.Second {
			res.fail("ConnectContext returned after %v with HandshakeTimeout %v", o.connectDur.Round(time.Millisecond), limit)
		}
	}
}

func extraHandshakeCases() []testCase {
	const handshakeLimit = 400 * time.Millisecond
	limitHandshake := func(o *websocket.RequestOptions) { o.HandshakeTimeout = handshakeLimit }
	anyHandshakeError := wantHandshakeError(101, "", "", "")
	sub := refusedCase("X.2.2", "the client offers subprotocol chat; the server chooses superchat",
		func(key string) []byte { return hostile.Response101(key, "Sec-WebSocket-Protocol: superchat") }, anyHandshakeError)
	sub.opts = func(o *websocket.RequestOptions) { o.Protocol = "chat" }
	chosen := echoCase("X.2.3", "the client offers subprotocols chat and json; the server chooses json: the connection opens",
		sendFrames(hostile.Text("with json")), text("with json"))
	chosen.opts = func(o *websocket.RequestOptions) { o.Protocol = "chat, json" }
	chosen.accept = func(r *run, key string) { r.writeRaw(hostile.Response101(key, "Sec-WebSocket-Protocol: json")) }
	chosen.verify = func(r *run, o *clientObs, res *result) {
		if offered := r.req.Header.Values("Sec-WebSocket-Protocol"); !strings.Contains(strings.Join(offered, ","), "json") {
			res.fail("the client offered subprotocols %q", offered)
		}
		if o.protocol != "json" {
			res.fail("Protocol() = %q, want json", o.protocol)
		}
	}
	slow := echoCase("X.7.3", "the 101 answer arrives in chops of 16 octets, 5 ms apart, well within HandshakeTimeout: the connection opens",
		sendFrames(hostile.Text("after a slow handshake")), text("after a slow handshake"))
	slow.accept = func(r *run, key string) {
		r.writeRaw(hostile.Response101(key), hostile.Chop(16), hostile.Delay(5*time.Millisecond))
	}
	slow.opts = func(o *websocket.RequestOptions) { o.HandshakeTimeout = 20 * time.Second }

	cases := []testCase{
		refusedCase("X.2.1", "the client offers no subprotocol; the server chooses chat",
			func(key string) []byte { return hostile.Response101(key, "Sec-WebSocket-Protocol: chat") }, anyHandshakeError),
		sub,
		chosen,
		refusedCase("X.2.4", "the server enables extension permessage-deflate, which the client did not offer",
			func(key string) []byte {
				return hostile.Response101(key, "Sec-WebSocket-Extensions: permessage-deflate")
			}, anyHandshakeError),
		refusedCase("X.2.5", "the server enables an unknown extension the client did not offer",
			func(key string) []byte {
				return hostile.Response101(key, "Sec-WebSocket-Extensions: x-custom; level=9")
			}, anyHandshakeError),
		refusedCase("X.3.1", "101 answer without Sec-WebSocket-Accept",
			func(string) []byte { return answer101("Upgrade: websocket", "Connection: Upgrade") }, anyHandshakeError),
		refusedCase("X.3.2", "101 answer with a wrong Sec-WebSocket-Accept (the RFC's example key)",
			func(string) []byte {
				return answer101("Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
			}, anyHandshakeError),
		refusedCase("X.3.3", "101 answer without Upgrade",
			func(key string) []byte {
				return answer101("Connection: Upgrade", "Sec-WebSocket-Accept: "+hostile.AcceptKey(key))
			}, anyHandshakeError),
		refusedCase("X.3.4", "101 answer without Connection",
			func(key string) []byte {
				return answer101("Upgrade: websocket", "Sec-WebSocket-Accept: "+hostile.AcceptKey(key))
			}, anyHandshakeError),
		refusedCase("X.3.5", "101 answer upgrading to h2c instead of websocket",
			func(key string) []byte {
				return answer101("Upgrade: h2c", "Connection: Upgrade", "Sec-WebSocket-Accept: "+hostile.AcceptKey(key))
			}, anyHandshakeError),
		refusedCase("X.3.6", "200 OK answer with a body", refusal("200 OK", "hello"), wantHandshakeError(200, "Content-Type", "text/plain", "hello")),
		refusedCase("X.5.1", "correct 101 answer, but with an HTTP/1.0 status line",
			func(key string) []byte {
				return []byte("HTTP/1.0 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " +
					hostile.AcceptKey(key) + "\r\n\r\n")
			}, anyHandshakeError),
		refusedCase("X.5.2", "301 Moved Permanently with Location: not followed; status and headers reachable from the error",
			refusal("301 Moved Permanently", "moved", "Location: ws://127.0.0.1:1/elsewhere"),
			wantHandshakeError(301, "Location", "ws://127.0.0.1:1/elsewhere", "moved")),
		refusedCase("X.5.3", "302 Found with Location: not followed",
			refusal("302 Found", "", "Location: /elsewhere"), wantHandshakeError(302, "Location", "/elsewhere", "")),
		refusedCase("X.5.4", "307 Temporary Redirect with Location: not followed",
			refusal("307 Temporary Redirect", "", "Location: /elsewhere"), wantHandshakeError(307, "Location", "/elsewhere", "")),
		refusedCase("X.5.5", "401 Unauthorized with WWW-Authenticate: status, header and body reachable from the error",
			refusal("401 Unauthorized", "unauthorized", `WWW-Authenticate: Basic realm="conformance"`),
			wantHandshakeError(401, "WWW-Authenticate", `Basic realm="conformance"`, "unauthorized")),
		refusedCase("X.5.6", "403 Forbidden with a header and a body: all reachable from the error",
			refusal("403 Forbidden", "forbidden", "X-Reason: banned"), wantHandshakeError(403, "X-Reason", "banned", "forbidden")),
		{
			id: "X.5.7", desc: "the server closes the connection after reading the request, without answering: the client fails at once",
			kind: kindCustom,
			send: func(r *run) {
				if _, _, err := r.c.ReadRequest(); err != nil {
					r.violate("reading the opening handshake: %v", err)
				}
				r.tcpClosedByPeer = true // the server closed it
			},
			verify: func(r *run, o *clientObs, res *result) {
				checkRefused(r, o, res)
				if o.connectDur > 10*time.Second {
					res.fail("ConnectContext took %v to notice the closed connection", o.connectDur.Round(time.Millisecond))
				}
			},
		},
		refusedCase("X.5.8", "the server answers with something that is not HTTP",
			func(string) []byte { return []byte("SSH-2.0-OpenSSH_9.6\r\n\r\n") }, nil),
		{
			id: "X.7.1", desc: "the server reads the request and never answers: HandshakeTimeout (400 ms) is honoured", kind: kindCustom,
			opts: limitHandshake,
			send: func(r *run) {
				if _, _, err := r.c.ReadRequest(); err != nil {
					r.violate("reading the opening handshake: %v", err)
					return
				}
				r.waitTCPClose(30 * time.Second)
			},
			verify: timedOutHandshake(handshakeLimit),
		},
		{
			id: "X.7.2", desc: "slow loris: the 101 answer arrives one octet every 40 ms (5 s in all): HandshakeTimeout (400 ms) bounds the whole handshake",
			kind: kindCustom, opts: limitHandshake,
			send: func(r *run) {
				_, key, err := r.c.ReadRequest()
				if err != nil {
					r.violate("reading the opening handshake: %v", err)
					return
				}
				r.writeRaw(hostile.Response101(key), hostile.Chop(1), hostile.Delay(40*time.Millisecond))
				r.waitTCPClose(30 * time.Second)
			},
			verify: timedOutHandshake(handshakeLimit),
		},
		slow,
		clientCloseCase("X.7.4", "the client closes and the server never answers the Close: CloseTimeout (400 ms) bounds the wait",
			400*time.Millisecond, &websocket.CloseOptions{}, false),
		clientCloseCase("X.7.5", "the client closes with 4000 \"bye\" and the server answers at once: clean close, the client's code and reason",
			20*time.Second, &websocket.CloseOptions{Code: 4000, Reason: "bye"}, true),
	}
	return cases
}

// clientCloseCase: the client closes with opts once connected; the server
// answers the Close (answer) or not.
func clientCloseCase(id, desc string, closeTimeout time.Duration, opts *websocket.CloseOptions, answer bool) testCase {
	code, reason := int(opts.Code), opts.Reason
	if code == 0 {
		code = 1000
	}
	return testCase{
		id: id, desc: desc, kind: kindCustom,
		opts: func(o *websocket.RequestOptions) { o.CloseTimeout = closeTimeout },
		send: func(r *run) {
			if !r.handshake() {
				return
			}
			if !r.awaitClose(30 * time.Second) {
				r.violate("the client did not send its Close")
				return
			}
			if answer && r.clientClose != nil {
				r.write(hostile.Close(r.clientClose.code, ""))
			}
			r.waitTCPClose(30 * time.Second)
		},
		client: func(ctx context.Context, ws *websocket.WebSocket, o *clientObs) {
			start := time.Now()
			o.closeErr = ws.CloseContext(ctx, opts)
			o.closeDur = time.Since(start)
		},
		verify: func(r *run, o *clientObs, res *result) {
			seq, _, errs, closes := o.snapshot()
			if o.connectErr != nil {
				res.fail("connect failed: %v", o.connectErr)
				return
			}
			checkOpened(res, seq)
			if o.closeErr != nil {
				res.fail("CloseContext returned %v", o.closeErr)
			}
			switch {
			case r.clientClose == nil:
				res.fail("the client sent no Close frame")
			case r.clientClose.code != code || r.clientClose.reason != reason:
				res.fail("the client sent %s, want close %d %q", r.clientClose, code, reason)
			}
			if len(r.log) > 0 {
				res.fail("the client sent %s before its Close", describeEvents(r.log))
			}
			if !r.tcpClosedByPeer {
				res.fail("the client did not close the TCP connection")
			}
			if answer && o.closeDur > closeTimeout {
				res.fail("CloseContext took %v although the server answered at once", o.closeDur.Round(time.Millisecond))
			}
			if !answer {
				if o.closeDur > closeTimeout+10*time.Second {
					res.fail("CloseContext took %v with CloseTimeout %v", o.closeDur.Round(time.Millisecond), closeTimeout)
				}
				if o.closeDur < closeTimeout*3/4 {
					res.nonStrict("the client dropped the link after %v without waiting CloseTimeout (%v) for the server's Close",
						o.closeDur.Round(time.Millisecond), closeTimeout)
				}
			}
			for _, e := range errs {
				res.fail("error event: %v", e)
			}
			if len(closes) != 1 || int(closes[0].Code) != code || closes[0].Reason != reason {
				res.fail("close events %v, want [{%d %q}] (the client's own)", closes, code, reason)
			}
		},
	}
}

// linkDown checks a connection the server dropped without a Close frame:
// the error event (code 200, ErrLinkDown), then close 1006 "The link is
// down".
func linkDown(r *run, o *clientObs, res *result) {
	seq, _, errs, closes := o.snapshot()
	if o.connectErr != nil {
		res.fail("connect failed: %v", o.connectErr)
		return
	}
	checkOpened(res, seq)
	if len(errs) != 1 || !errors.Is(errs[0], websocket.ErrConnectionFailed) || !errors.Is(errs[0], websocket.ErrLinkDown) {
		res.fail("error events %v, want one with code 200 wrapping ErrLinkDown", errs)
	}
	if len(closes) != 1 || closes[0] != (websocket.CloseResult{Code: 1006, Reason: "The link is down"}) {
		res.fail("close events %v, want [{1006 \"The link is down\"}]", closes)
	}
	if r.clientClose != nil || len(r.log) > 0 {
		res.fail("the client sent %s and %v to a server that had gone", describeEvents(r.log), r.clientClose)
	}
}

// withFrames answers the handshake with the 101 and frames in one write.
func withFrames(frames ...hostile.Frame) func(r *run, key string) {
	return func(r *run, key string) {
		r.noteClose(frames)
		r.writeRaw(append(hostile.Response101(key), hostile.Encode(frames...)...))
	}
}

func extraFrameCases() []testCase {
	masked := func(f hostile.Frame) hostile.Frame {
		f.Masked, f.MaskKey = true, [4]byte{0x37, 0xfa, 0x21, 0x3d}
		return f
	}
	hello := "Hello, world!"
	b64k := repeat(0x5a, 64*kib)

	sameSegment := func(id, desc string, k kind, accepted []int, frames []hostile.Frame, want ...ev) testCase {
		tc := testCase{id: id, desc: desc, kind: k, codes: accepted, want: want, accept: withFrames(frames...)}
		return tc
	}
	pingWith := sameSegment("X.4.2", "a text message and a ping in the same write as the 101 answer", kindEcho, nil,
		[]hostile.Frame{hostile.Text(hello), hostile.Ping([]byte("ping with the 101"))}, text(hello), pongS("ping with the 101"))
	pingWith.anyOrder = true
	closeWith := sameSegment("X.4.5", "close 1000 \"bye\" in the same write as the 101 answer", kindEcho, nil,
		[]hostile.Frame{hostile.Close(1000, "bye")})

	dropAfter := func(id, desc string, send func(r *run)) testCase {
		return testCase{id: id, desc: desc, kind: kindCustom, verify: linkDown,
			send: func(r *run) {
				if r.handshake() && send != nil {
					send(r)
				}
				// Returning closes the connection without a Close frame.
			}}
	}
	return []testCase{
		failCase("X.1.1", "masked text frame from the server", codes(1002), sendFrames(masked(hostile.Text(hello)))),
		failCase("X.1.2", "masked ping from the server", codes(1002), sendFrames(masked(hostile.Ping([]byte(hello))))),
		failCase("X.1.3", "masked close frame from the server", codes(1002), sendFrames(masked(hostile.Close(1000, "")))),
		failCase("X.1.4", "text message whose second fragment is masked", codes(1002),
			sendFrames(frag(hostile.OpText, false, "fragment1"), masked(frag(hostile.OpContinuation, true, "fragment2")))),
		sameSegment("X.4.1", "a text message in the same write as the 101 answer", kindEcho, nil,
			[]hostile.Frame{hostile.Text(hello)}, text(hello)),
		pingWith,
		sameSegment("X.4.3", "a close frame with a 1-octet payload in the same write as the 101 answer", kindFail, codes(1002),
			[]hostile.Frame{closeFrame([]byte{0x2a})}),
		sameSegment("X.4.4", "a text frame with RSV = 1 in the same write as the 101 answer", kindFail, codes(1002),
			[]hostile.Frame{{Fin: true, Rsv: hostile.RSV1, Opcode: hostile.OpText, Payload: []byte(hello)}}),
		closeWith,
		sameSegment("X.4.6", "a binary message of 64 KiB in the same write as the 101 answer", kindEcho, nil,
			[]hostile.Frame{hostile.Binary(b64k)}, binary(b64k)),
		dropAfter("X.9.1", "the server drops the TCP connection right after the handshake: error, then close 1006", nil),
		dropAfter("X.9.2", "the server drops the TCP connection in the middle of a fragmented message: error, then close 1006",
			sendFrames(frag(hostile.OpText, false, "fragment1"))),
		dropAfter("X.9.3", "the server drops the TCP connection in the middle of a frame: error, then close 1006",
			func(r *run) { r.writeRaw(hostile.Text(strings.Repeat("*", 100)).Encode()[:20]) }),
		{
			id: "X.9.4", desc: "the server sends close 1000 and drops the TCP connection at once: close 1000, no error", kind: kindCustom,
			send: func(r *run) {
				if r.handshake() {
					r.write(hostile.Close(1000, "going"))
				}
			},
			verify: func(r *run, o *clientObs, res *result) {
				seq, _, errs, closes := o.snapshot()
				if o.connectErr != nil {
					res.fail("connect failed: %v", o.connectErr)
					return
				}
				checkOpened(res, seq)
				for _, e := range errs {
					res.fail("error event: %v", e)
				}
				if len(closes) != 1 || closes[0] != (websocket.CloseResult{Code: 1000, Reason: "going"}) {
					res.fail("close events %v, want [{1000 \"going\"}]", closes)
				}
			},
		},
	}
}
