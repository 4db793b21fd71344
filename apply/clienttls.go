package apply

import (
	"context"
	"crypto/sha1"
	"fmt"
	"os"

	"github.com/emcee-db/emcee/internal/shell"
	"github.com/emcee-db/emcee/project"
)

// clientTLS is how a client emcee hands the database to (the tool's
// option file, the copy-out commands) must connect to be what the URL's
// tls= has emcee's session be: in the clear, encrypted unchecked, or
// checked against a file of authorities. Decided once, for every client.
type clientTLS struct {
	encrypt bool
	ca      string // "" unverified
	// pin is the SHA-1 of the certificate the server showed emcee, in
	// hexadecimal: for the tool under tls=skip-verify (pinTLS).
	pin string
}

// clientTLS decides it for the client named: its name goes into the
// messages of what it cannot be given.
func (s *Session) clientTLS(ctx context.Context, client string) (clientTLS, error) {
	switch s.Cfg.TLS {
	case "", "false":
		return clientTLS{}, nil
	case "true":
		// go-sql-driver checks the certificate against the system's roots.
		ca, err := systemRoots(client)
		return clientTLS{encrypt: true, ca: ca}, err
	case "preferred":
		// TLS where the server offers it, as emcee's own session found.
		var name, cipher string
		if err := s.Conn.QueryRowContext(ctx, "SHOW SESSION STATUS LIKE 'Ssl_cipher'").Scan(&name, &cipher); err != nil {
			return clientTLS{}, s.redact(fmt.Errorf("asking the server whether this session uses TLS (tls=preferred): %w", err))
		}
		return clientTLS{encrypt: cipher != ""}, nil
	case "skip-verify":
		return clientTLS{encrypt: true}, nil
	}
	return clientTLS{}, fmt.Errorf("the database URL's tls=%s is not one %s can be given (emcee passes on tls=true, skip-verify, preferred and false)", s.Cfg.TLS, client)
}

// pinTLS pins the tool to the certificate the server presents when the URL
// says tls=skip-verify. libmariadb (3.3, under the tool's DBD::mysql)
// demands TLS only when it checks the certificate or its fingerprint:
// otherwise, from a server offering no TLS (or whoever answers in its
// place, stripping it), it logs in and works in the clear, where emcee's
// own connection refuses. The fingerprint is the one check that needs no
// authority, as skip-verify has none.
func (s *Session) pinTLS(ctx context.Context, t clientTLS) (clientTLS, error) {
	if s.Cfg.TLS != "skip-verify" {
		return t, nil
	}
	cert, err := s.Cfg.ServerCertificate(ctx)
	if err != nil {
		return t, fmt.Errorf("reading the certificate of the server, to demand TLS of %s with it (tls=skip-verify): %w", project.PtOSCProgram, err)
	}
	t.pin = fmt.Sprintf("%X", sha1.Sum(cert.Raw))
	return t, nil
}

// optionFile is what a client library (libmariadb, under the tool's
// DBD::mysql) reads from its option file: any ssl-* option turns TLS on;
// without ssl-ca the library does not check the certificate, with ssl-ca
// it checks the chain. It refuses a server without TLS only with
// ssl-verify-server-cert=1, which also checks the server's name, or
// ssl-fp: a boolean written without a value is read as off (a bare
// ssl-verify-server-cert checked no name and logged in in the clear:
// e2e TestOSCTLSDemanded).
func (t clientTLS) optionFile() string {
	switch {
	case t.ca != "":
		return "ssl-ca=" + optionValue(t.ca) + "\nssl-verify-server-cert=1\n"
	case t.pin != "":
		return "ssl-fp=" + optionValue(t.pin) + "\n"
	case t.encrypt:
		return "ssl-cipher=\"DEFAULT\"\n"
	}
	return ""
}

// options are the command-line options of the flavour's client. MariaDB's
// client has no option that demands TLS without checking the certificate:
// --ssl uses it where the server offers it (as emcee's session found it
// offered), and --ssl-verify-server-cert demands it. MySQL's --ssl-mode
// says each.
func (t clientTLS) options(mariadb bool) string {
	switch {
	case t.ca != "" && mariadb:
		return " --ssl-ca=" + shell.Word(t.ca) + " --ssl-verify-server-cert"
	case t.ca != "":
		return " --ssl-ca=" + shell.Word(t.ca) + " --ssl-mode=VERIFY_IDENTITY"
	case t.encrypt && mariadb:
		return " --ssl"
	case t.encrypt:
		return " --ssl-mode=REQUIRED"
	}
	return ""
}

// rootBundles are the distributions' bundles, in Go's order.
var rootBundles = []string{
	"/etc/ssl/certs/ca-certificates.crt",
	"/etc/pki/tls/certs/ca-bundle.crt",
	"/etc/ssl/ca-bundle.pem",
	"/etc/pki/tls/cacert.pem",
	"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
	"/etc/ssl/cert.pem",
}

// systemRoots is the file of certificate authorities Go reads on Linux
// (crypto/x509's root_linux.go): $SSL_CERT_FILE, or the first of the
// distributions' bundles that exists. Roots Go would add from
// $SSL_CERT_DIR alone are not in it: the client then refuses the server's
// certificate, it never accepts one emcee would not.
func systemRoots(client string) (string, error) {
	if f := os.Getenv("SSL_CERT_FILE"); f != "" {
		return f, nil
	}
	for _, f := range rootBundles {
		if _, err := os.Stat(f); err == nil {
			return f, nil
		}
	}
	return "", fmt.Errorf("tls=true: no file of certificate authorities found to give %s (looked for $SSL_CERT_FILE and /etc/ssl/certs/ca-certificates.crt and the other distributions' bundles): install ca-certificates, or set SSL_CERT_FILE to the bundle that signs the server's certificate", client)
}
