package splitter

import (
	"fmt"
	"slices"
	"testing"

	"github.com/emcee-db/emcee/revision"
)

// TestRecaseColumnRule: a column whose name changes only in letter case
// (LimeSurvey 1.92's surveys.showXquestions -> showxquestions) is renamed
// in contract, metadata only, declared or not; it was refused ("Keep the
// name showXquestions"), renamed_from or not, though the server renames it
// in place and both releases' queries find it under either name. An index
// holding the column is left as it is; a definition changed with the
// spelling is refused, since the MODIFY would respell it in expand.
func TestRecaseColumnRule(t *testing.T) {
	recased := func(decl string) []string {
		return []string{
			"  column \"owner_id\" {\n    type = bigint\n", "  column \"Owner_Id\" {\n" + decl + "    type = bigint\n",
			"columns = [column.owner_id]", "columns = [column.Owner_Id]",
		}
	}
	cases := []tcCase{
		{name: "on MariaDB: instant, in contract, the index kept", target: mariadb1011,
			edits: recased(""),
			want: []tcStep{
				{Rule: "recase-column", Phase: revision.Contract, Stage: StageDropColumn, SQL: "ALTER TABLE `images` RENAME COLUMN `owner_id` TO `Owner_Id`, ALGORITHM=INSTANT"},
			}},
		{name: "declared renamed_from the old spelling: the same", target: mariadb1011,
			edits: recased("    renamed_from = \"owner_id\"\n"),
			want: []tcStep{
				{Rule: "recase-column", Phase: revision.Contract, Stage: StageDropColumn, SQL: "ALTER TABLE `images` RENAME COLUMN `owner_id` TO `Owner_Id`, ALGORITHM=INSTANT"},
			}},
		{name: "on MySQL: in place, metadata only", target: mysql80,
			edits: recased(""),
			want: []tcStep{
				{Rule: "recase-column", Phase: revision.Contract, Stage: StageDropColumn, SQL: "ALTER TABLE `images` RENAME COLUMN `owner_id` TO `Owner_Id`, ALGORITHM=INPLACE, LOCK=NONE"},
			}},
		{name: "its definition changed too: refused", target: mariadb1011,
			edits:  []string{"  column \"size\" {\n    type = int\n", "  column \"SIZE\" {\n    type = bigint\n"},
			errHas: []string{"after.hcl:", "column SIZE of table images changes the letter case of size and its definition too", "Keep the name size in this release and change its letter case in the next"}},
		// Planned as note respelled and title dropped: title's values were
		// lost without a discard, and the declaration ignored.
		{name: "another column's values under the respelled name: refused", target: mariadb1011,
			before: []string{"  column \"note\" {\n", "  column \"title\" {\n    type = varchar(60)\n  }\n  column \"note\" {\n"},
			edits:  []string{"  column \"title\" {\n    type = varchar(60)\n  }\n", "", "  column \"note\" {\n", "  column \"NOTE\" {\n    renamed_from = \"title\"\n"},
			errHas: []string{"after.hcl:", "images.NOTE takes over from \"title\", but release", "has both note and title (NOTE is note to the server, which does not tell column names apart by letter case)", "Give them a new name here (a column with renamed_from = \"title\""}},
		// Refused as note respelled with its definition changed ("Keep the
		// name note in this release"), though note's values were to go.
		{name: "another column's values, of another type, under the respelled name: refused", target: mariadb1011,
			before: []string{"  column \"note\" {\n", "  column \"title\" {\n    type = int\n  }\n  column \"note\" {\n"},
			edits:  []string{"  column \"title\" {\n    type = int\n  }\n", "", "  column \"note\" {\n    type = varchar(60)\n", "  column \"NOTE\" {\n    renamed_from = \"title\"\n    type = int\n"},
			errHas: []string{"after.hcl:", "images.NOTE takes over from \"title\", but release", "has both note and title (NOTE is note to the server"}},
		// Planned as the column respelled, forward never run.
		{name: "a replaces block converting into the respelled name: refused", target: mariadb1011,
			edits:  []string{"  column \"note\" {\n", "  column \"NOTE\" {\n    replaces {\n      column   = \"note\"\n      forward  = \"UPPER(note)\"\n      backward = \"LOWER(NOTE)\"\n    }\n"},
			errHas: []string{"after.hcl:", "images.NOTE replaces note, which it differs from only in letter case", "declare renamed_from = \"note\" instead of the replaces block", "give the new column another name in this release"}},
	}
	for _, c := range cases {
		t.Run(c.name, c.run)
	}
}

// A recased column a foreign key references, another table's or its own
// table's: the server respells the key's referenced column with it, and
// the key stays; the rename is the one change. Atlas saw each key's
// referenced column changed, and the release was refused ("foreign key
// ... changes (referenced columns): give the changed foreign key a new
// symbol"), the way out dropping the key and adding it again behind an
// orphan gate.
func TestRecaseColumnAKeyReferences(t *testing.T) {
	const release = `
table "owners" {
  schema = schema.app
  column "%s" {
    type = bigint
  }
  column "parent" {
    type = bigint
    null = true
  }
  primary_key {
    columns = [column.%[1]s]
  }
  foreign_key "fk_parent" {
    columns     = [column.parent]
    ref_columns = [column.%[1]s]
  }
}
table "pics" {
  schema = schema.app
  column "id" {
    type = bigint
  }
  column "owner_id" {
    type = bigint
    null = true
  }
  primary_key {
    columns = [column.id]
  }
  foreign_key "fk_owner" {
    columns     = [column.owner_id]
    ref_columns = [table.owners.column.%[1]s]
  }
}
`
	steps, err := tcSteps(t, mariadb1011, fmt.Sprintf(release, "id"), fmt.Sprintf(release, "ID"))
	if err != nil {
		t.Fatal(err)
	}
	want := []tcStep{{Rule: "recase-column", Phase: revision.Contract, Stage: StageDropColumn, SQL: "ALTER TABLE `owners` RENAME COLUMN `id` TO `ID`, ALGORITHM=INSTANT"}}
	if !slices.Equal(steps, want) {
		t.Errorf("steps:\n got %+v\nwant %+v", steps, want)
	}
}

// A CHECK reading a column recased in the release, written with the new
// spelling: the server respells the check with the rename, and nothing
// else changes. The expression, compared as written, was a changed check,
// added again in contract by a copy of the table (refused without
// allow_copy), though it is the same expression to the server.
func TestRecaseColumnACheckReads(t *testing.T) {
	const release = `
table "surveys" {
  schema = schema.app
  column "id" {
    type = bigint
  }
  column "%s" {
    type = int
    null = true
  }
  primary_key {
    columns = [column.id]
  }
  check "ck_show" {
    expr = "%[1]s >= 0"
  }
}
`
	steps, err := tcSteps(t, mariadb1011, fmt.Sprintf(release, "showXquestions"), fmt.Sprintf(release, "showxquestions"))
	if err != nil {
		t.Fatal(err)
	}
	want := []tcStep{{Rule: "recase-column", Phase: revision.Contract, Stage: StageDropColumn, SQL: "ALTER TABLE `surveys` RENAME COLUMN `showXquestions` TO `showxquestions`, ALGORITHM=INSTANT"}}
	if !slices.Equal(steps, want) {
		t.Errorf("steps:\n got %+v\nwant %+v", steps, want)
	}
}

// A generated column reading a column recased in the release, its
// expression written with the new spelling: the server respells it with
// the rename (virtual or stored, an index on it kept), and nothing else
// changes. It was refused as a changed generated expression, the way out a
// replacement column.
func TestRecaseColumnAGeneratedColumnReads(t *testing.T) {
	const release = `
table "surveys" {
  schema = schema.app
  column "id" {
    type = bigint
  }
  column "%s" {
    type = int
    null = true
  }
  column "twice" {
    type = int
    null = true
    as {
      expr = "%[1]s * 2"
      type = STORED
    }
  }
  column "next" {
    type = int
    null = true
    as {
      expr = "%[1]s + 1"
      type = VIRTUAL
    }
  }
  primary_key {
    columns = [column.id]
  }
  index "ix_twice" {
    columns = [column.twice]
  }
}
`
	steps, err := tcSteps(t, mariadb1011, fmt.Sprintf(release, "showXquestions"), fmt.Sprintf(release, "showxquestions"))
	if err != nil {
		t.Fatal(err)
	}
	want := []tcStep{{Rule: "recase-column", Phase: revision.Contract, Stage: StageDropColumn, SQL: "ALTER TABLE `surveys` RENAME COLUMN `showXquestions` TO `showxquestions`, ALGORITHM=INSTANT"}}
	if !slices.Equal(steps, want) {
		t.Errorf("steps:\n got %+v\nwant %+v", steps, want)
	}
}
