package access

import (
	"testing"

	"github.com/bulkhead-dev/bulkhead/internal/actions"
	"github.com/google/go-cmp/cmp"
)

// TestCachesAgree checks that the cached decisions (assumptions shared
// across accounts, grants shared across accounts and names) are the
// decisions computed afresh for every principal and role.
func TestCachesAgree(t *testing.T) {
	for _, file := range []string{startup, business, variants} {
		_, m := load(t, file)
		for _, p := range m.Principals {
			for _, r := range m.Principals {
				if r.Kind != Role || p == r {
					continue
				}
				cached, fresh := m.assume(p, r), m.evalAssume(p, r)
				if cached.Result != fresh.Result || cmp.Diff(cached.Conditional(), fresh.Conditional()) != "" {
					t.Errorf("%s: %s assumes %s: cached %v %v, fresh %v %v", file, p.ID(), r.ID(),
						cached.Result, cached.Conditional(), fresh.Result, fresh.Conditional())
				}
			}
			if p.Kind == CI {
				continue
			}
			for _, c := range []actions.Class{actions.Read, actions.Write, actions.Admin} {
				a := Access{Class: c}
				cached, fresh := m.grant(p, a), m.computeGrant(p, a)
				if diff := cmp.Diff(fresh, cached); diff != "" {
					t.Errorf("%s: %s %s (-fresh +cached):\n%s", file, p.ID(), c, diff)
				}
			}
		}
	}
}
