package organizations_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/bulkhead-dev/bulkhead/internal/emulator"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/emulatortest"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/organizations"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/service"
)

// TestAWSCLI drives Organizations over loopback with the AWS CLI (a
// second, independent client: botocore's JSON 1.1 parser and error
// handling). It runs when an `aws` executable is installed (Debian's
// awscli package installs /usr/bin/aws) and is skipped otherwise.
func TestAWSCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the AWS CLI several times")
	}
	bin := "/usr/bin/aws"
	if _, err := os.Stat(bin); err != nil {
		p, err := exec.LookPath("aws")
		if err != nil {
			t.Skip("no aws CLI installed")
		}
		bin = p
	}
	srv := emulatortest.StartServer(t, func(o *emulator.Options) {
		o.Services = []service.Spec{organizations.New(organizations.Config{CreateAccountDelay: -1}).Spec()}
	})
	id, secret := srv.Emulator.RootCredentials()
	home := t.TempDir()
	env := append(os.Environ(),
		"AWS_ACCESS_KEY_ID="+id, "AWS_SECRET_ACCESS_KEY="+secret, "AWS_SESSION_TOKEN=",
		"AWS_REGION=us-east-1", "AWS_DEFAULT_REGION=us-east-1", "AWS_ENDPOINT_URL="+srv.URL,
		"AWS_CONFIG_FILE="+home+"/config", "AWS_SHARED_CREDENTIALS_FILE="+home+"/credentials",
		"AWS_PAGER=", "AWS_MAX_ATTEMPTS=1", "HOME="+home,
	)
	run := func(args ...string) (map[string]any, string, error) {
		t.Helper()
		// --endpoint-url rather than AWS_ENDPOINT_URL: the CLI of Debian 12
		// (2.9) predates the variable.
		cmd := exec.Command(bin, append([]string{"organizations", "--output", "json", "--endpoint-url", srv.URL}, args...)...)
		cmd.Env = env
		var stdout, stderr strings.Builder
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		var out map[string]any
		if err == nil && strings.TrimSpace(stdout.String()) != "" {
			if jerr := json.Unmarshal([]byte(stdout.String()), &out); jerr != nil {
				t.Fatalf("aws %v: output is not JSON: %v\n%s", args, jerr, stdout.String())
			}
		}
		return out, stderr.String(), err
	}
	must := func(args ...string) map[string]any {
		t.Helper()
		out, stderr, err := run(args...)
		if err != nil {
			t.Fatalf("aws %v: %v\n%s", args, err, stderr)
		}
		return out
	}
	get := func(m map[string]any, path ...string) string {
		var v any = m
		for _, p := range path {
			mm, _ := v.(map[string]any)
			v = mm[p]
		}
		s, _ := v.(string)
		return s
	}

	_, stderr, err := run("describe-organization")
	if err == nil || !strings.Contains(stderr, "AWSOrganizationsNotInUseException") {
		t.Fatalf("describe-organization before create: %v %s", err, stderr)
	}
	must("create-organization", "--feature-set", "ALL")
	roots := must("list-roots")
	root := get(roots["Roots"].([]any)[0].(map[string]any), "Id")
	// CreateAccountDelay is negative: the first status is final.
	car := must("create-account", "--account-name", "prod", "--email", "prod@example.com")
	if get(car, "CreateAccountStatus", "State") != "SUCCEEDED" || get(car, "CreateAccountStatus", "AccountId") == "" {
		t.Fatalf("create-account = %v", car)
	}
	must("enable-policy-type", "--root-id", root, "--policy-type", "SERVICE_CONTROL_POLICY")
	content := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"}]}`
	pol := must("create-policy", "--name", "deny-leave", "--description", "no leaving", "--type", "SERVICE_CONTROL_POLICY", "--content", content)
	must("attach-policy", "--policy-id", get(pol, "Policy", "PolicySummary", "Id"), "--target-id", root)
	// The CLI pages through list-accounts by itself.
	accts := must("list-accounts")
	if n := len(accts["Accounts"].([]any)); n != 2 {
		t.Errorf("list-accounts: %v", accts)
	}
	_, stderr, err = run("create-policy", "--name", "deny-leave", "--description", "again", "--type", "SERVICE_CONTROL_POLICY", "--content", content)
	if err == nil || !strings.Contains(stderr, "DuplicatePolicyException") {
		t.Errorf("duplicate policy: %v %s", err, stderr)
	}
}
