package apply

import (
	"cmp"
	"context"
	"fmt"
	"time"

	"github.com/emcee-db/emcee/dbconn"
	"github.com/emcee-db/emcee/revision"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// DefaultRetries is how often a statement that hit a deadlock or a lock
// wait timeout is tried again before the run gives up.
const DefaultRetries = 5

// firstRetryWait doubles after each retry: 0.5 s, 1 s, 2 s, 4 s, 8 s.
const firstRetryWait = 500 * time.Millisecond

// Retry is one transient failure that was tried again.
type Retry struct {
	Revision  string `json:"revision"`
	Statement int    `json:"statement"` // 1-based
	What      string `json:"what"`
	Error     string `json:"error"`
	Attempt   int    `json:"attempt"` // the retry this failure led to, from 1
	Wait      string `json:"wait"`    // before that retry
}

// transient reports a failure after which the server has undone the
// statement (or the whole transaction), so running it again is safe: a
// deadlock (1213: the server rolled the transaction back) or a lock wait
// timeout (1205: the statement waited longer than innodb_lock_wait_timeout
// for a row lock, or than lock_wait_timeout for a metadata lock, and did
// not run). A DDL statement that times out on its metadata lock has not
// started, so the same holds for it; gh-ost and pt-online-schema-change
// retry it the same way.
func transient(err error) bool {
	return dbconn.ServerError(err, 1205, 1213)
}

// retry runs fn, and runs it again after a transient failure, waiting
// longer each time, up to the configured number of retries. Every retry is
// printed and kept in the run's result. fn must be safe to run again after
// a transient failure: a whole transaction, a read, or one DDL statement.
func (s *Session) retry(ctx context.Context, what string, rev *revision.Revision, i int, fn func() error) error {
	wait := firstRetryWait
	for attempt := 1; ; attempt++ {
		err := fn()
		if err == nil || !transient(err) {
			return err
		}
		if attempt > s.retries() {
			return fmt.Errorf("gave up after %s: %w; %s", sqlsyntax.Plural(attempt, "attempt"), s.redact(err), transientAdvice(err))
		}
		r := Retry{Revision: rev.ID.String(), Statement: i + 1, What: what, Error: s.Cfg.Redact(err.Error()), Attempt: attempt, Wait: wait.String()}
		if s.res != nil {
			s.res.Retries = append(s.res.Retries, r)
		}
		s.say("    %s: %s; retry %d of %d in %s", what, r.Error, attempt, s.retries(), wait)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		wait *= 2
	}
}

// retries is Options.Retries: 0 for DefaultRetries, negative for none.
func (s *Session) retries() int { return max(0, cmp.Or(s.opts.Retries, DefaultRetries)) }

func transientAdvice(err error) string {
	if dbconn.ServerError(err, 1213) {
		return "another transaction keeps deadlocking with this one: find it in information_schema.INNODB_TRX or SHOW ENGINE INNODB STATUS (--retries sets how often emcee tries again)"
	}
	return "another transaction holds the locks this statement needs (row locks, or the table's metadata lock): find it in information_schema.INNODB_TRX or SHOW PROCESSLIST, and let it finish or end it (--retries sets how often emcee tries again, lock_wait_timeout in the URL how long each try waits)"
}
