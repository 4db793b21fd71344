package sqlsyntax

import "testing"

// Each comment is as many blanks (its line breaks kept), byte for byte.
func TestUncommented(t *testing.T) {
	for in, want := range map[string]string{
		"SELECT /* all */ * FROM t":             "SELECT           * FROM t",
		"INSERT/**/INTO a":                      "INSERT    INTO a",
		"SELECT -- all\n * FROM t":              "SELECT       \n * FROM t",
		"SELECT # all\n*":                       "SELECT      \n*",
		"SELECT 1--2":                           "SELECT 1--2",
		"SELECT '/* no */', \"-- no\", `#no` #": "SELECT '/* no */', \"-- no\", `#no`  ",
		"SELECT 'it\\'s /* no */' /* yes */":    "SELECT 'it\\'s /* no */'          ",
		"SELECT /*!50100 SQL_NO_CACHE */ *":     "SELECT /*!50100 SQL_NO_CACHE */ *",
		"SELECT /*M!100500 1 */, 2 /* open":     "SELECT /*M!100500 1 */, 2        ",
		"SELECT 'open":                          "SELECT 'open",
		"/* İ */ a":                             "         a",
	} {
		if got := Uncommented(in); got != want {
			t.Errorf("Uncommented(%q) = %q, want %q", in, got, want)
		}
	}
}

// An offset find gives is one in the text it searched, whatever the case
// of what comes before.
func TestFindPastLongerLowerCase(t *testing.T) {
	for _, src := range []string{"'İİ', x", "'KK', x", "'ÅΩ', x", "'iI', x"} {
		if got, want := find(src, "X", 0), len(src)-1; got != want {
			t.Errorf("find(%q, X) = %d, want %d", src, got, want)
		}
	}
}
