package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/emcee-db/emcee/dbconn"
	"github.com/emcee-db/emcee/devdb"
	"github.com/emcee-db/emcee/lint"
	"github.com/emcee-db/emcee/project"
)

func init() { commands = append(commands, newLintCmd) }

func newLintCmd() *cobra.Command {
	var (
		format  string
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
database), else the dev of the --env block, else a temporary emcee_scratch_*
database created on the server of --url or $` + dbconn.EnvURL + `. Without any,
lint fails, unless --offline says to skip the replay; it then names the
checks it skipped.`,
		Example: `  emcee lint --dev-url mysql://root@127.0.0.1:3306/emcee_dev  # CI: every check
  emcee lint --env local                # the dev database of env "local"
  emcee lint --url "$SERVER_URL"        # a temporary emcee_scratch_* database there
  emcee lint --offline                  # no database: the text checks only
  emcee lint --offline --format json    # findings as a JSON array`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "text" && format != "json" {
				return usage(cmd, fmt.Errorf("--format %q: want text or json", format))
			}
			p, err := loadProject()
			if err != nil {
				return err
			}
			ctx, cancel := signalContext(cmd)
			defer cancel()
			var dev *devdb.DB
			if !offline {
				if dev, err = openLintDev(ctx, p, devURL, url); err != nil {
					return err
				}
				if dev != nil {
					for _, n := range dev.Notes() {
						fmt.Fprintf(cmd.ErrOrStderr(), "emcee lint: %s\n", n)
					}
					defer func() {
						if err := dev.Close(ctx); err != nil {
							fmt.Fprintf(cmd.ErrOrStderr(), "emcee lint: %v\n", err)
						}
					}()
				}
			}
			res, runErr := lint.Run(ctx, p, lint.Options{Dev: dev})
			if res == nil {
				return runErr
			}
			w, stderr := cmd.OutOrStdout(), cmd.ErrOrStderr()
			if format == "json" {
				if err := printJSON(w, res.Findings); err != nil {
					return err
				}
			} else {
				for _, f := range res.Findings {
					fmt.Fprintln(w, f)
				}
			}
			if len(res.Skipped) > 0 {
				fmt.Fprintln(stderr, "emcee lint: the plans were not replayed in a dev database, so these checks did not run:")
				for _, a := range res.Skipped {
					fmt.Fprintf(stderr, "  %s: %s\n", a.Code, a.Replay)
				}
			}
			switch {
			case dev == nil && !offline:
				return errors.New("NO DEV DATABASE: lint did not replay the plans, so the checks above did not run. Pass --dev-url mysql://user@host/empty_db, --env NAME (an env with a dev url), --url mysql://user@host/any_db or $" + dbconn.EnvURL + " (lint creates a temporary emcee_scratch_* database on that server), or --offline to accept a partial lint")
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
	f.StringVar(&format, "format", "text", "output format: text (one finding a line) or json (an array of findings)")
	f.StringVar(&devURL, "dev-url", "", "empty database to replay the plans in (default: the dev of --env, else a temporary emcee_scratch_* database on the server of --url)")
	f.StringVar(&url, "url", "", "server to create a temporary emcee_scratch_* dev database on, mysql://user:pass@host:3306/db (default: $"+dbconn.EnvURL+")")
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions([]string{"text", "json"}, cobra.ShellCompDirectiveNoFileComp))
	f.BoolVar(&offline, "offline", false, "lint without a database: skip the replay and Atlas's analyzers, and say which checks were skipped")
	return cmd
}

// openLintDev picks the dev database: --dev-url, the dev of --env, or a
// scratch database on the server of --url or $EMCEE_URL. It returns nil
// when none is given.
func openLintDev(ctx context.Context, p *project.Project, devURL, url string) (*devdb.DB, error) {
	if devURL == "" && global.env != "" {
		e, err := p.Env(global.env)
		if err != nil {
			return nil, err
		}
		devURL = e.Dev
	}
	if devURL != "" {
		return devdb.Open(ctx, devdb.Spec{URL: devURL})
	}
	if url == "" && os.Getenv(dbconn.EnvURL) == "" {
		return nil, nil
	}
	cfg, err := dbconn.Resolve(url, "", p)
	if err != nil {
		return nil, err
	}
	return devdb.Open(ctx, devdb.Spec{Beside: cfg})
}
