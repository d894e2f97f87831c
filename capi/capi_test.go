//go:build cgo

package main

import (
	"bytes"
	"context"
	"debug/elf"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/cangjie-go/ohos/internal/echoserver"
)

// The C programs in testdata run as separate processes against
// libnet_websocket.so, built once per test binary into a temporary
// directory. The library is built without -race even when the tests run
// with it: ThreadSanitizer cannot map its shadow memory inside a shared
// library that a C program loads.
var lib struct {
	once sync.Once
	dir  string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if lib.dir != "" {
		os.RemoveAll(lib.dir)
	}
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.Exit(code)
}

// library returns the directory of the built library. Without gcc the test
// is skipped, or fails when the environment variable CI is set.
func library(t *testing.T) string {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skipf("skipping: the C API tests run on Linux (ELF, LD_LIBRARY_PATH), not %s", runtime.GOOS)
	}
	requireTool(t, "gcc")
	lib.once.Do(func() { lib.dir, lib.err = buildLibrary() })
	require.NoError(t, lib.err)
	return lib.dir
}

// requireTool skips the test (or fails it in CI) if tool is not installed.
func requireTool(t *testing.T, tool string) {
	t.Helper()
	if _, err := exec.LookPath(tool); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is needed to test the C API (CI is set): %v", tool, err)
		}
		t.Skipf("skipping: the C API tests need %s, which is not installed (%v)", tool, err)
	}
}

func buildLibrary() (string, error) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		goTool = filepath.Join(os.Getenv("GOROOT"), "bin", "go")
	}
	dir, err := os.MkdirTemp("", "capi-test-")
	if err != nil {
		return "", err
	}
	args := []string{"build", "-buildmode=c-shared", "-o", filepath.Join(dir, "libnet_websocket.so"), "."}
	cmd := exec.Command(goTool, args...) // the environment (GOFLAGS, ...) is inherited
	if out, err := cmd.CombinedOutput(); err != nil {
		return dir, fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return dir, nil
}

// compile builds testdata/name with gcc (C11) or g++ (C++20) against the
// library and returns the executable.
func compile(t *testing.T, name string) string {
	t.Helper()
	libDir := library(t)
	exe := filepath.Join(t.TempDir(), strings.TrimSuffix(name, filepath.Ext(name)))
	compiler, std := "gcc", "-std=c11"
	if filepath.Ext(name) == ".cpp" {
		requireTool(t, "g++")
		compiler, std = "g++", "-std=c++20"
	}
	args := []string{std, "-Wall", "-Wextra", "-Werror", "-I", "include", "-o", exe,
		filepath.Join("testdata", name), "-L", libDir, "-lnet_websocket", "-lpthread"}
	out, err := exec.Command(compiler, args...).CombinedOutput()
	require.NoError(t, err, "%s %s\n%s", compiler, strings.Join(args, " "), out)
	return exe
}

// run runs a C program and returns its output lines. It fails the test if
// the program fails, prints a FAIL line, or does not end with "done" (when
// wantDone).
func run(t *testing.T, exe string, wantDone bool, args ...string) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe, args...)
	cmd.Env = append(os.Environ(), "LD_LIBRARY_PATH="+library(t))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	out := stdout.String()
	require.NoError(t, err, "%s failed\nstdout:\n%s\nstderr:\n%s", filepath.Base(exe), out, stderr.String())
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	for _, l := range lines {
		assert.False(t, strings.HasPrefix(l, "FAIL"), "%s", l)
	}
	if wantDone {
		require.Equal(t, "done", lines[len(lines)-1], "stdout:\n%s\nstderr:\n%s", out, stderr.String())
	}
	t.Logf("%s: stdout:\n%s\nstderr:\n%s", filepath.Base(exe), out, stderr.String())
	return lines
}

// echo starts an echo server for one test.
func echo(t *testing.T, opts echoserver.Options) *echoserver.Server {
	srv := echoserver.New(opts)
	t.Cleanup(srv.Close)
	return srv
}

func TestLibraryExportsTheSixFunctions(t *testing.T) {
	f, err := elf.Open(filepath.Join(library(t), "libnet_websocket.so"))
	require.NoError(t, err)
	defer f.Close()
	syms, err := f.DynamicSymbols()
	require.NoError(t, err)
	var exported []string
	for _, s := range syms {
		if strings.HasPrefix(s.Name, "OH_") && elf.ST_TYPE(s.Info) == elf.STT_FUNC && s.Section != elf.SHN_UNDEF {
			exported = append(exported, s.Name)
		}
	}
	slices.Sort(exported)
	assert.Equal(t, []string{
		"OH_WebSocketClient_AddHeader", "OH_WebSocketClient_Close", "OH_WebSocketClient_Connect",
		"OH_WebSocketClient_Constructor", "OH_WebSocketClient_Destroy", "OH_WebSocketClient_Send",
	}, exported)
}

func TestHeaderCompiles(t *testing.T) {
	tests := []struct {
		compiler string
		std      string
		file     string
	}{
		{"gcc", "-std=c11", "header.c"},
		{"gcc", "-std=c17", "header.c"},
		{"gcc", "-std=c99", "platform.c"}, // NDK code written to C99 compiles too
		{"gcc", "-std=c99", "readme.c"},
		{"g++", "-std=c++11", "header.cpp"},
		{"g++", "-std=c++17", "header.cpp"},
		{"g++", "-std=c++20", "header.cpp"},
	}
	for _, tt := range tests {
		t.Run(tt.file+tt.std, func(t *testing.T) {
			requireTool(t, tt.compiler)
			args := []string{tt.std, "-Wall", "-Wextra", "-Werror", "-pedantic", "-fsyntax-only", "-I", "include",
				filepath.Join("testdata", tt.file)}
			out, err := exec.Command(tt.compiler, args...).CombinedOutput()
			assert.NoError(t, err, "%s %s\n%s", tt.compiler, strings.Join(args, " "), out)
		})
	}
}

func TestErrorCodes(t *testing.T) {
	srv := echo(t, echoserver.Options{})
	lines := run(t, compile(t, "errors.c"), true, srv.WSURL(""))
	// Spot checks that the program ran all the way; it checks every code itself.
	assert.Contains(t, lines, "ok OH_WebSocketClient_Destroy(NULL) == WEBSOCKET_CLIENT_NULL")
	assert.Contains(t, lines, "ok OH_WebSocketClient_Destroy(bare) == WEBSOCKET_NO_CONNECTION_CONTEXT")
	assert.Contains(t, lines, "c onClose 1000 ")
	assert.Len(t, srv.Requests(), 1, "only the one valid Connect reaches the server")
}

func TestEchoAndHeaders(t *testing.T) {
	srv := echo(t, echoserver.Options{})
	p := newProbe(t)
	lines := run(t, compile(t, "echo.c"), true, srv.WSURL(""), p.WSURL())
	for _, want := range []string{
		"e onOpen 101 Switching Protocols",
		"e onMessage 14 Hello, server!",
		`e onMessage 6 a\x00b\xff\x00c`,
		"e onMessage 0 ",
		"e onClose 4001 done",
		"e onClose 1000 Actively Close",
		"p onMessage 8 binary 3",
	} {
		assert.Contains(t, lines, want)
	}

	reqs := srv.Requests()
	require.Len(t, reqs, 2)
	first, second := reqs[0], reqs[1]
	assert.Equal(t, "/echo?room=1", first.URI)
	for _, h := range []struct{ name, value string }{
		{"X-Token", "abc"},
		{"X-Copied", "original"}, // AddHeader copied the strings
		{"X-Multi", "a, b"},      // one field, values in list order
		{"X-Empty", ""},          // a NULL fieldValue
		{"X-Own", "mine"},        // a node the caller linked in
	} {
		assert.Equal(t, []string{h.value}, first.Header.Values(h.name), h.name)
	}
	assert.Empty(t, first.Header.Values("X-Changed"))
	assert.Equal(t, "abc", second.Header.Get("X-Token"), "the reconnect sends the AddHeader list again")
	assert.Empty(t, second.Header.Values("X-Own"), "the caller unlinked its node")
}

func TestServerClose(t *testing.T) {
	srv := echo(t, echoserver.Options{Commands: true})
	lines := run(t, compile(t, "server_close.c"), true, srv.WSURL(""))
	assert.Contains(t, lines, "s onClose 4000 bye")
	assert.Contains(t, lines, "s onClose 1005 ")
	assert.Contains(t, lines, "s onClose 1006 The link is down")
}

func TestRefusedAndAbortedHandshakes(t *testing.T) {
	refusing := echo(t, echoserver.Options{RefuseStatus: 403})
	hold := make(chan struct{})
	holding := echo(t, echoserver.Options{HoldHandshake: hold})
	t.Cleanup(func() { close(hold) }) // before holding.Close
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	dead := "ws://" + l.Addr().String() + "/"
	require.NoError(t, l.Close())

	lines := run(t, compile(t, "refused.c"), true, refusing.WSURL("/refused"), dead, holding.WSURL("/held"))
	var errorLines []string
	for _, l := range lines {
		if strings.Contains(l, " onError ") {
			errorLines = append(errorLines, l)
		}
	}
	require.Len(t, errorLines, 2)
	assert.Contains(t, errorLines[0], "r onError 1003 websocket: connection failed: "+refusing.WSURL("/refused"))
	assert.Contains(t, errorLines[0], "server answered 403 Forbidden instead of 101 Switching Protocols")
	assert.Contains(t, errorLines[1], "d onError 1003 ")
	assert.Contains(t, errorLines[1], "connection refused")
}

func TestDestroy(t *testing.T) {
	p := newProbe(t)
	srv := echo(t, echoserver.Options{})
	lines := run(t, compile(t, "destroy.c"), true, p.WSURL(), srv.WSURL(""))
	assert.Contains(t, lines, "self destroyed itself in onMessage: 0")
	assert.Equal(t, closeFrame{path: "/destroy-open", code: 1001}, p.closeOf(t, "/destroy-open"))
}

func TestCallsFromCallbacks(t *testing.T) {
	srv := echo(t, echoserver.Options{})
	lines := run(t, compile(t, "reentrant.c"), true, srv.WSURL(""))
	var events []string
	for _, l := range lines {
		if strings.HasPrefix(l, "r on") {
			events = append(events, l)
		}
	}
	assert.Equal(t, []string{
		"r onOpen 101 Switching Protocols",
		"r onMessage 5 hello",
		"r onMessage 3 bye",
		"r onClose 1000 bye",
		"r onOpen 101 Switching Protocols",
		"r onClose 4002 from onOpen",
	}, events)
	assert.Len(t, srv.Requests(), 2)
}

func TestManyClientsAtOnce(t *testing.T) {
	srv := echo(t, echoserver.Options{})
	run(t, compile(t, "multi.c"), true, srv.WSURL(""))
	reqs := srv.Requests()
	assert.Len(t, reqs, 8)
	for _, r := range reqs {
		assert.Equal(t, "multi", r.Header.Get("X-Client"))
	}
}

// ordered returns the lines of the platform programs whose order is fixed.
// It checks and drops the others: "Send: 0", which main prints while the
// echo may already be on its way, and onClose, which may or may not run
// between Close and Destroy (if it does, it reports the close sent).
func ordered(lines []string) []string {
	var out []string
	sent := false
	for _, l := range lines {
		switch l {
		case "Send: 0":
			sent = true
		case "onClose: code: 1000, reason: Actively Close":
		default:
			out = append(out, l)
		}
	}
	if !sent {
		out = append(out, "(no \"Send: 0\")")
	}
	return out
}

// TestPlatformProgram runs an NDK program written only against the
// platform's names and documented usage.
func TestPlatformProgram(t *testing.T) {
	srv := echo(t, echoserver.Options{})
	lines := run(t, compile(t, "platform.c"), false, srv.WSURL("/platform"))
	assert.Equal(t, []string{
		"onOpen: code: 101, reason: Switching Protocols",
		"onMessage: len: 14, data: Hello, server!",
		"Close: 0",
		"websocket client not connected.",
		"Close again: -1",
	}, ordered(lines))
	require.Len(t, srv.Requests(), 1)
	assert.Equal(t, "application/json", srv.Requests()[0].Header.Get("Content-Type"))
}

// TestPlatformGuideCPP runs the C++ example of the platform's guide.
func TestPlatformGuideCPP(t *testing.T) {
	srv := echo(t, echoserver.Options{})
	lines := run(t, compile(t, "guide.cpp"), false, srv.WSURL("/guide"))
	assert.Equal(t, []string{
		"onOpen: code: 101, reason: Switching Protocols",
		"onMessage: len: 14, data: Hello, server!",
		"Close: 0",
		"websocket client not connected.",
		"Send after Close: 1001",
	}, ordered(lines))
	require.Len(t, srv.Requests(), 1)
	assert.Empty(t, srv.Requests()[0].Header.Values("Content-Type"), "options {} send no header")
}

// TestReadmeProgram runs the C program that the README shows: it waits for
// each callback it needs, so the open, the echo and the close are always
// printed, in this order.
func TestReadmeProgram(t *testing.T) {
	srv := echo(t, echoserver.Options{})
	lines := run(t, compile(t, "readme.c"), false, srv.WSURL("/readme"))
	assert.Equal(t, []string{
		"onOpen: code: 101, reason: Switching Protocols",
		"onMessage: len: 14, data: Hello, server!",
		"onClose: code: 1000, reason: Actively Close",
	}, lines)
	require.Len(t, srv.Requests(), 1)
	assert.Equal(t, "application/json", srv.Requests()[0].Header.Get("Content-Type"))
}

// TestReadmeProgramRefused: when the connection fails, the program's wait
// ends with onError, not with its time limit, and it exits with status 1.
func TestReadmeProgramRefused(t *testing.T) {
	exe := compile(t, "readme.c")
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	dead := "ws://" + l.Addr().String() + "/"
	require.NoError(t, l.Close())

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second) // the program's own limit is 10 s
	defer cancel()
	cmd := exec.CommandContext(ctx, exe, dead)
	cmd.Env = append(os.Environ(), "LD_LIBRARY_PATH="+library(t))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, ctx.Err(), "the program waited for its time limit")
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit)
	assert.Equal(t, 1, exit.ExitCode())
	assert.Regexp(t, `^onError: code: 1003, message: websocket: connection failed: `+regexp.QuoteMeta(dead)+`: .*connection refused\n$`, string(out))
	assert.Equal(t, "no onOpen\n", stderr.String())
}
