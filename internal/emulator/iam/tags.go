package iam

import (
	"context"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/service"
)

// Tags of IAM resources. Users, roles, managed policies, instance
// profiles, MFA devices and OpenID Connect providers each have Tag*,
// Untag* and List*Tags operations of one shape
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_tags.html): each
// handler loads and authorizes its resource its own way, then tagVerb.apply
// does the rest.

// tagVerb is which of the three tag operations a handler answers.
type tagVerb int

const (
	listTags tagVerb = iota // List<Resource>Tags
	addTags                 // Tag<Resource>
	dropTags                // Untag<Resource>
)

// tagRequest is the tag members of those operations' inputs.
type tagRequest struct {
	Tags     []Tag
	TagKeys  []string
	Marker   string
	MaxItems int
}

// tagInput is the input of the tag operations of users, roles, managed
// policies and MFA devices; only the member naming the operation's
// resource is read. (Plain fields, no embedding: the Query decoder fills
// members by field name.)
type tagInput struct {
	UserName     string
	RoleName     string
	PolicyArn    string
	SerialNumber string
	Tags         []Tag
	TagKeys      []string
	Marker       string
	MaxItems     int
}

func (in *tagInput) request() tagRequest {
	return tagRequest{Tags: in.Tags, TagKeys: in.TagKeys, Marker: in.Marker, MaxItems: in.MaxItems}
}

// context is the condition context users and roles authorize a tag
// operation with: the tags set (aws:RequestTag/..., aws:TagKeys), the keys
// removed (aws:TagKeys), nothing for a listing.
func (v tagVerb) context(in tagRequest) map[string][]string {
	switch v {
	case addTags:
		return tagContext(in.Tags)
	case dropTags:
		return map[string][]string{"aws:TagKeys": in.TagKeys}
	}
	return nil
}

// change adds or removes the request's tags in *tags; *tags is left as it
// was when the request is refused.
func (v tagVerb) change(tags *[]Tag, in tagRequest) error {
	var out []Tag
	var err error
	if v == addTags {
		out, err = mergeTags(*tags, in.Tags)
	} else {
		out, err = removeTags(*tags, in.TagKeys)
	}
	if err != nil {
		return err
	}
	*tags = out
	return nil
}

// apply answers the operation on a loaded and authorized resource's tags:
// a page of them for listTags, otherwise the change, stored with save.
func (v tagVerb) apply(tags *[]Tag, in tagRequest, save func() error) (any, error) {
	if v == listTags {
		p, err := parsePage(in.Marker, in.MaxItems)
		if err != nil {
			return nil, err
		}
		return tagPage(*tags, p), nil
	}
	if err := v.change(tags, in); err != nil {
		return nil, err
	}
	return nil, save()
}

// authorizeNew checks the tags of a resource to create, then authorizes
// creating arn with them in the condition context (aws:RequestTag/...,
// aws:TagKeys) and, when set, the permissions boundary
// (iam:PermissionsBoundary).
func authorizeNew(ctx context.Context, r *service.Request, arn string, tags []Tag, boundary string) error {
	if err := checkTags(tags); err != nil {
		return err
	}
	az := service.Authz{Resource: arn, Context: tagContext(tags)}
	if boundary != "" {
		az.Context = withKey(az.Context, "iam:PermissionsBoundary", boundary)
	}
	return r.Authorize(ctx, az)
}

// tagPage is the output of List*Tags.
func tagPage(tags []Tag, p page) any {
	out, info := pageOrdered(tags, p)
	return struct {
		Tags []Tag `xml:"Tags>member"`
		pageInfo
	}{out, info}
}

// userTags answers TagUser, UntagUser and ListUserTags.
func (s *Service) userTags(verb tagVerb) service.Handler {
	return func(ctx context.Context, r *service.Request) (any, error) {
		var in tagInput
		if err := r.Decode(&in); err != nil {
			return nil, err
		}
		if err := checkName("UserName", in.UserName, maxUserName); err != nil {
			return nil, err
		}
		req := in.request()
		if verb == listTags {
			// ListUserTags checks its page parameters before it looks
			// the user up (apply parses them again).
			if _, err := parsePage(req.Marker, req.MaxItems); err != nil {
				return nil, err
			}
		}
		acct := r.Caller.Account
		u, err := s.user(ctx, r, in.UserName, service.Authz{Context: verb.context(req)})
		if err != nil {
			return nil, err
		}
		return verb.apply(&u.Tags, req, func() error { return putUser(r.Tx, acct, u) })
	}
}

// roleTags answers TagRole, UntagRole and ListRoleTags.
func (s *Service) roleTags(verb tagVerb) service.Handler {
	return func(ctx context.Context, r *service.Request) (any, error) {
		var in tagInput
		if err := r.Decode(&in); err != nil {
			return nil, err
		}
		req := in.request()
		role, err := s.roleFromInput(ctx, r, &in, func() string { return in.RoleName }, service.Authz{Context: verb.context(req)})
		if err != nil {
			return nil, err
		}
		return verb.apply(&role.Tags, req, func() error { return putRole(r.Tx, r.Caller.Account, role) })
	}
}

// policyTags answers TagPolicy, UntagPolicy and ListPolicyTags. AWS
// managed policies can be listed but not tagged.
func (s *Service) policyTags(verb tagVerb) service.Handler {
	return func(ctx context.Context, r *service.Request) (any, error) {
		var in tagInput
		p, err := s.policyFromInput(ctx, r, &in, func() string { return in.PolicyArn })
		if err != nil {
			return nil, err
		}
		if verb != listTags && p.AWS {
			return nil, awsPolicyDenied(r, p.ARN)
		}
		return verb.apply(&p.Tags, in.request(), func() error { return putPolicy(r.Tx, r.Caller.Account, p) })
	}
}

// instanceProfileTags answers TagInstanceProfile, UntagInstanceProfile
// and ListInstanceProfileTags.
func (s *Service) instanceProfileTags(verb tagVerb) service.Handler {
	return func(ctx context.Context, r *service.Request) (any, error) {
		var in instanceProfileInput
		p, err := s.instanceProfile(ctx, r, &in)
		if err != nil {
			return nil, err
		}
		req := tagRequest{Tags: in.Tags, TagKeys: in.TagKeys, Marker: in.Marker, MaxItems: in.MaxItems}
		return verb.apply(&p.Tags, req, func() error { return putInstanceProfile(r.Tx, r.Caller.Account, p) })
	}
}

// mfaTags answers TagMFADevice, UntagMFADevice and ListMFADeviceTags.
func (s *Service) mfaTags(verb tagVerb) service.Handler {
	return func(ctx context.Context, r *service.Request) (any, error) {
		var in tagInput
		if err := r.Decode(&in); err != nil {
			return nil, err
		}
		if in.SerialNumber == "" {
			return nil, missing("SerialNumber")
		}
		if err := r.Authorize(ctx, service.Authz{Resource: in.SerialNumber, Context: tagContext(in.Tags)}); err != nil {
			return nil, err
		}
		d, err := getMFA(r.Tx, r.Caller.Account, in.SerialNumber)
		if err != nil {
			return nil, err
		}
		return verb.apply(&d.Tags, in.request(), func() error { return putMFA(r.Tx, r.Caller.Account, d) })
	}
}

// oidcTags is the change of TagOpenIDConnectProvider and
// UntagOpenIDConnectProvider, for updateOIDC.
func oidcTags(verb tagVerb) func(in *oidcArnInput, p *oidcRec) error {
	return func(in *oidcArnInput, p *oidcRec) error {
		return verb.change(&p.Tags, tagRequest{Tags: in.Tags, TagKeys: in.TagKeys})
	}
}
