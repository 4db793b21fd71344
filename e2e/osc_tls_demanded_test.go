package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/internal/testserver"
)

// With tls=true or tls=skip-verify emcee's own connection refuses a server
// without TLS, or (tls=true) one whose certificate does not name it; so
// must pt-online-schema-change, to which emcee hands the password and the
// table. Here emcee reaches the real server, and the tool's connections
// are sent elsewhere (a wrapper in $PATH changes the port of its DSN, as
// someone in between could): to a server offering no TLS, and to one whose
// certificate the same authority signed for another name. The tool's
// option file once said ssl-verify-server-cert without a value, which its
// client library (libmariadb 3.3, under DBD::mysql) reads as off, and
// ssl-cipher for skip-verify: the tool logged in in the clear and altered
// the table there, and accepted the other name. Now it stops before it
// logs in, and emcee says what happened.
func TestOSCTLSDemanded(t *testing.T) {
	needPtOSC(t)
	t.Parallel()
	tool, err := exec.LookPath("pt-online-schema-change")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	ca, _ := writeTestCerts(t, dir)
	tlsArgs := func(name string) []string {
		return []string{"--ssl-ca=" + ca, "--ssl-cert=" + filepath.Join(dir, name+".pem"), "--ssl-key=" + filepath.Join(dir, name+".key")}
	}
	srv := testserver.Start(t, testserver.Options{Args: tlsArgs("server")})
	plain := testserver.Start(t, testserver.Options{})
	otherName := testserver.Start(t, testserver.Options{Args: tlsArgs("other-name")})
	for _, s := range []*testserver.Server{srv, plain, otherName} {
		root := s.Open(t)
		for _, q := range []string{
			"CREATE USER 'tls_deployer'@'%' IDENTIFIED BY 'pw-not-printed'",
			"GRANT ALL ON *.* TO 'tls_deployer'@'%'",
			"DELETE FROM mysql.global_priv WHERE User = ''",
			"FLUSH PRIVILEGES",
		} {
			if _, err := root.Exec(q); err != nil {
				t.Fatalf("port %d: %s: %v", s.Port, q, err)
			}
		}
	}
	root := srv.Open(t)
	for _, c := range []struct {
		tls, name  string
		to         *testserver.Server
		tool, hint string
	}{
		{"true", "no TLS", plain, "SSL is required, but the server does not support it", "offers no TLS, which tls=true demands"},
		{"true", "another name", otherName, "Validation of SSL server certificate failed", "does not name 127.0.0.1, which tls=true checks"},
		{"skip-verify", "no TLS", plain, "SSL is required, but the server does not support it", "offers no TLS, which tls=skip-verify demands"},
		{"skip-verify", "another certificate", otherName, "Fingerprint verification of server certificate failed", "presented another certificate than the one emcee read"},
	} {
		t.Run(c.tls+" "+c.name, func(t *testing.T) {
			db := srv.NewDB(t)
			as := *db
			as.URL = fmt.Sprintf("mysql://tls_deployer:pw-not-printed@127.0.0.1:%d/%s?tls=%s", srv.Port, db.Name, c.tls)
			p := plannedProjectOn(t, &as, "mariadb 10.11", [2]string{"v1", oscRelease("events", "hits", "int")},
				[2]string{"v2", strings.Replace(oscRelease("events", "hits", "bigint"), "    type = bigint\n", "    type       = bigint\n    allow_copy = true\n", 1)})
			sync := p.command("db", "sync", "v1")
			sync.Env = append(sync.Env, "SSL_CERT_FILE="+ca)
			if r := opRunCmd(t, sync); r.Code != 0 {
				t.Fatalf("sync v1: %s", r)
			}
			// The server the tool is sent to holds the same table, so
			// that a tool logging in there would alter it.
			var create string
			if err := root.QueryRow(fmt.Sprintf("SHOW CREATE TABLE `%s`.events", db.Name)).Scan(new(string), &create); err != nil {
				t.Fatal(err)
			}
			to := c.to.Open(t)
			conn, err := to.Conn(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			for _, q := range []string{fmt.Sprintf("CREATE DATABASE IF NOT EXISTS `%s`", db.Name), fmt.Sprintf("USE `%s`", db.Name), create, "INSERT INTO events (hits, label) SELECT seq, 'x' FROM seq_1_to_100"} {
				if _, err := conn.ExecContext(t.Context(), q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			if _, err := root.Exec(fmt.Sprintf("INSERT INTO `%s`.events (hits, label) SELECT seq, 'x' FROM `%s`.seq_1_to_100", db.Name, db.Name)); err != nil {
				t.Fatal(err)
			}
			bin := t.TempDir()
			wrapper := fmt.Sprintf("#!/bin/sh\nfor a do\n  shift\n  case $a in h=*) a=$(printf '%%s' \"$a\" | sed 's/,P=%d,/,P=%d,/');; esac\n  set -- \"$@\" \"$a\"\ndone\nexec %s \"$@\"\n", srv.Port, c.to.Port, tool)
			if err := os.WriteFile(filepath.Join(bin, "pt-online-schema-change"), []byte(wrapper), 0o700); err != nil {
				t.Fatal(err)
			}
			cmd := p.command("db", "expand", "--osc", "pt-osc")
			cmd.Env = append(cmd.Env, "SSL_CERT_FILE="+ca, "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
			r := opRunCmd(t, cmd)
			var typ string
			if err := to.QueryRow("SELECT COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'events' AND COLUMN_NAME = 'hits'", db.Name).Scan(&typ); err != nil || typ != "int(11)" {
				t.Errorf("the tool logged in to the server on port %d and altered its table (hits %q, %v): %s", c.to.Port, typ, err, r)
			}
			if r.Code == 0 || !strings.Contains(r.Stderr, c.tool) || !strings.Contains(r.Stderr, c.hint) {
				t.Errorf("want the tool's %q and %q, got %s", c.tool, c.hint, r)
			}
			if strings.Contains(r.Stdout+r.Stderr, "pw-not-printed") {
				t.Errorf("the password shows:\n%s", r)
			}
		})
	}
}
