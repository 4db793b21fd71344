// Command emcee turns per-release schemas into expand / migrate / contract
// plans and applies them. The commands only parse flags and print; the work
// lives in the packages they call.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/emcee-db/emcee/project"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// global flags shared by every command.
var global struct {
	config string
	env    string
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

Developers run "emcee plan"; reviewers read plans/; operators run "emcee db ...".`,
		Version:       version,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().StringVar(&global.config, "config", project.DefaultFile, "project file (Atlas env blocks plus the emcee block)")
	root.PersistentFlags().StringVar(&global.env, "env", "", "env block of the project file to use for database connections")
	for _, c := range commands {
		root.AddCommand(c())
	}
	return root
}

// exitError carries a specific exit code (db check uses 3, 4, 5).
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }

func main() {
	err := newRoot().Execute()
	if err == nil {
		return
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil && ee.err.Error() != "" {
			fmt.Fprintln(os.Stderr, "emcee:", ee.err)
		}
		os.Exit(ee.code)
	}
	fmt.Fprintln(os.Stderr, "emcee:", err)
	os.Exit(1)
}

func loadProject() (*project.Project, error) { return project.Load(global.config) }
