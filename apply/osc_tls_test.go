package apply

import (
	"os/exec"
	"strings"
	"testing"
)

// The check that the tool's client library refuses a server offering no
// TLS: the lines emcee once wrote (a bare ssl-verify-server-cert, which
// libmariadb reads as off; ssl-cipher) are caught before the tool gets
// the password, the lines it writes now pass.
func TestOSCDemandsTLS(t *testing.T) {
	if err := exec.Command("perl", "-MDBD::mysql", "-e", "1").Run(); err != nil {
		t.Skipf("perl with DBD::mysql (what pt-online-schema-change runs on) is not installed: %v", err)
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
		err := oscDemandsTLS(t.Context(), c.lines)
		if c.clear && (err == nil || !strings.Contains(err.Error(), "logged in to a server offering no TLS although its option file demands TLS")) {
			t.Errorf("%q: want the refusal, got %v", c.lines, err)
		}
		if !c.clear && err != nil {
			t.Errorf("%q: %v", c.lines, err)
		}
	}
}
