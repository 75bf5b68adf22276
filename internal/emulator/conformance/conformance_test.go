package conformance_test

import (
	"context"
	"errors"
	"net/http"
	"os"
	"sort"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/bulkhead-dev/bulkhead/internal/emulator"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/conformance"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/emulatortest"
)

// checker loads the models, skipping when python3-botocore is absent
// unless CI is set (.ci/run installs it, so there its absence is a failure).
func checker(t *testing.T) *conformance.Checker {
	t.Helper()
	c, err := conformance.NewChecker("organizations", "iam", "sts")
	if errors.Is(err, os.ErrNotExist) && os.Getenv("CI") == "" {
		t.Skipf("botocore models not installed (apt-get install python3-botocore): %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestRegisteredOperationsAreInTheModels catches misspelt operation names:
// every operation the local AWS serves must exist in AWS's model (or be
// newer than the installed one, which is logged).
func TestRegisteredOperationsAreInTheModels(t *testing.T) {
	c := checker(t)
	for _, spec := range emulator.DefaultServices(emulator.ServicesConfig{}) {
		m := c.Model(spec.Name)
		if m == nil {
			t.Errorf("no model loaded for %s", spec.Name)
			continue
		}
		if m.Metadata.Protocol != string(spec.Protocol) {
			t.Errorf("%s: protocol %s, the model says %s", spec.Name, spec.Protocol, m.Metadata.Protocol)
		}
		if spec.Protocol == "json" && m.Metadata.TargetPrefix != spec.TargetPrefix {
			t.Errorf("%s: target prefix %s, the model says %s", spec.Name, spec.TargetPrefix, m.Metadata.TargetPrefix)
		}
		if spec.Protocol == "query" && m.Metadata.APIVersion != spec.APIVersion {
			t.Errorf("%s: API version %s, the model says %s", spec.Name, spec.APIVersion, m.Metadata.APIVersion)
		}
		var newer []string
		for name := range spec.Operations {
			if _, ok := m.Operations[name]; !ok {
				newer = append(newer, name)
			}
		}
		sort.Strings(newer)
		if len(newer) > 0 {
			t.Logf("%s: operations newer than the installed model: %v", spec.Name, newer)
		}
	}
}

type run struct {
	t   *testing.T
	ctx context.Context
}

func (r run) ok(err error) {
	r.t.Helper()
	if err != nil {
		r.t.Fatal(err)
	}
}

// fails expects an AWS error with code.
func (r run) fails(err error, code string) {
	r.t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != code {
		r.t.Fatalf("want %s, got %v", code, err)
	}
}

// TestConformance drives a session through every service (an organization
// with OUs, accounts and policies; AssumeRole into a member account; IAM
// there) and checks every response against the models.
func TestConformance(t *testing.T) {
	c := checker(t)
	env := emulatortest.Start(t, func(o *emulator.Options) { o.Organizations.CreateAccountDelay = -1 })
	cfgFor := func(id, secret, token string) aws.Config {
		cfg := env.ConfigFor(id, secret, token)
		cfg.HTTPClient = &http.Client{Transport: c.Wrap(env.Emulator.Transport())}
		return cfg
	}
	rootID, rootSecret := env.Emulator.RootCredentials()
	cfg := cfgFor(rootID, rootSecret, "")
	r := run{t, context.Background()}
	ctx := r.ctx
	org := organizations.NewFromConfig(cfg)

	_, err := org.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	r.fails(err, "AWSOrganizationsNotInUseException")
	_, err = org.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll})
	r.ok(err)
	_, err = org.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll})
	r.fails(err, "AlreadyInOrganizationException")
	_, err = org.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	r.ok(err)
	roots, err := org.ListRoots(ctx, &organizations.ListRootsInput{})
	r.ok(err)
	root := roots.Roots[0].Id
	_, err = org.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: root, PolicyType: orgtypes.PolicyTypeServiceControlPolicy})
	r.ok(err)
	_, err = org.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: root, PolicyType: orgtypes.PolicyTypeTagPolicy})
	r.ok(err)
	ou, err := org.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: root, Name: aws.String("Workloads"), Tags: []orgtypes.Tag{{Key: aws.String("team"), Value: aws.String("platform")}}})
	r.ok(err)
	ouID := ou.OrganizationalUnit.Id
	sub, err := org.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: ouID, Name: aws.String("Prod")})
	r.ok(err)
	_, err = org.DescribeOrganizationalUnit(ctx, &organizations.DescribeOrganizationalUnitInput{OrganizationalUnitId: ouID})
	r.ok(err)
	_, err = org.UpdateOrganizationalUnit(ctx, &organizations.UpdateOrganizationalUnitInput{OrganizationalUnitId: sub.OrganizationalUnit.Id, Name: aws.String("Production")})
	r.ok(err)
	_, err = org.ListOrganizationalUnitsForParent(ctx, &organizations.ListOrganizationalUnitsForParentInput{ParentId: root})
	r.ok(err)
	_, err = org.ListChildren(ctx, &organizations.ListChildrenInput{ParentId: root, ChildType: orgtypes.ChildTypeOrganizationalUnit})
	r.ok(err)
	_, err = org.ListParents(ctx, &organizations.ListParentsInput{ChildId: sub.OrganizationalUnit.Id})
	r.ok(err)

	ca, err := org.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("prod"), Email: aws.String("aws+prod@example.com")})
	r.ok(err)
	st, err := org.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: ca.CreateAccountStatus.Id})
	r.ok(err)
	if st.CreateAccountStatus.State != orgtypes.CreateAccountStateSucceeded {
		t.Fatalf("CreateAccount with no delay: %s", st.CreateAccountStatus.State)
	}
	acct := st.CreateAccountStatus.AccountId
	_, err = org.ListCreateAccountStatus(ctx, &organizations.ListCreateAccountStatusInput{})
	r.ok(err)
	_, err = org.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: acct})
	r.ok(err)
	_, err = org.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String("000000000000")})
	r.fails(err, "AccountNotFoundException")
	_, err = org.ListAccounts(ctx, &organizations.ListAccountsInput{})
	r.ok(err)
	_, err = org.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: acct, SourceParentId: root, DestinationParentId: sub.OrganizationalUnit.Id})
	r.ok(err)
	_, err = org.ListAccountsForParent(ctx, &organizations.ListAccountsForParentInput{ParentId: sub.OrganizationalUnit.Id})
	r.ok(err)

	scp, err := org.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("deny-leave"), Description: aws.String("no leaving"), Type: orgtypes.PolicyTypeServiceControlPolicy,
		Content: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"}]}`)})
	r.ok(err)
	pid := scp.Policy.PolicySummary.Id
	_, err = org.DescribePolicy(ctx, &organizations.DescribePolicyInput{PolicyId: pid})
	r.ok(err)
	_, err = org.UpdatePolicy(ctx, &organizations.UpdatePolicyInput{PolicyId: pid, Description: aws.String("still no leaving")})
	r.ok(err)
	_, err = org.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: pid, TargetId: ouID})
	r.ok(err)
	_, err = org.ListPolicies(ctx, &organizations.ListPoliciesInput{Filter: orgtypes.PolicyTypeServiceControlPolicy})
	r.ok(err)
	_, err = org.ListPoliciesForTarget(ctx, &organizations.ListPoliciesForTargetInput{TargetId: ouID, Filter: orgtypes.PolicyTypeServiceControlPolicy})
	r.ok(err)
	_, err = org.ListTargetsForPolicy(ctx, &organizations.ListTargetsForPolicyInput{PolicyId: pid})
	r.ok(err)
	tag, err := org.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("cost-center"), Description: aws.String("tags"), Type: orgtypes.PolicyTypeTagPolicy,
		Content: aws.String(`{"tags":{"CostCenter":{"tag_key":{"@@assign":"CostCenter"}}}}`)})
	r.ok(err)
	_, err = org.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: tag.Policy.PolicySummary.Id, TargetId: root})
	r.ok(err)
	_, err = org.DescribeEffectivePolicy(ctx, &organizations.DescribeEffectivePolicyInput{PolicyType: orgtypes.EffectivePolicyTypeTagPolicy, TargetId: acct})
	r.ok(err)
	_, err = org.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: pid, TargetId: ouID})
	r.ok(err)
	_, err = org.DeletePolicy(ctx, &organizations.DeletePolicyInput{PolicyId: pid})
	r.ok(err)
	_, err = org.TagResource(ctx, &organizations.TagResourceInput{ResourceId: acct, Tags: []orgtypes.Tag{{Key: aws.String("env"), Value: aws.String("prod")}}})
	r.ok(err)
	_, err = org.ListTagsForResource(ctx, &organizations.ListTagsForResourceInput{ResourceId: acct})
	r.ok(err)
	_, err = org.UntagResource(ctx, &organizations.UntagResourceInput{ResourceId: acct, TagKeys: []string{"env"}})
	r.ok(err)
	_, err = org.EnableAWSServiceAccess(ctx, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String("config.amazonaws.com")})
	r.ok(err)
	_, err = org.ListAWSServiceAccessForOrganization(ctx, &organizations.ListAWSServiceAccessForOrganizationInput{})
	r.ok(err)
	_, err = org.RegisterDelegatedAdministrator(ctx, &organizations.RegisterDelegatedAdministratorInput{AccountId: acct, ServicePrincipal: aws.String("config.amazonaws.com")})
	r.ok(err)
	_, err = org.ListDelegatedAdministrators(ctx, &organizations.ListDelegatedAdministratorsInput{})
	r.ok(err)
	_, err = org.ListDelegatedServicesForAccount(ctx, &organizations.ListDelegatedServicesForAccountInput{AccountId: acct})
	r.ok(err)
	_, err = org.DeregisterDelegatedAdministrator(ctx, &organizations.DeregisterDelegatedAdministratorInput{AccountId: acct, ServicePrincipal: aws.String("config.amazonaws.com")})
	r.ok(err)
	_, err = org.DisableAWSServiceAccess(ctx, &organizations.DisableAWSServiceAccessInput{ServicePrincipal: aws.String("config.amazonaws.com")})
	r.ok(err)
	_, err = org.PutResourcePolicy(ctx, &organizations.PutResourcePolicyInput{Content: aws.String(`{"Version":"2012-10-17","Statement":[{"Sid":"read","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + aws.ToString(acct) + `:root"},"Action":"organizations:DescribeOrganization","Resource":"*"}]}`)})
	r.ok(err)
	_, err = org.DescribeResourcePolicy(ctx, &organizations.DescribeResourcePolicyInput{})
	r.ok(err)
	_, err = org.DeleteResourcePolicy(ctx, &organizations.DeleteResourcePolicyInput{})
	r.ok(err)

	// STS: into the member account through its organization access role.
	stsc := sts.NewFromConfig(cfg)
	_, err = stsc.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	r.ok(err)
	as, err := stsc.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + aws.ToString(acct) + ":role/OrganizationAccountAccessRole"), RoleSessionName: aws.String("conformance")})
	r.ok(err)
	_, err = stsc.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + aws.ToString(acct) + ":role/Nope"), RoleSessionName: aws.String("conformance")})
	if err == nil {
		t.Fatal("AssumeRole into a missing role succeeded")
	}
	member := cfgFor(aws.ToString(as.Credentials.AccessKeyId), aws.ToString(as.Credentials.SecretAccessKey), aws.ToString(as.Credentials.SessionToken))
	_, err = sts.NewFromConfig(member).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	r.ok(err)

	// IAM in the member account.
	ic := iam.NewFromConfig(member)
	_, err = ic.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice"), Path: aws.String("/eng/")})
	r.ok(err)
	_, err = ic.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("alice")})
	r.ok(err)
	_, err = ic.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("nobody")})
	r.fails(err, "NoSuchEntity")
	_, err = ic.ListUsers(ctx, &iam.ListUsersInput{})
	r.ok(err)
	_, err = ic.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("devs")})
	r.ok(err)
	_, err = ic.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("devs"), UserName: aws.String("alice")})
	r.ok(err)
	_, err = ic.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String("devs")})
	r.ok(err)
	_, err = ic.ListGroupsForUser(ctx, &iam.ListGroupsForUserInput{UserName: aws.String("alice")})
	r.ok(err)
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + env.AccountID + `:root"},"Action":"sts:AssumeRole"}]}`
	_, err = ic.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("deployer"), AssumeRolePolicyDocument: aws.String(trust), MaxSessionDuration: aws.Int32(7200)})
	r.ok(err)
	_, err = ic.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("deployer")})
	r.ok(err)
	_, err = ic.ListRoles(ctx, &iam.ListRolesInput{})
	r.ok(err)
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
	pol, err := ic.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("read"), PolicyDocument: aws.String(doc)})
	r.ok(err)
	parn := pol.Policy.Arn
	_, err = ic.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: parn})
	r.ok(err)
	_, err = ic.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: parn, PolicyDocument: aws.String(doc), SetAsDefault: true})
	r.ok(err)
	_, err = ic.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: parn})
	r.ok(err)
	_, err = ic.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: parn, VersionId: aws.String("v2")})
	r.ok(err)
	_, err = ic.ListPolicies(ctx, &iam.ListPoliciesInput{Scope: "Local"})
	r.ok(err)
	_, err = ic.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("deployer"), PolicyArn: parn})
	r.ok(err)
	_, err = ic.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("deployer")})
	r.ok(err)
	_, err = ic.ListEntitiesForPolicy(ctx, &iam.ListEntitiesForPolicyInput{PolicyArn: parn})
	r.ok(err)
	_, err = ic.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("deployer"), PolicyName: aws.String("inline"), PolicyDocument: aws.String(doc)})
	r.ok(err)
	_, err = ic.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String("deployer"), PolicyName: aws.String("inline")})
	r.ok(err)
	_, err = ic.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String("deployer")})
	r.ok(err)
	key, err := ic.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("alice")})
	r.ok(err)
	_, err = ic.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("alice")})
	r.ok(err)
	_, err = ic.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: key.AccessKey.AccessKeyId})
	r.ok(err)
	_, err = ic.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("alice"), AccessKeyId: key.AccessKey.AccessKeyId, Status: "Inactive"})
	r.ok(err)
	_, err = ic.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("alice")})
	r.ok(err)
	_, err = ic.ListVirtualMFADevices(ctx, &iam.ListVirtualMFADevicesInput{})
	r.ok(err)
	_, err = ic.ListMFADevices(ctx, &iam.ListMFADevicesInput{UserName: aws.String("alice")})
	r.ok(err)
	_, err = ic.CreateAccountAlias(ctx, &iam.CreateAccountAliasInput{AccountAlias: aws.String("acme-prod")})
	r.ok(err)
	_, err = ic.ListAccountAliases(ctx, &iam.ListAccountAliasesInput{})
	r.ok(err)
	_, err = ic.UpdateAccountPasswordPolicy(ctx, &iam.UpdateAccountPasswordPolicyInput{MinimumPasswordLength: aws.Int32(14), RequireSymbols: true})
	r.ok(err)
	_, err = ic.GetAccountPasswordPolicy(ctx, &iam.GetAccountPasswordPolicyInput{})
	r.ok(err)
	_, err = ic.GetAccountSummary(ctx, &iam.GetAccountSummaryInput{})
	r.ok(err)
	_, err = ic.GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{})
	r.ok(err)
	_, err = ic.TagUser(ctx, &iam.TagUserInput{UserName: aws.String("alice"), Tags: nil})
	_ = err // an empty tag list may be refused; either answer is checked
	_, err = ic.ListUserTags(ctx, &iam.ListUserTagsInput{UserName: aws.String("alice")})
	r.ok(err)
	_, err = sts.NewFromConfig(cfgFor(rootID, rootSecret, "")).GetSessionToken(ctx, &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(900)})
	r.ok(err)

	for _, v := range c.Violations() {
		t.Errorf("conformance: %s", v)
	}
	calls := c.Calls()
	var unexercised []string
	for _, spec := range emulator.DefaultServices(emulator.ServicesConfig{}) {
		for name := range spec.Operations {
			if calls[spec.Name+":"+name] == 0 {
				unexercised = append(unexercised, spec.Name+":"+name)
			}
		}
	}
	sort.Strings(unexercised)
	t.Logf("%d served operations not in this session (their packages' SDK tests cover them; run those with BULKHEAD_CONFORMANCE=1): %v", len(unexercised), unexercised)
	for _, v := range c.Newer() {
		t.Logf("newer than the installed model: %s", v)
	}
	t.Log(c.Report())
}
