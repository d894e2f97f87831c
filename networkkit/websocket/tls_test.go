package websocket_test

// End-to-end tests of RequestOptions.TLSClientConfig and how it combines
// with CAPath, ClientCert, SkipServerCertVerification and MinTLSVersion.

import (
	"crypto/tls"
	"crypto/x509"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cangjie-go/ohos/internal/echoserver"
	"github.com/cangjie-go/ohos/internal/testpki"
	"github.com/cangjie-go/ohos/networkkit/websocket"
)

// TestTLSClientConfigInMemoryClientCert: a client certificate held in
// memory only (tls.Config.Certificates, no files) is presented, and the
// config's RootCAs verify the server.
func TestTLSClientConfigInMemoryClientCert(t *testing.T) {
	ca := testpki.NewCA(t, "memory")
	scfg := serverTLS(ca.Issue("server", testpki.LeafOptions{}))
	scfg.ClientAuth = tls.RequireAndVerifyClientCert
	scfg.ClientCAs = ca.Pool()
	srv := newEchoHost(t, scfg, echoserver.Options{})
	client := ca.Issue("in-memory-client", testpki.LeafOptions{Client: true})

	connectEcho(t, srv.url("127.0.0.1"), &websocket.RequestOptions{TLSClientConfig: &tls.Config{
		RootCAs:      ca.Pool(),
		Certificates: []tls.Certificate{client.TLS},
	}})
	assert.Equal(t, []string{"in-memory-client"}, srv.seenPeers())

	// Without the certificate the server refuses the TLS handshake.
	err := tryConnect(t, srv.url("127.0.0.1"), &websocket.RequestOptions{TLSClientConfig: &tls.Config{RootCAs: ca.Pool()}})
	requireCode(t, err, websocket.ErrConnectionFailed)
}

// tlsFields are the fields of a tls.Config that the package could be
// tempted to set.
type tlsFields struct {
	ServerName         string
	RootCAs            *x509.CertPool
	Certificates       int
	InsecureSkipVerify bool
	MinVersion         uint16
	NextProtos         []string
	SessionCache       tls.ClientSessionCache
}

func fieldsOf(c *tls.Config) tlsFields {
	return tlsFields{c.ServerName, c.RootCAs, len(c.Certificates), c.InsecureSkipVerify, c.MinVersion,
		append([]string(nil), c.NextProtos...), c.ClientSessionCache}
}

// TestTLSClientConfigNotModified: Connect works on a clone; the caller's
// config keeps every field, whatever the options set on the clone.
func TestTLSClientConfigNotModified(t *testing.T) {
	ca := testpki.NewCA(t, "clone")
	srv := newEchoHost(t, serverTLS(ca.Issue("server", testpki.LeafOptions{})), echoserver.Options{})
	client := ca.Issue("client", testpki.LeafOptions{Client: true})
	tests := []struct {
		name string
		cfg  *tls.Config
		opts websocket.RequestOptions
	}{
		{name: "empty config, every file option",
			cfg: &tls.Config{},
			opts: websocket.RequestOptions{CAPath: ca.CertFile, MinTLSVersion: websocket.TLSv12,
				ClientCert: &websocket.ClientCert{CertPath: client.CertFile, KeyPath: client.KeyFile}}},
		{name: "config with roots, skip verification",
			cfg:  &tls.Config{RootCAs: ca.Pool(), NextProtos: []string{"h2", "http/1.1"}},
			opts: websocket.RequestOptions{SkipServerCertVerification: true}},
		{name: "config with everything, no options",
			cfg: &tls.Config{RootCAs: ca.Pool(), Certificates: []tls.Certificate{client.TLS}, MinVersion: tls.VersionTLS13,
				NextProtos: []string{"h2"}, ClientSessionCache: tls.NewLRUClientSessionCache(4)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := fieldsOf(tt.cfg)
			opts := tt.opts
			opts.TLSClientConfig = tt.cfg
			connectEcho(t, srv.url("localhost"), &opts)
			assert.Equal(t, before, fieldsOf(tt.cfg))
			assert.Empty(t, tt.cfg.ServerName, "the URL's host went into the caller's config")
		})
	}
}

// TestTLSSessionResumption: two connections that share the caller's
// ClientSessionCache resume the first one's session; without a cache they
// do not.
func TestTLSSessionResumption(t *testing.T) {
	ca := testpki.NewCA(t, "resume")
	for _, version := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		t.Run(tls.VersionName(version), func(t *testing.T) {
			scfg := serverTLS(ca.Issue("server", testpki.LeafOptions{}))
			scfg.MaxVersion = version
			srv := newEchoHost(t, scfg, echoserver.Options{})
			shared := &tls.Config{RootCAs: ca.Pool(), ClientSessionCache: tls.NewLRUClientSessionCache(8)}
			for range 2 {
				connectEcho(t, srv.url("localhost"), &websocket.RequestOptions{TLSClientConfig: shared})
			}
			connectEcho(t, srv.url("localhost"), &websocket.RequestOptions{CAPath: ca.CertFile})
			assert.Equal(t, []bool{false, true, false}, srv.seenResumed())
		})
	}
}

// TestTLSClientConfigServerName: the server name defaults to the URL's
// host; a ServerName in the config is verified instead.
func TestTLSClientConfigServerName(t *testing.T) {
	ca := testpki.NewCA(t, "names")
	srv := newEchoHost(t, serverTLS(ca.Issue("named", testpki.LeafOptions{DNSNames: []string{"ws.example.test"}})), echoserver.Options{})

	// 127.0.0.1 is not in the certificate.
	err := tryConnect(t, srv.url("127.0.0.1"), &websocket.RequestOptions{TLSClientConfig: &tls.Config{RootCAs: ca.Pool()}})
	requireCode(t, err, websocket.ErrConnectionFailed)
	var hostErr x509.HostnameError
	assert.ErrorAs(t, err, &hostErr)

	connectEcho(t, srv.url("127.0.0.1"), &websocket.RequestOptions{
		TLSClientConfig: &tls.Config{RootCAs: ca.Pool(), ServerName: "ws.example.test"}})
}

// TestTLSClientConfigALPN: of the config's NextProtos only "http/1.1" is
// offered, so that a server that prefers h2 still speaks HTTP/1.1.
func TestTLSClientConfigALPN(t *testing.T) {
	ca := testpki.NewCA(t, "alpn")
	scfg := serverTLS(ca.Issue("server", testpki.LeafOptions{}))
	scfg.NextProtos = []string{"h2", "http/1.1"}
	srv := newEchoHost(t, scfg, echoserver.Options{})
	for _, protos := range [][]string{{"h2", "http/1.1"}, {"h2"}, nil} {
		connectEcho(t, srv.url("127.0.0.1"), &websocket.RequestOptions{
			TLSClientConfig: &tls.Config{RootCAs: ca.Pool(), NextProtos: protos}})
	}
	assert.Equal(t, []string{"http/1.1", "", ""}, srv.seenALPN())
}

// TestTLSClientConfigConflicts: an option whose field the config already
// sets to something else is 401 before any dial; options that agree with
// the config, or fields it leaves unset, are fine.
func TestTLSClientConfigConflicts(t *testing.T) {
	ca := testpki.NewCA(t, "conflicts")
	srv := newEchoHost(t, serverTLS(ca.Issue("server", testpki.LeafOptions{})), echoserver.Options{})
	client := ca.Issue("client", testpki.LeafOptions{Client: true})
	clientCert := &websocket.ClientCert{CertPath: client.CertFile, KeyPath: client.KeyFile}
	getCert := func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return &client.TLS, nil }
	tests := []struct {
		name string
		opts websocket.RequestOptions
		want string // "" for no error; else a part of the 401 message
	}{
		{"CAPath and RootCAs", websocket.RequestOptions{CAPath: ca.CertFile,
			TLSClientConfig: &tls.Config{RootCAs: ca.Pool()}}, "RootCAs"},
		{"ClientCert and Certificates", websocket.RequestOptions{ClientCert: clientCert,
			TLSClientConfig: &tls.Config{RootCAs: ca.Pool(), Certificates: []tls.Certificate{client.TLS}}}, "Certificates"},
		{"ClientCert and GetClientCertificate", websocket.RequestOptions{ClientCert: clientCert,
			TLSClientConfig: &tls.Config{RootCAs: ca.Pool(), GetClientCertificate: getCert}}, "GetClientCertificate"},
		{"MinTLSVersion and another MinVersion", websocket.RequestOptions{MinTLSVersion: websocket.TLSv12,
			TLSClientConfig: &tls.Config{RootCAs: ca.Pool(), MinVersion: tls.VersionTLS13}}, "MinVersion"},
		{"MinTLSVersion equal to MinVersion", websocket.RequestOptions{MinTLSVersion: websocket.TLSv13,
			TLSClientConfig: &tls.Config{RootCAs: ca.Pool(), MinVersion: tls.VersionTLS13}}, ""},
		{"CAPath fills RootCAs", websocket.RequestOptions{CAPath: ca.CertFile,
			TLSClientConfig: &tls.Config{MinVersion: tls.VersionTLS12}}, ""},
		{"ClientCert fills Certificates", websocket.RequestOptions{ClientCert: clientCert,
			TLSClientConfig: &tls.Config{RootCAs: ca.Pool()}}, ""},
		{"SkipServerCertVerification over a config that verifies", websocket.RequestOptions{SkipServerCertVerification: true,
			TLSClientConfig: &tls.Config{RootCAs: x509.NewCertPool()}}, ""},
		{"empty ClientCert is none", websocket.RequestOptions{ClientCert: &websocket.ClientCert{},
			TLSClientConfig: &tls.Config{RootCAs: ca.Pool(), Certificates: []tls.Certificate{client.TLS}}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := srv.conns.Load()
			err := tryConnect(t, srv.url("127.0.0.1"), &tt.opts)
			if tt.want == "" {
				require.NoError(t, err)
				return
			}
			requireCode(t, err, websocket.ErrParameter)
			assert.Contains(t, err.Error(), tt.want)
			assert.Equal(t, before, srv.conns.Load(), "the server was dialed")
		})
	}
}

// TestTLSClientConfigMinVersion: MinTLSVersion fills MinVersion of a config
// that leaves it unset, and a config's MinVersion applies alone.
func TestTLSClientConfigMinVersion(t *testing.T) {
	ca := testpki.NewCA(t, "versions")
	scfg := serverTLS(ca.Issue("server", testpki.LeafOptions{}))
	scfg.MaxVersion = tls.VersionTLS12
	srv := newEchoHost(t, scfg, echoserver.Options{})
	for _, opts := range []*websocket.RequestOptions{
		{MinTLSVersion: websocket.TLSv13, TLSClientConfig: &tls.Config{RootCAs: ca.Pool()}},
		{TLSClientConfig: &tls.Config{RootCAs: ca.Pool(), MinVersion: tls.VersionTLS13}},
	} {
		err := tryConnect(t, srv.url("127.0.0.1"), opts)
		requireCode(t, err, websocket.ErrConnectionFailed)
		assert.Contains(t, err.Error(), "protocol version")
	}
	connectEcho(t, srv.url("127.0.0.1"), &websocket.RequestOptions{MinTLSVersion: websocket.TLSv12,
		TLSClientConfig: &tls.Config{RootCAs: ca.Pool()}})
}
