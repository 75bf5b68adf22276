package authz

import (
	"net/netip"
	"strconv"
	"strings"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/iam"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/organizations"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/service"
	"github.com/bulkhead-dev/bulkhead/internal/policy"
)

// question is one authorization question, read from the store: the
// request's fields and context, and the documents of every layer.
type question struct {
	principal, principalAccount string
	action, resource            string
	// resourceAccount is the account the evaluator treats as the
	// resource's (see evalAccount).
	resourceAccount      string
	inManagement         bool
	resourceInManagement bool
	context              policy.Context
	layers               layerDocs
}

// request builds a policy.Request for q; each evaluation needs its own.
func (q *question) request() *policy.Request {
	return &policy.Request{
		Principal:                    q.principal,
		PrincipalAccount:             q.principalAccount,
		Action:                       q.action,
		Resource:                     q.resource,
		ResourceAccount:              q.resourceAccount,
		Context:                      q.context,
		ContextComplete:              true,
		PrincipalInManagementAccount: q.inManagement,
		ResourceInManagementAccount:  q.resourceInManagement,
	}
}

// Policy types as Organizations names them.
const (
	scpType = "SERVICE_CONTROL_POLICY"
	rcpType = "RESOURCE_CONTROL_POLICY"
)

// question reads what deciding az for r's caller needs, in r's
// transaction.
func (a *Authorizer) question(r *service.Request, az service.Authz) (*question, error) {
	c := r.Caller
	resAcct := az.ResourceAccount
	if resAcct == "" {
		resAcct = c.Account
	}
	q := &question{
		principal: c.ARN, principalAccount: c.Account,
		action: az.Action, resource: az.Resource, resourceAccount: evalAccount(az.Action, c.Account, resAcct),
	}
	if q.resource == "" {
		q.resource = "*"
	}
	ctx := &q.context

	// The caller's SCP chain. The management account is exempt; accounts
	// outside any organization, or in one with SCPs disabled, have no
	// SCP layer
	// (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html).
	scp, err := organizations.PolicyChain(r.Tx, c.Account, scpType)
	if err != nil {
		return nil, err
	}
	if scp.InOrganization {
		ctx.Set("aws:PrincipalOrgID", scp.OrganizationID)
		ctx.Set("aws:PrincipalOrgPaths", orgPath(scp))
		switch {
		case scp.Management:
			q.inManagement = true
		case scp.Enabled:
			q.layers.scps = levels(scp, "SCP")
		}
	}

	// The resource's organization: RCPs apply to the resource's account
	// for the services they cover; of those the local AWS serves only
	// STS (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html).
	resOrg := scp
	if strings.HasPrefix(az.Action, "sts:") {
		rcp, err := organizations.PolicyChain(r.Tx, resAcct, rcpType)
		if err != nil {
			return nil, err
		}
		resOrg = rcp
		if rcp.InOrganization {
			switch {
			case rcp.Management:
				q.resourceInManagement = true
			case rcp.Enabled:
				q.layers.rcps = levels(rcp, "RCP")
			}
		}
	} else if resAcct != c.Account {
		resOrg, err = organizations.PolicyChain(r.Tx, resAcct, scpType)
		if err != nil {
			return nil, err
		}
	}
	ctx.Set("aws:ResourceAccount", resAcct)
	if resOrg.InOrganization {
		ctx.Set("aws:ResourceOrgID", resOrg.OrganizationID)
		ctx.Set("aws:ResourceOrgPaths", orgPath(resOrg))
	}

	pp, err := iam.LoadPrincipalPolicies(r.Tx, c)
	if err != nil {
		return nil, err
	}
	if assumeAction(az.Action) {
		q.layers.standIn = true
	} else if pp.Found {
		for _, np := range pp.Identity {
			name := np.ARN
			if np.Kind == "inline" {
				name = np.Owner + " inline policy " + np.Name
			}
			q.layers.identity = append(q.layers.identity, docRef{kind: policy.Identity, name: name, doc: np.Document})
		}
		if pp.Boundary != "" {
			q.layers.boundary = []docRef{{kind: policy.Identity, name: pp.BoundaryARN, doc: pp.Boundary}}
		}
		if c.SessionPolicy != "" {
			q.layers.session = []docRef{{kind: policy.Identity, name: "session policy of " + c.ARN, doc: c.SessionPolicy}}
		}
	}
	// A principal that no longer exists (a session of a deleted role) has
	// no identity policies: everything is implicitly denied.

	callerContext(ctx, r, pp.Tags)
	for k, v := range az.Context {
		ctx.Set(k, v...)
	}
	return q, nil
}

// evalAccount is the account the evaluator treats as the resource's. It is
// the resource's own, so that a request for another account's resource
// needs that account's resource policy, except for Organizations: its
// resources belong to the management account, but members reach them
// under Organizations' own rules (any member may DescribeOrganization; a
// delegated administrator may read), which the service applies itself —
// the IAM side is then the caller's identity policies, as in AWS.
func evalAccount(action, caller, resource string) string {
	if strings.HasPrefix(action, "organizations:") {
		return caller
	}
	return resource
}

// levels turns an Organizations chain into the evaluator's levels.
func levels(ch organizations.Chain, what string) []level {
	kind := policy.SCP
	if what == "RCP" {
		kind = policy.RCP
	}
	out := make([]level, 0, len(ch.Levels))
	for _, l := range ch.Levels {
		lv := level{id: l.TargetID}
		for _, p := range l.Policies {
			lv.docs = append(lv.docs, docRef{kind: kind, name: what + " " + p.ID + " (" + p.Name + ")", doc: p.Content})
		}
		out = append(out, lv)
	}
	return out
}

// orgPath is aws:PrincipalOrgPaths / aws:ResourceOrgPaths:
// o-id/r-id/ou-id/.../ for the account's parent
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalorgpaths).
func orgPath(ch organizations.Chain) string {
	var b strings.Builder
	b.WriteString(ch.OrganizationID)
	b.WriteByte('/')
	for _, l := range ch.Levels {
		if l.TargetType == "ACCOUNT" {
			break
		}
		b.WriteString(l.TargetID)
		b.WriteByte('/')
	}
	return b.String()
}

// callerContext sets the global condition keys the caller and the request
// bring
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html).
// aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalType and
// aws:username the evaluator derives from the principal's ARN.
func callerContext(ctx *policy.Context, r *service.Request, principalTags map[string]string) {
	c := r.Caller
	ctx.Set("aws:CurrentTime", r.Now.UTC().Format("2006-01-02T15:04:05Z"))
	ctx.Set("aws:EpochTime", strconv.FormatInt(r.Now.Unix(), 10))
	ctx.Set("aws:RequestedRegion", requestedRegion(r))
	if ip, err := netip.ParseAddr(r.SourceIP); err == nil {
		ctx.Set("aws:SourceIp", ip.String())
	}
	// The local AWS serves plain HTTP only.
	ctx.Set("aws:SecureTransport", "false")
	ctx.Set("aws:ViaAWSService", "false")
	ctx.Set("aws:userid", c.UserID)
	// aws:MultiFactorAuthPresent is true after MFA, false in temporary
	// credentials without it, and absent for long-term keys.
	switch {
	case c.MFA:
		ctx.Set("aws:MultiFactorAuthPresent", "true")
	case c.Temporary || c.Type == "AssumedRole":
		ctx.Set("aws:MultiFactorAuthPresent", "false")
	}
	if c.SourceIdentity != "" {
		ctx.Set("aws:SourceIdentity", c.SourceIdentity)
	}
	// Session tags override the role's tags of the same key
	// (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html#id_session-tags_role-tags).
	for k, v := range principalTags {
		if _, session := c.SessionTags[k]; !session {
			ctx.Set("aws:PrincipalTag/"+k, v)
		}
	}
	for k, v := range c.SessionTags {
		ctx.Set("aws:PrincipalTag/"+k, v)
	}
}

// requestedRegion is aws:RequestedRegion: the region of the endpoint
// called. IAM and Organizations have one global endpoint in us-east-1, so
// their requests are always made there whatever region a client signs for;
// STS's endpoints are regional
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-requestedregion).
func requestedRegion(r *service.Request) string {
	switch r.Service {
	case "iam", "organizations":
		return "us-east-1"
	}
	return r.Region
}
