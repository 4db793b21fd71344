package simulate

import (
	"database/sql"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"ariga.io/atlas/sql/mysql"
	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/diff"
	"github.com/emcee-db/emcee/schemadef"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// rowKey is how the simulator follows a table's rows: by every column of
// its primary key. Each row the simulator writes has a number (the seed's
// 1..rows, then one counter per table that both releases' workers draw
// from, so that their keys never meet), and its key is derived from that
// number: the ledger knows a row by its number, and the verifier reads the
// number back from the full key, which must be exactly the key of that
// number. Keycloak's varchar(36) ids, Roundcube's session.sess_id and the
// join tables of every ORM (two integer columns) were refused while the
// simulator followed one integer column only.
type rowKey struct {
	cols []*keyCol
	// auto: one integer column the server assigns (AUTO_INCREMENT): the
	// number is the key the server returns, and workers write no key.
	auto bool
	// lead is the column that holds the row's number whole (the one that
	// holds the most values): it alone makes the key unique, and a unique
	// index holding it needs no value of its own (distinctColumns).
	lead int
}

type keyCol struct {
	name string
	// str: a string column, holding the number in base 36, lowercase, so
	// that no case-insensitive collation folds two keys into one and no
	// charset lacks a character of it.
	str bool
	// width: a BINARY(n) column, written exactly n bytes long (zeros in
	// front), since the server pads a shorter value with zero bytes.
	width int
	// holds is how many numbers the column can hold (1..holds): the lead
	// column is written the number, which fits while rows are fewer; the
	// others cycle through theirs.
	holds int64
}

// keyHow is what a table refused for its key can still do.
const keyHow = "the simulator follows rows by a primary key of integer and string columns (char, varchar, binary, varbinary), so it cannot rehearse this table; leave it out (--table names the tables to rehearse), or apply the release to a copy of the database with emcee db expand, migrate and contract instead"

// keyOf reads a table's primary key, or says why the simulator cannot
// follow its rows by it.
func keyOf(t *schema.Table) (*rowKey, error) {
	pk := t.PrimaryKey
	if pk == nil || len(pk.Parts) == 0 {
		return nil, fmt.Errorf("table %s has no primary key: %s", t.Name, keyHow)
	}
	k := &rowKey{}
	for _, p := range pk.Parts {
		if p.C == nil {
			return nil, fmt.Errorf("table %s: its primary key holds an expression: %s", t.Name, keyHow)
		}
		c, err := keyColOf(t, p)
		if err != nil {
			return nil, err
		}
		k.cols = append(k.cols, c)
	}
	k.pickLead()
	if len(k.cols) == 1 && !k.cols[0].str {
		_, k.auto = schemadef.Attr[*mysql.AutoIncrement](pk.Parts[0].C.Attrs)
	}
	return k, nil
}

// pickLead makes the column that holds the most values (the first of
// those) the lead.
func (k *rowKey) pickLead() {
	k.lead = 0
	for i, c := range k.cols {
		if c.holds > k.cols[k.lead].holds {
			k.lead = i
		}
	}
}

func keyColOf(t *schema.Table, p *schema.IndexPart) (*keyCol, error) {
	c := p.C
	if _, generated := schemadef.Attr[*schema.GeneratedExpr](c.Attrs); generated {
		return nil, fmt.Errorf("table %s: its primary key column %s is generated, which no worker can write: %s", t.Name, c.Name, keyHow)
	}
	// A prefix key compares the first characters only: the values must
	// differ there.
	prefix := 0
	if sp, ok := schemadef.Attr[*mysql.SubPart](p.Attrs); ok {
		prefix = sp.Len
	}
	chars := func(n int) int {
		if prefix > 0 && prefix < n {
			return prefix
		}
		return n
	}
	switch typ := c.Type.Type.(type) {
	case *schema.IntegerType:
		return &keyCol{name: c.Name, holds: intMax(typ)}, nil
	case *schema.StringType:
		if kind := strings.ToLower(typ.T); kind == "char" || kind == "varchar" {
			n := typ.Size
			if n <= 0 {
				n = 1 // CHAR alone is CHAR(1)
			}
			return &keyCol{name: c.Name, str: true, holds: base36Holds(chars(n))}, nil
		}
	case *schema.BinaryType:
		n := 1
		if typ.Size != nil {
			n = *typ.Size
		}
		switch strings.ToLower(typ.T) {
		case "binary":
			return &keyCol{name: c.Name, str: true, width: n, holds: base36Holds(chars(n))}, nil
		case "varbinary":
			return &keyCol{name: c.Name, str: true, holds: base36Holds(chars(n))}, nil
		}
	}
	// Raw is empty for a type read from HCL (Roundcube's session.sess_id
	// printed "sess_id is " and nothing after it).
	typ, err := mysql.FormatType(c.Type.Type)
	if err != nil {
		typ = "of another type"
	}
	return nil, fmt.Errorf("table %s: its primary key column %s is %s: %s", t.Name, c.Name, typ, keyHow)
}

// intMax is the largest value of an integer type, at most an int64's.
func intMax(t *schema.IntegerType) int64 {
	if _, hi := diff.IntRange(t.T, t.Unsigned); hi.IsInt64() {
		return hi.Int64()
	}
	return math.MaxInt64
}

// base36Holds is how many positive numbers n characters of base 36 write.
func base36Holds(n int) int64 {
	holds := int64(1)
	for range n {
		if holds > math.MaxInt64/36 {
			return math.MaxInt64
		}
		holds *= 36
	}
	return holds - 1
}

// matches tells whether both releases' keys are written alike, and keeps
// in each column the fewer values of the two.
func (k *rowKey) matches(o *rowKey) bool {
	if len(k.cols) != len(o.cols) || k.auto != o.auto {
		return false
	}
	for i, c := range k.cols {
		oc := o.cols[i]
		if c.name != oc.name || c.str != oc.str || c.width != oc.width {
			return false
		}
		c.holds = min(c.holds, oc.holds)
	}
	k.pickLead()
	return true
}

func (k *rowKey) names() []string {
	out := make([]string, len(k.cols))
	for i, c := range k.cols {
		out[i] = c.name
	}
	return out
}

func (k *rowKey) has(name string) bool { return slices.Contains(k.names(), name) }

// value is column i's value in row n, as the server returns it.
func (k *rowKey) value(i int, n int64) string {
	c := k.cols[i]
	if i != k.lead {
		n = (n-1)%c.holds + 1
	}
	if !c.str {
		return strconv.FormatInt(n, 10)
	}
	s := strconv.FormatInt(n, 36)
	if len(s) < c.width {
		s = strings.Repeat("0", c.width-len(s)) + s
	}
	return s
}

// args are row n's key values, in the key's order.
func (k *rowKey) args(n int64) []any {
	out := make([]any, len(k.cols))
	for i := range k.cols {
		out[i] = k.value(i, n)
	}
	return out
}

// where is the condition that picks one row by its key; args gives its
// values.
func (k *rowKey) where() string {
	conds := make([]string, len(k.cols))
	for i, c := range k.cols {
		conds[i] = sqlsyntax.Ident(c.name) + " = ?"
	}
	return strings.Join(conds, " AND ")
}

// number is the row number of a key read back, 0 for a key the simulator
// never writes.
func (k *rowKey) number(vals []sql.NullString) int64 {
	lead := vals[k.lead]
	if !lead.Valid {
		return 0
	}
	base := 10
	if k.cols[k.lead].str {
		base = 36
	}
	n, err := strconv.ParseInt(lead.String, base, 64)
	if err != nil || n < 1 {
		return 0
	}
	for i, v := range vals {
		if !v.Valid || v.String != k.value(i, n) {
			return 0
		}
	}
	return n
}

// show words row n's key for a report: id=5, sess_id='a7x', or
// (user_id, group_id)=(5, 5).
func (k *rowKey) show(n int64) string {
	vals := make([]sql.NullString, len(k.cols))
	for i := range k.cols {
		vals[i] = sql.NullString{String: k.value(i, n), Valid: true}
	}
	return k.showRead(vals)
}

// showRead words a key as read from the table.
func (k *rowKey) showRead(vals []sql.NullString) string {
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i] = show(v)
		if v.Valid && !k.cols[i].str {
			out[i] = v.String
		}
	}
	if len(k.cols) == 1 {
		return k.cols[0].name + "=" + out[0]
	}
	return "(" + strings.Join(k.names(), ", ") + ")=(" + strings.Join(out, ", ") + ")"
}
