package iam

import (
	"context"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/service"
)

// Inline policies (Put/Get/Delete/List User/Group/Role Policy):
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_PutRolePolicy.html.

// inlineTarget decodes the input of Put/Get/DeleteXPolicy, checks the
// PolicyName (and, when withDoc, that a PolicyDocument was sent), then
// loads the entity, authorizing the request on it.
func (s *Service) inlineTarget(ctx context.Context, r *service.Request, kind string, withDoc bool) (entityInput, *principal, error) {
	var in entityInput
	if err := r.Decode(&in); err != nil {
		return in, nil, err
	}
	if err := checkName("PolicyName", in.PolicyName, maxPolicyName); err != nil {
		return in, nil, err
	}
	if withDoc && in.PolicyDocument == "" {
		return in, nil, missing("PolicyDocument")
	}
	p, err := s.entity(ctx, r, kind, in.name(kind), service.Authz{})
	return in, p, err
}

func (s *Service) putInlinePolicy(kind string) service.Handler {
	return func(ctx context.Context, r *service.Request) (any, error) {
		in, p, err := s.inlineTarget(ctx, r, kind, true)
		if err != nil {
			return nil, err
		}
		if err := checkPolicy(in.PolicyDocument, identityDoc, nil); err != nil {
			return nil, err
		}
		// The quota is on the sum of the entity's inline policies.
		total := policySize(in.PolicyDocument)
		for name, doc := range *p.inline {
			if name != in.PolicyName {
				total += policySize(doc)
			}
		}
		if q := inlineQuota(kind); total > q {
			return nil, limitExceeded("Maximum policy size of %d bytes exceeded for %s %s", q, kind, p.name)
		}
		if *p.inline == nil {
			*p.inline = inlinePolicies{}
		}
		(*p.inline)[in.PolicyName] = in.PolicyDocument
		return nil, p.save()
	}
}

func (s *Service) inlinePolicy(ctx context.Context, r *service.Request, kind string) (*principal, string, error) {
	in, p, err := s.inlineTarget(ctx, r, kind, false)
	if err != nil {
		return nil, "", err
	}
	if _, ok := (*p.inline)[in.PolicyName]; !ok {
		return nil, "", noSuchEntity("The %s policy with name %s cannot be found.", kind, in.PolicyName)
	}
	return p, in.PolicyName, nil
}

func (s *Service) getInlinePolicy(kind string) service.Handler {
	return func(ctx context.Context, r *service.Request) (any, error) {
		p, name, err := s.inlinePolicy(ctx, r, kind)
		if err != nil {
			return nil, err
		}
		out := struct {
			UserName       string `xml:"UserName,omitempty"`
			GroupName      string `xml:"GroupName,omitempty"`
			RoleName       string `xml:"RoleName,omitempty"`
			PolicyName     string `xml:"PolicyName"`
			PolicyDocument string `xml:"PolicyDocument"`
		}{PolicyName: name, PolicyDocument: encodeDoc((*p.inline)[name])}
		switch kind {
		case kindUser:
			out.UserName = p.name
		case kindGroup:
			out.GroupName = p.name
		default:
			out.RoleName = p.name
		}
		return out, nil
	}
}

func (s *Service) deleteInlinePolicy(kind string) service.Handler {
	return func(ctx context.Context, r *service.Request) (any, error) {
		p, name, err := s.inlinePolicy(ctx, r, kind)
		if err != nil {
			return nil, err
		}
		delete(*p.inline, name)
		return nil, p.save()
	}
}

func (s *Service) listInlinePolicies(kind string) service.Handler {
	return func(ctx context.Context, r *service.Request) (any, error) {
		var in entityInput
		if err := r.Decode(&in); err != nil {
			return nil, err
		}
		pg, err := parsePage(in.Marker, in.MaxItems)
		if err != nil {
			return nil, err
		}
		p, err := s.entity(ctx, r, kind, in.name(kind), service.Authz{})
		if err != nil {
			return nil, err
		}
		var items []sliceKeyed[string]
		for _, n := range p.inline.names() {
			items = append(items, sliceKeyed[string]{key: n, item: n})
		}
		names, info := pageSlice(items, pg)
		return struct {
			PolicyNames []string `xml:"PolicyNames>member"`
			pageInfo
		}{names, info}, nil
	}
}
