package authz_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	orgs "github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/bulkhead-dev/bulkhead/internal/emulator"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/emulatortest"
)

// org is an organization with a development and a production account,
// each with a role appeng that the management account may assume:
// AdministratorAccess in development, ReadOnlyAccess in production — the
// playbook's environment separation.
type org struct {
	e         *emulatortest.Env
	root      *clients // the management account's root
	rootID    string   // r-...
	dev, prod string   // account ids
	// access are sessions of each member account's
	// OrganizationAccountAccessRole, by account id.
	access map[string]*clients
}

func newOrg(t testing.TB) *org {
	t.Helper()
	e := emulatortest.Start(t, func(o *emulator.Options) { o.Organizations.CreateAccountDelay = -1 })
	o := &org{e: e, root: clientsFor(e.Config), access: map[string]*clients{}}
	must[*orgs.CreateOrganizationOutput](t)(o.root.orgs.CreateOrganization(ctx, &orgs.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll}))
	o.rootID = aws.ToString(must[*orgs.ListRootsOutput](t)(o.root.orgs.ListRoots(ctx, &orgs.ListRootsInput{})).Roots[0].Id)
	o.dev = o.createAccount(t, "development")
	o.prod = o.createAccount(t, "production")
	// Enabling SCPs attaches FullAWSAccess to the root and every account.
	must[*orgs.EnablePolicyTypeOutput](t)(o.root.orgs.EnablePolicyType(ctx, &orgs.EnablePolicyTypeInput{RootId: aws.String(o.rootID), PolicyType: orgtypes.PolicyTypeServiceControlPolicy}))
	for acct, policy := range map[string]string{o.dev: "AdministratorAccess", o.prod: "ReadOnlyAccess"} {
		access := assume(t, e, o.root, roleARN(acct, "OrganizationAccountAccessRole"), "setup")
		o.access[acct] = access
		o.createRole(t, access, "appeng", trustManagement(e.AccountID), "arn:aws:iam::aws:policy/"+policy)
	}
	return o
}

func (o *org) createAccount(t testing.TB, name string) string {
	t.Helper()
	st := must[*orgs.CreateAccountOutput](t)(o.root.orgs.CreateAccount(ctx, &orgs.CreateAccountInput{AccountName: aws.String(name), Email: aws.String(name + "@example.com")})).CreateAccountStatus
	st = must[*orgs.DescribeCreateAccountStatusOutput](t)(o.root.orgs.DescribeCreateAccountStatus(ctx, &orgs.DescribeCreateAccountStatusInput{CreateAccountRequestId: st.Id})).CreateAccountStatus
	if st.State != orgtypes.CreateAccountStateSucceeded {
		t.Fatalf("CreateAccount %s: %s", name, st.State)
	}
	return aws.ToString(st.AccountId)
}

// createRole creates a role with a trust policy and managed policies.
func (o *org) createRole(t testing.TB, c *clients, name, trust string, policies ...string) {
	t.Helper()
	must[*iam.CreateRoleOutput](t)(c.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)}))
	for _, p := range policies {
		must[*iam.AttachRolePolicyOutput](t)(c.iam.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(name), PolicyArn: aws.String(p)}))
	}
}

// attachSCP creates an SCP and attaches it to target.
func (o *org) attachSCP(t testing.TB, name, doc, target string) string {
	t.Helper()
	p := must[*orgs.CreatePolicyOutput](t)(o.root.orgs.CreatePolicy(ctx, &orgs.CreatePolicyInput{Name: aws.String(name), Description: aws.String(name),
		Type: orgtypes.PolicyTypeServiceControlPolicy, Content: aws.String(doc)})).Policy.PolicySummary
	must[*orgs.AttachPolicyOutput](t)(o.root.orgs.AttachPolicy(ctx, &orgs.AttachPolicyInput{PolicyId: p.Id, TargetId: aws.String(target)}))
	return aws.ToString(p.Id)
}

func roleARN(acct, name string) string { return "arn:aws:iam::" + acct + ":role/" + name }

func sessionARN(acct, role, session string) string {
	return "arn:aws:sts::" + acct + ":assumed-role/" + role + "/" + session
}

func trustManagement(mgmt string) string {
	return policyDoc(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + mgmt + `:root"},"Action":"sts:AssumeRole"}`)
}

// The playbook's promise, end to end: the same role name is an
// administrator in development and read-only in production.
func TestEnvironmentSeparation(t *testing.T) {
	o := newOrg(t)
	dev := assume(t, o.e, o.root, roleARN(o.dev, "appeng"), "alice")
	prod := assume(t, o.e, o.root, roleARN(o.prod, "appeng"), "alice")

	trust := trustManagement(o.e.AccountID)
	must[*iam.CreateRoleOutput](t)(dev.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("x"), AssumeRolePolicyDocument: aws.String(trust)}))

	must[*iam.GetRoleOutput](t)(prod.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("appeng")}))
	must[*orgs.DescribeOrganizationOutput](t)(prod.orgs.DescribeOrganization(ctx, &orgs.DescribeOrganizationInput{}))
	_, err := prod.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("x"), AssumeRolePolicyDocument: aws.String(trust)})
	wantDenied(t, err, "AccessDenied", 403, "User: "+sessionARN(o.prod, "appeng", "alice")+" is not authorized to perform: iam:CreateRole on resource: "+roleARN(o.prod, "x")+
		" because no identity-based policy allows the iam:CreateRole action")
	// Nothing was created.
	_, err = o.access[o.prod].iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("x")})
	if err == nil {
		t.Fatal("the refused CreateRole created the role")
	}

	// Organizations answers in its own shape (JSON, AccessDeniedException).
	_, err = prod.orgs.CreatePolicy(ctx, &orgs.CreatePolicyInput{Name: aws.String("p"), Description: aws.String("p"), Type: orgtypes.PolicyTypeServiceControlPolicy,
		Content: aws.String(policyDoc(`{"Effect":"Allow","Action":"*","Resource":"*"}`))})
	if err == nil {
		t.Fatal("a production read-only session created an SCP")
	}
}

// An SCP denying every region but us-east-1 blocks STS calls made through
// another region's endpoint. IAM and Organizations calls are unaffected:
// their one endpoint is in us-east-1, so aws:RequestedRegion is us-east-1
// whatever region the client signs for ("IAM calls are always made to the
// us-east-1 Region",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-requestedregion),
// and GetCallerIdentity is never denied.
func TestSCPDeniesRegion(t *testing.T) {
	o := newOrg(t)
	// A role in production that trusts appeng by name, so that appeng may
	// assume it with no identity policy of its own (same account).
	o.createRole(t, o.access[o.prod], "reader", policyDoc(`{"Effect":"Allow","Principal":{"AWS":"`+roleARN(o.prod, "appeng")+`"},"Action":"sts:AssumeRole"}`))
	o.attachSCP(t, "us-east-1-only", policyDoc(`{"Sid":"DenyOutsideUSEast1","Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":"us-east-1"}}}`), o.prod)

	prod := assume(t, o.e, o.root, roleARN(o.prod, "appeng"), "alice")
	assume(t, o.e, prod, roleARN(o.prod, "reader"), "here")

	eu := prod.inRegion("eu-west-1")
	_, err := eu.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN(o.prod, "reader")), RoleSessionName: aws.String("there")})
	wantDenied(t, err, "AccessDenied", 403, "User: "+sessionARN(o.prod, "appeng", "alice")+" is not authorized to perform: sts:AssumeRole on resource: "+roleARN(o.prod, "reader")+
		" with an explicit deny in a service control policy")
	must[*sts.GetCallerIdentityOutput](t)(eu.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	must[*iam.GetRoleOutput](t)(eu.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("reader")}))

	// Development has no such SCP.
	o.createRole(t, o.access[o.dev], "reader", policyDoc(`{"Effect":"Allow","Principal":{"AWS":"`+roleARN(o.dev, "appeng")+`"},"Action":"sts:AssumeRole"}`))
	dev := assume(t, o.e, o.root, roleARN(o.dev, "appeng"), "alice").inRegion("eu-west-1")
	assume(t, o.e, dev, roleARN(o.dev, "reader"), "there")
}

// SCPs never restrict the management account, its root or its roles
// ("SCPs don't affect users or roles in the management account",
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html),
// while a member account's sessions are denied everything by a deny-all
// SCP at the root.
func TestSCPManagementExempt(t *testing.T) {
	o := newOrg(t)
	admin := o.createRoleSession(t)
	dev := assume(t, o.e, o.root, roleARN(o.dev, "appeng"), "alice")
	o.attachSCP(t, "deny-all", policyDoc(`{"Effect":"Deny","Action":"*","Resource":"*"}`), o.rootID)

	trust := trustManagement(o.e.AccountID)
	must[*iam.CreateRoleOutput](t)(o.root.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("by-root"), AssumeRolePolicyDocument: aws.String(trust)}))
	must[*iam.CreateRoleOutput](t)(admin.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("by-admin"), AssumeRolePolicyDocument: aws.String(trust)}))
	must[*orgs.ListAccountsOutput](t)(admin.orgs.ListAccounts(ctx, &orgs.ListAccountsInput{}))

	_, err := dev.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("appeng")})
	wantDenied(t, err, "AccessDenied", 403, "User: "+sessionARN(o.dev, "appeng", "alice")+" is not authorized to perform: iam:GetRole on resource: "+roleARN(o.dev, "appeng")+
		" with an explicit deny in a service control policy")
	_, err = dev.orgs.DescribeOrganization(ctx, &orgs.DescribeOrganizationInput{})
	wantDenied(t, err, "AccessDeniedException", 400, "User: "+sessionARN(o.dev, "appeng", "alice")+" is not authorized to perform: organizations:DescribeOrganization on resource: "+
		orgARN(t, o)+" with an explicit deny in a service control policy")
	// The management account may still assume roles into members (its
	// side is exempt), but the session it gets there is denied.
	again := assume(t, o.e, o.root, roleARN(o.dev, "appeng"), "again")
	_, err = again.sts.GetAccessKeyInfo(ctx, &sts.GetAccessKeyInfoInput{AccessKeyId: aws.String("AKIAIOSFODNN7EXAMPLE")})
	wantDenied(t, err, "AccessDenied", 403, "User: "+sessionARN(o.dev, "appeng", "again")+" is not authorized to perform: sts:GetAccessKeyInfo"+
		" with an explicit deny in a service control policy")
	must[*sts.GetCallerIdentityOutput](t)(again.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
}

// createRoleSession makes an administrator role in the management account
// and returns a session of it.
func (o *org) createRoleSession(t *testing.T) *clients {
	t.Helper()
	o.createRole(t, o.root, "admin", trustManagement(o.e.AccountID), "arn:aws:iam::aws:policy/AdministratorAccess")
	return assume(t, o.e, o.root, roleARN(o.e.AccountID, "admin"), "ops")
}

func orgARN(t *testing.T, o *org) string {
	t.Helper()
	return aws.ToString(must[*orgs.DescribeOrganizationOutput](t)(o.root.orgs.DescribeOrganization(ctx, &orgs.DescribeOrganizationInput{})).Organization.Arn)
}

// A permissions boundary caps an administrator role: an action the
// boundary does not allow is denied, naming the boundary.
func TestBoundaryDenies(t *testing.T) {
	o := newOrg(t)
	access := o.access[o.dev]
	b := must[*iam.CreatePolicyOutput](t)(access.iam.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("read-iam"),
		PolicyDocument: aws.String(policyDoc(`{"Effect":"Allow","Action":["iam:Get*","iam:List*"],"Resource":"*"}`))})).Policy
	must[*iam.CreateRoleOutput](t)(access.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("bounded"),
		AssumeRolePolicyDocument: aws.String(trustManagement(o.e.AccountID)), PermissionsBoundary: b.Arn}))
	must[*iam.AttachRolePolicyOutput](t)(access.iam.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("bounded"), PolicyArn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess")}))

	bounded := assume(t, o.e, o.root, roleARN(o.dev, "bounded"), "bob")
	must[*iam.GetRoleOutput](t)(bounded.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("bounded")}))
	_, err := bounded.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("y"), AssumeRolePolicyDocument: aws.String(trustManagement(o.e.AccountID))})
	wantDenied(t, err, "AccessDenied", 403, "User: "+sessionARN(o.dev, "bounded", "bob")+" is not authorized to perform: iam:CreateRole on resource: "+roleARN(o.dev, "y")+
		" because no permissions boundary allows the iam:CreateRole action")

	// Removing the boundary restores the administrator (the next request
	// reads the role as it is now).
	must[*iam.DeleteRolePermissionsBoundaryOutput](t)(access.iam.DeleteRolePermissionsBoundary(ctx, &iam.DeleteRolePermissionsBoundaryInput{RoleName: aws.String("bounded")}))
	must[*iam.CreateRoleOutput](t)(bounded.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("y"), AssumeRolePolicyDocument: aws.String(trustManagement(o.e.AccountID))}))
}

// A resource control policy on the development account refuses
// sts:AssumeRole on its roles to principals of other accounts — the
// management account included, which RCPs restrict as callers even though
// its own resources are exempt
// (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html).
func TestRCPDeniesAssumeRole(t *testing.T) {
	o := newOrg(t)
	must[*orgs.EnablePolicyTypeOutput](t)(o.root.orgs.EnablePolicyType(ctx, &orgs.EnablePolicyTypeInput{RootId: aws.String(o.rootID), PolicyType: orgtypes.PolicyTypeResourceControlPolicy}))
	p := must[*orgs.CreatePolicyOutput](t)(o.root.orgs.CreatePolicy(ctx, &orgs.CreatePolicyInput{Name: aws.String("own-account-only"), Description: aws.String("x"),
		Type:    orgtypes.PolicyTypeResourceControlPolicy,
		Content: aws.String(policyDoc(`{"Effect":"Deny","Principal":"*","Action":"sts:AssumeRole","Resource":"*","Condition":{"StringNotEquals":{"aws:PrincipalAccount":"` + o.dev + `"}}}`))})).Policy.PolicySummary
	must[*orgs.AttachPolicyOutput](t)(o.root.orgs.AttachPolicy(ctx, &orgs.AttachPolicyInput{PolicyId: p.Id, TargetId: aws.String(o.dev)}))

	_, err := o.root.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN(o.dev, "appeng")), RoleSessionName: aws.String("alice")})
	wantDenied(t, err, "AccessDenied", 403, "User: arn:aws:iam::"+o.e.AccountID+":root is not authorized to perform: sts:AssumeRole on resource: "+roleARN(o.dev, "appeng")+
		" with an explicit deny in a resource control policy")
	// Production has no such RCP.
	assume(t, o.e, o.root, roleARN(o.prod, "appeng"), "alice")
}

// A session policy narrows a role session: what it does not allow is
// denied even though the role is an administrator.
func TestSessionPolicy(t *testing.T) {
	o := newOrg(t)
	out := must[*sts.AssumeRoleOutput](t)(o.root.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN(o.dev, "appeng")), RoleSessionName: aws.String("narrow"),
		Policy: aws.String(policyDoc(`{"Effect":"Allow","Action":"iam:GetRole","Resource":"*"}`))}))
	narrow := session(o.e, out.Credentials)
	must[*iam.GetRoleOutput](t)(narrow.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("appeng")}))
	_, err := narrow.iam.ListRoles(ctx, &iam.ListRolesInput{})
	wantDenied(t, err, "AccessDenied", 403, "User: "+sessionARN(o.dev, "appeng", "narrow")+" is not authorized to perform: iam:ListRoles on resource: "+roleARN(o.dev, "*")+
		" because no session policy allows the iam:ListRoles action")
}

// Cross-account AssumeRole needs both sides: the role's trust policy (STS
// evaluates it) and the caller's identity policies and SCPs
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html).
func TestCrossAccountAssumeRole(t *testing.T) {
	o := newOrg(t)
	target := roleARN(o.dev, "from-prod")
	o.createRole(t, o.access[o.dev], "from-prod", policyDoc(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::`+o.prod+`:root"},"Action":"sts:AssumeRole"}`))
	prod := assume(t, o.e, o.root, roleARN(o.prod, "appeng"), "alice")

	// Trusted, but read-only appeng's policies do not allow sts:AssumeRole.
	_, err := prod.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(target), RoleSessionName: aws.String("x1")})
	wantDenied(t, err, "AccessDenied", 403, "User: "+sessionARN(o.prod, "appeng", "alice")+" is not authorized to perform: sts:AssumeRole on resource: "+target)

	must[*iam.PutRolePolicyOutput](t)(o.access[o.prod].iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("appeng"), PolicyName: aws.String("hop"),
		PolicyDocument: aws.String(policyDoc(`{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"` + target + `"}`))}))
	assume(t, o.e, prod, target, "x2")

	o.attachSCP(t, "no-hops", policyDoc(`{"Effect":"Deny","Action":"sts:AssumeRole","Resource":"*"}`), o.prod)
	_, err = prod.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(target), RoleSessionName: aws.String("x3")})
	wantDenied(t, err, "AccessDenied", 403, "User: "+sessionARN(o.prod, "appeng", "alice")+" is not authorized to perform: sts:AssumeRole on resource: "+target+
		" with an explicit deny in a service control policy")
}

// Condition keys reach SCPs: aws:PrincipalTag from the role's tags (read
// again after the role is tagged) and aws:PrincipalOrgID.
func TestConditionKeys(t *testing.T) {
	o := newOrg(t)
	org := must[*orgs.DescribeOrganizationOutput](t)(o.root.orgs.DescribeOrganization(ctx, &orgs.DescribeOrganizationInput{})).Organization
	o.attachSCP(t, "platform-creates-roles", policyDoc(
		`{"Effect":"Deny","Action":"iam:CreateRole","Resource":"*","Condition":{"StringNotEquals":{"aws:PrincipalTag/team":"platform"}}}`,
		`{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringNotEquals":{"aws:PrincipalOrgID":"`+aws.ToString(org.Id)+`"}}}`), o.dev)
	dev := assume(t, o.e, o.root, roleARN(o.dev, "appeng"), "alice")
	trust := trustManagement(o.e.AccountID)
	_, err := dev.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("x"), AssumeRolePolicyDocument: aws.String(trust)})
	wantDenied(t, err, "AccessDenied", 403, "User: "+sessionARN(o.dev, "appeng", "alice")+" is not authorized to perform: iam:CreateRole on resource: "+roleARN(o.dev, "x")+
		" with an explicit deny in a service control policy")
	must[*iam.TagRoleOutput](t)(o.access[o.dev].iam.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String("appeng"), Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("platform")}}}))
	must[*iam.CreateRoleOutput](t)(dev.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("x"), AssumeRolePolicyDocument: aws.String(trust)}))
}
