// Package stages routes deploy stages to accounts: given a stage name such
// as "feature-login", it finds the first matching rule of the layout's
// `stages` list and the account, role and guard it names.
//
// On top of Resolve it hands out a stage's short-lived credentials (Open):
// account ids from the live organization (cached), the base credentials'
// identity, the rule's guard, an STS session of the stage's role kept in a
// cache (OS keyring or 0600 files, under a file lock), and an audit log.
// It must never write a secret anywhere but the cache, nor skip the guard
// or the audit record on the way to a session; it does not run commands
// (the CLI's exec does, with Environ).
package stages

import (
	"fmt"
	"sort"
	"strings"

	"github.com/bulkhead-dev/bulkhead/internal/diag"
	"github.com/bulkhead-dev/bulkhead/internal/layout"
)

// Resolution is where a stage deploys.
type Resolution struct {
	Stage   string `json:"stage"`
	Account string `json:"account"`
	// AccountID is the AWS account id, unknown until the layout is applied.
	AccountID string       `json:"account_id,omitempty"`
	Role      string       `json:"role,omitempty"`
	Guard     layout.Guard `json:"guard"`
	// Rule is the 1-based number of the rule that matched, RulePos where it
	// is written, and Pattern the pattern of that rule that matched.
	Rule    int      `json:"rule"`
	RulePos diag.Pos `json:"rule_pos"`
	Pattern string   `json:"pattern"`
	// Bindings are the placeholder values: "stage" always, "developer"
	// when the pattern bound one.
	Bindings map[string]string `json:"bindings"`
}

// Candidate is a rule pattern close to a stage name that matched nothing.
type Candidate struct {
	Rule     int      `json:"rule"`
	Pattern  string   `json:"pattern"`
	Pos      diag.Pos `json:"pos"`
	Distance int      `json:"distance"`
	literal  int      // characters of the (expanded) pattern that are not wildcards
}

// NoMatchError says no rule matches a stage, with the nearest patterns.
type NoMatchError struct {
	Stage   string
	Nearest []Candidate
}

func (e *NoMatchError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "no stage rule matches %q", e.Stage)
	if len(e.Nearest) > 0 {
		b.WriteString("; nearest rules:")
		for _, c := range e.Nearest {
			fmt.Fprintf(&b, "\n    %s: rule %d matches %q", c.Pos, c.Rule, c.Pattern)
		}
	}
	return b.String()
}

// Resolve routes stage to its account: the first rule whose patterns match
// the whole name wins. It fails with *NoMatchError when no rule matches,
// and with an error when the rule routes to an account the layout lacks or
// to the management account (validation reports both for literal rules; a
// wildcard rule with {stage} can only be checked per stage).
func Resolve(l *layout.Layout, stage string) (*Resolution, error) {
	if stage == "" {
		return nil, fmt.Errorf("empty stage name")
	}
	devs := l.DeveloperNames()
	for _, r := range l.Stages {
		b, ok := layout.MatchRule(r, stage, devs)
		if !ok {
			continue
		}
		res := &Resolution{
			Stage:    stage,
			Account:  layout.ExpandStageAccount(r, stage, b),
			Role:     r.Role.Value,
			Guard:    r.Guard.Value,
			Rule:     r.Index + 1,
			RulePos:  r.Pos,
			Pattern:  b.Pattern,
			Bindings: map[string]string{"stage": stage},
		}
		if res.Guard == "" {
			res.Guard = layout.GuardNone
		}
		if b.Developer != "" {
			res.Bindings["developer"] = b.Developer
		}
		if l.Account(res.Account) == nil {
			return nil, fmt.Errorf("%s: stage rule %d routes %q to account %q, which is not in the layout", r.Pos, res.Rule, stage, res.Account)
		}
		if res.Account == l.Organization.Management.Account.Value {
			return nil, fmt.Errorf("%s: stage rule %d routes %q to the management account %q; bulkhead never deploys there", r.Pos, res.Rule, stage, res.Account)
		}
		return res, nil
	}
	return nil, &NoMatchError{Stage: stage, Nearest: nearest(l, stage, 3)}
}

// nearest returns up to n rule patterns closest to stage.
func nearest(l *layout.Layout, stage string, n int) []Candidate {
	devs := l.DeveloperNames()
	var cands []Candidate
	for _, r := range l.Stages {
		best := -1
		var bestPat string
		var bestPos diag.Pos
		bestLit := 0
		for _, m := range r.Match {
			pats := []string{m.Value}
			if strings.Contains(m.Value, "{developer}") && len(devs) > 0 {
				pats = nil
				for _, d := range devs {
					pats = append(pats, strings.ReplaceAll(m.Value, "{developer}", d))
				}
			}
			for _, p := range pats {
				if d := globDistance(p, stage); best < 0 || d < best {
					best, bestPat, bestPos, bestLit = d, m.Value, m.Pos, literalLen(p)
				}
			}
		}
		if best >= 0 {
			cands = append(cands, Candidate{Rule: r.Index + 1, Pattern: bestPat, Pos: bestPos, Distance: best, literal: bestLit})
		}
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].Distance < cands[j].Distance })
	// Keep the plausible ones: at most one edit per two literal characters
	// of the pattern, so that short globs such as "qa-*" (near to every
	// name by a few edits) do not crowd out the typo the user made. When
	// none is plausible, the single nearest still shows what rules exist.
	keep := []Candidate{}
	for _, c := range cands {
		if len(keep) < n && c.Distance <= max(1, c.literal/2) {
			keep = append(keep, c)
		}
	}
	if len(keep) == 0 && len(cands) > 0 {
		keep = cands[:1]
	}
	return keep
}

// literalLen counts the characters of a pattern that are not wildcards.
func literalLen(p string) int {
	p = strings.ReplaceAll(p, "{developer}", "")
	n := 0
	for _, c := range p {
		if c != '*' && c != '?' {
			n++
		}
	}
	return n
}

// globDistance is the edit distance between a name and the closest name
// the glob matches: * matches any run and ? any one character for free.
func globDistance(glob, s string) int {
	g, t := []rune(glob), []rune(s)
	prev := make([]int, len(t)+1)
	cur := make([]int, len(t)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(g); i++ {
		switch g[i-1] {
		case '*':
			cur[0] = prev[0]
			for j := 1; j <= len(t); j++ {
				cur[j] = min(prev[j], cur[j-1])
			}
		default:
			cur[0] = prev[0] + 1
			for j := 1; j <= len(t); j++ {
				cost := 1
				if g[i-1] == '?' || g[i-1] == t[j-1] {
					cost = 0
				}
				cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			}
		}
		prev, cur = cur, prev
	}
	return prev[len(t)]
}

// Route is one row of the routing table: a rule and what it can reach.
type Route struct {
	Rule  int      `json:"rule"`
	Pos   diag.Pos `json:"pos"`
	Match []string `json:"match"`
	// Account is the account as written, possibly with placeholders.
	Account string       `json:"account"`
	Role    string       `json:"role,omitempty"`
	Guard   layout.Guard `json:"guard"`
	// Accounts are the concrete accounts the rule can route to.
	Accounts []string `json:"accounts"`
	// Open is true when the rule's account depends on a wildcard-matched
	// stage name, so more accounts would be reached if they existed.
	Open bool `json:"open,omitempty"`
}

// List returns the routing table: one row per rule, in order.
func List(l *layout.Layout) []Route {
	out := make([]Route, 0, len(l.Stages))
	for _, r := range l.Stages {
		reach := layout.RuleAccounts(l, r)
		row := Route{
			Rule: r.Index + 1, Pos: r.Pos, Account: r.Account.Value, Role: r.Role.Value,
			Guard: r.Guard.Value, Accounts: reach.Accounts, Open: reach.Open,
		}
		if row.Guard == "" {
			row.Guard = layout.GuardNone
		}
		if row.Accounts == nil {
			row.Accounts = []string{}
		}
		for _, m := range r.Match {
			row.Match = append(row.Match, m.Value)
		}
		out = append(out, row)
	}
	return out
}
