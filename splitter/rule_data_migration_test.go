package splitter

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/diff"
	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/revision"
)

const tcDataMigration = `
data_migration "note_trim" {
  table   = "images"
  set     = "note = TRIM(note)"
  pending = "note <> TRIM(note) OR note = ''"
}
`

// tcNoKey has no single-column primary key to batch on.
const tcNoKey = `
table "pairs" {
  schema = schema.app
  column "a" {
    type = int
  }
  column "b" {
    type = int
  }
  column "v" {
    type = varchar(10)
  }
  primary_key {
    columns = [column.a, column.b]
  }
}
`

// TestDataMigrationRule runs whole transitions (a data migration has no
// Atlas change for a rule to match) and pins the statements of migrate
// and contract.
func TestDataMigrationRule(t *testing.T) {
	for _, tc := range []struct {
		name          string
		before, after string
		done          map[string]bool
		migrate       []revision.Statement
		contract      []revision.Statement
		errHas        []string
	}{
		{name: "data only: batched backfill in migrate, pending gate in contract",
			before: tcImages, after: tcImages + tcDataMigration,
			migrate: []revision.Statement{{Rule: "data-migration", Kind: revision.Backfill, Table: "images", Key: "id",
				SQL: "UPDATE `images` SET `note` = TRIM(`note`) WHERE (`note` != TRIM(`note`) OR `note` = '')"}},
			contract: []revision.Statement{{Rule: "data-migration", Kind: revision.Gate,
				SQL: "SELECT COUNT(*) FROM `images` WHERE (`note` != TRIM(`note`) OR `note` = '')"}}},
		{name: "already carried by an earlier revision of the release",
			before: tcImages, after: tcImages + tcDataMigration, done: map[string]bool{"note_trim": true}},
		{name: "no single-column key: one unbatched UPDATE, said so",
			before: tcImages + tcNoKey,
			after:  tcImages + tcNoKey + "data_migration \"v\" {\n  table   = \"pairs\"\n  set     = \"v = UPPER(v)\"\n  pending = \"BINARY v <> UPPER(v)\"\n}\n",
			migrate: []revision.Statement{{Rule: "data-migration", Kind: revision.Backfill, Table: "pairs",
				SQL: "UPDATE `pairs` SET `v` = UPPER(`v`) WHERE (BINARY `v` != UPPER(`v`))"}},
			contract: []revision.Statement{{Rule: "data-migration", Kind: revision.Gate,
				SQL: "SELECT COUNT(*) FROM `pairs` WHERE (BINARY `v` != UPPER(`v`))"}}},
		{name: "unknown table", before: tcImages,
			after:  tcImages + strings.Replace(tcDataMigration, "\"images\"", "\"imgs\"", 1),
			errHas: []string{"after.hcl:", `data_migration "note_trim" updates table "imgs"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var ph Phases
			tr, ctx, err := tcDiff(mariadb1011, tc.before, tc.after)
			if err == nil {
				tr.DataMigrationsDone = tc.done
				ph, err = Split(tr, mariadb1011, ctx.drv)
			}
			if len(tc.errHas) > 0 {
				if err == nil {
					t.Fatalf("no error, want %q", tc.errHas)
				}
				for _, s := range tc.errHas {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("error lacks %q:\n%v", s, err)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(ph[revision.Expand]) != 0 {
				t.Errorf("a data migration put statements in expand: %+v", ph[revision.Expand])
			}
			for _, p := range []struct {
				phase revision.Phase
				want  []revision.Statement
			}{{revision.Migrate, tc.migrate}, {revision.Contract, tc.contract}} {
				got := ph[p.phase]
				for i := range got {
					got[i].Why = "" // asserted below
				}
				if !slices.Equal(got, p.want) {
					t.Errorf("%s:\n got %+v\nwant %+v", p.phase, got, p.want)
				}
			}
		})
	}
}

// The gate and backfill say which migration they belong to and where it
// is declared, for the reviewer and the operator facing a closed gate.
func TestDataMigrationRuleExplains(t *testing.T) {
	tr, ctx := tcTransition(t, mariadb1011, tcImages, tcImages+tcDataMigration)
	ph, err := Split(tr, mariadb1011, ctx.drv)
	if err != nil {
		t.Fatal(err)
	}
	if why := ph[revision.Migrate][0].Why; !strings.Contains(why, `data_migration "note_trim" (declared at after.hcl:`) {
		t.Errorf("backfill why: %s", why)
	}
	if why := ph[revision.Contract][0].Why; !strings.Contains(why, `rows data_migration "note_trim" has not rewritten yet`) {
		t.Errorf("gate why: %s", why)
	}
}

// A data migration that inserts rows (from and insert) is one INSERT ...
// SELECT in migrate, batched over the key of the table it reads, and a
// gate counting that table's pending rows in contract; every name, however
// hostile, is quoted, and the new table is created in expand before it.
func TestDataMigrationInsertRule(t *testing.T) {
	const tags = "table \"img tags\" {\n  schema = schema.app\n  column \"id\" {\n    type = bigint\n    auto_increment = true\n  }\n  column \"image id\" {\n    type = bigint\n  }\n  column \"label\" {\n    type = varchar(30)\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\n"
	const move = "data_migration \"tags\" {\n  table   = \"img tags\"\n  from    = \"images\"\n  insert  = \"`image id` = id, label = name\"\n  pending = \"name <> '' AND NOT EXISTS (SELECT 1 FROM `img tags` AS t WHERE t.`image id` = images.id)\"\n}\n"
	tr, ctx := tcTransition(t, mariadb1011, tcImages, tcImages+tags+move)
	ph, err := Split(tr, mariadb1011, ctx.drv)
	if err != nil {
		t.Fatal(err)
	}
	if len(ph[revision.Expand]) != 1 || !strings.HasPrefix(ph[revision.Expand][0].SQL, "CREATE TABLE `img tags`") {
		t.Errorf("expand: %+v", ph[revision.Expand])
	}
	const where = "(`name` != '' AND NOT EXISTS (SELECT 1 FROM `img tags` AS `t` WHERE `t`.`image id` = `images`.`id`))"
	got := ph[revision.Migrate]
	if len(got) != 1 || !strings.Contains(got[0].Why, `inserts into img tags a row for each row of images its pending predicate selects`) {
		t.Fatalf("migrate: %+v", got)
	}
	got[0].Why = ""
	want := revision.Statement{Rule: "data-migration", Kind: revision.Backfill, Table: "images", Key: "id",
		SQL: "INSERT INTO `img tags` (`image id`,`label`) SELECT `id`,`name` FROM `images` WHERE " + where}
	if got[0] != want {
		t.Errorf("migrate:\n got %+v\nwant %+v", got[0], want)
	}
	c := ph[revision.Contract]
	if len(c) != 1 || c[0].Kind != revision.Gate || c[0].SQL != "SELECT COUNT(*) FROM `images` WHERE "+where {
		t.Errorf("contract: %+v", c)
	}
}

// Data migrations run in the order the release declares them, whatever
// their tables are called: the second reads the rows the first inserts
// (MantisBT 1.2.0a1 fills its new category table from project_category,
// then points each bug at its category's id). Sorted by table, images'
// update ran first and found no row to read.
func TestDataMigrationsRunInDeclaredOrder(t *testing.T) {
	const z = "table \"z\" {\n  schema = schema.app\n  column \"id\" {\n    type = bigint\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\n"
	const fill = "data_migration \"fill_z\" {\n  table   = \"z\"\n  from    = \"owners\"\n  insert  = \"id = id\"\n  pending = \"NOT EXISTS (SELECT 1 FROM z WHERE z.id = owners.id)\"\n}\n"
	const use = "data_migration \"use_z\" {\n  table   = \"images\"\n  set     = \"size = (SELECT COUNT(*) FROM z)\"\n  pending = \"size IS NULL\"\n}\n"
	tr, ctx := tcTransition(t, mariadb1011, tcImages, tcImages+z+fill+use)
	ph, err := Split(tr, mariadb1011, ctx.drv)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range ph[revision.Migrate] {
		got = append(got, s.SQL)
	}
	want := []string{
		"INSERT INTO `z` (`id`) SELECT `id` FROM `owners` WHERE (NOT EXISTS (SELECT 1 FROM `z` WHERE `z`.`id` = `owners`.`id`))",
		"UPDATE `images` SET `size` = (SELECT COUNT(1) FROM `z`) WHERE (`size` IS NULL)",
	}
	if !slices.Equal(got, want) {
		t.Errorf("migrate:\n got %q\nwant %q", got, want)
	}
}

// tcCategory is MantisBT's category table: an AUTO_INCREMENT key and a
// unique (project_id, name), which a seed row may give instead of the id.
const tcCategory = `
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
  column "label" {
    type = varchar(20)
    null = true
  }
  column "weight" {
    type = float
    null = true
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

// tcCoded is a table keyed by a code the collation tells apart by case
// and accent.
const tcCoded = `
table "coded" {
  schema = schema.app
  column "code" {
    type    = varchar(10)
    collate = "utf8mb4_bin"
  }
  column "note" {
    type = tinytext
    null = true
  }
  column "raw" {
    type = tinyblob
    null = true
  }
  column "legacy" {
    type    = varchar(10)
    null    = true
    charset = "utf8mb3"
  }
  primary_key {
    columns = [column.code]
  }
}
`

// TestDataMigrationSeedRule pins the seed form (rows = [...]): one INSERT
// a row in migrate, inserting it unless a row with exactly its values is
// there, and a contract gate counting the declared keys the table lacks;
// every value, however hostile, written by sqlsyntax's quoting; and the
// refusals at load, each at its file:line:col.
func TestDataMigrationSeedRule(t *testing.T) {
	seed := func(table, rows string) string {
		return "data_migration \"default_category\" {\n  table = \"" + cmp.Or(table, "category") + "\"\n" + rows + "}\n"
	}
	for _, tc := range []struct {
		name     string
		table    string // category unless set
		rows     string
		migrate  []string
		contract string
		errHas   []string
	}{
		{name: "a row keyed by its primary key",
			rows:     "  row {\n    id = 1\n    project_id = 0\n    name = \"General\"\n  }\n",
			migrate:  []string{"INSERT INTO `category` (`id`, `project_id`, `name`) SELECT 1, 0, 'General' FROM DUAL WHERE NOT EXISTS (SELECT 1 FROM `category` WHERE `id` <=> 1 AND `project_id` <=> 0 AND `name` <=> 'General')"},
			contract: "SELECT 1 - COUNT(*) FROM `category` WHERE (`id` = 1)"},
		{name: "rows keyed by a unique key, in declared order, null and numbers as text",
			rows: "  row {\n    project_id = 0\n    name = \"General\"\n    label = null\n  }\n  row {\n    project_id = 2\n    name = \"Ops\"\n    label = 7\n    status = 1.5e1\n  }\n",
			migrate: []string{
				"INSERT INTO `category` (`project_id`, `name`, `label`) SELECT 0, 'General', NULL FROM DUAL WHERE NOT EXISTS (SELECT 1 FROM `category` WHERE `project_id` <=> 0 AND `name` <=> 'General' AND `label` <=> NULL)",
				"INSERT INTO `category` (`project_id`, `name`, `label`, `status`) SELECT 2, 'Ops', '7', 15 FROM DUAL WHERE NOT EXISTS (SELECT 1 FROM `category` WHERE `project_id` <=> 2 AND `name` <=> 'Ops' AND `label` <=> '7' AND `status` <=> 15)",
			},
			contract: "SELECT 2 - COUNT(*) FROM `category` WHERE (`project_id` = 0 AND `name` = 'General') OR (`project_id` = 2 AND `name` = 'Ops')"},
		{name: "hostile values stay inside their literal",
			rows:     "  row {\n    id = 2\n    project_id = 0\n    name = \"it's \\\\ a \\u0000 ⛄ $${x} %%{y}\"\n    label = \"'); DROP TABLE t; --\"\n  }\n",
			migrate:  []string{"INSERT INTO `category` (`id`, `project_id`, `name`, `label`) SELECT 2, 0, 'it''s \\\\ a \\0 ⛄ ${x} %{y}', '''); DROP TABLE t; --' FROM DUAL WHERE NOT EXISTS (SELECT 1 FROM `category` WHERE `id` <=> 2 AND `project_id` <=> 0 AND `name` <=> 'it''s \\\\ a \\0 ⛄ ${x} %{y}' AND `label` <=> '''); DROP TABLE t; --')"},
			contract: "SELECT 1 - COUNT(*) FROM `category` WHERE (`id` = 2)"},
		{name: "a typo in a column, with the closest name",
			rows:   "  row {\n    id = 1\n    project_id = 0\n    nmae = \"General\"\n  }\n",
			errHas: []string{"after.hcl:", `row 1 of data_migration "default_category": table category has no column nmae (did you mean "name"?)`}},
		{name: "null in a NOT NULL column",
			rows:   "  row {\n    project_id = 0\n    label = \"x\"\n    name = null\n  }\n",
			errHas: []string{`after.hcl:85:12: row 1 of data_migration "default_category": category.name: null, but the column is NOT NULL`}},
		{name: "no key: the auto_increment id left out, no unique key",
			table: "images", rows: "  row {\n    name = \"a\"\n    note = \"b\"\n  }\n",
			errHas: []string{`after.hcl:`, `row 1 of data_migration "default_category" gives neither the primary key of images nor the whole of a unique key, without NULL (the primary key (id)): emcee finds a seed row again by its key`,
				// "Give the primary key (id)" was all it said: a number the
				// server gives rows may be taken on a live database.
				"images.id is numbered by the server (AUTO_INCREMENT): a number given here may be one a database already gave another row, and migrate stops on a row holding its key with other values: declare a unique key of the columns that tell the row apart in this release"}},
		// Redmine 5.1 stores its text_formatting setting unless a setting
		// of that name exists: settings are found by name, under a
		// non-unique index, and their id is AUTO_INCREMENT.
		{name: "no key, but an index on columns the row gives: make it unique",
			table: "images", rows: "  row {\n    name = \"a\"\n    note = \"b\"\n    owner_id = 7\n  }\n",
			errHas: []string{"images.id is numbered by the server (AUTO_INCREMENT)", "make index ix_owner (owner_id), whose columns the row gives, unique in this release (contract adds it behind a gate counting duplicates), or give the primary key (id) only where no database can have used the number"}},
		{name: "a NOT NULL column without default missing",
			rows:   "  row {\n    id = 1\n    name = \"General\"\n  }\n",
			errHas: []string{`row 1 of data_migration "default_category" lacks project_id of category, NOT NULL without a default`}},
		// Measured on MariaDB 10.11: without NO_AUTO_VALUE_ON_ZERO (emcee's
		// sessions do not set it) 0 makes the server generate the next id;
		// the row's check never found it, and every rerun inserted another
		// row, its gate (id = 0) closed for good.
		{name: "0 for an AUTO_INCREMENT key",
			rows:   "  row {\n    id = 0\n    project_id = 0\n    name = \"General\"\n  }\n",
			errHas: []string{"after.hcl:", `row 1 of data_migration "default_category": category.id: 0 in an AUTO_INCREMENT column makes the server generate the next value`}},
		{name: "two rows with one key",
			rows:   "  row {\n    id = 1\n    project_id = 0\n    name = \"a\"\n  }\n  row {\n    id = 1\n    project_id = 0\n    name = \"b\"\n  }\n",
			errHas: []string{`row 2 of data_migration "default_category" has the key of row 1 (id = 1)`}},
		// Keys the text differs in and the server does not: migrate found
		// the second row's key taken by the first and inserted nothing, and
		// contract's gate (2 - COUNT(*)) waited for it forever (measured on
		// MariaDB 10.11: 'e' and 'É' under utf8mb4_general_ci, 5 and '5').
		{name: "two rows whose unique key the collation compares equal",
			rows:   "  row {\n    project_id = 0\n    name = \"e\"\n  }\n  row {\n    project_id = 0\n    name = \"É\"\n  }\n",
			errHas: []string{`after.hcl:`, `row 2 of data_migration "default_category" has the key of row 1 (project_id = 0, name = 'e') as the server compares it (project_id = 0, name = 'É'; numbers compare by their value; text under category.name's collation utf8mb4_general_ci, which emcee takes to ignore trailing spaces, case, accents as the server's weight table does ('ß' as 's', every character past U+FFFF as one)): the server finds one row for both, so migrate inserts one and contract's gate waits for the other forever`}},
		{name: "two rows whose key differs by trailing spaces",
			rows:   "  row {\n    project_id = 0\n    name = \"a\"\n  }\n  row {\n    project_id = 0\n    name = \"a  \"\n  }\n",
			errHas: []string{`row 2 of data_migration "default_category" has the key of row 1 (project_id = 0, name = 'a') as the server compares it`}},
		{name: "a number and its text for one key",
			rows:   "  row {\n    id = 5\n    project_id = 0\n    name = \"a\"\n  }\n  row {\n    id = \"05\"\n    project_id = 1\n    name = \"b\"\n  }\n",
			errHas: []string{`row 2 of data_migration "default_category" has the key of row 1 (id = 5) as the server compares it (id = '05'; numbers compare by their value)`}},
		{name: "rows keyed by different keys that are one row",
			rows:   "  row {\n    id = 1\n    project_id = 0\n    name = \"a\"\n  }\n  row {\n    project_id = 0\n    name = \"A\"\n  }\n",
			errHas: []string{`row 2 of data_migration "default_category" has the key of row 1 (project_id = 0, name = 'a') as the server compares it (project_id = 0, name = 'A';`}},
		{name: "keys a binary collation tells apart",
			table: "coded",
			rows:  "  row {\n    code = \"e\"\n  }\n  row {\n    code = \"É\"\n  }\n  row {\n    code = \"E\"\n  }\n",
			migrate: []string{"INSERT INTO `coded` (`code`) SELECT 'e' FROM DUAL WHERE NOT EXISTS (SELECT 1 FROM `coded` WHERE `code` <=> 'e')",
				"INSERT INTO `coded` (`code`) SELECT 'É' FROM DUAL WHERE NOT EXISTS (SELECT 1 FROM `coded` WHERE `code` <=> 'É')",
				"INSERT INTO `coded` (`code`) SELECT 'E' FROM DUAL WHERE NOT EXISTS (SELECT 1 FROM `coded` WHERE `code` <=> 'E')"},
			contract: "SELECT 3 - COUNT(*) FROM `coded` WHERE (`code` = 'e') OR (`code` = 'É') OR (`code` = 'E')"},
		// The row's INSERT compares a utf8mb4 literal with the column: the
		// server refused it in migrate (1267) after expand had run.
		{name: "a character the column's charset lacks",
			table:  "coded",
			rows:   "  row {\n    code = \"a\"\n    legacy = \"ok 😀\"\n  }\n",
			errHas: []string{`row 1 of data_migration "default_category": coded.legacy: "ok 😀" holds '😀' (U+1F600), which charset utf8mb3 has no character for: the server refuses the row; declare the column utf8mb4, or store the value without it`}},
		{name: "a TEXT value the type holds",
			table:    "coded",
			rows:     "  row {\n    code = \"a\"\n    note = \"" + strings.Repeat("x", 255) + "\"\n  }\n",
			migrate:  []string{"INSERT INTO `coded` (`code`, `note`) SELECT 'a', '" + strings.Repeat("x", 255) + "' FROM DUAL WHERE NOT EXISTS (SELECT 1 FROM `coded` WHERE `code` <=> 'a' AND `note` <=> '" + strings.Repeat("x", 255) + "')"},
			contract: "SELECT 1 - COUNT(*) FROM `coded` WHERE (`code` = 'a')"},
		{name: "a value of the wrong type",
			rows:   "  row {\n    id = \"one\"\n    project_id = 0\n    name = \"a\"\n  }\n",
			errHas: []string{`row 1 of data_migration "default_category": category.id: "one" is not a number`}},
		{name: "a FLOAT value it holds exactly",
			rows:     "  row {\n    id = 3\n    project_id = 0\n    name = \"a\"\n    weight = 0.25\n  }\n",
			migrate:  []string{"INSERT INTO `category` (`id`, `project_id`, `name`, `weight`) SELECT 3, 0, 'a', 0.25 FROM DUAL WHERE NOT EXISTS (SELECT 1 FROM `category` WHERE `id` <=> 3 AND `project_id` <=> 0 AND `name` <=> 'a' AND `weight` <=> 0.25)"},
			contract: "SELECT 1 - COUNT(*) FROM `category` WHERE (`id` = 3)"},
		{name: "a FLOAT value it does not hold exactly",
			rows:   "  row {\n    id = 3\n    project_id = 0\n    name = \"a\"\n    weight = 0.1\n  }\n",
			errHas: []string{`category.weight: 0.1 is not exactly a FLOAT (single precision)`}},
		{name: "a value too long",
			rows:   "  row {\n    id = 1\n    project_id = 0\n    name = \"a\"\n    label = \"" + strings.Repeat("x", 21) + "\"\n  }\n",
			errHas: []string{`category.label: "xxxxxxxxxxxxxxxxxxxxx" is 21 characters long; the column holds 20`}},
		{name: "an expression where a literal goes",
			rows:   "  row {\n    id = 1\n    project_id = 0\n    name = upper(\"a\")\n  }\n",
			errHas: []string{`after.hcl:`, `column name: a value is a literal`}},
		{name: "a template",
			rows:   "  row {\n    id = 1\n    project_id = 0\n    name = \"${x}\"\n  }\n",
			errHas: []string{`write $${ and %%{ for the characters themselves`}},
		{name: "rows giving other columns and types; the second lacks a column",
			rows:   "  row {\n    project_id = 0\n    label = \"x\"\n    name = \"a\"\n    status = 1\n  }\n  row {\n    project_id = 0\n    status = \"1\"\n    label = null\n  }\n",
			errHas: []string{`row 2 of data_migration "default_category" lacks name of category, NOT NULL without a default`}},
		{name: "the list form",
			rows:   "  rows = [{ id = 1, project_id = 0, name = \"a\" }]\n",
			errHas: []string{"after.hcl:", `data_migration "default_category": rows are declared as row blocks, one a row`}},
		{name: "a row block among the update form",
			rows:   "  set = \"name = 'x'\"\n  row {\n    id = 1\n  }\n",
			errHas: []string{`after.hcl:`, `data_migration "default_category" has row blocks and also set`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr, ctx, err := tcDiff(mariadb1011, tcCategory+tcImages+tcCoded, tcCategory+tcImages+seed(tc.table, tc.rows)+tcCoded)
			var ph Phases
			if err == nil {
				ph, err = Split(tr, mariadb1011, ctx.drv)
			}
			if tc.errHas != nil {
				if err == nil {
					t.Fatalf("no error, want %q", tc.errHas)
				}
				for _, s := range tc.errHas {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("error lacks %q:\n%v", s, err)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, st := range ph[revision.Migrate] {
				if st.Kind != revision.DDL || st.Rule != "data-migration" || !strings.Contains(st.Why, "inserts into "+cmp.Or(tc.table, "category")+" the row (") {
					t.Errorf("migrate statement: %+v", st)
				}
				got = append(got, st.SQL)
			}
			if !slices.Equal(got, tc.migrate) {
				t.Errorf("migrate:\n got %q\nwant %q", got, tc.migrate)
			}
			if c := ph[revision.Contract]; len(c) != 1 || c[0].Kind != revision.Gate || c[0].SQL != tc.contract {
				t.Errorf("contract: %+v\nwant the gate %s", c, tc.contract)
			}
		})
	}
}

// TestDataMigrationDeleteRule pins the delete form (delete = "<predicate>"):
// a DELETE in contract, first after the gates and before the unique key a
// release adds, whose duplicate gate leaves out the rows it deletes (those
// its predicate does not select for certain: IS NOT TRUE); and its
// refusals at load.
func TestDataMigrationDeleteRule(t *testing.T) {
	before := tcEdit(t, tcCategory, "  index \"uq_category\" {\n    unique  = true\n    columns = [column.project_id, column.name]\n  }\n", "")
	const dups = "EXISTS (SELECT 1 FROM category AS d WHERE d.project_id = category.project_id AND d.name = category.name AND d.id < category.id)"
	const dupsSQL = "EXISTS (SELECT 1 FROM `category` AS `d` WHERE `d`.`project_id` = `category`.`project_id` AND `d`.`name` = `category`.`name` AND `d`.`id` < `category`.`id`)"
	migration := func(body string) string {
		return "data_migration \"dedupe\" {\n  table  = \"category\"\n" + body + "}\n"
	}
	withLegacy := func(s string) string {
		return tcEdit(t, s, "  primary_key", "  column \"legacy\" {\n    type = int\n    null = true\n  }\n  primary_key")
	}
	const uniqueGate = "SELECT COUNT(*) FROM `category` WHERE (`project_id`, `name`) IN (SELECT `project_id`, `name` FROM `category` WHERE `project_id` IS NOT NULL AND `name` IS NOT NULL%s GROUP BY `project_id`, `name` HAVING COUNT(*) > 1)%[1]s"
	addUnique := revision.Statement{Rule: "add-unique-index", SQL: "ALTER TABLE `category` ADD UNIQUE INDEX `uq_category` (`project_id`, `name`), ALGORITHM=INPLACE, LOCK=NONE"}
	for _, tc := range []struct {
		name     string
		body     string
		contract []revision.Statement
		errHas   []string
		// prev, asOf and after, when set: the previous release, and the
		// release as of its last revision, which carries the delete, and
		// as it is planned again (the key added in a later revision).
		prev, asOf, after string
	}{
		// b_contract01 deleted by legacy, then dropped it: b_contract02's
		// gate read it (1054). Its rows are gone: nothing to leave out.
		{name: "a later revision's gate, the delete run by an earlier one that dropped the column it reads",
			body: "  delete = \"legacy = 1\"\n", prev: withLegacy(before), asOf: before,
			contract: []revision.Statement{{Rule: "add-unique-index", Kind: revision.Gate, SQL: fmt.Sprintf(uniqueGate, "")}, addUnique}},
		// The column kept: db check answers for the gate before the delete
		// has run (apply's waitsFor), as the plans had it.
		{name: "a later revision's gate, the delete run by an earlier one that kept the column it reads",
			body: "  delete = \"legacy = 1\"\n", prev: withLegacy(before), asOf: withLegacy(before), after: withLegacy(tcCategory),
			contract: []revision.Statement{{Rule: "add-unique-index", Kind: revision.Gate, SQL: fmt.Sprintf(uniqueGate, " AND (`legacy` = 1) IS NOT TRUE")}, addUnique}},
		{name: "duplicates deleted before the unique key, its gate leaving them out",
			body: "  delete = \"" + dups + "\"\n",
			contract: []revision.Statement{
				{Rule: "data-migration", Kind: revision.Gate, SQL: "SELECT COUNT(*) FROM `category` WHERE NOT EXISTS (SELECT 1 FROM `category` WHERE (" + dupsSQL + ") IS NOT TRUE)"},
				{Rule: "add-unique-index", Kind: revision.Gate, SQL: "SELECT COUNT(*) FROM `category` WHERE (`project_id`, `name`) IN (SELECT `project_id`, `name` FROM `category` WHERE `project_id` IS NOT NULL AND `name` IS NOT NULL AND (" + dupsSQL + ") IS NOT TRUE GROUP BY `project_id`, `name` HAVING COUNT(*) > 1) AND (" + dupsSQL + ") IS NOT TRUE"},
				{Rule: "data-migration", SQL: "DELETE `category` FROM `category` JOIN (SELECT `id` FROM `category` WHERE (" + dupsSQL + ")) AS `emcee_rows` USING (`id`)"},
				{Rule: "add-unique-index", SQL: "ALTER TABLE `category` ADD UNIQUE INDEX `uq_category` (`project_id`, `name`), ALGORITHM=INPLACE, LOCK=NONE"},
			}},
		// A declared row the delete selects (it keeps the highest id of
		// each group, and the seed wrote id 1): the gate stops contract
		// before the DELETE takes it.
		{name: "a delete selecting a row the release declares",
			body: "  delete = \"" + strings.Replace(dups, "d.id < category.id", "d.id > category.id", 1) + "\"\n}\ndata_migration \"general\" {\n  table = \"category\"\n  row {\n    id = 1\n    project_id = 0\n    name = \"General\"\n  }\n",
			contract: []revision.Statement{
				{Rule: "data-migration", Kind: revision.Gate, SQL: "SELECT COUNT(*) FROM `category` WHERE NOT EXISTS (SELECT 1 FROM `category` WHERE (" + strings.Replace(dupsSQL, "`d`.`id` < `category`.`id`", "`d`.`id` > `category`.`id`", 1) + ") IS NOT TRUE)"},
				{Rule: "data-migration", Kind: revision.Gate, SQL: "SELECT COUNT(*) FROM `category` WHERE (" + strings.Replace(dupsSQL, "`d`.`id` < `category`.`id`", "`d`.`id` > `category`.`id`", 1) + ") AND ((`id` = 1))"},
				{Rule: "data-migration", Kind: revision.Gate, SQL: "SELECT 1 - COUNT(*) FROM `category` WHERE (`id` = 1)"},
				{Rule: "add-unique-index", Kind: revision.Gate, SQL: "SELECT COUNT(*) FROM `category` WHERE (`project_id`, `name`) IN (SELECT `project_id`, `name` FROM `category` WHERE `project_id` IS NOT NULL AND `name` IS NOT NULL AND (" + strings.Replace(dupsSQL, "`d`.`id` < `category`.`id`", "`d`.`id` > `category`.`id`", 1) + ") IS NOT TRUE GROUP BY `project_id`, `name` HAVING COUNT(*) > 1) AND (" + strings.Replace(dupsSQL, "`d`.`id` < `category`.`id`", "`d`.`id` > `category`.`id`", 1) + ") IS NOT TRUE"},
				{Rule: "data-migration", SQL: "DELETE `category` FROM `category` JOIN (SELECT `id` FROM `category` WHERE (" + strings.Replace(dupsSQL, "`d`.`id` < `category`.`id`", "`d`.`id` > `category`.`id`", 1) + ")) AS `emcee_rows` USING (`id`)"},
				{Rule: "add-unique-index", SQL: "ALTER TABLE `category` ADD UNIQUE INDEX `uq_category` (`project_id`, `name`), ALGORITHM=INPLACE, LOCK=NONE"},
			}},
		// Rows the delete removes need no value and no rewrite: the
		// gates of a fill's NOT NULL and of a data migration's pending
		// rows leave them out, as a key's does.
		{name: "a fill and a rewrite of the table, their gates leaving out the delete's rows",
			body:  "  delete = \"status = 9\"\n}\ndata_migration \"relabel\" {\n  table   = \"category\"\n  set     = \"label = 'x'\"\n  pending = \"label IS NULL\"\n",
			after: tcEdit(t, before, "  primary_key", "  column \"slug\" {\n    type = varchar(20)\n    fill = \"NULLIF(name, '')\"\n  }\n  primary_key"),
			contract: []revision.Statement{
				{Rule: "data-migration", Kind: revision.Gate, SQL: "SELECT COUNT(*) FROM `category` WHERE NOT EXISTS (SELECT 1 FROM `category` WHERE (`status` = 9) IS NOT TRUE)"},
				{Rule: "data-migration", Kind: revision.Gate, SQL: "SELECT COUNT(*) FROM `category` WHERE (`label` IS NULL) AND (`status` = 9) IS NOT TRUE"},
				{Rule: "add-column-fill", Kind: revision.Gate, SQL: "SELECT COUNT(*) FROM `category` WHERE `slug` IS NULL AND (`status` = 9) IS NOT TRUE"},
				{Rule: "data-migration", SQL: "DELETE `category` FROM `category` JOIN (SELECT `id` FROM `category` WHERE (`status` = 9)) AS `emcee_rows` USING (`id`)"},
				{Rule: "add-column-fill", SQL: "DROP TRIGGER IF EXISTS `emcee_category_after_ea71e3_bi`"},
				{Rule: "add-column-fill", SQL: "DROP TRIGGER IF EXISTS `emcee_category_after_ea71e3_bu`"},
				{Rule: "add-column-fill", SQL: "ALTER TABLE `category` MODIFY COLUMN `slug` varchar(20) NOT NULL, ALGORITHM=INPLACE, LOCK=NONE"},
			}},
		// Each keeps some rows, together none: each delete's emptying
		// gate counts the rows both keep.
		{name: "two deletes of the table emptying it together",
			body: "  delete = \"status = 9\"\n}\ndata_migration \"rest\" {\n  table  = \"category\"\n  delete = \"status <> 9\"\n",
			contract: []revision.Statement{
				{Rule: "data-migration", Kind: revision.Gate, SQL: "SELECT COUNT(*) FROM `category` WHERE NOT EXISTS (SELECT 1 FROM `category` WHERE (`status` = 9) IS NOT TRUE AND (`status` != 9) IS NOT TRUE)"},
				{Rule: "data-migration", Kind: revision.Gate, SQL: "SELECT COUNT(*) FROM `category` WHERE NOT EXISTS (SELECT 1 FROM `category` WHERE (`status` = 9) IS NOT TRUE AND (`status` != 9) IS NOT TRUE)"},
				{Rule: "add-unique-index", Kind: revision.Gate, SQL: fmt.Sprintf(uniqueGate, " AND (`status` = 9) IS NOT TRUE AND (`status` != 9) IS NOT TRUE")},
				{Rule: "data-migration", SQL: "DELETE `category` FROM `category` JOIN (SELECT `id` FROM `category` WHERE (`status` = 9)) AS `emcee_rows` USING (`id`)"},
				{Rule: "data-migration", SQL: "DELETE `category` FROM `category` JOIN (SELECT `id` FROM `category` WHERE (`status` != 9)) AS `emcee_rows` USING (`id`)"},
				addUnique,
			}},
		{name: "delete and pending",
			body:   "  delete  = \"id > 5\"\n  pending = \"id > 5\"\n",
			errHas: []string{"after.hcl:", `data_migration "dedupe" has delete and also pending`}},
		{name: "an empty delete",
			body:   "  delete = \" \"\n",
			errHas: []string{"after.hcl:", `data_migration "dedupe": delete is empty (nothing but blanks or comments): give the predicate selecting the rows to delete`}},
		{name: "a delete that is only a comment",
			body:   "  delete = \"/* the duplicates */\"\n",
			errHas: []string{"after.hcl:", `data_migration "dedupe": delete is empty (nothing but blanks or comments): give the predicate selecting the rows to delete`}},
		{name: "a delete that is only a line comment",
			body:   "  delete = \"-- the duplicates\"\n",
			errHas: []string{"after.hcl:", `data_migration "dedupe": delete is empty (nothing but blanks or comments): give the predicate selecting the rows to delete`}},
		{name: "a column the table lacks",
			body:   "  delete = \"nmae = ''\"\n",
			errHas: []string{"after.hcl:", `delete of data_migration "dedupe"`, "nmae"}},
		// A predicate that reads no column of the row selects every row or
		// none: contract would empty the table, the rows the new release
		// wrote since expand too. Meant or not, emcee says what to declare.
		{name: "TRUE deletes every row",
			body:   "  delete = \"TRUE\"\n",
			errHas: []string{"after.hcl:", `delete of data_migration "dedupe": it reads no column and no table: it is true for every row of ` + "`category`" + ` or for none. emcee does not empty a table`, "select them by a value the previous release wrote", "TRUNCATE TABLE `category` yourself once contract has run", "discard {\n  table = \"category\"\n}"}},
		// The gates read the predicate, then the DELETE reads it again (and
		// a resume again): a random answer deletes other rows than the
		// gates counted.
		{name: "RAND(): other rows each time it is read",
			body:   "  delete = \"" + dups + " AND RAND() < 0.5\"\n",
			errHas: []string{"after.hcl:", `delete of data_migration "dedupe": it calls RAND(), whose answer is not the same when computed again`}},
		{name: "UUID()",
			body:   "  delete = \"name = UUID()\"\n",
			errHas: []string{`delete of data_migration "dedupe": it calls UUID()`}},
		{name: "1 = 1 deletes every row",
			body:   "  delete = \"1 = 1\"\n",
			errHas: []string{`delete of data_migration "dedupe": it reads no column and no table`}},
		// Each row of a pair differs from the other: both deleted.
		{name: "duplicates found by <>: the row to keep deleted too",
			body:   "  delete = \"EXISTS (SELECT 1 FROM category AS d WHERE d.project_id = category.project_id AND d.name = category.name AND d.id <> category.id)\"\n",
			errHas: []string{"after.hcl:", `delete of data_migration "dedupe": it selects a row of ` + "`category`" + ` when another row differs from it`, "d.id < `category`.id) keeps the first of each group"}},
		{name: "duplicates found by NOT (=)",
			body:   "  delete = \"EXISTS (SELECT 1 FROM category AS d WHERE d.project_id = category.project_id AND d.name = category.name AND NOT (d.id = category.id))\"\n",
			errHas: []string{`delete of data_migration "dedupe": it selects a row of ` + "`category`" + ` when another row differs from it`}},
		{name: "a subquery whose bare names are its own table's: the same answer for every row",
			body:   "  delete = \"EXISTS (SELECT 1 FROM category AS d WHERE name = d.name AND id < d.id)\"\n",
			errHas: []string{`delete of data_migration "dedupe": it reads no column of the row of category`, "write category.<column> for the row's"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var asOf []string
			if tc.asOf != "" {
				asOf = append(asOf, tc.asOf+migration(tc.body))
			}
			tr, ctx, err := tcDiff(mariadb1011, cmp.Or(tc.prev, before), cmp.Or(tc.after, tcCategory)+migration(tc.body), asOf...)
			var ph Phases
			if err == nil {
				ph, err = Split(tr, mariadb1011, ctx.drv)
			}
			if tc.errHas != nil {
				if err == nil {
					t.Fatalf("no error, want %q", tc.errHas)
				}
				for _, s := range tc.errHas {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("error lacks %q:\n%v", s, err)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := ph[revision.Contract]
			for _, st := range got {
				if strings.HasPrefix(st.SQL, "DELETE") && !strings.Contains(st.Why, "DELETES the rows of category its delete predicate selects: data destroyed on purpose") {
					t.Errorf("the delete's reason: %s", st.Why)
				}
				if strings.Contains(st.SQL, "AND ((`id` = 1))") && !strings.Contains(st.Why, `the delete of data_migration "dedupe" selects rows the release declares (id = 1)`) {
					t.Errorf("the declared rows' gate's reason: %s", st.Why)
				}
			}
			// A predicate that reads the row may still select every one
			// (id > 0): the gate stops contract before it empties the table.
			if len(got) > 0 && tc.asOf == "" && !strings.Contains(got[0].Why, `the delete of data_migration "dedupe" selects every row of category`) {
				t.Errorf("the emptying gate's reason: %s", got[0].Why)
			}
			for i := range got {
				got[i].Why = ""
			}
			if !slices.Equal(got, tc.contract) {
				t.Errorf("contract:\n got %+v\nwant %+v", got, tc.contract)
			}
			for _, st := range ph[revision.Migrate] {
				if strings.HasPrefix(st.SQL, "DELETE") {
					t.Errorf("a delete in migrate, while the previous release may still write such rows: %+v", st)
				}
			}
		})
	}
}

// TestDataMigrationSeedKeepsDeclaredOrder: a backfill declared after a
// seed row is not gathered into the pass of one declared before it (the
// backfills of one table become one pass) when it reads the seeded table:
// it would run before the row is there.
func TestDataMigrationSeedKeepsDeclaredOrder(t *testing.T) {
	const decl = `
data_migration "trim" {
  table   = "images"
  set     = "note = TRIM(note)"
  pending = "note <> TRIM(note)"
}
data_migration "first_owner" {
  table = "owners"
  row {
    id = 1
  }
}
data_migration "owned" {
  table   = "images"
  set     = "owner_id = (SELECT MIN(id) FROM owners)"
  pending = "owner_id IS NULL"
}
`
	tr, ctx := tcTransition(t, mariadb1011, tcImages, tcImages+decl)
	ph, err := Split(tr, mariadb1011, ctx.drv)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, st := range ph[revision.Migrate] {
		got = append(got, strings.Fields(st.SQL)[0]+" "+strings.Fields(st.SQL)[1]+" "+strings.Fields(st.SQL)[2])
	}
	want := []string{"UPDATE `images` SET", "INSERT INTO `owners`", "UPDATE `images` SET"}
	if !slices.Equal(got, want) {
		t.Errorf("migrate: %q, want %q", got, want)
	}
}

// A data migration that reads a table another one fills with rows, but is
// declared before it, ran first (data migrations run in declared order)
// and found none of those rows: its UPDATE set NULL everywhere, and only
// contract's gate, with migrate recorded complete, said something was
// wrong. The table is new in the release, so nothing but the later
// migration can have filled it: refused at plan time, with the order to
// declare. A migration inserting into the same table (its own pending
// reads it) is no such reader.
func TestDataMigrationReadingRowsALaterOneInsertsIsRefused(t *testing.T) {
	const z = "table \"z\" {\n  schema = schema.app\n  column \"id\" {\n    type = bigint\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\n"
	const fill = "data_migration \"fill_z\" {\n  table   = \"z\"\n  from    = \"owners\"\n  insert  = \"id = id\"\n  pending = \"NOT EXISTS (SELECT 1 FROM z WHERE z.id = owners.id)\"\n}\n"
	const fillToo = "data_migration \"fill_z_too\" {\n  table   = \"z\"\n  from    = \"images\"\n  insert  = \"id = id\"\n  pending = \"NOT EXISTS (SELECT 1 FROM z WHERE z.id = images.id)\"\n}\n"
	const use = "data_migration \"use_z\" {\n  table   = \"images\"\n  set     = \"size = (SELECT COUNT(*) FROM z)\"\n  pending = \"size IS NULL\"\n}\n"
	tr, ctx := tcTransition(t, mariadb1011, tcImages, tcImages+z+use+fill)
	_, err := Split(tr, mariadb1011, ctx.drv)
	for _, want := range []string{`data_migration "use_z" reads table z, which data_migration "fill_z" (declared after it, at `, `declare "use_z" after "fill_z"`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v lacks %q", err, want)
		}
	}
	tr, ctx = tcTransition(t, mariadb1011, tcImages, tcImages+z+fillToo+fill+use)
	if _, err := Split(tr, mariadb1011, ctx.drv); err != nil {
		t.Errorf("two inserts into one table, then its reader: %v", err)
	}
}

// Two data migrations that each read the rows the other inserts: no
// declared order works, and the refusal said to declare the first after
// the second, whose refusal then said the opposite. It says so once.
func TestDataMigrationsReadingEachOthersRowsAreRefusedAsACycle(t *testing.T) {
	table := func(name string) string {
		return "table \"" + name + "\" {\n  schema = schema.app\n  column \"id\" {\n    type = bigint\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\n"
	}
	const fillY = "data_migration \"fill_y\" {\n  table   = \"y\"\n  from    = \"owners\"\n  insert  = \"id = id\"\n  pending = \"NOT EXISTS (SELECT 1 FROM y WHERE y.id = owners.id) AND EXISTS (SELECT 1 FROM z WHERE z.id = owners.id)\"\n}\n"
	const fillZ = "data_migration \"fill_z\" {\n  table   = \"z\"\n  from    = \"owners\"\n  insert  = \"id = id\"\n  pending = \"NOT EXISTS (SELECT 1 FROM z WHERE z.id = owners.id) AND EXISTS (SELECT 1 FROM y WHERE y.id = owners.id)\"\n}\n"
	for _, order := range [][2]string{{fillY, fillZ}, {fillZ, fillY}} {
		tr, ctx := tcTransition(t, mariadb1011, tcImages, tcImages+table("y")+table("z")+order[0]+order[1])
		_, err := Split(tr, mariadb1011, ctx.drv)
		if err == nil || !strings.Contains(err.Error(), "each reads the rows the other inserts: no order of the two works") {
			t.Errorf("error %v", err)
		}
	}
}

// tcStored has columns that store some values otherwise than written.
const tcStored = `
table "stored" {
  schema = schema.app
  column "id" {
    type = int
  }
  column "n" {
    type = bigint
    null = true
  }
  column "s" {
    type = set("a", "b")
    null = true
  }
  column "bin" {
    type = binary(4)
    null = true
  }
  column "bits" {
    type = bit(4)
    null = true
  }
  column "c" {
    type = char(5)
    null = true
  }
  column "dbl" {
    type = double
    null = true
  }
  primary_key {
    columns = [column.id]
  }
}
`

// TestDataMigrationSeedStoredAsDeclared: a seed row's value the server
// would store otherwise than written (measured on MariaDB 10.11: 1.5 in a
// BIGINT is 2, 'b,a' in a SET is 'a,b', 'ab' in a BINARY(4) gains two zero
// bytes, 'ab ' in a CHAR loses its space) is refused at load: the INSERT's
// check for the row compares with the value as written, never finds it,
// and every rerun then fails on the row's own key (1062), which emcee
// words as another row holding it; a bit value too wide for its column is
// refused there rather than by the server in migrate (1406).
func TestDataMigrationSeedStoredAsDeclared(t *testing.T) {
	for _, tc := range []struct {
		value  string
		errHas string // "" when taken
	}{
		{value: `n = 1.5`, errHas: `stored.n: 1.5 is not a whole number; the server would store it rounded: write it rounded`},
		{value: `n = 15`},
		{value: `n = "2.5"`, errHas: `stored.n: 2.5 is not a whole number`},
		{value: `s = "b,a"`, errHas: `stored.s: "b,a" is stored as "a,b" (set members in the column's order, each once): write "a,b"`},
		{value: `s = "a,a"`, errHas: `stored.s: "a,a" is stored as "a"`},
		{value: `s = "a,b"`},
		{value: `bin = "ab"`, errHas: `stored.bin: "ab" is 2 bytes long; binary(4) pads it with zero bytes to 4, and stores "ab\u0000\u0000": write that`},
		{value: `bin = "ab\u0000\u0000"`},
		{value: `bits = 16`, errHas: `stored.bits: 16 needs 5 bits; the column has 4`},
		{value: `bits = 15`},
		{value: `c = "ab "`, errHas: `stored.c: "ab " ends in spaces, which a char column drops: write "ab"`},
		{value: `c = " ab"`},
		// A literal of more than 65 digits is no exact number to the
		// parser: the INSERT could not be read back, said in its words.
		{value: `dbl = 1e300`, errHas: `stored.dbl: 1e300 has 301 digits, more than the 65 of SQL's exact numbers: give it as a string, "1e300", which the server reads as a number for this column`},
		{value: `dbl = "1e300"`},
		{value: `dbl = 1e-40`},
		{value: `dbl = 0.5`},
	} {
		t.Run(tc.value, func(t *testing.T) {
			after := tcStored + "data_migration \"m\" {\n  table = \"stored\"\n  row {\n    id = 1\n    " + tc.value + "\n  }\n}\n"
			tr, ctx, err := tcDiff(mariadb1011, tcStored, after)
			if err == nil {
				_, err = Split(tr, mariadb1011, ctx.drv)
			}
			switch {
			case tc.errHas == "" && err != nil:
				t.Fatal(err)
			case tc.errHas != "" && err == nil:
				t.Fatalf("taken; want the refusal %q", tc.errHas)
			case tc.errHas != "" && !strings.Contains(err.Error(), tc.errHas):
				t.Fatalf("refusal lacks %q:\n%v", tc.errHas, err)
			}
		})
	}
}

// TestDataMigrationSeedJSONOnMySQL: MySQL's JSON type compares with a
// string as with a JSON string, never equal to an object or an array
// (WL#8249), so the INSERT's check for a seed row holding a document
// never found it: a resume or rerun inserted it again and failed on its
// key (1062), worded as another row holding it. On MySQL the check
// compares with the value cast to JSON; MariaDB's JSON is text.
func TestDataMigrationSeedJSONOnMySQL(t *testing.T) {
	const tbl = `
table "settings" {
  schema = schema.app
  column "id" {
    type = int
  }
  column "doc" {
    type = json
    null = true
  }
  primary_key {
    columns = [column.id]
  }
}
`
	after := tbl + "data_migration \"m\" {\n  table = \"settings\"\n  row {\n    id  = 1\n    doc = \"{\\\"a\\\": 1}\"\n  }\n}\n"
	for _, tc := range []struct {
		target project.Target
		want   string
	}{
		{mysql80, "INSERT INTO `settings` (`id`, `doc`) SELECT 1, '{\"a\": 1}' FROM DUAL WHERE NOT EXISTS (SELECT 1 FROM `settings` WHERE `id` <=> 1 AND `doc` <=> CAST('{\"a\": 1}' AS JSON))"},
		{mariadb1011, "INSERT INTO `settings` (`id`, `doc`) SELECT 1, '{\"a\": 1}' FROM DUAL WHERE NOT EXISTS (SELECT 1 FROM `settings` WHERE `id` <=> 1 AND `doc` <=> '{\"a\": 1}')"},
	} {
		t.Run(tc.target.String(), func(t *testing.T) {
			tr, ctx, err := tcDiff(tc.target, tbl, after)
			if err != nil {
				t.Fatal(err)
			}
			ph, err := Split(tr, tc.target, ctx.drv)
			if err != nil {
				t.Fatal(err)
			}
			if m := ph[revision.Migrate]; len(m) != 1 || m[0].SQL != tc.want {
				t.Fatalf("migrate: %+v\nwant %s", m, tc.want)
			}
		})
	}
}

// tcNotes is a table whose seed rows are found by a unique key of text:
// title under the default collation (utf8mb4_general_ci), code under
// utf8mb4_bin; and a TINYTEXT and a TINYBLOB.
const tcNotes = `
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
  column "body" {
    type = tinytext
    null = true
  }
  column "data" {
    type = tinyblob
    null = true
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

// Seed rows' keys are compared as the server compares them for the
// unique key (they were lower-cased alone): equal under the column's
// collation ('Café' and 'cafe ' under utf8mb4_general_ci, which ignores
// case, accents and trailing spaces; 'abc' and 'abc ' under utf8mb4_bin,
// PAD SPACE) is refused at load, at the row; different under it ('ABC'
// and 'abc' under utf8mb4_bin) is two rows. A TEXT or BLOB value longer
// than its type holds, in bytes of the column's charset, is refused at
// the value's file:line:col (it was not checked: the server refused the
// INSERT in migrate).
func TestDataMigrationSeedKeysAndLobs(t *testing.T) {
	seed := func(rows string) string {
		return "data_migration \"notes\" {\n  table = \"notes\"\n" + rows + "}\n"
	}
	for _, tc := range []struct {
		name    string
		rows    string
		inserts int
		errHas  []string
	}{
		{name: "keys equal under a _ci collation",
			rows: "  row {\n    title = \"Café\"\n  }\n  row {\n    title = \"cafe \"\n  }\n",
			errHas: []string{`after.hcl:`, `row 2 of data_migration "notes" has the key of row 1 (title = 'Café') as the server compares it (title = 'cafe '`,
				`text under notes.title's collation utf8mb4_general_ci, which emcee takes to ignore trailing spaces, case, accents`}},
		{name: "keys equal under a _bin collation but for trailing spaces",
			rows:   "  row {\n    code = \"abc\"\n  }\n  row {\n    code = \"abc \"\n  }\n",
			errHas: []string{`has the key of row 1 (code = 'abc') as the server compares it`, `under notes.code's collation utf8mb4_bin, which emcee takes to ignore trailing spaces)`}},
		{name: "keys that differ in case under a _bin collation are two rows",
			rows:    "  row {\n    code = \"ABC\"\n  }\n  row {\n    code = \"abc\"\n  }\n",
			inserts: 2},
		// utf8mb4_general_ci, MariaDB's default, weighs each character
		// alone by its own table: 'ß' is 's' to it (not 'ss', as Unicode
		// has it), a character past U+FFFF weighs as U+FFFD, and a zero
		// width space is a character like any other.
		{name: "keys equal under utf8mb4_general_ci: 'ß' is 's'",
			rows:   "  row {\n    title = \"straße\"\n  }\n  row {\n    title = \"STRASE\"\n  }\n",
			errHas: []string{`row 2 of data_migration "notes" has the key of row 1 (title = 'straße') as the server compares it (title = 'STRASE'`}},
		{name: "keys equal under utf8mb4_general_ci: characters past U+FFFF",
			rows:   "  row {\n    title = \"\U0001F600\"\n  }\n  row {\n    title = \"\U0001F601\"\n  }\n",
			errHas: []string{"row 2 of data_migration \"notes\" has the key of row 1 (title = '\U0001F600') as the server compares it (title = '\U0001F601'"}},
		{name: "keys utf8mb4_general_ci tells apart: 'ß' and 'ss', a zero width space",
			rows:    "  row {\n    title = \"straße\"\n  }\n  row {\n    title = \"strasse\"\n  }\n  row {\n    title = \"a\u200b\"\n  }\n  row {\n    title = \"a\"\n  }\n",
			inserts: 4},
		{name: "a TINYTEXT value longer than 255 bytes",
			rows:   "  row {\n    title = \"a\"\n    body = \"" + strings.Repeat("é", 128) + "\"\n  }\n",
			errHas: []string{`after.hcl:`, `row 1 of data_migration "notes": notes.body: "éééééééééééééééééééé..." is 256 bytes long (in utf8mb4); a tinytext column holds at most 255`, "declare the column a longer type (text)"}},
		{name: "a TINYTEXT value of 255 bytes",
			rows:    "  row {\n    title = \"a\"\n    body = \"" + strings.Repeat("x", 255) + "\"\n  }\n",
			inserts: 1},
		{name: "a TINYBLOB value longer than 255 bytes",
			rows:   "  row {\n    title = \"a\"\n    data = \"" + strings.Repeat("x", 256) + "\"\n  }\n",
			errHas: []string{`notes.data: "xxxxxxxxxxxxxxxxxxxx..." is 256 bytes long (in binary); a tinyblob column holds at most 255`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr, ctx, err := tcDiff(mariadb1011, tcNotes, tcNotes+seed(tc.rows))
			var ph Phases
			if err == nil {
				ph, err = Split(tr, mariadb1011, ctx.drv)
			}
			if tc.errHas != nil {
				if err == nil {
					t.Fatalf("no error, want %q", tc.errHas)
				}
				for _, s := range tc.errHas {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("error lacks %q:\n%v", s, err)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := len(ph[revision.Migrate]); got != tc.inserts {
				t.Errorf("%d statements in migrate, want %d: %+v", got, tc.inserts, ph[revision.Migrate])
			}
		})
	}
}

// A data migration moving the rows of a table its release drops
// (LimeSurvey 1.92's DBVersion 145: surveys_rights into survey_permissions,
// and surveys_rights dropped; MantisBT 1.2.0a1's project_category) reads
// it in migrate, batched over its key, and contract's gate counts the rows
// left to move before contract drops it: the drop comes last. It was
// refused, the table kept one release longer.
func TestDataMigrationFromATableTheReleaseDrops(t *testing.T) {
	const rights = "table \"rights\" {\n  schema = schema.app\n  column \"id\" {\n    type = bigint\n  }\n  column \"can_edit\" {\n    type = bool\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\n"
	const perms = "table \"perms\" {\n  schema = schema.app\n  column \"right_id\" {\n    type = bigint\n  }\n  column \"permission\" {\n    type = varchar(20)\n  }\n  primary_key {\n    columns = [column.right_id, column.permission]\n  }\n}\n"
	const move = "data_migration \"edit\" {\n  table   = \"perms\"\n  from    = \"rights\"\n  insert  = \"right_id = id, permission = 'edit'\"\n  pending = \"can_edit AND NOT EXISTS (SELECT 1 FROM perms AS p WHERE p.right_id = rights.id AND p.permission = 'edit')\"\n}\n"
	tr, ctx := tcTransition(t, mariadb1011, tcImages+rights, tcImages+perms+move)
	if err := diff.CheckLosses(tr); err != nil {
		t.Fatalf("the move declares the drop of rights: %v", err)
	}
	ph, err := Split(tr, mariadb1011, ctx.drv)
	if err != nil {
		t.Fatal(err)
	}
	m := ph[revision.Migrate]
	if len(m) != 1 || m[0].Table != "rights" || m[0].Key != "id" || !strings.HasPrefix(m[0].SQL, "INSERT INTO `perms` (`right_id`,`permission`) SELECT `id`,'edit' FROM `rights` WHERE") {
		t.Errorf("migrate: %+v", m)
	}
	var contract []string
	for _, s := range ph[revision.Contract] {
		contract = append(contract, s.SQL)
	}
	want := []string{
		"SELECT COUNT(*) FROM `rights` WHERE (`can_edit` AND NOT EXISTS (SELECT 1 FROM `perms` AS `p` WHERE `p`.`right_id` = `rights`.`id` AND `p`.`permission` = 'edit'))",
		"DROP TABLE `rights`",
	}
	if !slices.Equal(contract, want) {
		t.Errorf("contract:\n got %q\nwant %q", contract, want)
	}
}

// Under a collation of UCA 4.0.0 (utf8mb4_unicode_ci and the language ones
// built on it, utf8mb4_swedish_ci...) every character past U+FFFF weighs
// as U+FFFD, as under general_ci: two emoji are one key to the server,
// which emcee passed (Unicode tells them apart) and migrate's INSERT of
// the second found taken; unicode_520_ci and uca1400 weigh them apart.
func TestDataMigrationSeedKeysPastTheBasicPlane(t *testing.T) {
	const tags = `
table "tags" {
  schema = schema.app
  column "id" {
    type           = int
    auto_increment = true
  }
  column "old" {
    type    = varchar(20)
    null    = true
    collate = "utf8mb4_unicode_ci"
  }
  column "sv" {
    type    = varchar(20)
    null    = true
    collate = "utf8mb4_swedish_ci"
  }
  column "new" {
    type    = varchar(20)
    null    = true
    collate = "utf8mb4_unicode_520_ci"
  }
  primary_key {
    columns = [column.id]
  }
  index "uq_old" {
    unique  = true
    columns = [column.old]
  }
  index "uq_sv" {
    unique  = true
    columns = [column.sv]
  }
  index "uq_new" {
    unique  = true
    columns = [column.new]
  }
}
`
	for col, want := range map[string]string{"old": "refused", "sv": "refused", "new": ""} {
		seed := "data_migration \"tags\" {\n  table = \"tags\"\n  row {\n    " + col + " = \"\U0001F600\"\n  }\n  row {\n    " + col + " = \"\U0001F601\"\n  }\n}\n"
		tr, ctx, err := tcDiff(mariadb1011, tags, tags+seed)
		if err == nil {
			_, err = Split(tr, mariadb1011, ctx.drv)
		}
		switch {
		case want == "" && err != nil:
			t.Errorf("%s: %v", col, err)
		case want != "" && (err == nil || !strings.Contains(err.Error(), "row 2 of data_migration \"tags\" has the key of row 1 (")):
			t.Errorf("%s: two emoji planned as two keys (%v), which the server takes for one", col, err)
		}
	}
}

// A language collation's letters are its own: under utf8mb4_swedish_ci 'Å',
// 'Ä' and 'A' are three letters (the server takes the three keys apart),
// and under utf8mb4_german2_ci 'ä' is 'ae'. The keys were folded as
// Unicode's root collation does ('Å' = 'A'), and the three Swedish rows
// refused as one, with no way out but to drop two; the German pair
// passed, and migrate met the server's duplicate key.
func TestDataMigrationSeedKeysUnderALanguageCollation(t *testing.T) {
	const words = `
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
	seed := func(col string, values ...string) string {
		s := "data_migration \"words\" {\n  table = \"words\"\n"
		for _, v := range values {
			s += "  row {\n    " + col + " = \"" + v + "\"\n  }\n"
		}
		return s + "}\n"
	}
	tr, ctx, err := tcDiff(mariadb1011, words, words+seed("sv", "Å", "A", "Ä"))
	var ph Phases
	if err == nil {
		ph, err = Split(tr, mariadb1011, ctx.drv)
	}
	if err != nil {
		t.Fatalf("'Å', 'A' and 'Ä' under utf8mb4_swedish_ci: %v", err)
	}
	if got := len(ph[revision.Migrate]); got != 3 {
		t.Errorf("%d inserts for three Swedish keys", got)
	}
	tr, ctx, err = tcDiff(mariadb1011, words, words+seed("de", "Mädchen", "Maedchen"))
	if err == nil {
		_, err = Split(tr, mariadb1011, ctx.drv)
	}
	if err == nil || !strings.Contains(err.Error(), "row 2 of data_migration \"words\" has the key of row 1 (de = 'Mädchen')") {
		t.Errorf("'Mädchen' and 'Maedchen' under utf8mb4_german2_ci, one key to the server: %v", err)
	}
}
