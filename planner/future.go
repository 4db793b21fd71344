package planner

import "sync"

// future is a value computed once, either in the background (start) or by
// the first caller that needs it (get).
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

// start computes the value in the background; diff.Load bounds how many
// releases are evaluated at a time.
func (f *future[T]) start() { go func() { _, _ = f.get() }() }
