package organizations

import (
	"context"
	"encoding/json"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/service"
)

// The organization's resource policy (API_PutResourcePolicy.html): one
// per organization, delegating Organizations read and policy management
// to member accounts.

type resourcePolicyIn struct {
	Content *string
	Tags    []tagIn
}

func (c *orgCall) resourcePolicyView() resourcePolicyOut {
	var out resourcePolicyOut
	out.ResourcePolicySummary.Id = c.org.ResourcePolicy.ID
	out.ResourcePolicySummary.Arn = c.org.resourcePolicyARN(c.org.ResourcePolicy.ID)
	out.Content = c.org.ResourcePolicy.Content
	return out
}

func (s *Service) putResourcePolicy(ctx context.Context, r *service.Request) (any, error) {
	var in resourcePolicyIn
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	var f field
	content := f.required("Content", in.Content)
	f.length("Content", content, 1, 40000)
	f.tags(in.Tags)
	if err := f.check(); err != nil {
		return nil, err
	}
	if err := s.checkCreateTags(in.Tags); err != nil {
		return nil, err
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal([]byte(content), &doc); err != nil {
		return nil, invalid("INVALID_RESOURCE_POLICY_JSON", "The resource policy isn't a valid JSON object: %v.", err)
	}
	c, err := enter(r, managementOnly, false)
	if err != nil {
		return nil, err
	}
	if err := c.authorize(ctx, c.org.arn()); err != nil {
		return nil, err
	}
	if c.org.ResourcePolicy == nil {
		id, err := ids{s.rand}.resourcePolicy()
		if err != nil {
			return nil, err
		}
		c.org.ResourcePolicy = &resourcePolicyDoc{ID: id}
	}
	c.org.ResourcePolicy.Content = content
	err = firstErr(
		func() error { return r.Tx.Put(orgTable, c.org.ID, c.org) },
		func() error { return c.putTags(c.org.ResourcePolicy.ID, in.Tags) },
	)
	if err != nil {
		return nil, storeErr(r.Action, err)
	}
	return map[string]any{"ResourcePolicy": c.resourcePolicyView()}, nil
}

func (s *Service) describeResourcePolicy(ctx context.Context, r *service.Request) (any, error) {
	c, err := enter(r, managementOnly, true)
	if err != nil {
		return nil, err
	}
	if err := c.authorize(ctx, c.org.arn()); err != nil {
		return nil, err
	}
	if c.org.ResourcePolicy == nil {
		return nil, awsErr("ResourcePolicyNotFoundException", "The organization has no resource policy.")
	}
	return map[string]any{"ResourcePolicy": c.resourcePolicyView()}, nil
}

func (s *Service) deleteResourcePolicy(ctx context.Context, r *service.Request) (any, error) {
	c, err := enter(r, managementOnly, false)
	if err != nil {
		return nil, err
	}
	if err := c.authorize(ctx, c.org.arn()); err != nil {
		return nil, err
	}
	if c.org.ResourcePolicy == nil {
		return nil, awsErr("ResourcePolicyNotFoundException", "The organization has no resource policy.")
	}
	id := c.org.ResourcePolicy.ID
	c.org.ResourcePolicy = nil
	err = firstErr(
		func() error { return r.Tx.Put(orgTable, c.org.ID, c.org) },
		func() error { _, err := r.Tx.Delete(tagTable, key(c.org.ID, id)); return err },
	)
	if err != nil {
		return nil, storeErr(r.Action, err)
	}
	return nil, nil
}
