package e2e

import (
	"strings"
	"testing"
)

// oscConstrained is a parent table and a child table with a foreign key
// and a named CHECK; v2 widens child.n from int to bigint (a table copy).
func oscConstrained(typ string) string {
	copyOK := ""
	if typ == "bigint" {
		copyOK = "\n    allow_copy = true"
	}
	return `schema "app" {}
table "parent" {
  schema = schema.app
  column "id" {
    type = int
  }
  primary_key {
    columns = [column.id]
  }
}
table "child" {
  schema = schema.app
  column "id" {
    type = int
  }
  column "pid" {
    type = int
    null = true
  }
  column "n" {
    type = ` + typ + copyOK + `
  }
  primary_key {
    columns = [column.id]
  }
  index "ix_pid" {
    columns = [column.pid]
  }
  foreign_key "fk_pid" {
    columns     = [column.pid]
    ref_columns = [table.parent.column.id]
  }
  check "ck_n" {
    expr = "n >= 0"
  }
}
`
}

// pt-online-schema-change creates its copy with every constraint renamed
// (fk_pid -> _fk_pid, ck_n -> _ck_n) and swaps it in under those names:
// expand said "applied", and from then on the database had drifted from
// its revisions (db diff exit 6: foreign key fk_pid missing). And a
// revision that drops a check while the table is copied (a changed check,
// in one ALTER with a widening) reached the tool as MySQL's DROP CHECK,
// a syntax error on MariaDB, and would not have found ck_n on the copy
// anyway. Each tool run here (expand's widening with the check dropped,
// contract's check added back) must leave the names the revisions say.
func TestAttackOSCKeepsConstraintNames(t *testing.T) {
	needPtOSC(t)
	t.Parallel()
	v2 := strings.Replace(oscConstrained("bigint"), "n >= 0", "n >= 1", 1)
	p := newSchemaProject(t, [2]string{"v1", oscConstrained("int")}, [2]string{"v2", v2})
	if r := p.plan(); r.Code != 0 {
		t.Fatalf("plan: %s", r)
	}
	p.must("db", "sync", "v1")
	p.exec("INSERT INTO parent VALUES (1), (2)")
	p.exec("INSERT INTO child SELECT seq, 1 + seq % 2, seq FROM seq_1_to_1000")
	constraints := func() string {
		return p.query("SELECT CONSTRAINT_NAME, CONSTRAINT_TYPE FROM information_schema.TABLE_CONSTRAINTS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'child' AND CONSTRAINT_TYPE <> 'PRIMARY KEY' ORDER BY 1")
	}
	for _, phase := range []struct{ cmd, want, constraints string }{
		{"expand", "DROP CONSTRAINT `ck_n`", "fk_pid FOREIGN KEY"},
		{"migrate", "", "fk_pid FOREIGN KEY"},
		{"contract", "ADD CONSTRAINT `ck_n` CHECK", "ck_n CHECK\nfk_pid FOREIGN KEY"},
	} {
		r := p.run("db", phase.cmd, "--osc", "pt-osc")
		if r.Code != 0 {
			t.Fatalf("db %s through the tool: %s", phase.cmd, r)
		}
		if phase.want != "" {
			opContains(t, r, "handed to pt-online-schema-change", phase.want, "foreign keys of `child` get back the names")
		}
		if got := constraints(); got != phase.constraints {
			t.Fatalf("constraints of child after db %s: %q\n%s", phase.cmd, got, r)
		}
		if d := p.run("db", "diff"); d.Code != 0 {
			t.Fatalf("after db %s through the tool, the database has drifted: %s", phase.cmd, d)
		}
	}
	if got := p.query("SELECT COUNT(*), SUM(n) FROM child"); got != "1000 500500" {
		t.Fatalf("rows: %s", got)
	}
	if _, err := p.DB.Exec("INSERT INTO child VALUES (2000, 3, 1)"); err == nil {
		t.Fatal("the foreign key does not hold after the tool")
	}
	if _, err := p.DB.Exec("INSERT INTO child VALUES (2000, 1, 0)"); err == nil {
		t.Fatal("the check does not hold after the tool")
	}
}

// The tool refuses to add a unique index (--check-unique-key-change; it
// copies with INSERT IGNORE and would drop duplicates silently) and to copy
// a table other tables' foreign keys reference (it needs
// --alter-foreign-keys-method). emcee handed it such statements anyway,
// after the revision's gates and earlier statements had run; it must
// refuse them before the revision runs anything.
func TestAttackOSCRefusedBeforeTheRevisionRuns(t *testing.T) {
	needPtOSC(t)
	t.Parallel()
	v1 := oscConstrained("int")
	parentW := func(typ string) string {
		return strings.Replace(v1, "    type = int\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\ntable \"child\"", "    type = int\n  }\n  column \"w\" {\n    type = "+typ+"\n    null = true\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\ntable \"child\"", 1)
	}
	for _, c := range []struct{ name, v1, v2, cmd, refused string }{
		{"unique index", v1, strings.Replace(strings.Replace(v1, "  index \"ix_pid\" {", "  index \"ux_n\" {\n    unique  = true\n    columns = [column.n]\n  }\n  index \"ix_pid\" {", 1), "column \"n\" {\n    type = int", "column \"n\" {\n    type       = smallint\n    allow_copy = true", 1),
			"contract", "it adds a unique index `ux_n`, and the tool copies rows with INSERT IGNORE"},
		{"referenced table", parentW("int"), parentW("bigint\n    allow_copy = true"),
			"expand", "foreign keys of other tables reference `parent` (emcee_t_"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			p := newSchemaProject(t, [2]string{"v1", c.v1}, [2]string{"v2", c.v2})
			if r := p.plan(); r.Code != 0 {
				t.Fatalf("plan: %s", r)
			}
			p.must("db", "sync", "v1")
			p.exec("INSERT INTO parent (id) VALUES (1), (2)")
			p.exec("INSERT INTO child SELECT seq, 1 + seq % 2, seq FROM seq_1_to_1000")
			if c.cmd == "contract" {
				p.must("db", "expand")
				p.must("db", "migrate")
			}
			r := p.run("db", c.cmd, "--osc", "pt-osc")
			if r.Code != 1 {
				t.Fatalf("want exit 1: %s", r)
			}
			opContains(t, r, "v2_"+c.cmd+"01 refused before it ran anything", c.refused, "run without --osc pt-osc")
			if strings.Contains(r.Stdout, "handed to") || strings.Contains(r.Stdout, "gate open") {
				t.Fatalf("the revision ran before it was refused: %s", r)
			}
			if got := p.query("SELECT COUNT(*) FROM emcee_revisions WHERE name = ?", "v2_"+c.cmd+"01"); got != "0" {
				t.Fatalf("a refused revision was started")
			}
			p.must("db", c.cmd)
		})
	}
}
