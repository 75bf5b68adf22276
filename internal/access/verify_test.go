package access

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulkhead-dev/bulkhead/internal/layout"
)

func verifySummary(r *Report) []string {
	var out []string
	for _, inv := range r.Invariants {
		s := fmt.Sprintf("%s: holds=%v", inv.Invariant, inv.Holds)
		for _, v := range inv.Violations {
			s += fmt.Sprintf("; %s@%s %s via %s", v.Principal, v.Account, v.Result, strings.Join(v.Chain, ">"))
			if len(v.If) > 0 {
				s += " if " + strings.Join(v.If, " and ")
			}
		}
		out = append(out, s)
	}
	return out
}

func TestVerify(t *testing.T) {
	tests := []struct {
		file string
		want []string
	}{
		{startup, []string{
			"group:engineers cannot write kind:production: holds=true",
			"group:engineers cannot write kind:security: holds=true",
		}},
		{business, []string{
			"group:engineers cannot write kind:production: holds=true",
			"group:engineers cannot write kind:security: holds=true",
		}},
		{variants, []string{
			"group:engineers cannot write kind:production: holds=true",
			"group:ops cannot write kind:production: holds=false; user:carol@prod yes via user:carol>role:ops@shared-services>role:hop@prod",
			`group:oncall cannot admin kind:production: holds=false; user:dave@prod conditional via user:dave>role:oncall@prod if aws:MultiFactorAuthPresent Bool "true"`,
			"ci can write account:prod: holds=true",
			"only role:deployer, role:hop, role:oncall can write account:prod: holds=true",
			"only role:deployer can write account:prod: holds=false" +
				"; user:carol@prod yes via user:carol>role:ops@shared-services>role:hop@prod" +
				`; user:dave@prod conditional via user:dave>role:oncall@prod if aws:MultiFactorAuthPresent Bool "true"`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			l, _ := load(t, tt.file)
			rep, err := Verify(l, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, verifySummary(rep)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			wantOK := true
			for _, s := range tt.want {
				wantOK = wantOK && strings.Contains(s, "holds=true")
			}
			if rep.OK() != wantOK {
				t.Errorf("OK() = %v, want %v", rep.OK(), wantOK)
			}
		})
	}
}

// TestCanViolated checks that "can" invariants report what blocks them.
func TestVerifyCanBlocked(t *testing.T) {
	l, m := load(t, variants)
	inv := *l.Invariants[3] // ci can write account:prod
	inv.Access.Class = ""
	inv.Access.Action = "s3:PutObject"
	rep, err := m.Verify(append(l.Invariants[:0:0], &inv))
	if err != nil {
		t.Fatal(err)
	}
	if rep.OK() || len(rep.Invariants[0].Violations) != 1 {
		t.Fatalf("report = %+v, want one violation", rep)
	}
	v := rep.Invariants[0].Violations[0]
	if !strings.Contains(v.Reason, "SCPs at Workloads/Production") {
		t.Errorf("reason %q does not name the SCP level that blocks s3:PutObject", v.Reason)
	}
}

// TestVerifyRoleSubjects: "role:R can" speaks of R's instance in each
// target account; "role:R cannot" of every instance.
func TestVerifyRoleSubjects(t *testing.T) {
	_, m := load(t, variants)
	tests := []struct {
		invariant string
		want      string
	}{
		{"role:deployer can write kind:production", "role:deployer can write kind:production: holds=true"},
		{"role:deployer can write kind:staging", "role:deployer can write kind:staging: holds=true"},
		{"role:deployer can write kind:development", "role:deployer can write kind:development: holds=false; role:deployer@dev no via "},
		{"role:appeng cannot write kind:production", "role:appeng cannot write kind:production: holds=true"},
		{"role:ops cannot admin kind:production",
			"role:ops cannot admin kind:production: holds=false; role:ops@shared-services@prod yes via role:ops@shared-services>role:hop@prod"},
		{"developers cannot write kind:production", "developers cannot write kind:production: holds=true"},
		{"* cannot admin kind:security", "* cannot admin kind:security: holds=true"},
		{"ci cannot write unit:Nowhere", "ci cannot write unit:Nowhere: holds=true"},
		{"ci can write unit:Nowhere", "ci can write unit:Nowhere: holds=false; @unit:Nowhere no via "},
	}
	for _, tt := range tests {
		inv, err := layout.ParseInvariant(tt.invariant)
		if err != nil {
			t.Fatal(err)
		}
		inv.Source.Value = tt.invariant
		rep, err := m.Verify([]*layout.Invariant{&inv})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{tt.want}, verifySummary(rep)); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	}
}
