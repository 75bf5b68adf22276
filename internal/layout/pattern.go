package layout

import (
	"path"
	"strings"
)

// Stage name matching. A rule's match patterns are compared with the whole
// stage name using path.Match semantics restricted to * (any run of
// characters) and ? (one character); validation rejects [ ] and \ so that
// no other path.Match syntax is reachable. The placeholder {developer}
// stands for each developer in turn and binds the one that matched.

// Binding is the result of matching a stage name against one pattern.
type Binding struct {
	Pattern   string // the pattern as written
	Developer string // the developer {developer} bound to, if any
}

// MatchPattern reports whether the stage name matches pattern, trying each
// developer for {developer}.
func MatchPattern(pattern, stage string, developers []string) (Binding, bool) {
	if !strings.Contains(pattern, "{developer}") {
		ok, err := path.Match(pattern, stage)
		return Binding{Pattern: pattern}, ok && err == nil
	}
	for _, dev := range developers {
		p := strings.ReplaceAll(pattern, "{developer}", dev)
		if ok, err := path.Match(p, stage); ok && err == nil {
			return Binding{Pattern: pattern, Developer: dev}, true
		}
	}
	return Binding{}, false
}

// MatchRule returns the first of the rule's patterns that matches stage.
func MatchRule(r *StageRule, stage string, developers []string) (Binding, bool) {
	for _, m := range r.Match {
		if b, ok := MatchPattern(m.Value, stage, developers); ok {
			return b, true
		}
	}
	return Binding{}, false
}

// ExpandStageAccount returns the account name a rule routes stage to, with
// {stage} and {developer} substituted.
func ExpandStageAccount(r *StageRule, stage string, b Binding) string {
	s := strings.ReplaceAll(r.Account.Value, "{stage}", stage)
	return strings.ReplaceAll(s, "{developer}", b.Developer)
}

// DeveloperNames returns the developers' names in file order.
func (l *Layout) DeveloperNames() []string {
	out := make([]string, 0, len(l.Developers))
	for _, d := range l.Developers {
		out = append(out, d.Value)
	}
	return out
}

// isGlob reports whether p contains a wildcard.
func isGlob(p string) bool { return strings.ContainsAny(p, "*?") }

// concretePatterns expands {developer} in a pattern into one pattern per
// developer; a pattern without the placeholder is returned as is.
func concretePatterns(p string, developers []string) []string {
	if !strings.Contains(p, "{developer}") {
		return []string{p}
	}
	out := make([]string, 0, len(developers))
	for _, d := range developers {
		out = append(out, strings.ReplaceAll(p, "{developer}", d))
	}
	return out
}

// covers reports whether every name matching glob b also matches glob a,
// for globs over * and ?. It answers false when unsure, so a rule is only
// ever called unreachable when it truly is.
func covers(a, b string) bool {
	if !isGlob(b) {
		ok, err := path.Match(a, b)
		return ok && err == nil
	}
	// memo[i*(len(b)+1)+j]: 0 unknown, 1 false, 2 true.
	memo := make([]byte, (len(a)+1)*(len(b)+1))
	var rec func(i, j int) bool
	rec = func(i, j int) bool {
		key := i*(len(b)+1) + j
		if memo[key] != 0 {
			return memo[key] == 2
		}
		var res bool
		switch {
		case i == len(a):
			res = j == len(b)
		case a[i] == '*':
			// a's star matches nothing, or absorbs b's next symbol (a
			// literal, a ?, or a whole * of b).
			res = rec(i+1, j) || (j < len(b) && rec(i, j+1))
		case j == len(b):
			res = false
		case b[j] == '*':
			// b's star can stand for any run; only a star in a covers it.
			res = false
		case a[i] == '?':
			res = rec(i+1, j+1)
		default:
			res = a[i] == b[j] && rec(i+1, j+1)
		}
		memo[key] = 1
		if res {
			memo[key] = 2
		}
		return res
	}
	return rec(0, 0)
}
