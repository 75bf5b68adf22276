package organizations_test

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	orgs "github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/organizations"
)

// ListAccounts over 1,000 accounts (quota raised) in pages of at most 20,
// the MaxResults bound of every Organizations List action
// (API_ListAccounts.html: "Valid Range: Minimum value of 1. Maximum value
// of 20.").
func TestListAccountsPagination(t *testing.T) {
	if testing.Short() {
		t.Skip("creates 1,000 accounts")
	}
	h := start(t, organizations.Config{CreateAccountDelay: -1, Quotas: organizations.Quotas{MaxAccounts: 1000}})
	h.createOrg()
	for i := 0; i < 999; i++ {
		out, err := h.c.CreateAccount(h.ctx, &orgs.CreateAccountInput{AccountName: aws.String(fmt.Sprintf("a%04d", i)), Email: aws.String(fmt.Sprintf("a%04d@example.com", i))})
		if err != nil || out.CreateAccountStatus.State != types.CreateAccountStateSucceeded {
			t.Fatalf("CreateAccount %d: %+v %v", i, out, err)
		}
	}
	seen := map[string]bool{}
	pages := 0
	p := orgs.NewListAccountsPaginator(h.c, &orgs.ListAccountsInput{MaxResults: aws.Int32(20)})
	for p.HasMorePages() {
		out, err := p.NextPage(h.ctx)
		if err != nil {
			t.Fatalf("page %d: %v", pages, err)
		}
		pages++
		if len(out.Accounts) == 0 || len(out.Accounts) > 20 {
			t.Fatalf("page %d has %d accounts", pages, len(out.Accounts))
		}
		for _, a := range out.Accounts {
			if seen[*a.Id] {
				t.Fatalf("account %s listed twice", *a.Id)
			}
			seen[*a.Id] = true
		}
	}
	if len(seen) != 1000 || pages != 50 {
		t.Errorf("listed %d accounts in %d pages, want 1000 in 50", len(seen), pages)
	}
	// The quota counts the management account: the 1,001st fails.
	out, err := h.c.CreateAccount(h.ctx, &orgs.CreateAccountInput{AccountName: aws.String("over"), Email: aws.String("over@example.com")})
	if err != nil || out.CreateAccountStatus.FailureReason != types.CreateAccountFailureReasonAccountLimitExceeded {
		t.Errorf("1,001st account: %+v %v", out, err)
	}
}

// MaxResults and NextToken validation on List actions.
func TestPagingInput(t *testing.T) {
	h := start(t, organizations.Config{CreateAccountDelay: -1})
	h.createOrg()
	root := h.rootID()
	for i := 0; i < 5; i++ {
		h.createOU(root, fmt.Sprintf("ou%d", i))
		h.createAccount(fmt.Sprintf("acct%d", i))
	}
	_, err := h.c.ListAccounts(h.ctx, &orgs.ListAccountsInput{MaxResults: aws.Int32(21)})
	wantErr(t, err, "InvalidInputException", "MAX_VALUE_EXCEEDED")
	_, err = h.c.ListAccounts(h.ctx, &orgs.ListAccountsInput{MaxResults: aws.Int32(0)})
	wantErr(t, err, "InvalidInputException", "MIN_VALUE_EXCEEDED")
	_, err = h.c.ListAccounts(h.ctx, &orgs.ListAccountsInput{NextToken: aws.String("garbage")})
	wantErr(t, err, "InvalidInputException", "INVALID_NEXT_TOKEN")

	ous, err := h.c.ListOrganizationalUnitsForParent(h.ctx, &orgs.ListOrganizationalUnitsForParentInput{ParentId: &root, MaxResults: aws.Int32(2)})
	if err != nil || len(ous.OrganizationalUnits) != 2 || ous.NextToken == nil {
		t.Fatalf("first OU page: %+v %v", ous, err)
	}
	// A token is only good for the listing that issued it.
	_, err = h.c.ListAccounts(h.ctx, &orgs.ListAccountsInput{NextToken: ous.NextToken})
	wantErr(t, err, "InvalidInputException", "INVALID_NEXT_TOKEN")

	count := func(name string, next func(token *string) ([]string, *string, error)) {
		t.Helper()
		var all []string
		var token *string
		for {
			items, nt, err := next(token)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if len(items) > 2 {
				t.Fatalf("%s: page of %d", name, len(items))
			}
			all = append(all, items...)
			if nt == nil {
				break
			}
			token = nt
		}
		seen := map[string]bool{}
		for _, id := range all {
			seen[id] = true
		}
		if len(seen) != 5 && !(name == "ListChildren ACCOUNT" && len(seen) == 6) {
			t.Errorf("%s listed %d distinct items: %v", name, len(seen), all)
		}
	}
	count("ListOrganizationalUnitsForParent", func(tok *string) ([]string, *string, error) {
		out, err := h.c.ListOrganizationalUnitsForParent(h.ctx, &orgs.ListOrganizationalUnitsForParentInput{ParentId: &root, MaxResults: aws.Int32(2), NextToken: tok})
		if err != nil {
			return nil, nil, err
		}
		var ids []string
		for _, o := range out.OrganizationalUnits {
			ids = append(ids, *o.Id)
		}
		return ids, out.NextToken, nil
	})
	count("ListChildren ACCOUNT", func(tok *string) ([]string, *string, error) {
		out, err := h.c.ListChildren(h.ctx, &orgs.ListChildrenInput{ParentId: &root, ChildType: types.ChildTypeAccount, MaxResults: aws.Int32(2), NextToken: tok})
		if err != nil {
			return nil, nil, err
		}
		var ids []string
		for _, c := range out.Children {
			ids = append(ids, *c.Id)
		}
		return ids, out.NextToken, nil
	})
	count("ListCreateAccountStatus", func(tok *string) ([]string, *string, error) {
		out, err := h.c.ListCreateAccountStatus(h.ctx, &orgs.ListCreateAccountStatusInput{MaxResults: aws.Int32(2), NextToken: tok})
		if err != nil {
			return nil, nil, err
		}
		var ids []string
		for _, c := range out.CreateAccountStatuses {
			ids = append(ids, *c.Id)
		}
		return ids, out.NextToken, nil
	})
}
