package provider_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulkhead-dev/bulkhead/internal/org"
	"github.com/bulkhead-dev/bulkhead/internal/provider"
)

// TestIAMReadWrite writes IAM in a member account through the access role
// and reads it back; creations of what exists are ErrAlreadyExists and
// deletions of what is gone ErrNotFound; the access role is assumed once
// per member account however many requests are sent.
func TestIAMReadWrite(t *testing.T) {
	env := startLocal(t, 5)
	ctx := context.Background()
	p := provider.New(env.Config, provider.Options{})
	if err := p.CreateOrganization(ctx); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, name := range []string{"dev", "prod"} {
		id := createAccount(t, p, name)
		ids = append(ids, id)
	}
	p.SetIAMTarget(provider.IAMTarget{ManagementID: env.AccountID})
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + env.AccountID + `:root"},"Action":"sts:AssumeRole"}]}`
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
	for _, id := range ids {
		for _, w := range []provider.IAMWrite{
			{Action: "CreateRole", Role: "appeng", Document: trust, MaxSession: 7200, Tags: map[string]string{"team": "app"}},
			{Action: "PutRolePolicy", Role: "appeng", PolicyName: "bulkhead-appeng", Document: doc},
			{Action: "AttachRolePolicy", Role: "appeng", PolicyARN: "arn:aws:iam::aws:policy/ReadOnlyAccess"},
			{Action: "CreateOpenIDConnectProvider", URL: "token.actions.githubusercontent.com"},
		} {
			if err := p.WriteIAM(ctx, id, w); err != nil {
				t.Fatalf("%s in %s: %v", w.Action, id, err)
			}
		}
	}
	if err := p.WriteIAM(ctx, ids[0], provider.IAMWrite{Action: "CreateRole", Role: "appeng", Document: trust}); !errors.Is(err, provider.ErrAlreadyExists) {
		t.Errorf("CreateRole again: %v, want ErrAlreadyExists", err)
	}
	if err := p.WriteIAM(ctx, ids[0], provider.IAMWrite{Action: "DeleteRolePolicy", Role: "appeng", PolicyName: "nope"}); !errors.Is(err, provider.ErrNotFound) {
		t.Errorf("DeleteRolePolicy of a missing policy: %v, want ErrNotFound", err)
	}
	if err := p.WriteIAM(ctx, env.AccountID, provider.IAMWrite{Action: "CreateUser", User: "alice"}); err != nil {
		t.Fatal(err)
	}
	got, err := p.ReadIAM(ctx, []provider.IAMAccount{{Name: "management", ID: env.AccountID, Identity: true}, {Name: "dev", ID: ids[0]}, {Name: "prod", ID: ids[1]}})
	if err != nil {
		t.Fatal(err)
	}
	wantRole := &org.IAMRole{Name: "appeng", Trust: trust, ManagedPolicies: []string{"arn:aws:iam::aws:policy/ReadOnlyAccess"},
		InlinePolicies: map[string]string{"bulkhead-appeng": doc}, MaxSession: 7200, Tags: map[string]string{"team": "app"}}
	for _, name := range []string{"dev", "prod"} {
		a := got.Accounts[name]
		if a == nil {
			t.Fatalf("no IAM read for %s", name)
		}
		if diff := cmp.Diff(wantRole, a.Roles["appeng"]); diff != "" {
			t.Errorf("%s appeng (-want +got):\n%s", name, diff)
		}
		if diff := cmp.Diff([]string{"token.actions.githubusercontent.com"}, a.OIDCProviders); diff != "" {
			t.Errorf("%s OIDC providers (-want +got):\n%s", name, diff)
		}
		if len(a.Users) != 0 {
			t.Errorf("%s: users read in a member account: %v", name, a.Users)
		}
	}
	if got.Accounts["management"].Users["alice"] == nil {
		t.Errorf("alice not read in the identity account")
	}
	// DeleteUser clears what IAM requires gone first.
	for _, w := range []provider.IAMWrite{
		{Action: "CreateGroup", Group: "engineers"},
		{Action: "AddUserToGroup", User: "alice", Group: "engineers"},
		{Action: "PutUserPolicy", User: "alice", PolicyName: "p", Document: doc},
		{Action: "DeleteUser", User: "alice"},
		{Action: "DeleteGroup", Group: "engineers"},
		{Action: "DeleteRole", Role: "appeng"},
	} {
		acct := env.AccountID
		if w.Role != "" {
			acct = ids[0]
		}
		if err := p.WriteIAM(ctx, acct, w); err != nil {
			t.Fatalf("%s: %v", w.Action, err)
		}
	}
	if err := p.WriteIAM(ctx, env.AccountID, provider.IAMWrite{Action: "DeleteUser", User: "alice"}); !errors.Is(err, provider.ErrNotFound) {
		t.Errorf("DeleteUser again: %v, want ErrNotFound", err)
	}
	if n := p.Calls().Calls["sts:AssumeRole"]; n != 2 {
		t.Errorf("%d AssumeRole calls for 2 member accounts, want 2", n)
	}
}

// createAccount creates a member account and waits for it.
func createAccount(t *testing.T, p *provider.Client, name string) string {
	t.Helper()
	ctx := context.Background()
	id, err := p.CreateAccount(ctx, provider.CreateAccountInput{Name: name, Email: "aws+" + name + "@acme.example"})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 100; i++ {
		st, err := p.DescribeCreateAccount(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if st.State == provider.CreateSucceeded {
			return st.AccountID
		}
		if st.State == provider.CreateFailed {
			t.Fatalf("create %s: %s", name, st.FailureReason)
		}
	}
	t.Fatalf("create %s: still in progress", name)
	return ""
}
