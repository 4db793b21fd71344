package e2e

import (
	"strings"
	"testing"
)

// The cases of a key the release adds to columns that only an index the
// same release adds to a kept table serves (splitter/fk_ref_index.go):
// the server refuses the key until that index is there, in a CREATE TABLE
// (errno 150) as in an ALTER (error 1822), foreign_key_checks off or not.

// fkCodeImages is images with a new column code and a unique index on it:
// NULL in every row the previous release writes, so the index is built in
// expand (add-unique-index).
const fkCodeImages = `
table "images" {
  schema = schema.app
  column "id" {
    type           = bigint
    auto_increment = true
  }
  column "name" {
    type = varchar(30)
  }
  column "code" {
    type = varchar(20)
    null = true
  }
  primary_key {
    columns = [column.id]
  }
  index "ux_code" {
    unique  = true
    columns = [column.code]
  }
}
`

// fkCodeTags is a new table whose key references images.code, with the
// key's actions.
func fkCodeTags(actions string) string {
	return `
table "tags" {
  schema = schema.app
  column "id" {
    type = bigint
  }
  column "image_code" {
    type = varchar(20)
    null = true
  }
  primary_key {
    columns = [column.id]
  }
  foreign_key "fk_tags_code" {
    columns     = [column.image_code]
    ref_columns = [table.images.column.code]
` + actions + `  }
}
`
}

const (
	fkCodeCascade  = "    on_delete   = CASCADE\n    on_update   = CASCADE\n"
	fkCodeKeyCount = "SELECT COUNT(*) FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() AND CONSTRAINT_NAME = 'fk_tags_code'"
)

// A release adds images.code with a unique index and a new table tags
// whose key (ON DELETE and ON UPDATE CASCADE, so it stays in expand)
// references it: expand failed on its first statement, the CREATE TABLE
// (errno 150), which ran before images had the column. Now the table is
// created without the key, which is added after the index; the new
// release's delete of an image deletes its tags from expand on, and the
// rollback drops the key before the index.
func TestRuleCreateTableKeyAfterExpandIndex(t *testing.T) {
	t.Parallel()
	ruleCase{
		before:    fkImages,
		after:     fkCodeImages + fkCodeTags(fkCodeCascade),
		rules:     []string{"create-table", "add-column", "add-unique-index"},
		seed:      []string{"INSERT INTO images (id, name) VALUES (1, 'a'), (2, 'b')"},
		oldWrites: []string{"INSERT INTO images (name) VALUES ('c')", "UPDATE images SET name = 'bb' WHERE id = 2"},
		newWrites: []string{
			"UPDATE images SET code = 'A' WHERE id = 1", "INSERT INTO images (name, code) VALUES ('x', 'X')",
			"INSERT INTO tags VALUES (1, 'A'), (2, 'X')",
			// The key is there: the delete cascades.
			"DELETE FROM images WHERE code = 'X'",
		},
		checks: map[string]string{
			fkCodeKeyCount: "1",
			"SELECT id, image_code FROM tags ORDER BY id": "1|A",
		},
		afterContract: []string{"UPDATE images SET code = 'AA' WHERE id = 1"},
	}.run(t)
}

// The same key under the default actions (NO ACTION) waits for contract
// (deferKeys), behind its orphan gate, while the index comes in expand:
// that already worked, and stays so.
func TestRuleCreateTableKeyWaitsAfterExpandIndex(t *testing.T) {
	t.Parallel()
	ruleCase{
		before:     fkImages,
		after:      fkCodeImages + fkCodeTags(""),
		rules:      []string{"create-table", "add-column", "add-unique-index", "add-foreign-key"},
		seed:       []string{"INSERT INTO images (id, name) VALUES (1, 'a'), (2, 'b')"},
		oldWrites:  []string{"INSERT INTO images (name) VALUES ('c')"},
		newWrites:  []string{"UPDATE images SET code = 'A' WHERE id = 1", "INSERT INTO tags VALUES (1, 'A')"},
		gateBlocks: []string{"INSERT INTO tags VALUES (2, 'nowhere')"},
		fix:        []string{"DELETE FROM tags WHERE id = 2"},
		checks:     map[string]string{fkCodeKeyCount: "1"},
	}.run(t)
}

// The referenced column is a rename (renamed_from): the sync triggers
// fill it, so its unique index waits for contract behind the duplicate
// gate, and the new table's key (CASCADE) cannot be in expand at all:
// expand failed on the CREATE TABLE (errno 150). Now the key waits for
// contract too, behind its orphan gate, and is added after the index.
func TestRuleCreateTableKeyToRenamedColumn(t *testing.T) {
	t.Parallel()
	before := strings.Replace(fkImages, "  primary_key {", `  column "ref" {
    type = varchar(20)
    null = true
  }
  primary_key {`, 1)
	before = strings.Replace(before, "    columns = [column.id]\n  }\n", "    columns = [column.id]\n  }\n  index \"ux_ref\" {\n    unique  = true\n    columns = [column.ref]\n  }\n", 1)
	after := strings.Replace(fkCodeImages, "    type = varchar(20)\n    null = true\n", "    type         = varchar(20)\n    null         = true\n    renamed_from = \"ref\"\n", 1)
	ruleCase{
		before:     before,
		after:      after + fkCodeTags(fkCodeCascade),
		rules:      []string{"create-table", "rename-column", "add-unique-index", "add-foreign-key"},
		seed:       []string{"INSERT INTO images (id, name, ref) VALUES (1, 'a', 'A'), (2, 'b', 'B')"},
		oldWrites:  []string{"INSERT INTO images (name, ref) VALUES ('c', 'C')"},
		newWrites:  []string{"INSERT INTO tags VALUES (1, 'A'), (2, 'C')", "UPDATE images SET code = 'BB' WHERE id = 2"},
		gateBlocks: []string{"INSERT INTO tags VALUES (3, 'nowhere')"},
		fix:        []string{"DELETE FROM tags WHERE id = 3"},
		checks: map[string]string{
			fkCodeKeyCount: "1",
			"SELECT name, code FROM images ORDER BY id": "a|A;b|BB;c|C",
		},
		afterContract:    []string{"UPDATE images SET code = 'CC' WHERE name = 'c'"},
		oldAfterRollback: []string{"INSERT INTO images (name, ref) VALUES ('e', 'E')"},
	}.run(t)
}

// A unique index on a column images has waits for contract behind its
// duplicate gate; the new table's key to it (NO ACTION) waits there too,
// and was added before the index (contract handles the referencing
// table's statements of a stage first): contract failed with error 1822.
// Now it is added after the index.
func TestRuleCreateTableKeyAfterContractIndex(t *testing.T) {
	t.Parallel()
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

// The referenced table is renamed in the same release and gains the
// column and its index: renamed first (the previous release keeps its
// name through the view), the new table created, and its key (CASCADE)
// added after the index; expand failed on the CREATE TABLE before.
func TestRuleCreateTableKeyToRenamedTableNewColumn(t *testing.T) {
	t.Parallel()
	after := strings.Replace(fkCodeImages, "table \"images\" {\n", "table \"images\" {\n  renamed_from = \"pictures\"\n", 1)
	ruleCase{
		before:    strings.Replace(fkImages, "table \"images\"", "table \"pictures\"", 1),
		after:     after + fkCodeTags(fkCodeCascade),
		rules:     []string{"rename-table", "create-table", "add-column", "add-unique-index"},
		seed:      []string{"INSERT INTO pictures (id, name) VALUES (1, 'a'), (2, 'b')"},
		oldWrites: []string{"INSERT INTO pictures (name) VALUES ('c')", "DELETE FROM pictures WHERE id = 2"},
		newWrites: []string{"UPDATE images SET code = 'A' WHERE id = 1", "INSERT INTO tags VALUES (1, 'A')"},
		checks: map[string]string{
			fkCodeKeyCount: "1",
			"SELECT id, image_code FROM tags ORDER BY id": "1|A",
		},
		afterContract: []string{"UPDATE images SET code = 'AA' WHERE id = 1"},
	}.run(t)
}

// A cycle through a kept table: images gains the column code (its index
// in expand) and a key to the new table albums, whose key references
// images.code. images' key waits for contract (add-foreign-key), albums'
// is added in expand after the index; expand failed on the CREATE TABLE
// of albums before.
func TestRuleCreateTableKeyAfterIndexInCycle(t *testing.T) {
	t.Parallel()
	after := albumsCycle(fkCodeImages, "cover_code", "varchar(20)", "code", "    on_delete   = SET_NULL\n    on_update   = CASCADE\n")
	ruleCase{
		before:     fkImages,
		after:      after,
		rules:      []string{"create-table", "add-column", "add-unique-index", "add-foreign-key"},
		seed:       []string{"INSERT INTO images (id, name) VALUES (1, 'a'), (2, 'b')"},
		oldWrites:  []string{"INSERT INTO images (name) VALUES ('c')"},
		newWrites:  []string{"UPDATE images SET code = 'A' WHERE id = 1", "INSERT INTO albums VALUES (1, 'A'), (2, NULL)", "UPDATE images SET album_id = 1 WHERE id = 2"},
		gateBlocks: []string{"UPDATE images SET album_id = 9 WHERE id = 1"},
		fix:        []string{"UPDATE images SET album_id = NULL WHERE id = 1"},
		checks: map[string]string{
			"SELECT COUNT(*) FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE()": "2",
			"SELECT id, IFNULL(cover_code, '-') FROM albums ORDER BY id":                                           "1|A;2|-",
		},
		afterContract: []string{"UPDATE images SET code = 'AA' WHERE id = 1"},
	}.run(t)
}

// A kept table gains a key to a column of another kept table whose
// unique index contract adds behind its duplicate gate: both were added at
// the same stage of contract, the referencing table's first, and contract
// failed with error 1822. Now the key comes after the index.
func TestRuleAddForeignKeyAfterContractIndex(t *testing.T) {
	t.Parallel()
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

// The index the new table's key needs, which the previous release has
// (ix_name), replaced by a unique one under another name (ux_name, behind
// its duplicate gate in contract): contract dropped ix_name, then added
// the key (error 1822, missing index: contract stopped half-way, images
// without an index on name), then ux_name. Now the key comes after the
// index that replaces the one dropped.
func TestRuleCreateTableKeyAfterTheIndexReplacingTheOneItHad(t *testing.T) {
	t.Parallel()
	ix := strings.Replace(fkImages, "  primary_key {", "  index \"ix_name\" {\n    columns = [column.name]\n  }\n  primary_key {", 1)
	ux := strings.Replace(fkImages, "  primary_key {", "  index \"ux_name\" {\n    unique  = true\n    columns = [column.name]\n  }\n  primary_key {", 1)
	tags := "\ntable \"tags\" {\n  schema = schema.app\n  column \"id\" {\n    type = bigint\n  }\n  column \"image_name\" {\n    type = varchar(30)\n    null = true\n  }\n  primary_key {\n    columns = [column.id]\n  }\n  foreign_key \"fk_tags_name\" {\n    columns     = [column.image_name]\n    ref_columns = [table.images.column.name]\n    on_delete   = CASCADE\n  }\n}\n"
	ruleCase{
		before:           ix,
		after:            ux + tags,
		rules:            []string{"create-table", "add-foreign-key", "add-unique-index", "drop-index"},
		seed:             []string{"INSERT INTO images (id, name) VALUES (1, 'a'), (2, 'b')"},
		oldWrites:        []string{"INSERT INTO images (name) VALUES ('c')"},
		oldAfterRollback: []string{"INSERT INTO images (name) VALUES ('d')"},
		newWrites:        []string{"INSERT INTO tags VALUES (1, 'a'), (2, 'c')"},
		checks: map[string]string{
			"SELECT COUNT(*) FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() AND CONSTRAINT_NAME = 'fk_tags_name'":                         "1",
			"SELECT GROUP_CONCAT(DISTINCT INDEX_NAME) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'images' AND INDEX_NAME <> 'PRIMARY'": "ux_name",
		},
		afterContract: []string{"DELETE FROM images WHERE name = 'c'"},
	}.run(t)
}
