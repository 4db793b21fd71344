package simulate

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"

	"ariga.io/atlas/sql/mysql"
	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/diff"
	"github.com/emcee-db/emcee/schemadef"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// table is one table the workers drive, as each release declares it. The
// workers' SQL is derived from it, so the simulator works on any release
// pair whose tables it can write (see unsupported below).
type table struct {
	name string
	// key is the primary key the rows are followed by (key.go); the
	// workers write it with every insert unless the server assigns it.
	key *rowKey
	// cols are the columns each release writes apart from the key: the
	// previous release knows only old, the new release only new.
	old, new []*column
	// pairs are the new columns kept in sync with the previous release by
	// the expand triggers, with the declared expressions that relate them.
	pairs []*pair
	// filledBy names the data migration that inserts rows into the table
	// from another's (from and insert; "" for none): the rows it inserts,
	// which no worker wrote, are its (Gitea 1.15's primary emails in
	// email_address), checked by contract's gate, not by the ledger.
	filledBy string
}

type column struct {
	name string
	gen  func(r *rand.Rand) string // a value as the server returns it
	// seed, when set, is the value of seed row key: a column carrying a
	// unique key (distinctColumns) gets one value per row.
	seed func(key int64) string
}

// pair is a column of the new release derived from the previous one:
// replaces (forward/backward), renamed_from (same value), or fill.
type pair struct {
	newCol   string
	oldCol   string // "" for a fill
	forward  string // new value from the old columns, as sqlsyntax writes it
	backward string // old value from the new columns; "" for a fill
}

func (t *table) columns(k Kind) []*column {
	if k == Old {
		return t.old
	}
	return t.new
}

// newTable derives the model of one table from both releases.
func newTable(oldT, newT *schema.Table, decls *diff.Declarations) (*table, error) {
	t := &table{name: newT.Name}
	for _, m := range decls.DataMigrations {
		if m.InsertList != nil && strings.EqualFold(m.Table, newT.Name) {
			t.filledBy = m.Name
		}
	}
	key, err := keyOf(oldT)
	if err != nil {
		return nil, err
	}
	if k2, err := keyOf(newT); err != nil || !key.matches(k2) {
		return nil, fmt.Errorf("table %s: the primary key changes between the releases; the simulator follows rows by a key both releases share, so it cannot rehearse this table; leave it out (--table names the tables to rehearse), or apply the release to a copy of the database with emcee db expand, migrate and contract instead", t.name)
	}
	t.key = key
	// One counter for both releases: the values their workers write in
	// a unique key's column never meet.
	next := new(atomic.Int64)
	if t.old, err = writable(oldT, newT, key, next); err != nil {
		return nil, err
	}
	if t.new, err = writable(newT, oldT, key, next); err != nil {
		return nil, err
	}
	for _, c := range newT.Columns {
		d := decls.Columns[diff.ColumnRef{Table: newT.Name, Column: c.Name}]
		switch {
		case d == nil:
		case d.Replaces != nil:
			t.pairs = append(t.pairs, &pair{newCol: c.Name, oldCol: d.Replaces.Column, forward: d.Replaces.ForwardExpr.SQL(), backward: d.Replaces.BackwardExpr.SQL()})
		case d.RenamedFrom != "":
			t.pairs = append(t.pairs, &pair{newCol: c.Name, oldCol: d.RenamedFrom, forward: sqlsyntax.Ident(d.RenamedFrom), backward: sqlsyntax.Ident(c.Name)})
		case d.Fill != "":
			t.pairs = append(t.pairs, &pair{newCol: c.Name, forward: d.FillExpr.SQL()})
		}
	}
	return t, nil
}

// writable lists the columns a release's code writes: every column except
// the key's (written from the row's number, key.go) and generated columns.
// A column whose type the simulator cannot generate values for is left out
// when the server can fill it (NULL or a default) and refused otherwise. So is a column of a
// foreign key: a generated value references no row, and seeding Dolibarr's
// llx_socpeople stopped on the server's error 1452 (fk_soc), which said
// neither why nor what to do; one a row may leave NULL is left NULL. The
// keys of the other release's table (other, nil for none) count too: both
// releases write while a key one of them drops still holds (until
// contract) or one it adds is gated (in contract) on the rows written.
// A key column of a foreign key is refused: a key is never NULL, and the
// simulator writes no row of the referenced table for it.
func writable(t, other *schema.Table, key *rowKey, next *atomic.Int64) ([]*column, error) {
	var out []*column
	unique := distinctColumns(t, other, key)
	for _, c := range t.Columns {
		isKey := key.has(c.Name)
		if isKey && key.auto {
			continue
		}
		if _, generated := schemadef.Attr[*schema.GeneratedExpr](c.Attrs); generated {
			continue
		}
		fk := foreignKeyOf(t, c)
		if fk == nil && other != nil {
			fk = foreignKeyOf(other, c)
		}
		if fk != nil {
			if isKey {
				return nil, fmt.Errorf("table %s: column %s of its primary key is part of foreign key %s (to table %s): the simulator writes keys of its own, which reference no row, so it cannot rehearse this table; leave it out (--table names the tables to rehearse), or apply the release to a copy of the database with emcee db expand, migrate and contract", t.Name, c.Name, fk.Symbol, fk.RefTable.Name)
			}
			if c.Type.Null && c.Default == nil {
				continue
			}
			return nil, fmt.Errorf("table %s: column %s is part of foreign key %s (to table %s), and a row that does not set it holds no NULL there: the simulator writes generated values, which reference no row, so it cannot rehearse this table; leave it out (--table names the tables to rehearse), or apply the release to a copy of the database with emcee db expand, migrate and contract", t.Name, c.Name, fk.Symbol, fk.RefTable.Name)
		}
		if isKey {
			continue // allocated by the workers, written with every insert
		}
		g := generator(c)
		if g == nil {
			if c.Type.Null || c.Default != nil {
				continue
			}
			return nil, fmt.Errorf("table %s: cannot generate values for column %s (%s), which is NOT NULL without a default; supported: integers, bool, decimal, float, char/varchar/text, enum, set, date/time, json, binary", t.Name, c.Name, c.Type.Raw)
		}
		col := &column{name: c.Name, gen: g}
		if unique[c.Name] {
			_, isInt := c.Type.Type.(*schema.IntegerType)
			distinctValues(col, isInt, next)
		}
		out = append(out, col)
	}
	return out, nil
}

// distinctColumns names, for each unique key of t or of the other
// release's table (other, nil for none) that does not hold the key's lead
// column or all its columns (unique in every row either way), one column
// outside the key that can carry a value of its own in every row: an INT
// or BIGINT, or a string of 8 characters or more. Random values collide
// there (seeding Moodle's mdl_message_conversations stopped on a
// duplicate convhash, 'l'), which no release's code would write; a key
// none of whose columns can is left to chance.
func distinctColumns(t, other *schema.Table, key *rowKey) map[string]bool {
	out := map[string]bool{}
	holds := func(idx *schema.Index, name string) bool {
		return slices.ContainsFunc(idx.Parts, func(p *schema.IndexPart) bool { return p.C != nil && p.C.Name == name })
	}
	for _, tb := range []*schema.Table{t, other} {
		if tb == nil {
			continue
		}
		for _, idx := range tb.Indexes {
			if !idx.Unique || holds(idx, key.cols[key.lead].name) || !slices.ContainsFunc(key.names(), func(n string) bool { return !holds(idx, n) }) {
				continue
			}
			for _, p := range idx.Parts {
				// A key column's values are the key's (cycling, apart
				// from the lead's).
				if p.C == nil || key.has(p.C.Name) {
					continue
				}
				c, ok := t.Column(p.C.Name)
				if ok && carriesDistinct(c) {
					out[c.Name] = true
					break
				}
			}
		}
	}
	return out
}

func carriesDistinct(c *schema.Column) bool {
	switch t := c.Type.Type.(type) {
	case *schema.IntegerType:
		return slices.Contains([]string{"int", "integer", "bigint"}, strings.ToLower(t.T))
	case *schema.StringType:
		return !strings.EqualFold(t.T, "char") && (t.Size <= 0 || t.Size >= 8)
	}
	return false
}

// distinctValues makes column c carry a value of its own in every row:
// seed row key's is the key, the workers' come from next, counted from
// far above any seed key (a string is prefixed apart: "s" and "w").
func distinctValues(c *column, isInt bool, next *atomic.Int64) {
	const workers = 1_000_000_000
	if isInt {
		c.seed = func(key int64) string { return strconv.FormatInt(key, 10) }
		c.gen = func(*rand.Rand) string { return strconv.FormatInt(workers+next.Add(1), 10) }
		return
	}
	c.seed = func(key int64) string { return "s" + strconv.FormatInt(key, 10) }
	c.gen = func(*rand.Rand) string { return "w" + strconv.FormatInt(next.Add(1), 10) }
}

const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

func randString(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = letters[r.IntN(len(letters))]
	}
	return string(b)
}

// generator returns values in the exact text form the server hands back,
// so that the verifier can compare what was written with what is read.
// Values are small and ASCII: the point is the upgrade, not type edge
// cases. nil means the type is not supported.
func generator(c *schema.Column) func(*rand.Rand) string {
	switch t := c.Type.Type.(type) {
	case *schema.BoolType:
		return func(r *rand.Rand) string { return strconv.Itoa(r.IntN(2)) }
	case *schema.IntegerType:
		limit := 100
		switch {
		case strings.Contains(strings.ToLower(c.Type.Raw), "tinyint(1)"):
			limit = 2
		case slices.Contains([]string{"smallint", "mediumint", "int", "integer", "bigint"}, strings.ToLower(t.T)):
			limit = 30000
		}
		return func(r *rand.Rand) string { return strconv.Itoa(r.IntN(limit)) }
	case *schema.DecimalType:
		digits := t.Precision - t.Scale
		if t.Precision == 0 {
			digits = 10
		}
		limit := int(math.Pow10(min(digits, 6)))
		return func(r *rand.Rand) string {
			s := strconv.Itoa(r.IntN(limit))
			if t.Scale > 0 {
				s += "." + fmt.Sprintf("%0*d", t.Scale, r.IntN(int(math.Pow10(min(t.Scale, 6)))))
			}
			return s
		}
	case *schema.FloatType:
		return func(r *rand.Rand) string { return strconv.Itoa(r.IntN(1000)) }
	case *schema.StringType:
		n := t.Size
		if n <= 0 || n > 16 {
			n = 16
		}
		if strings.EqualFold(t.T, "char") {
			// CHAR strips trailing spaces only; random letters have none.
			return func(r *rand.Rand) string { return randString(r, max(1, min(n, t.Size))) }
		}
		return func(r *rand.Rand) string { return randString(r, 1+r.IntN(n)) }
	case *schema.EnumType:
		vals := t.Values
		return func(r *rand.Rand) string { return vals[r.IntN(len(vals))] }
	case *mysql.SetType:
		vals := t.Values
		return func(r *rand.Rand) string { return vals[r.IntN(len(vals))] }
	case *schema.TimeType:
		frac := ""
		if t.Precision != nil && *t.Precision > 0 {
			frac = "." + strings.Repeat("0", *t.Precision)
		}
		switch strings.ToLower(t.T) {
		case "date":
			return func(r *rand.Rand) string {
				return fmt.Sprintf("20%02d-%02d-%02d", 10+r.IntN(20), 1+r.IntN(12), 1+r.IntN(28))
			}
		case "datetime", "timestamp":
			return func(r *rand.Rand) string {
				return fmt.Sprintf("20%02d-%02d-%02d %02d:%02d:%02d%s", 10+r.IntN(20), 1+r.IntN(12), 1+r.IntN(28), r.IntN(24), r.IntN(60), r.IntN(60), frac)
			}
		case "time":
			return func(r *rand.Rand) string {
				return fmt.Sprintf("%02d:%02d:%02d%s", r.IntN(24), r.IntN(60), r.IntN(60), frac)
			}
		case "year":
			return func(r *rand.Rand) string { return strconv.Itoa(2000 + r.IntN(50)) }
		}
	case *schema.JSONType:
		return func(r *rand.Rand) string { return fmt.Sprintf(`{"n": %d}`, r.IntN(1000)) }
	case *schema.BinaryType:
		if strings.EqualFold(t.T, "binary") {
			// BINARY(n) pads with zero bytes: write exactly n.
			n := 1
			if t.Size != nil {
				n = *t.Size
			}
			return func(r *rand.Rand) string { return randString(r, n) }
		}
		n := 16
		if t.Size != nil && *t.Size < n {
			n = *t.Size
		}
		return func(r *rand.Rand) string { return randString(r, 1+r.IntN(max(n, 1))) }
	}
	return nil
}

// newRow is the INSERT of row key as a worker of release k writes it (the
// key unless the server assigns it, and values), its arguments, and the
// values by column.
func (t *table) newRow(k Kind, key int64, r *rand.Rand) (string, []any, map[string]string) {
	names, args, vals := t.values(k, r)
	if !t.key.auto {
		names, args = append(t.key.names(), names...), append(t.key.args(key), args...)
	}
	return insert(t.name, names, 1), args, vals
}

// values draws a value for each column release k writes: the columns,
// the values as arguments, and the values by column.
func (t *table) values(k Kind, r *rand.Rand) (names []string, args []any, vals map[string]string) {
	vals = map[string]string{}
	for _, c := range t.columns(k) {
		v := c.gen(r)
		vals[c.name] = v
		names, args = append(names, c.name), append(args, v)
	}
	return names, args, vals
}

// insert is an INSERT of rows rows of placeholders, one for each of the
// columns.
func insert(table string, cols []string, rows int) string {
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	return fmt.Sprintf("INSERT INTO %s (%s) VALUES %s", sqlsyntax.Ident(table), quoteAll(cols), strings.TrimSuffix(strings.Repeat(row+", ", rows), ", "))
}

func quoteAll(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = sqlsyntax.Ident(n)
	}
	return strings.Join(q, ", ")
}

func names(cols []*column) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.name
	}
	return out
}

// foreignKeyOf is a foreign key of t that column c is part of, or nil.
func foreignKeyOf(t *schema.Table, c *schema.Column) *schema.ForeignKey {
	for _, fk := range t.ForeignKeys {
		if slices.Contains(diff.Names(fk.Columns), c.Name) {
			return fk
		}
	}
	return nil
}
