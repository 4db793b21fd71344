package main

import (
	"slices"

	"github.com/emcee-db/emcee/apply"
)

// Exit codes, documented in README.md ("Exit codes"). Scripts branch on
// them, so a failure to do the job (1) never shares a code with a job done
// that found something wrong (6).
const (
	codeOK       = 0
	codeError    = 1 // emcee could not do what was asked: bad input, connection, refusal
	codeUsage    = 2 // unknown command or flag, wrong arguments
	codeExpand   = apply.ExpandNeeded
	codeMigrate  = apply.MigrateNeeded
	codeContract = apply.ContractNeeded
	codeFindings = 6 // the check ran and found a problem: stale plans, lint findings, drift
	codeBlocked  = apply.ContractBlocked
	codeCritical = 8 // migrate stopped by --critical-load: committed so far, resumable
	// codeNoRollback: db rollback refused because the release's contract
	// has started (or the release is complete); only a backup goes back.
	codeNoRollback = apply.RollbackRefused
)

// severity orders the exit codes of one target, least severe first, for
// the exit code of a run over a target list: the worst of its targets'.
// db check's states come first, the database furthest behind worst (a
// fleet needing expand somewhere needs "db expand" before anything else);
// then the outcomes that need a person: drift and other findings, a
// expand, contract or rollback blocked by data, a rollback refused for good, a migrate stopped
// by --critical-load (a failure for --canary and --fail-fast: the load is
// what stops it); last a failure to do the job (an unreachable database, a
// refusal), whose state is not known at all. A code not listed (a new one)
// ranks as a failure.
var severity = []int{codeOK, codeContract, codeMigrate, codeExpand, codeFindings, codeBlocked, codeNoRollback, codeCritical, codeError, codeUsage}

func rank(code int) int {
	if i := slices.Index(severity, code); i >= 0 {
		return i
	}
	return slices.Index(severity, codeError)
}

// worse is the more severe of two exit codes.
func worse(a, b int) int {
	if rank(b) > rank(a) {
		return b
	}
	return a
}

// failure tells whether a target's exit code is a failure, which stops a
// canary run and --fail-fast; db check's "expand needed" and the like are
// states, not failures.
func failure(code int) bool {
	return rank(code) > rank(codeExpand)
}
