package e2e

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emcee-db/emcee/apply"
	"github.com/emcee-db/emcee/dbconn"
	"github.com/emcee-db/emcee/internal/testdb"
	"github.com/emcee-db/emcee/planner"
	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/revision"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// BenchmarkDataMigrationDelete measures a data_migration's delete on a
// table of EMCEE_BENCH_ROWS rows (default 1,000,000), one row in 20 a
// duplicate of the row before it (50,000 deleted), while a writer updates
// random rows of the table every 2 ms: "one" sends the planned DELETE as
// the applier did before (one statement), "batched" runs contract through
// apply.Session (batches of --batch-size 2000, the default, or
// EMCEE_BENCH_BATCH). Per predicate
// form: "notin", id NOT IN (SELECT MIN(id) ... GROUP BY), with no index on
// the key (the case docs/rules-triggers.md measured at 27 s); "exists",
// the correlated EXISTS (... d.id < category.id) with a non-unique index
// on (project_id, name). Reported: the delete's seconds, and the writer's
// p99 and longest update while it ran, and its updates that waited past
// the server's innodb_lock_wait_timeout (failed with 1205).
func BenchmarkDataMigrationDelete(b *testing.B) {
	n := benchRows(b)
	for _, pred := range []struct{ name, index, delete string }{
		{"notin", "", "id NOT IN (SELECT MIN(id) FROM category GROUP BY project_id, name)"},
		{"exists", "  index \"ix_category\" {\n    columns = [column.project_id, column.name]\n  }\n", "EXISTS (SELECT 1 FROM category AS d WHERE d.project_id = category.project_id AND d.name = category.name AND d.id < category.id)"},
	} {
		for _, mode := range []string{"one", "batched"} {
			b.Run(pred.name+"/"+mode, func(b *testing.B) {
				for b.Loop() {
					benchDelete(b, n, pred.index, pred.delete, mode == "batched")
				}
			})
		}
	}
}

func benchDelete(b *testing.B, n int, index, pred string, batched bool) {
	ctx := context.Background()
	db := testdb.New(b)
	table := func(unique string) string {
		return "schema \"app\" {}\ntable \"category\" {\n  schema = schema.app\n  column \"id\" {\n    type = int\n    auto_increment = true\n  }\n  column \"project_id\" {\n    type = int\n  }\n  column \"name\" {\n    type = varchar(128)\n  }\n  column \"status\" {\n    type    = int\n    default = 0\n  }\n  primary_key {\n    columns = [column.id]\n  }\n" + index + unique + "}\n"
	}
	dir := b.TempDir()
	opWrite(b, filepath.Join(dir, "schema", "before.hcl"), []byte(table("")))
	opWrite(b, filepath.Join(dir, "schema", "after.hcl"), []byte(table("  index \"uq_category\" {\n    unique  = true\n    columns = [column.project_id, column.name]\n  }\n")+
		"data_migration \"dedupe\" {\n  table  = \"category\"\n  delete = "+fmt.Sprintf("%q", pred)+"\n}\n"))
	opWrite(b, filepath.Join(dir, "atlas.hcl"), []byte("emcee {\n  target   = \"mariadb 10.11\"\n  releases = [\"before\", \"after\"]\n}\n"))
	p, err := project.Load(filepath.Join(dir, "atlas.hcl"))
	if err != nil {
		b.Fatal(err)
	}
	out, err := planner.Plan(p, planner.Options{})
	if err != nil {
		b.Fatal(err)
	}
	if err := out.Write(); err != nil {
		b.Fatal(err)
	}
	cfg, err := dbconn.Parse(db.URL)
	if err != nil {
		b.Fatal(err)
	}
	var mu sync.Mutex
	var started, finished time.Time
	// The delete starts when contract says so, before it reads the keys.
	log := &markWriter{mark: "data-migration: delete category in", at: func() {
		mu.Lock()
		defer mu.Unlock()
		started = time.Now()
	}}
	session := func() *apply.Session {
		batch := 0 // apply.DefaultBatchSize
		if v := os.Getenv("EMCEE_BENCH_BATCH"); v != "" {
			if batch, err = strconv.Atoi(v); err != nil {
				b.Fatalf("EMCEE_BENCH_BATCH: %v", err)
			}
		}
		s, err := apply.Open(ctx, p, cfg, apply.Options{Tool: "bench", BatchSize: batch, Log: log, Progress: func(pr apply.Progress) {
			mu.Lock()
			defer mu.Unlock()
			if pr.Step == "delete" && pr.Finished {
				finished = time.Now()
			}
		}})
		if err != nil {
			b.Fatal(err)
		}
		return s
	}
	s := session()
	if _, err := s.Sync(ctx, "before", false); err != nil {
		b.Fatalf("%v\n%s", err, log.String())
	}
	// Row seq duplicates row seq-1 when seq is a multiple of 20.
	for _, q := range []string{
		fmt.Sprintf("INSERT INTO category (id, project_id, name) SELECT seq, IF(seq %% 20 = 0, seq - 1, seq) %% 100, CONCAT('c', IF(seq %% 20 = 0, seq - 1, seq)) FROM seq_1_to_%d", n),
		"ANALYZE TABLE category",
	} {
		if _, err := db.Exec(q); err != nil {
			b.Fatalf("%s: %v", q, err)
		}
	}
	if _, err := s.Expand(ctx); err != nil {
		b.Fatalf("%v\n%s", err, log.String())
	}
	if _, err := s.Migrate(ctx); err != nil {
		b.Fatalf("%v\n%s", err, log.String())
	}
	s.Close()

	// The writer: one update of a random row every 2 ms, on a connection
	// of its own, each timed.
	stop := make(chan struct{})
	type write struct {
		at  time.Time
		dur time.Duration
	}
	var lat []write
	failed := 0
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Millisecond):
			}
			t0 := time.Now()
			_, err := db.Exec("UPDATE category SET status = status + 1 WHERE id = ?", 1+rand.IntN(n))
			if err != nil && !dbconn.ServerError(err, 1205) {
				b.Errorf("writer: %v", err)
				return
			}
			mu.Lock()
			lat = append(lat, write{t0, time.Since(t0)})
			if err != nil {
				failed++ // a lock wait timeout: the write waited all it may
			}
			mu.Unlock()
		}
	}()
	if batched {
		s := session()
		if _, err := s.Contract(ctx); err != nil {
			b.Fatalf("%v\n%s", err, log.String())
		}
		s.Close()
	} else {
		plans, err := revision.ReadPlans(p.PlansDir, p.Releases)
		if err != nil {
			b.Fatal(err)
		}
		var del string
		for _, rev := range plans.Of("after", revision.Contract) {
			for _, st := range rev.Statements {
				if sqlsyntax.DeletedCount(st.SQL) != "" {
					del = st.SQL
				}
			}
		}
		mu.Lock()
		started = time.Now()
		mu.Unlock()
		if _, err := db.Exec(del); err != nil {
			b.Fatalf("%s: %v", del, err)
		}
		mu.Lock()
		finished = time.Now()
		mu.Unlock()
	}
	close(stop)
	wg.Wait()
	var left int64
	if err := db.QueryRow("SELECT COUNT(*) FROM category").Scan(&left); err != nil {
		b.Fatal(err)
	}
	if want := int64(n - n/20); left != want {
		b.Fatalf("%d rows left, want %d\n%s", left, want, log.String())
	}
	// The writes that started while the delete ran, or ended after it
	// started.
	var during []time.Duration
	mu.Lock()
	for _, w := range lat {
		if w.at.Before(finished) && w.at.Add(w.dur).After(started) {
			during = append(during, w.dur)
		}
	}
	mu.Unlock()
	slices.Sort(during)
	var p99, worst time.Duration
	if len(during) > 0 {
		p99, worst = during[len(during)*99/100], during[len(during)-1]
	}
	b.ReportMetric(finished.Sub(started).Seconds(), "delete-s")
	b.ReportMetric(float64(p99.Microseconds())/1000, "writer-p99-ms")
	b.ReportMetric(float64(worst.Microseconds())/1000, "writer-max-ms")
	b.ReportMetric(float64(len(during)), "writes")
	b.ReportMetric(float64(failed), "writes-timed-out")
}

// markWriter is a run's log, which calls at when a line holding mark is
// written.
type markWriter struct {
	syncBuffer
	mark string
	at   func()
}

func (w *markWriter) Write(p []byte) (int, error) {
	if strings.Contains(string(p), w.mark) {
		w.at()
	}
	return w.syncBuffer.Write(p)
}
