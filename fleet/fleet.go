// Package fleet runs one job on many databases: at most Parallel at once,
// the first Canary alone before the rest, and no new start after a failure
// under FailFast. It knows nothing of what a job does: a db command runs on
// each database exactly as on one (its own lock, history and resume), and
// reports whether that failed.
package fleet

import (
	"context"
	"fmt"
	"sync"
)

// Options bound a run.
type Options struct {
	// Parallel is how many jobs run at once (below 1: one).
	Parallel int
	// Canary is how many jobs, the first of the list, run (and finish)
	// before any other starts; if one of them fails, no other starts.
	Canary int
	// FailFast starts no job after one has failed; those running finish.
	FailFast bool
}

// Job is one database of the run.
type Job struct {
	Name string
	// Key, when set, is a resource the job needs alone (a shared dev
	// database): jobs with the same key never run at the same time.
	Key string
}

// Outcome is what became of a job.
type Outcome struct {
	Ran    bool
	Failed bool
	// Skipped says why a job that did not run was not started.
	Skipped string
}

// Run runs the jobs and returns their outcomes, in the jobs' order. run
// does job i and reports whether it failed; it is called from several
// goroutines at once. Jobs start in the order given. When ctx is done, no
// job starts; those running get ctx and stop as they can.
func Run(ctx context.Context, jobs []Job, o Options, run func(ctx context.Context, i int) (failed bool)) []Outcome {
	out := make([]Outcome, len(jobs))
	r := &runner{jobs: jobs, out: out, run: run, keys: map[string]*sync.Mutex{}}
	for _, j := range jobs {
		if j.Key != "" && r.keys[j.Key] == nil {
			r.keys[j.Key] = &sync.Mutex{}
		}
	}
	k := min(max(o.Canary, 0), len(jobs))
	if k > 0 {
		r.phase(ctx, 0, k, o)
		var failed []string
		for i := range k {
			if out[i].Failed {
				failed = append(failed, jobs[i].Name)
			}
		}
		if len(failed) > 0 {
			why := fmt.Sprintf("not started: canary %s failed", failed[0])
			if len(failed) > 1 {
				why = fmt.Sprintf("not started: %d of the %d canaries failed", len(failed), k)
			}
			for i := k; i < len(jobs); i++ {
				out[i].Skipped = why
			}
			return out
		}
	}
	r.phase(ctx, k, len(jobs), o)
	return out
}

type runner struct {
	jobs []Job
	out  []Outcome
	run  func(context.Context, int) bool
	keys map[string]*sync.Mutex

	mu      sync.Mutex
	stopped string // why no job starts any more
}

func (r *runner) phase(ctx context.Context, from, to int, o Options) {
	slots := make(chan struct{}, max(o.Parallel, 1))
	var wg sync.WaitGroup
	for i := from; i < to; i++ {
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			if m := r.keys[r.jobs[i].Key]; m != nil {
				m.Lock()
				defer m.Unlock()
			}
			// Checked once the job holds its slot and key: a failure or
			// an interrupt while it waited stops it too.
			if why := r.stop(ctx); why != "" {
				r.out[i].Skipped = why
				return
			}
			failed := r.run(ctx, i)
			r.mu.Lock()
			defer r.mu.Unlock()
			r.out[i].Ran, r.out[i].Failed = true, failed
			if failed && o.FailFast && r.stopped == "" {
				r.stopped = "not started: --fail-fast after " + r.jobs[i].Name + " failed"
			}
		})
	}
	wg.Wait()
}

func (r *runner) stop(ctx context.Context) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopped == "" && ctx.Err() != nil {
		r.stopped = "not started: interrupted"
	}
	return r.stopped
}
