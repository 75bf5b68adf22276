package access

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulkhead-dev/bulkhead/internal/actions"
	"github.com/bulkhead-dev/bulkhead/internal/layout"
)

// load builds the model of a layout file; examples are loaded as shipped.
func load(t testing.TB, path string) (*layout.Layout, *Model) {
	t.Helper()
	l, ds, err := layout.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if ds.HasErrors() {
		t.Fatalf("%s: %v", path, ds)
	}
	m, err := Build(l, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return l, m
}

const (
	startup  = "../../examples/startup/bulkhead.yaml"
	business = "../../examples/business-units/bulkhead.yaml"
	variants = "testdata/variants/bulkhead.yaml"
)

// summary renders an answer compactly: the result, then per finding
// account=result via the chain (and the condition).
func summary(a *Answer) string {
	parts := []string{a.Result}
	for _, f := range a.Findings {
		s := f.Principal + "@" + f.Account + "=" + f.Result
		if len(f.Chain) > 0 {
			s += " via " + strings.Join(f.Chain, ">")
		}
		if len(f.If) > 0 {
			s += " if " + strings.Join(f.If, " and ")
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}

func TestCan(t *testing.T) {
	tests := []struct {
		file, principal, access, target string
		want                            string
	}{
		// Engineers cannot write production: appeng is read-only there.
		{startup, "group:engineers", "write", "kind:production",
			"no; user:alice@prod=no; user:bob@prod=no"},
		{startup, "group:engineers", "read", "account:prod",
			"yes; user:alice@prod=yes via user:alice>role:appeng@prod; user:bob@prod=yes via user:bob>role:appeng@prod"},
		// alice writes dev through appeng.
		{startup, "user:alice", "write", "account:dev",
			"yes; user:alice@dev=yes via user:alice>role:appeng@dev"},
		{startup, "user:alice", "admin", "account:sandbox-bob",
			"yes; user:alice@sandbox-bob=yes via user:alice>role:appeng@sandbox-bob"},
		// Staging's appeng may create roles (admin), but KeepTheData denies
		// deleting tables.
		{startup, "user:alice", "iam:CreateRole", "account:preprod",
			"yes; user:alice@preprod=yes via user:alice>role:appeng@preprod"},
		{startup, "user:alice", "dynamodb:DeleteTable", "account:qa",
			"no; user:alice@qa=no"},
		{startup, "user:alice", "write", "account:security", "no; user:alice@security=no"},
		// The CI principal writes prod through deployer; people cannot.
		{startup, "ci", "write", "account:prod", "yes; ci@prod=yes via ci>role:deployer@prod"},
		{startup, "ci", "write", "account:dev", "no; ci@dev=no"},
		{startup, "role:deployer", "write", "kind:production", "yes; role:deployer@prod@prod=yes via role:deployer@prod"},
		{business, "group:engineers", "write", "kind:production",
			"no; user:alice@retail-prod=no; user:alice@bi-prod=no; user:bob@retail-prod=no; user:bob@bi-prod=no"},
		{business, "ci", "write", "kind:production",
			"yes; ci@retail-prod=yes via ci>role:deployer@retail-prod; ci@bi-prod=yes via ci>role:deployer@bi-prod"},
		{business, "user:bob", "write", "account:bi-dev", "yes; user:bob@bi-dev=yes via user:bob>role:appeng@bi-dev"},
		// An SCP denying s3:PutObject in production blocks it for the CI
		// principal, which may still write other things there.
		{variants, "ci", "s3:PutObject", "account:prod", "no; ci@prod=no"},
		{variants, "ci", "s3:PutObject", "account:preprod", "yes; ci@preprod=yes via ci>role:deployer@preprod"},
		// A chain of two roles: carol -> ops (shared) -> hop (prod).
		{variants, "user:carol", "admin", "account:prod",
			"yes; user:carol@prod=yes via user:carol>role:ops@shared-services>role:hop@prod"},
		{variants, "user:carol", "write", "account:shared-services", "no; user:carol@shared-services=no"},
		// MFA in the trust policy: only if aws:MultiFactorAuthPresent.
		{variants, "user:dave", "write", "account:prod",
			`conditional; user:dave@prod=conditional via user:dave>role:oncall@prod if aws:MultiFactorAuthPresent Bool "true"`},
		// PowerUserAccess has no IAM.
		{variants, "user:dave", "iam:CreateRole", "account:prod", "no; user:dave@prod=no"},
	}
	models := map[string]*Model{}
	for _, tt := range tests {
		t.Run(tt.principal+" "+tt.access+" "+tt.target, func(t *testing.T) {
			m := models[tt.file]
			if m == nil {
				_, m = load(t, tt.file)
				models[tt.file] = m
			}
			a, err := ParseAccess(tt.access)
			if err != nil {
				t.Fatal(err)
			}
			tg, err := ParseTarget(tt.target)
			if err != nil {
				t.Fatal(err)
			}
			ans, err := m.Can(tt.principal, a, tg)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, summary(ans)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestUserTrust: a role trusted by one person by name is reachable by that
// person (the trust names the user, the user's policy allows the call) and
// by nobody else; the invariant about the person's group then breaks.
func TestUserTrust(t *testing.T) {
	src, err := os.ReadFile(startup)
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Replace(string(src), "  deployer:\n", "  breakglass:\n    trust: [user:alice]\n    policies:\n      production: AdministratorAccess\n  deployer:\n", 1)
	l := parse(t, filepath.Dir(startup), s)
	m, err := Build(l, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ principal, want string }{
		{"user:alice", "yes; user:alice@prod=yes via user:alice>role:breakglass@prod"},
		{"user:bob", "no; user:bob@prod=no"},
	} {
		ans, err := m.Can(tt.principal, Access{Class: actions.Admin}, Target{Kind: layout.TargetAccount, Name: "prod"})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tt.want, summary(ans)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.principal, diff)
		}
	}
	rep, err := m.Verify(l.Invariants)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"group:engineers cannot write kind:production: holds=false; user:alice@prod yes via user:alice>role:breakglass@prod",
		"group:engineers cannot write kind:security: holds=true",
	}
	if diff := cmp.Diff(want, verifySummary(rep)); diff != "" {
		t.Errorf("verify (-want +got):\n%s", diff)
	}
}
