package e2e

import "testing"

// imagesFT is imagesV1 with a FULLTEXT index on note and a nullable
// column legacy.
var imagesFT = replaceOnce(replaceOnce(imagesV1, `  index "ix_name" {`, `  index "ft_note" {
    type    = FULLTEXT
    columns = [column.note]
  }
  index "ix_name" {`), `  column "note" {`, `  column "legacy" {
    type = int
    null = true
  }
  column "note" {`)

// A table that keeps a FULLTEXT index is rebuilt in place by no statement
// with writes continuing: MariaDB 10.11 refuses LOCK=NONE ("Fulltext index
// creation requires a lock") for a column made NULL in expand, NOT NULL in
// contract or a rollback. Each is planned as a copy (opted in) and applied
// here by the operator's applier, rollback included.
func TestRuleRebuildBesideFulltext(t *testing.T) {
	t.Parallel()
	seed := []string{"INSERT INTO images (name, kind, note, legacy) VALUES ('one', 'a', 'red fox', 1)"}
	oldWrites := []string{"INSERT INTO images (name, kind, note, legacy) VALUES ('two', 'b', 'blue whale', 2)"}
	t.Run("NULL in expand", func(t *testing.T) {
		ruleCase{
			before: imagesFT,
			after: replaceOnce(imagesFT, `    type = varchar(30)`, `    type       = varchar(30)
    null       = true
    allow_copy = true`),
			rules:     []string{"widen-column"},
			seed:      seed,
			oldWrites: oldWrites,
			newWrites: []string{"INSERT INTO images (name, kind, note, legacy) VALUES ('three', 'a', 'green fox', 3)"},
			checks: map[string]string{
				"SELECT name FROM images WHERE MATCH (note) AGAINST ('fox') ORDER BY id":                                                                "one;three",
				"SELECT IS_NULLABLE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'images' AND COLUMN_NAME = 'name'": "YES",
			},
		}.run(t)
	})
	t.Run("NOT NULL in contract", func(t *testing.T) {
		ruleCase{
			before: imagesFT,
			after: replaceOnce(imagesFT, `    type = int
    null = true`, `    type       = int
    allow_copy = true`),
			rules:      []string{"tighten-column"},
			seed:       seed,
			oldWrites:  oldWrites,
			newWrites:  []string{"INSERT INTO images (name, kind, note, legacy) VALUES ('three', 'a', 'green fox', 3)"},
			gateBlocks: []string{"INSERT INTO images (name, kind, note) VALUES ('four', 'a', 'grey fox')"},
			fix:        []string{"UPDATE images SET legacy = 4 WHERE name = 'four'"},
			checks: map[string]string{
				"SELECT name, legacy FROM images WHERE MATCH (note) AGAINST ('fox') ORDER BY id": "one|1;three|3;four|4",
			},
		}.run(t)
	})
	t.Run("NOT NULL in the contract that drops the FULLTEXT index", func(t *testing.T) {
		// One ALTER: the index dropped, the column tightened, FORCE: a
		// rebuild in place the server accepts with LOCK=NONE, no opt-in.
		ruleCase{
			before: imagesFT,
			after: replaceOnce(replaceOnce(imagesFT, `    type = int
    null = true`, `    type = int`), `  index "ft_note" {
    type    = FULLTEXT
    columns = [column.note]
  }
`, ""),
			rules:     []string{"tighten-column", "drop-index"},
			seed:      seed,
			oldWrites: oldWrites,
			newWrites: []string{"INSERT INTO images (name, kind, note, legacy) VALUES ('three', 'a', 'green fox', 3)"},
			checks: map[string]string{
				"SELECT name, legacy FROM images ORDER BY id":                                                                    "one|1;two|2;three|3",
				"SELECT COUNT(*) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND INDEX_TYPE = 'FULLTEXT'": "0",
			},
		}.run(t)
	})
	t.Run("replaced column", func(t *testing.T) {
		// Expand adds amount beside the index (a copy) and contract drops
		// legacy and makes amount NOT NULL: one ALTER, a copy.
		after := replaceOnce(replaceOnce(imagesFT, `  column "legacy" {
    type = int
    null = true
  }`, `  column "amount" {
    type       = bigint
    allow_copy = true
    replaces {
      column   = "legacy"
      forward  = "IFNULL(legacy, 0)"
      backward = "amount"
    }
  }`), `    type = varchar(50)`, `    type       = varchar(50)
    allow_copy = true`)
		syncCase{ruleCase: ruleCase{
			before:    imagesFT,
			after:     after,
			rules:     []string{"replace-column"},
			seed:      seed,
			oldWrites: oldWrites,
			newWrites: []string{"INSERT INTO images (name, kind, note, amount) VALUES ('three', 'a', 'green fox', 3)"},
			checks: map[string]string{
				"SELECT name, amount FROM images WHERE MATCH (note) AGAINST ('fox') ORDER BY id": "one|1;three|3",
			},
		}}.run(t)
	})
	t.Run("replaced column with no placeholder", func(t *testing.T) {
		// kind (an enum, no value to mark the new release's rows) is made
		// NULL in expand: a copy here (opted in on sort, which replaces
		// it), in one ALTER with the copy that adds sort; the rollback
		// makes it NOT NULL again in the copy that drops sort.
		after := replaceOnce(imagesFT, `  column "kind" {
    type = enum("a", "b")
  }`, `  column "sort" {
    type       = varchar(5)
    default    = "a"
    allow_copy = true
    replaces {
      column   = "kind"
      forward  = "kind"
      backward = "sort"
    }
  }`)
		syncCase{ruleCase: ruleCase{
			before:    imagesFT,
			after:     after,
			rules:     []string{"replace-column"},
			seed:      seed,
			oldWrites: oldWrites,
			newWrites: []string{"INSERT INTO images (name, sort, note, legacy) VALUES ('three', 'b', 'green fox', 3)"},
			checks: map[string]string{
				"SELECT name, sort FROM images WHERE MATCH (note) AGAINST ('fox') ORDER BY id": "one|a;three|b",
			},
		}}.run(t)
	})
	t.Run("one of two FULLTEXT indexes dropped", func(t *testing.T) {
		// With FORCE the server refuses it (LOCK=NONE); the other index
		// keeps FTS_DOC_ID anyway, so it is dropped in place, no FORCE.
		before := replaceOnce(imagesFT, `  index "ix_name" {`, `  index "ft_name" {
    type    = FULLTEXT
    columns = [column.name]
  }
  index "ix_name" {`)
		ruleCase{
			before:    before,
			after:     imagesFT,
			rules:     []string{"drop-index"},
			seed:      seed,
			oldWrites: oldWrites,
			newWrites: []string{"INSERT INTO images (name, kind, note, legacy) VALUES ('three', 'a', 'green fox', 3)"},
			checks: map[string]string{
				"SELECT name FROM images WHERE MATCH (note) AGAINST ('fox') ORDER BY id":                                           "one;three",
				"SELECT INDEX_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND INDEX_TYPE = 'FULLTEXT'": "ft_note",
			},
		}.run(t)
	})
}
