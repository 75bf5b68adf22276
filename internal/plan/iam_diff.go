package plan

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/bulkhead-dev/bulkhead/internal/org"
	"github.com/bulkhead-dev/bulkhead/internal/provider"
)

// ManagedTag marks the roles and users bulkhead creates, so that a later
// plan can tell one it made and the layout no longer names (deleted with
// --allow-destroy) from one made outside bulkhead (left alone).
const ManagedTag = "bulkhead:managed"

// IAMOptions shape the IAM part of a diff.
type IAMOptions struct {
	// AllowDestroy lets the plan delete users, groups and roles the layout
	// no longer names.
	AllowDestroy bool
	// Previous is the IAM as last applied, when known: it tells drift
	// (live changed, layout unchanged) from a change of the layout.
	Previous *org.IAM
	// After maps an account name to the operation that creates it in the
	// same plan: IAM operations in that account wait for it.
	After map[string]string
}

// IAMDiff is the IAM part of a plan.
type IAMDiff struct {
	Ops       []*Op
	Withheld  []string
	Unmanaged []string
}

// DiffIAM compares the wanted IAM with the live one. Accounts missing from
// live (not created yet, or not readable) are planned from nothing.
func DiffIAM(want, live *org.IAM, o IAMOptions) *IAMDiff {
	out := &IAMDiff{}
	for _, name := range want.SortedAccounts() {
		w := want.Accounts[name]
		var l *org.AccountIAM
		if live != nil {
			l = live.Accounts[name]
		}
		if l == nil {
			l = org.NewAccountIAM(name, w.AccountID)
		}
		var prev *org.AccountIAM
		if o.Previous != nil {
			prev = o.Previous.Accounts[name]
		}
		d := &iamDiffer{out: out, acct: name, w: w, l: l, prev: prev, opts: o}
		d.diff()
	}
	// A role created by this plan must exist before a trust policy names
	// it (IAM refuses an unknown principal): the CI role before the roles
	// that trust ci.
	for _, c := range out.Ops {
		if c.IAM.Action != "CreateRole" {
			continue
		}
		id := want.Accounts[c.Account].AccountID
		arn := "arn:aws:iam::" + id + ":role/" + c.IAM.Role
		for _, op := range out.Ops {
			if op != c && (op.IAM.Action == "CreateRole" || op.IAM.Action == "UpdateAssumeRolePolicy") && strings.Contains(op.IAM.Document, `"`+arn+`"`) {
				op.DependsOn = append(op.DependsOn, c.ID)
			}
		}
	}
	return out
}

type iamDiffer struct {
	out        *IAMDiff
	acct       string
	w, l, prev *org.AccountIAM
	opts       IAMOptions
	oidcOp     string
	createdGrp map[string]string
	createdUsr map[string]string
}

func (d *iamDiffer) add(id string, w provider.IAMWrite, reason string, deps ...string) *Op {
	op := &Op{ID: "iam:" + d.acct + ":" + id, Kind: Kind("iam:" + w.Action), Account: d.acct, Reason: reason, Drift: isDrift(reason), IAM: &w}
	if after := d.opts.After[d.acct]; after != "" {
		op.DependsOn = append(op.DependsOn, after)
	}
	op.DependsOn = append(op.DependsOn, deps...)
	d.out.Ops = append(d.out.Ops, op)
	return op
}

// why labels a change of an existing entity: drift when the layout wanted
// the same as last applied, a layout change otherwise.
func (d *iamDiffer) why(what string, unchangedInLayout bool) string {
	if unchangedInLayout {
		return "drift: " + what + " changed outside bulkhead"
	}
	return what + " differs from the layout"
}

func (d *iamDiffer) diff() {
	d.createdGrp, d.createdUsr = map[string]string{}, map[string]string{}
	for _, u := range d.w.OIDCProviders {
		if !contains(d.l.OIDCProviders, u) {
			d.oidcOp = d.add("oidc:"+u, provider.IAMWrite{Action: "CreateOpenIDConnectProvider", URL: u}, "not in AWS yet").ID
		}
	}
	for _, name := range d.w.SortedRoles() {
		d.role(d.w.Roles[name], d.l.Roles[name])
	}
	for _, name := range d.l.SortedRoles() {
		if d.w.Roles[name] == nil && d.l.Roles[name].Tags[ManagedTag] == "true" {
			d.destroy("role:"+name, provider.IAMWrite{Action: "DeleteRole", Role: name}, "role "+name+" in "+d.acct)
		}
	}
	if d.w.Identity {
		for _, name := range d.w.SortedGroups() {
			d.group(d.w.Groups[name], d.l.Groups[name])
		}
		for _, name := range d.w.SortedUsers() {
			d.user(d.w.Users[name], d.l.Users[name])
		}
		for _, name := range d.l.SortedUsers() {
			if d.w.Users[name] == nil {
				if d.l.Users[name].Tags[ManagedTag] == "true" {
					d.destroy("user:"+name, provider.IAMWrite{Action: "DeleteUser", User: name}, "user "+name+" in "+d.acct+" (no longer in the layout)")
				} else {
					d.out.Unmanaged = append(d.out.Unmanaged, "user "+name+" in "+d.acct)
				}
			}
		}
		for _, name := range d.l.SortedGroups() {
			if d.w.Groups[name] == nil {
				if _, ours := d.l.Groups[name].InlinePolicies[AssumePolicyName]; ours {
					d.destroy("group:"+name, provider.IAMWrite{Action: "DeleteGroup", Group: name}, "group "+name+" in "+d.acct+" (no longer in the layout)")
				} else {
					d.out.Unmanaged = append(d.out.Unmanaged, "group "+name+" in "+d.acct)
				}
			}
		}
	}
	if pp := d.w.PasswordPolicy; pp != nil && (d.l.PasswordPolicy == nil || *pp != *d.l.PasswordPolicy) {
		op := d.add("password-policy", provider.IAMWrite{Action: "UpdateAccountPasswordPolicy", Password: pp}, d.why("the password policy", d.prev != nil && reflect.DeepEqual(d.prev.PasswordPolicy, pp)))
		op.Want, op.Live = fmt.Sprintf("%+v", *pp), "none"
		if d.l.PasswordPolicy != nil {
			op.Live = fmt.Sprintf("%+v", *d.l.PasswordPolicy)
		} else {
			op.Reason = "not in AWS yet"
		}
	}
	if a := d.w.Alias; a != "" && a != d.l.Alias {
		op := d.add("alias", provider.IAMWrite{Action: "CreateAccountAlias", Alias: a}, "not in AWS yet")
		op.Want, op.Live = a, d.l.Alias
		if d.l.Alias != "" {
			op.Reason = d.why("the alias", d.prev != nil && d.prev.Alias == a)
		}
	}
}

func (d *iamDiffer) destroy(id string, w provider.IAMWrite, what string) {
	if !d.opts.AllowDestroy {
		d.out.Withheld = append(d.out.Withheld, "delete "+what+" (needs --allow-destroy)")
		return
	}
	op := d.add(id, w, "not in the layout")
	op.Destructive = true
}

func (d *iamDiffer) role(w, l *org.IAMRole) {
	id := "role:" + w.Name
	var prev *org.IAMRole
	if d.prev != nil {
		prev = d.prev.Roles[w.Name]
	}
	tags := withManaged(w.Tags)
	if w.CreateOnly && l != nil {
		return
	}
	if l == nil {
		var deps []string
		if d.oidcOp != "" && strings.Contains(w.Trust, "oidc-provider/") {
			deps = append(deps, d.oidcOp)
		}
		c := d.add(id, provider.IAMWrite{Action: "CreateRole", Role: w.Name, Document: w.Trust, MaxSession: w.MaxSession, PolicyARN: w.Boundary, Tags: tags}, "not in AWS yet", deps...)
		for _, n := range sortedMapKeys(w.InlinePolicies) {
			d.add(id+":inline:"+n, provider.IAMWrite{Action: "PutRolePolicy", Role: w.Name, PolicyName: n, Document: w.InlinePolicies[n]}, "not in AWS yet", c.ID)
		}
		for _, a := range w.ManagedPolicies {
			d.add(id+":attach:"+a, provider.IAMWrite{Action: "AttachRolePolicy", Role: w.Name, PolicyARN: a}, "not in AWS yet", c.ID)
		}
		return
	}
	if !PolicyEqual(w.Trust, l.Trust) {
		op := d.add(id+":trust", provider.IAMWrite{Action: "UpdateAssumeRolePolicy", Role: w.Name, Document: w.Trust},
			d.why("the trust policy", prev != nil && PolicyEqual(prev.Trust, w.Trust)))
		op.Want, op.Live = w.Trust, l.Trust
	}
	if w.MaxSession != l.MaxSession {
		op := d.add(id+":max-session", provider.IAMWrite{Action: "UpdateRole", Role: w.Name, MaxSession: w.MaxSession},
			d.why("the maximum session duration", prev != nil && prev.MaxSession == w.MaxSession))
		op.Want, op.Live = fmt.Sprintf("%ds", w.MaxSession), fmt.Sprintf("%ds", l.MaxSession)
	}
	if w.Boundary != l.Boundary {
		reason := d.why("the permissions boundary", prev != nil && prev.Boundary == w.Boundary)
		var op *Op
		if w.Boundary == "" {
			op = d.add(id+":boundary", provider.IAMWrite{Action: "DeleteRolePermissionsBoundary", Role: w.Name}, reason)
		} else {
			op = d.add(id+":boundary", provider.IAMWrite{Action: "PutRolePermissionsBoundary", Role: w.Name, PolicyARN: w.Boundary}, reason)
		}
		op.Want, op.Live = orNone(w.Boundary), orNone(l.Boundary)
	}
	for _, n := range sortedMapKeys(w.InlinePolicies) {
		doc, live := w.InlinePolicies[n], l.InlinePolicies[n]
		if live != "" && PolicyEqual(doc, live) {
			continue
		}
		reason := "not in AWS yet"
		if live != "" {
			reason = d.why("policy "+n, prev != nil && PolicyEqual(prev.InlinePolicies[n], doc))
		} else if prev != nil && prev.InlinePolicies[n] != "" {
			reason = "drift: policy " + n + " deleted outside bulkhead"
		}
		op := d.add(id+":inline:"+n, provider.IAMWrite{Action: "PutRolePolicy", Role: w.Name, PolicyName: n, Document: doc}, reason)
		op.Want, op.Live = doc, orNone(live)
	}
	for _, n := range sortedMapKeys(l.InlinePolicies) {
		if _, ok := w.InlinePolicies[n]; !ok {
			op := d.add(id+":inline:"+n, provider.IAMWrite{Action: "DeleteRolePolicy", Role: w.Name, PolicyName: n}, d.why("inline policy "+n, prev != nil && prev.InlinePolicies[n] == ""))
			op.Want, op.Live = "none", l.InlinePolicies[n]
		}
	}
	for _, a := range w.ManagedPolicies {
		if !contains(l.ManagedPolicies, a) {
			reason := "not in AWS yet"
			if prev != nil && contains(prev.ManagedPolicies, a) {
				reason = "drift: detached outside bulkhead"
			}
			op := d.add(id+":attach:"+a, provider.IAMWrite{Action: "AttachRolePolicy", Role: w.Name, PolicyARN: a}, reason)
			op.Want, op.Live = "attached", "detached"
		}
	}
	for _, a := range l.ManagedPolicies {
		if !contains(w.ManagedPolicies, a) {
			reason := "not in the layout"
			if prev != nil && !contains(prev.ManagedPolicies, a) {
				reason = "drift: attached outside bulkhead"
			}
			op := d.add(id+":attach:"+a, provider.IAMWrite{Action: "DetachRolePolicy", Role: w.Name, PolicyARN: a}, reason)
			op.Want, op.Live = "detached", "attached"
		}
	}
	d.tags(id, w.Name, tags, l.Tags)
}

func (d *iamDiffer) tags(id, role string, want, live map[string]string) {
	set := map[string]string{}
	var drop []string
	for k, v := range want {
		if lv, ok := live[k]; !ok || lv != v {
			set[k] = v
		}
	}
	for k := range live {
		if _, ok := want[k]; !ok {
			drop = append(drop, k)
		}
	}
	if len(set) > 0 {
		op := d.add(id+":tag", provider.IAMWrite{Action: "TagRole", Role: role, Tags: set}, "tags differ from the layout")
		op.Want, op.Live = fmt.Sprint(set), fmt.Sprint(live)
	}
	if len(drop) > 0 {
		sort.Strings(drop)
		op := d.add(id+":untag", provider.IAMWrite{Action: "UntagRole", Role: role, TagKeys: drop}, "tags not in the layout")
		op.Live = strings.Join(drop, ", ")
	}
}

func (d *iamDiffer) group(w, l *org.IAMGroup) {
	id := "group:" + w.Name
	var deps []string
	var live map[string]string
	if l == nil {
		d.createdGrp[w.Name] = d.add(id, provider.IAMWrite{Action: "CreateGroup", Group: w.Name}, "not in AWS yet").ID
		deps = []string{d.createdGrp[w.Name]}
	} else {
		live = l.InlinePolicies
	}
	for _, n := range sortedMapKeys(w.InlinePolicies) {
		doc := w.InlinePolicies[n]
		if lv := live[n]; lv != "" && PolicyEqual(lv, doc) {
			continue
		}
		reason := "not in AWS yet"
		if l != nil {
			reason = "drift: policy " + n + " of group " + w.Name + " deleted or changed outside bulkhead"
		}
		op := d.add(id+":inline:"+n, provider.IAMWrite{Action: "PutGroupPolicy", Group: w.Name, PolicyName: n, Document: doc}, reason, deps...)
		op.Want, op.Live = doc, orNone(live[n])
	}
	for _, n := range sortedMapKeys(live) {
		if _, ok := w.InlinePolicies[n]; !ok {
			op := d.add(id+":inline:"+n, provider.IAMWrite{Action: "DeleteGroupPolicy", Group: w.Name, PolicyName: n}, "drift: policy "+n+" added outside bulkhead")
			op.Want, op.Live = "none", live[n]
		}
	}
}

func (d *iamDiffer) user(w, l *org.IAMUser) {
	id := "user:" + w.Name
	var deps []string
	var groups []string
	var live map[string]string
	if l == nil {
		d.createdUsr[w.Name] = d.add(id, provider.IAMWrite{Action: "CreateUser", User: w.Name, Tags: withManaged(w.Tags)}, "not in AWS yet").ID
		deps = []string{d.createdUsr[w.Name]}
	} else {
		groups, live = l.Groups, l.InlinePolicies
		if l.Tags[ManagedTag] != "true" {
			op := d.add(id+":tag", provider.IAMWrite{Action: "TagUser", User: w.Name, Tags: map[string]string{ManagedTag: "true"}},
				"made outside bulkhead; the layout names the person, so bulkhead manages the user from now on")
			op.Want, op.Live = ManagedTag+"=true", "untagged"
		}
	}
	for _, g := range w.Groups {
		if contains(groups, g) {
			continue
		}
		gdeps := append([]string(nil), deps...)
		if c := d.createdGrp[g]; c != "" {
			gdeps = append(gdeps, c)
		}
		op := d.add(id+":member:"+g, provider.IAMWrite{Action: "AddUserToGroup", User: w.Name, Group: g}, "a member of "+g+" in the layout", gdeps...)
		op.Want, op.Live = "member", "not a member"
	}
	for _, g := range groups {
		if !contains(w.Groups, g) && d.w.Groups[g] != nil {
			op := d.add(id+":member:"+g, provider.IAMWrite{Action: "RemoveUserFromGroup", User: w.Name, Group: g}, "not a member of "+g+" in the layout")
			op.Want, op.Live = "not a member", "member"
		}
	}
	for _, n := range sortedMapKeys(w.InlinePolicies) {
		doc := w.InlinePolicies[n]
		if lv := live[n]; lv != "" && PolicyEqual(lv, doc) {
			continue
		}
		op := d.add(id+":inline:"+n, provider.IAMWrite{Action: "PutUserPolicy", User: w.Name, PolicyName: n, Document: doc}, "the layout grants the user roles by name", deps...)
		op.Want, op.Live = doc, orNone(live[n])
	}
	if _, ok := live[AssumePolicyName]; ok {
		if _, want := w.InlinePolicies[AssumePolicyName]; !want {
			d.add(id+":inline:"+AssumePolicyName, provider.IAMWrite{Action: "DeleteUserPolicy", User: w.Name, PolicyName: AssumePolicyName}, "the layout no longer grants the user roles by name")
		}
	}
}

// PolicyEqual compares two IAM policy documents as IAM does: whitespace,
// key order and a single value written as a one-element list do not
// matter. Documents that are not JSON compare as strings.
func PolicyEqual(a, b string) bool {
	if a == b {
		return true
	}
	var x, y any
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return false
	}
	return reflect.DeepEqual(normalizeDoc(x), normalizeDoc(y))
}

func normalizeDoc(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			t[k] = normalizeDoc(e)
		}
		return t
	case []any:
		if len(t) == 1 {
			return normalizeDoc(t[0])
		}
		for i, e := range t {
			t[i] = normalizeDoc(e)
		}
		return t
	}
	return v
}

func withManaged(tags map[string]string) map[string]string {
	out := make(map[string]string, len(tags)+1)
	for k, v := range tags {
		out[k] = v
	}
	out[ManagedTag] = "true"
	return out
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func sortedMapKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
