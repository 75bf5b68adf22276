package iam

import (
	"context"
	"slices"
	"strings"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/service"
)

// GetAccountAuthorizationDetails: every user, group, role and managed
// policy of the account with their policies, filtered by entity type and
// paged across the whole list
// (https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html).
// AWS managed policies are listed when at least one entity of the account
// uses them, as AWS does.

type policyDetailOut struct {
	PolicyName     string `xml:"PolicyName"`
	PolicyDocument string `xml:"PolicyDocument"`
}

type userDetailOut struct {
	Path                    string              `xml:"Path"`
	UserName                string              `xml:"UserName"`
	UserId                  string              `xml:"UserId"`
	Arn                     string              `xml:"Arn"`
	CreateDate              service.Time        `xml:"CreateDate"`
	UserPolicyList          []policyDetailOut   `xml:"UserPolicyList>member"`
	GroupList               []string            `xml:"GroupList>member"`
	AttachedManagedPolicies []attachedPolicyOut `xml:"AttachedManagedPolicies>member"`
	PermissionsBoundary     *boundaryOut        `xml:"PermissionsBoundary,omitempty"`
	Tags                    []Tag               `xml:"Tags>member,omitempty"`
}

type groupDetailOut struct {
	Path                    string              `xml:"Path"`
	GroupName               string              `xml:"GroupName"`
	GroupId                 string              `xml:"GroupId"`
	Arn                     string              `xml:"Arn"`
	CreateDate              service.Time        `xml:"CreateDate"`
	GroupPolicyList         []policyDetailOut   `xml:"GroupPolicyList>member"`
	AttachedManagedPolicies []attachedPolicyOut `xml:"AttachedManagedPolicies>member"`
}

type roleDetailOut struct {
	Path                     string               `xml:"Path"`
	RoleName                 string               `xml:"RoleName"`
	RoleId                   string               `xml:"RoleId"`
	Arn                      string               `xml:"Arn"`
	CreateDate               service.Time         `xml:"CreateDate"`
	AssumeRolePolicyDocument string               `xml:"AssumeRolePolicyDocument"`
	InstanceProfileList      []instanceProfileOut `xml:"InstanceProfileList>member"`
	RolePolicyList           []policyDetailOut    `xml:"RolePolicyList>member"`
	AttachedManagedPolicies  []attachedPolicyOut  `xml:"AttachedManagedPolicies>member"`
	PermissionsBoundary      *boundaryOut         `xml:"PermissionsBoundary,omitempty"`
	Tags                     []Tag                `xml:"Tags>member,omitempty"`
	RoleLastUsed             *roleLastUsedOut     `xml:"RoleLastUsed,omitempty"`
}

type managedPolicyDetailOut struct {
	PolicyName                    string             `xml:"PolicyName"`
	PolicyId                      string             `xml:"PolicyId"`
	Arn                           string             `xml:"Arn"`
	Path                          string             `xml:"Path"`
	DefaultVersionId              string             `xml:"DefaultVersionId"`
	AttachmentCount               int                `xml:"AttachmentCount"`
	PermissionsBoundaryUsageCount int                `xml:"PermissionsBoundaryUsageCount"`
	IsAttachable                  bool               `xml:"IsAttachable"`
	Description                   string             `xml:"Description,omitempty"`
	CreateDate                    service.Time       `xml:"CreateDate"`
	UpdateDate                    service.Time       `xml:"UpdateDate"`
	PolicyVersionList             []policyVersionOut `xml:"PolicyVersionList>member"`
}

func inlineDetails(p inlinePolicies) []policyDetailOut {
	var out []policyDetailOut
	for _, n := range p.names() {
		out = append(out, policyDetailOut{PolicyName: n, PolicyDocument: encodeDoc(p[n])})
	}
	return out
}

func attachedDetails(arns []string) []attachedPolicyOut {
	var out []attachedPolicyOut
	for _, arn := range arns {
		a, _ := ParseARN(arn)
		out = append(out, attachedPolicyOut{PolicyName: a.Name, PolicyArn: arn})
	}
	return out
}

func (s *Service) getAccountAuthorizationDetails(ctx context.Context, r *service.Request) (any, error) {
	var in struct {
		Filter   []string
		Marker   string
		MaxItems int
	}
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, f := range in.Filter {
		// Filter is a list: an empty member is no entity type either.
		if !slices.Contains(entityTypes, f) {
			return nil, validationError("filter", f, enumConstraint(entityTypes))
		}
		want[f] = true
	}
	all := len(want) == 0
	pg, err := parsePage(in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	if err := r.Authorize(ctx, service.Authz{Resource: "*"}); err != nil {
		return nil, err
	}
	acct, tx := r.Caller.Account, r.Tx

	// One ordered list of every entity, keyed by kind then name, so that
	// a Marker resumes across kinds.
	type detail struct {
		user   *userDetailOut
		group  *groupDetailOut
		role   *roleDetailOut
		policy *managedPolicyDetailOut
	}
	var items []sliceKeyed[detail]
	if all || want["User"] {
		err := scanRecs(tx, tableUser, acct+"/", func(key string, u *userRec) (bool, error) {
			o := &userDetailOut{Path: u.Path, UserName: u.Name, UserId: u.ID, Arn: userARN(acct, u.Path, u.Name),
				CreateDate: service.Time(u.Created), UserPolicyList: inlineDetails(u.Inline), GroupList: u.Groups,
				AttachedManagedPolicies: attachedDetails(u.Attached), PermissionsBoundary: boundaryOf(u.Boundary), Tags: u.Tags}
			items = append(items, sliceKeyed[detail]{key: "1 " + key, item: detail{user: o}})
			return true, nil
		})
		if err != nil {
			return nil, internal("authorization details", err)
		}
	}
	if all || want["Group"] {
		err := scanRecs(tx, tableGroup, acct+"/", func(key string, g *groupRec) (bool, error) {
			o := &groupDetailOut{Path: g.Path, GroupName: g.Name, GroupId: g.ID, Arn: groupARN(acct, g.Path, g.Name),
				CreateDate: service.Time(g.Created), GroupPolicyList: inlineDetails(g.Inline), AttachedManagedPolicies: attachedDetails(g.Attached)}
			items = append(items, sliceKeyed[detail]{key: "2 " + key, item: detail{group: o}})
			return true, nil
		})
		if err != nil {
			return nil, internal("authorization details", err)
		}
	}
	if all || want["Role"] {
		profiles := map[string][]instanceProfileOut{} // by lower-case role name
		err := scanRecs(tx, tableInstanceProfile, acct+"/", func(_ string, p *instanceProfileRec) (bool, error) {
			o, err := p.out(tx, acct)
			for _, r := range p.Roles {
				profiles[strings.ToLower(r)] = append(profiles[strings.ToLower(r)], o)
			}
			return true, err
		})
		if err != nil {
			return nil, internal("authorization details", err)
		}
		err = scanRecs(tx, tableRole, acct+"/", func(key string, role *roleRec) (bool, error) {
			full := role.out(acct, true)
			o := &roleDetailOut{Path: role.Path, RoleName: role.Name, RoleId: role.ID, Arn: full.Arn, CreateDate: full.CreateDate,
				AssumeRolePolicyDocument: full.AssumeRolePolicyDocument, RolePolicyList: inlineDetails(role.Inline),
				AttachedManagedPolicies: attachedDetails(role.Attached), PermissionsBoundary: full.PermissionsBoundary,
				Tags: role.Tags, RoleLastUsed: full.RoleLastUsed, InstanceProfileList: profiles[strings.ToLower(role.Name)]}
			items = append(items, sliceKeyed[detail]{key: "3 " + key, item: detail{role: o}})
			return true, nil
		})
		if err != nil {
			return nil, internal("authorization details", err)
		}
	}
	policyDetail := func(p *policyRec) (*managedPolicyDetailOut, error) {
		o, err := p.out(tx, acct, false)
		if err != nil {
			return nil, err
		}
		d := &managedPolicyDetailOut{PolicyName: o.PolicyName, PolicyId: o.PolicyId, Arn: o.Arn, Path: o.Path,
			DefaultVersionId: o.DefaultVersionId, AttachmentCount: o.AttachmentCount,
			PermissionsBoundaryUsageCount: o.PermissionsBoundaryUsageCount, IsAttachable: true,
			Description: o.Description, CreateDate: o.CreateDate, UpdateDate: o.UpdateDate}
		for i := range p.Versions {
			d.PolicyVersionList = append(d.PolicyVersionList, p.Versions[i].out(p, true))
		}
		return d, nil
	}
	if all || want["LocalManagedPolicy"] {
		err := scanRecs(tx, tablePolicy, acct+"/", func(key string, p *policyRec) (bool, error) {
			d, err := policyDetail(p)
			if err != nil {
				return false, err
			}
			items = append(items, sliceKeyed[detail]{key: "4 " + key, item: detail{policy: d}})
			return true, nil
		})
		if err != nil {
			return nil, internal("authorization details", err)
		}
	}
	if all || want["AWSManagedPolicy"] {
		for _, p := range awsManagedPolicies() {
			d, err := policyDetail(p)
			if err != nil {
				return nil, err
			}
			if d.AttachmentCount == 0 && d.PermissionsBoundaryUsageCount == 0 {
				continue
			}
			items = append(items, sliceKeyed[detail]{key: "5 " + strings.ToLower(p.Name), item: detail{policy: d}})
		}
	}
	page, info := pageSlice(items, pg)
	out := struct {
		UserDetailList  []userDetailOut          `xml:"UserDetailList>member"`
		GroupDetailList []groupDetailOut         `xml:"GroupDetailList>member"`
		RoleDetailList  []roleDetailOut          `xml:"RoleDetailList>member"`
		Policies        []managedPolicyDetailOut `xml:"Policies>member"`
		pageInfo
	}{pageInfo: info}
	for _, d := range page {
		switch {
		case d.user != nil:
			out.UserDetailList = append(out.UserDetailList, *d.user)
		case d.group != nil:
			out.GroupDetailList = append(out.GroupDetailList, *d.group)
		case d.role != nil:
			out.RoleDetailList = append(out.RoleDetailList, *d.role)
		case d.policy != nil:
			out.Policies = append(out.Policies, *d.policy)
		}
	}
	return out, nil
}
