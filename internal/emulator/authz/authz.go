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
// IAM side.
//
// It must not write to the store, and it holds no AWS state of its own:
// only caches of compiled policies (keyed by their content) and of what
// the store said about recent callers (retired by every write; see
// factsCache).
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
	policies *policyCache
	facts    factsCache
}

// New returns an Authorizer with empty caches.
func New() *Authorizer { return &Authorizer{policies: newPolicyCache()} }

// BeginWrite and EndWrite bracket every request that may write to the
// store (the front end calls them around mutating operations), so that
// what the Authorizer caches about principals never outlives a change to
// their policies.
func (a *Authorizer) BeginWrite() { a.facts.beginWrite() }

// snapshotGen is the context key of the facts cache's generation as it was
// before the request's transaction opened.
type snapshotGen struct{}

// BeforeTx notes the facts cache's generation before the front end opens
// the request's transaction. Facts read inside that transaction come from
// its snapshot; without this note, a read whose snapshot predates a write
// that committed before Authorize ran would be cached under the new
// generation and serve stale permissions (a deleted policy still allowing)
// until the TTL ran out.
func (a *Authorizer) BeforeTx(ctx context.Context) context.Context {
	return context.WithValue(ctx, snapshotGen{}, a.facts.generation())
}

// EndWrite ends what BeginWrite began, after the transaction has committed
// or rolled back.
func (a *Authorizer) EndWrite() { a.facts.endWrite() }

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
	resAcct := az.ResourceAccount
	if resAcct == "" {
		resAcct = r.Caller.Account
	}
	kind := kindOf(az.Action)
	key := factsKey(r.Caller, resAcct, kind)
	f, ok, gen := a.facts.get(key, r.Now)
	if g, noted := ctx.Value(snapshotGen{}).(uint64); noted {
		// Facts are read from the request's snapshot, which may predate
		// a write that ended since: store them only under the generation
		// of before the snapshot, so such facts are refused.
		gen = g
	}
	if !ok {
		var err error
		if f, err = a.readFacts(r, resAcct, kind); err != nil {
			return err
		}
		a.facts.put(key, f, gen, r.Now)
	}
	if f.unreadable != "" {
		// Fail closed: a policy the engine cannot read must not let a
		// request through by accident.
		return denied(r.Service, policy.AccessDeniedMessage(request(f, r, az, resAcct), policy.Decision{}, nil)+" because the local AWS cannot evaluate "+f.unreadable)
	}
	if f.set.Evaluate(request(f, r, az, resAcct)).Allowed() {
		return nil
	}
	// The denial path explains, on a fresh request, for AWS's message
	// naming the layer that refused.
	req := request(f, r, az, resAcct)
	d, ex := f.set.Explain(req)
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
