package e2e

import (
	"context"
	"strings"
	"testing"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/mysql"
	"ariga.io/atlas/sql/schema"
	"github.com/hashicorp/hcl/v2/hclparse"

	"github.com/emcee-db/emcee/dbconn"
	"github.com/emcee-db/emcee/diff"
	"github.com/emcee-db/emcee/internal/testdb"
)

// The limits emcee checks when it loads a release (diff/check_limits.go
// and check_literals.go), each boundary held against the server: the
// table Atlas would write is created on MariaDB, and emcee's verdict must
// match the server's. "silent" cases are taken by the server but changed
// (a key cut to a prefix, an enum value stripped), so the live table would
// never match its declaration, or are legal but a mistake (varchar(0) holds
// only ” and NULL): emcee refuses them, the server does not.
func TestLimitsMatchTheServer(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	// One connection in the applier's sql_mode: the verdicts depend on it.
	db.SetMaxOpenConns(1)
	execAll(t, db.DB, "setup", []string{"SET SESSION sql_mode = '" + dbconn.SQLMode + "'", "CREATE TABLE parent (id int PRIMARY KEY)"})
	const (
		ok     = "accepted"
		server = "refused by the server"
		silent = "changed by the server"
	)
	c := func(name, typ string) string { return "  column \"" + name + "\" {\n    type = " + typ + "\n  }\n" }
	// d is a NOT NULL column with a default, written as HCL (a string in quotes, a number bare).
	d := func(typ, def string) string {
		return "  column \"a\" {\n    type = " + typ + "\n    default = " + def + "\n  }\n"
	}
	idx := func(cols string) string { return "  index \"ix\" {\n    columns = [" + cols + "]\n  }\n" }
	for _, tc := range []struct {
		name, body, want string
	}{
		{"varchar under its limit", c("a", "varchar(16381)"), ok},
		{"varchar over its limit", c("a", "varchar(16384)"), server},
		{"latin1 varchar under its limit", strings.Replace(c("a", "varchar(65520)"), "  }\n", "    charset = \"latin1\"\n  }\n", 1), ok},
		{"latin1 varchar over its limit", strings.Replace(c("a", "varchar(65533)"), "  }\n", "    charset = \"latin1\"\n  }\n", 1), server},
		{"row of 65535 bytes", c("a", "varchar(16382)") + c("b", "tinyint"), ok},
		{"row of 65536 bytes", c("a", "varchar(16382)") + c("b", "smallint"), server},
		{"row of 65536 bytes with a null byte", c("a", "varchar(16382)") + strings.Replace(c("b", "tinyint"), "  }\n", "    null = true\n  }\n", 1), server},
		{"row with texts, under", c("a", "varchar(16350)") + c("b", "text") + c("c", "text") + c("d", "mediumtext"), ok},
		{"row with texts, over", c("a", "varchar(16378)") + c("b", "longtext") + c("c", "json") + c("d", "longblob"), server},
		{"decimal at its limits", c("a", "decimal(65,38)"), ok},
		{"decimal over its precision", c("a", "decimal(66,2)"), server},
		{"decimal over its scale", c("a", "decimal(60,39)"), server},
		{"datetime(6)", c("a", "datetime(6)"), ok},
		{"datetime(7)", c("a", "datetime(7)"), server},
		{"char(255)", c("a", "char(255)"), ok},
		{"char(256)", c("a", "char(256)"), server},
		{"binary(256)", c("a", "binary(256)"), server},
		{"bit(64)", c("a", "bit(64)"), ok},
		{"bit(65)", c("a", "bit(65)"), server},
		{"key of 3072 bytes", c("a", "varchar(767)") + idx("column.a, column.id"), ok},
		{"key of 3073 bytes", c("a", "varchar(767)") + c("b", "tinyint") + idx("column.a, column.id, column.b"), server},
		{"one-column key over the limit", c("a", "varchar(769)") + idx("column.a"), silent},
		{"text key without a prefix", c("a", "text") + idx("column.a"), silent},
		{"prefix longer than the column", c("a", "varchar(10)") + "  index \"ix\" {\n    on {\n      column = column.a\n      prefix = 20\n    }\n  }\n", server},
		{"prefix of an integer", c("a", "int") + "  index \"ix\" {\n    on {\n      column = column.a\n      prefix = 2\n    }\n  }\n", server},
		{"duplicate enum values", c("a", "enum(\"x\", \"X\")"), server},
		{"enum value with a trailing space", c("a", "enum(\"x \")"), silent},
		{"column comment of 1024 characters", strings.Replace(c("a", "int"), "  }\n", "    comment = \""+strings.Repeat("c", 1024)+"\"\n  }\n", 1), ok},
		{"column comment of 1025 characters", strings.Replace(c("a", "int"), "  }\n", "    comment = \""+strings.Repeat("c", 1025)+"\"\n  }\n", 1), server},
		{"foreign key named like another index", c("p", "int") + idx("column.id") + "  foreign_key \"ix\" {\n    columns = [column.p]\n    ref_columns = [table.parent.column.id]\n  }\n", server},
		{"varchar(0)", c("a", "varchar(0)"), silent},
		{"string default that fits", d("varchar(3)", `"abc"`), ok},
		{"string default too long", d("varchar(3)", `"abcd"`), server},
		{"binary default too long", d("binary(2)", `"abc"`), server},
		{"enum default not a value", d("enum(\"a\", \"b\")", `"c"`), server},
		{"enum default in another case", d("enum(\"a\", \"b\")", `"A"`), silent},
		{"set default not a member", d("set(\"a\", \"b\")", `"a,c"`), server},
		{"tinyint default at its limit", d("tinyint", "127"), ok},
		{"tinyint default over its limit", d("tinyint", "128"), server},
		{"unsigned default below 0", d("int\n    unsigned = true", "-1"), server},
		{"decimal default that fits", d("decimal(4,2)", "99.99"), ok},
		{"decimal default with too many digits", d("decimal(4,2)", "123.4"), server},
		{"decimal default the server rounds", d("decimal(4,2)", `"1.234"`), silent},
		{"float default over its range", d("float", "1e39"), server},
		{"bit default that fits", d("bit(2)", "3"), ok},
		{"bit default too wide", d("bit(2)", "5"), server},
		{"datetime default", d("datetime", `"2020-01-01 10:00:00"`), ok},
		{"datetime default with month 13", d("datetime", `"2020-13-01 00:00:00"`), server},
		{"zero datetime default", d("datetime", `"0000-00-00 00:00:00"`), server},
		{"date default with a time the server drops", d("date", `"2020-01-01 10:00:00"`), silent},
		{"timestamp default before 1970", d("timestamp", `"1960-01-01 00:00:00"`), server},
		{"time default at its limit", d("time", `"838:59:59"`), ok},
		{"time default over its limit", d("time", `"839:00:00"`), server},
		{"year default out of range", d("year", "1800"), server},
		{"misspelt CURRENT_TIMESTAMP, written as a string", d("datetime", `sql("CURRENT_TIMSTAMP")`), server},
		{"NOW(), written as a string", d("datetime", `sql("NOW()")`), server},
		{"CURRENT_TIMESTAMP", d("datetime", `sql("CURRENT_TIMESTAMP")`), ok},
		{"json default that is not JSON", d("json", `"abc"`), silent},
	} {
		src := "schema \"app\" {}\ntable \"parent\" {\n  schema = schema.app\n  column \"id\" {\n    type = int\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\n" +
			"table \"t\" {\n  schema = schema.app\n  column \"id\" {\n    type = int\n  }\n" + tc.body + "  primary_key {\n    columns = [column.id]\n  }\n}\n"
		_, emceeErr := diff.ParseRelease("r", "r.hcl", []byte(src), target)
		stmt := atlasCreateTable(t, src, "t")
		_, serverErr := db.Exec(stmt)
		if serverErr == nil {
			execAll(t, db.DB, "cleanup", []string{"DROP TABLE t"})
		}
		switch {
		case tc.want == ok && (emceeErr != nil || serverErr != nil):
			t.Errorf("%s: want it accepted; emcee: %v; server: %v", tc.name, emceeErr, serverErr)
		case tc.want == server && (emceeErr == nil || serverErr == nil):
			t.Errorf("%s: want both to refuse it; emcee: %v; server: %v\n%s", tc.name, emceeErr, serverErr, stmt)
		case tc.want == silent && (emceeErr == nil || serverErr != nil):
			t.Errorf("%s: want the server to take it and emcee to refuse it; emcee: %v; server: %v", tc.name, emceeErr, serverErr)
		}
	}
}

// atlasCreateTable is the CREATE TABLE Atlas writes for a table of a
// schema file, with none of emcee's checks, as the server would get it.
func atlasCreateTable(t *testing.T, src, table string) string {
	t.Helper()
	p := hclparse.NewParser()
	if _, diags := p.ParseHCL([]byte(src), "r.hcl"); diags.HasErrors() {
		t.Fatal(diags)
	}
	var s schema.Schema
	if err := mysql.EvalMariaHCL.Eval(p, &s, nil); err != nil {
		t.Fatal(err)
	}
	tt, ok := s.Table(table)
	if !ok {
		t.Fatalf("no table %s", table)
	}
	drv, err := diff.Offline(target)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := drv.PlanChanges(context.Background(), "t", []schema.Change{&schema.AddTable{T: tt}}, func(o *migrate.PlanOptions) {
		empty := ""
		o.SchemaQualifier = &empty
	})
	if err != nil {
		t.Fatal(err)
	}
	return plan.Changes[0].Cmd
}
