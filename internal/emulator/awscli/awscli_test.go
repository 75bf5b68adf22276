// Package awscli runs the AWS CLI v2 (Debian's awscli package, /usr/bin/aws)
// against a local AWS on a loopback port: bash scripts under testdata drive
// the user journeys bulkhead promises work with an unmodified client.
//
// The package holds tests only.
package awscli

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bulkhead-dev/bulkhead/internal/emulator"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/emulatortest"
)

// awsBin is the AWS CLI v2 of Debian's awscli package. A pyenv shim or a
// pip-installed CLI v1 may come first on PATH; the scripts never use it.
const awsBin = "/usr/bin/aws"

// TestScripts runs testdata/*.sh, each against a fresh local AWS served on
// loopback, with the management account root's keys in the environment.
// Scripts call `aws`, a function that adds --endpoint-url (the CLI of
// Debian 12, 2.9, predates AWS_ENDPOINT_URL, which is exported too). They
// fail on the first failing command (bash -euo pipefail).
//
// The test is skipped when /usr/bin/aws is absent, unless CI is set: .ci/run
// installs awscli, so there its absence is a failure.
func TestScripts(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the AWS CLI many times")
	}
	if _, err := os.Stat(awsBin); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("the AWS CLI v2 is required in CI (apt-get install awscli): %v", err)
		}
		t.Skipf("the AWS CLI v2 is not installed at %s (apt-get install awscli)", awsBin)
	}
	scripts, err := filepath.Glob("testdata/*.sh")
	if err != nil || len(scripts) == 0 {
		t.Fatalf("no scripts in testdata: %v", err)
	}
	prelude, err := filepath.Abs("testdata/prelude.bash")
	if err != nil {
		t.Fatal(err)
	}
	for _, script := range scripts {
		t.Run(strings.TrimSuffix(filepath.Base(script), ".sh"), func(t *testing.T) {
			t.Parallel()
			srv := emulatortest.StartServer(t, func(o *emulator.Options) {
				// CreateAccount completes on the wall clock, so scripts
				// really wait on its status.
				o.Now = time.Now
				o.Organizations.CreateAccountDelay = 6 * time.Second
			})
			id, secret := srv.Emulator.RootCredentials()
			home := t.TempDir()
			cmd := exec.Command("bash", "-euo", "pipefail", script)
			cmd.Env = []string{
				"PATH=/usr/bin:/bin",
				"HOME=" + home,
				"BASH_ENV=" + prelude,
				"AWS_CLI=" + awsBin,
				"AWS_ENDPOINT_URL=" + srv.URL,
				"AWS_ACCESS_KEY_ID=" + id,
				"AWS_SECRET_ACCESS_KEY=" + secret,
				"AWS_REGION=us-east-1",
				"AWS_DEFAULT_REGION=us-east-1",
				"AWS_PAGER=",
				"AWS_CONFIG_FILE=/dev/null",
				"AWS_SHARED_CREDENTIALS_FILE=/dev/null",
				"AWS_MAX_ATTEMPTS=1",
				"MANAGEMENT_ACCOUNT=" + srv.AccountID,
			}
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("%s: %v\n%s", script, err, out)
			}
			t.Logf("%s", out)
		})
	}
}
