package diff

import (
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2/hclparse"

	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/schemadef"
)

// table wraps column and other blocks into a release file with one table
// "t" whose first line is line 3.
func table(name, body string) string {
	return "schema \"app\" {}\ntable " + quoteHCL(name) + " {\n  schema = schema.app\n  column \"id\" {\n    type = int\n  }\n" + body + "  primary_key {\n    columns = [column.id]\n  }\n}\n"
}

// inSchema gives the schema block of a release made by table these
// attributes (the first on line 2).
func inSchema(attrs, release string) string {
	return strings.Replace(release, "schema \"app\" {}\n", "schema \"app\" {\n"+attrs+"}\n", 1)
}

func quoteHCL(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\r", `\r`, "\t", `\t`, "${", "$${", "%{", "%%{").Replace(s) + `"`
}

func col(name, attrs string) string {
	return "  column " + quoteHCL(name) + " {\n" + attrs + "  }\n"
}

// Every name, value and size the server or Atlas's SQL writer would get
// wrong is refused when the release is loaded, at the line that declares
// it, saying why.
func TestLoadRefusesWhatTheServerOrAtlasWouldGetWrong(t *testing.T) {
	long := strings.Repeat("a", 65)
	for _, tc := range []struct {
		name, src, want string
	}{
		{"injection in a table name (issue 10)", table("x` (id int primary key); DROP TABLE image_tags; CREATE TABLE `y", ""),
			"pike.hcl:2:7: table name \"x` (id int primary key); DROP TABLE image_tags; CREATE TABLE `y\" contains a backtick: Atlas"},
		{"backtick in a column name", table("t", col("a`b", "    type = int\n")), "pike.hcl:7:10: column name \"a`b\" contains a backtick"},
		{"backtick in an index name", table("t", "  index \"ix`\" {\n    columns = [column.id]\n  }\n"), "pike.hcl:7:9: index name \"ix`\" contains a backtick"},
		{"name over 64 characters", table(long, ""), "pike.hcl:2:7: table name \"" + long + "\" is 65 characters long; MySQL and MariaDB allow at most 64"},
		{"column name over 64 characters", table("t", col(long, "    type = int\n")), "pike.hcl:7:10: column name \"" + long + "\" is 65 characters long"},
		{"trailing space", table("t ", ""), `pike.hcl:2:7: table name "t " ends with a space`},
		{"trailing newline in a column", table("t", col("c\n", "    type = int\n")), `column name "c\n" ends with a space`},
		{"emoji", table("t😀", ""), `outside the Basic Multilingual Plane`},
		{"newline inside a name", table("a\nb", ""), `table name "a\nb" contains the control character '\n'`},
		{"bidi override", table("a\u202eb", ""), `bidirectional control U+202E`},
		{"file name too long", table(strings.Repeat("/", 51), ""), `needs 255 bytes as a file name on the server`},
		{"index named PRIMARY", table("t", "  index \"primary\" {\n    columns = [column.id]\n  }\n"), `index name "primary" is reserved`},
		{"emcee's version table", table("emcee_revisions", ""), `pike.hcl:2:7: table name "emcee_revisions" is the name of emcee's version table`},
		{"emcee's accepted differences", table("emcee_accepted_drift", ""), `pike.hcl:2:7: table name "emcee_accepted_drift" is the name of the table in which emcee records the differences accepted`},
		{"emcee's dev marker, re-cased", table("Emcee_Dev_In_Use", ""), `pike.hcl:2:7: table name "Emcee_Dev_In_Use" is the name of the table that marks a dev database emcee is building schemas in; emcee reserves it (in any letter case)`},
		{"InnoDB's hidden column", table("t", col("DB_ROW_ID", "    type = int\n")), `column name "DB_ROW_ID" is reserved by InnoDB`},
		{"quote in an enum value", table("t", col("e", "    type = enum(\"a\", \"it's\")\n")), `pike.hcl:8:12: enum value "it's" of t.e contains ' or \`},
		{"backslash in a set value", table("t", col("e", "    type = set(\"a\\\\b\")\n")), `set value "a\\b" of t.e contains ' or \`},
		{"enum value wrapped in double quotes", table("t", col("e", "    type = enum(\"\\\"a\\\"\")\n")), `is wrapped in double quotes`},
		{"enum value with a trailing space", table("t", col("e", "    type = enum(\"a \")\n")), `ends with a space: the server strips it`},
		{"duplicate enum values", table("t", col("e", "    type = enum(\"a\", \"A\")\n")), `enum value "A" of t.e repeats "a"`},
		{"empty enum (a panic in Atlas)", table("t", col("e", "    type = enum()\n")), `pike.hcl:8:12: column t.e: enum() has no values`},
		{"numeric default that is SQL", table("t", col("n", "    type = int\n    default = \"1; DROP TABLE x\"\n")), `pike.hcl:9:15: default of t.n is "1; DROP TABLE x", but the column is numeric`},
		{"bool default that is SQL", table("t", col("b", "    type = bool\n    default = \"true) x\"\n")), `declare true, false or an integer`},
		{"hex-looking default", table("t", col("s", "    type = varchar(10)\n    default = \"0x1 OR 1\"\n")), `starts with 0x, so Atlas writes it into the DDL as it is`},
		{"half-quoted default", table("t", col("s", "    type = varchar(10)\n    default = \"'a''\"\n")), `not one complete SQL string literal`},
		{"default ending in an escaped quote", table("t", col("s", "    type = varchar(10)\n    default = \"'a\\\\'\"\n")), `not one complete SQL string literal`},
		{"comment that is half quoted", table("t", col("s", "    type = int\n    comment = \"'x' ; DROP TABLE y; -- '\"\n")), `comment of column t.s`},
		{"comment with a character Go escapes", table("t", col("s", "    type = int\n    comment = \"a\\u00a0b\"\n")), `comment of column t.s contains '\u00a0' (U+00A0)`},
		{"table comment too long", strings.Replace(table("t", ""), "schema = schema.app", "schema = schema.app\n  comment = \""+strings.Repeat("x", 2049)+"\"", 1), `comment of table t is 2049 characters long; the server allows at most 2048`},
		{"charset that is SQL", table("t", col("s", "    type = varchar(10)\n    charset = \"latin1 COLLATE x\"\n")), `charset "latin1 COLLATE x" is not a character set`},
		{"charset the server does not know", table("t", col("s", "    type = varchar(10)\n    charset = \"utf8mb5\"\n")), `pike.hcl:9:15: charset "utf8mb5" is not a character set of MySQL 8.0 or MariaDB 10.11`},
		{"collation the server does not know", table("t", col("s", "    type = varchar(10)\n    collate = \"utf8mb4_klingon_ci\"\n")), `pike.hcl:9:15: collation "utf8mb4_klingon_ci" is not a collation of MariaDB 10.11 or MySQL 8.0`},
		{"mixed-case charset", strings.Replace(table("t", ""), "schema = schema.app", "schema = schema.app\n  charset = \"UTF8mb4\"", 1), `pike.hcl:4:13: charset "UTF8mb4": write it in lower case, "utf8mb4", as the server prints it`},
		{"mixed-case collation", table("t", col("s", "    type = varchar(10)\n    collate = \"utf8mb4_Unicode_CI\"\n")), `pike.hcl:9:15: collation "utf8mb4_Unicode_CI": write it in lower case, "utf8mb4_unicode_ci"`},
		{"collation of another charset (table)", strings.Replace(table("t", ""), "schema = schema.app", "schema = schema.app\n  charset = \"utf8mb4\"\n  collate = \"latin1_swedish_ci\"", 1), `pike.hcl:5:13: collation "latin1_swedish_ci" is a collation of latin1, not of charset "utf8mb4"`},
		{"collation of another charset (column)", table("t", col("s", "    type = varchar(10)\n    charset = \"utf8mb3\"\n    collate = \"utf8mb4_bin\"\n")), `pike.hcl:10:15: collation "utf8mb4_bin" is a collation of utf8mb4, not of charset "utf8mb3"`},
		{"collation that is SQL, spelt collation", table("t", col("s", "    type = varchar(10)\n    collation = \"latin1_bin'\"\n")), `pike.hcl:9:17: collation "latin1_bin'" is not a collation name`},
		{"collation that is SQL", table("t", col("s", "    type = varchar(10)\n    collate = \"latin1_bin'\"\n")), `collation "latin1_bin'" is not a collation name`},
		{"engine that is SQL", strings.Replace(table("t", ""), "schema = schema.app", "schema = schema.app\n  engine = \"InnoDB; DROP TABLE x\"", 1), `engine "InnoDB; DROP TABLE x" of table t is not a storage engine name`},
		{"engine other than InnoDB", strings.Replace(table("t", ""), "schema = schema.app", "schema = schema.app\n  engine = \"MyISAM\"", 1), `pike.hcl:4:12: table t is created with engine MyISAM: emcee plans InnoDB tables`},
		{"on_update that is SQL", table("t", col("ts", "    type = timestamp\n    on_update = sql(\"CURRENT_TIMESTAMP; DROP TABLE x\")\n")), `on_update of t.ts: ';' ends a statement`},
		{"generated kind that is SQL", table("t", col("g", "    type = int\n    as {\n      expr = \"id + 1\"\n      type = \"STORED, DROP x\"\n    }\n")), `pike.hcl:11:14: generated column t.g is "STORED, DROP X"`},
		{"duplicate table", table("t", "") + table("t", "")[len("schema \"app\" {}\n"):], `pike.hcl:11:7: table "t" is declared twice (first at pike.hcl:2:7)`},
		// MariaDB's information_schema gave the columns of one of them:
		// db diff reported the other's as unexpected, on a database
		// planned by emcee itself.
		{"tables differing only in case", table("Users", "") + table("users", "")[len("schema \"app\" {}\n"):], `pike.hcl:11:7: table "users" differs from table "Users" (pike.hcl:2:7) only in letter case`},
		{"duplicate column, by case", table("t", col("a", "    type = int\n")+col("A", "    type = int\n")), `pike.hcl:10:10: column "A" of table t is declared twice (first as "a" at pike.hcl:7:10)`},
		{"duplicate index", table("t", "  index \"ix\" {\n    columns = [column.id]\n  }\n  index \"IX\" {\n    columns = [column.id]\n  }\n"), `index "IX" of table t is declared twice`},
		{"duplicate check name", table("t", "  check \"ck\" {\n    expr = \"id > 0\"\n  }\n  check \"ck\" {\n    expr = \"id > 1\"\n  }\n"), `check "ck" of table t has the name of the check "ck"`},
		{"foreign key names are per database", table("a", col("p", "    type = int\n")+"  foreign_key \"fk\" {\n    columns = [column.p]\n    ref_columns = [table.a.column.id]\n  }\n") +
			table("b", col("p", "    type = int\n")+"  foreign_key \"FK\" {\n    columns = [column.p]\n    ref_columns = [table.a.column.id]\n  }\n")[len("schema \"app\" {}\n"):],
			`foreign key "FK" of table b has the name of the foreign key "fk"`},
		{"foreign key named like another index", table("t", col("p", "    type = int\n")+"  index \"fk\" {\n    columns = [column.id]\n  }\n  foreign_key \"fk\" {\n    columns = [column.p]\n    ref_columns = [table.t.column.id]\n  }\n"),
			`foreign key fk of table t has the name of index fk, which does not start with the key's columns`},
		// A prefix does not serve the key: MariaDB 10.11 refuses its own
		// index of the key's name (error 1061, duplicate key name).
		{"foreign key named like an index on a prefix of its column", table("t", col("p", "    type = varchar(20)\n")+col("s", "    type = varchar(20)\n")+"  index \"fk\" {\n    on {\n      column = column.p\n      prefix = 5\n    }\n  }\n  index \"us\" {\n    unique  = true\n    columns = [column.s]\n  }\n  foreign_key \"fk\" {\n    columns = [column.p]\n    ref_columns = [table.t.column.s]\n  }\n"),
			`foreign key fk of table t has the name of index fk, which does not start with the key's columns, whole`},
		// MariaDB and MySQL refuse the key on a NOT NULL column (error 1830),
		// and a column made NOT NULL under it: contract failed at its MODIFY.
		{"SET NULL on a NOT NULL column", table("t", col("p", "    type = int\n")+"  foreign_key \"fk\" {\n    columns = [column.p]\n    ref_columns = [table.t.column.id]\n    on_delete = SET_NULL\n  }\n"),
			`pike.hcl:13:17: foreign key fk of table t sets p to NULL (on_delete = SET_NULL), but p is NOT NULL: the server refuses that key on such a column, and to make a column under it NOT NULL (error 1830)`},
		{"SET NULL on update, on the second column", table("t", col("p", "    type = int\n    null = true\n")+col("q", "    type = int\n")+"  index \"pq\" {\n    columns = [column.p, column.q]\n  }\n  index \"idq\" {\n    unique  = true\n    columns = [column.id, column.q]\n  }\n  foreign_key \"fk\" {\n    columns = [column.p, column.q]\n    ref_columns = [table.t.column.id, table.t.column.q]\n    on_update = SET_NULL\n  }\n"),
			`foreign key fk of table t sets q to NULL (on_update = SET_NULL), but q is NOT NULL`},
		// A column of the primary key is NOT NULL on the server whatever
		// it declares: null = true passed, and expand's CREATE TABLE
		// failed (errno 150, measured on MariaDB 10.11).
		{"SET NULL on a nullable column of the primary key", strings.Replace(table("t", col("p", "    type = int\n    null = true\n")+"  foreign_key \"fk\" {\n    columns = [column.p]\n    ref_columns = [table.t.column.id]\n    on_delete = SET_NULL\n  }\n"), "columns = [column.id]\n  }\n}", "columns = [column.id, column.p]\n  }\n}", 1),
			`foreign key fk of table t sets p to NULL (on_delete = SET_NULL), but p is NOT NULL, as every column of the primary key is`},
		// MariaDB 10.11 creates the key with RESTRICT instead; MySQL 8.0
		// refuses it: expand failed, or the database was not the release.
		{"SET DEFAULT on delete", table("t", col("p", "    type = int\n    default = 1\n")+"  foreign_key \"fk\" {\n    columns = [column.p]\n    ref_columns = [table.t.column.id]\n    on_delete = SET_DEFAULT\n  }\n"),
			`pike.hcl:14:17: on_delete of foreign key fk of table t is SET_DEFAULT, which InnoDB does not do (MySQL refuses the key, MariaDB creates it with RESTRICT instead): write RESTRICT, NO_ACTION, CASCADE or SET_NULL`},
		{"SET DEFAULT on update", table("t", col("p", "    type = int\n    default = 1\n")+"  foreign_key \"fk\" {\n    columns = [column.p]\n    ref_columns = [table.t.column.id]\n    on_update = SET_DEFAULT\n  }\n"),
			`pike.hcl:14:17: on_update of foreign key fk of table t is SET_DEFAULT`},
		{"foreign key action that is SQL", table("t", col("p", "    type = int\n    null = true\n")+"  foreign_key \"fk\" {\n    columns = [column.p]\n    ref_columns = [table.t.column.id]\n    on_delete = \"SET NULL; DROP TABLE x\"\n  }\n"),
			`on_delete of foreign key fk is "SET NULL; DROP TABLE x"`},
		{"string default longer than the column", table("t", col("s", "    type = varchar(3)\n    default = \"abcd\"\n")), `pike.hcl:9:15: default of t.s: "abcd" is 4 characters long; the column holds 3`},
		{"enum default in another case", table("t", col("e", "    type = enum(\"a\", \"b\")\n    default = \"A\"\n")), `default of t.e: "A" is not one of the enum values; the server would store "a" instead`},
		{"int default out of range", table("t", col("n", "    type = tinyint\n    unsigned = true\n    default = 256\n")), `default of t.n: 256 is out of the range of tinyint unsigned (0 to 255)`},
		// Measured on MariaDB 10.11 (information_schema's COLUMN_DEFAULT):
		// 'b,a' is 'a,b', 'a ' in a char is 'a'.
		{"set default in another order", table("t", col("s", "    type = set(\"a\", \"b\")\n    default = \"b,a\"\n")), `default of t.s: "b,a" is stored as "a,b" (set members in the column's order, each once): write "a,b"`},
		{"char default ending in a space", table("t", col("c", "    type = char(4)\n    default = \"a \"\n")), `default of t.c: "a " ends in spaces, which a char column drops: write "a"`},
		{"decimal default the server rounds", table("t", col("d", "    type = decimal(4,2)\n    default = \"1.234\"\n")), `default of t.d: 1.234 has 3 decimals; decimal(4,2) keeps 2`},
		{"misspelt CURRENT_TIMESTAMP (found by FuzzPlan)", table("t", col("d", "    type = datetime\n    default = sql(\"CURRENT_TIMSTAMP\")\n")), `default of t.d: unknown column "CURRENT_TIMSTAMP"`},
		// OpenCart 1.5.6.4's customer.date_added, Joomla 2.5's
		// registerDate: the OpenCart history removes the default.
		{"zero date default", table("t", col("d", "    type = datetime\n    default = \"0000-00-00 00:00:00\"\n")), `pike.hcl:9:15: default of t.d: "0000-00-00 00:00:00" is not a datetime the server takes as written; write YYYY-MM-DD HH:MM:SS (no zero month or day), or remove the default (a write must then give a date; with null = true, a row without one holds NULL)`},
		{"zero date default of a date", table("t", col("d", "    type = date\n    default = \"2020-00-01\"\n")), `"2020-00-01" is not a date the server takes as written; write YYYY-MM-DD (no zero month or day), or remove the default`},
		{"date default in another form", table("t", col("d", "    type = date\n    default = \"20200101\"\n")), `"20200101" is not a date the server takes as written`},
		{"json default that is not JSON", table("t", col("j", "    type = json\n    default = \"{\"\n")), `default of t.j: "{" is not JSON`},
		{"varchar(0)", table("t", col("s", "    type = varchar(0)\n")), `pike.hcl:8:12: t.s is varchar(0), which holds only '' and NULL`},
		{"spatial column: no plan holding it could be read (MySQL: TestSpatialRefusedForMySQL)", table("t", col("p", "    type = point\n    null = true\n")), `pike.hcl:8:12: t.p is point: emcee's SQL reader, TiDB's MySQL parser, cannot read spatial types, so no plan holding one could be checked or applied: keep the table out`},
		{"spatial column given as sql()", table("t", col("g", "    type = sql(\"geometrycollection\")\n    null = true\n")), `pike.hcl:8:12: t.g is geometrycollection: emcee's SQL reader`},
		{"char(0), which Atlas writes as char(1)", table("t", col("s", "    type = char(0)\n")), `t.s is char(0): Atlas writes it as char, which is char(1)`},
		{"varchar(70000)", table("t", col("s", "    type = varchar(70000)\n")), `t.s is varchar(70000); in its character set (4 bytes per character) the server allows at most varchar(16383)`},
		{"latin1 varchar over its limit", table("t", col("s", "    type = varchar(65533)\n    charset = \"latin1\"\n")), `at most varchar(65532)`},
		{"char(256)", table("t", col("s", "    type = char(256)\n")), `at most char(255)`},
		{"decimal(66)", table("t", col("d", "    type = decimal(66,2)\n")), `precision 66; decimal allows at most 65`},
		{"datetime(7)", table("t", col("d", "    type = datetime(7)\n")), `fractional seconds precision 7`},
		{"row over 65535 bytes", table("t", col("a", "    type = varchar(16000)\n")+col("b", "    type = varchar(400)\n")), `pike.hcl:2:7: a row of table t takes 65608 bytes`},
		{"key over 3072 bytes", table("t", col("a", "    type = varchar(700)\n")+col("b", "    type = varchar(300)\n")+"  index \"ix\" {\n    columns = [column.a, column.b]\n  }\n"), `index ix of table t is 4000 bytes long`},
		{"one-column key the server would cut", table("t", col("a", "    type = varchar(1000)\n")+"  index \"ix\" {\n    columns = [column.a]\n  }\n"), `index ix of table t is 4000 bytes long`},
		{"text key without prefix", table("t", col("a", "    type = text\n")+"  index \"ix\" {\n    columns = [column.a]\n  }\n"), `covers the text column a without a prefix`},
		{"prefix longer than the column", table("t", col("a", "    type = varchar(10)\n")+"  index \"ix\" {\n    on {\n      column = column.a\n      prefix = 20\n    }\n  }\n"), `takes a prefix of 20 characters of a, which holds at most 10`},
		{"raw default on a type Atlas does not model: named by its text", table("t", col("v", "    type = sql(\"vector(3)\")\n    default = sql(\"1 + 1\")\n")), `Atlas writes sql("1 + 1") on a vector column as the text`},
		{"prefix of an integer", table("t", col("a", "    type = int\n")+"  index \"ix\" {\n    on {\n      column = column.a\n      prefix = 2\n    }\n  }\n"), `takes a prefix of a, which is not a string column`},
		{"database default of an unknown charset", inSchema("  charset = \"latin9\"\n", table("t", "")), `pike.hcl:2:13: charset "latin9" is not a character set of MySQL 8.0 or MariaDB 10.11`},
		{"database default of an unknown collation", inSchema("  collate = \"latin1_swedsh_ci\"\n", table("t", "")), `pike.hcl:2:13: collation "latin1_swedsh_ci" is not a collation of MariaDB 10.11 or MySQL 8.0`},
		{"a uca1400 collation, MariaDB's, of another charset: known as utf8mb4's (it was no collation of MariaDB's list)", inSchema("  charset = \"latin1\"\n  collate = \"utf8mb4_uca1400_ai_ci\"\n", table("t", "")), `pike.hcl:3:13: collation "utf8mb4_uca1400_ai_ci" is a collation of utf8mb4, not of charset "latin1"`},
		{"database default collation of another charset", inSchema("  charset = \"latin1\"\n  collate = \"utf8mb4_bin\"\n", table("t", "")), `pike.hcl:3:13: collation "utf8mb4_bin" is a collation of utf8mb4, not of charset "latin1"`},
		{"latin1 default: a varchar over the row's bytes", inSchema("  charset = \"latin1\"\n", table("t", col("a", "    type = varchar(65533)\n"))), `at most varchar(65532)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseRelease("pike", "pike.hcl", []byte(tc.src), mariadb)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v\nwant it to contain %q\nsource:\n%s", err, tc.want, tc.src)
			}
		})
	}
}

// Tables whose names differ only in letter case are refused when a file
// is loaded block by block too (diff.Load), where each table block is
// evaluated alone (EMCEE_VERIFY_EVAL off: the whole file's evaluation
// beside it would say so for it).
func TestLoadRefusesTablesDifferingInCase(t *testing.T) {
	t.Setenv("EMCEE_VERIFY_EVAL", "0")
	src := table("Users", "") + table("users", "")[len("schema \"app\" {}\n"):]
	_, err := Load(Source{Release: "pike", File: "pike.hcl", Src: []byte(src)}, mariadb)
	if want := `pike.hcl:11:7: table "users" differs from table "Users" (pike.hcl:2:7) only in letter case`; err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("got %v\nwant it to contain %q", err, want)
	}
}

// A charset or collation one server has and the target's lacks was
// checked against both servers' lists: charset = "gb18030" planned for
// a MariaDB project, collate = "latin2_nopad_bin" for a MySQL one, and
// the server refused expand (Unknown character set, Unknown collation).
// Refused at the attribute, with the target named.
func TestCharsetsAndCollationsOfTheTarget(t *testing.T) {
	mysql80, mariadb106 := project.Target{Flavor: "mysql", Major: 8}, project.Target{Flavor: "mariadb", Major: 10, Minor: 6}
	for _, tc := range []struct {
		name   string
		target project.Target
		src    string
		want   string
	}{
		{"gb18030 on MariaDB", mariadb, table("t", col("s", "    type = varchar(10)\n    charset = \"gb18030\"\n")), `pike.hcl:9:15: charset "gb18030" is MySQL's: MariaDB has no such character set, and the target (mariadb 10.11) would refuse it`},
		{"a MariaDB collation on MySQL", mysql80, table("t", col("s", "    type = varchar(10)\n    charset = \"latin2\"\n    collate = \"latin2_nopad_bin\"\n")), `pike.hcl:10:15: collation "latin2_nopad_bin" is MariaDB's: MySQL has no such collation, and the target (mysql 8.0) would refuse it`},
		{"uca1400 on MySQL", mysql80, inSchema("  collate = \"utf8mb4_uca1400_ai_ci\"\n", table("t", "")), `pike.hcl:2:13: collation "utf8mb4_uca1400_ai_ci" is MariaDB's`},
		{"MySQL 8.0's default on MariaDB", mariadb, inSchema("  collate = \"utf8mb4_0900_ai_ci\"\n", table("t", "")), `pike.hcl:2:13: collation "utf8mb4_0900_ai_ci" is MySQL's: MariaDB has no such collation (from 11.4.5`},
		{"uca1400 before MariaDB 10.10", mariadb106, table("t", col("s", "    type = varchar(10)\n    collate = \"utf8mb4_uca1400_ai_ci\"\n")), `pike.hcl:9:15: collation "utf8mb4_uca1400_ai_ci": MariaDB has uca1400 collations from 10.10, and the target (mariadb 10.6) would refuse it`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseRelease("pike", "pike.hcl", []byte(tc.src), tc.target)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v\nwant it to contain %q\nsource:\n%s", err, tc.want, tc.src)
			}
		})
	}
}

func TestSpatialRefusedForMySQL(t *testing.T) {
	src := table("t", col("p", "    type = multipolygon\n    null = true\n"))
	_, err := ParseRelease("pike", "pike.hcl", []byte(src), project.Target{Flavor: "mysql", Major: 8})
	if want := "pike.hcl:8:12: t.p is multipolygon: emcee's SQL reader"; err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("got %v, want an error saying %q", err, want)
	}
}

// Names and values that look hostile but that the server takes as written
// are accepted: refusing them would be a false alarm.
func TestLoadAcceptsWhatTheServerTakes(t *testing.T) {
	for _, tc := range []struct{ name, src string }{
		{"spaces, quotes and punctuation in names", table("image tags 'x' \"y\" ; -- /*", col("a b", "    type = int\n")+"  index \"ix -- 1\" {\n    columns = [column[\"a b\"]]\n  }\n")},
		{"64 characters", table(strings.Repeat("é", 64), col(strings.Repeat("c", 64), "    type = int\n"))},
		{"50 characters encoded in 5 bytes each", table(strings.Repeat("/", 50), "")},
		{"leading space", table(" t", "")},
		{"quotes in a string default and comment", table("t", col("s", "    type = varchar(20)\n    default = \"it's \\\"x\\\" \\\\ `y`\"\n    comment = \"a 'b' \\\"c\\\" \\\\ d\\ne\"\n"))},
		{"an already quoted default", table("t", col("s", "    type = varchar(20)\n    default = \"'it''s'\"\n"))},
		{"numbers", table("t", col("d", "    type = decimal(10,2)\n    default = -1.5\n")+col("f", "    type = double\n    default = 2.5e10\n")+col("b", "    type = bool\n    default = true\n"))},
		{"hex default", table("t", col("v", "    type = varbinary(4)\n    default = \"0xCAFE\"\n"))},
		{"defaults at their limits", table("t", col("a", "    type = tinyint\n    default = -128\n")+col("b", "    type = datetime(6)\n    default = \"2038-01-19 03:14:07.999999\"\n")+col("c", "    type = time\n    default = \"-838:59:59\"\n")+col("e", "    type = enum(\"x\", \"y\")\n    default = \"y\"\n")+col("s", "    type = set(\"x\", \"y\")\n    default = \"x,y\"\n")+col("j", "    type = json\n    default = \"{\\\"a\\\": 1}\"\n"))},
		{"row of exactly 65535 bytes", table("t", col("a", "    type = varchar(16382)\n")+col("b", "    type = tinyint\n"))},
		{"MariaDB's collations, utf8 spelt either way", table("t", col("a", "    type = varchar(10)\n    charset = \"utf8\"\n    collate = \"utf8mb3_unicode_520_ci\"\n")+col("c", "    type = varchar(10)\n    collate = \"utf8mb4_nopad_bin\"\n")+col("d", "    type = varbinary(10)\n")+col("e", "    type = varchar(10)\n    charset = \"utf8mb3\"\n    collate = \"utf8_general_ci\"\n")+col("f", "    type = varchar(10)\n    collate = \"utf8mb4_uca1400_as_cs\"\n"))},
		{"MySQL's collations and charsets, utf8 spelt either way", table("t", col("a", "    type = varchar(10)\n    charset = \"utf8\"\n    collate = \"utf8mb3_unicode_520_ci\"\n")+col("b", "    type = varchar(10)\n    collate = \"utf8mb4_0900_ai_ci\"\n")+col("e", "    type = varchar(10)\n    charset = \"utf8mb3\"\n    collate = \"utf8_bin\"\n")+col("g", "    type = varchar(10)\n    charset = \"gb18030\"\n"))},
		{"key of exactly 3072 bytes", table("t", col("a", "    type = varchar(767)\n")+"  index \"ix\" {\n    columns = [column.a, column.id]\n  }\n")},
		{"latin1 default: a varchar counted in bytes of 1", inSchema("  charset = \"latin1\"\n  collate = \"latin1_bin\"\n", table("t", col("a", "    type = varchar(20000)\n")))},
		{"MySQL 8.0's default", inSchema("  charset = \"utf8mb4\"\n  collate = \"utf8mb4_0900_ai_ci\"\n", table("t", ""))},
		{"utf8 spelt the old way", inSchema("  charset = \"utf8\"\n  collate = \"utf8_general_ci\"\n", table("t", ""))},
	} {
		target := mariadb
		if strings.HasPrefix(tc.name, "MySQL") {
			target = project.Target{Flavor: "mysql", Major: 8, Minor: 0}
		}
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ParseRelease("pike", "pike.hcl", []byte(tc.src), target); err != nil {
				t.Fatalf("%v\nsource:\n%s", err, tc.src)
			}
		})
	}
}

// A panic inside a function Atlas registers is reported at the call, in
// one line, without the goroutine dump HCL attaches (checkStructure refuses
// enum() earlier; this is the net for what it does not know).
func TestAtlasPanicIsAnError(t *testing.T) {
	p := hclparse.NewParser()
	if _, diags := p.ParseHCL([]byte(table("t", col("e", "    type = enum()\n"))), "pike.hcl"); diags.HasErrors() {
		t.Fatal(diags)
	}
	_, err := schemadef.Eval(p, "pike.hcl", project.Target{Flavor: "mariadb", Major: 10, Minor: 11})
	if err == nil || !strings.HasPrefix(err.Error(), "pike.hcl:8:12: ") || strings.Contains(err.Error(), "goroutine") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("got %v", err)
	}
}

// An HCL release's integer of display width 1 other than a signed
// tinyint(1) is refused at its type: Atlas read each as a bool, and the
// plans created int(1) or tinyint(1) with unsigned = true as a signed
// tinyint(1), refusing the application's 1000 or 200 (as a release
// declared as SQL's, refused by sqlrelease).
func TestAttack3S26IntegerOfDisplayWidthOneInHCL(t *testing.T) {
	for typ, want := range map[string]string{
		"int(1)":                                "pike.hcl:8:12: column t.n is int(1), which Atlas reads as a bool (a signed tinyint(1)), and the plans would create it so; write type = int (",
		"bigint(1)\n    unsigned = true":        "column t.n is bigint(1) unsigned, which Atlas reads as a bool (a signed tinyint(1)), and the plans would create it so; write type = bigint with unsigned = true (",
		"tinyint(1)\n    unsigned = true":       "column t.n is tinyint(1) unsigned, which Atlas reads as a bool",
		"bool\n    unsigned = true":             "column t.n is bool unsigned, which Atlas reads as a bool (a signed tinyint(1)), and the plans would create it so; write type = tinyint with unsigned = true (",
		"sql(\"INT(1)\")":                       "column t.n is INT(1), which Atlas reads as a bool (a signed tinyint(1)), and the plans would create it so; write type = sql(\"int\") (",
		"sql(\"tinyint(1) unsigned zerofill\")": "column t.n is tinyint(1) unsigned zerofill, which Atlas reads as a bool",
	} {
		src := table("t", col("n", "    type = "+typ+"\n"))
		if _, err := ParseRelease("pike", "pike.hcl", []byte(src), mariadb); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v\nwant it to contain %q", typ, err, want)
		}
	}
	for _, typ := range []string{"bool", "boolean", "tinyint(1)", "tinyint(1)\n    unsigned = false", "sql(\"tinyint(1)\")", "int(2)", "int\n    unsigned = true", "tinyint\n    unsigned = true"} {
		if _, err := ParseRelease("pike", "pike.hcl", []byte(table("t", col("n", "    type = "+typ+"\n"))), mariadb); err != nil {
			t.Errorf("%s: %v", typ, err)
		}
	}
}

// Dolibarr declares its amounts double(24,8): Atlas keeps a floating-point
// type's precision alone, and the plans created a double that does not
// round to 8 digits, with no drift reported. Such a type is refused at
// its position, saying what to write; a precision alone is not.
func TestOutsideS28ScaledFloatInHCL(t *testing.T) {
	for typ, want := range map[string]string{
		"double(24,8)":         "pike.hcl:8:12: column t.n is double(24,8), whose digits after the point Atlas does not keep (it reads a floating-point type's precision alone), so the plans would create it as double, which does not round what is written; write type = double, or a decimal",
		"float(7,4)":           "column t.n is float(7,4), whose digits after the point Atlas does not keep",
		"sql(\"REAL(10, 2)\")": "column t.n is real(10, 2), whose digits after the point",
		// The advice keeps what else the type says: it said type = double.
		"sql(\"double(24,8) unsigned\")": "column t.n is double(24,8) unsigned, whose digits after the point Atlas does not keep (it reads a floating-point type's precision alone), so the plans would create it as double unsigned, which does not round what is written; write type = double with unsigned = true, or a decimal",
	} {
		src := table("t", col("n", "    type = "+typ+"\n"))
		if _, err := ParseRelease("pike", "pike.hcl", []byte(src), mariadb); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v\nwant it to contain %q", typ, err, want)
		}
	}
	for _, typ := range []string{"double", "float", "double(53)", "float(24)", "decimal(24,8)"} {
		if _, err := ParseRelease("pike", "pike.hcl", []byte(table("t", col("n", "    type = "+typ+"\n"))), mariadb); err != nil {
			t.Errorf("%s: %v", typ, err)
		}
	}
}

// sql("DOUBLE PRECISION(10,2)") is a type Atlas's parser does not know:
// the check, which asks that parser, let it through, and Atlas's HCL
// made it a plain DOUBLE, dropping the digits as double(10,2) did.
func TestAttackS28DoublePrecisionScaled(t *testing.T) {
	for typ, want := range map[string]string{
		`sql("DOUBLE PRECISION(10,2)")`:           "column t.n is double precision(10,2), whose digits after the point Atlas does not keep (it reads a floating-point type's precision alone), so the plans would create it as double, which does not round what is written; write type = double,",
		`sql("double precision (24,8) unsigned")`: "column t.n is double precision (24,8) unsigned, whose digits after the point",
	} {
		if _, err := ParseRelease("pike", "pike.hcl", []byte(table("t", col("n", "    type = "+typ+"\n"))), mariadb); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v\nwant it to contain %q", typ, err, want)
		}
	}
}
