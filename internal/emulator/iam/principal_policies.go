package iam

import (
	"strings"
	"time"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/service"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/store"
)

// What IAM exports to the rest of the local AWS: the policies that govern
// a principal (for the policy engine that authorizes every request), roles
// and their trust policies (for STS), managed policy documents (for STS
// session policies) and MFA verification (mfa.go).

// NamedPolicy is one identity-based policy of a principal.
type NamedPolicy struct {
	// Kind is "inline" or "managed".
	Kind string
	// Owner is the ARN of the user, group or role the policy is on.
	Owner string
	// Name is the inline policy's name or the managed policy's name.
	Name string
	// ARN is the managed policy's ARN; empty for inline policies.
	ARN string
	// Document is the JSON policy document (the default version for
	// managed policies).
	Document string
}

// PrincipalPolicies are the policies IAM holds for one principal.
type PrincipalPolicies struct {
	// Found is false when the principal no longer exists (a deleted user
	// or role): it then has no permissions at all.
	Found bool
	// Identity lists the identity-based policies: a user's inline and
	// attached managed policies followed by those of each of its groups;
	// a role session's role's inline and attached policies. The root user
	// has none (it is not governed by identity policies).
	Identity []NamedPolicy
	// Boundary is the permissions boundary document, "" when none, and
	// BoundaryARN the managed policy it comes from.
	Boundary    string
	BoundaryARN string
	// Tags are the user's or role's tags (aws:PrincipalTag/<key>).
	Tags map[string]string
}

// PrincipalPolicies returns the identity policies, permissions boundary and
// tags of id's user or role, read in tx.
func (s *Service) PrincipalPolicies(tx store.Tx, id service.Identity) (PrincipalPolicies, error) {
	return LoadPrincipalPolicies(tx, id)
}

// LoadPrincipalPolicies is PrincipalPolicies for callers without a
// *Service.
func LoadPrincipalPolicies(tx store.Tx, id service.Identity) (PrincipalPolicies, error) {
	var out PrincipalPolicies
	acct := id.Account
	managed := func(owner string, arns []string) error {
		for _, arn := range arns {
			p, err := lookupPolicy(tx, acct, arn)
			if err != nil {
				if isNotFound(err) {
					continue
				}
				return err
			}
			out.Identity = append(out.Identity, NamedPolicy{Kind: "managed", Owner: owner, Name: p.Name, ARN: arn, Document: p.defaultDocument()})
		}
		return nil
	}
	inline := func(owner string, p inlinePolicies) {
		for _, n := range p.names() {
			out.Identity = append(out.Identity, NamedPolicy{Kind: "inline", Owner: owner, Name: n, Document: p[n]})
		}
	}
	boundary := func(arn string) error {
		if arn == "" {
			return nil
		}
		p, err := lookupPolicy(tx, acct, arn)
		if err != nil {
			return err
		}
		out.Boundary, out.BoundaryARN = p.defaultDocument(), arn
		return nil
	}
	switch id.Type {
	case "Root":
		out.Found = true
		return out, nil
	case "User", "FederatedUser":
		// A federated user (GetFederationToken) has the policies of the
		// IAM user that made it, Name, cut by its session policy.
		u, err := getUser(tx, acct, id.Name)
		if isNotFound(err) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		if id.Type == "User" && u.ID != id.UserID {
			return out, nil // a new user with the old one's name
		}
		out.Found = true
		owner := userARN(acct, u.Path, u.Name)
		inline(owner, u.Inline)
		if err := managed(owner, u.Attached); err != nil {
			return out, err
		}
		for _, gname := range u.Groups {
			g, err := getGroup(tx, acct, gname)
			if err != nil {
				return out, err
			}
			gowner := groupARN(acct, g.Path, g.Name)
			inline(gowner, g.Inline)
			if err := managed(gowner, g.Attached); err != nil {
				return out, err
			}
		}
		out.Tags = tagMap(u.Tags)
		return out, boundary(u.Boundary)
	case "AssumedRole":
		role, ok, err := roleByARN(tx, id.RoleARN)
		if err != nil || !ok {
			return out, err
		}
		// A session belongs to the role it was issued for, by unique id:
		// a role deleted and created again under the same name is
		// another role (AWS tracks principals by unique id too).
		if roleID, _, _ := strings.Cut(id.UserID, ":"); roleID != role.ID {
			return out, nil
		}
		out.Found = true
		owner := RoleARN(role.acct, role.Path, role.Name)
		inline(owner, role.Inline)
		if err := managed(owner, role.Attached); err != nil {
			return out, err
		}
		out.Tags = tagMap(role.Tags)
		return out, boundary(role.Boundary)
	}
	return out, nil
}

func tagMap(tags []Tag) map[string]string {
	if len(tags) == 0 {
		return nil
	}
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[t.Key] = t.Value
	}
	return m
}

type roleInAccount struct {
	*roleRec
	acct string
}

func roleByARN(tx store.Tx, arn string) (roleInAccount, bool, error) {
	a, ok := ParseARN(arn)
	if !ok || a.Service != "iam" || a.Type != "role" {
		return roleInAccount{}, false, nil
	}
	role, err := getRole(tx, a.Account, a.Name)
	if isNotFound(err) {
		return roleInAccount{}, false, nil
	}
	if err != nil {
		return roleInAccount{}, false, err
	}
	if RoleARN(a.Account, role.Path, role.Name) != arn {
		return roleInAccount{}, false, nil
	}
	return roleInAccount{role, a.Account}, true, nil
}

// Role is what STS needs to know of a role.
type Role struct {
	ARN     string
	Account string
	Name    string
	Path    string
	// ID is the role's unique id (AROA...), the first half of a session's
	// AssumedRoleId.
	ID string
	// TrustPolicy is the JSON trust policy (AssumeRolePolicyDocument).
	TrustPolicy string
	// MaxSessionDuration in seconds (3600 to 43200).
	MaxSessionDuration int
	Tags               map[string]string
	// LastUsed and LastUsedRegion are RoleLastUsed (zero when never used).
	LastUsed       time.Time
	LastUsedRegion string
}

// LookupRole finds a role by its exact ARN (path included). found is false
// when there is no such role.
func LookupRole(tx store.Tx, roleARN string) (Role, bool, error) {
	r, ok, err := roleByARN(tx, roleARN)
	if err != nil || !ok {
		return Role{}, false, err
	}
	return Role{ARN: roleARN, Account: r.acct, Name: r.Name, Path: r.Path, ID: r.ID, TrustPolicy: r.TrustPolicy,
		MaxSessionDuration: r.MaxSessionDuration, Tags: tagMap(r.Tags), LastUsed: r.LastUsed, LastUsedRegion: r.LastUsedRegion}, true, nil
}

// RoleTrustPolicy returns the trust policy of the role with this ARN.
func RoleTrustPolicy(tx store.Tx, roleARN string) (doc string, found bool, err error) {
	r, ok, err := LookupRole(tx, roleARN)
	return r.TrustPolicy, ok, err
}

// RecordRoleUse sets the role's RoleLastUsed (GetRole), as AWS does when a
// session of the role is created. Like AWS, which tracks last use only
// approximately, it records at most one use per minute and region, so
// that a burst of AssumeRole calls does not rewrite the role each time.
func RecordRoleUse(tx store.Tx, used Role, r *service.Request) error {
	if used.LastUsedRegion == r.Region && r.Now.Sub(used.LastUsed) < time.Minute && !r.Now.Before(used.LastUsed) {
		return nil
	}
	role, ok, err := roleByARN(tx, used.ARN)
	if err != nil || !ok {
		return err
	}
	role.LastUsed, role.LastUsedRegion = r.Now, r.Region
	return putRole(tx, role.acct, role.roleRec)
}

// ManagedPolicyDocument returns the default version document of a managed
// policy that acct can use (its own, or an AWS managed policy).
func ManagedPolicyDocument(tx store.Tx, acct, arn string) (doc string, found bool, err error) {
	p, err := lookupPolicy(tx, acct, arn)
	if err != nil {
		if isNotFound(err) {
			return "", false, nil
		}
		var se *service.Error
		if asServiceError(err, &se) && se.Code == "InvalidInput" {
			return "", false, nil
		}
		return "", false, err
	}
	return p.defaultDocument(), true, nil
}
