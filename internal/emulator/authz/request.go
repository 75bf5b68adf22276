package authz

import (
	"net/netip"
	"strconv"
	"strings"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/service"
	"github.com/bulkhead-dev/bulkhead/internal/policy"
)

// request builds the policy.Request for one evaluation (a policy.Request
// caches derived values, so each evaluation needs its own) with a complete
// context: the local AWS knows every key a request carries, so a key it
// does not set is absent, never unknown.
func request(f *facts, r *service.Request, az service.Authz, resAcct string) *policy.Request {
	c := r.Caller
	q := &policy.Request{
		Principal:                    c.ARN,
		PrincipalAccount:             c.Account,
		Action:                       az.Action,
		Resource:                     az.Resource,
		ResourceAccount:              evalAccount(az.Action, c.Account, resAcct),
		ContextComplete:              true,
		PrincipalInManagementAccount: f.inManagement,
		ResourceInManagementAccount:  f.resourceInManagement,
	}
	if q.Resource == "" {
		q.Resource = "*"
	}
	ctx := &q.Context
	ctx.Set("aws:resourceaccount", resAcct)
	if f.principalOrgID != "" {
		ctx.Set("aws:principalorgid", f.principalOrgID)
		ctx.Set("aws:principalorgpaths", f.principalOrgPaths)
	}
	if f.resourceOrgID != "" {
		ctx.Set("aws:resourceorgid", f.resourceOrgID)
		ctx.Set("aws:resourceorgpaths", f.resourceOrgPaths)
	}
	callerContext(ctx, r, f.principalTags)
	for k, v := range az.Context {
		ctx.Set(k, v...)
	}
	return q
}

// evalAccount is the account the evaluator treats as the resource's. It is
// the resource's own, so that a request for another account's resource
// needs that account's resource policy, except for Organizations: its
// resources belong to the management account, but members reach them
// under Organizations' own rules (any member may DescribeOrganization; a
// delegated administrator may read), which the service applies itself;
// the IAM side is then the caller's identity policies, as in AWS.
// aws:ResourceAccount still names the management account.
func evalAccount(action, caller, resource string) string {
	if strings.HasPrefix(action, "organizations:") {
		return caller
	}
	return resource
}

// Keys are written in lower case, which policy.Context stores them in
// (condition keys are case-insensitive), so that setting them does not
// allocate.

// callerContext sets the global condition keys the caller and the request
// bring
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html).
// aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalType and
// aws:username the evaluator derives from the principal's ARN.
func callerContext(ctx *policy.Context, r *service.Request, principalTags map[string]string) {
	c := r.Caller
	ctx.Set("aws:currenttime", r.Now.UTC().Format("2006-01-02T15:04:05Z"))
	ctx.Set("aws:epochtime", strconv.FormatInt(r.Now.Unix(), 10))
	ctx.Set("aws:requestedregion", requestedRegion(r))
	if ip, err := netip.ParseAddr(r.SourceIP); err == nil {
		ctx.Set("aws:sourceip", ip.String())
	}
	// The local AWS serves plain HTTP only.
	ctx.Set("aws:securetransport", "false")
	ctx.Set("aws:viaawsservice", "false")
	ctx.Set("aws:userid", c.UserID)
	// aws:MultiFactorAuthPresent is true after MFA, false in temporary
	// credentials without it, and absent for long-term keys.
	switch {
	case c.MFA:
		ctx.Set("aws:multifactorauthpresent", "true")
	case c.Temporary || c.Type == "AssumedRole":
		ctx.Set("aws:multifactorauthpresent", "false")
	}
	if c.SourceIdentity != "" {
		ctx.Set("aws:sourceidentity", c.SourceIdentity)
	}
	// Session tags override the role's tags of the same key
	// (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html#id_session-tags_role-tags).
	for k, v := range principalTags {
		if _, session := c.SessionTags[k]; !session {
			ctx.Set("aws:principaltag/"+k, v)
		}
	}
	for k, v := range c.SessionTags {
		ctx.Set("aws:principaltag/"+k, v)
	}
}

// requestedRegion is aws:RequestedRegion: the region of the endpoint
// called. IAM and Organizations have one global endpoint in us-east-1, so
// their requests are always made there whatever region a client signs for
// ("IAM calls are always made to the us-east-1 Region"); STS's endpoints
// are regional
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-requestedregion).
func requestedRegion(r *service.Request) string {
	switch r.Service {
	case "iam", "organizations":
		return "us-east-1"
	}
	return r.Region
}
