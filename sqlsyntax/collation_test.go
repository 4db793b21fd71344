package sqlsyntax_test

import (
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
