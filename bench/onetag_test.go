package bench

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/bulkhead-dev/bulkhead/internal/emulator"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/emulatortest"
	"github.com/bulkhead-dev/bulkhead/internal/plan"
	"github.com/bulkhead-dev/bulkhead/internal/provider"
)

// BenchmarkOneTagChange300 is PRODUCT.md's org-formation comparison: read an
// organization of 300 accounts in 30 OUs and apply a one-tag change, against
// the local AWS (org-formation 1.0.17 against moto: 10.6 s and 1,890 API
// calls). Each iteration is one `bulkhead apply` of the organization layer:
// a full read (so drift is seen, unlike org-formation's skip of unchanged
// files), the diff, the lock, and the one TagResource. Run:
//
//	go test ./bench -run '^$' -bench OneTagChange300 -benchtime 10x
func BenchmarkOneTagChange300(b *testing.B) {
	const accounts, units = 300, 30
	env := emulatortest.Start(b, func(o *emulator.Options) {
		o.Organizations.CreateAccountDelay = -1
		o.Organizations.MaxAccounts = accounts + 1
	})
	want := bigOrg(accounts, units, 5)
	dir := b.TempDir()
	applyOnce(b, provider.New(env.Config, provider.Options{}), want, dir,
		plan.ApplyOptions{Parallelism: 32, MaxCreating: 64, PollInitial: time.Millisecond, PollMax: time.Millisecond})
	ctx := context.Background()
	var calls int
	i := 0
	b.ResetTimer()
	for b.Loop() {
		i++
		want.Accounts["acct-0150"].Tags["team"] = fmt.Sprintf("rotated-%d", i)
		p := provider.New(env.Config, provider.Options{})
		out, err := plan.Converge(ctx, p, want, plan.ConvergeOptions{StateDir: dir, Lock: plan.LockOptions{Settle: time.Millisecond}})
		if err != nil {
			b.Fatal(err)
		}
		if n := len(out.Plan.Ops); n != 1 || !out.Report.Succeeded() {
			b.Fatalf("one tag change planned %d operations (want 1), succeeded=%v", n, out.Report.Succeeded())
		}
		calls = p.Calls().Total()
	}
	b.ReportMetric(float64(calls), "calls/apply")
	b.ReportMetric(float64(calls)/accounts, "calls/account")
}
