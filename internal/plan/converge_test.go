package plan_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/google/go-cmp/cmp"

	"github.com/bulkhead-dev/bulkhead/internal/emulator"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/emulatortest"
	"github.com/bulkhead-dev/bulkhead/internal/layout"
	"github.com/bulkhead-dev/bulkhead/internal/org"
	"github.com/bulkhead-dev/bulkhead/internal/plan"
	"github.com/bulkhead-dev/bulkhead/internal/provider"
)

// fastProvider returns a provider on env whose retries wait little, and a
// local AWS where accounts are created at once.
func startEnv(t testing.TB, maxAccounts int, opts ...func(*emulator.Options)) *emulatortest.Env {
	t.Helper()
	all := append([]func(*emulator.Options){func(o *emulator.Options) {
		o.Organizations.CreateAccountDelay = -1
		o.Organizations.MaxAccounts = maxAccounts
	}}, opts...)
	return emulatortest.Start(t, all...)
}

func newProvider(env *emulatortest.Env) *provider.Client {
	return provider.New(env.Config, provider.Options{BaseDelay: time.Millisecond, MaxDelay: 20 * time.Millisecond, MaxAttempts: 30})
}

func loadExample(t testing.TB, name string) *org.Org {
	t.Helper()
	l, ds, err := layout.Load("../../examples/" + name + "/bulkhead.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if ds.HasErrors() {
		t.Fatalf("example %s: %v", name, ds.Err())
	}
	return org.FromLayout(l)
}

func fastApply() plan.ApplyOptions {
	return plan.ApplyOptions{Parallelism: 8, PollInitial: time.Millisecond, PollMax: 10 * time.Millisecond}
}

func converge(t testing.TB, p provider.Provider, want *org.Org, dir string, o plan.Options) *plan.Outcome {
	t.Helper()
	out, err := plan.Converge(context.Background(), p, want, plan.ConvergeOptions{
		StateDir: dir, Diff: o, Apply: fastApply(), Lock: plan.LockOptions{Settle: time.Millisecond},
	})
	if err != nil {
		t.Fatalf("converge: %v", err)
	}
	if !out.Report.Succeeded() {
		t.Fatalf("converge: not every operation succeeded: %+v", out.Report.Results)
	}
	return out
}

func mustPlan(t testing.TB, p provider.Provider, want *org.Org, dir string, o plan.Options) *plan.Plan {
	t.Helper()
	pl, _, err := plan.MakePlan(context.Background(), p, want, dir, o)
	if err != nil {
		t.Fatal(err)
	}
	return pl
}

func opIDs(pl *plan.Plan) []string {
	var ids []string
	for _, op := range pl.Ops {
		ids = append(ids, op.ID)
	}
	return ids
}

// TestConvergeStartupThenNoChanges applies the startup example to an empty
// local AWS, then plans again: nothing to do, and the journal is gone.
func TestConvergeStartupThenNoChanges(t *testing.T) {
	env := startEnv(t, 20)
	p := newProvider(env)
	dir := t.TempDir()
	want := loadExample(t, "startup")
	out := converge(t, p, want, dir, plan.Options{})
	if out.Report.OK == 0 {
		t.Fatal("nothing applied")
	}
	pl := mustPlan(t, p, want, dir, plan.Options{})
	if pl.Changes() {
		var b strings.Builder
		_ = pl.Text(&b, plan.RenderOptions{})
		t.Fatalf("second plan has changes:\n%s", b.String())
	}
	j, err := plan.OpenJournal(dir)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(j.Entries()); n != 0 {
		t.Errorf("journal has %d entries after a clean apply", n)
	}
	// The lock is released.
	live, err := p.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, held := live.RootTags[plan.LockTag]; held {
		t.Errorf("lock tag left on the root")
	}
}

// TestDriftRevertedByApply changes the organization with the SDK, as a
// person with the AWS CLI would, and checks that the plan shows each change
// as drift and that apply reverts it.
func TestDriftRevertedByApply(t *testing.T) {
	env := startEnv(t, 20)
	p := newProvider(env)
	dir := t.TempDir()
	want := loadExample(t, "startup")
	converge(t, p, want, dir, plan.Options{})

	ctx := context.Background()
	live, err := p.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cli := organizations.NewFromConfig(env.Config)
	guard := live.Policies["guardrails"]
	if guard == nil || len(guard.Targets) == 0 {
		t.Fatalf("guardrails not attached: %+v", guard)
	}
	tgt := guard.Targets[0]
	if _, err := cli.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: aws.String(guard.ID), TargetId: aws.String(live.Units[tgt.Name].ID)}); err != nil {
		t.Fatal(err)
	}
	dev := live.Accounts["dev"]
	if _, err := cli.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(dev.ID), SourceParentId: aws.String(live.Units[dev.Unit].ID), DestinationParentId: aws.String(live.RootID)}); err != nil {
		t.Fatal(err)
	}
	if _, err := cli.TagResource(ctx, &organizations.TagResourceInput{ResourceId: aws.String(dev.ID), Tags: []types.Tag{{Key: aws.String("bulkhead:kind"), Value: aws.String("production")}}}); err != nil {
		t.Fatal(err)
	}

	pl := mustPlan(t, p, want, dir, plan.Options{})
	got := map[string]string{}
	for _, op := range pl.Ops {
		got[op.ID] = op.Reason
	}
	wantOps := map[string]string{
		"attach-policy:guardrails:unit:" + tgt.Name: "drift: detached outside bulkhead",
		"move-account:dev":                          "drift: moved outside bulkhead",
		"tag:account:dev":                           "drift: tag edited outside bulkhead",
	}
	if diff := cmp.Diff(wantOps, got); diff != "" {
		t.Fatalf("drift plan (-want +got):\n%s", diff)
	}
	converge(t, p, want, dir, plan.Options{})
	if pl := mustPlan(t, p, want, dir, plan.Options{}); pl.Changes() {
		t.Fatalf("drift not reverted: %v", opIDs(pl))
	}
}

// TestConvergeRenameParentUnit renames a unit with children in the layout:
// one UpdateOrganizationalUnit, the children keep their ids (resolved
// through the plan's bindings), and nothing is created or moved.
func TestConvergeRenameParentUnit(t *testing.T) {
	env := startEnv(t, 20)
	p := newProvider(env)
	dir := t.TempDir()
	want := loadExample(t, "startup")
	converge(t, p, want, dir, plan.Options{})
	before, err := p.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}

	renamed := loadExample(t, "startup")
	for path, u := range renamed.Units {
		if path == "Workloads" || strings.HasPrefix(path, "Workloads/") {
			delete(renamed.Units, path)
			np := "Apps" + strings.TrimPrefix(path, "Workloads")
			u.Path = np
			renamed.Units[np] = u
		}
	}
	for _, a := range renamed.Accounts {
		if strings.HasPrefix(a.Unit, "Workloads") {
			a.Unit = "Apps" + strings.TrimPrefix(a.Unit, "Workloads")
		}
	}
	for _, pol := range renamed.Policies {
		for i, tg := range pol.Targets {
			if tg.Kind == org.TargetUnit && strings.HasPrefix(tg.Name, "Workloads") {
				pol.Targets[i].Name = "Apps" + strings.TrimPrefix(tg.Name, "Workloads")
			}
		}
	}
	pl := mustPlan(t, p, renamed, dir, plan.Options{})
	if diff := cmp.Diff([]string{"rename-unit:Apps"}, opIDs(pl)); diff != "" {
		t.Fatalf("plan (-want +got):\n%s", diff)
	}
	converge(t, p, renamed, dir, plan.Options{})
	after, err := p.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if before.Units["Workloads/Production"].ID != after.Units["Apps/Production"].ID {
		t.Error("the child unit was replaced, not carried by the rename")
	}
	if pl := mustPlan(t, p, renamed, dir, plan.Options{}); pl.Changes() {
		t.Errorf("after the rename: %v", opIDs(pl))
	}
}
