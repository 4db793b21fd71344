package diff

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// DataMigrationNames lists the data_migration blocks of a release source
// without evaluating it. The planner reads them from the snapshot of a
// release's last revision: a later revision of the same release
// (append-only) must not run those migrations again. A data migration is
// known by its name, so changing one that was planned needs a new name.
func DataMigrationNames(file string, src []byte) (map[string]bool, error) {
	f, diags := hclsyntax.ParseConfig(src, file, hcl.Pos{Line: 1, Column: 1})
	if diags.HasErrors() {
		return nil, diags
	}
	out := map[string]bool{}
	for _, b := range f.Body.(*hclsyntax.Body).Blocks {
		if b.Type == "data_migration" && len(b.Labels) == 1 {
			out[b.Labels[0]] = true
		}
	}
	return out, nil
}
