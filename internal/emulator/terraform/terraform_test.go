// Package terraform applies, re-plans and destroys a Terraform
// configuration (Organizations organization, OU, SCP and attachment; an
// IAM role) against a local AWS on loopback with the AWS provider, pointed
// at it through the provider's endpoints block as docs/local-aws.md says.
//
// The package holds tests only. They run when terraform and a filesystem
// mirror of the hashicorp/aws provider are installed (TF_PLUGIN_MIRROR,
// default /opt/tf-plugins), and are skipped otherwise: the real
// clients are the SDKs and the AWS CLI; Terraform is checked where present.
package terraform

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bulkhead-dev/bulkhead/internal/emulator"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/emulatortest"
)

func TestApplyPlanDestroy(t *testing.T) {
	if testing.Short() {
		t.Skip("runs terraform")
	}
	bin, err := exec.LookPath("terraform")
	if err != nil {
		t.Skip("terraform is not installed")
	}
	mirror := os.Getenv("TF_PLUGIN_MIRROR")
	if mirror == "" {
		mirror = "/opt/tf-plugins"
	}
	if _, err := os.Stat(filepath.Join(mirror, "registry.terraform.io", "hashicorp", "aws")); err != nil {
		t.Skipf("no filesystem mirror of hashicorp/aws in %s", mirror)
	}
	versions, _ := filepath.Glob(filepath.Join(mirror, "registry.terraform.io", "hashicorp", "aws", "*"))
	if len(versions) == 0 {
		t.Skipf("no hashicorp/aws version in %s", mirror)
	}
	version := filepath.Base(versions[len(versions)-1])

	srv := emulatortest.StartServer(t, func(o *emulator.Options) { o.Organizations.CreateAccountDelay = -1 })
	id, secret := srv.Emulator.RootCredentials()
	dir := t.TempDir()
	cfg, err := os.ReadFile("testdata/main.tf")
	if err != nil {
		t.Fatal(err)
	}
	cfg = []byte(strings.Replace(string(cfg), `version = "5.100.0"`, `version = "`+version+`"`, 1))
	rc := `provider_installation {
  filesystem_mirror {
    path    = "` + mirror + `"
    include = ["registry.terraform.io/hashicorp/aws"]
  }
  direct {
    exclude = ["registry.terraform.io/hashicorp/aws"]
  }
}
`
	for name, body := range map[string][]byte{"main.tf": cfg, "terraformrc": []byte(rc)} {
		if err := os.WriteFile(filepath.Join(dir, name), body, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + dir,
		"TF_CLI_CONFIG_FILE=" + filepath.Join(dir, "terraformrc"),
		"TF_IN_AUTOMATION=1",
		"CHECKPOINT_DISABLE=1",
		"AWS_ACCESS_KEY_ID=" + id,
		"AWS_SECRET_ACCESS_KEY=" + secret,
		"AWS_CONFIG_FILE=/dev/null",
		"AWS_SHARED_CREDENTIALS_FILE=/dev/null",
		"AWS_EC2_METADATA_DISABLED=true",
	}
	run := func(args ...string) (string, error) {
		cmd := exec.Command(bin, args...)
		cmd.Dir, cmd.Env = dir, env
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	endpoint := "-var=endpoint=" + srv.URL
	if out, err := run("init", "-input=false", "-no-color"); err != nil {
		t.Fatalf("terraform init: %v\n%s", err, out)
	}
	out, err := run("apply", "-auto-approve", "-input=false", "-no-color", endpoint)
	if err != nil {
		t.Fatalf("terraform apply: %v\n%s", err, out)
	}
	if !strings.Contains(out, "Resources: 5 added") || !strings.Contains(out, `account = "`+srv.AccountID+`"`) {
		t.Errorf("terraform apply:\n%s", out)
	}
	// A second plan finds nothing to change: every read matches what was written.
	if out, err := run("plan", "-detailed-exitcode", "-input=false", "-no-color", endpoint); err != nil {
		t.Errorf("terraform plan after apply wants changes (%v):\n%s", err, out)
	}
	if out, err := run("destroy", "-auto-approve", "-input=false", "-no-color", endpoint); err != nil || !strings.Contains(out, "Resources: 5 destroyed") {
		t.Errorf("terraform destroy: %v\n%s", err, out)
	}
}
