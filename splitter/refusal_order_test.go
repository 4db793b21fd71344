package splitter

import (
	"errors"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/diff"
)

// Several refusals of one table come in the order of the lines that
// declare what they change: the rules' own refusals came first and the
// changes no rule claims after them, so column name's (line 18) followed
// column size's (line 25).
func TestRefusalsOfATableByLine(t *testing.T) {
	after := tcEdit(t, tcImages,
		"    type = varchar(30)\n", "    type = int\n",
		"    type = int\n    null = true\n", "    type = bigint\n",
		"    type = varchar(60)\n", "    type = date\n")
	tr, ctx, err := tcDiff(mariadb1011, tcImages, after)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Split(tr, mariadb1011, ctx.drv)
	var rs *diff.Refusals
	if !errors.As(err, &rs) {
		t.Fatalf("not refused: %v", err)
	}
	var got []string
	for _, e := range rs.Errs {
		at, _, _ := strings.Cut(e.Error(), ": ")
		got = append(got, at)
	}
	if strings.Join(got, " ") != "after.hcl:18:3 after.hcl:25:3 after.hcl:36:3" {
		t.Errorf("refusals at %q, want them by line:\n%v", got, err)
	}
}
