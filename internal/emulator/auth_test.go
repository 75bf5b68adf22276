package emulator_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/bulkhead-dev/bulkhead/internal/emulator"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/emulatortest"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/service"
)

// withCredentialOps adds a test-only STS operation that writes a
// credential (and optionally closes its account), standing in for IAM's
// CreateAccessKey and STS's AssumeRole.
func withCredentialOps(o *emulator.Options) {
	o.Services = fakeServices()
	for i := range o.Services {
		if o.Services[i].Name != "sts" {
			continue
		}
		o.Services[i].Operations["PutTestCredential"] = service.Operation{Mutates: true, Handler: func(ctx context.Context, r *service.Request) (any, error) {
			var in struct {
				AccessKeyID, Secret, Token, Status, Account string
				ExpiresIn                                   int
				CloseAccount                                bool
			}
			if err := r.Decode(&in); err != nil {
				return nil, err
			}
			c := service.Credential{AccessKeyID: in.AccessKeyID, SecretAccessKey: in.Secret, SessionToken: in.Token, Status: in.Status,
				Identity: service.Identity{Account: in.Account, ARN: "arn:aws:sts::" + in.Account + ":assumed-role/r/s", Type: "AssumedRole", UserID: "AROA:s"}}
			if in.ExpiresIn > 0 {
				c.Expires = r.Now.Add(time.Duration(in.ExpiresIn) * time.Second)
			}
			if err := r.Tx.Put(service.AccountTable, in.Account, service.Account{ID: in.Account, Closed: in.CloseAccount}); err != nil {
				return nil, err
			}
			return nil, r.Tx.Put(service.CredentialTable, c.AccessKeyID, c)
		}}
	}
}

func putCredential(t *testing.T, env *emulatortest.Env, params map[string]string) {
	t.Helper()
	_, err := rawQuery(t, env, "sts", "2011-06-15", "PutTestCredential", params)
	if err != nil {
		t.Fatal(err)
	}
}

func TestTemporaryCredentials(t *testing.T) {
	env := emulatortest.Start(t, withCredentialOps)
	ctx := context.Background()
	putCredential(t, env, map[string]string{"AccessKeyID": "ASIATEMP", "Secret": "s3cr3t", "Token": "tok", "Status": "Active", "Account": "222222222222", "ExpiresIn": "3600"})
	putCredential(t, env, map[string]string{"AccessKeyID": "AKIAOFF", "Secret": "s3cr3t", "Status": "Inactive", "Account": "222222222222"})
	putCredential(t, env, map[string]string{"AccessKeyID": "AKIACLOSED", "Secret": "s3cr3t", "Status": "Active", "Account": "333333333333", "CloseAccount": "true"})

	call := func(cfg aws.Config) (string, error) {
		out, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			return "", err
		}
		return aws.ToString(out.Account), nil
	}
	if acct, err := call(env.ConfigFor("ASIATEMP", "s3cr3t", "tok")); err != nil || acct != "222222222222" {
		t.Fatalf("session credentials: %q, %v", acct, err)
	}
	tests := []struct {
		name string
		cfg  aws.Config
		want string
	}{
		{"session without its token", env.ConfigFor("ASIATEMP", "s3cr3t", ""), "InvalidClientTokenId"},
		{"session with another token", env.ConfigFor("ASIATEMP", "s3cr3t", "other"), "InvalidClientTokenId"},
		{"inactive key", env.ConfigFor("AKIAOFF", "s3cr3t", ""), "InvalidClientTokenId"},
		{"closed account", env.ConfigFor("AKIACLOSED", "s3cr3t", ""), "InvalidClientTokenId"},
	}
	for _, tt := range tests {
		if _, err := call(tt.cfg); apiCode(t, err) != tt.want {
			t.Errorf("%s: %v, want %s", tt.name, err, tt.want)
		}
	}
	// The session expires on the request clock.
	env.Clock.Advance(time.Hour)
	if _, err := call(env.ConfigFor("ASIATEMP", "s3cr3t", "tok")); apiCode(t, err) != "ExpiredToken" {
		t.Errorf("expired session: %v, want ExpiredToken", err)
	}
	_, err := organizations.NewFromConfig(env.ConfigFor("ASIATEMP", "s3cr3t", "tok")).DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	if code := apiCode(t, err); code != "ExpiredTokenException" {
		t.Errorf("expired session (JSON): %v, want ExpiredTokenException", err)
	}
}
