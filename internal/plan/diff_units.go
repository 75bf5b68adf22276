package plan

import (
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/bulkhead-dev/bulkhead/internal/org"
)

// Units are matched by path. A desired unit missing from AWS and a live unit
// missing from the layout, under the same parent and with the same children
// (child unit names and accounts), are one unit renamed: UpdateOrganizationalUnit
// keeps its id, its policies and its accounts. The same pair under different
// parents is a move, which AWS cannot do (an OU cannot be moved:
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_ous.html),
// so it is planned as the replacement it is: create the new unit, move the
// accounts, delete the old one.

func depth(p string) int { return strings.Count(p, "/") }

// unitsAtDepth returns the paths of units at depth n, sorted.
func unitsAtDepth(units map[string]*org.Unit, n int) []string {
	var out []string
	for p := range units {
		if depth(p) == n {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

func maxDepth(units map[string]*org.Unit) int {
	m := -1
	for p := range units {
		m = max(m, depth(p))
	}
	return m
}

// childSig is a unit's children, comparable between desired and live:
// child unit names and the (desired) names of its accounts.
func (d *differ) childSig(o *org.Org, unit string, live bool) string {
	key := fmt.Sprint(live, ":", unit)
	if sig, ok := d.sigs[key]; ok {
		return sig
	}
	sig := d.computeChildSig(o, unit, live)
	d.sigs[key] = sig
	return sig
}

func (d *differ) computeChildSig(o *org.Org, unit string, live bool) string {
	var parts []string
	for p := range o.Units {
		if org.ParentPath(p) == unit && p != unit {
			parts = append(parts, "u:"+path.Base(p))
		}
	}
	for name, a := range o.Accounts {
		if a.Unit != unit {
			continue
		}
		if live {
			if dn, ok := d.acctL2D[name]; ok {
				name = dn
			} else {
				name = "?" + name
			}
		}
		parts = append(parts, "a:"+name)
	}
	sort.Strings(parts)
	return strings.Join(parts, ",")
}

func (d *differ) bind(desired, live string) {
	d.d2l[desired] = live
	d.l2d[live] = desired
	if desired != live {
		if d.plan.Bindings.Units == nil {
			d.plan.Bindings.Units = map[string]string{}
		}
		d.plan.Bindings.Units[desired] = live
	}
}

// matchUnits pairs desired and live units level by level, parents first, so
// that the children of a renamed unit follow it.
func (d *differ) matchUnits() {
	renamed := map[string]bool{} // desired paths matched by rename
	top := max(maxDepth(d.want.Units), maxDepth(d.live.Units))
	for n := 0; n <= top; n++ {
		// Same path, after the parent's rename.
		for _, lp := range unitsAtDepth(d.live.Units, n) {
			parent, ok := d.parentInDesired(lp)
			if !ok {
				continue
			}
			cand := joinPath(parent, path.Base(lp))
			if d.want.Units[cand] != nil {
				if _, taken := d.d2l[cand]; !taken {
					d.bind(cand, lp)
				}
			}
		}
		// Renames: same parent, same children, one name changed.
		for _, dp := range unitsAtDepth(d.want.Units, n) {
			if _, ok := d.d2l[dp]; ok {
				continue
			}
			sig := d.childSig(d.want, dp, false)
			var found []string
			for _, lp := range unitsAtDepth(d.live.Units, n) {
				if _, ok := d.l2d[lp]; ok {
					continue
				}
				parent, ok := d.parentInDesired(lp)
				if !ok || parent != org.ParentPath(dp) {
					continue
				}
				if d.childSig(d.live, lp, true) == sig {
					found = append(found, lp)
				}
			}
			if len(found) == 1 {
				d.bind(dp, found[0])
				renamed[dp] = true
			}
		}
	}
	for dp := range renamed {
		lp := d.d2l[dp]
		u := d.live.Units[lp]
		d.add(&Op{
			ID: string(RenameUnit) + ":" + dp, Kind: RenameUnit, Resource: ResUnit, Unit: dp, LiveID: u.ID,
			Name: path.Base(dp), Live: lp, Want: dp, Reason: "renamed in the layout (same parent, same children)",
		})
	}
}

// parentInDesired maps a live unit's parent to its desired path.
func (d *differ) parentInDesired(lp string) (string, bool) {
	parent := org.ParentPath(lp)
	if parent == "" {
		return "", true
	}
	dp, ok := d.l2d[parent]
	return dp, ok
}

func joinPath(parent, name string) string {
	if parent == "" {
		return name
	}
	return parent + "/" + name
}

// units plans created units (and the replacements of moved ones) and unit
// tags.
func (d *differ) units() {
	// Moves: unmatched live units with a desired twin of the same name and
	// children elsewhere.
	replacedBy := map[string]string{} // desired path → live path it replaces
	used := map[string]bool{}
	for _, dp := range d.want.SortedUnitPaths() {
		if _, ok := d.d2l[dp]; ok {
			continue
		}
		sig := d.childSig(d.want, dp, false)
		var found []string
		for _, lp := range d.live.SortedUnitPaths() {
			if _, ok := d.l2d[lp]; ok || used[lp] || path.Base(lp) != path.Base(dp) {
				continue
			}
			if d.childSig(d.live, lp, true) == sig {
				found = append(found, lp)
			}
		}
		if len(found) == 1 {
			replacedBy[dp] = found[0]
			used[found[0]] = true
		}
	}
	for _, dp := range d.want.SortedUnitPaths() {
		if _, ok := d.d2l[dp]; ok {
			d.unitTags(dp)
			continue
		}
		op := &Op{
			ID: string(CreateUnit) + ":" + dp, Kind: CreateUnit, Resource: ResUnit, Unit: dp,
			Parent: org.ParentPath(dp), Tags: d.want.Units[dp].Tags, Want: dp, Reason: "new in the layout",
		}
		if d.prev != nil && d.prev.Units[dp] != nil && d.live.ID != "" {
			op.Reason, op.Drift = "drift: deleted outside bulkhead", true
		}
		if lp, ok := replacedBy[dp]; ok {
			op.Replacement = true
			op.Live = lp
			op.Reason = "AWS cannot move an OU: create the new one, move its accounts, delete the old"
		}
		if dep := d.unitCreate[op.Parent]; dep != "" {
			op.DependsOn = append(op.DependsOn, dep)
		}
		d.add(op)
		d.unitCreate[dp] = op.ID
	}
	d.replaced = replacedBy
}

// unitTags reverts tags on a matched unit, for units whose tags the layout
// declares (the layout has no unit tags today: a unit's hand-made tags are
// left alone).
func (d *differ) unitTags(dp string) {
	want := d.want.Units[dp].Tags
	if want == nil {
		return
	}
	u := d.live.Units[d.d2l[dp]]
	var prev map[string]string
	if d.prev != nil && d.prev.Units[dp] != nil {
		prev = d.prev.Units[dp].Tags
	}
	d.tagOps(ResUnit, dp, u.ID, want, u.Tags, prev, true)
}

// deleteUnits plans the deletion of live units the layout no longer has:
// always for replaced (moved) units, which are emptied first; with
// AllowDestroy for the others. A unit that would keep accounts bulkhead
// does not move out (unmanaged or closing accounts) cannot be deleted and
// is left, with a note.
func (d *differ) deleteUnits() {
	paths := d.live.SortedUnitPaths()
	// Children before parents.
	for i := len(paths) - 1; i >= 0; i-- {
		lp := paths[i]
		if _, ok := d.l2d[lp]; ok {
			continue
		}
		u := d.live.Units[lp]
		op := &Op{ID: string(DeleteUnit) + ":" + lp, Kind: DeleteUnit, Resource: ResUnit, Unit: lp, LiveID: u.ID, Live: lp}
		stays := d.unitKeepsAccounts(lp)
		for cp := range d.live.Units {
			if org.ParentPath(cp) == lp {
				if id, ok := d.unitDelete[cp]; ok && d.plan.Op(id) != nil {
					op.DependsOn = append(op.DependsOn, id)
				} else {
					stays = append(stays, "unit "+cp)
				}
			}
		}
		op.DependsOn = append(op.DependsOn, d.movesOut[lp]...)
		replaced := d.isReplaced(lp)
		if len(stays) > 0 {
			sort.Strings(stays)
			delete(d.unitDelete, lp)
			if replaced {
				d.notef("unit %s is replaced but cannot be deleted: it keeps %s", lp, strings.Join(stays, ", "))
			} else {
				d.plan.Unmanaged = append(d.plan.Unmanaged, "unit "+lp+" (holds "+strings.Join(stays, ", ")+")")
			}
			continue
		}
		if replaced {
			op.Replacement = true
			op.Reason = "replaced by " + d.replacement(lp) + " (AWS cannot move an OU)"
			op.DependsOn = append(op.DependsOn, d.unitCreate[d.replacement(lp)])
			d.add(op)
			d.unitDelete[lp] = op.ID
			continue
		}
		op.Reason = "not in the layout"
		if d.destroy(op, "delete unit "+lp) {
			d.unitDelete[lp] = op.ID
		} else {
			delete(d.unitDelete, lp)
			d.plan.Unmanaged = append(d.plan.Unmanaged, "unit "+lp)
		}
	}
}

// unitKeepsAccounts lists the live accounts that stay in live unit lp after
// the plan: those not moved out (unmanaged, or closed rather than removed).
func (d *differ) unitKeepsAccounts(lp string) []string {
	var out []string
	for name, a := range d.live.Accounts {
		if a.Unit != lp {
			continue
		}
		if dn, ok := d.acctL2D[name]; ok {
			if want := d.want.Accounts[dn]; want != nil && d.d2l[want.Unit] != lp {
				continue // moved out
			}
			out = append(out, "account "+name)
			continue
		}
		if id, ok := d.acctGone[name]; ok && strings.HasPrefix(id, string(RemoveAccount)) {
			continue
		}
		out = append(out, "account "+name)
	}
	return out
}

func (d *differ) isReplaced(lp string) bool { return d.replacement(lp) != "" }

func (d *differ) replacement(lp string) string {
	for dp, l := range d.replaced {
		if l == lp {
			return dp
		}
	}
	return ""
}
