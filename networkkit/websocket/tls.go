package websocket

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
)

// tlsConfig builds the TLS configuration of a wss connection from the
// options. Files are read here, at Connect, before any dialing.
func tlsConfig(o *RequestOptions) (*tls.Config, error) {
	cfg := &tls.Config{InsecureSkipVerify: o.SkipServerCertVerification}
	if o.MinTLSVersion != 0 {
		cfg.MinVersion = tls.VersionTLS10 + uint16(o.MinTLSVersion-TLSv10)
	}
	if o.CAPath != "" {
		pool, err := loadCAs(o.CAPath)
		if err != nil {
			return nil, err
		}
		cfg.RootCAs = pool
	}
	if c := o.ClientCert; c != nil && c.CertPath != "" {
		cert, err := loadClientCert(c)
		if err != nil {
			return nil, err
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg, nil
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

// decryptKey returns the key PEM with its first private key decrypted, if it
// is encrypted.
func decryptKey(keyPEM []byte, c *ClientCert) ([]byte, error) {
	password, hasPassword := c.KeyPassword.Get()
	rest := keyPEM
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			return keyPEM, nil // tls.X509KeyPair reports what is wrong
		}
		switch {
		case block.Type == "ENCRYPTED PRIVATE KEY":
			return nil, newError(ErrParameter, nil, "client key %q is an encrypted PKCS#8 key, which this version cannot decrypt; decrypt it or use a legacy encrypted PEM key", c.KeyPath)
		case x509.IsEncryptedPEMBlock(block): //nolint:staticcheck // legacy PEM encryption is what the platform accepts
			if !hasPassword {
				return nil, newError(ErrParameter, nil, "client key %q is encrypted and ClientCert.KeyPassword is absent", c.KeyPath)
			}
			der, err := x509.DecryptPEMBlock(block, []byte(password)) //nolint:staticcheck // see above
			if err != nil {
				if errors.Is(err, x509.IncorrectPasswordError) {
					return nil, newError(ErrParameter, err, "client key %q: wrong KeyPassword", c.KeyPath)
				}
				return nil, newError(ErrParameter, err, "client key %q cannot be decrypted", c.KeyPath)
			}
			return pem.EncodeToMemory(&pem.Block{Type: block.Type, Bytes: der}), nil
		case block.Type == "PRIVATE KEY" || block.Type == "RSA PRIVATE KEY" || block.Type == "EC PRIVATE KEY":
			return keyPEM, nil
		}
	}
}
