package planner

import (
	"strings"
	"testing"

	"github.com/emcee-db/emcee/project"
)

// The sentence on released releases follows a full stop: it began with a
// lower-case "release pike is released" (seen by the session 29
// differential check, plan --check of plans an older emcee wrote).
func TestRefusalSentencesStartCapitalized(t *testing.T) {
	p, err := project.Load("../atlas.hcl")
	if err != nil {
		t.Fatal(err)
	}
	for _, rels := range [][]string{{"pike"}, {"queens"}, {"ocata", "pike"}, {"pike", "queens"}} {
		msg := Edits{Releases: rels}.Refusal(p)
		for _, s := range strings.Split(msg, ". ")[1:] {
			if s == "" || strings.ToUpper(s[:1]) != s[:1] {
				t.Errorf("releases %v: a sentence starts in lower case: %q\nin: %s", rels, s, msg)
			}
		}
		if p.Released(rels[len(rels)-1]) && !strings.Contains(msg, "so they stay") {
			t.Errorf("releases %v: the released ones are not said to stay: %s", rels, msg)
		}
	}
}
