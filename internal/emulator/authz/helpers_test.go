package authz_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	orgs "github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/emulatortest"
)

// These tests drive the local AWS through aws-sdk-go-v2 with enforcement
// on (the default): every refusal is what a real client parses.

var ctx = context.Background()

// clients are the three services' clients for one set of credentials.
type clients struct {
	cfg  aws.Config
	iam  *iam.Client
	sts  *sts.Client
	orgs *orgs.Client
}

func clientsFor(cfg aws.Config) *clients {
	return &clients{cfg: cfg, iam: iam.NewFromConfig(cfg), sts: sts.NewFromConfig(cfg), orgs: orgs.NewFromConfig(cfg)}
}

// session returns clients for temporary credentials.
func session(e *emulatortest.Env, c *ststypes.Credentials) *clients {
	return clientsFor(e.ConfigFor(aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken)))
}

// inRegion returns the same credentials signing for another region.
func (c *clients) inRegion(region string) *clients {
	cfg := c.cfg.Copy()
	cfg.Region = region
	return clientsFor(cfg)
}

// assume assumes roleARN with c and returns clients for the session.
func assume(t testing.TB, e *emulatortest.Env, c *clients, roleARN, session string) *clients {
	t.Helper()
	out, err := c.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String(session)})
	if err != nil {
		t.Fatalf("AssumeRole %s: %v", roleARN, err)
	}
	return clientsFor(e.ConfigFor(aws.ToString(out.Credentials.AccessKeyId), aws.ToString(out.Credentials.SecretAccessKey), aws.ToString(out.Credentials.SessionToken)))
}

// wantDenied checks that err is the AccessDenied error code with the HTTP
// status and exactly the message.
func wantDenied(t *testing.T, err error, code string, status int, msg string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s: %s", code, msg)
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("got %v, want API error %s", err, code)
	}
	if ae.ErrorCode() != code || ae.ErrorMessage() != msg {
		t.Fatalf("got %s: %s\nwant %s: %s", ae.ErrorCode(), ae.ErrorMessage(), code, msg)
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) && re.HTTPStatusCode() != status {
		t.Fatalf("got HTTP %d for %s, want %d", re.HTTPStatusCode(), code, status)
	}
}

func must[T any](t testing.TB) func(v T, err error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func policyDoc(statements ...string) string {
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(statements, ",") + `]}`
}
