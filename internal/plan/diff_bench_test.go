package plan

import (
	"fmt"
	"testing"

	"github.com/bulkhead-dev/bulkhead/internal/org"
)

// bigFixture is 1,000 accounts over 100 units (10 top, 90 below) with 50
// SCPs, as desired.
func bigFixture() *org.Org {
	o := org.New()
	o.ManagementAccount = "management"
	o.PolicyTypes = []string{org.SCP}
	o.Accounts["management"] = &org.Account{Name: "management", Email: "aws@big.example", Status: org.Active}
	var paths []string
	for i := 0; i < 100; i++ {
		p := fmt.Sprintf("Top%02d", i)
		if i >= 10 {
			p = fmt.Sprintf("Top%02d/Unit%03d", i%10, i)
		}
		o.Units[p] = &org.Unit{Path: p}
		paths = append(paths, p)
	}
	for i := 0; i < 1000; i++ {
		n := fmt.Sprintf("acct-%04d", i)
		o.Accounts[n] = &org.Account{Name: n, Email: n + "@big.example", Unit: paths[i%100], Kind: "development", Status: org.Active}
	}
	for i := 0; i < 50; i++ {
		n := fmt.Sprintf("guard-%02d", i)
		o.Policies[n] = &org.Policy{Name: n, Type: org.SCP, Content: `{"Version":"2012-10-17","Statement":[]}`, Targets: []org.Target{{Kind: org.TargetUnit, Name: paths[i]}}}
	}
	return o
}

// BenchmarkDiff1000 diffs 1,000 accounts, 100 units and 50 policies:
// unchanged, from empty, and with every top unit renamed (the matching's
// worst case: every unit is a rename candidate).
func BenchmarkDiff1000(b *testing.B) {
	want := bigFixture()
	live := liveOf(bigFixture())
	renamed := bigFixture()
	units := map[string]*org.Unit{}
	for p, u := range renamed.Units {
		u.Path = "R" + p
		units[u.Path] = u
	}
	renamed.Units = units
	for _, a := range renamed.Accounts {
		if a.Unit != "" {
			a.Unit = "R" + a.Unit
		}
	}
	for _, p := range renamed.Policies {
		p.Targets[0].Name = "R" + p.Targets[0].Name
	}
	for _, bc := range []struct {
		name       string
		want, live *org.Org
		ops        int
	}{
		{"unchanged", want, live, 0},
		{"from-empty", want, org.New(), -1},
		{"renamed", renamed, live, 10},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				pl := Diff(bc.want, bc.live, Options{})
				if bc.ops >= 0 && len(pl.Ops) != bc.ops {
					b.Fatalf("%d operations, want %d", len(pl.Ops), bc.ops)
				}
			}
		})
	}
}
