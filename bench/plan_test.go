package bench

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/bulkhead-dev/bulkhead/internal/emulator"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/emulatortest"
	"github.com/bulkhead-dev/bulkhead/internal/org"
	"github.com/bulkhead-dev/bulkhead/internal/plan"
	"github.com/bulkhead-dev/bulkhead/internal/provider"
)

// Plan and apply at a thousand accounts. Run:
//
//	go test ./bench -run '^$' -bench 'Plan1000' -benchtime 5x
//	go test ./bench -run '^$' -bench 'ApplyAWSLimits' -benchtime 1x
//
// BenchmarkPlan1000 reports the wall time of one `bulkhead plan` (read +
// diff) of an unchanged organization of 1,000 accounts, 100 OUs and 50
// SCPs in the local AWS in-process, the requests it sent, and the lower
// bound of requests AWS's page sizes allow (provider.ReadLowerBound).

// bigOrg is a desired organization of accounts member accounts spread
// round-robin over units OUs (a tenth top-level, the rest one level
// below), and policies SCPs, policy i attached to unit i.
func bigOrg(accounts, units, policies int) *org.Org {
	o := org.New()
	o.ManagementAccount = "management"
	o.PolicyTypes = []string{org.SCP}
	o.Accounts["management"] = &org.Account{Name: "management", Email: "aws@big.example", Kind: "management", Status: org.Active}
	top := max(1, units/10)
	var paths []string
	for i := 0; i < units; i++ {
		p := fmt.Sprintf("Top%02d", i)
		if i >= top {
			p = fmt.Sprintf("Top%02d/Unit%03d", i%top, i)
		}
		o.Units[p] = &org.Unit{Path: p}
		paths = append(paths, p)
	}
	for i := 0; i < accounts; i++ {
		name := fmt.Sprintf("acct-%04d", i)
		o.Accounts[name] = &org.Account{
			Name: name, Email: "aws+" + name + "@big.example", Unit: paths[i%len(paths)], Kind: "development", Status: org.Active,
			Tags: map[string]string{"team": fmt.Sprintf("team-%d", i%7)},
		}
	}
	for i := 0; i < policies; i++ {
		name := fmt.Sprintf("guard-%02d", i)
		o.Policies[name] = &org.Policy{
			Name: name, Type: org.SCP,
			Content: fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Sid":"G%d","Effect":"Deny","Action":"ec2:DeleteVpc%d","Resource":"*"}]}`, i, i),
			Targets: []org.Target{{Kind: org.TargetUnit, Name: paths[i%len(paths)]}},
		}
	}
	return o
}

// applyOnce converges want with bulkhead's own apply, failing on any
// operation that does not succeed.
func applyOnce(tb testing.TB, p provider.Provider, want *org.Org, dir string, ao plan.ApplyOptions) *plan.Outcome {
	tb.Helper()
	out, err := plan.Converge(context.Background(), p, want, plan.ConvergeOptions{
		StateDir: dir, Apply: ao, Lock: plan.LockOptions{Settle: time.Millisecond},
	})
	if err != nil {
		tb.Fatalf("apply: %v", err)
	}
	if !out.Report.Succeeded() {
		tb.Fatalf("apply: %d failed, %d skipped", out.Report.Failed, out.Report.Skipped)
	}
	return out
}

func BenchmarkPlan1000(b *testing.B) {
	const accounts, units, policies = 1000, 100, 50
	env := emulatortest.Start(b, func(o *emulator.Options) {
		o.Organizations.CreateAccountDelay = -1
		o.Organizations.MaxAccounts = accounts + 1
	})
	want := bigOrg(accounts, units, policies)
	dir := b.TempDir()
	applyOnce(b, provider.New(env.Config, provider.Options{}), want, dir,
		plan.ApplyOptions{Parallelism: 32, MaxCreating: 64, PollInitial: time.Millisecond, PollMax: time.Millisecond})
	ctx := context.Background()
	var calls, bound int
	b.ResetTimer()
	for b.Loop() {
		p := provider.New(env.Config, provider.Options{})
		pl, live, err := plan.MakePlan(ctx, p, want, dir, plan.Options{})
		if err != nil {
			b.Fatal(err)
		}
		if pl.Changes() {
			b.Fatalf("unchanged organization planned %d operations", len(pl.Ops))
		}
		calls, bound = pl.ReadCalls, provider.ReadLowerBound(live)
	}
	b.ReportMetric(float64(calls), "calls/plan")
	b.ReportMetric(float64(bound), "lowerbound")
	b.ReportMetric(float64(calls)/float64(bound), "ratio")
}
