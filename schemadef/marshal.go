package schemadef

import (
	"fmt"
	"strconv"
	"strings"

	"ariga.io/atlas/sql/mysql"
	"ariga.io/atlas/sql/schema"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"

	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// Marshal writes a schema Atlas inspected on a server of target's flavor
// as Atlas HCL, formatted: head (comment lines), the schema block, then
// the tables in the schema's order. `emcee init` writes an adopted release
// with it, and a release declared as SQL is written so from what Atlas
// inspected in the dev database.
func Marshal(s *schema.Schema, target project.Target, head string) ([]byte, error) {
	if target.MariaDB() {
		stringDefaults(s)
	}
	own := columnCharsets(s)
	b, err := mysql.MarshalHCL(s)
	if err != nil {
		return nil, fmt.Errorf("writing the inspected schema as HCL: %w", err)
	}
	f, diags := hclwrite.ParseConfig(b, "inspected.hcl", hcl.InitialPos)
	if diags.HasErrors() {
		return nil, fmt.Errorf("writing the inspected schema as HCL: %v", diags)
	}
	body := f.Body()
	unquoteReferences(body)
	var schemas []*hclwrite.Block
	for _, blk := range body.Blocks() {
		if blk.Type() == "schema" {
			schemas = append(schemas, blk)
			body.RemoveBlock(blk)
		}
	}
	for _, blk := range body.Blocks() {
		if blk.Type() != "table" || len(blk.Labels()) != 1 {
			continue
		}
		for _, col := range blk.Body().Blocks() {
			if col.Type() != "column" || len(col.Labels()) != 1 {
				continue
			}
			for _, a := range own[[2]string{blk.Labels()[0], col.Labels()[0]}] {
				col.Body().SetAttributeValue(a[0], cty.StringVal(a[1]))
			}
		}
	}
	out := hclwrite.NewEmptyFile()
	for _, blk := range schemas {
		out.Body().AppendBlock(blk)
	}
	for _, blk := range body.Blocks() {
		out.Body().AppendNewline()
		out.Body().AppendBlock(blk)
	}
	return append([]byte(head), hclwrite.Format(out.Bytes())...), nil
}

// stringDefaults rewrites MariaDB's string defaults in a quoting Atlas's
// HCL writer reads back exactly. MariaDB's information_schema gives a
// default as a SQL literal, backslashes escaped ('C:\\temp' for C:\temp,
// '\n' for a line break, 'it\'s'), and Atlas undoes only doubled quotes:
// the HCL said C:\\temp, so a release declared as SQL planned another
// default than its file's (DEFAULT 'C:\\\\temp'), and `db baseline`
// refused the database an adopted release was read from. A double-quoted
// string Atlas reads with strconv.Unquote.
//
// A BINARY(n) default is reported padded with NUL bytes to n (the empty string is
// '\0\0...'): the value without them declares the same column, and NUL
// is a character Atlas's HCL cannot carry, so MediaWiki's
// `user_touched binary(14) NOT NULL` with an empty default was refused as a default
// holding U+0000.
func stringDefaults(s *schema.Schema) {
	for _, t := range s.Tables {
		for _, c := range t.Columns {
			lit, ok := c.Default.(*schema.Literal)
			if !ok || !strings.HasPrefix(lit.V, "'") {
				continue
			}
			if v, ok := sqlsyntax.Literal(lit.V); ok {
				if b, ok := c.Type.Type.(*schema.BinaryType); ok && strings.EqualFold(b.T, mysql.TypeBinary) && b.Size != nil && len(v) == *b.Size {
					v = strings.TrimRight(v, "\x00")
				}
				lit.V = strconv.Quote(v)
			}
		}
	}
}

// columnCharsets are the charset and collation of columns whose table
// declares none of its own (it inherits the database's): Atlas writes a
// column's charset only next to its table's (sqlx.Charset), so a release
// declared as SQL lost `varchar(64) BINARY` and `CHARACTER SET latin1` on
// such tables (Piwigo's), planned them with the default collation, and
// `db baseline` refused the database the same SQL had created.
func columnCharsets(s *schema.Schema) map[[2]string][][2]string {
	out := map[[2]string][][2]string{}
	for _, t := range s.Tables {
		_, charset := Charset(t.Attrs)
		_, collate := Collation(t.Attrs)
		for _, c := range t.Columns {
			key := [2]string{t.Name, c.Name}
			if v, ok := Charset(c.Attrs); ok && !charset {
				out[key] = append(out[key], [2]string{"charset", v})
			}
			if v, ok := Collation(c.Attrs); ok && !collate {
				out[key] = append(out[key], [2]string{"collate", v})
			}
		}
	}
	return out
}

// TableIn is the table of that name in s, nil when s is nil or has none.
func TableIn(s *schema.Schema, name string) *schema.Table {
	if s == nil {
		return nil
	}
	t, _ := s.Table(name)
	return t
}

// Attr finds the attribute of type T.
func Attr[T schema.Attr](attrs []schema.Attr) (T, bool) {
	for _, a := range attrs {
		if v, ok := a.(T); ok {
			return v, true
		}
	}
	var none T
	return none, false
}

// Charset is the charset among a table's or column's attributes, as
// declared.
func Charset(attrs []schema.Attr) (string, bool) {
	if cs, ok := Attr[*schema.Charset](attrs); ok {
		return cs.V, true
	}
	return "", false
}

// CharsetAttr reports a charset or collation attribute.
func CharsetAttr(a schema.Attr) bool {
	switch a.(type) {
	case *schema.Charset, *schema.Collation:
		return true
	}
	return false
}

// Collation is the collation among a table's or column's attributes, as
// declared.
func Collation(attrs []schema.Attr) (string, bool) {
	if co, ok := Attr[*schema.Collation](attrs); ok {
		return co.V, true
	}
	return "", false
}
