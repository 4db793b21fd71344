package apply

import (
	"context"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emcee-db/emcee/dbconn"
	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// The tool's command line never holds the password (ps shows it to every
// user of the machine); the defaults file holds it, quoted so that the
// client library reads back exactly the password; the DSN's commas in a
// table name are escaped; the clauses are one argument.
func TestOSCCommandLine(t *testing.T) {
	cfg, err := dbconn.Parse("mysql://deploy:" + "p%22w%23d%20x%5Cy%27z%2C@db.internal:3307/shop")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Password != `p"w#d x\y'z,` {
		t.Fatalf("password parsed as %q", cfg.Password)
	}
	a, err := sqlsyntax.ReadOSCAlter("ALTER TABLE `a,b t` MODIFY COLUMN `c'd` bigint NOT NULL, ALGORITHM=COPY, LOCK=SHARED")
	if err != nil {
		t.Fatal(err)
	}
	args := oscArgs(cfg, project.OSC{Tool: project.OSCPtOSC, ChunkTime: 250 * time.Millisecond, Sleep: 2500 * time.Microsecond, MaxLoad: project.Loads{{Var: "Threads_running", Max: 25}}, CriticalLoad: project.Loads{{Var: "Threads_connected", Max: 500}}}, "/tmp/x/client.cnf", "/tmp/x/plugin.pl", a, oscSetVars([][2]string{{"sql_mode", "'STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'"}, {"time_zone", "'+00:00'"}, {"max_statement_time", "0"}, {"old_mode", "'UTF8_IS_UTF8MB3,NO_PROGRESS_INFO'"}, {"character_set_collations", "'utf8mb3=utf8mb3_general_ci,utf8mb4=utf8mb4_uca1400_ai_ci'"}}))
	joined := strings.Join(args, " ")
	if strings.Contains(joined, "p\"w#d") || strings.Contains(joined, "deploy") {
		t.Fatalf("the command line holds the account: %q", args)
	}
	for _, want := range [][]string{
		{"--alter", "MODIFY COLUMN `c'd` BIGINT NOT NULL"},
		{"--chunk-time", "0.25"},
		{"--sleep", "0.0025"},
		{"--max-load", "Threads_running=25,Threads_connected=500"},
		{"--critical-load", "Threads_connected=500"},
		{"--plugin", "/tmp/x/plugin.pl"},
		{"--set-vars", `sql_mode='STRICT_TRANS_TABLES\,NO_ZERO_IN_DATE\,NO_ZERO_DATE\,ERROR_FOR_DIVISION_BY_ZERO\,NO_ENGINE_SUBSTITUTION',time_zone='+00:00',max_statement_time=0,old_mode='UTF8_IS_UTF8MB3\,NO_PROGRESS_INFO',character_set_collations='utf8mb3=utf8mb3_general_ci\,utf8mb4=utf8mb4_uca1400_ai_ci'`},
	} {
		i := slices.Index(args, want[0])
		if i < 0 || i+1 >= len(args) || args[i+1] != want[1] {
			t.Errorf("want %s %q in %q", want[0], want[1], args)
		}
	}
	for _, flag := range []string{"--preserve-triggers", "--execute", "--noversion-check"} {
		if !slices.Contains(args, flag) {
			t.Errorf("missing %s: %q", flag, args)
		}
	}
	if dsn := args[len(args)-1]; dsn != `h=db.internal,P=3307,F=/tmp/x/client.cnf,D=shop,t=a\,b t,A=utf8mb4` {
		t.Errorf("DSN %q", dsn)
	}
	if got := oscDefaultsFile(cfg); got != "[client]\nuser=\"deploy\"\npassword=\"p\\\"w#d x\\\\y'z,\"\n" {
		t.Errorf("defaults file %q", got)
	}
	// emcee's chunk time, not the tool's 0.5 s; the tool's own --max-load.
	got := oscArgs(cfg, project.OSC{Tool: project.OSCPtOSC}, "f", "p", a, "")
	if i := slices.Index(got, "--chunk-time"); i < 0 || got[i+1] != "0.005" || slices.Contains(got, "--max-load") || slices.Contains(got, "--sleep") {
		t.Errorf("without a chunk time or a maximum load: %q", got)
	}
}

// Names the tool itself cannot handle are told apart from those it can.
func TestOSCTableName(t *testing.T) {
	for name, ok := range map[string]bool{
		"events": true, "my table": true, `a"b`: true, "a`b": true, "a,b=c": true,
		"o'brien": false, `a\b`: false, "café": false, "a\nb": false, "": false,
	} {
		if oscTableName(name) != ok {
			t.Errorf("%q: want %v", name, ok)
		}
	}
}

// Database names the tool's driver reads as they are are told apart from
// those it splits, strips or takes for connection options.
func TestOSCDatabaseName(t *testing.T) {
	for name, ok := range map[string]bool{
		"shop": true, "we`ird": true, "a,b c": true, `a"b`: true, "café": true, "a/b%c@d$e": true,
		"a;b": false, "a:b": false, "a[b]": false, "a=b": false, "o'brien": false, `a\b`: false, "a\nb": false, "": false,
	} {
		if oscDatabaseName(name) != ok {
			t.Errorf("%q: want %v", name, ok)
		}
	}
	cfg, err := dbconn.Parse("mysql://root@127.0.0.1:3306/" + "we%60ird%2C%20x")
	if err != nil {
		t.Fatal(err)
	}
	a, err := sqlsyntax.ReadOSCAlter("ALTER TABLE `events` MODIFY COLUMN `hits` bigint NOT NULL, ALGORITHM=COPY, LOCK=SHARED")
	if err != nil {
		t.Fatal(err)
	}
	args := oscArgs(cfg, project.OSC{Tool: project.OSCPtOSC}, "f", "p", a, "")
	if dsn := args[len(args)-1]; dsn != "h=127.0.0.1,P=3306,F=f,D=we`ird\\, x,t=events,A=utf8mb4" {
		t.Errorf("DSN %q", dsn)
	}
}

// A URL without a user is refused before the tool runs: its client
// library takes an empty user name for the login name of whoever runs
// it (user="" logged in as root), where emcee's connection is the
// server's anonymous account.
func TestOSCNeedsAUser(t *testing.T) {
	if _, err := exec.LookPath(project.PtOSCProgram); err != nil {
		t.Skip("pt-online-schema-change is not installed")
	}
	cfg, err := dbconn.Parse("mysql://@db:3306/shop")
	if err != nil {
		t.Fatal(err)
	}
	s := &Session{Cfg: cfg, opts: Options{OSC: project.OSC{Tool: project.OSCPtOSC}}}
	if err := s.findOSC(context.Background()); err == nil || !strings.Contains(err.Error(), "--osc pt-osc: the database URL names no user") || s.osc != nil {
		t.Fatalf("pt-osc for a URL without a user: %v", err)
	}
}
