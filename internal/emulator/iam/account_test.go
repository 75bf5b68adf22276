package iam_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/google/go-cmp/cmp"
)

// memberAccount creates an account through Organizations and returns its
// id once CreateAccount has succeeded.
func memberAccount(t *testing.T, e *env, name string) string {
	t.Helper()
	org := organizations.NewFromConfig(e.Config)
	if _, err := org.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{}); err != nil {
		call(org.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll})).must(t)
	}
	st := call(org.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String(name), Email: aws.String(name + "@example.com")})).must(t).CreateAccountStatus
	for range 100 {
		e.Clock.Advance(10 * time.Second)
		st = call(org.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: st.Id})).must(t).CreateAccountStatus
		if st.State != orgtypes.CreateAccountStateInProgress {
			break
		}
	}
	if st.State != orgtypes.CreateAccountStateSucceeded {
		t.Fatalf("CreateAccount %s: %s %s", name, st.State, st.FailureReason)
	}
	return aws.ToString(st.AccountId)
}

// TestOrganizationAccessRole: every account Organizations creates has
// OrganizationAccountAccessRole trusting the management account, with
// administrator permissions
// (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_accounts_access.html);
// the management account reaches the member's IAM through it.
func TestOrganizationAccessRole(t *testing.T) {
	e := start(t)
	member := memberAccount(t, e, "dev")
	roleARN := "arn:aws:iam::" + member + ":role/OrganizationAccountAccessRole"
	out := call(e.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("admin")})).must(t)
	c := out.Credentials
	memberIAM, memberSTS := e.as(aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken))
	who := call(memberSTS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})).must(t)
	if want := "arn:aws:sts::" + member + ":assumed-role/OrganizationAccountAccessRole/admin"; aws.ToString(who.Arn) != want || aws.ToString(who.Account) != member {
		t.Errorf("caller in member = %s (%s), want %s", aws.ToString(who.Arn), aws.ToString(who.Account), want)
	}

	role := call(memberIAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("OrganizationAccountAccessRole")})).must(t).Role
	if got, want := decodeDoc(t, role.AssumeRolePolicyDocument), trustAccount(e.AccountID); got != want {
		t.Errorf("access role trust:\n got %s\nwant %s", got, want)
	}
	if role.RoleLastUsed == nil || role.RoleLastUsed.LastUsedDate == nil {
		t.Errorf("RoleLastUsed not recorded by AssumeRole: %+v", role.RoleLastUsed)
	}
	names := call(memberIAM.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String("OrganizationAccountAccessRole")})).must(t).PolicyNames
	if diff := cmp.Diff([]string{"AdministratorAccess"}, names); diff != "" {
		t.Errorf("access role policies (-want +got):\n%s", diff)
	}
	pol := call(memberIAM.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String("OrganizationAccountAccessRole"), PolicyName: aws.String("AdministratorAccess")})).must(t)
	if decodeDoc(t, pol.PolicyDocument) != allowAll {
		t.Errorf("AdministratorAccess inline policy = %s", decodeDoc(t, pol.PolicyDocument))
	}

	// The member's IAM is its own: a role created there is not in the
	// management account.
	call(memberIAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("app"), AssumeRolePolicyDocument: aws.String(trustAccount(member))})).must(t)
	_, err := e.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("app")})
	wantErr(t, err, "NoSuchEntity", 404)
	_, err = e.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("OrganizationAccountAccessRole")})
	wantErr(t, err, "NoSuchEntity", 404)

	// Account aliases are unique across accounts.
	call(e.iam.CreateAccountAlias(ctx, &iam.CreateAccountAliasInput{AccountAlias: aws.String("acme-management")})).must(t)
	_, err = memberIAM.CreateAccountAlias(ctx, &iam.CreateAccountAliasInput{AccountAlias: aws.String("acme-management")})
	wantErr(t, err, "EntityAlreadyExists", 409)
	call(memberIAM.CreateAccountAlias(ctx, &iam.CreateAccountAliasInput{AccountAlias: aws.String("acme-dev")})).must(t)
	if a := call(memberIAM.ListAccountAliases(ctx, &iam.ListAccountAliasesInput{})).must(t).AccountAliases; len(a) != 1 || a[0] != "acme-dev" {
		t.Errorf("member aliases = %v", a)
	}
}

func TestAccountAliasAndPasswordPolicy(t *testing.T) {
	e := start(t)
	for _, bad := range []string{"ab", "-acme", "acme-", "ac--me", "Acme", strings.Repeat("a", 64)} {
		_, err := e.iam.CreateAccountAlias(ctx, &iam.CreateAccountAliasInput{AccountAlias: aws.String(bad)})
		wantErr(t, err, "ValidationError", 400)
	}
	call(e.iam.CreateAccountAlias(ctx, &iam.CreateAccountAliasInput{AccountAlias: aws.String("acme")})).must(t)
	// One alias per account: a new one replaces the old.
	call(e.iam.CreateAccountAlias(ctx, &iam.CreateAccountAliasInput{AccountAlias: aws.String("acme-2")})).must(t)
	if a := call(e.iam.ListAccountAliases(ctx, &iam.ListAccountAliasesInput{})).must(t).AccountAliases; len(a) != 1 || a[0] != "acme-2" {
		t.Errorf("aliases = %v", a)
	}
	_, err := e.iam.DeleteAccountAlias(ctx, &iam.DeleteAccountAliasInput{AccountAlias: aws.String("acme")})
	wantErr(t, err, "NoSuchEntity", 404)
	call(e.iam.DeleteAccountAlias(ctx, &iam.DeleteAccountAliasInput{AccountAlias: aws.String("acme-2")})).must(t)
	if a := call(e.iam.ListAccountAliases(ctx, &iam.ListAccountAliasesInput{})).must(t).AccountAliases; len(a) != 0 {
		t.Errorf("aliases after delete = %v", a)
	}

	_, err = e.iam.GetAccountPasswordPolicy(ctx, &iam.GetAccountPasswordPolicyInput{})
	wantErr(t, err, "NoSuchEntity", 404)
	_, err = e.iam.DeleteAccountPasswordPolicy(ctx, &iam.DeleteAccountPasswordPolicyInput{})
	wantErr(t, err, "NoSuchEntity", 404)
	_, err = e.iam.UpdateAccountPasswordPolicy(ctx, &iam.UpdateAccountPasswordPolicyInput{MinimumPasswordLength: aws.Int32(5)})
	wantErr(t, err, "ValidationError", 400)
	call(e.iam.UpdateAccountPasswordPolicy(ctx, &iam.UpdateAccountPasswordPolicyInput{
		MinimumPasswordLength: aws.Int32(14), RequireSymbols: true, RequireNumbers: true, MaxPasswordAge: aws.Int32(90),
		PasswordReusePrevention: aws.Int32(24), AllowUsersToChangePassword: true,
	})).must(t)
	pp := call(e.iam.GetAccountPasswordPolicy(ctx, &iam.GetAccountPasswordPolicyInput{})).must(t).PasswordPolicy
	if aws.ToInt32(pp.MinimumPasswordLength) != 14 || !pp.RequireSymbols || !pp.RequireNumbers || pp.RequireUppercaseCharacters ||
		!pp.ExpirePasswords || aws.ToInt32(pp.MaxPasswordAge) != 90 || aws.ToInt32(pp.PasswordReusePrevention) != 24 || !pp.AllowUsersToChangePassword {
		t.Errorf("password policy = %+v", pp)
	}
	// Omitted parameters return to their defaults.
	call(e.iam.UpdateAccountPasswordPolicy(ctx, &iam.UpdateAccountPasswordPolicyInput{})).must(t)
	pp = call(e.iam.GetAccountPasswordPolicy(ctx, &iam.GetAccountPasswordPolicyInput{})).must(t).PasswordPolicy
	if aws.ToInt32(pp.MinimumPasswordLength) != 8 || pp.RequireSymbols || pp.ExpirePasswords {
		t.Errorf("default password policy = %+v", pp)
	}
	call(e.iam.DeleteAccountPasswordPolicy(ctx, &iam.DeleteAccountPasswordPolicyInput{})).must(t)
}

func TestAccountSummary(t *testing.T) {
	e := start(t)
	call(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("u")})).must(t)
	call(e.iam.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("g")})).must(t)
	call(e.iam.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("p"), PolicyDocument: aws.String(doc("s3:*"))})).must(t)
	call(e.iam.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("m")})).must(t)
	m := call(e.iam.GetAccountSummary(ctx, &iam.GetAccountSummaryInput{})).must(t).SummaryMap
	want := map[string]int32{"Users": 1, "Groups": 1, "Roles": 0, "Policies": 1, "PolicyVersionsInUse": 1, "MFADevices": 1,
		"MFADevicesInUse": 0, "GroupsPerUserQuota": 10, "AccessKeysPerUserQuota": 2, "VersionsPerPolicyQuota": 5,
		"UsersQuota": 5000, "RolesQuota": 1000, "PolicySizeQuota": 6144, "AssumeRolePolicySizeQuota": 2048}
	for k, v := range want {
		if got, ok := m[k]; !ok || got != v {
			t.Errorf("SummaryMap[%s] = %d (present %v), want %d", k, got, ok, v)
		}
	}
	// Every key is one of the model's SummaryKeyType values.
	valid := map[string]bool{}
	for _, k := range types.SummaryKeyType("").Values() {
		valid[string(k)] = true
	}
	for k := range m {
		if !valid[k] {
			t.Errorf("SummaryMap key %s is not a SummaryKeyType", k)
		}
	}
	if len(m) != len(valid) {
		t.Errorf("SummaryMap has %d keys, the model %d", len(m), len(valid))
	}
}

func TestAccountAuthorizationDetails(t *testing.T) {
	e := start(t)
	call(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice")})).must(t)
	call(e.iam.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("devs")})).must(t)
	call(e.iam.AddUserToGroup(ctx, &iam.AddUserToGroupInput{UserName: aws.String("alice"), GroupName: aws.String("devs")})).must(t)
	call(e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("own"), PolicyDocument: aws.String(doc("s3:*"))})).must(t)
	call(e.iam.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("devs"), PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")})).must(t)
	call(e.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r1"), AssumeRolePolicyDocument: aws.String(trustAccount(e.AccountID))})).must(t)
	call(e.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r2"), AssumeRolePolicyDocument: aws.String(trustAccount(e.AccountID))})).must(t)
	call(e.iam.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("local"), PolicyDocument: aws.String(doc("ec2:*"))})).must(t)

	all := call(e.iam.GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{})).must(t)
	if len(all.UserDetailList) != 1 || len(all.GroupDetailList) != 1 || len(all.RoleDetailList) != 2 || len(all.Policies) != 2 {
		t.Fatalf("details: %d users, %d groups, %d roles, %d policies", len(all.UserDetailList), len(all.GroupDetailList), len(all.RoleDetailList), len(all.Policies))
	}
	u := all.UserDetailList[0]
	if diff := cmp.Diff([]string{"devs"}, u.GroupList); diff != "" || len(u.UserPolicyList) != 1 || decodeDoc(t, u.UserPolicyList[0].PolicyDocument) != doc("s3:*") {
		t.Errorf("user detail = %+v", u)
	}
	if g := all.GroupDetailList[0]; len(g.AttachedManagedPolicies) != 1 || aws.ToString(g.AttachedManagedPolicies[0].PolicyName) != "ReadOnlyAccess" {
		t.Errorf("group detail = %+v", g)
	}
	for _, p := range all.Policies {
		if len(p.PolicyVersionList) != 1 || !p.PolicyVersionList[0].IsDefaultVersion {
			t.Errorf("policy %s versions = %+v", aws.ToString(p.PolicyName), p.PolicyVersionList)
		}
	}

	roles := call(e.iam.GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{Filter: []types.EntityType{types.EntityTypeRole}})).must(t)
	if len(roles.RoleDetailList) != 2 || len(roles.UserDetailList) != 0 || len(roles.Policies) != 0 {
		t.Errorf("Filter Role: %d roles, %d users, %d policies", len(roles.RoleDetailList), len(roles.UserDetailList), len(roles.Policies))
	}
	// Pages of two across entity kinds.
	count := 0
	p := iam.NewGetAccountAuthorizationDetailsPaginator(e.iam, &iam.GetAccountAuthorizationDetailsInput{MaxItems: aws.Int32(2)})
	pages := 0
	for p.HasMorePages() {
		out := call(p.NextPage(ctx)).must(t)
		pages++
		count += len(out.UserDetailList) + len(out.GroupDetailList) + len(out.RoleDetailList) + len(out.Policies)
	}
	if count != 6 || pages != 3 {
		t.Errorf("paged details: %d entities in %d pages, want 6 in 3", count, pages)
	}
}
