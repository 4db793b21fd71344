// Command emcee turns per-release schemas into expand / migrate / contract
// plans and applies them. The commands only parse flags and print; the work
// lives in the packages they call.
package main

import (
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"

	"github.com/emcee-db/emcee/dbconn"
	"github.com/emcee-db/emcee/diff"
	"github.com/emcee-db/emcee/project"
)

// global flags shared by every command.
var global struct {
	config string
	env    string
	vars   []string
}

// commands are added by each command's file, so adding a command is adding a file.
var commands []func() *cobra.Command

func newRoot() *cobra.Command {
	root := &cobra.Command{
		Use:   "emcee",
		Short: "Zero-downtime MySQL/MariaDB upgrades: expand, migrate, contract",
		Long: `emcee turns the schema you declare for each release (schema/<release>.hcl) into
three revision scripts per release, and applies them while two releases of your
application run side by side:

  expand    additive changes, plus triggers that keep old and new columns in sync;
            safe while the previous release still runs
  migrate   batched data backfill, while both releases run
  contract  drops and tightenings, once no previous-release code is left and
            migrate is complete (gated by checks written into the script)

Developers run "emcee plan"; release managers run "emcee review" and
"emcee lint"; operators run "emcee db ...". Exit codes: 0 done, 1 error,
2 usage, 3/4/5 from "db check", 6 a check found problems, 7 expand,
contract or rollback blocked by data, 8 migrate stopped by --critical-load, 9 rollback
refused for good (see README.md).

Every command takes --format text, json or yaml; json and yaml print one
document on stdout, also on failure (with "error" and "exit_code"). --url
is always the database the command works on; --url, --env and --dev-url
default to $EMCEE_URL, $EMCEE_ENV and $EMCEE_DEV_URL (a flag beats its
variable, and --env beats $EMCEE_URL).`,
		Example: `  emcee plan                        # regenerate plans/ after editing schema/<release>.hcl
  emcee plan --check                # in CI: exit 6 if plans/ is stale
  emcee review train --format markdown
  emcee lint                        # in CI: exit 6 on anything a reviewer must reject
  emcee db check --env prod         # exit 3: expand needed
  emcee db expand --env prod
  emcee completion bash > /etc/bash_completion.d/emcee
  emcee version --format json`,
		Version:           currentVersion().String(),
		SilenceUsage:      true,
		SilenceErrors:     true,
		PersistentPreRunE: checkFormat,
	}
	// --version without a shorthand: -v is --verbose wherever it exists.
	root.Flags().Bool("version", false, "print emcee's version, as \"emcee version\" does")
	root.SetVersionTemplate("{{.Version}}\n")
	root.PersistentFlags().StringVar(&global.config, "config", project.DefaultFile, "project file (Atlas env blocks plus the emcee block)")
	root.PersistentFlags().StringVar(&global.env, "env", "", "env block of the project file whose url and dev the command uses (default: $"+dbconn.EnvEnv+")")
	root.PersistentFlags().StringArrayVar(&global.vars, "var", nil, "value of a variable block of the project file, name=value (repeat the name for a list), as with atlas --var")
	for _, c := range commands {
		root.AddCommand(c())
	}
	root.SetFlagErrorFunc(usage)
	usageErrors(root)
	return root
}

// usageErrors (and --format, and completion of RELEASE and VERSION
// arguments, named so in each command's Use line) makes every mistake in
// how a command is called exit 2 with a pointer to its help, and makes a
// command group given an unknown subcommand say so instead of printing its
// help and exiting 0.
func usageErrors(c *cobra.Command) {
	for _, sub := range c.Commands() {
		usageErrors(sub)
	}
	// Every command takes --format, the root too: so that a document is
	// owed, and the error is "unknown command", when the command is unknown.
	if c.Flag("format") == nil {
		addFormatFlag(c, false)
	}
	if c.HasSubCommands() && !c.Runnable() {
		c.SuggestionsMinimumDistance = 2 // cobra applies its default only on its own path
		c.Args = func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return nil
			}
			msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
			if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
				msg += fmt.Sprintf(" (did you mean %q?)", s[0])
			}
			return errors.New(msg)
		}
		c.RunE = func(cmd *cobra.Command, _ []string) error { return cmd.Help() }
	}
	if c.ValidArgsFunction == nil {
		switch {
		case strings.Contains(c.Use, "RELEASE"):
			c.ValidArgsFunction = completeReleases
		case strings.Contains(c.Use, "VERSION"):
			c.ValidArgsFunction = completeVersions
		}
	}
	if validate := c.Args; validate != nil {
		c.Args = func(cmd *cobra.Command, args []string) error {
			if err := validate(cmd, args); err != nil {
				if !cmd.HasSubCommands() && len(args) > 0 && strings.HasPrefix(err.Error(), "unknown command") {
					// cobra.NoArgs calls an argument an unknown command:
					// `emcee db expand 4_1` and `emcee lint 4_1` (a release
					// named where none is taken) read as a typo of a
					// subcommand these commands do not have.
					err = fmt.Errorf("%s takes no arguments, and was given %q", cmd.CommandPath(), args[0])
				}
				return usage(cmd, err)
			}
			return nil
		}
	}
}

func usage(cmd *cobra.Command, err error) error {
	return &exitError{code: codeUsage, err: fmt.Errorf("%v\nRun '%s --help' for usage and examples.", err, cmd.CommandPath())}
}

// exitError carries a specific exit code (db check uses 3, 4, 5).
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }

func main() {
	if os.Getenv("GOGC") == "" {
		// Planning a large project allocates heavily in Atlas's HCL
		// evaluation; collecting a quarter as often saves about a fifth
		// of the CPU for about twice the peak memory (BENCHMARKS.md).
		debug.SetGCPercent(400)
	}
	code := execute(newRoot(), os.Args[1:], os.Stdout, os.Stderr)
	// What this run evaluated is kept for the next one.
	diff.Flush()
	os.Exit(code)
}

func loadProject() (*project.Project, error) {
	vars := project.Vars{}
	for _, kv := range global.vars {
		name, value, ok := strings.Cut(kv, "=")
		if !ok || name == "" {
			return nil, &exitError{code: codeUsage, err: fmt.Errorf("--var %q: want name=value, e.g. --var tenant=acme", dbconn.RedactURLs(kv))}
		}
		vars[name] = append(vars[name], value)
	}
	p, err := project.LoadVars(global.config, vars)
	if err != nil {
		// An env block's url is built from variables and getenv(): an
		// error evaluating it quotes the URL, password and all.
		return nil, errors.New(dbconn.RedactURLs(err.Error()))
	}
	return p, nil
}
