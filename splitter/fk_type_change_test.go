package splitter

import (
	"slices"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/revision"
)

// TestTypeUnderForeignKey: on MariaDB a column a foreign key of the
// previous release uses, on either side, changes type only by enum values
// appended or an integer's display width: the server refuses any other
// change (1832, 1833) under every algorithm, and the release failed at
// that statement. A key new in the release is added after the change.
func TestTypeUnderForeignKey(t *testing.T) {
	ownersID := "  column \"id\" {\n    type = bigint\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\ntable \"images\""
	intKeys := append(tcBlock(tcOwnerFK), ownersID, "  column \"id\" {\n    type = int\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\ntable \"images\"",
		"  column \"owner_id\" {\n    type = bigint\n", "  column \"owner_id\" {\n    type = int\n")
	const refused = "MariaDB refuses that for a column a foreign key uses"
	for _, c := range []tcCase{
		{name: "the referencing column widened", target: mariadb1011, before: intKeys,
			edits:  []string{"  column \"owner_id\" {\n    type = int\n", "  column \"owner_id\" {\n    type = bigint\n"},
			errHas: []string{"after.hcl:", "images.owner_id changes type (int -> bigint), and it is a column of foreign key fk_owner of images in the previous release", refused}},
		{name: "the referenced column widened", target: mariadb1011, before: intKeys,
			edits:  []string{"  column \"id\" {\n    type = int\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\ntable \"images\"", ownersID},
			errHas: []string{"owners.id changes type (int -> bigint), and it is a column of foreign key fk_owner of images (referencing it)", refused}},
		{name: "the referencing column tightened", target: mariadb1011, before: tcBlock(tcOwnerFK),
			edits:  []string{"  column \"owner_id\" {\n    type = bigint\n", "  column \"owner_id\" {\n    type = int\n"},
			errHas: []string{"images.owner_id changes type (bigint -> int)", refused}},
	} {
		t.Run(c.name, c.run)
	}
	// A conversion of a key's columns fails alike (utf8mb3 -> utf8mb4).
	codes := func(charset string) string {
		return "table \"p\" {\n  schema  = schema.app\n  charset = \"" + charset + "\"\n  column \"code\" {\n    type = varchar(10)\n  }\n  primary_key {\n    columns = [column.code]\n  }\n}\n" +
			"table \"c\" {\n  schema  = schema.app\n  charset = \"" + charset + "\"\n  column \"id\" {\n    type = int\n  }\n  column \"pcode\" {\n    type = varchar(10)\n  }\n  primary_key {\n    columns = [column.id]\n  }\n  index \"ix_pcode\" {\n    columns = [column.pcode]\n  }\n" +
			"  foreign_key \"fk_code\" {\n    columns     = [column.pcode]\n    ref_columns = [table.p.column.code]\n  }\n}\n"
	}
	_, err := tcSteps(t, mariadb1011, codes("utf8mb3"), codes("utf8mb4"))
	for _, want := range []string{"after.hcl:5:3: p.code: its collation changes utf8mb3_general_ci -> utf8mb4_general_ci, and it is a column of foreign key fk_code of c (referencing it) in the previous release: " + refused} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("a conversion under a foreign key: %v, want %q", err, want)
		}
	}
	// A key the release drops goes first in contract (in the tightening's
	// ALTER here, which the server takes): the tightening is planned.
	before := tcEdit(t, tcImages, tcBlock(tcOwnerFK)...)
	after := tcEdit(t, tcImages, "  column \"owner_id\" {\n    type = bigint\n", "  column \"owner_id\" {\n    type       = int\n    allow_copy = true\n")
	if _, err := tcSteps(t, mariadb1011, before, after); err != nil {
		t.Fatalf("a tightening under a key the release drops: %v", err)
	}
	// A key new in the release is added in contract, after the widening.
	before = tcEdit(t, tcImages, "  column \"owner_id\" {\n    type = bigint\n", "  column \"owner_id\" {\n    type = int\n", ownersID, "  column \"id\" {\n    type = int\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\ntable \"images\"")
	after = tcEdit(t, tcImages, append(tcBlock(tcOwnerFK), ownersID, "  column \"id\" {\n    type       = bigint\n    allow_copy = true\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\ntable \"images\"",
		"  column \"owner_id\" {\n    type = bigint\n", "  column \"owner_id\" {\n    type       = bigint\n    allow_copy = true\n")...)
	if _, err := tcSteps(t, mariadb1011, before, after); err != nil {
		t.Fatalf("a key new in the release: %v", err)
	}
	// A key changed under its name (modify-foreign-key) is dropped first
	// in contract too, and added again after both sides are tightened: it
	// was refused as if contract kept it.
	before = tcEdit(t, tcImages, tcBlock(tcOwnerFK)...)
	after = tcEdit(t, before, "    ref_columns = [table.owners.column.id]\n", "    ref_columns = [table.owners.column.id]\n    on_delete   = CASCADE\n",
		ownersID, "  column \"id\" {\n    type       = int\n    allow_copy = true\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\ntable \"images\"",
		"  column \"owner_id\" {\n    type = bigint\n", "  column \"owner_id\" {\n    type       = int\n    allow_copy = true\n")
	contract := tcPhases(t, mariadb1011, before, after)[revision.Contract]
	at := func(sql string) int {
		return slices.IndexFunc(contract, func(s string) bool { return strings.Contains(s, sql) })
	}
	drop, add := at("DROP FOREIGN KEY `fk_owner`"), at("ADD CONSTRAINT `fk_owner`")
	for _, tightened := range []string{"MODIFY COLUMN `owner_id` int", "MODIFY COLUMN `id` int"} {
		if i := at(tightened); drop < 0 || i < drop || add <= i {
			t.Errorf("a key changed under its name: want its drop, %s, its add, in that order; contract:\n\t%s", tightened, strings.Join(contract, "\n\t"))
		}
	}
}
