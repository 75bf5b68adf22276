package policy

import "strings"

// Grant levels: how specifically a resource-based policy named the caller.
// Within one account AWS lets a resource policy that names the user or the
// role session grant on its own, one that names the role grant within the
// boundary and session policy, and one that names the account only
// delegate to the account's identity policies.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
const (
	levelNone = iota
	levelAccount
	levelRole
	levelDirect
	numLevels
)

// level returns how the Principal element names the caller.
func (cp *cprincipal) level(r *Request) int {
	p := &r.p
	best := levelNone
	up := func(l int) {
		if l > best {
			best = l
		}
	}
	if cp.all {
		switch p.typ {
		case PrincipalAssumedRole, PrincipalRole:
			up(levelRole)
		default:
			up(levelDirect)
		}
	}
	switch p.typ {
	case PrincipalUser, PrincipalAssumedRole, PrincipalRole, PrincipalRoot, PrincipalFederatedUser:
		if containsString(cp.accounts, p.account) {
			if p.typ == PrincipalRoot {
				up(levelDirect)
			} else {
				up(levelAccount)
			}
		}
	}
	switch p.typ {
	case PrincipalUser:
		for _, u := range cp.users {
			if u.account == p.account && u.name == p.name {
				up(levelDirect)
			}
		}
	case PrincipalAssumedRole, PrincipalRole:
		for _, ro := range cp.roles {
			if ro.account == p.account && ro.name == p.name {
				up(levelRole)
			}
		}
		if p.typ == PrincipalAssumedRole && containsString(cp.sessions, r.Principal) {
			up(levelDirect)
		}
	case PrincipalFederatedUser:
		if containsString(cp.fedUsers, r.Principal) {
			up(levelDirect)
		}
	case PrincipalService, PrincipalUnknown:
		if containsString(cp.others, r.Principal) {
			up(levelDirect)
		}
	}
	return best
}

// exempt reports whether a NotPrincipal list exempts the caller. AWS checks
// each identity in the caller's chain (the account, then the role, then
// the session), so every one of them must be listed; and a caller with a
// permissions boundary is never exempt.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
func (cp *cprincipal) exempt(r *Request, hasBoundary bool) bool {
	if cp.all {
		return true
	}
	p := &r.p
	switch p.typ {
	case PrincipalUser, PrincipalAssumedRole, PrincipalRole, PrincipalFederatedUser:
		if hasBoundary {
			return false
		}
	}
	accountListed := containsString(cp.accounts, p.account)
	switch p.typ {
	case PrincipalRoot:
		return accountListed
	case PrincipalUser:
		if !accountListed {
			return false
		}
		for _, u := range cp.users {
			if u.account == p.account && u.name == p.name {
				return true
			}
		}
		return false
	case PrincipalAssumedRole, PrincipalRole:
		roleListed := false
		for _, ro := range cp.roles {
			if ro.account == p.account && ro.name == p.name {
				roleListed = true
			}
		}
		if !accountListed || !roleListed {
			return false
		}
		return p.typ == PrincipalRole || containsString(cp.sessions, r.Principal)
	case PrincipalFederatedUser:
		return accountListed && containsString(cp.fedUsers, r.Principal)
	case PrincipalService, PrincipalUnknown:
		return containsString(cp.others, r.Principal)
	}
	return false
}

// matchStmt evaluates whether st applies to the request, and at which grant
// level its Principal names the caller.
// The caller has matched the action (see entry.match).
func (r *Request) matchStmt(st *cstmt, hasBoundary bool) (tv, int) {
	res := tvTrue
	if st.hasRes && !st.anyRes {
		res = r.matchResources(st)
		if res.t == triFalse {
			return tvFalse, levelNone
		}
	}
	level := levelDirect
	if cp := st.principal; cp != nil {
		if cp.not {
			if cp.exempt(r, hasBoundary) {
				return tvFalse, levelNone
			}
		} else if level = cp.level(r); level == levelNone {
			return tvFalse, levelNone
		}
	}
	for _, c := range st.conds {
		res = tvAnd(res, r.evalCond(c))
		if res.t == triFalse {
			return tvFalse, levelNone
		}
	}
	return res, level
}

// matchResources evaluates the Resource or NotResource element.
func (r *Request) matchResources(st *cstmt) tv {
	any := tvFalse
	for i := range st.resources {
		rp := &st.resources[i]
		if rp.vars == nil {
			if rp.pat.match(&r.res) {
				any = tvTrue
				break
			}
			continue
		}
		s, state := r.substitute(rp.vars, true)
		switch state {
		case keyUnknown:
			any = tvOr(any, tv{t: triUnknown, e: &Expr{Op: ExprText, Text: "resource " + r.res.raw + " matches " + describeVars(rp.vars)}})
		case keyPresent:
			pat := compileARNPattern(s)
			if pat.match(&r.res) {
				any = tvTrue
			}
		}
		if any.t == triTrue {
			break
		}
	}
	if st.notRes {
		return tvNot(any)
	}
	return any
}

// describeVars renders a pattern with variables as written.
func describeVars(parts []varPart) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, p := range parts {
		if p.key == "" {
			b.WriteString(strings.ReplaceAll(p.lit, string(rune(litEscape)), ""))
		} else {
			b.WriteString(p.original)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
