package e2e

import (
	"strings"
	"testing"
)

// The cases of a key the release adds to columns that only an index the
// same release adds to a kept table serves (splitter/fk_ref_index.go):
// the server refuses the key until that index is there, in a CREATE TABLE
// (errno 150) as in an ALTER (error 1822), foreign_key_checks off or not.

const fkCodeKeyCount = "SELECT COUNT(*) FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() AND CONSTRAINT_NAME = 'fk_tags_code'"

// A unique index on a column images has waits for contract behind its
// duplicate gate; the new table's key to it (NO ACTION) waits there too,
// and was added before the index (contract handles the referencing
// table's statements of a stage first): contract failed with error 1822.
// Now it is added after the index.
func TestRuleCreateTableKeyAfterContractIndex(t *testing.T) {
	after := strings.Replace(fkImages, "    columns = [column.id]\n  }\n", "    columns = [column.id]\n  }\n  index \"ux_name\" {\n    unique  = true\n    columns = [column.name]\n  }\n", 1)
	ruleCase{
		before: fkImages,
		after: after + `
table "tags" {
  schema = schema.app
  column "id" {
    type = bigint
  }
  column "image_name" {
    type = varchar(30)
    null = true
  }
  primary_key {
    columns = [column.id]
  }
  foreign_key "fk_tags_code" {
    columns     = [column.image_name]
    ref_columns = [table.images.column.name]
  }
}
`,
		rules:      []string{"create-table", "add-unique-index", "add-foreign-key"},
		seed:       []string{"INSERT INTO images (id, name) VALUES (1, 'a'), (2, 'b')"},
		oldWrites:  []string{"INSERT INTO images (name) VALUES ('c')"},
		newWrites:  []string{"INSERT INTO tags VALUES (1, 'a'), (2, 'c')"},
		gateBlocks: []string{"INSERT INTO images (name) VALUES ('a')"},
		fix:        []string{"DELETE FROM images WHERE name = 'a' AND id > 2"},
		checks:     map[string]string{fkCodeKeyCount: "1"},
		// Its name is unique from contract on.
		oldAfterRollback: []string{"INSERT INTO images (name) VALUES ('d')"},
	}.run(t)
}

// A kept table gains a key to a column of another kept table whose
// unique index contract adds behind its duplicate gate: both were added at
// the same stage of contract, the referencing table's first, and contract
// failed with error 1822. Now the key comes after the index.
func TestRuleAddForeignKeyAfterContractIndex(t *testing.T) {
	tags := `
table "tags" {
  schema = schema.app
  column "id" {
    type = bigint
  }
  primary_key {
    columns = [column.id]
  }
}
`
	after := strings.Replace(fkImages, "    columns = [column.id]\n  }\n", "    columns = [column.id]\n  }\n  index \"ux_name\" {\n    unique  = true\n    columns = [column.name]\n  }\n", 1)
	afterTags := strings.Replace(tags, "  primary_key {", `  column "image_name" {
    type = varchar(30)
    null = true
  }
  primary_key {`, 1)
	afterTags = strings.Replace(afterTags, "    columns = [column.id]\n  }\n", `    columns = [column.id]
  }
  foreign_key "fk_tags_code" {
    columns     = [column.image_name]
    ref_columns = [table.images.column.name]
  }
`, 1)
	ruleCase{
		before:     fkImages + tags,
		after:      after + afterTags,
		rules:      []string{"add-column", "add-unique-index", "add-foreign-key"},
		seed:       []string{"INSERT INTO images (id, name) VALUES (1, 'a'), (2, 'b')", "INSERT INTO tags VALUES (1), (2)"},
		oldWrites:  []string{"INSERT INTO images (name) VALUES ('c')", "INSERT INTO tags (id) VALUES (3)"},
		newWrites:  []string{"UPDATE tags SET image_name = 'a' WHERE id = 1", "UPDATE tags SET image_name = 'c' WHERE id = 2"},
		gateBlocks: []string{"INSERT INTO images (name) VALUES ('a')"},
		fix:        []string{"DELETE FROM images WHERE name = 'a' AND id > 2"},
		checks: map[string]string{
			fkCodeKeyCount: "1",
			"SELECT id, IFNULL(image_name, '-') FROM tags ORDER BY id": "1|a;2|c;3|-",
		},
		oldAfterRollback: []string{"INSERT INTO images (name) VALUES ('d')", "INSERT INTO tags (id) VALUES (4)"},
	}.run(t)
}
