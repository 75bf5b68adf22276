package organizations_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	orgs "github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/bulkhead-dev/bulkhead/internal/emulator"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/emulatortest"
)

// TestWithIAMAndSTS runs the default services together: a created
// account gets its organization access role from IAM, the management
// account assumes it through STS, and the member session is refused
// management-only operations and sees the organization.
func TestWithIAMAndSTS(t *testing.T) {
	ctx := context.Background()
	env := emulatortest.Start(t, func(o *emulator.Options) {
		o.Organizations = emulator.OrganizationsOptions{CreateAccountDelay: -1}
	})
	c := orgs.NewFromConfig(env.Config)
	if _, err := c.CreateOrganization(ctx, &orgs.CreateOrganizationInput{}); err != nil {
		t.Fatal(err)
	}
	out, err := c.CreateAccount(ctx, &orgs.CreateAccountInput{AccountName: aws.String("workload"), Email: aws.String("workload@example.com"), RoleName: aws.String("OrgAdmin")})
	if err != nil || out.CreateAccountStatus.State != types.CreateAccountStateSucceeded {
		t.Fatalf("CreateAccount: %+v %v", out, err)
	}
	acct := *out.CreateAccountStatus.AccountId
	creds, err := sts.NewFromConfig(env.Config).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::" + acct + ":role/OrgAdmin"), RoleSessionName: aws.String("admin"),
	})
	if err != nil {
		t.Fatalf("AssumeRole into the new account: %v", err)
	}
	memberCfg := env.ConfigFor(*creds.Credentials.AccessKeyId, *creds.Credentials.SecretAccessKey, *creds.Credentials.SessionToken)
	who, err := sts.NewFromConfig(memberCfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || *who.Account != acct {
		t.Fatalf("GetCallerIdentity: %+v %v", who, err)
	}
	role, err := iam.NewFromConfig(memberCfg).GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("OrgAdmin")})
	if err != nil || *role.Role.RoleName != "OrgAdmin" {
		t.Fatalf("GetRole in the member account: %+v %v", role, err)
	}
	m := orgs.NewFromConfig(memberCfg)
	d, err := m.DescribeOrganization(ctx, &orgs.DescribeOrganizationInput{})
	if err != nil || *d.Organization.MasterAccountId != env.AccountID {
		t.Fatalf("member DescribeOrganization: %+v %v", d, err)
	}
	_, err = m.ListAccounts(ctx, &orgs.ListAccountsInput{})
	wantErr(t, err, "AccessDeniedException", "")

	// Closing the account stops its credentials.
	if _, err := c.CloseAccount(ctx, &orgs.CloseAccountInput{AccountId: &acct}); err != nil {
		t.Fatal(err)
	}
	if _, err := m.DescribeOrganization(ctx, &orgs.DescribeOrganizationInput{}); err == nil {
		t.Error("a closed account's session still works")
	}
}
