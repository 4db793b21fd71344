package e2e

import (
	"strings"
	"testing"
)

// A release file whose schema block does not start its line (indented,
// here), after a block comment that keeps an old schema block: the
// comment's `schema "old" {` line starts a chunk (schemadef.Chunks), and
// the applier's default check, reading the snapshot's schema block alone,
// took the comment's latin1 for the default the plans were computed for.
// Expand created t, planned for utf8mb4, in a latin1 database. It is
// refused, as for any release planned for another default.
func TestAttack3S26DefaultNotReadFromACommentedOutSchemaBlock(t *testing.T) {
	t.Parallel()
	src := strings.Replace(dbCollationRelease("200"), "schema \"app\" {}\n",
		"/* the database before the move:\nschema \"old\" {\n  charset = \"latin1\"\n}\nkept for reference */\n  schema \"app\" {}\n", 1)
	p := newSchemaProject(t, [2]string{"a", src})
	p.exec("ALTER DATABASE `" + p.DB.Name + "` CHARACTER SET latin1")
	p.must("plan")
	r := p.run("db", "expand")
	if r.Code != 1 {
		t.Fatalf("expand into a latin1 database of plans computed for utf8mb4: want the refusal: %s\n%s", r, p.query("SHOW CREATE TABLE t"))
	}
	opContains(t, r, "the default collation of database "+p.DB.Name+" is latin1_swedish_ci", "utf8mb4_general_ci")
}
