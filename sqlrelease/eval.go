package sqlrelease

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"unicode/utf8"

	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/dbconn"
	"github.com/emcee-db/emcee/devdb"
	"github.com/emcee-db/emcee/diff"
	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/schemadef"
)

// SchemaName is the schema block of a release declared as SQL: the SQL
// names none, and the pipeline compares states whatever their schema's
// name, as Atlas compares schema-scoped states.
const SchemaName = "main"

// Evaluate reads the SQL of a release, runs it in the dev database (empty
// before and after), and returns the source the pipeline loads for it.
// The dev database should have been opened with the defaults the offline
// planner assumes for t (schemadef.ServerDefault): a table created without
// a charset then reads the same as one declared in HCL without one.
func Evaluate(ctx context.Context, dev *devdb.DB, f diff.SQLFiles, t project.Target) (diff.Source, error) {
	script, err := Read(f.File, f.SQL)
	if err != nil {
		return diff.Source{}, err
	}
	var version string
	if err := dev.Conn.QueryRowContext(ctx, "SELECT VERSION()").Scan(&version); err != nil {
		return diff.Source{}, fmt.Errorf("dev database %s: %v", dev, err)
	}
	if project.FlavorOf(version) != t.Flavor {
		return diff.Source{}, fmt.Errorf("%s: the project targets %s, but dev database %s runs %s: Atlas reads types by the server's flavor (MariaDB's JSON is a LONGTEXT with a check), so a release declared as SQL is evaluated on a server of the target's flavor; point --dev-url (or the env's dev) at one", f.File, t, dev, version)
	}
	if err := dev.Empty(ctx); err != nil {
		return diff.Source{}, err
	}
	if d := script.Default; d != nil {
		if err := dev.SetDefault(ctx, d.Charset, d.Collation); err != nil {
			return diff.Source{}, d.Pos.Errorf("dev database %s refused this database default: %v", dev, err)
		}
	}
	stmts := make([]string, len(script.Run))
	for i, st := range script.Run {
		stmts[i] = st.Exec
	}
	runErr := dev.Exec(ctx, stmts, func(ctx context.Context, i int, c *sql.Conn) error {
		if i > 0 && !script.Run[i-1].sets {
			return nil // only a SET changes the session
		}
		err := readsAsWritten(ctx, c, script.Run[i:])
		switch {
		case err == nil:
			return nil
		case i == 0:
			return fmt.Errorf("%s: dev database %s: %w", f.File, dev, err)
		}
		return script.Run[i-1].Pos.Errorf("after this statement, %v", err)
	})
	var s *schema.Schema
	if runErr == nil {
		s, runErr = dev.Tables(ctx)
	}
	if err := errors.Join(dev.Empty(ctx), dev.ResetDefault(ctx)); err != nil {
		return diff.Source{}, errors.Join(runErr, err)
	}
	var ee *devdb.ExecError
	switch {
	case errors.As(runErr, &ee) && ee.Code == 1067:
		// WordPress's datetime columns default to '0000-00-00 00:00:00',
		// which its own session allows; the server's reason names only
		// the column.
		return diff.Source{}, script.Run[ee.Index].Pos.Errorf("dev database %s refused this statement: %v. The file runs in the sql_mode emcee applies plans in (%s): a zero date ('0000-00-00', or a zero month or day) is no default there, nor a value out of the column's range; declare another default", dev, ee.Err, dbconn.SQLMode)
	case errors.As(runErr, &ee):
		return diff.Source{}, script.Run[ee.Index].Pos.Errorf("dev database %s refused this statement: %v", dev, ee.Err)
	case runErr != nil:
		return diff.Source{}, runErr
	case len(s.Tables) == 0:
		return diff.Source{}, fmt.Errorf("%s creates no table: a release declares at least one", f.File)
	}
	if err := canonical(s, script); err != nil {
		return diff.Source{}, err
	}
	src, err := schemadef.Marshal(s, t, "")
	if err != nil {
		return diff.Source{}, fmt.Errorf("%s: %w", f.File, err)
	}
	return diff.FromSQL(f, src, script.At), nil
}

// readsAsWritten checks that a session reads SQL as emcee's reader read
// the file (sqlsyntax.ReadScript): with backslash escapes, double quotes
// around strings, and the file's UTF-8 bytes as UTF-8. Otherwise the server
// runs something else than what was checked: with NO_BACKSLASH_ESCAPES, or
// a client charset in which a multibyte character takes the byte of a
// backslash as its own (GBK, SJIS, Big5, CP932), 'A\' ends a string for the
// server and not for the reader, and what follows it in the string runs.
// The file sets its session with SETs of values and variables, which can
// be read statically only partly (SET sql_mode = @m, = DEFAULT, ANSI), so
// the session is asked. A single-byte client charset reads plain ASCII
// as UTF-8 does, but not the rest: under SET NAMES latin1, the UTF-8 'é'
// of a default or comment arrived as two characters, so the statements
// still to run (rest) may then hold no other byte.
func readsAsWritten(ctx context.Context, c *sql.Conn, rest []Stmt) error {
	var mode, charset string
	var maxLen int
	if err := c.QueryRowContext(ctx, "SELECT @@session.sql_mode, @@session.character_set_client, COALESCE((SELECT MAXLEN FROM information_schema.CHARACTER_SETS WHERE CHARACTER_SET_NAME = @@session.character_set_client), 0)").Scan(&mode, &charset, &maxLen); err != nil {
		return fmt.Errorf("reading the session's sql_mode and client charset: %v", err)
	}
	for _, m := range strings.Split(mode, ",") {
		switch strings.ToUpper(m) {
		case "NO_BACKSLASH_ESCAPES", "ANSI_QUOTES", "ORACLE":
			return fmt.Errorf("the session's sql_mode holds %s, which makes the server read the statements that follow otherwise than emcee read them (emcee reads backslash escapes, and double quotes around strings); leave %s out of the sql_mode the file sets", m, m)
		}
	}
	if maxLen != 1 && !strings.HasPrefix(strings.ToLower(charset), "utf8") {
		return fmt.Errorf("the session's client charset is %s, in which the server reads the file's bytes otherwise than as the UTF-8 emcee reads (a multibyte character can end a string early); set NAMES to utf8mb4 (or a single-byte charset) only", charset)
	}
	if maxLen == 1 {
		for _, st := range rest {
			// The reader refused a file that is not UTF-8 already.
			if i := strings.IndexFunc(st.Exec, func(r rune) bool { return r >= utf8.RuneSelf }); i >= 0 {
				r, n := utf8.DecodeRuneInString(st.Exec[i:])
				return fmt.Errorf("the session's client charset is %s, a single-byte charset, in which the server reads the UTF-8 character %q of the statement at %s as %d characters of its own, not as emcee reads it: set NAMES utf8mb4 before that statement (emcee reads the file as UTF-8)", charset, r, st.Pos, n)
			}
		}
	}
	return nil
}

// canonical makes the inspected schema what the same schema declared in
// HCL evaluates to, where the server spells it otherwise: the pipeline
// compares it with releases declared in HCL, and writes the statements of
// the plans from it.
func canonical(s *schema.Schema, script *Script) error {
	// The database's defaults are the dev database's (the offline
	// planner's, or what the file declares): a table that has them
	// inherits them, as a table declared in HCL without a charset does.
	// What the file declares is the schema block's charset and collate,
	// as the server completes them, as in HCL.
	defaults := s.Attrs
	s.Name, s.Attrs = SchemaName, nil
	if script.Default != nil {
		s.Attrs = slices.DeleteFunc(slices.Clone(defaults), func(a schema.Attr) bool { return !schemadef.CharsetAttr(a) })
	}
	var errs []string
	for _, n := range schemadef.NotBools(s) {
		errs = append(errs, script.at(n.Table, n.Table+"."+n.Column).Errorf("column %s.%s is %s, which Atlas reads as a bool (a signed tinyint(1)), and the plans would create it so; write %s (a display width changes nothing of what the column holds)", n.Table, n.Column, n.Raw, n.Instead).Error())
	}
	for _, f := range schemadef.ScaledFloats(s) {
		errs = append(errs, script.at(f.Table, f.Table+"."+f.Column).Errorf("column %s.%s is %s, whose digits after the point Atlas does not keep (it reads a floating-point type's precision alone), so the plans would create it as %s, which does not round what is written; write %s (a live %s column is compared as one, and left as it is), or decimal with the same digits to keep exact values", f.Table, f.Column, f.Raw, f.Instead, f.Instead, f.Raw).Error())
	}
	schemadef.Declared(s)
	slices.SortStableFunc(s.Tables, func(a, b *schema.Table) int { return script.order[a.Name] - script.order[b.Name] })
	for _, t := range s.Tables {
		t.Attrs = slices.DeleteFunc(t.Attrs, func(a schema.Attr) bool {
			return schemadef.CharsetAttr(a) && slices.ContainsFunc(defaults, func(d schema.Attr) bool { return sameAttr(a, d) })
		})
		for _, c := range t.Columns {
			// A column's charset and collation are declared where they
			// differ from its table's (its own, else the defaults it
			// inherits), as HCL declares them; schemadef.Marshal writes
			// the ones that differ.
			c.Attrs = slices.DeleteFunc(c.Attrs, func(a schema.Attr) bool {
				return schemadef.CharsetAttr(a) && (slices.ContainsFunc(t.Attrs, func(d schema.Attr) bool { return sameAttr(a, d) }) ||
					!slices.ContainsFunc(t.Attrs, func(d schema.Attr) bool { return reflect.TypeOf(d) == reflect.TypeOf(a) }) && slices.ContainsFunc(defaults, func(d schema.Attr) bool { return sameAttr(a, d) }))
			})
		}
		for _, fk := range t.ForeignKeys {
			if _, ok := s.Table(fk.RefTable.Name); !ok || fk.RefTable.Schema != t.Schema {
				errs = append(errs, script.at(t.Name, t.Name+"/"+fk.Symbol).Errorf("foreign key %s of table %s references table %s, which %s does not create", fk.Symbol, t.Name, fk.RefTable.Name, script.File).Error())
			}
		}
	}
	return diff.JoinLines(errs)
}

// sameAttr reports the same charset, or the same collation, in any letter
// case.
func sameAttr(a, b schema.Attr) bool {
	switch a := a.(type) {
	case *schema.Charset:
		b, ok := b.(*schema.Charset)
		return ok && strings.EqualFold(a.V, b.V)
	case *schema.Collation:
		b, ok := b.(*schema.Collation)
		return ok && strings.EqualFold(a.V, b.V)
	}
	return false
}
