package e2e

import "testing"

// gatedV1 is the previous release of the gated-rule cases.
const gatedV1 = `
table "owners" {
  schema = schema.app
  column "id" {
    type = bigint
  }
  primary_key {
    columns = [column.id]
  }
}
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
    type = enum("a", "b", "c")
    null = true
  }
  column "size" {
    type = int
    null = true
  }
  column "owner_id" {
    type = bigint
    null = true
  }
  column "price" {
    type = decimal(10, 2)
    null = true
  }
  column "note" {
    type = varchar(60)
  }
  column "code" {
    type    = varchar(200)
    charset = "latin1"
    null    = true
  }
  primary_key {
    columns = [column.id]
  }
  index "ix_owner" {
    columns = [column.owner_id]
  }
}
`

const gatedPK = "  primary_key {\n    columns = [column.id]\n  }\n  index \"ix_owner\""

// gatedBlock adds a table-level block to images.
func gatedBlock(block string) string {
	return replaceOnce(gatedV1, gatedPK, block+"\n"+gatedPK)
}

// The previous release may write duplicates until contract; the gate must
// hold contract while there are any, ignore keys with a NULL part (the
// index ignores them too), and open once the duplicate is gone.
func TestRuleAddUniqueIndex(t *testing.T) {
	t.Parallel()
	ruleCase{
		before: gatedV1,
		after: gatedBlock(`  index "ux_name_kind" {
    unique  = true
    columns = [column.name, column.kind]
  }`),
		rules:      []string{"add-unique-index"},
		seed:       []string{"INSERT INTO images (name, kind, note) VALUES ('x', NULL, ''), ('x', NULL, ''), ('y', 'a', '')"},
		oldWrites:  []string{"INSERT INTO images (name, kind, note) VALUES ('z', 'b', '')"},
		newWrites:  []string{"INSERT INTO images (name, kind, note) VALUES ('w', 'b', '')"},
		gateBlocks: []string{"INSERT INTO images (name, kind, note) VALUES ('y', 'a', 'duplicate')"},
		fix:        []string{"DELETE FROM images WHERE note = 'duplicate'"},
		checks: map[string]string{
			"SELECT name, IFNULL(kind, '-') FROM images ORDER BY id":                                                                                    "x|-;x|-;y|a;z|b;w|b",
			"SELECT NON_UNIQUE FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND INDEX_NAME = 'ux_name_kind' AND SEQ_IN_INDEX = 1": "0",
		},
	}.run(t)
}

// phpBB 3.0.6 made acl_options.auth_option UNIQUE under the same name. The
// previous release may write duplicates until contract; the gate holds
// contract while there are any, and the index is dropped and added again in
// one ALTER, so queries never find it missing.
func TestRuleIndexBecomesUnique(t *testing.T) {
	t.Parallel()
	unique := replaceOnce(gatedV1, "  index \"ix_owner\" {\n", "  index \"ix_owner\" {\n    unique = true\n")
	ruleCase{
		before:     gatedV1,
		after:      unique,
		rules:      []string{"index-uniqueness"},
		seed:       []string{"INSERT INTO owners (id) VALUES (1), (2), (3)", "INSERT INTO images (name, owner_id, note) VALUES ('x', NULL, ''), ('y', NULL, ''), ('z', 1, '')"},
		oldWrites:  []string{"INSERT INTO images (name, owner_id, note) VALUES ('w', 2, '')"},
		newWrites:  []string{"INSERT INTO images (name, owner_id, note) VALUES ('v', 3, '')"},
		gateBlocks: []string{"INSERT INTO images (name, owner_id, note) VALUES ('dup', 1, 'duplicate')"},
		fix:        []string{"DELETE FROM images WHERE note = 'duplicate'"},
		checks: map[string]string{
			"SELECT name FROM images ORDER BY id": "x;y;z;w;v",
			"SELECT NON_UNIQUE FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'images' AND INDEX_NAME = 'ix_owner'": "0",
		},
	}.run(t)
}

// Zabbix 5.0 made item_preproc.params, a varchar(255) NOT NULL with an empty default,
// a TEXT without a default. The previous release's INSERTs leave the
// column to its default, so expand makes it the TEXT keeping the default
// (a copy, opted in), and contract drops the default once that release is
// gone.
func TestRuleVarcharToText(t *testing.T) {
	t.Parallel()
	before := replaceOnce(gatedV1, "    type = varchar(60)\n", "    type    = varchar(60)\n    default = \"\"\n")
	ruleCase{
		before:    before,
		after:     replaceOnce(gatedV1, "    type = varchar(60)\n", "    type       = text\n    allow_copy = true\n"),
		rules:     []string{"tighten-column"},
		seed:      []string{"INSERT INTO images (name, note) VALUES ('x', 'seeded')"},
		oldWrites: []string{"INSERT INTO images (name) VALUES ('old')"},
		newWrites: []string{"INSERT INTO images (name, note) VALUES ('new', REPEAT('n', 300))"},
		checks: map[string]string{
			"SELECT CONCAT(name, ':', LENGTH(note)) FROM images ORDER BY id": "x:6;old:0;new:300",
			"SELECT CONCAT(DATA_TYPE, ':', IFNULL(COLUMN_DEFAULT, 'none')) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'images' AND COLUMN_NAME = 'note'": "text:none",
		},
	}.run(t)
	// Without a default to keep, the TEXT is a widening, done in expand.
	ruleCase{
		before:    gatedV1,
		after:     replaceOnce(gatedV1, "    type = varchar(60)\n", "    type       = text\n    allow_copy = true\n"),
		rules:     []string{"widen-column"},
		seed:      []string{"INSERT INTO images (name, note) VALUES ('x', 'seeded')"},
		oldWrites: []string{"INSERT INTO images (name, note) VALUES ('old', 'o')"},
		newWrites: []string{"INSERT INTO images (name, note) VALUES ('new', REPEAT('n', 300))"},
		checks: map[string]string{
			"SELECT CONCAT(name, ':', LENGTH(note)) FROM images ORDER BY id": "x:6;old:1;new:300",
		},
	}.run(t)
}

// WordPress 4.2 shortened meta_key to a 191-character prefix, Zabbix 4.4
// extended dchecks_1 by two columns, each under the same name. Contract
// drops and adds the index in one ALTER, so queries never find it missing;
// a unique one waits behind the duplicate gate of its new key.
func TestRuleIndexColumnsChange(t *testing.T) {
	t.Parallel()
	prefixed := replaceOnce(gatedV1, "    columns = [column.owner_id]\n", "    on {\n      column = column.note\n      prefix = 10\n    }\n")
	ruleCase{
		before:    gatedV1,
		after:     prefixed,
		rules:     []string{"index-columns"},
		seed:      []string{"INSERT INTO owners (id) VALUES (1), (2)", "INSERT INTO images (name, owner_id, note) VALUES ('x', 1, 'a long note')"},
		oldWrites: []string{"INSERT INTO images (name, owner_id, note) VALUES ('y', 2, 'old')"},
		newWrites: []string{"INSERT INTO images (name, owner_id, note) VALUES ('z', NULL, 'new')"},
		checks: map[string]string{
			"SELECT name FROM images ORDER BY id": "x;y;z",
			"SELECT CONCAT(COLUMN_NAME, ':', SUB_PART) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'images' AND INDEX_NAME = 'ix_owner'": "note:10",
		},
	}.run(t)
	uniqueBefore := replaceOnce(gatedV1, "  index \"ix_owner\" {\n", "  index \"ix_owner\" {\n    unique = true\n")
	ruleCase{
		before:     uniqueBefore,
		after:      replaceOnce(uniqueBefore, "    columns = [column.owner_id]\n", "    columns = [column.name]\n"),
		rules:      []string{"index-columns"},
		seed:       []string{"INSERT INTO owners (id) VALUES (1), (2), (3)", "INSERT INTO images (name, owner_id, note) VALUES ('x', 1, '')"},
		oldWrites:  []string{"INSERT INTO images (name, owner_id, note) VALUES ('y', 2, '')"},
		newWrites:  []string{"INSERT INTO images (name, owner_id, note) VALUES ('z', 3, '')"},
		gateBlocks: []string{"INSERT INTO images (name, owner_id, note) VALUES ('x', NULL, 'duplicate')"},
		fix:        []string{"DELETE FROM images WHERE note = 'duplicate'"},
		checks: map[string]string{
			"SELECT name FROM images ORDER BY id": "x;y;z",
			"SELECT GROUP_CONCAT(COLUMN_NAME ORDER BY SEQ_IN_INDEX) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'images' AND INDEX_NAME = 'ix_owner' AND NON_UNIQUE = 0": "name",
		},
	}.run(t)
}

// Zabbix 4.4 renamed media_type.description to name, and its unique
// media_type_1 moved to name. Contract must change the index before it
// drops description: dropping the column first dropped the index with it
// (refused as ALGORITHM=INSTANT, "Reason: DROP INDEX").
func TestRuleIndexMovesToRenamedColumn(t *testing.T) {
	t.Parallel()
	uniqueBefore := replaceOnce(gatedV1, "  index \"ix_owner\" {\n", "  index \"ix_owner\" {\n    unique = true\n")
	after := replaceOnce(uniqueBefore, "  column \"owner_id\" {\n    type = bigint\n    null = true\n  }\n", "  column \"owner\" {\n    type         = bigint\n    null         = true\n    renamed_from = \"owner_id\"\n  }\n")
	ruleCase{
		before:    uniqueBefore,
		after:     replaceOnce(after, "    columns = [column.owner_id]\n", "    columns = [column.owner]\n"),
		rules:     []string{"rename-column", "index-columns"},
		seed:      []string{"INSERT INTO images (name, owner_id, note) VALUES ('x', 1, '')"},
		oldWrites: []string{"INSERT INTO images (name, owner_id, note) VALUES ('y', 2, '')"},
		// NULL: the case runs the new release's writes again after a
		// rollback, and a NULL key is never a duplicate.
		newWrites: []string{"INSERT INTO images (name, owner, note) VALUES ('z', NULL, '')"},
		// The index stays unique after the rollback: owner_id 2 is taken.
		oldAfterRollback: []string{"INSERT INTO images (name, owner_id, note) VALUES ('w', 4, '')"},
		checks: map[string]string{
			"SELECT CONCAT(name, ':', IFNULL(owner, '-')) FROM images ORDER BY id":                                                                                                         "x:1;y:2;z:-",
			"SELECT GROUP_CONCAT(COLUMN_NAME) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'images' AND INDEX_NAME = 'ix_owner' AND NON_UNIQUE = 0": "owner",
		},
	}.run(t)
}

// Roundcube 1.3 gave its cache tables the primary key they lacked. The
// previous release may write a second row with the same key until
// contract; the gate holds contract while there is one, and the key is then
// added in place while writes continue.
func TestRuleAddPrimaryKey(t *testing.T) {
	t.Parallel()
	pk := "  primary_key {\n    columns = [column.id]\n  }\n}\ntable \"images\" {"
	before := replaceOnce(gatedV1, pk, "}\ntable \"images\" {")
	ruleCase{
		before:     before,
		after:      gatedV1,
		rules:      []string{"add-primary-key"},
		seed:       []string{"INSERT INTO owners (id) VALUES (1), (2)"},
		oldWrites:  []string{"INSERT INTO owners (id) VALUES (3)"},
		newWrites:  []string{"INSERT INTO owners (id) VALUES (4)"},
		gateBlocks: []string{"INSERT INTO owners (id) VALUES (2)"},
		fix:        []string{"DELETE FROM owners WHERE id = 2 LIMIT 1"},
		checks: map[string]string{
			"SELECT id FROM owners ORDER BY id": "1;2;3;4",
			"SELECT COUNT(*) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'owners' AND INDEX_NAME = 'PRIMARY'": "1",
		},
	}.run(t)
}

// Roundcube 1.3 gave dictionary, which had no primary key, a new
// AUTO_INCREMENT id as its key ("for compat. with Galera Cluster"). Expand
// adds both in one ALTER; the server numbers the rows there are, and the
// previous release's inserts, which never name id, get the next numbers.
func TestRuleAddAutoIncrementPrimaryKey(t *testing.T) {
	t.Parallel()
	pk := "  primary_key {\n    columns = [column.id]\n  }\n}\ntable \"images\" {"
	before := replaceOnce(gatedV1, pk, "}\ntable \"images\" {")
	after := replaceOnce(gatedV1, pk, `  column "seq" {
    type           = int
    unsigned       = true
    auto_increment = true
    allow_copy     = true
  }
  primary_key {
    columns = [column.seq]
  }
}
table "images" {`)
	ruleCase{
		before:           before,
		after:            after,
		rules:            []string{"add-primary-key"},
		seed:             []string{"INSERT INTO owners (id) VALUES (10), (20)"},
		oldWrites:        []string{"INSERT INTO owners (id) VALUES (30)"},
		newWrites:        []string{"INSERT INTO owners (id) VALUES (40)"},
		oldAfterRollback: []string{"INSERT INTO owners (id) VALUES (50)"},
		checks: map[string]string{
			"SELECT seq, id FROM owners ORDER BY seq": "1|10;2|20;3|30;4|40",
		},
	}.run(t)
}

// Piwigo 15 made history.IP varchar(15) -> char(39) (room for IPv6).
// Until contract both releases write a varchar(39); CHAR drops the
// trailing spaces it stores, so contract waits while a value has one.
func TestRuleVarcharToChar(t *testing.T) {
	t.Parallel()
	after := replaceOnce(imagesV1, `    type = varchar(50)`, `    type       = char(60)
    allow_copy = true`)
	ruleCase{
		before:     imagesV1,
		after:      after,
		rules:      []string{"tighten-column"},
		seed:       []string{"INSERT INTO images (name, kind, note) VALUES ('one', 'a', '192.168.1.1')"},
		oldWrites:  []string{"INSERT INTO images (name, kind, note) VALUES ('two', 'b', '10.0.0.1')"},
		newWrites:  []string{"INSERT INTO images (name, kind, note) VALUES ('three', 'a', '2001:0db8:85a3:0000:0000:8a2e:0370:7334')"},
		gateBlocks: []string{"UPDATE images SET note = '10.0.0.2 ' WHERE name = 'two'"},
		fix:        []string{"UPDATE images SET note = TRIM(note) WHERE name = 'two'"},
		checks: map[string]string{
			"SELECT name, note FROM images ORDER BY id": "one|192.168.1.1;two|10.0.0.2;three|2001:0db8:85a3:0000:0000:8a2e:0370:7334",
			"SELECT DATA_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'images' AND COLUMN_NAME = 'note'": "char",
		},
	}.run(t)
}

// Friendica 2023.12: report.created datetime -> datetime(6) (a widening,
// copied with the opt-in) and user-contact.remote_self bool -> tinyint
// unsigned (through a smallint both releases write, gated on what tinyint
// unsigned cannot hold).
func TestRuleFriendicaTypes(t *testing.T) {
	t.Parallel()
	before := replaceOnce(imagesV1, `  column "note" {
    type = varchar(50)
  }`, `  column "note" {
    type = varchar(50)
  }
  column "created" {
    type    = datetime
    default = "2000-01-01 00:00:00"
  }
  column "remote_self" {
    type = bool
    null = true
  }`)
	// The server spells a datetime(6) default with its six digits, as
	// Friendica's SQL does.
	after := replaceOnce(before, `    type    = datetime
    default = "2000-01-01 00:00:00"
`, `    type       = datetime(6)
    default    = "2000-01-01 00:00:00.000000"
    allow_copy = true
`)
	after = replaceOnce(after, `    type = bool
`, `    type       = tinyint
    unsigned   = true
    allow_copy = true
`)
	ruleCase{
		before:     before,
		after:      after,
		rules:      []string{"widen-column", "tighten-column"},
		seed:       []string{"INSERT INTO images (name, kind, note, created, remote_self) VALUES ('one', 'a', 'x', '2023-01-01 10:00:00', 1)"},
		oldWrites:  []string{"INSERT INTO images (name, kind, note, created, remote_self) VALUES ('two', 'b', 'y', '2023-02-02 10:00:00', 0)"},
		newWrites:  []string{"INSERT INTO images (name, kind, note, created, remote_self) VALUES ('three', 'a', 'z', '2023-03-03 10:00:00.123456', 200)"},
		gateBlocks: []string{"UPDATE images SET remote_self = -1 WHERE name = 'two'"},
		fix:        []string{"UPDATE images SET remote_self = 0 WHERE name = 'two'"},
		checks: map[string]string{
			"SELECT name, CAST(created AS CHAR), remote_self FROM images ORDER BY id": "one|2023-01-01 10:00:00.000000|1;two|2023-02-02 10:00:00.000000|0;three|2023-03-03 10:00:00.123456|200",
		},
	}.run(t)
}

// On a prefix, the gate compares what the index will store: the first 10
// characters, under the column's collation ('abcdefghij-1' and
// 'ABCDEFGHIJ-2' are duplicates).
func TestRuleAddUniqueIndexPrefix(t *testing.T) {
	t.Parallel()
	ruleCase{
		before: gatedV1,
		after: gatedBlock(`  index "ux_note" {
    unique = true
    on {
      column = column.note
      prefix = 10
    }
  }`),
		rules:      []string{"add-unique-index"},
		seed:       []string{"INSERT INTO images (name, note) VALUES ('a', 'abcdefghij-1'), ('b', 'abcdefghi')"},
		gateBlocks: []string{"INSERT INTO images (name, note) VALUES ('dup', 'ABCDEFGHIJ-2')"},
		fix:        []string{"DELETE FROM images WHERE name = 'dup'"},
		checks: map[string]string{
			"SELECT SUB_PART, NON_UNIQUE FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND INDEX_NAME = 'ux_note'": "10|0",
		},
	}.run(t)
}

// An orphan written by the previous release closes the gate; a row with a
// NULL key is not an orphan (MATCH SIMPLE).
func TestRuleAddForeignKey(t *testing.T) {
	t.Parallel()
	ruleCase{
		before: gatedV1,
		after: gatedBlock(`  foreign_key "fk_owner" {
    columns     = [column.owner_id]
    ref_columns = [table.owners.column.id]
  }`),
		rules:      []string{"add-foreign-key"},
		seed:       []string{"INSERT INTO owners VALUES (1)", "INSERT INTO images (name, owner_id, note) VALUES ('a', 1, ''), ('b', NULL, '')"},
		oldWrites:  []string{"INSERT INTO images (name, owner_id, note) VALUES ('c', 1, '')"},
		newWrites:  []string{"INSERT INTO owners VALUES (2)", "INSERT INTO images (name, owner_id, note) VALUES ('d', 2, '')"},
		gateBlocks: []string{"INSERT INTO images (name, owner_id, note) VALUES ('orphan', 99, '')"},
		fix:        []string{"INSERT INTO owners VALUES (99)"},
		checks: map[string]string{
			"SELECT name, IFNULL(owner_id, '-') FROM images ORDER BY id":                                                                            "a|1;b|-;c|1;d|2;orphan|99",
			"SELECT COUNT(*) FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() AND CONSTRAINT_NAME = 'fk_owner'": "1",
		},
	}.run(t)
}

// A row the CHECK rejects closes the gate; a NULL passes a CHECK, as on
// the server.
func TestRuleAddCheck(t *testing.T) {
	t.Parallel()
	after := gatedBlock(`  check "ck_size" {
    expr = "size >= 0"
  }`)
	after = replaceOnce(after, "    type = int\n    null = true\n", "    type = int\n    null = true\n    allow_copy = true\n")
	ruleCase{
		before:     gatedV1,
		after:      after,
		rules:      []string{"add-check"},
		seed:       []string{"INSERT INTO images (name, size, note) VALUES ('a', 5, ''), ('b', NULL, '')"},
		oldWrites:  []string{"INSERT INTO images (name, size, note) VALUES ('c', 0, '')"},
		newWrites:  []string{"INSERT INTO images (name, size, note) VALUES ('d', 7, '')"},
		gateBlocks: []string{"INSERT INTO images (name, size, note) VALUES ('bad', -1, '')"},
		fix:        []string{"UPDATE images SET size = 0 WHERE size < 0"},
		checks: map[string]string{
			"SELECT name, IFNULL(size, '-') FROM images ORDER BY id": "a|5;b|-;c|0;d|7;bad|0",
		},
	}.run(t)
}

// NULL -> NOT NULL: the previous release may still write NULL until
// contract; the gate counts NULLs.
func TestRuleTightenNotNull(t *testing.T) {
	t.Parallel()
	ruleCase{
		before:     gatedV1,
		after:      replaceOnce(gatedV1, "    type = int\n    null = true\n", "    type = int\n"),
		rules:      []string{"tighten-column"},
		seed:       []string{"INSERT INTO images (name, size, note) VALUES ('a', 5, '')"},
		oldWrites:  []string{"INSERT INTO images (name, size, note) VALUES ('b', 1, '')"},
		newWrites:  []string{"INSERT INTO images (name, size, note) VALUES ('c', 2, '')"},
		gateBlocks: []string{"INSERT INTO images (name, note) VALUES ('old writer', '')"},
		fix:        []string{"UPDATE images SET size = 0 WHERE size IS NULL"},
		checks:     map[string]string{"SELECT name, size FROM images ORDER BY id": "a|5;b|1;c|2;old writer|0"},
	}.run(t)
}

// A NOT NULL column losing its default: the previous release inserts rows
// without the column until contract, so the default goes only then. No
// row can violate it, so there is no gate.
func TestRuleTightenDropDefault(t *testing.T) {
	t.Parallel()
	withDefault := replaceOnce(gatedV1, "    type = varchar(60)\n", "    type    = varchar(60)\n    default = \"-\"\n")
	ruleCase{
		before:    withDefault,
		after:     gatedV1,
		rules:     []string{"tighten-column"},
		seed:      []string{"INSERT INTO images (name) VALUES ('a')"},
		oldWrites: []string{"INSERT INTO images (name) VALUES ('old')"},
		newWrites: []string{"INSERT INTO images (name, note) VALUES ('new', 'n')"},
		checks: map[string]string{
			"SELECT name, note FROM images ORDER BY id": "a|-;old|-;new|n",
			"SELECT IFNULL(COLUMN_DEFAULT, 'none') FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'images' AND COLUMN_NAME = 'note'": "none",
		},
	}.run(t)
}

// A shorter VARCHAR: a long value would be truncated (or rejected), so the
// gate counts values longer than the new size.
func TestRuleTightenShorterVarchar(t *testing.T) {
	t.Parallel()
	ruleCase{
		before:     gatedV1,
		after:      replaceOnce(gatedV1, "    type = varchar(60)\n", "    type = varchar(10)\n    allow_copy = true\n"),
		rules:      []string{"tighten-column"},
		seed:       []string{"INSERT INTO images (name, note) VALUES ('a', 'short')"},
		oldWrites:  []string{"INSERT INTO images (name, note) VALUES ('b', '0123456789')"},
		newWrites:  []string{"INSERT INTO images (name, note) VALUES ('c', 'new')"},
		gateBlocks: []string{"INSERT INTO images (name, note) VALUES ('d', 'eleven chars')"},
		fix:        []string{"UPDATE images SET note = LEFT(note, 10) WHERE CHAR_LENGTH(note) > 10"},
		checks:     map[string]string{"SELECT name, note FROM images ORDER BY id": "a|short;b|0123456789;c|new;d|eleven cha"},
	}.run(t)
}

// A LONGTEXT made a TEXT (the way back from Redmine 3.4's widenings): a
// TEXT holds 65,535 bytes, so the gate counts the values of more bytes,
// whatever their characters; the column stays the LONGTEXT until contract.
func TestRuleTightenText(t *testing.T) {
	t.Parallel()
	ruleCase{
		before:     replaceOnce(gatedV1, "    type = varchar(60)\n", "    type = longtext\n"),
		after:      replaceOnce(gatedV1, "    type = varchar(60)\n", "    type       = text\n    allow_copy = true\n"),
		rules:      []string{"tighten-column"},
		seed:       []string{"INSERT INTO images (name, note) VALUES ('a', 'short')"},
		oldWrites:  []string{"INSERT INTO images (name, note) VALUES ('b', REPEAT('x', 65535))"},
		newWrites:  []string{"INSERT INTO images (name, note) VALUES ('c', 'new')"},
		gateBlocks: []string{"INSERT INTO images (name, note) VALUES ('d', REPEAT('ü', 40000))"},
		fix:        []string{"UPDATE images SET note = LEFT(note, 100) WHERE OCTET_LENGTH(note) > 65535"},
		checks:     map[string]string{"SELECT name, OCTET_LENGTH(note) FROM images ORDER BY id": "a|5;b|65535;c|3;d|200"},
	}.run(t)
}

// Enum value "c" removed and "d" added: between expand and contract the
// column must take "c" from the previous release and "d" from the new one
// (expand appends "d" instantly), and contract waits until no "c" is left.
func TestRuleTightenEnum(t *testing.T) {
	t.Parallel()
	after := replaceOnce(gatedV1, `enum("a", "b", "c")`+"\n    null = true\n", `enum("a", "b", "d")`+"\n    null = true\n    allow_copy = true\n")
	ruleCase{
		before:     gatedV1,
		after:      after,
		rules:      []string{"tighten-column"},
		seed:       []string{"INSERT INTO images (name, kind, note) VALUES ('a', 'a', '')"},
		oldWrites:  []string{"INSERT INTO images (name, kind, note) VALUES ('b', 'b', '')"},
		newWrites:  []string{"INSERT INTO images (name, kind, note) VALUES ('new', 'd', '')"},
		gateBlocks: []string{"INSERT INTO images (name, kind, note) VALUES ('old', 'c', '')"},
		fix:        []string{"UPDATE images SET kind = 'd' WHERE kind = 'c'"},
		checks:     map[string]string{"SELECT name, kind FROM images ORDER BY id": "a|a;b|b;new|d;old|d"},
	}.run(t)
}

// int -> int unsigned: the new release writes values above the signed
// range, the previous one negatives; expand joins both in a bigint (a
// declared table copy), contract waits until no negative is left.
func TestRuleTightenSignedness(t *testing.T) {
	t.Parallel()
	ruleCase{
		before:     gatedV1,
		after:      replaceOnce(gatedV1, "    type = int\n    null = true\n", "    type     = int\n    unsigned = true\n    null     = true\n    allow_copy = true\n"),
		rules:      []string{"tighten-column"},
		seed:       []string{"INSERT INTO images (name, size, note) VALUES ('a', 5, '')"},
		oldWrites:  []string{"INSERT INTO images (name, size, note) VALUES ('b', 6, '')"},
		newWrites:  []string{"INSERT INTO images (name, size, note) VALUES ('big', 3000000000, '')"},
		gateBlocks: []string{"INSERT INTO images (name, size, note) VALUES ('neg', -5, '')"},
		fix:        []string{"UPDATE images SET size = 0 WHERE size < 0"},
		checks:     map[string]string{"SELECT name, size FROM images ORDER BY id": "a|5;b|6;big|3000000000;neg|0"},
	}.run(t)
}

// int unsigned -> int, the other way: the new release writes negatives, the
// previous one may write values above the signed range; expand widens the
// column to a bigint (refused before: emcee found no widening to a signed
// type), contract waits until no value above the int range is left.
func TestRuleTightenUnsignedToSigned(t *testing.T) {
	t.Parallel()
	before := replaceOnce(gatedV1, "    type = int\n    null = true\n", "    type     = int\n    unsigned = true\n    null     = true\n")
	ruleCase{
		before:     before,
		after:      replaceOnce(before, "    type     = int\n    unsigned = true\n    null     = true\n", "    type       = int\n    null       = true\n    allow_copy = true\n"),
		rules:      []string{"tighten-column"},
		seed:       []string{"INSERT INTO images (name, size, note) VALUES ('a', 5, '')"},
		oldWrites:  []string{"INSERT INTO images (name, size, note) VALUES ('b', 6, '')"},
		newWrites:  []string{"INSERT INTO images (name, size, note) VALUES ('neg', -5, '')"},
		gateBlocks: []string{"INSERT INTO images (name, size, note) VALUES ('big', 4000000000, '')"},
		fix:        []string{"UPDATE images SET size = 7 WHERE size > 2147483647"},
		checks:     map[string]string{"SELECT name, size FROM images ORDER BY id": "a|5;b|6;neg|-5;big|7"},
	}.run(t)
}

// A narrower DECIMAL would round 1.25 silently; the gate counts values that
// lose digits.
func TestRuleTightenDecimal(t *testing.T) {
	t.Parallel()
	ruleCase{
		before:     gatedV1,
		after:      replaceOnce(gatedV1, "decimal(10, 2)\n    null = true\n", "decimal(8, 1)\n    null = true\n    allow_copy = true\n"),
		rules:      []string{"tighten-column"},
		seed:       []string{"INSERT INTO images (name, price, note) VALUES ('a', 1.50, '')"},
		oldWrites:  []string{"INSERT INTO images (name, price, note) VALUES ('b', 9999999.9, '')"},
		newWrites:  []string{"INSERT INTO images (name, price, note) VALUES ('c', 2.5, '')"},
		gateBlocks: []string{"INSERT INTO images (name, price, note) VALUES ('d', 1.25, '')", "INSERT INTO images (name, price, note) VALUES ('e', 10000000, '')"},
		fix:        []string{"UPDATE images SET price = 1.3 WHERE name = 'd'", "UPDATE images SET price = 9999999 WHERE name = 'e'"},
		checks:     map[string]string{"SELECT name, price FROM images ORDER BY id": "a|1.5;b|9999999.9;c|2.5;d|1.3;e|9999999.0"},
	}.run(t)
}

// A changed CHECK expression (same name) is invisible to Atlas's differ;
// emcee reports it. Expand drops the old check so the new release may write
// values only the new check allows (-5 here); the previous release's -20
// closes the gate until it is fixed.
func TestRuleChangeCheck(t *testing.T) {
	t.Parallel()
	before := gatedBlock(`  check "ck_size" {
    expr = "size >= 0"
  }`)
	before = replaceOnce(before, "    type = int\n    null = true\n", "    type = int\n    null = true\n    allow_copy = true\n")
	ruleCase{
		before:     before,
		after:      replaceOnce(before, "size >= 0", "size >= -10"),
		rules:      []string{"add-check"},
		seed:       []string{"INSERT INTO images (name, size, note) VALUES ('a', 5, '')"},
		oldWrites:  []string{"INSERT INTO images (name, size, note) VALUES ('b', 0, '')"},
		newWrites:  []string{"INSERT INTO images (name, size, note) VALUES ('c', -5, '')"},
		gateBlocks: []string{"INSERT INTO images (name, size, note) VALUES ('d', -20, '')"},
		fix:        []string{"UPDATE images SET size = -10 WHERE size < -10"},
		checks: map[string]string{
			"SELECT name, size FROM images ORDER BY id": "a|5;b|0;c|-5;d|-10",
			"SELECT CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() AND CONSTRAINT_NAME = 'ck_size'": "`size` >= -10",
		},
	}.run(t)
}

// Kanboard 95's project_has_users, trimmed: a surrogate AUTO_INCREMENT key
// beside the pair it stands for.
const projectUsersV95 = `
table "projects" {
  schema = schema.app
  column "id" {
    type           = int
    auto_increment = true
  }
  primary_key {
    columns = [column.id]
  }
}
table "project_has_users" {
  schema = schema.app
  column "id" {
    type           = int
    auto_increment = true
  }
  column "project_id" {
    type = int
  }
  column "user_id" {
    type = int
  }
  primary_key {
    columns = [column.id]
  }
  foreign_key "project_has_users_ibfk_1" {
    columns     = [column.project_id]
    ref_columns = [table.projects.column.id]
    on_delete   = CASCADE
  }
  index "idx_project_user" {
    columns = [column.project_id, column.user_id]
  }
}
`

// The key of project_has_users moves from id to (project_id, user_id), id
// going with it. The previous release inserts without id, numbered by the
// server, and nothing keeps it from writing a pair twice, so the key
// moves in contract, behind the gate counting such pairs, in one ALTER
// that drops id and the old key and adds the new one (in place: the e2e
// harness holds the rebuild to the table's InnoDB id). The foreign key on
// project_id, which idx_project_user served, is served by the new key:
// the server makes it no index of its own, and the release declares none.
func TestRuleReplacePrimaryKey(t *testing.T) {
	t.Parallel()
	after := replaceOnce(replaceOnce(projectUsersV95, `  column "id" {
    type           = int
    auto_increment = true
  }
  column "project_id" {`, `  column "project_id" {`), `  primary_key {
    columns = [column.id]
  }
  foreign_key "project_has_users_ibfk_1"`, `  primary_key {
    columns = [column.project_id, column.user_id]
  }
  foreign_key "project_has_users_ibfk_1"`)
	after = replaceOnce(after, `  index "idx_project_user" {
    columns = [column.project_id, column.user_id]
  }
`, "")
	ruleCase{
		before:     projectUsersV95,
		after:      after,
		rules:      []string{"replace-primary-key"},
		seed:       []string{"INSERT INTO projects () VALUES (), ()", "INSERT INTO project_has_users (project_id, user_id) VALUES (1, 10), (2, 10)"},
		oldWrites:  []string{"INSERT INTO project_has_users (project_id, user_id) VALUES (1, 11)", "UPDATE project_has_users SET user_id = 12 WHERE id = 3"},
		newWrites:  []string{"INSERT INTO project_has_users (project_id, user_id) VALUES (2, 20)"},
		gateBlocks: []string{"INSERT INTO project_has_users (project_id, user_id) VALUES (1, 10)"},
		fix:        []string{"DELETE FROM project_has_users WHERE project_id = 1 AND user_id = 10 ORDER BY id DESC LIMIT 1"},
		checks: map[string]string{
			"SELECT project_id, user_id FROM project_has_users ORDER BY project_id, user_id":                                                                                                            "1|10;1|12;2|10;2|20",
			"SELECT GROUP_CONCAT(COLUMN_NAME ORDER BY SEQ_IN_INDEX) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'project_has_users' AND INDEX_NAME = 'PRIMARY'": "project_id,user_id",
			"SELECT COUNT(*) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'project_has_users' AND INDEX_NAME <> 'PRIMARY'":                                       "0",
		},
	}.run(t)
}

// Kanboard 96 exactly: ALTER TABLE project_has_users DROP COLUMN id, the
// table keeping its unique key (project_id, user_id) on NOT NULL columns,
// which InnoDB clusters it by from then on. The unique key already keeps
// the pairs apart: no gate.
func TestRuleReplacePrimaryKeyByUniqueKey(t *testing.T) {
	t.Parallel()
	before := replaceOnce(projectUsersV95, `  index "idx_project_user" {
    columns`, `  index "idx_project_user" {
    unique  = true
    columns`)
	after := replaceOnce(replaceOnce(before, `  column "id" {
    type           = int
    auto_increment = true
  }
  column "project_id" {`, `  column "project_id" {`), `  primary_key {
    columns = [column.id]
  }
  foreign_key "project_has_users_ibfk_1"`, `  foreign_key "project_has_users_ibfk_1"`)
	ruleCase{
		before:    before,
		after:     after,
		rules:     []string{"replace-primary-key"},
		seed:      []string{"INSERT INTO projects () VALUES (), ()", "INSERT INTO project_has_users (project_id, user_id) VALUES (1, 10), (2, 10)"},
		oldWrites: []string{"INSERT INTO project_has_users (project_id, user_id) VALUES (1, 11)", "UPDATE project_has_users SET user_id = 12 WHERE id = 3"},
		newWrites: []string{"INSERT INTO project_has_users (project_id, user_id) VALUES (2, 20)"},
		checks: map[string]string{
			"SELECT project_id, user_id FROM project_has_users ORDER BY project_id, user_id":                                                              "1|10;1|12;2|10;2|20",
			"SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'project_has_users' AND COLUMN_NAME = 'id'": "0",
		},
	}.run(t)
}

// The key of a link table moves from (project_id, user_id) to (user_id,
// project_id). The old key was the index its foreign key on project_id
// used, and MariaDB 10.11 moves the key all the same without one, leaving
// the key with none: every delete of a project then failed (1451), whether
// it had links or not. The statement adds the index a table built from the
// release has for the key (named after it), so deletes go on.
func TestRuleReplacePrimaryKeyGivesTheForeignKeyItsIndex(t *testing.T) {
	t.Parallel()
	before := `
table "projects" {
  schema = schema.app
  column "id" {
    type           = int
    auto_increment = true
  }
  primary_key {
    columns = [column.id]
  }
}
table "links" {
  schema = schema.app
  column "project_id" {
    type = int
  }
  column "user_id" {
    type = int
  }
  primary_key {
    columns = [column.project_id, column.user_id]
  }
  foreign_key "fk_links_project" {
    columns     = [column.project_id]
    ref_columns = [table.projects.column.id]
    on_delete   = CASCADE
  }
}
`
	ruleCase{
		before:    before,
		after:     replaceOnce(before, "columns = [column.project_id, column.user_id]", "columns = [column.user_id, column.project_id]"),
		rules:     []string{"replace-primary-key"},
		seed:      []string{"INSERT INTO projects () VALUES (), (), ()", "INSERT INTO links VALUES (1, 10), (2, 10)"},
		oldWrites: []string{"INSERT INTO links VALUES (1, 11)"},
		newWrites: []string{"INSERT INTO links VALUES (2, 20)"},
		checks: map[string]string{
			"SELECT project_id, user_id FROM links ORDER BY user_id, project_id":                                                                                                   "1|10;2|10;1|11;2|20",
			"SELECT GROUP_CONCAT(INDEX_NAME ORDER BY INDEX_NAME) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'links' AND SEQ_IN_INDEX = 1": "fk_links_project,PRIMARY",
		},
		afterContract: []string{"DELETE FROM projects WHERE id = 3", "DELETE FROM projects WHERE id = 1"},
	}.run(t)
}

// A unique key on whole NOT NULL columns added to a table without a
// primary key: the table's first such key becomes the key InnoDB clusters
// it by, a rebuild (NOCOPY refused); one added beside it comes after it
// and moves nothing, built in place without a rebuild.
func TestRuleAddUniqueIndexWithoutPrimaryKey(t *testing.T) {
	t.Parallel()
	table := func(indexes string) string {
		return "table \"pairs\" {\n  schema = schema.app\n  column \"a\" {\n    type = int\n  }\n  column \"b\" {\n    type = int\n  }\n" + indexes + "}\n"
	}
	ua := "  index \"ua\" {\n    unique  = true\n    columns = [column.a]\n  }\n"
	ub := "  index \"ub\" {\n    unique  = true\n    columns = [column.b]\n  }\n"
	for _, tc := range []struct{ name, before, after string }{
		{"the first: a rebuild", table(""), table(ua)},
		{"beside the clustering key: in place", table(ua), table(ua + ub)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ruleCase{
				before:    tc.before,
				after:     tc.after,
				rules:     []string{"add-unique-index"},
				seed:      []string{"INSERT INTO pairs VALUES (1, 1), (2, 2)"},
				oldWrites: []string{"INSERT INTO pairs VALUES (3, 3)"},
				checks:    map[string]string{"SELECT COUNT(*) FROM pairs": "3"},
			}.run(t)
		})
	}
}

// Matomo 4.0: goal.revenue and log_conversion_item.price float -> double.
// A double holds every float exactly, so it is a widening (copied with the
// opt-in), not a change refused as one emcee cannot check: the rows keep
// the very number they held, and the previous release's writes of a float
// value land as that value.
func TestRuleMatomoFloatToDouble(t *testing.T) {
	t.Parallel()
	before := replaceOnce(imagesV1, `  column "note" {
    type = varchar(50)
  }`, `  column "note" {
    type = varchar(50)
  }
  column "price" {
    type = float
  }`)
	after := replaceOnce(before, `    type = float
`, `    type       = double
    allow_copy = true
`)
	ruleCase{
		before:    before,
		after:     after,
		rules:     []string{"widen-column"},
		seed:      []string{"INSERT INTO images (name, kind, note, price) VALUES ('one', 'a', 'x', 0.1), ('big', 'a', 'x', 3.4e38)"},
		oldWrites: []string{"INSERT INTO images (name, kind, note, price) VALUES ('two', 'b', 'y', CAST(9.99 AS FLOAT))"},
		newWrites: []string{"INSERT INTO images (name, kind, note, price) VALUES ('three', 'a', 'z', 0.1)"},
		checks: map[string]string{
			// The float rows hold the float's number, now shown in full;
			// the new release's 0.1 is the double 0.1.
			"SELECT name, price = CAST(CAST(price AS FLOAT) AS DOUBLE) FROM images ORDER BY id":                                                    "one|1;big|1;two|1;three|0",
			"SELECT name FROM images WHERE price = CAST(0.1 AS FLOAT) OR price = CAST(9.99 AS FLOAT) ORDER BY id":                                  "one;two",
			"SELECT DATA_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'images' AND COLUMN_NAME = 'price'": "double",
		},
	}.run(t)
}
