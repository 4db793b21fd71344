package planner

import "sync"

// future is a value computed once, either in the background (start) or by
// the first caller that needs it (get). Evaluating a large release takes a
// fraction of a second of pure CPU; independent releases run side by side.
type future[T any] struct {
	once sync.Once
	f    func() (T, error)
	v    T
	err  error
}

func newFuture[T any](f func() (T, error)) *future[T] { return &future[T]{f: f} }

func (f *future[T]) get() (T, error) {
	f.once.Do(func() { f.v, f.err = f.f() })
	return f.v, f.err
}

// start computes the value in the background, at most len(sem) at a time.
func (f *future[T]) start(sem chan struct{}) {
	go func() {
		sem <- struct{}{}
		defer func() { <-sem }()
		_, _ = f.get()
	}()
}
