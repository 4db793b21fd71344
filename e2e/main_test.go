package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

func TestMain(m *testing.M) { os.Exit(testMain(m)) }

// testMain gives the emcee binary the tests run an evaluation cache of its
// own, so that the tests neither read nor fill the user's, and removes the
// binaries it built afterwards: each run left two (47 MB each) in the
// temporary directory.
func testMain(m *testing.M) int {
	if os.Getenv("EMCEE_CACHE_DIR") == "" {
		dir, err := os.MkdirTemp("", "emcee-e2e-cache-")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(dir)
		os.Setenv("EMCEE_CACHE_DIR", dir)
	}
	defer func() {
		for _, bin := range []string{opBinPath, docsBinPath} {
			if bin != "" {
				os.RemoveAll(filepath.Dir(bin))
			}
		}
	}()
	return m.Run()
}
