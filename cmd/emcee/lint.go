package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/emcee-db/emcee/dbconn"
	"github.com/emcee-db/emcee/devdb"
	"github.com/emcee-db/emcee/lint"
	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/revision"
	"github.com/emcee-db/emcee/schemadef"
)

func init() { commands = append(commands, newLintCmd) }

func newLintCmd() *cobra.Command {
	var (
		devURL  string
		url     string
		offline bool
	)
	var codes strings.Builder
	for _, a := range lint.Analyzers() {
		fmt.Fprintf(&codes, "  %s  %s\n", a.Code, a.Title)
	}
	cmd := &cobra.Command{
		Use:   "lint",
		Short: "Check schemas and plans for what a release reviewer must never let through (exit 6 on findings)",
		Long: `lint checks the declared schemas and the committed plans/ and reports each
finding with a code, a position (file:line, file:line:col in schema files) and
a fix. It exits 6 when any finding is an error, 1 when it could not finish,
and 0 otherwise; notes never fail it. docs/lint.md explains every code.

` + codes.String() + `
Most checks read the plans as text and need no database. The rest replay
every revision in a dev database, inspecting it after each statement, and
run Atlas's analyzers (destructive, data_depend, condrop, incompatible) on
what each statement changed. The dev database is --dev-url (an empty
database), else the dev of --env, else $` + dbconn.EnvDevURL + `, else the
dev of $` + dbconn.EnvEnv + `, else a temporary emcee_scratch_* database
created on the server of --url (or of its defaults: the url of --env,
$` + dbconn.EnvURL + `, the url of $` + dbconn.EnvEnv + `). Without any, lint
fails, unless --offline says to skip the replay; it then names the checks
it skipped.

With --format json (or yaml) it prints one document: {"findings": [...],
"skipped": [...]}, each finding with code, severity, file, line, column,
message and fix; "skipped" lists the checks --offline left out.`,
		Example: `  emcee lint --dev-url mysql://root@127.0.0.1:3306/emcee_dev  # CI: every check
  emcee lint --env local                # the dev database of env "local"
  emcee lint --url "$SERVER_URL"        # a temporary emcee_scratch_* database there
  emcee lint --offline                  # no database: the text checks only
  emcee lint --offline --format json    # findings as one JSON document`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, err := loadProject()
			if err != nil {
				return err
			}
			ctx, cancel := signalContext(cmd)
			defer cancel()
			var dev *devdb.DB
			if !offline {
				coll, err := plannedDefault(p)
				if err != nil {
					return err
				}
				var closeDev func()
				if dev, closeDev, err = openDev(ctx, cmd.ErrOrStderr(), "lint", p, devURL, url, coll); err != nil {
					return err
				}
				defer closeDev()
			}
			res, runErr := lint.Run(ctx, p, lint.Options{Dev: dev})
			if res == nil {
				return runErr
			}
			doc := struct {
				Findings []lint.Finding   `json:"findings"`
				Skipped  []*lint.Analyzer `json:"skipped"`
			}{res.Findings, res.Skipped}
			emit(cmd, doc, func(w io.Writer) {
				for _, f := range res.Findings {
					fmt.Fprintln(w, f)
				}
			})
			stderr := cmd.ErrOrStderr()
			if len(res.Skipped) > 0 {
				fmt.Fprintln(stderr, "emcee lint: the plans were not replayed in a dev database, so these checks did not run:")
				for _, a := range res.Skipped {
					fmt.Fprintf(stderr, "  %s: %s\n", a.Code, a.Replay)
				}
			}
			switch {
			case dev == nil && !offline:
				return errors.New("NO DEV DATABASE: lint did not replay the plans, so the checks above did not run. Pass --dev-url mysql://user@host/empty_db, --env NAME (an env with a dev or url), --url mysql://user@host/any_db (lint creates a temporary emcee_scratch_* database on that server), or set $" + dbconn.EnvDevURL + ", $" + dbconn.EnvURL + " or $" + dbconn.EnvEnv + "; or pass --offline to accept a partial lint")
			case runErr != nil:
				return runErr
			case res.Failures() > 0:
				return &exitError{code: codeFindings, err: fmt.Errorf("lint: %d finding(s) must be fixed before release", res.Failures())}
			}
			fmt.Fprintf(stderr, "emcee lint: no errors, %d note(s)\n", len(res.Findings))
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&devURL, "dev-url", "", devURLUsage("to replay the plans in"))
	f.StringVar(&url, "url", "", urlUsage("lint creates its temporary dev database on this database's server, when no dev database is given"))
	f.BoolVar(&offline, "offline", false, "lint without a database: skip the replay and Atlas's analyzers, and say which checks were skipped")
	return cmd
}

// plannedDefault is the database default the project's plans are for,
// the dev database's for lint's replay: the last planned release's
// (its snapshot records what its schema block declares; the latest word
// on the databases' default), "" before any. Replayed under the offline
// planner's utf8mb4 instead, a latin1 project's INSTANT widenings failed
// there (error 1846), where its databases take them.
func plannedDefault(p *project.Project) (string, error) {
	for _, rel := range slices.Backward(p.Releases) {
		coll, err := schemadef.SnapshotDefault(filepath.Join(p.PlansDir, revision.SnapshotFile(rel)), p.Target)
		if os.IsNotExist(err) {
			continue
		}
		return coll, err
	}
	return "", nil
}
