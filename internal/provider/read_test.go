package provider_test

import (
	"context"
	"testing"

	"github.com/bulkhead-dev/bulkhead/internal/provider"
)

// TestReadCalls checks that Read sends exactly the requests ReadCalls
// documents, and that the formula gives the hand-counted figure, for
// organizations whose listings fit one page and some that need two.
func TestReadCalls(t *testing.T) {
	tests := []struct {
		name  string
		shape shape
		// want is counted by hand from the formula in ReadCalls.
		want int
	}{{
		// 2 + root (1+1) + root tags 1 + management account tags 1 +
		// ListPolicies 1 (build enables SCPs) + FullAWSAccess targets 1.
		name: "empty", shape: shape{}, want: 2 + 2 + 1 + 1 + 1 + 1,
	}, {
		// 2 + root (1+1) + 3 units (1+1 each) + tags 1+1+5 + ListPolicies 1
		// + 2 DescribePolicy + targets: FullAWSAccess 1+3+6=10 → 1, each
		// policy 2 → 1+1.
		name: "small", shape: shape{Top: 3, Accounts: 5, Policies: 2},
		want: 2 + 2 + 3*2 + 1 + 1 + 5 + 1 + 2 + 3,
	}, {
		// 21 top units: root's OU listing takes 2 pages. 22 containers,
		// 43 accounts: root holds 2 + management = 3, units 1 or 2 each;
		// 30 policies: ListPolicies 31 → 2 pages; FullAWSAccess on
		// 1+21+44 = 66 targets → 4 pages.
		name: "paged units and policies", shape: shape{Top: 21, Accounts: 43, Policies: 30},
		want: 2 + (2 + 1) + 21*2 + 1 + 44 + 2 + 30 + (4 + 30),
	}, {
		// One unit, 46 accounts: the root gets 23 + management = 24 (2
		// pages), the unit 23 (2 pages); FullAWSAccess on 1+1+47 = 49
		// targets (3 pages).
		name: "paged accounts", shape: shape{Top: 1, Accounts: 46, Policies: 1},
		want: 2 + (1 + 2) + (1 + 2) + 1 + 47 + 1 + 1 + (3 + 1),
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := startLocal(t, tt.shape.Accounts)
			build(t, provider.New(env.Config, provider.Options{}), tt.shape)
			env.Emulator.ResetStats()
			p := provider.New(env.Config, provider.Options{})
			o, err := p.Read(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if len(o.Accounts) != tt.shape.Accounts+1 || len(o.Units) != tt.shape.units() || len(o.Policies) != tt.shape.Policies+1 {
				t.Fatalf("read %d accounts, %d units, %d policies; want %d, %d, %d",
					len(o.Accounts), len(o.Units), len(o.Policies), tt.shape.Accounts+1, tt.shape.units(), tt.shape.Policies+1)
			}
			got := p.Calls()
			if got.Total() != tt.want || provider.ReadCalls(o) != tt.want {
				t.Errorf("Read sent %d requests, ReadCalls says %d, hand count %d; by operation: %v", got.Total(), provider.ReadCalls(o), tt.want, got.Calls)
			}
			var server int64
			for _, s := range env.Emulator.Stats() {
				server += s.Calls
			}
			if server != int64(got.Total()) {
				t.Errorf("the local AWS received %d requests, the provider counted %d", server, got.Total())
			}
		})
	}
}
