package organizations

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Merge cases after "Inheritance operators" and "Policy syntax and
// inheritance for management policy types"
// (https://docs.aws.amazon.com/organizations/latest/userguide/policy-operators.html,
// .../orgs_manage_policies_inheritance_mgmt.html).
func TestEffectivePolicyMerge(t *testing.T) {
	tests := []struct {
		name   string
		levels [][]string // policies per level, root first
		want   string
	}{
		{
			name: "assign, append, remove down the tree",
			levels: [][]string{
				{`{"tags":{"costcenter":{"tag_key":{"@@assign":"CostCenter"},"tag_value":{"@@assign":["100","200"]}}}}`},
				{`{"tags":{"costcenter":{"tag_value":{"@@append":["300"]}}}}`},
				{`{"tags":{"costcenter":{"tag_value":{"@@remove":["100"]}}}}`},
			},
			want: `{"tags":{"costcenter":{"tag_key":"CostCenter","tag_value":["200","300"]}}}`,
		},
		{
			name: "child assign replaces inherited scalar and array",
			levels: [][]string{
				{`{"tags":{"project":{"tag_key":{"@@assign":"Project"},"tag_value":{"@@assign":["a","b"]}}}}`},
				{`{"tags":{"project":{"tag_key":{"@@assign":"PROJECT"},"tag_value":{"@@assign":["c"]}}}}`},
			},
			want: `{"tags":{"project":{"tag_key":"PROJECT","tag_value":["c"]}}}`,
		},
		{
			name: "@@none forbids every change below",
			levels: [][]string{
				{`{"tags":{"costcenter":{"tag_key":{"@@assign":"CostCenter","@@operators_allowed_for_child_policies":["@@none"]}}}}`},
				{`{"tags":{"costcenter":{"tag_key":{"@@assign":"costcenter"}}}}`},
			},
			want: `{"tags":{"costcenter":{"tag_key":"CostCenter"}}}`,
		},
		{
			name: "only @@append allowed",
			levels: [][]string{
				{`{"tags":{"env":{"tag_value":{"@@assign":["prod"],"@@operators_allowed_for_child_policies":["@@append"]}}}}`},
				{`{"tags":{"env":{"tag_value":{"@@assign":["x"]}}}}`, `{"tags":{"env":{"tag_value":{"@@append":["dev"]}}}}`},
			},
			want: `{"tags":{"env":{"tag_value":["prod","dev"]}}}`,
		},
		{
			name: "a limit on a parent key covers new keys under it",
			levels: [][]string{
				{`{"tags":{"@@operators_allowed_for_child_policies":["@@none"],"a":{"tag_key":{"@@assign":"A"}}}}`},
				{`{"tags":{"b":{"tag_key":{"@@assign":"B"}}}}`},
			},
			want: `{"tags":{"a":{"tag_key":"A"}}}`,
		},
		{
			name: "a limit binds lower levels only, not policies on the same target",
			levels: [][]string{
				{`{"x":{"v":{"@@assign":"1","@@operators_allowed_for_child_policies":["@@none"]}}}`, `{"x":{"v":{"@@assign":"2"}}}`},
			},
			want: `{"x":{"v":"2"}}`,
		},
		{
			name: "@@all re-allows nothing an ancestor forbade",
			levels: [][]string{
				{`{"x":{"@@operators_allowed_for_child_policies":["@@assign"],"v":{"@@assign":["1"]}}}`},
				{`{"x":{"@@operators_allowed_for_child_policies":["@@all"],"v":{"@@append":["2"]}}}`},
				{`{"x":{"v":{"@@append":["3"]}}}`},
			},
			want: `{"x":{"v":["1"]}}`,
		},
		{
			name: "backup plan regions appended, rules assigned",
			levels: [][]string{
				{`{"plans":{"PII_Backup_Plan":{"regions":{"@@assign":["ap-northeast-2","us-east-1"]},"rules":{"Hourly":{"schedule_expression":{"@@assign":"cron(0 5/1 ? * * *)"},"target_backup_vault_name":{"@@assign":"FortKnox"}}}}}}`},
				{`{"plans":{"PII_Backup_Plan":{"regions":{"@@append":["eu-north-1"]},"rules":{"Hourly":{"target_backup_vault_name":{"@@assign":"Local"}}}}}}`},
			},
			want: `{"plans":{"PII_Backup_Plan":{"regions":["ap-northeast-2","us-east-1","eu-north-1"],"rules":{"Hourly":{"schedule_expression":"cron(0 5/1 ? * * *)","target_backup_vault_name":"Local"}}}}}`,
		},
		{
			name:   "plain values are assignments",
			levels: [][]string{{`{"services":{"default":{"opt_out_policy":"optOut"}}}`}},
			want:   `{"services":{"default":{"opt_out_policy":"optOut"}}}`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var ch Chain
			for _, lvl := range tc.levels {
				var l PolicyLevel
				for _, c := range lvl {
					l.Policies = append(l.Policies, ChainPolicy{Content: c})
				}
				ch.Levels = append(ch.Levels, l)
			}
			got, ok, err := effectivePolicy(ch)
			if err != nil || !ok {
				t.Fatalf("effectivePolicy: %v %v", ok, err)
			}
			var g, w any
			if err := json.Unmarshal([]byte(got), &g); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal([]byte(tc.want), &w); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(w, g); diff != "" {
				t.Errorf("effective policy (-want +got):\n%s", diff)
			}
		})
	}
	if _, ok, _ := effectivePolicy(Chain{Levels: []PolicyLevel{{}, {}}}); ok {
		t.Error("effective policy without any policy")
	}
}

// FuzzEffectivePolicyMerge: any pair of JSON documents merges without a
// panic, and the result is JSON.
func FuzzEffectivePolicyMerge(f *testing.F) {
	f.Add(`{"tags":{"a":{"tag_key":{"@@assign":"A"}}}}`, `{"tags":{"a":{"tag_value":{"@@append":["x"]}}}}`)
	f.Add(`{"x":{"@@operators_allowed_for_child_policies":"@@none","v":{"@@assign":1}}}`, `{"x":{"v":{"@@remove":[1]}}}`)
	f.Add(`{"x":{"v":{"@@append":"notalist","@@remove":{"k":1}}}}`, `{"x":[1,2]}`)
	f.Fuzz(func(t *testing.T, a, b string) {
		var da, db map[string]any
		if json.Unmarshal([]byte(a), &da) != nil || json.Unmarshal([]byte(b), &db) != nil {
			return
		}
		ch := Chain{Levels: []PolicyLevel{{Policies: []ChainPolicy{{Content: a}}}, {Policies: []ChainPolicy{{Content: b}}}}}
		out, _, err := effectivePolicy(ch)
		if err != nil {
			t.Fatalf("merge: %v", err)
		}
		if !json.Valid([]byte(out)) {
			t.Fatalf("merged document is not JSON: %s", out)
		}
	})
}
