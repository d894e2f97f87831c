// Command bench compares WebSocket clients over loopback: this module's
// NetworkKit client (callback face and blocking face) against raw gorilla,
// coder/websocket, gws and a libwebsockets C client.
//
//	go run . [-quick] [-out RESULTS.md] [-rounds 5]   orchestrate everything
//	go run . server -addr 127.0.0.1:0                  the neutral echo server
//	go run . client -impl gorilla -workload echo64 -n 2000 -addr 127.0.0.1:PORT
//
// The orchestrator builds this program once (tmp/bench) and the C client
// (tmp/lwsclient), starts the echo server as its own process and runs every
// (workload, implementation) pair as a separate client process, alternating
// implementations, at least five rounds each. See README.md in this
// directory.
package main

import (
	"fmt"
	"os"
	"syscall"
)

func main() {
	args := os.Args[1:]
	var err error
	switch {
	case len(args) > 0 && args[0] == "server":
		err = serverMain(args[1:])
	case len(args) > 0 && args[0] == "client":
		err = clientMain(args[1:])
	default:
		err = orchestrate(args)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// raiseNoFile lifts the soft RLIMIT_NOFILE to the hard limit: the idle
// workload holds 4,000 connections (and the server as many).
func raiseNoFile() {
	var r syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r); err != nil {
		return
	}
	if r.Cur < r.Max {
		r.Cur = r.Max
		_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &r)
	}
}
