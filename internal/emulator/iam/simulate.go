package iam

import (
	"context"
	"fmt"
	"strings"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/service"
	"github.com/bulkhead-dev/bulkhead/internal/policy"
)

// The policy simulator (SimulatePrincipalPolicy, SimulateCustomPolicy),
// answered by internal/policy's evaluator, the same one that authorizes
// requests: https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulatePrincipalPolicy.html.
// Keys missing from ContextEntries are taken as absent from the request
// (MissingContextValues is never filled), and statement end positions are
// not reported.

type contextEntry struct {
	ContextKeyName   string
	ContextKeyValues []string
	ContextKeyType   string
}

type simulateInput struct {
	PolicySourceArn                    string
	PolicyInputList                    []string
	PermissionsBoundaryPolicyInputList []string
	ActionNames                        []string
	ResourceArns                       []string
	ResourcePolicy                     string
	ResourceOwner                      string
	CallerArn                          string
	ContextEntries                     []contextEntry
	ResourceHandlingOption             string
	Marker                             string
	MaxItems                           int
}

type positionOut struct {
	Line   int `xml:"Line"`
	Column int `xml:"Column"`
}

type statementOut struct {
	SourcePolicyId   string       `xml:"SourcePolicyId,omitempty"`
	SourcePolicyType string       `xml:"SourcePolicyType,omitempty"`
	StartPosition    *positionOut `xml:"StartPosition,omitempty"`
}

type boundaryDetailOut struct {
	AllowedByPermissionsBoundary bool `xml:"AllowedByPermissionsBoundary"`
}

type evaluationResultOut struct {
	EvalActionName                    string             `xml:"EvalActionName"`
	EvalResourceName                  string             `xml:"EvalResourceName,omitempty"`
	EvalDecision                      string             `xml:"EvalDecision"`
	MatchedStatements                 []statementOut     `xml:"MatchedStatements>member"`
	MissingContextValues              []string           `xml:"MissingContextValues>member"`
	PermissionsBoundaryDecisionDetail *boundaryDetailOut `xml:"PermissionsBoundaryDecisionDetail,omitempty"`
}

// simPolicy is one document in a simulation, with how AWS names its source.
type simPolicy struct {
	id, typ, doc string
}

// simulation is what one simulator call evaluates.
type simulation struct {
	identity, boundaries []simPolicy
	resource             *simPolicy
	principal            string
}

func compileSim(p simPolicy, kind policy.Kind) (*policy.Compiled, error) {
	parsed, diags := policy.Parse([]byte(p.doc), policy.ParseOptions{File: p.id, Kind: kind})
	if parsed == nil || diags.HasErrors() {
		// The simulator declares InvalidInput, not MalformedPolicyDocument.
		return nil, invalidInput("%s is not a valid policy: %v", p.id, diags.Err())
	}
	return policy.Compile(parsed), nil
}

func (sim *simulation) run(in *simulateInput) ([]evaluationResultOut, error) {
	if len(in.ActionNames) == 0 {
		return nil, missing("ActionNames")
	}
	var l policy.Layers
	types := map[string]string{}
	for _, p := range sim.identity {
		c, err := compileSim(p, policy.Identity)
		if err != nil {
			return nil, err
		}
		l.Identity = append(l.Identity, c)
		types[p.id] = p.typ
	}
	for _, p := range sim.boundaries {
		c, err := compileSim(p, policy.Identity)
		if err != nil {
			return nil, err
		}
		l.Boundaries = append(l.Boundaries, c)
		types[p.id] = p.typ
	}
	if sim.resource != nil {
		c, err := compileSim(*sim.resource, policy.Resource)
		if err != nil {
			return nil, err
		}
		l.Resource = c
		types[sim.resource.id] = sim.resource.typ
	}
	set := policy.NewSet(l)
	resources := in.ResourceArns
	if len(resources) == 0 {
		resources = []string{"*"}
	}
	var out []evaluationResultOut
	for _, action := range in.ActionNames {
		for _, res := range resources {
			req := &policy.Request{Principal: sim.principal, Action: action, Resource: res, ResourceAccount: in.ResourceOwner, ContextComplete: true}
			if a, ok := ParseARN(in.ResourceOwner); ok {
				req.ResourceAccount = a.Account
			}
			for _, ce := range in.ContextEntries {
				req.Context.Set(ce.ContextKeyName, ce.ContextKeyValues...)
			}
			d, ex := set.Explain(req)
			r := evaluationResultOut{EvalActionName: action, EvalResourceName: res, EvalDecision: "implicitDeny"}
			want := ""
			switch d.Result {
			case policy.Allowed:
				if d.Condition == nil {
					r.EvalDecision, want = "allowed", "Allow"
				}
			case policy.ExplicitlyDenied:
				r.EvalDecision, want = "explicitDeny", "Deny"
			}
			for _, lr := range ex.Layers {
				if lr.Kind == policy.LayerBoundary && lr.Applies {
					r.PermissionsBoundaryDecisionDetail = &boundaryDetailOut{AllowedByPermissionsBoundary: lr.Allows == "yes"}
				}
				for _, sm := range lr.Statements {
					if want == "" || sm.Effect != want || sm.If != "" {
						continue
					}
					r.MatchedStatements = append(r.MatchedStatements, statementOut{SourcePolicyId: sm.Policy, SourcePolicyType: types[sm.Policy],
						StartPosition: &positionOut{Line: sm.Pos.Line, Column: sm.Pos.Col}})
				}
			}
			out = append(out, r)
		}
	}
	return out, nil
}

// answer adds the input's resource policy, if any, to the simulation, runs
// it and returns the page of results the input asks for.
func (sim *simulation) answer(in *simulateInput) (any, error) {
	if in.ResourcePolicy != "" {
		sim.resource = &simPolicy{id: "ResourcePolicy", typ: "resource", doc: in.ResourcePolicy}
	}
	results, err := sim.run(in)
	if err != nil {
		return nil, err
	}
	pg, err := parsePage(in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	page, info := pageOrdered(results, pg)
	return struct {
		EvaluationResults []evaluationResultOut `xml:"EvaluationResults>member"`
		pageInfo
	}{page, info}, nil
}

func inputPolicies(list []string, member, typ string) []simPolicy {
	var out []simPolicy
	for i, doc := range list {
		out = append(out, simPolicy{id: fmt.Sprintf("%s.%d", member, i+1), typ: typ, doc: doc})
	}
	return out
}

func (s *Service) simulateCustomPolicy(ctx context.Context, r *service.Request) (any, error) {
	var in simulateInput
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	if len(in.PolicyInputList) == 0 {
		return nil, missing("PolicyInputList")
	}
	if err := r.Authorize(ctx, service.Authz{Resource: "*"}); err != nil {
		return nil, err
	}
	sim := &simulation{
		identity:   inputPolicies(in.PolicyInputList, "PolicyInputList", "none"),
		boundaries: inputPolicies(in.PermissionsBoundaryPolicyInputList, "PermissionsBoundaryPolicyInputList", "none"),
		principal:  in.CallerArn,
	}
	if sim.principal == "" {
		// With no caller, the policies are evaluated for an IAM user of
		// the calling account.
		sim.principal = userARN(r.Caller.Account, "/", "SimulatedUser")
	}
	return sim.answer(&in)
}

func (s *Service) simulatePrincipalPolicy(ctx context.Context, r *service.Request) (any, error) {
	var in simulateInput
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	if in.PolicySourceArn == "" {
		return nil, missing("PolicySourceArn")
	}
	if err := r.Authorize(ctx, service.Authz{Resource: in.PolicySourceArn}); err != nil {
		return nil, err
	}
	acct, tx := r.Caller.Account, r.Tx
	a, ok := ParseARN(in.PolicySourceArn)
	if !ok || a.Service != "iam" || a.Account != acct {
		return nil, invalidInput("Invalid PolicySourceArn %s: want a user, group or role of this account.", in.PolicySourceArn)
	}
	sim := &simulation{principal: in.CallerArn}
	var id service.Identity
	switch a.Type {
	case "user":
		u, err := getUser(tx, acct, a.Name)
		if err != nil {
			return nil, err
		}
		id = userIdentity(acct, u)
		if sim.principal == "" {
			sim.principal = id.ARN
		}
	case "role":
		role, err := getRole(tx, acct, a.Name)
		if err != nil {
			return nil, err
		}
		id = service.Identity{Account: acct, Type: "AssumedRole", RoleARN: RoleARN(acct, role.Path, role.Name)}
		if sim.principal == "" {
			sim.principal = id.RoleARN
		}
	case "group":
		g, err := getGroup(tx, acct, a.Name)
		if err != nil {
			return nil, err
		}
		for _, n := range g.Inline.names() {
			sim.identity = append(sim.identity, simPolicy{id: n, typ: "group", doc: g.Inline[n]})
		}
		for _, arn := range g.Attached {
			p, err := lookupPolicy(tx, acct, arn)
			if err != nil {
				return nil, err
			}
			sim.identity = append(sim.identity, simPolicy{id: p.Name, typ: managedType(p), doc: p.defaultDocument()})
		}
		if sim.principal == "" {
			sim.principal = userARN(acct, "/", "SimulatedUser")
		}
	default:
		return nil, invalidInput("Invalid PolicySourceArn %s: want a user, group or role of this account.", in.PolicySourceArn)
	}
	if id.Type != "" {
		pp, err := LoadPrincipalPolicies(tx, id)
		if err != nil {
			return nil, err
		}
		for _, np := range pp.Identity {
			typ := "user"
			switch {
			case np.Kind == "managed" && strings.HasPrefix(np.ARN, "arn:aws:iam::aws:"):
				typ = "aws-managed"
			case np.Kind == "managed":
				typ = "user-managed"
			case strings.Contains(np.Owner, ":group/"):
				typ = "group"
			case strings.Contains(np.Owner, ":role/"):
				typ = "role"
			}
			sim.identity = append(sim.identity, simPolicy{id: np.Name, typ: typ, doc: np.Document})
		}
		if pp.Boundary != "" {
			ba, _ := ParseARN(pp.BoundaryARN)
			typ := "user-managed"
			if ba.Account == "aws" {
				typ = "aws-managed"
			}
			sim.boundaries = append(sim.boundaries, simPolicy{id: ba.Name, typ: typ, doc: pp.Boundary})
		}
	}
	sim.identity = append(sim.identity, inputPolicies(in.PolicyInputList, "PolicyInputList", "none")...)
	if len(in.PermissionsBoundaryPolicyInputList) > 0 {
		sim.boundaries = inputPolicies(in.PermissionsBoundaryPolicyInputList, "PermissionsBoundaryPolicyInputList", "none")
	}
	return sim.answer(&in)
}

func managedType(p *policyRec) string {
	if p.AWS {
		return "aws-managed"
	}
	return "user-managed"
}
