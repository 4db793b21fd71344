package dbconn

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/project"
)

func writeTargets(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "targets.txt")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestReadTargets(t *testing.T) {
	path := writeTargets(t, "# tenants of eu-west\n\nmysql://app:"+urlSecret+"@db1:3306/t1\n  mysql://app@db1/t2   # trailing comment\n\tmariadb://db2:3307/t3\n")
	cfgs, err := ReadTargets(path)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range cfgs {
		got = append(got, c.String()+" from "+strings.TrimPrefix(c.From, filepath.Dir(path)+"/"))
	}
	want := "mysql://app:****@db1:3306/t1 from targets.txt:3|mysql://app@db1:3306/t2 from targets.txt:4|mysql://db2:3307/t3 from targets.txt:5"
	if strings.Join(got, "|") != want {
		t.Fatalf("got  %s\nwant %s", strings.Join(got, "|"), want)
	}
	if cfgs[0].Password != secret {
		t.Errorf("password %q", cfgs[0].Password)
	}
}

// urlSecret is secret percent-encoded, as it is written in a URL.
const urlSecret = "p%40ss%3Aw%2Frd%25"

// Careless and hostile lists: each error says file:line and what to do,
// and never shows a password.
func TestReadTargetsRefuses(t *testing.T) {
	for _, c := range []struct{ name, text, want string }{
		{"not a URL", "mysql://app:" + urlSecret + "@db1/t1\nthis is not a url\n", "targets.txt:2: more than one word on the line"},
		{"no scheme", "db1:3306/t1\n", "targets.txt:1: database URL scheme"},
		{"wrong scheme", "\n\npostgres://app:" + urlSecret + "@db1/t1\n", `targets.txt:3: database URL scheme "postgres" is not supported`},
		{"bad password encoding", "mysql://app:p%zz@db1/t1\n", "targets.txt:1: the database URL cannot be parsed"},
		{"no database", "mysql://app:" + urlSecret + "@db1\n", "targets.txt:1: the database URL must name one database"},
		{"duplicate", "mysql://app:" + urlSecret + "@db1:3306/t1\n# again, as another user\nmysql://other@DB1:3306/t1\n", "targets.txt:3: mysql://other@DB1:3306/t1 is listed already on line 1"},
		{"duplicate by default port", "mysql://db1/t1\nmysql://db1:3306/t1\n", "targets.txt:2: mysql://db1:3306/t1 is listed already on line 1"},
		{"empty", "# nothing yet\n\n", "targets.txt: lists no database"},
		{"unencoded # in a password", "mysql://app:pa#ss@db1/t1\n", "targets.txt:1: the database URL cannot be parsed"},
		{"line break in the database name", "mysql://app:" + urlSecret + "@db1/t1\nmysql://app:" + urlSecret + "@db1/t2%0A%1B[1Aforged\n", `targets.txt:2: the database URL's database name holds the control character '\n'`},
		{"UTF-16, as Windows PowerShell writes it", "\xff\xfem\x00y\x00s\x00q\x00l\x00:\x00/\x00/\x00d\x00b\x001\x00/\x00t\x001\x00\r\x00\n\x00", "targets.txt: the file is UTF-16 (or holds NUL bytes), not text emcee reads: save it as UTF-8"},
		{"Latin-1", "mysql://db1/t0\nmysql://app:p\xe4ss@db1/t1\n", "targets.txt:2: the file is not UTF-8"},
		{"escape sequence in the database name", "mysql://db1/t1%1B[2J\n", `targets.txt:1: the database URL's database name holds the control character '\x1b'`},
		{"bidirectional control in the user", "mysql://adm%E2%80%AEnimda:" + urlSecret + "@db1/t1\n", "targets.txt:1: the database URL's user name holds the bidirectional control U+202E"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ReadTargets(writeTargets(t, c.text))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want %q", err, c.want)
			}
			for _, pw := range []string{secret, urlSecret, "pa#ss", "p%zz"} {
				if strings.Contains(err.Error(), pw) {
					t.Errorf("the password shows: %v", err)
				}
			}
		})
	}
	if _, err := ReadTargets(t.TempDir()); err == nil || !strings.Contains(err.Error(), "is a directory: give a file listing one database URL a line") {
		t.Fatalf("a directory: %v", err)
	}
	_, err := ReadTargets(filepath.Join(t.TempDir(), "missing.txt"))
	if err == nil || !strings.Contains(err.Error(), "missing.txt: no such file") {
		t.Fatalf("missing file: %v", err)
	}
}

func TestTargetsFromAnEnvWithForEach(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "atlas.hcl")
	src := `variable "tenants" {
  type = list(string)
}
variable "url" {
  type    = string
  default = "mysql://app:` + urlSecret + `@db1:3306/"
}
env "tenants" {
  for_each = toset(var.tenants)
  url      = urlsetpath(var.url, each.value)
  dev      = "mysql://root@dev:3306/${each.value}_dev"
}
env "one" {
  url = "mysql://app@db1/one"
}
emcee {
  releases = ["a"]
}
`
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv(EnvURL, "")
	t.Setenv(EnvEnv, "")
	t.Setenv(EnvDevURL, "")
	load := func(tenants ...string) *project.Project {
		p, err := project.LoadVars(path, project.Vars{"tenants": tenants})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	ts, fleet, err := Targets("", "", "", "tenants", load("t2", "t1"))
	if err != nil || !fleet {
		t.Fatalf("fleet %v, %v", fleet, err)
	}
	var got []string
	for _, tg := range ts {
		got = append(got, tg.String()+" dev "+tg.Dev)
	}
	if strings.Join(got, "|") != "mysql://app:****@db1:3306/t1 dev mysql://root@dev:3306/t1_dev|mysql://app:****@db1:3306/t2 dev mysql://root@dev:3306/t2_dev" {
		t.Fatalf("targets: %v", got)
	}
	// One element is a fleet still: the output has the fleet's shape.
	if ts, fleet, err := Targets("", "", "", "tenants", load("t1")); err != nil || !fleet || len(ts) != 1 {
		t.Fatalf("one tenant: %v %v %v", ts, fleet, err)
	}
	// --dev-url beats each element's dev.
	if ts, _, _ := Targets("", "", "mysql://root@other/dev", "tenants", load("t1")); ts[0].Dev != "mysql://root@other/dev" {
		t.Fatalf("dev: %v", ts[0].Dev)
	}
	// $EMCEE_ENV names a fleet as --env does.
	t.Setenv(EnvEnv, "tenants")
	if ts, fleet, err := Targets("", "", "", "", load("t1", "t2")); err != nil || !fleet || len(ts) != 2 {
		t.Fatalf("$EMCEE_ENV: %v %v %v", ts, fleet, err)
	}
	// --url beats the env: one database.
	if ts, fleet, err := Targets("mysql://app@db9/x", "", "", "tenants", load("t1", "t2")); err != nil || fleet || ts[0].Database != "x" {
		t.Fatalf("--url: %v %v %v", ts, fleet, err)
	}
	t.Setenv(EnvEnv, "")
	if _, fleet, err := Targets("", "", "", "one", load("t1")); err != nil || fleet {
		t.Fatalf("plain env: %v %v", fleet, err)
	}
	if _, _, err := Targets("", "", "", "tenants", load()); err == nil || !strings.Contains(err.Error(), `env "tenants" has for_each over an empty set`) {
		t.Fatalf("empty set: %v", err)
	}
	if _, _, err := Targets("", "", "", "tenants", load("t1", "t1")); err != nil {
		t.Fatalf("toset folds a repeated tenant: %v", err)
	}
	if _, _, err := Targets("mysql://app@db1/x", writeTargets(t, "mysql://db1/t1\n"), "", "", nil); err == nil || !strings.Contains(err.Error(), "--url and --targets both name databases") {
		t.Fatalf("--url and --targets: %v", err)
	}
}

// A target list is read whole before anything runs: a path given by
// mistake (a dump, /dev/zero) must not be read without end.
func TestReadTargetsBounded(t *testing.T) {
	path := filepath.Join(t.TempDir(), "huge.txt")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(MaxTargetsSize + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	for _, p := range []string{path, "/dev/zero"} {
		_, err := ReadTargets(p)
		if err == nil || !strings.Contains(err.Error(), p+": larger than") {
			t.Errorf("%s: %v", p, err)
		}
	}
}

// A list saved by a Windows editor starts with a byte order mark and ends
// its lines with CR LF: the first URL is still a URL.
func TestReadTargetsWindowsFile(t *testing.T) {
	cfgs, err := ReadTargets(writeTargets(t, "\ufeffmysql://app@db1/t1\r\nmysql://app@db2/t2\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(cfgs) != 2 || cfgs[0].Addr != "db1:3306" || cfgs[1].Database != "t2" {
		t.Fatalf("%+v", cfgs)
	}
}
