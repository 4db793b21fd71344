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
	for file, n := range map[string]int{"functions_mariadb1011.txt": len(arity), "functions_mysql80.txt": len(mysql80), "collations_mariadb1011.txt": len(mariadbCollations), "general_ci_mariadb1011.txt": len(generalCI)} {
		if n < 100 {
			t.Errorf("%s: %d names read", file, n)
		}
	}
	if mariadbCollations["utf8mb4_uca1400_ai_ci"] != "utf8mb4" || arity["concat"] == 0 || !mysql80["json_array"] {
		t.Errorf("the lists lack what they hold: %q %b %v", mariadbCollations["utf8mb4_uca1400_ai_ci"], arity["concat"], mysql80["json_array"])
	}
}

// utf8mb4_general_ci weighs each character alone by MariaDB's table:
// 'ß' as 's', accents and case folded, every character past U+FFFF one,
// a zero width space a character; another collation is not its to fold.
func TestGeneralCIWeights(t *testing.T) {
	for _, tc := range [][2]string{{"straße", "STRASE"}, {"Café", "CAFE"}, {"\U0001F600", "\U0001F601"}} {
		a, ok1 := GeneralCIWeights("utf8mb4_general_ci", tc[0])
		b, ok2 := GeneralCIWeights("utf8_general_ci", tc[1])
		if !ok1 || !ok2 || a != b {
			t.Errorf("%q and %q weigh %q and %q, want one", tc[0], tc[1], a, b)
		}
	}
	for _, tc := range [][2]string{{"straße", "strasse"}, {"a\u200b", "a"}} {
		if a, _ := GeneralCIWeights("utf8mb4_general_nopad_ci", tc[0]); a == tc[1] || a == "" {
			t.Errorf("%q weighs %q, as %q does", tc[0], a, tc[1])
		}
	}
	if _, ok := GeneralCIWeights("utf8mb4_unicode_ci", "a"); ok {
		t.Error("utf8mb4_unicode_ci is weighed as general_ci")
	}
}
