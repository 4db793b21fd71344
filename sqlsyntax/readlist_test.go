package sqlsyntax

import (
	"fmt"
	"maps"
	"strings"
	"testing"
)

// The embedded lists (the functions of each server, MariaDB's collations)
// are read by one reader: a name a line and what the list says of it,
// comments and blank lines left out; a name given twice is a broken list,
// which the reader refuses rather than keep whichever came last. Each
// list the binary holds reads as such.
func TestReadList(t *testing.T) {
	got := readList("x.txt", "# NAME VALUE of something\nabs\n\nutf8mb4_bin utf8mb4\r\n  max 0b110  \n")
	want := map[string]string{"abs": "", "utf8mb4_bin": "utf8mb4", "max": "0b110"}
	if !maps.Equal(got, want) {
		t.Errorf("readList: %q, want %q", got, want)
	}
	func() {
		defer func() {
			if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "x.txt: abs is listed twice") {
				t.Errorf("a name listed twice: %v", r)
			}
		}()
		readList("x.txt", "abs\nabs\n")
	}()
	for file, n := range map[string]int{"functions_mariadb1011.txt": len(arity), "functions_mysql80.txt": len(mysql80), "collations_mariadb1011.txt": len(mariadbCollations)} {
		if n < 100 {
			t.Errorf("%s: %d names read", file, n)
		}
	}
	if mariadbCollations["utf8mb4_uca1400_ai_ci"] != "utf8mb4" || arity["concat"] == 0 || !mysql80["json_array"] {
		t.Errorf("the lists lack what they hold: %q %b %v", mariadbCollations["utf8mb4_uca1400_ai_ci"], arity["concat"], mysql80["json_array"])
	}
}
