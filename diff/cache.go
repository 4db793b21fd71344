package diff

import "github.com/emcee-db/emcee/project"

// cached evaluates a source, or reads what an earlier run evaluated.
func cached(_ [32]byte, src Source, t project.Target) (*Release, error) {
	return ParseRelease(src.Release, src.File, src.Src, t)
}
