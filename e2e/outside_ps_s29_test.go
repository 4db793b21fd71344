package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/internal/testdb"
)

// PrestaShop, measured from outside: releases 1.7.6, 1.7.7, 1.7.8, 8.0 and
// 9.1 of install-dev/data/db_structure.sql (47 of its tables), as SQL
// releases, upgraded with hundreds of thousands of rows. The fixtures under
// testdata/outside_ps_s29 are trimmed to what each test needs.

// outsidePsS29Fixture is a file of testdata/outside_ps_s29.
func outsidePsS29Fixture(t *testing.T, name string) string {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", "outside_ps_s29", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(src)
}

// PrestaShop 8.0 puts '410' second among product.redirect_type's values.
// Expand appends it (instant), so both releases write through the upgrade,
// and contract sets the declared order by a table copy, with no gate: every
// stored value is kept. emcee lint called that contract statement a
// tightening without a gate (EM109, an error), so CI failed on the plans
// emcee had written; the plan said it "would reject writes of the
// previous release", and review that it was "NOT GUARDED", rows that do
// not fit making contract fail midway: no row can.
func TestOutsidePsS29EnumValueInsertedAmongOthers(t *testing.T) {
	t.Parallel()
	p := newSchemaProject(t, [2]string{"v1_7_8", outsidePsS29Fixture(t, "product_1_7_8.hcl")}, [2]string{"v8_0", outsidePsS29Fixture(t, "product_8_0.hcl")})
	p.must("plan")
	contract := p.read("plans/v8_0/v8_0_contract01.sql")
	if strings.Contains(contract, "emcee:gate") || strings.Contains(contract, "would reject") {
		t.Fatalf("the reorder rejects no row, and contract should neither gate it nor say so:\n%s", contract)
	}
	p.must("lint")
	if r := p.must("review", "v8_0"); strings.Contains(r.Stdout, "NOT GUARDED") {
		t.Fatalf("review calls the reorder an unguarded tightening:\n%s", r.Stdout)
	}
	p.must("db", "sync", "v1_7_8")
	p.exec("INSERT INTO ps_product (redirect_type) VALUES ('404'), ('301-product'), ('302-category')")
	p.must("db", "expand")
	p.exec("INSERT INTO ps_product (redirect_type) VALUES ('302-product')") // 1.7.8's code
	p.exec("INSERT INTO ps_product (redirect_type) VALUES ('410')")         // 8.0's code
	p.must("db", "migrate")
	p.must("db", "contract")
	p.must("db", "diff")
	if got := p.query("SELECT GROUP_CONCAT(redirect_type ORDER BY id_product) FROM ps_product"); got != "404,301-product,302-category,302-product,410" {
		t.Fatalf("redirect types after contract: %q", got)
	}
	if got := p.query("SELECT GROUP_CONCAT(id_product ORDER BY redirect_type, id_product) FROM ps_product"); got != "1,5,2,4,3" {
		t.Fatalf("rows in the declared order of the values: %q", got)
	}
}

// A shop PrestaShop 1.7.6 installed has its flags as tinyint(1) unsigned,
// which emcee asks a release to declare as tinyint unsigned (Atlas reads
// any integer of display width 1 as a bool). Adopting the shop, db
// baseline listed each of them as "bool NOT NULL DEFAULT 1, expected
// tinyint unsigned NOT NULL DEFAULT 1": a type the database does not have,
// and no hint that only the display width differs. It names the server's
// type now, and once the operator changes the width (instant), the shop is
// adopted and upgrades.
func TestOutsidePsS29BaselineNamesTheServersFlagType(t *testing.T) {
	t.Parallel()
	p := sqlReleasesProject(t, [2]string{"v1_7_6", outsidePsS29Fixture(t, "address_1_7_6.sql")})
	p.must("plan")
	p.exec(outsidePsS29Fixture(t, "address_1_7_6_installed.sql"))
	p.exec("INSERT INTO ps_address (alias, active, deleted) VALUES ('home', 1, 0), ('work', 0, 1)")
	r := p.run("db", "baseline", "v1_7_6")
	if r.Code == 0 {
		t.Fatalf("baseline of flags of another display width: want a refusal: %s", r)
	}
	opContains(t, r, "column active is tinyint(1) unsigned NOT NULL DEFAULT 1, expected tinyint unsigned NOT NULL DEFAULT 1",
		"column deleted is tinyint(1) unsigned NOT NULL DEFAULT 0, expected tinyint unsigned NOT NULL DEFAULT 0")
	p.exec("ALTER TABLE ps_address MODIFY active tinyint unsigned NOT NULL DEFAULT 1, MODIFY deleted tinyint unsigned NOT NULL DEFAULT 0, ALGORITHM=INSTANT")
	p.must("db", "baseline", "v1_7_6")
	p.must("db", "diff")
	if got := p.query("SELECT GROUP_CONCAT(CONCAT(alias, active, deleted) ORDER BY id_address) FROM ps_address"); got != "home10,work01" {
		t.Fatalf("rows after adoption: %q", got)
	}
}

// PrestaShop's installer runs with sql_mode off, and creates
// ps_smarty_lazy_cache.last_update with the default '0000-00-00 00:00:00'.
// emcee init refused it with a position in a file it had not written and
// advice worded for that file ("write YYYY-MM-DD HH:MM:SS"): the fix is
// made in the database, and init says so. Once the default is dropped
// (instant), the shop is adopted.
func TestOutsidePsS29InitZeroDateDefault(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	if _, err := db.Exec("SET STATEMENT sql_mode = '' FOR " + outsidePsS29Fixture(t, "smarty_lazy_cache_installed.sql")); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	run := func(args ...string) opResult {
		cmd := exec.Command(opBinary(t), args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "EMCEE_URL="+db.URL)
		return opRunCmd(t, cmd)
	}
	r := run("init", "--from", db.URL, "--release", "v1_7_6")
	if r.Code == 0 {
		t.Fatalf("init of a zero-date default: want a refusal: %s", r)
	}
	opContains(t, r, "default of ps_smarty_lazy_cache.last_update: \"0000-00-00 00:00:00\"", "change each table or column named in the database as said (ALTER TABLE ... MODIFY")
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("files written: %v", entries)
	}
	if _, err := db.Exec("ALTER TABLE ps_smarty_lazy_cache MODIFY last_update datetime NOT NULL, ALGORITHM=INSTANT"); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"init", "--from", db.URL, "--release", "v1_7_6"}, {"db", "baseline", "v1_7_6", "--env", "live"}, {"db", "diff", "--env", "live"}} {
		if r := run(args...); r.Code != 0 {
			t.Fatalf("emcee %s: %s", strings.Join(args, " "), r)
		}
	}
}

// PrestaShop names utf8mb4 on every table it creates, and a database made
// on a stock MariaDB 10.11 is latin1. A release declared as SQL reads a
// CREATE TABLE naming the default it is planned for as taking the
// database's (mysqldump names every table's), so db sync refused, rightly,
// but said the tables "declare no charset" and offered, among the ways
// out, to declare charset and collate on them: they did. The refusal says
// what the SQL declares and how a SQL release declares the database's
// default; that way through is taken here.
func TestOutsidePsS29SQLReleaseOnALatin1Database(t *testing.T) {
	t.Parallel()
	hook := outsidePsS29Fixture(t, "hook_1_7_7.sql")
	p := sqlReleasesProject(t, [2]string{"v1_7_7", hook})
	p.exec("ALTER DATABASE `" + p.DB.Name + "` CHARACTER SET latin1 COLLATE latin1_swedish_ci")
	p.must("plan")
	r := p.run("db", "sync")
	if r.Code != 1 {
		t.Fatalf("sync into a latin1 database: want the refusal: %s", r)
	}
	opContains(t, r, "the tables of v1_7_7 (`ps_hook`; in SQL, a CREATE TABLE naming utf8mb4_general_ci, the default the release was planned for, reads as taking the database's default, since mysqldump names every table's) take the database's default",
		"in SQL, before the first CREATE TABLE: ALTER DATABASE CHARACTER SET latin1 COLLATE latin1_swedish_ci")
	if strings.Contains(r.Stderr, "declare charset and collate on those tables") {
		t.Fatalf("the refusal offers what the SQL already does: %s", r)
	}
	opWrite(t, filepath.Join(p.Dir, "schema", "v1_7_7.sql"), []byte(strings.Replace(hook, "SET NAMES 'utf8mb4';\n", "SET NAMES 'utf8mb4';\nALTER DATABASE CHARACTER SET latin1 COLLATE latin1_swedish_ci;\n", 1)))
	p.must("plan", "--rewrite", "v1_7_7")
	p.must("db", "sync")
	p.must("db", "diff")
	p.exec("INSERT INTO ps_hook (name, title) VALUES ('displayHome', 'Accueil 😀')")
	if got := p.query("SELECT CONCAT(TABLE_COLLATION, ' ', (SELECT title FROM ps_hook)) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'ps_hook'"); got != "utf8mb4_general_ci Accueil 😀" {
		t.Fatalf("ps_hook after sync: %q", got)
	}
}
