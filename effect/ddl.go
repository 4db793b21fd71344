package effect

import (
	"cmp"
	"maps"
	"slices"
	"strings"

	"github.com/pingcap/tidb/pkg/parser/ast"

	"github.com/emcee-db/emcee/sqlname"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// Statement kinds lint and review read; any other statement (DML, gates,
// SET) has kind "".
const (
	KindAlterTable    = "ALTER TABLE"
	KindCreateTable   = "CREATE TABLE"
	KindDropTable     = "DROP TABLE"
	KindRenameTable   = "RENAME TABLE"
	KindCreateView    = "CREATE VIEW"
	KindDropView      = "DROP VIEW"
	KindCreateTrigger = "CREATE TRIGGER"
	KindDropTrigger   = "DROP TRIGGER"
	KindCreateIndex   = "CREATE INDEX"
	KindDropIndex     = "DROP INDEX"
	KindDelete        = "DELETE" // DELETE or TRUNCATE
	// KindInsert is an INSERT: a data_migration's declared row (a row
	// block), run once in migrate.
	KindInsert = "INSERT"
)

// planned are the kinds of statement emcee's planner writes outside a
// gate or a backfill (each read under its directive): schema changes of
// tables, views, triggers and indexes. No plan format writes another.
var planned = map[string]bool{
	KindAlterTable: true, KindCreateTable: true, KindDropTable: true, KindRenameTable: true,
	KindCreateView: true, KindDropView: true, KindCreateTrigger: true, KindDropTrigger: true,
	KindCreateIndex: true, KindDropIndex: true,
}

// Planned tells a statement of a kind emcee writes outside a gate or a
// backfill: a GRANT, a CREATE USER, a SET GLOBAL, a DO, an UPDATE without
// its directive, a DELETE without a WHERE are none, so a plan holding one
// was edited by hand, whatever else says otherwise (the applier refuses
// the revision before it runs anything: apply's Session.readable; plan
// --check and lint call it an edit whatever plan format its snapshot
// records). A statement that sets only the session's foreign_key_checks
// is one (MySQL 8's SET SESSION foreign_key_checks around an in-place
// foreign key; any other setting is not: settings), and
// so are the two row statements a data_migration writes outside a
// directive (insertForm, sqlsyntax.DeletedRows).
//
// Of those kinds, one naming a table of another database (`mysql`.`user`
// in a view, a trigger's body or an ALTER) or a CREATE TABLE ... SELECT,
// which copies rows of whatever it reads, is none either: emcee names
// only the tables of the database it runs in, and creates tables empty.
func (d *DDL) Planned() bool {
	return d.Err == nil && len(d.qualified) == 0 && !d.copies && d.unplanned == "" && d.lock == "" && (planned[d.Kind] || d.SetsSession || d.rows)
}

// SessionLock is the call of a function acting on the session's named
// locks the statement makes (sqlsyntax.SessionLock), with why emcee writes
// none, in any statement, gates and backfills included; "" when it makes
// none.
func (d *DDL) SessionLock() string { return d.lock }

// OtherDatabase is a table of another database than except (any case)
// the statement names (the first by name, written db.table), "" when it
// names none: emcee names only the tables of the database it runs in, in
// every statement it writes, gates and backfills included, but for a gate
// reading information_schema (the row format of the table a conversion
// alters).
func (d *DDL) OtherDatabase(except string) string {
	for _, k := range slices.Sorted(maps.Keys(d.qualified)) {
		if db, table, _ := strings.Cut(k, "\x00"); !strings.EqualFold(db, except) {
			return sqlsyntax.Ident(db) + "." + sqlsyntax.Ident(table)
		}
	}
	return ""
}

// Unplanned says what makes a statement of a kind emcee writes one it
// never writes, "" when nothing does or it is of another kind: a trigger
// whose body does more than set the row's columns.
func (d *DDL) Unplanned() string { return cmp.Or(d.unplanned, d.lock) }

// DDL is what a statement does, read from its syntax tree.
type DDL struct {
	Kind string
	// Name is the table of ALTER/CREATE TABLE, of an index statement and of
	// a trigger, or the view created.
	Name string
	// Names are the tables or views a DROP TABLE, DROP VIEW, DELETE or
	// TRUNCATE acts on.
	Names []string
	// Renames are the from/to pairs of RENAME TABLE.
	Renames [][2]string
	// Trigger is the trigger a CREATE TRIGGER creates or DROP TRIGGER
	// drops, Event when it fires ("BEFORE UPDATE").
	Trigger string
	Event   string
	Index   string // the index of CREATE INDEX and DROP INDEX
	Unique  bool   // CREATE UNIQUE INDEX
	// Columns are the columns CREATE INDEX names (expression parts left
	// out).
	Columns []string
	// Algorithm is the ALGORITHM clause of ALTER TABLE or an index
	// statement, upper-cased; "" when the statement leaves it to the server.
	Algorithm string
	Clauses   []Clause // ALTER TABLE
	// SetsSession is set for a statement that changes only variables of
	// the session (SET [SESSION] x = ..., SET @x = ..., SET NAMES), which
	// the statements after it may rely on; not for SET STATEMENT ... FOR,
	// which scopes its settings to one statement, nor for global settings,
	// SET TRANSACTION (the next transaction only), passwords or roles.
	SetsSession bool
	// Err is set when emcee cannot read the statement; Kind is then "".
	Err error
	// rows is set for an INSERT or DELETE of the form a data_migration
	// writes (insertForm, sqlsyntax.DeletedRows).
	rows bool
	// copies is set for a CREATE TABLE ... SELECT.
	copies bool
	// unplanned is what makes the statement one emcee never writes
	// although its kind is planned (Unplanned).
	unplanned string
	// lock is SessionLock's.
	lock string
	// reads are the names the statement mentions; for a trigger or view,
	// the names its body mentions.
	reads map[string]bool
	// every is set when it selects every column of a table where their
	// number counts (sqlsyntax.CopiesEveryColumn).
	every bool
	// qualified are the tables it names with their database
	// (sqlsyntax.QualifiedKey).
	qualified map[string]bool
}

// Clause is one comma-separated part of an ALTER TABLE.
type Clause struct {
	// Op is ADD, DROP, MODIFY, CHANGE, RENAME, ALTER (a column's default),
	// ALGORITHM, LOCK, a table option that rewrites the table (FORCE,
	// ENGINE, CONVERT, ROW_FORMAT, KEY_BLOCK_SIZE, ORDER), OPTION (any
	// other table option) or OTHER.
	Op string
	// Object is what the clause adds, drops or renames: COLUMN, INDEX,
	// UNIQUE, PRIMARY KEY, FOREIGN KEY, CHECK (DROP CHECK or DROP
	// CONSTRAINT), PARTITION or TABLE (RENAME TO); for OPTION, the table's
	// default CHARSET or COLLATE it sets.
	Object string
	Name   string // the column, index or constraint; ALGORITHM's and LOCK's value; the CHARSET's or COLLATE's
	To     string // the new name of CHANGE and RENAME
	// NotNull is set when the column definition of ADD, MODIFY or CHANGE
	// says NOT NULL.
	NotNull bool
	// AutoIncrement is set when the column definition of ADD says
	// AUTO_INCREMENT: the server numbers the rows, so none collide.
	AutoIncrement bool
	// Filled is set when the column definition of ADD gives a DEFAULT, an
	// expression the column is generated from or ON UPDATE: rows that omit
	// it, or are updated, hold a value, not NULL.
	Filled bool
	// Decimals are the digits after the point the column definition of
	// MODIFY or CHANGE gives its type (DECIMAL(M,D)'s D), 0 when it gives
	// none.
	Decimals int
	// Columns are the columns of a key or index ADD names (expression
	// parts left out).
	Columns []string
	// Whole is set when every part of the key or index ADD names is a
	// whole column: no prefix length, no expression.
	Whole bool
	// References is the table a foreign key ADD names references.
	References string
}

// Mentions reports whether the statement names the identifier, quoted or
// not (NEW.`c`, OLD.c and c all name column c); for a trigger or a view,
// whether its body does.
func (d *DDL) Mentions(name string) bool { return d.reads[strings.ToLower(name)] }

// CopiesEveryColumn reports whether the statement (a trigger's or
// routine's body) selects every column of a table it names where their
// number counts (INSERT ... SELECT *, a cursor): a column added or
// dropped breaks it, named or not.
func (d *DDL) CopiesEveryColumn() bool { return d.every }

// NamesTableOf reports whether the statement (a trigger's or view's body)
// names table db.table with its database written out, as an object of
// another database must to reach it; the database's name in any case
// where foldDB (a server whose lower_case_table_names is not 0), else
// exactly: `APP`.t is another database's table than `app`.t then.
func (d *DDL) NamesTableOf(db, table string, foldDB bool) bool {
	if !foldDB {
		return d.qualified[sqlsyntax.QualifiedKey(db, table)]
	}
	for k := range d.qualified {
		if q, t, _ := strings.Cut(k, "\x00"); strings.EqualFold(q, db) && t == strings.ToLower(table) {
			return true
		}
	}
	return false
}

// Parse reads one statement.
func Parse(sql string) *DDL {
	st, err := sqlsyntax.ReadStmt(sql)
	if err != nil {
		return &DDL{Err: err}
	}
	d := &DDL{}
	if t := st.Trigger; t != nil && t.Drop {
		d.Kind, d.Trigger = KindDropTrigger, t.Name
		return d
	}
	d.reads, d.qualified = sqlsyntax.Names(st.Node)
	d.every = sqlsyntax.CopiesEveryColumn(st.Node)
	d.unplanned = settings(st.Settings)
	// emcee's own tables (the version table above all) are written by
	// emcee's bookkeeping, never by a plan: a release may not declare
	// them (sqlname.Reserved).
	own := ""
	if st.Trigger != nil && sqlname.Reserved(st.Trigger.Table) != nil {
		own = st.Trigger.Table
	}
	for _, t := range sqlsyntax.Tables(st.Node) {
		if own == "" && t.Schema.O == "" && sqlname.Reserved(t.Name.O) != nil {
			own = t.Name.O
		}
	}
	if own != "" && d.unplanned == "" {
		d.unplanned = "it names " + sqlsyntax.Ident(own) + ", one of emcee's own tables, which emcee's bookkeeping writes and no plan does (a plan writing the version table forges or erases the record of what ran)"
	}
	if o := sqlsyntax.OutsideOption(st.Node); o != "" && d.unplanned == "" {
		d.unplanned = o + ": it keeps the table's data outside the database, in a directory of the server's or on another server; emcee's tables are stored where the server keeps the database"
	}
	if name, why := sqlsyntax.SessionLock(st.Node); name != "" {
		d.lock = name + "(...): it " + why
	}
	if t := st.Trigger; t != nil {
		d.Kind, d.Name, d.Trigger, d.Event = KindCreateTrigger, t.Table, t.Name, t.Timing+" "+t.Event
		if !rowSetting(st.Node) {
			d.unplanned = "a trigger whose body does more than set columns of the row written from its own columns (emcee's triggers hold SET NEW.col = ..., reading no table, under IF and BEGIN ... END, nothing else); the body runs in the session of whoever writes the row, with the privileges of the operator who created it"
		}
		return d
	}
	switch n := st.Node.(type) {
	case *ast.AlterTableStmt:
		d.Kind, d.Name = KindAlterTable, n.Table.Name.O
		if st.Online {
			d.Clauses = append(d.Clauses, Clause{Op: "LOCK", Name: "NONE"})
		}
		for _, s := range n.Specs {
			for _, c := range clauses(s) {
				if c.Op == "ALGORITHM" {
					if st.NoCopy && c.Name == "COPY" {
						c.Name = "NOCOPY"
					}
					d.Algorithm = c.Name
				}
				d.Clauses = append(d.Clauses, c)
			}
		}
	case *ast.CreateTableStmt:
		d.Kind, d.Name = KindCreateTable, n.Table.Name.O
		d.copies = n.Select != nil
	case *ast.DropTableStmt:
		d.Kind = KindDropTable
		if n.IsView {
			d.Kind = KindDropView
		}
		for _, t := range n.Tables {
			d.Names = append(d.Names, t.Name.O)
		}
	case *ast.RenameTableStmt:
		d.Kind = KindRenameTable
		for _, r := range n.TableToTables {
			d.Renames = append(d.Renames, [2]string{r.OldTable.Name.O, r.NewTable.Name.O})
		}
	case *ast.CreateViewStmt:
		d.Kind, d.Name = KindCreateView, n.ViewName.Name.O
		d.reads, d.qualified = sqlsyntax.Names(n.Select)
		if n.Security != ast.SecurityInvoker && d.unplanned == "" {
			// rename-table's view is SQL SECURITY INVOKER: it reads with
			// the privileges of whoever queries it.
			d.unplanned = "a view that runs with its definer's privileges (SQL SECURITY DEFINER, the default): whoever may query it reads, and calls functions, with the privileges of the operator who created it (a LOAD_FILE reads the server's files); emcee's views are SQL SECURITY INVOKER"
		}
	case *ast.CreateIndexStmt:
		d.Kind, d.Name, d.Index, d.Unique = KindCreateIndex, n.Table.Name.O, n.IndexName, n.KeyType == ast.IndexKeyTypeUnique
		for _, k := range n.IndexPartSpecifications {
			if k.Column != nil {
				d.Columns = append(d.Columns, k.Column.Name.O)
			}
		}
		d.Algorithm = indexAlgorithm(n.LockAlg, st.NoCopy)
	case *ast.DropIndexStmt:
		d.Kind, d.Name, d.Index = KindDropIndex, n.Table.Name.O, n.IndexName
		d.Algorithm = indexAlgorithm(n.LockAlg, st.NoCopy)
	case *ast.InsertStmt:
		d.Kind = KindInsert
		if t := sqlsyntax.OneTable(n.Table); t != nil {
			d.Name = t.Name.O
		}
		d.rows = insertForm(n)
	case *ast.DeleteStmt:
		d.Kind = KindDelete
		if n.IsMultiTable && n.Tables != nil {
			for _, t := range n.Tables.Tables {
				d.Names = append(d.Names, t.Name.O)
			}
		} else if t := sqlsyntax.OneTable(n.TableRefs); t != nil {
			d.Names = append(d.Names, t.Name.O)
		}
		// The DELETE a data_migration's delete predicate is planned as
		// (sqlsyntax.DeleteRows, read back by sqlsyntax.DeletedRows).
		_, _, d.rows = sqlsyntax.DeletedRows(n)
	case *ast.SetStmt:
		d.SetsSession = len(st.Settings) == 0
		for _, v := range n.Variables {
			// The parser reads SET TRANSACTION ISOLATION LEVEL as a one-shot
			// variable; SET [SESSION] TRANSACTION READ ONLY it cannot tell
			// apart, and rerunning the one-shot form would make the
			// resumed run's next transaction read-only.
			if v.IsGlobal || v.IsInstance || v.Name == "tx_isolation_one_shot" || v.Name == "tx_read_only" {
				d.SetsSession = false
			}
		}
		if d.SetsSession {
			d.unplanned = settings(n.Variables)
		}
	case *ast.TruncateTableStmt:
		d.Kind, d.Names = KindDelete, []string{n.Table.Name.O}
	}
	return d
}

// plannedSettings are the session variables emcee's plans set, with SET
// SESSION or SET STATEMENT ... FOR (splitter/flavor.go: an in-place
// foreign key without the check of the rows already there).
var plannedSettings = map[string]bool{"foreign_key_checks": true}

// settings says what of a SET's (or a SET STATEMENT's) variables is no
// setting emcee writes, "" when none is: another session setting changes
// how the server reads or runs the statements after it past what emcee
// read of them (sql_mode's NO_BACKSLASH_ESCAPES or ANSI_QUOTES, a client
// charset: a string the guard read whole then ends early on the server,
// and what follows it runs unread), keeps them from the replicas
// (sql_log_bin), or leaves a user variable for them to read.
func settings(vars []*ast.VariableAssignment) string {
	for _, v := range vars {
		if v.IsSystem && !v.IsGlobal && !v.IsInstance && plannedSettings[strings.ToLower(v.Name)] {
			continue
		}
		name := v.Name
		switch {
		case !v.IsSystem:
			name = "@" + name
		case name == ast.SetNames || name == ast.SetCharset:
			name = "the client's charset (SET NAMES or CHARACTER SET)"
		}
		return "it sets " + name + ", and emcee's plans set no session variable but foreign_key_checks: another setting changes how the server reads or runs the statements after it, past what emcee read of them (sql_mode's NO_BACKSLASH_ESCAPES or ANSI_QUOTES, a client charset), or keeps them from the replicas (sql_log_bin)"
	}
	return ""
}

// rowSetting tells a trigger body of the statements emcee's triggers hold
// (splitter/column_sync.go): BEGIN ... END without declarations, IF ...
// ELSEIF ... ELSE ... END IF, and SET NEW.col = <the row's own columns>
// (no subquery); a SET GLOBAL, a
// SELECT ... INTO OUTFILE, a write to a table or a session variable set
// there would run in the application's session at every row it writes,
// with the privileges of the operator who created the trigger.
func rowSetting(n ast.StmtNode) bool {
	all := func(stmts []ast.StmtNode) bool {
		for _, s := range stmts {
			if !rowSetting(s) {
				return false
			}
		}
		return true
	}
	switch n := n.(type) {
	case *ast.ProcedureBlock:
		return len(n.ProcedureVars) == 0 && all(n.ProcedureProcStmts)
	case *ast.ProcedureIfInfo:
		return n.IfBody != nil && rowSetting(n.IfBody)
	case *ast.ProcedureIfBlock:
		return all(n.ProcedureIfStmts) && (n.ProcedureElseStmt == nil || rowSetting(n.ProcedureElseStmt))
	case *ast.ProcedureElseIfBlock:
		return n.ProcedureIfStmt != nil && rowSetting(n.ProcedureIfStmt)
	case *ast.ProcedureElseBlock:
		return all(n.ProcedureIfStmts)
	case *ast.SetStmt:
		for _, v := range n.Variables {
			row, col, ok := strings.Cut(v.Name, ".")
			if !ok || col == "" || !strings.EqualFold(row, "NEW") || !v.IsSystem || v.IsGlobal || v.IsInstance {
				return false
			}
		}
		// A value computed from the row alone (a trigger's expression
		// may read no other row: sqlsyntax's PerRow policy): a subquery
		// reads tables with the privileges of the trigger's definer, for
		// whoever writes the row.
		return len(n.Variables) > 0 && len(sqlsyntax.Tables(n)) == 0
	}
	return false
}

// insertForm tells the INSERT a data_migration's row block is planned as
// (sqlsyntax.SeedInsert): INSERT INTO t (columns) SELECT ..., into a table
// of the database it runs in, neither REPLACE nor ON DUPLICATE KEY UPDATE
// (which would overwrite a row the server must refuse instead).
func insertForm(n *ast.InsertStmt) bool {
	t := sqlsyntax.OneTable(n.Table)
	_, sel := n.Select.(*ast.SelectStmt)
	return t != nil && t.Schema.O == "" && sel && len(n.Columns) > 0 && !n.IsReplace && len(n.OnDuplicate) == 0 && !n.Setlist
}

// clauses are what one ALTER TABLE specification says; ADD COLUMN (a, b)
// adds two columns.
func clauses(s *ast.AlterTableSpec) []Clause {
	switch s.Tp {
	case ast.AlterTableAddColumns:
		var out []Clause
		for _, c := range s.NewColumns {
			out = append(out, Clause{Op: "ADD", Object: "COLUMN", Name: c.Name.Name.O, NotNull: notNull(c), AutoIncrement: sqlsyntax.HasOption(c, ast.ColumnOptionAutoIncrement),
				Filled: sqlsyntax.HasOption(c, ast.ColumnOptionDefaultValue, ast.ColumnOptionGenerated, ast.ColumnOptionOnUpdate)})
		}
		return out
	case ast.AlterTableAddConstraint:
		return []Clause{addConstraint(s.Constraint)}
	case ast.AlterTableDropColumn:
		return []Clause{{Op: "DROP", Object: "COLUMN", Name: s.OldColumnName.Name.O}}
	case ast.AlterTableDropPrimaryKey:
		return []Clause{{Op: "DROP", Object: "PRIMARY KEY"}}
	case ast.AlterTableDropIndex:
		return []Clause{{Op: "DROP", Object: "INDEX", Name: s.Name}}
	case ast.AlterTableDropForeignKey:
		return []Clause{{Op: "DROP", Object: "FOREIGN KEY", Name: s.Name}}
	case ast.AlterTableDropCheck:
		// MariaDB's DROP CONSTRAINT reads as DROP CHECK: it drops checks.
		return []Clause{{Op: "DROP", Object: "CHECK", Name: s.Constraint.Name}}
	case ast.AlterTableDropPartition, ast.AlterTableDropFirstPartition:
		return []Clause{{Op: "DROP", Object: "PARTITION"}}
	case ast.AlterTableModifyColumn:
		return []Clause{{Op: "MODIFY", Object: "COLUMN", Name: s.NewColumns[0].Name.Name.O, NotNull: notNull(s.NewColumns[0]), Decimals: decimals(s.NewColumns[0])}}
	case ast.AlterTableChangeColumn:
		return []Clause{{Op: "CHANGE", Object: "COLUMN", Name: s.OldColumnName.Name.O, To: s.NewColumns[0].Name.Name.O, NotNull: notNull(s.NewColumns[0]), Decimals: decimals(s.NewColumns[0])}}
	case ast.AlterTableRenameColumn:
		return []Clause{{Op: "RENAME", Object: "COLUMN", Name: s.OldColumnName.Name.O, To: s.NewColumnName.Name.O}}
	case ast.AlterTableRenameIndex:
		return []Clause{{Op: "RENAME", Object: "INDEX", Name: s.FromKey.O, To: s.ToKey.O}}
	case ast.AlterTableRenameTable:
		return []Clause{{Op: "RENAME", Object: "TABLE", To: s.NewTable.Name.O}}
	case ast.AlterTableAlterColumn:
		return []Clause{{Op: "ALTER", Object: "COLUMN", Name: s.NewColumns[0].Name.Name.O}}
	case ast.AlterTableAlgorithm:
		return []Clause{{Op: "ALGORITHM", Name: s.Algorithm.String()}}
	case ast.AlterTableLock:
		return []Clause{{Op: "LOCK", Name: s.LockType.String()}}
	case ast.AlterTableForce:
		return []Clause{{Op: "FORCE"}}
	case ast.AlterTableOrderByColumns:
		return []Clause{{Op: "ORDER"}}
	case ast.AlterTableOption:
		var out []Clause
		for _, o := range s.Options {
			op, ok := map[ast.TableOptionType]string{ast.TableOptionEngine: "ENGINE", ast.TableOptionRowFormat: "ROW_FORMAT", ast.TableOptionKeyBlockSize: "KEY_BLOCK_SIZE"}[o.Tp]
			c := Clause{Op: op}
			switch {
			case o.Tp == ast.TableOptionCharset && o.UintValue == ast.TableOptionCharsetWithConvertTo:
				c.Op = "CONVERT"
			case o.Tp == ast.TableOptionCharset:
				c.Op, c.Object, c.Name = "OPTION", "CHARSET", o.StrValue
			case o.Tp == ast.TableOptionCollate:
				c.Op, c.Object, c.Name = "OPTION", "COLLATE", o.StrValue
			case !ok:
				c.Op = "OPTION"
			}
			out = append(out, c)
		}
		return out
	}
	return []Clause{{Op: "OTHER"}}
}

func notNull(c *ast.ColumnDef) bool { return sqlsyntax.HasOption(c, ast.ColumnOptionNotNull) }

func decimals(c *ast.ColumnDef) int {
	if c.Tp == nil {
		return 0
	}
	return max(c.Tp.GetDecimal(), 0)
}

func addConstraint(c *ast.Constraint) Clause {
	out := Clause{Op: "ADD", Name: c.Name, Whole: true}
	for _, k := range c.Keys {
		if k.Column != nil {
			out.Columns = append(out.Columns, k.Column.Name.O)
		}
		out.Whole = out.Whole && k.Column != nil && k.Expr == nil && k.Length <= 0
	}
	switch c.Tp {
	case ast.ConstraintPrimaryKey:
		out.Object = "PRIMARY KEY"
	case ast.ConstraintUniq, ast.ConstraintUniqKey, ast.ConstraintUniqIndex:
		out.Object = "UNIQUE"
	case ast.ConstraintForeignKey:
		out.Object = "FOREIGN KEY"
		if c.Refer != nil {
			out.References = c.Refer.Table.Name.O
		}
	case ast.ConstraintCheck:
		out.Object = "CHECK"
	default:
		out.Object = "INDEX"
	}
	return out
}

func indexAlgorithm(l *ast.IndexLockAndAlgorithm, noCopy bool) string {
	switch {
	case l == nil:
		return ""
	case noCopy && l.AlgorithmTp == ast.AlgorithmTypeCopy:
		return "NOCOPY"
	case l.AlgorithmTp == ast.AlgorithmTypeDefault:
		return "" // the parser's zero value: no ALGORITHM clause
	}
	return l.AlgorithmTp.String()
}

// Rounds says what MODIFY or CHANGE clause c does, without an error, to the
// values of a column of dataType (information_schema's DATA_TYPE) with
// scale decimals under collation: changes is set when it stores some of
// them otherwise than written (a DECIMAL losing decimals rounds them, text
// loses trailing spaces; fewer digits before the point are an error), and
// collides when a unique key of the column itself may then equal another
// row's (under a PAD SPACE collation a value without its trailing spaces
// equals itself with them).
func (c Clause) Rounds(dataType string, scale int, collation string) (changes, collides bool) {
	switch strings.ToLower(dataType) {
	case "decimal":
		return scale > c.Decimals, scale > c.Decimals
	case "char", "varchar", "tinytext", "text", "mediumtext", "longtext":
		return true, sqlsyntax.NoPadCollation(collation)
	}
	return false, false
}
