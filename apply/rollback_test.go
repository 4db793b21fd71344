package apply

import (
	"strings"
	"testing"

	"github.com/emcee-db/emcee/dbconn"
	"github.com/emcee-db/emcee/project"
)

// The commands a refused rollback prints to copy data out connect as the
// URL's tls= asks, for each flavour's client: the data must not cross the
// network in the clear because the copy-out command forgot TLS.
func TestCopyOutCommandKeepsTLS(t *testing.T) {
	t.Setenv("SSL_CERT_FILE", "/etc/my certs/ca.pem")
	for _, c := range []struct{ target, tls, want string }{
		{"mariadb 10.11", "", "mariadb -h db -P 3306 -u app --default-character-set=utf8mb4"},
		{"mariadb 10.11", "true", "mariadb -h db -P 3306 -u app --default-character-set=utf8mb4 --ssl-ca='/etc/my certs/ca.pem' --ssl-verify-server-cert"},
		{"mariadb 10.11", "skip-verify", "mariadb -h db -P 3306 -u app --default-character-set=utf8mb4 --ssl"},
		{"mysql 8.0", "true", "mysql -h db -P 3306 -u app --default-character-set=utf8mb4 --ssl-ca='/etc/my certs/ca.pem' --ssl-mode=VERIFY_IDENTITY"},
		{"mysql 8.0", "skip-verify", "mysql -h db -P 3306 -u app --default-character-set=utf8mb4 --ssl-mode=REQUIRED"},
		{"mysql 8.0", "preferred", "mysql -h db -P 3306 -u app --default-character-set=utf8mb4 --ssl-mode=PREFERRED"},
	} {
		target, err := project.ParseTarget(c.target)
		if err != nil {
			t.Fatal(err)
		}
		s := &Session{Cfg: &dbconn.Config{Addr: "db:3306", User: "app", TLS: c.tls}, Project: &project.Project{Target: target}}
		if got := s.client(false); got != c.want {
			t.Errorf("%s, tls=%s:\n got %s\nwant %s", c.target, c.tls, got, c.want)
		}
	}
}

// The run's log quotes what the database holds (a history record's error
// as an editor of the table wrote it, the lock holder's statement): an
// escape sequence in it reaches the terminal as text, line breaks stay.
func TestLogIsDisplayable(t *testing.T) {
	var b strings.Builder
	s := &Session{opts: Options{Log: &b}}
	s.say("  the earlier run stopped on: %s", "Error 1146\x1b[1A\x1b[2Kforged line\nsecond")
	if got, want := b.String(), "  the earlier run stopped on: Error 1146\\x1b[1A\\x1b[2Kforged line\nsecond\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
