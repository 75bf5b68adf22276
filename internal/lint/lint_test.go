package lint

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulkhead-dev/bulkhead/internal/diag"
	"github.com/bulkhead-dev/bulkhead/internal/layout"
)

// sectionOrder is the order base sections are written in; a case replaces
// whole sections by name.
var sectionOrder = []string{"organization", "units", "accounts", "developers", "people", "groups", "stages", "ci", "policies", "lint"}

// base is a clean layout following the playbook: no rule finds anything in
// it. Each case below breaks (or keeps) it one section at a time.
var base = map[string]string{
	"organization": `organization:
  name: acme
  management: {account: management, email: aws@acme.example}
  email: "aws+{account}@acme.example"
`,
	"units": `units: [Workloads/Production, Workloads/Staging, Workloads/Development, Sandbox]
`,
	"accounts": `accounts:
  management: {kind: management}
  prod: {unit: Workloads/Production, kind: production, protected: true}
  preprod: {unit: Workloads/Staging, kind: staging}
  qa: {unit: Workloads/Staging, kind: staging}
  dev: {unit: Workloads/Development, kind: development}
  "sandbox-{developer}": {for_each: developers, unit: Sandbox, kind: sandbox, owner: "{developer}"}
`,
	"developers": `developers: [alice, bob]
`,
	"groups": `groups:
  engineers: [alice, bob]
`,
	"stages": `stages:
  - {match: prod, account: prod, guard: ci}
  - {match: [preprod, qa], account: "{stage}", guard: confirm}
  - {match: ["feature-*", "hotfix-*"], account: dev}
  - {match: "sandbox-{developer}", account: "sandbox-{developer}"}
`,
	"ci": `ci: {github: {repository: acme/app}}
`,
	"policies": `policies:
  guardrails:
    type: scp
    document: {Version: "2012-10-17", Statement: [{Effect: Deny, Action: "organizations:LeaveOrganization", Resource: "*"}]}
    attach: [Workloads, Sandbox]
`,
}

// build writes the base layout with some sections replaced ("" removes one).
func build(over map[string]string) string {
	var b strings.Builder
	b.WriteString("version: 1\n")
	for _, s := range sectionOrder {
		text, ok := over[s]
		if !ok {
			text = base[s]
		}
		b.WriteString(text)
	}
	return b.String()
}

// load parses a layout and fails the test on any validation error except
// those with the allowed codes: lint cases must be valid layouts, or they
// test the validator instead. Some rules cover what validation also rejects
// (a person in 11 groups, a reasonless silence); their cases allow it.
func load(t *testing.T, src string, allow ...string) *layout.Layout {
	t.Helper()
	l, ds := layout.Parse("bulkhead.yaml", []byte(src), layout.Options{})
	var errs diag.Diagnostics
	for _, d := range ds {
		if d.Severity == diag.Error && !slices.Contains(allow, d.Code) {
			errs = append(errs, d)
		}
	}
	if len(errs) > 0 || l == nil {
		t.Fatalf("layout does not validate:\n%s\n--- layout:\n%s", diag.ErrorList(errs), numbered(src))
	}
	return l
}

func numbered(src string) string {
	var b strings.Builder
	for i, l := range strings.Split(src, "\n") {
		fmt.Fprintf(&b, "%3d  %s\n", i+1, l)
	}
	return b.String()
}

// render is a finding as the tests compare it.
func render(f Finding) string {
	return fmt.Sprintf("%d:%d %s %s: %s", f.Pos.Line, f.Pos.Col, f.Severity, f.Code, f.Summary)
}

func renderAll(fs []Finding) []string {
	out := []string{}
	for _, f := range fs {
		out = append(out, render(f))
	}
	return out
}

func TestBaseIsClean(t *testing.T) {
	rep := Check(load(t, build(nil)))
	if diff := cmp.Diff([]string{}, renderAll(rep.Findings)); diff != "" {
		t.Errorf("the base layout has findings (-want +got):\n%s", diff)
	}
}

// ruleCase is one row of a rule's table: a layout (base with sections
// replaced) and the findings of that rule in it.
type ruleCase struct {
	name string
	over map[string]string
	want []string // "LINE:COL severity rule: summary"
	// allow are validation error codes the case's layout may have.
	allow []string
}

// ruleCases are, per rule, layouts that trigger it and layouts that do not.
// TestRules also checks that silencing the rule hides every finding.
var ruleCases = map[string][]ruleCase{
	"management-workloads": {
		{name: "production at the root", over: map[string]string{"accounts": `accounts:
  management: {kind: management}
  prod: {kind: production, protected: true}
  preprod: {unit: Workloads/Staging, kind: staging}
  qa: {unit: Workloads/Staging, kind: staging}
  dev: {unit: Workloads/Development, kind: development}
  "sandbox-{developer}": {for_each: developers, unit: Sandbox, kind: sandbox, owner: "{developer}"}
`, "policies": strings.Replace(base["policies"], "[Workloads, Sandbox]", "[root]", 1)},
			want: []string{`9:3 error management-workloads: production account "prod" sits at the root, beside the management account`}},
		{name: "a stage routed to the management account", allow: []string{"stage-management"},
			over: map[string]string{"stages": base["stages"] + "  - {match: \"ops-*\", account: management}\n"},
			want: []string{`22:13 error management-workloads: stage "ops-*" deploys to the management account "management"`}},
		{name: "shared account at the root is fine", over: map[string]string{"accounts": base["accounts"] + "  tools: {kind: shared}\n"}},
	},
	"production-shared-account": {
		{name: "qa in production", over: map[string]string{"stages": `stages:
  - {match: [prod, qa], account: prod, guard: ci}
  - {match: ["feature-*"], account: dev}
  - {match: "sandbox-{developer}", account: "sandbox-{developer}"}
`}, want: []string{`18:20 error production-shared-account: non-production stage "qa" deploys to production account "prod"`}},
		{name: "hotfixes to production", over: map[string]string{"stages": `stages:
  - {match: [prod, "hotfix-*"], account: prod, guard: ci}
  - {match: [preprod, qa], account: "{stage}", guard: confirm}
`}, want: []string{`18:20 error production-shared-account: stage pattern "hotfix-*" sends every stage it matches to production account "prod"`}},
		{name: "production aliases are fine", over: map[string]string{"stages": `stages:
  - {match: [prod, production, live], account: prod, guard: ci}
`}},
		{name: "a stage shadowed by an earlier rule is not a route", over: map[string]string{"stages": `stages:
  - {match: [qa], account: qa, guard: confirm}
  - {match: [prod, qa], account: prod, guard: ci}
`}},
	},
	"staging-shared-account": {
		{name: "two stages one account", over: map[string]string{"stages": `stages:
  - {match: prod, account: prod, guard: ci}
  - {match: [preprod, qa], account: preprod, guard: confirm}
`}, want: []string{`19:23 warning staging-shared-account: stages "preprod" and "qa" share staging account "preprod"`}},
		{name: "a glob into staging", over: map[string]string{"stages": `stages:
  - {match: prod, account: prod, guard: ci}
  - {match: "qa-*", account: qa, guard: confirm}
`}, want: []string{`19:13 warning staging-shared-account: stage pattern "qa-*" sends every stage it matches to staging account "qa"`}},
		{name: "one account per stage", over: map[string]string{"stages": `stages:
  - {match: prod, account: prod, guard: ci}
  - {match: preprod, account: preprod}
  - {match: qa, account: qa}
`}},
	},
	"developer-without-sandbox": {
		{name: "no template", over: map[string]string{"accounts": `accounts:
  management: {kind: management}
  prod: {unit: Workloads/Production, kind: production, protected: true}
  preprod: {unit: Workloads/Staging, kind: staging}
  qa: {unit: Workloads/Staging, kind: staging}
  dev: {unit: Workloads/Development, kind: development}
  sandbox-alice: {unit: Sandbox, kind: sandbox, owner: alice}
`, "stages": `stages:
  - {match: prod, account: prod, guard: ci}
`}, want: []string{`14:21 warning developer-without-sandbox: developer "bob" has no sandbox account`}},
		{name: "owned sandboxes count", over: map[string]string{"accounts": `accounts:
  management: {kind: management}
  prod: {unit: Workloads/Production, kind: production, protected: true}
  play-a: {unit: Sandbox, kind: sandbox, owner: alice}
  play-b: {unit: Sandbox, kind: sandbox, owner: bob}
`, "stages": `stages:
  - {match: prod, account: prod, guard: ci}
`}},
	},
	"management-email-person": {
		{name: "firstname.lastname", over: map[string]string{"organization": strings.Replace(base["organization"], "aws@acme.example", "jane.doe@acme.example", 1)},
			want: []string{`4:44 warning management-email-person: the management account's email jane.doe@acme.example looks like a person's: it has the shape firstname.lastname`}},
		{name: "a developer", over: map[string]string{"organization": strings.Replace(base["organization"], "aws@acme.example", "alice+org@acme.example", 1)},
			want: []string{`4:44 warning management-email-person: the management account's email alice+org@acme.example looks like a person's: its local part is the name of "alice"`}},
		{name: "a personal mailbox", over: map[string]string{"organization": strings.Replace(base["organization"], "aws@acme.example", "acme.aws@gmail.com", 1)},
			want: []string{`4:44 warning management-email-person: the management account's email acme.aws@gmail.com looks like a person's: gmail.com is a personal mailbox provider`}},
		{name: "someone in people", over: map[string]string{
			"organization": strings.Replace(base["organization"], "aws@acme.example", "boss@acme.example", 1),
			"people":       "people:\n  carol: {email: boss@acme.example}\n"},
			want: []string{`4:44 warning management-email-person: the management account's email boss@acme.example looks like a person's: it is the email of "carol" under people`}},
		{name: "role words", over: map[string]string{"organization": strings.Replace(base["organization"], "aws@acme.example", "cloud.admin@acme.example", 1)}},
		{name: "plus addressing", over: map[string]string{"organization": strings.Replace(base["organization"], "aws@acme.example", "it+root@acme.example", 1)}},
	},
	"guardrails-missing": {
		{name: "sandboxes uncovered", over: map[string]string{"policies": strings.Replace(base["policies"], "[Workloads, Sandbox]", "[Workloads]", 1)},
			want: []string{`13:3 warning guardrails-missing: no SCP covers sandbox accounts "sandbox-{developer}" (sandbox-alice, sandbox-bob) in unit Sandbox`}},
		{name: "no policy at all", over: map[string]string{"policies": ""},
			want: []string{
				`9:3 warning guardrails-missing: no SCP covers production account "prod" in unit Workloads/Production`,
				`10:3 warning guardrails-missing: no SCP covers staging account "preprod" in unit Workloads/Staging`,
				`11:3 warning guardrails-missing: no SCP covers staging account "qa" in unit Workloads/Staging`,
				`12:3 warning guardrails-missing: no SCP covers development account "dev" in unit Workloads/Development`,
				`13:3 warning guardrails-missing: no SCP covers sandbox accounts "sandbox-{developer}" (sandbox-alice, sandbox-bob) in unit Sandbox`,
			}},
		{name: "root and accounts count", over: map[string]string{"policies": strings.Replace(base["policies"], "[Workloads, Sandbox]", "[root]", 1)}},
		{name: "a tag policy is no guardrail", over: map[string]string{"policies": `policies:
  guardrails:
    type: scp
    document: {Version: "2012-10-17", Statement: [{Effect: Deny, Action: "organizations:LeaveOrganization", Resource: "*"}]}
    attach: [Workloads/Production, Workloads/Staging, Workloads/Development, dev]
  tags:
    type: tag
    document: {tags: {team: {tag_key: {"@@assign": team}}}}
    attach: [Sandbox]
`}, want: []string{`13:3 warning guardrails-missing: no SCP covers sandbox accounts "sandbox-{developer}" (sandbox-alice, sandbox-bob) in unit Sandbox`}},
	},
	"person-group-limit": {
		{name: "eleven groups", allow: []string{"too-many-groups"}, over: map[string]string{"groups": "groups:\n" + groups(11, "alice")},
			want: []string{`26:9 error person-group-limit: "alice" is in more than 10 groups (g01, g02, g03, ...); IAM allows 10 per user`}},
		{name: "ten groups", over: map[string]string{"groups": "groups:\n" + groups(10, "alice") + "  g99: [bob]\n"}},
	},
	"production-stage-guard": {
		{name: "no guard", over: map[string]string{"stages": strings.Replace(base["stages"], "{match: prod, account: prod, guard: ci}", "{match: prod, account: prod}", 1)},
			want: []string{`18:6 error production-stage-guard: stage "prod" deploys to production account "prod" without a guard`}},
		{name: "guard none", over: map[string]string{"stages": strings.Replace(base["stages"], "guard: ci", "guard: none", 1)},
			want: []string{`18:41 error production-stage-guard: stage "prod" deploys to production account "prod" with guard none`}},
		{name: "confirm is a guard", over: map[string]string{"stages": strings.Replace(base["stages"], "guard: ci", "guard: confirm", 1)}},
	},
	"production-unprotected": {
		{name: "protected unset", over: map[string]string{"accounts": strings.Replace(base["accounts"], ", protected: true", "", 1)},
			want: []string{`9:3 warning production-unprotected: production account "prod" is not protected`}},
		{name: "protected false", over: map[string]string{"accounts": strings.Replace(base["accounts"], "protected: true", "protected: false", 1)},
			want: []string{`9:67 warning production-unprotected: production account "prod" is not protected`}},
	},
}

// groups writes n groups g01..gNN each holding member.
func groups(n int, member string) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "  g%02d: [%s]\n", i, member)
	}
	return b.String()
}

func TestRules(t *testing.T) {
	ids := map[string]bool{}
	for _, r := range Rules() {
		ids[r.ID] = true
		if r.Silenceable && len(ruleCases[r.ID]) == 0 {
			t.Errorf("rule %s has no test cases", r.ID)
		}
	}
	for id, cases := range ruleCases {
		if !ids[id] {
			t.Errorf("cases for unknown rule %s", id)
		}
		triggered := false
		for _, tc := range cases {
			t.Run(id+"/"+tc.name, func(t *testing.T) {
				src := build(tc.over)
				rep := Check(load(t, src, tc.allow...))
				var got []string
				for _, f := range rep.Findings {
					if f.Code == id {
						got = append(got, render(f))
					}
				}
				if diff := cmp.Diff(tc.want, got); diff != "" {
					t.Errorf("findings of %s (-want +got):\n%s\n--- layout:\n%s", id, diff, numbered(src))
				}
				if len(tc.want) == 0 {
					return
				}
				triggered = true
				// Silenced, the same layout has none of them, and the
				// report says how many were hidden.
				over := map[string]string{}
				for k, v := range tc.over {
					over[k] = v
				}
				over["lint"] = fmt.Sprintf("lint:\n  silence:\n    %s: \"tested\"\n", id)
				rep = Check(load(t, build(over), tc.allow...))
				for _, f := range rep.Findings {
					if f.Code == id {
						t.Errorf("silenced rule still reports: %s", render(f))
					}
				}
				want := []Silenced{{Rule: id, Reason: "tested", Findings: len(tc.want)}}
				if diff := cmp.Diff(want, rep.Silenced, cmpIgnorePos); diff != "" {
					t.Errorf("silenced (-want +got):\n%s", diff)
				}
			})
		}
		if !triggered {
			t.Errorf("no case triggers %s", id)
		}
	}
}

var cmpIgnorePos = cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".Pos" }, cmp.Ignore())

func TestSilences(t *testing.T) {
	tests := []struct {
		name  string
		lint  string
		allow []string
		want  []string
	}{
		{"unknown rule", "lint:\n  silence:\n    staging-shared: \"qa and uat share\"\n", nil,
			[]string{`30:5 error silence-invalid: lint.silence names an unknown rule "staging-shared"`}},
		{"no reason", "lint:\n  silence:\n    production-unprotected: \"  \"\n", []string{"missing-field"},
			[]string{`30:5 error silence-invalid: lint.silence.production-unprotected gives no reason, so it silences nothing`}},
		{"meta rule", "lint:\n  silence:\n    silence-unused: \"quiet\"\n", nil,
			[]string{`30:5 error silence-invalid: rule silence-unused cannot be silenced`}},
		{"unused", "lint:\n  silence:\n    person-group-limit: \"we have many groups\"\n", nil,
			[]string{`30:5 info silence-unused: lint.silence.person-group-limit silences nothing: the rule finds no problem`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := build(map[string]string{"lint": tt.lint})
			rep := Check(load(t, src, tt.allow...))
			if diff := cmp.Diff(tt.want, renderAll(rep.Findings)); diff != "" {
				t.Errorf("findings (-want +got):\n%s\n--- layout:\n%s", diff, numbered(src))
			}
		})
	}
	// The unknown rule's hint suggests the likely one.
	rep := Check(load(t, build(map[string]string{"lint": "lint:\n  silence:\n    staging-shared: \"x\"\n"})))
	if len(rep.Findings) != 1 || !strings.Contains(rep.Findings[0].Hint, "did you mean staging-shared-account?") {
		t.Errorf("hint: %+v", rep.Findings)
	}
}

// TestFindingsCarryTheRule checks the contract with the CLI: Code is the
// rule id, Severity the rule's, Reason its sentence, Pos in the file.
func TestFindingsCarryTheRule(t *testing.T) {
	rep := Check(load(t, build(map[string]string{"policies": ""})))
	if len(rep.Findings) == 0 {
		t.Fatal("no findings")
	}
	byID := map[string]Rule{}
	for _, r := range Rules() {
		byID[r.ID] = r
	}
	for _, f := range rep.Findings {
		r := byID[f.Code]
		if f.Severity != r.Severity || f.Reason != r.Reason || f.Pos.File != "bulkhead.yaml" || f.Pos.Line == 0 || f.Hint == "" {
			t.Errorf("finding %+v does not carry rule %+v", f, r)
		}
	}
	if rep.HasErrors() || rep.Count(diag.Warning) != len(rep.Findings) {
		t.Errorf("severity counts: %d warnings of %d", rep.Count(diag.Warning), len(rep.Findings))
	}
}

func TestPersonEmail(t *testing.T) {
	people := map[string]bool{"alice": true, "bob": true}
	emails := map[string]string{"carol@x.example": "carol"}
	tests := map[string]string{
		"aws@acme.example":           "",
		"aws+org@acme.example":       "",
		"cloud-admin@acme.example":   "",
		"it+aws@acme.example":        "",
		"platform.team@acme.example": "",
		"awsroot@acme.example":       "",
		"acme@acme.example":          "",
		"jane.doe@acme.example":      "it has the shape firstname.lastname",
		"Jane_Doe@acme.example":      "it has the shape firstname.lastname",
		"alice@acme.example":         `its local part is the name of "alice"`,
		"alice.aws@acme.example":     `its local part is the name of "alice"`,
		"smith.bob@acme.example":     `its local part is the name of "bob"`,
		"carol@x.example":            `it is the email of "carol" under people`,
		"aws.acme@outlook.com":       "outlook.com is a personal mailbox provider",
		"not-an-email":               "",
		"jane.doe+aws@acme.example":  "it has the shape firstname.lastname",
		"bobby@acme.example":         "",
	}
	for email, want := range tests {
		if got := personEmail(email, people, emails); got != want {
			t.Errorf("personEmail(%q) = %q, want %q", email, got, want)
		}
	}
}

// TestRulesAreDocumented keeps docs/lint.md and the rule table together:
// every rule has a section and a table row with its severity.
func TestRulesAreDocumented(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "docs", "lint.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	for _, r := range Rules() {
		if !strings.Contains(doc, "\n### "+r.ID+"\n") {
			t.Errorf("docs/lint.md has no section for %s", r.ID)
		}
		row := fmt.Sprintf("| [%s](#%s) | %s | %s |", r.ID, r.ID, r.Severity, r.Title)
		if !strings.Contains(doc, row) {
			t.Errorf("docs/lint.md has no table row %q", row)
		}
		if r.Reason == "" || !strings.HasSuffix(r.Reason, ".") && !strings.HasSuffix(r.Reason, `."`) {
			t.Errorf("rule %s: reason should be one sentence: %q", r.ID, r.Reason)
		}
	}
}
