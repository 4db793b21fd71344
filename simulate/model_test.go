package simulate

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emcee-db/emcee/diff"
	"github.com/emcee-db/emcee/project"
)

var mariadb = project.Target{Flavor: "mariadb", Major: 10, Minor: 11}

func parse(t *testing.T, name, src string) *diff.Release {
	t.Helper()
	r, err := diff.ParseRelease(name, name+".hcl", []byte(src), mariadb)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// The workers' columns come from the schemas: each release writes only its
// own columns, never the server-assigned key, and the declared replacement
// becomes the pair the verifier checks in both directions.
func TestTableFromReleases(t *testing.T) {
	old := parse(t, "ocata", exampleFile("schema/ocata.hcl"))
	nw := parse(t, "pike", exampleFile("schema/pike.hcl"))
	ot, _ := old.Schema.Table("images")
	nt, _ := nw.Schema.Table("images")
	tb, err := newTable(ot, nt, nw.Declarations)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(tb.key.names(), []string{"id"}) || !tb.key.auto {
		t.Errorf("key %v auto %v, want id, server-assigned", tb.key.names(), tb.key.auto)
	}
	if got, want := names(tb.old), []string{"name", "size", "status", "created_at", "is_public"}; !slices.Equal(got, want) {
		t.Errorf("old release writes %v, want %v", got, want)
	}
	if got, want := names(tb.new), []string{"name", "size", "status", "created_at", "visibility"}; !slices.Equal(got, want) {
		t.Errorf("new release writes %v, want %v", got, want)
	}
	if len(tb.pairs) != 1 || tb.pairs[0].newCol != "visibility" || tb.pairs[0].oldCol != "is_public" ||
		tb.pairs[0].backward != "`visibility` = 'public'" {
		t.Errorf("pairs %+v, want visibility replacing is_public with the declared expressions", tb.pairs)
	}
}

// Values are generated in the text form the server returns, or the
// verifier would report every row as changed.
func TestGeneratedValuesAreServerText(t *testing.T) {
	src := `schema "s" {}
table "t" {
  schema = schema.s
  column "id" {
    type = int
  }
  column "flag" {
    type = bool
  }
  column "price" {
    type = decimal(8,2)
  }
  column "at" {
    type = datetime(3)
  }
  column "day" {
    type = date
  }
  column "kind" {
    type = enum("a", "b")
  }
  column "code" {
    type = char(4)
  }
  column "bits" {
    type = bit(8)
    null = true
  }
  primary_key {
    columns = [column.id]
  }
}
`
	r := parse(t, "r", src)
	tbl, _ := r.Schema.Table("t")
	cols, err := writable(tbl, nil, mustKey(t, tbl), new(atomic.Int64))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]*regexp.Regexp{
		"flag":  regexp.MustCompile(`^[01]$`),
		"price": regexp.MustCompile(`^\d{1,6}\.\d\d$`),
		"at":    regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.000$`),
		"day":   regexp.MustCompile(`^\d{4}-\d\d-\d\d$`),
		"kind":  regexp.MustCompile(`^(a|b)$`),
		"code":  regexp.MustCompile(`^[A-Za-z0-9]{4}$`),
	}
	if got := names(cols); !slices.Equal(got, []string{"flag", "price", "at", "day", "kind", "code"}) {
		t.Fatalf("writable columns %v: the key is written by the workers separately, the nullable bit column is left to the server", got)
	}
	r2 := rand.New(rand.NewPCG(1, 2))
	for _, c := range cols {
		for range 50 {
			if v := c.gen(r2); !want[c.name].MatchString(v) {
				t.Errorf("%s: generated %q", c.name, v)
			}
		}
	}

	// A NOT NULL column the simulator cannot fill is refused by name.
	bad := parse(t, "b", `schema "s" {}
table "t" {
  schema = schema.s
  column "id" {
    type = int
  }
  column "bits" {
    type = bit(8)
  }
  primary_key {
    columns = [column.id]
  }
}
`)
	bt, _ := bad.Schema.Table("t")
	if _, err := writable(bt, nil, mustKey(t, bt), new(atomic.Int64)); err == nil || !regexp.MustCompile(`column bits`).MatchString(err.Error()) {
		t.Errorf("want a refusal naming bits, got %v", err)
	}
}

func TestPercentiles(t *testing.T) {
	s := &Stats{}
	for i := 1; i <= 100; i++ {
		s.Latencies = append(s.Latencies, msDur(i))
	}
	if s.Percentile(0.99) != msDur(99) || s.Percentile(0.5) != msDur(50) || s.Max() != msDur(100) {
		t.Errorf("p50 %s p99 %s max %s", s.Percentile(0.5), s.Percentile(0.99), s.Max())
	}
}

func msDur(n int) time.Duration { return time.Duration(n) * time.Millisecond }

// By default the simulator drives the tables a release changes: one whose
// column changes only its type is one of them (Piwigo 15's history.IP,
// varchar(15) -> char(39), changed no name, and the simulator drove every
// table instead, stopping at the first it cannot follow).
func TestChangedTablesByDefinition(t *testing.T) {
	const tables = `schema "app" {}
table "history" {
  schema = schema.app
  column "id" {
    type = int
  }
  column "ip" {
    type = %s
  }
  primary_key {
    columns = [column.id]
  }
}
table "caddie" {
  schema = schema.app
  column "user_id" {
    type = int
  }
  column "element_id" {
    type = int
  }
  primary_key {
    columns = [column.user_id, column.element_id]
  }
}
`
	old := parse(t, "p14", fmt.Sprintf(tables, "varchar(15)"))
	nw := parse(t, "p15", fmt.Sprintf(tables, "char(39)"))
	changed, _, shared := changedTables(mariadb, old.Schema, nw.Schema)
	if !slices.Equal(changed, []string{"history"}) || !slices.Equal(shared, []string{"history", "caddie"}) {
		t.Errorf("changed %v, shared %v; want [history], [history caddie]", changed, shared)
	}
	// Drupal 7.14 moves file_managed.uri, under a unique key, to
	// utf8mb3_bin; 7.98 rewords sessions.sid's comment. Neither changes
	// the type: the table was left out of the rehearsal.
	for _, edit := range []string{"char(15)\n    collate = \"utf8mb4_bin\"", "char(15)\n    comment = \"hashed\""} {
		old, nw := parse(t, "p14", fmt.Sprintf(tables, "char(15)")), parse(t, "p15", fmt.Sprintf(tables, edit))
		if changed, _, _ := changedTables(mariadb, old.Schema, nw.Schema); !slices.Equal(changed, []string{"history"}) {
			t.Errorf("%s: changed %v, want [history]", edit, changed)
		}
	}
	// Both tables changed, and caddie cannot be followed (a key column
	// of a floating-point type): the refusal says how to rehearse the
	// other one.
	old = parse(t, "p14", strings.ReplaceAll(fmt.Sprintf(tables, "varchar(15)"), "element_id\" {\n    type = int", "element_id\" {\n    type = double"))
	s := &Sim{old: old, new: nw}
	err := s.pickTables()
	if err == nil || !strings.Contains(err.Error(), "table caddie: its primary key column element_id is double") || !strings.HasSuffix(err.Error(), "rehearse the other tables the release changes alone: --table history") {
		t.Errorf("got %v, want caddie refused with --table history", err)
	}
}

// LimeSurvey 1.92's DBVersion 152 only adds an index to
// question_attributes, and 153 only creates expression_errors: the
// rehearsal drove every shared table and was refused for
// survey_url_parameters, which has no primary key and which neither
// release changes. A table whose indexes change is one the release
// changes; a release that changes no shared table rehearses the shared
// tables the simulator can follow, and says which it leaves out.
func TestChangedTablesByIndexLeavesOutUnchangedTables(t *testing.T) {
	const tables = `schema "app" {}
table "question_attributes" {
  schema = schema.app
  column "qaid" {
    type = int
  }
  column "attribute" {
    type = varchar(50)
    null = true
  }
  primary_key {
    columns = [column.qaid]
  }
%s}
table "survey_url_parameters" {
  schema = schema.app
  column "id" {
    type = int
    null = true
  }
  column "parameter" {
    type = varchar(50)
    null = true
  }
}
%s`
	const idx = "  index \"question_attributes_idx3\" {\n    columns = [column.attribute]\n  }\n"
	const created = "table \"expression_errors\" {\n  schema = schema.app\n  column \"id\" {\n    type = int\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\n"
	v151 := parse(t, "v151", fmt.Sprintf(tables, "", ""))
	v152 := parse(t, "v152", fmt.Sprintf(tables, idx, ""))
	v153 := parse(t, "v153", fmt.Sprintf(tables, idx, created))
	if changed, indexed, _ := changedTables(mariadb, v151.Schema, v152.Schema); len(changed) > 0 || !slices.Equal(indexed, []string{"question_attributes"}) {
		t.Errorf("an index added: changed %v, indexes changed %v; want [], [question_attributes]", changed, indexed)
	}
	for _, c := range []struct{ old, new *diff.Release }{{v151, v152}, {v152, v153}} {
		s := &Sim{old: c.old, new: c.new}
		if err := s.pickTables(); err != nil {
			t.Fatalf("%s -> %s: %v", c.old.Name, c.new.Name, err)
		}
		if len(s.tables) != 1 || s.tables[0].name != "question_attributes" {
			t.Errorf("%s -> %s: rehearses %v, want question_attributes", c.old.Name, c.new.Name, s.tables)
		}
	}
	s := &Sim{old: v152, new: v153}
	if err := s.pickTables(); err != nil || len(s.skipped) != 1 || !strings.Contains(s.skipped[0], "table survey_url_parameters has no primary key") {
		t.Errorf("v152 -> v153 leaves out %q (%v), want survey_url_parameters said", s.skipped, err)
	}
	// LimeSurvey 1.92's DBVersion 145 changes columns of surveys and
	// moves the primary key of defaultvalues, which the simulator cannot
	// follow (no key both releases share): surveys is rehearsed, and
	// defaultvalues left out, said, as before its key counted as a change.
	const keyed = `schema "app" {}
table "surveys" {
  schema = schema.app
  column "sid" {
    type = int
  }
  column "active" {
    type = %s
  }
  primary_key {
    columns = [column.sid]
  }
}
table "defaultvalues" {
  schema = schema.app
  column "qid" {
    type = int
  }
  column "scale_id" {
    type = int
  }
  primary_key {
    columns = [%s]
  }
}
`
	s = &Sim{old: parse(t, "v143", fmt.Sprintf(keyed, "char(1)", "column.qid, column.scale_id")), new: parse(t, "v145", fmt.Sprintf(keyed, "varchar(1)", "column.scale_id, column.qid"))}
	if err := s.pickTables(); err != nil || len(s.tables) != 1 || s.tables[0].name != "surveys" || len(s.skipped) != 1 || !strings.Contains(s.skipped[0], "table defaultvalues: the primary key changes") {
		t.Errorf("v143 -> v145: rehearses %v, leaves out %q (%v); want surveys, defaultvalues said", s.tables, s.skipped, err)
	}
	// Nothing the simulator can follow: refused, each table's reason said.
	onlyURL := func(name, extra string) *diff.Release {
		return parse(t, name, "schema \"app\" {}\ntable \"survey_url_parameters\" {\n  schema = schema.app\n  column \"id\" {\n    type = int\n    null = true\n  }\n}\n"+extra)
	}
	s = &Sim{old: onlyURL("a", ""), new: onlyURL("b", created)}
	if err := s.pickTables(); err == nil || !strings.Contains(err.Error(), "the simulator can follow none of the tables they share: table survey_url_parameters has no primary key") {
		t.Errorf("got %v, want a refusal naming survey_url_parameters", err)
	}
}

// Dolibarr's tables have foreign keys (llx_socpeople.fk_soc to
// llx_societe, llx_facture.fk_facture_source to itself): seeding wrote
// generated values into them and stopped on the server's error 1452,
// saying neither why nor what to do. A column a row may leave NULL is
// left NULL; one it cannot (NOT NULL, or a default such as Dolibarr's
// fk_user_creat DEFAULT 0) is refused, naming the key, and the tables
// offered instead are only those the simulator can follow.
func TestOutsideS28ForeignKeyColumns(t *testing.T) {
	const src = `schema "app" {}
table "societe" {
  schema = schema.app
  column "rowid" {
    type = int
  }
  column "nom" {
    type = varchar(60)
    null = true
  }
  primary_key {
    columns = [column.rowid]
  }
}
table "socpeople" {
  schema = schema.app
  column "rowid" {
    type = int
  }
  column "fk_soc" {
    type = int
    null = true
  }
  column "lastname" {
    type = varchar(50)
    null = true
  }%s
  primary_key {
    columns = [column.rowid]
  }
  foreign_key "fk_socpeople_fk_soc" {
    columns     = [column.fk_soc]
    ref_columns = [table.societe.column.rowid]
  }%s
}
`
	const creat, creatKey = `
  column "fk_user_creat" {
    type    = int
    null    = true
    default = 0
  }`, `
  foreign_key "fk_socpeople_user_creat" {
    columns     = [column.fk_user_creat]
    ref_columns = [table.societe.column.rowid]
  }`
	rel := parse(t, "r16", fmt.Sprintf(src, "", ""))
	tb, _ := rel.Schema.Table("socpeople")
	cols, err := writable(tb, nil, mustKey(t, tb), new(atomic.Int64))
	if err != nil || !slices.Equal(names(cols), []string{"lastname"}) {
		t.Fatalf("socpeople writes %v (%v), want lastname alone", names(cols), err)
	}
	old := parse(t, "r16", fmt.Sprintf(src, creat, creatKey))
	tb, _ = old.Schema.Table("socpeople")
	if _, err := writable(tb, nil, mustKey(t, tb), new(atomic.Int64)); err == nil || !strings.Contains(err.Error(), "table socpeople: column fk_user_creat is part of foreign key fk_socpeople_user_creat (to table societe), and a row that does not set it holds no NULL there") {
		t.Fatalf("fk_user_creat DEFAULT 0: %v", err)
	}
	// Both tables change; socpeople cannot be followed, so societe alone
	// is offered.
	nw := parse(t, "r17", strings.ReplaceAll(fmt.Sprintf(src, creat, creatKey), "varchar(", "varchar(1"))
	s := &Sim{old: old, new: nw}
	if err := s.pickTables(); err == nil || !strings.HasSuffix(err.Error(), "or rehearse the other tables the release changes alone: --table societe") {
		t.Fatalf("pick: %v", err)
	}
}

// Moodle 3.5's mdl_message_conversations.convhash is unique, 4.1 makes it
// a plain index, and course_modules_completion is unique on (userid,
// coursemoduleid): random values collided there ('l'), and seeding
// stopped on the server's duplicate key. A column of each unique key
// carries a value of its own in every row, seeded or written by either
// release's workers.
func TestUniqueKeysGetDistinctValues(t *testing.T) {
	const v1 = `schema "app" {}
table "conv" {
  schema = schema.app
  column "id" {
    type           = bigint
    auto_increment = true
  }
  column "convhash" {
    type = varchar(40)
  }
  column "flag" {
    type = bool
  }
  column "userid" {
    type = bigint
  }
  column "cmid" {
    type = bigint
  }
  primary_key {
    columns = [column.id]
  }
  index "ux_hash" {
    unique  = true
    columns = [column.convhash]
  }
  index "ux_user_cm" {
    unique  = true
    columns = [column.flag, column.userid, column.cmid]
  }
}
`
	v2 := strings.Replace(v1, "  index \"ux_hash\" {\n    unique  = true\n", "  index \"ux_hash\" {\n", 1)
	ot, _ := parse(t, "v1", v1).Schema.Table("conv")
	r2 := parse(t, "v2", v2)
	nt, _ := r2.Schema.Table("conv")
	tb, err := newTable(ot, nt, r2.Declarations)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]map[string]bool{"convhash": {}, "userid": {}}
	add := func(who, col, v string) {
		if seen[col][v] {
			t.Fatalf("%s wrote %s = %q twice", who, col, v)
		}
		seen[col][v] = true
	}
	for key := int64(1); key <= 2000; key++ {
		vals := seedValues(tb, key)
		for i, c := range tb.old {
			if seen[c.name] != nil {
				add("seed", c.name, vals[i])
			}
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		for _, cols := range [][]*column{tb.old, tb.new} {
			for _, c := range cols {
				if seen[c.name] != nil {
					add("a worker", c.name, c.gen(r))
				}
			}
		}
	}
}

// A table a data migration inserts rows into from another table (Gitea
// 1.15's email_address, given each user's primary email) knows it: the
// verifier takes its rows no worker wrote as the migration's.
func TestTableFilledByAnInsert(t *testing.T) {
	const v1 = `schema "app" {}
table "user" {
  schema = schema.app
  column "id" {
    type           = bigint
    auto_increment = true
  }
  column "email" {
    type = varchar(255)
  }
  primary_key {
    columns = [column.id]
  }
}
table "email_address" {
  schema = schema.app
  column "id" {
    type           = bigint
    auto_increment = true
  }
  column "email" {
    type = varchar(255)
  }
  primary_key {
    columns = [column.id]
  }
}
`
	v2 := v1 + "data_migration \"primary_email\" {\n  table   = \"email_address\"\n  from    = \"user\"\n  insert  = \"email = email\"\n  pending = \"NOT EXISTS (SELECT 1 FROM email_address AS e WHERE e.email = `user`.email)\"\n}\n"
	r1, r2 := parse(t, "v1", v1), parse(t, "v2", v2)
	for name, want := range map[string]string{"email_address": "primary_email", "user": ""} {
		ot, _ := r1.Schema.Table(name)
		nt, _ := r2.Schema.Table(name)
		tb, err := newTable(ot, nt, r2.Declarations)
		if err != nil {
			t.Fatal(err)
		}
		if tb.filledBy != want {
			t.Errorf("%s filled by %q, want %q", name, tb.filledBy, want)
		}
	}
}
