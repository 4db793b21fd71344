package schemadef

import (
	"strings"
	"testing"

	"ariga.io/atlas/sql/mysql"
	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/project"
)

// MariaDB reports a BINARY(n) default padded with NUL bytes to n bytes;
// the HCL carries the value as declared, which creates the same column,
// while a VARBINARY default (never padded) and a BINARY default that is
// not the column's length keep every byte.
func TestMarshalBinaryDefaultsWithoutPadding(t *testing.T) {
	size := func(n int) *int { return &n }
	tbl := schema.NewTable("user").AddColumns(
		schema.NewColumn("user_touched").SetType(&schema.BinaryType{T: mysql.TypeBinary, Size: size(14)}).SetDefault(&schema.Literal{V: `'` + strings.Repeat(`\0`, 14) + `'`}),
		schema.NewColumn("user_token").SetType(&schema.BinaryType{T: mysql.TypeBinary, Size: size(4)}).SetDefault(&schema.Literal{V: `'ab\0\0'`}),
		schema.NewColumn("user_flags").SetType(&schema.BinaryType{T: mysql.TypeVarBinary, Size: size(4)}).SetDefault(&schema.Literal{V: `'a\0'`}),
	)
	s := schema.New("main").AddTables(tbl)
	target, err := project.ParseTarget("mariadb 10.11")
	if err != nil {
		t.Fatal(err)
	}
	b, err := Marshal(s, target, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`default = ""`, `default = "ab"`, `default = "a\u0000"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("HCL lacks %s:\n%s", want, b)
		}
	}
}
