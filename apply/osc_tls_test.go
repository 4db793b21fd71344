package apply

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The check that the tool's client library refuses a server offering no
// TLS: the lines emcee once wrote (a bare ssl-verify-server-cert, which
// libmariadb reads as off; ssl-cipher) are caught before the tool gets
// the password, the lines it writes now pass.
func TestOSCDemandsTLS(t *testing.T) {
	tool, err := exec.LookPath("pt-online-schema-change")
	if err != nil {
		t.Skip("pt-online-schema-change is not installed (apt-get install percona-toolkit)")
	}
	for _, c := range []struct {
		lines string
		clear bool
	}{
		{"ssl-ca=\"/etc/ssl/certs/ca-certificates.crt\"\nssl-verify-server-cert\n", true},
		{"ssl-cipher=\"DEFAULT\"\n", true},
		{(clientTLS{encrypt: true, ca: "/etc/ssl/certs/ca-certificates.crt"}).optionFile(), false},
		{(clientTLS{encrypt: true, pin: "8E3AB824037BF233E7363FA67646CB884C0C60AB"}).optionFile(), false},
	} {
		err := oscDemandsTLS(t.Context(), tool, c.lines)
		if c.clear && (err == nil || !strings.Contains(err.Error(), "logged in to a server offering no TLS although its option file demands TLS")) {
			t.Errorf("%q: want the refusal, got %v", c.lines, err)
		}
		if !c.clear && err != nil {
			t.Errorf("%q: %v", c.lines, err)
		}
	}
	// A perl that never connects shows nothing: the check refuses rather
	// than vouch for the tool.
	missing := filepath.Join(t.TempDir(), "pt-online-schema-change")
	if err := os.WriteFile(missing, []byte("#!/nonexistent/perl\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := oscDemandsTLS(t.Context(), missing, "ssl-fp=\"8E3AB824\"\n"); err == nil || !strings.Contains(err.Error(), "/nonexistent/perl -MDBI never connected to emcee's listener") {
		t.Errorf("perl missing: want the check's refusal, got %v", err)
	}
}
