package diff

import (
	"strings"
	"testing"

	"ariga.io/atlas/sql/schema"
	"github.com/emcee-db/emcee/project"
)

var mariadb = project.Target{Flavor: "mariadb", Major: 10, Minor: 11}

const base = `schema "app" {}
table "images" {
  schema = schema.app
  column "id" {
    type = bigint
  }
  column "is_public" {
    type = bool
  }
  primary_key {
    columns = [column.id]
  }
}
`

func TestLoadErrorsCarryPositions(t *testing.T) {
	for _, tc := range []struct {
		name, src, want string
	}{
		{"typo in a column attribute", strings.Replace(base, "type = bool", "type = bool\n    nul = true", 1),
			`pike.hcl:9:5: unknown attribute "nul" in column "is_public" (did you mean "null"?)`},
		{"unknown block", base + "tabel \"x\" {\n}\n",
			`pike.hcl:14:1: unknown block "tabel" in the file (did you mean "table"?)`},
		{"typo in replaces", strings.Replace(base, "type = bool", "type = bool\n    replaces {\n      colum = \"x\"\n    }", 1),
			`pike.hcl:10:7: unknown attribute "colum" in replaces (did you mean "column"?)`},
		{"replaces without forward", strings.Replace(base, "type = bool", "type = bool\n    replaces {\n      column = \"x\"\n    }", 1),
			`pike.hcl:9:5: replaces block of images.is_public needs forward = "..."`},
		{"fill is not a string", strings.Replace(base, "type = bool", "type = bool\n    fill = 3", 1),
			`pike.hcl:9:12: fill must be a quoted string`},
		{"fill holds a template", strings.Replace(base, "type = bool", "type = bool\n    fill = \"a${x}\"", 1),
			`pike.hcl:9:12: fill must be a quoted string, and HCL reads ${ and %{ in one as a template: write $${ and %%{ for the characters themselves`},
		{"data migration without pending", base + "data_migration \"m\" {\n  table = \"images\"\n  set = \"is_public = 1\"\n}\n",
			`pike.hcl:14:1: data_migration "m" needs pending = "..."`},
		{"a second schema block", base + "schema \"other\" {}\n",
			`pike.hcl:14:8: schema "other" is a second schema block (the first, schema "app", is at pike.hcl:1:8)`},
		{"the schema block twice", base + "\nschema \"app\" {\n}\n",
			`pike.hcl:15:8: schema "app" is a second schema block`},
		{"HCL syntax", base + "table {\n", `pike.hcl:14`},
		{"bad type", strings.Replace(base, "type = bool", "type = boool", 1), `pike.hcl`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseRelease("pike", "pike.hcl", []byte(tc.src), mariadb)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v\nwant it to contain %q", err, tc.want)
			}
		})
	}
}

func TestDeclarationsAreCheckedAgainstThePreviousRelease(t *testing.T) {
	prev, err := ParseRelease("ocata", "ocata.hcl", []byte(base), mariadb)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, column, want string
	}{
		{"replaced column missing", `column "visibility" {
    type = varchar(10)
    replaces {
      column   = "is_privat"
      forward  = "x"
      backward = "y"
    }
  }`, `pike.hcl:12:5: images.visibility takes over from images.is_privat, but release ocata has no such column (ocata.hcl)`},
		{"renamed column still declared", `column "label" {
    type         = bool
    renamed_from = "is_public"
  }
  column "id2" {
    type         = bigint
    renamed_from = "id"
  }`, `release pike still declares images.is_public: a replaced or renamed column is dropped in contract, so remove its column block; if the release gives the name to a new column (Zabbix 4.4 renamed media_type.description to name and added another description), split it over two releases, since both would be written under one name while the releases overlap: the rename in one, the new is_public in the next`},
		{"stale declaration", `column "is_public2" {
    type         = bool
    renamed_from = "nope"
  }`, `release ocata has no such column`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := strings.Replace(base, "  primary_key {", "  "+tc.column+"\n  primary_key {", 1)
			r, err := ParseRelease("pike", "pike.hcl", []byte(src), mariadb)
			if err != nil {
				t.Fatal(err)
			}
			err = r.Check(prev)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v\nwant %q", err, tc.want)
			}
		})
	}
}

// A column that takes over another one's values under the name of a
// third column the previous release still has (Keycloak 3.4.0 dropped
// RESOURCE_SERVER.ID and renamed CLIENT_ID to ID) was told the
// declaration "was consumed by an earlier release; remove it": both
// columns are in the previous release, and the way is a new name now,
// renamed back once the old column is gone.
func TestTakeOverOfANameStillInUse(t *testing.T) {
	const v1 = `schema "app" {}
table "RESOURCE_SERVER" {
  schema = schema.app
  column "ID" {
    type = varchar(36)
  }
  column "CLIENT_ID" {
    type = varchar(36)
  }
  primary_key {
    columns = [column.ID]
  }
}
`
	prev, err := ParseRelease("3_3_0", "3_3_0.hcl", []byte(v1), mariadb)
	if err != nil {
		t.Fatal(err)
	}
	v2 := strings.Replace(strings.Replace(v1, "  column \"CLIENT_ID\" {\n    type = varchar(36)\n  }\n", "", 1), "    type = varchar(36)\n  }\n  primary_key", "    type         = varchar(36)\n    renamed_from = \"CLIENT_ID\"\n  }\n  primary_key", 1)
	r, err := ParseRelease("3_4_0", "3_4_0.hcl", []byte(v2), mariadb)
	if err != nil {
		t.Fatal(err)
	}
	err = r.Check(prev)
	const want = `3_4_0.hcl:6:5: RESOURCE_SERVER.ID takes over from "CLIENT_ID", but release 3_3_0 has both ID and CLIENT_ID: until contract the previous release still reads and writes its own ID, so the name cannot pass to CLIENT_ID's values in this release. Give them a new name here (a column with renamed_from = "CLIENT_ID", and a discard of ID if its values may go), and rename that column back to ID in a later release, once ID is dropped`
	if err == nil || err.Error() != want {
		t.Fatalf("got %v\nwant %s", err, want)
	}
}

// A SQL release declares its columns in CREATE TABLE, where there is no
// column block to remove (Keycloak 4.7.0 renamed LAST_SESSION_REFRESH to
// CREATED_ON and added a new LAST_SESSION_REFRESH).
func TestRenamedColumnStillDeclaredInSQL(t *testing.T) {
	prev, err := ParseRelease("4_6_0", "schema/4_6_0.sql", []byte(base), mariadb)
	if err != nil {
		t.Fatal(err)
	}
	src := strings.Replace(base, "  primary_key {", "  column \"created_on\" {\n    type         = bool\n    renamed_from = \"is_public\"\n  }\n  primary_key {", 1)
	r, err := ParseRelease("4_7_0", "schema/4_7_0.sql", []byte(src), mariadb)
	if err != nil {
		t.Fatal(err)
	}
	err = r.Check(prev)
	const want = "release 4_7_0 still declares images.is_public: a replaced or renamed column is dropped in contract, so remove it from the CREATE TABLE of images (schema/4_7_0.sql:"
	if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "column block") {
		t.Fatalf("got %v\nwant %q", err, want)
	}
}

func TestDeclarationsAreRead(t *testing.T) {
	src := strings.Replace(base, "type = bool", `type = bool
    fill = "0"
    allow_copy = true`, 1) + `data_migration "flip" {
  table   = "images"
  set     = "is_public = NOT is_public"
  pending = "is_public IS NULL"
}
`
	r, err := ParseRelease("pike", "pike.hcl", []byte(src), mariadb)
	if err != nil {
		t.Fatal(err)
	}
	d := r.Declarations.Columns[ColumnRef{"images", "is_public"}]
	if d == nil || d.Fill != "0" || !d.AllowCopy || d.FillPos.Line != 9 {
		t.Fatalf("column declaration: %+v", d)
	}
	if len(r.Declarations.DataMigrations) != 1 || r.Declarations.DataMigrations[0].Set != "is_public = NOT is_public" {
		t.Fatalf("data migrations: %+v", r.Declarations.DataMigrations)
	}
	if got := r.Where("images", "is_public"); got != "pike.hcl:7:3" {
		t.Fatalf("Where = %s", got)
	}
}

// Atlas accepts `collation` as well as `collate` on schemas, tables and
// columns; a file written for Atlas must load the same here.
func TestCollationIsAcceptedLikeAtlas(t *testing.T) {
	src := strings.Replace(strings.Replace(base, `schema "app" {}`, "schema \"app\" {\n  charset   = \"utf8mb4\"\n  collation = \"utf8mb4_bin\"\n}", 1),
		"type = bool", "type = varchar(10)\n    charset = \"latin1\"\n    collation = \"latin1_bin\"", 1)
	src = strings.Replace(src, "schema = schema.app", "schema = schema.app\n  collation = \"utf8mb4_unicode_ci\"", 1)
	r, err := ParseRelease("pike", "pike.hcl", []byte(src), mariadb)
	if err != nil {
		t.Fatal(err)
	}
	tbl, _ := r.Schema.Table("images")
	col, _ := tbl.Column("is_public")
	var got []string
	for _, attrs := range [][]schema.Attr{r.Schema.Attrs, tbl.Attrs, col.Attrs} {
		for _, a := range attrs {
			if c, ok := a.(*schema.Collation); ok {
				got = append(got, c.V)
			}
		}
	}
	if strings.Join(got, " ") != "utf8mb4_bin utf8mb4_unicode_ci latin1_bin" {
		t.Fatalf("collations: %v", got)
	}
}

// TestSeedValueCheckedAgainstTheDeclaredCharset pins the charset a seed
// row's text is checked against (charsetHolds): the column's collation,
// else its table's charset or collation (utf8 read as utf8mb3),
// else the schema block's; with none declared the server's utf8mb4, which
// holds every character. b5f805e read it through schemadef.Effective,
// where charsetHolds walked the levels itself: the same answers.
func TestSeedValueCheckedAgainstTheDeclaredCharset(t *testing.T) {
	src := func(schemaAttrs, tableAttrs, colAttrs string) string {
		return "schema \"app\" {\n" + schemaAttrs + "}\ntable \"lab\" {\n  schema = schema.app\n" + tableAttrs +
			"  column \"k\" {\n    type = int\n  }\n  column \"v\" {\n    type = varchar(10)\n    null = true\n" + colAttrs +
			"  }\n  primary_key {\n    columns = [column.k]\n  }\n}\ndata_migration \"d\" {\n  table = \"lab\"\n  row {\n    k = 1\n    v = \"é😀\"\n  }\n}\n"
	}
	for _, tc := range []struct {
		name, schema, table, col, want string
	}{
		{"the table's charset", "", "  charset = \"latin1\"\n", "", "holds '😀' (U+1F600), which charset latin1 has no character for"},
		{"the column's collation over the table's charset", "", "  charset = \"utf8mb4\"\n", "    collate = \"ascii_general_ci\"\n", "holds 'é' (U+00E9), which charset ascii has no character for"},
		{"utf8 is utf8mb3", "", "  collate = \"utf8_general_ci\"\n", "", "which charset utf8mb3 has no character for"},
		{"the schema block's", "  charset = \"ucs2\"\n  collate = \"ucs2_general_ci\"\n", "", "", "which charset ucs2 has no character for"},
		{"the column's utf8mb4 in a latin1 table", "", "  charset = \"latin1\"\n", "    charset = \"utf8mb4\"\n", ""},
		{"none declared", "", "", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := ParseRelease("pike", "pike.hcl", []byte(src(tc.schema, tc.table, tc.col)), mariadb)
			if err == nil {
				err = r.Check(nil)
			}
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("got %v\nwant it to contain %q", err, tc.want)
			}
		})
	}
}
