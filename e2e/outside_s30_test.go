package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/internal/testdb"
)

// pastedBlocks are the top-level HCL blocks a refusal gives on lines of
// their own (indented by four spaces), without their indent, as a user
// pastes them into a file, but for those of the types skipped.
func pastedBlocks(out string, skip ...string) string {
	var b, block strings.Builder
	flush := func() {
		if f := strings.Fields(block.String()); len(f) > 0 && !slices.Contains(skip, f[0]) {
			b.WriteString(block.String())
		}
		block.Reset()
	}
	for line := range strings.Lines(out) {
		rest, ok := strings.CutPrefix(line, "    ")
		if !ok {
			continue
		}
		if !strings.HasPrefix(rest, " ") && !strings.HasPrefix(rest, "}") {
			flush()
		}
		block.WriteString(rest)
	}
	flush()
	return b.String()
}

// Matomo 4.0, declared as SQL: log_visit loses visitor_days_since_first
// and gains profilable and visitor_seconds_since_first, goal.revenue goes
// from float to double, and site gains excluded_referrers TEXT NOT NULL.
// Each refusal gives the way out as blocks for the declarations file of
// the SQL release (it said "to column ..." and "in its column block",
// which a SQL release has not, in one-line blocks HCL refuses); pasted
// there as given, with their placeholders filled, the release plans.
func TestOutsideS30SQLAdviceIsPasteable(t *testing.T) {
	t.Parallel()
	v1 := "CREATE TABLE goal (idgoal int NOT NULL, revenue float NOT NULL, PRIMARY KEY (idgoal));\n" +
		"CREATE TABLE site (idsite int NOT NULL, name varchar(90) NOT NULL, PRIMARY KEY (idsite));\n" +
		"CREATE TABLE log_visit (idvisit bigint unsigned NOT NULL AUTO_INCREMENT, visitor_days_since_first smallint(5) unsigned NULL, PRIMARY KEY (idvisit));\n"
	v2 := "CREATE TABLE goal (idgoal int NOT NULL, revenue double NOT NULL, PRIMARY KEY (idgoal));\n" +
		"CREATE TABLE site (idsite int NOT NULL, name varchar(90) NOT NULL, excluded_referrers text NOT NULL, PRIMARY KEY (idsite));\n" +
		"CREATE TABLE log_visit (idvisit bigint unsigned NOT NULL AUTO_INCREMENT, profilable tinyint(1) NULL, visitor_seconds_since_first int(11) unsigned NULL, PRIMARY KEY (idvisit));\n"
	p := sqlReleasesProject(t, [2]string{"m3", v1}, [2]string{"m4", v2})
	// Planning stops at the first stage that refuses: the loss, then
	// what the rules refuse. Each time, the user pastes what it gives.
	wants := [][]string{
		{"If visitor_seconds_since_first carries visitor_days_since_first's data, declare it in schema/m4.emcee.hcl"},
		{"goal.revenue: this change (type: float -> double) makes the server copy the whole table, blocking writes while it runs. Add `allow_copy = true` to the column to accept that, or add a new column that `replaces` it to change it online (a release declared as SQL declares it in schema/m4.emcee.hcl, as below):\n    table \"goal\" {\n      column \"revenue\" {\n        allow_copy = true\n      }\n    }",
			"site.excluded_referrers is a new NOT NULL column without a default",
			"    table \"site\" {\n      column \"excluded_referrers\" {\n        fill = \"<SQL expression>\"\n"},
	}
	decl := ""
	for _, want := range wants {
		r := p.run("plan")
		if r.Code != 1 {
			t.Fatalf("plan must refuse:\n%s\n%s", decl, r)
		}
		opContains(t, r, want...)
		// The loss's advice gives the replacement, then the discard: one
		// of the two is declared, the replacement here.
		decl += strings.NewReplacer(`forward  = "..."`, `forward  = "visitor_days_since_first * 86400"`, `backward = "..."`, `backward = "visitor_seconds_since_first DIV 86400"`, `"<SQL expression>"`, `"''"`).Replace(pastedBlocks(r.Stderr, "discard"))
		if err := os.WriteFile(filepath.Join(p.Dir, "schema", "m4.emcee.hcl"), []byte(decl), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if r := p.run("plan"); r.Code != 0 {
		t.Fatalf("plan with the declarations the refusals gave:\n%s\n%s", decl, r)
	}
	for file, want := range map[string]string{
		"plans/m4/m4_expand01.sql":  "ALTER TABLE `goal` MODIFY COLUMN `revenue` double NOT NULL, ALGORITHM=COPY, LOCK=SHARED",
		"plans/m4/m4_migrate01.sql": "`visitor_seconds_since_first` = (`visitor_days_since_first` * 86400)",
	} {
		if got := p.read(file); !strings.Contains(got, want) {
			t.Errorf("%s lacks %s:\n%s", file, want, got)
		}
	}
}

// Matomo's log_conversion_item.deleted is tinyint(1) unsigned NOT NULL,
// which emcee init refuses (Atlas reads it as a bool). The way out said
// "ALTER TABLE ... MODIFY it as tinyint unsigned": no statement to run,
// and the one a user writes from it (MODIFY deleted tinyint unsigned)
// makes the column NULL and drops its default. The refusal gives the
// statement, the definition kept; run as given, init adopts the table,
// and the column is what it was but for the display width.
func TestOutsideS30InitGivesTheModify(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	if _, err := db.Exec("CREATE TABLE matomo_log_conversion_item (idvisit bigint(10) unsigned NOT NULL, idorder varchar(100) NOT NULL, deleted tinyint(1) unsigned NOT NULL DEFAULT 0 COMMENT 'it''s gone', PRIMARY KEY (idvisit, idorder))"); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(opBinary(t), "init", "--from", db.URL, "--release", "m3")
	cmd.Dir = t.TempDir()
	r := opRunCmd(t, cmd)
	stmt := "ALTER TABLE `matomo_log_conversion_item` MODIFY COLUMN `deleted` tinyint unsigned NOT NULL DEFAULT 0 COMMENT \"it's gone\""
	if r.Code != 1 {
		t.Fatalf("init adopting a tinyint(1) unsigned: %s", r)
	}
	opContains(t, r, "matomo_log_conversion_item.deleted is tinyint(1) unsigned, which Atlas reads as a bool (a signed tinyint(1)) (a display width changes nothing of what it holds: "+stmt+")")
	if _, err := db.Exec(stmt); err != nil {
		t.Fatalf("the statement the refusal gives: %v", err)
	}
	var typ, null, def, comment string
	if err := db.QueryRow("SELECT COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, COLUMN_COMMENT FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'matomo_log_conversion_item' AND COLUMN_NAME = 'deleted'").Scan(&typ, &null, &def, &comment); err != nil {
		t.Fatal(err)
	}
	if typ != "tinyint(3) unsigned" || null != "NO" || def != "0" || comment != "it's gone" {
		t.Fatalf("deleted is now %s, nullable %s, default %s, comment %q", typ, null, def, comment)
	}
	cmd = exec.Command(opBinary(t), "init", "--from", db.URL, "--release", "m3")
	cmd.Dir = t.TempDir()
	if r := opRunCmd(t, cmd); r.Code != 0 {
		t.Fatalf("init after the statement: %s", r)
	}
}

// Matomo creates an archive table a month as it runs
// (matomo_archive_numeric_2020_02 beside the declared _2020_01): no
// release can declare next month's. The env's exclude, Atlas's attribute,
// was read and ignored, so every expand after the first month was refused
// as drift, with --allow-drift, which hides all drift, the only way on.
// The tables it names are left out of the drift checks when no release
// declares them, and said so; a declared table it names is compared still.
func TestOutsideS30ExcludeLeavesOutRuntimeTables(t *testing.T) {
	t.Parallel()
	v1 := "CREATE TABLE matomo_site (idsite int NOT NULL, name varchar(90) NOT NULL, PRIMARY KEY (idsite));\n" +
		"CREATE TABLE matomo_archive_numeric_2020_01 (idarchive int unsigned NOT NULL, name varchar(190) NOT NULL, value double NULL, PRIMARY KEY (idarchive, name));\n"
	v2 := strings.Replace(v1, "name varchar(90) NOT NULL,", "name varchar(90) NOT NULL, excluded_referrers text NULL,", 1)
	p := sqlReleasesProject(t, [2]string{"m4_6", v1}, [2]string{"m4_16", v2})
	p.must("plan")
	p.must("db", "sync", "m4_6")
	p.exec("CREATE TABLE matomo_archive_numeric_2020_02 LIKE matomo_archive_numeric_2020_01")
	p.exec("INSERT INTO matomo_archive_numeric_2020_02 VALUES (1, 'nb_visits', 3)")
	// Refused as drift, with the exclude as the way out (it said only
	// --allow-drift, which passes all drift, on every expand to come).
	r := p.run("db", "expand")
	if r.Code == 0 {
		t.Fatalf("expand beside a table no release declares, nothing excluded: %s", r)
	}
	opContains(t, r, "table matomo_archive_numeric_2020_02 is unexpected", `. If the application creates tables as it runs (1 table that no release declares here), name them in the env's exclude instead (exclude = ["matomo_archive_numeric_2020_02"] in its env block of atlas.hcl, or a glob such as "prefix_*")`)
	cfg := p.read("atlas.hcl")
	opWrite(t, filepath.Join(p.Dir, "atlas.hcl"), []byte(strings.Replace(cfg, "env \"test\" {\n", "env \"test\" {\n  exclude = [\"matomo_archive_*\"]\n", 1)))
	r = p.must("db", "expand")
	opContains(t, r, "live schema matches release m4_6 (plans/m4_6/m4_6.snapshot.hcl), apart from 1 table no release declares that the env's exclude leaves out (matomo_archive_numeric_2020_02)")
	opContains(t, p.must("db", "diff"), "not compared: 1 table no release declares, left out by the env's exclude: matomo_archive_numeric_2020_02")
	// A declared table the pattern names is compared all the same.
	p.exec("ALTER TABLE matomo_archive_numeric_2020_01 ADD COLUMN hand_made int NULL")
	if r := p.run("db", "diff"); r.Code != 6 || !strings.Contains(r.Stdout, "column hand_made is unexpected") {
		t.Fatalf("drift of a declared table the exclude names: %s", r)
	}
	// A pattern emcee would not follow as Atlas does is refused.
	opWrite(t, filepath.Join(p.Dir, "atlas.hcl"), []byte(strings.Replace(cfg, "env \"test\" {\n", "env \"test\" {\n  exclude = [\"matomo_archive_*.value\"]\n", 1)))
	if r := p.run("db", "diff"); r.Code != 1 || !strings.Contains(r.Stderr, `exclude: "matomo_archive_*.value" names a column (or a schema): emcee's drift checks leave out whole tables only`) {
		t.Fatalf("a column pattern: %s", r)
	}
}
