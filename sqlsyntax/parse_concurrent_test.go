package sqlsyntax

import (
	"fmt"
	"runtime"
	"sync"
	"testing"
)

// Parses at once (a fleet's targets read their plans together) each keep
// their own statements, also after the parser went back to the pool.
func TestParseConcurrently(t *testing.T) {
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				want := fmt.Sprintf("SELECT %d FROM `t%d`", i, g)
				stmts, err := parse(want)
				if err != nil {
					errs <- err
					return
				}
				runtime.Gosched() // another parse takes the parser meanwhile
				got, err := Restore(stmts[0])
				if err != nil || got != want {
					errs <- fmt.Errorf("parsed %q, hold %q (%v)", want, got, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
