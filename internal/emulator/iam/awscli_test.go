package iam_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/emulatortest"
)

// TestAWSCLI drives IAM and STS with the AWS CLI (v1 or v2, both botocore: a
// second real client next to aws-sdk-go-v2) against a loopback local AWS.
// It is skipped when the aws command is not installed, and in -short mode
// (each call starts a Python interpreter).
func TestAWSCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the AWS CLI for every call")
	}
	awsCmd, err := exec.LookPath("aws")
	if err != nil {
		t.Skip("the aws command is not installed")
	}
	srv := emulatortest.StartServer(t)
	creds, err := srv.Config.Credentials.Retrieve(ctx)
	if err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	env := append(os.Environ(),
		"AWS_ENDPOINT_URL="+srv.URL, "AWS_ACCESS_KEY_ID="+creds.AccessKeyID, "AWS_SECRET_ACCESS_KEY="+creds.SecretAccessKey,
		"AWS_REGION=us-east-1", "AWS_DEFAULT_REGION=us-east-1", "AWS_CONFIG_FILE="+home+"/config", "AWS_SHARED_CREDENTIALS_FILE="+home+"/credentials",
		"AWS_PAGER=", "AWS_MAX_ATTEMPTS=1")
	run := func(args ...string) map[string]any {
		t.Helper()
		cmd := exec.Command(awsCmd, append(args, "--output", "json")...)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		m := map[string]any{}
		if len(strings.TrimSpace(string(out))) > 0 {
			if err := json.Unmarshal(out, &m); err != nil {
				t.Fatalf("aws %s: output is not JSON: %v\n%s", strings.Join(args, " "), err, out)
			}
		}
		return m
	}
	fails := func(code string, args ...string) {
		t.Helper()
		cmd := exec.Command(awsCmd, args...)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if err == nil || !strings.Contains(string(out), "("+code+")") {
			t.Fatalf("aws %s: want error %s, got %v\n%s", strings.Join(args, " "), code, err, out)
		}
	}

	trust := trustAccount(srv.AccountID)
	run("iam", "create-user", "--user-name", "alice", "--tags", "Key=team,Value=platform")
	run("iam", "create-group", "--group-name", "devs")
	run("iam", "add-user-to-group", "--user-name", "alice", "--group-name", "devs")
	role := run("iam", "create-role", "--role-name", "deployer", "--assume-role-policy-document", trust)
	if arn := role["Role"].(map[string]any)["Arn"]; arn != "arn:aws:iam::"+srv.AccountID+":role/deployer" {
		t.Errorf("create-role Arn = %v", arn)
	}
	got := run("iam", "get-role", "--role-name", "deployer")
	// The CLI decodes the URL-encoded document into JSON.
	if doc, ok := got["Role"].(map[string]any)["AssumeRolePolicyDocument"].(map[string]any); !ok || doc["Version"] != "2012-10-17" {
		t.Errorf("get-role AssumeRolePolicyDocument = %v", got["Role"])
	}
	run("iam", "attach-role-policy", "--role-name", "deployer", "--policy-arn", "arn:aws:iam::aws:policy/AdministratorAccess")
	run("iam", "put-role-policy", "--role-name", "deployer", "--policy-name", "inline", "--policy-document", allowAll)
	users := run("iam", "list-users")
	if n := len(users["Users"].([]any)); n != 1 {
		t.Errorf("list-users = %d users", n)
	}
	groups := run("iam", "list-groups-for-user", "--user-name", "alice")
	if n := len(groups["Groups"].([]any)); n != 1 {
		t.Errorf("list-groups-for-user = %d groups", n)
	}
	summary := run("iam", "get-account-summary")
	if summary["SummaryMap"].(map[string]any)["Users"] != float64(1) {
		t.Errorf("get-account-summary = %v", summary)
	}
	details := run("iam", "get-account-authorization-details")
	if n := len(details["RoleDetailList"].([]any)); n != 1 {
		t.Errorf("get-account-authorization-details roles = %d", n)
	}
	run("iam", "create-virtual-mfa-device", "--virtual-mfa-device-name", "alice", "--outfile", home+"/seed.txt", "--bootstrap-method", "Base32StringSeed")
	if seed, err := os.ReadFile(home + "/seed.txt"); err != nil || len(seed) != 64 {
		t.Errorf("Base32StringSeed written by the CLI: %q, %v", seed, err)
	}
	key := run("iam", "create-access-key", "--user-name", "alice")
	if id := key["AccessKey"].(map[string]any)["AccessKeyId"].(string); !strings.HasPrefix(id, "AKIA") {
		t.Errorf("create-access-key = %v", key)
	}
	fails("NoSuchEntity", "iam", "get-user", "--user-name", "nobody")
	fails("DeleteConflict", "iam", "delete-user", "--user-name", "alice")
	fails("MalformedPolicyDocument", "iam", "create-policy", "--policy-name", "bad", "--policy-document", `{"Statement":[]}`)

	who := run("sts", "get-caller-identity")
	if who["Account"] != srv.AccountID {
		t.Errorf("get-caller-identity = %v", who)
	}
	assumed := run("sts", "assume-role", "--role-arn", "arn:aws:iam::"+srv.AccountID+":role/deployer", "--role-session-name", "cli", "--duration-seconds", "900")
	c := assumed["Credentials"].(map[string]any)
	if !strings.HasPrefix(c["AccessKeyId"].(string), "ASIA") || c["Expiration"] == nil {
		t.Errorf("assume-role = %v", assumed)
	}
	fails("ValidationError", "sts", "assume-role", "--role-arn", "arn:aws:iam::"+srv.AccountID+":role/deployer", "--role-session-name", "cli", "--duration-seconds", "7200")
	run("sts", "get-session-token", "--duration-seconds", "900")
}
