package access

import (
	"testing"

	"github.com/bulkhead-dev/bulkhead/internal/layout"
	"github.com/bulkhead-dev/bulkhead/internal/policy"
)

// TestDocumentsParse checks that every document apply will create is a
// valid policy of its kind, without warnings, for every role and group of
// the layouts, and that the trust statements name what the layout says.
func TestDocumentsParse(t *testing.T) {
	for _, file := range []string{startup, business, variants} {
		l, m := load(t, file)
		ids := func(n string) string { return m.byName[n].ID }
		check := func(what string, doc []byte, kind policy.Kind) *policy.Policy {
			p, ds := policy.Parse(doc, policy.ParseOptions{File: what, Kind: kind})
			if len(ds) > 0 || p == nil {
				t.Errorf("%s: %s: %v\n%s", file, what, ds, doc)
			}
			return p
		}
		for _, r := range l.Roles {
			p := check("trust of "+r.Name.Value, TrustDocument(r, "123456789012", m.identity.ID, l.CI, ids), policy.Trust)
			if p == nil {
				continue
			}
			if len(p.Statements) != len(r.Trust) {
				t.Errorf("%s: trust of %s has %d statements for %d trust entries", file, r.Name.Value, len(p.Statements), len(r.Trust))
			}
			for i, st := range p.Statements {
				if i >= len(r.Trust) {
					break
				}
				mfa := false
				for _, c := range st.Conditions {
					mfa = mfa || c.Key == "aws:MultiFactorAuthPresent"
				}
				wantMFA := r.MFA.Value && (r.Trust[i].Kind == layout.TrustGroup || r.Trust[i].Kind == layout.TrustUser)
				if mfa != wantMFA {
					t.Errorf("%s: trust of %s statement %d: MFA condition %v, want %v", file, r.Name.Value, i, mfa, wantMFA)
				}
			}
		}
		for _, g := range l.Groups {
			if doc := GroupDocument(l, g.Name.Value); doc != nil {
				check("group "+g.Name.Value, doc, policy.Identity)
			}
		}
		check("access role trust", AccessRoleTrustDocument(m.mgmt.ID), policy.Trust)
	}
}

func TestParseErrors(t *testing.T) {
	_, m := load(t, startup)
	for _, s := range []string{"alice", "user:", "user:nobody", "group:nobody", "role:nobody", "role:appeng@nowhere", "thing:x"} {
		if _, err := m.ParsePrincipal(s); err == nil {
			t.Errorf("ParsePrincipal(%q): no error", s)
		}
	}
	for _, s := range []string{"", "writ", "s3", ":x", "*:PutObject"} {
		if _, err := ParseAccess(s); err == nil {
			t.Errorf("ParseAccess(%q): no error", s)
		}
	}
	for _, s := range []string{"", "prod", "account:", "place:prod"} {
		if _, err := ParseTarget(s); err == nil {
			t.Errorf("ParseTarget(%q): no error", s)
		}
	}
	for _, tg := range []Target{{Kind: layout.TargetAccount, Name: "prd"}, {Kind: layout.TargetOfKind, Name: "prod"}, {Kind: layout.TargetUnit, Name: "Nowhere"}} {
		if _, err := m.AccountsOf(tg); err == nil {
			t.Errorf("AccountsOf(%s): no error", tg)
		}
	}
	accts, err := m.AccountsOf(Target{Kind: layout.TargetUnit, Name: "Workloads"})
	if err != nil || len(accts) != 4 {
		t.Errorf("AccountsOf(unit:Workloads) = %d accounts, %v; want prod, preprod, qa, dev", len(accts), err)
	}
}
