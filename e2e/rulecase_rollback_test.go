package e2e

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/apply"
	"github.com/emcee-db/emcee/dbconn"
	"github.com/emcee-db/emcee/devdb"
	"github.com/emcee-db/emcee/revision"
	"github.com/emcee-db/emcee/schemadef"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// rollbackCase proves one rule's rollback on the real server: the two
// releases are planned as `emcee plan` plans them, the previous release is
// synced and seeded, expand runs through apply.Session, and the rollback
// revision's gates and statements run on an apply.Session's pinned
// session, as the applier runs a revision. The live schema must then be
// exactly the previous release's snapshot (devdb's comparison: tables,
// triggers and views), and the previous release's rows intact.
type rollbackCase struct {
	name          string
	before, after string   // table blocks; the harness adds the schema block
	rules         []string // rules the plan must use
	seed          []string // rows in the previous release's shape
	// newWrites run after expand, as the new release writes.
	newWrites []string
	// checks are "query => expected" pairs run after the rollback.
	checks map[string]string
	// blocked, when set, is in the reason of a rollback gate the new
	// release's writes close; fix then repairs the data.
	blocked string
	fix     []string
	// refused, when set, is in the reason of the refused rollback: its
	// gate is closed whatever the data, and the rollback holds nothing
	// else.
	refused string
}

// rbTable is the table every case starts from: its name and every
// column name hold quotes, spaces and a comment marker (backticks are
// refused when a release is loaded), so that each statement a rollback
// writes quotes every name it touches.
const rbName = `img "r" 'x' -- y`

var rbT = sqlsyntax.Ident(rbName)

func rbTable(name string, blocks ...string) string {
	return "\ntable " + strconv.Quote(name) + " {\n  schema = schema.app\n" + strings.Join(blocks, "") + "}\n"
}

func rbCol(name, body string) string {
	return "  column " + strconv.Quote(name) + " {\n" + body + "  }\n"
}

var (
	rbID   = rbCol("my id", "    type           = bigint\n    auto_increment = true\n")
	rbNm   = rbCol(`na"me`, "    type = varchar(30)\n")
	rbNote = rbCol(`no'te`, "    type = varchar(50)\n")
	rbSize = rbCol("si ze", "    type = int\n    null = true\n")
	rbPub  = rbCol(`is "pub"`, "    type = bool\n")
	// rbParent is a table new tables reference: a reference to a table
	// or column in HCL cannot hold a double quote, only a declaration can.
	rbParent = rbTable(`pa'rent -- x`, rbCol("id", "    type = bigint\n"), "  primary_key {\n    columns = [column.id]\n  }\n")
	rbPK     = "  primary_key {\n    columns = [column[\"my id\"]]\n  }\n"
	rbV1     = rbTable(rbName, rbID, rbNm, rbNote, rbSize, rbPub, rbPK)
	rbSeed   = []string{"INSERT INTO " + rbT + " (`na\"me`, `no'te`, `si ze`, `is \"pub\"`) VALUES ('one', 'n1', 1, 1), ('two', 'n2', NULL, 0)"}
	// rbRows are the seeded rows as the previous release reads them.
	rbRows = map[string]string{"SELECT `my id`, `na\"me`, `no'te`, `si ze`, `is \"pub\"` FROM " + rbT + " ORDER BY 1": "1|one|n1|1|1;2|two|n2|NULL|0"}
)

func TestRuleRollbacks(t *testing.T) {
	t.Parallel()
	tags := `ta"gs 'x'`
	cases := []rollbackCase{
		{name: "create-table", before: rbV1 + rbParent,
			after: rbV1 + rbParent + rbTable(tags, rbCol("image id", "    type = bigint\n"), rbCol(`t'ag`, "    type = varchar(40)\n"),
				"  primary_key {\n    columns = [column[\"image id\"], column[\"t'ag\"]]\n  }\n",
				"  index \"ix \\\"t\\\" 'g'\" {\n    columns = [column[\"t'ag\"]]\n  }\n",
				"  foreign_key \"fk \\\"tags\\\"\" {\n    columns     = [column[\"image id\"]]\n    ref_columns = [table[\"pa'rent -- x\"].column.id]\n  }\n"),
			rules:     []string{"create-table"},
			seed:      append([]string{"INSERT INTO `pa'rent -- x` VALUES (1)"}, rbSeed...),
			newWrites: []string{"INSERT INTO " + sqlsyntax.Ident(tags) + " VALUES (1, 'red')"},
			checks:    rbRows},
		{name: "create-table, foreign keys in a cycle", before: rbV1,
			after: rbV1 + rbTable(`a '1'`, rbCol("id", "    type = int\n"), rbCol(`b'id`, "    type = int\n    null = true\n"),
				"  primary_key {\n    columns = [column.id]\n  }\n",
				"  foreign_key \"fk 'a'\" {\n    columns     = [column[\"b'id\"]]\n    ref_columns = [table[\"b '2'\"].column.id]\n  }\n") +
				rbTable(`b '2'`, rbCol("id", "    type = int\n"), rbCol(`a'id`, "    type = int\n    null = true\n"),
					"  primary_key {\n    columns = [column.id]\n  }\n",
					"  foreign_key \"fk 'b'\" {\n    columns     = [column[\"a'id\"]]\n    ref_columns = [table[\"a '1'\"].column.id]\n  }\n"),
			rules:     []string{"create-table"},
			seed:      rbSeed,
			newWrites: []string{"INSERT INTO `a '1'` VALUES (1, NULL)", "INSERT INTO `b '2'` VALUES (1, 1)", "UPDATE `a '1'` SET `b'id` = 1"},
			checks:    rbRows},
		{name: "add-column", before: rbV1,
			after:     rbTable(rbName, rbID, rbNm, rbNote, rbSize, rbPub, rbCol(`own"er`, "    type = varchar(20)\n    null = true\n"), rbCol(`hi'ts`, "    type    = int\n    default = 0\n"), rbPK),
			rules:     []string{"add-column"},
			seed:      rbSeed,
			newWrites: []string{"INSERT INTO " + rbT + " (`na\"me`, `no'te`, `is \"pub\"`, `own\"er`, `hi'ts`) VALUES ('three', 'n3', 1, 'ann', 7)"},
			checks:    map[string]string{"SELECT `na\"me`, `no'te` FROM " + rbT + " ORDER BY 1": "one|n1;three|n3;two|n2"}},
		{name: "add-column: a generated column dropped before the column it reads", before: rbV1,
			after:     rbTable(rbName, rbID, rbNm, rbNote, rbSize, rbPub, rbCol(`q'ty`, "    type = int\n    null = true\n"), rbCol(`q"ty2`, "    type = int\n    null = true\n    as {\n      expr = \"`q'ty` * 2\"\n    }\n"), rbPK),
			rules:     []string{"add-column"},
			seed:      rbSeed,
			newWrites: []string{"INSERT INTO " + rbT + " (`na\"me`, `no'te`, `is \"pub\"`, `q'ty`) VALUES ('three', 'n3', 1, 4)"},
			checks:    map[string]string{"SELECT COUNT(*) FROM " + rbT: "3"}},
		{name: "add-index", before: rbV1,
			after:  rbTable(rbName, rbID, rbNm, rbNote, rbSize, rbPub, rbPK, "  index \"ix \\\"na'me\\\"\" {\n    columns = [column[\"no'te\"], column[\"si ze\"]]\n  }\n"),
			rules:  []string{"add-index"},
			seed:   rbSeed,
			checks: rbRows},
		{name: "add-column-fill", before: rbV1,
			after:     rbTable(rbName, rbID, rbNm, rbNote, rbSize, rbPub, rbCol(`sl"ug`, "    type = varchar(30)\n    fill = \"LOWER(`na\\\"me`)\"\n"), rbPK),
			rules:     []string{"add-column-fill"},
			seed:      rbSeed,
			newWrites: []string{"INSERT INTO " + rbT + " (`na\"me`, `no'te`, `is \"pub\"`, `sl\"ug`) VALUES ('Three', 'n3', 1, 'three')"},
			checks:    map[string]string{"SELECT COUNT(*) FROM " + rbT: "3"}},
		{name: "replace-column: the old column's placeholder default goes", before: rbV1,
			after: rbTable(rbName, rbID, rbNm, rbNote, rbSize,
				rbCol(`vis 'x'`, "    type    = enum(\"public\", \"private\")\n    default = \"private\"\n    replaces {\n      column   = \"is \\\"pub\\\"\"\n      forward  = \"CASE WHEN `is \\\"pub\\\"` THEN 'public' ELSE 'private' END\"\n      backward = \"`vis 'x'` = 'public'\"\n    }\n"), rbPK),
			rules:     []string{"replace-column"},
			seed:      rbSeed,
			newWrites: []string{"INSERT INTO " + rbT + " (`na\"me`, `no'te`, `vis 'x'`) VALUES ('three', 'n3', 'public')"},
			checks:    map[string]string{"SELECT `na\"me`, `is \"pub\"` FROM " + rbT + " ORDER BY `my id`": "one|1;two|0;three|1"}},
		{name: "rename-column: the old column's placeholder default goes", before: rbV1,
			after:     rbTable(rbName, rbID, rbNm, rbCol(`ti"tle`, "    type         = varchar(50)\n    renamed_from = \"no'te\"\n"), rbSize, rbPub, rbPK),
			rules:     []string{"rename-column"},
			seed:      rbSeed,
			newWrites: []string{"INSERT INTO " + rbT + " (`na\"me`, `ti\"tle`, `is \"pub\"`) VALUES ('three', 'n3', 1)"},
			checks:    map[string]string{"SELECT `na\"me`, `no'te` FROM " + rbT + " ORDER BY `my id`": "one|n1;two|n2;three|n3"}},
		{name: "rename-table: swapped back in one statement", before: rbV1,
			after:     rbTable(`pic "s" 'y'`, "  renamed_from = "+strconv.Quote(rbName)+"\n", rbID, rbNm, rbNote, rbSize, rbPub, rbCol(`cap"tion`, "    type = varchar(40)\n    null = true\n"), rbPK),
			rules:     []string{"rename-table", "add-column"},
			seed:      rbSeed,
			newWrites: []string{"INSERT INTO `pic \"s\" 'y'` (`na\"me`, `no'te`, `is \"pub\"`, `cap\"tion`) VALUES ('three', 'n3', 0, 'c')"},
			checks:    map[string]string{"SELECT COUNT(*) FROM " + rbT: "3"}},
		{name: "table-comment", before: rbV1,
			after:  rbTable(rbName, "  comment = \"it's \\\"the\\\" table\"\n", rbID, rbNm, rbNote, rbSize, rbPub, rbPK),
			rules:  []string{"table-comment"},
			seed:   rbSeed,
			checks: rbRows},
		{name: "widen-column: NULL, default and comment set back; NOT NULL behind a gate", before: rbV1,
			after: rbTable(rbName, rbID, rbCol(`na"me`, "    type       = varchar(30)\n    null       = true\n    allow_copy = true\n"),
				rbCol(`no'te`, "    type    = varchar(50)\n    default = \"n/a\"\n    comment = \"it's \\\"a\\\" note\"\n"), rbSize, rbPub, rbPK),
			rules:     []string{"widen-column"},
			seed:      rbSeed,
			newWrites: []string{"INSERT INTO " + rbT + " (`is \"pub\"`) VALUES (1)"},
			blocked:   `na"me is NOT NULL again`,
			fix:       []string{"UPDATE " + rbT + " SET `na\"me` = 'three' WHERE `na\"me` IS NULL"},
			checks:    map[string]string{"SELECT `na\"me`, `no'te` FROM " + rbT + " ORDER BY `my id`": "one|n1;two|n2;three|n/a"}},
		{name: "widen-column: a wider type narrowed back by a copy, behind a gate", before: rbV1,
			after:     rbTable(rbName, rbID, rbCol(`na"me`, "    type = varchar(60)\n"), rbNote, rbSize, rbPub, rbPK),
			rules:     []string{"widen-column"},
			seed:      rbSeed,
			newWrites: []string{"INSERT INTO " + rbT + " (`na\"me`, `no'te`, `is \"pub\"`) VALUES (REPEAT('ü', 31), 'n3', 1)"},
			blocked:   `na"me is varchar(30) again`,
			fix:       []string{"UPDATE " + rbT + " SET `na\"me` = 'three' WHERE CHAR_LENGTH(`na\"me`) > 30"},
			checks:    map[string]string{"SELECT `na\"me` FROM " + rbT + " ORDER BY `my id`": "one;two;three"}},
		// Redmine 3.4 widened text columns to longtext, 3.2 a
		// varchar(255) to text: their rollbacks were refused as unchecked.
		{name: "widen-column: a TEXT narrowed back to its VARCHAR by a copy, behind a gate", before: rbV1,
			after:     rbTable(rbName, rbID, rbCol(`na"me`, "    type       = text\n    allow_copy = true\n"), rbNote, rbSize, rbPub, rbPK),
			rules:     []string{"widen-column"},
			seed:      rbSeed,
			newWrites: []string{"INSERT INTO " + rbT + " (`na\"me`, `no'te`, `is \"pub\"`) VALUES (REPEAT('ü', 31), 'n3', 1)"},
			blocked:   `na"me is varchar(30) again`,
			fix:       []string{"UPDATE " + rbT + " SET `na\"me` = 'three' WHERE CHAR_LENGTH(`na\"me`) > 30"},
			checks:    map[string]string{"SELECT `na\"me` FROM " + rbT + " ORDER BY `my id`": "one;two;three"}},
		{name: "widen-column: a widening no gate can check stays refused", before: rbTable(rbName, rbID, rbNm, rbNote, rbCol("si ze", "    type = float\n    null = true\n"), rbPub, rbPK),
			after:   rbTable(rbName, rbID, rbNm, rbNote, rbCol("si ze", "    type       = double\n    null       = true\n    allow_copy = true\n"), rbPub, rbPK),
			rules:   []string{"widen-column"},
			seed:    rbSeed,
			refused: "cannot be checked row by row"},
		{name: "tighten-column: expand's NULL undone behind a gate",
			before:    rbTable(rbName, rbID, rbNm, rbCol(`co"unt`, "    type = int\n"), rbPK),
			after:     rbTable(rbName, rbID, rbNm, rbCol(`co"unt`, "    type       = smallint\n    null       = true\n    allow_copy = true\n"), rbPK),
			rules:     []string{"tighten-column"},
			seed:      []string{"INSERT INTO " + rbT + " (`na\"me`, `co\"unt`) VALUES ('one', 100000)"},
			newWrites: []string{"INSERT INTO " + rbT + " (`na\"me`) VALUES ('two')"},
			blocked:   `co"unt is NOT NULL again`,
			fix:       []string{"DELETE FROM " + rbT + " WHERE `co\"unt` IS NULL"},
			checks:    map[string]string{"SELECT `na\"me`, `co\"unt` FROM " + rbT: "one|100000"}},
		{name: "tighten-column: a type widened for both releases narrowed back behind a gate", before: rbV1,
			after:     rbTable(rbName, rbID, rbNm, rbNote, rbCol("si ze", "    type       = int\n    unsigned   = true\n    null       = true\n    allow_copy = true\n"), rbPub, rbPK),
			rules:     []string{"tighten-column"},
			seed:      rbSeed,
			newWrites: []string{"INSERT INTO " + rbT + " (`na\"me`, `no'te`, `si ze`, `is \"pub\"`) VALUES ('three', 'n3', 3000000000, 1)"},
			blocked:   "si ze is int again",
			fix:       []string{"UPDATE " + rbT + " SET `si ze` = 3 WHERE `si ze` > 2147483647"},
			checks:    map[string]string{"SELECT `na\"me`, `si ze` FROM " + rbT + " ORDER BY `my id`": "one|1;two|NULL;three|3"}},
		{name: "drop-column: the placeholder default goes", before: rbV1,
			after:     rbTable(rbName, rbID, rbNm, rbSize, rbPub, rbPK),
			rules:     []string{"drop-column"},
			seed:      rbSeed,
			newWrites: []string{"INSERT INTO " + rbT + " (`na\"me`, `is \"pub\"`) VALUES ('three', 1)"},
			checks:    map[string]string{"SELECT `na\"me`, `no'te` FROM " + rbT + " ORDER BY `my id`": "one|n1;two|n2;three|"}},
		{name: "convert-charset: a collation set back the same way", before: rbV1,
			after:     rbTable(rbName, rbID, rbNm, rbCol(`no'te`, "    type    = varchar(50)\n    collate = \"utf8mb4_bin\"\n"), rbSize, rbPub, rbPK),
			rules:     []string{"convert-charset"},
			seed:      rbSeed,
			newWrites: []string{"INSERT INTO " + rbT + " (`na\"me`, `no'te`, `is \"pub\"`) VALUES ('three', 'N1', 1)"},
			checks:    map[string]string{"SELECT COUNT(*) FROM " + rbT + " WHERE `no'te` = 'n1'": "2"}},
		{name: "convert-charset: utf8mb3 -> utf8mb4 is refused",
			before:  rbTable(rbName, rbID, rbNm, rbCol(`no'te`, "    type    = varchar(50)\n    charset = \"utf8mb3\"\n"), rbSize, rbPub, rbPK),
			after:   rbV1,
			rules:   []string{"convert-charset"},
			seed:    rbSeed,
			refused: "rejects the characters only utf8mb4 stores"},
		// It was refused ("needs ... a unique index checked again under
		// the old collation"): the way back is the statement backwards,
		// behind a gate counting the keys the old collation makes equal.
		{name: "convert-charset: a unique key under a coarser collation is set back behind its gate",
			before:    rbTable(rbName, rbID, rbNm, rbCol(`no'te`, "    type    = varchar(50)\n    collate = \"utf8mb4_bin\"\n"), rbSize, rbPub, rbPK, "  index \"ux 'n' -- x\" {\n    unique  = true\n    columns = [column[\"no'te\"]]\n  }\n"),
			after:     rbTable(rbName, rbID, rbNm, rbCol(`no'te`, "    type    = varchar(50)\n    collate = \"utf8mb4_unicode_ci\"\n"), rbSize, rbPub, rbPK, "  index \"ux 'n' -- x\" {\n    unique  = true\n    columns = [column[\"no'te\"]]\n  }\n"),
			rules:     []string{"convert-charset"},
			seed:      rbSeed,
			newWrites: []string{"INSERT INTO " + rbT + " (`na\"me`, `no'te`, `is \"pub\"`) VALUES ('three', 'n3', 1)"},
			checks:    map[string]string{"SELECT COLLATION_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND COLUMN_NAME = 'no''te'": "utf8mb4_bin"}},
		// Drupal 7.14 moves file_managed.uri, unique, to utf8mb3_bin: the
		// new release's 'N1' beside 'n1' is one key under the previous
		// release's collation, and the way back waits until it is gone.
		{name: "convert-charset: a unique key under a finer collation, keys the old one makes equal: the rollback waits",
			before:    rbTable(rbName, rbID, rbNm, rbNote, rbSize, rbPub, rbPK, "  index \"ux 'n' -- x\" {\n    unique  = true\n    columns = [column[\"no'te\"]]\n  }\n"),
			after:     rbTable(rbName, rbID, rbNm, rbCol(`no'te`, "    type    = varchar(50)\n    collate = \"utf8mb4_bin\"\n"), rbSize, rbPub, rbPK, "  index \"ux 'n' -- x\" {\n    unique  = true\n    columns = [column[\"no'te\"]]\n  }\n"),
			rules:     []string{"convert-charset"},
			seed:      rbSeed,
			newWrites: []string{"INSERT INTO " + rbT + " (`na\"me`, `no'te`, `is \"pub\"`) VALUES ('three', 'N1', 1)"},
			blocked:   "under the previous release's collation",
			fix:       []string{"DELETE FROM " + rbT + " WHERE `no'te` = BINARY 'N1'"},
			checks:    map[string]string{"SELECT COUNT(*) FROM " + rbT + " WHERE `no'te` = 'n1'": "1"}},
		{name: "add-check: a changed check is refused",
			before:  rbTable(rbName, rbID, rbNm, rbNote, rbCol("si ze", "    type = int\n    null = true\n    allow_copy = true\n"), rbPub, rbPK, "  check \"ck 'size'\" {\n    expr = \"`si ze` >= 0\"\n  }\n"),
			after:   rbTable(rbName, rbID, rbNm, rbNote, rbCol("si ze", "    type = int\n    null = true\n    allow_copy = true\n"), rbPub, rbPK, "  check \"ck 'size'\" {\n    expr = \"`si ze` >= -10\"\n  }\n"),
			rules:   []string{"add-check"},
			seed:    rbSeed,
			refused: "adding it back needs a table copy"},
	}
	for _, c := range cases {
		t.Run(c.name, c.run)
	}
}

func (c rollbackCase) run(t *testing.T) {
	r := newRuleProject(t, c.before, c.after)
	r.usesRules(c.rules)
	plans, err := revision.ReadPlans(r.p.PlansDir, r.p.Releases)
	if err != nil {
		t.Fatal(err)
	}
	rbs := plans.Of("after", revision.Rollback)
	if len(rbs) != 1 || len(plans.Of("after", revision.Expand)) != 1 {
		t.Fatalf("want one rollback for the one expand, got %d", len(rbs))
	}
	rb := rbs[0]
	r.phases[revision.Rollback] = rb.Statements
	prev, err := schemadef.ReadSnapshot(filepath.Join(r.p.PlansDir, revision.SnapshotFile("before")), target)
	if err != nil {
		t.Fatal(err)
	}
	r.must("before")
	execAll(t, r.db.DB, "seed", c.seed)
	r.must("expand")
	execAll(t, r.db.DB, "new release after expand", c.newWrites)

	closed, err := r.runRollback(rb)
	switch {
	case c.refused != "":
		if err == nil || len(closed) != len(rb.Statements) || !strings.Contains(closed[0], c.refused) || !strings.Contains(closed[0], "rollback refused at plan time") {
			t.Fatalf("the rollback must be refused (%q), with only its refusals in it; closed gates %q, err %v", c.refused, closed, err)
		}
		return
	case c.blocked != "":
		if err == nil || !slices.ContainsFunc(closed, func(g string) bool { return strings.Contains(g, c.blocked) }) {
			t.Fatalf("a gate must hold the rollback back (%q); closed gates %q, err %v", c.blocked, closed, err)
		}
		execAll(t, r.db.DB, "fix", c.fix)
		if _, err := r.runRollback(rb); err != nil {
			t.Fatal(err)
		}
	case err != nil:
		t.Fatal(err)
	}
	if rep := r.compareWith(prev); !rep.Clean() {
		t.Fatalf("after the rollback the schema differs from release before's snapshot:\n%s", rep)
	}
	for q, want := range c.checks {
		if got := rows(t, r.db.DB, q); got != want {
			t.Errorf("%s\n got: %s\nwant: %s", q, got, want)
		}
	}
}

// runRollback runs a rollback revision as the applier runs a revision:
// every gate first, on a session apply.Open pins, and nothing else when
// one is closed (the closed gates' reasons are returned); then each
// statement, the cost class of each ALTER held to the server's InnoDB
// table ids.
func (r *ruleProject) runRollback(rev *revision.Revision) (closed []string, err error) {
	r.t.Helper()
	ctx := context.Background()
	cfg, err := dbconn.Parse(r.db.URL)
	if err != nil {
		r.t.Fatal(err)
	}
	s, err := apply.Open(ctx, r.p, cfg, apply.Options{Tool: "e2e"})
	if err != nil {
		r.t.Fatal(err)
	}
	defer s.Close()
	for _, st := range rev.Statements {
		if st.Kind != revision.Gate {
			continue
		}
		var n sql.NullInt64
		if err := s.Conn.QueryRowContext(ctx, st.SQL).Scan(&n); err != nil {
			r.t.Fatalf("gate %s of %s: %v", st.SQL, rev.ID, err)
		}
		if n.Int64 != 0 {
			closed = append(closed, st.Why)
		}
	}
	if len(closed) > 0 {
		return closed, errors.New(rev.ID.String() + ": closed gates")
	}
	before := r.tableIDs()
	for _, st := range rev.Statements {
		if st.Kind == revision.Gate {
			continue
		}
		if _, err := s.Conn.ExecContext(ctx, st.SQL); err != nil {
			return nil, fmt.Errorf("%s:%d: %s: %w", rev.Path, st.Line, st.SQL, err)
		}
	}
	r.checkRebuilds(revision.Rollback, before)
	return nil, nil
}

// compareWith is devdb's comparison of the live database with release
// before's snapshot, built in a scratch database beside it.
func (r *ruleProject) compareWith(prev *schema.Schema) *devdb.Report {
	r.t.Helper()
	ctx := context.Background()
	cfg, err := dbconn.Parse(r.db.URL)
	if err != nil {
		r.t.Fatal(err)
	}
	conn, err := r.db.DB.Conn(ctx)
	if err != nil {
		r.t.Fatal(err)
	}
	defer conn.Close()
	dev, err := devdb.Open(ctx, devdb.Spec{Beside: cfg, Like: conn})
	if err != nil {
		r.t.Fatal(err)
	}
	defer dev.Close(ctx)
	rep, err := dev.Compare(ctx, conn, r.db.Name, &devdb.Replay{Base: prev}, "release before")
	if err != nil {
		r.t.Fatal(err)
	}
	return rep
}
