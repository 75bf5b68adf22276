// Package authz is the local AWS's authorizer: it decides every
// service.Request.Authorize call with internal/policy's evaluator, the way
// AWS's authorization layer does, from what the emulated services store —
// the caller's identity policies and permissions boundary (IAM), its
// session policy (STS), the SCP chain of the caller's account and the RCP
// chain of the resource's account (Organizations).
//
// Refusals are AWS's AccessDenied errors in the calling service's shape,
// with AWS's messages ("User: ARN is not authorized to perform: ACTION on
// resource: RESOURCE with an explicit deny in a service control policy").
//
// Role trust policies are not evaluated here: STS's AssumeRole evaluates
// the trust policy together with the caller's identity side (the two
// decide together in the same account), so for sts:AssumeRole this
// package decides only what STS does not — the caller's SCPs and the
// role account's RCPs. Organizations' own rules (management account only,
// delegated administrators) stay in Organizations; this package adds the
// IAM side. It must not change what it reads, and it holds no AWS state of
// its own beyond a cache of compiled policies keyed by their content.
package authz

import (
	"context"
	"net/http"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/service"
	"github.com/bulkhead-dev/bulkhead/internal/policy"
)

// Authorizer decides requests with the policy engine. Build it with New;
// it is safe for concurrent use.
type Authorizer struct {
	cache *cache
}

// New returns an Authorizer with an empty cache.
func New() *Authorizer { return &Authorizer{cache: newCache()} }

// unpoliced reports the actions AWS never submits to policies: "No
// permissions are required to perform this operation" for
// GetCallerIdentity
// (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html)
// and "You cannot use policies to control authentication operations" for
// GetSessionToken
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_getsessiontoken.html).
func unpoliced(action string) bool {
	switch action {
	case "sts:GetCallerIdentity", "sts:GetSessionToken":
		return true
	}
	return false
}

// assumeAction reports the actions STS decides against the role's trust
// policy; the authorizer adds only the organization layers.
func assumeAction(action string) bool {
	switch action {
	case "sts:AssumeRole", "sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity":
		return true
	}
	return false
}

// Authorize implements the local AWS's Authorizer: nil when the caller
// may perform a, an AccessDenied *service.Error otherwise.
func (a *Authorizer) Authorize(ctx context.Context, r *service.Request, az service.Authz) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if az.Action == "" {
		az.Action = r.Service + ":" + r.Action
	}
	if unpoliced(az.Action) {
		return nil
	}
	q, err := a.question(r, az)
	if err != nil {
		return err
	}
	set, unreadable := a.cache.set(&q.layers)
	if unreadable != "" {
		// Fail closed: a policy the engine cannot read must not let a
		// request through by accident.
		return denied(r.Service, policy.AccessDeniedMessage(q.request(), policy.Decision{}, nil)+" because the local AWS cannot evaluate "+unreadable)
	}
	if set.Evaluate(q.request()).Allowed() {
		return nil
	}
	// The denial path explains on a fresh request (a policy.Request is not
	// to be reused after evaluation), for AWS's message naming the layer.
	req := q.request()
	d, ex := set.Explain(req)
	return denied(r.Service, policy.AccessDeniedMessage(req, d, ex))
}

// denied is AccessDenied in the service's protocol: Query services (IAM,
// STS) answer 403 AccessDenied, Organizations (JSON) 400
// AccessDeniedException, as their service models declare.
func denied(svc, msg string) *service.Error {
	if svc == "organizations" {
		return service.BadRequest("AccessDeniedException", "%s", msg)
	}
	return service.Errorf(http.StatusForbidden, "AccessDenied", "%s", msg)
}
