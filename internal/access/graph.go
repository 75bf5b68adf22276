package access

import (
	"strings"

	"github.com/bulkhead-dev/bulkhead/internal/layout"

	"github.com/bulkhead-dev/bulkhead/internal/policy"
)

// edge is a possible role assumption: from may assume to, definitely or
// under Conditions.
type edge struct {
	to         int
	conditions []string
}

// buildGraph evaluates, for every role, the principals its trust policy
// could admit, and keeps the assumptions AWS would allow.
func (m *Model) buildGraph() {
	m.out = make([][]edge, len(m.Principals))
	for _, r := range m.Principals {
		if r.Kind != Role || r.trust == nil {
			continue
		}
		for _, p := range m.candidates(r) {
			if p == r {
				continue
			}
			d := m.assume(p, r)
			if d.Result == policy.Allowed {
				m.out[p.index] = append(m.out[p.index], edge{to: r.index, conditions: d.Conditional()})
			}
		}
	}
}

// candidates are the principals a role's trust policy names, directly or
// through their account: the only ones whose AssumeRole it can allow (a
// trust policy grants nothing to a principal its Principal element does not
// match). NotPrincipal and "*" make every principal a candidate.
func (m *Model) candidates(r *Principal) []*Principal {
	seen := map[int]bool{}
	var out []*Principal
	addP := func(p *Principal) {
		if p != nil && !seen[p.index] {
			seen[p.index] = true
			out = append(out, p)
		}
	}
	all := func() {
		for _, p := range m.Principals {
			addP(p)
		}
	}
	for _, st := range r.trust.Policy.Statements {
		if st.Effect != policy.Allow || st.Principal == nil {
			continue
		}
		if st.NotPrincipal || st.Principal.All {
			all()
			continue
		}
		for _, e := range st.Principal.Entries {
			switch e.Type {
			case "AWS":
				v := e.Value
				if v == "*" {
					all()
					continue
				}
				acct := v
				if strings.HasPrefix(v, "arn:") {
					parts := strings.SplitN(v, ":", 6)
					if len(parts) == 6 && parts[5] == "root" {
						acct = parts[4]
					} else {
						addP(m.byARN[v])
						continue
					}
				}
				if a := m.byID[acct]; a != nil {
					for _, p := range m.inAccount[a] {
						addP(p)
					}
				}
			case "Federated":
				if m.CI != nil && m.CI.Kind == CI && strings.HasSuffix(e.Value, ":oidc-provider/"+OIDCProviderHost) {
					addP(m.CI)
				}
			}
		}
	}
	return out
}

// assumeRequests are the requests p makes to assume r, and the set that
// decides them: p's side and r's trust policy and RCP chain. The GitHub CI
// principal makes one AssumeRoleWithWebIdentity per subject it can present.
func (m *Model) assumeRequests(p, r *Principal) (*policy.Set, []*policy.Request) {
	var rcps *policy.OrgLevel
	if len(r.side.rcps) > 0 {
		rcps = &r.side.rcps[0]
	}
	var s *side
	if p.Kind != CI {
		s = p.side
	}
	k := jointKey{side: s, trust: r.trust, rcps: rcps}
	set, ok := m.joint[k]
	if !ok {
		l := policy.Layers{Resource: r.trust, RCPs: r.side.rcps}
		if s != nil {
			l.Identity, l.Boundaries, l.SCPs = s.identity, s.boundary, s.scps
		}
		set = policy.NewSet(l)
		m.joint[k] = set
	}
	if p.Kind == CI {
		var reqs []*policy.Request
		for _, sub := range p.subjects {
			req := &policy.Request{
				Principal:                   "arn:aws:iam::" + r.Account.ID + ":oidc-provider/" + OIDCProviderHost,
				Action:                      "sts:AssumeRoleWithWebIdentity",
				Resource:                    r.ARN,
				ResourceAccount:             r.Account.ID,
				ResourceInManagementAccount: r.Account.Management,
			}
			req.Context.Set(OIDCProviderHost+":sub", sub)
			req.Context.Set(OIDCProviderHost+":aud", "sts.amazonaws.com")
			reqs = append(reqs, req)
		}
		return set, reqs
	}
	return set, []*policy.Request{{
		Principal:                    p.caller(),
		Action:                       "sts:AssumeRole",
		Resource:                     r.ARN,
		ResourceAccount:              r.Account.ID,
		PrincipalInManagementAccount: p.side.mgmt,
		ResourceInManagementAccount:  r.Account.Management,
	}}
}

// newGitHubCI is the GitHub Actions OIDC principal presenting the
// subjects of the layout's repository, branches and environments.
func newGitHubCI(g *layout.GitHubCI) *Principal {
	subs := GitHubSubjects(g)
	return &Principal{Kind: CI, Name: "ci", subjects: subs,
		Policies: []string{"GitHub Actions OIDC: " + strings.Join(subs, ", ")}}
}

// assumeKey identifies an assumption decision up to the role's account.
// Two roles with the same name, trust policy, RCP chain and management flag,
// in accounts that are both other than the caller's, get the same decision
// from the same caller unless a policy of the joint set names one of their
// account ids: the id then only appears in the role's ARN and the resource
// account, matched by wildcards. account is set when that does not hold.
type assumeKey struct {
	p       int
	trust   *policy.Compiled
	rcps    *policy.OrgLevel
	name    string
	mgmt    bool
	same    bool
	account string
}

// assume decides whether p may assume r: the best decision over the
// requests p can make.
func (m *Model) assume(p, r *Principal) policy.Decision {
	k := assumeKey{p: p.index, trust: r.trust, name: r.Name, mgmt: r.Account.Management,
		same: p.Account == r.Account}
	if len(r.side.rcps) > 0 {
		k.rcps = &r.side.rcps[0]
	}
	if k.same || p.Kind == CI || m.accountIDs(r.trust)[r.Account.ID] || usesVariables(r.trust.Policy) ||
		!p.side.agnostic || p.side.ids[r.Account.ID] || (len(r.side.rcps) > 0 && (r.side.ids[r.Account.ID] || !r.side.agnostic)) {
		// The CI principal's identity (the OIDC provider) is in the role's
		// account: never shared.
		k.account = r.Account.ID
	}
	if d, ok := m.assumes[k]; ok {
		return d
	}
	d := m.evalAssume(p, r)
	m.assumes[k] = d
	return d
}

// usesVariables reports whether a policy uses a policy variable anywhere.
func usesVariables(p *policy.Policy) bool {
	if p == nil {
		return false
	}
	for _, st := range p.Statements {
		strs := append([]string(nil), st.Resources...)
		for _, c := range st.Conditions {
			strs = append(strs, c.Values...)
		}
		for _, s := range strs {
			if strings.Contains(s, "${") {
				return true
			}
		}
	}
	return false
}

func (m *Model) evalAssume(p, r *Principal) policy.Decision {
	set, reqs := m.assumeRequests(p, r)
	best := policy.Decision{Result: policy.ImplicitlyDenied}
	for _, req := range reqs {
		best = better(best, set.Evaluate(req))
	}
	return best
}

// explainAssume explains the first (or the allowing) request of p assuming r.
func (m *Model) explainAssume(p, r *Principal) (policy.Decision, *policy.Explanation) {
	set, reqs := m.assumeRequests(p, r)
	var d policy.Decision
	var ex *policy.Explanation
	for i, req := range reqs {
		di, exi := set.Explain(req)
		if i == 0 || better(d, di).Result != d.Result || (d.Condition != nil && di.Condition == nil && di.Result == policy.Allowed) {
			d, ex = di, exi
		}
	}
	return d, ex
}

// better returns the more permissive decision: allowed beats allowed under
// a condition beats denied.
func better(a, b policy.Decision) policy.Decision {
	rank := func(d policy.Decision) int {
		switch {
		case d.Result == policy.Allowed && d.Condition == nil:
			return 3
		case d.Result == policy.Allowed:
			return 2
		case d.Result == policy.ImplicitlyDenied:
			return 1
		}
		return 0
	}
	if rank(b) > rank(a) {
		return b
	}
	return a
}

// reach is the set of principals reachable from one, with a shortest chain
// to each: definite chains first, chains with conditions only where no
// definite one exists.
type reach struct {
	from   int
	parent map[int]int      // principal -> previous principal on the chain
	conds  map[int][]string // principal -> conditions of its chain
	order  []int            // reached principals in BFS order, from first
}

// reachFrom computes what p reaches, never passing through a principal for
// which skip returns true (skip may be nil). Results without skip are cached.
func (m *Model) reachFrom(p *Principal, skip func(*Principal) bool) *reach {
	if skip == nil {
		if r, ok := m.reachAll[p.index]; ok {
			return r
		}
	}
	r := &reach{from: p.index, parent: map[int]int{p.index: -1}, conds: map[int][]string{p.index: nil}, order: []int{p.index}}
	for _, definiteOnly := range []bool{true, false} {
		queue := append([]int(nil), r.order...)
		for len(queue) > 0 {
			cur := queue[0]
			queue = queue[1:]
			for _, e := range m.out[cur] {
				if _, ok := r.parent[e.to]; ok {
					continue
				}
				if definiteOnly && (len(e.conditions) > 0 || len(r.conds[cur]) > 0) {
					continue
				}
				if skip != nil && skip(m.Principals[e.to]) {
					continue
				}
				r.parent[e.to] = cur
				r.conds[e.to] = appendUnique(r.conds[cur], e.conditions)
				r.order = append(r.order, e.to)
				queue = append(queue, e.to)
			}
		}
	}
	if skip == nil {
		m.reachAll[p.index] = r
	}
	return r
}

// chain returns the principals from the start to q.
func (r *reach) chain(m *Model, q int) []*Principal {
	var out []*Principal
	for cur := q; cur >= 0; cur = r.parent[cur] {
		out = append(out, m.Principals[cur])
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

func appendUnique(a, b []string) []string {
	if len(b) == 0 {
		return a
	}
	out := append([]string(nil), a...)
	for _, s := range b {
		dup := false
		for _, t := range out {
			dup = dup || s == t
		}
		if !dup {
			out = append(out, s)
		}
	}
	return out
}
