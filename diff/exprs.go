package diff

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"ariga.io/atlas/sql/schema"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/sqlname"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// Every SQL expression a release file holds is parsed here, once, when the
// file is loaded: the expressions of emcee's declarations (kept parsed in
// the Declarations, for the splitter to write from) and the raw SQL of the
// schema itself (sql("...") defaults, on_update, generated columns, CHECK
// and functional index parts), which Atlas writes into the plans as it
// finds it. A mistake is an error at its file:line:col, never SQL.

// exprAttr is a string attribute holding SQL.
type exprAttr struct {
	attr *hclsyntax.Attribute
	val  string
}

// pos is where offset (bytes into the value) is in the file. When the
// attribute's source is the value itself (no escapes), the position is
// exact, heredocs included; otherwise it is the start of the value, and
// the message says where inside it.
func (e exprAttr) pos(src []byte, err *sqlsyntax.Error) (Pos, string) {
	start := project.PosOf(e.attr.Expr.Range())
	t, ok := e.attr.Expr.(*hclsyntax.TemplateExpr)
	if ok && len(t.Parts) == 1 {
		if lit, ok := t.Parts[0].(*hclsyntax.LiteralValueExpr); ok {
			r := lit.SrcRange
			if r.End.Byte <= len(src) && string(src[r.Start.Byte:r.End.Byte]) == e.val {
				p := project.PosOf(r)
				before := e.val[:err.Offset]
				if nl := strings.Count(before, "\n"); nl > 0 {
					p.Line += nl
					p.Col = 1
					before = before[strings.LastIndexByte(before, '\n')+1:]
				}
				p.Col += utf8.RuneCountInString(before)
				return p, ""
			}
		}
	}
	return start, fmt.Sprintf(" (line %d, column %d of the expression)", err.Line, err.Col)
}

// errorf positions an error from sqlsyntax at the attribute.
func (e exprAttr) errorf(src []byte, err error, format string, args ...any) error {
	var se *sqlsyntax.Error
	if !errors.As(err, &se) {
		return project.PosOf(e.attr.Expr.Range()).Errorf("%s: %v", fmt.Sprintf(format, args...), err)
	}
	p, inside := e.pos(src, se)
	return p.Errorf("%s: %s%s", fmt.Sprintf(format, args...), se.Msg, inside)
}

func stringOf(a *hclsyntax.Attribute) (exprAttr, bool) {
	v, diags := a.Expr.Value(nil)
	if diags.HasErrors() || v.IsNull() || !v.Type().Equals(cty.String) {
		return exprAttr{}, false
	}
	return exprAttr{attr: a, val: v.AsString()}, true
}

// declared holds the positions of a release's declared expressions, kept
// after loading so that errors found against the previous release (an
// unknown column) point inside the expression too.
type declared struct {
	src   []byte
	attrs map[*sqlsyntax.Expr]exprAttr
	lists map[*sqlsyntax.Assignments]exprAttr
	order []declaredExpr // as declared in the file
	err   error          // the first mistake parsing them (parse)
}

// declaredExpr is one declared expression (or set list) and what it is.
type declaredExpr struct {
	expr *sqlsyntax.Expr
	list *sqlsyntax.Assignments
	attr exprAttr
	what string // "fill of t.c", for messages
	// table is the table the expression computes a row of; into the
	// column it writes ("" for a predicate or a set list).
	table, into string
}

// ordered is nil for a release without declared expressions read (a
// release declared as SQL without a declarations file).
func (d *declared) ordered() []declaredExpr {
	if d == nil {
		return nil
	}
	return d.order
}

// parse parses the declared expression of attribute a (a per-row one:
// forward, backward, fill, which triggers run; or a statement's: pending,
// delete) and records where it is. The first mistake is kept for
// readDeclarations to return once every block is read, a mistake in
// reading one coming first; nothing is parsed after it.
func (d *Declarations) parse(a *hclsyntax.Attribute, use sqlsyntax.Use, what, table, into string) *sqlsyntax.Expr {
	if d.exprs.err != nil {
		return nil
	}
	ea, _ := stringOf(a) // a string: reading the block checked it (stringAttr)
	e, err := sqlsyntax.ParseExpr(ea.val, use)
	if err != nil {
		d.exprs.err = ea.errorf(d.exprs.src, err, "%s", what)
		return nil
	}
	d.exprs.attrs[e] = ea
	d.exprs.order = append(d.exprs.order, declaredExpr{expr: e, attr: ea, what: what, table: table, into: into})
	return e
}

// parseMigration parses the statement expressions of a data migration
// read from block b: its set or insert list and pending, or its delete.
func (d *Declarations) parseMigration(b *hclsyntax.Block, m *DataMigration) {
	switch {
	case m.Seed != nil: // literals, no SQL (seed.go)
	case m.Delete != "":
		m.DeleteExpr = d.parse(b.Body.Attributes["delete"], sqlsyntax.Statement, fmt.Sprintf("delete of data_migration %q", m.Name), m.Table, "")
	default:
		attr, list := "set", &m.SetList
		if m.From != "" {
			attr, list = "insert", &m.InsertList
		}
		what := fmt.Sprintf("%s of data_migration %q", attr, m.Name)
		if d.exprs.err != nil {
			return
		}
		set, _ := stringOf(b.Body.Attributes[attr])
		var err error
		if *list, err = sqlsyntax.ParseAssignments(set.val); err != nil {
			d.exprs.err = set.errorf(d.exprs.src, err, "%s", what)
			return
		}
		d.exprs.lists[*list] = set
		d.exprs.order = append(d.exprs.order, declaredExpr{list: *list, attr: set, what: what, table: m.Rows()})
		m.PendingExpr = d.parse(b.Body.Attributes["pending"], sqlsyntax.Statement, fmt.Sprintf("pending of data_migration %q", m.Name), m.Rows(), "")
	}
}

// ZoneUse is a declared expression whose value depends on the session's
// time zone: emcee's backfills compute it in the application's zone
// (apply), and it agrees with what the triggers compute only if every
// session of the application writes in that zone.
type ZoneUse struct {
	Pos  Pos
	What string // "forward expression of t.c"
	Why  string // what in it depends on the zone, and where inside when Pos cannot say
	// Cause is Why without where: the same for every expression that
	// calls FROM_UNIXTIME, or reads one TIMESTAMP column.
	Cause string
}

// ZoneDependent lists the declared expressions whose value depends on the
// session's time zone, in the order declared. timestamps are the TIMESTAMP
// columns of a table that its expressions read or write.
func (d *Declarations) ZoneDependent(timestamps func(table string) []string) []ZoneUse {
	var out []ZoneUse
	for _, at := range d.exprs.ordered() {
		var z *sqlsyntax.Error
		switch {
		case at.expr != nil:
			z = at.expr.ZoneDependent(timestamps(at.table), at.into)
		case at.list != nil:
			z = at.list.ZoneDependent(timestamps(at.table))
		}
		if z != nil {
			p, inside := at.attr.pos(d.exprs.src, z)
			out = append(out, ZoneUse{Pos: p, What: at.what, Why: z.Msg + inside, Cause: z.Msg})
		}
	}
	return out
}

// At is where a place inside declared expression e (at, positioned by
// sqlsyntax inside the expression) is in the release file, and what to add
// to a message when only the attribute's own position is known (" (line
// L, column C of the expression)"). ok is false for an expression the
// release does not declare.
func (d *Declarations) At(e *sqlsyntax.Expr, at *sqlsyntax.Error) (p Pos, inside string, ok bool) {
	if d.exprs == nil {
		return Pos{}, "", false
	}
	a, ok := d.exprs.attrs[e]
	if !ok {
		return Pos{}, "", false
	}
	p, inside = a.pos(d.exprs.src, at)
	return p, inside, true
}

// checkCalls refuses a call, in a declared expression, of a function that
// is neither a built-in of the target server nor a stored function the
// release declares; and a declared stored function named like a built-in,
// which the server calls instead of it.
func (d *Declarations) checkCalls(t project.Target) error {
	f := d.Functions(t)
	var errs []string
	for _, s := range d.StoredFunctions {
		switch {
		case sqlname.Validate(sqlname.Column, s.Name) != nil:
			errs = append(errs, s.Pos.Errorf("stored_function %q: not a name a function can have (%v)", s.Name, sqlname.Validate(sqlname.Column, s.Name)).Error())
		case sqlsyntax.Builtin(f.Server, s.Name):
			errs = append(errs, s.Pos.Errorf("stored_function %q: %s is a built-in function of %s, which the server calls instead of a stored function of that name; remove the declaration, or call the stored function by another name", s.Name, strings.ToUpper(s.Name), f.Server).Error())
		}
	}
	for _, at := range d.exprs.ordered() {
		var bad *sqlsyntax.Error
		switch {
		case at.expr != nil:
			if bad = at.expr.UnknownCall(f); bad == nil {
				bad = at.expr.SessionCall()
			}
		case at.list != nil:
			if bad = at.list.UnknownCall(f); bad == nil {
				bad = at.list.SessionCall()
			}
		}
		if bad != nil {
			errs = append(errs, at.attr.errorf(d.exprs.src, bad, "%s", at.what).Error())
		}
	}
	return JoinLines(errs)
}

// resolve checks an expression's column references against a scope and
// positions the error inside the expression.
func (d *Declarations) resolve(e *sqlsyntax.Expr, s sqlsyntax.Scope, format string, args ...any) error {
	if e == nil {
		return nil
	}
	_, err := e.Resolve(s)
	if err == nil {
		return nil
	}
	return d.exprs.attrs[e].errorf(d.exprs.src, err, format, args...)
}

func (d *Declarations) resolveList(l *sqlsyntax.Assignments, s sqlsyntax.Scope, format string, args ...any) error {
	if l == nil {
		return nil
	}
	if err := l.Resolve(s); err != nil {
		return d.exprs.lists[l].errorf(d.exprs.src, err, format, args...)
	}
	return nil
}

// checkSchemaExprs parses the raw SQL of the schema: Atlas writes it into
// the plans as given, so it must be exactly one expression, reading only
// the columns of its own row. The blocks that may hold it are the ones
// validate allows.
func checkSchemaExprs(body *hclsyntax.Body, src []byte, s *schema.Schema, f sqlsyntax.Functions) error {
	var errs []string
	check := func(a *hclsyntax.Attribute, t *schema.Table, what string) {
		if a == nil {
			return
		}
		ea, ok := stringOf(a)
		if call, isCall := a.Expr.(*hclsyntax.FunctionCallExpr); !ok && isCall && call.Name == "sql" && len(call.Args) == 1 {
			ea, ok = stringOf(&hclsyntax.Attribute{Name: a.Name, Expr: call.Args[0], SrcRange: a.SrcRange, NameRange: a.NameRange})
		}
		if !ok {
			return // a literal value or reference: Atlas quotes or resolves it
		}
		e, err := sqlsyntax.ParseExpr(ea.val, sqlsyntax.PerRow)
		if err == nil && t != nil {
			_, err = e.Resolve(sqlsyntax.Scope{Table: t.Name, Columns: ColumnNames(t)})
		}
		if err == nil {
			if bad := e.UnknownCall(f); bad != nil {
				err = bad
			}
		}
		if err != nil {
			errs = append(errs, ea.errorf(src, err, "%s", what).Error())
		}
	}
	for _, b := range body.Blocks {
		if b.Type != "table" {
			continue
		}
		t, _ := s.Table(b.Labels[0])
		for _, c := range b.Body.Blocks {
			switch c.Type {
			case "column":
				ref := b.Labels[0] + "." + c.Labels[0]
				if a, ok := c.Body.Attributes["default"]; ok {
					if call, isCall := a.Expr.(*hclsyntax.FunctionCallExpr); isCall && call.Name == "sql" {
						check(a, t, "default of "+ref)
					}
				}
				check(c.Body.Attributes["on_update"], t, "on_update of "+ref)
				check(c.Body.Attributes["as"], t, "generated column "+ref)
				for _, as := range c.Body.Blocks {
					if as.Type == "as" {
						check(as.Body.Attributes["expr"], t, "generated column "+ref)
					}
				}
			case "check":
				check(c.Body.Attributes["expr"], t, fmt.Sprintf("check %s on %s", c.Labels[0], b.Labels[0]))
			case "index", "primary_key":
				for _, on := range c.Body.Blocks {
					if on.Type == "on" {
						check(on.Body.Attributes["expr"], t, fmt.Sprintf("expression part of %s on %s", c.Type+labelOf(c), b.Labels[0]))
					}
				}
			}
		}
	}
	return JoinLines(errs)
}

func labelOf(b *hclsyntax.Block) string {
	if len(b.Labels) > 0 {
		return " " + b.Labels[0]
	}
	return ""
}
