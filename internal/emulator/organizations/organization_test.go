package organizations_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	orgs "github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/organizations"
)

// API_CreateOrganization.html, API_DescribeOrganization.html,
// API_DeleteOrganization.html, API_ListRoots.html.
func TestOrganizationLifecycle(t *testing.T) {
	h := start(t, organizations.Config{})
	_, err := h.c.DescribeOrganization(h.ctx, &orgs.DescribeOrganizationInput{})
	wantErr(t, err, "AWSOrganizationsNotInUseException", "")
	_, err = h.c.ListAccounts(h.ctx, &orgs.ListAccountsInput{})
	wantErr(t, err, "AWSOrganizationsNotInUseException", "")
	_, err = h.c.CreateOrganization(h.ctx, &orgs.CreateOrganizationInput{FeatureSet: "SOME"})
	wantErr(t, err, "InvalidInputException", "INVALID_ENUM")

	o := h.createOrg()
	mustMatch(t, orgIDRe, o.Id)
	if o.FeatureSet != types.OrganizationFeatureSetAll {
		t.Errorf("FeatureSet = %s, want ALL", o.FeatureSet)
	}
	if *o.MasterAccountId != h.env.AccountID {
		t.Errorf("MasterAccountId = %s, want %s", *o.MasterAccountId, h.env.AccountID)
	}
	if want := "arn:aws:organizations::" + h.env.AccountID + ":organization/" + *o.Id; *o.Arn != want {
		t.Errorf("Arn = %s, want %s", *o.Arn, want)
	}
	if want := "arn:aws:organizations::" + h.env.AccountID + ":account/" + *o.Id + "/" + h.env.AccountID; *o.MasterAccountArn != want {
		t.Errorf("MasterAccountArn = %s, want %s", *o.MasterAccountArn, want)
	}
	_, err = h.c.CreateOrganization(h.ctx, &orgs.CreateOrganizationInput{})
	wantErr(t, err, "AlreadyInOrganizationException", "")

	d, err := h.c.DescribeOrganization(h.ctx, &orgs.DescribeOrganizationInput{})
	if err != nil || *d.Organization.Id != *o.Id {
		t.Fatalf("DescribeOrganization: %v %v", d, err)
	}
	roots, err := h.c.ListRoots(h.ctx, &orgs.ListRootsInput{})
	if err != nil {
		t.Fatal(err)
	}
	r := roots.Roots[0]
	mustMatch(t, rootIDRe, r.Id)
	if *r.Name != "Root" || *r.Arn != "arn:aws:organizations::"+h.env.AccountID+":root/"+*o.Id+"/"+*r.Id || len(r.PolicyTypes) != 0 {
		t.Errorf("root = %+v", r)
	}

	accts, err := h.c.ListAccounts(h.ctx, &orgs.ListAccountsInput{})
	if err != nil || len(accts.Accounts) != 1 {
		t.Fatalf("ListAccounts: %v %v", accts, err)
	}
	m := accts.Accounts[0]
	if *m.Id != h.env.AccountID || m.JoinedMethod != types.AccountJoinedMethodInvited || m.Status != types.AccountStatusActive || m.State != types.AccountStateActive {
		t.Errorf("management account = %+v", m)
	}
	if want := *o.Id + "/" + *r.Id + "/" + h.env.AccountID + "/"; len(m.Paths) != 1 || m.Paths[0] != want {
		t.Errorf("Paths = %v, want [%s]", m.Paths, want)
	}

	member := h.createAccount("member")
	_, err = h.c.DeleteOrganization(h.ctx, &orgs.DeleteOrganizationInput{})
	wantErr(t, err, "OrganizationNotEmptyException", "")
	if _, err := h.c.RemoveAccountFromOrganization(h.ctx, &orgs.RemoveAccountFromOrganizationInput{AccountId: aws.String(member)}); err != nil {
		t.Fatal(err)
	}
	h.createOU(*r.Id, "left-behind")
	if _, err := h.c.DeleteOrganization(h.ctx, &orgs.DeleteOrganizationInput{}); err != nil {
		t.Fatalf("DeleteOrganization: %v", err)
	}
	_, err = h.c.DescribeOrganization(h.ctx, &orgs.DescribeOrganizationInput{})
	wantErr(t, err, "AWSOrganizationsNotInUseException", "")
	// A fresh organization starts empty.
	o2 := h.createOrg()
	if *o2.Id == *o.Id {
		t.Error("new organization reused the old id")
	}
	ous, err := h.c.ListOrganizationalUnitsForParent(h.ctx, &orgs.ListOrganizationalUnitsForParentInput{ParentId: aws.String(h.rootID())})
	if err != nil || len(ous.OrganizationalUnits) != 0 {
		t.Errorf("new organization has OUs: %v %v", ous, err)
	}
	// The management account's email stays taken.
	if o2.MasterAccountEmail == nil || *o2.MasterAccountEmail == "" {
		t.Fatalf("MasterAccountEmail = %v", o2.MasterAccountEmail)
	}
	ca, err := h.c.CreateAccount(h.ctx, &orgs.CreateAccountInput{AccountName: aws.String("x"), Email: o2.MasterAccountEmail})
	if err != nil {
		t.Fatal(err)
	}
	h.env.Clock.Advance(testDelay)
	st, err := h.c.DescribeCreateAccountStatus(h.ctx, &orgs.DescribeCreateAccountStatusInput{CreateAccountRequestId: ca.CreateAccountStatus.Id})
	if err != nil || st.CreateAccountStatus.FailureReason != types.CreateAccountFailureReasonEmailAlreadyExists {
		t.Errorf("management email reused: %+v %v", st, err)
	}
}
