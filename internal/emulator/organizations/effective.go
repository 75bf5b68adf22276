package organizations

import (
	"context"
	"encoding/json"
	"reflect"
	"slices"
	"sort"
	"time"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/service"
)

// Effective policies of the management policy types (tag, backup, AI
// opt-out, ...): the policies attached to the root, then to each OU down
// the path, then to the account are merged in that order with the
// inheritance operators of "Policy syntax and inheritance for management
// policy types"
// (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_inheritance_mgmt.html,
// .../policy-operators.html):
//
//   - @@assign replaces the inherited value (scalar or array);
//   - @@append adds array values to the inherited ones;
//   - @@remove removes array values from the inherited ones;
//   - @@operators_allowed_for_child_policies (["@@all"], ["@@none"] or a
//     list of operators) limits what policies at lower levels may do to
//     that setting and everything under it. An operation a limit forbids
//     is ignored: the inherited value stands, as in AWS.
//
// Policies attached to the same target are merged in policy id order; a
// plain value (no operator) is treated as @@assign. The result holds only
// resolved values, without operators, like AWS's effective policies.

const (
	opAssign   = "@@assign"
	opAppend   = "@@append"
	opRemove   = "@@remove"
	opChildren = "@@operators_allowed_for_child_policies"
)

// effNode is a node of the effective policy being built.
type effNode struct {
	children map[string]*effNode
	value    any
	hasValue bool
	// allowed limits operators from levels deeper than limitLevel (nil:
	// no limit set here).
	allowed    map[string]bool
	limitLevel int
}

type limit struct {
	allowed map[string]bool
	level   int
}

func permits(limits []limit, level int, op string) bool {
	for _, l := range limits {
		if l.level < level && !l.allowed[op] && !l.allowed["@@all"] {
			return false
		}
	}
	return true
}

func (n *effNode) child(k string) *effNode {
	if n.children == nil {
		n.children = map[string]*effNode{}
	}
	c := n.children[k]
	if c == nil {
		c = &effNode{}
		n.children[k] = c
	}
	return c
}

func (n *effNode) setLimit(v any, level int) {
	list, _ := v.([]any)
	n.allowed = map[string]bool{}
	for _, x := range list {
		if s, ok := x.(string); ok {
			n.allowed[s] = true
		}
	}
	n.limitLevel = level
}

func (n *effNode) limits(parent []limit) []limit {
	if n.allowed == nil {
		return parent
	}
	return append(slices.Clip(parent), limit{allowed: n.allowed, level: n.limitLevel})
}

func isSetting(m map[string]any) bool {
	_, a := m[opAssign]
	_, b := m[opAppend]
	_, c := m[opRemove]
	return a || b || c
}

// merge applies policy object p, attached at level, to n.
func (n *effNode) merge(p map[string]any, level int, parent []limit) {
	if v, ok := p[opChildren]; ok && permits(n.limits(parent), level, opChildren) {
		n.setLimit(v, level)
	}
	lim := n.limits(parent)
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if len(k) >= 2 && k[:2] == "@@" {
			continue
		}
		c := n.child(k)
		obj, isObj := p[k].(map[string]any)
		switch {
		case isObj && isSetting(obj):
			if v, ok := obj[opChildren]; ok && permits(c.limits(lim), level, opChildren) {
				c.setLimit(v, level)
			}
			c.apply(obj, level, c.limits(lim))
		case isObj:
			c.merge(obj, level, lim)
		default:
			c.apply(map[string]any{opAssign: p[k]}, level, c.limits(lim))
		}
	}
}

// apply runs the value-setting operators of one setting.
func (n *effNode) apply(ops map[string]any, level int, lim []limit) {
	if v, ok := ops[opAssign]; ok && permits(lim, level, opAssign) {
		n.value, n.hasValue = v, true
		n.children = nil
	}
	if v, ok := ops[opAppend]; ok && permits(lim, level, opAppend) {
		add, _ := v.([]any)
		cur, _ := n.value.([]any)
		for _, x := range add {
			if !containsValue(cur, x) {
				cur = append(cur, x)
			}
		}
		n.value, n.hasValue = cur, true
	}
	if v, ok := ops[opRemove]; ok && permits(lim, level, opRemove) {
		del, _ := v.([]any)
		if cur, ok := n.value.([]any); ok {
			n.value = slices.DeleteFunc(slices.Clone(cur), func(x any) bool { return containsValue(del, x) })
		}
	}
}

func containsValue(list []any, x any) bool {
	return slices.ContainsFunc(list, func(y any) bool { return reflect.DeepEqual(x, y) })
}

// render returns the resolved document, or false when the node holds
// nothing.
func (n *effNode) render() (any, bool) {
	if n.hasValue {
		return n.value, true
	}
	out := map[string]any{}
	for k, c := range n.children {
		if v, ok := c.render(); ok {
			out[k] = v
		}
	}
	return out, len(out) > 0
}

// effectivePolicy merges the chain's policies; ok is false when no
// policy applies.
func effectivePolicy(ch Chain) (string, bool, error) {
	root := &effNode{}
	found := false
	for level, l := range ch.Levels {
		for _, p := range l.Policies {
			var doc map[string]any
			if err := json.Unmarshal([]byte(p.Content), &doc); err != nil {
				return "", false, err
			}
			root.merge(doc, level, nil)
			found = true
		}
	}
	if !found {
		return "", false, nil
	}
	v, _ := root.render()
	b, err := json.Marshal(v)
	return string(b), true, err
}

type effectiveIn struct {
	PolicyType string
	TargetId   *string
}

// describeEffectivePolicy (API_DescribeEffectivePolicy.html): any account
// may ask for its own effective policy; the management account (or a
// delegated administrator) for any account's.
func (s *Service) describeEffectivePolicy(ctx context.Context, r *service.Request) (any, error) {
	var in effectiveIn
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	var f field
	if in.PolicyType == "" {
		f.fail(invalid("INPUT_REQUIRED", "You must specify a value for PolicyType."))
	} else if pt, ok := policyTypes[in.PolicyType]; !ok || !pt.effective {
		f.fail(invalid("INVALID_ENUM_POLICY_TYPE", "PolicyType %q has no effective policy; use a management policy type such as TAG_POLICY or BACKUP_POLICY.", in.PolicyType))
	}
	target := r.Caller.Account
	if in.TargetId != nil {
		target = f.targetID("TargetId", in.TargetId)
	}
	if err := f.check(); err != nil {
		return nil, err
	}
	c, err := enter(r, anyMember, true)
	if err != nil {
		return nil, err
	}
	if target != r.Caller.Account && !c.management {
		if _, err := enter(r, managementOnly, true); err != nil {
			return nil, err
		}
	}
	if !accountIDPattern().MatchString(target) {
		return nil, invalid("TARGET_NOT_SUPPORTED", "Effective policies are available for accounts only, not %s.", target)
	}
	a, err := c.account(target)
	if err != nil {
		return nil, storeErr(r.Action, err)
	}
	if a == nil {
		return nil, errTargetNotFound(target)
	}
	if err := c.authorize(ctx, c.org.accountARN(target)); err != nil {
		return nil, err
	}
	ch, err := PolicyChain(r.Tx, target, in.PolicyType)
	if err != nil {
		return nil, storeErr(r.Action, err)
	}
	content, ok, err := effectivePolicy(ch)
	if err != nil {
		return nil, storeErr(r.Action, err)
	}
	if !ok {
		return nil, awsErr("EffectivePolicyNotFoundException", "No effective policy of type %s applies to %s.", in.PolicyType, target)
	}
	var updated time.Time
	for _, l := range ch.Levels {
		for _, p := range l.Policies {
			updated = later(updated, p.updated)
		}
	}
	return map[string]any{"EffectivePolicy": effectivePolicyOut{PolicyContent: content, LastUpdatedTimestamp: service.Time(updated), TargetId: target, PolicyType: in.PolicyType}}, nil
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
