package splitter

import (
	"cmp"
	"fmt"
	"strings"

	"ariga.io/atlas/sql/mysql"
	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/revision"
	"github.com/emcee-db/emcee/schemadef"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// A NOT NULL column without a default that the new release stops writing
// (replaced, renamed, dropped) would make the new release's INSERTs fail
// between expand and contract. Making it NULL rebuilds the table on both
// servers (MariaDB 10.11 refuses INSTANT and NOCOPY for it; MySQL 8.0 lists
// "Making a column NULL" as in place, rebuilds). Giving it a default is
// metadata only on both (MariaDB 10.11: ALTER COLUMN ... SET DEFAULT with
// ALGORITHM=INSTANT, checked for every type placeholderValue knows; MySQL
// 8.0's online DDL table: "Setting a column default value: Instant Yes,
// Rebuilds Table No"), and so is taking it away again (DROP DEFAULT), which
// is what undoing expand needs.

// needsPlaceholder tells whether writers must set the column: NOT NULL,
// no default, not filled by the server.
func needsPlaceholder(c *schema.Column) bool {
	return !c.Type.Null && c.Default == nil && !ServerFills(c)
}

// placeholderValue is the default a NOT NULL column gets while the new
// release omits it: a literal every server mode accepts (no zero dates
// under NO_ZERO_DATE, a member of the enum, valid JSON under MariaDB's
// json_valid check), as SQL; "" for a type with no such literal on the
// target (literalRefused).
func (c *Context) placeholderValue(col *schema.Column) string {
	if c.literalRefused(col.Type.Type) {
		return ""
	}
	switch t := col.Type.Type.(type) {
	case *schema.StringType, *schema.BinaryType:
		return "''"
	case *schema.IntegerType, *schema.DecimalType, *schema.FloatType, *schema.BoolType, *mysql.BitType:
		return "0"
	case *schema.EnumType:
		if len(t.Values) == 0 {
			return ""
		}
		return sqlsyntax.String(t.Values[0])
	case *mysql.SetType:
		return "''"
	case *schema.TimeType:
		return timePlaceholders[strings.ToLower(t.T)][0]
	case *schema.JSONType:
		return "'{}'"
	case *schema.UUIDType:
		return "'00000000-0000-0000-0000-000000000000'"
	case *mysql.NetworkType:
		if strings.EqualFold(t.T, "inet4") {
			return "'0.0.0.0'"
		}
		return "'::'"
	}
	return ""
}

// literalRefused tells a type the target takes no literal default for:
// MySQL 8.0's TEXT, BLOB and JSON (error 1101), which take an expression
// default instead (from 8.0.13; emcee plans for 8.0.31: project.Target).
func (c *Context) literalRefused(t schema.Type) bool {
	if c.Target.MariaDB() {
		return false
	}
	switch t := t.(type) {
	case *schema.StringType:
		return strings.HasSuffix(strings.ToLower(t.T), "text")
	case *schema.BinaryType:
		return strings.HasSuffix(strings.ToLower(t.T), "blob")
	case *schema.JSONType:
		return true
	}
	return false
}

// placeholderDefault is placeholder (placeholderValue's or placeholderMark's
// literal, chosen for the column's type in the previous release) as the
// default of the column widened to type t: in parentheses, an expression
// default, where the target takes no literal one for t (a varchar renamed
// to a TEXT widens the old column to TEXT on MySQL 8.0, which refused the
// literal).
func (c *Context) placeholderDefault(t schema.Type, placeholder string) schema.Expr {
	if c.literalRefused(t) {
		placeholder = "(" + placeholder + ")"
	}
	return &schema.RawExpr{X: placeholder}
}

// timePlaceholders are each time type's placeholders: the one every
// server mode accepts (placeholderValue) and the marking one
// (placeholderMark).
var timePlaceholders = map[string][2]string{
	mysql.TypeDate:     {"'1970-01-01'", "'1000-01-01'"},
	mysql.TypeDateTime: {"'1970-01-01 00:00:00'", "'1000-01-01 00:00:00'"},
	// TIMESTAMP starts at 1970-01-01 00:00:01 UTC, which is out of range
	// in a session east of UTC: a date far from both ends; the mark is the
	// first day TIMESTAMP holds in every time zone.
	mysql.TypeTimestamp: {"'2000-01-01 00:00:00'", "'1970-01-02 00:00:00'"},
	mysql.TypeTime:      {"'00:00:00'", "'-838:59:59'"},
	mysql.TypeYear:      {"1970", "1901"},
}

// keepOptional is the expand step that lets the new release omit a NOT NULL
// column it no longer writes: the placeholder default value, metadata
// only. Without one ("": the type has none) the column is made NULL, which rebuilds the
// table and so needs `allow_copy = true` on the column that takes it over
// (or, for a plain drop, on any column of the table in the new release).
// The column then holds NULL, not the placeholder, for rows the new
// release inserts. whyNull, when value is
// "", says why the column has no placeholder ("": its type has none), and
// instead the way around the rebuild a refusal names ("": a new column
// that replaces it, requireOptIn's). The
// expand step comes first, then its rollback: the placeholder default goes
// again (metadata only), or a column made NULL is NOT NULL again behind a
// gate counting the rows the new release left NULL in it.
func (c *Change) keepOptional(col *schema.Column, value, why, whyNull, instead string, optIn ...string) ([]Step, error) {
	table := c.Table.Name
	if value != "" {
		set := stmt(revision.Expand, StageModifyColumn, fmt.Sprintf("%s; %s.%s is NOT NULL without a default, so it gets the placeholder default %s (metadata only, no table rebuild) until contract drops it", why, table, col.Name, value),
			Instant.With(fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s SET DEFAULT %s", sqlsyntax.Ident(table), sqlsyntax.Ident(col.Name), value)))
		set.syncGroup = true
		return []Step{set, undo(StageRollbackRestoreColumn,
			fmt.Sprintf("%s.%s had no default in the previous release, which writes it in every INSERT: the placeholder default expand gave it goes (metadata only); rows the new release inserted keep the placeholder", table, col.Name),
			Instant.With(fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s DROP DEFAULT", sqlsyntax.Ident(table), sqlsyntax.Ident(col.Name))))}, nil
	}
	if whyNull == "" {
		whyNull = fmt.Sprintf("%s has no placeholder default on %s", schemadef.TypeName(col.Type), c.ctx.Target)
	}
	// A column the release no longer declares cannot carry allow_copy:
	// any column of the table does, and the refusal names the first one,
	// which said nothing of why (Keycloak 3.4's RESOURCE_SERVER.CLIENT_ID,
	// dropped, sent the opt-in to ALLOW_RS_REMOTE_MGMT).
	carrier := ""
	if _, ok := c.Table.Column(col.Name); !ok && len(optIn) > 1 {
		carrier = fmt.Sprintf("; %s is no longer declared to carry `allow_copy`, so any column of %s does", col.Name, table)
	}
	what := fmt.Sprintf("letting the new release omit %s.%s (%s, so the column must become NULL%s)", table, col.Name, whyNull, carrier)
	note, err := c.requireOptIn(CostRebuild, what, instead, optIn...)
	if err != nil {
		return nil, err
	}
	// A default the column has goes with its NOT NULL: rows the new
	// release inserts hold NULL.
	to, kind := withoutDefault(nullable(col)), schema.ChangeNull
	if col.Default != nil {
		kind |= schema.ChangeDefault
	}
	sql, err := c.Alter(&schema.ModifyColumn{From: col, To: to, Change: kind})
	if err != nil {
		return nil, err
	}
	back, err := c.restoreColumn(col, to, kind, "making it NULL while the new release omits it")
	return append([]Step{stmt(revision.Expand, StageModifyColumn, fmt.Sprintf("%s; %s.%s must accept NULL until it is dropped; %s", why, table, col.Name, note), Inplace.With(sql))}, back...), err
}

// placeholderMark is a placeholder that marks the new release's INSERTs
// (choosePlaceholder): a value of the type that code of the previous
// release has no reason to write, "" where the type has none emcee can
// vouch for (ENUM and SET hold only declared values; floats round; fixed
// BINARY pads).
func placeholderMark(col *schema.Column) string {
	switch t := col.Type.Type.(type) {
	case *schema.IntegerType:
		lo, hi := intRange(t)
		if t.Unsigned {
			return hi
		}
		return lo
	case *schema.BoolType:
		return "-128" // BOOL is TINYINT(1): code writes 0 and 1
	case *schema.DecimalType:
		v := cmp.Or(strings.Repeat("9", max(t.Precision-t.Scale, 0)), "0")
		if t.Scale > 0 {
			v += "." + strings.Repeat("9", t.Scale)
		}
		if t.Unsigned {
			return v
		}
		return "-" + v
	case *schema.StringType:
		return sqlsyntax.String(mark(t.Size))
	case *schema.BinaryType:
		if strings.EqualFold(t.T, "binary") {
			return ""
		}
		n := 0
		if t.Size != nil {
			n = *t.Size
		}
		return sqlsyntax.String(mark(n))
	case *schema.TimeType:
		return timePlaceholders[strings.ToLower(t.T)][1]
	case *schema.JSONType:
		return `'{"emcee": "placeholder"}'`
	}
	return ""
}

// mark is an unusual string, cut to the column's length (0: no limit).
func mark(size int) string {
	const m = "~emcee~"
	if size > 0 && size < len(m) {
		return m[:size]
	}
	return m
}
