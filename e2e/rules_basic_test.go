package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/revision"
)

const imagesV1 = `
table "images" {
  schema = schema.app
  column "id" {
    type           = bigint
    auto_increment = true
  }
  column "name" {
    type = varchar(30)
  }
  column "kind" {
    type = enum("a", "b")
  }
  column "note" {
    type = varchar(50)
  }
  primary_key {
    columns = [column.id]
  }
  index "ix_name" {
    columns = [column.name]
  }
}
`

func TestRuleCreateTable(t *testing.T) {
	t.Parallel()
	ruleCase{
		before: imagesV1,
		after: imagesV1 + `
table "tags" {
  schema = schema.app
  column "image_id" {
    type = bigint
  }
  column "tag" {
    type = varchar(40)
  }
  primary_key {
    columns = [column.image_id, column.tag]
  }
  foreign_key "fk_tags_image" {
    columns     = [column.image_id]
    ref_columns = [table.images.column.id]
  }
}`,
		rules:     []string{"create-table"},
		seed:      []string{"INSERT INTO images (name, kind, note) VALUES ('one', 'a', 'x')"},
		oldWrites: []string{"INSERT INTO images (name, kind, note) VALUES ('two', 'b', 'y')"},
		newWrites: []string{"INSERT INTO tags VALUES (1, 'red')"},
		checks:    map[string]string{"SELECT image_id, tag FROM tags": "1|red", "SELECT COUNT(*) FROM images": "2"},
	}.run(t)
}

// Friendica's user table references itself (parent-uid): the table is
// created with its key in one statement, and the key holds on MariaDB.
func TestRuleCreateTableReferencingItself(t *testing.T) {
	t.Parallel()
	ruleCase{
		before: imagesV1,
		after: imagesV1 + `
table "users" {
  schema = schema.app
  column "uid" {
    type = int
  }
  column "parent_uid" {
    type = int
    null = true
  }
  primary_key {
    columns = [column.uid]
  }
  foreign_key "fk_users_parent" {
    columns     = [column.parent_uid]
    ref_columns = [table.users.column.uid]
    on_delete   = CASCADE
  }
}`,
		rules:     []string{"create-table"},
		seed:      []string{"INSERT INTO images (name, kind, note) VALUES ('one', 'a', 'x')"},
		oldWrites: []string{"INSERT INTO images (name, kind, note) VALUES ('two', 'b', 'y')"},
		newWrites: []string{"INSERT INTO users VALUES (1, NULL), (2, 1), (3, 2)", "DELETE FROM users WHERE uid = 2"},
		checks:    map[string]string{"SELECT uid FROM users": "1", "SELECT COUNT(*) FROM images": "2"},
	}.run(t)
}

// Zabbix 5.4 dropped application_prototype, whose templateid references
// the table itself and itemid items, which stays. Atlas took the key to
// the table itself for a cycle and dropped the other key in a statement of
// its own; the table goes in one DROP TABLE.
func TestRuleDropTableReferencingItself(t *testing.T) {
	t.Parallel()
	ruleCase{
		before: imagesV1 + `
table "users" {
  schema = schema.app
  column "uid" {
    type = int
  }
  column "parent_uid" {
    type = int
    null = true
  }
  column "image_id" {
    type = bigint
    null = true
  }
  primary_key {
    columns = [column.uid]
  }
  foreign_key "fk_users_parent" {
    columns     = [column.parent_uid]
    ref_columns = [table.users.column.uid]
    on_delete   = CASCADE
  }
  foreign_key "fk_users_image" {
    columns     = [column.image_id]
    ref_columns = [table.images.column.id]
  }
}`,
		after:     imagesV1,
		rules:     []string{"drop-table"},
		seed:      []string{"INSERT INTO images (name, kind, note) VALUES ('one', 'a', 'x')", "INSERT INTO users VALUES (1, NULL, 1), (2, 1, NULL)"},
		oldWrites: []string{"INSERT INTO users VALUES (3, 2, 1)"},
		newWrites: []string{"INSERT INTO images (name, kind, note) VALUES ('two', 'b', 'y')"},
		checks:    map[string]string{"SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'users'": "0", "SELECT COUNT(*) FROM images": "2"},
	}.run(t)
}

func TestRuleAddColumn(t *testing.T) {
	t.Parallel()
	after := replaceOnce(imagesV1, `  column "note" {`, `  column "owner" {
    type = varchar(20)
    null = true
  }
  column "size" {
    type    = int
    default = 0
  }
  column "note" {`)
	ruleCase{
		before:    imagesV1,
		after:     after,
		rules:     []string{"add-column"},
		seed:      []string{"INSERT INTO images (name, kind, note) VALUES ('one', 'a', 'x')"},
		oldWrites: []string{"INSERT INTO images (name, kind, note) VALUES ('two', 'b', 'y')", "UPDATE images SET note = 'z' WHERE id = 1"},
		newWrites: []string{"INSERT INTO images (name, kind, note, owner, size) VALUES ('three', 'a', 'w', 'ann', 7)"},
		checks: map[string]string{
			"SELECT name, note, owner, size FROM images ORDER BY id": "one|z|NULL|0;two|y|NULL|0;three|w|ann|7",
		},
	}.run(t)
}

// A release adding several plain columns and widening two on one table:
// expand is one instant ALTER (one metadata lock for the table's writers
// to queue behind, not five), which keeps the table's InnoDB id (the
// harness holds every statement to it), and the rollback drops the
// columns and narrows the widened ones again.
func TestRuleAddColumnsAndWideningsInOneAlter(t *testing.T) {
	t.Parallel()
	after := replaceOnce(imagesV1, `    type = varchar(30)`, `    type = varchar(60)`)
	after = replaceOnce(after, `    type = enum("a", "b")`, `    type = enum("a", "b", "c")`)
	after = replaceOnce(after, `  column "note" {`, `  column "owner" {
    type = varchar(20)
    null = true
  }
  column "size" {
    type    = int
    default = 0
  }
  column "seen" {
    type = datetime
    null = true
  }
  column "note" {`)
	c := ruleCase{
		before:    imagesV1,
		after:     after,
		rules:     []string{"add-column", "widen-column"},
		seed:      []string{"INSERT INTO images (name, kind, note) VALUES ('one', 'a', 'x')"},
		oldWrites: []string{"INSERT INTO images (name, kind, note) VALUES ('two', 'b', 'y')"},
		newWrites: []string{"INSERT INTO images (name, kind, note, owner, size, seen) VALUES ('a name longer than thirty characters', 'c', 'w', 'ann', 7, '2026-01-02 03:04:05')"},
		checks: map[string]string{
			"SELECT name, kind, owner, size, CAST(seen AS CHAR) FROM images ORDER BY id": "one|a|NULL|0|NULL;two|b|NULL|0|NULL;a name longer than thirty characters|c|ann|7|2026-01-02 03:04:05",
		},
	}
	var expand []string
	for _, s := range newRuleProject(t, c.before, c.after).phases[revision.Expand] {
		expand = append(expand, s.SQL)
	}
	want := "ALTER TABLE `images` ADD COLUMN `owner` varchar(20) NULL, ADD COLUMN `size` int NOT NULL DEFAULT 0, ADD COLUMN `seen` datetime NULL, MODIFY COLUMN `name` varchar(60) NOT NULL, MODIFY COLUMN `kind` enum('a','b','c') NOT NULL, ALGORITHM=INSTANT"
	if len(expand) != 1 || expand[0] != want {
		t.Fatalf("expand:\n%s\nwant the one statement:\n%s", strings.Join(expand, "\n"), want)
	}
	c.run(t)
}

// Friendica 2024.03 adds post-content.sensitive while the table has a
// FULLTEXT index: neither server adds a column there instantly or online,
// so expand copies the table (opted in), and the rollback drops it the same
// way. A FULLTEXT index is built by a copy too.
func TestRuleAddColumnBesideFulltext(t *testing.T) {
	t.Parallel()
	before := replaceOnce(imagesV1, `  index "ix_name" {`, `  index "ft_note" {
    type    = FULLTEXT
    columns = [column.note]
  }
  index "ix_name" {`)
	after := replaceOnce(before, `  column "note" {`, `  column "sensitive" {
    type       = bool
    null       = true
    allow_copy = true
  }
  column "note" {`)
	ruleCase{
		before:    before,
		after:     after,
		rules:     []string{"add-column"},
		seed:      []string{"INSERT INTO images (name, kind, note) VALUES ('one', 'a', 'red fox')"},
		oldWrites: []string{"INSERT INTO images (name, kind, note) VALUES ('two', 'b', 'blue whale')"},
		newWrites: []string{"INSERT INTO images (name, kind, note, `sensitive`) VALUES ('three', 'a', 'green fox', true)"},
		checks: map[string]string{
			"SELECT name, IFNULL(`sensitive`, '-') FROM images WHERE MATCH (note) AGAINST ('fox') ORDER BY id": "one|-;three|1",
		},
	}.run(t)
	ruleCase{
		before: imagesV1,
		after: replaceOnce(before, `    type = varchar(50)`, `    type       = varchar(50)
    allow_copy = true`),
		rules:     []string{"add-index"},
		seed:      []string{"INSERT INTO images (name, kind, note) VALUES ('one', 'a', 'red fox')"},
		oldWrites: []string{"INSERT INTO images (name, kind, note) VALUES ('two', 'b', 'blue whale')"},
		checks:    map[string]string{"SELECT name FROM images WHERE MATCH (note) AGAINST ('whale')": "two"},
	}.run(t)
}

// Dropping a column from a table with a FULLTEXT index: a copy (opted in
// on the index's column) while the index stays; online when the same
// contract drops the index too (one ALTER, the index first).
func TestRuleDropColumnBesideFulltext(t *testing.T) {
	t.Parallel()
	withFT := replaceOnce(imagesV1, `  index "ix_name" {`, `  index "ft_note" {
    type    = FULLTEXT
    columns = [column.note]
  }
  index "ix_name" {`)
	before := replaceOnce(withFT, `  column "note" {`, `  column "legacy" {
    type = int
    null = true
  }
  column "note" {`)
	ruleCase{
		before: before,
		after: replaceOnce(withFT, `    type = varchar(50)`, `    type       = varchar(50)
    allow_copy = true`),
		rules:     []string{"drop-column"},
		seed:      []string{"INSERT INTO images (name, kind, note, legacy) VALUES ('one', 'a', 'red fox', 1)"},
		oldWrites: []string{"INSERT INTO images (name, kind, note, legacy) VALUES ('two', 'b', 'blue whale', 2)"},
		newWrites: []string{"INSERT INTO images (name, kind, note) VALUES ('three', 'a', 'green fox')"},
		checks:    map[string]string{"SELECT name FROM images WHERE MATCH (note) AGAINST ('fox') ORDER BY id": "one;three"},
	}.run(t)
	ruleCase{
		before:    before,
		after:     imagesV1,
		rules:     []string{"drop-column", "drop-index"},
		seed:      []string{"INSERT INTO images (name, kind, note, legacy) VALUES ('one', 'a', 'red fox', 1)"},
		oldWrites: []string{"INSERT INTO images (name, kind, note, legacy) VALUES ('two', 'b', 'blue whale', 2)"},
		newWrites: []string{"INSERT INTO images (name, kind, note) VALUES ('three', 'a', 'green fox')"},
		checks:    map[string]string{"SELECT COUNT(*) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND INDEX_TYPE = 'FULLTEXT'": "0"},
	}.run(t)
}

// Friendica 2024.03 drops post-content's FULLTEXT index. Dropped in place,
// InnoDB keeps the hidden FTS_DOC_ID column it added, and no later release
// can add or drop a column of the table instantly; contract drops it with
// FORCE, a rebuild in place, and the hidden column goes.
func TestRuleDropFulltextIndex(t *testing.T) {
	t.Parallel()
	before := replaceOnce(imagesV1, `  index "ix_name" {`, `  index "ft_note" {
    type    = FULLTEXT
    columns = [column.note]
  }
  index "ix_name" {`)
	ruleCase{
		before:    before,
		after:     imagesV1,
		rules:     []string{"drop-index"},
		seed:      []string{"INSERT INTO images (name, kind, note) VALUES ('one', 'a', 'red fox')"},
		oldWrites: []string{"INSERT INTO images (name, kind, note) VALUES ('two', 'b', 'blue whale')"},
		checks: map[string]string{
			"SELECT COUNT(*) FROM information_schema.INNODB_SYS_COLUMNS c JOIN information_schema.INNODB_SYS_TABLES t USING (TABLE_ID) WHERE t.NAME = CONCAT(DATABASE(), '/images') AND c.NAME = 'FTS_DOC_ID'": "0",
		},
	}.run(t)
}

func TestRuleAddIndex(t *testing.T) {
	t.Parallel()
	after := replaceOnce(imagesV1, `  index "ix_name" {`, `  index "ix_note" {
    columns = [column.note]
  }
  index "ix_name" {`)
	ruleCase{
		before:    imagesV1,
		after:     after,
		rules:     []string{"add-index"},
		seed:      []string{"INSERT INTO images (name, kind, note) VALUES ('one', 'a', 'x'), ('dup', 'a', 'x')"},
		oldWrites: []string{"INSERT INTO images (name, kind, note) VALUES ('two', 'b', 'x')"},
		checks:    map[string]string{"SELECT COUNT(*) FROM images WHERE note = 'x'": "3"},
	}.run(t)
}

func TestRuleWidenColumn(t *testing.T) {
	t.Parallel()
	after := replaceOnce(imagesV1, `    type = varchar(30)`, `    type = varchar(60)`)
	after = replaceOnce(after, `    type = enum("a", "b")`, `    type = enum("a", "b", "c")`)
	// NOT NULL -> NULL rebuilds the table (no metadata-only way on either
	// server), so it needs the opt-in.
	after = replaceOnce(after, `  column "note" {
    type = varchar(50)`, `  column "note" {
    type       = varchar(50)
    null       = true
    allow_copy = true`)
	ruleCase{
		before:    imagesV1,
		after:     after,
		rules:     []string{"widen-column"},
		seed:      []string{"INSERT INTO images (name, kind, note) VALUES ('one', 'a', 'x')"},
		oldWrites: []string{"INSERT INTO images (name, kind, note) VALUES ('two', 'b', 'y')"},
		newWrites: []string{"INSERT INTO images (name, kind) VALUES ('a name longer than thirty characters', 'c')"},
		checks: map[string]string{
			"SELECT name, kind, note FROM images ORDER BY id": "one|a|x;two|b|y;a name longer than thirty characters|c|NULL",
		},
	}.run(t)
}

// Roundcube 1.1 made users.preferences TEXT -> LONGTEXT: a widening that
// both servers do by copying the table, so it runs in expand with the
// opt-in, and values longer than TEXT holds fit after it.
func TestRuleWidenTextColumn(t *testing.T) {
	t.Parallel()
	before := replaceOnce(imagesV1, `    type = varchar(50)`, `    type = text`)
	after := replaceOnce(imagesV1, `    type = varchar(50)`, `    type       = longtext
    allow_copy = true`)
	ruleCase{
		before:    before,
		after:     after,
		rules:     []string{"widen-column"},
		seed:      []string{"INSERT INTO images (name, kind, note) VALUES ('one', 'a', 'x')"},
		oldWrites: []string{"INSERT INTO images (name, kind, note) VALUES ('two', 'b', 'y')"},
		newWrites: []string{"INSERT INTO images (name, kind, note) VALUES ('big', 'a', REPEAT('z', 70000))"},
		checks: map[string]string{
			"SELECT name, LENGTH(note) FROM images ORDER BY id": "one|1;two|1;big|70000",
		},
	}.run(t)
}

func TestRuleDrops(t *testing.T) {
	t.Parallel()
	// links has no index for its key: the server made one, which goes
	// with the key.
	const fkFromLinks = `  foreign_key "fk_links_image" {
    columns     = [column.image_id]
    ref_columns = [table.images.column.id]
  }
`
	links := `table "links" {
  schema = schema.app
  column "id" {
    type = bigint
  }
  column "image_id" {
    type = bigint
  }
  primary_key {
    columns = [column.id]
  }
` + fkFromLinks + "}"
	before := imagesV1 + `
table "props" {
  schema = schema.app
  column "id" {
    type = bigint
  }
  column "image_id" {
    type = bigint
  }
  primary_key {
    columns = [column.id]
  }
  foreign_key "fk_props_image" {
    columns     = [column.image_id]
    ref_columns = [table.images.column.id]
  }
}
table "members" {
  schema = schema.app
  column "id" {
    type = bigint
  }
  column "image_id" {
    type = bigint
  }
  column "n" {
    type = int
  }
  primary_key {
    columns = [column.id]
  }
  index "ix_members_image" {
    columns = [column.image_id]
  }
  foreign_key "fk_members_image" {
    columns     = [column.image_id]
    ref_columns = [table.images.column.id]
  }
  check "ck_members_n" {
    expr = "n >= 0"
  }
}
` + links
	after := replaceOnce(imagesV1, `  column "note" {
    type = varchar(50)
  }
`, "")
	after = replaceOnce(after, `  index "ix_name" {
    columns = [column.name]
  }
`, "") + `
table "members" {
  schema = schema.app
  column "id" {
    type = bigint
  }
  column "image_id" {
    type = bigint
  }
  column "n" {
    type = int
  }
  primary_key {
    columns = [column.id]
  }
  index "ix_members_image" {
    columns = [column.image_id]
  }
}
` + replaceOnce(links, fkFromLinks, "")
	ruleCase{
		before: before,
		after:  after,
		rules:  []string{"drop-column", "drop-index", "drop-table", "drop-foreign-key", "drop-check"},
		seed: []string{
			"INSERT INTO images (name, kind, note) VALUES ('one', 'a', 'x')",
			"INSERT INTO props VALUES (1, 1)",
			"INSERT INTO members VALUES (1, 1, 5)",
			"INSERT INTO links VALUES (1, 1)",
		},
		// Until contract, the previous release still uses all of it.
		oldWrites: []string{
			"INSERT INTO images (name, kind, note) VALUES ('two', 'b', 'y')",
			"INSERT INTO props VALUES (2, 2)",
			"INSERT INTO members VALUES (2, 2, 1)",
			"SELECT note FROM images WHERE name = 'two'",
		},
		oldAfterRollback: []string{
			"INSERT INTO images (name, kind, note) VALUES ('four', 'b', 'y')",
			"INSERT INTO props VALUES (4, 4)",
			"INSERT INTO members VALUES (4, 4, 1)",
			"SELECT note FROM images WHERE name = 'four'",
		},
		newWrites: []string{"INSERT INTO images (name, kind) VALUES ('three', 'a')"},
		checks: map[string]string{
			"SELECT id, name FROM images ORDER BY id": "1|one;2|two;3|three",
			"SELECT id, n FROM members ORDER BY id":   "1|5;2|1",
		},
	}.run(t)
}

// The key InnoDB clusters a table without a primary key by (uk, its first
// unique index on whole NOT NULL columns; up, a unique prefix key declared
// before it, is never that key) dropped while the table keeps another,
// uk2: the server clusters the table by uk2, rebuilding it in place, with
// writes going on.
func TestRuleDropIndexClusteringKeyBesideAnother(t *testing.T) {
	t.Parallel()
	before := `table "pairs" {
  schema = schema.app
  column "a" {
    type = int
  }
  column "b" {
    type = int
  }
  column "name" {
    type = varchar(40)
  }
  index "up" {
    unique = true
    on {
      column = column.name
      prefix = 10
    }
  }
  index "uk" {
    unique  = true
    columns = [column.a]
  }
  index "uk2" {
    unique  = true
    columns = [column.b]
  }
}
`
	after := replaceOnce(before, "  index \"uk\" {\n    unique  = true\n    columns = [column.a]\n  }\n", "")
	ruleCase{
		before:    before,
		after:     after,
		rules:     []string{"drop-index"},
		seed:      []string{"INSERT INTO pairs VALUES (1, 1, 'one'), (2, 2, 'two')"},
		oldWrites: []string{"INSERT INTO pairs VALUES (3, 3, 'three')"},
		checks:    map[string]string{"SELECT COUNT(*) FROM pairs": "3"},
	}.run(t)
}

// Matomo 4.0 drops user.token_auth, NOT NULL without a default under the
// unique uniq_keytoken, which goes with it in contract. Expand gave it the
// placeholder default, an empty string: the new release's first INSERT of
// a user took it, the second was refused as a duplicate key until
// contract. Expand makes it NULL instead (a rebuild: allow_copy), which
// the unique index never counts twice.
func TestRuleDropColumnUnderUniqueIndex(t *testing.T) {
	t.Parallel()
	before := replaceOnce(imagesV1, `  column "note" {
    type = varchar(50)
  }`, `  column "note" {
    type = varchar(50)
  }
  column "token_auth" {
    type = char(32)
  }`)
	before = replaceOnce(before, `  index "ix_name" {`, `  index "uniq_keytoken" {
    unique  = true
    columns = [column.token_auth]
  }
  index "ix_name" {`)
	after := replaceOnce(imagesV1, `    type = varchar(50)`, `    type       = varchar(50)
    allow_copy = true`)
	ruleCase{
		before:    before,
		after:     after,
		rules:     []string{"drop-column", "drop-index"},
		seed:      []string{"INSERT INTO images (name, kind, note, token_auth) VALUES ('one', 'a', 'x', MD5('one'))"},
		oldWrites: []string{"INSERT INTO images (name, kind, note, token_auth) VALUES ('two', 'b', 'y', MD5('two'))"},
		newWrites: []string{
			"INSERT INTO images (name, kind, note) VALUES ('three', 'a', 'z')",
			"INSERT INTO images (name, kind, note) VALUES ('four', 'a', 'z')",
		},
		checks: map[string]string{"SELECT name FROM images ORDER BY id": "one;two;three;four"},
	}.run(t)
}

// A kept column made AUTO_INCREMENT (LimeSurvey 1.92's
// survey_url_parameters.id) was planned as nothing, and the drift check
// said the database matched: the new release's inserts without an id
// failed. Made so in expand (a copy the column opts in to), the previous
// release's rows and writes keep their ids, the new release's are
// numbered; a row holding 0 stops expand until it holds another value.
func TestRuleAutoIncrement(t *testing.T) {
	t.Parallel()
	const numbered = "  column \"id\" {\n    type           = bigint\n    auto_increment = true\n  }\n"
	ruleCase{
		before:    replaceOnce(imagesV1, numbered, "  column \"id\" {\n    type = bigint\n  }\n"),
		after:     replaceOnce(imagesV1, numbered, "  column \"id\" {\n    type           = bigint\n    auto_increment = true\n    allow_copy     = true\n  }\n"),
		rules:     []string{"auto-increment"},
		seed:      []string{"INSERT INTO images (id, name, kind, note) VALUES (1, 'one', 'a', 'x'), (7, 'seven', 'a', 'x')"},
		oldWrites: []string{"INSERT INTO images (id, name, kind, note) VALUES (20, 'old', 'b', 'y')"},
		newWrites: []string{"INSERT INTO images (name, kind, note) VALUES ('new', 'a', 'z')"},
		// Back at the previous release, ids are its to give again.
		oldAfterRollback: []string{"INSERT INTO images (id, name, kind, note) VALUES (30, 'back', 'b', 'y')"},
		checks: map[string]string{
			"SELECT EXTRA FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'images' AND COLUMN_NAME = 'id'": "auto_increment",
			"SELECT GROUP_CONCAT(name ORDER BY id) FROM images WHERE id IN (1, 7, 20)":                                                      "one,seven,old",
			"SELECT COUNT(*) FROM images WHERE name = 'new' AND id > 7":                                                                     "1",
		},
	}.run(t)
}

// A column whose name changes only in letter case (LimeSurvey 1.92's
// surveys.showXquestions -> showxquestions) is renamed in contract,
// metadata only: both releases' statements name it in their own spelling
// throughout, the index holding it stays, every row keeps its value.
func TestRuleRecaseColumn(t *testing.T) {
	t.Parallel()
	ruleCase{
		before:        imagesV1,
		after:         replaceOnce(replaceOnce(imagesV1, "column \"name\"", "column \"Name\""), "column.name", "column.Name"),
		rules:         []string{"recase-column"},
		seed:          []string{"INSERT INTO images (name, kind, note) VALUES ('one', 'a', 'x')"},
		oldWrites:     []string{"INSERT INTO images (name, kind, note) VALUES ('two', 'b', 'y')", "UPDATE images SET name = 'uno' WHERE name = 'one'"},
		newWrites:     []string{"INSERT INTO images (Name, kind, note) VALUES ('three', 'a', 'z')"},
		afterContract: []string{"UPDATE images SET Name = 'tres' WHERE Name = 'three'"},
		checks: map[string]string{
			"SELECT GROUP_CONCAT(COLUMN_NAME ORDER BY ORDINAL_POSITION) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'images'":                       "id,Name,kind,note",
			"SELECT GROUP_CONCAT(INDEX_NAME, ':', COLUMN_NAME) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'images' AND INDEX_NAME <> 'PRIMARY'": "ix_name:Name",
			"SELECT Name FROM images ORDER BY id": "uno;two;three",
		},
	}.run(t)
	// A column another table's foreign key references: the server
	// respells the key's referenced column with it, and the key stays.
	// It was refused ("foreign key fk_owner on pics changes (referenced
	// columns): give the changed foreign key a new symbol"), whose way out
	// dropped and added the key behind an orphan gate.
	owners := "\ntable \"owners\" {\n  schema = schema.app\n  column \"%s\" {\n    type = bigint\n  }\n  primary_key {\n    columns = [column.%[1]s]\n  }\n}\n"
	keyed := owners +
		"table \"pics\" {\n  schema = schema.app\n  column \"id\" {\n    type = bigint\n  }\n  column \"owner_id\" {\n    type = bigint\n    null = true\n  }\n  primary_key {\n    columns = [column.id]\n  }\n  foreign_key \"fk_owner\" {\n    columns     = [column.owner_id]\n    ref_columns = [table.owners.column.%[1]s]\n  }\n}\n"
	ruleCase{
		before:        fmt.Sprintf(keyed, "id"),
		after:         fmt.Sprintf(keyed, "ID"),
		rules:         []string{"recase-column"},
		seed:          []string{"INSERT INTO owners (id) VALUES (1), (2)", "INSERT INTO pics (id, owner_id) VALUES (1, 1)"},
		oldWrites:     []string{"INSERT INTO pics (id, owner_id) VALUES (2, 2)", "DELETE FROM owners WHERE id = 2 AND NOT EXISTS (SELECT 1 FROM pics WHERE owner_id = 2)"},
		newWrites:     []string{"INSERT INTO owners (ID) VALUES (3)"},
		afterContract: []string{"INSERT INTO pics (id, owner_id) VALUES (3, 3)"},
		checks: map[string]string{
			"SELECT GROUP_CONCAT(COLUMN_NAME) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'owners'":                                                                         "ID",
			"SELECT CONCAT(CONSTRAINT_NAME, ':', REFERENCED_COLUMN_NAME) FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'pics' AND REFERENCED_TABLE_NAME IS NOT NULL": "fk_owner:ID",
			"SELECT GROUP_CONCAT(owner_id ORDER BY id) FROM pics": "1,2",
		},
	}.run(t)
	// A CHECK reading the column, written with its new spelling: the
	// server respells the check with the rename, and nothing else changes.
	// It was a changed check, added again by a table copy (refused without
	// allow_copy).
	// Generated columns reading it likewise (refused as a changed
	// generated expression).
	surveys := "\ntable \"surveys\" {\n  schema = schema.app\n  column \"id\" {\n    type = bigint\n  }\n  column \"%s\" {\n    type = int\n    null = true\n  }\n" +
		"  column \"twice\" {\n    type = int\n    null = true\n    as {\n      expr = \"%[1]s * 2\"\n      type = STORED\n    }\n  }\n" +
		"  column \"next\" {\n    type = int\n    null = true\n    as {\n      expr = \"%[1]s + 1\"\n      type = VIRTUAL\n    }\n  }\n" +
		"  primary_key {\n    columns = [column.id]\n  }\n  index \"ix_twice\" {\n    columns = [column.twice]\n  }\n  check \"ck_show\" {\n    expr = \"%[1]s >= 0\"\n  }\n}\n"
	ruleCase{
		before:        fmt.Sprintf(surveys, "showXquestions"),
		after:         fmt.Sprintf(surveys, "showxquestions"),
		rules:         []string{"recase-column"},
		seed:          []string{"INSERT INTO surveys (id, showXquestions) VALUES (1, 1)"},
		oldWrites:     []string{"INSERT INTO surveys (id, showXquestions) VALUES (2, 0)"},
		newWrites:     []string{"INSERT INTO surveys (id, showxquestions) VALUES (3, 2)"},
		afterContract: []string{"INSERT INTO surveys (id, showxquestions) VALUES (4, 3)"},
		checks: map[string]string{
			"SELECT CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() AND TABLE_NAME = 'surveys'":                                                                                       "`showxquestions` >= 0",
			"SELECT GROUP_CONCAT(showxquestions, ':', twice, ':', next ORDER BY id) FROM surveys":                                                                                                                                 "1:2:2,0:0:1,2:4:3",
			"SELECT GROUP_CONCAT(GENERATION_EXPRESSION ORDER BY ORDINAL_POSITION SEPARATOR ' ') FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'surveys' AND GENERATION_EXPRESSION IS NOT NULL": "`showxquestions` * 2 `showxquestions` + 1",
		},
	}.run(t)
}

// An index declared renamed_from one of the previous release is renamed in
// contract, metadata only: the previous release's queries that name it
// (an index hint) run until then, the new release's name it after, and a
// unique one keeps its key throughout without a duplicate gate or a build
// (Keycloak 4.0.0's UK_CLI_TEMPLATE, UK_CLI_SCOPE on the same columns).
func TestRuleRenameIndex(t *testing.T) {
	t.Parallel()
	const ix = "  index \"ix_name\" {\n    columns = [column.name]\n  }\n"
	ruleCase{
		before:        imagesV1,
		after:         replaceOnce(imagesV1, ix, "  index \"ix_images_name\" {\n    columns      = [column.name]\n    renamed_from = \"ix_name\"\n  }\n"),
		rules:         []string{"rename-index"},
		seed:          []string{"INSERT INTO images (name, kind, note) VALUES ('one', 'a', 'x')"},
		oldWrites:     []string{"UPDATE images FORCE INDEX (ix_name) SET note = 'y' WHERE name = 'one'"},
		newWrites:     []string{"INSERT INTO images (name, kind, note) VALUES ('two', 'b', 'x')"},
		afterContract: []string{"UPDATE images FORCE INDEX (ix_images_name) SET note = 'z' WHERE name = 'two'"},
		checks: map[string]string{
			"SELECT GROUP_CONCAT(INDEX_NAME, ':', COLUMN_NAME, ':', NON_UNIQUE) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'images' AND INDEX_NAME <> 'PRIMARY'": "ix_images_name:name:1",
		},
	}.run(t)
	unique := replaceOnce(imagesV1, ix, "  index \"uk_name\" {\n    unique  = true\n    columns = [column.name]\n  }\n")
	ruleCase{
		before:        unique,
		after:         replaceOnce(unique, "  index \"uk_name\" {\n    unique  = true\n", "  index \"uk_images_name\" {\n    unique       = true\n    renamed_from = \"uk_name\"\n"),
		rules:         []string{"rename-index"},
		seed:          []string{"INSERT INTO images (name, kind, note) VALUES ('one', 'a', 'x')"},
		oldWrites:     []string{"INSERT INTO images (name, kind, note) VALUES ('two', 'b', 'x') ON DUPLICATE KEY UPDATE note = 'dup'"},
		newWrites:     []string{"INSERT INTO images (name, kind, note) VALUES ('one', 'b', 'x') ON DUPLICATE KEY UPDATE note = 'dup'"},
		afterContract: []string{"INSERT INTO images (name, kind, note) VALUES ('two', 'a', 'x') ON DUPLICATE KEY UPDATE note = 'again'"},
		checks: map[string]string{
			"SELECT GROUP_CONCAT(INDEX_NAME, ':', COLUMN_NAME, ':', NON_UNIQUE) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'images' AND INDEX_NAME <> 'PRIMARY'": "uk_images_name:name:0",
			"SELECT name, note FROM images ORDER BY id": "one|dup;two|x",
		},
	}.run(t)
	// The index a foreign key uses: renamed, it serves the key throughout,
	// and the server makes the key no index of its own.
	owners := "\ntable \"owners\" {\n  schema = schema.app\n  column \"id\" {\n    type = bigint\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\n"
	keyed := owners + replaceOnce(imagesV1, ix, "  index \"ix_note\" {\n    columns = [column.note, column.name]\n  }\n  foreign_key \"fk_note\" {\n    columns     = [column.note]\n    ref_columns = [table.owners.column.id]\n  }\n")
	keyed = replaceOnce(keyed, "  column \"note\" {\n    type = varchar(50)\n  }\n", "  column \"note\" {\n    type = bigint\n    null = true\n  }\n")
	ruleCase{
		before:    keyed,
		after:     replaceOnce(keyed, "  index \"ix_note\" {\n", "  index \"ix_images_note\" {\n    renamed_from = \"ix_note\"\n"),
		rules:     []string{"rename-index"},
		seed:      []string{"INSERT INTO owners (id) VALUES (1)", "INSERT INTO images (name, kind, note) VALUES ('one', 'a', 1)"},
		oldWrites: []string{"INSERT INTO images (name, kind, note) VALUES ('two', 'b', 1)"},
		newWrites: []string{"INSERT INTO images (name, kind, note) VALUES ('three', 'b', 1)"},
		checks: map[string]string{
			"SELECT GROUP_CONCAT(DISTINCT INDEX_NAME ORDER BY INDEX_NAME) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'images' AND INDEX_NAME <> 'PRIMARY'": "ix_images_note",
		},
	}.run(t)
}
