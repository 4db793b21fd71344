package schemadef

import (
	"fmt"

	"ariga.io/atlas/sql/mysql"
	"ariga.io/atlas/sql/schema"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclwrite"
)

// Marshal writes a schema as Atlas HCL, formatted: head (comment lines),
// the schema block, then the tables in the schema's order. `emcee init`
// writes an adopted release with it, and a release declared as SQL is
// written so from what Atlas inspected.
func Marshal(s *schema.Schema, head string) ([]byte, error) {
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
