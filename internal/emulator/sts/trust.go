package sts

import (
	"fmt"
	"strconv"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/iam"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/service"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/store"
	"github.com/bulkhead-dev/bulkhead/internal/policy"
)

// Deciding whether a caller may assume a role, with internal/policy's
// evaluator: the role's trust policy is the resource policy of
// sts:AssumeRole, and the caller's own policies (identity policies,
// permissions boundary, session policy) must allow it too when the trust
// policy names the caller's account rather than the caller, or when the
// role is in another account
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html).
// SCPs are the front end authorizer's business (Request.Authorize), not
// this file's.

// trustRequest is what the evaluator needs to know of one AssumeRole call.
type trustRequest struct {
	caller service.Identity
	role   iam.Role
	// context holds the request's condition keys (sts:ExternalId, ...).
	context map[string][]string
}

// compileDoc parses and compiles one policy document. A document the
// evaluator cannot read makes the decision fail closed.
func compileDoc(doc, name string, kind policy.Kind) (*policy.Compiled, error) {
	p, diags := policy.Parse([]byte(doc), policy.ParseOptions{File: name, Kind: kind})
	if p == nil || diags.HasErrors() {
		return nil, fmt.Errorf("policy %s cannot be evaluated: %v", name, diags.Err())
	}
	return policy.Compile(p), nil
}

// layers gathers the policies that decide tr, and adds the caller's
// principal tags to its context.
func layers(tx store.Tx, tr trustRequest) (policy.Layers, error) {
	var l policy.Layers
	trust, err := compileDoc(tr.role.TrustPolicy, tr.role.ARN+" trust policy", policy.Trust)
	if err != nil {
		return l, err
	}
	l.Resource = trust
	pp, err := iam.LoadPrincipalPolicies(tx, tr.caller)
	if err != nil {
		return l, err
	}
	if !pp.Found {
		return l, fmt.Errorf("caller %s no longer exists", tr.caller.ARN)
	}
	for k, v := range pp.Tags {
		if _, session := tr.caller.SessionTags[k]; !session {
			tr.context["aws:PrincipalTag/"+k] = []string{v}
		}
	}
	for _, np := range pp.Identity {
		c, err := compileDoc(np.Document, np.Owner+" "+np.Kind+" "+np.Name, policy.Identity)
		if err != nil {
			return l, err
		}
		l.Identity = append(l.Identity, c)
	}
	if pp.Boundary != "" {
		c, err := compileDoc(pp.Boundary, pp.BoundaryARN, policy.Identity)
		if err != nil {
			return l, err
		}
		l.Boundaries = []*policy.Compiled{c}
	}
	if tr.caller.SessionPolicy != "" {
		c, err := compileDoc(tr.caller.SessionPolicy, "session policy", policy.Identity)
		if err != nil {
			return l, err
		}
		l.Session = []*policy.Compiled{c}
	}
	return l, nil
}

// allowed evaluates action (sts:AssumeRole, sts:TagSession or
// sts:SetSourceIdentity) for tr against set.
func allowed(set *policy.Set, tr trustRequest, action string, r *service.Request) bool {
	req := &policy.Request{
		Principal:        tr.caller.ARN,
		PrincipalAccount: tr.caller.Account,
		Action:           action,
		Resource:         tr.role.ARN,
		ResourceAccount:  tr.role.Account,
		ContextComplete:  true,
	}
	for k, v := range callerContext(tr.caller, r) {
		req.Context.Set(k, v...)
	}
	for k, v := range tr.context {
		req.Context.Set(k, v...)
	}
	return set.Evaluate(req).Allowed()
}

// callerContext is the global condition keys the caller brings
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html).
func callerContext(c service.Identity, r *service.Request) map[string][]string {
	m := map[string][]string{
		"aws:PrincipalAccount": {c.Account},
		"aws:userid":           {c.UserID},
		"aws:CurrentTime":      {r.Now.UTC().Format("2006-01-02T15:04:05Z")},
		"aws:EpochTime":        {strconv.FormatInt(r.Now.Unix(), 10)},
		"aws:RequestedRegion":  {r.Region},
	}
	if r.SourceIP != "" {
		m["aws:SourceIp"] = []string{r.SourceIP}
	}
	switch c.Type {
	case "Root":
		m["aws:PrincipalArn"] = []string{c.ARN}
		m["aws:PrincipalType"] = []string{"Account"}
	case "User":
		m["aws:PrincipalArn"] = []string{c.ARN}
		m["aws:PrincipalType"] = []string{"User"}
		m["aws:username"] = []string{c.Name}
	case "AssumedRole":
		m["aws:PrincipalArn"] = []string{c.RoleARN}
		m["aws:PrincipalType"] = []string{"AssumedRole"}
	}
	// aws:MultiFactorAuthPresent is true after MFA, false in temporary
	// credentials without it, and absent for long-term keys.
	switch {
	case c.MFA:
		m["aws:MultiFactorAuthPresent"] = []string{"true"}
	case c.Temporary || c.Type == "AssumedRole":
		m["aws:MultiFactorAuthPresent"] = []string{"false"}
	}
	if c.SourceIdentity != "" {
		m["aws:SourceIdentity"] = []string{c.SourceIdentity}
	}
	for k, v := range c.SessionTags {
		m["aws:PrincipalTag/"+k] = []string{v}
	}
	return m
}

func policyNewSet(l policy.Layers) *policy.Set { return policy.NewSet(l) }
