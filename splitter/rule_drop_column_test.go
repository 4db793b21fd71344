package splitter

import (
	"slices"
	"testing"
)

// A discard names a column of the previous release in any letter case, as
// the server compares column names: discard of images.SIZE is images.size
// (it was refused as no such column), and plans as discard of size does.
func TestDiscardNamesAColumnInAnyLetterCase(t *testing.T) {
	drop := func(column string) []tcStep {
		after := tcEdit(t, tcImages, "  column \"size\" {\n    type = int\n    null = true\n  }\n", "") +
			"discard {\n  table  = \"images\"\n  column = \"" + column + "\"\n}\n"
		got, err := tcSteps(t, mariadb1011, tcImages, after)
		if err != nil {
			t.Fatalf("discard of images.%s: %v", column, err)
		}
		return got
	}
	want, got := drop("size"), drop("SIZE")
	if len(want) == 0 || !slices.Equal(got, want) {
		t.Fatalf("discard of images.SIZE planned\n%s\nwant, as for images.size:\n%s", tcDump(got), tcDump(want))
	}
}
