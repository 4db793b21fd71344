package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/emcee-db/emcee/dbconn"
	"github.com/emcee-db/emcee/internal/testdb"
	"github.com/emcee-db/emcee/internal/testserver"
)

// fleetProject is the operator fixture with a target list instead of one
// database.
type fleetProject struct {
	t       *testing.T
	Dir     string
	Targets string // the target list file
	DBs     []*testdb.DB
}

func newFleetProject(t *testing.T, urls []string, dbs []*testdb.DB) *fleetProject {
	t.Helper()
	dir := t.TempDir()
	for p, data := range opPlans(t) {
		opWrite(t, filepath.Join(dir, "plans", p), data)
	}
	copyTree(t, filepath.Join(opFixture, "schema"), filepath.Join(dir, "schema"))
	opWrite(t, filepath.Join(dir, "atlas.hcl"), []byte(opSettings))
	f := &fleetProject{t: t, Dir: dir, Targets: filepath.Join(dir, "targets.txt"), DBs: dbs}
	opWrite(t, f.Targets, []byte("# the fleet of this test\n"+strings.Join(urls, "\n")+"\n"))
	return f
}

func (f *fleetProject) run(args ...string) opResult {
	f.t.Helper()
	cmd := exec.Command(opBinary(f.t), args...)
	cmd.Dir = f.Dir
	cmd.Env = append(os.Environ(), "EMCEE_URL=", "EMCEE_ENV=", "EMCEE_DEV_URL=")
	return opRunCmd(f.t, cmd)
}

// fleetJSON is the document of a db command over a target list.
type fleetJSON struct {
	Command  string `json:"command"`
	Parallel int    `json:"parallel"`
	Canary   int    `json:"canary"`
	Targets  []struct {
		Target   string          `json:"target"`
		Outcome  string          `json:"outcome"`
		ExitCode int             `json:"exit_code"`
		Version  string          `json:"version"`
		State    string          `json:"state"`
		Pending  *int64          `json:"pending_rows"`
		Error    string          `json:"error"`
		Result   json.RawMessage `json:"result"`
	} `json:"targets"`
	Versions []struct {
		Version string `json:"version"`
		Targets int    `json:"targets"`
	} `json:"versions"`
	Outcomes map[string]int `json:"outcomes"`
	Error    string         `json:"error"`
	ExitCode int            `json:"exit_code"`
}

func (f *fleetProject) runJSON(args ...string) (fleetJSON, opResult) {
	f.t.Helper()
	r := f.run(append(args, "--targets", f.Targets, "--format", "json")...)
	var doc fleetJSON
	dec := json.NewDecoder(strings.NewReader(r.Stdout))
	if err := dec.Decode(&doc); err != nil || dec.More() {
		f.t.Fatalf("%s: stdout is not one JSON document (%v):\n%s", strings.Join(args, " "), err, r)
	}
	return doc, r
}

// outcomes maps each target (by its database name) to outcome/exit code.
func (d fleetJSON) outcomes() map[string]string {
	out := map[string]string{}
	for _, t := range d.Targets {
		out[t.Target[strings.LastIndex(t.Target, "/")+1:]] = fmt.Sprintf("%s/%d", t.Outcome, t.ExitCode)
	}
	return out
}

func masked(t *testing.T, raw string) string {
	t.Helper()
	c, err := dbconn.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return c.String()
}

// tcpProxy forwards a port to a server, and can be taken down and brought
// back on the same port: a fleet member that becomes unreachable, then
// reachable again, while its server keeps running.
type tcpProxy struct {
	t      *testing.T
	addr   string
	target string
	mu     sync.Mutex
	ln     net.Listener
	conns  []net.Conn
}

func startProxy(t *testing.T, target string) *tcpProxy {
	p := &tcpProxy{t: t, target: target}
	p.up()
	t.Cleanup(p.down)
	return p
}

func (p *tcpProxy) up() {
	addr := p.addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		p.t.Fatal(err)
	}
	p.mu.Lock()
	p.ln, p.addr = ln, ln.Addr().String()
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", p.target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, s)
			p.mu.Unlock()
			go func() { _, _ = io.Copy(s, c); s.Close() }()
			go func() { _, _ = io.Copy(c, s); c.Close() }()
		}
	}()
}

// down refuses new connections and drops the open ones.
func (p *tcpProxy) down() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// 12 databases, 10 on the shared server and 2 on a second MariaDB server
// this test starts: an upgrade goes on where one database has drifted and
// another cannot be reached, the summary and the exit code say which, and
// once both are fixed a rerun finishes those two alone.
func TestFleetUpgradeGoesOnPastFailedTargets(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testserver.Options{})
	var dbs []*testdb.DB
	for range 10 {
		dbs = append(dbs, testdb.New(t))
	}
	dbs = append(dbs, srv.NewDB(t), srv.NewDB(t))
	var urls []string
	for _, d := range dbs {
		urls = append(urls, d.URL)
	}
	// The last database is reached through a proxy the test takes down.
	u, err := url.Parse(urls[11])
	if err != nil {
		t.Fatal(err)
	}
	proxy := startProxy(t, u.Host)
	u.Host = proxy.addr
	urls[11] = u.String()
	if !strings.Contains(urls[10], fmt.Sprint(srv.Port)) {
		t.Fatalf("database 11 is not on the second server: %s", urls[10])
	}
	f := newFleetProject(t, urls, dbs)
	name := func(i int) string { return dbs[i].Name }

	doc, r := f.runJSON("db", "sync", "ocata", "--parallel", "4")
	if r.Code != 0 || doc.Outcomes["ok"] != 12 || len(doc.Versions) != 1 || doc.Versions[0].Version != "ocata_expand01, ocata_contract01" {
		t.Fatalf("sync ocata on the fleet: %s", r)
	}
	for i, d := range dbs[:11] {
		if _, err := d.Exec("INSERT INTO images (name, is_public) VALUES (?, ?), (?, ?)", fmt.Sprint("a", i), 1, fmt.Sprint("b", i), 0); err != nil {
			t.Fatal(err)
		}
	}

	// Database 3 drifts; database 12 becomes unreachable.
	if _, err := dbs[2].Exec("ALTER TABLE images ADD COLUMN hand_made int"); err != nil {
		t.Fatal(err)
	}
	proxy.down()

	doc, r = f.runJSON("db", "expand", "--parallel", "3")
	if r.Code != 1 || doc.ExitCode != 1 {
		t.Fatalf("expand with a drifted and an unreachable target: want exit 1: %s", r)
	}
	got := doc.outcomes()
	for i := range dbs {
		want := "ok/0"
		if i == 2 || i == 11 {
			want = "failed/1"
		}
		if got[name(i)] != want {
			t.Errorf("target %d (%s): %s, want %s\n%s", i+1, name(i), got[name(i)], want, r)
		}
	}
	for i, tg := range doc.Targets {
		if tg.Target != masked(t, urls[i]) {
			t.Errorf("target %d is %s, want %s (the list's order)", i+1, tg.Target, masked(t, urls[i]))
		}
	}
	if e := doc.Targets[2].Error; !strings.Contains(e, "the live schema differs") || !strings.Contains(e, "hand_made") || doc.Targets[2].Version != "ocata_expand01, ocata_contract01" {
		t.Errorf("the drifted target: %+v", doc.Targets[2])
	}
	if e := doc.Targets[11].Error; !strings.Contains(e, "cannot reach the database server at "+proxy.addr) || !strings.Contains(e, "targets.txt:13") || doc.Targets[11].Version != "" {
		t.Errorf("the unreachable target: %+v", doc.Targets[11])
	}
	wantVersions := []string{"10 pike_expand01, ocata_contract01", "1 ocata_expand01, ocata_contract01", "1 "}
	var versions []string
	for _, v := range doc.Versions {
		versions = append(versions, fmt.Sprint(v.Targets, " ", v.Version))
	}
	if !slices.Equal(versions, wantVersions) {
		t.Errorf("versions %q, want %q", versions, wantVersions)
	}
	for _, n := range []string{name(2), proxy.addr} {
		if !strings.Contains(doc.Error, n) || !strings.Contains(r.Stderr, n) {
			t.Errorf("the error does not name %s:\n%s", n, r)
		}
	}

	// status: a line per target (version, state, pending rows), then the
	// versions counted.
	r = f.run("db", "status", "--targets", f.Targets)
	if r.Code != 1 {
		t.Fatalf("status with an unreachable target: want exit 1: %s", r)
	}
	for i := range dbs {
		// TARGET, RESULT, VERSION, STATE, PENDING ROWS, DETAIL
		cols := columns(r.Stdout, masked(t, urls[i]))
		want := []string{masked(t, urls[i]), "ok", "pike_expand01, ocata_contract01", "migrate needed", "2"}
		switch i {
		case 2:
			want = []string{masked(t, urls[i]), "ok", "ocata_expand01, ocata_contract01", "expand needed", "-"}
		case 11:
			want = []string{masked(t, urls[i]), "failed (1)", "-", "-", "-", "cannot reach the database server at " + proxy.addr}
		}
		if len(cols) < len(want) || !slices.Equal(cols[:len(want)-1], want[:len(want)-1]) || !strings.HasPrefix(cols[len(want)-1], want[len(want)-1]) {
			t.Errorf("status of target %d: %q, want %q\n%s", i+1, cols, want, r)
		}
	}
	if !strings.Contains(r.Stdout, "12 targets: 11 ok, 1 failed\nversions:\n   10  pike_expand01, ocata_contract01\n    1  ocata_expand01, ocata_contract01\n    1  (unknown: not reached or not started)\n") {
		t.Errorf("status summary:\n%s", r)
	}

	// Fixed: the hand-made column dropped, the proxy back. The rerun
	// applies expand to those two alone.
	if _, err := dbs[2].Exec("ALTER TABLE images DROP COLUMN hand_made"); err != nil {
		t.Fatal(err)
	}
	proxy.up()
	doc, r = f.runJSON("db", "expand")
	if r.Code != 0 || doc.Outcomes["ok"] != 12 || len(doc.Versions) != 1 || doc.Versions[0].Version != "pike_expand01, ocata_contract01" {
		t.Fatalf("rerun once fixed: %s", r)
	}
	for i, tg := range doc.Targets {
		var res struct {
			Revisions []struct {
				Name    string `json:"name"`
				Applied int    `json:"applied"`
			} `json:"revisions"`
		}
		if err := json.Unmarshal(tg.Result, &res); err != nil {
			t.Fatal(err)
		}
		applied := len(res.Revisions) > 0 && res.Revisions[0].Name == "pike_expand01" && res.Revisions[0].Applied > 0
		if applied != (i == 2 || i == 11) {
			t.Errorf("rerun, target %d: revisions %+v (only the two fixed ones apply anything)", i+1, res.Revisions)
		}
	}

	// Each target keeps its own history: one pike_expand01 record each.
	for i, d := range dbs {
		var n int
		if err := d.QueryRow("SELECT COUNT(*) FROM emcee_revisions WHERE name = 'pike_expand01'").Scan(&n); err != nil || n != 1 {
			t.Errorf("target %d: %d records of pike_expand01 (%v)", i+1, n, err)
		}
	}

	// check: every database needs migrate (exit 4), none failed.
	doc, r = f.runJSON("db", "check")
	if r.Code != 4 || doc.Outcomes["ok"] != 12 || doc.Error != "" {
		t.Fatalf("check: want exit 4 and every target ok: %s", r)
	}

	// The second server stopped: both its databases fail, the others
	// finish migrate.
	srv.Stop()
	doc, r = f.runJSON("db", "migrate", "--parallel", "12")
	got = doc.outcomes()
	if r.Code != 1 || got[name(10)] != "failed/1" || got[name(11)] != "failed/1" || doc.Outcomes["ok"] != 10 {
		t.Fatalf("migrate with the second server down: %s", r)
	}
	for i := range 10 {
		if doc.Targets[i].Version != "pike_expand01, ocata_contract01" {
			t.Errorf("target %d: %+v", i+1, doc.Targets[i])
		}
		var left int
		if err := dbs[i].QueryRow("SELECT COUNT(*) FROM images WHERE visibility IS NULL").Scan(&left); err != nil || left != 0 {
			t.Errorf("target %d: %d rows not backfilled (%v)", i+1, left, err)
		}
	}
}

// columns splits the line of a table starting with first at its runs of
// blanks.
func columns(s, first string) []string {
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, first+" ") {
			return regexp.MustCompile(`\s{2,}`).Split(strings.TrimSpace(l), -1)
		}
	}
	return nil
}

// fleetOfFour is a fleet of four databases on the shared server at ocata.
func fleetOfFour(t *testing.T) *fleetProject {
	var dbs []*testdb.DB
	var urls []string
	for range 4 {
		d := testdb.New(t)
		dbs = append(dbs, d)
		urls = append(urls, d.URL)
	}
	f := newFleetProject(t, urls, dbs)
	if doc, r := f.runJSON("db", "sync", "ocata"); r.Code != 0 || doc.Outcomes["ok"] != 4 {
		t.Fatalf("sync ocata: %s", r)
	}
	return f
}

// A canary that fails stops the run before any other target starts; one
// that passes lets the rest go.
func TestFleetCanary(t *testing.T) {
	t.Parallel()
	f := fleetOfFour(t)
	if _, err := f.DBs[1].Exec("ALTER TABLE images ADD COLUMN hand_made int"); err != nil {
		t.Fatal(err)
	}
	doc, r := f.runJSON("db", "expand", "--canary", "2", "--parallel", "4")
	got := doc.outcomes()
	if r.Code != 1 || got[f.DBs[0].Name] != "ok/0" || got[f.DBs[1].Name] != "failed/1" || got[f.DBs[2].Name] != "skipped/0" || got[f.DBs[3].Name] != "skipped/0" {
		t.Fatalf("a failed canary: %s", r)
	}
	wantSkip := "not started: canary " + masked(t, f.DBs[1].URL) + " failed"
	if doc.Targets[2].Error != wantSkip || doc.Targets[3].Version != "" {
		t.Errorf("skipped targets: %+v", doc.Targets[2:])
	}
	for _, d := range f.DBs[2:] {
		var n int
		if err := d.QueryRow("SELECT COUNT(*) FROM emcee_revisions WHERE name = 'pike_expand01'").Scan(&n); err != nil || n != 0 {
			t.Errorf("%s: expand ran behind a failed canary (%d, %v)", d.Name, n, err)
		}
	}
	// Fixed, the canaries pass and the rest follow.
	if _, err := f.DBs[1].Exec("ALTER TABLE images DROP COLUMN hand_made"); err != nil {
		t.Fatal(err)
	}
	r = f.run("db", "expand", "--canary", "2", "--targets", f.Targets)
	if r.Code != 0 || !strings.Contains(r.Stdout, "4 targets: 4 ok\n") || !strings.Contains(r.Stdout, "    4  pike_expand01, ocata_contract01\n") {
		t.Fatalf("canaries pass, the rest follow: %s", r)
	}
}

// --fail-fast starts no target after one failed; without it every target
// is tried (TestFleetUpgradeGoesOnPastFailedTargets).
func TestFleetFailFast(t *testing.T) {
	t.Parallel()
	f := fleetOfFour(t)
	if _, err := f.DBs[1].Exec("ALTER TABLE images ADD COLUMN hand_made int"); err != nil {
		t.Fatal(err)
	}
	doc, r := f.runJSON("db", "expand", "--fail-fast", "--parallel", "1")
	got := doc.outcomes()
	if r.Code != 1 || got[f.DBs[0].Name] != "ok/0" || got[f.DBs[1].Name] != "failed/1" || got[f.DBs[2].Name] != "skipped/0" || got[f.DBs[3].Name] != "skipped/0" {
		t.Fatalf("--fail-fast: %s", r)
	}
	if want := "not started: --fail-fast after " + masked(t, f.DBs[1].URL) + " failed"; doc.Targets[3].Error != want {
		t.Errorf("skipped: %q, want %q", doc.Targets[3].Error, want)
	}
	if !strings.Contains(doc.Error, "1 of 4 targets failed") || !strings.Contains(doc.Error, "2 not started") {
		t.Errorf("error: %q", doc.Error)
	}
}

// Careless and hostile target lists: nothing runs, the error says where,
// and a password is printed nowhere.
func TestFleetHostileTargetFiles(t *testing.T) {
	t.Parallel()
	p := newOpProject(t)
	u, err := url.Parse(p.DB.URL)
	if err != nil {
		t.Fatal(err)
	}
	const secret = "Fl33t-s3cret_pw"
	user := strings.Replace(p.DB.Name, "emcee_t_", "emcee_f_", 1)
	p.exec("CREATE USER '" + user + "'@'%' IDENTIFIED BY '" + secret + "'")
	t.Cleanup(func() { _, _ = p.DB.Exec("DROP USER IF EXISTS '" + user + "'@'%'") })
	p.exec("GRANT ALL ON `" + p.DB.Name + "`.* TO '" + user + "'@'%'")
	withPw := func(pw string) string { return "mysql://" + user + ":" + pw + "@" + u.Host + "/" + p.DB.Name }
	write := func(text string) string {
		path := filepath.Join(t.TempDir(), "targets.txt")
		opWrite(t, path, []byte(text))
		return path
	}
	run := func(args ...string) opResult {
		cmd := exec.Command(opBinary(t), args...)
		cmd.Dir = p.Dir
		cmd.Env = append(os.Environ(), "EMCEE_URL=", "EMCEE_ENV=", "EMCEE_DEV_URL=")
		return opRunCmd(t, cmd)
	}
	for _, c := range []struct {
		name, text, want string
		code             int
	}{
		// The right password: the database works, and its name shows
		// masked.
		{"password", withPw(secret) + "\n", "mysql://" + user + ":****@" + u.Host + "/" + p.DB.Name, 3},
		// The wrong one: access denied, neither password shown.
		{"wrong password", withPw("Wr0ng-"+secret) + "\n", "access denied for user", 1},
		{"not a URL", withPw(secret) + "\nSELECT * FROM users\n", "targets.txt:2: more than one word on the line", 1},
		{"not a URL, one word", withPw(secret) + "\n\nprod-db-1\n", `targets.txt:3: database URL scheme "" is not supported`, 1},
		{"duplicate", withPw(secret) + "\n# the same database again\nmysql://root@" + u.Host + "/" + p.DB.Name + "\n", "targets.txt:3: mysql://root@" + u.Host + "/" + p.DB.Name + " is listed already on line 1", 1},
		{"empty", "# nobody yet\n", "targets.txt: lists no database", 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, format := range []string{"text", "json"} {
				r := run("db", "check", "--targets", write(c.text), "--format", format)
				if r.Code != c.code || !strings.Contains(r.Stdout+r.Stderr, c.want) {
					t.Errorf("--format %s: want exit %d and %q: %s", format, c.code, c.want, r)
				}
				if strings.Contains(r.Stdout+r.Stderr, secret) {
					t.Errorf("--format %s: the password is shown: %s", format, r)
				}
			}
		})
	}
	r := run("db", "expand", "--targets", filepath.Join(t.TempDir(), "missing.txt"))
	if r.Code != 1 || !strings.Contains(r.Stderr, "missing.txt: no such file") {
		t.Errorf("a missing target list: %s", r)
	}
	r = run("db", "expand", "--targets", write(withPw(secret)+"\n"), "--url", withPw(secret))
	if r.Code != 1 || !strings.Contains(r.Stderr, "--url and --targets both name databases") || strings.Contains(r.Stderr, secret) {
		t.Errorf("--url and --targets: %s", r)
	}
	r = run("db", "expand", "--url", withPw(secret), "--canary", "1")
	if r.Code != 2 || !strings.Contains(r.Stderr, "--canary is for a target list") {
		t.Errorf("--canary on one database: %s", r)
	}
	r = run("db", "expand", "--targets", write(withPw(secret)+"\n"), "--parallel", "0")
	if r.Code != 2 || !strings.Contains(r.Stderr, "--parallel 0") {
		t.Errorf("--parallel 0: %s", r)
	}
	r = run("db", "expand", "--targets", write(withPw(secret)+"\n"), "--canary", "2")
	if r.Code != 2 || !strings.Contains(r.Stderr, "--canary 2: give how many of the 1 targets") {
		t.Errorf("--canary beyond the list: %s", r)
	}
}

// An env block with for_each over a variable, in Atlas's shape, is a
// target list; --var gives the tenants.
func TestFleetFromAtlasForEach(t *testing.T) {
	t.Parallel()
	a, b := testdb.New(t), testdb.New(t)
	f := newFleetProject(t, []string{a.URL}, nil)
	base := a.URL[:strings.LastIndex(a.URL, "/")+1]
	opWrite(t, filepath.Join(f.Dir, "atlas.hcl"), []byte(`variable "tenants" {
  type = list(string)
}
variable "url" {
  type    = string
  default = "`+base+`"
}
env "tenants" {
  for_each = toset(var.tenants)
  url      = urlsetpath(var.url, each.value)
}
`+opSettings))
	r := f.run("db", "sync", "--env", "tenants", "--var", "tenants="+a.Name, "--var", "tenants="+b.Name, "--format", "json")
	var doc fleetJSON
	if err := json.Unmarshal([]byte(r.Stdout), &doc); err != nil || r.Code != 0 || len(doc.Targets) != 2 || doc.Versions[0].Version != "pike_expand01, pike_contract01" {
		t.Fatalf("sync over for_each: %v %s", err, r)
	}
	r = f.run("db", "version", "--env", "tenants", "--var", "tenants="+a.Name)
	if r.Code != 0 || !strings.Contains(r.Stdout, "1 targets: 1 ok") {
		t.Fatalf("one tenant is a fleet of one: %s", r)
	}
}
