package layout

import (
	"strings"
	"testing"

	"github.com/bulkhead-dev/bulkhead/internal/diag"
	"github.com/google/go-cmp/cmp"
)

// TestValidate has one case per check: each mutates the valid base layout
// to break exactly one rule and expects exactly that diagnostic.
func TestValidate(t *testing.T) {
	longSCP := `{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*", "Sid": "` + strings.Repeat("x", 5100) + `"}]}`
	tests := []struct {
		name     string
		src      func(t *testing.T) string
		files    map[string]string // extra policy files
		want     []string
		contains string
	}{
		{"bad organization name", func(t *testing.T) string { return replace(t, base, "name: acme", "name: Acme Inc") },
			nil, []string{"3:9 bad-name"}, "organization name"},
		{"email template without {account}", func(t *testing.T) string {
			return replace(t, base, `email: "aws+{account}@acme.example"`, `email: "aws@acme.example"`)
		}, nil, []string{"5:10 bad-email"}, "has no {account}"},
		{"invalid email", func(t *testing.T) string {
			return replace(t, base, "  security: {unit: Security, kind: security}", "  security: {unit: Security, kind: security, email: not-an-email}")
		}, nil, []string{"9:53 bad-email"}, "not an email address"},
		{"management account missing", func(t *testing.T) string { return replace(t, base, "{account: management,", "{account: mgmt,") },
			nil, []string{"4:25 unknown-account", "8:22 management-kind"}, `management account "mgmt" is not in accounts`},
		{"management account of the wrong kind", func(t *testing.T) string {
			return replace(t, base, "  management: {kind: management}", "  management: {kind: shared}")
		}, nil, []string{"8:22 management-kind"}, "has kind shared, want management"},
		{"management account with two emails", func(t *testing.T) string {
			return replace(t, base, "  management: {kind: management}", "  management: {kind: management, email: root@acme.example}")
		}, nil, []string{"8:41 bad-email"}, "the management account has two emails"},
		{"management account in a unit", func(t *testing.T) string {
			return replace(t, base, "  management: {kind: management}", "  management: {kind: management, unit: Security}")
		}, nil, []string{"8:40 management-unit"}, "cannot be in a unit"},
		{"unit too deep", func(t *testing.T) string { return replace(t, base, "Sandbox]", "Sandbox, A/B/C/D/E/F]") },
			nil, []string{"6:73 unit-depth"}, `unit "A/B/C/D/E/F" is 6 levels deep; the limit is 5`},
		{"unit deeper than a lowered ou_depth", func(t *testing.T) string {
			return replace(t, base, "  name: acme\n", "  name: acme\n  limits: {ou_depth: 1}\n")
		}, nil, []string{"7:19 unit-depth", "7:41 unit-depth"}, "the limit is 1"},
		{"ou_depth above AWS's hard limit", func(t *testing.T) string {
			return replace(t, base, "  name: acme\n", "  name: acme\n  limits: {ou_depth: 6}\n")
		}, nil, []string{"4:22 bad-limit"}, "outside 1..5"},
		{"unit path syntax", func(t *testing.T) string { return replace(t, base, "Sandbox]", "Sandbox, Bad//Path]") },
			nil, []string{"6:73 bad-unit"}, "not valid"},
		{"duplicate unit", func(t *testing.T) string { return replace(t, base, "Sandbox]", "Sandbox, Security]") },
			nil, []string{"6:73 duplicate-unit"}, "listed twice"},
		{"unknown unit", func(t *testing.T) string {
			return replace(t, base, "{unit: Security, kind: security}", "{unit: Securty, kind: security}")
		},
			nil, []string{"9:20 unknown-unit"}, `did you mean "Security"?`},
		{"account name syntax", func(t *testing.T) string { return replace(t, base, "  dev: {unit", "  Dev_1: {unit") },
			nil, []string{"11:3 bad-name", "18:45 unknown-account"}, `account name "Dev_1" is not valid`},
		{"duplicate account after expansion", func(t *testing.T) string {
			return replace(t, base, "  dev: {unit", "  sandbox-bob: {unit: Sandbox, kind: sandbox}\n  dev: {unit")
		}, nil, []string{"13:3 duplicate-account"}, `generated from "sandbox-{developer}" for developer bob`},
		{"duplicate email", func(t *testing.T) string {
			return replace(t, base, "  security: {unit: Security, kind: security}", "  security: {unit: Security, kind: security, email: aws+prod@acme.example}")
		}, nil, []string{"10:3 duplicate-email"}, "same email aws+prod@acme.example"},
		{"template name without {developer}", func(t *testing.T) string { return replace(t, base, "  sandbox-{developer}: {", "  sandbox: {") },
			nil, []string{"12:3 placeholder", "19:45 unknown-account", "19:45 unknown-account"}, "has no {developer}"},
		{"{developer} without for_each", func(t *testing.T) string { return replace(t, base, "{for_each: developers, unit", "{unit") },
			nil, []string{"12:3 placeholder", "12:62 placeholder", "19:45 unknown-account", "19:45 unknown-account"}, "placeholder {developer} has no source"},
		{"unknown placeholder in account email", func(t *testing.T) string {
			return replace(t, base, "  dev: {unit: Workloads/Development, kind: development}", "  dev: {unit: Workloads/Development, kind: development, email: \"{team}@acme.example\"}")
		}, nil, []string{"11:64 placeholder"}, "placeholder {team} has no source"},
		{"unknown group in trust", func(t *testing.T) string {
			return replace(t, base, "trust: [group:engineers]", "trust: [group:enginers]")
		},
			nil, []string{"24:13 unknown-group"}, `did you mean "engineers"?`},
		{"unknown person in trust", func(t *testing.T) string { return replace(t, base, "trust: [group:engineers]", "trust: [user:zed]") },
			nil, []string{"24:13 unknown-person"}, `unknown person "zed"`},
		{"unknown account in trust", func(t *testing.T) string {
			return replace(t, base, "trust: [group:engineers]", "trust: [account:shared]")
		},
			nil, []string{"24:13 unknown-account"}, `unknown account "shared"`},
		{"ci trust without ci section", func(t *testing.T) string { return replace(t, base, "ci:\n  github: {repository: acme/app}\n", "") },
			nil, []string{"25:13 unknown-ci"}, "no ci section"},
		{"role policy keyed by an unknown kind", func(t *testing.T) string {
			return replace(t, base, "{development: PowerUserAccess", "{develop: PowerUserAccess")
		},
			nil, []string{"25:16 bad-value"}, `"develop" is not one of`},
		{"role policy that is neither a name nor a file", func(t *testing.T) string {
			return replace(t, base, "sandbox: AdministratorAccess", "sandbox: Admin Access")
		},
			nil, []string{"25:55 bad-policy-ref"}, "neither an AWS managed policy name nor a policy file"},
		{"missing role policy file", func(t *testing.T) string { return replace(t, base, "policies/deploy.json", "policies/nope.json") },
			nil, []string{"28:28 policy-file"}, "no such file"},
		{"role policy file that is a directory", func(t *testing.T) string { return replace(t, base, "policies/deploy.json", "policies/dir") },
			nil, []string{"28:28 policy-file"}, "is a directory"},
		{"policy JSON syntax error inside the file", func(t *testing.T) string { return base },
			map[string]string{"policies/deploy.json": "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Effect\": \"Allow\" \"Action\": \"*\"}\n  ]\n}\n"},
			[]string{"policies/deploy.json:4:24 policy-json"}, "invalid JSON"},
		{"IAM grammar error inside the file", func(t *testing.T) string { return base },
			map[string]string{"policies/deploy.json": "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Effect\": \"Permit\", \"Action\": \"*\", \"Resource\": \"*\"}\n  ]\n}\n"},
			[]string{"policies/deploy.json:4:16"}, "Permit"},
		{"inline document checked at the YAML node", func(t *testing.T) string {
			return replace(t, base, "file: policies/guardrails.json,", "document: {Version: \"2012-10-17\", Statement: [{Effect: Deny, Action: \"s3:*\"}]},")
		}, nil, []string{"30:74"}, "in the inline document"},
		{"unknown policy target", func(t *testing.T) string {
			return replace(t, base, "attach: [Workloads, Sandbox]", "attach: [Workloads, Sandbx]")
		},
			nil, []string{"30:79 unknown-target"}, `did you mean "Sandbox"?`},
		{"SCP over scp_max_chars", func(t *testing.T) string { return replace(t, base, "policies/guardrails.json", "policies/long.json") },
			map[string]string{"policies/long.json": longSCP}, []string{"30:33 policy-size"}, "the limit is 5120"},
		{"SCP within a raised scp_max_chars", func(t *testing.T) string {
			return replace(t, replace(t, base, "policies/guardrails.json", "policies/long.json"), "  name: acme\n", "  name: acme\n  limits: {scp_max_chars: 10240}\n")
		}, map[string]string{"policies/long.json": longSCP}, []string{}, ""},
		{"five SCPs on one target plus FullAWSAccess", func(t *testing.T) string {
			s := base
			for _, n := range []string{"a", "b", "c", "d"} {
				s += "  " + n + ": {type: scp, file: policies/scp.json, attach: [Sandbox]}\n"
			}
			return strings.Replace(s, "invariants:\n  - group:engineers cannot write kind:production\n", "", 1) + "invariants: []\n"
		}, nil, []string{"34:52 too-many-policies"}, `"Sandbox" has 6 SCPs (5 plus FullAWSAccess`},
		{"four SCPs on one target is the limit", func(t *testing.T) string {
			s := strings.Replace(base, "invariants:\n  - group:engineers cannot write kind:production\n", "", 1)
			for _, n := range []string{"a", "b", "c"} {
				s += "  " + n + ": {type: scp, file: policies/scp.json, attach: [Sandbox]}\n"
			}
			return s
		}, nil, []string{}, ""},
		{"tag policies per target", func(t *testing.T) string {
			s := strings.Replace(base, "invariants:\n  - group:engineers cannot write kind:production\n", "", 1)
			s = replace(t, s, "  name: acme\n", "  name: acme\n  limits: {tag_policies_per_target: 1}\n")
			for _, n := range []string{"t1", "t2"} {
				s += "  " + n + ": {type: tag, document: {tags: {team: {tag_key: {\"@@assign\": Team}}}}, attach: [root]}\n"
			}
			return s
		}, nil, []string{"33:85 too-many-policies"}, `"root" has 2 tag policies`},
		{"stage rule shadowed by an earlier glob", func(t *testing.T) string {
			return replace(t, base, "  - {match: \"sandbox-{developer}\"", "  - {match: feature-login, account: dev}\n  - {match: \"sandbox-{developer}\"")
		}, nil, []string{"19:6 stage-unreachable"}, `stage rule 3 can never match: rule 2 (feature-*)`},
		{"glob shadowed by a wider glob", func(t *testing.T) string {
			return replace(t, base, "  - {match: \"sandbox-{developer}\"", "  - {match: [\"pr-1?\", \"feature-x*\"], account: dev}\n  - {match: \"sandbox-{developer}\"")
		}, nil, []string{"19:6 stage-unreachable"}, "can never match"},
		{"partly shadowed rule is fine", func(t *testing.T) string {
			return replace(t, base, "  - {match: \"sandbox-{developer}\"", "  - {match: [feature-x, hotfix-x], account: dev}\n  - {match: \"sandbox-{developer}\"")
		}, nil, []string{}, ""},
		{"developer rule shadowed by a glob", func(t *testing.T) string {
			return replace(t, base, "  - {match: prod,", "  - {match: \"sandbox-*\", account: dev}\n  - {match: prod,")
		}, nil, []string{"20:6 stage-unreachable"}, "rule 4 can never match: rule 1 (sandbox-*)"},
		{"stage resolving to the management account", func(t *testing.T) string {
			return replace(t, base, "  - {match: prod,", "  - {match: ops, account: management}\n  - {match: prod,")
		}, nil, []string{"17:27 stage-management"}, "management account"},
		{"stage to an unknown account", func(t *testing.T) string {
			return replace(t, base, "account: dev, role: appeng}", "account: devv, role: appeng}")
		},
			nil, []string{"18:45 unknown-account"}, `unknown account "devv"`},
		{"{stage} with literal stages that have no account", func(t *testing.T) string {
			return replace(t, base, "  - {match: prod,", "  - {match: [qa, uat], account: \"{stage}\"}\n  - {match: prod,")
		}, nil, []string{"17:33 unknown-account", "17:33 unknown-account"}, `unknown account "qa"`},
		{"{developer} in the account without a source in match", func(t *testing.T) string {
			return replace(t, base, "{match: \"sandbox-{developer}\"", "{match: \"sandbox-*\"")
		}, nil, []string{"19:35 placeholder"}, "{developer} has no source"},
		{"{stage} in match", func(t *testing.T) string { return replace(t, base, "{match: prod,", "{match: \"{stage}\",") },
			nil, []string{"17:13 placeholder"}, "{stage} cannot be used in match"},
		{"stage role without a policy for the account's kind", func(t *testing.T) string {
			return replace(t, base, "{match: prod, account: prod, role: deployer", "{match: prod, account: prod, role: appeng")
		}, nil, []string{}, ""},
		{"stage role absent from the account", func(t *testing.T) string {
			return replace(t, base, "{match: [\"feature-*\", \"pr-*\"], account: dev, role: appeng}", "{match: [\"feature-*\", \"pr-*\"], account: dev, role: deployer}")
		}, nil, []string{"18:56 role-not-in-account"}, "which has no policy for development accounts"},
		{"unknown stage role", func(t *testing.T) string { return replace(t, base, "role: deployer, guard", "role: deploy, guard") },
			nil, []string{"17:40 unknown-role"}, `did you mean "deployer"?`},
		{"person in more than 10 groups", func(t *testing.T) string {
			s := base
			for i := 0; i < 10; i++ {
				s = replace(t, s, "groups:\n", "groups:\n  g"+string(rune('a'+i))+": [alice]\n")
			}
			return s
		}, nil, []string{"25:15 too-many-groups"}, "more than 10 groups"},
		{"invariant that does not parse", func(t *testing.T) string {
			return replace(t, base, "group:engineers cannot write kind:production", "group:engineers cannot wrte kind:production")
		}, nil, []string{"32:28 bad-invariant"}, `did you mean "write"?`},
		{"quoted invariant error column", func(t *testing.T) string {
			return replace(t, base, "  - group:engineers cannot write kind:production", `  - "group:engineers may write kind:production"`)
		}, nil, []string{"32:22 bad-invariant"}, `expected "can" or "cannot"`},
		{"invariant naming unknown things", func(t *testing.T) string {
			return replace(t, base, "group:engineers cannot write kind:production", "group:eng cannot write unit:Nope")
		}, nil, []string{"32:5 unknown-group", "32:28 unknown-unit"}, ""},
		{"developer listed twice", func(t *testing.T) string {
			return replace(t, base, "developers: [alice, bob]", "developers: [alice, bob, alice]")
		},
			nil, []string{"13:26 duplicate-developer"}, ""},
		{"no developers for a template", func(t *testing.T) string {
			return replace(t, replace(t, base, "developers: [alice, bob]\n", ""), "engineers: [alice, bob]", "engineers: [carol]")
		}, nil, []string{"12:35 warning no-developers", "18:6 warning stage-unreachable"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := testFS()
			for name, data := range tt.files {
				fsys[name] = &fstestFile{Data: []byte(data)}
			}
			_, ds := Parse("bulkhead.yaml", []byte(tt.src(t)), Options{ReadFile: readFS(fsys)})
			got := briefs(ds)
			want := tt.want
			// Policy grammar cases name only the position prefix.
			if len(want) == 1 && len(got) >= 1 && !strings.Contains(want[0], " ") {
				got = []string{got[0][:strings.IndexByte(got[0], ' ')]}
			}
			if diff := cmp.Diff(sortedCopy(want), sortedCopy(got)); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s\n%s", diff, ds.Err())
			}
			if tt.contains != "" && !strings.Contains(diag.ErrorList(ds).Error(), tt.contains) {
				t.Errorf("diagnostics do not contain %q:\n%s", tt.contains, ds.Err())
			}
		})
	}
}

func sortedCopy(s []string) []string {
	out := append([]string{}, s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}
