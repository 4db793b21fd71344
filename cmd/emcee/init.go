package main

import (
	"fmt"
	"io"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/emcee-db/emcee/adopt"
	"github.com/emcee-db/emcee/dbconn"
	"github.com/emcee-db/emcee/internal/shell"
	"github.com/emcee-db/emcee/planner"
	"github.com/emcee-db/emcee/project"
)

func init() { commands = append(commands, newInitCmd) }

func newInitCmd() *cobra.Command {
	var from, release, dir, env string
	cmd := &cobra.Command{
		Use:   "init --from URL",
		Short: "Start a project from a live database: write atlas.hcl and its schema as the first release",
		Long: `init adopts a database that exists already. It inspects the live schema (read
only: nothing is written to the database) and writes, in --dir:

  atlas.hcl                the project file: an env for the database (its URL
                           read from $EMCEE_URL, so no password is written) and
                           the emcee block with one release
  schema/<release>.hcl     the live schema in Atlas HCL, tables in name order

then plans that release (plans/) and prints the "emcee db baseline" command
that records the database as being at it, after checking that it matches.
From there, declare the next release in schema/<next>.hcl, list it in
atlas.hcl, and upgrade with db expand, migrate and contract.

The server's flavor and version become the project's target. A database with
views or triggers is refused: emcee manages tables, and creates its own
triggers and views during upgrades. So are sequences, system-versioned and
partitioned tables and INVISIBLE columns, which Atlas's inspection (and so
db baseline and the drift check) does not see, and integers of display width
1 other than tinyint(1) (int(1), tinyint(1) unsigned), which it reads as a
bool, and floating-point types with digits after the point (double(24,8)),
whose digits it drops. emcee's own tables (emcee_revisions,
emcee_accepted_drift) are left out of the schema, and listed; a database
holding emcee_dev_in_use (a dev database) is refused, and so is a table
named like one of emcee's in another letter case: emcee reserves those
names.`,
		Example: `  emcee init --from mysql://app:secret@db.internal:3306/glance --release 2024_1
  emcee init --from "$EMCEE_URL" --dir glance-schema`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if from == "" {
				return usage(cmd, fmt.Errorf("--from is required: the URL of the database to adopt"))
			}
			if f := cmd.Flags().Lookup("env"); f != nil && f.Changed {
				// --env picks a block of an existing project file; init writes one.
				return usage(cmd, fmt.Errorf("--env %s: init writes a new project file, whose env block --env-name names (e.g. --env-name %s); --env picks a block of an existing one", f.Value, f.Value))
			}
			cfg, err := dbconn.Parse(from)
			if err != nil {
				return fmt.Errorf("--from: %w", err)
			}
			cfg.From = "--from"
			ctx, cancel := signalContext(cmd)
			defer cancel()
			doc := struct {
				Database string   `json:"database"`
				Tables   int      `json:"tables,omitempty"`
				Skipped  []string `json:"skipped,omitempty"` // emcee's own tables, not the schema
				Target   string   `json:"target,omitempty"`
				Wrote    []string `json:"wrote"`
				Next     string   `json:"next,omitempty"`
			}{Database: cfg.String(), Wrote: []string{}}
			partial(ctx, &doc) // a failure says which database, and which files were written
			res, err := adopt.Init(ctx, adopt.Options{DB: cfg, Dir: dir, Release: release, Env: env})
			if err != nil {
				return err
			}
			doc.Tables, doc.Target, doc.Skipped = res.Tables, res.Target.String(), res.Skipped
			for _, f := range res.Files {
				doc.Wrote = append(doc.Wrote, project.Rel(filepath.Join(dir, f)))
			}
			p, err := project.Load(res.Project)
			if err != nil {
				return err
			}
			out, err := planner.Plan(p, planner.Options{})
			if err != nil {
				return fmt.Errorf("planning the adopted release: %w", err)
			}
			if err := out.Write(); err != nil {
				return err
			}
			for _, id := range out.New {
				doc.Wrote = append(doc.Wrote, project.Rel(filepath.Join(out.Dir, id.File())))
			}
			doc.Next = baselineCommand(dir, release, cfg)
			emit(cmd, &doc, func(w io.Writer) {
				fmt.Fprintf(w, "inspected %s: %d tables, %s\n", doc.Database, doc.Tables, doc.Target)
				for _, t := range doc.Skipped {
					fmt.Fprintf(w, "left out %s: it is emcee's own table, not part of the schema\n", t)
				}
				for _, f := range doc.Wrote {
					fmt.Fprintf(w, "wrote %s\n", f)
				}
				fmt.Fprintf(w, "next: record that the database is at %s (it checks that the live schema matches first):\n  %s\n", release, doc.Next)
				if cfg.Password != "" {
					fmt.Fprintln(w, "  (the password is masked: put it in place of ****, or export EMCEE_URL and use --env "+env+")")
				}
			})
			return nil
		},
	}
	cmd.Flags().StringVar(&from, "from", "", "URL of the database to adopt, mysql://user:pass@host:3306/db")
	cmd.Flags().StringVar(&release, "release", "initial", "name of the release the database is at")
	cmd.Flags().StringVar(&dir, "dir", ".", "directory to write the project in")
	cmd.Flags().StringVar(&env, "env-name", "live", "name of the env block written for the database")
	return cmd
}

// baselineCommand is the command init tells the user to run next, to be
// pasted into a shell: every word one word to it (the URL, which may hold
// ****, ? and &, always quoted), and the URL one that names the adopted
// database.
func baselineCommand(dir, release string, cfg *dbconn.Config) string {
	cd := ""
	if dir != "." {
		cd = "cd " + shell.Word(dir) + " && "
	}
	return cd + "emcee db baseline " + shell.Word(release) + " --url " + shell.Quote(cfg.URL())
}
