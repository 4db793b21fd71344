package main

import "github.com/emcee-db/emcee/apply"

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
	// codeNoRollback: db rollback refused because the release's contract
	// has started (or the release is complete); only a backup goes back.
	codeNoRollback = apply.RollbackRefused
)
