package cli

import (
	"context"
	"os"
	"os/exec"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestMain lets the test binary act as the bulkhead command inside
// testscript scripts: "exec bulkhead ..." or plain "bulkhead ..." runs Main.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"bulkhead": func() { os.Exit(Main(context.Background(), os.Args[1:], OSStreams())) },
	})
}

// TestScripts runs every testdata/script/*.txtar: end-to-end behaviour of
// the CLI as a user sees it (argv in, stdout/stderr/exit code and files out).
//
// Conditions available to scripts:
//
//	[awscli]  the AWS CLI v2 from Debian's awscli package is at /usr/bin/aws
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: false,
		Setup: func(e *testscript.Env) error {
			e.Setenv("NO_COLOR", "1")
			e.Setenv("BULKHEAD_NO_KEYRING", "1")
			e.Setenv("AWS_CONFIG_FILE", e.WorkDir+"/.aws/config")
			e.Setenv("AWS_SHARED_CREDENTIALS_FILE", e.WorkDir+"/.aws/credentials")
			e.Setenv("AWS_PAGER", "")
			return nil
		},
		Condition: func(cond string) (bool, error) {
			switch cond {
			case "awscli":
				_, err := exec.LookPath("/usr/bin/aws")
				return err == nil, nil
			}
			return false, nil
		},
	})
}
