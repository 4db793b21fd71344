package sqlsyntax_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/emcee-db/emcee/sqlsyntax"
)

// Files are read concurrently (a planner evaluates releases at once): an
// Atlas scanner keeps the script it splits in itself, so each read needs
// its own, or the reads split each other's files.
func TestReadScriptConcurrently(t *testing.T) {
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			src := ""
			for i := range g + 1 {
				src += fmt.Sprintf("CREATE TABLE t%d_%d (id int);\n", g, i)
			}
			for range 200 {
				stmts, err := sqlsyntax.ReadScript(src)
				if err != nil {
					t.Error(err)
					return
				}
				if len(stmts) != g+1 {
					t.Errorf("file %d: %d statements, want %d", g, len(stmts), g+1)
					return
				}
			}
		}()
	}
	wg.Wait()
}
