package fleet

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

func jobs(n int, key func(i int) string) []Job {
	out := make([]Job, n)
	for i := range out {
		out[i] = Job{Name: fmt.Sprintf("db%02d", i)}
		if key != nil {
			out[i].Key = key(i)
		}
	}
	return out
}

// gate lets a test hold jobs running until it has seen how many run at
// once: no clock involved.
type gate struct {
	mu      sync.Mutex
	running int
	peak    int
	order   []int
}

func (g *gate) enter(i int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.running++
	g.peak = max(g.peak, g.running)
	g.order = append(g.order, i)
}

func (g *gate) leave() {
	g.mu.Lock()
	g.running--
	g.mu.Unlock()
}

func TestRunBoundsParallelism(t *testing.T) {
	for _, p := range []int{0, 1, 3, 20} {
		t.Run(fmt.Sprint(p), func(t *testing.T) {
			var g gate
			// Jobs wait for each other in rounds of the bound, so the
			// peak reaches the bound exactly when the runner lets it.
			want := min(max(p, 1), 10)
			var arrived atomic.Int32
			release := make(chan struct{})
			var once sync.Once
			out := Run(context.Background(), jobs(10, nil), Options{Parallel: p}, func(_ context.Context, i int) bool {
				g.enter(i)
				defer g.leave()
				if int(arrived.Add(1)) == want {
					once.Do(func() { close(release) })
				}
				<-release
				return false
			})
			if g.peak != want {
				t.Errorf("peak %d running at once, want %d", g.peak, want)
			}
			for i, o := range out {
				if !o.Ran || o.Failed || o.Skipped != "" {
					t.Errorf("job %d: %+v", i, o)
				}
			}
		})
	}
}

func TestRunFailureDoesNotStopTheOthers(t *testing.T) {
	out := Run(context.Background(), jobs(6, nil), Options{Parallel: 2}, func(_ context.Context, i int) bool { return i == 1 || i == 4 })
	for i, o := range out {
		if !o.Ran || o.Failed != (i == 1 || i == 4) {
			t.Errorf("job %d: %+v", i, o)
		}
	}
}

func TestRunCanaryFirst(t *testing.T) {
	var g gate
	out := Run(context.Background(), jobs(6, nil), Options{Parallel: 4, Canary: 2}, func(_ context.Context, i int) bool {
		g.enter(i)
		g.leave()
		return false
	})
	for i, o := range out {
		if !o.Ran {
			t.Errorf("job %d did not run: %+v", i, o)
		}
	}
	// The two canaries started (and finished) before any other started.
	first := append([]int{}, g.order[:2]...)
	if !(first[0]+first[1] == 1) {
		t.Errorf("started first: %v, want the canaries 0 and 1", g.order)
	}

	ran := map[int]bool{}
	var mu sync.Mutex
	out = Run(context.Background(), jobs(6, nil), Options{Parallel: 4, Canary: 2}, func(_ context.Context, i int) bool {
		mu.Lock()
		ran[i] = true
		mu.Unlock()
		return i == 1
	})
	if len(ran) != 2 || !ran[0] || !ran[1] {
		t.Fatalf("a failed canary let others start: ran %v", ran)
	}
	for i, o := range out[2:] {
		if o.Ran || o.Skipped != "not started: canary db01 failed" {
			t.Errorf("job %d: %+v", i+2, o)
		}
	}
	if !out[0].Ran || out[0].Failed || !out[1].Failed {
		t.Errorf("canaries: %+v", out[:2])
	}
}

func TestRunFailFast(t *testing.T) {
	out := Run(context.Background(), jobs(5, nil), Options{Parallel: 1, FailFast: true}, func(_ context.Context, i int) bool { return i == 2 })
	for i, o := range out {
		switch {
		case i <= 2 && !o.Ran:
			t.Errorf("job %d did not run: %+v", i, o)
		case i > 2 && (o.Ran || o.Skipped != "not started: --fail-fast after db02 failed"):
			t.Errorf("job %d: %+v", i, o)
		}
	}
	// Without it, every job is tried.
	out = Run(context.Background(), jobs(5, nil), Options{Parallel: 1}, func(_ context.Context, i int) bool { return i == 2 })
	for i, o := range out {
		if !o.Ran {
			t.Errorf("job %d skipped without --fail-fast: %+v", i, o)
		}
	}
}

// Jobs sharing a key (a dev database) never run at the same time; the
// others do.
func TestRunKeyedJobsTakeTurns(t *testing.T) {
	var mu sync.Mutex
	running := map[string]int{}
	clash := ""
	Run(context.Background(), jobs(12, func(i int) string { return []string{"dev-a", "dev-b", ""}[i%3] }), Options{Parallel: 6}, func(_ context.Context, i int) bool {
		k := []string{"dev-a", "dev-b", ""}[i%3]
		mu.Lock()
		running[k]++
		if k != "" && running[k] > 1 {
			clash = k
		}
		mu.Unlock()
		for range 1000 { // time for another job with the key to start, were it let
			runtime.Gosched()
			mu.Lock()
			_ = running[k]
			mu.Unlock()
		}
		mu.Lock()
		running[k]--
		mu.Unlock()
		return false
	})
	if clash != "" {
		t.Fatalf("two jobs with key %s ran at once", clash)
	}
}

func TestRunInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	out := Run(ctx, jobs(4, nil), Options{Parallel: 1}, func(_ context.Context, i int) bool {
		if i == 1 {
			cancel()
		}
		return false
	})
	for i, o := range out {
		if (i <= 1) != o.Ran || (i > 1 && !strings.Contains(o.Skipped, "interrupted")) {
			t.Errorf("job %d: %+v", i, o)
		}
	}
}
