package sqlsyntax

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pingcap/tidb/pkg/parser/ast"
)

// OSCAlter is an ALTER TABLE as an online schema change tool takes it:
// the table, and the clauses without ALTER TABLE and without the
// ALGORITHM and LOCK options (the tool copies the table itself, and
// pt-online-schema-change refuses them in --alter).
type OSCAlter struct {
	Schema  string // "" when the statement does not name one
	Table   string
	Clauses string // e.g. "MODIFY COLUMN `n` BIGINT NOT NULL"
	onCopy  []string
}

// OnCopy is Clauses as they run on pt-online-schema-change's copy of the
// table, which holds the table's foreign keys under the tool's names
// (OSCConstraintName: the server wants a foreign key's name unique in the
// database): a DROP FOREIGN KEY of the statement names the copy's key.
// It is the tool's --alter, and what review shows.
func (a *OSCAlter) OnCopy() string { return strings.Join(a.onCopy, ", ") }

// OSCConstraintName is the name pt-online-schema-change gives a constraint
// of its copy (create_new_table in the tool): c -> _c, _c -> __c, __c -> c,
// cut to 64 characters. The applier's plugin for the tool (apply/osc.go,
// tool_name) follows the same rule.
func OSCConstraintName(name string) string {
	if rest, ok := strings.CutPrefix(name, "__"); ok {
		name = rest
	} else {
		name = "_" + name
	}
	if r := []rune(name); len(r) > 64 {
		name = string(r[:64])
	}
	return name
}

// oscUniqueRefusal: the tool itself refuses such an --alter
// (--check-unique-key-change), halfway through the revision, after its
// gates and earlier statements ran; emcee passes
// --no-check-unique-key-change (the tool's check is a regex that took a
// column named "my unique code" for a key) and refuses real ones here,
// from the tree, where review sees it too.
const oscUniqueRefusal = "it adds a %s, and pt-online-schema-change copies rows with INSERT IGNORE and its triggers write with REPLACE: a duplicate written while it copies would silently take the place of the other row, where the server running the statement fails instead"

// ReadOSCAlter reads a plan statement that copies its table (ALGORITHM=COPY,
// what splitter.AlterCost classes "copy") for an online schema change tool.
// The clauses are written back from the statement's tree, one by one, so a
// name or string in them reaches the tool exactly as the server would have
// read it. A statement the tool cannot take in place of the server is an
// error that says why: anything but one ALTER TABLE naming ALGORITHM=COPY,
// a table rename (the tool swaps tables by renaming them), or a statement
// scoped by SET STATEMENT ... FOR (the tool's copy would not run under it).
func ReadOSCAlter(sql string) (*OSCAlter, error) {
	st, err := ReadStmt(sql)
	if err != nil {
		return nil, err
	}
	n, ok := st.Node.(*ast.AlterTableStmt)
	if !ok || st.Trigger != nil {
		return nil, errorAt(sql, 0, "only ALTER TABLE is handed to an online schema change tool")
	}
	if len(st.Settings) > 0 {
		return nil, errorAt(sql, 0, "a statement under SET STATEMENT ... FOR cannot be handed to an online schema change tool: its settings would not apply to the tool's copy")
	}
	out := &OSCAlter{Schema: n.Table.Schema.O, Table: n.Table.Name.O}
	copies := false
	var parts []string
	for _, s := range n.Specs {
		switch s.Tp {
		case ast.AlterTableAlgorithm:
			copies = s.Algorithm == ast.AlgorithmTypeCopy && !st.NoCopy
			continue
		case ast.AlterTableLock:
			continue
		case ast.AlterTableRenameTable:
			return nil, errorAt(sql, 0, "ALTER TABLE ... RENAME TO cannot be handed to an online schema change tool: it renames tables itself")
		case ast.AlterTableDropPrimaryKey:
			return nil, errorAt(sql, 0, "it drops the primary key, which pt-online-schema-change refuses (--check-alter): its triggers find the copy's rows by it")
		case ast.AlterTableAddConstraint:
			if c := s.Constraint; c != nil && (c.Tp == ast.ConstraintPrimaryKey || c.Tp == ast.ConstraintUniq || c.Tp == ast.ConstraintUniqKey || c.Tp == ast.ConstraintUniqIndex) {
				what := "primary key"
				if c.Tp != ast.ConstraintPrimaryKey {
					what = "unique index"
					if c.Name != "" {
						what += " " + Ident(c.Name)
					}
				}
				return nil, errorAt(sql, 0, oscUniqueRefusal, what)
			}
		}
		for _, c := range s.NewColumns {
			if HasOption(c, ast.ColumnOptionUniqKey, ast.ColumnOptionPrimaryKey) {
				return nil, errorAt(sql, 0, oscUniqueRefusal, "unique key on column "+Ident(c.Name.Name.O))
			}
		}
		text, err := restoreSpec(s)
		if err != nil {
			return nil, errorAt(sql, 0, "emcee cannot write this ALTER TABLE's clause back for the tool: %v", err)
		}
		onCopy := text
		if s.Tp == ast.AlterTableDropForeignKey {
			onCopy = "DROP FOREIGN KEY " + Ident(OSCConstraintName(s.Name))
		}
		parts, out.onCopy = append(parts, text), append(out.onCopy, onCopy)
	}
	if !copies {
		return nil, errorAt(sql, 0, "only an ALTER TABLE with ALGORITHM=COPY is handed to an online schema change tool; the server runs the others online itself")
	}
	if len(parts) == 0 {
		return nil, errorAt(sql, 0, "this ALTER TABLE changes nothing but its algorithm")
	}
	out.Clauses = strings.Join(parts, ", ")
	return out, nil
}

// restoreSpec writes one clause back. The parser writes every CHECK with
// ENFORCED or NOT ENFORCED, which MySQL reads and MariaDB refuses; an
// enforced check, what both servers make of a CHECK without either word,
// is written without it. It writes DROP CONSTRAINT as MySQL's DROP CHECK,
// which MariaDB does not read (the tool failed on a syntax error halfway
// through a revision); DROP CONSTRAINT is read by both.
func restoreSpec(s *ast.AlterTableSpec) (string, error) {
	if s.Tp == ast.AlterTableDropCheck && s.Constraint != nil {
		return "DROP CONSTRAINT " + Ident(s.Constraint.Name), nil
	}
	if slices.ContainsFunc(s.NewColumns, func(c *ast.ColumnDef) bool { return HasOption(c, ast.ColumnOptionCheck) }) {
		return "", fmt.Errorf("a CHECK inside a column definition is not handed to the tool; declare the check on its own (ADD CONSTRAINT ... CHECK)")
	}
	c := s.Constraint
	if s.Tp != ast.AlterTableAddConstraint || c == nil || c.Tp != ast.ConstraintCheck || !c.Enforced {
		return Restore(s)
	}
	expr, err := Restore(c.Expr)
	if err != nil {
		return "", err
	}
	text := "ADD "
	if c.Name != "" {
		text += "CONSTRAINT " + Ident(c.Name) + " "
	}
	return text + "CHECK(" + expr + ")", nil
}

// HasOption reports whether a column definition has an option of one of
// the types.
func HasOption(c *ast.ColumnDef, types ...ast.ColumnOptionType) bool {
	return slices.ContainsFunc(c.Options, func(o *ast.ColumnOption) bool { return slices.Contains(types, o.Tp) })
}
