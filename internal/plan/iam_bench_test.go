package plan_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/bulkhead-dev/bulkhead/internal/blueprint"
	"github.com/bulkhead-dev/bulkhead/internal/emulator"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/emulatortest"
	"github.com/bulkhead-dev/bulkhead/internal/layout"
	"github.com/bulkhead-dev/bulkhead/internal/org"
	"github.com/bulkhead-dev/bulkhead/internal/plan"
	"github.com/bulkhead-dev/bulkhead/internal/provider"
)

// startupWith writes the startup blueprint with n developers to a
// temporary directory and loads it.
func startupWith(tb testing.TB, n int) *layout.Layout {
	tb.Helper()
	devs := make([]string, n)
	for i := range devs {
		devs[i] = fmt.Sprintf("dev%02d", i+1)
	}
	res, err := blueprint.Generate(blueprint.Options{Blueprint: blueprint.Startup, Domain: "acme.example", Developers: devs})
	if err != nil {
		tb.Fatal(err)
	}
	dir := tb.TempDir()
	for _, f := range res.Files {
		p := filepath.Join(dir, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	l, ds, err := layout.Load(filepath.Join(dir, blueprint.LayoutFile))
	if err != nil || ds.HasErrors() {
		tb.Fatalf("layout: %v %v", err, ds.Err())
	}
	return l
}

// BenchmarkIAMPlan is `bulkhead plan` for the startup blueprint with 50
// developers (57 accounts; appeng and deployer where their kinds have a
// policy) against the local AWS, after an apply: one plan per iteration
// with a fresh provider, as a run of the command has. It reports the API
// requests of a plan and the AssumeRole calls among them, which must be one
// per member account.
func BenchmarkIAMPlan(b *testing.B) {
	l := startupWith(b, 50)
	env := emulatortest.Start(b, func(o *emulator.Options) {
		o.Organizations.CreateAccountDelay = -1
		o.Organizations.MaxAccounts = 100
	})
	stateDir := filepath.Join(b.TempDir(), plan.StateDirName)
	ctx := context.Background()
	setup := provider.New(env.Config, provider.Options{})
	step := &plan.IAMStep{Provider: setup, Layout: l, StateDir: stateDir}
	out, err := plan.Converge(ctx, setup, org.FromLayout(l), plan.ConvergeOptions{StateDir: stateDir, Extend: step.Extend, Apply: plan.ApplyOptions{Parallelism: 20}})
	if err != nil || !out.Report.Succeeded() {
		b.Fatalf("apply: %v", err)
	}
	var calls, assumes, members int
	for b.Loop() {
		p := provider.New(env.Config, provider.Options{})
		pl, live, err := plan.MakePlan(ctx, p, org.FromLayout(l), stateDir, plan.Options{})
		if err != nil {
			b.Fatal(err)
		}
		if err := (&plan.IAMStep{Provider: p, Layout: l, StateDir: stateDir}).Extend(ctx, pl, live); err != nil {
			b.Fatal(err)
		}
		if pl.Changes() {
			b.Fatalf("plan after apply has changes: %d operations", len(pl.Ops))
		}
		st := p.Calls()
		calls, assumes, members = st.Total(), st.Calls["sts:AssumeRole"], len(live.Accounts)-1
	}
	if assumes != members {
		b.Fatalf("%d AssumeRole calls for %d member accounts", assumes, members)
	}
	b.ReportMetric(float64(calls), "requests/op")
	b.ReportMetric(float64(assumes), "assumerole/op")
	b.ReportMetric(float64(members+1), "accounts")
}
