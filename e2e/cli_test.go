package e2e

import (
	"encoding/json"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/emcee-db/emcee/internal/testdb"
)

// cliDoc parses stdout as exactly one document of the format.
func cliDoc(t *testing.T, format string, r opResult) map[string]any {
	t.Helper()
	var doc map[string]any
	if format == "json" {
		dec := json.NewDecoder(strings.NewReader(r.Stdout))
		if err := dec.Decode(&doc); err != nil || dec.More() {
			t.Fatalf("stdout is not exactly one JSON document (%v):\n%s", err, r)
		}
		return doc
	}
	dec := yaml.NewDecoder(strings.NewReader(r.Stdout))
	var more any
	if err := dec.Decode(&doc); err != nil || dec.Decode(&more) == nil {
		t.Fatalf("stdout is not exactly one YAML document (%v):\n%s", err, r)
	}
	return doc
}

// exitCodeOf reads exit_code from a JSON (float64) or YAML (int) document.
func exitCodeOf(doc map[string]any) int {
	switch c := doc["exit_code"].(type) {
	case float64:
		return int(c)
	case int:
		return c
	}
	return -1
}

// Every command that connects, under --format json and yaml, prints one
// document on stdout when the connection fails, with the error, the exit
// code and the database (password masked); the password is printed
// nowhere.
func TestCLIConnectionFailuresPrintOneDocument(t *testing.T) {
	t.Parallel()
	p := newOpProject(t)
	u, err := url.Parse(p.DB.URL)
	if err != nil {
		t.Fatal(err)
	}
	// A user with a password, so that the case of a missing database
	// (the password is right) shows no password either.
	const secret, wrong = "Sup3r-s3cret_pw", "Wr0ng-s3cret_pw"
	user := strings.Replace(p.DB.Name, "emcee_t_", "emcee_u_", 1)
	missing := strings.Replace(p.DB.Name, "emcee_t_", "emcee_missing_", 1)
	p.exec("CREATE USER '" + user + "'@'%' IDENTIFIED BY '" + secret + "'")
	t.Cleanup(func() { _, _ = p.DB.Exec("DROP USER IF EXISTS '" + user + "'@'%'") })
	p.exec("GRANT ALL ON `" + p.DB.Name + "`.* TO '" + user + "'@'%'")
	p.exec("GRANT ALL ON `" + missing + "`.* TO '" + user + "'@'%'")
	at := func(pw, host, db string) string {
		return "mysql://" + user + ":" + pw + "@" + host + "/" + db
	}
	masked := func(host, db string) string {
		return "mysql://" + user + ":****@" + host + "/" + db
	}
	cases := []struct {
		name, url, database, want string
		creates                   bool // the case is no failure for commands that create the database
	}{
		{"wrong password", at(wrong, u.Host, p.DB.Name), masked(u.Host, p.DB.Name), "access denied for user", false},
		{"unreachable host", at(secret, "127.0.0.1:1", p.DB.Name), masked("127.0.0.1:1", p.DB.Name), "cannot reach the database server at 127.0.0.1:1", false},
		{"missing database", at(secret, u.Host, missing), masked(u.Host, missing), `database "` + missing + `" does not exist`, true},
	}
	commands := [][]string{
		{"db", "version"}, {"db", "status"}, {"db", "check"}, {"db", "expand"}, {"db", "migrate"}, {"db", "contract"},
		{"db", "sync"}, {"db", "upgrade"}, {"db", "baseline", "ocata"}, {"db", "diff"},
		{"lint"}, {"simulate"}, {"init", "--dir", t.TempDir()},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, args := range commands {
				if c.creates && (args[0] == "simulate" || args[0] == "lint") {
					continue // simulate creates its database; lint creates one beside it
				}
				for _, format := range []string{"json", "yaml"} {
					flag := "--url"
					if args[0] == "init" {
						flag = "--from"
					}
					cmd := exec.Command(opBinary(t), append(append([]string{}, args...), flag, c.url, "--format", format)...)
					cmd.Dir = p.Dir
					cmd.Env = append(os.Environ(), "EMCEE_URL=", "EMCEE_ENV=", "EMCEE_DEV_URL=")
					r := opRunCmd(t, cmd)
					if r.Code != 1 {
						t.Fatalf("%v --format %s: %s", args, format, r)
					}
					doc := cliDoc(t, format, r)
					if e, _ := doc["error"].(string); !strings.Contains(e, c.want) || exitCodeOf(doc) != 1 {
						t.Errorf("%v --format %s: want error %q and exit_code 1 in the document:\n%s", args, format, c.want, r)
					}
					if args[0] != "lint" && doc["database"] != c.database {
						t.Errorf("%v --format %s: want database %q in the document:\n%s", args, format, c.database, r)
					}
					if !strings.Contains(r.Stderr, c.want) {
						t.Errorf("%v --format %s: the error is not on stderr:\n%s", args, format, r)
					}
					if strings.Contains(r.Stdout+r.Stderr, secret) || strings.Contains(r.Stdout+r.Stderr, wrong) {
						t.Errorf("%v --format %s: the password is shown:\n%s", args, format, r)
					}
				}
			}
		})
	}
}

// The failures that come before a connection opens, or from what emcee
// reads (an edited plan, a broken project file), and usage errors, print
// one document too.
func TestCLIRefusalsPrintOneDocument(t *testing.T) {
	t.Parallel()
	p := newOpProject(t)
	p.must("db", "sync", "ocata")
	edited := newOpProject(t)
	f := filepath.Join(edited.Dir, "plans", "pike", "pike_contract01.sql")
	b, err := os.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	opWrite(t, f, append(b, "DROP TABLE images;\n"...))
	broken := newOpProject(t)
	cfg := filepath.Join(broken.Dir, "atlas.hcl")
	b, err = os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	opWrite(t, cfg, []byte(strings.Replace(string(b), "releases", "releses", 1)))

	for _, c := range []struct {
		p    *opProject
		args []string
		code int
		want string
	}{
		{edited, []string{"db", "status"}, 1, "plans/pike/pike_contract01.sql: checksum mismatch"},
		{edited, []string{"db", "expand"}, 1, "checksum mismatch"},
		{broken, []string{"db", "expand"}, 1, `unknown attribute "releses" in the emcee block (did you mean "releases"?)`},
		{p, []string{"db", "expand", "--nosuch"}, 2, "unknown flag: --nosuch"},
		{p, []string{"db", "contract", "--retries", "many"}, 2, `invalid argument "many" for "--retries"`},
		{p, []string{"db", "sync", "nosuch"}, 1, "nosuch"},
	} {
		for _, format := range []string{"json", "yaml"} {
			r := c.p.run(append(c.args, "--format", format)...)
			if r.Code != c.code {
				t.Fatalf("%v --format %s: want exit %d: %s", c.args, format, c.code, r)
			}
			doc := cliDoc(t, format, r)
			if e, _ := doc["error"].(string); !strings.Contains(e, c.want) || exitCodeOf(doc) != c.code {
				t.Errorf("%v --format %s: want error %q and exit_code %d in the document:\n%s", c.args, format, c.want, c.code, r)
			}
		}
	}
	// An ordering refusal keeps the run's result and says what comes next.
	r := p.run("db", "contract", "--format", "yaml")
	doc := cliDoc(t, "yaml", r)
	if r.Code != 1 || doc["command"] != "contract" || doc["next"] == nil || doc["error"] == nil || exitCodeOf(doc) != 1 {
		t.Errorf("contract before expand:\n%s", r)
	}
}

// A format emcee does not know is a usage error (exit 2), found before the
// command touches the database: sync creates nothing.
func TestCLIUnknownFormatChangesNothing(t *testing.T) {
	t.Parallel()
	p := newOpProject(t)
	for _, args := range [][]string{{"db", "sync"}, {"db", "baseline", "ocata"}, {"simulate", "--url", p.DB.URL}} {
		r := p.run(append(args, "--format", "xml")...)
		if r.Code != 2 || r.Stdout != "" || !strings.Contains(r.Stderr, `--format "xml": want text, json or yaml`) {
			t.Errorf("%v --format xml: %s", args, r)
		}
	}
	if n := p.query("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()"); n != "0" {
		t.Errorf("the database has %s tables after a run refused for its format", n)
	}
}

// $EMCEE_ENV and $EMCEE_DEV_URL stand in for --env and --dev-url; a flag
// beats its variable, and --env beats $EMCEE_URL.
func TestCLIEnvironmentVariables(t *testing.T) {
	t.Parallel()
	p := newOpProject(t)
	run := func(env []string, args ...string) opResult {
		cmd := exec.Command(opBinary(t), args...)
		cmd.Dir = p.Dir
		cmd.Env = append(os.Environ(), append([]string{"EMCEE_URL=", "EMCEE_ENV=", "EMCEE_DEV_URL="}, env...)...)
		return opRunCmd(t, cmd)
	}
	if r := run([]string{"EMCEE_ENV=test"}, "db", "sync", "ocata"); r.Code != 0 || !strings.Contains(r.Stdout, "on "+p.DB.URL) {
		t.Fatalf("EMCEE_ENV=test db sync: %s", r)
	}
	// --env beats $EMCEE_URL: the unreachable URL is never tried.
	if r := run([]string{"EMCEE_URL=mysql://root@127.0.0.1:1/x"}, "db", "version", "--env", "test"); r.Code != 0 || strings.TrimSpace(r.Stdout) != "ocata_expand01, ocata_contract01" {
		t.Errorf("--env with $EMCEE_URL set: %s", r)
	}
	// $EMCEE_URL beats $EMCEE_ENV.
	if r := run([]string{"EMCEE_ENV=test", "EMCEE_URL=mysql://root@127.0.0.1:1/x"}, "db", "version"); r.Code != 1 || !strings.Contains(r.Stderr, "127.0.0.1:1") {
		t.Errorf("$EMCEE_URL with $EMCEE_ENV set: %s", r)
	}
	u, _ := url.Parse(p.DB.URL)
	noDev := "mysql://" + u.User.String() + "@" + u.Host + "/emcee_no_such_dev"
	if r := run([]string{"EMCEE_ENV=test", "EMCEE_DEV_URL=" + noDev}, "db", "diff"); r.Code != 1 || !strings.Contains(r.Stderr, "emcee_no_such_dev") {
		t.Errorf("$EMCEE_DEV_URL is not the dev database of db diff: %s", r)
	}
	dev := testdb.New(t)
	if r := run([]string{"EMCEE_ENV=test", "EMCEE_DEV_URL=" + noDev}, "db", "diff", "--dev-url", dev.URL); r.Code != 0 {
		t.Errorf("--dev-url does not beat $EMCEE_DEV_URL: %s", r)
	}
	if r := run([]string{"EMCEE_DEV_URL=" + noDev}, "lint"); r.Code != 1 || !strings.Contains(r.Stderr, "emcee_no_such_dev") {
		t.Errorf("$EMCEE_DEV_URL is not lint's dev database: %s", r)
	}
	// lint with an env that has a url and no dev: a temporary database
	// beside that url, not "no dev database".
	ex := exampleProject(t)
	lint := exec.Command(opBinary(t), "lint", "--format", "json")
	lint.Dir = ex.Dir
	lint.Env = append(os.Environ(), "EMCEE_URL=", "EMCEE_ENV=test", "EMCEE_DEV_URL=")
	if r := opRunCmd(t, lint); r.Code != 0 || len(cliDoc(t, "json", r)["findings"].([]any)) != 4 || !strings.Contains(r.Stderr, "no errors, 4 note(s)") {
		t.Errorf("lint with $EMCEE_ENV: %s", r)
	}
}

// emcee version prints the version the go command recorded in the binary
// (no -ldflags here): the same as `go version -m` reads, and the same line
// as --version.
func TestCLIVersion(t *testing.T) {
	t.Parallel()
	bin := filepath.Join(t.TempDir(), "emcee")
	_, file, _, _ := runtime.Caller(0)
	build := exec.Command("go", "build", "-o", bin, "./cmd/emcee")
	build.Dir = filepath.Join(filepath.Dir(file), "..")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	m, err := exec.Command("go", "version", "-m", bin).Output()
	if err != nil {
		t.Fatal(err)
	}
	mod := regexp.MustCompile(`(?m)^\tmod\tgithub.com/emcee-db/emcee\t(\S+)`).FindStringSubmatch(string(m))
	if mod == nil {
		t.Fatalf("go version -m:\n%s", m)
	}
	rev := regexp.MustCompile(`(?m)^\tbuild\tvcs.revision=(\S+)`).FindStringSubmatch(string(m))

	run := func(args ...string) opResult { return opRunCmd(t, exec.Command(bin, args...)) }
	text, flag := run("version"), run("--version")
	if text.Code != 0 || flag.Code != 0 || text.Stdout != flag.Stdout || !strings.HasPrefix(text.Stdout, "emcee "+mod[1]+" ") {
		t.Errorf("emcee version and --version, want %s:\n%s\n%s", mod[1], text, flag)
	}
	for _, format := range []string{"json", "yaml"} {
		r := run("version", "--format", format)
		doc := cliDoc(t, format, r)
		if doc["version"] != mod[1] || doc["module"] != "github.com/emcee-db/emcee" || (rev != nil) != (doc["revision"] != nil) || rev != nil && doc["revision"] != rev[1] {
			t.Errorf("version --format %s, want %s (revision %v):\n%s", format, mod[1], rev, r)
		}
	}
	if r := run("-v"); r.Code != 2 || !strings.Contains(r.Stderr, "unknown shorthand flag: 'v'") {
		t.Errorf("emcee -v is not a usage error: %s", r)
	}
}

// simulate's report is a document too; the applier's progress goes to
// stderr so that stdout stays one document.
func TestCLISimulateDocument(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	cmd := exec.Command(opBinary(t), "simulate", "--example", "--url", db.URL, "--rows", "500",
		"--baseline", "200ms", "--settle", "200ms", "--format", "yaml")
	r := opRunCmd(t, cmd)
	if r.Code != 0 {
		t.Fatalf("%s", r)
	}
	doc := cliDoc(t, "yaml", r)
	phases, _ := doc["phases"].([]any)
	if doc["ok"] != true || doc["rows_verified"] != true || doc["from"] != "ocata" || doc["to"] != "pike" || len(phases) != 7 {
		t.Errorf("simulate --format yaml:\n%s", r)
	}
	if !strings.Contains(r.Stderr, "emcee db expand") {
		t.Errorf("the progress is not on stderr:\n%s", r)
	}
}

// simulate --rollback: the document says the release was rolled back and
// how many rows the old release wrote during the window were read back.
func TestCLISimulateRollbackDocument(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	cmd := exec.Command(opBinary(t), "simulate", "--example", "--rollback", "--url", db.URL, "--rows", "500",
		"--baseline", "200ms", "--settle", "500ms", "--throttle", "1ms", "--format", "json")
	r := opRunCmd(t, cmd)
	if r.Code != 0 {
		t.Fatalf("%s", r)
	}
	doc := cliDoc(t, "json", r)
	var names []string
	phases, _ := doc["phases"].([]any)
	for _, p := range phases {
		names = append(names, p.(map[string]any)["name"].(string))
	}
	window, _ := doc["rollback_window_rows"].(float64)
	if doc["ok"] != true || doc["rolled_back"] != true || window <= 0 || strings.Join(names, " ") != "baseline expand expanded migrate rollback rolled-back" {
		t.Errorf("simulate --rollback --format json: phases %v, window %v:\n%s", names, window, r)
	}
	// The new release's workers wrote what only its columns hold: the
	// first rollback run refused it, and the document says what.
	if losses, _ := doc["rollback_losses"].([]any); len(losses) == 0 || losses[0].(map[string]any)["rows"].(float64) <= 0 {
		t.Errorf("simulate --rollback --format json: rollback_losses %v", doc["rollback_losses"])
	}
	if !strings.Contains(r.Stderr, "emcee db rollback") {
		t.Errorf("the progress is not on stderr:\n%s", r)
	}
}

// A fill computes a row's value once, where it is NULL: the simulator held
// every row of the bundled example's train to slug = its fill of name, so
// rows the new release wrote their own slug in, or whose name the previous
// release changed later, were reported inconsistent (6,254 rows, exit 6).
// A fill column is checked for what the fill promises: no row left NULL.
func TestCLISimulateFillIsComputedOnce(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	cmd := exec.Command(opBinary(t), "simulate", "train", "--url", db.URL, "--rows", "2000",
		"--baseline", "500ms", "--settle", "1s", "--format", "json")
	cmd.Dir = copyExample(t, "")
	r := opRunCmd(t, cmd)
	if r.Code != 0 {
		t.Fatalf("simulate train on the bundled example: %s", r)
	}
	doc := cliDoc(t, "json", r)
	if doc["ok"] != true || doc["rows_verified"] != true || doc["to"] != "train" {
		t.Errorf("simulate train --format json:\n%s", r)
	}
}
