package e2e

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/dbconn"
	"github.com/emcee-db/emcee/internal/testdb"
	"github.com/emcee-db/emcee/revision"
)

// opDiffJSON is the document `emcee db diff --format json` prints.
type opDiffJSON struct {
	Database     string
	Version      string
	ComparedWith string `json:"compared_with"`
	Base         string
	Replayed     []string
	InFlight     string `json:"in_flight"`
	Clean        bool
	Error        string
	Tables       []struct {
		Table       string
		Differences []opDiffEntry
	}
}

type opDiffEntry struct {
	Kind, Name, State, Live, Expected, Detail string
}

// diffLines is every difference line of a text report, in order.
func diffLines(out string) []string {
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "  - ") {
			lines = append(lines, strings.TrimPrefix(l, "  - "))
		}
	}
	return lines
}

// masked is the database as emcee prints it, password masked.
func (p *opProject) masked() string {
	p.t.Helper()
	cfg, err := dbconn.Parse(p.DB.URL)
	if err != nil {
		p.t.Fatal(err)
	}
	return cfg.String()
}

// opDevDB is an empty database to pass as --dev-url.
type opDevDB struct {
	t *testing.T
	*testdb.DB
}

func newDevDB(t *testing.T) *opDevDB { return &opDevDB{t, testdb.New(t)} }

// objects lists the tables and views in the dev database.
func (d *opDevDB) objects() string {
	d.t.Helper()
	var names string
	if err := d.QueryRow("SELECT COALESCE(GROUP_CONCAT(TABLE_NAME ORDER BY TABLE_NAME), '') FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()").Scan(&names); err != nil {
		d.t.Fatal(err)
	}
	return names
}

func (d *opDevDB) exec(q string) {
	d.t.Helper()
	if _, err := d.Exec(q); err != nil {
		d.t.Fatalf("%s: %v", q, err)
	}
}

func (p *opProject) diffJSON(args ...string) (opDiffJSON, opResult) {
	p.t.Helper()
	r := p.run(append([]string{"db", "diff", "--format", "json"}, args...)...)
	var doc opDiffJSON
	if err := json.Unmarshal([]byte(r.Stdout), &doc); err != nil {
		p.t.Fatalf("db diff --format json: %v\n%s", err, r)
	}
	return doc, r
}

// A column added and an index dropped by hand are reported, exactly those
// two, from the database's point of view, with exit 6 (findings).
func TestOperatorDiffReportsHandMadeDrift(t *testing.T) {
	t.Parallel()
	p := newOpProject(t)
	p.must("db", "sync")
	p.exec("INSERT INTO images (name, visibility) VALUES ('a', 'public'), ('b', 'private')") // rows and AUTO_INCREMENT counters are not drift
	if r := p.run("db", "diff"); r.Code != 0 || strings.TrimSpace(r.Stdout) != p.masked()+" (version pike_expand01, pike_contract01) matches what its recorded revisions ocata_expand01 ... pike_contract01 produce" {
		t.Fatalf("a database as emcee left it must compare clean, in one line: %s", r)
	}
	p.exec("ALTER TABLE images ADD COLUMN extra int NULL")
	p.exec("ALTER TABLE images DROP INDEX ix_images_name")

	r := p.run("db", "diff")
	if r.Code != 6 || r.Stderr != "" {
		t.Fatalf("drift must exit 6 with the report on stdout: %s", r)
	}
	if !strings.HasPrefix(r.Stdout, "emcee db diff on "+p.masked()+", version pike_expand01, pike_contract01\n"+
		"compared with what ocata_expand01 ... pike_contract01 produce: snapshot plans/pike/pike.snapshot.hcl\n\ntable images:\n") {
		t.Errorf("header:\n%s", r.Stdout)
	}
	want := []string{
		"column extra is unexpected (int NULL)",
		"index ix_images_name is missing (name)",
	}
	if got := diffLines(r.Stdout); !slices.Equal(got, want) {
		t.Errorf("differences:\n%q\nwant\n%q", got, want)
	}
	opContains(t, r, "2 differences in 1 table: the database has drifted from its recorded revisions.", "Undo changes made by hand", "run `emcee plan`")

	doc, r := p.diffJSON()
	if r.Code != 6 {
		t.Fatalf("json: %s", r)
	}
	if doc.Database != p.masked() || doc.Version != "pike_expand01, pike_contract01" || doc.ComparedWith != "ocata_expand01 ... pike_contract01" ||
		doc.Base != "plans/pike/pike.snapshot.hcl" || len(doc.Replayed) != 0 || doc.Clean || doc.Error != "" || len(doc.Tables) != 1 || doc.Tables[0].Table != "images" {
		t.Fatalf("json document: %+v", doc)
	}
	wantJSON := []opDiffEntry{
		{Kind: "column", Name: "extra", State: "unexpected", Live: "int NULL", Detail: want[0]},
		{Kind: "index", Name: "ix_images_name", State: "missing", Expected: "(name)", Detail: want[1]},
	}
	if got := doc.Tables[0].Differences; !slices.Equal(got, wantJSON) {
		t.Errorf("json differences:\n%+v\nwant\n%+v", got, wantJSON)
	}
}

// In the middle of a release, and in the middle of the next one, there is
// no snapshot of the expected state: the replay of the recorded revisions
// must still find the database clean at every step.
func TestOperatorDiffCleanThroughAnUpgrade(t *testing.T) {
	t.Parallel()
	p := newOpProject(t)
	opAddQueens(p)
	clean := func(comparedWith string) {
		t.Helper()
		r := p.run("db", "diff")
		if r.Code != 0 || !strings.Contains(r.Stdout, "matches what its recorded revisions "+comparedWith+" produce") || strings.Count(r.Stdout, "\n") != 1 {
			t.Fatalf("version %s: want clean against %s: %s", p.version(), comparedWith, r)
		}
	}
	p.must("db", "sync", "ocata")
	p.insertOcataRows(100)
	clean("ocata_expand01 ... ocata_contract01")
	p.must("db", "expand")
	clean("ocata_expand01 ... pike_expand01")
	doc, _ := p.diffJSON()
	if doc.Base != "plans/ocata/ocata.snapshot.hcl" || !slices.Equal(doc.Replayed, []string{"pike_expand01"}) || !doc.Clean || len(doc.Tables) != 0 {
		t.Fatalf("mid-release replay: %+v", doc)
	}
	p.must("db", "migrate", "--max-rows", "10", "--batch-size", "5")
	clean("ocata_expand01 ... pike_migrate01 (0 of 1 statements)")
	p.must("db", "migrate")
	p.must("db", "contract")
	clean("ocata_expand01 ... pike_contract01")
	p.must("db", "expand")
	clean("ocata_expand01 ... queens_expand01")
	doc, _ = p.diffJSON()
	if doc.Base != "plans/pike/pike.snapshot.hcl" || !slices.Equal(doc.Replayed, []string{"queens_expand01"}) {
		t.Fatalf("replay from the last finished release: %+v", doc)
	}
}

// The sync triggers are invisible to Atlas; emcee compares them itself.
func TestOperatorDiffMissingTrigger(t *testing.T) {
	t.Parallel()
	p := newOpProject(t)
	p.must("db", "sync", "ocata")
	p.must("db", "expand")
	p.exec("DROP TRIGGER " + opTriggerBU)
	r := p.run("db", "diff")
	want := []string{"trigger " + opTriggerBU + " is missing (BEFORE UPDATE)"}
	if got := diffLines(r.Stdout); r.Code != 6 || !slices.Equal(got, want) {
		t.Fatalf("differences %q, want %q: %s", got, want, r)
	}
	opContains(t, r, "compared with what ocata_expand01 ... pike_expand01 produce: snapshot plans/ocata/ocata.snapshot.hcl, then pike_expand01 replayed in a scratch database", "\ntable images:\n")
	doc, _ := p.diffJSON()
	if len(doc.Tables) != 1 || doc.Tables[0].Table != "images" ||
		!slices.Equal(doc.Tables[0].Differences, []opDiffEntry{{Kind: "trigger", Name: opTriggerBU, State: "missing", Expected: "BEFORE UPDATE", Detail: want[0]}}) {
		t.Fatalf("json: %+v", doc)
	}
}

// A run that stopped inside a revision: only the statements recorded as
// applied are expected, and a statement sent but not recorded counts as
// applied when the database shows its effect. The record is edited here to
// what a killed run leaves, so the test needs no timing.
func TestOperatorDiffUnfinishedRevision(t *testing.T) {
	t.Parallel()
	p := newOpProject(t)
	p.must("db", "sync", "ocata")
	p.must("db", "expand")
	p.exec("DROP TRIGGER " + opTriggerBI)
	p.exec("DROP TRIGGER " + opTriggerBU)
	p.exec("UPDATE emcee_revisions SET applied = 2, finished_at = NULL WHERE name = 'pike_expand01'")
	r := p.run("db", "diff")
	if r.Code != 0 || !strings.Contains(r.Stdout, "matches what its recorded revisions ocata_expand01 ... pike_expand01 (2 of 4 statements) produce") {
		t.Fatalf("2 of 4 statements applied: %s", r)
	}

	// The run was killed after sending statement 3 (the first trigger), and
	// the server applied it.
	p.exec("UPDATE emcee_revisions SET in_flight = 1 WHERE name = 'pike_expand01'")
	p.exec(opStatements(t, "pike_expand01")[2].SQL)
	r = p.run("db", "diff")
	if r.Code != 0 || !strings.Contains(r.Stdout, "note: statement 3 of pike_expand01 was sent by a run that stopped before recording it; the database shows its effect, so it is counted as applied") {
		t.Fatalf("in-flight statement applied: %s", r)
	}
	// Drift beside it is still drift.
	p.exec("ALTER TABLE image_members ADD COLUMN role varchar(32) NULL")
	r = p.run("db", "diff")
	want := []string{"column role is unexpected (varchar(32) NULL)"}
	if got := diffLines(r.Stdout); r.Code != 6 || !slices.Equal(got, want) {
		t.Fatalf("differences %q, want %q: %s", got, want, r)
	}
	// The rerun the note promises finishes the revision, and then it is clean.
	p.exec("ALTER TABLE image_members DROP COLUMN role")
	p.must("db", "expand")
	if r := p.run("db", "diff"); r.Code != 0 || strings.Contains(r.Stdout, "note:") {
		t.Fatalf("after the rerun: %s", r)
	}
}

// opRenameView adds a compatibility view to pike, as the rename-table rule
// does: created in expand, dropped in contract.
func opRenameView(m map[revision.ID][]revision.Statement) {
	expand := revision.ID{Release: "pike", Phase: revision.Expand, Seq: 1}
	contract := revision.ID{Release: "pike", Phase: revision.Contract, Seq: 1}
	m[expand] = append(slices.Clone(m[expand]), revision.Statement{Rule: "rename-table", Why: "the previous release still reads members through its old name",
		SQL: "CREATE ALGORITHM=MERGE SQL SECURITY INVOKER VIEW `members` AS SELECT `id`, `image_id`, `member` FROM `image_members`"})
	m[contract] = append(slices.Clone(m[contract]), revision.Statement{Rule: "rename-table", Why: "no code of the previous release is left",
		SQL: "DROP VIEW IF EXISTS `members`"})
}

// Views are invisible to Atlas too. With a dev database, the replay is
// built there and the dev database is left as it was: empty, views
// included, and with its own default charset, which differs from the live
// database's here (tables built with it would differ for no reason).
func TestOperatorDiffViewsInADevDatabase(t *testing.T) {
	t.Parallel()
	p := newOpProject(t, opRenameView)
	dev := newDevDB(t)
	charset := "latin1"
	if p.query("SELECT DEFAULT_CHARACTER_SET_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = DATABASE()") == charset {
		charset = "utf8mb4"
	}
	dev.exec("ALTER DATABASE `" + dev.Name + "` CHARACTER SET " + charset)
	p.must("db", "sync", "ocata")
	p.must("db", "expand")
	r := p.run("db", "diff", "--dev-url", dev.URL)
	if r.Code != 0 {
		t.Fatalf("expanded with its view: %s", r)
	}
	if got := dev.objects(); got != "" {
		t.Fatalf("the dev database must be left empty, it holds: %s", got)
	}
	var got string
	if err := dev.QueryRow("SELECT DEFAULT_CHARACTER_SET_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = DATABASE()").Scan(&got); err != nil || got != charset {
		t.Fatalf("the dev database's charset must be restored to %s: %s %v", charset, got, err)
	}
	p.exec("DROP VIEW members")
	p.exec("CREATE VIEW public_images AS SELECT id, name FROM images WHERE visibility = 'public'")
	r = p.run("db", "diff", "--dev-url", dev.URL)
	want := []string{
		"view members is missing (select `image_members`.`id` AS `id`,`image_members`.`image_id` AS `image_id`,`image_members`.`mem...)",
		"view public_images is unexpected (select `images`.`id` AS `id`,`images`.`name` AS `name` from `images` where `images`.`visibility` ...)",
	}
	if got := diffLines(r.Stdout); r.Code != 6 || !slices.Equal(got, want) {
		t.Fatalf("differences:\n%q\nwant\n%q\n%s", got, want, r)
	}
	opContains(t, r, "\nview members:\n", "view public_images:\n", "2 differences in 2 views")
	if got := dev.objects(); got != "" {
		t.Fatalf("the dev database must be left empty, it holds: %s", got)
	}
	// A dev database that is not empty is refused, not emptied.
	dev.exec("CREATE TABLE keep_me (id int PRIMARY KEY)")
	r = p.run("db", "diff", "--dev-url", dev.URL)
	if r.Code != 1 || !strings.Contains(r.Stderr, "is not empty (1 tables or views, e.g. keep_me)") || dev.objects() != "keep_me" {
		t.Fatalf("non-empty dev database: %s", r)
	}
}

// A database emcee never touched has nothing to compare with.
func TestOperatorDiffUnmanagedDatabase(t *testing.T) {
	t.Parallel()
	p := newOpProject(t)
	p.exec("CREATE TABLE images (id bigint PRIMARY KEY)")
	r := p.run("db", "diff")
	if r.Code != 1 {
		t.Fatalf("unmanaged database: %s", r)
	}
	opContains(t, r, "has no emcee_revisions table: emcee does not manage it yet", "emcee db baseline RELEASE", "emcee db sync")
	doc, r := p.diffJSON()
	if r.Code != 1 || !strings.Contains(doc.Error, "emcee db baseline RELEASE") {
		t.Fatalf("json error document: %+v", doc)
	}
}
