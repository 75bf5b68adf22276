package plan

import (
	"fmt"
	"strings"

	"github.com/bulkhead-dev/bulkhead/internal/access"
	"github.com/bulkhead-dev/bulkhead/internal/awsmanaged"
	"github.com/bulkhead-dev/bulkhead/internal/layout"
	"github.com/bulkhead-dev/bulkhead/internal/org"
)

// IAM names bulkhead uses. A role's policy from a JSON file is an inline
// policy named after the role (RolePolicyName), not after the file: renaming
// the file changes nothing in AWS, and changing its content is one
// PutRolePolicy (an update in place). Users' and groups' policies are
// inline too, named AssumePolicyName.
const (
	AssumePolicyName = "bulkhead-assume-roles"
	// DefaultMaxSession is AWS's default maximum session duration (1 h).
	DefaultMaxSession = 3600
)

// RolePolicyName is the name of the inline policy a role gets from a
// policy file.
func RolePolicyName(role string) string { return "bulkhead-" + role }

// ManagedPolicyARN is the ARN of an AWS managed policy named as the layout
// names it ("ReadOnlyAccess", "job-function/ViewOnlyAccess"), with its path
// from the catalog when known.
func ManagedPolicyARN(name string) string {
	if p, ok := awsmanaged.Lookup(name); ok {
		return p.ARN()
	}
	return "arn:aws:iam::aws:policy/" + strings.TrimPrefix(name, "/")
}

// DesiredIAM is the IAM a valid layout describes, with account ids from
// ids (the live organization's; a name not applied yet may map to a
// placeholder: the trust documents are computed again at apply time, after
// the accounts exist). The documents are access's, so what the access engine
// analyses is exactly what apply creates.
func DesiredIAM(l *layout.Layout, ids func(name string) string) (*org.IAM, error) {
	out := org.NewIAM()
	identity := l.Organization.IdentityAccount.Value
	if identity == "" {
		identity = l.Organization.Management.Account.Value
	}
	identityID := ids(identity)
	for _, a := range l.Accounts {
		ai := org.NewAccountIAM(a.Name.Value, ids(a.Name.Value))
		ai.Identity = a.Name.Value == identity
		oidc := false
		for _, r := range l.Roles {
			ref := rolePolicyFor(r, a.Kind.Value)
			if ref == nil {
				continue
			}
			role := &org.IAMRole{
				Name:       r.Name.Value,
				Trust:      string(access.TrustDocument(r, ai.AccountID, identityID, l.CI, access.Accounts(ids))),
				MaxSession: DefaultMaxSession,
			}
			if r.MaxSession.IsSet() {
				role.MaxSession = int32(r.MaxSession.Value.Seconds())
			}
			if ref.IsFile {
				if ref.Document == nil {
					return nil, fmt.Errorf("role %s: policy file %s could not be read", r.Name.Value, ref.Value)
				}
				role.InlinePolicies = map[string]string{RolePolicyName(r.Name.Value): ref.Document.Content}
			} else {
				role.ManagedPolicies = []string{ManagedPolicyARN(ref.Value)}
			}
			if r.Boundary != nil && r.Boundary.Value != "" {
				if r.Boundary.IsFile {
					return nil, fmt.Errorf("role %s: a permissions boundary from a file is not supported yet; name an AWS managed policy", r.Name.Value)
				}
				role.Boundary = ManagedPolicyARN(r.Boundary.Value)
			}
			if len(r.Tags) > 0 {
				role.Tags = map[string]string{}
				for _, t := range r.Tags {
					role.Tags[t.Key.Value] = t.Value.Value
				}
			}
			for _, t := range r.Trust {
				if t.Kind == layout.TrustCI && l.CI != nil && l.CI.GitHub != nil {
					oidc = true
				}
			}
			ai.Roles[role.Name] = role
		}
		if oidc {
			// AWS requires the OIDC provider in the role's own account.
			ai.OIDCProviders = []string{access.OIDCProviderHost}
		}
		if ai.Identity {
			identityUsers(l, ai)
		}
		ai.Alias = a.Alias.Value
		if pp := l.Organization.PasswordPolicy; pp != nil {
			ai.PasswordPolicy = &org.PasswordPolicy{
				MinimumLength: int32(pp.MinimumLength.Value), RequireSymbols: pp.RequireSymbols.Value,
				RequireNumbers: pp.RequireNumbers.Value, RequireUppercase: pp.RequireUppercase.Value,
				RequireLowercase: pp.RequireLowercase.Value, AllowUsersToChangePassword: pp.AllowChange.Value,
				MaxPasswordAge: int32(pp.MaxAge.Value), PasswordReusePrevention: int32(pp.ReusePrevention.Value),
			}
			if ai.PasswordPolicy.MinimumLength == 0 {
				ai.PasswordPolicy.MinimumLength = 8 // IAM's default when unset
			}
		}
		out.Accounts[ai.Account] = ai
	}
	if l.CI != nil && l.CI.Role != nil {
		if ai := out.Accounts[l.CI.Role.Account.Value]; ai != nil && ai.Roles[l.CI.Role.Name.Value] == nil {
			ai.Roles[l.CI.Role.Name.Value] = ciRole(l.CI.Role.Name.Value, ai.AccountID)
		}
	}
	return out, nil
}

// CIRolePolicy is the policy of a CI role bulkhead creates: the policy the
// access engine assumes for a CI role the layout does not describe
// (access.Build, addCI), so that its proofs hold for what exists. The
// trust policies of the roles that trust ci decide where it may go.
const CIRolePolicy = `{"Version":"2012-10-17","Statement":[{"Sid":"AssumedByBulkhead","Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`

// ciRole is the CI system's role in its tooling account, made when
// missing (IAM refuses a trust policy naming a role that does not exist):
// trusted by the tooling account, whose principals (the CI runners) are
// the CI system. A role of that name made outside bulkhead is left as it
// is.
func ciRole(name, accountID string) *org.IAMRole {
	return &org.IAMRole{
		Name:           name,
		Trust:          `{"Version":"2012-10-17","Statement":[{"Sid":"CIRunners","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + accountID + `:root"},"Action":"sts:AssumeRole"}]}`,
		InlinePolicies: map[string]string{RolePolicyName(name): CIRolePolicy},
		MaxSession:     DefaultMaxSession,
		CreateOnly:     true,
	}
}

// rolePolicyFor is the policy role r has in accounts of kind k, or nil.
func rolePolicyFor(r *layout.Role, k layout.Kind) *layout.PolicyRef {
	for i := range r.Policies {
		if r.Policies[i].Kind.Value == k {
			return &r.Policies[i].Ref
		}
	}
	return nil
}

// identityUsers adds the people, groups and their policies.
func identityUsers(l *layout.Layout, ai *org.AccountIAM) {
	groupsOf := map[string][]string{}
	for _, g := range l.Groups {
		grp := &org.IAMGroup{Name: g.Name.Value}
		if doc := access.GroupDocument(l, g.Name.Value); doc != nil {
			grp.InlinePolicies = map[string]string{AssumePolicyName: string(doc)}
		}
		ai.Groups[grp.Name] = grp
		for _, m := range g.Members {
			groupsOf[m.Value] = append(groupsOf[m.Value], g.Name.Value)
		}
	}
	for _, p := range l.People {
		u := &org.IAMUser{Name: p.Name.Value, Groups: org.SortedStrings(groupsOf[p.Name.Value])}
		if len(u.Groups) == 0 {
			u.Groups = nil
		}
		if doc := access.UserDocument(l, p.Name.Value); doc != nil {
			u.InlinePolicies = map[string]string{AssumePolicyName: string(doc)}
		}
		ai.Users[u.Name] = u
	}
}
