package plan

import (
	"context"
	"errors"
	"fmt"
	"path"

	"github.com/bulkhead-dev/bulkhead/internal/org"
	"github.com/bulkhead-dev/bulkhead/internal/provider"
)

// do performs one operation. Each is idempotent against the state it
// targets: "already exists" for a create or attach and "not found" for a
// delete or detach mean another run got there first, and count as done.
func (e *executor) do(ctx context.Context, op *Op) (string, error) {
	if op.IAM != nil {
		return e.doIAM(ctx, op)
	}
	switch op.Kind {
	case CreateOrganization:
		err := e.p.CreateOrganization(ctx)
		if err != nil && !errors.Is(err, provider.ErrAlreadyExists) {
			return "", err
		}
		o, err := e.p.Read(ctx)
		if err != nil {
			return "", fmt.Errorf("read the new organization: %w", err)
		}
		e.mu.Lock()
		e.rootID = o.RootID
		if e.plan.Desired != nil && e.plan.Desired.ManagementAccount != "" {
			e.accounts[e.plan.Desired.ManagementAccount] = o.ManagementAccountID
		}
		e.mu.Unlock()
		return "organization " + o.ID, nil

	case EnablePolicyType:
		root, err := e.root()
		if err != nil {
			return "", err
		}
		if err := e.p.EnablePolicyType(ctx, root, op.PolicyType); err != nil && !errors.Is(err, provider.ErrAlreadyExists) {
			return "", err
		}
		return "", nil

	case CreateUnit:
		parent, err := e.unitID(op.Parent)
		if err != nil {
			return "", err
		}
		id, err := e.p.CreateUnit(ctx, parent, path.Base(op.Unit), op.Tags)
		if errors.Is(err, provider.ErrAlreadyExists) {
			id, err = e.find(ctx, func(o *org.Org) string {
				if u := o.Units[op.Unit]; u != nil {
					return u.ID
				}
				return ""
			})
		}
		if err != nil {
			return "", err
		}
		e.mu.Lock()
		e.units[op.Unit] = id
		e.mu.Unlock()
		return id, nil

	case RenameUnit:
		return "", e.p.RenameUnit(ctx, op.LiveID, op.Name)

	case DeleteUnit:
		if err := e.p.DeleteUnit(ctx, op.LiveID); err != nil && !errors.Is(err, provider.ErrNotFound) {
			return "", err
		}
		return "", nil

	case CreateAccount:
		return e.createAccount(ctx, op)

	case MoveAccount:
		id, err := e.accountID(op.Account)
		if err != nil {
			return "", err
		}
		from, err := e.liveParentOf(op.Account)
		if err != nil {
			return "", err
		}
		to, err := e.unitID(op.Parent)
		if err != nil {
			return "", err
		}
		return "", e.p.MoveAccount(ctx, id, from, to)

	case TagResource, UntagResource:
		id, err := e.resourceID(op)
		if err != nil {
			return "", err
		}
		if op.Kind == TagResource {
			return "", e.p.TagResource(ctx, id, op.Tags)
		}
		return "", e.p.UntagResource(ctx, id, op.TagKeys)

	case CreatePolicy:
		pol := &org.Policy{Name: op.Policy, Type: op.PolicyType, Description: op.Description, Content: op.Content, Tags: op.Tags}
		id, err := e.p.CreatePolicy(ctx, pol)
		if errors.Is(err, provider.ErrAlreadyExists) {
			id, err = e.find(ctx, func(o *org.Org) string {
				if p := o.Policies[op.Policy]; p != nil && !p.AWSManaged {
					return p.ID
				}
				return ""
			})
		}
		if err != nil {
			return "", err
		}
		e.mu.Lock()
		e.policies[op.Policy] = id
		e.mu.Unlock()
		return id, nil

	case UpdatePolicy:
		pol := &org.Policy{Name: op.Policy, Type: op.PolicyType, Description: op.Description, Content: op.Content}
		return "", e.p.UpdatePolicy(ctx, op.LiveID, pol)

	case DeletePolicy:
		if err := e.p.DeletePolicy(ctx, op.LiveID); err != nil && !errors.Is(err, provider.ErrNotFound) {
			return "", err
		}
		return "", nil

	case AttachPolicy:
		pid, err := e.policyID(op)
		if err != nil {
			return "", err
		}
		tid, err := e.targetID(*op.Target)
		if err != nil {
			return "", err
		}
		if err := e.p.AttachPolicy(ctx, pid, tid); err != nil && !errors.Is(err, provider.ErrAlreadyExists) {
			return "", err
		}
		return "", nil

	case DetachPolicy:
		if err := e.p.DetachPolicy(ctx, op.LiveID, op.TargetID); err != nil && !errors.Is(err, provider.ErrNotFound) {
			return "", err
		}
		return "", nil

	case CloseAccount:
		return "", e.p.CloseAccount(ctx, op.LiveID)

	case RemoveAccount:
		return "", e.p.RemoveAccount(ctx, op.LiveID)
	}
	return "", fmt.Errorf("unknown operation kind %q", op.Kind)
}

// find re-reads the organization to learn the id of something another run
// created: rare (a create raced with another, or repeated after a crash),
// so the cost of a full read is acceptable.
func (e *executor) find(ctx context.Context, pick func(*org.Org) string) (string, error) {
	o, err := e.p.Read(ctx)
	if err != nil {
		return "", err
	}
	if id := pick(o); id != "" {
		return id, nil
	}
	return "", errors.New("AWS says it exists, but a fresh read does not show it")
}

func (e *executor) root() (string, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.rootID == "" {
		return "", errors.New("the organization's root id is unknown")
	}
	return e.rootID, nil
}

// unitID resolves a desired unit path ("" is the root).
func (e *executor) unitID(dp string) (string, error) {
	if dp == "" {
		return e.root()
	}
	e.mu.Lock()
	id, ok := e.units[dp]
	e.mu.Unlock()
	if ok {
		return id, nil
	}
	lp := dp
	if b, ok := e.plan.Bindings.Units[dp]; ok {
		lp = b
	}
	if u := e.live.Units[lp]; u != nil && u.ID != "" {
		return u.ID, nil
	}
	return "", fmt.Errorf("unit %s has no id: it is neither in AWS nor created by this plan", dp)
}

func (e *executor) liveAccount(dn string) *org.Account {
	ln := dn
	if b, ok := e.plan.Bindings.Accounts[dn]; ok {
		ln = b
	}
	return e.live.Accounts[ln]
}

// accountID resolves a desired account name.
func (e *executor) accountID(dn string) (string, error) {
	e.mu.Lock()
	id, ok := e.accounts[dn]
	e.mu.Unlock()
	if ok {
		return id, nil
	}
	if a := e.liveAccount(dn); a != nil && a.ID != "" {
		return a.ID, nil
	}
	return "", fmt.Errorf("account %s has no id: it is neither in AWS nor created by this plan", dn)
}

// liveParentOf is the id of the live parent of a matched account.
func (e *executor) liveParentOf(dn string) (string, error) {
	a := e.liveAccount(dn)
	if a == nil {
		return "", fmt.Errorf("account %s is not in AWS", dn)
	}
	if a.Unit == "" {
		return e.root()
	}
	if u := e.live.Units[a.Unit]; u != nil {
		return u.ID, nil
	}
	return "", fmt.Errorf("account %s: its unit %s has no id", dn, a.Unit)
}

func (e *executor) policyID(op *Op) (string, error) {
	if op.LiveID != "" {
		return op.LiveID, nil
	}
	e.mu.Lock()
	id, ok := e.policies[op.Policy]
	e.mu.Unlock()
	if ok {
		return id, nil
	}
	if p := e.live.Policies[op.Policy]; p != nil && p.ID != "" {
		return p.ID, nil
	}
	return "", fmt.Errorf("policy %s has no id: it is neither in AWS nor created by this plan", op.Policy)
}

func (e *executor) targetID(t org.Target) (string, error) {
	switch t.Kind {
	case org.TargetRoot:
		return e.root()
	case org.TargetUnit:
		return e.unitID(t.Name)
	case org.TargetAccount:
		return e.accountID(t.Name)
	}
	return "", fmt.Errorf("unknown target kind %q", t.Kind)
}

func (e *executor) resourceID(op *Op) (string, error) {
	switch op.Resource {
	case ResRoot:
		return e.root()
	case ResUnit:
		return e.unitID(op.Unit)
	case ResAccount:
		return e.accountID(op.Account)
	case ResPolicy:
		return e.policyID(op)
	}
	return "", fmt.Errorf("unknown resource kind %q", op.Resource)
}
