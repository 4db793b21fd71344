package main

import (
	"fmt"
	"io"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/emcee-db/emcee/planner"
)

// version, when set with -ldflags "-X main.version=...", replaces the
// module version of the build info (the e2e tests name their binary so).
var version string

func init() { commands = append(commands, newVersionCmd) }

// buildVersion is what `emcee version` reports.
type buildVersion struct {
	Version  string `json:"version"` // v1.2.3 when installed with go install ...@v1.2.3; (devel) for a build without version information
	Module   string `json:"module"`
	Revision string `json:"revision,omitempty"` // VCS revision of a build from a checkout
	Time     string `json:"revision_time,omitempty"`
	Modified bool   `json:"modified,omitempty"` // the checkout had uncommitted changes
	Go       string `json:"go"`
	// PlanFormat is the plan format this build writes (planner.Format):
	// the snapshots of the steps it plans record it, and `plan --check`
	// names the one an older plan was written in.
	PlanFormat int `json:"plan_format"`
}

// readVersion reads the version from the build info: the module version
// `go install module@version` records, or, for a build from a checkout, the
// version the go command derives from the VCS (a pseudo-version, or
// "(devel)" when it records none) with the revision and whether the
// checkout was modified.
func readVersion(bi *debug.BuildInfo, ok bool) buildVersion {
	v := buildVersion{Version: "(devel)", Module: "github.com/emcee-db/emcee", PlanFormat: planner.Format}
	if ok {
		v.Go = bi.GoVersion
		if bi.Main.Path != "" {
			v.Module = bi.Main.Path
		}
		if bi.Main.Version != "" {
			v.Version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				v.Revision = s.Value
			case "vcs.time":
				v.Time = s.Value
			case "vcs.modified":
				v.Modified = s.Value == "true"
			}
		}
	}
	if version != "" {
		v.Version = version
	}
	return v
}

func currentVersion() buildVersion { return readVersion(debug.ReadBuildInfo()) }

// String is the one line `emcee version` and `emcee --version` print.
func (v buildVersion) String() string {
	s := "emcee " + v.Version
	if v.Revision != "" {
		s += " revision " + v.Revision
		if v.Modified {
			s += " (modified)"
		}
	}
	if v.Go != "" {
		s += " " + v.Go
	}
	return s + fmt.Sprintf(", plan format %d", v.PlanFormat)
}

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print emcee's version (the module version it was built from)",
		Long: `version prints the version of this emcee binary, read from the build
information the go command records: the module version when installed with
"go install github.com/emcee-db/emcee/cmd/emcee@VERSION", or, for a build
from a checkout, "(devel)" or the pseudo-version the go command derives from
the VCS, with the revision and "(modified)" when the checkout had
uncommitted changes, then the plan format it writes: the number of the way it
writes plans, which the snapshot of every step it plans records, so that
"emcee plan --check" tells another emcee's plans from edited ones. "emcee
--version" prints the same line.

emcee records this version with every revision it applies (see
"emcee db version -v"). The version of a database is "emcee db version".`,
		Example: `  emcee version
  emcee version --format json`,
		Args: cobra.NoArgs,
		Run: func(cmd *cobra.Command, _ []string) {
			v := currentVersion()
			emit(cmd, v, func(w io.Writer) { fmt.Fprintln(w, v) })
		},
	}
}
