package iam

import (
	"context"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/service"
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
	// The record itself: one of these is set, by kind.
	user  *userRec
	group *groupRec
	role  *roleRec
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
	switch kind {
	case kindUser:
		return maxUserName
	case kindGroup:
		return maxGroupName
	}
	return maxRoleName
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
		return &principal{kind: kind, name: u.Name, id: u.ID, arn: userARN(acct, u.Path, u.Name), inline: &u.Inline, attached: &u.Attached, user: u,
			save: func() error { return putUser(tx, acct, u) }}, nil
	case kindGroup:
		g, err := getGroup(tx, acct, name)
		if err != nil {
			return nil, err
		}
		return &principal{kind: kind, name: g.Name, id: g.ID, arn: groupARN(acct, g.Path, g.Name), inline: &g.Inline, attached: &g.Attached, group: g,
			save: func() error { return putGroup(tx, acct, g) }}, nil
	default:
		r, err := getRole(tx, acct, name)
		if err != nil {
			return nil, err
		}
		return &principal{kind: kind, name: r.Name, id: r.ID, arn: RoleARN(acct, r.Path, r.Name), inline: &r.Inline, attached: &r.Attached, role: r,
			save: func() error { return putRole(tx, acct, r) }}, nil
	}
}

// entity checks the name parameter of a user, group or role (kind), loads
// the entity and authorizes the request on it with az, whose Resource it
// sets to the entity's ARN.
func (s *Service) entity(ctx context.Context, r *service.Request, kind, name string, az service.Authz) (*principal, error) {
	if err := checkName(kindMember(kind), name, kindMaxName(kind)); err != nil {
		return nil, err
	}
	p, err := loadPrincipal(r.Tx, r.Caller.Account, kind, name)
	if err != nil {
		return nil, err
	}
	az.Resource = p.arn
	if err := r.Authorize(ctx, az); err != nil {
		return nil, err
	}
	return p, nil
}

// user is entity for a UserName parameter.
func (s *Service) user(ctx context.Context, r *service.Request, name string, az service.Authz) (*userRec, error) {
	p, err := s.entity(ctx, r, kindUser, name, az)
	if err != nil {
		return nil, err
	}
	return p.user, nil
}

// group is entity for a GroupName parameter.
func (s *Service) group(ctx context.Context, r *service.Request, name string) (*groupRec, error) {
	p, err := s.entity(ctx, r, kindGroup, name, service.Authz{})
	if err != nil {
		return nil, err
	}
	return p.group, nil
}

// pagedEntity decodes the input of an operation that pages through what a
// user or group holds (GetGroup, ListGroupsForUser): it checks the name,
// then the page parameters, then loads the entity, authorizing on it.
func (s *Service) pagedEntity(ctx context.Context, r *service.Request, kind string) (*principal, page, error) {
	var in entityInput
	if err := r.Decode(&in); err != nil {
		return nil, page{}, err
	}
	if err := checkName(kindMember(kind), in.name(kind), kindMaxName(kind)); err != nil {
		return nil, page{}, err
	}
	pg, err := parsePage(in.Marker, in.MaxItems)
	if err != nil {
		return nil, page{}, err
	}
	e, err := s.entity(ctx, r, kind, in.name(kind), service.Authz{})
	return e, pg, err
}
