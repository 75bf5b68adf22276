package access

import (
	"fmt"
	"strings"

	"github.com/bulkhead-dev/bulkhead/internal/actions"
	"github.com/bulkhead-dev/bulkhead/internal/policy"
)

// Access is what a question asks about: a class of actions, or the actions
// matching one pattern ("s3:Put*", "iam:CreateRole").
type Access struct {
	Class   actions.Class // None when Pattern is set
	Pattern string
}

// ParseAccess reads "read", "write", "admin" or SERVICE:ACTION (globs allowed).
func ParseAccess(s string) (Access, error) {
	if c, ok := actions.ParseClass(s); ok {
		return Access{Class: c}, nil
	}
	svc, name, ok := strings.Cut(s, ":")
	if !ok || svc == "" || name == "" || strings.ContainsAny(svc, "*?") {
		return Access{}, fmt.Errorf("%q is not an access: want read, write, admin or SERVICE:ACTION such as s3:PutObject", s)
	}
	return Access{Pattern: s}, nil
}

func (a Access) String() string {
	if a.Pattern != "" {
		return a.Pattern
	}
	return a.Class.String()
}

// actions returns the catalog actions an access covers. Write covers the
// admin actions too: changing who can do what is a write.
func (m *Model) actionsFor(a Access) []actions.Action {
	if a.Pattern != "" {
		return m.catalog.Match(a.Pattern)
	}
	var acts []actions.Action
	for _, name := range representative(a.Class) {
		acts = append(acts, m.catalog.Match(name)...)
	}
	acts = append(acts, m.catalog.OfClass(a.Class)...)
	if a.Class == actions.Write {
		acts = append(acts, m.catalog.OfClass(actions.Admin)...)
	}
	return acts
}

// representative are tried first: the actions people recognize, so that
// answers name them when they are allowed (the rest of the class is tried
// after them, so nothing is missed).
func representative(c actions.Class) []string {
	switch c {
	case actions.Read:
		return []string{"s3:GetObject", "ec2:DescribeInstances", "dynamodb:GetItem", "logs:GetLogEvents"}
	case actions.Write:
		return []string{"s3:PutObject", "dynamodb:PutItem", "lambda:CreateFunction", "ec2:RunInstances", "cloudformation:CreateStack"}
	case actions.Admin:
		return []string{"iam:CreateRole", "iam:AttachRolePolicy", "iam:PutRolePolicy", "iam:PassRole", "iam:CreateUser"}
	}
	return nil
}

// State is the answer to "may it": no, yes, or only if a condition holds.
type State int

// States.
const (
	No State = iota
	Conditional
	Yes
)

func (s State) String() string {
	switch s {
	case Yes:
		return "yes"
	case Conditional:
		return "conditional"
	}
	return "no"
}

// Grant is what one principal may do in its own account: the state, and for
// yes or conditional the action and resource that show it.
type Grant struct {
	State      State
	Action     string
	Resource   string
	Conditions []string
}

// classKey identifies a grant computation. Two principals with the same
// side (the same identity policies, boundary, SCP and RCP chains and
// management flag) and the same name and kind get the same decision for
// the same action in their own accounts whenever the side is agnostic (no
// policy names an account id or uses a variable): the account id then
// only appears in the request's ARNs, where every pattern that could match
// it is a wildcard. So the grant is cached per (side, kind, name, access),
// with the account added when the side is not agnostic, and without the
// name when no condition of the side reads a key that tells principals
// apart (nameAgnostic). Witness resources come from the side's policies
// with the account put in, so they follow the same renaming.
type classKey struct {
	side    *side
	kind    PrincipalKind
	name    string
	account string
	access  Access
}

// grant answers whether q may perform the access on some resource of its
// own account.
func (m *Model) grant(q *Principal, a Access) Grant {
	if q.Kind == CI || q.side == nil {
		return Grant{} // the OIDC identity has no permissions of its own
	}
	k := classKey{side: q.side, kind: q.Kind, name: q.Name, access: a}
	if q.side.nameAgnostic {
		k.name = ""
	}
	if !q.side.agnostic {
		k.account = q.Account.ID
	}
	if g, ok := m.classes[k]; ok {
		g.Resource = strings.ReplaceAll(g.Resource, accountPlaceholder, q.Account.ID)
		return g
	}
	g := m.computeGrant(q, a)
	c := g
	c.Resource = strings.ReplaceAll(c.Resource, q.Account.ID, accountPlaceholder)
	m.classes[k] = c
	return g
}

// accountPlaceholder stands for the account id in cached witness resources.
const accountPlaceholder = "\x00account\x00"

func (m *Model) computeGrant(q *Principal, a Access) Grant {
	best := Grant{}
	var svc string
	var witnesses []string
	for _, act := range m.actionsFor(a) {
		if act.Service != svc {
			svc = act.Service
			witnesses = m.witnesses(q, svc)
		}
		for _, w := range witnesses {
			req := m.request(q, act.String(), w)
			d := q.side.set.Evaluate(req)
			if d.Result != policy.Allowed {
				continue
			}
			if d.Condition == nil {
				return Grant{State: Yes, Action: act.String(), Resource: w}
			}
			if best.State == No {
				best = Grant{State: Conditional, Action: act.String(), Resource: w, Conditions: d.Conditional()}
			}
		}
	}
	return best
}

// request is q calling an action on a resource of its own account.
func (m *Model) request(q *Principal, action, resource string) *policy.Request {
	return &policy.Request{
		Principal:                    q.caller(),
		Action:                       action,
		Resource:                     resource,
		ResourceAccount:              q.Account.ID,
		PrincipalInManagementAccount: q.side.mgmt,
		ResourceInManagementAccount:  q.Account.Management,
	}
}

// witnesses are the resources tried for a service: "*" and the resource
// patterns of q's own Allow statements that can name a resource of its
// account, with wildcard accounts and regions put in it. A pattern is a
// resource name too: "arn:aws:iam::A:role/*" stands for a role whose name
// no Deny pattern narrower than role/* matches, which exists whenever such
// a Deny leaves any role allowed.
func (m *Model) witnesses(q *Principal, svc string) []string {
	out := []string{"*"}
	seen := map[string]bool{"*": true}
	for _, ps := range [][]*policy.Compiled{q.side.identity, q.side.boundary} {
		for _, c := range ps {
			for _, st := range c.Policy.Statements {
				if st.Effect != policy.Allow || st.NotResource || !st.HasResource {
					continue
				}
				for _, r := range st.Resources {
					if w, ok := m.witness(r, svc, q.Account.ID); ok && !seen[w] {
						seen[w] = true
						out = append(out, w)
					}
				}
			}
		}
	}
	return out
}

func (m *Model) witness(pattern, svc, account string) (string, bool) {
	if pattern == "*" || strings.Contains(pattern, "${") {
		return "", false
	}
	parts := strings.SplitN(pattern, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" {
		return "", false
	}
	if !actionsGlob(strings.ToLower(parts[2]), svc) {
		return "", false
	}
	parts[2] = svc
	switch {
	case parts[4] == "":
	case strings.ContainsAny(parts[4], "*?"):
		if !actionsGlob(parts[4], account) {
			return "", false
		}
		parts[4] = account
	case parts[4] != account:
		return "", false
	}
	if strings.ContainsAny(parts[3], "*?") && actionsGlob(parts[3], m.region) {
		parts[3] = m.region
	}
	return strings.Join(parts, ":"), true
}

// actionsGlob matches s against a pattern with * and ?.
func actionsGlob(p, s string) bool {
	if p == "*" {
		return true
	}
	if len(p) == 0 {
		return len(s) == 0
	}
	switch p[0] {
	case '*':
		for i := 0; i <= len(s); i++ {
			if actionsGlob(p[1:], s[i:]) {
				return true
			}
		}
		return false
	case '?':
		return len(s) > 0 && actionsGlob(p[1:], s[1:])
	}
	return len(s) > 0 && p[0] == s[0] && actionsGlob(p[1:], s[1:])
}

// Level is the highest class a principal holds in its own account, with the
// highest class it holds only under a condition.
type Level struct {
	Definite    actions.Class
	Conditional actions.Class // > Definite when a higher class holds only under a condition
}

func (l Level) String() string {
	s := l.Definite.String()
	if l.Conditional > l.Definite {
		s += " (" + l.Conditional.String() + " if a condition holds)"
	}
	return s
}

// level computes q's Level.
func (m *Model) level(q *Principal) Level {
	var lv Level
	for _, c := range []actions.Class{actions.Admin, actions.Write, actions.Read} {
		g := m.grant(q, Access{Class: c})
		if g.State == Yes {
			lv.Definite = c
			break
		}
		if g.State == Conditional && lv.Conditional == actions.None {
			lv.Conditional = c
		}
	}
	if lv.Conditional <= lv.Definite {
		lv.Conditional = actions.None
	}
	return lv
}
