package iam

import (
	"github.com/bulkhead-dev/bulkhead/internal/emulator/store"
)

// principal is a user, group or role seen through what they have in
// common: inline policies and attached managed policies.
type principal struct {
	kind     string // kindUser, kindGroup, kindRole
	name, id string
	arn      string
	inline   *inlinePolicies
	attached *[]string
	save     func() error
}

// member is the input member naming the entity ("UserName", ...) and the
// quota names AWS uses in its LimitExceeded messages.
func kindMember(kind string) string {
	switch kind {
	case kindUser:
		return "UserName"
	case kindGroup:
		return "GroupName"
	}
	return "RoleName"
}

func kindMaxName(kind string) int {
	if kind == kindGroup {
		return maxGroupName
	}
	return maxUserName
}

// inlineQuota is the aggregate size quota of an entity's inline policies
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html#reference_iam-quotas-entity-length).
func inlineQuota(kind string) int {
	switch kind {
	case kindUser:
		return 2048
	case kindGroup:
		return 5120
	}
	return 10240
}

// attachedQuota is the number of managed policies an entity may have
// attached (default quota).
const attachedQuota = 10

func quotaName(kind string) string {
	switch kind {
	case kindUser:
		return "PoliciesPerUser"
	case kindGroup:
		return "PoliciesPerGroup"
	}
	return "PoliciesPerRole"
}

func loadPrincipal(tx store.Tx, acct, kind, name string) (*principal, error) {
	switch kind {
	case kindUser:
		u, err := getUser(tx, acct, name)
		if err != nil {
			return nil, err
		}
		return &principal{kind: kind, name: u.Name, id: u.ID, arn: userARN(acct, u.Path, u.Name), inline: &u.Inline, attached: &u.Attached,
			save: func() error { return putUser(tx, acct, u) }}, nil
	case kindGroup:
		g, err := getGroup(tx, acct, name)
		if err != nil {
			return nil, err
		}
		return &principal{kind: kind, name: g.Name, id: g.ID, arn: groupARN(acct, g.Path, g.Name), inline: &g.Inline, attached: &g.Attached,
			save: func() error { return putGroup(tx, acct, g) }}, nil
	default:
		r, err := getRole(tx, acct, name)
		if err != nil {
			return nil, err
		}
		return &principal{kind: kind, name: r.Name, id: r.ID, arn: RoleARN(acct, r.Path, r.Name), inline: &r.Inline, attached: &r.Attached,
			save: func() error { return putRole(tx, acct, r) }}, nil
	}
}
