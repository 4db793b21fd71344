// Package sqlrelease evaluates a release declared as SQL
// (schema/<release>.sql: CREATE TABLE statements as ORMs and mysqldump
// --no-data write them) the way Atlas evaluates `file://*.sql`: the
// statements run in a dev database, Atlas inspects what they created, and
// the result is written as the Atlas HCL the release pipeline loads
// (diff.FromSQL), with the declarations file beside the SQL.
//
// Every statement is read by emcee's SQL reader before it runs anywhere,
// and only what sets up a session or creates tables in the dev database
// runs: anything that would reach another database, read or write data,
// or create something other than tables is refused at its file:line.
package sqlrelease

import (
	"cmp"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	"github.com/pingcap/tidb/pkg/parser/ast"

	"github.com/emcee-db/emcee/diff"
	"github.com/emcee-db/emcee/sqlname"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// MaxSize is the largest SQL file read: ten times the mysqldump --no-data
// of a schema of 10,000 tables. The file is read whole, and every
// statement is parsed and sent.
const MaxSize = 64 << 20

// Script is a SQL file read and checked.
type Script struct {
	File string
	// Run are the statements to run in the dev database, in order.
	Run []Stmt
	// At is where each table ("t"), column ("t.c") and named index, key or
	// check ("t/name") is defined.
	At map[string]diff.Pos
	// Default is the database default the file declares (CREATE DATABASE
	// or ALTER DATABASE with CHARACTER SET or COLLATE), nil if none: the
	// default of the databases the release is for, as a schema block's
	// charset and collate declare it in HCL.
	Default *Default
	// order is the order in which tables were first created.
	order map[string]int
	// keys are the keys of At each table defined, by its name, which a
	// DROP TABLE forgets.
	keys map[string][]string
	// database is the name the file's CREATE DATABASE gives, which its USE
	// may name.
	database string
}

// Default is a database default declared in SQL: a charset, a collation,
// or both, as the statement gives them (the server completes the other).
type Default struct {
	Charset, Collation string
	Pos                diff.Pos
}

// Stmt is one statement to run.
type Stmt struct {
	Pos  diff.Pos
	Exec string
	// sets is a SET: the statements after it run in the session it made.
	sets bool
}

// Read reads and checks a SQL file; file names it in errors.
func Read(file string, src []byte) (*Script, error) {
	if len(src) > MaxSize {
		return nil, fmt.Errorf("%s: %d bytes: emcee reads SQL releases of up to %d MiB; a schema this large is best declared in HCL, or split so that each release holds what it changes", file, len(src), MaxSize>>20)
	}
	stmts, err := sqlsyntax.ReadScript(string(src))
	if err != nil {
		if e, ok := err.(*sqlsyntax.Error); ok {
			return nil, fmt.Errorf("%s:%d:%d: %s", file, e.Line, e.Col, e.Msg)
		}
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	s := &Script{File: file, At: map[string]diff.Pos{}, order: map[string]int{}, keys: map[string][]string{}}
	created := map[string]created{}
	var errs []string
	for _, st := range stmts {
		pos := diff.Pos{File: file, Line: st.Line, Col: st.Col}
		if msg := directive(st.Comments); msg != "" {
			errs = append(errs, pos.Errorf("%s", msg).Error())
			continue
		}
		run, err := s.check(st, pos, created)
		if err != nil {
			errs = append(errs, err.Error())
			continue
		}
		if run {
			_, sets := st.Node.(*ast.SetStmt)
			s.Run = append(s.Run, Stmt{Pos: pos, Exec: st.Exec, sets: sets})
		}
	}
	if err := diff.JoinLines(errs); err != nil {
		return nil, err
	}
	return s, nil
}

// directive refuses comments that look like they tell emcee or Atlas
// something: emcee reads declarations from the declarations file only, and
// Atlas's directives (atlas:import ...) are not followed.
func directive(comments []string) string {
	for _, c := range comments {
		body := strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(c), "-#/*"))
		for _, tool := range []string{"emcee:", "atlas:"} {
			if strings.HasPrefix(strings.ToLower(body), tool) {
				return fmt.Sprintf("comment %q reads as a directive, but a SQL release takes none: emcee's declarations go in the declarations file beside it (schema/<release>.emcee.hcl), and Atlas's directives are not followed (paste what atlas:import would bring in); reword the comment", strings.TrimSpace(c))
			}
		}
	}
	return ""
}

// check decides what to do with a statement: run it, skip it (true or
// false), or refuse it.
// created is a table a file's statements created (and did not drop since),
// by its name lower-cased.
type created struct {
	name string
	pos  diff.Pos
}

func (s *Script) check(st *sqlsyntax.ScriptStmt, pos diff.Pos, tables map[string]created) (bool, error) {
	if st.Trigger != nil {
		what := "CREATE TRIGGER"
		if st.Trigger.Drop {
			what = "DROP TRIGGER"
		}
		return false, pos.Errorf("%s: a SQL release holds no triggers: emcee creates the triggers an upgrade needs itself; remove it (mysqldump --skip-triggers leaves triggers out of a dump)", what)
	}
	if st.Node == nil {
		return false, nil // comments only
	}
	if len(st.Settings) > 0 {
		return false, pos.Errorf("SET STATEMENT %s ... FOR %s: a SQL release sets up its session with SET statements of their own, which are checked; write SET %s = ...; before the statement", st.Settings[0].Name, kindOf(st.Node), st.Settings[0].Name)
	}
	for _, t := range sqlsyntax.Tables(st.Node) {
		if t.Schema.O != "" {
			return false, pos.Errorf("%s names %s.%s, a table of another database: a SQL release creates its tables in the database it is run in; write the table's name alone", kindOf(st.Node), t.Schema.O, t.Name.O)
		}
		if err := sqlname.Reserved(t.Name.O); err != nil {
			return false, pos.Errorf("%s: %v", kindOf(st.Node), err)
		}
	}
	switch n := st.Node.(type) {
	case *ast.SetStmt:
		return true, checkSet(n, pos)
	case *ast.CreateTableStmt:
		if err := checkCreate(n, pos); err != nil {
			return false, err
		}
		name := n.Table.Name.O
		// MariaDB's information_schema, asked for both tables by name as
		// Atlas asks, answers with the columns of one of them, so the
		// other read as a table of no columns ("table "users" has no
		// columns"); and the servers that compare table names without
		// case take them for one table.
		if c, ok := tables[strings.ToLower(name)]; ok && c.name != name {
			return false, pos.Errorf("CREATE TABLE %s: the file creates table %s at %s, a name differing from %s only in letter case. emcee cannot plan both: it reads the tables the file creates from the server's information_schema, which on MariaDB gives the columns of only one of them when asked for both, and a server with lower_case_table_names = 1 or 2 (the default on Windows and macOS) takes them for one table. Give one of them another name", name, c.name, c.pos, name)
		}
		if _, ok := s.order[n.Table.Name.O]; !ok {
			s.order[n.Table.Name.O] = len(s.order)
		}
		s.define(name, name, pos)
		tables[strings.ToLower(name)] = created{name: name, pos: pos}
		// Each column, index, key and check is placed at its own
		// line:col: an error about one pointed at the statement's start.
		part := func(i int) diff.Pos {
			if i < len(st.Parts) && st.Parts[i][0] > 0 {
				return diff.Pos{File: pos.File, Line: st.Parts[i][0], Col: st.Parts[i][1]}
			}
			return pos
		}
		for i, c := range n.Cols {
			s.define(name, name+"."+c.Name.Name.O, part(i))
		}
		for i, name := range constraintNames(n) {
			s.definePart(n.Table.Name.O, name, part(len(n.Cols)+i))
		}
		return true, nil
	case *ast.CreateIndexStmt:
		s.definePart(n.Table.Name.O, n.IndexName, pos)
		return true, nil
	case *ast.AlterTableStmt:
		return true, s.checkAlter(n, pos)
	case *ast.DropTableStmt:
		if n.IsView {
			return false, pos.Errorf("DROP VIEW: %s", notSchema)
		}
		if n.TemporaryKeyword != ast.TemporaryNone {
			return false, pos.Errorf("DROP TEMPORARY TABLE: %s", notSchema)
		}
		switch {
		case slices.ContainsFunc(n.Tables, func(t *ast.TableName) bool { _, ok := tables[strings.ToLower(t.Name.O)]; return ok }):
			for _, t := range n.Tables {
				if c, ok := tables[strings.ToLower(t.Name.O)]; ok {
					s.forget(c.name)
				}
				delete(tables, strings.ToLower(t.Name.O))
			}
			return true, nil
		case n.IfExists:
			// The dev database is empty: dropping a table the file has not
			// created yet (mysqldump's DROP TABLE IF EXISTS) does nothing.
			return false, nil
		}
		return false, pos.Errorf("DROP TABLE %s: no statement before it creates that table", n.Tables[0].Name.O)
	case *ast.CreateDatabaseStmt:
		if s.database != "" && !strings.EqualFold(s.database, n.Name.O) {
			return false, pos.Errorf("CREATE DATABASE %s: %s already creates database %s; a SQL release declares the one database it is for", n.Name.O, s.File, s.database)
		}
		s.database = n.Name.O
		return false, s.declare("CREATE DATABASE", n.Options, pos, tables)
	case *ast.AlterDatabaseStmt:
		if s.database != "" && n.Name.O != "" && !strings.EqualFold(s.database, n.Name.O) {
			return false, pos.Errorf("ALTER DATABASE %s: %s creates database %s; a SQL release declares the default of the one database it is for: name that one, or none", n.Name.O, s.File, s.database)
		}
		return false, s.declare("ALTER DATABASE", n.Options, pos, tables)
	case *ast.UseStmt:
		if s.database != "" && strings.EqualFold(s.database, n.DBName) {
			// mysqldump --databases: the tables go in the database it
			// creates, which is the one the release is for.
			return false, nil
		}
	case *ast.LockTablesStmt, *ast.UnlockTablesStmt, *ast.BeginStmt, *ast.CommitStmt:
		// What a dump or an ORM wraps its statements in: nothing to the
		// schema, and nothing to lock in a dev database.
		return false, nil
	}
	return false, pos.Errorf("%s: %s", kindOf(st.Node), notSchema)
}

const notSchema = "a SQL release holds CREATE TABLE statements (and CREATE INDEX, ALTER TABLE ... ADD, DROP TABLE IF EXISTS and the session SETs dumps and ORMs write around them); emcee does not run anything else: remove it"

// declare reads the database default a CREATE DATABASE or ALTER DATABASE
// gives. It is never run: the database is the operator's, and emcee never
// changes it; the dev database takes the default while the file runs
// there, so that the tables take it as they would in the database the
// release is for. The last statement declaring one holds, as on the
// server, and it comes before the first table, which would otherwise
// have taken another default.
func (s *Script) declare(kind string, opts []*ast.DatabaseOption, pos diff.Pos, tables map[string]created) error {
	d := &Default{Pos: pos}
	for _, o := range opts {
		switch o.Tp {
		case ast.DatabaseOptionCharset:
			d.Charset = o.Value
		case ast.DatabaseOptionCollate:
			d.Collation = o.Value
		case ast.DatabaseOptionEncryption:
			// Unencrypted is how emcee creates every table: MySQL 8.0's
			// mysqldump --databases writes DEFAULT ENCRYPTION='N' after
			// the default of every database it dumps.
			if strings.EqualFold(o.Value, "N") {
				continue
			}
			return pos.Errorf("%s: ENCRYPTION = %s: a SQL release declares the database's default CHARACTER SET and COLLATE only (the database is the operator's, and emcee never changes it, nor creates encrypted tables); remove the option", kind, sqlsyntax.String(o.Value))
		default:
			what := cmp.Or(map[ast.DatabaseOptionType]string{ast.DatabaseOptionPlacementPolicy: "PLACEMENT POLICY"}[o.Tp], fmt.Sprintf("option %d", o.Tp))
			return pos.Errorf("%s: %s: a SQL release declares the database's default CHARACTER SET and COLLATE only (the database is the operator's, and emcee never changes it); remove the option", kind, what)
		}
	}
	if d.Charset == "" && d.Collation == "" {
		return pos.Errorf("%s: it gives no CHARACTER SET or COLLATE, and a SQL release reads nothing else of a database (the database is the operator's, and emcee never changes it); remove it, or give the default charset and collation of the databases the release is for", kind)
	}
	if len(tables) > 0 {
		return pos.Errorf("%s: the database's default is declared after a CREATE TABLE, which took the default before it; move this statement before the first CREATE TABLE", kind)
	}
	s.Default = d
	return nil
}

// constraintNames are the names the server gives a CREATE TABLE's
// indexes, keys and checks, as Atlas inspects them: the one written
// (MariaDB names a foreign key written FOREIGN KEY name (...) name), or,
// for a foreign key without one, <table>_ibfk_N, numbered in the order
// the table declares them, and for an index without one its first
// column's, _2, _3 ... after it where that is taken; "" for the primary
// key and an unnamed check.
func constraintNames(n *ast.CreateTableStmt) []string {
	taken := map[string]bool{}
	for _, c := range n.Constraints {
		taken[strings.ToLower(c.Name)] = true
	}
	out := make([]string, len(n.Constraints))
	fks := 0
	for i, c := range n.Constraints {
		switch {
		case c.Name != "":
			out[i] = c.Name
		case c.Tp == ast.ConstraintForeignKey:
			fks++
			out[i] = sqlname.ForeignKeyName(n.Table.Name.O, fks)
		case c.Tp == ast.ConstraintPrimaryKey, c.Tp == ast.ConstraintCheck, len(c.Keys) == 0 || c.Keys[0].Column == nil:
		default:
			name := c.Keys[0].Column.Name.O
			for k := 2; taken[strings.ToLower(name)]; k++ {
				name = fmt.Sprintf("%s_%d", c.Keys[0].Column.Name.O, k)
			}
			taken[strings.ToLower(name)] = true
			out[i] = name
		}
	}
	return out
}

// define places a table ("t"), column ("t.c") or part ("t/name") of
// table where it is first defined.
func (s *Script) define(table, key string, pos diff.Pos) {
	if _, ok := s.At[key]; !ok {
		s.At[key] = pos
		s.keys[table] = append(s.keys[table], key)
	}
}

// forget drops what table defined: created again after a DROP TABLE, it is
// where the new CREATE TABLE defines it (the snapshot's positions, its
// errors and the plans' notes pointed at the CREATE TABLE dropped).
func (s *Script) forget(table string) {
	for _, key := range s.keys[table] {
		delete(s.At, key)
	}
	delete(s.keys, table)
}

// at is where key (a column "t.c" or part "t/name" of table) is defined,
// else where its table is.
func (s *Script) at(table, key string) diff.Pos {
	if p, ok := s.At[key]; ok {
		return p
	}
	return s.At[table]
}

// definePart defines a named index, key or check of table.
func (s *Script) definePart(table, name string, pos diff.Pos) {
	if name != "" {
		s.define(table, table+"/"+name, pos)
	}
}

// sessionVariables are the variables a SQL release may set: what dumps
// and ORMs set up their session with. Each changes only how the session
// reads what follows.
var sessionVariables = map[string]bool{
	"character_set_client": true, "character_set_results": true, "character_set_connection": true,
	"collation_connection": true, "sql_mode": true, "foreign_key_checks": true, "unique_checks": true,
	"time_zone": true, "sql_notes": true, "sql_quote_show_create": true, "autocommit": true,
	"innodb_strict_mode": true, "check_constraint_checks": true, "sql_warnings": true,
	"explicit_defaults_for_timestamp": true,
}

func checkSet(n *ast.SetStmt, pos diff.Pos) error {
	for _, v := range n.Variables {
		// A MySQL server with GTIDs on has mysqldump write both, for
		// replaying the dump on a replica.
		gtid := ""
		if name := strings.ToLower(v.Name); name == "gtid_purged" || name == "sql_log_bin" {
			gtid = " (mysqldump --set-gtid-purged=OFF leaves it out)"
		}
		switch {
		case v.IsGlobal || v.IsInstance:
			return pos.Errorf("SET GLOBAL %s: a SQL release sets up its own session only; remove it%s", v.Name, gtid)
		case v.Name == ast.SetNames || v.Name == ast.SetCharset:
		case v.IsSystem && !sessionVariables[strings.ToLower(v.Name)]:
			return pos.Errorf("SET %s: a SQL release may set only the session variables dumps and ORMs set up a session with (%s); remove it%s", v.Name, strings.Join(slices.Sorted(maps.Keys(sessionVariables)), ", "), gtid)
		}
		switch v.Value.(type) {
		case nil, ast.ValueExpr, *ast.VariableExpr, *ast.DefaultExpr, *ast.ColumnNameExpr:
		default:
			return pos.Errorf("SET %s to an expression: a SQL release sets variables to values and to other variables only; remove it", v.Name)
		}
	}
	return nil
}

// tableOptions are the table options a SQL release may give: what Atlas
// reads back, or what changes only how InnoDB stores the table. Others
// reach outside the database (DATA DIRECTORY, CONNECTION, UNION) or make
// tables emcee does not plan.
var tableOptions = map[ast.TableOptionType]bool{
	ast.TableOptionEngine: true, ast.TableOptionCharset: true, ast.TableOptionCollate: true,
	ast.TableOptionAutoIncrement: true, ast.TableOptionComment: true, ast.TableOptionRowFormat: true,
	ast.TableOptionStatsPersistent: true, ast.TableOptionStatsAutoRecalc: true, ast.TableOptionStatsSamplePages: true,
	ast.TableOptionPackKeys: true, ast.TableOptionCheckSum: true, ast.TableOptionTableCheckSum: true,
	ast.TableOptionAvgRowLength: true, ast.TableOptionMaxRows: true, ast.TableOptionMinRows: true,
	ast.TableOptionKeyBlockSize: true, ast.TableOptionDelayKeyWrite: true,
}

func checkOptions(opts []*ast.TableOption, table string, pos diff.Pos) error {
	for _, o := range opts {
		if !tableOptions[o.Tp] {
			return pos.Errorf("table %s: this table option (%s) is not allowed in a SQL release: it stores the table outside the database, in another engine or in partitions, which emcee does not plan; remove it", table, optionName(o))
		}
		if o.Tp == ast.TableOptionEngine && o.StrValue != "" && !strings.EqualFold(o.StrValue, "InnoDB") {
			return pos.Errorf("table %s: ENGINE=%s: emcee plans InnoDB tables (online DDL, foreign keys); remove the option or write ENGINE=InnoDB", table, o.StrValue)
		}
	}
	return nil
}

func optionName(o *ast.TableOption) string {
	out, _ := sqlsyntax.Restore(o) // "" when it cannot be written back
	return cmp.Or(out, fmt.Sprintf("option %d", o.Tp))
}

func checkCreate(n *ast.CreateTableStmt, pos diff.Pos) error {
	name := n.Table.Name.O
	switch {
	case n.TemporaryKeyword != ast.TemporaryNone:
		return pos.Errorf("CREATE TEMPORARY TABLE %s: a temporary table is not part of a schema; remove it", name)
	case n.Select != nil:
		return pos.Errorf("CREATE TABLE %s ... SELECT: it copies rows; a SQL release declares tables only: list the columns instead", name)
	case n.Partition != nil:
		return pos.Errorf("CREATE TABLE %s ... PARTITION BY: emcee does not plan partitioned tables; remove the partitioning", name)
	}
	return checkOptions(n.Options, name, pos)
}

// alterSpecs are what an ALTER TABLE of a SQL release may do: the
// additions ORMs write after their CREATE TABLEs (foreign keys, indexes),
// and changes to what the file created.
var alterSpecs = map[ast.AlterTableType]bool{
	ast.AlterTableOption: true, ast.AlterTableAddColumns: true, ast.AlterTableAddConstraint: true,
	ast.AlterTableDropColumn: true, ast.AlterTableDropPrimaryKey: true, ast.AlterTableDropIndex: true,
	ast.AlterTableDropForeignKey: true, ast.AlterTableModifyColumn: true, ast.AlterTableChangeColumn: true,
	ast.AlterTableRenameColumn: true, ast.AlterTableAlterColumn: true, ast.AlterTableLock: true,
	ast.AlterTableAlgorithm: true, ast.AlterTableRenameIndex: true, ast.AlterTableDropCheck: true,
	ast.AlterTableAlterCheck: true, ast.AlterTableIndexInvisible: true,
}

func (s *Script) checkAlter(n *ast.AlterTableStmt, pos diff.Pos) error {
	table := n.Table.Name.O
	for _, spec := range n.Specs {
		if !alterSpecs[spec.Tp] {
			return pos.Errorf("ALTER TABLE %s: this change is not allowed in a SQL release (it adds, drops or changes columns, indexes, keys and checks only); write the table as it should be in its CREATE TABLE", table)
		}
		if err := checkOptions(spec.Options, table, pos); err != nil {
			return err
		}
		for _, c := range spec.NewColumns {
			// A MODIFY or CHANGE gives the column the definition the
			// release keeps: a refusal of its type (double(10,2), int(1))
			// points there, not at the CREATE TABLE's line it overrides.
			if spec.Tp == ast.AlterTableModifyColumn || spec.Tp == ast.AlterTableChangeColumn {
				delete(s.At, table+"."+c.Name.Name.O)
			}
			s.define(table, table+"."+c.Name.Name.O, pos)
		}
		if spec.Constraint != nil {
			s.definePart(table, spec.Constraint.Name, pos)
		}
	}
	return nil
}

// kindOf names a statement in refusals.
func kindOf(n ast.StmtNode) string {
	if x, ok := n.(*ast.InsertStmt); ok {
		if x.IsReplace {
			return "REPLACE"
		}
		return "INSERT"
	}
	if k, ok := stmtKinds[reflect.TypeOf(n)]; ok {
		return k
	}
	return "this statement"
}

var stmtKinds = map[reflect.Type]string{
	reflect.TypeFor[*ast.UpdateStmt](): "UPDATE", reflect.TypeFor[*ast.DeleteStmt](): "DELETE",
	reflect.TypeFor[*ast.SelectStmt](): "SELECT", reflect.TypeFor[*ast.SetOprStmt](): "SELECT",
	reflect.TypeFor[*ast.UseStmt](): "USE", reflect.TypeFor[*ast.CreateDatabaseStmt](): "CREATE DATABASE",
	reflect.TypeFor[*ast.DropDatabaseStmt](): "DROP DATABASE", reflect.TypeFor[*ast.AlterDatabaseStmt](): "ALTER DATABASE",
	reflect.TypeFor[*ast.CreateViewStmt](): "CREATE VIEW", reflect.TypeFor[*ast.ProcedureInfo](): "CREATE PROCEDURE",
	reflect.TypeFor[*ast.DropProcedureStmt](): "DROP PROCEDURE", reflect.TypeFor[*ast.GrantStmt](): "GRANT",
	reflect.TypeFor[*ast.GrantRoleStmt](): "GRANT", reflect.TypeFor[*ast.RevokeStmt](): "REVOKE",
	reflect.TypeFor[*ast.RevokeRoleStmt](): "REVOKE", reflect.TypeFor[*ast.CreateUserStmt](): "CREATE USER",
	reflect.TypeFor[*ast.AlterUserStmt](): "ALTER USER", reflect.TypeFor[*ast.DropUserStmt](): "DROP USER",
	reflect.TypeFor[*ast.LoadDataStmt](): "LOAD DATA", reflect.TypeFor[*ast.TruncateTableStmt](): "TRUNCATE",
	reflect.TypeFor[*ast.RenameTableStmt](): "RENAME TABLE", reflect.TypeFor[*ast.CreateSequenceStmt](): "CREATE SEQUENCE",
	reflect.TypeFor[*ast.CallStmt](): "CALL", reflect.TypeFor[*ast.DoStmt](): "DO",
	reflect.TypeFor[*ast.FlushStmt](): "FLUSH", reflect.TypeFor[*ast.KillStmt](): "KILL",
	reflect.TypeFor[*ast.RollbackStmt](): "ROLLBACK", reflect.TypeFor[*ast.PrepareStmt](): "PREPARE/EXECUTE",
	reflect.TypeFor[*ast.ExecuteStmt](): "PREPARE/EXECUTE", reflect.TypeFor[*ast.SetPwdStmt](): "SET PASSWORD",
	reflect.TypeFor[*ast.ShowStmt](): "SHOW", reflect.TypeFor[*ast.CreateTableStmt](): "CREATE TABLE",
	reflect.TypeFor[*ast.CreateIndexStmt](): "CREATE INDEX", reflect.TypeFor[*ast.AlterTableStmt](): "ALTER TABLE",
	reflect.TypeFor[*ast.DropTableStmt](): "DROP TABLE", reflect.TypeFor[*ast.LockTablesStmt](): "LOCK TABLES",
	reflect.TypeFor[*ast.SetStmt](): "SET",
}
