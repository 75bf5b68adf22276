package access

import (
	"fmt"
	"sort"
	"strings"

	"github.com/bulkhead-dev/bulkhead/internal/diag"
	"github.com/bulkhead-dev/bulkhead/internal/layout"
	"github.com/bulkhead-dev/bulkhead/internal/policy"
)

// Target is a set of accounts: account:NAME, kind:KIND, unit:PATH (with
// its sub-units) or * (every account).
type Target struct {
	Kind layout.TargetKind
	Name string
}

func (t Target) String() string {
	if t.Kind == layout.TargetAll {
		return "*"
	}
	return string(t.Kind) + ":" + t.Name
}

// ParseTarget reads a target.
func ParseTarget(s string) (Target, error) {
	if s == "*" {
		return Target{Kind: layout.TargetAll}, nil
	}
	k, name, ok := strings.Cut(s, ":")
	switch layout.TargetKind(k) {
	case layout.TargetAccount, layout.TargetOfKind, layout.TargetUnit:
		if ok && name != "" {
			return Target{Kind: layout.TargetKind(k), Name: strings.Trim(name, "/")}, nil
		}
	}
	return Target{}, fmt.Errorf("%q is not a target: want account:NAME, kind:KIND, unit:PATH or *", s)
}

// AccountsOf resolves a target, in layout order.
func (m *Model) AccountsOf(t Target) ([]*Account, error) {
	var out []*Account
	var names []string
	for _, a := range m.Accounts {
		switch t.Kind {
		case layout.TargetAll:
			out = append(out, a)
		case layout.TargetAccount:
			names = append(names, a.Name)
			if a.Name == t.Name {
				out = append(out, a)
			}
		case layout.TargetOfKind:
			names = append(names, string(a.Kind))
			if string(a.Kind) == t.Name {
				out = append(out, a)
			}
		case layout.TargetUnit:
			names = append(names, a.Unit)
			if a.Unit == t.Name || strings.HasPrefix(a.Unit, t.Name+"/") {
				out = append(out, a)
			}
		}
	}
	if len(out) == 0 {
		msg := fmt.Sprintf("%s matches no account of the layout", t)
		if s := diag.Suggest(t.Name, names); s != "" {
			msg += fmt.Sprintf(" (did you mean %s:%s?)", t.Kind, s)
		}
		return nil, fmt.Errorf("%s", msg)
	}
	return out, nil
}

// ParsePrincipal reads user:NAME, group:NAME, role:NAME[@ACCOUNT] or ci,
// and returns the principals it names (a group's members; a role in every
// account that has it, or in one).
func (m *Model) ParsePrincipal(s string) ([]*Principal, error) {
	if s == "ci" {
		if m.CI == nil {
			return nil, fmt.Errorf("the layout has no ci principal (add a ci section)")
		}
		return []*Principal{m.CI}, nil
	}
	k, name, ok := strings.Cut(s, ":")
	if !ok || name == "" {
		return nil, fmt.Errorf("%q is not a principal: want user:NAME, group:NAME, role:NAME[@ACCOUNT] or ci", s)
	}
	switch k {
	case "user":
		if p := m.users[name]; p != nil {
			return []*Principal{p}, nil
		}
		return nil, m.unknown("user", name, keys(m.users))
	case "group":
		members, ok := m.Groups[name]
		if !ok {
			return nil, m.unknown("group", name, keys(m.Groups))
		}
		var out []*Principal
		for _, u := range members {
			if p := m.users[u]; p != nil {
				out = append(out, p)
			}
		}
		return out, nil
	case "role":
		role, acct, hasAcct := strings.Cut(name, "@")
		ps := m.roles[role]
		if len(ps) == 0 {
			return nil, m.unknown("role", role, keys(m.roles))
		}
		if !hasAcct {
			return ps, nil
		}
		for _, p := range ps {
			if p.Account.Name == acct {
				return []*Principal{p}, nil
			}
		}
		var accts []string
		for _, p := range ps {
			accts = append(accts, p.Account.Name)
		}
		return nil, fmt.Errorf("role %s does not exist in account %q; it exists in %s", role, acct, strings.Join(accts, ", "))
	}
	return nil, fmt.Errorf("%q is not a principal: want user:NAME, group:NAME, role:NAME[@ACCOUNT] or ci", s)
}

func (m *Model) unknown(what, name string, names []string) error {
	where := "the layout"
	if m.live {
		where = "the live organization"
	}
	msg := fmt.Sprintf("no %s %q in %s", what, name, where)
	if s := diag.Suggest(name, names); s != "" {
		msg += fmt.Sprintf(" (did you mean %s:%s?)", what, s)
	}
	return fmt.Errorf("%s", msg)
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Finding is the answer for one principal in one account.
type Finding struct {
	Principal string    `json:"principal"`
	Account   string    `json:"account"`
	Result    string    `json:"result"` // yes, no, conditional
	Chain     []string  `json:"chain,omitempty"`
	Action    string    `json:"action,omitempty"`
	Resource  string    `json:"resource,omitempty"`
	Statement string    `json:"statement,omitempty"` // policy and statement that allow
	If        []string  `json:"if,omitempty"`
	Blocked   []Blocker `json:"blocked,omitempty"` // when no: why each principal of the account does not grant it
	state     State
	by        *Principal
}

// Blocker says why a principal of the target account does not give the
// access: unreachable (the layer that refuses the assumption) or reachable
// without the permission.
type Blocker struct {
	Principal string   `json:"principal"`
	Reachable bool     `json:"reachable"`
	Chain     []string `json:"chain,omitempty"`
	Reason    string   `json:"reason"`
}

// can answers for one starting principal and one account.
func (m *Model) can(p *Principal, a Access, acct *Account, r *reach, explain bool) Finding {
	f := Finding{Principal: p.ID(), Account: acct.Name, Result: "no"}
	for _, qi := range r.order {
		q := m.Principals[qi]
		if q.Account != acct {
			continue
		}
		g := m.grant(q, a)
		if g.State == No {
			continue
		}
		conds := appendUnique(r.conds[qi], g.Conditions)
		st := g.State
		if len(conds) > 0 {
			st = Conditional
		}
		if st > f.state {
			f.state, f.by = st, q
			f.Result, f.Action, f.Resource, f.If = st.String(), g.Action, g.Resource, conds
			f.Chain = ids(r.chain(m, qi))
			if st == Yes {
				break
			}
		}
	}
	if !explain {
		return f
	}
	if f.by != nil {
		f.Statement = m.allowingStatement(f.by, f.Action, f.Resource)
		return f
	}
	f.Blocked = m.blockers(p, a, acct, r)
	return f
}

func ids(ps []*Principal) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.ID()
	}
	return out
}

// allowingStatement names the identity statement that allows a request.
func (m *Model) allowingStatement(q *Principal, action, resource string) string {
	_, ex := q.side.set.Explain(m.request(q, action, resource))
	for _, l := range ex.Layers {
		if l.Layer != "identity policies" {
			continue
		}
		for _, s := range l.Statements {
			if s.Effect == "Allow" {
				return s.Policy + " " + s.Statement
			}
		}
	}
	return ""
}

// blockers explains, for each principal of the account, why it does not
// give p the access.
func (m *Model) blockers(p *Principal, a Access, acct *Account, r *reach) []Blocker {
	var out []Blocker
	for _, q := range m.Principals {
		if q.Account != acct || q.Kind == GroupMember || (q.Kind == User && q != p) {
			continue
		}
		if _, ok := r.parent[q.index]; ok {
			out = append(out, Blocker{Principal: q.ID(), Reachable: true, Chain: ids(r.chain(m, q.index)),
				Reason: m.whyNot(q, a)})
			continue
		}
		out = append(out, Blocker{Principal: q.ID(), Reason: m.whyUnreachable(q, r)})
	}
	return out
}

// whyNot says why a reachable principal does not have the access: the
// layer that blocks an action its identity policies allow, or that no
// identity policy allows any.
func (m *Model) whyNot(q *Principal, a Access) string {
	if q.Kind == CI {
		return "the OIDC identity has no permissions of its own"
	}
	idOnly := policy.NewSet(policy.Layers{Identity: q.side.identity})
	for _, act := range m.actionsFor(a) {
		for _, w := range m.witnesses(q, act.Service) {
			req := m.request(q, act.String(), w)
			if idOnly.Evaluate(req).Result != policy.Allowed {
				continue
			}
			d, ex := q.side.set.Explain(m.request(q, act.String(), w))
			if d.Result == policy.Allowed {
				continue
			}
			return fmt.Sprintf("%s on %s is allowed by its identity policies but %s", act, w, blockText(ex))
		}
	}
	return fmt.Sprintf("its identity policies (%s) allow no %s action", strings.Join(q.Policies, ", "), a)
}

// whyUnreachable explains the refusal of the first attempt to assume q by
// a reached principal its trust policy names.
func (m *Model) whyUnreachable(q *Principal, r *reach) string {
	if q.trust == nil {
		return "not reachable: it is another user"
	}
	cands := map[int]bool{}
	for _, c := range m.candidates(q) {
		cands[c.index] = true
	}
	for _, pi := range r.order {
		if !cands[pi] {
			continue
		}
		p := m.Principals[pi]
		_, ex := m.explainAssume(p, q)
		return fmt.Sprintf("%s may not assume it: %s", p.ID(), blockText(ex))
	}
	return "its trust policy admits none of the principals reached (" + m.trustSummary(q) + ")"
}

func (m *Model) trustSummary(q *Principal) string {
	var who []string
	for _, st := range q.trust.Policy.Statements {
		if st.Principal == nil || st.Effect != policy.Allow {
			continue
		}
		for _, e := range st.Principal.Entries {
			who = append(who, m.describePrincipal(e.Value))
		}
	}
	return "it trusts " + strings.Join(who, ", ")
}

// describePrincipal names a trust policy principal in the layout's terms.
func (m *Model) describePrincipal(v string) string {
	if p := m.byARN[v]; p != nil {
		return p.ID()
	}
	if strings.HasSuffix(v, ":oidc-provider/"+OIDCProviderHost) {
		return "ci (GitHub Actions OIDC)"
	}
	parts := strings.SplitN(v, ":", 6)
	if len(parts) == 6 && parts[5] == "root" {
		for _, a := range m.Accounts {
			if a.ID == parts[4] {
				return "the principals of account " + a.Name + " that its policies allow"
			}
		}
	}
	return v
}

func blockText(ex *policy.Explanation) string {
	if ex == nil || len(ex.BlockedBy) == 0 {
		return "denied"
	}
	var parts []string
	for _, b := range ex.BlockedBy {
		parts = append(parts, "blocked by "+b.Layer+": "+b.Reason)
	}
	return strings.Join(parts, "; ")
}

// Answer is the answer to `access can`.
type Answer struct {
	Principal string    `json:"principal"`
	Access    string    `json:"access"`
	Target    string    `json:"target"`
	Result    string    `json:"result"` // yes, no, conditional, or "partly" for a group
	Findings  []Finding `json:"findings"`
}

// Can answers whether principal (user:, group:, role:NAME[@ACCOUNT], ci) has
// the access on the target: yes when every principal it names has it in
// some account of the target (for a role without @ACCOUNT, some instance),
// with the chain, or the layer that blocks it.
func (m *Model) Can(principal string, a Access, t Target) (*Answer, error) {
	ps, err := m.ParsePrincipal(principal)
	if err != nil {
		return nil, err
	}
	accts, err := m.AccountsOf(t)
	if err != nil {
		return nil, err
	}
	if len(ps) == 0 {
		return nil, fmt.Errorf("%s has no members", principal)
	}
	if a.Pattern != "" && len(m.actionsFor(a)) == 0 {
		return nil, fmt.Errorf("no action of the catalog matches %s", a.Pattern)
	}
	ans := &Answer{Principal: principal, Access: a.String(), Target: t.String(), Findings: []Finding{}}
	role := strings.HasPrefix(principal, "role:") && len(ps) > 1
	states := map[State]int{}
	for _, p := range ps {
		r := m.reachFrom(p, nil)
		best := State(-1)
		for _, acct := range accts {
			f := m.can(p, a, acct, r, true)
			best = max(best, f.state)
			// An instance of a role named without its account speaks
			// for itself only where it lives or where it reaches.
			if role && f.state == No && p.Account != acct {
				continue
			}
			ans.Findings = append(ans.Findings, f)
		}
		states[best]++
	}
	switch {
	case role && states[Yes] > 0:
		ans.Result = "yes"
	case role && states[Conditional] > 0:
		ans.Result = "conditional"
	case states[Yes] == len(ps):
		ans.Result = "yes"
	case states[No] == len(ps):
		ans.Result = "no"
	case states[No] == 0:
		ans.Result = "conditional"
	default:
		ans.Result = "partly"
	}
	return ans, nil
}

// WhoCan lists the principals with the access on the target: people and
// the CI principal with the chain that gives it, then the roles that hold
// it themselves.
func (m *Model) WhoCan(a Access, t Target) ([]Finding, error) {
	accts, err := m.AccountsOf(t)
	if err != nil {
		return nil, err
	}
	if a.Pattern != "" && len(m.actionsFor(a)) == 0 {
		return nil, fmt.Errorf("no action of the catalog matches %s", a.Pattern)
	}
	out := []Finding{}
	for _, p := range m.entries() {
		r := m.reachFrom(p, nil)
		for _, acct := range accts {
			if f := m.can(p, a, acct, r, false); f.state != No {
				f.Statement = m.allowingStatement(f.by, f.Action, f.Resource)
				out = append(out, f)
			}
		}
	}
	for _, acct := range accts {
		for _, q := range m.Principals {
			if q.Kind != Role || q.Account != acct {
				continue
			}
			g := m.grant(q, a)
			if g.State == No {
				continue
			}
			out = append(out, Finding{Principal: q.ID(), Account: acct.Name, Result: g.State.String(), state: g.State,
				Action: g.Action, Resource: g.Resource, If: g.Conditions, Chain: []string{q.ID()},
				Statement: m.allowingStatement(q, g.Action, g.Resource)})
		}
	}
	return out, nil
}

// entries are the principals chains start from: the people and the CI
// principal. Account root users are outside the model: they are
// break-glass credentials, not principals the layout gives to anyone.
func (m *Model) entries() []*Principal {
	var out []*Principal
	for _, p := range m.Principals {
		if p.Kind == User || p == m.CI {
			out = append(out, p)
		}
	}
	return out
}
