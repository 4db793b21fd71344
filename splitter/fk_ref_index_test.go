package splitter

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/revision"
)

// refIndex says when the index a key needs on the columns it references
// is there: before expand, after an index expand adds, or only in
// contract (before the keys contract adds, or behind a gate, after which
// the key comes), as the rule claiming the index places it.
func TestRefIndex(t *testing.T) {
	tags := func(col, typ, ref string) []string {
		return tcNew(tcNewTable("tags", "  column \"ref\" {\n    type = "+typ+"\n    null = true\n  }\n", tcKey("fk_tags_ref", "column.ref", "table."+ref+".column."+col, tcCascade)))
	}
	noOwnerKey := []string{"table \"owners\" {\n  schema = schema.app\n  column \"id\" {\n    type = bigint\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}", "table \"owners\" {\n  schema = schema.app\n  column \"id\" {\n    type = bigint\n  }\n}"}
	for _, tc := range []struct {
		name          string
		before, edits []string
		want          refReady
		index         string
	}{
		{name: "the primary key", edits: tags("id", "bigint", "images"), want: refBefore},
		{name: "an index of the previous release", edits: tags("owner_id", "bigint", "images"), want: refBefore},
		{name: "an index of the previous release the release renames", edits: slices.Concat([]string{"  index \"ix_owner\" {\n    columns = [column.owner_id]\n", "  index \"ix_images_owner\" {\n    columns      = [column.owner_id]\n    renamed_from = \"ix_owner\"\n"}, tags("owner_id", "bigint", "images")), want: refBefore},
		{name: "the index the server made for the parent's own key", before: slices.Concat(tcBlock(tcOwnerFK), []string{"  index \"ix_owner\" {\n    columns = [column.owner_id]\n  }\n", ""}), edits: tags("owner_id", "bigint", "images"), want: refBefore},
		{name: "a table new in the release", edits: slices.Concat(tcNew(tcNewTable("albums", "", "")), tags("id", "bigint", "albums")), want: refBefore},
		{name: "a plain index expand adds", edits: slices.Concat(tcIndexBeforeOwner("ix_size", "", "column.size"), tags("size", "int", "images")), want: refExpand, index: "index ix_size"},
		{name: "a unique index on a new column nothing writes", edits: slices.Concat(tcCodeColumn(""), tcIndexBeforeOwner("ux_code", "    unique  = true\n", "column.code"), tags("code", "varchar(20)", "images")), want: refExpand, index: "index ux_code"},
		{name: "a unique index on a new column a fill writes", edits: slices.Concat([]string{"  column \"price\" {", "  column \"code\" {\n    type = varchar(20)\n    fill = \"LOWER(name)\"\n  }\n  column \"price\" {"}, tcIndexBeforeOwner("ux_code", "    unique  = true\n", "column.code"), tags("code", "varchar(20)", "images")), want: refGated, index: "index ux_code"},
		{name: "a unique index on a column the table has", edits: slices.Concat(tcIndexBeforeOwner("ux_name", "    unique  = true\n", "column.name"), tags("name", "varchar(30)", "images")), want: refGated, index: "index ux_name"},
		{name: "an index given the columns", before: tcIndexBeforeOwner("ix_size", "", "column.note"), edits: slices.Concat([]string{"    columns = [column.note]\n", "    columns = [column.size]\n"}, tags("size", "int", "images")), want: refContract, index: "index ix_size"},
		{name: "an index given the columns and made unique", before: tcIndexBeforeOwner("ix_size", "", "column.note"), edits: slices.Concat([]string{"    columns = [column.note]\n", "    unique  = true\n    columns = [column.size]\n"}, tags("size", "int", "images")), want: refGated, index: "index ix_size"},
		{name: "a primary key on a column the table has", before: noOwnerKey, edits: slices.Concat([]string{"    type = bigint\n  }\n}\ntable \"images\"", "    type = bigint\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\ntable \"images\""}, tags("id", "bigint", "owners")), want: refGated, index: "the primary key"},
		{name: "a new AUTO_INCREMENT primary key", before: noOwnerKey, edits: slices.Concat([]string{"    type = bigint\n  }\n}\ntable \"images\"", "    type = bigint\n  }\n  column \"oid\" {\n    type           = bigint\n    auto_increment = true\n    allow_copy     = true\n  }\n  primary_key {\n    columns = [column.oid]\n  }\n}\ntable \"images\""}, tags("oid", "bigint", "owners")), want: refExpand, index: "the primary key"},
		{name: "no index the release declares: the server refuses the key wherever it goes", edits: tags("note", "varchar(60)", "images"), want: refBefore},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := tcEdit(t, tcImages, tc.before...)
			tr, ctx := tcTransition(t, mariadb1011, before, tcEdit(t, before, tc.edits...))
			tags, ok := tr.To.Schema.Table("tags")
			if !ok || len(tags.ForeignKeys) != 1 {
				t.Fatal("no table tags with one key")
			}
			got, idx := ctx.refIndex(tags.ForeignKeys[0])
			name := ""
			if idx != nil {
				name = indexWord(idx)
			}
			if got != tc.want || name != tc.index {
				t.Errorf("refIndex = %d, index %q; want %d, index %q", got, name, tc.want, tc.index)
			}
		})
	}
}

// The index a key needs, which the previous release has, replaced in the
// release by another on the same columns (a plain index made unique under
// a new name: the old one dropped, the new one added behind its duplicate
// gate): the new table's key was taken to have its index before expand,
// and contract dropped the old index, then added the key (error 1822,
// missing index: contract stopped half-way), then the new index. The key
// now comes after the index that replaces the one dropped.
func TestKeyAfterTheIndexReplacingTheOneItHad(t *testing.T) {
	parent := "table \"p\" {\n  schema = schema.app\n  column \"id\" {\n    type = int\n  }\n  column \"code\" {\n    type = varchar(20)\n  }\n  primary_key {\n    columns = [column.id]\n  }\n  %s\n}\n"
	child := "table \"c\" {\n  schema = schema.app\n  column \"id\" {\n    type = int\n  }\n  column \"pcode\" {\n    type = varchar(20)\n    null = true\n  }\n  primary_key {\n    columns = [column.id]\n  }\n  foreign_key \"fk_c\" {\n    columns     = [column.pcode]\n    ref_columns = [table.p.column.code]\n    on_delete   = CASCADE\n  }\n}\n"
	before := fmt.Sprintf(parent, "index \"ix_code\" {\n    columns = [column.code]\n  }")
	after := fmt.Sprintf(parent, "index \"uq_code\" {\n    unique  = true\n    columns = [column.code]\n  }") + child
	tr, ctx := tcTransition(t, mariadb1011, before, after)
	ph, err := Split(tr, mariadb1011, ctx.drv)
	if err != nil {
		t.Fatal(err)
	}
	drop, key, add := -1, -1, -1
	for i, s := range ph[revision.Contract] {
		if strings.Contains(s.SQL, "DROP INDEX `ix_code`") {
			drop = i
		}
		if strings.Contains(s.SQL, "ADD CONSTRAINT `fk_c`") {
			key = i
		}
		if strings.Contains(s.SQL, "ADD UNIQUE INDEX `uq_code`") {
			add = i
		}
	}
	for _, s := range ph[revision.Expand] {
		if strings.Contains(s.SQL, "fk_c` FOREIGN KEY") || strings.Contains(s.SQL, "CONSTRAINT `fk_c`") {
			key = 1 << 20 // in expand, while ix_code serves it: contract's DROP INDEX then fails (1553)
		}
	}
	if drop < 0 || add < 0 || key < 0 || key <= add || key <= drop {
		var got []string
		for _, p := range []revision.Phase{revision.Expand, revision.Contract} {
			for _, s := range ph[p] {
				got = append(got, string(p)+": "+s.SQL)
			}
		}
		t.Errorf("the key does not come after uq_code in contract (drop %d, key %d, add %d):\n%s", drop, key, add, strings.Join(got, "\n"))
	}
}
