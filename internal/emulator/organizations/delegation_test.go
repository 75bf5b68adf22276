package organizations_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	orgs "github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/organizations"
)

// Trusted access and delegated administrators
// (API_EnableAWSServiceAccess.html, API_RegisterDelegatedAdministrator.html).
func TestServiceAccessAndDelegatedAdministrators(t *testing.T) {
	h := start(t, organizations.Config{})
	h.createOrg()
	acct := h.createAccount("security")
	sso, guard := aws.String("sso.amazonaws.com"), aws.String("guardduty.amazonaws.com")

	_, err := h.c.RegisterDelegatedAdministrator(h.ctx, &orgs.RegisterDelegatedAdministratorInput{AccountId: &acct, ServicePrincipal: sso})
	wantErr(t, err, "ConstraintViolationException", "SERVICE_ACCESS_NOT_ENABLED")
	for _, sp := range []*string{sso, guard} {
		if _, err := h.c.EnableAWSServiceAccess(h.ctx, &orgs.EnableAWSServiceAccessInput{ServicePrincipal: sp}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = h.c.EnableAWSServiceAccess(h.ctx, &orgs.EnableAWSServiceAccessInput{ServicePrincipal: aws.String("example.com")})
	wantErr(t, err, "InvalidInputException", "UNRECOGNIZED_SERVICE_PRINCIPAL")
	access, err := h.c.ListAWSServiceAccessForOrganization(h.ctx, &orgs.ListAWSServiceAccessForOrganizationInput{})
	if err != nil || len(access.EnabledServicePrincipals) != 2 || access.EnabledServicePrincipals[0].DateEnabled == nil {
		t.Fatalf("ListAWSServiceAccessForOrganization: %+v %v", access, err)
	}

	for _, sp := range []*string{sso, guard} {
		if _, err := h.c.RegisterDelegatedAdministrator(h.ctx, &orgs.RegisterDelegatedAdministratorInput{AccountId: &acct, ServicePrincipal: sp}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = h.c.RegisterDelegatedAdministrator(h.ctx, &orgs.RegisterDelegatedAdministratorInput{AccountId: &acct, ServicePrincipal: sso})
	wantErr(t, err, "AccountAlreadyRegisteredException", "")
	_, err = h.c.RegisterDelegatedAdministrator(h.ctx, &orgs.RegisterDelegatedAdministratorInput{AccountId: aws.String(h.env.AccountID), ServicePrincipal: sso})
	wantErr(t, err, "ConstraintViolationException", "CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR")
	_, err = h.c.RegisterDelegatedAdministrator(h.ctx, &orgs.RegisterDelegatedAdministratorInput{AccountId: aws.String("999999999999"), ServicePrincipal: sso})
	wantErr(t, err, "AccountNotFoundException", "")

	admins, err := h.c.ListDelegatedAdministrators(h.ctx, &orgs.ListDelegatedAdministratorsInput{})
	if err != nil || len(admins.DelegatedAdministrators) != 1 || *admins.DelegatedAdministrators[0].Id != acct {
		t.Fatalf("ListDelegatedAdministrators: %+v %v", admins, err)
	}
	admins, err = h.c.ListDelegatedAdministrators(h.ctx, &orgs.ListDelegatedAdministratorsInput{ServicePrincipal: aws.String("config.amazonaws.com")})
	if err != nil || len(admins.DelegatedAdministrators) != 0 {
		t.Fatalf("ListDelegatedAdministrators filtered: %+v %v", admins, err)
	}
	svcs, err := h.c.ListDelegatedServicesForAccount(h.ctx, &orgs.ListDelegatedServicesForAccountInput{AccountId: &acct})
	if err != nil || len(svcs.DelegatedServices) != 2 {
		t.Fatalf("ListDelegatedServicesForAccount: %+v %v", svcs, err)
	}

	// A delegated administrator may read the organization, not change it.
	member := h.memberClient(acct)
	if _, err := member.ListAccounts(h.ctx, &orgs.ListAccountsInput{}); err != nil {
		t.Errorf("delegated administrator ListAccounts: %v", err)
	}
	_, err = member.CreateOrganizationalUnit(h.ctx, &orgs.CreateOrganizationalUnitInput{ParentId: aws.String(h.rootID()), Name: aws.String("x")})
	wantErr(t, err, "AccessDeniedException", "")

	_, err = h.c.RemoveAccountFromOrganization(h.ctx, &orgs.RemoveAccountFromOrganizationInput{AccountId: &acct})
	wantErr(t, err, "ConstraintViolationException", "CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG")
	for _, sp := range []*string{sso, guard} {
		if _, err := h.c.DeregisterDelegatedAdministrator(h.ctx, &orgs.DeregisterDelegatedAdministratorInput{AccountId: &acct, ServicePrincipal: sp}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = h.c.DeregisterDelegatedAdministrator(h.ctx, &orgs.DeregisterDelegatedAdministratorInput{AccountId: &acct, ServicePrincipal: sso})
	wantErr(t, err, "AccountNotRegisteredException", "")
	_, err = h.c.ListDelegatedServicesForAccount(h.ctx, &orgs.ListDelegatedServicesForAccountInput{AccountId: &acct})
	wantErr(t, err, "AccountNotRegisteredException", "")
	_, err = member.ListAccounts(h.ctx, &orgs.ListAccountsInput{})
	wantErr(t, err, "AccessDeniedException", "")

	if _, err := h.c.DisableAWSServiceAccess(h.ctx, &orgs.DisableAWSServiceAccessInput{ServicePrincipal: sso}); err != nil {
		t.Fatal(err)
	}
	access, _ = h.c.ListAWSServiceAccessForOrganization(h.ctx, &orgs.ListAWSServiceAccessForOrganizationInput{})
	if len(access.EnabledServicePrincipals) != 1 || *access.EnabledServicePrincipals[0].ServicePrincipal != *guard {
		t.Errorf("after disable: %+v", access.EnabledServicePrincipals)
	}
}

// The organization's resource policy (API_PutResourcePolicy.html).
func TestResourcePolicy(t *testing.T) {
	h := start(t, organizations.Config{})
	o := h.createOrg()
	_, err := h.c.DescribeResourcePolicy(h.ctx, &orgs.DescribeResourcePolicyInput{})
	wantErr(t, err, "ResourcePolicyNotFoundException", "")
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"organizations:Describe*","Resource":"*"}]}`
	put, err := h.c.PutResourcePolicy(h.ctx, &orgs.PutResourcePolicyInput{Content: &doc})
	if err != nil {
		t.Fatal(err)
	}
	sum := put.ResourcePolicy.ResourcePolicySummary
	if *put.ResourcePolicy.Content != doc || *sum.Arn != "arn:aws:organizations::"+h.env.AccountID+":resourcepolicy/"+*o.Id+"/"+*sum.Id {
		t.Errorf("PutResourcePolicy = %+v %+v", put.ResourcePolicy, sum)
	}
	d, err := h.c.DescribeResourcePolicy(h.ctx, &orgs.DescribeResourcePolicyInput{})
	if err != nil || *d.ResourcePolicy.Content != doc || *d.ResourcePolicy.ResourcePolicySummary.Id != *sum.Id {
		t.Errorf("DescribeResourcePolicy: %+v %v", d, err)
	}
	_, err = h.c.PutResourcePolicy(h.ctx, &orgs.PutResourcePolicyInput{Content: aws.String("not json")})
	wantErr(t, err, "InvalidInputException", "INVALID_RESOURCE_POLICY_JSON")
	if _, err := h.c.DeleteResourcePolicy(h.ctx, &orgs.DeleteResourcePolicyInput{}); err != nil {
		t.Fatal(err)
	}
	_, err = h.c.DeleteResourcePolicy(h.ctx, &orgs.DeleteResourcePolicyInput{})
	wantErr(t, err, "ResourcePolicyNotFoundException", "")
}
