package interop_test

import (
	"crypto/md5"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/samber/mo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cangjie-go/ohos/internal/echoserver"
	"github.com/cangjie-go/ohos/internal/testpki"
	"github.com/cangjie-go/ohos/networkkit/websocket"
)

// TestSquidHTTPSProxy runs the client through squid (squid-openssl)
// listening with TLS (https_port) as an HTTPS forward proxy that demands
// Basic credentials (basic_ncsa_auth): explicit and from HTTPS_PROXY; ws and
// wss; the proxy verified with ProxyTLSConfig only.
func TestSquidHTTPSProxy(t *testing.T) {
	bin := requireTool(t, "/usr/sbin/squid", "squid-openssl")
	helper := requireTool(t, "/usr/lib/squid/basic_ncsa_auth", "squid-openssl")
	const user, password = "alice", "squ1d-s3cr3t"
	const name = "ws.interop.test" // resolved by squid's own hosts file
	backend := echoserver.New(echoserver.Options{})
	defer backend.Close()
	ca := testpki.NewCA(t, "squid")
	secure, securePort := tlsEcho(t, ca, name)

	dir := squidDir(t)
	leaf := ca.Issue("squid", testpki.LeafOptions{})
	cert := copyFile(t, leaf.CertFile, dir, "proxy.pem")
	key := copyFile(t, leaf.KeyFile, dir, "proxy.key")
	passwd := writeFile(t, dir, "passwd", user+":"+md5Hex(password)+"\n")
	hosts := writeFile(t, dir, "hosts", "127.0.0.1 "+name+"\n")
	port := freePort(t)
	conf := writeFile(t, dir, "squid.conf", fmt.Sprintf(`pid_filename %[1]s/squid.pid
cache_log stdio:/dev/stderr
access_log stdio:%[1]s/access.log
cache deny all
cache_mem 8 MB
coredump_dir %[1]s
netdb_filename none
pinger_enable off
visible_hostname squid-interop
shutdown_lifetime 0 seconds
max_filedescriptors 1024
hosts_file %[2]s
https_port 127.0.0.1:%[3]d tls-cert=%[4]s tls-key=%[5]s
auth_param basic program %[6]s %[7]s
auth_param basic realm interop
acl authed proxy_auth REQUIRED
http_access allow authed
http_access deny all
`, dir, hosts, port, cert, key, helper, passwd))
	p := startPeer(t, bin, "-N", "-d", "1", "-f", conf)
	waitListening(t, p, net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	proxyTLS := &tls.Config{RootCAs: ca.Pool()}
	proxy := func(pw string) websocket.HTTPProxy {
		return websocket.HTTPProxy{Host: "127.0.0.1", Port: uint16(port), HTTPS: true, Username: mo.Some(user), Password: pw}
	}

	t.Run("ws", func(t *testing.T) {
		echo(t, backend.WSURL("/via-squid"), &websocket.RequestOptions{Proxy: proxy(password), ProxyTLSConfig: proxyTLS})
		waitLogged(t, filepath.Join(dir, "access.log"), "CONNECT 127.0.0.1:"+strconv.Itoa(portOf(t, backend))+" "+user)
	})
	t.Run("wss to a name the proxy resolves", func(t *testing.T) {
		before := len(secure.Requests())
		echo(t, fmt.Sprintf("wss://%s:%d/", name, securePort), &websocket.RequestOptions{Proxy: proxy(password),
			ProxyTLSConfig: proxyTLS, CAPath: ca.CertFile})
		assert.Len(t, secure.Requests(), before+1)
	})
	t.Run("HTTPS_PROXY with credentials", func(t *testing.T) {
		clearProxyEnv(t)
		t.Setenv("HTTPS_PROXY", fmt.Sprintf("https://%s:%s@127.0.0.1:%d", user, password, port))
		echo(t, fmt.Sprintf("wss://%s:%d/", name, securePort), &websocket.RequestOptions{ProxyTLSConfig: proxyTLS, CAPath: ca.CertFile})
		waitLogged(t, filepath.Join(dir, "access.log"), "CONNECT "+name+":"+strconv.Itoa(securePort)+" "+user)
	})
	t.Run("wrong password: 407, credentials not shown", func(t *testing.T) {
		err := connectErr(t, backend.WSURL("/"), &websocket.RequestOptions{Proxy: proxy("wrong-pw"), ProxyTLSConfig: proxyTLS})
		var pe *websocket.ProxyError
		require.ErrorAs(t, err, &pe)
		assert.Equal(t, http.StatusProxyAuthRequired, pe.StatusCode)
		secretsAbsent(t, err, user, "wrong-pw")
	})
	t.Run("the server's CA does not make the proxy trusted", func(t *testing.T) {
		other := testpki.NewCA(t, "not-squid")
		err := connectErr(t, backend.WSURL("/"), &websocket.RequestOptions{Proxy: proxy(password),
			ProxyTLSConfig: &tls.Config{RootCAs: other.Pool()}, CAPath: ca.CertFile})
		assert.Contains(t, err.Error(), "tls handshake with proxy")
		secretsAbsent(t, err, user, password)
	})
}

// squidDir returns a directory for squid's files. Run as root, squid works
// as the user "proxy", which must read and write there.
func squidDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "squid-interop-")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	if os.Geteuid() == 0 {
		u, err := lookupUser("proxy")
		require.NoError(t, err, "squid runs as the user proxy when started as root")
		require.NoError(t, os.Chown(dir, u.uid, u.gid))
	}
	return dir
}

// waitLogged waits until the log file holds line (squid logs a tunnel when
// it closes, which may be a moment after the client saw the close).
func waitLogged(t *testing.T, path, line string) {
	t.Helper()
	deadline := time.After(15 * time.Second)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		b, err := os.ReadFile(path)
		if err == nil && strings.Contains(string(b), line) {
			return
		}
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("%s does not log %q after 15 s; it holds:\n%s", path, line, b)
		}
	}
}

func copyFile(t *testing.T, from, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(from)
	require.NoError(t, err)
	return writeFile(t, dir, name, string(b))
}

// md5Hex is a password as basic_ncsa_auth accepts it in its file: the hex
// MD5 digest (a test password, not a way to store one).
func md5Hex(password string) string {
	sum := md5.Sum([]byte(password))
	return hex.EncodeToString(sum[:])
}

type ids struct{ uid, gid int }

// lookupUser returns the ids of a system user.
func lookupUser(name string) (ids, error) {
	u, err := user.Lookup(name)
	if err != nil {
		return ids{}, err
	}
	uid, err := strconv.Atoi(u.Uid)
	if err != nil {
		return ids{}, err
	}
	gid, err := strconv.Atoi(u.Gid)
	return ids{uid, gid}, err
}
