package plan

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// policyDelta summarises how the live document differs from the wanted one
// for a plan line: the statements' effects with their actions and
// principals that are only in one of them ("+Allow ec2:*", "-Allow s3:*"),
// or a note that they differ elsewhere (resources, conditions). The full
// documents are in the plan's JSON (want, live).
func policyDelta(live, want string) string {
	l, w := statementKeys(live), statementKeys(want)
	if l == nil || w == nil {
		return ""
	}
	var add, del []string
	for k := range w {
		if !l[k] {
			add = append(add, "+"+k)
		}
	}
	for k := range l {
		if !w[k] {
			del = append(del, "-"+k)
		}
	}
	sort.Strings(add)
	sort.Strings(del)
	parts := append(del, add...)
	if len(parts) == 0 {
		return "resources or conditions differ"
	}
	const max = 6
	if len(parts) > max {
		parts = append(parts[:max], fmt.Sprintf("(%d more)", len(parts)-max))
	}
	return strings.Join(parts, " ")
}

// statementKeys lists "Effect item" for each action, not-action and
// principal of a policy document; nil when it is not JSON.
func statementKeys(doc string) map[string]bool {
	var d struct {
		Statement json.RawMessage
	}
	if json.Unmarshal([]byte(doc), &d) != nil {
		return nil
	}
	var sts []map[string]any
	if json.Unmarshal(d.Statement, &sts) != nil {
		var one map[string]any
		if json.Unmarshal(d.Statement, &one) != nil {
			return nil
		}
		sts = []map[string]any{one}
	}
	out := map[string]bool{}
	for _, st := range sts {
		effect, _ := st["Effect"].(string)
		for _, key := range []string{"Action", "NotAction"} {
			prefix := effect + " "
			if key == "NotAction" {
				prefix = effect + " not "
			}
			for _, a := range strs(st[key]) {
				out[prefix+a] = true
			}
		}
		if p, ok := st["Principal"].(map[string]any); ok {
			for kind, v := range p {
				for _, s := range strs(v) {
					out[effect+" "+kind+":"+s] = true
				}
			}
		}
	}
	return out
}

func strs(v any) []string {
	switch t := v.(type) {
	case string:
		return []string{t}
	case []any:
		var out []string
		for _, e := range t {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}
