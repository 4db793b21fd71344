package e2e

import (
	"regexp"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/effect"
	"github.com/emcee-db/emcee/revision"
	"github.com/emcee-db/emcee/splitter"
)

// algorithmClause is how every expand ALTER must end: naming the algorithm
// makes the server refuse a statement it cannot run that way, instead of
// silently copying the table under a lock.
var algorithmClause = regexp.MustCompile(`, (ALGORITHM=INSTANT|ALGORITHM=NOCOPY, LOCK=NONE|ALGORITHM=INPLACE, LOCK=NONE|ALGORITHM=COPY, LOCK=SHARED)$`)

// stronger is the next cheaper algorithm than the one a statement names.
var stronger = map[string]string{
	"ALGORITHM=COPY, LOCK=SHARED":  "ALGORITHM=INPLACE, LOCK=NONE",
	"ALGORITHM=INPLACE, LOCK=NONE": "ALGORITHM=INSTANT",
}

// TestOnlineExpand runs every kind of expand statement on the real server
// and proves two things per statement: it carries an algorithm clause and
// the server accepts it (so nothing locks silently), and the server refuses
// the next cheaper algorithm (so emcee never asks for a table copy or an
// in-place rebuild the server could have avoided, nor demands allow_copy
// needlessly). The server's answers are logged: they are the facts the
// classification in splitter/column_change.go rests on.
func TestOnlineExpand(t *testing.T) {
	t.Parallel()
	allowCopy := func(s string) string { return s + "\n    allow_copy = true" }
	cases := []struct {
		name  string
		after string
		algs  []string // the algorithms the expand statements must name, in order
	}{
		{"add nullable column", replaceOnce(gatedV1, `  column "note" {`, "  column \"extra\" {\n    type = varchar(20)\n    null = true\n  }\n  column \"note\" {"), []string{"ALGORITHM=INSTANT"}},
		{"add column with default", replaceOnce(gatedV1, `  column "note" {`, "  column \"hits\" {\n    type    = int\n    default = 0\n  }\n  column \"note\" {"), []string{"ALGORITHM=INSTANT"}},
		{"add index", gatedBlock("  index \"ix_name\" {\n    columns = [column.name]\n  }"), []string{"ALGORITHM=INPLACE, LOCK=NONE"}},
		{"varchar within the 255-byte prefix line (utf8mb4 30 -> 60 chars)", replaceOnce(gatedV1, "varchar(30)", "varchar(60)"), []string{"ALGORITHM=INSTANT"}},
		{"varchar 60 -> 100 chars (240 -> 400 bytes: 1-byte lengths of 128+ bytes, crosses 255)", replaceOnce(gatedV1, "    type = varchar(60)", allowCopy("    type = varchar(100)")), []string{"ALGORITHM=COPY, LOCK=SHARED"}},
		{"varchar 30 -> 300 chars (120 -> 1200 bytes: old values all under 128 bytes)", replaceOnce(gatedV1, "    type = varchar(30)", "    type = varchar(300)"), []string{"ALGORITHM=INSTANT"}},
		{"latin1 varchar(200) -> varchar(300): 200 bytes, 1-byte length, crosses 255", replaceOnce(gatedV1, "    type    = varchar(200)", allowCopy("    type    = varchar(300)")), []string{"ALGORITHM=COPY, LOCK=SHARED"}},
		{"int -> bigint", replaceOnce(gatedV1, "    type = int", allowCopy("    type = bigint")), []string{"ALGORITHM=COPY, LOCK=SHARED"}},
		{"enum value appended", replaceOnce(gatedV1, `enum("a", "b", "c")`, `enum("a", "b", "c", "d")`), []string{"ALGORITHM=INSTANT"}},
		{"NOT NULL -> NULL (a rebuild: opted in)", replaceOnce(gatedV1, "    type = varchar(30)", allowCopy("    type = varchar(30)\n    null = true")), []string{"ALGORITHM=INPLACE, LOCK=NONE"}},
		{"column comment", replaceOnce(gatedV1, "    type = varchar(30)", "    type = varchar(30)\n    comment = \"display name\""), []string{"ALGORITHM=INSTANT"}},
		{"column default", replaceOnce(gatedV1, "    type = int\n    null = true", "    type = int\n    null = true\n    default = 1"), []string{"ALGORITHM=INSTANT"}},
		{"table comment", replaceOnce(gatedV1, "table \"images\" {\n  schema = schema.app", "table \"images\" {\n  schema = schema.app\n  comment = \"uploaded images\""), []string{"ALGORITHM=INSTANT"}},
		{"drop of a NOT NULL column gives it a placeholder default first", replaceOnce(gatedV1, "  column \"note\" {\n    type = varchar(60)\n  }\n", ""), []string{"ALGORITHM=INSTANT"}},
		{"enum value swapped: expand appends the new one", replaceOnce(gatedV1, `enum("a", "b", "c")`+"\n    null = true", `enum("a", "b", "d")`+"\n    null = true\n    allow_copy = true"), []string{"ALGORITHM=INSTANT"}},
		{"int -> int unsigned: expand joins both in bigint", replaceOnce(gatedV1, "    type = int\n    null = true", "    type = int\n    unsigned = true\n    null = true\n    allow_copy = true"), []string{"ALGORITHM=COPY, LOCK=SHARED"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := newRuleProject(t, gatedV1, c.after)
			r.must("before")
			db := r.db
			execAll(t, db.DB, "seed", []string{"INSERT INTO images (name, kind, size, note) VALUES ('a', 'a', 1, 'n')"})
			// Each statement is sent here, not by the applier: the test
			// also sends the cheaper algorithm the server must refuse.
			expand := r.phases[revision.Expand]
			var algs []string
			for _, s := range expand {
				m := algorithmClause.FindStringSubmatch(s.SQL)
				if m == nil {
					t.Fatalf("expand statement without an algorithm clause (rule %s): %s", s.Rule, s.SQL)
				}
				algs = append(algs, m[1])
				if next, ok := stronger[m[1]]; ok {
					cheaper := strings.TrimSuffix(s.SQL, m[1]) + next
					_, err := db.DB.Exec(cheaper)
					if err == nil {
						t.Fatalf("the server runs %q with %s, yet the plan names %s: the classification is too pessimistic", s.SQL, next, m[1])
					}
					t.Logf("%s refused: %v", next, err)
				}
				id := r.tableIDs()["images"]
				if _, err := db.DB.Exec(s.SQL); err != nil {
					t.Fatalf("the server refuses the planned statement (rule %s): %v\n%s", s.Rule, err, s.SQL)
				}
				// The cost class review shows is the server's: a statement
				// classed rebuild or copy gets the table a new InnoDB id.
				d := effect.Parse(s.SQL)
				if cost := splitter.AlterCost(target, d, nil); d.Kind == effect.KindAlterTable && (r.tableIDs()["images"] != id) != splitter.Rebuilds(cost) {
					t.Errorf("classed %q, but the InnoDB id of images went %d -> %d: %s", cost, id, r.tableIDs()["images"], s.SQL)
				}
				t.Logf("accepted: %s", s.SQL)
			}
			if strings.Join(algs, " | ") != strings.Join(c.algs, " | ") {
				t.Errorf("algorithms %q, want %q", algs, c.algs)
			}
		})
	}
}
