package organizations_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	orgs "github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/google/go-cmp/cmp"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/organizations"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/service"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/store"
)

// CreateAccount is asynchronous (API_CreateAccount.html): IN_PROGRESS,
// then SUCCEEDED once CreateAccountDelay has passed on the request clock.
func TestCreateAccountAsync(t *testing.T) {
	h := start(t, organizations.Config{})
	o := h.createOrg()
	out, err := h.c.CreateAccount(h.ctx, &orgs.CreateAccountInput{
		AccountName: aws.String("prod"), Email: aws.String("prod@example.com"), RoleName: aws.String("Admin"),
		Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("prod")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	st := out.CreateAccountStatus
	mustMatch(t, carIDRe, st.Id)
	if st.State != types.CreateAccountStateInProgress || st.AccountId != nil || st.CompletedTimestamp != nil || *st.AccountName != "prod" {
		t.Fatalf("CreateAccount status = %+v", st)
	}
	if !st.RequestedTimestamp.Equal(h.env.Clock.Now()) {
		t.Errorf("RequestedTimestamp = %v, want %v", st.RequestedTimestamp, h.env.Clock.Now())
	}
	accts, _ := h.c.ListAccounts(h.ctx, &orgs.ListAccountsInput{})
	if len(accts.Accounts) != 1 {
		t.Errorf("account visible while IN_PROGRESS: %d accounts", len(accts.Accounts))
	}
	h.env.Clock.Advance(testDelay / 2)
	d, err := h.c.DescribeCreateAccountStatus(h.ctx, &orgs.DescribeCreateAccountStatusInput{CreateAccountRequestId: st.Id})
	if err != nil || d.CreateAccountStatus.State != types.CreateAccountStateInProgress {
		t.Fatalf("half way: %+v %v", d, err)
	}
	h.env.Clock.Advance(testDelay / 2)
	d, err = h.c.DescribeCreateAccountStatus(h.ctx, &orgs.DescribeCreateAccountStatusInput{CreateAccountRequestId: st.Id})
	if err != nil {
		t.Fatal(err)
	}
	done := d.CreateAccountStatus
	if done.State != types.CreateAccountStateSucceeded || done.CompletedTimestamp == nil || !done.CompletedTimestamp.Equal(h.env.Clock.Now()) {
		t.Fatalf("after delay: %+v", done)
	}
	id := *done.AccountId
	mustMatch(t, acctRe, &id)

	a, err := h.c.DescribeAccount(h.ctx, &orgs.DescribeAccountInput{AccountId: &id})
	if err != nil {
		t.Fatal(err)
	}
	root := h.rootID()
	want := types.Account{
		Id: &id, Arn: aws.String("arn:aws:organizations::" + h.env.AccountID + ":account/" + *o.Id + "/" + id),
		Email: aws.String("prod@example.com"), Name: aws.String("prod"), Status: types.AccountStatusActive, State: types.AccountStateActive,
		JoinedMethod: types.AccountJoinedMethodCreated, JoinedTimestamp: done.CompletedTimestamp,
		Paths: []string{*o.Id + "/" + root + "/" + id + "/"},
	}
	if diff := cmp.Diff(want, *a.Account, cmp.AllowUnexported(types.Account{})); diff != "" {
		t.Errorf("DescribeAccount (-want +got):\n%s", diff)
	}
	tags, err := h.c.ListTagsForResource(h.ctx, &orgs.ListTagsForResourceInput{ResourceId: &id})
	if err != nil || len(tags.Tags) != 1 || *tags.Tags[0].Key != "env" {
		t.Errorf("tags of new account: %+v %v", tags, err)
	}

	// The hook ran with the requested role name, and the account is
	// published to the rest of the local AWS.
	if len(h.events) != 1 || h.events[0].AccountID != id || h.events[0].AccessRoleName != "Admin" || h.events[0].ManagementAccountID != h.env.AccountID {
		t.Errorf("AccountCreated events = %+v", h.events)
	}
	var pub service.Account
	err = h.env.Emulator.Read(h.ctx, func(tx store.Tx) error {
		_, err := tx.Get(service.AccountTable, id, &pub)
		return err
	})
	if err != nil || pub.ID != id || pub.Email != "prod@example.com" {
		t.Errorf("AccountTable entry = %+v %v", pub, err)
	}

	// Default role name.
	h.createAccount("dev")
	if got := h.events[1].AccessRoleName; got != "OrganizationAccountAccessRole" {
		t.Errorf("default AccessRoleName = %q", got)
	}

	_, err = h.c.DescribeCreateAccountStatus(h.ctx, &orgs.DescribeCreateAccountStatusInput{CreateAccountRequestId: aws.String("car-00000000000000000000000000000000")})
	wantErr(t, err, "CreateAccountStatusNotFoundException", "")
	_, err = h.c.DescribeCreateAccountStatus(h.ctx, &orgs.DescribeCreateAccountStatusInput{CreateAccountRequestId: aws.String("nope")})
	wantErr(t, err, "InvalidInputException", "INVALID_PATTERN")
}

// FAILED requests carry AWS's FailureReason values; invalid input is
// refused synchronously.
func TestCreateAccountFailures(t *testing.T) {
	h := start(t, organizations.Config{
		Quotas: organizations.Quotas{MaxAccounts: 3},
		FailCreateAccount: func(email string) string {
			if strings.HasPrefix(email, "broken") {
				return "INTERNAL_FAILURE"
			}
			return ""
		},
	})
	h.createOrg()
	h.createAccount("one")
	create := func(name, email string) *types.CreateAccountStatus {
		t.Helper()
		out, err := h.c.CreateAccount(h.ctx, &orgs.CreateAccountInput{AccountName: aws.String(name), Email: aws.String(email)})
		if err != nil {
			t.Fatalf("CreateAccount %s: %v", email, err)
		}
		return out.CreateAccountStatus
	}
	dup := create("dup", "ONE@example.com")
	broken := create("broken", "broken@example.com")
	two := create("two", "two@example.com") // third account: at the quota
	over := create("over", "over@example.com")
	h.env.Clock.Advance(testDelay)
	for _, tc := range []struct {
		st     *types.CreateAccountStatus
		state  types.CreateAccountState
		reason types.CreateAccountFailureReason
	}{
		{dup, types.CreateAccountStateFailed, types.CreateAccountFailureReasonEmailAlreadyExists},
		{broken, types.CreateAccountStateFailed, types.CreateAccountFailureReasonInternalFailure},
		{two, types.CreateAccountStateSucceeded, ""},
		{over, types.CreateAccountStateFailed, types.CreateAccountFailureReasonAccountLimitExceeded},
	} {
		d, err := h.c.DescribeCreateAccountStatus(h.ctx, &orgs.DescribeCreateAccountStatusInput{CreateAccountRequestId: tc.st.Id})
		if err != nil {
			t.Fatal(err)
		}
		got := d.CreateAccountStatus
		if got.State != tc.state || got.FailureReason != tc.reason || (tc.state == types.CreateAccountStateFailed) != (got.AccountId == nil) {
			t.Errorf("%s: state %s reason %q account %v, want %s %q", *got.AccountName, got.State, got.FailureReason, got.AccountId, tc.state, tc.reason)
		}
	}

	// ListCreateAccountStatus filters by state.
	failed, err := h.c.ListCreateAccountStatus(h.ctx, &orgs.ListCreateAccountStatusInput{States: []types.CreateAccountState{types.CreateAccountStateFailed}})
	if err != nil || len(failed.CreateAccountStatuses) != 3 {
		t.Errorf("FAILED statuses: %+v %v", failed, err)
	}
	all, err := h.c.ListCreateAccountStatus(h.ctx, &orgs.ListCreateAccountStatusInput{})
	if err != nil || len(all.CreateAccountStatuses) != 5 {
		t.Errorf("all statuses: %d %v", len(all.CreateAccountStatuses), err)
	}

	for _, tc := range []struct {
		name, email, role string
		reason            string
	}{
		{"x", "not-an-email", "", "INVALID_PATTERN"},
		{"x", "a@b.c", "", "MIN_LENGTH_EXCEEDED"},
		{"", "x@example.com", "", "MIN_LENGTH_EXCEEDED"},
		{strings.Repeat("n", 51), "x@example.com", "", "MAX_LENGTH_EXCEEDED"},
		{"x", "x@example.com", "bad role", "INVALID_ROLE_NAME"},
	} {
		in := &orgs.CreateAccountInput{AccountName: aws.String(tc.name), Email: aws.String(tc.email)}
		if tc.role != "" {
			in.RoleName = aws.String(tc.role)
		}
		_, err := h.c.CreateAccount(h.ctx, in)
		wantErr(t, err, "InvalidInputException", tc.reason)
	}
}

// A failing OnAccountCreated hook fails the CreateAccount request and
// leaves nothing behind (one transaction).
func TestCreateAccountHookFailureRollsBack(t *testing.T) {
	h := start(t, organizations.Config{OnAccountCreated: []service.AccountCreatedHook{
		func(context.Context, store.Tx, service.AccountCreated) error {
			return service.BadRequest("ConcurrentModificationException", "hook refused")
		},
	}})
	h.createOrg()
	_, err := h.c.CreateAccount(h.ctx, &orgs.CreateAccountInput{AccountName: aws.String("x"), Email: aws.String("x@example.com")})
	wantErr(t, err, "ConcurrentModificationException", "")
	all, err := h.c.ListCreateAccountStatus(h.ctx, &orgs.ListCreateAccountStatusInput{})
	if err != nil || len(all.CreateAccountStatuses) != 0 {
		t.Errorf("statuses after rollback: %+v %v", all, err)
	}
}
