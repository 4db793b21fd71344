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
	if r.Code != 7 {
		t.Fatalf("rollback with rows v1 cannot hold: %s", r)
	}
	opContains(t, r, "rollback refused at v2_rollback01: 3 of 3 gates closed",
		"then rerun `emcee db rollback --env test --osc pt-osc --osc-chunk-time 2s --osc-critical-load Threads_running=200 --osc-max-load Threads_running=50 --osc-sleep 10ms`\n")

	cmd := exec.Command(opBinary(t), "db", "rollback", "--url", p.DB.URL, "--allow-copy")
	cmd.Dir = p.Dir
	cmd.Env = append(os.Environ(), "EMCEE_URL=")
	r = opRunCmd(t, cmd)
	if r.Code != 7 {
		t.Fatalf("rollback with rows v1 cannot hold: %s", r)
	}
	opContains(t, r, "then rerun `emcee db rollback --allow-copy` (with this run's --url, left out here: it may hold a password)")
	if strings.Contains(r.Stdout+r.Stderr, "--url "+p.DB.URL) {
		t.Fatalf("the database's URL printed in the rerun:\n%s", r)
	}
}

// A plan hand-edited to copy a table of a release declared as SQL: lint's
// EM103 said to add `allow_copy = true` "to column hits of table events",
// which the SQL file the release is cannot hold. The fix names the
// declarations file and gives the blocks to paste there, which the release
// then takes.
func TestGapsS30EM103FixOfASQLReleaseNamesTheDeclarationsFile(t *testing.T) {
	t.Parallel()
	const v1 = "CREATE TABLE `events` (\n  `id` int NOT NULL AUTO_INCREMENT,\n  `hits` int NULL,\n  PRIMARY KEY (`id`)\n);\n"
	v2 := strings.Replace(v1, "  `hits` int NULL,\n", "  `hits` int NULL,\n  `note` varchar(20) NULL,\n", 1)
	p := sqlReleasesProject(t, [2]string{"v1", v1}, [2]string{"v2", v2})
	p.must("plan")
	expand := p.read("plans/v2/v2_expand01.sql")
	opWrite(t, p.Dir+"/plans/v2/v2_expand01.sql", []byte(expand+"\n-- rule by hand: widen\nALTER TABLE `events` MODIFY COLUMN `hits` bigint NULL, ALGORITHM=COPY, LOCK=SHARED;\n"))
	r := p.run("lint")
	opContains(t, r, "EM103 error: ALTER TABLE on events in v2_expand01 copies the table",
		"add `allow_copy = true` to column \"hits\" of table \"events\"",
		"`allow_copy = true` (a release declared as SQL declares it in schema/v2.emcee.hcl, as below):\n")
	block := pasted(t, r, `table "events" {`)
	if want := "table \"events\" {\n  column \"hits\" {\n    allow_copy = true\n  }\n}\n"; block != want {
		t.Fatalf("the blocks to paste:\n%s\nwant:\n%s", block, want)
	}
	// Pasted into the declarations file, the release takes them: the
	// finding is gone.
	opWrite(t, p.Dir+"/schema/v2.emcee.hcl", []byte(block))
	if r := p.run("lint"); strings.Contains(r.Stdout+r.Stderr, "EM103") {
		t.Fatalf("EM103 with allow_copy declared:\n%s", r)
	}
}
