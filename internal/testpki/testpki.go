// Package testpki makes certificates for tests at run time: a CA, server
// certificates for loopback names, and client certificates whose keys are
// plain, legacy-encrypted PEM, or encrypted PKCS#8. Nothing it makes is
// meant to be trusted outside a test.
package testpki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/youmark/pkcs8"
)

// KeyType is the algorithm of a generated key.
type KeyType int

const (
	ECDSA KeyType = iota
	RSA
	Ed25519
)

// KeyFormat is how a generated key is written to its file.
type KeyFormat int

const (
	// Plain is an unencrypted PKCS#8 "PRIVATE KEY".
	Plain KeyFormat = iota
	// Legacy is a traditional key ("RSA PRIVATE KEY" / "EC PRIVATE KEY")
	// with "Proc-Type: 4,ENCRYPTED" (AES-256-CBC).
	Legacy
	// PKCS8 is an "ENCRYPTED PRIVATE KEY" (PBES2, PBKDF2, AES-256-CBC).
	PKCS8
)

// CA is a certificate authority whose files live in a test's temporary
// directory.
type CA struct {
	t    testing.TB
	dir  string
	cert *x509.Certificate
	key  crypto.Signer
	// CertFile is the CA certificate, PEM.
	CertFile string
	serial   int64
}

// NewCA makes a CA named name.
func NewCA(t testing.TB, name string) *CA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	ca := &CA{t: t, dir: t.TempDir(), cert: cert, key: key, serial: 1}
	ca.CertFile = ca.write(name+"-ca.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	return ca
}

// Pool returns a pool holding the CA certificate.
func (ca *CA) Pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(ca.cert)
	return p
}

// Leaf is an issued certificate with its key.
type Leaf struct {
	// CertFile and KeyFile are the PEM files.
	CertFile, KeyFile string
	// TLS is the certificate ready for a tls.Config.
	TLS tls.Certificate
}

// LeafOptions shape an issued certificate.
type LeafOptions struct {
	// DNSNames and IPs are the subject alternative names. For a server
	// certificate with neither, "localhost" and 127.0.0.1 are used.
	DNSNames []string
	IPs      []net.IP
	// Client makes a client certificate instead of a server certificate.
	Client bool
	// Expired makes a certificate that expired an hour ago.
	Expired bool
	// Key and Format choose the key algorithm and file format.
	Key    KeyType
	Format KeyFormat
	// Password encrypts the key file when Format is Legacy or PKCS8.
	Password string
}

// Issue makes a certificate signed by ca, named name.
func (ca *CA) Issue(name string, o LeafOptions) Leaf {
	t := ca.t
	t.Helper()
	priv := newKey(t, o.Key)
	ca.serial++
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(ca.serial),
		Subject:      pkix.Name{CommonName: name},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     o.DNSNames,
		IPAddresses:  o.IPs,
	}
	if o.Key == RSA {
		tmpl.KeyUsage |= x509.KeyUsageKeyEncipherment
	}
	if o.Client {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	} else if len(o.DNSNames) == 0 && len(o.IPs) == 0 {
		tmpl.DNSNames = []string{"localhost"}
		tmpl.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}
	}
	if o.Expired {
		tmpl.NotBefore = time.Now().Add(-48 * time.Hour)
		tmpl.NotAfter = time.Now().Add(-time.Hour)
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, priv.Public(), ca.key)
	if err != nil {
		t.Fatal(err)
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	plainDER, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	plainPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: plainDER})
	cert, err := tls.X509KeyPair(certPEM, plainPEM)
	if err != nil {
		t.Fatal(err)
	}
	return Leaf{
		CertFile: ca.write(name+".pem", certPEM),
		KeyFile:  ca.write(name+"-key.pem", encodeKey(t, priv, o.Format, o.Password)),
		TLS:      cert,
	}
}

func newKey(t testing.TB, k KeyType) crypto.Signer {
	var priv crypto.Signer
	var err error
	switch k {
	case ECDSA:
		priv, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case RSA:
		priv, err = rsa.GenerateKey(rand.Reader, 2048)
	case Ed25519:
		_, priv, err = ed25519.GenerateKey(rand.Reader)
	default:
		panic(fmt.Sprintf("testpki: unexpected KeyType %d", k))
	}
	if err != nil {
		t.Fatal(err)
	}
	return priv
}

func encodeKey(t testing.TB, priv crypto.Signer, f KeyFormat, password string) []byte {
	switch f {
	case Plain:
		der, err := x509.MarshalPKCS8PrivateKey(priv)
		if err != nil {
			t.Fatal(err)
		}
		return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	case Legacy:
		var typ string
		var der []byte
		var err error
		switch k := priv.(type) {
		case *rsa.PrivateKey:
			typ, der = "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(k)
		case *ecdsa.PrivateKey:
			typ = "EC PRIVATE KEY"
			der, err = x509.MarshalECPrivateKey(k)
		default:
			t.Fatalf("testpki: no legacy PEM form for %T", priv)
		}
		if err != nil {
			t.Fatal(err)
		}
		//nolint:staticcheck // legacy PEM encryption is exactly what is under test
		block, err := x509.EncryptPEMBlock(rand.Reader, typ, der, []byte(password), x509.PEMCipherAES256)
		if err != nil {
			t.Fatal(err)
		}
		return pem.EncodeToMemory(block)
	case PKCS8:
		der, err := pkcs8.MarshalPrivateKey(priv, []byte(password), nil)
		if err != nil {
			t.Fatal(err)
		}
		return pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: der})
	}
	panic(fmt.Sprintf("testpki: unexpected KeyFormat %d", f))
}

func (ca *CA) write(name string, data []byte) string {
	p := filepath.Join(ca.dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		ca.t.Fatal(err)
	}
	return p
}
