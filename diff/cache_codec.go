package diff

import (
	"bytes"
	"encoding/gob"
	"fmt"
	"slices"

	"ariga.io/atlas/sql/mysql"
	"ariga.io/atlas/sql/schema"
)

// The evaluation cache keeps a file's pieces (chunk.go) as gob data.
// Atlas's realm is a graph (tables point at their schema, index parts and
// foreign keys at columns), which gob cannot carry, so a table is
// flattened: pointers inside it become indexes, and a foreign key names
// the table it references. Types, defaults and attributes stay Atlas's own
// values, encoded by gob as registered concrete types. A value the codec
// does not know makes encoding fail, and no entry is written. gob carries
// a struct's exported fields only, and every type a piece holds has no
// other (TestCodecTypesAreWhollyExported): what is read back is what Atlas
// and emcee computed, which the tests also compare on every schema they
// cache (decoding and comparing each pack as it was written cost a tenth
// of planning from scratch).

type cachedTable struct {
	Name        string
	Attrs       []schema.Attr
	Columns     []cachedColumn
	PrimaryKey  *cachedIndex
	Indexes     []cachedIndex
	ForeignKeys []cachedForeignKey
}

type cachedColumn struct {
	Name    string
	Type    *schema.ColumnType
	Default schema.Expr
	Attrs   []schema.Attr
}

type cachedIndex struct {
	Name   string
	Unique bool
	Attrs  []schema.Attr
	Parts  []cachedPart
}

type cachedPart struct {
	SeqNo  int
	Desc   bool
	X      schema.Expr
	Column int // index in the table's columns, -1 for an expression
	Attrs  []schema.Attr
}

type cachedForeignKey struct {
	Symbol             string
	Columns            []int
	RefTable           string
	RefColumns         []string
	OnUpdate, OnDelete schema.ReferenceOption
	Attrs              []schema.Attr
}

// codecTypes are the concrete types a piece's interface values hold.
var codecTypes = []any{
	// types
	&schema.EnumType{}, &schema.BinaryType{}, &schema.StringType{}, &schema.BoolType{},
	&schema.IntegerType{}, &schema.DecimalType{}, &schema.FloatType{}, &schema.TimeType{},
	&schema.JSONType{}, &schema.SpatialType{}, &schema.UUIDType{}, &schema.UnsupportedType{},
	&mysql.BitType{}, &mysql.SetType{}, &mysql.NetworkType{},
	// expressions
	&schema.Literal{}, &schema.RawExpr{},
	// attributes
	&schema.Comment{}, &schema.Charset{}, &schema.Collation{}, &schema.Check{}, &schema.GeneratedExpr{},
	&mysql.AutoIncrement{}, &mysql.CreateOptions{}, &mysql.Engine{}, &mysql.SystemVersioned{},
	&mysql.OnUpdate{}, &mysql.SubPart{}, &mysql.Enforced{}, &mysql.DisplayWidth{}, &mysql.ZeroFill{},
	&mysql.IndexType{}, &mysql.IndexParser{},
}

func init() {
	for _, v := range codecTypes {
		gob.Register(v)
	}
}

// encodePieces is a pack of pieces (cache.go).
func encodePieces(ps []*piece) ([]byte, error) {
	var b bytes.Buffer
	if err := gob.NewEncoder(&b).Encode(ps); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func decodePieces(data []byte) ([]*piece, error) {
	var ps []*piece
	if err := gob.NewDecoder(bytes.NewReader(data)).Decode(&ps); err != nil {
		return nil, err
	}
	for _, p := range ps {
		if p.Positions == nil {
			// gob leaves an empty map out; readDeclarations makes one.
			p.Positions = map[string]Pos{}
		}
	}
	return ps, nil
}

// flattenTable is a table as a piece keeps it.
func flattenTable(t *schema.Table) (*cachedTable, error) {
	if len(t.Deps) > 0 || len(t.Refs) > 0 {
		return nil, fmt.Errorf("table %s has dependencies", t.Name)
	}
	ct := &cachedTable{Name: t.Name, Attrs: t.Attrs}
	columnIndex := map[*schema.Column]int{}
	for i, col := range t.Columns {
		if len(col.ForeignKeys) > 0 {
			return nil, fmt.Errorf("column %s.%s links its foreign keys", t.Name, col.Name)
		}
		columnIndex[col] = i
		ct.Columns = append(ct.Columns, cachedColumn{Name: col.Name, Type: col.Type, Default: col.Default, Attrs: col.Attrs})
	}
	index := func(ix *schema.Index) (cachedIndex, error) {
		ci := cachedIndex{Name: ix.Name, Unique: ix.Unique, Attrs: ix.Attrs}
		if ix.Table != t {
			return ci, fmt.Errorf("index %s of %s belongs to another table", ix.Name, t.Name)
		}
		for _, p := range ix.Parts {
			cp := cachedPart{SeqNo: p.SeqNo, Desc: p.Desc, X: p.X, Column: -1, Attrs: p.Attrs}
			if p.C != nil {
				i, ok := columnIndex[p.C]
				if !ok {
					return ci, fmt.Errorf("index %s of %s names a column of another table", ix.Name, t.Name)
				}
				cp.Column = i
			}
			ci.Parts = append(ci.Parts, cp)
		}
		return ci, nil
	}
	if t.PrimaryKey != nil {
		pk, err := index(t.PrimaryKey)
		if err != nil {
			return nil, err
		}
		ct.PrimaryKey = &pk
	}
	for _, ix := range t.Indexes {
		ci, err := index(ix)
		if err != nil {
			return nil, err
		}
		ct.Indexes = append(ct.Indexes, ci)
	}
	for _, fk := range t.ForeignKeys {
		if fk.Table != t || fk.RefTable == nil {
			return nil, fmt.Errorf("foreign key %s of %s", fk.Symbol, t.Name)
		}
		cf := cachedForeignKey{Symbol: fk.Symbol, RefTable: fk.RefTable.Name, OnUpdate: fk.OnUpdate, OnDelete: fk.OnDelete, Attrs: fk.Attrs}
		for _, col := range fk.Columns {
			i, ok := columnIndex[col]
			if !ok {
				return nil, fmt.Errorf("foreign key %s of %s names a column of another table", fk.Symbol, t.Name)
			}
			cf.Columns = append(cf.Columns, i)
		}
		for _, col := range fk.RefColumns {
			cf.RefColumns = append(cf.RefColumns, col.Name)
		}
		ct.ForeignKeys = append(ct.ForeignKeys, cf)
	}
	return ct, nil
}

// table builds the table in schema s, back references included, as
// Atlas's evaluation links them; link points its foreign keys at the
// tables of s once they are all there.
func (ct *cachedTable) table(s *schema.Schema) (*schema.Table, func() error, error) {
	t := &schema.Table{Name: ct.Name, Schema: s, Attrs: slices.Clone(ct.Attrs)}
	// A release assembles thousands of tables: a table's columns are one
	// allocation.
	cols := make([]schema.Column, len(ct.Columns))
	if len(cols) > 0 {
		t.Columns = make([]*schema.Column, len(cols))
	}
	for i, cc := range ct.Columns {
		cols[i] = schema.Column{Name: cc.Name, Type: cc.Type, Default: cc.Default, Attrs: slices.Clone(cc.Attrs)}
		t.Columns[i] = &cols[i]
	}
	index := func(ci cachedIndex) (*schema.Index, error) {
		ix := &schema.Index{Name: ci.Name, Unique: ci.Unique, Table: t, Attrs: slices.Clone(ci.Attrs)}
		for _, cp := range ci.Parts {
			p := &schema.IndexPart{SeqNo: cp.SeqNo, Desc: cp.Desc, X: cp.X, Attrs: slices.Clone(cp.Attrs)}
			if cp.Column >= 0 {
				if cp.Column >= len(t.Columns) {
					return nil, fmt.Errorf("damaged piece: index %s of %s", ci.Name, t.Name)
				}
				p.C = t.Columns[cp.Column]
				p.C.Indexes = append(p.C.Indexes, ix)
			}
			ix.Parts = append(ix.Parts, p)
		}
		return ix, nil
	}
	if ct.PrimaryKey != nil {
		pk, err := index(*ct.PrimaryKey)
		if err != nil {
			return nil, nil, err
		}
		t.PrimaryKey = pk
	}
	for _, ci := range ct.Indexes {
		ix, err := index(ci)
		if err != nil {
			return nil, nil, err
		}
		t.Indexes = append(t.Indexes, ix)
	}
	link := func() error {
		for _, cf := range ct.ForeignKeys {
			ref, ok := s.Table(cf.RefTable)
			if !ok {
				return fmt.Errorf("foreign key %s of %s references a table that is not declared", cf.Symbol, t.Name)
			}
			fk := &schema.ForeignKey{Symbol: cf.Symbol, Table: t, RefTable: ref, OnUpdate: cf.OnUpdate, OnDelete: cf.OnDelete, Attrs: slices.Clone(cf.Attrs)}
			for _, j := range cf.Columns {
				if j < 0 || j >= len(t.Columns) {
					return fmt.Errorf("damaged piece: foreign key %s of %s", cf.Symbol, t.Name)
				}
				fk.Columns = append(fk.Columns, t.Columns[j])
			}
			for _, name := range cf.RefColumns {
				c, ok := ref.Column(name)
				if !ok {
					return fmt.Errorf("foreign key %s of %s references a column that is not declared", cf.Symbol, t.Name)
				}
				fk.RefColumns = append(fk.RefColumns, c)
			}
			t.ForeignKeys = append(t.ForeignKeys, fk)
		}
		return nil
	}
	return t, link, nil
}
