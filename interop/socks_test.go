package interop_test

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"testing"

	"github.com/samber/mo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cangjie-go/ohos/internal/echoserver"
	"github.com/cangjie-go/ohos/internal/testpki"
	"github.com/cangjie-go/ohos/networkkit/websocket"
)

// TestDanteSOCKS5 runs the client through dante-server (danted) as a SOCKS5
// proxy without authentication: ws and wss, an IP address and a host name
// the proxy resolves.
func TestDanteSOCKS5(t *testing.T) {
	bin := requireTool(t, "/usr/sbin/danted", "dante-server")
	backend := echoserver.New(echoserver.Options{})
	defer backend.Close()
	ca := testpki.NewCA(t, "dante")
	secure, securePort := tlsEcho(t, ca, "localhost")
	port := freePort(t)
	dir := t.TempDir()
	users := ""
	if os.Geteuid() == 0 {
		users = "user.privileged: root\nuser.unprivileged: nobody\n"
	}
	conf := writeFile(t, dir, "danted.conf", fmt.Sprintf(`logoutput: stderr
internal: 127.0.0.1 port = %d
external: 127.0.0.1
socksmethod: none
clientmethod: none
%sclient pass {
	from: 127.0.0.0/8 to: 0.0.0.0/0
}
socks pass {
	from: 127.0.0.0/8 to: 0.0.0.0/0
	command: connect
}
`, port, users))
	p := startPeer(t, bin, "-f", conf, "-p", dir+"/danted.pid", "-N", "1")
	waitListening(t, p, net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	proxy := websocket.SOCKS5Proxy{Host: "127.0.0.1", Port: uint16(port)}

	t.Run("ws to an IP address", func(t *testing.T) {
		before := len(backend.Requests())
		echo(t, backend.WSURL("/via-dante"), &websocket.RequestOptions{Proxy: proxy})
		require.Len(t, backend.Requests(), before+1)
		assert.Equal(t, "/via-dante", backend.Requests()[before].URI)
	})
	t.Run("ws to a name the proxy resolves", func(t *testing.T) {
		echo(t, fmt.Sprintf("ws://localhost:%d/", portOf(t, backend)), &websocket.RequestOptions{Proxy: proxy})
	})
	t.Run("wss", func(t *testing.T) {
		before := len(secure.Requests())
		echo(t, fmt.Sprintf("wss://localhost:%d/", securePort), &websocket.RequestOptions{Proxy: proxy, CAPath: ca.CertFile})
		assert.Len(t, secure.Requests(), before+1)
	})
	t.Run("offered credentials are not needed", func(t *testing.T) {
		echo(t, backend.WSURL("/"), &websocket.RequestOptions{Proxy: websocket.SOCKS5Proxy{
			Host: "127.0.0.1", Port: uint16(port), Username: mo.Some("nobody-needs"), Password: "these"}})
	})
}

// TestMicrosocksSOCKS5 runs the client through microsocks as a SOCKS5 proxy
// with and without username/password authentication (RFC 1929).
func TestMicrosocksSOCKS5(t *testing.T) {
	bin := requireTool(t, "/usr/bin/microsocks", "microsocks")
	backend := echoserver.New(echoserver.Options{})
	defer backend.Close()
	ca := testpki.NewCA(t, "microsocks")
	_, securePort := tlsEcho(t, ca)

	t.Run("without authentication", func(t *testing.T) {
		port := freePort(t)
		p := startPeer(t, bin, "-i", "127.0.0.1", "-p", strconv.Itoa(port))
		waitListening(t, p, net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		proxy := websocket.SOCKS5Proxy{Host: "127.0.0.1", Port: uint16(port)}
		echo(t, backend.WSURL("/"), &websocket.RequestOptions{Proxy: proxy})
		echo(t, fmt.Sprintf("wss://127.0.0.1:%d/", securePort), &websocket.RequestOptions{Proxy: proxy, CAPath: ca.CertFile})
	})

	t.Run("with username and password", func(t *testing.T) {
		const user, password = "alice", "s0cks-s3cr3t"
		port := freePort(t)
		p := startPeer(t, bin, "-i", "127.0.0.1", "-p", strconv.Itoa(port), "-u", user, "-P", password)
		waitListening(t, p, net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		proxy := func(u mo.Option[string], pw string) *websocket.RequestOptions {
			return &websocket.RequestOptions{Proxy: websocket.SOCKS5Proxy{Host: "127.0.0.1", Port: uint16(port), Username: u, Password: pw},
				CAPath: ca.CertFile}
		}
		echo(t, backend.WSURL("/"), proxy(mo.Some(user), password))
		echo(t, fmt.Sprintf("wss://127.0.0.1:%d/", securePort), proxy(mo.Some(user), password))

		err := connectErr(t, backend.WSURL("/"), proxy(mo.Some(user), "wrong-pw"))
		assert.Contains(t, err.Error(), "authentication failed")
		secretsAbsent(t, err, user, "wrong-pw", password)

		err = connectErr(t, backend.WSURL("/"), proxy(mo.None[string](), ""))
		assert.Contains(t, err.Error(), "no acceptable authentication methods")
	})
}
