package emulator_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/bulkhead-dev/bulkhead/internal/emulator"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/emulatortest"
)

// TestDefaultServicesWiring checks what DefaultServices connects: a new
// account gets its organization access role from IAM, which STS assumes;
// injected CreateAccount failures reach Organizations.
func TestDefaultServicesWiring(t *testing.T) {
	env := emulatortest.Start(t, func(o *emulator.Options) { o.Organizations.CreateAccountDelay = -1 })
	ctx := context.Background()
	org := organizations.NewFromConfig(env.Config)
	if _, err := org.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll}); err != nil {
		t.Fatal(err)
	}
	create := func(name string) *orgtypes.CreateAccountStatus {
		t.Helper()
		out, err := org.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String(name), Email: aws.String("aws+" + name + "@example.com"), RoleName: aws.String("Admin")})
		if err != nil {
			t.Fatal(err)
		}
		st, err := org.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: out.CreateAccountStatus.Id})
		if err != nil {
			t.Fatal(err)
		}
		return st.CreateAccountStatus
	}
	st := create("dev")
	if st.State != orgtypes.CreateAccountStateSucceeded {
		t.Fatalf("CreateAccount: %s %s", st.State, st.FailureReason)
	}
	as, err := sts.NewFromConfig(env.Config).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + aws.ToString(st.AccountId) + ":role/Admin"), RoleSessionName: aws.String("wiring")})
	if err != nil {
		t.Fatalf("AssumeRole into the requested access role: %v", err)
	}
	member := env.ConfigFor(aws.ToString(as.Credentials.AccessKeyId), aws.ToString(as.Credentials.SecretAccessKey), aws.ToString(as.Credentials.SessionToken))
	if _, err := iam.NewFromConfig(member).GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("Admin")}); err != nil {
		t.Errorf("the access role is not in the member account: %v", err)
	}
	if n := env.Emulator.Calls("sts:AssumeRole"); n != 1 {
		t.Errorf("sts:AssumeRole calls = %d, want 1", n)
	}

	if err := env.Emulator.SetFaults(emulator.Faults{CreateAccountFailureRate: 1, CreateAccountFailureReason: "ACCOUNT_LIMIT_EXCEEDED"}); err != nil {
		t.Fatal(err)
	}
	if st := create("qa"); st.State != orgtypes.CreateAccountStateFailed || st.FailureReason != orgtypes.CreateAccountFailureReasonAccountLimitExceeded {
		t.Errorf("injected failure: %s %s", st.State, st.FailureReason)
	}
}
