package e2e

import (
	"strings"
	"testing"

	"github.com/emcee-db/emcee/internal/hclquote"
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
