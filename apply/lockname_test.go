package apply

import (
	"strings"
	"testing"

	"github.com/emcee-db/emcee/dbconn"
)

// The operator lock's and the tool lock's names, byte for byte: runs of
// different emcee versions on one database exclude each other only while
// they derive the same names. The prefix and the database's name up to
// the server's 64 characters, the prefix and the hex of the name's SHA-1
// beyond. devdb names its dev database lock another way (TestDevLockName);
// the two are not merged, since one of them would have to change.
func TestLockNames(t *testing.T) {
	for db, want := range map[string][2]string{
		"glance":                {"emcee:glance", "emcee:osc:glance"},
		strings.Repeat("o", 54): {"emcee:" + strings.Repeat("o", 54), "emcee:osc:" + strings.Repeat("o", 54)},
		strings.Repeat("o", 55): {"emcee:" + strings.Repeat("o", 55), "emcee:osc:2328487cc880b1c4a6d93b70f078c17d5f0d12c6"},
		strings.Repeat("d", 58): {"emcee:" + strings.Repeat("d", 58), "emcee:osc:f276410310706251dab7e099ef96a0a0867f51bd"},
		strings.Repeat("d", 59): {"emcee:2a9d7d84b31ca24f0c991656d1e3cc5eb7b746fd", "emcee:osc:2a9d7d84b31ca24f0c991656d1e3cc5eb7b746fd"},
	} {
		s := &Session{Cfg: &dbconn.Config{Database: db}}
		if got := [2]string{s.lockName(), s.oscLockName()}; got != want {
			t.Errorf("%s: %q, want %q", db, got, want)
		}
	}
}
