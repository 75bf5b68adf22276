package provider_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/emulatortest"
	"github.com/bulkhead-dev/bulkhead/internal/org"
	"github.com/bulkhead-dev/bulkhead/internal/provider"
)

// -integration runs the conformance suite against real AWS too, with the
// default credential chain (AWS_PROFILE). It creates OUs, policies and a
// member account in the caller's organization (creating the organization
// when there is none), and closes the account at the end: use a
// throwaway management account.
var integration = flag.Bool("integration", false, "also run the provider conformance suite against real AWS (creates and closes an account)")

// backend is one place the suite runs: a provider and a way to let time
// pass (the local AWS's clock moves on command; real AWS needs waiting).
type backend struct {
	p provider.Provider
	// pass lets d of time pass for asynchronous work (CreateAccount).
	pass func(d time.Duration)
	// suffix makes names unique where the backend is shared (real AWS).
	suffix string
	// fresh reports that the backend starts with no organization.
	fresh bool
	// canRemove reports that accounts made by CreateAccount can be
	// removed from the organization (not so in real AWS).
	canRemove bool
}

func TestConformanceLocal(t *testing.T) {
	env := emulatortest.Start(t)
	testConformance(t, backend{
		p:         provider.New(env.Config, provider.Options{}),
		pass:      env.Clock.Advance,
		fresh:     true,
		canRemove: true,
	})
}

func TestConformanceAWS(t *testing.T) {
	if !*integration {
		t.Skip("real AWS: run with -integration")
	}
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	testConformance(t, backend{
		p:      provider.New(cfg, provider.Options{}),
		pass:   time.Sleep,
		suffix: fmt.Sprintf("-%d", time.Now().Unix()),
	})
}

// testConformance is the contract every Provider meets: each step changes
// the organization through the Provider and reads it back with Read.
func testConformance(t *testing.T, b backend) {
	ctx := context.Background()
	p := b.p
	name := func(s string) string { return s + b.suffix }

	if b.fresh {
		if _, err := p.Read(ctx); !errors.Is(err, provider.ErrNoOrganization) {
			t.Fatalf("Read before CreateOrganization: err = %v, want ErrNoOrganization", err)
		}
	}
	if err := p.CreateOrganization(ctx); err != nil && !errors.Is(err, provider.ErrAlreadyExists) {
		t.Fatalf("CreateOrganization: %v", err)
	}
	o := mustRead(t, p)
	if o.ID == "" || o.RootID == "" || o.ManagementAccountID == "" {
		t.Fatalf("Read: ids missing: org %q root %q management %q", o.ID, o.RootID, o.ManagementAccountID)
	}
	mgmt := o.Accounts[o.ManagementAccount]
	if mgmt == nil || mgmt.ID != o.ManagementAccountID || mgmt.Unit != "" || mgmt.Status != org.Active {
		t.Fatalf("management account %q = %+v, want the active account %s at the root", o.ManagementAccount, mgmt, o.ManagementAccountID)
	}

	t.Log("policy types")
	if !contains(o.PolicyTypes, org.SCP) {
		if err := p.EnablePolicyType(ctx, o.RootID, org.SCP); err != nil {
			t.Fatalf("EnablePolicyType: %v", err)
		}
	}
	if err := p.EnablePolicyType(ctx, o.RootID, org.SCP); !errors.Is(err, provider.ErrAlreadyExists) {
		t.Errorf("EnablePolicyType twice: err = %v, want ErrAlreadyExists", err)
	}
	o = mustRead(t, p)
	if !contains(o.PolicyTypes, org.SCP) {
		t.Fatalf("policy types %v, want SCP enabled", o.PolicyTypes)
	}
	full := o.Policies[org.FullAWSAccess]
	if full == nil || !full.AWSManaged || full.Content != "" || !containsTarget(full.Targets, org.Target{Kind: org.TargetRoot}) {
		t.Fatalf("FullAWSAccess = %+v, want AWS-managed, no content, attached to the root", full)
	}

	t.Log("units")
	workloads := name("Workloads")
	wID, err := p.CreateUnit(ctx, o.RootID, workloads, nil)
	if err != nil {
		t.Fatalf("CreateUnit: %v", err)
	}
	prodID, err := p.CreateUnit(ctx, wID, "Prod", map[string]string{"team": "platform"})
	if err != nil {
		t.Fatalf("CreateUnit child: %v", err)
	}
	secID, err := p.CreateUnit(ctx, o.RootID, name("Sec"), nil)
	if err != nil {
		t.Fatalf("CreateUnit: %v", err)
	}
	if _, err := p.CreateUnit(ctx, o.RootID, workloads, nil); !errors.Is(err, provider.ErrAlreadyExists) {
		t.Errorf("CreateUnit duplicate: err = %v, want ErrAlreadyExists", err)
	}
	if err := p.RenameUnit(ctx, secID, name("Security")); err != nil {
		t.Fatalf("RenameUnit: %v", err)
	}
	o = mustRead(t, p)
	wantUnits := map[string]string{workloads: wID, workloads + "/Prod": prodID, name("Security"): secID}
	for path, id := range wantUnits {
		if u := o.Units[path]; u == nil || u.ID != id {
			t.Errorf("unit %s = %+v, want id %s", path, u, id)
		}
	}
	if o.Units[name("Sec")] != nil {
		t.Errorf("unit %s still there after the rename", name("Sec"))
	}
	if tags, err := p.Tags(ctx, prodID); err != nil || tags["team"] != "platform" {
		t.Errorf("Tags(Prod) = %v, %v; want team=platform", tags, err)
	}

	t.Log("accounts")
	acctName := name("conf-prod")
	email := "aws+" + acctName + "@bulkhead.example"
	want := &org.Account{Name: acctName, Email: email, Kind: "production", Protected: true, Tags: map[string]string{"owner": "platform"}}
	statusID, err := p.CreateAccount(ctx, provider.CreateAccountInput{Name: acctName, Email: email, Tags: provider.AccountTags(want)})
	if err != nil {
		t.Fatalf("CreateAccount: %v", err)
	}
	running, err := p.CreateAccountRequests(ctx, provider.CreateInProgress)
	if err != nil {
		t.Fatalf("CreateAccountRequests: %v", err)
	}
	if !b.fresh || len(running) > 0 {
		// Real AWS may finish before the listing; the local AWS cannot
		// (its clock has not moved).
		if b.fresh && (len(running) != 1 || running[0].ID != statusID || running[0].AccountName != acctName) {
			t.Errorf("in-progress requests = %+v, want %s for %s", running, statusID, acctName)
		}
	}
	st := waitCreated(t, b, statusID)
	if st.State != provider.CreateSucceeded || st.AccountID == "" {
		t.Fatalf("create account: %+v, want SUCCEEDED with an account id", st)
	}
	if _, err := p.DescribeCreateAccount(ctx, "car-00000000000000000000000000000000"); !errors.Is(err, provider.ErrNotFound) {
		t.Errorf("DescribeCreateAccount unknown: err = %v, want ErrNotFound", err)
	}
	o = mustRead(t, p)
	got := o.Accounts[acctName]
	want.ID, want.Unit, want.Status = st.AccountID, "", org.Active
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("account after create (-want +got):\n%s", diff)
	}

	dup, err := p.CreateAccount(ctx, provider.CreateAccountInput{Name: name("conf-dup"), Email: email})
	if err != nil {
		t.Fatalf("CreateAccount with a taken email: %v (AWS accepts the request and fails it later)", err)
	}
	if st := waitCreated(t, b, dup); st.State != provider.CreateFailed || st.FailureReason != "EMAIL_ALREADY_EXISTS" {
		t.Errorf("CreateAccount with a taken email: %+v, want FAILED with EMAIL_ALREADY_EXISTS", st)
	}
	failed, err := p.CreateAccountRequests(ctx, provider.CreateFailed)
	if err != nil || len(failed) == 0 || failed[0].ID != dup {
		t.Errorf("failed requests = %+v, %v; want %s first", failed, err, dup)
	}

	t.Log("move and tags")
	if err := p.MoveAccount(ctx, st.AccountID, o.RootID, prodID); err != nil {
		t.Fatalf("MoveAccount: %v", err)
	}
	if err := p.TagResource(ctx, st.AccountID, map[string]string{"owner": "payments", "cost-center": "42"}); err != nil {
		t.Fatalf("TagResource: %v", err)
	}
	if err := p.UntagResource(ctx, st.AccountID, []string{provider.TagProtected}); err != nil {
		t.Fatalf("UntagResource: %v", err)
	}
	o = mustRead(t, p)
	want.Unit, want.Protected, want.Tags = workloads+"/Prod", false, map[string]string{"owner": "payments", "cost-center": "42"}
	if diff := cmp.Diff(want, o.Accounts[acctName]); diff != "" {
		t.Errorf("account after move and tags (-want +got):\n%s", diff)
	}
	if err := p.MoveAccount(ctx, st.AccountID, o.RootID, prodID); !errors.Is(err, provider.ErrAlreadyExists) {
		t.Errorf("MoveAccount to where it is: err = %v, want ErrAlreadyExists (DuplicateAccountException)", err)
	}
	if err := p.MoveAccount(ctx, st.AccountID, o.RootID, wID); !errors.Is(err, provider.ErrNotFound) {
		t.Errorf("MoveAccount from the wrong parent: err = %v, want ErrNotFound (SourceParentNotFoundException)", err)
	}

	t.Log("policies")
	pol := &org.Policy{Name: name("deny-leave"), Type: org.SCP, Description: "no leaving",
		Content: `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"}]}`}
	polID, err := p.CreatePolicy(ctx, pol)
	if err != nil {
		t.Fatalf("CreatePolicy: %v", err)
	}
	if _, err := p.CreatePolicy(ctx, pol); !errors.Is(err, provider.ErrAlreadyExists) {
		t.Errorf("CreatePolicy duplicate: err = %v, want ErrAlreadyExists", err)
	}
	for _, target := range []string{wID, st.AccountID} {
		if err := p.AttachPolicy(ctx, polID, target); err != nil {
			t.Fatalf("AttachPolicy %s: %v", target, err)
		}
	}
	if err := p.AttachPolicy(ctx, polID, wID); !errors.Is(err, provider.ErrAlreadyExists) {
		t.Errorf("AttachPolicy twice: err = %v, want ErrAlreadyExists", err)
	}
	o = mustRead(t, p)
	wantPol := &org.Policy{Name: pol.Name, ID: polID, Type: org.SCP, Description: pol.Description, Content: pol.Content,
		Targets: []org.Target{{Kind: org.TargetUnit, Name: workloads}, {Kind: org.TargetAccount, Name: acctName}}}
	if diff := cmp.Diff(wantPol, o.Policies[pol.Name], cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("policy after attach (-want +got):\n%s", diff)
	}
	updated := *pol
	updated.Description = "still no leaving"
	updated.Content = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["organizations:LeaveOrganization","account:CloseAccount"],"Resource":"*"}]}`
	if err := p.UpdatePolicy(ctx, polID, &updated); err != nil {
		t.Fatalf("UpdatePolicy: %v", err)
	}
	if err := p.DetachPolicy(ctx, polID, st.AccountID); err != nil {
		t.Fatalf("DetachPolicy: %v", err)
	}
	if err := p.DetachPolicy(ctx, polID, st.AccountID); !errors.Is(err, provider.ErrNotFound) {
		t.Errorf("DetachPolicy twice: err = %v, want ErrNotFound", err)
	}
	o = mustRead(t, p)
	wantPol.Description, wantPol.Content = updated.Description, updated.Content
	wantPol.Targets = []org.Target{{Kind: org.TargetUnit, Name: workloads}}
	if diff := cmp.Diff(wantPol, o.Policies[pol.Name], cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("policy after update and detach (-want +got):\n%s", diff)
	}
	if err := p.DeletePolicy(ctx, polID); err == nil {
		t.Errorf("DeletePolicy while attached: no error")
	}
	if err := p.DetachPolicy(ctx, polID, wID); err != nil {
		t.Fatalf("DetachPolicy: %v", err)
	}
	if err := p.DeletePolicy(ctx, polID); err != nil {
		t.Fatalf("DeletePolicy: %v", err)
	}

	t.Log("delete units, close account")
	if err := p.DeleteUnit(ctx, prodID); err == nil {
		t.Errorf("DeleteUnit with an account in it: no error")
	}
	if err := p.DeleteUnit(ctx, secID); err != nil {
		t.Fatalf("DeleteUnit: %v", err)
	}
	if err := p.CloseAccount(ctx, st.AccountID); err != nil {
		t.Fatalf("CloseAccount: %v", err)
	}
	o = mustRead(t, p)
	if o.Policies[pol.Name] != nil || o.Units[name("Security")] != nil {
		t.Errorf("deleted policy or unit still read: %v %v", o.Policies[pol.Name], o.Units[name("Security")])
	}
	if s := o.Accounts[acctName].Status; s != org.Suspended && s != org.PendingClosure {
		t.Errorf("closed account status %s, want SUSPENDED or PENDING_CLOSURE", s)
	}
	if err := p.RemoveAccount(ctx, o.ManagementAccountID); err == nil {
		t.Errorf("RemoveAccount(management): no error")
	}
	if b.canRemove {
		// Real AWS removes only accounts that can stand alone (payment
		// method, support plan): accounts made by CreateAccount cannot.
		other := name("conf-leaver")
		st := waitCreated(t, b, mustCreate(t, p, other))
		if err := p.RemoveAccount(ctx, st.AccountID); err != nil {
			t.Fatalf("RemoveAccount: %v", err)
		}
		if o = mustRead(t, p); o.Accounts[other] != nil {
			t.Errorf("removed account %s still read: %+v", other, o.Accounts[other])
		}
		if err := p.RemoveAccount(ctx, st.AccountID); !errors.Is(err, provider.ErrNotFound) {
			t.Errorf("RemoveAccount twice: err = %v, want ErrNotFound", err)
		}
	}
	if p.Calls().Total() == 0 {
		t.Errorf("Calls() counted nothing")
	}
}

func mustCreate(t *testing.T, p provider.Provider, name string) string {
	t.Helper()
	id, err := p.CreateAccount(context.Background(), provider.CreateAccountInput{Name: name, Email: "aws+" + name + "@bulkhead.example"})
	if err != nil {
		t.Fatalf("CreateAccount %s: %v", name, err)
	}
	return id
}

func mustRead(t *testing.T, p provider.Provider) *org.Org {
	t.Helper()
	o, err := p.Read(context.Background())
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	return o
}

// waitCreated polls a CreateAccount request until it leaves IN_PROGRESS.
func waitCreated(t *testing.T, b backend, id string) provider.CreateAccountStatus {
	t.Helper()
	for range 120 {
		st, err := b.p.DescribeCreateAccount(context.Background(), id)
		if err != nil {
			t.Fatalf("DescribeCreateAccount: %v", err)
		}
		if st.State != provider.CreateInProgress {
			return st
		}
		b.pass(5 * time.Second)
	}
	t.Fatalf("CreateAccount %s still in progress after 10 minutes", id)
	return provider.CreateAccountStatus{}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func containsTarget(list []org.Target, t org.Target) bool {
	for _, x := range list {
		if x == t {
			return true
		}
	}
	return false
}
