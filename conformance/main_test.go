// Package conformance_test runs the WebSocket client of
// networkkit/websocket against a hostile server (internal/hostile) through
// a suite of RFC 6455 client cases: the cases of the Autobahn test suite's
// client mode (groups 1–7, 9 and 10, and the permessage-deflate groups 12
// and 13 of RFC 7692), written from their public descriptions, plus cases
// Autobahn lacks (ids "X.…"): masked server frames, bad opening handshakes,
// refused answers, timeouts, read limits and dropped links, and for
// compression the extension answers the client must refuse or accept, RSV1
// misuse, decompression bombs, UTF-8 of compressed text and the examples of
// RFC 7692.
//
// Every case ends with a verdict in Autobahn's vocabulary — OK, NON-STRICT
// or FAILED — and TestConformance fails unless every case is OK. Where
// Autobahn and the project's contract (BEHAVIOR.md) differ, the contract
// decides: close codes 1012–1014 are valid, 1015, 1004–1006, 1016–2999 and
// 5000 and above are not.
package conformance_test

import (
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
