package e2e

import (
	"strings"
	"testing"
)

// The Glance case: images.is_public (boolean) becomes images.visibility
// (enum). Both releases write through the expanded schema; every write must
// show up in the other release's column.
func TestRuleReplaceColumn(t *testing.T) {
	t.Parallel()
	before := `
table "images" {
  schema = schema.app
  column "id" {
    type           = bigint
    auto_increment = true
  }
  column "name" {
    type = varchar(30)
  }
  column "is_public" {
    type = bool
  }
  primary_key {
    columns = [column.id]
  }
  index "ix_public" {
    columns = [column.is_public]
  }
}
`
	after := `
table "images" {
  schema = schema.app
  column "id" {
    type           = bigint
    auto_increment = true
  }
  column "name" {
    type = varchar(30)
  }
  column "visibility" {
    type    = enum("private", "public", "shared")
    default = "shared"
    replaces {
      column   = "is_public"
      forward  = "CASE WHEN is_public THEN 'public' ELSE 'private' END"
      backward = "visibility = 'public'"
    }
  }
  primary_key {
    columns = [column.id]
  }
  index "ix_visibility" {
    columns = [column.visibility]
  }
}
`
	const all = "SELECT name, is_public, visibility FROM images ORDER BY id"
	syncCase{
		ruleCase: ruleCase{
			before: before, after: after,
			rules: []string{"replace-column"},
			seed: []string{
				"INSERT INTO images (name, is_public) VALUES ('a', 1), ('b', 0), ('f', 0)",
			},
			oldWrites: []string{
				"INSERT INTO images (name, is_public) VALUES ('c', 1)",
				"UPDATE images SET is_public = 1 WHERE name = 'b'",
			},
			newWrites: []string{
				"INSERT INTO images (name, visibility) VALUES ('d', 'private')",
				"INSERT INTO images (name) VALUES ('e')", // relies on the default
				"UPDATE images SET visibility = 'private' WHERE name = 'a'",
			},
			gateBlocks: []string{"UPDATE images SET visibility = NULL WHERE name = 'e'"},
			fix:        []string{"UPDATE images SET visibility = 'shared' WHERE name = 'e'"},
			checks: map[string]string{
				"SELECT name, visibility FROM images ORDER BY id": "a|private;b|public;f|public;c|shared;d|private;e|shared",
			},
		},
		afterExpand: map[string]string{
			// a: the new release's update reached is_public; b, c: the old
			// release's writes reached visibility; d, e: the new release's
			// inserts reached is_public; f: not written, backfill's job.
			all: "a|0|private;b|1|public;f|0|NULL;c|1|public;d|0|private;e|0|shared",
		},
		duringMigrate: []string{
			"UPDATE images SET is_public = 1 WHERE name = 'f'",         // old release
			"UPDATE images SET visibility = 'shared' WHERE name = 'c'", // new release
		},
		afterMigrate: map[string]string{
			all: "a|0|private;b|1|public;f|1|public;c|0|shared;d|0|private;e|0|shared",
		},
		gateMessage: "still NULL",
	}.run(t)
}

// A plain rename of a NOT NULL column with an index: the index moves to the
// new name in expand, the old one goes with the old column in contract.
func TestRuleRenameColumn(t *testing.T) {
	t.Parallel()
	before := `
table "users" {
  schema = schema.app
  column "id" {
    type           = int
    auto_increment = true
  }
  column "name" {
    type = varchar(40)
  }
  primary_key {
    columns = [column.id]
  }
  index "ix_name" {
    columns = [column.name]
  }
}
`
	after := `
table "users" {
  schema = schema.app
  column "id" {
    type           = int
    auto_increment = true
  }
  column "display_name" {
    type         = varchar(40)
    renamed_from = "name"
  }
  primary_key {
    columns = [column.id]
  }
  index "ix_display_name" {
    columns = [column.display_name]
  }
}
`
	const all = "SELECT id, name, display_name FROM users ORDER BY id"
	syncCase{
		ruleCase: ruleCase{
			before: before, after: after,
			rules: []string{"rename-column", "add-index", "drop-index"},
			seed:  []string{"INSERT INTO users (name) VALUES ('ann'), ('bob'), ('cy'), ('dee'), ('eve')"},
			oldWrites: []string{
				"INSERT INTO users (name) VALUES ('old1')",
				"UPDATE users SET name = 'bobby' WHERE id = 2",
			},
			newWrites: []string{
				"INSERT INTO users (display_name) VALUES ('new1')",
				"UPDATE users SET display_name = 'cyrus' WHERE id = 3",
			},
			gateBlocks: []string{"UPDATE users SET display_name = NULL, name = 'x' WHERE id = 7"},
			fix:        []string{"UPDATE users SET display_name = 'new1' WHERE id = 7"},
			checks: map[string]string{
				"SELECT id, display_name FROM users ORDER BY id": "1|ann;2|bobby;3|cyrus;4|dee;5|eva;6|old1;7|new1",
			},
		},
		afterExpand: map[string]string{
			all: "1|ann|NULL;2|bobby|bobby;3|cyrus|cyrus;4|dee|NULL;5|eve|NULL;6|old1|old1;7|new1|new1",
			// the previous release finds the new release's rows by its name
			"SELECT id FROM users WHERE name = 'new1'": "7",
		},
		duringMigrate: []string{"UPDATE users SET name = 'eva' WHERE id = 5"},
		afterMigrate: map[string]string{
			all: "1|ann|ann;2|bobby|bobby;3|cyrus|cyrus;4|dee|dee;5|eva|eva;6|old1|old1;7|new1|new1",
		},
		gateMessage: "still NULL",
	}.run(t)
}

// A NOT NULL column without default, computed by a declared fill. A row
// the fill cannot compute (price NULL) keeps contract closed until fixed.
func TestRuleAddColumnFill(t *testing.T) {
	t.Parallel()
	before := `
table "items" {
  schema = schema.app
  column "id" {
    type           = int
    auto_increment = true
  }
  column "price" {
    type = int
    null = true
  }
  column "qty" {
    type = int
  }
  primary_key {
    columns = [column.id]
  }
}
`
	after := replaceOnce(before, `  primary_key {`, `  column "total" {
    type = int
    fill = "price * qty"
  }
  primary_key {`)
	const all = "SELECT id, price, qty, total FROM items ORDER BY id"
	syncCase{
		ruleCase: ruleCase{
			before: before, after: after,
			rules: []string{"add-column-fill"},
			seed:  []string{"INSERT INTO items (price, qty) VALUES (2, 3), (5, 1), (7, 7)"},
			oldWrites: []string{
				"INSERT INTO items (price, qty) VALUES (10, 2)",
				"UPDATE items SET qty = 4 WHERE id = 2", // fills the not yet backfilled row
			},
			newWrites: []string{
				"INSERT INTO items (price, qty, total) VALUES (3, 3, 8)", // explicit value kept
			},
			gateBlocks: []string{"INSERT INTO items (price, qty) VALUES (NULL, 1)"},
			fix:        []string{"UPDATE items SET total = 0 WHERE total IS NULL"},
			checks: map[string]string{
				all: "1|2|3|6;2|5|4|20;3|7|7|49;4|10|2|20;5|3|3|8;6|NULL|1|0",
			},
		},
		afterExpand: map[string]string{
			all: "1|2|3|NULL;2|5|4|20;3|7|7|NULL;4|10|2|20;5|3|3|8",
		},
		afterMigrate: map[string]string{
			all: "1|2|3|6;2|5|4|20;3|7|7|49;4|10|2|20;5|3|3|8",
		},
		gateMessage: "yields NULL",
	}.run(t)
}

// A table rename with a column rename in the same release: the previous
// release keeps using pictures.title through the compatibility view, and
// the base table's triggers translate its writes for the new release.
func TestRuleRenameTable(t *testing.T) {
	t.Parallel()
	before := `
table "pictures" {
  schema = schema.app
  column "id" {
    type           = int
    auto_increment = true
  }
  column "title" {
    type = varchar(40)
  }
  primary_key {
    columns = [column.id]
  }
}
table "votes" {
  schema = schema.app
  column "picture_id" {
    type = int
  }
  primary_key {
    columns = [column.picture_id]
  }
  foreign_key "fk_votes_picture" {
    columns     = [column.picture_id]
    ref_columns = [table.pictures.column.id]
  }
}
`
	after := `
table "images" {
  schema       = schema.app
  renamed_from = "pictures"
  column "id" {
    type           = int
    auto_increment = true
  }
  column "headline" {
    type         = varchar(40)
    renamed_from = "title"
  }
  column "caption" {
    type = varchar(40)
    null = true
  }
  primary_key {
    columns = [column.id]
  }
}
table "votes" {
  schema = schema.app
  column "picture_id" {
    type = int
  }
  primary_key {
    columns = [column.picture_id]
  }
  foreign_key "fk_votes_picture" {
    columns     = [column.picture_id]
    ref_columns = [table.images.column.id]
  }
}
`
	syncCase{
		ruleCase: ruleCase{
			before: before, after: after,
			rules: []string{"rename-table", "rename-column", "add-column"},
			seed:  []string{"INSERT INTO pictures (title) VALUES ('one'), ('two'), ('three')", "INSERT INTO votes VALUES (1)"},
			oldWrites: []string{
				"INSERT INTO pictures (title) VALUES ('four')",
				"UPDATE pictures SET title = 'TWO' WHERE id = 2",
				"DELETE FROM pictures WHERE id = 3",
				"INSERT INTO votes VALUES (4)", // the foreign key follows the renamed table
			},
			oldAfterRollback: []string{
				"INSERT INTO pictures (title) VALUES ('six'), ('seven')",
				"UPDATE pictures SET title = 'two' WHERE id = 2",
				"DELETE FROM pictures WHERE title = 'seven'",
				"INSERT INTO votes SELECT id FROM pictures WHERE title = 'six'",
			},
			newWrites: []string{
				"INSERT INTO images (headline, caption) VALUES ('five', 'c5')",
				"UPDATE images SET headline = 'ONE' WHERE id = 1",
			},
			checks: map[string]string{
				"SELECT id, headline, caption FROM images ORDER BY id": "1|ONE|NULL;2|TWO|NULL;4|four|NULL;5|five|c5",
				"SELECT picture_id FROM votes ORDER BY 1":              "1;4",
			},
		},
		afterExpand: map[string]string{
			// the previous release reads every row under the old name
			"SELECT id, title FROM pictures ORDER BY id":           "1|ONE;2|TWO;4|four;5|five",
			"SELECT id, headline, caption FROM images ORDER BY id": "1|ONE|NULL;2|TWO|NULL;4|four|NULL;5|five|c5",
		},
		duringMigrate: []string{"UPDATE pictures SET title = 'FOUR' WHERE id = 4", "UPDATE images SET headline = 'four' WHERE id = 4"},
		afterMigrate: map[string]string{
			"SELECT id, pictures.title, images.headline FROM pictures JOIN images USING (id) ORDER BY id": "1|ONE|ONE;2|TWO|TWO;4|four|four;5|five|five",
		},
	}.run(t)
}

// A release with no schema change at all, only a data migration: a JSON
// key is renamed in every row. Rows the previous release writes in the old
// shape after migrate keep contract closed.
func TestRuleDataMigration(t *testing.T) {
	t.Parallel()
	tables := `
table "docs" {
  schema = schema.app
  column "id" {
    type           = int
    auto_increment = true
  }
  column "meta" {
    type = text
  }
  primary_key {
    columns = [column.id]
  }
}
`
	after := tables + `
data_migration "meta_owner" {
  table   = "docs"
  set     = "meta = JSON_REMOVE(JSON_SET(meta, '$.owner', JSON_EXTRACT(meta, '$.user')), '$.user')"
  pending = "JSON_CONTAINS_PATH(meta, 'one', '$.user')"
}
`
	const all = "SELECT id, meta FROM docs ORDER BY id"
	syncCase{
		ruleCase: ruleCase{
			before: tables, after: after,
			rules: []string{"data-migration"},
			seed: []string{
				`INSERT INTO docs (meta) VALUES ('{"user": "ann"}'), ('{"user": "bob", "x": 1}'), ('{"owner": "cy"}')`,
			},
			oldWrites:  []string{`INSERT INTO docs (meta) VALUES ('{"user": "dee"}')`},
			newWrites:  []string{`INSERT INTO docs (meta) VALUES ('{"owner": "eve"}')`},
			gateBlocks: []string{`INSERT INTO docs (meta) VALUES ('{"user": "late"}')`},
			fix:        []string{`UPDATE docs SET meta = '{"owner": "late"}' WHERE id = 6`},
			checks: map[string]string{
				all: `1|{"owner": "ann"};2|{"x": 1, "owner": "bob"};3|{"owner": "cy"};4|{"owner": "dee"};5|{"owner": "eve"};6|{"owner": "late"}`,
			},
		},
		afterMigrate: map[string]string{
			"SELECT COUNT(*) FROM docs WHERE JSON_CONTAINS_PATH(meta, 'one', '$.user')": "0",
		},
		gateMessage: "has not rewritten",
	}.run(t)
}

// The insert form of a data migration (from and insert): Matomo 4.0 moves
// each user's token from user.token_auth into a row of a new table,
// user_token_auth, and drops the column. Migrate inserts a row for each
// user the pending predicate selects, batched over user's key; a user the
// previous release creates after migrate keeps contract's gate closed
// until a row is inserted for it; the new release writes its own rows.
func TestRuleDataMigrationInsert(t *testing.T) {
	t.Parallel()
	// The releases of TestDataMigrationMovesAColumnIntoRowsOfANewTable,
	// without the schema block the harness adds.
	const schemaBlock = "schema \"app\" {}\n"
	before, after := strings.TrimPrefix(matomo3, schemaBlock), strings.TrimPrefix(matomo4Tables, schemaBlock)+matomoMove
	syncCase{
		ruleCase: ruleCase{
			before: before, after: after,
			rules: []string{"data-migration"},
			seed:  []string{"INSERT INTO user VALUES ('ann', 'tok-a'), ('bob', ''), ('cy', 'tok-c')"},
			// The previous release knows only the column; the new release
			// writes a user and its token's row (again after a rollback,
			// which drops the new table and keeps the user).
			oldWrites:        []string{"INSERT INTO user VALUES ('dee', 'tok-d')"},
			oldAfterRollback: []string{"INSERT INTO user VALUES ('fay', 'tok-f')"},
			newWrites: []string{
				"INSERT INTO user (login) VALUES ('eve') ON DUPLICATE KEY UPDATE login = login",
				"INSERT INTO user_token_auth (login, description, password) VALUES ('eve', 'api', 'tok-e')",
			},
			gateBlocks: []string{"INSERT INTO user VALUES ('late', 'tok-l')"},
			fix:        []string{"INSERT INTO user_token_auth (login, description, password) VALUES ('late', 'by hand', 'tok-l')"},
			checks: map[string]string{
				"SELECT login, password, description FROM user_token_auth ORDER BY login": "ann|tok-a|migrated;cy|tok-c|migrated;dee|tok-d|migrated;eve|tok-e|api;late|tok-l|by hand",
				"SELECT login FROM user ORDER BY login":                                   "ann;bob;cy;dee;eve;late",
			},
		},
		afterMigrate: map[string]string{
			"SELECT COUNT(*) FROM user WHERE token_auth <> '' AND NOT EXISTS (SELECT 1 FROM user_token_auth AS t WHERE t.login = user.login)": "0",
			"SELECT COUNT(*) FROM user_token_auth": "4",
		},
		gateMessage: "has not inserted a row of user_token_auth for yet",
	}.run(t)
}
