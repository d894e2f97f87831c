// Tls ports the example of connect(url, options, callback) in the ArkTS
// @ohos.net.webSocket documentation (options header and caPath), with the
// clientCert of the Cangjie WebSocketRequestOptions: it connects over wss
// with the header "content-type: application/json", a CA file of its own and
// a client certificate with an encrypted key, sends "Hello, server!", prints
// the echo, closes, and prints the close result.
//
// Usage:
//
//	go run ./examples/tls [-url wss://host:port/path -ca FILE -cert FILE -key FILE -key-password PASSWORD]
//
// Without -url the other flags are ignored: it generates a CA and
// certificates into a temporary directory, and starts a TLS echo server on
// 127.0.0.1 that requires a client certificate (see startLocal).
package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/cangjie-go/ohos/callback"
	"github.com/cangjie-go/ohos/internal/echoserver"
	"github.com/cangjie-go/ohos/networkkit/websocket"
	"github.com/samber/mo"
	"github.com/youmark/pkcs8"
)

// requestOptions returns the options of the document's example, with the
// CA file and the client certificate and key files given. An empty cert and
// key mean no client certificate.
func requestOptions(ca, cert, key string, keyPassword mo.Option[string]) *websocket.RequestOptions {
	opts := &websocket.RequestOptions{Header: map[string]string{"content-type": "application/json"}, CAPath: ca}
	if cert != "" || key != "" {
		opts.ClientCert = &websocket.ClientCert{CertPath: cert, KeyPath: key, KeyPassword: keyPassword}
	}
	return opts
}

// run connects to url with opts, exchanges one message, closes, and returns
// nil once the close event has arrived, or the error of a failed connect.
func run(ctx context.Context, url string, opts *websocket.RequestOptions, out io.Writer) error {
	ws := websocket.CreateWebSocket()
	// One outcome only: a failed connect, or the close event that ends every
	// connection that opened.
	done := make(chan error, 1)
	if err := errors.Join(
		ws.OnOpen(websocket.WebSocketAsyncCallbackFunc[map[uint32]string](func(mo.Option[callback.AsyncError], mo.Option[map[uint32]string]) {
			ws.Send(websocket.StringData("Hello, server!"), func(err mo.Option[callback.AsyncError], _ mo.Option[bool]) {
				if e, failed := err.Get(); failed {
					fmt.Fprintf(out, "send fail, err: %v\n", e)
				}
			})
		})),
		ws.OnMessage(websocket.WebSocketAsyncCallbackFunc[websocket.MessageData](func(_ mo.Option[callback.AsyncError], value mo.Option[websocket.MessageData]) {
			fmt.Fprintf(out, "on message, message: %v\n", value.OrEmpty())
			ws.Close(func(mo.Option[callback.AsyncError], mo.Option[bool]) {}, nil) // the close event reports the end
		})),
		ws.OnClose(websocket.WebSocketAsyncCallbackFunc[websocket.CloseResult](func(_ mo.Option[callback.AsyncError], value mo.Option[websocket.CloseResult]) {
			res := value.OrEmpty()
			fmt.Fprintf(out, "on close, code is %d, reason is %q\n", res.Code, res.Reason)
			done <- nil
		})),
	); err != nil {
		return err
	}

	ws.Connect(url, func(err mo.Option[callback.AsyncError], _ mo.Option[bool]) {
		if e, failed := err.Get(); failed {
			fmt.Fprintf(out, "connect fail, err: %v\n", e)
			done <- e // no close event follows a failed connect
			return
		}
		fmt.Fprintln(out, "connect success")
	}, opts)

	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		ws.Close(func(mo.Option[callback.AsyncError], mo.Option[bool]) {}, nil) // give up the connection
		return fmt.Errorf("no outcome from %s: %w", url, ctx.Err())
	}
}

func main() {
	url := flag.String("url", "", "wss server `URL`; if empty, a TLS echo server on 127.0.0.1 is started with certificates of its own")
	ca := flag.String("ca", "", "CA certificate `file` (PEM) that replaces the system roots")
	cert := flag.String("cert", "", "client certificate `file` (PEM)")
	key := flag.String("key", "", "client key `file` (PEM)")
	keyPassword := flag.String("key-password", "", "`password` of an encrypted client key")
	flag.Parse()
	if err := serveAndRun(*url, requestOptions(*ca, *cert, *key, mo.EmptyableToOption(*keyPassword))); err != nil {
		fmt.Fprintln(os.Stderr, "tls:", err)
		os.Exit(1)
	}
}

// serveAndRun calls run for url and opts, or for the local setup if url is
// empty, within 30 seconds.
func serveAndRun(url string, opts *websocket.RequestOptions) error {
	if url == "" {
		var stop func()
		var err error
		if url, opts, stop, err = startLocal("example password"); err != nil {
			return err
		}
		defer stop()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return run(ctx, url, opts, os.Stdout)
}

// Local setup, not part of the ported example: startLocal generates a CA, a
// server certificate for 127.0.0.1 and localhost and a client certificate,
// writes the CA, the client certificate and the client key (PKCS#8,
// encrypted with keyPassword) to a temporary directory, and starts a TLS echo
// server on 127.0.0.1 that requires a client certificate from the CA. It
// returns the server's URL, the options that reach it, and a function that
// stops the server and removes the directory.
func startLocal(keyPassword string) (url string, opts *websocket.RequestOptions, stop func(), err error) {
	certs := []*x509.Certificate{ // the CA first: it signs the others
		{Subject: pkix.Name{CommonName: "example CA"}, IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign},
		{IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, DNSNames: []string{"localhost"}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}},
		{Subject: pkix.Name{CommonName: "example client"}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}},
	}
	keys := make([]*ecdsa.PrivateKey, len(certs))
	for i, tmpl := range certs {
		if keys[i], err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
			return "", nil, nil, err
		}
		tmpl.SerialNumber = big.NewInt(int64(i + 1))
		tmpl.NotBefore, tmpl.NotAfter = time.Now().Add(-time.Minute), time.Now().Add(time.Hour)
		// The CA signs each certificate; in round 0 certs[0] is still its template: self-signed.
		der, err := x509.CreateCertificate(rand.Reader, tmpl, certs[0], &keys[i].PublicKey, keys[0])
		if err != nil {
			return "", nil, nil, err
		}
		if certs[i], err = x509.ParseCertificate(der); err != nil {
			return "", nil, nil, err
		}
	}
	encKey, err := pkcs8.MarshalPrivateKey(keys[2], []byte(keyPassword), nil)
	if err != nil {
		return "", nil, nil, err
	}
	dir, err := os.MkdirTemp("", "ohos-tls-example-")
	if err != nil {
		return "", nil, nil, err
	}
	ca, cert, key := filepath.Join(dir, "ca.pem"), filepath.Join(dir, "client.pem"), filepath.Join(dir, "client-key.pem")
	if err := errors.Join(
		os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: certs[0].Raw}), 0o600),
		os.WriteFile(cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: certs[2].Raw}), 0o600),
		os.WriteFile(key, pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: encKey}), 0o600),
	); err != nil {
		return "", nil, nil, errors.Join(err, os.RemoveAll(dir))
	}

	echo := echoserver.New(echoserver.Options{})
	srv := httptest.NewUnstartedServer(echo.Server.Config.Handler)
	srv.TLS = &tls.Config{
		Certificates: []tls.Certificate{{Certificate: [][]byte{certs[1].Raw}, PrivateKey: keys[1]}},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    x509.NewCertPool(),
	}
	srv.TLS.ClientCAs.AddCert(certs[0])
	srv.StartTLS()
	stop = func() {
		echo.Close() // also drops the WebSocket connections of srv, which shares its handler
		srv.Close()
		os.RemoveAll(dir)
	}
	url = "wss" + strings.TrimPrefix(srv.URL, "https")
	return url, requestOptions(ca, cert, key, mo.Some(keyPassword)), stop, nil
}
