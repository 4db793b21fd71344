package e2e

import (
	"net/url"
	"strings"
	"testing"
)

// Connection failures each give one line that says what is wrong and what
// to do, and never show the password.
func TestOperatorConnectionErrors(t *testing.T) {
	t.Parallel()
	p := newOpProject(t)
	u, err := url.Parse(p.DB.URL)
	if err != nil {
		t.Fatal(err)
	}
	const secret = "Sup3r-s3cret_pw"
	at := func(host, db string) string {
		return "mysql://" + u.User.Username() + ":" + secret + "@" + host + "/" + db
	}
	cases := []struct {
		name, url string
		env       bool // pass it as $EMCEE_URL instead of --url
		want      []string
	}{
		{"wrong password", at(u.Host, p.DB.Name), false,
			[]string{"access denied for user \"" + u.User.Username() + "\" on " + u.Host, "wrong password", "fix the credentials in --url"}},
		{"unreachable host", at("127.0.0.1:1", p.DB.Name), true,
			[]string{"cannot reach the database server at 127.0.0.1:1 (connection refused)", "check the host and port in $EMCEE_URL"}},
		{"missing database", "mysql://" + u.User.Username() + "@" + u.Host + "/emcee_no_such_db", false,
			[]string{"database \"emcee_no_such_db\" does not exist on " + u.Host, "CREATE DATABASE `emcee_no_such_db`"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, args := range [][]string{{"db", "version"}, {"db", "expand"}} {
				cmd := p.command(args...)
				cmd.Args = cmd.Args[:len(cmd.Args)-2] // no --env: the URL decides
				if c.env {
					cmd.Env = append(cmd.Env, "EMCEE_URL="+c.url)
				} else {
					cmd.Args = append(cmd.Args, "--url", c.url)
				}
				r := opRunCmd(t, cmd)
				if r.Code != 1 {
					t.Fatalf("%v: %s", args, r)
				}
				opContains(t, r, c.want...)
				if n := strings.Count(strings.TrimRight(r.Stderr, "\n"), "\n"); n != 0 || r.Stdout != "" {
					t.Errorf("%v: want one line on stderr and nothing on stdout:\n%s", args, r)
				}
				if strings.Contains(r.Stdout+r.Stderr, secret) {
					t.Errorf("%v: the password is shown:\n%s", args, r)
				}
			}
		})
	}
	// A URL that cannot be parsed is not echoed either.
	r := p.run("db", "version", "--url", "mysql://root:"+secret+"@127.0.0.1:3306")
	if r.Code != 1 || strings.Contains(r.Stderr, secret) || !strings.Contains(r.Stderr, "must name one database") {
		t.Errorf("URL without a database: %s", r)
	}
}
