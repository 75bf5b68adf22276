package layout

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestPasswordPolicyAndAlias: organization.password_policy and
// accounts.<a>.alias decode, and values IAM refuses are errors naming the
// field (ranges from the IAM API Reference, UpdateAccountPasswordPolicy and
// CreateAccountAlias).
func TestPasswordPolicyAndAlias(t *testing.T) {
	withPP := func(t *testing.T, pp string) string {
		return replace(t, base, "  email: \"aws+{account}@acme.example\"\n", "  email: \"aws+{account}@acme.example\"\n  password_policy: "+pp+"\n")
	}
	withAlias := func(t *testing.T, src, prod, dev string) string {
		s := replace(t, src, "protected: true}", "protected: true, alias: "+prod+"}")
		return replace(t, s, "kind: development}", "kind: development, alias: "+dev+"}")
	}
	tests := []struct {
		name string
		src  func(t *testing.T) string
		want []string
	}{
		{"valid", func(t *testing.T) string {
			return withAlias(t, withPP(t, "{minimum_length: 14, require_symbols: true, max_age_days: 90, reuse_prevention: 24, allow_users_to_change: true}"), "acme-prod", "acme-dev")
		}, []string{}},
		{"length too short", func(t *testing.T) string { return withPP(t, "{minimum_length: 5}") }, []string{"6:37 bad-value"}},
		{"reuse too large", func(t *testing.T) string { return withPP(t, "{reuse_prevention: 25}") }, []string{"6:39 bad-value"}},
		{"unknown key", func(t *testing.T) string { return withPP(t, "{min_length: 8}") }, []string{"6:21 unknown-field"}},
		{"bad alias", func(t *testing.T) string { return withAlias(t, base, "Acme_Prod", "acme-dev") }, []string{"10:80 bad-value"}},
		{"double hyphen", func(t *testing.T) string { return withAlias(t, base, "acme--prod", "acme-dev") }, []string{"10:80 bad-value"}},
		{"duplicate alias", func(t *testing.T) string { return withAlias(t, base, "acme", "acme") }, []string{"11:64 duplicate"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, ds := Parse("bulkhead.yaml", []byte(tt.src(t)), Options{ReadFile: readFS(testFS())})
			if diff := cmp.Diff(tt.want, briefs(ds)); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s\n%s", diff, ds.Err())
			}
			if tt.name == "valid" {
				pp := l.Organization.PasswordPolicy
				if pp == nil || pp.MinimumLength.Value != 14 || !pp.RequireSymbols.Value || pp.MaxAge.Value != 90 || pp.ReusePrevention.Value != 24 || !pp.AllowChange.Value {
					t.Errorf("password policy: %+v", pp)
				}
				if a := l.Account("prod"); a.Alias.Value != "acme-prod" {
					t.Errorf("prod alias %q", a.Alias.Value)
				}
			}
		})
	}
}
