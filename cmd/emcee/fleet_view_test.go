package main

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/emcee-db/emcee/apply"
	"github.com/emcee-db/emcee/fleet"
)

// Off a terminal, the lines of targets running at once come out whole,
// each prefixed with its target, and backfill progress goes to stderr the
// same way.
func TestFleetViewPlainLines(t *testing.T) {
	var out, errw bytes.Buffer
	jobs := []fleet.Job{{Name: "mysql://app:****@db1:3306/t1"}, {Name: "mysql://app:****@db2:3306/t2"}}
	v := newFleetView(&out, &errw, jobs)
	if v.bars != nil {
		t.Fatal("bars on a buffer")
	}
	var wg sync.WaitGroup
	for i := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			log, progress := v.start(i)
			for n := range 200 {
				// A line written in pieces stays one line.
				fmt.Fprintf(log, "line %d ", n)
				fmt.Fprintf(log, "of target %d\n", i)
			}
			progress(apply.Progress{Table: "images", Done: 5, Total: 10})
			v.done(i, &fleetTarget{Target: jobs[i].Name, Outcome: outcomeFailed, ExitCode: 1, Error: "first\nsecond"})
		}()
	}
	wg.Wait()
	v.wait()
	for _, l := range strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n") {
		name, rest, _ := strings.Cut(l, ": ")
		i := strings.Index(name, "/t") + 2
		if strings.HasPrefix(rest, "line ") && !strings.HasSuffix(rest, "of target "+fmt.Sprint(int(name[i]-'1'))) {
			t.Fatalf("mixed line: %q", l)
		}
	}
	for _, want := range []string{
		"mysql://app:****@db2:3306/t2: failed (exit 1): first\nmysql://app:****@db2:3306/t2: second\n",
		"mysql://app:****@db1:3306/t1: line 199 of target 0\n",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("stdout lacks %q", want)
		}
	}
	if !strings.Contains(errw.String(), "mysql://app:****@db1:3306/t1:     backfill images: 5 of 10 rows (50%)\n") {
		t.Errorf("stderr: %q", errw.String())
	}
}
