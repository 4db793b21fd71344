package schemadef

import (
	"fmt"
	"strconv"
	"strings"

	"ariga.io/atlas/sql/mysql"
	"ariga.io/atlas/sql/schema"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclwrite"

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
	b, err := mysql.MarshalHCL(s)
	if err != nil {
		return nil, fmt.Errorf("writing the inspected schema as HCL: %w", err)
	}
	f, diags := hclwrite.ParseConfig(b, "inspected.hcl", hcl.InitialPos)
	if diags.HasErrors() {
		return nil, fmt.Errorf("writing the inspected schema as HCL: %v", diags)
	}
	body := f.Body()
	var schemas []*hclwrite.Block
	for _, blk := range body.Blocks() {
		if blk.Type() == "schema" {
			schemas = append(schemas, blk)
			body.RemoveBlock(blk)
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
func stringDefaults(s *schema.Schema) {
	for _, t := range s.Tables {
		for _, c := range t.Columns {
			lit, ok := c.Default.(*schema.Literal)
			if !ok || !strings.HasPrefix(lit.V, "'") {
				continue
			}
			if v, ok := sqlsyntax.Literal(lit.V); ok {
				lit.V = strconv.Quote(v)
			}
		}
	}
}
