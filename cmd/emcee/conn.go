package main

import "github.com/emcee-db/emcee/dbconn"

// The help of --url and --dev-url, in the same words on every command
// that takes them: --url is always the database the command works on.

const urlForm = "mysql://user:pass@host:3306/db"

// urlUsage says what --url is for a command that falls back to --env and
// the environment, as dbconn.Resolve does.
func urlUsage(role string) string {
	return "the database this command works on, " + urlForm + ": " + role +
		" (default: the url of --env, then $" + dbconn.EnvURL + ", then the url of $" + dbconn.EnvEnv + ")"
}

// devURLUsage says what --dev-url is, with dbconn.DevURL's order.
func devURLUsage(role string) string {
	return "an empty database " + role + ", " + urlForm +
		" (default: the dev of --env, then $" + dbconn.EnvDevURL + ", then the dev of $" + dbconn.EnvEnv + ", else a temporary emcee_scratch_* database created beside --url and dropped afterwards)"
}

// databaseDoc is the document of a command that failed before it had a
// result: which database it was working on, password masked.
type databaseDoc struct {
	Database string `json:"database"`
}
