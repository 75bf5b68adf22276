package layout

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestBaseIsValid(t *testing.T) {
	l, ds := parseString(t, replace(t, base, "management: {kind: management}", "management: {kind: management, unit: root}"))
	if len(ds) > 0 {
		t.Fatalf("base layout has problems:\n%s", ds.Err())
	}
	if got, want := l.AccountNames(), []string{"management", "security", "prod", "dev", "sandbox-alice", "sandbox-bob"}; !cmp.Equal(got, want) {
		t.Errorf("accounts: %s", cmp.Diff(want, got))
	}
	sb := l.Account("sandbox-bob")
	if sb.EffectiveEmail != "aws+sandbox-bob@acme.example" || sb.Owner.Value != "bob" || sb.Developer != "bob" || sb.Template != "sandbox-{developer}" {
		t.Errorf("sandbox-bob = %+v", sb)
	}
	if sb.Name.Pos.Line != 12 || sb.Name.Pos.Col != 3 {
		t.Errorf("generated account keeps the template's position, got %v", sb.Name.Pos)
	}
	if got := l.Account("management").Unit.Value; got != "" {
		t.Errorf("management unit = %q, want the root", got)
	}
	if got := l.Account("management").EffectiveEmail; got != "aws@acme.example" {
		t.Errorf("management email = %q, want the organization's management email", got)
	}
	if got, want := l.UnitPaths(), []string{"Sandbox", "Security", "Workloads", "Workloads/Development", "Workloads/Production"}; !cmp.Equal(got, want) {
		t.Errorf("units: %s", cmp.Diff(want, got))
	}
	if u := l.Unit("Workloads"); u.Declared || u.Depth != 1 || l.Unit("Workloads/Production").Parent != "Workloads" {
		t.Errorf("implied unit: %+v", u)
	}
	if l.Organization.Limits.SCPsPerTarget.Value != 5 || l.Organization.Region.Value != "us-east-1" ||
		l.Organization.AccessRole.Value != "OrganizationAccountAccessRole" || l.Organization.IdentityAccount.Value != "management" {
		t.Errorf("defaults not applied: %+v", l.Organization)
	}
	if p := l.Policy("guardrails"); p.Document == nil || p.Document.Policy == nil || p.Document.Content == "" {
		t.Errorf("guardrails document not loaded: %+v", p.Document)
	}
	if len(l.Invariants) != 1 || l.Invariants[0].Target.Name != "production" {
		t.Errorf("invariants: %+v", l.Invariants)
	}
}

// TestDecodeErrors checks that each malformed input is reported at its
// position with the right code, and that all problems come at once.
func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
		// contains is a substring of the first diagnostic's summary.
		contains string
	}{
		{"unknown field with suggestion", replace(t, base, "  prod: {unit:", "  prod: {unti: Workloads/Production, kind: production}\n  prod2: {unit:"),
			[]string{"10:10 unknown-field"}, `unknown field "unti" (did you mean "unit"?)`},
		{"unknown top-level field", base + "acounts: {}\n", []string{"33:1 unknown-field"}, `did you mean "accounts"`},
		{"wrong type: list for mapping", replace(t, base, "protected: true", "protected: [true]"), []string{"10:67 wrong-type"}, "must be true or false, not a list"},
		{"wrong type: string for bool", replace(t, base, "protected: true", "protected: yes please"), []string{"10:67 wrong-type"}, "not a string"},
		{"wrong type: bool for string", replace(t, base, "owner: \"{developer}\"", "owner: true"), []string{"12:84 wrong-type"}, "must be a string, not a boolean"},
		{"unquoted placeholder", replace(t, base, `account: "sandbox-{developer}"`, `account: {developer}`),
			[]string{"19:46 wrong-type"}, "must be a string, not a mapping"},
		{"duplicate key in a mapping", replace(t, base, "  name: acme\n", "  name: acme\n  name: acme2\n"), []string{"4:3 duplicate-key"}, `duplicate key "name" (first at 3:3)`},
		{"duplicate account", replace(t, base, "  dev: {unit", "  dev: {kind: development}\n  dev: {unit"), []string{"12:3 duplicate-key"}, `duplicate account "dev"`},
		{"bad enum", replace(t, base, "guard: ci", "guard: cii"), []string{"17:57 bad-value"}, `"cii" is not one of ci, confirm, none (did you mean "ci"?)`},
		{"missing kind", replace(t, base, "  dev: {unit: Workloads/Development, kind: development}", "  dev: {unit: Workloads/Development}"), []string{"11:9 missing-field"}, `missing required field "kind"`},
		{"missing organization and accounts", "version: 1\n", []string{"1:1 missing-field", "1:1 missing-field"}, ""},
		{"missing stage account", replace(t, base, "{match: prod, account: prod, role: deployer, guard: ci}", "{match: prod}"), []string{"17:6 missing-field"}, `missing required field "account"`},
		{"version 2", replace(t, base, "version: 1", "version: 2"), []string{"1:10 bad-value"}, "version 2 is not supported"},
		{"tabs", replace(t, base, "  name: acme", "\tname: acme"), []string{"3:1 yaml-syntax"}, "YAML syntax"},
		{"binary junk", "\x00\x01\xff\xfe{[}]:::&&**", []string{"1:1 wrong-type"}, "not a string"},
		{"not a mapping", "- a\n- b\n", []string{"1:1 wrong-type"}, "must be a YAML mapping"},
		{"empty", "", []string{"0:0 empty"}, "empty"},
		{"comments only", "# nothing\n", []string{"0:0 empty"}, "empty"},
		{"two documents", base + "---\nversion: 1\n", []string{"33:1 yaml-syntax"}, "more than one YAML document"},
		{"unknown alias", "version: 1\norganization: *org\n", []string{"1:1 missing-field", "2:15 yaml-syntax"}, ""},
		{"both file and document", replace(t, base, "file: policies/guardrails.json", "file: policies/guardrails.json, document: {Version: x}"),
			[]string{"30:70 bad-value"}, "both file and document"},
		{"ci needs one of github or role", replace(t, base, "  github: {repository: acme/app}", "  github: {repository: acme/app}\n  role: {account: dev, name: ci}"),
			[]string{"21:3 bad-value"}, "exactly one of github or role"},
		{"max_session out of range", replace(t, base, "    trust: [ci]", "    trust: [ci]\n    max_session: 13h"), []string{"28:18 bad-value"}, "outside 1h..12h"},
		{"silence without reason", base + "lint:\n  silence:\n    some-rule:\n", []string{"35:5 missing-field"}, "needs a reason"},
		{"several problems at once", replace(t, replace(t, base, "kind: security", "kind: securty"), "name: acme", "nme: acme"),
			[]string{"3:3 unknown-field", "9:36 bad-value"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, ds := parseString(t, tt.src)
			got := briefs(ds)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s\n%s", diff, ds.Err())
			}
			if tt.contains != "" && (len(ds) == 0 || !strings.Contains(ds[0].Summary, tt.contains)) {
				t.Errorf("first summary does not contain %q:\n%s", tt.contains, ds.Err())
			}
		})
	}
}

func TestByteOrderMarkAndCRLF(t *testing.T) {
	for name, src := range map[string]string{
		"BOM":  "\xef\xbb\xbf" + base,
		"CRLF": strings.ReplaceAll(base, "\n", "\r\n"),
	} {
		if _, ds := parseString(t, src); len(ds) > 0 {
			t.Errorf("%s: %s", name, ds.Err())
		}
	}
}

func TestPolicyRefClassification(t *testing.T) {
	tests := map[string]bool{
		"ReadOnlyAccess":                                   false,
		"job-function/ViewOnlyAccess":                      false,
		"service-role/AWSBackupServiceRolePolicyForBackup": false,
		"policies/deploy.json":                             true,
		"deploy.json":                                      true,
		"policies/deploy":                                  true,
		"job-function/custom.json":                         true,
	}
	for v, want := range tests {
		if got := newPolicyRef(Field[string]{Value: v}).IsFile; got != want {
			t.Errorf("%q: IsFile = %v, want %v", v, got, want)
		}
	}
}

// TestMisspeltRequiredFieldReportedOnce: a typo in a required field's name
// is one problem, not an unknown field plus a missing one.
func TestMisspeltRequiredFieldReportedOnce(t *testing.T) {
	_, ds := parseString(t, replace(t, base, "account: dev, role: appeng", "acount: dev, role: appeng"))
	var codes []string
	for _, d := range ds {
		if d.Severity == "error" {
			codes = append(codes, d.Code+": "+d.Summary)
		}
	}
	want := []string{`unknown-field: unknown field "acount" (did you mean "account"?)`}
	if diff := cmp.Diff(want, codes); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
}
