package e2e

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/internal/testdb"
	"github.com/emcee-db/emcee/internal/testserver"
)

// The commands a refused rollback gives to copy data out and put it back
// connect as the URL's tls= has emcee connect, and run: over TLS where
// emcee's session uses it (the account is created REQUIRE SSL, so a
// command that forgot TLS is refused), checked against the authority with
// tls=true, and with no TLS option where tls=preferred found a server
// without TLS (the shared test server: have_ssl DISABLED), where the
// command said --ssl whatever the session had found.
func TestCopyOutCommandsConnectAsTheURLSays(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ca, _ := writeTestCerts(t, dir)
	// emcee's authority; the client's commands name theirs (--ssl-ca)
	// where they check one.
	caEnv := []string{"SSL_CERT_FILE=" + ca}
	srv := testserver.Start(t, testserver.Options{Args: []string{
		"--ssl-ca=" + ca, "--ssl-cert=" + filepath.Join(dir, "server.pem"), "--ssl-key=" + filepath.Join(dir, "server.key"),
	}})
	root := srv.Open(t)
	for _, q := range []string{
		"CREATE USER 'tls_copier'@'%' REQUIRE SSL",
		"GRANT ALL ON *.* TO 'tls_copier'@'%'",
		// mariadb-install-db's anonymous users would take 127.0.0.1's
		// connections before the account's '%'.
		"DELETE FROM mysql.global_priv WHERE User = ''",
		"FLUSH PRIVILEGES",
	} {
		if _, err := root.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	// want: the client's options after its character set.
	for _, c := range []struct {
		name, tls, want string
		tlsServer       bool
	}{
		{"true", "true", " --ssl-ca=" + ca + " --ssl-verify-server-cert", true},
		{"skip-verify", "skip-verify", " --ssl", true},
		{"preferred", "preferred", " --ssl", true},
		{"preferred without TLS", "preferred", "", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			var db *testdb.DB
			if c.tlsServer {
				db = srv.NewDB(t)
				as := *db
				as.URL = fmt.Sprintf("mysql://tls_copier@127.0.0.1:%d/%s?tls=%s", srv.Port, db.Name, c.tls)
				db = &as
			} else {
				db = testdb.New(t)
				as := *db
				as.URL += "?tls=" + c.tls
				db = &as
			}
			p := plannedProjectOn(t, db, "mariadb 10.11", [2]string{"a", copyOutA}, [2]string{"b", copyOutB})
			p.env = caEnv
			p.must("db", "sync", "a")
			p.exec("INSERT INTO notes (id, name) VALUES (1, 'one'), (2, 'two')")
			p.must("db", "expand")
			p.exec("UPDATE notes SET txt = 'kept' WHERE id = 1")
			losses, out := copyOutAndRollBack(t, p)
			if len(losses) != 1 || !strings.Contains(losses[0].Save, "utf8mb4"+c.want+" --batch ") || !strings.Contains(losses[0].Restore, "utf8mb4"+c.want+" --raw ") {
				t.Fatalf("want commands with %q, got %+v", c.want, losses)
			}
			p.must("db", "expand")
			shellIn(t, out, losses[0].Restore)
			if got := p.query("SELECT GROUP_CONCAT(txt ORDER BY id) FROM notes"); got != "kept,none" {
				t.Fatalf("after the restore: %s", got)
			}
		})
	}
}
