package e2e

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/internal/testdb"
)

// Apollo 2.0's upgrade (apolloconfigdb-v190-v200-after.sql), measured from
// outside: App gains DeletedAt and a unique key (AppId, DeletedAt), and a
// data migration sets DeletedAt = -Id in the rows the previous release
// soft-deleted, so that a deleted app and its namesake created again stop
// colliding. The previous release still runs after migrate: it deletes an
// app (DeletedAt stays 0) and creates it again. The unique gate of
// two_contract01 counts the pair, and a migrate run rewrites the deleted
// row, which opens the gate.
// check used to exit 7 and contract to say "Migrate is complete (its
// backfills have no row left to rewrite)" and send the operator to fix or
// remove the rows by hand, while db status counted the row migrate would
// rewrite: the data migration's backfill only counted for its own gate.
func TestContractSendsToMigrateForADataMigrationOfTheGatesTable(t *testing.T) {
	t.Parallel()
	one := `schema "app" {}

table "App" {
  schema = schema.app
  column "Id" {
    type           = int
    unsigned       = true
    auto_increment = true
  }
  column "AppId" {
    type = varchar(64)
  }
  column "IsDeleted" {
    type    = bool
    default = false
  }
  primary_key {
    columns = [column.Id]
  }
  index "AppId" {
    columns = [column.AppId]
  }
}
`
	two := replaceOnce(replaceOnce(one, `  primary_key {`, `  column "DeletedAt" {
    type    = bigint
    default = 0
  }
  primary_key {`), `  index "AppId" {
    columns = [column.AppId]
  }`, `  index "UK_AppId_DeletedAt" {
    unique  = true
    columns = [column.AppId, column.DeletedAt]
  }`)
	p := plannedProject(t, "mariadb 10.11", [2]string{"one", one}, [2]string{"two", two})
	// Declared after two was planned, as Apollo's own script comes after
	// its schema change: two_migrate02 holds it, two_contract02 its gate.
	p.editSchema("two", func(s string) string {
		return s + `
data_migration "deleted_at" {
  table   = "App"
  set     = "DeletedAt = -Id"
  pending = "IsDeleted = 1 AND DeletedAt = 0"
}
`
	})
	if r := p.plan(); r.Code != 0 || !strings.Contains(r.Stdout, "two_migrate02.sql") {
		t.Fatalf("emcee plan after the data migration was declared: %s", r)
	}
	p.must("db", "sync", "one")
	p.exec("INSERT INTO App (AppId, IsDeleted) VALUES ('a', 1), ('a', 0), ('b', 0)")
	p.must("db", "expand")
	p.must("db", "migrate")
	// The previous release deletes b and creates it again.
	p.exec("UPDATE App SET IsDeleted = 1 WHERE AppId = 'b'")
	p.exec("INSERT INTO App (AppId) VALUES ('b')")

	if r := p.run("db", "check"); r.Code != 4 || !strings.Contains(r.Stdout, "migrate needed") {
		t.Fatalf("check with a row the data migration rewrites: %s", r)
	}
	r := p.run("db", "contract")
	if r.Code != 1 || strings.Contains(r.Stdout+r.Stderr, "Migrate is complete") {
		t.Fatalf("contract with a row the data migration rewrites: %s", r)
	}
	opContains(t, r, "gate add-unique-index: 2 rows", "run `emcee db migrate --env test`", "nothing was changed")
	p.must("db", "migrate")
	p.must("db", "contract")
	if got := p.query("SELECT AppId, IsDeleted, DeletedAt = -Id FROM App ORDER BY Id"); got != "a 1 1\na 0 0\nb 1 1\nb 0 0" {
		t.Fatalf("rows after contract:\n%s", got)
	}
}

// Apollo 2.4 shortens Namespace.ClusterName and NamespaceName and gives its
// unique key the whole columns instead of 191-character prefixes: contract
// changes both in one ALTER (rules index-columns, tighten-column), after
// the index-columns gate that counts the rows the new key would reject.
// review said that unique key was "NOT GUARDED: no gate of this revision
// checks it": it matched a key's gate by the statement's whole rule list,
// or by add-unique-index alone. And it counted the gate of a key added to
// another table as the key's, since that gate reads a column named like
// the key's table (Apollo's ServerConfig.Cluster beside table Cluster).
func TestReviewFindsTheGateOfAUniqueKeyChangedWithATightening(t *testing.T) {
	t.Parallel()
	p := gatedKeysProject(t)
	contract := p.read("plans/two/two_contract01.sql")
	if !strings.Contains(contract, "-- rule index-columns, tighten-column") {
		t.Fatalf("the key and the column no longer change in one ALTER:\n%s", contract)
	}
	r := p.run("review", "two")
	if r.Code != 0 {
		t.Fatalf("emcee review: %s", r)
	}
	if strings.Contains(r.Stdout, "NOT GUARDED") {
		t.Fatalf("review says a tightening of two has no gate:\n%s", r)
	}
	setting := "" // the line of the gate of Setting's new key
	lines := strings.Split(contract, "\n")
	for i, l := range lines {
		if i > 0 && lines[i-1] == "-- emcee:gate" && strings.HasPrefix(l, "SELECT COUNT(*) FROM `Setting` ") {
			setting = fmt.Sprintf("plans/two/two_contract01.sql:%d", i+1)
		}
	}
	guarded := regexp.MustCompile(`(?m)^  unique index (\w+)\.(\w+): added to existing rows\n +at plans/two/two_contract01.sql:\d+, guarded by the gates? at (.*)$`)
	keys := guarded.FindAllStringSubmatch(r.Stdout, -1)
	if setting == "" || len(keys) != 3 {
		t.Fatalf("want 3 unique keys, each guarded, and a gate of Setting's (%q):\n%s\n%s", setting, contract, r)
	}
	for _, k := range keys {
		if ours := strings.Contains(k[3], setting); ours != (k[1] == "Setting") {
			t.Errorf("unique index %s.%s guarded by %s; the gate of Setting's key is at %s", k[1], k[2], k[3], setting)
		}
	}
}

// gatedKeysProject plans Apollo 2.4's Namespace key changed with a
// tightening, and keys added to Namespace and to Setting, whose gate reads
// columns named Namespace, Id and AppId.
func gatedKeysProject(t *testing.T) *opProject {
	one := `schema "app" {}

table "Namespace" {
  schema = schema.app
  column "Id" {
    type = int
  }
  column "AppId" {
    type = varchar(64)
  }
  column "ClusterName" {
    type = varchar(500)
  }
  primary_key {
    columns = [column.Id]
  }
  index "UK_AppId_ClusterName" {
    unique = true
    on {
      column = column.AppId
    }
    on {
      column = column.ClusterName
      prefix = 191
    }
  }
}

table "Setting" {
  schema = schema.app
  column "Id" {
    type = int
  }
  column "Namespace" {
    type = varchar(32)
  }
  column "AppId" {
    type = varchar(32)
  }
  primary_key {
    columns = [column.Id]
  }
}
`
	two := replaceOnce(replaceOnce(one, `    type = varchar(500)
  }`, `    type       = varchar(32)
    allow_copy = true
  }`), `    on {
      column = column.ClusterName
      prefix = 191
    }`, `    on {
      column = column.ClusterName
    }
  }
  index "UK_Id_AppId" {
    unique  = true
    columns = [column.Id, column.AppId]`)
	two = replaceOnce(two, `    type = varchar(32)
  }
  primary_key {
    columns = [column.Id]
  }
}`, `    type = varchar(32)
  }
  primary_key {
    columns = [column.Id]
  }
  index "UK_Namespace" {
    unique  = true
    columns = [column.Namespace, column.Id, column.AppId]
  }
}`)
	return plannedProject(t, "mariadb 10.11", [2]string{"one", one}, [2]string{"two", two})
}

// Each Namespace key's gate removed by hand: lint's EM109 took any gate
// reading the key's table and columns by name for the key's, so Setting's
// gate (reading Setting.Namespace, Id and AppId) guarded UK_Id_AppId; and
// the key changed in one ALTER with a tightening went unseen, a key whose
// columns change being no key added to Atlas.
func TestLintFindsTheRemovedGateOfAKey(t *testing.T) {
	t.Parallel()
	for _, key := range []string{"UK_AppId_ClusterName", "UK_Id_AppId"} {
		t.Run(key, func(t *testing.T) {
			t.Parallel()
			p := gatedKeysProject(t)
			contract := p.read("plans/two/two_contract01.sql")
			start := strings.Index(contract, "-- rule index-columns: unique index "+key+" ")
			if start < 0 {
				start = strings.Index(contract, "-- rule add-unique-index: unique index "+key+" ")
			}
			if start < 0 {
				t.Fatalf("no gate of %s:\n%s", key, contract)
			}
			gate := contract[start : start+strings.Index(contract[start:], "\n\n")+2]
			p.editPlan("two/two_contract01.sql", gate, "")
			alter := strings.Count(p.read("plans/two/two_contract01.sql")[:strings.Index(p.read("plans/two/two_contract01.sql"), "ALTER TABLE `Namespace`")], "\n") + 1
			r := p.run("lint", "--dev-url", testdb.New(t).URL)
			opContains(t, r, fmt.Sprintf("plans/two/two_contract01.sql:%d: EM109 error: unique index %s on Namespace", alter, key))
		})
	}
}

// blockedByDataProject is three releases synced to one, whose two
// shortens App.AppId to 64 characters, over a row of 80: two's contract
// is blocked by data.
func blockedByDataProject(t *testing.T) *opProject {
	one := `schema "app" {}

table "App" {
  schema = schema.app
  column "Id" {
    type = int
  }
  column "AppId" {
    type = varchar(500)
  }
  primary_key {
    columns = [column.Id]
  }
}
`
	two := replaceOnce(one, `type = varchar(500)`, "type       = varchar(64)\n    allow_copy = true")
	three := two + `
table "AuditLog" {
  schema = schema.app
  column "Id" {
    type = int
  }
  primary_key {
    columns = [column.Id]
  }
}
`
	p := plannedProject(t, "mariadb 10.11", [2]string{"one", one}, [2]string{"two", two}, [2]string{"three", three})
	p.must("db", "sync", "one")
	p.exec("INSERT INTO App VALUES (1, 'app-1'), (2, REPEAT('x', 80))")
	return p
}

// An offline upgrade of the Apollo history (`db sync` from 1.5 to 3.0)
// stops at 2.2's contract on an AppId longer than the 64 characters 2.2
// keeps. The way out said to fix the row and rerun `emcee db contract`,
// which contracts 2.2 alone and sends the operator on release by release
// as a rolling upgrade (`next: to upgrade to 2_3, run emcee db expand`);
// it names the command that stopped.
func TestSyncBlockedByDataSaysRerunSync(t *testing.T) {
	t.Parallel()
	p := blockedByDataProject(t)
	r := p.run("db", "sync")
	if r.Code != 7 {
		t.Fatalf("sync over a row two's contract would cut: %s", r)
	}
	opContains(t, r, "contract blocked by data", "gate tighten-column: 1 row", "then rerun `emcee db sync --env test`")
	p.exec("UPDATE App SET AppId = 'app-2' WHERE Id = 2")
	p.must("db", "sync")
	if v := p.version(); v != "three_expand01, three_contract01" {
		t.Fatalf("version after the rerun sync: %s", v)
	}
}

// An operator runs the application's own upgrade script (Apollo's
// apolloconfigdb-v250-v300.sql: CREATE INDEX on GrayReleaseRule) before
// `emcee db expand` of 3.0, whose expand creates that index. Expand refused
// the drift and said "If these differences are intended (e.g. a hotfix made
// by hand), rerun with --allow-drift", which then failed at the statement
// with the server's Error 1061 (Duplicate key name) and left the revision
// failed. It says that the pending revision makes that change itself, where,
// and that the way out is to undo it. Likewise Apollo's 2.0 "after" script
// run by hand before contract drops the index contract drops (1091).
func TestDriftThatAPendingRevisionMakesSaysUndoIt(t *testing.T) {
	t.Parallel()
	one := `schema "app" {}

table "GrayReleaseRule" {
  schema = schema.app
  column "Id" {
    type = int
  }
  column "ReleaseId" {
    type = int
  }
  column "AppId" {
    type = varchar(64)
  }
  primary_key {
    columns = [column.Id]
  }
  index "IX_AppId" {
    columns = [column.AppId]
  }
}
`
	two := replaceOnce(one, `  index "IX_AppId" {
    columns = [column.AppId]
  }`, `  index "IX_ReleaseId" {
    columns = [column.ReleaseId]
  }`)
	p := plannedProject(t, "mariadb 10.11", [2]string{"one", one}, [2]string{"two", two})
	p.must("db", "sync", "one")
	p.exec("CREATE INDEX `IX_ReleaseId` ON `GrayReleaseRule` (`ReleaseId`)")
	r := p.run("db", "expand")
	if r.Code != 1 {
		t.Fatalf("expand over the index made by hand: %s", r)
	}
	opContains(t, r, "index IX_ReleaseId is unexpected", "two_expand01 creates it (plans/two/two_expand01.sql:", "drop it by hand", "nothing was changed")
	if strings.Contains(r.Stdout+r.Stderr, "rerun with --allow-drift") {
		t.Fatalf("expand sends the operator to --allow-drift, which fails on the index:\n%s", r)
	}
	p.exec("DROP INDEX `IX_ReleaseId` ON `GrayReleaseRule`")
	p.must("db", "expand")
	p.must("db", "migrate")

	p.exec("DROP INDEX `IX_AppId` ON `GrayReleaseRule`")
	r = p.run("db", "contract")
	if r.Code != 1 {
		t.Fatalf("contract after the index it drops was dropped by hand: %s", r)
	}
	opContains(t, r, "index IX_AppId is missing", "two_contract01 drops it (plans/two/two_contract01.sql:", "create it again by hand", "nothing was changed")
	if strings.Contains(r.Stdout+r.Stderr, "rerun with --allow-drift") {
		t.Fatalf("contract sends the operator to --allow-drift, which fails on the index:\n%s", r)
	}
}

// Rolling Apollo 2.0 back after its migrate: the rows its data migration
// rewrote (DeletedAt = -Id of the rows deleted before) are what a later
// expand and migrate write again, so only the row 2.0 code deleted (its
// DeletedAt a time) is data only 2.0 wrote. The rollback counted every row
// the data migration had rewritten too (3,951 rows of 7 tables in the
// measured history, where 1 row was 2.0's), asking to copy them out or drop
// them with --drop-new-data: only a fill of the rows where the column is
// NULL counted as written again.
func TestRollbackCountsWhatADataMigrationWritesAgainAsKept(t *testing.T) {
	t.Parallel()
	one := `schema "app" {}

table "App" {
  schema = schema.app
  column "Id" {
    type           = int
    unsigned       = true
    auto_increment = true
  }
  column "AppId" {
    type = varchar(64)
  }
  column "IsDeleted" {
    type    = bool
    default = false
  }
  primary_key {
    columns = [column.Id]
  }
}
`
	two := replaceOnce(one, `  primary_key {`, `  column "DeletedAt" {
    type    = bigint
    default = 0
  }
  primary_key {`) + `
data_migration "deleted_at" {
  table   = "App"
  set     = "DeletedAt = -Id"
  pending = "IsDeleted = 1 AND DeletedAt = 0"
}
`
	p := plannedProject(t, "mariadb 10.11", [2]string{"one", one}, [2]string{"two", two})
	p.must("db", "sync", "one")
	p.exec("INSERT INTO App (AppId, IsDeleted) VALUES ('a', 1), ('b', 1), ('a', 0), ('c', 0)")
	p.must("db", "expand")
	p.must("db", "migrate")
	p.exec("UPDATE App SET IsDeleted = 1, DeletedAt = 1700000000000 WHERE AppId = 'c'") // 2.0 code deletes c
	r := p.run("db", "rollback")
	if r.Code == 0 {
		t.Fatalf("rollback over a value only two wrote: %s", r)
	}
	opContains(t, r, "column App.DeletedAt: 1 row(s) hold a value only the new release wrote")
	r = p.must("db", "rollback", "--drop-new-data")
	p.must("db", "expand")
	p.must("db", "migrate")
	if got := p.query("SELECT AppId, IsDeleted, DeletedAt = -Id FROM App ORDER BY Id"); got != "a 1 1\nb 1 1\na 0 0\nc 1 1" {
		t.Fatalf("rows after the rollback, expand and migrate again:\n%s", got)
	}
}

// Mattermost 6.0 (000066_upgrade_posts_v6.0) copies ParentId into RootId and
// drops ParentId. Declared after the release was planned, the data
// migration landed in two_migrate02 and its gate in two_contract02, after
// two_contract01 had dropped ParentId: plan exited 0, contract dropped the
// column without waiting for the gate, then stopped at the gate (1054,
// Unknown column 'ParentId') with nothing left to fix, for good.
func TestLateDataMigrationReadingADroppedColumnRefusedAtPlan(t *testing.T) {
	t.Parallel()
	one := `schema "app" {}

table "Posts" {
  schema = schema.app
  column "Id" {
    type = varchar(26)
  }
  column "RootId" {
    type = varchar(26)
  }
  column "ParentId" {
    type = varchar(26)
  }
  primary_key {
    columns = [column.Id]
  }
}
`
	two := replaceOnce(one, `  column "ParentId" {
    type = varchar(26)
  }
`, "")
	p := plannedProject(t, "mariadb 10.11", [2]string{"one", one}, [2]string{"two", two})
	p.editSchema("two", func(s string) string {
		return s + `
data_migration "root_id" {
  table   = "Posts"
  set     = "RootId = ParentId"
  pending = "RootId = '' AND RootId != ParentId"
}
`
	})
	r := p.plan()
	if r.Code == 0 {
		t.Fatalf("emcee plan planned a data migration reading the column two_contract01 drops, after it: %s", r)
	}
	opContains(t, r, `schema/two.hcl:18:23: set of data_migration "root_id"`, `unknown column "ParentId"`, "emcee plan --rewrite two")
	p.must("plan", "--rewrite", "two")
	p.must("db", "sync", "one")
	p.exec("INSERT INTO Posts VALUES ('a', '', ''), ('b', '', 'a'), ('c', 'a', 'a')")
	p.must("db", "sync", "two")
	if got := p.query("SELECT GROUP_CONCAT(Id, '=', RootId ORDER BY Id) FROM Posts"); got != "a=,b=a,c=a" {
		t.Fatalf("rows after two: %s", got)
	}
}

// Mattermost 6.0 moves Threads.Participants (and Posts.Props, Sessions.Props,
// Jobs.Data, ChannelMembers.NotifyProps) from TEXT to JSON under the same
// name. emcee refused it ("text -> json is not a change emcee can check row
// by row") and offered only a new column that replaces it. Until contract
// both releases now write a LONGTEXT (the new release's documents may pass
// TEXT's 64 KB), and contract's gate counts the rows that are not JSON.
func TestTextToJSONThroughLongtextGatedByJSONValid(t *testing.T) {
	t.Parallel()
	one := `schema "app" {}

table "Threads" {
  schema = schema.app
  column "PostId" {
    type = varchar(26)
  }
  column "Participants" {
    type = text
    null = true
  }
  primary_key {
    columns = [column.PostId]
  }
}
`
	two := replaceOnce(one, `    type = text
    null = true`, `    type       = json
    null       = true
    allow_copy = true`)
	p := plannedProject(t, "mariadb 10.11", [2]string{"one", one}, [2]string{"two", two})
	p.must("db", "sync", "one")
	p.exec(`INSERT INTO Threads VALUES ('a', '["u1"]'), ('b', NULL), ('c', '')`)
	p.must("db", "expand")
	// The new release writes a document TEXT could not hold.
	p.exec(`INSERT INTO Threads VALUES ('d', CONCAT('["', REPEAT('u', 70000), '"]'))`)
	p.must("db", "migrate")
	r := p.run("db", "contract")
	if r.Code != 7 {
		t.Fatalf("contract over a row that is not JSON: %s", r)
	}
	opContains(t, r, "NOT JSON_VALID(`Participants`)", "1 row", "nothing was changed")
	p.exec(`UPDATE Threads SET Participants = '[]' WHERE PostId = 'c'`)
	p.must("db", "contract")
	if got := p.query("SELECT GROUP_CONCAT(PostId, '=', COALESCE(LENGTH(Participants), 'NULL') ORDER BY PostId) FROM Threads"); got != "a=6,b=NULL,c=2,d=70004" {
		t.Fatalf("rows after contract: %s", got)
	}
	if got := p.query("SELECT COUNT(*) FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() AND CHECK_CLAUSE LIKE '%json_valid(`Participants`)%'"); got != "1" {
		t.Fatalf("Participants is not JSON after contract (checks: %s)", got)
	}
	p.must("db", "diff")
}

// migratedThenWrittenProject is Mattermost 6.1's CRT counts (a data
// migration MsgCountRoot = MsgCount), rows before inserted, expanded and
// migrated, then rows after inserted by the previous release: pending
// again.
func migratedThenWrittenProject(t *testing.T, before, after string) *opProject {
	one := `schema "app" {}

table "ChannelMembers" {
  schema = schema.app
  column "Id" {
    type = int
  }
  column "MsgCount" {
    type = bigint
    null = true
  }
  primary_key {
    columns = [column.Id]
  }
}
`
	two := replaceOnce(one, `  primary_key {`, `  column "MsgCountRoot" {
    type = bigint
    null = true
  }
  primary_key {`) + `
data_migration "crt_counts" {
  table   = "ChannelMembers"
  set     = "MsgCountRoot = MsgCount"
  pending = "MsgCountRoot IS NULL AND MsgCount IS NOT NULL"
}
`
	p := plannedProject(t, "mariadb 10.11", [2]string{"one", one}, [2]string{"two", two})
	p.must("db", "sync", "one")
	p.exec("INSERT INTO ChannelMembers (Id, MsgCount) VALUES " + before)
	p.must("db", "expand")
	p.must("db", "migrate")
	p.exec("INSERT INTO ChannelMembers (Id, MsgCount) VALUES " + after)
	return p
}

// Mattermost 6.1's CRT counts (MsgCountRoot = MsgCount), upgraded as a
// rolling upgrade up to migrate and finished offline with db sync: a row the
// previous release wrote after migrate is pending again. db migrate would
// rewrite it; sync went straight to contract, whose gate refused and sent
// the operator to run `emcee db migrate`, then `emcee db contract`.
func TestSyncAfterMigrateRewritesRowsWrittenSince(t *testing.T) {
	t.Parallel()
	p := migratedThenWrittenProject(t, "(1, 5), (2, NULL)", "(3, 7)")
	r := p.run("db", "sync")
	if r.Code != 0 {
		t.Fatalf("sync after migrate, with a row the previous release wrote since: %s", r)
	}
	opContains(t, r, "ChannelMembers has 1 row pending again", "two_contract01 applied")
	if got := p.query("SELECT GROUP_CONCAT(Id, '=', COALESCE(MsgCountRoot, 'NULL') ORDER BY Id) FROM ChannelMembers"); got != "1=5,2=NULL,3=7" {
		t.Fatalf("rows after sync: %s", got)
	}
}

// A migrate revision backfilling two tables, stopped in the second one
// (--max-rows here; kill -9 leaves the same record). The resumed run said
// "50 rows done before" under u's backfill, which had done 20: the record
// counts the revision's backfills together (t's 30 too), and db status
// and the closing "(N in all)" said the same sum. Each is u's own now.
func TestResumedBackfillCountsItsOwnTable(t *testing.T) {
	t.Parallel()
	a := keyTable("int")
	a += strings.Replace(a[strings.Index(a, `table "t"`):], `table "t"`, `table "u"`, 1)
	b := a + `data_migration "t" {
  table   = "t"
  set     = "name = 'x'"
  pending = "name IS NULL"
}
data_migration "u" {
  table   = "u"
  set     = "name = 'y'"
  pending = "name IS NULL"
}
`
	p := newSchemaProject(t, [2]string{"a", a}, [2]string{"b", b})
	p.must("plan")
	p.must("db", "sync", "a")
	p.exec("INSERT INTO t (id) SELECT seq FROM seq_1_to_30")
	p.exec("INSERT INTO u (id) SELECT seq FROM seq_1_to_40")
	p.must("db", "expand")
	p.must("db", "migrate", "--batch-size", "10", "--max-rows", "50")
	if got := p.query("SELECT (SELECT COUNT(*) FROM t WHERE name IS NULL), (SELECT COUNT(*) FROM u WHERE name IS NULL)"); got != "0 20" {
		t.Fatalf("rows pending in t and u after 50 rows: %s, want 0 20", got)
	}
	opContains(t, p.must("db", "version", "-v"), "b_migrate01: backfill stopped after key 20 (bound 40), 20 rows done")
	r := p.must("db", "migrate", "--batch-size", "10")
	opContains(t, r, "resuming after id = 20 (bound id = 40 fixed when the backfill started; 20 rows done before)", "20 rows backfilled by this run (40 in all)")
}

// A column's gate removed by hand: review and lint took the gate of
// another table for it, reading columns named like the column's table and
// the column (ServerConfig's key on Cluster and Name beside Cluster.Name
// made NOT NULL), and called the change guarded.
func TestGateOfAColumnCountsItsOwnTable(t *testing.T) {
	t.Parallel()
	one := `schema "app" {}

table "Cluster" {
  schema = schema.app
  column "Id" {
    type = int
  }
  column "Name" {
    type = varchar(32)
    null = true
  }
  primary_key {
    columns = [column.Id]
  }
}

table "ServerConfig" {
  schema = schema.app
  column "Id" {
    type = int
  }
  column "Cluster" {
    type = varchar(32)
  }
  column "Name" {
    type = varchar(32)
  }
  primary_key {
    columns = [column.Id]
  }
}
`
	two := strings.TrimSuffix(replaceOnce(one, "    type = varchar(32)\n    null = true\n", "    type = varchar(32)\n"), "}\n") +
		"  index \"UK_Cluster_Name\" {\n    unique  = true\n    columns = [column.Cluster, column.Name]\n  }\n}\n"
	p := plannedProject(t, "mariadb 10.11", [2]string{"one", one}, [2]string{"two", two})
	contract := p.read("plans/two/two_contract01.sql")
	start := strings.Index(contract, "-- rule tighten-column: ")
	if start < 0 || !strings.Contains(contract, "SELECT COUNT(*) FROM `ServerConfig`") {
		t.Fatalf("no gate of Cluster.Name, or none of ServerConfig:\n%s", contract)
	}
	p.editPlan("two/two_contract01.sql", contract[start:start+strings.Index(contract[start:], "\n\n")+2], "")
	edited := p.read("plans/two/two_contract01.sql")
	alter := strings.Count(edited[:strings.Index(edited, "ALTER TABLE `Cluster`")], "\n") + 1
	opContains(t, p.run("lint", "--dev-url", testdb.New(t).URL), fmt.Sprintf("plans/two/two_contract01.sql:%d: EM109 error: tightening of column Cluster.Name", alter))
	opContains(t, p.run("review", "two"), "column Cluster.Name: varchar(32) NULL -> varchar(32) NOT NULL\n      at plans/two/two_contract01.sql:"+fmt.Sprint(alter)+", NOT GUARDED")
}
