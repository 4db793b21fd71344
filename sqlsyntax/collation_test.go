package sqlsyntax_test

import (
	"strings"
	"testing"

	"github.com/emcee-db/emcee/sqlsyntax"
)

// The plans name MariaDB's own collations: one a release declares
// (utf8mb4_uca1400_ai_ci, a *_nopad_* one), and the default the planner
// writes out for a MariaDB 11.4 target, utf8mb4_uca1400_ai_ci. The parser
// knows MySQL's collations only, and refused every such statement
// ("Unknown collation"): the applier refused the revision, lint said
// EM110. MariaDB's are read now, as the collations of their charsets.
func TestReadsMariaDBCollations(t *testing.T) {
	for _, c := range []struct{ sql, coll, cs string }{
		{"CREATE TABLE t (a varchar(10) COLLATE utf8mb4_uca1400_ai_ci)", "utf8mb4_uca1400_ai_ci", "utf8mb4"},
		{"ALTER TABLE t MODIFY a varchar(10) CHARACTER SET utf8mb4 COLLATE UTF8MB4_UCA1400_AI_CI", "UTF8MB4_UCA1400_AI_CI", "utf8mb4"},
		{"ALTER TABLE t CONVERT TO CHARACTER SET utf8mb3 COLLATE utf8mb3_uca1400_as_ci", "utf8mb3_uca1400_as_ci", "utf8mb3"},
		{"CREATE TABLE t (a varchar(10) COLLATE utf8mb4_general_nopad_ci) COLLATE latin1_nopad_bin", "utf8mb4_general_nopad_ci", "utf8mb4"},
		{"CREATE TABLE t (a varchar(10) COLLATE utf8mb4_0900_ai_ci)", "utf8mb4_0900_ai_ci", "utf8mb4"},
		{"CREATE TABLE t (a varchar(10) COLLATE utf8_general_ci)", "utf8_general_ci", "utf8mb3"},
	} {
		if _, err := sqlsyntax.ReadStmt(c.sql); err != nil {
			t.Errorf("%s: %v", c.sql, err)
		}
		if cs, ok := sqlsyntax.CollationCharset(c.coll); !ok || cs != c.cs {
			t.Errorf("%s: the collation of charset %q, %v; want %s", c.coll, cs, ok, c.cs)
		}
	}
	if _, ok := sqlsyntax.CollationCharset("utf8mb4_uca1400_ai"); ok {
		t.Error("utf8mb4_uca1400_ai: a collation neither server has, known")
	}
	if _, err := sqlsyntax.ReadStmt("CREATE TABLE t (a varchar(10) COLLATE utf8mb4_uca1400_ai)"); err == nil {
		t.Error("a collation neither server has: read")
	}
}

// A legacy database's columns are of every charset the server has
// (latin2, ucs2, utf16, utf32, cp1250, sjis: MariaDB 10.11 has 40), and
// mariadb-dump writes them, and the plans for such a column name them.
// The parser supports seven of its own and refused a statement naming any
// other ("Unknown character set: 'latin2'"): the SQL release was refused,
// the applier refused the revision, lint said EM110. Every charset of
// MariaDB 10.11 is read now, with each of its collations, and written
// back as it was named.
func TestReadsEveryCharsetTheServerHas(t *testing.T) {
	charsets := map[string]bool{}
	for _, line := range strings.Split(sqlsyntax.MariaDBCollationsForTest, "\n") {
		coll, cs, ok := strings.Cut(line, " ")
		if !ok || strings.HasPrefix(line, "#") {
			continue
		}
		if charsets[cs] = true; cs == "binary" {
			continue // varchar(10) CHARACTER SET binary is varbinary(10)
		}
		for _, sql := range []string{
			"CREATE TABLE t (a varchar(10) CHARACTER SET " + cs + " COLLATE " + coll + ") DEFAULT CHARSET=" + cs + " COLLATE=" + coll,
			"ALTER TABLE t MODIFY a text CHARSET " + cs + " COLLATE " + coll + " NULL, ALGORITHM=COPY, LOCK=SHARED",
		} {
			st, err := sqlsyntax.ReadStmt(sql)
			if err != nil {
				t.Errorf("%s: %v", sql, err)
				continue
			}
			// The parser spells utf8mb3 utf8, which emcee's sessions read
			// as utf8mb3 (old_mode UTF8_IS_UTF8MB3).
			back, err := sqlsyntax.Restore(st.Node)
			alias := strings.NewReplacer("utf8mb3", "utf8")
			if want := alias.Replace("character set " + cs + " collate " + coll); err != nil || !strings.Contains(alias.Replace(strings.ToLower(back)), want) {
				t.Errorf("%s: written back as %s (%v), without %s", sql, back, err, want)
			}
		}
		if got, ok := sqlsyntax.CollationCharset(coll); !ok || got != cs {
			t.Errorf("%s: the collation of charset %q, %v; want %s", coll, got, ok, cs)
		}
		// The gate convert-charset writes (splitter collisionGates),
		// counting the keys the collation makes equal, is read too: the
		// splitter needs no way out for a collation the parser refuses.
		gate := "SELECT COUNT(*) FROM t WHERE (CONVERT(a USING " + cs + ") COLLATE " + coll + ") IN (SELECT a FROM t)"
		if _, err := sqlsyntax.ReadGate(gate); err != nil {
			t.Errorf("%s: %v", gate, err)
		}
	}
	for _, cs := range []string{"latin2", "ucs2", "utf16", "utf16le", "utf32", "cp1250", "sjis", "gb18030"} {
		sql := "ALTER TABLE t CONVERT TO CHARACTER SET " + cs
		if _, err := sqlsyntax.ReadStmt(sql); err != nil {
			t.Errorf("%s: %v", sql, err)
		}
	}
	// A character's bytes, as information_schema.CHARACTER_SETS has them:
	// the release's limits count with it.
	for cs := range charsets {
		if _, ok := sqlsyntax.CharsetMaxLen(cs); !ok {
			t.Errorf("%s: no longest character", cs)
		}
	}
	for cs, want := range map[string]int{"utf8": 3, "UTF8MB3": 3, "utf8mb4": 4, "ucs2": 2, "utf16le": 4, "ujis": 3, "sjis": 2, "latin2": 1, "gb18030": 4, "binary": 1} {
		if n, ok := sqlsyntax.CharsetMaxLen(cs); n != want || !ok {
			t.Errorf("%s: longest character %d bytes (%v); want %d", cs, n, ok, want)
		}
	}
	if _, ok := sqlsyntax.CharsetMaxLen("latin9"); ok {
		t.Error("latin9: a charset neither server has, known")
	}
	if len(charsets) != 40 {
		t.Errorf("MariaDB 10.11's list holds %d charsets; SHOW CHARACTER SET has 40", len(charsets))
	}
	if _, err := sqlsyntax.ReadStmt("CREATE TABLE t (a varchar(10) CHARACTER SET latin9)"); err == nil {
		t.Error("a charset neither server has: read")
	}
}

func TestNoPadCollation(t *testing.T) {
	for name, want := range map[string]bool{
		"utf8mb4_nopad_bin": true, "utf8mb4_unicode_nopad_ci": true, "latin1_NOPAD_bin": true,
		"utf8mb4_0900_ai_ci": true, "utf8mb4_0900_bin": true, "utf8mb4_ja_0900_as_cs": true,
		"utf8mb4_general_ci": false, "utf8mb4_bin": false, "utf8mb4_unicode_520_ci": false, "": false,
	} {
		if got := sqlsyntax.NoPadCollation(name); got != want {
			t.Errorf("NoPadCollation(%q) = %v, want %v", name, got, want)
		}
	}
}
