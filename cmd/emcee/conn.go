package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/emcee-db/emcee/dbconn"
	"github.com/emcee-db/emcee/devdb"
	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/schemadef"
	"github.com/emcee-db/emcee/sqlsyntax"
)

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

// openDev opens the dev database: the first of --dev-url and its
// defaults, else a temporary database on the server of --url and its
// defaults. It returns nil when nothing names a database. The dev database
// has collation (and its charset) as its default for the run: the server
// defaults the offline planner assumes for the project's target where
// collation is "", so that a release declared as SQL reads there as it
// would in HCL. What opening it cleaned up is said on stderr under the
// command's name, and so is a failure of the returned close (a no-op
// without a dev database).
func openDev(ctx context.Context, stderr io.Writer, command string, p *project.Project, devURL, url, collation string) (*devdb.DB, func(), error) {
	spec := devdb.Spec{Target: p.Target}
	spec.Charset, spec.Collation = schemadef.ServerDefault(p.Target)
	if collation != "" {
		spec.Charset, spec.Collation = sqlsyntax.CharsetOf(collation), collation
	}
	var err error
	if spec.URL, err = dbconn.DevURL(devURL, global.env, p); err == nil && spec.URL == "" {
		spec.Beside, err = dbconn.Resolve(url, global.env, p)
	}
	if errors.Is(err, dbconn.ErrNoDatabase) {
		return nil, func() {}, nil
	}
	if err != nil {
		return nil, nil, err
	}
	dev, err := devdb.Open(ctx, spec)
	if err != nil {
		return nil, nil, err
	}
	for _, n := range dev.Notes() {
		fmt.Fprintf(stderr, "emcee %s: %s\n", command, n)
	}
	return dev, func() {
		if err := dev.Close(ctx); err != nil {
			fmt.Fprintf(stderr, "emcee %s: %v\n", command, err)
		}
	}, nil
}
