package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emcee-db/emcee/internal/testdb"
)

// BenchmarkOSCWiden measures issue 14's int -> bigint on a table of
// EMCEE_BENCH_ROWS rows (default 1,000,000) under concurrent writes, both
// ways in one run: "copy" is `emcee db expand` with the server copying the
// table (ALGORITHM=COPY, LOCK=SHARED), "pt-osc" the same with --osc pt-osc.
// For each, on its own database seeded alike: EMCEE_BENCH_WRITERS writers
// (default 4; an UPDATE by a random key or an INSERT, EMCEE_BENCH_THROTTLE
// apart, default 5ms) run alone for EMCEE_BENCH_BASELINE (default 10s: the
// no-DDL baseline), then while emcee runs. Reported: the expand's duration,
// the writes' p99 in each phase and its ratio, and failed statements.
// EMCEE_BENCH_OSC_CHUNK sets pt-online-schema-change's chunk time
// (--osc-chunk-time; default: emcee's), EMCEE_BENCH_OSC_SLEEP its pause
// after each chunk (--osc-sleep; default: none); EMCEE_BENCH_MODES the ways to
// run, comma-separated (default "copy,pt-osc"). The writers keep a
// ledger of the writes the server acknowledged; after the expand every
// row of the table is compared with it.
func BenchmarkOSCWiden(b *testing.B) {
	needPtOSCBench(b)
	n := benchRows(b)
	writers := benchInt(b, "EMCEE_BENCH_WRITERS", 4)
	throttle := benchDuration(b, "EMCEE_BENCH_THROTTLE", 5*time.Millisecond)
	baseline := benchDuration(b, "EMCEE_BENCH_BASELINE", 10*time.Second)
	modes := []string{"copy", "pt-osc"}
	if m := os.Getenv("EMCEE_BENCH_MODES"); m != "" {
		modes = strings.Split(m, ",")
	}
	var lines []string
	for _, mode := range modes {
		if mode != "copy" && mode != "pt-osc" {
			b.Fatalf("EMCEE_BENCH_MODES=%q: want copy, pt-osc or both, comma-separated", os.Getenv("EMCEE_BENCH_MODES"))
		}
		b.Run(mode, func(b *testing.B) {
			for b.Loop() {
				r := runWiden(b, mode, n, writers, throttle, baseline)
				b.ReportMetric(r.ddl.Seconds(), "expand-s")
				b.ReportMetric(ms(r.p99Base), "base-p99-ms")
				b.ReportMetric(ms(r.p99DDL), "ddl-p99-ms")
				b.ReportMetric(ms(r.p99DDL)/ms(r.p99Base), "p99-ratio")
				b.ReportMetric(float64(r.failed), "failed")
				lines = append(lines, fmt.Sprintf("| %s | %d | %.1f s | %.1f ms (%d writes) | %.1f ms (%d writes) | %.1fx | %.0f ms | %d %s | %d, 0 differ |",
					mode, n, r.ddl.Seconds(), ms(r.p99Base), r.nBase, ms(r.p99DDL), r.nDDL, ms(r.p99DDL)/ms(r.p99Base), ms(r.maxDDL), r.failed, r.errors, r.checked))
			}
		})
	}
	fmt.Println("| mode | rows | expand | write p99 baseline | write p99 during expand | ratio | worst write during expand | failed statements | rows compared with the ledger |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|")
	for _, l := range lines {
		fmt.Println(l)
	}
}

type widenResult struct {
	ddl                     time.Duration
	p99Base, p99DDL, maxDDL time.Duration
	nBase, nDDL             int
	failed                  int64
	errors                  string // failures by server error number
	checked                 int    // rows compared with the writers' ledger
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func runWiden(b *testing.B, mode string, n, writers int, throttle, baseline time.Duration) widenResult {
	b.Helper()
	db := testdb.New(b)
	dir := b.TempDir()
	v1 := oscRelease("events", "hits", "int")
	v2 := strings.Replace(oscRelease("events", "hits", "bigint"), "    type = bigint\n", "    type       = bigint\n    allow_copy = true\n", 1)
	opWrite(b, filepath.Join(dir, "schema", "v1.hcl"), []byte(v1))
	opWrite(b, filepath.Join(dir, "schema", "v2.hcl"), []byte(v2))
	opWrite(b, filepath.Join(dir, "atlas.hcl"), []byte("env \"test\" {\n  url = \""+db.URL+"\"\n}\n\nemcee {\n  target   = \"mariadb 10.11\"\n  releases = [\"v1\", \"v2\"]\n}\n"))
	emcee := func(args ...string) (string, time.Duration) {
		cmd := exec.Command(opBinary(b), args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "EMCEE_URL=")
		start := time.Now()
		out, err := cmd.CombinedOutput()
		took := time.Since(start)
		if err != nil {
			b.Fatalf("emcee %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out), took
	}
	emcee("plan")
	emcee("db", "sync", "v1", "--env", "test")
	for from := 1; from <= n; from += 250_000 {
		to := min(from+250_000-1, n)
		if _, err := db.Exec(fmt.Sprintf("INSERT INTO events (hits, label) SELECT seq, CONCAT('l', seq) FROM seq_%d_to_%d", from, to)); err != nil {
			b.Fatal(err)
		}
	}
	// The application's own connections: the server's timeouts, not
	// emcee's, so a write blocked by the table copy waits as it would.
	w := startWriters(b, db, writers, throttle)
	time.Sleep(baseline)
	args := []string{"db", "expand", "--env", "test"}
	if mode == "pt-osc" {
		args = append(args, "--osc", "pt-osc")
		if c := os.Getenv("EMCEE_BENCH_OSC_CHUNK"); c != "" {
			args = append(args, "--osc-chunk-time", c)
		}
		if c := os.Getenv("EMCEE_BENCH_OSC_SLEEP"); c != "" {
			args = append(args, "--osc-sleep", c)
		}
	}
	w.phase.Store(1)
	out, took := emcee(args...)
	w.stop()
	if mode == "pt-osc" && !strings.Contains(out, "handed to pt-online-schema-change") || mode == "copy" && strings.Contains(out, "handed to") {
		b.Fatalf("%s: the expand did not run as asked:\n%s", mode, out)
	}
	var typ string
	if err := db.QueryRow("SELECT DATA_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'events' AND COLUMN_NAME = 'hits'").Scan(&typ); err != nil || typ != "bigint" {
		b.Fatalf("%s: hits is %q after the expand (%v)", mode, typ, err)
	}
	r := widenResult{ddl: took, failed: w.failed.Load(), nBase: len(w.lat[0]), nDDL: len(w.lat[1])}
	r.checked = w.compare(b, db.DB)
	r.p99Base, _ = percentile(w.lat[0], 0.99)
	r.p99DDL, r.maxDDL = percentile(w.lat[1], 0.99)
	r.errors = countCodes(w.byCode)
	return r
}

// percentile is the p-th quantile of the durations, and the largest.
func percentile(d []time.Duration, p float64) (time.Duration, time.Duration) {
	if len(d) == 0 {
		return 0, 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	i := int(float64(len(s))*p+0.5) - 1
	return s[max(0, min(i, len(s)-1))], s[len(s)-1]
}

func needPtOSCBench(b *testing.B) {
	if _, err := exec.LookPath("pt-online-schema-change"); err != nil {
		b.Skip("pt-online-schema-change is not installed (apt-get install percona-toolkit)")
	}
}

func benchInt(b *testing.B, name string, def int) int {
	if v := os.Getenv(name); v != "" {
		var n int
		if _, err := fmt.Sscan(v, &n); err != nil || n < 1 {
			b.Fatalf("%s=%q: want a positive number", name, v)
		}
		return n
	}
	return def
}

func benchDuration(b *testing.B, name string, def time.Duration) time.Duration {
	if v := os.Getenv(name); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			b.Fatalf("%s=%q: %v", name, v, err)
		}
		return d
	}
	return def
}
