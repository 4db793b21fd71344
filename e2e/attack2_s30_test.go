package e2e

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/internal/hclquote"
	"github.com/emcee-db/emcee/internal/testdb"
)

// A SQL release whose declarations file has a block for a column already
// (renamed_from, fill) is told to declare allow_copy on it too (the table
// has a FULLTEXT index: adding a column copies it). The advice gave table
// and column blocks to paste, which the file then held twice for the
// column: refused ("declared twice ... merge them into one block"). It
// names the column's block and gives the attribute alone; written into
// that block, the release plans.
func TestAttack2S30AdviceIntoTheColumnsBlock(t *testing.T) {
	t.Parallel()
	table, col := `t ${x}"q`, `n%{y}`
	v1 := "CREATE TABLE `" + table + "` (id int NOT NULL, body text, price float NOT NULL, PRIMARY KEY (id), FULLTEXT KEY f (body));\n"
	v2 := "CREATE TABLE `" + table + "` (id int NOT NULL, body text, cost float NOT NULL, `" + col + "` int NOT NULL, PRIMARY KEY (id), FULLTEXT KEY f (body));\n"
	p := sqlReleasesProject(t, [2]string{"r1", v1}, [2]string{"r2", v2})
	colBlock := "  column " + hclquote.Quote(col) + " {\n"
	decl := "table " + hclquote.Quote(table) + " {\n  column \"cost\" {\n    renamed_from = \"price\"\n  }\n" + colBlock + "    fill = \"0\"\n  }\n}\n"
	opWrite(t, p.Dir+"/schema/r2.emcee.hcl", []byte(decl))
	r := p.run("plan")
	if r.Code != 1 {
		t.Fatalf("plan must refuse the copies:\n%s", r)
	}
	opContains(t, r,
		"declares it in schema/r2.emcee.hcl, in its block of column "+table+"."+col+" (at schema/r2.emcee.hcl:5:3), as below):\n    allow_copy = true\n",
		"declares it in schema/r2.emcee.hcl, in its block of column "+table+".cost (at schema/r2.emcee.hcl:3:5), as below):\n    allow_copy = true\n")
	// Each column's block takes the line given.
	decl = strings.Replace(decl, "  column \"cost\" {\n", "  column \"cost\" {\n    allow_copy = true\n", 1)
	decl = strings.Replace(decl, colBlock, colBlock+"    allow_copy = true\n", 1)
	opWrite(t, p.Dir+"/schema/r2.emcee.hcl", []byte(decl))
	if r := p.run("plan"); r.Code != 0 {
		t.Fatalf("plan with the attributes written into the columns' blocks:\n%s\n%s", decl, r)
	}
	if got := p.read("plans/r2/r2_expand01.sql"); !strings.Contains(got, "ALGORITHM=COPY") {
		t.Errorf("expand does not copy the table:\n%s", got)
	}
}

// emcee init refuses a tinyint(1) unsigned with the MODIFY to run, which
// Atlas writes; Atlas puts a name between backticks without doubling the
// ones inside, so a column named "x` int, DROP COLUMN keep -- z" was given
// as `ALTER TABLE t MODIFY COLUMN x int, DROP COLUMN keep -- ...`, which
// drops keep when run (with a column x beside it). A name Atlas cannot
// write gets no statement: the rename emcee needs anyway comes first.
func TestAttack2S30InitModifyOfAnUnwritableName(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	if _, err := db.Exec("CREATE TABLE t (id int NOT NULL PRIMARY KEY, keep int, x int, `x`` int, DROP COLUMN keep -- z` tinyint(1) unsigned NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(opBinary(t), "init", "--from", db.URL, "--release", "m1")
	cmd.Dir = t.TempDir()
	r := opRunCmd(t, cmd)
	if r.Code != 1 {
		t.Fatalf("init adopting a tinyint(1) unsigned: %s", r)
	}
	if strings.Contains(r.Stderr, "ALTER TABLE `t` MODIFY") {
		t.Fatalf("init gives a statement that runs as another:\n%s", r)
	}
	opContains(t, r, "t.x` int, DROP COLUMN keep -- z is tinyint(1) unsigned, which Atlas reads as a bool (a signed tinyint(1)) (a display width changes nothing of what it holds: ALTER TABLE ... MODIFY it as tinyint unsigned, after a rename: column name \"x` int, DROP COLUMN keep -- z\" contains a backtick")
}

// A SQL release adding a NOT NULL column without a default was told to
// add `default = ...` to the column, which its declarations file refuses
// (the schema is the SQL's). It is told to give the column a DEFAULT in
// its CREATE TABLE; so written, the release plans.
func TestAttack2S30SQLReleaseDefaultIsTheSQLs(t *testing.T) {
	t.Parallel()
	v1 := "CREATE TABLE site (idsite int NOT NULL, PRIMARY KEY (idsite));\n"
	v2 := "CREATE TABLE site (idsite int NOT NULL, excluded text NOT NULL, PRIMARY KEY (idsite));\n"
	p := sqlReleasesProject(t, [2]string{"m3", v1}, [2]string{"m4", v2})
	r := p.run("plan")
	if r.Code != 1 {
		t.Fatalf("plan must refuse the NOT NULL column:\n%s", r)
	}
	opContains(t, r, "site.excluded is a new NOT NULL column without a default: the previous release's code would fail to insert rows. Give the column a DEFAULT in its CREATE TABLE, or `fill")
	opWrite(t, p.Dir+"/schema/m4.sql", []byte(strings.Replace(v2, "text NOT NULL", "text NOT NULL DEFAULT ''", 1)))
	if r := p.run("plan"); r.Code != 0 {
		t.Fatalf("plan with the DEFAULT in the CREATE TABLE:\n%s", r)
	}
}

// atlas.hcl hands table copies to pt-online-schema-change (osc =
// "pt-osc"); the operator rolls back with the server's copy instead
// (--osc none --allow-copy). The closed gates' refusal said to rerun
// `emcee db rollback --allow-copy`, which hands the copies to the tool the
// operator chose not to run. The rerun carries --osc none, and run as
// given it completes by the server's copy.
func TestAttack2S30RollbackRerunKeepsOscNone(t *testing.T) {
	t.Parallel()
	p := newWidenProject(t)
	cfg := p.read("atlas.hcl")
	opWrite(t, p.Dir+"/atlas.hcl", []byte(replaceOnce(cfg, "emcee {\n", "emcee {\n  osc      = \"pt-osc\"\n")))
	r := p.run("db", "rollback", "--osc", "none", "--allow-copy")
	if r.Code != 7 {
		t.Fatalf("rollback with rows v1 cannot hold: %s", r)
	}
	rerun := "emcee db rollback --allow-copy --env test --osc none"
	opContains(t, r, "rollback refused at v2_rollback01: 3 of 3 gates closed", "then rerun `"+rerun+"`")
	p.fixWidenRows()
	r = p.must(strings.Fields(rerun)[1:]...)
	opContains(t, r, "applying v2_rollback01", "rollback of v2 complete: the database is at release v1 again")
	if strings.Contains(r.Stdout+r.Stderr, "pt-online-schema-change") {
		t.Fatalf("the rerun handed the copies to the tool:\n%s", r)
	}
	if got := p.columns("events"); got != widenV1Columns {
		t.Fatalf("columns after the rollback:\n%s", got)
	}
}

// A column dropped in contract whose own default a unique index holds
// (token_auth NOT NULL DEFAULT ”, or NULL DEFAULT 'x'): expand left it
// as it was, so the new release's first INSERT without it took the
// default and its second was refused as a duplicate key until contract;
// the placeholder's fault (79f2f7d) with the column's own value. The
// default goes, and the column takes NULL (a rebuild with allow_copy when
// it was NOT NULL).
func TestAttack2S30DropColumnWithDefaultUnderUniqueIndex(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, def, after string }{
		{"NOT NULL DEFAULT ''", "    type    = char(32)\n    default = \"\"", replaceOnce(imagesV1, `    type = varchar(50)`, "    type       = varchar(50)\n    allow_copy = true")},
		{"NULL DEFAULT 'x'", "    type    = char(32)\n    null    = true\n    default = \"x\"", imagesV1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := replaceOnce(imagesV1, "  column \"note\" {\n    type = varchar(50)\n  }", "  column \"note\" {\n    type = varchar(50)\n  }\n  column \"token_auth\" {\n"+tc.def+"\n  }")
			before = replaceOnce(before, `  index "ix_name" {`, "  index \"uniq_keytoken\" {\n    unique  = true\n    columns = [column.token_auth]\n  }\n  index \"ix_name\" {")
			ruleCase{
				before:    before,
				after:     tc.after,
				rules:     []string{"drop-column", "drop-index"},
				seed:      []string{"INSERT INTO images (name, kind, note, token_auth) VALUES ('one', 'a', 'x', MD5('one'))"},
				oldWrites: []string{"INSERT INTO images (name, kind, note, token_auth) VALUES ('two', 'b', 'y', MD5('two'))"},
				newWrites: []string{
					"INSERT INTO images (name, kind, note) VALUES ('three', 'a', 'z')",
					"INSERT INTO images (name, kind, note) VALUES ('four', 'a', 'z')",
				},
				checks:           map[string]string{"SELECT name FROM images ORDER BY id": "one;two;three;four"},
				oldAfterRollback: []string{"INSERT INTO images (name, kind, note, token_auth) VALUES ('five', 'b', 'y', MD5('five'))"},
			}.run(t)
		})
	}
}
