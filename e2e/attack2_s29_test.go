package e2e

import (
	"strings"
	"testing"
)

// Attacks on what session 29 landed (rule replace-primary-key, the GLPI
// fixes), each through the emcee binary on MariaDB.

// s29bParent is table p keyed by id with a unique code, the key moving to
// code when moved is set.
func s29bParent(moved bool) string {
	key := "column.id"
	if moved {
		key = "column.code"
	}
	return "table \"p\" {\n  schema = schema.app\n  column \"id\" {\n    type = int\n  }\n  column \"code\" {\n    type = int\n  }\n" +
		"  primary_key {\n    columns = [" + key + "]\n  }\n  index \"uk_code\" {\n    unique  = true\n    columns = [column.code]\n  }\n}\n"
}

// s29bChild is table name referencing p.id through fk_c_p.
func s29bChild(name, extra string) string {
	return "table \"" + name + "\" {\n  schema = schema.app\n" + extra + "  column \"id\" {\n    type = int\n  }\n  column \"pid\" {\n    type = int\n  }\n" +
		"  primary_key {\n    columns = [column.id]\n  }\n  foreign_key \"fk_c_p\" {\n    columns     = [column.pid]\n    ref_columns = [table.p.column.id]\n  }\n}\n"
}

// A foreign key referencing the key a release moves is refused only when
// the previous release has it, on a table of the same name: one of a
// table the release adds or renames (or a key new on an old table) was let
// through, the key moved in contract without a complaint from the server,
// and every insert into the child failed from then on (1452, whatever the
// row); `db diff` could not even build the release ("Foreign key
// constraint is incorrectly formed").
func TestAttackS29bKeyMoveUnderAForeignKeyOfANewOrRenamedTable(t *testing.T) {
	t.Parallel()
	const schemaBlock = "schema \"app\" {\n}\n"
	for _, v2 := range []string{
		s29bParent(true) + s29bChild("c", ""),
		s29bParent(true) + s29bChild("c2", "  renamed_from = \"c\"\n"),
	} {
		v1 := s29bParent(false)
		if strings.Contains(v2, "renamed_from") {
			v1 += s29bChild("c", "")
		}
		p := newSchemaProject(t, [2]string{"v1", schemaBlock + v1}, [2]string{"v2", schemaBlock + v2})
		r := p.plan()
		if r.Code != 1 {
			p.must("db", "sync", "v1")
			p.exec("INSERT INTO p VALUES (1, 100)")
			p.must("db", "expand")
			p.must("db", "migrate")
			p.must("db", "contract")
			child := "c"
			if strings.Contains(v2, "c2") {
				child = "c2"
			}
			_, err := p.DB.Exec("INSERT INTO " + child + " VALUES (1, 1)")
			t.Fatalf("the key moved under fk_c_p (insert into %s after contract: %v):\n%s", child, err, r)
		}
		opContains(t, r, "foreign key fk_c_p of ")
		opContains(t, r, "which references p, needs an index leading with (id), and the primary key of p, which gives it one, moves to (code)")
		opContains(t, r, "Declare an index on (id) in an earlier release")
	}
}

// A TINYINT flag declared BOOL in the next release (tinyint -> tinyint(1),
// the other way of GLPI 10.0's change): the display width alone changes,
// every value stays, but plan refused the release as a type change it
// cannot check row by row, while naming BOOL among those it can.
func TestAttackS29bTinyintDeclaredBool(t *testing.T) {
	t.Parallel()
	flag := func(typ string) string {
		return "schema \"app\" {\n}\ntable \"f\" {\n  schema = schema.app\n  column \"id\" {\n    type = int\n  }\n  column \"flag\" {\n" + typ +
			"\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\n"
	}
	p := newSchemaProject(t, [2]string{"v1", flag("    type    = tinyint\n    default = 0")}, [2]string{"v2", flag("    type    = bool\n    default = true")})
	p.must("plan")
	p.must("db", "sync", "v1")
	p.exec("INSERT INTO f VALUES (1, -5), (2, 100)")
	p.must("db", "expand")
	p.exec("INSERT INTO f (id) VALUES (3)") // v2's code
	p.must("db", "rollback")
	p.must("db", "diff")
	if got := p.query("SELECT GROUP_CONCAT(id, ':', flag ORDER BY id) FROM f"); got != "1:-5,2:100,3:1" {
		t.Fatalf("rows after the rollback: %s", got)
	}
	p.must("db", "expand")
	p.must("db", "migrate")
	p.must("db", "contract")
	p.must("db", "diff")
	if got := p.query("SELECT COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'f' AND COLUMN_NAME = 'flag'"); got != "tinyint(1)" {
		t.Fatalf("flag after contract: %s", got)
	}
}

// A unique key on NOT NULL columns added to a table without a primary
// key that keeps the key InnoDB clusters it by: the server keeps
// clustering by that one and builds the new key beside the rows (the
// table's InnoDB id stays), but review said [rebuild], as if the
// clustering key moved. Dropping such a key stays [rebuild]: which of the
// table's candidates the server clusters by follows the order they were
// added in, which the release's declarations need not follow, and INPLACE
// also runs a drop that moves nothing (NOCOPY would fail on one that does).
func TestAttackS29bReviewAnotherUniqueKeyBesideTheClusteringOne(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		v1, v2, rule, cost string
		keepsID            bool
	}{
		{s29NoPK("", s29UniqueA), s29NoPK("", s29UniqueA+s29UniqueB), "add-unique-index", "[in-place]", true},
		{s29NoPK("", s29UniqueA+s29UniqueB), s29NoPK("", s29UniqueA), "drop-index", "[rebuild]", false},
	} {
		p := newSchemaProject(t, [2]string{"v1", c.v1}, [2]string{"v2", c.v2})
		p.must("plan")
		r := p.must("review", "v2")
		if !strings.Contains(r.Stdout, "rule "+c.rule+"  "+c.cost) {
			t.Fatalf("review of %s beside the clustering key, want %s:\n%s", c.rule, c.cost, r.Stdout)
		}
		p.must("db", "sync", "v1")
		p.exec("INSERT INTO t VALUES (1, 1, 'x'), (2, 2, 'y')")
		id := func() string {
			return p.query("SELECT TABLE_ID FROM information_schema.INNODB_SYS_TABLES WHERE NAME = CONCAT(DATABASE(), '/t')")
		}
		before := id()
		p.must("db", "expand")
		p.must("db", "migrate")
		p.must("db", "contract")
		p.must("db", "diff")
		if after := id(); c.keepsID && after != before {
			t.Fatalf("%s rebuilt t (InnoDB id %s -> %s)", c.rule, before, after)
		}
	}
}

// The advice for fill on a nullable column, pasted as printed: it was a
// block of three arguments on one line, which HCL refuses ("Single-line
// block syntax can include only one argument definition"), with the fill's
// quotes left as they were and the column's name unquoted for SQL (order,
// a reserved word). The block it prints now plans and computes the rows.
func TestAttackS29bFillAdvicePasted(t *testing.T) {
	t.Parallel()
	base := "schema \"app\" {\n}\ntable \"t\" {\n  schema = schema.app\n  column \"id\" {\n    type = int\n  }\n  column \"name\" {\n    type = varchar(20)\n    null = true\n  }\n%s  primary_key {\n    columns = [column.id]\n  }\n}\n"
	const fill = "    fill = \"CONCAT(name, \\\"-x\\\")\"\n"
	p := newSchemaProject(t, [2]string{"v1", strings.Replace(base, "%s", "", 1)},
		[2]string{"v2", strings.Replace(base, "%s", "  column \"order\" {\n    type = varchar(20)\n    null = true\n"+fill+"  }\n", 1)})
	r := p.plan()
	if r.Code != 1 {
		t.Fatalf("fill on a nullable column planned: %s", r)
	}
	at := strings.Index(r.Stderr, "data_migration ")
	end := strings.Index(r.Stderr[max(at, 0):], "\n}\n")
	if at < 0 || end < 0 {
		t.Fatalf("no data_migration block in the advice: %s", r)
	}
	block := r.Stderr[at : at+end+3]
	p.editSchema("v2", func(s string) string { return replaceOnce(s, fill, "") + block })
	p.must("plan")
	p.must("db", "sync", "v1")
	p.exec("INSERT INTO t VALUES (1, 'a'), (2, NULL)")
	p.must("db", "expand")
	p.exec("INSERT INTO t (id, name) VALUES (3, 'c')") // v1's code
	p.must("db", "migrate")
	p.must("db", "contract")
	p.must("db", "diff")
	if got := p.query("SELECT GROUP_CONCAT(id, ':', COALESCE(`order`, 'NULL') ORDER BY id) FROM t"); got != "1:a-x,2:NULL,3:c-x" {
		t.Fatalf("rows after contract: %s", got)
	}
}

// A primary key moved to a column the release renames (renamed_from): the
// refusal said the column was new in the release and that the previous
// release wrote no value in it, though the rename fills it from the old
// column; it says what keeps the key from moving, and where it can.
func TestAttackS29bKeyMovedToARenamedColumn(t *testing.T) {
	t.Parallel()
	v2 := replaceOnce(replaceOnce(s29bParent(true), "  column \"code\" {\n    type = int\n", "  column \"num\" {\n    type         = int\n    renamed_from = \"code\"\n"),
		"primary_key {\n    columns = [column.code]", "primary_key {\n    columns = [column.num]")
	v2 = replaceOnce(v2, "unique  = true\n    columns = [column.code]", "unique  = true\n    columns = [column.num]")
	p := newSchemaProject(t, [2]string{"v1", "schema \"app\" {\n}\n" + s29bParent(false)}, [2]string{"v2", "schema \"app\" {\n}\n" + v2})
	r := p.plan()
	if r.Code != 1 {
		t.Fatalf("the key moved to a renamed column planned: %s", r)
	}
	opContains(t, r, "schema/v2.hcl:", "the new key of p: column num takes over from code in this release: it is added NULL in expand, filled from code",
		"keep the key on (id) in this release and move it to num in the next")
}
