package splitter

import (
	"github.com/emcee-db/emcee/revision"
)

// dropRule builds a contract-phase rule for removing something the previous
// release may still use: it runs only once no previous-release code is left.
func dropRule(name string, doc RuleDoc, stage Stage, match func(*Change) bool, render func(*Change) (why, sql string, err error)) *Rule {
	return &Rule{
		Name:  name,
		Doc:   doc,
		Match: match,
		Split: func(c *Change) ([]Step, error) {
			why, sql, err := render(c)
			if err != nil {
				return nil, err
			}
			return []Step{stmt(revision.Contract, stage, why, sql)}, nil
		},
	}
}

// dropAlgorithm is INSTANT where the server drops columns without a
// rebuild (MariaDB 10.4+, MySQL 8.0.29+), online otherwise.
func (c *Context) dropAlgorithm() Algorithm {
	if c.Target.MariaDB() || !c.Target.Before(8, 0) && c.Target.Minor > 0 {
		return Instant
	}
	return Inplace
}
