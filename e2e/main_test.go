package e2e

import (
	"fmt"
	"os"
	"testing"
)

// TestMain gives the emcee binary the tests run an evaluation cache of its
// own, so that the tests neither read nor fill the user's.
func TestMain(m *testing.M) {
	if os.Getenv("EMCEE_CACHE_DIR") != "" {
		os.Exit(m.Run())
	}
	dir, err := os.MkdirTemp("", "emcee-e2e-cache-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Setenv("EMCEE_CACHE_DIR", dir)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
