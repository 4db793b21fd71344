package main

import (
	"github.com/spf13/cobra"

	"github.com/emcee-db/emcee/revision"
)

// completeReleases offers the release names of the project file.
func completeReleases(_ *cobra.Command, _ []string, _ string) ([]string, cobra.ShellCompDirective) {
	p, err := loadProject()
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	return p.Releases, cobra.ShellCompDirectiveNoFileComp
}

// completeVersions offers releases and, once a release is typed, its
// revision names: a VERSION is either.
func completeVersions(_ *cobra.Command, _ []string, _ string) ([]string, cobra.ShellCompDirective) {
	p, err := loadProject()
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	out := append([]string{}, p.Releases...)
	if plans, err := revision.ReadPlans(p.PlansDir, p.Releases); err == nil {
		for _, r := range plans.Revisions {
			out = append(out, r.ID.String())
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}
