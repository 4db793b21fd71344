package schemadef_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/schema"
	"github.com/pingcap/tidb/pkg/parser/ast"

	"github.com/emcee-db/emcee/diff"
	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/schemadef"
	"github.com/emcee-db/emcee/sqlsyntax"
)

var (
	mysql80     = project.Target{Flavor: "mysql", Major: 8, Minor: 0}
	mariadb1011 = project.Target{Flavor: "mariadb", Major: 10, Minor: 11}
	mariadb114  = project.Target{Flavor: "mariadb", Major: 11, Minor: 4}
	mariadb118  = project.Target{Flavor: "mariadb", Major: 11, Minor: 8}
)

// mariadbUCA1400 are the charsets whose default collation a MariaDB
// server of each version gives CHARACTER SET x alone as its
// uca1400_ai_ci, by MariaDB's documentation ("Supported Character Sets
// and Collations": ucs2_general_ci up to 11.4, ucs2_uca1400_ai_ci from
// 11.5) and the official images (@@character_set_collations
// utf8mb4=utf8mb4_uca1400_ai_ci in 11.3.2 and 11.4.2). No MariaDB 11
// server is available here to ask.
var mariadbUCA1400 = map[project.Target][]string{
	{Flavor: "mariadb", Major: 10, Minor: 6}: nil,
	mariadb1011:                              nil,
	{Flavor: "mariadb", Major: 11, Minor: 2}: nil,
	{Flavor: "mariadb", Major: 11, Minor: 3}: {"utf8mb4"},
	mariadb114:                               {"utf8mb4"},
	{Flavor: "mariadb", Major: 11, Minor: 5}: {"utf8mb4", "utf8mb3", "ucs2", "utf16", "utf32"},
	mariadb118:                               {"utf8mb4", "utf8mb3", "ucs2", "utf16", "utf32"},
	{Flavor: "mariadb", Major: 12, Minor: 0}: {"utf8mb4", "utf8mb3", "ucs2", "utf16", "utf32"},
}

// TestDefaultCollationOfMariaDBByVersion: a project targeting MariaDB
// 11.4 was planned with 10.11's defaults, utf8mb4_general_ci for a
// database and for CHARACTER SET utf8mb4 alone, where the server gives
// utf8mb4_uca1400_ai_ci.
func TestDefaultCollationOfMariaDBByVersion(t *testing.T) {
	for target, uca := range mariadbUCA1400 {
		for _, cs := range []string{"utf8mb4", "utf8mb3", "utf8", "ucs2", "utf16", "utf32", "utf16le", "latin1", "ascii"} {
			want := mysql80Charsets[sqlsyntax.CanonicalCharset(cs)]
			if cs == "utf8mb4" {
				want = "utf8mb4_general_ci"
			}
			if slices.Contains(uca, sqlsyntax.CanonicalCharset(cs)) {
				want = sqlsyntax.CanonicalCharset(cs) + "_uca1400_ai_ci"
			}
			if got := schemadef.DefaultCollation(target, cs); got != want {
				t.Errorf("%s: CHARACTER SET %s alone is %s, not %s", target, cs, want, got)
			}
		}
		want := "utf8mb4_general_ci"
		if len(uca) > 0 {
			want = "utf8mb4_uca1400_ai_ci"
		}
		if cs, coll := schemadef.ServerDefault(target); cs != "utf8mb4" || coll != want {
			t.Errorf("%s: the server default is utf8mb4 %s, not %s %s", target, want, cs, coll)
		}
		if got, err := schemadef.DeclaredDefault("r.hcl", []byte("schema \"app\" {\n  charset = \"utf8mb4\"\n}\n"), target); err != nil || got != want {
			t.Errorf("%s: a schema block declaring charset utf8mb4 alone is for databases of %s, not %s (%v)", target, want, got, err)
		}
	}
}

// mysql80Charsets is SHOW CHARACTER SET of MySQL 8.0 (Reference Manual,
// "Supported Character Sets and Collations"): each charset's default
// collation. No MySQL 8 server is available here to ask.
var mysql80Charsets = map[string]string{
	"armscii8": "armscii8_general_ci", "ascii": "ascii_general_ci", "big5": "big5_chinese_ci", "binary": "binary",
	"cp1250": "cp1250_general_ci", "cp1251": "cp1251_general_ci", "cp1256": "cp1256_general_ci", "cp1257": "cp1257_general_ci",
	"cp850": "cp850_general_ci", "cp852": "cp852_general_ci", "cp866": "cp866_general_ci", "cp932": "cp932_japanese_ci",
	"dec8": "dec8_swedish_ci", "eucjpms": "eucjpms_japanese_ci", "euckr": "euckr_korean_ci", "gb18030": "gb18030_chinese_ci",
	"gb2312": "gb2312_chinese_ci", "gbk": "gbk_chinese_ci", "geostd8": "geostd8_general_ci", "greek": "greek_general_ci",
	"hebrew": "hebrew_general_ci", "hp8": "hp8_english_ci", "keybcs2": "keybcs2_general_ci", "koi8r": "koi8r_general_ci",
	"koi8u": "koi8u_general_ci", "latin1": "latin1_swedish_ci", "latin2": "latin2_general_ci", "latin5": "latin5_turkish_ci",
	"latin7": "latin7_general_ci", "macce": "macce_general_ci", "macroman": "macroman_general_ci", "sjis": "sjis_japanese_ci",
	"swe7": "swe7_swedish_ci", "tis620": "tis620_thai_ci", "ucs2": "ucs2_general_ci", "ujis": "ujis_japanese_ci",
	"utf16": "utf16_general_ci", "utf16le": "utf16le_general_ci", "utf32": "utf32_general_ci", "utf8mb3": "utf8mb3_general_ci",
	"utf8mb4": "utf8mb4_0900_ai_ci",
}

func TestDefaultCollationOfEachFlavour(t *testing.T) {
	for cs, want := range mysql80Charsets {
		if got := schemadef.DefaultCollation(mysql80, cs); got != want {
			t.Errorf("mysql 8.0: CHARACTER SET %s alone is %s, not %s", cs, want, got)
		}
		if got := schemadef.DefaultCollation(mysql80, strings.ToUpper(cs)); got != want {
			t.Errorf("mysql 8.0: CHARACTER SET %s alone is %s, not %s", strings.ToUpper(cs), want, got)
		}
	}
	for _, c := range []struct {
		target      project.Target
		cs, want    string
		server, def string
	}{
		{target: mysql80, cs: "utf8", want: "utf8mb3_general_ci"},
		{target: mariadb1011, cs: "utf8mb4", want: "utf8mb4_general_ci"},
		{target: mariadb1011, cs: "latin1", want: "latin1_swedish_ci"},
		{target: mariadb1011, cs: "utf8", want: "utf8mb3_general_ci"},
	} {
		if got := schemadef.DefaultCollation(c.target, c.cs); got != c.want {
			t.Errorf("%s: CHARACTER SET %s alone is %s, not %s", c.target, c.cs, c.want, got)
		}
	}
	for target, want := range map[project.Target]string{mysql80: "utf8mb4 utf8mb4_0900_ai_ci", {Flavor: "mysql", Major: 8, Minor: 4}: "utf8mb4 utf8mb4_0900_ai_ci", mariadb1011: "utf8mb4 utf8mb4_general_ci"} {
		if cs, coll := schemadef.ServerDefault(target); cs+" "+coll != want {
			t.Errorf("%s: the server default is %s, not %s %s", target, want, cs, coll)
		}
	}
}

// Effective reads each level as the target's server does: what declares
// no charset has the database's default, and a charset named alone its
// default collation, both MySQL 8.0's on a mysql 8.0 target.
func TestEffectiveByFlavour(t *testing.T) {
	for _, c := range []struct {
		db, table, column string
		mysql, mariadb    string
	}{
		{mysql: "utf8mb4_0900_ai_ci", mariadb: "utf8mb4_general_ci"},
		{column: "utf8mb4", mysql: "utf8mb4_0900_ai_ci", mariadb: "utf8mb4_general_ci"},
		{table: "utf8mb4_bin", column: "utf8mb4", mysql: "utf8mb4_0900_ai_ci", mariadb: "utf8mb4_general_ci"},
		{table: "utf8mb4", mysql: "utf8mb4_0900_ai_ci", mariadb: "utf8mb4_general_ci"},
		{db: "utf8mb4", mysql: "utf8mb4_0900_ai_ci", mariadb: "utf8mb4_general_ci"},
		{db: "latin1", mysql: "latin1_swedish_ci", mariadb: "latin1_swedish_ci"},
		{db: "latin1", column: "utf8mb4", mysql: "utf8mb4_0900_ai_ci", mariadb: "utf8mb4_general_ci"},
		{db: "utf8mb4_unicode_ci", table: "gb18030", mysql: "gb18030_chinese_ci", mariadb: "gb18030_general_ci"},
		{table: "latin1", column: "utf8mb4_bin", mysql: "utf8mb4_bin", mariadb: "utf8mb4_bin"},
		{column: "utf8", mysql: "utf8mb3_general_ci", mariadb: "utf8mb3_general_ci"},
	} {
		s := schema.New("app").AddAttrs(charsetAttrs(c.db)...)
		tbl := schema.NewTable("t").SetSchema(s)
		tbl.Attrs = charsetAttrs(c.table)
		col := schema.NewStringColumn("c", "varchar", schema.StringSize(10))
		col.Attrs = charsetAttrs(c.column)
		for target, want := range map[project.Target]string{mysql80: c.mysql, mariadb1011: c.mariadb} {
			if _, got := schemadef.Effective(target, tbl, col); got != want {
				t.Errorf("%s, database %q, table %q, column %q: %s, not %s", target, c.db, c.table, c.column, want, got)
			}
		}
	}
}

func TestDeclaredDefaultByFlavour(t *testing.T) {
	for _, c := range []struct{ block, mysql, mariadb string }{
		{"schema \"app\" {}\n", "utf8mb4_0900_ai_ci", "utf8mb4_general_ci"},
		{"schema \"app\" {\n  charset = \"utf8mb4\"\n}\n", "utf8mb4_0900_ai_ci", "utf8mb4_general_ci"},
		{"schema \"app\" {\n  charset = \"latin1\"\n}\n", "latin1_swedish_ci", "latin1_swedish_ci"},
		{"schema \"app\" {\n  collate = \"utf8mb4_unicode_ci\"\n}\n", "utf8mb4_unicode_ci", "utf8mb4_unicode_ci"},
	} {
		for target, want := range map[project.Target]string{mysql80: c.mysql, mariadb1011: c.mariadb} {
			got, err := schemadef.DeclaredDefault("r.hcl", []byte(c.block), target)
			if err != nil || got != want {
				t.Errorf("%s, %q: %s, not %q (%v)", target, c.block, want, got, err)
			}
		}
	}
}

// What TestEffectiveIsWhatTheServerGives runs on MariaDB, for MySQL 8.0,
// which is not here: the statements WithCharsets has Atlas write for a
// mysql 8.0 target, read by the rules of MySQL 8.0's manual ("Column
// Character Set and Collation", "Table Character Set and Collation"),
// give every column the collation Effective says. A COLLATE names the
// collation; a CHARACTER SET alone has its default (mysql80Charsets); a
// column with neither takes its table's, a table with neither the
// database's (the server's, utf8mb4_0900_ai_ci).
func TestEffectiveIsWhatMySQL80Gives(t *testing.T) {
	tables := []string{"", "latin1", "latin1_bin", "utf8mb4", "utf8mb4_bin", "utf8mb4 utf8mb4_unicode_ci", "latin1 latin1_bin", "utf8mb3", "utf8mb4 utf8mb4_0900_ai_ci"}
	columns := []string{"", "utf8mb4", "latin1", "utf8mb3", "utf8mb4_general_ci", "utf8mb4_0900_ai_ci", "utf8mb4_bin", "latin1_bin", "latin1_swedish_ci", "utf8mb4 utf8mb4_general_ci", "utf8mb4 utf8mb4_0900_ai_ci", "latin1 latin1_bin", "utf8mb4 utf8mb4_bin"}
	effectiveIsWhatServerGives(t, mysql80, mysql80Charsets, tables, columns)
}

// The same for MariaDB 11.4 and 11.8, which are not here either: a
// CHARACTER SET alone has the charset's default there (mariadbUCA1400),
// a database the server's (utf8mb4_uca1400_ai_ci). Planned with 10.11's
// defaults, a column declaring only utf8mb4 in a utf8mb4_general_ci table
// was left to be written CHARSET utf8mb4 alone and created
// utf8mb4_uca1400_ai_ci.
func TestEffectiveIsWhatMariaDB11Gives(t *testing.T) {
	tables := []string{"", "latin1", "latin1_bin", "utf8mb4", "utf8mb4_bin", "utf8mb4 utf8mb4_general_ci", "utf8mb4_general_ci", "latin1 latin1_bin", "utf8mb3", "utf8mb3_general_ci", "utf8mb4 utf8mb4_uca1400_ai_ci"}
	columns := []string{"", "utf8mb4", "latin1", "utf8mb3", "utf8mb4_general_ci", "utf8mb4_uca1400_ai_ci", "utf8mb4_bin", "latin1_bin", "latin1_swedish_ci", "utf8mb4 utf8mb4_general_ci", "utf8mb4 utf8mb4_uca1400_ai_ci", "latin1 latin1_bin", "utf8mb3 utf8mb3_general_ci", "utf8mb4 utf8mb4_bin"}
	for _, target := range []project.Target{mariadb114, mariadb118} {
		defaults := map[string]string{}
		for cs, coll := range mysql80Charsets {
			defaults[cs] = coll
		}
		defaults["utf8mb4"] = "utf8mb4_general_ci"
		for _, cs := range mariadbUCA1400[target] {
			defaults[cs] = cs + "_uca1400_ai_ci"
		}
		effectiveIsWhatServerGives(t, target, defaults, tables, columns)
	}
}

// effectiveIsWhatServerGives checks that the statements WithCharsets has
// Atlas write for target, read by the server's rules, give every column
// of every table of these charset and collation declarations the
// collation Effective says; defaults are the target's charsets' default
// collations.
func effectiveIsWhatServerGives(t *testing.T, target project.Target, defaults map[string]string, tables, columns []string) {
	t.Helper()
	ctx := context.Background()
	drv, err := diff.Offline(target)
	if err != nil {
		t.Fatal(err)
	}
	// collation is what the server gives an element declaring charset cs
	// and collation coll ("" when not), else inherit.
	collation := func(cs, coll, inherit string) string {
		switch {
		case coll != "":
			return sqlsyntax.CanonicalCharset(coll) // the parser reads utf8mb3_general_ci as utf8_general_ci
		case strings.EqualFold(cs, "utf8"):
			return defaults["utf8mb3"] // the parser's name for it
		case cs != "":
			return defaults[strings.ToLower(cs)]
		}
		return inherit
	}
	s := schema.New("app")
	checked := 0
	for i, ta := range tables {
		tbl := schema.NewTable(fmt.Sprintf("t%d", i)).SetSchema(s)
		tbl.Attrs = charsetAttrs(ta)
		tbl.AddColumns(schema.NewIntColumn("id", "int"))
		want := map[string]string{}
		var added, modified []schema.Change
		for j, ca := range columns {
			c := schema.NewStringColumn(fmt.Sprintf("c%d", j), "varchar", schema.StringSize(10))
			c.Attrs = charsetAttrs(ca)
			a := *c
			a.Name = "a" + a.Name[1:]
			tbl.AddColumns(c)
			added = append(added, &schema.AddColumn{C: &a})
			modified = append(modified, &schema.ModifyColumn{From: c, To: c, Change: schema.ChangeCharset | schema.ChangeCollate})
			_, coll := schemadef.Effective(target, tbl, c)
			want[c.Name], want[a.Name] = coll, coll
		}
		var tableColl string
		for _, ch := range []schema.Change{&schema.AddTable{T: tbl}, &schema.ModifyTable{T: tbl, Changes: added}, &schema.ModifyTable{T: tbl, Changes: modified}} {
			server := [2]string{}
			server[0], server[1] = schemadef.ServerDefault(target)
			plan, err := drv.PlanChanges(ctx, "t", []schema.Change{schemadef.WithCharsets(ch, target, server)}, func(o *migrate.PlanOptions) { o.SchemaQualifier = new(string) })
			if err != nil {
				t.Fatal(err)
			}
			for _, pc := range plan.Changes {
				stmts, err := sqlsyntax.ReadScript(pc.Cmd)
				if err != nil || len(stmts) != 1 {
					t.Fatalf("%s: %v", pc.Cmd, err)
				}
				var cols []*ast.ColumnDef
				switch n := stmts[0].Node.(type) {
				case *ast.CreateTableStmt:
					var cs, coll string
					for _, o := range n.Options {
						switch o.Tp {
						case ast.TableOptionCharset:
							cs = o.StrValue
						case ast.TableOptionCollate:
							coll = o.StrValue
						}
					}
					tableColl = collation(cs, coll, server[1])
					cols = n.Cols
				case *ast.AlterTableStmt:
					for _, spec := range n.Specs {
						cols = append(cols, spec.NewColumns...)
					}
				}
				for _, col := range cols {
					if col.Tp.GetCharset() == "" && col.Tp.GetCollate() == "" && len(col.Options) == 0 && !strings.HasPrefix(col.Name.Name.O, "c") && !strings.HasPrefix(col.Name.Name.O, "a") {
						continue
					}
					coll := col.Tp.GetCollate()
					for _, o := range col.Options {
						if o.Tp == ast.ColumnOptionCollate {
							coll = o.StrValue
						}
					}
					w, ok := want[col.Name.Name.O]
					if !ok {
						continue
					}
					checked++
					if got := collation(col.Tp.GetCharset(), coll, tableColl); got != w {
						t.Errorf("%s: table %q, column %q: Effective says %s, the server gives %s from\n%s", target, ta, columns[colIndex(col.Name.Name.O)], w, got, pc.Cmd)
					}
				}
			}
		}
	}
	if want := len(tables) * len(columns) * 3; checked != want {
		t.Fatalf("read %d columns from the statements, want %d", checked, want)
	}
}

func colIndex(name string) int {
	var i int
	fmt.Sscanf(name[1:], "%d", &i)
	return i
}

// The character_set_collations emcee's sessions pin on MariaDB 11.2 and
// later: each Unicode charset named alone has the target's default, so a
// project for 10.11 applied on an 11.4 server (utf8mb4 mapped to
// utf8mb4_uca1400_ai_ci by its packages) gets utf8mb4_general_ci as
// planned, and one for 11.4 gets utf8mb4_uca1400_ai_ci on a server
// configured without the mapping.
func TestCharsetCollationsOfTheTarget(t *testing.T) {
	for target, want := range map[project.Target]string{
		mariadb1011: "utf8mb3=utf8mb3_general_ci,ucs2=ucs2_general_ci,utf8mb4=utf8mb4_general_ci,utf16=utf16_general_ci,utf32=utf32_general_ci",
		mariadb114:  "utf8mb3=utf8mb3_general_ci,ucs2=ucs2_general_ci,utf8mb4=utf8mb4_uca1400_ai_ci,utf16=utf16_general_ci,utf32=utf32_general_ci",
		mariadb118:  "utf8mb3=utf8mb3_uca1400_ai_ci,ucs2=ucs2_uca1400_ai_ci,utf8mb4=utf8mb4_uca1400_ai_ci,utf16=utf16_uca1400_ai_ci,utf32=utf32_uca1400_ai_ci",
		mysql80:     "",
	} {
		if got := schemadef.CharsetCollations(target); got != want {
			t.Errorf("%s: %q, want %q", target, got, want)
		}
	}
}
