package splitter

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"ariga.io/atlas/sql/mysql"
	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/diff"
	"github.com/emcee-db/emcee/revision"
	"github.com/emcee-db/emcee/sqlname"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// Column sync is shared by the rules that add a column the previous
// release does not write but the new release needs filled: replace-column,
// rename-column and add-column-fill. Between expand and contract both
// releases write the table, so BEFORE INSERT / BEFORE UPDATE triggers
// compute the columns each release does not know about. MySQL allows a
// trigger only to SET NEW.<column> of its own row, which is all this needs.
//
// NULL in the new column means "not written yet": it is added NULL without
// a default in expand, whatever the release declares, and contract gives it
// its declared NOT NULL and default once the backfill has filled every row.

// syncCol is one column kept in sync by the expand triggers of its table.
type syncCol struct {
	add *Change
	col *schema.Column // as the release declares it
	// old is the column taken over (replacement or rename), nil for fill.
	old *schema.Column
	// forward computes col from the previous release's columns (or the
	// fill expression); backward computes old. diff parsed and checked
	// them when it loaded the release.
	forward, backward *sqlsyntax.Expr
	// fwdCols are the columns forward may use.
	fwdCols []string
	// def is the column's default as SQL ("" without one).
	def string
	// placeholder is the default the old column gets in expand when it is
	// NOT NULL without one (placeholder.go), "" otherwise. fallback is
	// what the old column holds where backward gives NULL. marks tells
	// whether the placeholder marks the new release's INSERTs (insertBlock).
	// relaxedOld is set instead when no placeholder fits and expand makes
	// the old column NULL.
	placeholder, fallback string
	marks                 bool
	relaxedOld            bool
}

// syncDecl is the declaration of the column a change adds when the expand
// triggers must fill it (it takes over from an old column, or has a
// fill); nil for any other change.
func syncDecl(c *Change) *diff.ColumnDecl {
	add, ok := c.Change.(*schema.AddColumn)
	if !ok || c.FromTable == nil {
		return nil
	}
	if d := c.ctx.Decl(c.Table.Name, add.C.Name); d != nil && (d.Source() != "" || d.Fill != "") {
		return d
	}
	return nil
}

// syncColumns lists the synced columns of a table in change order. Every
// rule computes the same list, so the first column can own the triggers
// that serve them all (MySQL runs one trigger per table, event and timing
// most simply; several triggers would need FOLLOWS clauses to be ordered).
// Only the error of self's own column is returned: another column's is
// its own change's refusal, and was printed once per synced column of the
// table (MyBB's mybb_users.regip_bin). The plan is refused all the same.
func syncColumns(ctx *Context, table string, self *Change) ([]*syncCol, error) {
	var out []*syncCol
	for _, ch := range ctx.changes {
		if ch.Table.Name != table || syncDecl(ch) == nil {
			continue
		}
		s, err := newSyncCol(ch)
		if err != nil {
			if ch != self {
				continue
			}
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

func newSyncCol(c *Change) (*syncCol, error) {
	add := c.Change.(*schema.AddColumn)
	d := c.ctx.Decl(c.Table.Name, add.C.Name)
	s := &syncCol{add: c, col: add.C, fwdCols: diff.ColumnNames(c.FromTable)}
	where := c.ctx.Transition.To.Where(c.Table.Name, add.C.Name)
	if src := d.Source(); src != "" {
		old, ok := c.FromTable.Column(src)
		if !ok {
			// The declaration was checked against the previous release,
			// which has the column: the transition starts from the release
			// as of its last revision (an edit), whose contract dropped it.
			attr := "renamed_from"
			if d.Replaces != nil {
				attr = "replaces"
			}
			rel := c.ctx.Transition.To.Name
			return nil, fmt.Errorf("%s: %s.%s takes over from column %s (%s), but release %s was planned before this edit, and its planned contract drops %s.%s: the edit is planned from the state after that contract, where %s and its values are gone. While no database has applied %s's revisions, `emcee plan --rewrite %s` plans the release again from the previous release, %s carried over instead of dropped; otherwise declare %s without %s, a new column (%s's values are not carried over: the planned contract drops them)",
				where, c.Table.Name, add.C.Name, src, attr, rel, c.FromTable.Name, src, src, rel, rel, src, add.C.Name, attr, src)
		}
		s.old = old
		if d.Replaces != nil {
			s.forward, s.backward = d.Replaces.ForwardExpr, d.Replaces.BackwardExpr
		} else {
			s.forward, s.backward = columnExpr(old.Name), columnExpr(add.C.Name)
		}
	} else {
		s.forward, s.fwdCols = d.FillExpr, diff.Union(diff.ColumnNames(c.Table), s.fwdCols)
	}
	if s.forward == nil || (s.old != nil && s.backward == nil) {
		return nil, fmt.Errorf("%s: internal: the expressions of %s.%s were not parsed when the release was loaded", where, c.Table.Name, add.C.Name)
	}
	def, err := columnDefaultSQL(s.col)
	if err != nil {
		return nil, fmt.Errorf("%s: default of %s.%s: %v", where, c.Table.Name, add.C.Name, err)
	}
	s.def = def
	if s.old != nil && needsPlaceholder(s.old) {
		s.choosePlaceholder(c.ctx, d.RenamedFrom != "")
	}
	// A NOT NULL column with a default takes the default where the old
	// data has no mapping, as an INSERT of the new release that omits it
	// would; a NOT NULL column without one is left NULL for the gate. A
	// forward that falls back to the default itself is not wrapped again
	// (Joomla's COALESCE(CAST(NULLIF(time, '') AS SIGNED), 0) for a
	// column defaulting to 0 was written COALESCE(COALESCE(..., 0), 0)).
	if def != "" && !s.col.Type.Null && s.old != nil && !s.forward.FallsBackTo(def) {
		s.forward = compose("COALESCE(%s, %s)", s.forward.SQL(), def)
	}
	return s, nil
}

// columnExpr is the expression reading one column (a plain rename).
func columnExpr(name string) *sqlsyntax.Expr { return compose("%s", sqlsyntax.Ident(name)) }

// compose builds an expression from parts that are already SQL written by
// sqlsyntax, and reads it back into a tree.
func compose(format string, parts ...any) *sqlsyntax.Expr {
	e, err := sqlsyntax.ParseExpr(fmt.Sprintf(format, parts...), sqlsyntax.PerRow)
	if err != nil {
		panic(fmt.Sprintf("splitter: composed expression does not parse: %v", err))
	}
	return e
}

// rowCol names a column of the row a trigger writes (NEW) or had (OLD),
// written as sqlsyntax writes the declared expressions.
func rowCol(row, name string) string { return sqlsyntax.Ident(row) + "." + sqlsyntax.Ident(name) }

// syncExpr writes an expression with its columns as NEW.`col` (in a
// trigger) or bare (in an UPDATE).
func syncExpr(e *sqlsyntax.Expr, row string) string {
	if row == "" {
		return "(" + e.SQL() + ")"
	}
	return "(" + e.RowSQL(row) + ")"
}

// forwardInputs are the old-release columns the forward expression reads:
// an UPDATE by the previous release that changes one of them must
// recompute the new column.
func (s *syncCol) forwardInputs() []string {
	cols, _ := s.forward.Resolve(sqlsyntax.Scope{Table: s.add.Table.Name, Columns: s.fwdCols})
	return cols
}

// choosePlaceholder picks the old column's placeholder default (the old
// column is NOT NULL without one, and the new release does not write it).
//
// Who inserted a row is read from the new column, which the previous
// release never writes and which has no default until contract: set means
// the new release. NULL means the previous release, unless the new release
// may leave it NULL itself: when the new column has a default (an INSERT
// that omits it) or is nullable. Then the old column tells them apart: the
// previous release must write it, the new release leaves it at the
// placeholder, so the placeholder is a value the previous release has no
// reason to write (placeholderMark: the low end of the type's range, an
// unusual string), and an INSERT of the previous release that writes
// exactly it is read as the new release's; the reasons in the plan name it.
// A rename to a column of the same type with a literal default takes that
// default as the placeholder: read either way, the row then gets the same
// values. A type with no such value makes the old column NULL instead
// (a table rebuild: allow_copy = true).
//
// Where backward gives NULL (the new release wrote NULL, or a value the old
// column cannot hold), the old column gets the marking placeholder too: it
// means "the previous release has no value here", and forward reads it back
// as NULL (the new column's default when it has one), so a NULL the new
// release wrote survives the backfill. The previous release reads the
// placeholder there (NULL when the old column was relaxed before issue 13).
func (s *syncCol) choosePlaceholder(ctx *Context, rename bool) {
	neutral := ctx.placeholderValue(s.old)
	_, lit := s.col.Default.(*schema.Literal)
	switch {
	case !s.col.Type.Null && s.def == "":
		// The new release always writes the new column: NULL is the
		// previous release's, whatever the old column holds.
		s.placeholder, s.fallback = neutral, neutral
	case !s.col.Type.Null && lit && rename && sameType(s.old.Type.Type, s.col.Type.Type):
		s.placeholder, s.fallback, s.marks = s.def, neutral, true
	default:
		mark := placeholderMark(s.old)
		s.placeholder, s.fallback, s.marks = mark, mark, true
		if mark != "" && neutral != "" {
			s.forward = compose("IF(%s, NULL, %s)", same(sqlsyntax.Ident(s.old.Name), mark), s.forward.SQL())
		}
	}
	if s.placeholder == "" || s.fallback == "" || neutral == "" {
		s.placeholder, s.fallback, s.marks, s.relaxedOld = "", "", false, true
	}
}

// marksWhy says, for the old column's placeholder default, that it marks
// the new release's INSERTs ("" where it does not).
func (s *syncCol) marksWhy() string {
	if !s.marks {
		return ""
	}
	return fmt.Sprintf("; the placeholder tells the triggers that the new release inserted the row (it may leave %s NULL), so an INSERT of the previous release that writes exactly %s into %s is read as the new release's", s.col.Name, s.placeholder, s.old.Name)
}

// insertBlock is the part of the BEFORE INSERT trigger for one column
// that takes over from another (who wrote the row: choosePlaceholder): n
// and o are the new and old column of the row, fwd and bwd what forward
// and backward compute there.
func (s *syncCol) insertBlock(n, o, fwd, bwd string) string {
	var b strings.Builder
	// unwritten holds when the new release inserted the row and left the
	// old column alone: NULL in a relaxed old column, or the marking
	// placeholder.
	unwritten := ""
	switch {
	case s.relaxedOld:
		unwritten = o + " IS NULL"
	case s.marks:
		unwritten = same(o, s.placeholder)
	}
	if unwritten != "" {
		// The new release inserted the row without the new column: it
		// gets its declared default (NULL without one), as it will after
		// contract, and the previous release sees the matching old value.
		fmt.Fprintf(&b, "  IF %s IS NULL AND %s THEN\n", n, unwritten)
		if s.def != "" {
			fmt.Fprintf(&b, "    SET %s = %s;\n", n, s.def)
		}
		fmt.Fprintf(&b, "    SET %s = %s;\n  ELSEIF", o, bwd)
	} else {
		b.WriteString("  IF")
	}
	// The previous release wrote the row: compute the new column.
	fmt.Fprintf(&b, " %s IS NULL THEN\n    SET %s = %s;\n", n, n, fwd)
	// The new release wrote the new column; the old column holds its
	// default or placeholder (the new release does not know it), which is
	// replaced unless it already maps to the value written.
	cond := differs(n, fwd)
	if unwritten != "" {
		cond = unwritten + " OR " + cond
	}
	fmt.Fprintf(&b, "  ELSEIF %s THEN\n    SET %s = %s;\n  END IF;\n", cond, o, bwd)
	return b.String()
}

// backwardSQL computes the old column in a trigger. An old column kept NOT
// NULL by a placeholder default takes its fallback where backward gives
// NULL (the neutral placeholder, or the marking one where the new column
// may be NULL: choosePlaceholder): a new-release write must not fail on a
// column that release does not know, and the previous release reads that
// value there, as it reads the placeholder of a dropped column.
func (s *syncCol) backwardSQL() string {
	if s.fallback != "" {
		return syncExpr(compose("COALESCE(%s, %s)", s.backward.SQL(), s.fallback), "NEW")
	}
	return syncExpr(s.backward, "NEW")
}

// updateBlock is the part of the BEFORE UPDATE trigger for one column
// that takes over from another (insertBlock).
func (s *syncCol) updateBlock(n, o, fwd, bwd string) string {
	var b strings.Builder
	// Only the new release (or the backfill) writes the new column. When
	// the value written is what forward computes anyway (always so for the
	// backfill) the old column already agrees and is left alone, so a
	// lossy backward never rewrites old data during migrate.
	fmt.Fprintf(&b, "  IF %s THEN\n    IF %s THEN\n      SET %s = %s;\n    END IF;\n", differs(n, rowCol("OLD", s.col.Name)), differs(n, fwd), o, bwd)
	if changed := joinEach(s.forwardInputs(), " OR ", func(c string) string { return differs(rowCol("NEW", c), rowCol("OLD", c)) }); changed != "" {
		// The previous release changed what the new column derives from.
		fmt.Fprintf(&b, "  ELSEIF %s THEN\n    SET %s = %s;\n", changed, n, fwd)
	}
	b.WriteString("  END IF;\n")
	return b.String()
}

// differs compares two values byte for byte, NULL-safe. A plain <=> uses
// the column's collation, under which 'one' equals 'ONE' (and 'a' equals
// 'a '): a case-only change by one release would never reach the other.
func differs(a, b string) string { return "NOT (" + same(a, b) + ")" }

// same is the negation of differs.
func same(a, b string) string { return fmt.Sprintf("CAST(%s AS BINARY) <=> CAST(%s AS BINARY)", a, b) }

// triggerName is emcee_<table>_<release>_<hash>_<bi|bu>: the table and
// release say who made it; the hash of the synced columns keeps a later
// revision of the same release from colliding with triggers that are
// still in place. The table part is cut, by whole characters, to what the
// server takes (64 characters, and a file name: sqlname.Derive).
func triggerName(table, release string, cols []*syncCol, event string) string {
	parts := []string{table, release}
	for _, s := range cols {
		parts = append(parts, s.col.Name)
	}
	return sqlname.Derive(sqlname.Trigger, sqlname.TriggerPrefix+table+"_"+release, "_"+shortHash(parts...)+"_"+event)
}

// shortHash is the first 6 hex digits of the SHA-256 of parts joined by
// NUL, which keeps a derived name apart from others.
func shortHash(parts ...string) string {
	h := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(h[:])[:6]
}

// syncTriggerSteps creates the table's triggers in expand (after its
// columns exist) and drops them first thing in contract, before any column
// they read is dropped.
func syncTriggerSteps(c *Change, cols []*syncCol) []Step {
	table := c.Table.Name
	release := c.ctx.Transition.To.Name
	what := joinEach(cols, ", ", func(s *syncCol) string { return s.col.Name })
	var steps []Step
	for _, ev := range []struct {
		suffix, event, why string
		block              func(s *syncCol, n, o, fwd, bwd string) string
	}{
		{"bi", "INSERT", "fills %s in rows inserted by either release from the columns the writer knows", (*syncCol).insertBlock},
		{"bu", "UPDATE", "recomputes %s when either release changes a column the other reads", (*syncCol).updateBlock},
	} {
		name := triggerName(table, release, cols, ev.suffix)
		var body strings.Builder
		for _, s := range cols {
			n, fwd := rowCol("NEW", s.col.Name), syncExpr(s.forward, "NEW")
			if s.old == nil {
				// A fill column's part of both triggers: the previous
				// release never writes the column, so NULL means "compute
				// it".
				fmt.Fprintf(&body, "  IF %s IS NULL THEN\n    SET %s = %s;\n  END IF;\n", n, n, fwd)
				continue
			}
			body.WriteString(ev.block(s, n, rowCol("NEW", s.old.Name), fwd, s.backwardSQL()))
		}
		steps = append(steps,
			stmt(revision.Expand, StageTrigger, fmt.Sprintf("while both releases run, this trigger on %s %s", table, fmt.Sprintf(ev.why, what)),
				fmt.Sprintf("CREATE TRIGGER %s BEFORE %s ON %s FOR EACH ROW\nBEGIN\n%sEND", sqlsyntax.Ident(name), ev.event, sqlsyntax.Ident(table), body.String())),
			stmt(revision.Contract, StageDropTrigger, fmt.Sprintf("the previous release is gone: stop syncing %s.%s, before any column the trigger reads is dropped", table, what),
				"DROP TRIGGER IF EXISTS "+sqlsyntax.Ident(name)),
			undo(StageRollbackDropTrigger, fmt.Sprintf("the new release is rolled back: stop syncing %s.%s, before the columns the trigger reads are dropped or changed", table, what),
				"DROP TRIGGER IF EXISTS "+sqlsyntax.Ident(name)),
		)
	}
	return steps
}

// syncSteps are the steps of one synced column; the first synced column of
// its table also carries the table's triggers.
func syncSteps(c *Change, why string) ([]Step, error) {
	cols, err := syncColumns(c.ctx, c.Table.Name, c)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(cols, func(s *syncCol) bool { return s.add == c })
	if i < 0 {
		return nil, fmt.Errorf("internal: %s.%s is not a synced column", c.Table.Name, c.Change.(*schema.AddColumn).C.Name)
	}
	s := cols[i]
	table, name := c.Table.Name, s.col.Name
	var steps []Step

	// expand: the new column, NULL without default (the sentinel).
	transitional := withoutDefault(nullable(s.col))
	sql, err := c.Alter(&schema.AddColumn{C: transitional})
	if err != nil {
		return nil, err
	}
	alg, note, err := c.addColumnAlgorithm(name)
	if err != nil {
		return nil, err
	}
	add := stmt(revision.Expand, StageAddColumn, fmt.Sprintf("%s; %s.%s is added NULL without default (NULL = not written yet) until contract; %s", why, table, name, cmp.Or(note, "instant")), alg.With(sql))
	add.syncGroup = true
	steps = append(steps, add)
	lost := "the values the new release wrote in it are lost"
	if s.old != nil {
		lost = fmt.Sprintf("the triggers kept %s in step with it, so what the new release wrote survives there as far as the backward conversion carries it", s.old.Name)
	}
	steps = append(steps, c.dropAdded(name, alg, lost))
	// A widening of the old column gives it its placeholder default (or
	// NULL) too: two statements on one column would each restate it.
	widened, err := c.widenRenamed(s)
	if err != nil {
		return nil, err
	}
	steps = append(steps, widened...)
	if s.old != nil && needsPlaceholder(s.old) && widened == nil {
		kept, err := c.keepOptional(s.old, s.placeholder, fmt.Sprintf("the new release inserts rows without %s.%s (the trigger computes it)", table, s.old.Name), "", "", name)
		if err != nil {
			return nil, err
		}
		kept[0].Why += s.marksWhy()
		steps = append(steps, kept...)
	}
	if cols[0] == s {
		steps = append(steps, syncTriggerSteps(c, cols)...)
	}

	// migrate: compute the column for the rows written before expand.
	bare := syncExpr(s.forward, "")
	fill, err := backfillStep(c.Table, StageBackfill,
		fmt.Sprintf("fills %s.%s for rows written before expand; the triggers keep new writes in sync", table, name),
		sqlsyntax.Assign(name, s.forward), sqlsyntax.IsNull(name))
	if err != nil {
		return nil, err
	}
	steps = append(steps, fill)

	// contract: gate, drop the old column, tighten.
	where := []string{sqlsyntax.Ident(name) + " IS NULL"}
	gateWhy := fmt.Sprintf("rows where %s.%s is still NULL: the backfill has not run, or %s yields NULL for them; fix those rows (or the expression) before contract makes the column NOT NULL", table, name, s.forward.SQL())
	if s.col.Type.Null {
		where = append(where, bare+" IS NOT NULL")
		gateWhy = fmt.Sprintf("rows the backfill of %s.%s has not reached yet (NULL although the expression gives a value): run migrate to the end", table, name)
	}
	// A row a data_migration deletes first needs no value.
	steps = append(steps, gate(gateWhy, c.ctx.countKept(table, where...)))
	if s.old != nil {
		drop, err := c.dropColumn(&schema.DropColumn{C: s.old}, fmt.Sprintf("%s.%s is replaced by %s and only the previous release read it; its triggers are gone", table, s.old.Name, name))
		if err != nil {
			return nil, err
		}
		steps = append(steps, drop)
	}
	// From the transitional column (NULL, no default) to the declared one.
	change := schema.NoChange
	if !s.col.Type.Null {
		change |= schema.ChangeNull
	}
	if s.col.Default != nil {
		change |= schema.ChangeDefault
	}
	if change != schema.NoChange {
		sql, err := c.Alter(&schema.ModifyColumn{From: transitional, To: s.col, Change: change})
		if err != nil {
			return nil, err
		}
		alg, how := Instant, "metadata only"
		if change.Is(schema.ChangeNull) {
			alg, how = Inplace, "NOT NULL rebuilds the table in place (every row rewritten) while writes continue"
		}
		steps = append(steps, stmt(revision.Contract, StageTighten, fmt.Sprintf("%s.%s gets its declared definition now that every row has a value and no writer relies on NULL; %s", table, name, how),
			alg.With(sql)))
	}
	return steps, nil
}

// nullable is a copy of the column that accepts NULL.
func nullable(c *schema.Column) *schema.Column {
	n, t := *c, *c.Type
	t.Null = true
	n.Type = &t
	return &n
}

// backfillStep is a migrate step updating the rows a predicate selects
// (sqlsyntax.UpdateBackfill).
func backfillStep(t *schema.Table, stage Stage, why string, set *sqlsyntax.Assignments, pending *sqlsyntax.Expr) (Step, error) {
	sql, err := sqlsyntax.UpdateBackfill(t.Name, set, pending)
	if err != nil {
		return Step{}, err
	}
	return backfill(t, stage, why, sql, "the table has no single-column primary key, so this is one UPDATE holding its row locks until it ends"), nil
}

// backfill is a migrate step running the backfill sql over table t. With
// a single-column primary key the applier runs it in key ranges (it adds
// `AND key > ? AND key <= ?` to the predicate, which is why it is
// parenthesised); without one it runs as a single statement, and the
// reason says so (notBatched).
func backfill(t *schema.Table, stage Stage, why, sql, notBatched string) Step {
	st := stmt(revision.Migrate, stage, why, sql)
	st.Kind = revision.Backfill
	st.Table = t.Name
	st.Key = diff.BatchKey(t)
	if st.Key == "" {
		st.Why += "; NOT BATCHED: " + notBatched
	}
	return st
}

// columnDefaultSQL writes a column's default as SQL ("" without one),
// single-quoting strings (Atlas double-quotes them, which breaks under
// ANSI_QUOTES) and reading raw SQL defaults back from their syntax tree.
func columnDefaultSQL(c *schema.Column) (string, error) {
	var x string
	switch d := c.Default.(type) {
	case *schema.Literal:
		x = d.V
		switch {
		case len(x) >= 2 && x[0] == '"' && x[len(x)-1] == '"':
			if u, err := strconv.Unquote(x); err == nil {
				return sqlsyntax.String(u), nil
			}
		case len(x) >= 2 && x[0] == '\'' && x[len(x)-1] == '\'':
		default:
			// Atlas keeps string defaults unquoted and quotes them when it
			// writes the DDL, unless the column is numeric or the value
			// is 0x hex (a varbinary's '' was read as an empty
			// expression).
			switch c.Type.Type.(type) {
			case *mysql.BitType, *schema.BoolType, *schema.IntegerType, *schema.DecimalType, *schema.FloatType:
			default:
				if len(x) <= 2 || !strings.EqualFold(x[:2], "0x") {
					return sqlsyntax.String(x), nil
				}
			}
		}
		// A number, 0x hex, or a literal quoted by the server: still one literal.
	case *schema.RawExpr:
		x = d.X
	default:
		return "", nil
	}
	e, err := sqlsyntax.ParseExpr(x, sqlsyntax.PerRow)
	if err != nil {
		return "", err
	}
	return e.SQL(), nil
}
