package stages

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/google/go-cmp/cmp"
)

func testSession() *Session {
	return &Session{
		Resolution: &Resolution{Stage: "feature-login", Account: "dev"},
		AccountID:  "111122223333", Role: "appeng",
		Credentials: aws.Credentials{AccessKeyID: "ASIAEXAMPLE", SecretAccessKey: "se'cret", SessionToken: "tok=en",
			CanExpire: true, Expires: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)},
	}
}

func TestEnviron(t *testing.T) {
	s := testSession()
	env := []string{"PATH=/bin", "AWS_PROFILE=admin", "AWS_ACCESS_KEY_ID=AKIAOLD", "AWS_CREDENTIAL_EXPIRATION=x",
		"AWS_ENDPOINT_URL_STS=http://elsewhere", "AWS_ROLE_ARN=r", "AWS_WEB_IDENTITY_TOKEN_FILE=f", "HOME=/h"}
	got := Environ(env, s.Vars("eu-west-1", ""))
	want := []string{"PATH=/bin", "HOME=/h",
		"AWS_ACCESS_KEY_ID=ASIAEXAMPLE", "AWS_SECRET_ACCESS_KEY=se'cret", "AWS_SESSION_TOKEN=tok=en", "AWS_CREDENTIAL_EXPIRATION=2026-01-02T03:04:05Z",
		"AWS_REGION=eu-west-1", "AWS_DEFAULT_REGION=eu-west-1",
		"BULKHEAD_STAGE=feature-login", "BULKHEAD_ACCOUNT=dev", "BULKHEAD_ACCOUNT_ID=111122223333", "BULKHEAD_ROLE=appeng"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("environ (-want +got):\n%s", diff)
	}
	got = Environ(nil, s.Vars("us-east-1", "http://127.0.0.1:4566"))
	if !contains(got, "AWS_ENDPOINT_URL=http://127.0.0.1:4566") {
		t.Errorf("no endpoint: %q", got)
	}
}

func TestFormatEnv(t *testing.T) {
	vars := [][2]string{{"AWS_SECRET_ACCESS_KEY", "a'b"}, {"BULKHEAD_STAGE", "qa"}}
	tests := []struct{ format, want string }{
		{"sh", "export AWS_SECRET_ACCESS_KEY='a'\\''b'\nexport BULKHEAD_STAGE=qa\n"},
		{"fish", "set -gx AWS_SECRET_ACCESS_KEY 'a'\\''b';\nset -gx BULKHEAD_STAGE qa;\n"},
		{"powershell", "$Env:AWS_SECRET_ACCESS_KEY = 'a''b'\n$Env:BULKHEAD_STAGE = 'qa'\n"},
		{"dotenv", "AWS_SECRET_ACCESS_KEY=\"a'b\"\nBULKHEAD_STAGE=qa\n"},
		{"json", "{\n  \"AWS_SECRET_ACCESS_KEY\": \"a'b\",\n  \"BULKHEAD_STAGE\": \"qa\"\n}\n"},
	}
	for _, tt := range tests {
		got, err := FormatEnv(tt.format, vars)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.format, diff)
		}
	}
	if _, err := FormatEnv("csh", vars); err == nil || !strings.Contains(err.Error(), "want one of sh, fish, powershell, json, dotenv") {
		t.Errorf("err = %v", err)
	}
}

func TestCredentialProcess(t *testing.T) {
	got := testSession().CredentialProcess()
	want := CredentialProcess{Version: 1, AccessKeyID: "ASIAEXAMPLE", SecretAccessKey: "se'cret", SessionToken: "tok=en", Expiration: "2026-01-02T03:04:05Z"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestSessionName(t *testing.T) {
	tests := []struct{ user, stage, want string }{
		{"alice", "feature-login", "alice@feature-login"},
		{"José María", "feature/ü", "Jos--Mar-a@feature--"},
		{"a", "", "a@"},
		{strings.Repeat("x", 60), "feature-login", strings.Repeat("x", 60) + "@fea"},
	}
	for _, tt := range tests {
		if got := SessionName(tt.user, tt.stage); got != tt.want {
			t.Errorf("SessionName(%q, %q) = %q, want %q", tt.user, tt.stage, got, tt.want)
		}
	}
	for in, want := range map[string]string{"alice": "alice", "a": "", "aws:x": "aws-x", "bob smith": "bob-smith"} {
		if got := SourceIdentity(in); got != want {
			t.Errorf("SourceIdentity(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"arn:aws:iam::1:user/alice":                       "alice",
		"arn:aws:iam::1:user/people/alice":                "alice",
		"arn:aws:sts::1:assumed-role/ci-deployer/gha-run": "gha-run",
		"arn:aws:iam::1:root":                             "root",
		"arn:aws:sts::1:assumed-role/appeng/alice@qa":     "alice",
	} {
		if got := UserName(in); got != want {
			t.Errorf("UserName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRedactArgs(t *testing.T) {
	got := RedactArgs([]string{"deploy", "--password", "p", "--token=t", "--region", "eu-west-1", "DB_SECRET=s", "-v",
		"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY0000"})
	want := []string{"deploy", "--password", Redacted, "--token=" + Redacted, "--region", "eu-west-1", "DB_SECRET=" + Redacted, "-v", Redacted, Redacted}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestIsRole(t *testing.T) {
	tests := []struct {
		arn  string
		want bool
	}{
		{"arn:aws:sts::111122223333:assumed-role/ci-deployer/run-1", true},
		{"arn:aws:iam::111122223333:role/ci-deployer", true},
		{"arn:aws:iam::111122223333:role/path/ci-deployer", true},
		{"arn:aws:sts::111122223333:assumed-role/ci-deployer-2/run-1", false},
		{"arn:aws:sts::999922223333:assumed-role/ci-deployer/run-1", false},
		{"arn:aws:iam::111122223333:user/ci-deployer", false},
	}
	for _, tt := range tests {
		if got := IsRole(tt.arn, "111122223333", "ci-deployer"); got != tt.want {
			t.Errorf("IsRole(%s) = %v", tt.arn, got)
		}
	}
}
