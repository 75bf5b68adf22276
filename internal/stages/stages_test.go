package stages

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/bulkhead-dev/bulkhead/internal/diag"
	"github.com/bulkhead-dev/bulkhead/internal/layout"
)

const src = `version: 1
organization:
  name: acme
  management: {account: management, email: aws@acme.example}
  email: "aws+{account}@acme.example"
units: [Workloads/Production, Workloads/Staging, Workloads/Development, Sandbox]
accounts:
  management: {kind: management}
  prod: {unit: Workloads/Production, kind: production}
  preprod: {unit: Workloads/Staging, kind: staging}
  qa: {unit: Workloads/Staging, kind: staging}
  qa-eu: {unit: Workloads/Staging, kind: staging}
  dev: {unit: Workloads/Development, kind: development}
  sandbox-{developer}: {for_each: developers, unit: Sandbox, kind: sandbox}
developers: [alice, bob]
groups: {engineers: [alice, bob]}
stages:
  - {match: prod, account: prod, role: deployer, guard: ci}
  - {match: [preprod, qa], account: "{stage}", role: appeng, guard: confirm}
  - {match: ["feature-*", "hotfix-*", "pr-?"], account: dev, role: appeng}
  - {match: "sandbox-{developer}", account: "sandbox-{developer}", role: appeng}
  - {match: "qa-*", account: "{stage}"}
ci:
  github: {repository: acme/app}
roles:
  appeng: {trust: [group:engineers], policies: {development: PowerUserAccess, staging: ReadOnlyAccess, sandbox: AdministratorAccess}}
  deployer: {trust: [ci], policies: {production: PowerUserAccess}}
`

func load(t testing.TB, s string) *layout.Layout {
	t.Helper()
	l, ds := layout.Parse("bulkhead.yaml", []byte(s), layout.Options{})
	if ds.HasErrors() {
		t.Fatalf("layout: %s", ds.Err())
	}
	return l
}

func TestResolve(t *testing.T) {
	l := load(t, src)
	tests := []struct {
		stage string
		want  Resolution
	}{
		{"prod", Resolution{Account: "prod", Role: "deployer", Guard: layout.GuardCI, Rule: 1, Pattern: "prod"}},
		{"qa", Resolution{Account: "qa", Role: "appeng", Guard: layout.GuardConfirm, Rule: 2, Pattern: "qa"}},
		{"preprod", Resolution{Account: "preprod", Role: "appeng", Guard: layout.GuardConfirm, Rule: 2, Pattern: "preprod"}},
		{"feature-login", Resolution{Account: "dev", Role: "appeng", Guard: layout.GuardNone, Rule: 3, Pattern: "feature-*"}},
		{"feature-", Resolution{Account: "dev", Role: "appeng", Guard: layout.GuardNone, Rule: 3, Pattern: "feature-*"}},
		{"pr-7", Resolution{Account: "dev", Role: "appeng", Guard: layout.GuardNone, Rule: 3, Pattern: "pr-?"}},
		{"sandbox-bob", Resolution{Account: "sandbox-bob", Role: "appeng", Guard: layout.GuardNone, Rule: 4, Pattern: "sandbox-{developer}",
			Bindings: map[string]string{"developer": "bob"}}},
		{"qa-eu", Resolution{Account: "qa-eu", Guard: layout.GuardNone, Rule: 5, Pattern: "qa-*"}},
	}
	for _, tt := range tests {
		t.Run(tt.stage, func(t *testing.T) {
			got, err := Resolve(l, tt.stage)
			if err != nil {
				t.Fatal(err)
			}
			want := tt.want
			want.Stage = tt.stage
			if want.Bindings == nil {
				want.Bindings = map[string]string{}
			}
			want.Bindings["stage"] = tt.stage
			if diff := cmp.Diff(want, *got, cmpopts.IgnoreFields(Resolution{}, "RulePos")); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if got.RulePos.Line != 17+got.Rule {
				t.Errorf("rule position %v, want line %d", got.RulePos, 17+got.Rule)
			}
		})
	}
}

func TestResolveFailures(t *testing.T) {
	l := load(t, src)
	tests := []struct {
		stage   string
		nearest []string // patterns of the nearest rules
		errText string
	}{
		{stage: "featur-login", nearest: []string{"feature-*"}},
		{stage: "sandbox-carol", nearest: []string{"sandbox-{developer}"}},
		{stage: "pr-12", nearest: []string{"pr-?"}},
		{stage: "prod-eu", nearest: []string{"prod"}},
		{stage: "zzzzzzzzzzzzzzzzzzzz", nearest: []string{"qa-*"}},
		{stage: "qa-us", errText: `bulkhead.yaml:22:6: stage rule 5 routes "qa-us" to account "qa-us", which is not in the layout`},
		{stage: "", errText: "empty stage name"},
	}
	for _, tt := range tests {
		t.Run(tt.stage, func(t *testing.T) {
			_, err := Resolve(l, tt.stage)
			if err == nil {
				t.Fatal("no error")
			}
			if tt.errText != "" {
				if err.Error() != tt.errText {
					t.Errorf("error %q, want %q", err, tt.errText)
				}
				return
			}
			var nm *NoMatchError
			if !errors.As(err, &nm) {
				t.Fatalf("err = %v, want *NoMatchError", err)
			}
			var got []string
			for _, c := range nm.Nearest {
				got = append(got, c.Pattern)
			}
			if diff := cmp.Diff(tt.nearest, got); diff != "" {
				t.Errorf("nearest (-want +got):\n%s\n%s", diff, err)
			}
		})
	}
}

func TestResolveRefusesManagement(t *testing.T) {
	// Validation reports literal routes to the management account; a
	// wildcard {stage} rule can only be refused when resolving.
	l := load(t, src)
	l.Stages[4].Match[0].Value = "manage*"
	_, err := Resolve(l, "management")
	if err == nil || !errors.Is(err, err) || err.Error() != `bulkhead.yaml:22:6: stage rule 5 routes "management" to the management account "management"; bulkhead never deploys there` {
		t.Errorf("err = %v", err)
	}
}

func TestList(t *testing.T) {
	l := load(t, src)
	got := List(l)
	want := []Route{
		{Rule: 1, Match: []string{"prod"}, Account: "prod", Role: "deployer", Guard: layout.GuardCI, Accounts: []string{"prod"}},
		{Rule: 2, Match: []string{"preprod", "qa"}, Account: "{stage}", Role: "appeng", Guard: layout.GuardConfirm, Accounts: []string{"preprod", "qa"}},
		{Rule: 3, Match: []string{"feature-*", "hotfix-*", "pr-?"}, Account: "dev", Role: "appeng", Guard: layout.GuardNone, Accounts: []string{"dev"}},
		{Rule: 4, Match: []string{"sandbox-{developer}"}, Account: "sandbox-{developer}", Role: "appeng", Guard: layout.GuardNone,
			Accounts: []string{"sandbox-alice", "sandbox-bob"}},
		{Rule: 5, Match: []string{"qa-*"}, Account: "{stage}", Guard: layout.GuardNone, Accounts: []string{"qa-eu"}, Open: true},
	}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(Route{}, "Pos")); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if got[0].Pos != (diag.Pos{File: "bulkhead.yaml", Line: 18, Col: 6}) {
		t.Errorf("pos = %v", got[0].Pos)
	}
}

func TestGlobDistance(t *testing.T) {
	tests := []struct {
		glob, s string
		want    int
	}{
		{"feature-*", "feature-login", 0},
		{"feature-*", "featur-login", 1},
		{"pr-?", "pr-1", 0},
		{"pr-?", "pr-12", 1},
		{"prod", "prod", 0},
		{"prod", "prd", 1},
		{"*", "anything", 0},
		{"", "abc", 3},
	}
	for _, tt := range tests {
		if got := globDistance(tt.glob, tt.s); got != tt.want {
			t.Errorf("globDistance(%q, %q) = %d, want %d", tt.glob, tt.s, got, tt.want)
		}
	}
}
