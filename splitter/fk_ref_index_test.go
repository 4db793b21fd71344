package splitter

import (
	"slices"
	"testing"
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
