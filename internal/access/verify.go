package access

import (
	"fmt"
	"strings"

	"github.com/bulkhead-dev/bulkhead/internal/actions"
	"github.com/bulkhead-dev/bulkhead/internal/diag"
	"github.com/bulkhead-dev/bulkhead/internal/layout"
)

// Report is the outcome of verifying a layout's invariants.
type Report struct {
	Invariants []InvariantResult `json:"invariants"`
	Violations int               `json:"violations"`
}

// OK reports whether every invariant holds.
func (r *Report) OK() bool { return r.Violations == 0 }

// InvariantResult is one invariant and what breaks it.
type InvariantResult struct {
	Invariant  string      `json:"invariant"`
	Pos        diag.Pos    `json:"pos"`
	Holds      bool        `json:"holds"`
	Violations []Violation `json:"violations"`
	// Notes say what could not be checked: on a live organization, a
	// subject the layout names that does not exist there (yet).
	Notes []string `json:"notes,omitempty"`
}

// Violation is one principal and account that break an invariant, with the
// chain that does it ("cannot" and "only") or the layer that blocks what
// must be possible ("can").
type Violation struct {
	Principal string   `json:"principal"`
	Account   string   `json:"account"`
	Result    string   `json:"result"` // what the principal has: yes, conditional, no
	Chain     []string `json:"chain,omitempty"`
	Action    string   `json:"action,omitempty"`
	Resource  string   `json:"resource,omitempty"`
	Statement string   `json:"statement,omitempty"`
	If        []string `json:"if,omitempty"`
	Reason    string   `json:"reason"`
}

// Verify builds the model of a layout and checks its invariants: what
// `bulkhead access verify` prints, and what plan checks before apply.
func Verify(l *layout.Layout, opts Options) (*Report, error) {
	m, err := Build(l, opts)
	if err != nil {
		return nil, err
	}
	return m.Verify(l.Invariants)
}

// Verify checks invariants against the model. A conditional answer breaks
// "cannot" (the access is possible when the condition holds) and "can" (it
// is not assured): an invariant holds only when it is proven.
func (m *Model) Verify(invs []*layout.Invariant) (*Report, error) {
	rep := &Report{Invariants: []InvariantResult{}}
	for _, inv := range invs {
		res := InvariantResult{Invariant: inv.Source.Value, Pos: inv.Source.Pos, Violations: []Violation{}}
		vs, notes, err := m.check(inv)
		res.Notes = notes
		if err != nil {
			return nil, fmt.Errorf("%s: invariant %q: %w", inv.Source.Pos, inv.Source.Value, err)
		}
		res.Violations = append(res.Violations, vs...)
		res.Holds = len(vs) == 0
		rep.Violations += len(vs)
		rep.Invariants = append(rep.Invariants, res)
	}
	return rep, nil
}

func (m *Model) check(inv *layout.Invariant) (out []Violation, notes []string, err error) {
	a := Access{Pattern: inv.Access.Action}
	if inv.Access.Class != "" {
		c, ok := actions.ParseClass(string(inv.Access.Class))
		if !ok {
			return nil, nil, fmt.Errorf("unknown access class %q", inv.Access.Class)
		}
		a = Access{Class: c}
	}
	if a.Pattern != "" && len(m.actionsFor(a)) == 0 {
		return nil, nil, fmt.Errorf("no action of the catalog matches %s", a.Pattern)
	}
	tgt := Target{Kind: inv.Target.Kind, Name: inv.Target.Name}
	accts, err := m.AccountsOf(tgt)
	if err != nil {
		// No account of the target: nobody can do anything there, which
		// proves "cannot" and "only" and disproves "can".
		if inv.Can && !inv.Only {
			return []Violation{{Principal: "", Account: tgt.String(), Result: "no", Reason: err.Error()}}, nil, nil
		}
		return nil, []string{err.Error() + ": nothing to check"}, nil
	}
	var subjects []*Principal
	for _, s := range inv.Subjects {
		ps, err := m.subject(s)
		if err != nil && m.live {
			// What the layout names may not be applied yet.
			notes = append(notes, err.Error()+": nothing to check for it")
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		subjects = append(subjects, ps...)
	}
	if inv.Only {
		isSubject := map[int]bool{}
		for _, p := range subjects {
			isSubject[p.index] = true
		}
		skip := func(q *Principal) bool { return isSubject[q.index] }
		for _, p := range m.entries() {
			if isSubject[p.index] {
				continue
			}
			r := m.reachFrom(p, skip)
			for _, acct := range accts {
				if f := m.can(p, a, acct, r, false); f.state != No {
					out = append(out, m.violation(f, "reaches the access without any of the invariant's subjects"))
				}
			}
		}
		return out, notes, nil
	}
	if inv.Can {
		// "role:R can ..." speaks of the instance of R in each target
		// account: it must exist there and have the access.
		for _, s := range inv.Subjects {
			if s.Kind != layout.SubjectRole || strings.Contains(s.Name, "@") || len(m.roles[s.Name]) == 0 {
				continue
			}
			for _, acct := range accts {
				if m.roleIn(s.Name, acct) == nil {
					out = append(out, Violation{Principal: "role:" + s.Name, Account: acct.Name, Result: "no",
						Reason: fmt.Sprintf("role %s does not exist in %s (its kind %s has no policy for it)", s.Name, acct.Name, acct.Kind)})
				}
			}
		}
	}
	for _, p := range subjects {
		r := m.reachFrom(p, nil)
		for _, acct := range accts {
			if inv.Can && p.Kind == Role && p.Account != acct && isRoleSubject(inv, p) {
				continue
			}
			f := m.can(p, a, acct, r, false)
			switch {
			case !inv.Can && f.state != No:
				why := "can " + a.String() + " " + acct.Name
				if f.state == Conditional {
					why += " if " + strings.Join(f.If, " and ")
				}
				out = append(out, m.violation(f, why))
			case inv.Can && f.state != Yes:
				f = m.can(p, a, acct, r, true)
				v := m.violation(f, "cannot "+a.String()+" "+acct.Name)
				if f.state == Conditional {
					v.Reason = "only if " + strings.Join(f.If, " and ")
				} else {
					var parts []string
					for _, b := range f.Blocked {
						parts = append(parts, b.Principal+": "+b.Reason)
					}
					if len(parts) > 0 {
						v.Reason += ": " + strings.Join(parts, "; ")
					}
				}
				out = append(out, v)
			}
		}
	}
	return out, notes, nil
}

// isRoleSubject reports whether p is an instance of a role subject named
// without its account.
func isRoleSubject(inv *layout.Invariant, p *Principal) bool {
	for _, s := range inv.Subjects {
		if s.Kind == layout.SubjectRole && s.Name == p.Name {
			return true
		}
	}
	return false
}

func (m *Model) violation(f Finding, reason string) Violation {
	v := Violation{Principal: f.Principal, Account: f.Account, Result: f.Result, Chain: f.Chain,
		Action: f.Action, Resource: f.Resource, If: f.If, Reason: reason}
	if f.by != nil {
		v.Statement = m.allowingStatement(f.by, f.Action, f.Resource)
	}
	return v
}

// subject resolves an invariant subject to principals.
func (m *Model) subject(s layout.Subject) ([]*Principal, error) {
	switch s.Kind {
	case layout.SubjectCI:
		if m.CI == nil {
			return nil, fmt.Errorf("the layout has no ci principal")
		}
		return []*Principal{m.CI}, nil
	case layout.SubjectDevelopers:
		var out []*Principal
		for _, d := range m.Developers {
			if p := m.users[d]; p != nil {
				out = append(out, p)
			}
		}
		return out, nil
	case layout.SubjectAnyone:
		return m.entries(), nil
	case layout.SubjectUser, layout.SubjectGroup, layout.SubjectRole:
		return m.ParsePrincipal(string(s.Kind) + ":" + s.Name)
	}
	return nil, fmt.Errorf("unknown subject kind %q", s.Kind)
}
