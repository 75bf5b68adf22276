package organizations_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	orgs "github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/organizations"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/service"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/store"
)

// CloseAccount (API_CloseAccount.html): SUSPENDED, credentials stop
// working, and at most 10% of member accounts (between 10 and 1000) per
// rolling 30 days.
func TestCloseAccount(t *testing.T) {
	h := start(t, organizations.Config{CreateAccountDelay: -1, Quotas: organizations.Quotas{MaxAccounts: 100}})
	h.createOrg()
	var ids []string
	for i := 0; i < 12; i++ {
		ids = append(ids, h.createAccount(fmt.Sprintf("acct%02d", i)))
	}
	for _, id := range ids[:10] {
		if _, err := h.c.CloseAccount(h.ctx, &orgs.CloseAccountInput{AccountId: aws.String(id)}); err != nil {
			t.Fatalf("CloseAccount %s: %v", id, err)
		}
	}
	a, err := h.c.DescribeAccount(h.ctx, &orgs.DescribeAccountInput{AccountId: &ids[0]})
	if err != nil || a.Account.Status != types.AccountStatusSuspended || a.Account.State != types.AccountStateSuspended {
		t.Fatalf("closed account: %+v %v", a, err)
	}
	var pub service.Account
	if err := h.env.Emulator.Read(h.ctx, func(tx store.Tx) error { _, err := tx.Get(service.AccountTable, ids[0], &pub); return err }); err != nil || !pub.Closed {
		t.Errorf("AccountTable entry of closed account = %+v %v", pub, err)
	}
	_, err = h.c.CloseAccount(h.ctx, &orgs.CloseAccountInput{AccountId: &ids[0]})
	wantErr(t, err, "AccountAlreadyClosedException", "")
	_, err = h.c.CloseAccount(h.ctx, &orgs.CloseAccountInput{AccountId: &ids[10]})
	wantErr(t, err, "ConstraintViolationException", "CLOSE_ACCOUNT_QUOTA_EXCEEDED")
	_, err = h.c.CloseAccount(h.ctx, &orgs.CloseAccountInput{AccountId: aws.String(h.env.AccountID)})
	wantErr(t, err, "ConstraintViolationException", "CANNOT_CLOSE_MANAGEMENT_ACCOUNT")
	_, err = h.c.CloseAccount(h.ctx, &orgs.CloseAccountInput{AccountId: aws.String("999999999999")})
	wantErr(t, err, "AccountNotFoundException", "")

	h.env.Clock.Advance(30 * 24 * time.Hour)
	if _, err := h.c.CloseAccount(h.ctx, &orgs.CloseAccountInput{AccountId: &ids[10]}); err != nil {
		t.Errorf("CloseAccount after the window: %v", err)
	}
}

// Member accounts are refused management-only operations with
// AccessDeniedException; accounts outside any organization get
// AWSOrganizationsNotInUseException.
func TestMemberAccountRefusals(t *testing.T) {
	h := start(t, organizations.Config{})
	h.createOrg()
	acct := h.createAccount("member")
	m := h.memberClient(acct)

	d, err := m.DescribeOrganization(h.ctx, &orgs.DescribeOrganizationInput{})
	if err != nil || *d.Organization.MasterAccountId != h.env.AccountID {
		t.Fatalf("member DescribeOrganization: %+v %v", d, err)
	}
	root := h.rootID()
	for name, call := range map[string]func() error{
		"ListAccounts": func() error { _, err := m.ListAccounts(h.ctx, &orgs.ListAccountsInput{}); return err },
		"ListRoots":    func() error { _, err := m.ListRoots(h.ctx, &orgs.ListRootsInput{}); return err },
		"DescribeAccount": func() error {
			_, err := m.DescribeAccount(h.ctx, &orgs.DescribeAccountInput{AccountId: &acct})
			return err
		},
		"CreateAccount": func() error {
			_, err := m.CreateAccount(h.ctx, &orgs.CreateAccountInput{AccountName: aws.String("x"), Email: aws.String("x@example.com")})
			return err
		},
		"EnablePolicyType": func() error {
			_, err := m.EnablePolicyType(h.ctx, &orgs.EnablePolicyTypeInput{RootId: &root, PolicyType: types.PolicyTypeTagPolicy})
			return err
		},
		"DeleteOrganization": func() error { _, err := m.DeleteOrganization(h.ctx, &orgs.DeleteOrganizationInput{}); return err },
		"ListPolicies": func() error {
			_, err := m.ListPolicies(h.ctx, &orgs.ListPoliciesInput{Filter: types.PolicyTypeTagPolicy})
			return err
		},
	} {
		t.Run(name, func(t *testing.T) { wantErr(t, call(), "AccessDeniedException", "") })
	}
	_, err = m.CreateOrganization(h.ctx, &orgs.CreateOrganizationInput{})
	wantErr(t, err, "AlreadyInOrganizationException", "")
	_, err = h.c.LeaveOrganization(h.ctx, &orgs.LeaveOrganizationInput{})
	wantErr(t, err, "MasterCannotLeaveOrganizationException", "")
	_, err = h.c.RemoveAccountFromOrganization(h.ctx, &orgs.RemoveAccountFromOrganizationInput{AccountId: aws.String(h.env.AccountID)})
	wantErr(t, err, "MasterCannotLeaveOrganizationException", "")

	// Leaving makes it a standalone account.
	if _, err := m.LeaveOrganization(h.ctx, &orgs.LeaveOrganizationInput{}); err != nil {
		t.Fatal(err)
	}
	_, err = m.DescribeOrganization(h.ctx, &orgs.DescribeOrganizationInput{})
	wantErr(t, err, "AWSOrganizationsNotInUseException", "")
	_, err = h.c.DescribeAccount(h.ctx, &orgs.DescribeAccountInput{AccountId: &acct})
	wantErr(t, err, "AccountNotFoundException", "")
	// Its email stays taken.
	out, err := h.c.CreateAccount(h.ctx, &orgs.CreateAccountInput{AccountName: aws.String("again"), Email: aws.String("member@example.com")})
	if err != nil {
		t.Fatal(err)
	}
	h.env.Clock.Advance(testDelay)
	st, _ := h.c.DescribeCreateAccountStatus(h.ctx, &orgs.DescribeCreateAccountStatusInput{CreateAccountRequestId: out.CreateAccountStatus.Id})
	if st.CreateAccountStatus.FailureReason != types.CreateAccountFailureReasonEmailAlreadyExists {
		t.Errorf("reused email: %+v", st.CreateAccountStatus)
	}
}

// A closing account is PENDING_CLOSURE until the closure completes
// (API_CloseAccount.html), then SUSPENDED.
func TestCloseAccountPendingClosure(t *testing.T) {
	h := start(t, organizations.Config{})
	h.createOrg()
	id := h.createAccount("closing")
	if _, err := h.c.CloseAccount(h.ctx, &orgs.CloseAccountInput{AccountId: &id}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []types.AccountStatus{types.AccountStatusPendingClosure, types.AccountStatusSuspended} {
		a, err := h.c.DescribeAccount(h.ctx, &orgs.DescribeAccountInput{AccountId: &id})
		if err != nil || a.Account.Status != want || string(a.Account.State) != string(want) {
			t.Errorf("status = %+v %v, want %s", a, err, want)
		}
		_, err = h.c.CloseAccount(h.ctx, &orgs.CloseAccountInput{AccountId: &id})
		wantErr(t, err, "AccountAlreadyClosedException", "")
		h.env.Clock.Advance(testDelay)
	}
}
