package apply

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/drift"
	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/revision"
	"github.com/emcee-db/emcee/schemadef"
)

var createTrigger = regexp.MustCompile(`(?is)^\s*CREATE\s+(DEFINER\s*=\s*\S+\s+)?TRIGGER\b`)

// preflight runs before a release's expand changes anything: the
// privileges its triggers need, and whether the live schema is what the
// previous release left behind.
func (s *Session) preflight(ctx context.Context, res *Result, rel string, revs []*revision.Revision) error {
	note := func(format string, args ...any) {
		line := fmt.Sprintf(format, args...)
		res.Preflight = append(res.Preflight, line)
		s.say("preflight: %s", line)
	}
	triggers := 0
	for _, r := range revs {
		for _, st := range r.Statements {
			if createTrigger.MatchString(st.SQL) {
				triggers++
			}
		}
	}
	if triggers > 0 {
		var logBin, trust bool
		if err := s.Conn.QueryRowContext(ctx, "SELECT @@log_bin, @@log_bin_trust_function_creators").Scan(&logBin, &trust); err != nil {
			return s.redact(err)
		}
		var grants []string
		if logBin && !trust {
			rows, err := s.Conn.QueryContext(ctx, "SHOW GRANTS")
			if err != nil {
				return s.redact(err)
			}
			for rows.Next() {
				var g string
				if err := rows.Scan(&g); err == nil {
					grants = append(grants, g)
				}
			}
			rows.Close()
		}
		msg, err := triggerPrivileges(triggers, logBin, trust, grants, s.Cfg.User)
		if err != nil {
			return err
		}
		note("%s", msg)
	}
	switch {
	case s.simulated:
		note("drift check of %s skipped: this dry run assumes earlier revisions it did not apply", rel)
		return nil
	case s.started(rel):
		note("drift check skipped: %s is already partly applied, so the schema is between releases", rel)
		return nil
	}
	prev := previous(s.Project.Releases, rel)
	var want *schema.Schema
	expected := "an empty schema"
	if prev == "" {
		note("%s is the first release: the database must not have tables yet", rel)
	}
	if prev != "" {
		path := filepath.Join(s.Project.PlansDir, revision.SnapshotFile(prev))
		expected = fmt.Sprintf("release %s (%s)", prev, project.Rel(path))
		var err error
		want, err = schemadef.ReadSnapshot(path, s.Project.Target)
		if os.IsNotExist(err) {
			if s.opts.AllowDrift {
				note("drift check skipped (--allow-drift): %s is missing", project.Rel(path))
				return nil
			}
			return fmt.Errorf("%s is missing, so the live schema cannot be checked before expanding %s: regenerate plans with `emcee plan`, or pass --allow-drift to skip the check", project.Rel(path), rel)
		}
		if err != nil {
			return err
		}
	}
	rep, err := drift.Compare(ctx, s.Conn, s.Cfg, want, expected, s.opts.DevURL)
	if err != nil {
		return s.redact(fmt.Errorf("drift check: %w", err))
	}
	if rep.Clean() {
		note("live schema matches %s", expected)
		return nil
	}
	res.Drift = rep
	msg := fmt.Sprintf("the live schema differs from %s, which the %s plans start from (%s):\n%s", expected, rel, plural(len(rep.Tables), "table"), rep)
	if s.opts.AllowDrift {
		note("WARNING (--allow-drift): %s", strings.TrimSpace(msg))
		return nil
	}
	return fmt.Errorf("%snothing was changed. If these differences are intended (e.g. a hotfix made by hand), rerun with --allow-drift; if emcee does not manage this database yet, adopt it with `emcee db baseline RELEASE`", msg)
}

// triggerPrivileges decides whether triggers can be created: with binary
// logging on, MySQL and MariaDB refuse CREATE TRIGGER unless the user has
// SUPER or log_bin_trust_function_creators is set. Finding out before the
// first statement keeps a release from stopping half-expanded.
func triggerPrivileges(n int, logBin, trust bool, grants []string, user string) (string, error) {
	switch {
	case !logBin:
		return fmt.Sprintf("%d triggers to create; binary logging is off, so no extra privilege is needed", n), nil
	case trust:
		return fmt.Sprintf("%d triggers to create; binary logging is on and log_bin_trust_function_creators=1", n), nil
	}
	for _, g := range grants {
		u := strings.ToUpper(g)
		if !strings.Contains(u, " ON *.* ") {
			continue
		}
		if strings.Contains(u, "ALL PRIVILEGES") || regexp.MustCompile(`\bSUPER\b`).MatchString(u) {
			return fmt.Sprintf("%d triggers to create; binary logging is on and %s has SUPER", n, user), nil
		}
	}
	return "", fmt.Errorf("preflight: the plans create %d triggers, binary logging is on, and %s has neither SUPER nor log_bin_trust_function_creators=1, so CREATE TRIGGER would fail half-way through expand; nothing was changed. Run SET GLOBAL log_bin_trust_function_creators = 1 (and set it in the server config), or GRANT SUPER ON *.* TO %s", n, user, user)
}
