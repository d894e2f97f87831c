package interop_test

import (
	"strings"
	"testing"
)

// TestAutobahnTwisted runs the client against an echo server built with
// python3-autobahn on Twisted (testdata/autobahn_echo.py): text and binary
// messages across the frame-length edges, up to 16 MiB.
func TestAutobahnTwisted(t *testing.T) {
	py := requirePython(t, "autobahn.twisted.websocket", "python3-autobahn")
	p := startPeer(t, py, "testdata/autobahn_echo.py")
	url := "ws://127.0.0.1:" + strings.TrimPrefix(p.waitLine(t, "READY "), "READY ") + "/"
	echo(t, url, nil)
	echoAllSizes(t, url, echoSizes)
	p.waitLine(t, "CLOSED 1000")
}
