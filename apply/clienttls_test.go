package apply

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/dbconn"
	"github.com/emcee-db/emcee/internal/testdb"
	"github.com/emcee-db/emcee/project"
)

// Each tls= the URL can hold, as pt-online-schema-change's option file
// and as each flavour's command line (the copy-out commands) write it:
// tls=true checks the certificate and name against the file Go takes its
// roots from, quoted for each; skip-verify encrypts without checking; a
// value emcee cannot translate is refused, not dropped (the client would
// connect in the clear). tls=preferred asks the session: see
// TestClientTLSPreferredFollowsTheSession. The tool's option file under
// skip-verify is pinned to the server's certificate (pinTLS), which
// demands TLS: e2e TestOSCTLSDemanded.
func TestClientTLSRenderings(t *testing.T) {
	t.Setenv("SSL_CERT_FILE", `/etc/my "certs"/ca.pem`)
	for _, c := range []struct{ tls, optionFile, mariadb, mysql string }{
		{"", "", "", ""},
		{"false", "", "", ""},
		{"true", "ssl-ca=\"/etc/my \\\"certs\\\"/ca.pem\"\nssl-verify-server-cert=1\n", ` --ssl-ca='/etc/my "certs"/ca.pem' --ssl-verify-server-cert`, ` --ssl-ca='/etc/my "certs"/ca.pem' --ssl-mode=VERIFY_IDENTITY`},
		{"skip-verify", "ssl-cipher=\"DEFAULT\"\n", " --ssl", " --ssl-mode=REQUIRED"},
	} {
		s := &Session{Cfg: &dbconn.Config{TLS: c.tls}}
		tls, err := s.clientTLS(t.Context(), "the client")
		if err != nil {
			t.Fatalf("tls=%s: %v", c.tls, err)
		}
		if got := tls.optionFile(); got != c.optionFile {
			t.Errorf("tls=%s: option file %q, want %q", c.tls, got, c.optionFile)
		}
		if got := tls.options(true); got != c.mariadb {
			t.Errorf("tls=%s: mariadb options %q, want %q", c.tls, got, c.mariadb)
		}
		if got := tls.options(false); got != c.mysql {
			t.Errorf("tls=%s: mysql options %q, want %q", c.tls, got, c.mysql)
		}
	}
	if got, want := (clientTLS{encrypt: true, pin: "8E3AB824"}).optionFile(), "ssl-fp=\"8E3AB824\"\n"; got != want {
		t.Errorf("pinned: option file %q, want %q", got, want)
	}
	s := &Session{Cfg: &dbconn.Config{TLS: "custom"}}
	if _, err := s.clientTLS(t.Context(), project.PtOSCProgram); err == nil || !strings.Contains(err.Error(), "tls=custom is not one "+project.PtOSCProgram+" can be given") {
		t.Errorf("tls=custom: want a refusal, got %v", err)
	}
}

// tls=true where no file of authorities is found: the copy-out command
// is not given without the check emcee's own connection makes (it was
// printed without --ssl-ca, as pt-online-schema-change refused), and the
// refusal says what to do.
func TestClientTLSWithoutAuthorities(t *testing.T) {
	t.Setenv("SSL_CERT_FILE", "")
	old := rootBundles
	rootBundles = []string{t.TempDir() + "/none.pem"}
	t.Cleanup(func() { rootBundles = old })
	target, _ := project.ParseTarget("mariadb 10.11")
	s := &Session{Cfg: &dbconn.Config{Addr: "db:3306", User: "app", TLS: "true"}, Project: &project.Project{Target: target}}
	if got, err := s.client(t.Context()); err == nil || !strings.Contains(err.Error(), "no file of certificate authorities found to give mariadb") || !strings.Contains(err.Error(), "set SSL_CERT_FILE") {
		t.Errorf("client() with tls=true and no authorities: %q, %v", got, err)
	}
}

// tls=preferred is what emcee's own session found: on a server without
// TLS, the command printed connects without it, and runs (the shared test
// server has none: have_ssl DISABLED); pt-online-schema-change is given
// no TLS lines. With TLS, e2e TestOSCOverTLS (preferred) has the tool
// connect over it.
func TestClientTLSPreferredFollowsTheSession(t *testing.T) {
	db := testdb.New(t)
	conn, err := db.Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var name, cipher string
	if err := conn.QueryRowContext(t.Context(), "SHOW SESSION STATUS LIKE 'Ssl_cipher'").Scan(&name, &cipher); err != nil || cipher != "" {
		t.Skipf("the test server's session uses TLS (%q, %v): this test needs one without", cipher, err)
	}
	cfg, err := dbconn.Parse(db.URL + "?tls=preferred")
	if err != nil {
		t.Fatal(err)
	}
	target, _ := project.ParseTarget("mariadb 10.11")
	s := &Session{Cfg: cfg, Conn: conn, Project: &project.Project{Target: target}}
	tls, err := s.clientTLS(t.Context(), project.PtOSCProgram)
	if err != nil || tls.optionFile() != "" {
		t.Errorf("option file for tls=preferred without TLS: %q, %v", tls.optionFile(), err)
	}
	client, err := s.client(t.Context())
	if err != nil || strings.Contains(client, "ssl") {
		t.Fatalf("client for tls=preferred without TLS: %q, %v", client, err)
	}
	if _, err := exec.LookPath("mariadb"); err != nil || cfg.Password != "" {
		t.Skipf("no mariadb client, or a password it would ask for: the command %s is not run", client)
	}
	out, err := exec.Command("sh", "-c", client+" --batch --skip-column-names --execute='SELECT 1' -- "+db.Name).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "1" {
		t.Errorf("%s: %v\n%s", client, err, out)
	}
}
