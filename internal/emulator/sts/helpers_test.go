package sts_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	emuiam "github.com/bulkhead-dev/bulkhead/internal/emulator/iam"
)

func totp(t *testing.T, seed string, at time.Time) string {
	t.Helper()
	code, err := emuiam.TOTP(seed, at)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// memberAccount creates an account through Organizations and returns its
// id once CreateAccount has succeeded.
func memberAccount(t *testing.T, e *env, name string) string {
	t.Helper()
	org := organizations.NewFromConfig(e.Config)
	call(org.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll})).must(t)
	st := call(org.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String(name), Email: aws.String(name + "@example.com")})).must(t).CreateAccountStatus
	for range 100 {
		e.Clock.Advance(10 * time.Second)
		st = call(org.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: st.Id})).must(t).CreateAccountStatus
		if st.State != orgtypes.CreateAccountStateInProgress {
			break
		}
	}
	if st.State != orgtypes.CreateAccountStateSucceeded {
		t.Fatalf("CreateAccount %s: %s", name, st.State)
	}
	return aws.ToString(st.AccountId)
}
