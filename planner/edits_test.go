package planner

import (
	"strings"
	"testing"

	"github.com/emcee-db/emcee/project"
)

// Every sentence of the refusal starts in upper case, whatever it joins:
// it began with a lower-case "release pike is released" (seen by the
// session 29 differential check, plan --check of plans an older emcee
// wrote).
func TestRefusalSentencesStartCapitalized(t *testing.T) {
	p, err := project.Load("../atlas.hcl")
	if err != nil {
		t.Fatal(err)
	}
	stein := Planned{Release: "stein", Format: 0, Where: "plans/stein/stein.snapshot.hcl:3", Count: 2}
	train := Planned{Release: "train", Format: Format + 1, Where: "plans/train/train.snapshot.hcl:3", Count: 1}
	ussuri := Planned{Release: "ussuri", Format: unrecorded, Where: "plans/ussuri/ussuri.snapshot.hcl", Count: 1}
	for _, e := range []Edits{
		{Edited: []string{"pike"}},
		{Edited: []string{"ocata", "pike"}, Planned: []Planned{stein}},
		{Planned: []Planned{stein, train, ussuri}},
		{Edited: []string{"queens"}, Planned: []Planned{train}},
	} {
		msg := e.Refusal(p)
		for _, s := range strings.Split(msg, ". ")[1:] {
			if s == "" || strings.ToUpper(s[:1]) != s[:1] {
				t.Errorf("%+v: a sentence starts in lower case: %q\nin: %s", e, s, msg)
			}
		}
	}
}
