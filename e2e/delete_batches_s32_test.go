package e2e

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emcee-db/emcee/apply"
	"github.com/emcee-db/emcee/dbconn"
)

// dedupeCategory deletes every category but the lowest id of each
// (project_id, name), before contract adds the unique key on them.
const dedupeCategory = `
data_migration "dedupe_category" {
  table  = "category"
  delete = "EXISTS (SELECT 1 FROM category AS d WHERE d.project_id = category.project_id AND d.name = category.name AND d.id < category.id)"
}
`

// categoryBefore is seedCategory without its unique key.
var categoryBefore = strings.Replace(seedCategory, "  index \"uq_category\" {\n    unique  = true\n    columns = [column.project_id, column.name]\n  }\n", "", 1)

// A data_migration's delete ran in contract as one DELETE (27 s holding
// the locks of 50,000 rows of 1,000,000): it runs now in primary-key
// batches, as migrate's backfills do, each committed with its progress.
// Through apply.Session, batches of two keys: while the delete runs, a
// reader on another connection sees the rows of the committed batches
// gone and the others still there.
func TestDataMigrationDeleteRunsInBatches(t *testing.T) {
	t.Parallel()
	r := newRuleProject(t, categoryBefore, seedCategory+dedupeCategory)
	r.must("before")
	// 30 rows, 6 of each project: the lowest id of each project stays.
	execAll(t, r.db.DB, "the previous release's duplicates", []string{
		"INSERT INTO category (id, project_id, name) SELECT seq, seq % 5, 'c' FROM seq_1_to_30",
	})
	r.must("expand")
	r.must("migrate")

	cfg, err := dbconn.Parse(r.db.URL)
	if err != nil {
		t.Fatal(err)
	}
	var log strings.Builder
	var seen []string // rows left, as another connection reads them after each batch
	var steps []apply.Progress
	s, err := apply.Open(context.Background(), r.p, cfg, apply.Options{Tool: "e2e", BatchSize: 2, Log: &log, Progress: func(p apply.Progress) {
		steps = append(steps, p)
		if p.Step == "delete" && p.Done > 0 && !p.Finished {
			seen = append(seen, rows(t, r.db.DB, "SELECT COUNT(*) FROM category"))
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Contract(context.Background()); err != nil {
		t.Fatalf("contract: %v\n%s", err, log.String())
	}
	if got := rows(t, r.db.DB, "SELECT GROUP_CONCAT(id ORDER BY id) FROM category"); got != "1,2,3,4,5" {
		t.Fatalf("after contract: %s", got)
	}
	assertSchema(t, r.db, r.declared)
	if !slices.ContainsFunc(seen, func(n string) bool { return n != "30" && n != "5" }) {
		t.Fatalf("the delete was not seen part way (rows left after each batch: %v; progress %+v)\n%s", seen, steps, log.String())
	}
	for _, want := range []string{"delete category in batches of 2", "25 rows to delete up to id = 30", "deleted 25 rows by this run (25 in all)"} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("contract's log lacks %q:\n%s", want, log.String())
		}
	}
}

// Killed (kill -9) in a batch of the delete, contract resumes after the
// last committed batch: the rows of the batches before are gone, those
// after are there, the dry run counts the rows left to delete, and the
// rerun deletes them and adds the unique key. Before, the one DELETE
// rolled back whole, and a rerun started again from the first row.
func TestDataMigrationDeleteKilledResumes(t *testing.T) {
	t.Parallel()
	p := plannedProject(t, "mariadb 10.11", [2]string{"before", "schema \"app\" {}\n" + categoryBefore}, [2]string{"after", "schema \"app\" {}\n" + seedCategory + dedupeCategory})
	p.must("db", "sync", "before")
	// 600 rows, 12 of each of 50 projects: ids 1-50 stay.
	p.exec("INSERT INTO category (id, project_id, name) SELECT seq, seq % 50, 'c' FROM seq_1_to_600")
	p.must("db", "expand")
	p.must("db", "migrate")

	dry := p.must("db", "contract", "--dry-run", "--batch-size", "50")
	opContains(t, dry, "-- deletes 550 rows now (SELECT COUNT(1) FROM `category` WHERE (EXISTS", "550 rows to delete", "SELECT `id` FROM `category` WHERE (EXISTS (SELECT 1 FROM `category` AS `d` WHERE `d`.`project_id` = `category`.`project_id` AND `d`.`name` = `category`.`name` AND `d`.`id` < `category`.`id`)) AND `id` > ? AND `id` <= ? ORDER BY `id`;", "DELETE FROM `category` WHERE `id` IN (?,?,?);")

	// An application transaction holds row 301: the batch that deletes it
	// waits (the batches before it committed), and contract is killed.
	_, release := p.lockRows("SELECT * FROM category WHERE id = 301 FOR UPDATE")
	run := p.start("db", "contract", "--batch-size", "50")
	for !exited(run.cmd) && p.query("SELECT COUNT(*) FROM information_schema.INNODB_TRX t JOIN information_schema.PROCESSLIST l ON l.ID = t.trx_mysql_thread_id WHERE t.trx_state = 'LOCK WAIT' AND l.DB = ? AND l.INFO LIKE 'DELETE FROM `category` WHERE `id` IN (%'", p.DB.Name) == "0" && !strings.Contains(run.out.String(), "Error 1205") {
		time.Sleep(200 * time.Millisecond) // InnoDB makes INNODB_TRX again only once it was not read for 0.1 s
	}
	if exited(run.cmd) {
		t.Fatalf("contract ended before the held row: %s", run.wait(t))
	}
	_ = run.cmd.Process.Kill()
	run.wait(t)
	release()
	// The server ends the killed run's session, and frees its lock, once
	// it meets the closed socket: its batch, let through, is rolled back.
	p.waitFor("the killed run's session to end", func() bool {
		return p.query("SELECT IS_USED_LOCK(?) IS NULL", "emcee:"+p.DB.Name) == "1"
	})
	// The batch that waits is the one whose range reads row 301: InnoDB
	// locks the record after a range's end too, so it may be the batch
	// ending at 300. Every batch before it committed, with its progress.
	done, err := strconv.Atoi(p.query("SELECT CAST(resume_key AS CHAR) FROM emcee_revisions WHERE name = 'after_contract01'"))
	if err != nil || done < 100 || done > 300 || done%50 != 0 {
		t.Fatalf("the version table records the delete at %d (%v): want the end of a batch before row 301", done, err)
	}
	if got := p.query("SELECT COUNT(*) FROM category WHERE id <= ?", done); got != "50" {
		t.Fatalf("after kill -9, %s rows left of ids 1-%d: want 50, the committed batches' deletes", got, done)
	}
	left := 600 - done
	if got := p.query("SELECT COUNT(*) FROM category WHERE id > ?", done); got != strconv.Itoa(left) {
		t.Fatalf("the killed batch deleted rows: %s of %d left after id %d", got, left, done)
	}

	after := fmt.Sprintf("resuming after id = %d", done)
	dry = p.must("db", "contract", "--dry-run", "--batch-size", "50")
	opContains(t, dry, fmt.Sprintf("-- deletes %d rows now", left), after)
	r := p.must("db", "contract", "--batch-size", "50")
	opContains(t, r, after, fmt.Sprintf("%d rows to delete up to id = 600", left), fmt.Sprintf("deleted %d rows by this run (550 in all)", left))
	if got := p.query("SELECT COUNT(*), MAX(id) FROM category"); got != "50 50" {
		t.Fatalf("after the resumed contract: %s", got)
	}
	p.must("db", "diff")
}
