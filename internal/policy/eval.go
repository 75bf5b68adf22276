package policy

// Result is the outcome of an authorization decision.
type Result int

// Results, named as the IAM policy simulator names them.
const (
	ImplicitlyDenied Result = iota
	Allowed
	ExplicitlyDenied
)

func (r Result) String() string {
	switch r {
	case Allowed:
		return "Allowed"
	case ExplicitlyDenied:
		return "ExplicitlyDenied"
	}
	return "ImplicitlyDenied"
}

// Decision is the answer to a Request. When Condition is nil the decision
// is definite. Otherwise Result is Allowed and holds only if Condition
// holds for the context keys the request did not know; if it does not, the
// request is denied.
type Decision struct {
	Result    Result
	Condition *Expr
}

// Allowed reports whether the request is allowed without conditions.
func (d Decision) Allowed() bool { return d.Result == Allowed && d.Condition == nil }

// Conditional lists the residual conditions, all of which must hold.
func (d Decision) Conditional() []string {
	var out []string
	for _, c := range d.Condition.Conjuncts() {
		out = append(out, c.String())
	}
	return out
}

// rcpServices apply: RCPs only govern these services' resources.
func rcpApplies(svc string) bool {
	for _, s := range rcpServices {
		if s == svc {
			return true
		}
	}
	return false
}

// Evaluate decides the request. It does not allocate when every condition
// key is known (ContextComplete, or all keys present) and no statement uses
// policy variables.
func (s *Set) Evaluate(r *Request) Decision {
	return s.eval(r, nil)
}

// Explain decides the request and says why.
func (s *Set) Explain(r *Request) (Decision, *Explanation) {
	ex := &Explanation{}
	d := s.eval(r, ex)
	return d, ex
}

// layerResult is what one layer says about the request.
type layerResult struct {
	allow [numLevels]tv // by grant level; non-resource layers use levelDirect
	any   tv            // OR of allow
	deny  tv
}

func (lr *layerResult) anyAllow() tv { return lr.any }

// evaluator carries one evaluation's state through the layers.
type evaluator struct {
	s           *Set
	r           *Request
	svcID       int
	hasBoundary bool
	ex          *Explanation
	deny        tv // OR of every applicable layer's denies
}

// run evaluates layer l into lr when it applies, and records it in the
// explanation either way.
func (ev *evaluator) run(l *layer, applies bool, why string, lr *layerResult) {
	var rep *LayerReport
	if ev.ex != nil {
		ev.ex.Layers = append(ev.ex.Layers, LayerReport{Kind: l.kind, Layer: l.name, ID: l.id, Applies: applies, Note: why})
		rep = &ev.ex.Layers[len(ev.ex.Layers)-1]
	}
	if !applies {
		return
	}
	ev.evalLayer(l, rep, lr)
	ev.deny = tvOr(ev.deny, lr.deny)
	if rep != nil {
		rep.Allows = describeTV(lr.anyAllow())
		rep.Denies = describeTV(lr.deny)
	}
}

// evalLayer evaluates the statements of one layer that can match. lr must
// be zero (every tv false) on entry.
func (ev *evaluator) evalLayer(l *layer, rep *LayerReport, lr *layerResult) {
	r := ev.r
	cands := l.candidates(ev.svcID)
	// Without an explanation to fill, once the layer definitely allows
	// only its denies matter; resource layers need every grant level.
	skipAllows := rep == nil && l.kind != LayerResource && l.kind != LayerTrust
	for i := range cands {
		e := &cands[i]
		if skipAllows && lr.any.t == triTrue && !e.deny {
			continue
		}
		if !e.match(r.lname, r.firstBit, r.lhead) {
			continue
		}
		st := e.st
		m, level := tvTrue, levelDirect
		if !e.always {
			m, level = r.matchStmt(st, ev.hasBoundary)
			if m.t == triFalse {
				continue
			}
		}
		if e.deny {
			lr.deny = tvOr(lr.deny, m)
		} else {
			lr.allow[level] = tvOr(lr.allow[level], m)
			lr.any = tvOr(lr.any, m)
		}
		if rep != nil {
			rep.Statements = append(rep.Statements, statementMatch(st, m, level))
		}
	}
}

// allowDeny is evalLayer for Evaluate on a layer other than the resource
// policy: only whether the layer allows and whether it denies matter, not
// the grant level, and nothing is reported. Once the layer definitely
// allows, only its denies can change the result; once it also definitely
// denies, nothing can.
func (ev *evaluator) allowDeny(l *layer) (allow, deny tv) {
	r := ev.r
	cands := l.candidates(ev.svcID)
	for i := range cands {
		e := &cands[i]
		if allow.t == triTrue && !e.deny {
			if deny.t == triTrue {
				break
			}
			continue
		}
		if !e.match(r.lname, r.firstBit, r.lhead) {
			continue
		}
		m := tvTrue
		if !e.always {
			if m, _ = r.matchStmt(e.st, ev.hasBoundary); m.t == triFalse {
				continue
			}
		}
		if e.deny {
			deny = tvOr(deny, m)
		} else {
			allow = tvOr(allow, m)
		}
	}
	return allow, deny
}

// eval is AWS's evaluation algorithm:
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
//
//  1. An explicit deny in any applicable policy denies.
//  2. Each level of the RCP chain of the resource's account must allow
//     (not for the management account's resources, service-linked roles,
//     or services RCPs do not cover).
//  3. Each level of the SCP chain of the caller's account must allow (not
//     for the management account, service-linked roles or AWS services).
//  4. Same account: a resource policy naming the user or session allows on
//     its own; naming the role, it allows within the boundary and session
//     policy; otherwise identity policies must allow, within the boundary
//     and session policy. A trust policy must always allow.
//  5. Cross account: the identity side (identity, boundary, session) and
//     the resource policy must both allow.
func (s *Set) eval(r *Request, ex *Explanation) Decision {
	r.prepare()
	p := &r.p
	cross := r.crossAccount()
	iamPrincipal := p.typ == PrincipalUser || p.typ == PrincipalAssumedRole || p.typ == PrincipalRole || p.typ == PrincipalFederatedUser
	hasBoundary := s.boundary != nil && iamPrincipal
	hasSession := s.session != nil && (p.typ == PrincipalAssumedRole || p.typ == PrincipalRole || p.typ == PrincipalFederatedUser)
	if ex != nil {
		ex.CrossAccount = cross
		ex.PrincipalAccount, ex.ResourceAccount = p.account, r.resAcct
		ex.PrincipalType = p.typ.String()
	}
	ev := &evaluator{s: s, r: r, svcID: r.serviceID(s), hasBoundary: hasBoundary, ex: ex}
	// run reuses one layerResult: callers read the result before the next
	// run (copy it to keep it), which keeps the evaluation allocation-free.
	var lr layerResult
	run := func(l *layer, applies bool, why string) *layerResult {
		lr = layerResult{}
		if ex == nil && l.kind != LayerResource && l.kind != LayerTrust {
			// Callers read only anyAllow and deny of these layers.
			if applies {
				lr.any, lr.deny = ev.allowDeny(l)
				lr.allow[levelDirect] = lr.any
				ev.deny = tvOr(ev.deny, lr.deny)
			}
			return &lr
		}
		ev.run(l, applies, why, &lr)
		return &lr
	}

	// Organization layers.
	rcpOK := tvTrue
	rcpWhy := ""
	switch {
	case len(s.rcps) == 0:
	case r.ResourceInManagementAccount:
		rcpWhy = "the resource is in the management account, which RCPs do not affect"
	case p.slr:
		rcpWhy = "service-linked roles are not affected by RCPs"
	case !rcpApplies(r.svc):
		rcpWhy = "RCPs do not apply to this service"
	}
	for _, l := range s.rcps {
		lr := run(l, rcpWhy == "", rcpWhy)
		if rcpWhy == "" {
			a := lr.anyAllow()
			rcpOK = tvAnd(rcpOK, a)
			if a.t == triFalse && ex != nil {
				ex.block(LayerRCP, l.name, "no statement allows the request at this level of the RCP chain")
			}
		}
	}
	scpOK := tvTrue
	scpWhy := ""
	switch {
	case r.PrincipalInManagementAccount:
		scpWhy = "the caller is in the management account, which SCPs do not affect"
	case p.slr:
		scpWhy = "service-linked roles are not affected by SCPs"
	case p.typ == PrincipalService || p.typ == PrincipalAnonymous:
		scpWhy = "SCPs only affect principals of member accounts"
	}
	for _, l := range s.scps {
		lr := run(l, scpWhy == "", scpWhy)
		if scpWhy == "" {
			a := lr.anyAllow()
			scpOK = tvAnd(scpOK, a)
			if a.t == triFalse && ex != nil {
				ex.block(LayerSCP, l.name, "no statement allows the request at this level of the SCP chain")
			}
		}
	}

	// Resource-based policy.
	var res layerResult
	if s.resource != nil {
		res = *run(s.resource, true, "")
	}
	// Identity side.
	var idAllow tv
	switch p.typ {
	case PrincipalRoot:
		// The root user's identity side allows everything; other
		// accounts' resources still need their resource policy.
		idAllow = tvTrue
		if ex != nil {
			ex.Notes = append(ex.Notes, "the root user needs no identity policy")
		}
	case PrincipalService, PrincipalAnonymous, PrincipalUnknown:
		idAllow = tvFalse
	default:
		idAllow = run(s.identity, true, "").anyAllow()
	}
	boundOK, sessOK := tvTrue, tvTrue
	if s.boundary != nil {
		lr := run(s.boundary, hasBoundary, notApplicable(hasBoundary, "only users and roles have permissions boundaries"))
		if hasBoundary {
			boundOK = lr.anyAllow()
		}
	}
	if s.session != nil {
		lr := run(s.session, hasSession, notApplicable(hasSession, "only role and federated-user sessions have session policies"))
		if hasSession {
			sessOK = lr.anyAllow()
		}
	} else if p.typ == PrincipalFederatedUser {
		// GetFederationToken without a policy yields no permissions.
		sessOK = tvFalse
	}
	idChain := tvAnd(idAllow, tvAnd(boundOK, sessOK))

	var grant tv
	switch {
	case p.typ == PrincipalService || p.typ == PrincipalAnonymous || p.typ == PrincipalUnknown:
		grant = res.anyAllow()
	case cross:
		grant = tvAnd(idChain, res.anyAllow())
	case s.trust:
		grant = tvOr(res.allow[levelDirect], tvOr(tvAnd(res.allow[levelRole], tvAnd(boundOK, sessOK)), tvAnd(res.allow[levelAccount], idChain)))
	default:
		grant = tvOr(res.allow[levelDirect], tvOr(tvAnd(res.allow[levelRole], tvAnd(boundOK, sessOK)), idChain))
	}
	allow := tvAnd(rcpOK, tvAnd(scpOK, grant))

	var d Decision
	deny := ev.deny
	switch {
	case deny.t == triTrue:
		d = Decision{Result: ExplicitlyDenied}
	case allow.t == triFalse:
		d = Decision{Result: ImplicitlyDenied}
	default:
		final := tvAnd(tvNot(deny), allow)
		if final.t == triTrue {
			d = Decision{Result: Allowed}
		} else {
			d = Decision{Result: Allowed, Condition: final.e}
		}
	}
	if ex != nil {
		ex.explainOutcome(d, deny, s, r, cross, res, idAllow, boundOK, sessOK, hasBoundary, hasSession)
	}
	return d
}

func notApplicable(applies bool, why string) string {
	if applies {
		return ""
	}
	return why
}
