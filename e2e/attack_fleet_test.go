package e2e

import (
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// One database listed under two URLs (127.0.0.1 and localhost) passes the
// target list's check, which compares what the URLs say. The two runs
// then meet on the database's operator lock: the one refused must say
// that the other target of this run is the same database, and not tell
// the operator to KILL the connection of the run that is upgrading it.
func TestFleetSameDatabaseUnderTwoURLs(t *testing.T) {
	t.Parallel()
	p := newOpProject(t)
	p.must("db", "sync", "ocata")
	u, err := url.Parse(p.DB.URL)
	if err != nil {
		t.Fatal(err)
	}
	other := strings.Replace(u.Host, "127.0.0.1", "localhost", 1)
	if other == u.Host {
		t.Skipf("the test server is not at 127.0.0.1 (%s)", u.Host)
	}
	a := p.DB.URL + "?lock_wait_timeout=3"
	b := strings.Replace(p.DB.URL, u.Host, other, 1) + "?lock_wait_timeout=3"
	targets := filepath.Join(t.TempDir(), "targets.txt")
	opWrite(t, targets, []byte(a+"\n"+b+"\n"))
	// The first run to take the lock waits on the table's metadata lock,
	// so both runs are on the database at once.
	release := p.holdMDL("images")
	defer release()
	cmd := exec.Command(opBinary(t), "db", "expand", "--targets", targets, "--parallel", "2", "--retries", "0")
	cmd.Dir = p.Dir
	cmd.Env = append(os.Environ(), "EMCEE_URL=", "EMCEE_ENV=", "EMCEE_DEV_URL=")
	r := opRunCmd(t, cmd)
	if r.Code != 1 {
		t.Fatalf("want exit 1: %s", r)
	}
	opContains(t, r, "the same database as", "list each database once")
	if strings.Contains(r.Stdout+r.Stderr, "KILL ") {
		t.Fatalf("the refusal tells the operator to kill this run's own connection: %s", r)
	}
}
