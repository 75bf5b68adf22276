package organizations

import (
	"context"
	"slices"
	"strings"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/service"
)

// Tags live on accounts, OUs, the root and customer-managed policies
// (TagResource in the AWS Organizations API Reference), at most
// Quotas.MaxTagsPerResource each.

func (c *orgCall) tagsOf(id string) ([]tagDoc, error) {
	var t tagsDoc
	if _, err := c.tx.Get(tagTable, key(c.org.ID, id), &t); err != nil {
		return nil, err
	}
	return t.Tags, nil
}

// putTags merges tags into the resource's (a key given again replaces its
// value). Create requests check the quota with checkCreateTags first.
func (c *orgCall) putTags(id string, in []tagIn) error {
	if len(in) == 0 {
		return nil
	}
	cur, err := c.tagsOf(id)
	if err != nil {
		return err
	}
	return c.tx.Put(tagTable, key(c.org.ID, id), tagsDoc{Tags: mergeTags(cur, in)})
}

func mergeTags(cur []tagDoc, in []tagIn) []tagDoc {
	out := slices.Clone(cur)
	for _, t := range in {
		v := ""
		if t.Value != nil {
			v = *t.Value
		}
		i := slices.IndexFunc(out, func(x tagDoc) bool { return x.Key == *t.Key })
		if i >= 0 {
			out[i].Value = v
		} else {
			out = append(out, tagDoc{Key: *t.Key, Value: v})
		}
	}
	slices.SortFunc(out, func(a, b tagDoc) int { return strings.Compare(a.Key, b.Key) })
	return out
}

// checkSystemTags refuses tag keys in the reserved aws: namespace.
func checkSystemTags(in []tagIn) error {
	for _, t := range in {
		if t.Key != nil && strings.HasPrefix(strings.ToLower(*t.Key), "aws:") {
			return invalid("INVALID_SYSTEM_TAGS_PARAMETER", "Tag keys that start with \"aws:\" are reserved for AWS use: %q.", *t.Key)
		}
	}
	return nil
}

// taggable resolves a ResourceId to its ARN, or TargetNotFoundException.
func (c *orgCall) taggable(id string) (string, error) {
	if policyIDPattern().MatchString(id) {
		p, err := c.policy(id)
		if err != nil {
			return "", err
		}
		if p.AWSManaged {
			return "", invalid("IMMUTABLE_POLICY", "You can't tag the AWS managed policy %s.", id)
		}
		return c.org.policyARN(p), nil
	}
	e, err := c.lookup(id)
	if err != nil {
		return "", storeErr(c.r.Action, err)
	}
	if e == nil {
		return "", errTargetNotFound(id)
	}
	return e.ARN, nil
}

type tagResourceIn struct {
	ResourceId *string
	Tags       []tagIn
	TagKeys    []string
	NextToken  *string
}

func (s *Service) tagRequest(ctx context.Context, r *service.Request, readOnly bool) (*orgCall, string, *tagResourceIn, error) {
	var in tagResourceIn
	if err := r.Decode(&in); err != nil {
		return nil, "", nil, err
	}
	var f field
	id := f.id("ResourceId", in.ResourceId, "INVALID_PATTERN", rootIDPattern(), ouIDPattern(), accountIDPattern(), policyIDPattern())
	f.tags(in.Tags)
	if err := f.check(); err != nil {
		return nil, "", nil, err
	}
	c, err := enter(r, managementOnly, readOnly)
	if err != nil {
		return nil, "", nil, err
	}
	arn, err := c.taggable(id)
	if err != nil {
		return nil, "", nil, err
	}
	if err := c.authorize(ctx, arn); err != nil {
		return nil, "", nil, err
	}
	return c, id, &in, nil
}

func (s *Service) tagResource(ctx context.Context, r *service.Request) (any, error) {
	c, id, in, err := s.tagRequest(ctx, r, false)
	if err != nil {
		return nil, err
	}
	if len(in.Tags) == 0 {
		return nil, invalid("INPUT_REQUIRED", "You must specify a value for Tags.")
	}
	if err := checkSystemTags(in.Tags); err != nil {
		return nil, err
	}
	cur, err := c.tagsOf(id)
	if err != nil {
		return nil, storeErr(r.Action, err)
	}
	merged := mergeTags(cur, in.Tags)
	if len(merged) > s.quotas.MaxTagsPerResource {
		return nil, constraint("MAX_TAG_LIMIT_EXCEEDED", "A resource can have at most %d tags.", s.quotas.MaxTagsPerResource)
	}
	if err := r.Tx.Put(tagTable, key(c.org.ID, id), tagsDoc{Tags: merged}); err != nil {
		return nil, storeErr(r.Action, err)
	}
	return nil, nil
}

func (s *Service) untagResource(ctx context.Context, r *service.Request) (any, error) {
	c, id, in, err := s.tagRequest(ctx, r, false)
	if err != nil {
		return nil, err
	}
	if in.TagKeys == nil {
		return nil, invalid("INPUT_REQUIRED", "You must specify a value for TagKeys.")
	}
	cur, err := c.tagsOf(id)
	if err != nil {
		return nil, storeErr(r.Action, err)
	}
	cur = slices.DeleteFunc(cur, func(t tagDoc) bool { return slices.Contains(in.TagKeys, t.Key) })
	if err := r.Tx.Put(tagTable, key(c.org.ID, id), tagsDoc{Tags: cur}); err != nil {
		return nil, storeErr(r.Action, err)
	}
	return nil, nil
}

func (s *Service) listTagsForResource(ctx context.Context, r *service.Request) (any, error) {
	c, id, in, err := s.tagRequest(ctx, r, true)
	if err != nil {
		return nil, err
	}
	p, err := newPage(r.Action, pageIn{NextToken: in.NextToken}, "")
	if err != nil {
		return nil, err
	}
	cur, err := c.tagsOf(id)
	if err != nil {
		return nil, storeErr(r.Action, err)
	}
	items, next := pageSlice(p, cur, func(t tagDoc) string { return t.Key })
	out := make([]tagOut, len(items))
	for i, t := range items {
		out[i] = tagOut{Key: t.Key, Value: t.Value}
	}
	return listOut("Tags", out, next), nil
}

// checkCreateTags validates Tags of a create request (CreateAccount,
// CreateOrganizationalUnit, CreatePolicy) against the quota.
func (s *Service) checkCreateTags(in []tagIn) error {
	if err := checkSystemTags(in); err != nil {
		return err
	}
	if len(in) > s.quotas.MaxTagsPerResource {
		return constraint("MAX_TAG_LIMIT_EXCEEDED", "A resource can have at most %d tags.", s.quotas.MaxTagsPerResource)
	}
	return nil
}
