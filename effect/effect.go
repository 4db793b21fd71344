// Package effect reads what a plan statement does to the schema (drops a
// column, creates a trigger, tightens a column ...) from its syntax tree,
// so that the people reviewing a plan file see facts that hold for the
// file as committed, not for what the planner meant to write.
//
// The statements are read by sqlsyntax (the one reader of SQL), which
// reads the forms MySQL and MariaDB accept for these operations, not only
// the ones emcee writes, because a hand-edited file is exactly the one a
// reviewer must read correctly. A statement it cannot read is reported as
// such (DDL.Err), never guessed at.
package effect

import "strings"

// Op is one kind of schema effect.
type Op string

const (
	CreateTable   Op = "create table"
	DropTable     Op = "drop table"
	RenameTable   Op = "rename table"
	AddColumn     Op = "add column"
	DropColumn    Op = "drop column"
	ModifyColumn  Op = "modify column" // MODIFY or CHANGE: may widen or tighten
	RenameColumn  Op = "rename column"
	ColumnDefault Op = "set column default" // ALTER COLUMN ... SET DEFAULT or DROP DEFAULT
	AddIndex      Op = "add index"
	AddUnique     Op = "add unique index"
	DropIndex     Op = "drop index"
	AddForeignKey Op = "add foreign key"
	DropForeignKy Op = "drop foreign key"
	AddCheck      Op = "add check"
	DropCheck     Op = "drop check" // DROP CHECK (MySQL) or DROP CONSTRAINT
	AddPrimary    Op = "add primary key"
	DropPrimary   Op = "drop primary key"
	CreateTrigger Op = "create trigger"
	DropTrigger   Op = "drop trigger"
	CreateView    Op = "create view"
	DropView      Op = "drop view"
	DeleteRows    Op = "delete rows" // DELETE or TRUNCATE
	InsertRows    Op = "insert rows" // a data_migration's declared row
)

// Effect is one thing a statement does. Table is the table it acts on,
// Name the column, index, constraint, trigger or view; Def is a trigger's
// timing and event, the new name of a rename, an added index's
// definition (IndexDef), or the table an added foreign key references.
type Effect struct {
	Op    Op
	Table string
	Name  string
	Def   string
}

// Of lists the effects of one statement; statements with no schema effect
// (SELECT, UPDATE, SET) and statements emcee cannot read have none (Parse
// says why).
func Of(sql string) []Effect { return Parse(sql).Effects() }

// Effects lists what the statement does.
func (d *DDL) Effects() []Effect {
	var out []Effect
	switch d.Kind {
	case KindCreateTable:
		out = append(out, Effect{Op: CreateTable, Table: d.Name})
	case KindInsert:
		out = append(out, Effect{Op: InsertRows, Table: d.Name})
	case KindDropTable, KindDelete:
		for _, n := range d.Names {
			out = append(out, Effect{Op: map[string]Op{KindDropTable: DropTable, KindDelete: DeleteRows}[d.Kind], Table: n})
		}
	case KindRenameTable:
		for _, r := range d.Renames {
			out = append(out, Effect{Op: RenameTable, Table: r[0], Name: r[1]})
		}
	case KindCreateView:
		out = append(out, Effect{Op: CreateView, Name: d.Name})
	case KindDropView:
		for _, n := range d.Names {
			out = append(out, Effect{Op: DropView, Name: n})
		}
	case KindCreateTrigger:
		out = append(out, Effect{Op: CreateTrigger, Table: d.Name, Name: d.Trigger, Def: d.Event})
	case KindDropTrigger:
		out = append(out, Effect{Op: DropTrigger, Name: d.Trigger})
	case KindCreateIndex:
		op := AddIndex
		if d.Unique {
			op = AddUnique
		}
		out = append(out, Effect{Op: op, Table: d.Name, Name: d.Index, Def: IndexDef(d.Unique, d.Columns)})
	case KindDropIndex:
		out = append(out, Effect{Op: DropIndex, Table: d.Name, Name: d.Index})
	case KindAlterTable:
		for _, c := range d.Clauses {
			if e, ok := alterEffect(c); ok {
				e.Table = d.Name
				out = append(out, e)
			}
		}
	}
	return out
}

// alterEffect is what one clause of ALTER TABLE does; options such as
// ALGORITHM=INSTANT do nothing to the schema.
func alterEffect(c Clause) (Effect, bool) {
	op, ok := map[string]Op{
		"ADD COLUMN": AddColumn, "ADD UNIQUE": AddUnique, "ADD FOREIGN KEY": AddForeignKey,
		"ADD CHECK": AddCheck, "ADD INDEX": AddIndex, "ADD PRIMARY KEY": AddPrimary,
		"DROP COLUMN": DropColumn, "DROP INDEX": DropIndex, "DROP FOREIGN KEY": DropForeignKy,
		"DROP PRIMARY KEY": DropPrimary, "DROP CHECK": DropCheck, "DROP CONSTRAINT": DropCheck,
		"MODIFY COLUMN": ModifyColumn, "CHANGE COLUMN": ModifyColumn, "ALTER COLUMN": ColumnDefault,
		"RENAME COLUMN": RenameColumn, "RENAME TABLE": RenameTable,
	}[c.Op+" "+c.Object]
	switch {
	case !ok:
		return Effect{}, false
	case op == RenameColumn, op == ModifyColumn && c.To != "" && !strings.EqualFold(c.To, c.Name):
		return Effect{Op: RenameColumn, Name: c.Name, Def: c.To}, true
	case op == RenameTable:
		return Effect{Op: RenameTable, Name: c.To}, true
	case op == AddIndex, op == AddUnique, op == AddPrimary:
		return Effect{Op: op, Name: c.Name, Def: IndexDef(op != AddIndex, c.Columns)}, true
	case op == AddForeignKey:
		return Effect{Op: op, Name: c.Name, Def: c.References}, true
	}
	return Effect{Op: op, Name: c.Name}, true
}

// IndexDef is an index's definition as a drift report writes it (devdb)
// and the applier compares an added index's with the live one's: its
// columns in parentheses, after UNIQUE for a unique one.
func IndexDef(unique bool, cols []string) string {
	def := "(" + strings.Join(cols, ", ") + ")"
	if unique {
		def = "UNIQUE " + def
	}
	return def
}
