package splitter

import "testing"

// TestTypeUnderForeignKey: on MariaDB a column a foreign key of the
// previous release uses, on either side, changes type only by enum values
// appended or an integer's display width: the server refuses any other
// change (1832, 1833) under every algorithm, and the release failed at
// that statement. A key new in the release is added after the change.
func TestTypeUnderForeignKey(t *testing.T) {
	ownersID := "  column \"id\" {\n    type = bigint\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\ntable \"images\""
	intKeys := append(tcBlock(tcOwnerFK), ownersID, "  column \"id\" {\n    type = int\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\ntable \"images\"",
		"  column \"owner_id\" {\n    type = bigint\n", "  column \"owner_id\" {\n    type = int\n")
	const refused = "MariaDB refuses to change the type of a column a foreign key uses"
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
	// A key new in the release is added in contract, after the widening.
	before := tcEdit(t, tcImages, "  column \"owner_id\" {\n    type = bigint\n", "  column \"owner_id\" {\n    type = int\n", ownersID, "  column \"id\" {\n    type = int\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\ntable \"images\"")
	after := tcEdit(t, tcImages, append(tcBlock(tcOwnerFK), ownersID, "  column \"id\" {\n    type       = bigint\n    allow_copy = true\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\ntable \"images\"",
		"  column \"owner_id\" {\n    type = bigint\n", "  column \"owner_id\" {\n    type       = bigint\n    allow_copy = true\n")...)
	if _, err := tcSteps(t, mariadb1011, before, after); err != nil {
		t.Fatalf("a key new in the release: %v", err)
	}
}
