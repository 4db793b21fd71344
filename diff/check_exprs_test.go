package diff

import (
	"fmt"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// prevRelease has images(id, name, is_public) and a previous-only table.
const prevRelease = `schema "app" {}
table "images" {
  schema = schema.app
  column "id" {
    type = bigint
  }
  column "name" {
    type = varchar(20)
  }
  column "is_public" {
    type = bool
  }
  primary_key {
    columns = [column.id]
  }
}
`

// nextRelease is prevRelease with is_public replaced by the given column
// block (line 9 onwards), plus extra top-level blocks.
func nextRelease(column, extra string) string {
	return `schema "app" {}
table "images" {
  schema = schema.app
  column "id" {
    type = bigint
  }
  column "name" {
    type = varchar(20)
  }
` + column + `
  primary_key {
    columns = [column.id]
  }
}
` + extra
}

const tagsTable = "table \"tags\" {\n  schema = schema.app\n  column \"id\" {\n    type = bigint\n    auto_increment = true\n  }\n  column \"image\" {\n    type = bigint\n  }\n  column \"label\" {\n    type = varchar(20)\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\n"

const isPublic = "  column \"is_public\" {\n    type = bool\n  }"

// moveTo is a data_migration "m" that inserts rows into table from the rows
// of from.
func moveTo(table, from, insert, pending string) string {
	return "data_migration \"m\" {\n  table   = \"" + table + "\"\n  from    = \"" + from + "\"\n  insert  = \"" + insert + "\"\n  pending = \"" + pending + "\"\n}\n"
}

func TestBadDeclarationsAreReportedWithPositions(t *testing.T) {
	prev, err := ParseRelease("ocata", "ocata.hcl", []byte(prevRelease), mariadb)
	if err != nil {
		t.Fatal(err)
	}
	replaces := func(forward, backward string) string {
		return `  column "visibility" {
    type = varchar(10)
    replaces {
      column   = "is_public"
      forward  = "` + forward + `"
      backward = "` + backward + `"
    }
  }`
	}
	for _, tc := range []struct {
		name, column, extra string
		want                []string // each must appear in the error
	}{
		{name: "forward uses a column of the new release",
			column: replaces("IF(visibility = 'x', 1, 0)", "visibility = 'public'"),
			want:   []string{`pike.hcl:14:22: forward expression of images.visibility: unknown column "visibility" (it can use: id, is_public, name)`}},
		{name: "forward misspells a column",
			column: replaces("CASE WHEN is_publc THEN 'public' ELSE 'private' END", "visibility = 'public'"),
			want:   []string{`pike.hcl:14:29: forward expression of images.visibility: unknown column "is_publc"`}},
		{name: "backward uses the old column",
			column: replaces("IF(is_public, 'public', 'private')", "is_public"),
			want:   []string{`pike.hcl:15:19: backward expression of images.visibility: unknown column "is_public" (it can use: id, name, visibility)`}},
		{name: "forward with a subquery",
			column: replaces("(SELECT 1 FROM images)", "visibility = 'public'"),
			want:   []string{`pike.hcl:14:19: forward expression of images.visibility: a subquery: a value read from other rows or tables is not recomputed when they change`}},
		{name: "backward with a qualified name",
			column: replaces("IF(is_public, 'public', 'private')", "images.visibility = 'public'"),
			want:   []string{`pike.hcl:15:19: backward expression of images.visibility: images.visibility: write the bare column name`}},
		{name: "fill on a column that is not new",
			column: `  column "is_public" {
    type = bool
    fill = "1"
  }`,
			want: []string{`pike.hcl:12:5: images.is_public has fill, but the column is not new: release ocata already has it`}},
		{name: "fill on a nullable column",
			column: `  column "owner" {
    type = varchar(10)
    null = true
    fill = "name"
  }`,
			// A block to paste: one argument a line (HCL refuses several
			// on one), the names quoted for SQL and the strings for HCL.
			want: []string{"pike.hcl:13:5: images.owner has fill, but the column is nullable: fill computes a NOT NULL column, and NULL is a value a nullable one may keep. To compute the existing rows and keep the column nullable, remove fill and declare, at the top level of the file:\n" +
				"data_migration \"owner\" {\n  table   = \"images\"\n  set     = \"`owner` = name\"\n  pending = \"`owner` IS NULL AND (name) IS NOT NULL\"\n}\n" +
				"To have every row computed, make the column NOT NULL (`null = false` in HCL, NOT NULL in SQL) and keep fill"}},
		{name: "fill on a nullable column, its expression holding ${",
			column: `  column "owner" {
    type = varchar(10)
    null = true
    fill = "CONCAT(name, '$${x}')"
  }`,
			want: []string{"set     = \"`owner` = CONCAT(name, '$${x}')\"\n  pending = \"`owner` IS NULL AND (CONCAT(name, '$${x}')) IS NOT NULL\"\n}"}},
		{name: "fill with a default",
			column: `  column "owner" {
    type    = varchar(10)
    default = "x"
    fill    = "name"
  }`,
			want: []string{`pike.hcl:13:5: images.owner has fill and a default`}},
		{name: "fill with an unknown column",
			column: `  column "owner" {
    type = varchar(10)
    fill = "CONCAT(name, nme)"
  }`,
			want: []string{`pike.hcl:12:26: fill of images.owner: unknown column "nme"`}},
		// A backfill computes it in batches on emcee's connection, a
		// trigger in the writer's session: a value of neither row.
		{name: "fill calling a function of the session",
			column: "  column \"owner\" {\n    type = bigint\n    fill = \"LAST_INSERT_ID() + id\"\n  }",
			want:   []string{`pike.hcl:12:13: fill of images.owner: LAST_INSERT_ID(): its answer is the state of the session computing it, not anything of the row`, "Compute the value from the row's columns"}},
		{name: "data migration calling a function of the session",
			column: isPublic,
			extra:  "data_migration \"m\" {\n  table   = \"images\"\n  set     = \"name = LEFT(name, 10), is_public = CONNECTION_ID() > 0\"\n  pending = \"is_public IS NULL\"\n}\n",
			want:   []string{`pike.hcl:19:49: set of data_migration "m": CONNECTION_ID(): its answer is the state of the session computing it`}},
		{name: "fill on a column that replaces another",
			column: `  column "visibility" {
    type         = varchar(10)
    renamed_from = "is_public"
    fill         = "'x'"
  }`,
			want: []string{`pike.hcl:13:5: images.visibility has fill and also takes over from "is_public"`}},
		{name: "fill on a new table",
			column: `  column "is_public" {
    type = bool
  }`,
			extra: `table "tags" {
  schema = schema.app
  column "tag" {
    type = varchar(10)
    fill = "'x'"
  }
}
`,
			want: []string{`pike.hcl:21:5: tags.tag has fill, but table tags is new in release pike`}},
		{name: "data migration on an unknown table",
			column: `  column "is_public" {
    type = bool
  }`,
			extra: "data_migration \"m\" {\n  table   = \"imgs\"\n  set     = \"name = 'x'\"\n  pending = \"name <> 'x'\"\n}\n",
			want:  []string{`pike.hcl:17:1: data_migration "m" updates table "imgs", which release pike does not declare`}},
		{name: "data migration with an unknown column",
			column: `  column "is_public" {
    type = bool
  }`,
			extra: "data_migration \"m\" {\n  table   = \"images\"\n  set     = \"title = 'x'\"\n  pending = \"nam <> 'x'\"\n}\n",
			want: []string{`pike.hcl:19:14: set of data_migration "m": unknown column "title"`,
				`pike.hcl:20:14: pending of data_migration "m": unknown column "nam"`}},
		{name: "data migration that sets the key it is batched on",
			column: `  column "is_public" {
    type = bool
  }`,
			extra: "data_migration \"m\" {\n  table   = \"images\"\n  set     = \"name = 'x', ID = id + 1000\"\n  pending = \"name <> 'x'\"\n}\n",
			want:  []string{`pike.hcl:19:26: set of data_migration "m": sets ID, the primary key migrate runs the data migration in ranges of: a row moved to a range not done yet would be rewritten twice`}},
		{name: "insert into a table the release lacks",
			column: isPublic,
			extra:  tagsTable + moveTo("tagz", "images", "image = id, label = name", "name <> '' AND NOT EXISTS (SELECT 1 FROM tags WHERE tags.image = images.id)"),
			want:   []string{`pike.hcl:33:1: data_migration "m" inserts rows into table "tagz", which release pike does not declare`}},
		{name: "insert into the table it reads",
			column: isPublic,
			extra:  moveTo("images", "images", "name = name", "name <> ''"),
			want:   []string{`pike.hcl:17:1: data_migration "m" inserts into "images" rows read from the same table`}},
		{name: "insert from a table the release lacks",
			column: isPublic,
			extra:  tagsTable + moveTo("tags", "imagez", "image = id", "NOT EXISTS (SELECT 1 FROM tags WHERE tags.image = imagez.id)"),
			want:   []string{`pike.hcl:33:1: data_migration "m" reads table "imagez" (from), which release pike does not declare`}},
		{name: "insert with unknown columns",
			column: isPublic,
			extra:  tagsTable + moveTo("tags", "images", "image = id, lable = name", "nam <> '' AND NOT EXISTS (SELECT 1 FROM tags WHERE tags.image = images.id)"),
			want: []string{`pike.hcl:36:26: insert of data_migration "m": unknown column "lable" of ` + "`tags`" + `, the table the rows go into (it has: id, image, label)`,
				`pike.hcl:37:14: pending of data_migration "m": unknown column "nam"`}},
		{name: "insert whose value reads the new table's column",
			column: isPublic,
			extra:  tagsTable + moveTo("tags", "images", "image = id, label = label", "NOT EXISTS (SELECT 1 FROM tags WHERE tags.image = images.id)"),
			want:   []string{`pike.hcl:36:34: insert of data_migration "m": unknown column "label"`}},
		{name: "insert whose pending does not read the new table",
			column: isPublic,
			extra:  tagsTable + moveTo("tags", "images", "image = id, label = name", "name <> ''"),
			want:   []string{`pike.hcl:37:14: pending of data_migration "m": it does not read ` + "`tags`" + `, the table the rows go into`, "would insert it again"}},
		// The row's id, written bare in the subquery, is tags.id there (the
		// server looks in the subquery's tables first): the subquery is the
		// same for every row of images, so after the first batch it selects
		// none, the gate opens and contract drops what was never moved.
		{name: "insert whose pending names the new table's column for the row's",
			column: isPublic,
			extra:  tagsTable + moveTo("tags", "images", "image = id, label = name", "name <> '' AND NOT EXISTS (SELECT 1 FROM tags WHERE tags.image = id)"),
			want:   []string{`pike.hcl:37:14: pending of data_migration "m": it reads ` + "`tags`" + ` in a subquery that does not keep only its rows equal to the row of ` + "`images`" + ` (id there is a column of the subquery's table: write ` + "`images`.`id`" + ` for the row's)`, "selects none"}},
		{name: "insert whose pending reads the new table regardless of the row",
			column: isPublic,
			extra:  tagsTable + moveTo("tags", "images", "image = id, label = name", "name <> '' AND (SELECT COUNT(*) FROM tags) < 1000000"),
			want:   []string{`pike.hcl:37:14: pending of data_migration "m": it reads ` + "`tags`" + ` in a subquery that does not keep only its rows equal to the row of ` + "`images`:"}},
		// The row named in the subquery but compared with nothing of the
		// new table (what the advice for a shadowed name led to, written in
		// the select list): any row of tags makes it false for every row.
		{name: "insert whose pending names the row without comparing the new table's rows with it",
			column: isPublic,
			extra:  tagsTable + moveTo("tags", "images", "image = id, label = name", "images.id NOT IN (SELECT images.id FROM tags)"),
			want:   []string{`pike.hcl:37:14: pending of data_migration "m": it reads ` + "`tags`" + ` in a subquery that does not keep only its rows equal to the row of ` + "`images`:"}},
		// NOT IN over the new table was refused as a subquery "that does not
		// refer to the row", with advice (qualify the subquery's column with
		// the row's table) that made it the same for every row, and passed.
		// It compares the row with the new table, but one NULL there makes
		// it NULL for every row: refused for that, with NOT EXISTS.
		{name: "insert whose pending uses NOT IN over the new table",
			column: isPublic,
			extra:  tagsTable + moveTo("tags", "images", "image = id, label = name", "id NOT IN (SELECT image FROM tags)"),
			want:   []string{`pike.hcl:37:14: pending of data_migration "m": it reads ` + "`tags`" + ` in an IN (SELECT ...): one NULL there makes NOT IN NULL for every row`, "NOT EXISTS (SELECT 1 FROM `tags` AS t WHERE t.<column> = `images`.<key>)"}},
		{name: "insert whose pending reads the new table in a UNION",
			column: isPublic,
			extra:  tagsTable + moveTo("tags", "images", "image = id, label = name", "NOT EXISTS (SELECT 1 FROM images AS o UNION SELECT 1 FROM tags WHERE tags.image = images.id)"),
			want:   []string{`pike.hcl:37:14: pending of data_migration "m": it reads ` + "`tags`" + ` in a UNION (or EXCEPT, INTERSECT) of SELECTs: once another of them has a row, the answer is the same for every row`}},
		// The server refuses every row (1364): migrate failed after expand.
		{name: "insert that leaves a NOT NULL column without a default unset",
			column: isPublic,
			extra:  tagsTable + moveTo("tags", "images", "image = id", "NOT EXISTS (SELECT 1 FROM tags WHERE tags.image = images.id)"),
			want:   []string{"pike.hcl:36:14: insert of data_migration \"m\": it sets no value for label, NOT NULL without a default in `tags`: the server refuses every row migrate would insert (error 1364)"}},
		// An ENUM's implicit default is its first value, strict sql_mode
		// too: the server fills it (3251d94 planned it, migrate filled
		// 'a'); a SET has none (1364).
		{name: "insert that leaves a NOT NULL ENUM and SET unset",
			column: isPublic,
			extra:  strings.Replace(tagsTable, "  column \"label\" {", "  column \"kind\" {\n    type = enum(\"a\", \"b\")\n  }\n  column \"flags\" {\n    type = set(\"x\", \"y\")\n  }\n  column \"label\" {", 1) + moveTo("tags", "images", "image = id, label = name", "NOT EXISTS (SELECT 1 FROM tags WHERE tags.image = images.id)"),
			want:   []string{"insert of data_migration \"m\": it sets no value for flags, NOT NULL without a default in `tags`"}},
		// MariaDB refuses a value for a generated column (1906).
		{name: "insert that sets a generated column",
			column: isPublic,
			extra:  strings.Replace(tagsTable, "  column \"label\" {", "  column \"slug\" {\n    type = varchar(20)\n    as = \"LOWER(label)\"\n  }\n  column \"label\" {", 1) + moveTo("tags", "images", "image = id, label = name, slug = name", "NOT EXISTS (SELECT 1 FROM tags WHERE tags.image = images.id)"),
			want:   []string{"insert of data_migration \"m\": it sets slug, a generated column of `tags`: the server computes it and refuses a value for it (error 1906)"}},
		// Rows the other side of the OR selects stay selected once their
		// row is inserted: every catch-up inserted them again (200 rows for
		// 100 users), and the gate never opened.
		{name: "insert whose pending reads the new table only under an OR",
			column: isPublic,
			extra:  tagsTable + moveTo("tags", "images", "image = id, label = name", "name <> '' OR NOT EXISTS (SELECT 1 FROM tags WHERE tags.image = images.id)"),
			want:   []string{`pike.hcl:37:14: pending of data_migration "m": it reads ` + "`tags`" + ` only under an OR (or XOR)`, "would insert it again"}},
		{name: "insert that does not parse",
			column: isPublic,
			extra:  tagsTable + moveTo("tags", "images", "image = id,, label = name", "NOT EXISTS (SELECT 1 FROM tags WHERE tags.image = images.id)"),
			want:   []string{`pike.hcl:36:25: insert of data_migration "m": syntax error at ", label = name"`}},
		{name: "insert and set together",
			column: isPublic,
			extra:  tagsTable + "data_migration \"m\" {\n  table   = \"tags\"\n  from    = \"images\"\n  set     = \"label = 'x'\"\n  pending = \"label <> 'x'\"\n}\n",
			want:   []string{`pike.hcl:33:1: data_migration "m" has set and also from or insert`}},
		{name: "from without insert",
			column: isPublic,
			extra:  tagsTable + "data_migration \"m\" {\n  table   = \"tags\"\n  from    = \"images\"\n  pending = \"label <> 'x'\"\n}\n",
			want:   []string{`pike.hcl:33:1: data_migration "m" needs insert = "..."`}},
		{name: "two columns take over from one",
			column: `  column "a" {
    type         = bool
    renamed_from = "is_public"
  }
  column "b" {
    type         = bool
    renamed_from = "is_public"
  }`,
			want: []string{`images.a and images.b both take over from images.is_public`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// An expression's syntax and use are checked when the file is
			// read; its columns against the previous release.
			r, err := ParseRelease("pike", "pike.hcl", []byte(nextRelease(tc.column, tc.extra)), mariadb)
			if err == nil {
				err = r.Check(prev)
			}
			if err == nil {
				t.Fatalf("no error; want %q", tc.want)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error:\n%v\nwant it to contain:\n%s", err, w)
				}
			}
		})
	}
}

// Gitea 1.15 added a row to email_address, which 1.14 has, for each user
// whose primary email it lacked (v181): the insert was refused as a
// table "which release ocata has already", the way out sending the rows to
// the new release's code. The rows inserted in migrate stay on a rollback,
// as the rows a set rewrites do.
func TestInsertIntoATableThePreviousReleaseHas(t *testing.T) {
	prev, err := ParseRelease("ocata", "ocata.hcl", []byte(prevRelease+tagsTable), mariadb)
	if err != nil {
		t.Fatal(err)
	}
	r, err := ParseRelease("pike", "pike.hcl", []byte(nextRelease(isPublic, tagsTable+moveTo("tags", "images", "image = id, label = name", "name <> '' AND NOT EXISTS (SELECT 1 FROM tags WHERE tags.image = images.id)"))), mariadb)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Check(prev); err != nil {
		t.Fatalf("insert into a table both releases have: %v", err)
	}
}

func TestGoodDeclarationsPass(t *testing.T) {
	prev, err := ParseRelease("ocata", "ocata.hcl", []byte(prevRelease), mariadb)
	if err != nil {
		t.Fatal(err)
	}
	src := nextRelease(`  column "visibility" {
    type = varchar(10)
    replaces {
      column   = "is_public"
      forward  = "CASE WHEN is_public THEN 'public' ELSE CONCAT(_utf8mb4'pri', 'vate') END"
      backward = "CAST(visibility = 'public' AS SIGNED) -- a comment"
    }
  }
  column "slug" {
    type = varchar(20)
    fill = "CONCAT(LOWER(REPLACE(name, ' ', '-')), X'41', N'a', b'1' + 0) COLLATE utf8mb4_bin"
  }
  column "rank" {
    type = bigint
    fill = "LAST_INSERT_ID(id) * 2"
  }`, "data_migration \"m\" {\n  table   = \"images\"\n  set     = \"name = TRIM(name), `slug` = DATE_FORMAT(NOW() - INTERVAL 1 DAY, '%Y')\"\n  pending = \"name <> TRIM(name) AND NOT EXISTS (SELECT 1 FROM images AS other WHERE other.name = images.name AND other.id < images.id)\"\n}\n")
	r, err := ParseRelease("pike", "pike.hcl", []byte(src), mariadb)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Check(prev); err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
}

// The example an insert's refusal gives aliases the new table with a name
// other than from's: pasted for a from table named t, `t`.<key> would be
// the alias's column and the subquery again the same for every row.
func TestUnseenRowsExampleAliasIsNotFrom(t *testing.T) {
	for from, want := range map[string]string{
		"images": "NOT EXISTS (SELECT 1 FROM `tags` AS t WHERE t.<column> = `images`.<key>)",
		"T":      "NOT EXISTS (SELECT 1 FROM `tags` AS t2 WHERE t2.<column> = `T`.<key>)",
	} {
		for _, read := range []sqlsyntax.TableRead{{}, {Reads: true}} {
			if got := unseenRows(&DataMigration{Table: "tags", From: from}, read); !strings.Contains(got, want) {
				t.Errorf("from %s, %+v: %s\nwant the example %s", from, read, got, want)
			}
		}
	}
}

// A call of a function the target server does not have is refused at its
// position, in declared expressions and in the schema's raw SQL; a stored
// function of the database is called once declared, and a declaration
// named like a built-in (which the server would call instead) is refused.
func TestUnknownFunctionCallsAreRefused(t *testing.T) {
	base := `schema "app" {}
table "images" {
  schema = schema.app
  column "id" {
    type = int
  }
  column "name" {
    type = varchar(20)
    null = true
  }
%s  primary_key {
    columns = [column.id]
  }
}
%s`
	prev := fmt.Sprintf(base, "", "")
	for _, tc := range []struct {
		name, column, extra string
		mysql               bool
		want                string
	}{
		{name: "MySQL's function in a fill", column: "  column \"flag\" {\n    type = bool\n    fill = \"REGEXP_LIKE(name, '^x')\"\n  }\n",
			want: "pike.hcl:13:13: fill of images.flag: REGEXP_LIKE(...): MariaDB 10.11 has no such function (it is MySQL 8.0's)"},
		{name: "the same for a mysql 8.0 target", column: "  column \"flag\" {\n    type = bool\n    fill = \"REGEXP_LIKE(name, '^x')\"\n  }\n", mysql: true},
		{name: "a stored function, undeclared", column: "  column \"slug\" {\n    type = varchar(20)\n    fill = \"slugify(name)\"\n  }\n",
			want: `pike.hcl:13:13: fill of images.slug: SLUGIFY(...): MariaDB 10.11 has no such function. The server would take it for a stored function`},
		{name: "a stored function, declared", column: "  column \"slug\" {\n    type = varchar(20)\n    fill = \"slugify(name)\"\n  }\n", extra: "stored_function \"slugify\" {}\n"},
		{name: "a declaration named like a built-in", extra: "stored_function \"Concat\" {}\n",
			want: `pike.hcl:15:17: stored_function "Concat": CONCAT is a built-in function of MariaDB 10.11, which the server calls instead`},
		{name: "in a data migration's set", extra: "data_migration \"m\" {\n  table   = \"images\"\n  set     = \"name = frob(name)\"\n  pending = \"name IS NULL\"\n}\n",
			want: `pike.hcl:17:21: set of data_migration "m": FROB(...): MariaDB 10.11 has no such function`},
		{name: "in a raw default", column: "  column \"u\" {\n    type    = varchar(36)\n    default = sql(\"(uuid_v7())\")\n  }\n",
			want: `default of images.u: UUID_V7(...): MariaDB 10.11 has no such function`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			target := mariadb
			if tc.mysql {
				target = project.Target{Flavor: "mysql", Major: 8, Minor: 0}
			}
			p, err := ParseRelease("ocata", "ocata.hcl", []byte(prev), target)
			if err != nil {
				t.Fatal(err)
			}
			r, err := ParseRelease("pike", "pike.hcl", []byte(fmt.Sprintf(base, tc.column, tc.extra)), target)
			if err == nil {
				err = r.Check(p)
			}
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("got %v\nwant %q", err, tc.want)
			}
		})
	}
}

// A data migration inserting rows that is declared after its release was
// planned runs after the contract planned then: its insert list and
// pending may read only what that contract left of the table it reads.
// The advice to rewrite the release says it holds only while no database
// has applied its revisions: on MantisBT 1.2.0a1, rewritten after its
// expand had run, the expand's comments named the declarations' new lines
// and the database refused the file for its checksum.
func TestLateInsertDataMigrationReadsOnlyWhatContractLeft(t *testing.T) {
	asOf, err := ParseRelease("pike", "pike.hcl", []byte(nextRelease("", tagsTable)), mariadb)
	if err != nil {
		t.Fatal(err)
	}
	late := func(insert string) error {
		r, err := ParseRelease("pike", "pike.hcl", []byte(nextRelease("", tagsTable+moveTo("tags", "images", insert, "NOT EXISTS (SELECT 1 FROM tags WHERE tags.image = images.id)"))), mariadb)
		if err != nil {
			t.Fatal(err)
		}
		return r.CheckLateDataMigrations(asOf, map[string]bool{})
	}
	if err := late("image = id, label = name"); err != nil {
		t.Errorf("an insert reading columns contract keeps: %v", err)
	}
	err = late("image = id, label = IF(is_public, 'public', name)")
	if err == nil || !strings.Contains(err.Error(), `insert of data_migration "m": unknown column "is_public"`) || !strings.Contains(err.Error(), "release pike was planned before data_migration \"m\" was declared") ||
		!strings.Contains(err.Error(), "while no database has applied its revisions") {
		t.Errorf("an insert reading a column contract dropped: %v", err)
	}
}

// A data migration moving the rows of a table its release drops (MantisBT
// 1.2.0a1: project_category into the new category table; Gitea 1.21:
// deleted_branch into branch) is planned: the table is there while
// migrate runs, and contract's gate counts its pending rows before the
// drop. It was refused, the way out keeping the table one release longer
// (and a discard in the next). Its expressions are checked against the
// dropped table's columns. A table renamed in the release, named by its
// old name, and a name no release has, are refused.
func TestInsertFromATableTheReleaseDrops(t *testing.T) {
	const legacy = "table \"legacy\" {\n  schema = schema.app\n  column \"id\" {\n    type = bigint\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\n"
	prev, err := ParseRelease("ocata", "ocata.hcl", []byte(prevRelease+legacy), mariadb)
	if err != nil {
		t.Fatal(err)
	}
	renamed := strings.Replace(legacy, "table \"legacy\" {\n", "table \"old_things\" {\n  renamed_from = \"legacy\"\n", 1)
	for _, tc := range []struct {
		name, extra, want string
	}{
		{"dropped", tagsTable + moveTo("tags", "legacy", "image = id, label = 'legacy'", "NOT EXISTS (SELECT 1 FROM tags WHERE tags.image = legacy.id)"), ""},
		{"dropped, read by a column it lacks", tagsTable + moveTo("tags", "legacy", "image = id, label = name", "NOT EXISTS (SELECT 1 FROM tags WHERE tags.image = legacy.id)"),
			`insert of data_migration "m": unknown column "name"`},
		{"renamed, named by its old name", renamed + tagsTable + moveTo("tags", "legacy", "image = id", "NOT EXISTS (SELECT 1 FROM tags WHERE tags.image = legacy.id)"),
			`data_migration "m" reads table "legacy" (from), which release pike does not declare: from names a table this release keeps (contract's gate counts its pending rows), as this release names it; fix the name`},
		{"no such table", legacy + tagsTable + moveTo("tags", "legazy", "image = id", "NOT EXISTS (SELECT 1 FROM tags WHERE tags.image = legazy.id)"),
			`data_migration "m" reads table "legazy" (from), which release pike does not declare: from names a table this release keeps (contract's gate counts its pending rows), as this release names it; fix the name`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := ParseRelease("pike", "pike.hcl", []byte(nextRelease(isPublic, tc.extra)), mariadb)
			if err == nil {
				err = r.Check(prev)
			}
			if tc.want == "" {
				if err != nil {
					t.Fatalf("got %v, want no error", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v\nwant %q", err, tc.want)
			}
		})
	}
	r, err := ParseRelease("pike", "pike.hcl", []byte(nextRelease(isPublic, tagsTable+moveTo("tags", "legacy", "image = id, label = 'moved'", "NOT EXISTS (SELECT 1 FROM tags WHERE tags.image = legacy.id)"))), mariadb)
	if err == nil {
		err = r.Check(prev)
	}
	if err != nil {
		t.Errorf("rows of a table the release drops, moved into a new table: %v", err)
	}
	if m := r.Declarations.RowsMovedBy("legacy"); len(m) != 1 || m[0].Name != "m" {
		t.Errorf("the drop of legacy is declared by data_migration m: got %v", m)
	}
}

// A data migration moving the rows of a table its release drops, declared
// after the release was planned: its gate runs after the contract planned
// then. A table that contract drops already is refused (the gate could
// never run); one the release as planned then still has is read as it
// has it, its drop planned now, after the gate.
func TestLateInsertDataMigrationFromATableTheReleaseDrops(t *testing.T) {
	const legacy = "table \"legacy\" {\n  schema = schema.app\n  column \"id\" {\n    type = bigint\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\n"
	move := moveTo("tags", "legacy", "image = id, label = 'legacy'", "NOT EXISTS (SELECT 1 FROM tags WHERE tags.image = legacy.id)")
	r, err := ParseRelease("pike", "pike.hcl", []byte(nextRelease("", tagsTable+move)), mariadb)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, asOf, want string }{
		{"dropped by the contract planned then", tagsTable, `data_migration "m" reads table "legacy" (from), which release pike as planned before it was declared drops in a contract that has run or runs before this one's gate; run ` + "`emcee plan --rewrite pike`"},
		{"still there as planned then", tagsTable + legacy, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			asOf, err := ParseRelease("pike", "pike.hcl", []byte(nextRelease("", tc.asOf)), mariadb)
			if err != nil {
				t.Fatal(err)
			}
			err = r.CheckLateDataMigrations(asOf, map[string]bool{})
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("got %v\nwant %q", err, tc.want)
			}
		})
	}
}

// A set or pending of a data migration reading, in a subquery, a table its
// release drops was refused, the way out keeping the table one release
// longer (osTicket 1.10 looks staff's Olson time zone up in the timezone
// table its cleanup drops): the table is there while migrate runs, and
// contract's gates count before contract drops it, as for a from naming
// it (TestInsertFromATableTheReleaseDrops); it is read as the previous
// release has it. A table the release renames is named by its new name,
// and a misspelt name is refused.
func TestSetReadingATableTheReleaseDrops(t *testing.T) {
	const legacy = "table \"legacy\" {\n  schema = schema.app\n  column \"id\" {\n    type = bigint\n  }\n  column \"label\" {\n    type = varchar(20)\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\n"
	prev, err := ParseRelease("ocata", "ocata.hcl", []byte(prevRelease+legacy), mariadb)
	if err != nil {
		t.Fatal(err)
	}
	renamed := strings.Replace(legacy, "table \"legacy\" {\n", "table \"old_things\" {\n  renamed_from = \"legacy\"\n", 1)
	discard := "discard {\n  table = \"legacy\"\n}\n"
	set := func(from, col string) string {
		return "data_migration \"m\" {\n  table   = \"images\"\n  set     = \"name = (SELECT " + col + " FROM " + from + " WHERE " + from + ".id = images.id)\"\n  pending = \"name IS NULL\"\n}\n"
	}
	pending := func(from string) string {
		return "data_migration \"m\" {\n  table   = \"images\"\n  set     = \"name = 'x'\"\n  pending = \"EXISTS (SELECT 1 FROM " + from + " WHERE " + from + ".id = images.id)\"\n}\n"
	}
	deleted := "data_migration \"m\" {\n  table  = \"images\"\n  delete = \"id IN (SELECT id FROM legacy)\"\n}\n"
	for _, tc := range []struct {
		name, extra, want string
	}{
		{"set, dropped", discard + set("legacy", "label"), ""},
		{"pending, dropped", discard + pending("legacy"), ""},
		{"delete, dropped", discard + deleted, ""},
		{"set, dropped, a column it lacks", discard + set("legacy", "labels"), `set of data_migration "m"`},
		{"renamed, named by its old name", renamed + set("legacy", "label"), `table "legacy": the release declares no such table: release pike renames it to old_things; name it as this release does`},
		{"no such table", legacy + set("legazy", "label"), `table "legazy": the release declares no such table; fix the name`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := ParseRelease("pike", "pike.hcl", []byte(nextRelease(isPublic, tc.extra)), mariadb)
			if err == nil {
				err = r.Check(prev)
			}
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("got %v\nwant %q", err, tc.want)
			}
		})
	}
}

// A column a sync trigger computes from an AUTO_INCREMENT column of its
// table got 0 from it in every row a release inserted while both ran: a
// BEFORE INSERT trigger sees 0 there when the insert leaves the column to
// the server, which numbers the row after the trigger (osTicket 1.10
// renames department.dept_id id; the key-move refusal advised `fill =
// "dept_id"` on id, and the rows the previous release inserted got id 0,
// which contract's NULL gate let through). Refused, with the data
// migration that computes it from the rows as inserted.
func TestTriggerReadingAnAutoIncrementColumn(t *testing.T) {
	table := func(cols string) string {
		return "schema \"app\" {}\ntable \"d\" {\n  schema = schema.app\n  column \"dept_id\" {\n    type           = int\n    auto_increment = true\n  }\n  column \"name\" {\n    type = varchar(20)\n  }\n" + cols + "  primary_key {\n    columns = [column.dept_id]\n  }\n}\n"
	}
	prev, err := ParseRelease("a", "a.hcl", []byte(table("  column \"code\" {\n    type = int\n  }\n")), mariadb)
	if err != nil {
		t.Fatal(err)
	}
	way := "Compute it in migrate, from the rows as inserted"
	for _, tc := range []struct{ name, cols, want string }{
		{"fill", "  column \"code\" {\n    type = int\n  }\n  column \"id\" {\n    type = int\n    fill = \"dept_id + 0\"\n  }\n", `d.id is computed from d.dept_id, an AUTO_INCREMENT column`},
		{"fill: the way out", "  column \"code\" {\n    type = int\n  }\n  column \"id\" {\n    type = int\n    fill = \"dept_id + 0\"\n  }\n", "remove fill, declare id `null = true` in this release, and, at the top level of the file:\ndata_migration \"id\" {\n  table   = \"d\"\n  set     = \"`id` = dept_id + 0\"\n  pending = \"`id` IS NULL\"\n}\n"},
		{"forward", "  column \"ref\" {\n    type = varchar(20)\n    replaces {\n      column   = \"code\"\n      forward  = \"CONCAT(code, '-', dept_id)\"\n      backward = \"0\"\n    }\n  }\n", "keep code under its name (no trigger can copy the number the server gives a row) and ref beside it without its replaces block"},
		{"backward", "  column \"ref\" {\n    type = varchar(20)\n    replaces {\n      column   = \"code\"\n      forward  = \"CAST(code AS CHAR)\"\n      backward = \"dept_id * 10\"\n    }\n  }\n", "b.hcl:13:5: d.code is computed back from d.dept_id (backward of d.ref), an AUTO_INCREMENT column"},
		{"fill from another column", "  column \"code\" {\n    type = int\n  }\n  column \"id\" {\n    type = int\n    fill = \"code\"\n  }\n", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := ParseRelease("b", "b.hcl", []byte(table(tc.cols)), mariadb)
			if err == nil {
				err = r.Check(prev)
			}
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), way) && !strings.Contains(err.Error(), "Compute backward without dept_id, or keep code under its name")):
				t.Fatalf("got %v\nwant %q", err, tc.want)
			}
		})
	}
}
