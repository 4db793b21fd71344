package adopt

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/dbconn"
	"github.com/emcee-db/emcee/internal/testdb"
)

func TestInitRefuses(t *testing.T) {
	db := testdb.New(t)
	cfg, err := dbconn.Parse(db.URL)
	if err != nil {
		t.Fatal(err)
	}
	init := func(release string) error {
		_, err := Init(context.Background(), Options{DB: cfg, Dir: t.TempDir(), Release: release, Env: "live"})
		return err
	}
	if err := init("2024_1"); err == nil || !strings.Contains(err.Error(), "has no tables: there is nothing to adopt") {
		t.Fatalf("empty database: %v", err)
	}
	if err := init("Bad Name"); err == nil || !strings.Contains(err.Error(), `--release: "Bad Name" is not a valid release name`) {
		t.Fatalf("bad release name: %v", err)
	}
	for _, q := range []string{"CREATE TABLE t (id int PRIMARY KEY)", "CREATE VIEW v AS SELECT id FROM t"} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	if err := init("2024_1"); err == nil || !strings.Contains(err.Error(), "has 1 view(s) and 0 trigger(s)") {
		t.Fatalf("database with a view: %v", err)
	}
}

// A live schema the server took but emcee refuses (here an enum value with
// a quote, which Atlas would write unescaped) is refused before any file
// is written.
func TestInitRefusesWhatEmceeCannotPlan(t *testing.T) {
	db := testdb.New(t)
	cfg, err := dbconn.Parse(db.URL)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("CREATE TABLE t (id int PRIMARY KEY, s enum('it''s', 'plain') NOT NULL DEFAULT 'it''s')"); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	_, err = Init(context.Background(), Options{DB: cfg, Dir: dir, Release: "r1", Env: "live"})
	if err == nil || !strings.Contains(err.Error(), "nothing was written") || !strings.Contains(err.Error(), "schema/r1.hcl:") || !strings.Contains(err.Error(), "contains ' or") {
		t.Fatalf("got %v", err)
	}
	// The default is the value with the quote: one refusal, not a second
	// line saying the default is no member (Atlas reads the member with
	// SQL's doubled quote).
	if strings.Contains(err.Error(), "is not one of the enum values") {
		t.Fatalf("a misleading second refusal: %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("files written: %v", entries)
	}
}

// A zero-date default, which PrestaShop's installer creates with sql_mode
// off (ps_smarty_lazy_cache.last_update), is refused before any file is
// written, and the refusal says the fix is made in the database: its
// advice reads as a release file's, and there is no file.
func TestInitRefusesAZeroDateDefaultInTheDatabase(t *testing.T) {
	db := testdb.New(t)
	cfg, err := dbconn.Parse(db.URL)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("SET STATEMENT sql_mode = '' FOR CREATE TABLE ps_smarty_lazy_cache (cache_id varchar(191) NOT NULL PRIMARY KEY, last_update datetime NOT NULL DEFAULT '0000-00-00 00:00:00')"); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	_, err = Init(context.Background(), Options{DB: cfg, Dir: dir, Release: "r1", Env: "live"})
	if err == nil || !strings.Contains(err.Error(), "default of ps_smarty_lazy_cache.last_update") || !strings.Contains(err.Error(), "change each table or column named in the database as said (ALTER TABLE ... MODIFY") {
		t.Fatalf("got %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("files written: %v", entries)
	}
}

// A table in another engine than InnoDB is refused as a release declaring
// it is: the plans' online clauses are InnoDB's, so every ALTER of it would
// fail when it runs.
func TestInitRefusesAnotherEngine(t *testing.T) {
	db := testdb.New(t)
	cfg, err := dbconn.Parse(db.URL)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("CREATE TABLE t (id int PRIMARY KEY) ENGINE=MyISAM"); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	_, err = Init(context.Background(), Options{DB: cfg, Dir: dir, Release: "r1", Env: "live"})
	if err == nil || !strings.Contains(err.Error(), "nothing was written") || !strings.Contains(err.Error(), "table t is created with engine MyISAM: emcee plans InnoDB tables") {
		t.Fatalf("got %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("files written: %v", entries)
	}
}

// The adopted release is written as a person declares it, in the form a
// release declared as SQL takes (schemadef.Declared), not as the server
// spells it: a bool's default is false or true, the current time is
// CURRENT_TIMESTAMP, and neither the index InnoDB adds for a foreign key,
// nor RESTRICT (the default), nor a table's next AUTO_INCREMENT value is
// declared.
func TestInitWritesTheDeclaredForm(t *testing.T) {
	db := testdb.New(t)
	cfg, err := dbconn.Parse(db.URL)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"CREATE TABLE p (id int NOT NULL AUTO_INCREMENT PRIMARY KEY, flag tinyint(1) NOT NULL DEFAULT 1, made datetime NOT NULL DEFAULT current_timestamp(), upd timestamp(3) NULL DEFAULT current_timestamp(3) ON UPDATE current_timestamp(3))",
		"INSERT INTO p (flag) VALUES (0), (1)",
		"CREATE TABLE c (id int PRIMARY KEY, p_id int NOT NULL, CONSTRAINT c_p FOREIGN KEY (p_id) REFERENCES p (id))",
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	if _, err := Init(context.Background(), Options{DB: cfg, Dir: dir, Release: "r1", Env: "live"}); err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(filepath.Join(dir, "schema", "r1.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"default = true", "default = sql(\"CURRENT_TIMESTAMP\")", "default   = sql(\"CURRENT_TIMESTAMP(3)\")", "on_update = sql(\"CURRENT_TIMESTAMP(3)\")", "foreign_key \"c_p\""} {
		if !strings.Contains(string(src), want) {
			t.Errorf("schema/r1.hcl lacks %s:\n%s", want, src)
		}
	}
	for _, unwanted := range []string{"RESTRICT", "index \"c_p\"", "auto_increment = 3", "current_timestamp()"} {
		if strings.Contains(string(src), unwanted) {
			t.Errorf("schema/r1.hcl holds %s:\n%s", unwanted, src)
		}
	}
}

// emcee's own tables are not schema: the version table and the accepted
// differences are left out and listed; a dev database's marker, or a table
// named like one of emcee's in another letter case (which emcee plan
// refuses), is refused before anything is written.
func TestInitHandlesEmceesOwnTables(t *testing.T) {
	db := testdb.New(t)
	cfg, err := dbconn.Parse(db.URL)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"CREATE TABLE t (id int PRIMARY KEY)", "CREATE TABLE emcee_revisions (name varchar(10) PRIMARY KEY)", "CREATE TABLE emcee_accepted_drift (id int PRIMARY KEY)"} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	res, err := Init(context.Background(), Options{DB: cfg, Dir: dir, Release: "r1", Env: "live"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Tables != 1 || strings.Join(res.Skipped, ",") != "emcee_revisions,emcee_accepted_drift" && strings.Join(res.Skipped, ",") != "emcee_accepted_drift,emcee_revisions" {
		t.Fatalf("tables %d, skipped %v", res.Tables, res.Skipped)
	}
	src, err := os.ReadFile(filepath.Join(dir, "schema", "r1.hcl"))
	if err != nil || strings.Contains(string(src), "emcee_revisions") || strings.Contains(string(src), "emcee_accepted") {
		t.Fatalf("schema written: %v\n%s", err, src)
	}
	for q, want := range map[string]string{
		"CREATE TABLE EMCEE_ACCEPTED_DRIFT (id int PRIMARY KEY)": `table name "EMCEE_ACCEPTED_DRIFT" is the name of the table in which emcee records the differences accepted`,
		"CREATE TABLE emcee_dev_in_use (id int PRIMARY KEY)":     "holds emcee_dev_in_use: it is a dev database",
		"CREATE TABLE emcee_scratch_left (id int)":               "holds emcee_scratch_left: it is a temporary dev database",
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		if _, err := Init(context.Background(), Options{DB: cfg, Dir: dir, Release: "r1", Env: "live"}); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v", q, err)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 0 {
			t.Errorf("%s: files written: %v", q, entries)
		}
		if _, err := db.Exec("DROP TABLE " + strings.Fields(q)[2]); err != nil {
			t.Fatal(err)
		}
	}
}

// What Atlas's inspection does not see (system-versioned tables, sequences,
// partitioning) or cannot read (invisible columns) is refused by name
// before anything is written: adopted silently, it would be left out of the
// release, and `db baseline` and the drift check, which inspect the same
// way, would never see it either.
func TestInitRefusesWhatInspectionMisses(t *testing.T) {
	for _, c := range []struct{ name, create, want string }{
		{"system versioned", "CREATE TABLE hist (id int PRIMARY KEY) WITH SYSTEM VERSIONING", "hist is system-versioned"},
		{"sequence", "CREATE SEQUENCE seq", "seq is a sequence"},
		{"partitioned", "CREATE TABLE part (id int PRIMARY KEY) PARTITION BY HASH (id) PARTITIONS 2", "part is partitioned"},
		{"invisible column", "CREATE TABLE inv (id int PRIMARY KEY, secret int INVISIBLE)", "inv.secret is INVISIBLE"},
		{"spatial column", "CREATE TABLE geo (id int PRIMARY KEY, loc point NOT NULL, SPATIAL INDEX sp (loc))", "geo.loc is point: emcee's SQL reader, TiDB's MySQL parser, cannot read spatial types"},
	} {
		t.Run(c.name, func(t *testing.T) {
			db := testdb.New(t)
			cfg, err := dbconn.Parse(db.URL)
			if err != nil {
				t.Fatal(err)
			}
			for _, q := range []string{"CREATE TABLE t (id int PRIMARY KEY)", c.create} {
				if _, err := db.Exec(q); err != nil {
					t.Fatal(err)
				}
			}
			dir := t.TempDir()
			_, err = Init(context.Background(), Options{DB: cfg, Dir: dir, Release: "r1", Env: "live"})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want an error saying %q", err, c.want)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Fatalf("files written: %v", entries)
			}
		})
	}
}

// init writes a new project and nothing else: not through a symlink left
// where a file of it goes (a checkout can hold one), not beside plans it
// did not write, and not in a --dir that is a file; each is refused before
// any file is written.
func TestInitWritesNothingOver(t *testing.T) {
	db := testdb.New(t)
	cfg, err := dbconn.Parse(db.URL)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("CREATE TABLE t (id int PRIMARY KEY)"); err != nil {
		t.Fatal(err)
	}
	outside := filepath.Join(t.TempDir(), "outside.txt")
	for _, c := range []struct {
		name  string
		setup func(dir string) error
		want  string
	}{
		{"dangling symlink", func(dir string) error {
			if err := os.MkdirAll(filepath.Join(dir, "schema"), 0o755); err != nil {
				return err
			}
			return os.Symlink(outside, filepath.Join(dir, "schema", "r1.hcl"))
		}, "schema/r1.hcl exists"},
		{"plans of another project", func(dir string) error {
			if err := os.MkdirAll(filepath.Join(dir, "plans", "r1"), 0o755); err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(dir, "plans", "r1", "r1_expand01.sql"), []byte("junk"), 0o644)
		}, "plans"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := c.setup(dir); err != nil {
				t.Fatal(err)
			}
			before := listTree(t, dir)
			_, err := Init(context.Background(), Options{DB: cfg, Dir: dir, Release: "r1", Env: "live"})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want an error saying %q", err, c.want)
			}
			if after := listTree(t, dir); after != before {
				t.Fatalf("files written: before\n%s\nafter\n%s", before, after)
			}
			if _, err := os.Lstat(outside); err == nil {
				t.Fatal("a file was written through the symlink")
			}
		})
	}
	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Init(context.Background(), Options{DB: cfg, Dir: file, Release: "r1", Env: "live"}); err == nil || !strings.Contains(err.Error(), "is not a directory") {
		t.Fatalf("--dir a file: %v", err)
	}
}

func listTree(t *testing.T, dir string) string {
	t.Helper()
	var out []string
	err := filepath.Walk(dir, func(path string, _ os.FileInfo, err error) error {
		out = append(out, path)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(out, "\n")
}

// The env name is written into atlas.hcl as a block label: one that HCL
// would read otherwise (a template sequence, a quote, a newline) is
// refused before anything is written, not left in a project file that
// does not load.
func TestInitRefusesAnEnvNameHCLReadsOtherwise(t *testing.T) {
	db := testdb.New(t)
	cfg, err := dbconn.Parse(db.URL)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("CREATE TABLE t (id int PRIMARY KEY)"); err != nil {
		t.Fatal(err)
	}
	for _, env := range []string{`x${upper("a")}`, "x%{if true}y%{endif}", "a\"b", "a\nb", ""} {
		dir := t.TempDir()
		if _, err := Init(context.Background(), Options{DB: cfg, Dir: dir, Release: "r1", Env: env}); err == nil || !strings.Contains(err.Error(), "--env-name") {
			t.Errorf("env %q: %v", env, err)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 0 {
			t.Errorf("env %q: files written: %v", env, entries)
		}
	}
}
