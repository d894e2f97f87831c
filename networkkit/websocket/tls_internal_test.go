package websocket

// White-box tests of tls.go: the TLS settings built from RequestOptions,
// with certificates generated at test time.

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/samber/mo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/youmark/pkcs8"
)

// testCert is a generated self-signed certificate and its key, written to
// files.
type testCert struct {
	der      []byte
	cert     *x509.Certificate
	key      *ecdsa.PrivateKey
	certPath string
	keyPath  string // SEC 1 "EC PRIVATE KEY"
	keyPEM   []byte
}

func newTestCert(t *testing.T, dir, name string) testCert {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              []string{name},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	keyDER, err := x509.MarshalECPrivateKey(key)
	require.NoError(t, err)
	tc := testCert{
		der: der, cert: cert, key: key,
		certPath: filepath.Join(dir, name+".crt"),
		keyPath:  filepath.Join(dir, name+".key"),
		keyPEM:   pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}),
	}
	writeFile(t, tc.certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	writeFile(t, tc.keyPath, tc.keyPEM)
	return tc
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	require.NoError(t, os.WriteFile(path, data, 0o600))
}

// tlsConfig builds the TLS configuration Connect builds from o.
func tlsConfig(o *RequestOptions) (*tls.Config, error) {
	f := newTLSFiles(o)
	return f.load()
}

func TestTLSConfigMinVersion(t *testing.T) {
	tests := []struct {
		v    TLSProtocol
		want uint16
	}{
		{0, 0},
		{TLSv10, tls.VersionTLS10},
		{TLSv11, tls.VersionTLS11},
		{TLSv12, tls.VersionTLS12},
		{TLSv13, tls.VersionTLS13},
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(int(tt.v)), func(t *testing.T) {
			cfg, err := tlsConfig(&RequestOptions{MinTLSVersion: tt.v})
			require.NoError(t, err)
			assert.Equal(t, tt.want, cfg.MinVersion)
		})
	}
}

func TestTLSConfigDefaults(t *testing.T) {
	cfg, err := tlsConfig(&RequestOptions{})
	require.NoError(t, err)
	assert.False(t, cfg.InsecureSkipVerify, "verification is on by default")
	assert.Nil(t, cfg.RootCAs, "system roots by default")
	assert.Empty(t, cfg.Certificates)
	assert.Empty(t, cfg.ServerName, "the host name comes from the URL")

	cfg, err = tlsConfig(&RequestOptions{SkipServerCertVerification: true})
	require.NoError(t, err)
	assert.True(t, cfg.InsecureSkipVerify)

	cfg, err = tlsConfig(&RequestOptions{ClientCert: &ClientCert{}})
	require.NoError(t, err)
	assert.Empty(t, cfg.Certificates, "an empty ClientCert presents nothing")
}

func TestTLSConfigFromTLSClientConfig(t *testing.T) {
	cache := tls.NewLRUClientSessionCache(1)
	pool := x509.NewCertPool()
	base := &tls.Config{ServerName: "named.example", RootCAs: pool, ClientSessionCache: cache,
		NextProtos: []string{"h2", "http/1.1"}, MaxVersion: tls.VersionTLS12}
	cfg, err := tlsConfig(&RequestOptions{TLSClientConfig: base, SkipServerCertVerification: true, MinTLSVersion: TLSv11})
	require.NoError(t, err)
	assert.NotSame(t, base, cfg)
	assert.Equal(t, "named.example", cfg.ServerName, "a ServerName of the config is kept")
	assert.Same(t, pool, cfg.RootCAs)
	assert.Equal(t, cache, cfg.ClientSessionCache, "the cache is shared, for resumption")
	assert.Equal(t, []string{"http/1.1"}, cfg.NextProtos)
	assert.Equal(t, uint16(tls.VersionTLS12), cfg.MaxVersion)
	assert.True(t, cfg.InsecureSkipVerify)
	assert.Equal(t, uint16(tls.VersionTLS11), cfg.MinVersion)
	// The caller's config is as it was.
	assert.False(t, base.InsecureSkipVerify)
	assert.Zero(t, base.MinVersion)
	assert.Equal(t, []string{"h2", "http/1.1"}, base.NextProtos)

	// Each load has its own configuration.
	f := newTLSFiles(&RequestOptions{TLSClientConfig: base})
	a, err := f.load()
	require.NoError(t, err)
	b, err := f.load()
	require.NoError(t, err)
	assert.NotSame(t, a, b)
}

func TestProxyTLS(t *testing.T) {
	c := proxyTLS(nil, "proxy.test:3129")
	assert.Equal(t, "proxy.test", c.ServerName)
	assert.Nil(t, c.RootCAs, "system roots")
	assert.False(t, c.InsecureSkipVerify)

	c = proxyTLS(nil, "[2001:db8::1]:443")
	assert.Equal(t, "2001:db8::1", c.ServerName)

	pool := x509.NewCertPool()
	base := &tls.Config{RootCAs: pool, NextProtos: []string{"h2", "http/1.1"}}
	c = proxyTLS(base, "proxy.test:443")
	assert.NotSame(t, base, c)
	assert.Same(t, pool, c.RootCAs)
	assert.Equal(t, []string{"http/1.1"}, c.NextProtos)
	assert.Empty(t, base.ServerName)

	base.ServerName = "named.proxy"
	assert.Equal(t, "named.proxy", proxyTLS(base, "10.0.0.1:443").ServerName)
}

func TestHTTP11Only(t *testing.T) {
	assert.Nil(t, http11Only(nil))
	assert.Nil(t, http11Only([]string{"h2"}))
	assert.Equal(t, []string{"http/1.1"}, http11Only([]string{"h2", "http/1.1", "spdy/3"}))
}

func TestTLSConfigCAPath(t *testing.T) {
	dir := t.TempDir()
	ca := newTestCert(t, dir, "ca.test")
	other := newTestCert(t, t.TempDir(), "other.test")

	caDir := filepath.Join(dir, "cas")
	require.NoError(t, os.Mkdir(caDir, 0o700))
	writeFile(t, filepath.Join(caDir, "ca.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.der}))
	writeFile(t, filepath.Join(caDir, "README"), []byte("not a certificate"))
	require.NoError(t, os.Mkdir(filepath.Join(caDir, "sub"), 0o700))

	emptyDir := filepath.Join(dir, "empty")
	require.NoError(t, os.Mkdir(emptyDir, 0o700))
	noPEMDir := filepath.Join(dir, "nopem")
	require.NoError(t, os.Mkdir(noPEMDir, 0o700))
	writeFile(t, filepath.Join(noPEMDir, "x.txt"), []byte("hello"))
	noPEM := filepath.Join(dir, "nopem.pem")
	writeFile(t, noPEM, []byte("this is not PEM\n"))
	keyOnly := filepath.Join(dir, "keyonly.pem")
	writeFile(t, keyOnly, ca.keyPEM)

	tests := []struct {
		name string
		path string
		want ErrorCode
	}{
		{"file", ca.certPath, 0},
		{"directory", caDir, 0},
		{"missing", filepath.Join(dir, "missing.pem"), ErrCertificateNotFound},
		{"file without PEM", noPEM, ErrCertificateNotFound},
		{"file with a key, no certificate", keyOnly, ErrCertificateNotFound},
		{"empty directory", emptyDir, ErrCertificateNotFound},
		{"directory without PEM", noPEMDir, ErrCertificateNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := tlsConfig(&RequestOptions{CAPath: tt.path})
			checkErr(t, err, tt.want)
			if tt.want != 0 {
				assert.Nil(t, cfg)
				assert.Contains(t, err.Error(), tt.path)
				return
			}
			require.NotNil(t, cfg.RootCAs)
			// The pool trusts the CA and nothing else.
			_, err = ca.cert.Verify(x509.VerifyOptions{Roots: cfg.RootCAs, DNSName: "ca.test"})
			assert.NoError(t, err)
			_, err = other.cert.Verify(x509.VerifyOptions{Roots: cfg.RootCAs})
			assert.Error(t, err)
		})
	}
}

// legacyEncrypt encrypts a PEM key block with the legacy Proc-Type scheme.
func legacyEncrypt(t *testing.T, keyPEM []byte, password string) []byte {
	t.Helper()
	block, _ := pem.Decode(keyPEM)
	require.NotNil(t, block)
	//nolint:staticcheck // legacy PEM encryption is one of the forms ClientCert.KeyPassword decrypts
	enc, err := x509.EncryptPEMBlock(rand.Reader, block.Type, block.Bytes, []byte(password), x509.PEMCipherAES256)
	require.NoError(t, err)
	return pem.EncodeToMemory(enc)
}

// legacyPasswords returns two wrong passwords for a legacy encrypted key:
// one the cipher's padding check detects, and one that decrypts to bytes
// with valid padding (about 1 in 256 wrong passwords do), which only
// parsing the result can tell from the right password.
func legacyPasswords(t *testing.T, encPEM []byte) (detected, validPadding string) {
	t.Helper()
	block, _ := pem.Decode(encPEM)
	require.NotNil(t, block)
	for i := 0; i < 100000 && (detected == "" || validPadding == ""); i++ {
		pw := "wrong-" + strconv.Itoa(i)
		//nolint:staticcheck // see legacyEncrypt
		_, err := x509.DecryptPEMBlock(block, []byte(pw))
		switch {
		case errors.Is(err, x509.IncorrectPasswordError) && detected == "":
			detected = pw
		case err == nil && validPadding == "":
			validPadding = pw
		}
	}
	require.NotEmpty(t, detected)
	require.NotEmpty(t, validPadding)
	return detected, validPadding
}

func TestTLSConfigClientCert(t *testing.T) {
	dir := t.TempDir()
	c := newTestCert(t, dir, "client.test")
	other := newTestCert(t, dir, "other.test")

	pkcs8DER, err := x509.MarshalPKCS8PrivateKey(c.key)
	require.NoError(t, err)
	pkcs8Key := filepath.Join(dir, "pkcs8.key")
	writeFile(t, pkcs8Key, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8DER}))

	ecParamsKey := filepath.Join(dir, "ecparams.key") // as "openssl ecparam -genkey" writes it
	writeFile(t, ecParamsKey, append(pem.EncodeToMemory(&pem.Block{Type: "EC PARAMETERS", Bytes: []byte{6, 8, 42, 134, 72, 206, 61, 3, 1, 7}}), c.keyPEM...))

	encPEM := legacyEncrypt(t, c.keyPEM, "s3cret")
	encKey := filepath.Join(dir, "enc.key")
	writeFile(t, encKey, encPEM)
	wrong, wrongValidPadding := legacyPasswords(t, encPEM)

	pkcs8EncDER, err := pkcs8.MarshalPrivateKey(c.key, []byte("s3cret"), nil)
	require.NoError(t, err)
	pkcs8Enc := filepath.Join(dir, "pkcs8enc.key")
	writeFile(t, pkcs8Enc, pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: pkcs8EncDER}))
	damagedEnc := filepath.Join(dir, "damaged.key")
	writeFile(t, damagedEnc, pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: []byte{0x30, 0x03, 0x02, 0x01, 0x00}}))

	garbageKey := filepath.Join(dir, "garbage.key")
	writeFile(t, garbageKey, []byte("not a key"))
	garbageCert := filepath.Join(dir, "garbage.crt")
	writeFile(t, garbageCert, []byte("not a certificate"))

	_, edKey, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	edDER, err := x509.MarshalPKCS8PrivateKey(edKey)
	require.NoError(t, err)
	edKeyPath := filepath.Join(dir, "ed25519.key")
	writeFile(t, edKeyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: edDER}))

	missing := filepath.Join(dir, "missing")
	tests := []struct {
		name    string
		cc      ClientCert
		want    ErrorCode
		wantMsg string
	}{
		{"SEC 1 key", ClientCert{CertPath: c.certPath, KeyPath: c.keyPath}, 0, ""},
		{"PKCS#8 key", ClientCert{CertPath: c.certPath, KeyPath: pkcs8Key}, 0, ""},
		{"EC PARAMETERS before the key", ClientCert{CertPath: c.certPath, KeyPath: ecParamsKey}, 0, ""},
		{"unencrypted key, password given", ClientCert{CertPath: c.certPath, KeyPath: c.keyPath, KeyPassword: mo.Some("unused")}, 0, ""},
		{"legacy encrypted key, right password", ClientCert{CertPath: c.certPath, KeyPath: encKey, KeyPassword: mo.Some("s3cret")}, 0, ""},
		{"legacy encrypted key, wrong password", ClientCert{CertPath: c.certPath, KeyPath: encKey, KeyPassword: mo.Some(wrong)}, ErrParameter, "wrong KeyPassword"},
		{"legacy encrypted key, wrong password with valid padding", ClientCert{CertPath: c.certPath, KeyPath: encKey, KeyPassword: mo.Some(wrongValidPadding)}, ErrParameter, "wrong KeyPassword"},
		{"legacy encrypted key, empty password", ClientCert{CertPath: c.certPath, KeyPath: encKey, KeyPassword: mo.Some("")}, ErrParameter, ""},
		{"legacy encrypted key, no password", ClientCert{CertPath: c.certPath, KeyPath: encKey}, ErrParameter, "KeyPassword is absent"},
		{"PKCS#8 encrypted key, right password", ClientCert{CertPath: c.certPath, KeyPath: pkcs8Enc, KeyPassword: mo.Some("s3cret")}, 0, ""},
		{"PKCS#8 encrypted key, wrong password", ClientCert{CertPath: c.certPath, KeyPath: pkcs8Enc, KeyPassword: mo.Some("not-the-pw-42")}, ErrParameter, "wrong KeyPassword"},
		{"PKCS#8 encrypted key, no password", ClientCert{CertPath: c.certPath, KeyPath: pkcs8Enc}, ErrParameter, "KeyPassword is absent"},
		{"damaged ENCRYPTED PRIVATE KEY block", ClientCert{CertPath: c.certPath, KeyPath: damagedEnc, KeyPassword: mo.Some("s3cret")}, ErrParameter, ""},
		{"damaged ENCRYPTED PRIVATE KEY block, no password", ClientCert{CertPath: c.certPath, KeyPath: damagedEnc}, ErrParameter, ""},
		{"cert and key mismatch", ClientCert{CertPath: c.certPath, KeyPath: other.keyPath}, ErrParameter, "key pair"},
		{"cert and Ed25519 key mismatch", ClientCert{CertPath: c.certPath, KeyPath: edKeyPath}, ErrParameter, ""},
		{"key file without PEM", ClientCert{CertPath: c.certPath, KeyPath: garbageKey}, ErrParameter, ""},
		{"cert file without PEM", ClientCert{CertPath: garbageCert, KeyPath: c.keyPath}, ErrParameter, ""},
		{"cert missing", ClientCert{CertPath: missing, KeyPath: c.keyPath}, ErrCertificateNotFound, missing},
		{"key missing", ClientCert{CertPath: c.certPath, KeyPath: missing}, ErrCertificateNotFound, missing},
		{"both missing", ClientCert{CertPath: missing, KeyPath: missing + ".key"}, ErrCertificateNotFound, ""},
		{"cert is a directory", ClientCert{CertPath: dir, KeyPath: c.keyPath}, ErrCertificateNotFound, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var cfg *tls.Config
			var err error
			assert.NotPanics(t, func() { cfg, err = tlsConfig(&RequestOptions{ClientCert: &tt.cc}) })
			checkErr(t, err, tt.want)
			if tt.want != 0 {
				assert.Nil(t, cfg)
				if tt.wantMsg != "" {
					assert.Contains(t, err.Error(), tt.wantMsg)
				}
				if pw, ok := tt.cc.KeyPassword.Get(); ok && pw != "" {
					assert.NotContains(t, err.Error(), pw, "the password must not appear in the error")
				}
				return
			}
			require.Len(t, cfg.Certificates, 1)
			got := cfg.Certificates[0]
			require.NotEmpty(t, got.Certificate)
			assert.Equal(t, c.der, got.Certificate[0])
			priv, ok := got.PrivateKey.(*ecdsa.PrivateKey)
			require.True(t, ok, "private key is %T", got.PrivateKey)
			assert.True(t, c.key.Equal(priv))
		})
	}
}

func TestTLSConfigCAPathAndClientCertTogether(t *testing.T) {
	dir := t.TempDir()
	ca := newTestCert(t, dir, "ca.test")
	c := newTestCert(t, dir, "client.test")
	cfg, err := tlsConfig(&RequestOptions{
		CAPath: ca.certPath, ClientCert: &ClientCert{CertPath: c.certPath, KeyPath: c.keyPath},
		MinTLSVersion: TLSv12, SkipServerCertVerification: true,
	})
	require.NoError(t, err)
	assert.NotNil(t, cfg.RootCAs)
	assert.Len(t, cfg.Certificates, 1)
	assert.Equal(t, uint16(tls.VersionTLS12), cfg.MinVersion)
	assert.True(t, cfg.InsecureSkipVerify)

	// A bad CAPath is reported before the client certificate is read.
	_, err = tlsConfig(&RequestOptions{CAPath: filepath.Join(dir, "missing"), ClientCert: &ClientCert{CertPath: "x", KeyPath: "y"}})
	assertCode(t, err, ErrCertificateNotFound)
	assert.Contains(t, err.Error(), "CAPath")
}

func TestTLSConfigClientCertEd25519(t *testing.T) {
	dir := t.TempDir()
	pub, key, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "ed25519.test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, pub, key)
	require.NoError(t, err)
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	require.NoError(t, err)
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})

	certPath := filepath.Join(dir, "ed.crt")
	writeFile(t, certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	plainKey := filepath.Join(dir, "ed.key")
	writeFile(t, plainKey, keyPEM)
	legacyKey := filepath.Join(dir, "ed-legacy.key")
	writeFile(t, legacyKey, legacyEncrypt(t, keyPEM, "pw"))
	pkcs8DER, err := pkcs8.MarshalPrivateKey(key, []byte("pw"), nil)
	require.NoError(t, err)
	pkcs8Key := filepath.Join(dir, "ed-pkcs8.key")
	writeFile(t, pkcs8Key, pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: pkcs8DER}))

	tests := []struct {
		name string
		cc   ClientCert
	}{
		{"PKCS#8", ClientCert{CertPath: certPath, KeyPath: plainKey}},
		{"legacy encrypted PKCS#8", ClientCert{CertPath: certPath, KeyPath: legacyKey, KeyPassword: mo.Some("pw")}},
		{"encrypted PKCS#8", ClientCert{CertPath: certPath, KeyPath: pkcs8Key, KeyPassword: mo.Some("pw")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := tlsConfig(&RequestOptions{ClientCert: &tt.cc})
			require.NoError(t, err)
			require.Len(t, cfg.Certificates, 1)
			assert.Equal(t, der, cfg.Certificates[0].Certificate[0])
			got, ok := cfg.Certificates[0].PrivateKey.(ed25519.PrivateKey)
			require.True(t, ok, "private key is %T", cfg.Certificates[0].PrivateKey)
			assert.True(t, key.Equal(got))
		})
	}
}
