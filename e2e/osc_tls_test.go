package e2e

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emcee-db/emcee/internal/testserver"
)

// A database URL with tls= reaches pt-online-schema-change: the account
// is created REQUIRE SSL, so the server refuses the tool any connection
// without TLS, and the table is copied all the same. With tls=true the
// tool checks the server's certificate against the roots emcee's own
// connection checks it against ($SSL_CERT_FILE here): given a bundle
// without the server's authority, emcee refuses before anything changes,
// and the tool is never given a connection emcee would not make.
func TestOSCOverTLS(t *testing.T) {
	needPtOSC(t)
	t.Parallel()
	dir := t.TempDir()
	ca, other := writeTestCerts(t, dir)
	srv := testserver.Start(t, testserver.Options{Args: []string{
		"--ssl-ca=" + ca, "--ssl-cert=" + filepath.Join(dir, "server.pem"), "--ssl-key=" + filepath.Join(dir, "server.key"),
	}})
	root := srv.Open(t)
	for _, q := range []string{
		"CREATE USER 'tls_deployer'@'%' IDENTIFIED BY 'pw-not-printed' REQUIRE SSL",
		"GRANT ALL ON *.* TO 'tls_deployer'@'%'",
		// mariadb-install-db's anonymous users would take 127.0.0.1's
		// connections before the account's '%'.
		"DELETE FROM mysql.global_priv WHERE User = ''",
		"FLUSH PRIVILEGES",
	} {
		if _, err := root.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	for _, c := range []struct {
		tls, certFile string
	}{
		{"true", ca},
		{"skip-verify", other},
		{"preferred", other},
	} {
		t.Run(c.tls, func(t *testing.T) {
			db := srv.NewDB(t)
			as := *db
			as.URL = fmt.Sprintf("mysql://tls_deployer:pw-not-printed@127.0.0.1:%d/%s?tls=%s", srv.Port, db.Name, c.tls)
			p := plannedProjectOn(t, &as, "mariadb 10.11", [2]string{"v1", oscRelease("events", "hits", "int")},
				[2]string{"v2", strings.Replace(oscRelease("events", "hits", "bigint"), "    type = bigint\n", "    type       = bigint\n    allow_copy = true\n", 1)})
			run := func(args ...string) opResult {
				cmd := p.command(args...)
				cmd.Env = append(cmd.Env, "SSL_CERT_FILE="+c.certFile)
				return opRunCmd(t, cmd)
			}
			if r := run("db", "sync", "v1"); r.Code != 0 {
				t.Fatalf("sync v1: %s", r)
			}
			if _, err := root.Exec(fmt.Sprintf("INSERT INTO `%s`.events (hits, label) SELECT seq, 'x' FROM `%s`.seq_1_to_2000", db.Name, db.Name)); err != nil {
				t.Fatal(err)
			}
			r := run("db", "expand", "--osc", "pt-osc")
			if r.Code != 0 || !strings.Contains(r.Stderr+r.Stdout, "Successfully altered") {
				t.Fatalf("expand through the tool over TLS: %s", r)
			}
			if strings.Contains(r.Stdout+r.Stderr, "pw-not-printed") {
				t.Fatalf("the password shows:\n%s", r)
			}
			var typ string
			var n int
			if err := root.QueryRow("SELECT COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'events' AND COLUMN_NAME = 'hits'", db.Name).Scan(&typ); err != nil || typ != "bigint(20)" {
				t.Fatalf("hits after the copy: %q %v", typ, err)
			}
			if err := root.QueryRow(fmt.Sprintf("SELECT COUNT(*) FROM `%s`.events", db.Name)).Scan(&n); err != nil || n != 2000 {
				t.Fatalf("rows after the copy: %d %v", n, err)
			}
		})
	}
	// Roots Go takes from $SSL_CERT_DIR alone are not handed to the tool:
	// emcee's connection trusts the server, the tool does not, and it
	// refuses the certificate before it creates anything.
	certs := filepath.Join(dir, "certs")
	if err := os.Mkdir(certs, 0o700); err != nil {
		t.Fatal(err)
	}
	if data, err := os.ReadFile(ca); err != nil || os.WriteFile(filepath.Join(certs, "ca.pem"), data, 0o600) != nil {
		t.Fatal(err)
	}
	db := srv.NewDB(t)
	as := *db
	as.URL = fmt.Sprintf("mysql://tls_deployer:pw-not-printed@127.0.0.1:%d/%s?tls=true", srv.Port, db.Name)
	p := plannedProjectOn(t, &as, "mariadb 10.11", [2]string{"v1", oscRelease("events", "hits", "int")},
		[2]string{"v2", strings.Replace(oscRelease("events", "hits", "bigint"), "    type = bigint\n", "    type       = bigint\n    allow_copy = true\n", 1)})
	run := func(args ...string) opResult {
		cmd := p.command(args...)
		cmd.Env = append(cmd.Env, "SSL_CERT_FILE=", "SSL_CERT_DIR="+certs)
		return opRunCmd(t, cmd)
	}
	if r := run("db", "sync", "v1"); r.Code != 0 {
		t.Fatalf("sync v1 with the authority in $SSL_CERT_DIR: %s", r)
	}
	r := run("db", "expand", "--osc", "pt-osc")
	if r.Code == 0 || !strings.Contains(r.Stderr, "TLS/SSL error") || !strings.Contains(r.Stderr, "The tool checks the server's certificate against /") || !strings.Contains(r.Stderr, "(tls=true): set SSL_CERT_FILE") || strings.Contains(r.Stdout+r.Stderr, "pw-not-printed") {
		t.Fatalf("the tool given roots without the server's authority: want its refusal of the certificate and how to give it, got %s", r)
	}
	// The refusal changed nothing: the tool never connected.
	var typ string
	if err := root.QueryRow("SELECT COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'events' AND COLUMN_NAME = 'hits'", db.Name).Scan(&typ); err != nil || typ != "int(11)" {
		t.Fatalf("hits after the refused copy: %q %v", typ, err)
	}
}

// writeTestCerts writes a certificate authority, a server certificate for
// 127.0.0.1 it signs (server.pem, server.key), one it signs for another
// name (other-name.pem, other-name.key), and a second authority that signs
// nothing; it returns the two authorities' files.
func writeTestCerts(t *testing.T, dir string) (ca, other string) {
	t.Helper()
	write := func(name, typ string, der []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	key := func() *ecdsa.PrivateKey {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	authority := func(name string) (*x509.Certificate, *ecdsa.PrivateKey, []byte) {
		k := key()
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: name},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
			IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
		if err != nil {
			t.Fatal(err)
		}
		c, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		return c, k, der
	}
	caCert, caKey, caDER := authority("emcee test authority")
	_, _, otherDER := authority("emcee other authority")
	sk := key()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano() + 1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &sk.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	write("server.pem", "CERTIFICATE", der)
	skDER, err := x509.MarshalECPrivateKey(sk)
	if err != nil {
		t.Fatal(err)
	}
	write("server.key", "EC PRIVATE KEY", skDER)
	ok := key()
	tmpl.SerialNumber, tmpl.Subject, tmpl.IPAddresses, tmpl.DNSNames = big.NewInt(time.Now().UnixNano()+2), pkix.Name{CommonName: "other.example"}, nil, []string{"other.example"}
	if der, err = x509.CreateCertificate(rand.Reader, tmpl, caCert, &ok.PublicKey, caKey); err != nil {
		t.Fatal(err)
	}
	write("other-name.pem", "CERTIFICATE", der)
	if skDER, err = x509.MarshalECPrivateKey(ok); err != nil {
		t.Fatal(err)
	}
	write("other-name.key", "EC PRIVATE KEY", skDER)
	return write("ca.pem", "CERTIFICATE", caDER), write("other.pem", "CERTIFICATE", otherDER)
}
