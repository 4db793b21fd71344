package e2e

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// A rollback whose gates refuse, run with pt-online-schema-change's
// thresholds: the rerun it named carried --osc but dropped
// --osc-max-load, --osc-critical-load, --osc-chunk-time, --osc-sleep and
// the --env that chose the database, so the rerun ran the tool at its own
// thresholds, or on another database. It carries them all; run with --url
// instead, it says to add it and prints no password.
func TestGapsS30RollbackRerunCarriesEveryFlag(t *testing.T) {
	needPtOSC(t)
	t.Parallel()
	p := newWidenProject(t)
	r := p.run("db", "rollback", "--osc", "pt-osc", "--osc-max-load", "Threads_running=50", "--osc-critical-load", "Threads_running=200",
		"--osc-chunk-time", "2s", "--osc-sleep", "10ms")
	if r.Code != 1 {
		t.Fatalf("rollback with rows v1 cannot hold: %s", r)
	}
	opContains(t, r, "rollback refused at v2_rollback01: 3 of 3 gates closed",
		"then rerun `emcee db rollback --env test --osc pt-osc --osc-chunk-time 2s --osc-critical-load Threads_running=200 --osc-max-load Threads_running=50 --osc-sleep 10ms`\n")

	cmd := exec.Command(opBinary(t), "db", "rollback", "--url", p.DB.URL, "--allow-copy")
	cmd.Dir = p.Dir
	cmd.Env = append(os.Environ(), "EMCEE_URL=")
	r = opRunCmd(t, cmd)
	if r.Code != 1 {
		t.Fatalf("rollback with rows v1 cannot hold: %s", r)
	}
	opContains(t, r, "then rerun `emcee db rollback --allow-copy` (with this run's --url, left out here: it may hold a password)")
	if strings.Contains(r.Stdout+r.Stderr, "--url "+p.DB.URL) {
		t.Fatalf("the database's URL printed in the rerun:\n%s", r)
	}
}

