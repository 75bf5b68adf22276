package provider_test

import (
	"context"
	"testing"

	"github.com/bulkhead-dev/bulkhead/internal/provider"
)

// BenchmarkRead1000 reads an organization of 1,000 accounts, 100 OUs (10
// under the root, 9 under each) and 50 SCPs from the local AWS
// in-process. It reports the requests per Read and the lower bound that
// AWS's page sizes allow (provider.ReadLowerBound).
func BenchmarkRead1000(b *testing.B) {
	s := shape{Top: 10, Children: 9, Accounts: 1000, Policies: 50}
	env := startLocal(b, s.Accounts)
	build(b, provider.New(env.Config, provider.Options{Concurrency: 16}), s)
	ctx := context.Background()
	var calls, bound int
	b.ResetTimer()
	for b.Loop() {
		p := provider.New(env.Config, provider.Options{})
		o, err := p.Read(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if len(o.Accounts) != s.Accounts+1 || len(o.Units) != s.units() {
			b.Fatalf("read %d accounts, %d units", len(o.Accounts), len(o.Units))
		}
		calls, bound = p.Calls().Total(), provider.ReadLowerBound(o)
	}
	b.ReportMetric(float64(calls), "calls/read")
	b.ReportMetric(float64(bound), "lowerbound")
	b.ReportMetric(float64(calls)/float64(bound), "ratio")
}
