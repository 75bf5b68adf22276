package organizations

import (
	"context"
	"encoding/json"
	"unicode/utf8"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/service"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/store"
)

func (c *orgCall) policyView(p *policyDoc) policySummaryOut {
	return policySummaryOut{Id: p.ID, Arn: c.org.policyARN(p), Name: p.Name, Description: p.Description, Type: p.Type, AwsManaged: p.AWSManaged}
}

// policy loads a policy by validated id, or PolicyNotFoundException.
func (c *orgCall) policy(id string) (*policyDoc, error) {
	var p policyDoc
	ok, err := c.tx.Get(policyTable, key(c.org.ID, id), &p)
	if err != nil {
		return nil, storeErr(c.r.Action, err)
	}
	if !ok {
		return nil, errPolicyNotFound(id)
	}
	return &p, nil
}

type policyIn struct {
	PolicyId    *string
	TargetId    *string
	Name        *string
	Description *string
	Content     *string
	Type        string
	Filter      string
	Tags        []tagIn
	pageIn
}

// checkContent enforces the type's size quota
// (POLICY_CONTENT_LIMIT_EXCEEDED) and that the document is a JSON object
// (MalformedPolicyDocumentException); SCPs and RCPs must also have a
// Statement, as IAM policy grammar requires.
func (s *Service) checkContent(typ, content string) error {
	q := s.quotas.PolicyTypes[typ]
	if q.MaxSize > 0 && utf8.RuneCountInString(content) > q.MaxSize {
		return constraint("POLICY_CONTENT_LIMIT_EXCEEDED", "The policy is %d characters long; policies of type %s may be at most %d.", utf8.RuneCountInString(content), typ, q.MaxSize)
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal([]byte(content), &doc); err != nil {
		return awsErr("MalformedPolicyDocumentException", "The provided policy document isn't a valid JSON object: %v.", err)
	}
	if typ == "SERVICE_CONTROL_POLICY" || typ == "RESOURCE_CONTROL_POLICY" {
		if _, ok := doc["Statement"]; !ok {
			return awsErr("MalformedPolicyDocumentException", "The provided policy document has no Statement.")
		}
	}
	return nil
}

// nameTaken reports whether another policy of the same type is named
// name (DuplicatePolicyException).
func (c *orgCall) nameTaken(typ, name, except string) (bool, error) {
	taken := false
	err := c.tx.Scan(policyTable, c.org.ID+"/", "", func(_ string, d store.Doc) (bool, error) {
		var p policyDoc
		if err := d.Decode(&p); err != nil {
			return false, err
		}
		taken = p.Type == typ && p.Name == name && p.ID != except
		return !taken, nil
	})
	return taken, err
}

func (s *Service) createPolicy(ctx context.Context, r *service.Request) (any, error) {
	var in policyIn
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	var f field
	content := f.required("Content", in.Content)
	f.length("Content", content, 1, 0)
	desc := f.required("Description", in.Description)
	f.length("Description", desc, 0, 512)
	name := f.required("Name", in.Name)
	f.length("Name", name, 1, 128)
	f.policyType("Type", in.Type)
	f.tags(in.Tags)
	if err := f.check(); err != nil {
		return nil, err
	}
	if err := s.checkCreateTags(in.Tags); err != nil {
		return nil, err
	}
	c, err := enter(r, managementOnly, false)
	if err != nil {
		return nil, err
	}
	if err := c.authorize(ctx, c.org.arn()); err != nil {
		return nil, err
	}
	if err := s.checkContent(in.Type, content); err != nil {
		return nil, err
	}
	n := 0
	err = r.Tx.Scan(policyTable, c.org.ID+"/", "", func(_ string, d store.Doc) (bool, error) {
		var p policyDoc
		if err := d.Decode(&p); err != nil {
			return false, err
		}
		if p.Type == in.Type && !p.AWSManaged {
			n++
		}
		return true, nil
	})
	if err != nil {
		return nil, storeErr(r.Action, err)
	}
	if q := s.quotas.PolicyTypes[in.Type]; q.MaxPolicies > 0 && n >= q.MaxPolicies {
		return nil, constraint("POLICY_NUMBER_LIMIT_EXCEEDED", "The organization already has %d policies of type %s, the most allowed.", n, in.Type)
	}
	taken, err := c.nameTaken(in.Type, name, "")
	if err != nil {
		return nil, storeErr(r.Action, err)
	}
	if taken {
		return nil, awsErr("DuplicatePolicyException", "A policy with the name %q already exists.", name)
	}
	id, err := ids{s.rand}.policy()
	if err != nil {
		return nil, err
	}
	p := &policyDoc{ID: id, Name: name, Description: desc, Type: in.Type, Content: content, Updated: r.Now}
	err = firstErr(
		func() error { return r.Tx.Insert(policyTable, key(c.org.ID, id), p) },
		func() error { return c.putTags(id, in.Tags) },
	)
	if err != nil {
		return nil, storeErr(r.Action, err)
	}
	return map[string]any{"Policy": policyOut{PolicySummary: c.policyView(p), Content: p.Content}}, nil
}

// policyRequest decodes a PolicyId request and authorizes on the policy.
func (s *Service) policyRequest(ctx context.Context, r *service.Request, readOnly bool) (*orgCall, *policyDoc, *policyIn, error) {
	var in policyIn
	if err := r.Decode(&in); err != nil {
		return nil, nil, nil, err
	}
	var f field
	id := f.policyID("PolicyId", in.PolicyId)
	if in.Name != nil {
		f.length("Name", *in.Name, 1, 128)
	}
	if in.Description != nil {
		f.length("Description", *in.Description, 0, 512)
	}
	if in.Content != nil {
		f.length("Content", *in.Content, 1, 0)
	}
	if err := f.check(); err != nil {
		return nil, nil, nil, err
	}
	c, err := enter(r, managementOnly, readOnly)
	if err != nil {
		return nil, nil, nil, err
	}
	p, err := c.policy(id)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := c.authorize(ctx, c.org.policyARN(p)); err != nil {
		return nil, nil, nil, err
	}
	return c, p, &in, nil
}

func errImmutable(p *policyDoc) error {
	return invalid("IMMUTABLE_POLICY", "You can't change or delete the AWS managed policy %s.", p.Name)
}

func (s *Service) describePolicy(ctx context.Context, r *service.Request) (any, error) {
	c, p, _, err := s.policyRequest(ctx, r, true)
	if err != nil {
		return nil, err
	}
	return map[string]any{"Policy": policyOut{PolicySummary: c.policyView(p), Content: p.Content}}, nil
}

func (s *Service) updatePolicy(ctx context.Context, r *service.Request) (any, error) {
	c, p, in, err := s.policyRequest(ctx, r, false)
	if err != nil {
		return nil, err
	}
	if p.AWSManaged {
		return nil, errImmutable(p)
	}
	if in.Content != nil {
		if err := s.checkContent(p.Type, *in.Content); err != nil {
			return nil, err
		}
		p.Content = *in.Content
	}
	if in.Name != nil && *in.Name != p.Name {
		taken, err := c.nameTaken(p.Type, *in.Name, p.ID)
		if err != nil {
			return nil, storeErr(r.Action, err)
		}
		if taken {
			return nil, awsErr("DuplicatePolicyException", "A policy with the name %q already exists.", *in.Name)
		}
		p.Name = *in.Name
	}
	if in.Description != nil {
		p.Description = *in.Description
	}
	p.Updated = r.Now
	if err := r.Tx.Put(policyTable, key(c.org.ID, p.ID), p); err != nil {
		return nil, storeErr(r.Action, err)
	}
	return map[string]any{"Policy": policyOut{PolicySummary: c.policyView(p), Content: p.Content}}, nil
}

func (s *Service) deletePolicy(ctx context.Context, r *service.Request) (any, error) {
	c, p, _, err := s.policyRequest(ctx, r, false)
	if err != nil {
		return nil, err
	}
	if p.AWSManaged {
		return nil, errImmutable(p)
	}
	n, err := r.Tx.Count(targetTable, key(c.org.ID, p.ID)+"/")
	if err != nil {
		return nil, storeErr(r.Action, err)
	}
	if n > 0 {
		return nil, awsErr("PolicyInUseException", "The policy %s is attached to %d targets; detach it before deleting it.", p.ID, n)
	}
	err = firstErr(
		func() error { _, err := r.Tx.Delete(policyTable, key(c.org.ID, p.ID)); return err },
		func() error { _, err := r.Tx.Delete(tagTable, key(c.org.ID, p.ID)); return err },
	)
	if err != nil {
		return nil, storeErr(r.Action, err)
	}
	return nil, nil
}

func (s *Service) listPolicies(ctx context.Context, r *service.Request) (any, error) {
	var in policyIn
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	var f field
	f.policyType("Filter", in.Filter)
	if err := f.check(); err != nil {
		return nil, err
	}
	c, err := enter(r, managementOnly, true)
	if err != nil {
		return nil, err
	}
	if err := c.authorize(ctx, c.org.arn()); err != nil {
		return nil, err
	}
	prefix := c.org.ID + "/"
	p, err := newPage(r.Action, in.pageIn, prefix)
	if err != nil {
		return nil, err
	}
	items, next, err := scanPage(p, r.Tx, policyTable, prefix, func(_ string, d store.Doc) (policySummaryOut, bool, error) {
		var pd policyDoc
		if err := d.Decode(&pd); err != nil {
			return policySummaryOut{}, false, err
		}
		return c.policyView(&pd), pd.Type == in.Filter, nil
	})
	if err != nil {
		return nil, storeErr(r.Action, err)
	}
	return listOut("Policies", items, next), nil
}
