package websocket

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/youmark/pkcs8"
)

// tlsFiles are the TLS options of a connection, copied from the caller's
// RequestOptions at Connect: the files and flags, and a clone of
// TLSClientConfig.
type tlsFiles struct {
	base       *tls.Config // a clone of TLSClientConfig; nil if none
	caPath     string
	clientCert ClientCert // CertPath "" means none
	skipVerify bool
	minVersion TLSProtocol
}

func newTLSFiles(o *RequestOptions) tlsFiles {
	f := tlsFiles{base: o.TLSClientConfig.Clone(), caPath: o.CAPath,
		skipVerify: o.SkipServerCertVerification, minVersion: o.MinTLSVersion}
	if o.ClientCert != nil {
		f.clientCert = *o.ClientCert
	}
	return f
}

// load builds the TLS configuration of a wss connection, reading the
// files now, at Connect, before any dialing: the clone of TLSClientConfig
// (or an empty one) with each option's field set (validate refused the
// conflicts). The server name is set at dial time.
func (f *tlsFiles) load() (*tls.Config, error) {
	cfg := f.base.Clone() // one per load: the session sets ServerName on it
	if cfg == nil {
		cfg = &tls.Config{}
	}
	if f.skipVerify {
		cfg.InsecureSkipVerify = true
	}
	if v := f.minVersion.version(); v != 0 {
		cfg.MinVersion = v
	}
	cfg.NextProtos = http11Only(cfg.NextProtos)
	if f.caPath != "" {
		pool, err := loadCAs(f.caPath)
		if err != nil {
			return nil, err
		}
		cfg.RootCAs = pool
	}
	if f.clientCert.CertPath != "" {
		cert, err := loadClientCert(&f.clientCert)
		if err != nil {
			return nil, err
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg, nil
}

// http11Only returns the ALPN protocols the opening handshake can use:
// "http/1.1" if protos offers it, else none. Offering "h2" (as a
// tls.Config shared with net/http does) would let the server choose a
// protocol the handshake does not speak.
func http11Only(protos []string) []string {
	if slices.Contains(protos, "http/1.1") {
		return []string{"http/1.1"}
	}
	return nil
}

// loadCAs reads a PEM file, or every file of a directory, into a pool.
func loadCAs(path string) (*x509.CertPool, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, newError(ErrCertificateNotFound, err, "CAPath %q cannot be read", path)
	}
	files := []string{path}
	if fi.IsDir() {
		entries, err := os.ReadDir(path)
		if err != nil {
			return nil, newError(ErrCertificateNotFound, err, "CAPath directory %q cannot be read", path)
		}
		files = files[:0]
		for _, e := range entries {
			if !e.IsDir() {
				files = append(files, filepath.Join(path, e.Name()))
			}
		}
	}
	pool := x509.NewCertPool()
	found := false
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, newError(ErrCertificateNotFound, err, "CA file %q cannot be read", f)
		}
		found = pool.AppendCertsFromPEM(data) || found
	}
	if !found {
		return nil, newError(ErrCertificateNotFound, nil, "CAPath %q holds no PEM certificate", path)
	}
	return pool, nil
}

// loadClientCert reads the certificate chain and key, decrypting the key
// with KeyPassword when it is encrypted.
func loadClientCert(c *ClientCert) (tls.Certificate, error) {
	certPEM, err := os.ReadFile(c.CertPath)
	if err != nil {
		return tls.Certificate{}, newError(ErrCertificateNotFound, err, "client certificate %q cannot be read", c.CertPath)
	}
	keyPEM, err := os.ReadFile(c.KeyPath)
	if err != nil {
		return tls.Certificate{}, newError(ErrCertificateNotFound, err, "client key %q cannot be read", c.KeyPath)
	}
	keyPEM, err = decryptKey(keyPEM, c)
	if err != nil {
		return tls.Certificate{}, err
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return tls.Certificate{}, newError(ErrParameter, err, "client certificate %q and key %q do not make a key pair", c.CertPath, c.KeyPath)
	}
	return cert, nil
}

// decryptKey returns the key PEM with its private key decrypted, if it is
// encrypted: legacy "Proc-Type: 4,ENCRYPTED" PEM (RFC 1421) or PKCS#8
// "ENCRYPTED PRIVATE KEY" (PBES2, RFC 8018).
func decryptKey(keyPEM []byte, c *ClientCert) ([]byte, error) {
	rest := keyPEM
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			return keyPEM, nil // tls.X509KeyPair reports what is wrong
		}
		encrypted := block.Type == "ENCRYPTED PRIVATE KEY" ||
			x509.IsEncryptedPEMBlock(block) //nolint:staticcheck // legacy PEM encryption is what the platform accepts
		if !encrypted {
			if strings.HasSuffix(block.Type, "PRIVATE KEY") {
				return keyPEM, nil
			}
			continue
		}
		password, ok := c.KeyPassword.Get()
		if !ok {
			return nil, newError(ErrParameter, nil, "client key %q is encrypted and ClientCert.KeyPassword is absent", c.KeyPath)
		}
		der, err := decryptBlock(block, []byte(password))
		if err != nil {
			return nil, newError(ErrParameter, err, "client key %q cannot be decrypted: wrong KeyPassword or damaged key", c.KeyPath)
		}
		return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
	}
}

// decryptBlock decrypts an encrypted key block and returns the key as
// PKCS#8 DER. A wrong password is an error, also in the rare case that it
// yields valid padding: the result must parse as a key.
func decryptBlock(block *pem.Block, password []byte) ([]byte, error) {
	var key any
	var err error
	if block.Type == "ENCRYPTED PRIVATE KEY" {
		key, _, err = pkcs8.ParsePrivateKey(block.Bytes, password)
	} else {
		var der []byte
		der, err = x509.DecryptPEMBlock(block, password) //nolint:staticcheck // see decryptKey
		if err == nil {
			key, err = parsePrivateKey(der)
		}
	}
	if err != nil {
		return nil, err
	}
	return x509.MarshalPKCS8PrivateKey(key)
}

// parsePrivateKey parses a DER private key in PKCS#1, SEC 1 or PKCS#8 form.
func parsePrivateKey(der []byte) (any, error) {
	if k, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return k, nil
	}
	if k, err := x509.ParseECPrivateKey(der); err == nil {
		return k, nil
	}
	return x509.ParsePKCS8PrivateKey(der)
}
