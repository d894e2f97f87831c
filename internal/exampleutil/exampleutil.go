// Package exampleutil is the main function the example programs share: it
// parses -url, starts an embedded echo server when no URL is given, runs
// the example under a time limit and turns its error into exit status 1
// with a message a person can read.
package exampleutil

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/cangjie-go/ohos/internal/echoserver"
)

// RunFunc is an example's body: it talks to the WebSocket server at url and
// prints to out.
type RunFunc func(ctx context.Context, url string, out io.Writer) error

// Timeout bounds one run of an example.
const Timeout = 30 * time.Second

// Main runs an example program named name and exits: 0 if run succeeded,
// 1 (with the error on standard error) if not, 2 for bad flags. Without
// -url, run talks to an echo server on 127.0.0.1 started with server.
func Main(name string, server echoserver.Options, run RunFunc) {
	os.Exit(Run(name, os.Args[1:], server, run, os.Stdout, os.Stderr))
}

// Run is Main without the exit: it returns the exit status.
func Run(name string, args []string, server echoserver.Options, run RunFunc, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	url := fs.String("url", "", "WebSocket server `URL`; if empty, an echo server on 127.0.0.1 is started")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *url == "" {
		srv := echoserver.New(server)
		defer srv.Close()
		*url = srv.WSURL("/")
	}
	ctx, cancel := context.WithTimeout(context.Background(), Timeout)
	defer cancel()
	if err := run(ctx, *url, stdout); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return 1
	}
	return 0
}
