package plan

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/bulkhead-dev/bulkhead/internal/org"
)

// Policies are matched by name. AWS-managed policies (FullAWSAccess,
// RCPFullAWSAccess) are attached by AWS to every root, OU and account when
// their type is enabled
// (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html),
// so bulkhead plans their attachments only when the layout names them.

// guardrail reports whether detaching or deleting a policy of type t
// weakens a boundary: SCPs and RCPs.
func guardrail(t string) bool { return t == org.SCP || t == org.RCP }

func (d *differ) policies() {
	for _, name := range d.want.SortedPolicyNames() {
		p := d.want.Policies[name]
		var prev *org.Policy
		if d.prev != nil {
			prev = d.prev.Policies[name]
		}
		lp := d.live.Policies[name]
		if lp == nil {
			op := &Op{
				ID: string(CreatePolicy) + ":" + name, Kind: CreatePolicy, Resource: ResPolicy, Policy: name, PolicyType: p.Type,
				Content: p.Content, Description: p.Description, Tags: p.Tags, Want: fmt.Sprintf("%s, %d characters", p.Type, len(compactJSON(p.Content))),
				Reason: "new in the layout",
			}
			if prev != nil && d.live.ID != "" {
				op.Reason, op.Drift = "drift: deleted outside bulkhead", true
			}
			if dep := d.typeEnable[p.Type]; dep != "" {
				op.DependsOn = append(op.DependsOn, dep)
			}
			d.add(op)
			d.policyCreate[name] = op.ID
		} else if !lp.AWSManaged && (!contentEqual(p.Content, lp.Content) || p.Description != lp.Description) {
			op := &Op{
				ID: string(UpdatePolicy) + ":" + name, Kind: UpdatePolicy, Resource: ResPolicy, Policy: name, PolicyType: p.Type, LiveID: lp.ID,
				Content: p.Content, Description: p.Description, Reason: "document changed in the layout",
			}
			if !contentEqual(p.Content, lp.Content) {
				op.Want, op.Live = fmt.Sprintf("document of %d characters", len(compactJSON(p.Content))), fmt.Sprintf("document of %d characters", len(compactJSON(lp.Content)))
				if prev != nil && contentEqual(prev.Content, p.Content) {
					op.Reason, op.Drift = "drift: document edited outside bulkhead", true
				}
			} else {
				op.Want, op.Live, op.Reason = "description "+quote(p.Description), "description "+quote(lp.Description), "description changed in the layout"
				if prev != nil && prev.Description == p.Description {
					op.Reason, op.Drift = "drift: description edited outside bulkhead", true
				}
			}
			d.add(op)
		}
		if lp != nil && !lp.AWSManaged && p.Tags != nil {
			var prevTags map[string]string
			if prev != nil {
				prevTags = prev.Tags
			}
			d.tagOps(ResPolicy, name, lp.ID, p.Tags, lp.Tags, prevTags, true)
		}
		d.attachments(p, lp, prev)
	}
	for _, name := range d.live.SortedPolicyNames() {
		lp := d.live.Policies[name]
		if d.want.Policies[name] != nil || lp.AWSManaged {
			continue
		}
		desc := fmt.Sprintf("policy %s (%s, %s, attached to %d)", name, lp.ID, lp.Type, len(lp.Targets))
		if !d.opts.AllowDestroy {
			d.plan.Withheld = append(d.plan.Withheld, "delete "+desc+" (needs --allow-destroy)")
			d.plan.Unmanaged = append(d.plan.Unmanaged, desc)
			continue
		}
		del := &Op{ID: string(DeletePolicy) + ":" + name, Kind: DeletePolicy, Resource: ResPolicy, Policy: name, PolicyType: lp.Type, LiveID: lp.ID, Live: desc, Reason: "not in the layout"}
		for _, t := range lp.Targets {
			op := d.detachOp(name, lp, t, "policy not in the layout")
			d.destroy(op, "")
			del.DependsOn = append(del.DependsOn, op.ID)
		}
		d.destroy(del, "")
	}
}

// attachments plans the attach and detach operations of one desired
// policy p (lp is its live twin, or nil).
func (d *differ) attachments(p, lp, prev *org.Policy) {
	liveSet := map[string]org.Target{}
	if lp != nil {
		for _, t := range lp.Targets {
			liveSet[t.String()] = t
		}
	}
	prevSet := map[string]bool{}
	if prev != nil {
		for _, t := range prev.Targets {
			prevSet[t.String()] = true
		}
	}
	wanted := map[string]bool{} // live target strings the layout keeps
	for _, t := range p.Targets {
		lt, dep, known := d.liveTarget(t)
		if known {
			wanted[lt.String()] = true
			if _, ok := liveSet[lt.String()]; ok {
				continue
			}
		}
		tt := t
		op := &Op{
			ID: string(AttachPolicy) + ":" + p.Name + ":" + t.String(), Kind: AttachPolicy, Resource: ResPolicy, Policy: p.Name, PolicyType: p.Type,
			Target: &tt, Want: "attached to " + t.String(), Reason: "attachment in the layout",
		}
		if known && lp != nil {
			op.Live = "not attached"
			if prevSet[t.String()] {
				op.Reason, op.Drift = "drift: detached outside bulkhead", true
			}
		}
		if lp != nil {
			op.LiveID = lp.ID
		}
		op.DependsOn = append(op.DependsOn, dep...)
		if c := d.policyCreate[p.Name]; c != "" {
			op.DependsOn = append(op.DependsOn, c)
		}
		if e := d.typeEnable[p.Type]; e != "" {
			op.DependsOn = append(op.DependsOn, e)
		}
		d.add(op)
	}
	if lp == nil || lp.AWSManaged {
		return
	}
	for _, t := range lp.Targets {
		if wanted[t.String()] || !d.managedTarget(t) {
			continue
		}
		reason := "attachment removed from the layout"
		if prev != nil && !prevSet[d.desiredTargetString(t)] {
			reason = "drift: attached outside bulkhead"
		}
		op := d.detachOp(p.Name, lp, t, reason)
		if guardrail(lp.Type) {
			d.destroy(op, fmt.Sprintf("detach %s from %s", p.Name, t))
		} else {
			d.add(op)
		}
	}
}

func (d *differ) detachOp(name string, lp *org.Policy, t org.Target, reason string) *Op {
	tt := t
	return &Op{
		ID: string(DetachPolicy) + ":" + name + ":" + t.String(), Kind: DetachPolicy, Resource: ResPolicy, Policy: name, PolicyType: lp.Type,
		LiveID: lp.ID, Target: &tt, TargetID: d.liveTargetID(t), Live: "attached to " + t.String(), Want: "not attached",
		Reason: reason, Drift: isDrift(reason),
	}
}

// liveTarget maps a desired target to the live one. known is false when the
// target is created by this plan; dep are the operations it waits for.
func (d *differ) liveTarget(t org.Target) (lt org.Target, dep []string, known bool) {
	switch t.Kind {
	case org.TargetRoot:
		if d.orgOp != "" {
			return t, nil, false
		}
		return t, nil, true
	case org.TargetUnit:
		if lp, ok := d.d2l[t.Name]; ok {
			return org.Target{Kind: org.TargetUnit, Name: lp}, nil, true
		}
		if c := d.unitCreate[t.Name]; c != "" {
			dep = append(dep, c)
		}
		return t, dep, false
	case org.TargetAccount:
		if la, ok := d.acctD2L[t.Name]; ok {
			return org.Target{Kind: org.TargetAccount, Name: la.Name}, nil, true
		}
		if c := d.acctCreate[t.Name]; c != "" {
			dep = append(dep, c)
		}
		return t, dep, false
	}
	return t, nil, false
}

// managedTarget reports whether a live attachment point is one bulkhead
// manages and keeps: the root, a matched unit, a matched account. Policies on
// unmanaged or deleted resources are left alone.
func (d *differ) managedTarget(t org.Target) bool {
	switch t.Kind {
	case org.TargetRoot:
		return true
	case org.TargetUnit:
		_, ok := d.l2d[t.Name]
		return ok
	case org.TargetAccount:
		_, ok := d.acctL2D[t.Name]
		return ok
	}
	return false
}

// desiredTargetString names a live target in the layout's terms.
func (d *differ) desiredTargetString(t org.Target) string {
	switch t.Kind {
	case org.TargetUnit:
		if dp, ok := d.l2d[t.Name]; ok {
			return org.Target{Kind: t.Kind, Name: dp}.String()
		}
	case org.TargetAccount:
		if dn, ok := d.acctL2D[t.Name]; ok {
			return org.Target{Kind: t.Kind, Name: dn}.String()
		}
	}
	return t.String()
}

func (d *differ) liveTargetID(t org.Target) string {
	switch t.Kind {
	case org.TargetRoot:
		return d.live.RootID
	case org.TargetUnit:
		if u := d.live.Units[t.Name]; u != nil {
			return u.ID
		}
	case org.TargetAccount:
		if a := d.live.Accounts[t.Name]; a != nil {
			return a.ID
		}
	}
	return ""
}

// contentEqual compares two policy documents as JSON values: AWS stores a
// document as sent, so whitespace and key order must not count as drift.
func contentEqual(a, b string) bool {
	if a == b {
		return true
	}
	var va, vb any
	if json.Unmarshal([]byte(a), &va) != nil || json.Unmarshal([]byte(b), &vb) != nil {
		return false
	}
	ja, _ := json.Marshal(va)
	jb, _ := json.Marshal(vb)
	return bytes.Equal(ja, jb)
}

// compactJSON removes insignificant whitespace (what AWS counts against the
// size limit); invalid JSON is returned unchanged.
func compactJSON(s string) string {
	var b bytes.Buffer
	if json.Compact(&b, []byte(s)) != nil {
		return s
	}
	return b.String()
}

func quote(s string) string { return fmt.Sprintf("%q", s) }
