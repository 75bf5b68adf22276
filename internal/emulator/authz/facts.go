package authz

import (
	"strings"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/iam"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/organizations"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/service"
	"github.com/bulkhead-dev/bulkhead/internal/policy"
)

// facts are what the store says about one caller asking about one
// resource account: the compiled policy set of every layer, and the
// organization and tag values of its condition keys. They depend only on
// the caller's identity, the resource's account and the kind of action
// (see factsKey), so they are cached between requests (factsCache).
type facts struct {
	set *policy.Set
	// unreadable names a policy the engine cannot evaluate; set is nil.
	unreadable string

	inManagement, resourceInManagement bool
	principalOrgID, principalOrgPaths  string
	resourceOrgID, resourceOrgPaths    string
	// principalTags are the user's or role's tags (before session tags).
	principalTags map[string]string
}

// Policy types as Organizations names them.
const (
	scpType = "SERVICE_CONTROL_POLICY"
	rcpType = "RESOURCE_CONTROL_POLICY"
)

// actionKind is what about an action changes the facts.
type actionKind byte

const (
	plainAction actionKind = iota
	// stsAction: STS is the one service the local AWS serves that RCPs
	// cover, so the resource account's RCP chain applies
	// (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html).
	stsAction
	// assumeRoleAction: sts:AssumeRole*, whose trust and identity side STS
	// decides; only the organization layers are evaluated here.
	assumeRoleAction
)

func kindOf(action string) actionKind {
	switch {
	case assumeAction(action):
		return assumeRoleAction
	case strings.HasPrefix(action, "sts:"):
		return stsAction
	}
	return plainAction
}

// factsKey identifies the facts of one caller, resource account and action
// kind. Everything of the identity the facts depend on is in it: a new
// user or role under an old name has a new unique id; a federated user's
// policies are those of the IAM user Name; each session carries its own
// session policy.
func factsKey(c service.Identity, resAcct string, k actionKind) string {
	return strings.Join([]string{string(rune('0' + k)), c.Type, c.Account, c.ARN, c.UserID, c.Name, c.RoleARN, resAcct, c.SessionPolicy}, "\x00")
}

// readFacts reads the facts from r's transaction and compiles the set.
func (a *Authorizer) readFacts(r *service.Request, resAcct string, k actionKind) (*facts, error) {
	c := r.Caller
	f := &facts{}
	var l layerDocs

	// The caller's SCP chain. The management account is exempt; accounts
	// outside any organization, or in one with SCPs disabled, have no
	// SCP layer
	// (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html).
	scp, err := organizations.PolicyChain(r.Tx, c.Account, scpType)
	if err != nil {
		return nil, err
	}
	if scp.InOrganization {
		f.principalOrgID, f.principalOrgPaths = scp.OrganizationID, orgPath(scp)
		switch {
		case scp.Management:
			f.inManagement = true
		case scp.Enabled:
			l.scps = levels(scp, policy.SCP)
		}
	}

	// The resource's account: its RCP chain for STS, its organization for
	// aws:ResourceOrgID.
	resOrg := scp
	switch {
	case k != plainAction:
		rcp, err := organizations.PolicyChain(r.Tx, resAcct, rcpType)
		if err != nil {
			return nil, err
		}
		resOrg = rcp
		if rcp.InOrganization {
			switch {
			case rcp.Management:
				f.resourceInManagement = true
			case rcp.Enabled:
				l.rcps = levels(rcp, policy.RCP)
			}
		}
	case resAcct != c.Account:
		if resOrg, err = organizations.PolicyChain(r.Tx, resAcct, scpType); err != nil {
			return nil, err
		}
	}
	if resOrg.InOrganization {
		f.resourceOrgID, f.resourceOrgPaths = resOrg.OrganizationID, orgPath(resOrg)
	}

	pp, err := iam.LoadPrincipalPolicies(r.Tx, c)
	if err != nil {
		return nil, err
	}
	f.principalTags = pp.Tags
	switch {
	case k == assumeRoleAction:
		l.standIn = true
	case pp.Found:
		for _, np := range pp.Identity {
			name := np.ARN
			if np.Kind == "inline" {
				name = np.Owner + " inline policy " + np.Name
			}
			l.identity = append(l.identity, docRef{kind: policy.Identity, name: name, doc: np.Document})
		}
		if pp.Boundary != "" {
			l.boundary = []docRef{{kind: policy.Identity, name: pp.BoundaryARN, doc: pp.Boundary}}
		}
		if c.SessionPolicy != "" {
			l.session = []docRef{{kind: policy.Identity, name: "session policy of " + c.ARN, doc: c.SessionPolicy}}
		}
	}
	// A principal that no longer exists (a session of a deleted role) has
	// no identity policies: everything is implicitly denied.
	f.set, f.unreadable = a.policies.set(&l)
	return f, nil
}

// levels turns an Organizations chain into the evaluator's levels.
func levels(ch organizations.Chain, kind policy.Kind) []level {
	what := "SCP"
	if kind == policy.RCP {
		what = "RCP"
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
// o-id/r-id/ou-id/.../ down to the account's parent
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
