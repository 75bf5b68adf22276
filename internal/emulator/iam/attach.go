package iam

import (
	"context"
	"strings"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/service"
)

// Managed policy attachments (Attach/Detach/ListAttached User/Group/Role
// Policies, ListEntitiesForPolicy):
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_AttachRolePolicy.html.

// entityInput is the input of the operations shared by users, groups and
// roles; it carries the entity name member of each kind and only the
// operation's kind is read. (Plain fields, no embedding: the Query decoder
// fills members by field name.)
type entityInput struct {
	UserName       string
	GroupName      string
	RoleName       string
	PolicyArn      string
	PolicyName     string
	PolicyDocument string
	PathPrefix     string
	Marker         string
	MaxItems       int
}

func (e entityInput) name(kind string) string {
	switch kind {
	case kindUser:
		return e.UserName
	case kindGroup:
		return e.GroupName
	}
	return e.RoleName
}

// attachTarget decodes the input of Attach*Policy and Detach*Policy and
// loads the entity, authorizing the request on it with iam:PolicyARN.
func (s *Service) attachTarget(ctx context.Context, r *service.Request, kind string) (entityInput, *principal, error) {
	var in entityInput
	if err := r.Decode(&in); err != nil {
		return in, nil, err
	}
	if in.PolicyArn == "" {
		return in, nil, missing("PolicyArn")
	}
	p, err := s.entity(ctx, r, kind, in.name(kind), service.Authz{Context: map[string][]string{"iam:PolicyARN": {in.PolicyArn}}})
	return in, p, err
}

func (s *Service) attachPolicy(kind string) service.Handler {
	return func(ctx context.Context, r *service.Request) (any, error) {
		in, p, err := s.attachTarget(ctx, r, kind)
		if err != nil {
			return nil, err
		}
		acct := r.Caller.Account
		pol, err := lookupPolicy(r.Tx, acct, in.PolicyArn)
		if err != nil {
			return nil, err
		}
		for _, a := range *p.attached {
			if a == pol.ARN {
				return nil, nil // attaching twice is a no-op, as in AWS
			}
		}
		if len(*p.attached) >= attachedQuota {
			return nil, limitExceeded("Cannot exceed quota for %s: %d", quotaName(kind), attachedQuota)
		}
		*p.attached = append(*p.attached, pol.ARN)
		if err := r.Tx.Put(tableAttach, attachKey(acct, pol.ARN, kind, p.id), attachment{Kind: kind, Name: p.name, ID: p.id}); err != nil {
			return nil, internal("put attachment", err)
		}
		return nil, p.save()
	}
}

func (s *Service) detachPolicy(kind string) service.Handler {
	return func(ctx context.Context, r *service.Request) (any, error) {
		in, p, err := s.attachTarget(ctx, r, kind)
		if err != nil {
			return nil, err
		}
		var keep []string
		found := false
		for _, a := range *p.attached {
			if a == in.PolicyArn {
				found = true
				continue
			}
			keep = append(keep, a)
		}
		if !found {
			return nil, noSuchEntity("Policy %s was not found.", in.PolicyArn)
		}
		*p.attached = keep
		if _, err := r.Tx.Delete(tableAttach, attachKey(r.Caller.Account, in.PolicyArn, kind, p.id)); err != nil {
			return nil, internal("delete attachment", err)
		}
		return nil, p.save()
	}
}

func (s *Service) listAttachedPolicies(kind string) service.Handler {
	return func(ctx context.Context, r *service.Request) (any, error) {
		var in entityInput
		if err := r.Decode(&in); err != nil {
			return nil, err
		}
		prefix, pg, err := parsePathPage(in.PathPrefix, in.Marker, in.MaxItems)
		if err != nil {
			return nil, err
		}
		p, err := s.entity(ctx, r, kind, in.name(kind), service.Authz{})
		if err != nil {
			return nil, err
		}
		var items []sliceKeyed[attachedPolicyOut]
		for _, arn := range *p.attached {
			a, _ := ParseARN(arn)
			if !hasPathPrefix(a.Path, prefix) {
				continue
			}
			items = append(items, sliceKeyed[attachedPolicyOut]{key: strings.ToLower(a.Name) + " " + arn, item: attachedPolicyOut{PolicyName: a.Name, PolicyArn: arn}})
		}
		sortKeyed(items)
		out, info := pageSlice(items, pg)
		return struct {
			AttachedPolicies []attachedPolicyOut `xml:"AttachedPolicies>member"`
			pageInfo
		}{out, info}, nil
	}
}

type policyUserOut struct {
	UserName string `xml:"UserName"`
	UserId   string `xml:"UserId"`
}

type policyGroupOut struct {
	GroupName string `xml:"GroupName"`
	GroupId   string `xml:"GroupId"`
}

type policyRoleOut struct {
	RoleName string `xml:"RoleName"`
	RoleId   string `xml:"RoleId"`
}

func (s *Service) listEntitiesForPolicy(ctx context.Context, r *service.Request) (any, error) {
	var in struct {
		PolicyArn         string
		EntityFilter      string
		PathPrefix        string
		PolicyUsageFilter string
		Marker            string
		MaxItems          int
	}
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	if in.PolicyArn == "" {
		return nil, missing("PolicyArn")
	}
	if err := checkEnum("entityFilter", in.EntityFilter, entityTypes...); err != nil {
		return nil, err
	}
	if err := checkEnum("policyUsageFilter", in.PolicyUsageFilter, policyUsageTypes...); err != nil {
		return nil, err
	}
	prefix, pg, err := parsePathPage(in.PathPrefix, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	if err := r.Authorize(ctx, service.Authz{Resource: in.PolicyArn}); err != nil {
		return nil, err
	}
	acct, tx := r.Caller.Account, r.Tx
	pol, err := lookupPolicy(tx, acct, in.PolicyArn)
	if err != nil {
		return nil, err
	}
	type entity struct {
		kind, name, id string
	}
	seen := map[string]bool{}
	var items []sliceKeyed[entity]
	collect := func(table string) error {
		return scanRecs(tx, table, attachPrefix(acct, pol.ARN), func(_ string, a *attachment) (bool, error) {
			if seen[a.Kind+a.ID] {
				return true, nil
			}
			seen[a.Kind+a.ID] = true
			items = append(items, sliceKeyed[entity]{key: a.Kind + " " + strings.ToLower(a.Name), item: entity{a.Kind, a.Name, a.ID}})
			return true, nil
		})
	}
	if in.PolicyUsageFilter != "PermissionsBoundary" {
		if err := collect(tableAttach); err != nil {
			return nil, internal("list entities", err)
		}
	}
	if in.PolicyUsageFilter != "PermissionsPolicy" {
		if err := collect(tableBoundary); err != nil {
			return nil, internal("list entities", err)
		}
	}
	var filtered []sliceKeyed[entity]
	for _, it := range items {
		e := it.item
		if in.EntityFilter != "" && !strings.EqualFold(in.EntityFilter, e.kind) {
			continue
		}
		if prefix != "/" {
			p, err := loadPrincipal(tx, acct, e.kind, e.name)
			if err != nil {
				return nil, err
			}
			a, _ := ParseARN(p.arn)
			if !hasPathPrefix(a.Path, prefix) {
				continue
			}
		}
		filtered = append(filtered, it)
	}
	sortKeyed(filtered)
	page, info := pageSlice(filtered, pg)
	out := struct {
		PolicyGroups []policyGroupOut `xml:"PolicyGroups>member"`
		PolicyUsers  []policyUserOut  `xml:"PolicyUsers>member"`
		PolicyRoles  []policyRoleOut  `xml:"PolicyRoles>member"`
		pageInfo
	}{pageInfo: info}
	for _, e := range page {
		switch e.kind {
		case kindUser:
			out.PolicyUsers = append(out.PolicyUsers, policyUserOut{e.name, e.id})
		case kindGroup:
			out.PolicyGroups = append(out.PolicyGroups, policyGroupOut{e.name, e.id})
		case kindRole:
			out.PolicyRoles = append(out.PolicyRoles, policyRoleOut{e.name, e.id})
		}
	}
	return out, nil
}
