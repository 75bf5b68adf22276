package policy

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The evaluation cases live in testdata/cases/*.json, one file per topic,
// each case naming the AWS documentation page it comes from. A file is
//
//	{"doc": URL, "base": SIMULATION, "cases": [CASE, ...]}
//
// where SIMULATION is the `access simulate` input (docs/access.md) and a
// CASE is {"name", "doc"?, "want", "if"?, "blockedBy"?, "request"?,
// "context"?, ...layers}. A case's "request" is merged into the base
// request (a null field removes the base's), its "context" replaces the base context, and any layer it names
// replaces the base's. Two shorthands keep the files readable: a policy
// may be written as a single statement or an array of statements, and
// "scpChain"/"rcpChain" list one policy per level, root first.

type caseFile struct {
	Doc   string                     `json:"doc"`
	Base  map[string]json.RawMessage `json:"base"`
	Cases []map[string]json.RawMessage
}

type caseWant struct {
	Decision  string
	If        []string
	BlockedBy []string
}

func TestCases(t *testing.T) {
	files, err := filepath.Glob("testdata/cases/*.json")
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	names := map[string]bool{}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var cf caseFile
		if err := json.Unmarshal(src, &cf); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for i, c := range cf.Cases {
			var name, doc, want string
			unmarshalField(t, c, "name", &name)
			unmarshalField(t, c, "doc", &doc)
			unmarshalField(t, c, "want", &want)
			if name == "" {
				name = fmt.Sprintf("case%d", i)
			}
			full := strings.TrimSuffix(filepath.Base(f), ".json") + "/" + name
			if names[full] {
				t.Errorf("%s: duplicate case name", full)
			}
			names[full] = true
			if doc == "" {
				doc = cf.Doc
			}
			if !strings.HasPrefix(doc, "https://docs.aws.amazon.com/") {
				t.Errorf("%s: the case must name its AWS documentation page (doc)", full)
			}
			total++
			t.Run(full, func(t *testing.T) {
				input := buildInput(t, cf.Base, c)
				sim, diags := ParseSimulation(input, full)
				if diags.HasErrors() {
					t.Fatalf("invalid case input:\n%v\n%s", diags.Err(), input)
				}
				set := NewSet(sim.Layers)
				d, ex := set.Explain(sim.Request)
				got := caseWant{Decision: d.Result.String(), If: d.Conditional()}
				w := caseWant{Decision: want}
				unmarshalField(t, c, "if", &w.If)
				if _, ok := c["blockedBy"]; ok {
					unmarshalField(t, c, "blockedBy", &w.BlockedBy)
					for _, b := range ex.BlockedBy {
						got.BlockedBy = append(got.BlockedBy, b.Layer)
					}
				}
				if diff := cmp.Diff(w, got); diff != "" {
					var sb strings.Builder
					_ = WriteText(&sb, d, ex)
					t.Errorf("%s (-want +got):\n%s\n%s", doc, diff, sb.String())
				}
				// The fast path must agree with the explained one.
				if d2 := set.Evaluate(sim.Request); d2.Result != d.Result || (d2.Condition == nil) != (d.Condition == nil) {
					t.Errorf("Evaluate = %v, Explain = %v", d2.Result, d.Result)
				}
			})
		}
	}
	if total < 300 {
		t.Errorf("%d cases, want at least 300", total)
	}
}

func unmarshalField(t *testing.T, m map[string]json.RawMessage, key string, v any) {
	t.Helper()
	if raw, ok := m[key]; ok {
		if err := json.Unmarshal(raw, v); err != nil {
			t.Fatalf("field %s: %v", key, err)
		}
	}
}

// buildInput merges a case into its file's base and expands shorthands.
func buildInput(t *testing.T, base, c map[string]json.RawMessage) []byte {
	t.Helper()
	in := map[string]any{}
	for k, v := range base {
		in[k] = decodeAny(t, v)
	}
	for k, v := range c {
		switch k {
		case "name", "doc", "want", "if", "blockedBy":
		case "request":
			req, _ := in["request"].(map[string]any)
			merged := map[string]any{}
			for rk, rv := range req {
				merged[rk] = rv
			}
			for rk, rv := range decodeAny(t, v).(map[string]any) {
				if rv == nil {
					delete(merged, rk) // "key": null removes a base field
					continue
				}
				merged[rk] = rv
			}
			in["request"] = merged
		case "context":
			req, _ := in["request"].(map[string]any)
			merged := map[string]any{}
			for rk, rv := range req {
				merged[rk] = rv
			}
			merged["context"] = decodeAny(t, v)
			in["request"] = merged
		default:
			in[k] = decodeAny(t, v)
		}
	}
	expandShorthands(in)
	out, err := json.MarshalIndent(in, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func decodeAny(t *testing.T, raw json.RawMessage) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("%s: %v", raw, err)
	}
	return v
}

func expandShorthands(in map[string]any) {
	for _, k := range []string{"identityPolicies", "permissionBoundaries"} {
		if list, ok := in[k].([]any); ok {
			for i := range list {
				list[i] = expandDoc(list[i])
			}
		}
	}
	for _, k := range []string{"sessionPolicy", "resourcePolicy"} {
		if v, ok := in[k]; ok {
			in[k] = expandDoc(v)
		}
	}
	for short, long := range map[string]string{"scpChain": "serviceControlPolicies", "rcpChain": "resourceControlPolicies"} {
		chain, ok := in[short].([]any)
		if !ok {
			continue
		}
		delete(in, short)
		levels := []any{}
		for i, doc := range chain {
			id := []string{"r-root", "ou-level1", "ou-level2", "ou-level3"}[min(i, 3)]
			if i == len(chain)-1 && i > 0 {
				id = "account"
			}
			levels = append(levels, map[string]any{"id": id, "policies": []any{expandDoc(doc)}})
		}
		in[long] = levels
	}
	for _, k := range []string{"serviceControlPolicies", "resourceControlPolicies"} {
		if levels, ok := in[k].([]any); ok {
			for _, lv := range levels {
				if m, ok := lv.(map[string]any); ok {
					if ps, ok := m["policies"].([]any); ok {
						for i := range ps {
							ps[i] = expandDoc(ps[i])
						}
					}
				}
			}
		}
	}
}

// expandDoc turns a statement or a list of statements into a policy.
func expandDoc(v any) any {
	switch d := v.(type) {
	case []any:
		return map[string]any{"Version": "2012-10-17", "Statement": d}
	case map[string]any:
		if _, ok := d["Statement"]; !ok {
			if _, ok := d["Effect"]; ok {
				return map[string]any{"Version": "2012-10-17", "Statement": []any{d}}
			}
		}
	}
	return v
}
