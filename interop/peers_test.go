package interop_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/cangjie-go/ohos/internal/echoserver"
	"github.com/cangjie-go/ohos/internal/testpki"
)

// requireTool returns the path of a program a real-peer test needs. When it
// is missing the test is skipped on a developer machine and fails in CI
// (CI is set), where .ci/run installs it.
func requireTool(t *testing.T, path, pkg string) string {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is missing in CI: .ci/run must install the Debian package %s", path, pkg)
		}
		t.Skipf("%s is not installed (apt-get install %s); skipping the real-peer test", path, pkg)
	}
	return path
}

// requirePython returns Debian's python3 after checking that it can import
// module.
func requirePython(t *testing.T, module, pkg string) string {
	t.Helper()
	py := requireTool(t, "/usr/bin/python3", "python3")
	if err := exec.Command(py, "-c", "import "+module).Run(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("python module %s is missing in CI: .ci/run must install %s", module, pkg)
		}
		t.Skipf("python module %s is not installed (apt-get install %s); skipping", module, pkg)
	}
	return py
}

// freePort returns a loopback port that was free a moment ago, for programs
// that cannot report the port they chose. It is picked below Linux's
// ephemeral range (32768 and up), where the kernel never hands out ports:
// tests running meanwhile (listening on 127.0.0.1:0, dialing out) cannot
// take it before the program binds it, and waitListening's dial cannot
// connect to itself (a TCP self-connect needs the dialer's ephemeral port
// to be the port dialed).
func freePort(t *testing.T) int {
	t.Helper()
	for range 100 {
		port := 20000 + rand.IntN(12000)
		ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err == nil {
			ln.Close()
			return port
		}
	}
	t.Fatal("no free loopback port in 20000-31999 after 100 tries")
	return 0
}

// peer is a running external program.
type peer struct {
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	output  *strings.Builder
	lines   chan string
	exited  chan struct{}
	scanned chan struct{} // the output has been read to its end
}

// startPeer runs a program for the length of the test; its output is shown
// when the test fails.
func startPeer(t *testing.T, name string, args ...string) *peer {
	t.Helper()
	cmd := exec.Command(name, args...)
	var out strings.Builder
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", name, err)
	}
	p := &peer{cmd: cmd, stdin: stdin, output: &out, exited: make(chan struct{}), scanned: make(chan struct{})}
	lines := make(chan string, 64)
	go func() {
		defer close(p.scanned)
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			out.WriteString(sc.Text() + "\n")
			select {
			case lines <- sc.Text():
			default:
			}
		}
		close(lines)
	}()
	go func() {
		cmd.Wait()
		pw.Close()
		close(p.exited)
	}()
	p.lines = lines
	t.Cleanup(func() {
		stdin.Close()
		cmd.Process.Signal(os.Interrupt)
		select {
		case <-p.exited:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-p.exited
		}
		<-p.scanned
		if t.Failed() {
			t.Logf("output of %s:\n%s", filepath.Base(name), out.String())
		}
	})
	return p
}

// stop ends the peer as a restart does: its stdin closes (the python peers
// then close their connections with 1001 and exit), and it is waited for.
func (p *peer) stop(t *testing.T) {
	t.Helper()
	p.stdin.Close()
	select {
	case <-p.exited:
	case <-time.After(10 * time.Second):
		t.Fatalf("%s did not exit within 10 s of its stdin closing", p.cmd.Path)
	}
}

// waitLine waits for an output line with prefix and returns it.
func (p *peer) waitLine(t *testing.T, prefix string) string {
	t.Helper()
	deadline := time.After(15 * time.Second)
	for {
		select {
		case l, ok := <-p.lines:
			if !ok {
				t.Fatalf("%s exited before printing %q", p.cmd.Path, prefix)
			}
			if strings.HasPrefix(l, prefix) {
				return l
			}
		case <-deadline:
			t.Fatalf("%s did not print %q within 15 s", p.cmd.Path, prefix)
		}
	}
}

// waitListening waits until something accepts TCP connections on addr.
func waitListening(t *testing.T, p *peer, addr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		var d net.Dialer
		if c, err := d.DialContext(ctx, "tcp", addr); err == nil {
			c.Close()
			return
		}
		select {
		case <-tick.C:
		case <-p.exited:
			t.Fatalf("%s exited before listening on %s", p.cmd.Path, addr)
		case <-ctx.Done():
			t.Fatalf("nothing listens on %s after 15 s", addr)
		}
	}
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// tlsEcho is an echo server over TLS on 127.0.0.1 with a certificate of ca
// for the given names (and 127.0.0.1); it returns the server's port.
func tlsEcho(t *testing.T, ca *testpki.CA, names ...string) (*echoserver.Server, int) {
	t.Helper()
	echo := echoserver.New(echoserver.Options{})
	leaf := ca.Issue("wss-backend", testpki.LeafOptions{DNSNames: names, IPs: []net.IP{net.IPv4(127, 0, 0, 1)}})
	ts := httptest.NewUnstartedServer(echo.Server.Config.Handler)
	ts.TLS = &tls.Config{Certificates: []tls.Certificate{leaf.TLS}}
	ts.StartTLS()
	t.Cleanup(func() {
		ts.Close()
		echo.Close()
	})
	return echo, ts.Listener.Addr().(*net.TCPAddr).Port
}

// portOf returns the port of a backend's ws:// URL.
func portOf(t *testing.T, s *echoserver.Server) int {
	t.Helper()
	return s.Listener.Addr().(*net.TCPAddr).Port
}

// secretsAbsent checks that no error in err's chain shows a secret.
func secretsAbsent(t *testing.T, err error, secrets ...string) {
	t.Helper()
	for e := err; e != nil; e = errors.Unwrap(e) {
		for _, s := range secrets {
			assert.NotContains(t, e.Error(), s, "an error shows a credential")
		}
	}
}

// clearProxyEnv empties every variable the system proxy reads.
func clearProxyEnv(t *testing.T) {
	for _, k := range []string{"HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy", "REQUEST_METHOD"} {
		t.Setenv(k, "")
	}
}
