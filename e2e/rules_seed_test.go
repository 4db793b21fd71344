package e2e

import (
	"strings"
	"testing"

	"github.com/emcee-db/emcee/dbconn"
)

// seedCategory is MantisBT's category table in both releases: an
// AUTO_INCREMENT id and a unique (project_id, name).
const seedCategory = `
table "category" {
  schema = schema.app
  column "id" {
    type           = int
    auto_increment = true
  }
  column "project_id" {
    type = int
  }
  column "name" {
    type = varchar(128)
  }
  column "status" {
    type    = int
    default = 0
  }
  primary_key {
    columns = [column.id]
  }
  index "uq_category" {
    unique  = true
    columns = [column.project_id, column.name]
  }
}
`

// seedRows declares three rows: two by their id, one of them hostile
// (quote, backslash, ${, NUL, a snowman), and one by the unique key, its id
// left to AUTO_INCREMENT.
const seedRows = `
data_migration "default_category" {
  table = "category"
  row {
    id         = 1
    project_id = 0
    name       = "General"
  }
  row {
    id         = 7
    project_id = 0
    name       = "It's \\ $${x} \u0000 ⛄"
  }
  row {
    project_id = 2
    name       = "Ops"
  }
}
`

// TestRuleDataMigrationSeed applies the seed form of data_migration (row
// blocks) through apply.Session on MariaDB: a row already there with the
// declared key and other values stops migrate at its INSERT, said with the
// ways out, and is not overwritten; one already there with the declared
// values is left alone; a run killed after the server inserted a row but
// before emcee recorded it resends it and inserts nothing; a rollback keeps
// the rows and the release run again inserts none twice; contract's gate
// counts a declared row deleted since.
func TestRuleDataMigrationSeed(t *testing.T) {
	t.Parallel()
	r := newRuleProject(t, seedCategory, seedCategory+seedRows)
	r.usesRules([]string{"data-migration"})
	r.must("before")
	execAll(t, r.db.DB, "the previous release's rows", []string{
		"INSERT INTO category (id, project_id, name) VALUES (1, 0, 'Generic')",               // the key of row 1, other values
		"INSERT INTO category (id, project_id, name) VALUES (7, 0, 'It''s \\\\ ${x} \\0 ⛄')", // row 2 exactly
		"INSERT INTO category (id, project_id, name) VALUES (3, 5, 'Bugs')",
	})
	r.must("expand")

	_, err := r.apply("migrate")
	if err == nil {
		t.Fatal("migrate inserted row 1 over a row holding its key with other values")
	}
	for _, want := range []string{"Duplicate entry '1'", "neither overwrites that row nor skips the declared one", `inserts into category the row (id = 1, project_id = 0, name = 'General')`, "make it the declared row"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("migrate's refusal lacks %q:\n%v", want, err)
		}
	}
	if got := rows(t, r.db.DB, "SELECT name FROM category WHERE id = 1"); got != "Generic" {
		t.Fatalf("the row in the way was changed: %s", got)
	}
	execAll(t, r.db.DB, "the operator makes it the declared row", []string{"UPDATE category SET name = 'General' WHERE id = 1"})
	r.must("migrate")
	const all = "SELECT id, project_id, HEX(name) FROM category ORDER BY id"
	const want = "1|0|47656E6572616C;3|5|42756773;7|0|49742773205C20247B787D200020E29B84;8|2|4F7073"
	if got := rows(t, r.db.DB, all); got != want {
		t.Fatalf("after migrate:\n got %s\nwant %s", got, want)
	}

	// Killed after the server inserted the last row, before emcee recorded
	// it: the next run sends it again, and it inserts nothing.
	execAll(t, r.db.DB, "a run killed after its last INSERT", []string{"UPDATE emcee_revisions SET applied = total - 1, in_flight = 1, finished_at = NULL WHERE name = 'after_migrate01'"})
	r.must("migrate")
	if got := rows(t, r.db.DB, all); got != want {
		t.Fatalf("the resent INSERT changed the rows:\n got %s\nwant %s", got, want)
	}

	// The rollback keeps them (the previous release's schema holds them);
	// the release run again finds each and inserts none.
	r.must("rollback")
	if got := rows(t, r.db.DB, all); got != want {
		t.Fatalf("after the rollback:\n got %s\nwant %s", got, want)
	}
	r.must("expand")
	r.must("migrate")
	if got := rows(t, r.db.DB, all); got != want {
		t.Fatalf("the release run again:\n got %s\nwant %s", got, want)
	}

	// The new release deleted a declared row: contract waits for it.
	execAll(t, r.db.DB, "the new release deletes a declared row", []string{"DELETE FROM category WHERE project_id = 2 AND name = 'Ops'"})
	if err := r.contractBlocked(); !strings.Contains(err.Error(), "that category lacks") {
		t.Fatalf("contract's refusal does not say the row is missing: %v", err)
	}
	execAll(t, r.db.DB, "fix", []string{"INSERT INTO category (project_id, name) VALUES (2, 'Ops')"})
	r.must("contract")
	assertSchema(t, r.db, r.declared)
}

// TestRuleDataMigrationDelete applies the delete form of data_migration
// through apply.Session on MariaDB: MantisBT's duplicate categories, which
// the previous release wrote, deleted in contract before the unique key on
// (project_id, name); the unique key's gate leaves out the rows the delete
// selects, and still closes contract, changing nothing, on a duplicate the
// delete does not select; a contract killed after the server ran the
// DELETE, before emcee recorded it, resends it and deletes nothing more.
func TestRuleDataMigrationDelete(t *testing.T) {
	t.Parallel()
	before := strings.Replace(seedCategory, "  index \"uq_category\" {\n    unique  = true\n    columns = [column.project_id, column.name]\n  }\n", "", 1)
	const dedupe = `
data_migration "dedupe_category" {
  table  = "category"
  delete = "status = 0 AND EXISTS (SELECT 1 FROM category AS d WHERE d.project_id = category.project_id AND d.name = category.name AND d.id < category.id)"
}
`
	r := newRuleProject(t, before, seedCategory+dedupe)
	r.usesRules([]string{"data-migration", "add-unique-index"})
	r.must("before")
	execAll(t, r.db.DB, "the previous release's rows, with duplicates", []string{
		"INSERT INTO category (id, project_id, name) VALUES (1, 0, 'General'), (2, 0, 'General'), (3, 1, 'Ops'), (4, 0, 'General'), (5, 1, 'Ops')",
	})
	r.must("expand")
	r.must("migrate")
	const all = "SELECT id, project_id, name, status FROM category ORDER BY id"
	// A duplicate the delete does not select (status 1): the gate counts
	// it and contract changes nothing.
	execAll(t, r.db.DB, "a duplicate the delete keeps", []string{"INSERT INTO category (id, project_id, name, status) VALUES (6, 1, 'Ops', 1)"})
	err := r.contractBlocked()
	if !strings.Contains(err.Error(), "unique index uq_category on category") {
		t.Fatalf("contract's refusal does not name the unique key's gate: %v", err)
	}
	if got := rows(t, r.db.DB, "SELECT COUNT(*) FROM category"); got != "6" {
		t.Fatalf("a closed gate let contract delete rows: %s left", got)
	}
	execAll(t, r.db.DB, "fix", []string{"DELETE FROM category WHERE id = 6"})
	r.must("contract")
	const want = "1|0|General|0;3|1|Ops|0"
	if got := rows(t, r.db.DB, all); got != want {
		t.Fatalf("after contract:\n got %s\nwant %s", got, want)
	}
	assertSchema(t, r.db, r.declared)

	// Killed after the server ran the DELETE, before emcee recorded it
	// (the state then: the rows deleted, the key not added yet): the next
	// run checks the gates again, sends the DELETE again, which deletes
	// nothing more, and adds the key.
	execAll(t, r.db.DB, "a run killed after the DELETE", []string{
		"ALTER TABLE category DROP INDEX uq_category",
		"UPDATE emcee_revisions SET applied = 1, in_flight = 1, finished_at = NULL WHERE name = 'after_contract01'",
	})
	r.must("contract")
	if got := rows(t, r.db.DB, all); got != want {
		t.Fatalf("the resent DELETE changed the rows:\n got %s\nwant %s", got, want)
	}
	assertSchema(t, r.db, r.declared)
}

// TestRuleDataMigrationDeleteEveryRow: a delete predicate that reads the
// row and still selects every one (id > 0, where id = 0 was meant) stops
// contract at its gate, before the DELETE, with the table's rows intact;
// emptied by the operator on purpose, the table opens the gate.
func TestRuleDataMigrationDeleteEveryRow(t *testing.T) {
	t.Parallel()
	before := strings.Replace(seedCategory, "  index \"uq_category\" {\n    unique  = true\n    columns = [column.project_id, column.name]\n  }\n", "", 1)
	const careless = `
data_migration "dedupe_category" {
  table  = "category"
  delete = "id > 0"
}
`
	r := newRuleProject(t, before, seedCategory+careless)
	r.must("before")
	execAll(t, r.db.DB, "the previous release's rows", []string{
		"INSERT INTO category (id, project_id, name) VALUES (1, 0, 'General'), (2, 1, 'Ops')",
	})
	r.must("expand")
	r.must("migrate")
	err := r.contractBlocked()
	if !strings.Contains(err.Error(), `the delete of data_migration "dedupe_category" selects every row of category`) {
		t.Fatalf("contract's refusal does not name the delete that empties the table: %v", err)
	}
	if got := rows(t, r.db.DB, "SELECT COUNT(*) FROM category"); got != "2" {
		t.Fatalf("contract deleted rows behind its closed gate: %s left", got)
	}
	execAll(t, r.db.DB, "emptied on purpose", []string{"DELETE FROM category"})
	r.must("contract")
	assertSchema(t, r.db, r.declared)
}

// TestRuleDataMigrationDeleteKeepsDeclaredRows: a delete of duplicates
// that keeps the highest id of each group, in a release that declares the
// row id 1 while the previous release wrote the same key under id 5: the
// delete would take the declared row, and its gate stops contract with
// both rows there.
func TestRuleDataMigrationDeleteKeepsDeclaredRows(t *testing.T) {
	t.Parallel()
	before := strings.Replace(seedCategory, "  index \"uq_category\" {\n    unique  = true\n    columns = [column.project_id, column.name]\n  }\n", "", 1)
	const decl = `
data_migration "general" {
  table = "category"
  row {
    id         = 1
    project_id = 0
    name       = "General"
  }
}
data_migration "dedupe_category" {
  table  = "category"
  delete = "EXISTS (SELECT 1 FROM category AS d WHERE d.project_id = category.project_id AND d.name = category.name AND d.id > category.id)"
}
`
	r := newRuleProject(t, before, seedCategory+decl)
	r.must("before")
	execAll(t, r.db.DB, "the previous release's row", []string{"INSERT INTO category (id, project_id, name) VALUES (5, 0, 'General')"})
	r.must("expand")
	r.must("migrate")
	err := r.contractBlocked()
	if !strings.Contains(err.Error(), `the delete of data_migration "dedupe_category" selects rows the release declares (id = 1)`) {
		t.Fatalf("contract's refusal does not name the declared row the delete selects: %v", err)
	}
	if got := rows(t, r.db.DB, "SELECT id FROM category ORDER BY id"); got != "1;5" {
		t.Fatalf("contract deleted rows behind its closed gate: %s", got)
	}
}

// Two declared rows whose keys differ as text and not to the server ('e'
// and 'É' under the default _ci collation, 5 and '5'): migrate inserted
// the first, found the second's key taken by it and inserted nothing,
// and contract's gate, counting the declared rows found, stayed closed
// for good (it counted 2 of 4 missing, and its advice, to insert them as
// migrate does, could not be followed). They are refused when planned.
func TestRuleDataMigrationSeedKeysTheServerComparesEqual(t *testing.T) {
	t.Parallel()
	const colliding = `
data_migration "default_category" {
  table = "category"
  row {
    project_id = 0
    name       = "e"
  }
  row {
    project_id = 0
    name       = "É"
  }
  row {
    id         = 5
    project_id = 1
    name       = "x"
  }
  row {
    id         = "5"
    project_id = 1
    name       = "x"
  }
}
`
	r, err := planRuleProject(t, seedCategory, seedCategory+colliding)
	if err == nil {
		r.must("before")
		r.must("expand")
		r.must("migrate")
		_, cerr := r.apply("contract")
		t.Fatalf("planned two pairs of rows the server takes for one each; migrate left %s, contract: %v", rows(t, r.db.DB, "SELECT id, project_id, name FROM category ORDER BY id"), cerr)
	}
	for _, want := range []string{
		`row 2 of data_migration "default_category" has the key of row 1 (project_id = 0, name = 'e') as the server compares it (project_id = 0, name = 'É';`,
		`row 4 of data_migration "default_category" has the key of row 3 (id = 5) as the server compares it (id = '5'; numbers compare by their value)`,
		"the server finds one row for both, so migrate inserts one and contract's gate waits for the other forever",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the refusal lacks %q:\n%v", want, err)
		}
	}
}

// A TEXT holds bytes, not characters: a seed row's 200 'é' (400 bytes in
// utf8mb4) for a TINYTEXT was planned, and migrate, after expand had run,
// stopped on the server's refusal of the row (1366); a value over 65,535
// bytes for a TEXT alike (1406). Refused when planned, as a VARCHAR's
// value over its length is.
func TestRuleDataMigrationSeedTextOverItsBytes(t *testing.T) {
	t.Parallel()
	const table = `
table "notes" {
  schema = schema.app
  column "id" {
    type = int
  }
  column "short" {
    type = tinytext
    null = true
  }
  primary_key {
    columns = [column.id]
  }
}
`
	rows := "data_migration \"welcome\" {\n  table = \"notes\"\n  row {\n    id    = 1\n    short = \"" + strings.Repeat("é", 200) + "\"\n  }\n}\n"
	r, err := planRuleProject(t, table, table+rows)
	if err == nil {
		r.must("before")
		r.must("expand")
		_, merr := r.apply("migrate")
		t.Fatalf("planned a TINYTEXT value of 400 bytes; migrate: %v", merr)
	}
	if want := "is 400 bytes long (in utf8mb4); a tinytext column holds at most 255: the server refuses it (error 1406, data too long under emcee's strict sql_mode), and migrate would stop on the row. Shorten the value, or declare the column a longer type (text)"; !strings.Contains(err.Error(), want) {
		t.Errorf("the refusal lacks %q:\n%v", want, err)
	}
}

// seedNotes is a table whose seed rows are found by a unique key of text:
// title under the default collation, code under utf8mb4_bin.
const seedNotes = `
table "notes" {
  schema = schema.app
  column "id" {
    type           = int
    auto_increment = true
  }
  column "title" {
    type = varchar(20)
    null = true
  }
  column "code" {
    type    = varchar(10)
    null    = true
    collate = "utf8mb4_bin"
  }
  primary_key {
    columns = [column.id]
  }
  index "uq_title" {
    unique  = true
    columns = [column.title]
  }
  index "uq_code" {
    unique  = true
    columns = [column.code]
  }
}
`

// Seed keys are compared as the server compares them: 'ABC' and 'abc'
// under utf8mb4_bin are two keys, which emcee refused at load as one
// (lower-cased), and migrate inserts both through apply.Session; 'Café'
// and 'cafe ' under utf8mb4_general_ci are one key to the server (its
// duplicate-key error here), which emcee refuses at load now, as it does
// 'abc' and 'abc ' under utf8mb4_bin (PAD SPACE).
func TestRuleDataMigrationSeedKeysUnderTheirCollation(t *testing.T) {
	t.Parallel()
	const codes = `
data_migration "codes" {
  table = "notes"
  row {
    code = "ABC"
  }
  row {
    code = "abc"
  }
}
data_migration "titles" {
  table = "notes"
  row {
    title = "straße"
  }
  row {
    title = "strasse"
  }
  row {
    title = "a\u200b"
  }
  row {
    title = "a"
  }
}
`
	r := newRuleProject(t, seedNotes, seedNotes+codes)
	r.must("before")
	r.must("expand")
	r.must("migrate")
	if got := rows(t, r.db.DB, "SELECT code FROM notes WHERE code IS NOT NULL ORDER BY id"); got != "ABC;abc" {
		t.Fatalf("the rows migrate inserted: %s", got)
	}
	// utf8mb4_general_ci tells 'ß' from 'ss', and a zero width space from
	// nothing, which emcee refused at load as Unicode folds them.
	if got := rows(t, r.db.DB, "SELECT HEX(title) FROM notes WHERE title IS NOT NULL ORDER BY id"); got != "73747261C39F65;73747261737365;61E2808B;61" {
		t.Fatalf("the titles migrate inserted: %s", got)
	}
	r.must("contract")
	// What the server compares as one key, which emcee refuses at load
	// ('ß' is 's' to utf8mb4_general_ci, and characters past U+FFFF one).
	for _, q := range []string{
		"INSERT INTO notes (title) VALUES ('Café'), ('cafe ')",
		"INSERT INTO notes (code) VALUES ('abc ')",
		"INSERT INTO notes (title) VALUES ('Maß'), ('MAS')",
		"INSERT INTO notes (title) VALUES ('\U0001F600'), ('\U0001F601')",
	} {
		if _, err := r.db.Exec(q); !dbconn.ServerError(err, 1062) {
			t.Fatalf("%s: %v, want the server's duplicate key", q, err)
		}
	}
}

// A seed value holding a character the column's charset lacks (an emoji
// in a utf8mb3 column, Japanese in a latin1 one) was planned, and migrate,
// after expand had run, stopped on the server's refusal of the row's
// INSERT (1267: illegal mix of collations, the literal being utf8mb4).
// Refused when planned.
func TestRuleDataMigrationSeedCharactersTheCharsetLacks(t *testing.T) {
	t.Parallel()
	const table = `
table "labels" {
  schema = schema.app
  column "id" {
    type = int
  }
  column "name" {
    type    = varchar(20)
    charset = "latin1"
  }
  primary_key {
    columns = [column.id]
  }
}
`
	const rows = "data_migration \"labels\" {\n  table = \"labels\"\n  row {\n    id   = 1\n    name = \"€ ok\"\n  }\n  row {\n    id   = 2\n    name = \"日本\"\n  }\n}\n"
	r, err := planRuleProject(t, table, table+rows)
	if err == nil {
		r.must("before")
		r.must("expand")
		_, merr := r.apply("migrate")
		t.Fatalf("planned a latin1 value holding Japanese; migrate: %v", merr)
	}
	if want := `row 2 of data_migration "labels": labels.name: "日本" holds '日' (U+65E5), which charset latin1 has no character for`; !strings.Contains(err.Error(), want) {
		t.Errorf("the refusal lacks %q:\n%v", want, err)
	}
	if strings.Contains(err.Error(), "row 1 ") {
		t.Errorf("the refusal names row 1, whose € latin1 (cp1252) holds:\n%v", err)
	}
}

// A data_migration's delete on a table named emcee_rows: the DELETE joins
// the table to a derived table of the rows its predicate selects, and
// that derived table was named emcee_rows too; the server refused the
// statement (1066, not unique table/alias) at every run of contract, the
// release never finishing. The derived table is named apart.
func TestRuleDataMigrationDeleteFromATableNamedLikeItsRows(t *testing.T) {
	t.Parallel()
	const table = `
table "emcee_rows" {
  schema = schema.app
  column "id" {
    type = int
  }
  column "n" {
    type = int
    null = true
  }
  primary_key {
    columns = [column.id]
  }
}
`
	r := newRuleProject(t, table, table+"data_migration \"unset\" {\n  table  = \"emcee_rows\"\n  delete = \"n IS NULL\"\n}\n")
	r.must("before")
	execAll(t, r.db.DB, "rows", []string{"INSERT INTO emcee_rows VALUES (1, 1), (2, NULL), (3, NULL)"})
	r.must("expand")
	r.must("migrate")
	r.must("contract")
	if got := rows(t, r.db.DB, "SELECT id FROM emcee_rows ORDER BY id"); got != "1" {
		t.Fatalf("rows after contract: %s, want those with n set", got)
	}
}

// Under utf8mb4_unicode_ci (UCA 4.0.0, as the language collations built on
// it) every character past U+FFFF weighs as U+FFFD: two emoji declared as
// two rows' keys were planned, and migrate's INSERT of the second found
// the first's key (the server's duplicate key: contract's gate would wait
// for it forever). Refused when planned.
func TestRuleDataMigrationSeedKeysPastTheBasicPlane(t *testing.T) {
	t.Parallel()
	const table = `
table "tags" {
  schema = schema.app
  column "id" {
    type           = int
    auto_increment = true
  }
  column "name" {
    type    = varchar(20)
    collate = "utf8mb4_unicode_ci"
  }
  primary_key {
    columns = [column.id]
  }
  index "uq_name" {
    unique  = true
    columns = [column.name]
  }
}
`
	seed := "data_migration \"emoji\" {\n  table = \"tags\"\n  row {\n    name = \"\U0001F600\"\n  }\n  row {\n    name = \"\U0001F601\"\n  }\n}\n"
	r, err := planRuleProject(t, table, table+seed)
	if err == nil {
		r.must("before")
		r.must("expand")
		_, merr := r.apply("migrate")
		_, cerr := r.apply("contract")
		t.Fatalf("planned two emoji as two keys of utf8mb4_unicode_ci; migrate left %s (%v), contract: %v", rows(t, r.db.DB, "SELECT HEX(name) FROM tags ORDER BY id"), merr, cerr)
	}
	if want := "row 2 of data_migration \"emoji\" has the key of row 1 (name = '\U0001F600') as the server compares it (name = '\U0001F601'; text under tags.name's collation utf8mb4_unicode_ci, which emcee takes to ignore trailing spaces, case, accents, every character past U+FFFF as one)"; !strings.Contains(err.Error(), want) {
		t.Errorf("the refusal lacks %q:\n%v", want, err)
	}
}

// Under utf8mb4_swedish_ci 'Å', 'Ä' and 'A' are three letters: three rows
// keyed so were refused as one (folded as Unicode's root collation does),
// and migrate inserts them now; under utf8mb4_german2_ci 'Mädchen' and
// 'Maedchen' are one key to the server (its duplicate key below), which
// emcee refuses when planned.
func TestRuleDataMigrationSeedKeysUnderALanguageCollation(t *testing.T) {
	t.Parallel()
	const table = `
table "words" {
  schema = schema.app
  column "id" {
    type           = int
    auto_increment = true
  }
  column "sv" {
    type    = varchar(20)
    null    = true
    collate = "utf8mb4_swedish_ci"
  }
  column "de" {
    type    = varchar(20)
    null    = true
    collate = "utf8mb4_german2_ci"
  }
  primary_key {
    columns = [column.id]
  }
  index "uq_sv" {
    unique  = true
    columns = [column.sv]
  }
  index "uq_de" {
    unique  = true
    columns = [column.de]
  }
}
`
	const seed = `
data_migration "words" {
  table = "words"
  row {
    sv = "Å"
  }
  row {
    sv = "A"
  }
  row {
    sv = "Ä"
  }
}
`
	r := newRuleProject(t, table, table+seed)
	r.must("before")
	r.must("expand")
	r.must("migrate")
	if got := rows(t, r.db.DB, "SELECT sv FROM words ORDER BY id"); got != "Å;A;Ä" {
		t.Fatalf("the rows migrate inserted: %s", got)
	}
	r.must("contract")
	if _, err := r.db.Exec("INSERT INTO words (de) VALUES ('Mädchen'), ('Maedchen')"); !dbconn.ServerError(err, 1062) {
		t.Fatalf("'Mädchen' and 'Maedchen' under utf8mb4_german2_ci: %v, want the server's duplicate key", err)
	}
}
