package organizations

import (
	"context"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/service"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/store"
)

// attachRequest resolves the policy and the target of AttachPolicy or
// DetachPolicy and authorizes on both.
func (s *Service) attachRequest(ctx context.Context, r *service.Request) (*orgCall, *policyDoc, *entity, error) {
	var in policyIn
	if err := r.Decode(&in); err != nil {
		return nil, nil, nil, err
	}
	var f field
	pid := f.policyID("PolicyId", in.PolicyId)
	tid := f.targetID("TargetId", in.TargetId)
	if err := f.check(); err != nil {
		return nil, nil, nil, err
	}
	c, err := enter(r, managementOnly, false)
	if err != nil {
		return nil, nil, nil, err
	}
	p, err := c.policy(pid)
	if err != nil {
		return nil, nil, nil, err
	}
	t, err := c.lookup(tid)
	if err != nil {
		return nil, nil, nil, storeErr(r.Action, err)
	}
	if t == nil {
		return nil, nil, nil, errTargetNotFound(tid)
	}
	if err := c.authorize(ctx, c.org.policyARN(p)); err != nil {
		return nil, nil, nil, err
	}
	if err := c.authorize(ctx, t.ARN); err != nil {
		return nil, nil, nil, err
	}
	if !c.org.typeEnabled(p.Type) {
		return nil, nil, nil, awsErr("PolicyTypeNotEnabledException", "The policy type %s isn't enabled for the root; call EnablePolicyType first.", p.Type)
	}
	return c, p, t, nil
}

// countAttached counts the policies of type typ attached directly to
// targetID.
func (c *orgCall) countAttached(targetID, typ string) (int, error) {
	n := 0
	err := c.tx.Scan(attachTable, key(c.org.ID, targetID)+"/", "", func(_ string, d store.Doc) (bool, error) {
		var a attachDoc
		if err := d.Decode(&a); err != nil {
			return false, err
		}
		if a.PolicyType == typ {
			n++
		}
		return true, nil
	})
	return n, err
}

func (c *orgCall) attached(targetID, policyID string) (bool, error) {
	var a attachDoc
	return c.tx.Get(attachTable, key(c.org.ID, targetID, policyID), &a)
}

// attachPolicy (API_AttachPolicy.html): DuplicatePolicyAttachmentException
// when already attached; at most the type's MaxPerTarget policies directly
// on one target (POLICY_NUMBER_LIMIT_EXCEEDED).
func (s *Service) attachPolicy(ctx context.Context, r *service.Request) (any, error) {
	c, p, t, err := s.attachRequest(ctx, r)
	if err != nil {
		return nil, err
	}
	dup, err := c.attached(t.ID, p.ID)
	if err != nil {
		return nil, storeErr(r.Action, err)
	}
	if dup {
		return nil, awsErr("DuplicatePolicyAttachmentException", "The policy %s is already attached to %s.", p.ID, t.ID)
	}
	n, err := c.countAttached(t.ID, p.Type)
	if err != nil {
		return nil, storeErr(r.Action, err)
	}
	if q := s.quotas.PolicyTypes[p.Type]; q.MaxPerTarget > 0 && n >= q.MaxPerTarget {
		return nil, constraint("POLICY_NUMBER_LIMIT_EXCEEDED", "%s already has %d policies of type %s attached, the most allowed.", t.ID, n, p.Type)
	}
	if err := c.attach(t.ID, p); err != nil {
		return nil, storeErr(r.Action, err)
	}
	return nil, nil
}

// detachPolicy (API_DetachPolicy.html): PolicyNotAttachedException when
// not attached; a target must keep at least one SCP while SCPs are enabled
// (MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED); RCPFullAWSAccess cannot be
// detached.
func (s *Service) detachPolicy(ctx context.Context, r *service.Request) (any, error) {
	c, p, t, err := s.attachRequest(ctx, r)
	if err != nil {
		return nil, err
	}
	ok, err := c.attached(t.ID, p.ID)
	if err != nil {
		return nil, storeErr(r.Action, err)
	}
	if !ok {
		return nil, awsErr("PolicyNotAttachedException", "The policy %s isn't attached to %s.", p.ID, t.ID)
	}
	if p.AWSManaged && p.Type == "RESOURCE_CONTROL_POLICY" {
		return nil, invalid("NON_DETACHABLE_POLICY", "You can't detach the AWS managed policy %s.", p.Name)
	}
	if p.Type == "SERVICE_CONTROL_POLICY" {
		n, err := c.countAttached(t.ID, p.Type)
		if err != nil {
			return nil, storeErr(r.Action, err)
		}
		if n <= 1 {
			return nil, constraint("MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED", "%s must keep at least one service control policy attached; attach another before detaching %s.", t.ID, p.ID)
		}
	}
	if err := c.detach(t.ID, p.ID); err != nil {
		return nil, storeErr(r.Action, err)
	}
	return nil, nil
}

func (s *Service) listPoliciesForTarget(ctx context.Context, r *service.Request) (any, error) {
	var in policyIn
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	var f field
	tid := f.targetID("TargetId", in.TargetId)
	f.policyType("Filter", in.Filter)
	if err := f.check(); err != nil {
		return nil, err
	}
	c, err := enter(r, managementOnly, true)
	if err != nil {
		return nil, err
	}
	t, err := c.lookup(tid)
	if err != nil {
		return nil, storeErr(r.Action, err)
	}
	if t == nil {
		return nil, errTargetNotFound(tid)
	}
	if err := c.authorize(ctx, t.ARN); err != nil {
		return nil, err
	}
	prefix := key(c.org.ID, tid) + "/"
	p, err := newPage(r.Action, in.pageIn, prefix)
	if err != nil {
		return nil, err
	}
	items, next, err := scanPage(p, r.Tx, attachTable, prefix, func(_ string, d store.Doc) (policySummaryOut, bool, error) {
		var a attachDoc
		if err := d.Decode(&a); err != nil || a.PolicyType != in.Filter {
			return policySummaryOut{}, false, err
		}
		var pd policyDoc
		ok, err := r.Tx.Get(policyTable, key(c.org.ID, a.PolicyID), &pd)
		return c.policyView(&pd), ok, err
	})
	if err != nil {
		return nil, storeErr(r.Action, err)
	}
	return listOut("Policies", items, next), nil
}

func (s *Service) listTargetsForPolicy(ctx context.Context, r *service.Request) (any, error) {
	c, pol, in, err := s.policyRequest(ctx, r, true)
	if err != nil {
		return nil, err
	}
	prefix := key(c.org.ID, pol.ID) + "/"
	p, err := newPage(r.Action, in.pageIn, prefix)
	if err != nil {
		return nil, err
	}
	items, next, err := scanPage(p, r.Tx, targetTable, prefix, func(_ string, d store.Doc) (policyTargetOut, bool, error) {
		var a attachDoc
		if err := d.Decode(&a); err != nil {
			return policyTargetOut{}, false, err
		}
		e, err := c.lookup(a.TargetID)
		if err != nil || e == nil {
			return policyTargetOut{}, false, err
		}
		return policyTargetOut{TargetId: e.ID, Arn: e.ARN, Name: e.Name, Type: e.Type}, true, nil
	})
	if err != nil {
		return nil, storeErr(r.Action, err)
	}
	return listOut("Targets", items, next), nil
}
