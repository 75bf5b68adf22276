package plan

import (
	"fmt"
	"sort"
	"strings"

	"github.com/bulkhead-dev/bulkhead/internal/org"
)

// Accounts are matched by email first (an account's email is fixed for its
// life), then by name; the management account always matches the live
// management account. Renaming an account in the layout therefore never
// creates one.

func (d *differ) matchAccount(dn string, la *org.Account) {
	d.acctD2L[dn] = la
	d.acctL2D[la.Name] = dn
	if dn != la.Name {
		if d.plan.Bindings.Accounts == nil {
			d.plan.Bindings.Accounts = map[string]string{}
		}
		d.plan.Bindings.Accounts[dn] = la.Name
	}
}

func (d *differ) matchAccounts() {
	if m := d.want.ManagementAccount; m != "" && d.live.ManagementAccount != "" {
		if la := d.live.Accounts[d.live.ManagementAccount]; la != nil && d.want.Accounts[m] != nil {
			d.matchAccount(m, la)
		}
	}
	byEmail := make(map[string]*org.Account, len(d.live.Accounts))
	for _, la := range d.live.Accounts {
		byEmail[strings.ToLower(la.Email)] = la
	}
	names := d.want.SortedAccountNames()
	for _, dn := range names {
		if _, ok := d.acctD2L[dn]; ok {
			continue
		}
		a := d.want.Accounts[dn]
		la := byEmail[strings.ToLower(a.Email)]
		if la == nil || d.acctL2D[la.Name] != "" {
			continue
		}
		d.matchAccount(dn, la)
		if la.Name != dn {
			d.notef("account %s: renamed in layout: %s → %s (matched by email %s; its name in AWS stays %s)", dn, la.Name, dn, a.Email, la.Name)
		}
	}
	for _, dn := range names {
		if _, ok := d.acctD2L[dn]; ok {
			continue
		}
		la := d.live.Accounts[dn]
		if la == nil || d.acctL2D[la.Name] != "" {
			continue
		}
		d.matchAccount(dn, la)
		d.notef("account %s: matched by name; its email in AWS is %s, the layout says %s (Organizations cannot change an account's email)", dn, la.Email, d.want.Accounts[dn].Email)
	}
}

// wantAccountTags are the layout's tags plus the kind and protection tags
// bulkhead keeps on every account it manages.
func wantAccountTags(a *org.Account) map[string]string {
	t := make(map[string]string, len(a.Tags)+2)
	for k, v := range a.Tags {
		t[k] = v
	}
	if a.Kind != "" {
		t[KindTag] = a.Kind
	}
	if a.Protected {
		t[ProtectedTag] = "true"
	}
	return t
}

// liveAccountTags puts back the kind and protection tags a provider may
// have lifted into Kind and Protected.
func liveAccountTags(a *org.Account) map[string]string {
	t := make(map[string]string, len(a.Tags)+2)
	for k, v := range a.Tags {
		t[k] = v
	}
	if _, ok := t[KindTag]; !ok && a.Kind != "" {
		t[KindTag] = a.Kind
	}
	if _, ok := t[ProtectedTag]; !ok && a.Protected {
		t[ProtectedTag] = "true"
	}
	return t
}

func (d *differ) accounts() {
	for _, dn := range d.want.SortedAccountNames() {
		a := d.want.Accounts[dn]
		var prev *org.Account
		if d.prev != nil {
			prev = d.prev.Accounts[dn]
		}
		la, ok := d.acctD2L[dn]
		if !ok && d.live.ID == "" && dn == d.want.ManagementAccount {
			// No organization yet: the caller's account becomes its
			// management account when the organization is created.
			d.tagOps(ResAccount, dn, "", withoutBulkheadTags(wantAccountTags(a)), nil, nil, false)
			continue
		}
		if !ok {
			op := &Op{
				ID: string(CreateAccount) + ":" + dn, Kind: CreateAccount, Resource: ResAccount, Account: dn,
				Email: a.Email, Role: d.want.AccessRole, Parent: a.Unit, Tags: wantAccountTags(a), Want: a.Email + " in " + unitLabel(a.Unit),
				Reason: "new in the layout",
			}
			if prev != nil && d.live.ID != "" {
				op.Reason = "in the layout and applied before, but not in AWS: created again"
			}
			if dep := d.unitCreate[a.Unit]; dep != "" {
				op.DependsOn = append(op.DependsOn, dep)
			}
			d.add(op)
			d.acctCreate[dn] = op.ID
			continue
		}
		if la.Status != "" && la.Status != org.Active {
			d.notef("account %s (%s) is %s in AWS: bulkhead cannot reopen it; remove it from the layout or reopen it through AWS Support", dn, la.ID, la.Status)
			continue
		}
		match := "matched by email"
		switch {
		case dn == d.want.ManagementAccount:
			match = "the management account"
		case !strings.EqualFold(la.Email, a.Email):
			match = "matched by name"
		case la.Name != dn:
			match = fmt.Sprintf("matched by email; renamed in layout: %s → %s", la.Name, dn)
		}
		if !d.sameUnit(a.Unit, la.Unit) {
			reason := "unit changed in the layout"
			replacement := d.replaced[a.Unit] == la.Unit && la.Unit != ""
			switch {
			case replacement:
				reason = "its unit " + la.Unit + " is replaced by " + a.Unit
			case prev != nil && prev.Unit == a.Unit:
				reason = "drift: moved outside bulkhead"
			}
			protected := a.Protected || la.Protected
			// A protected account stays in its unit; following its unit's
			// replacement, or returning to it after drift, is staying.
			if protected && !isDrift(reason) && !replacement && dn != d.want.ManagementAccount {
				d.errorf("account %s is protected: bulkhead never moves it out of its unit (AWS has it in %s, the layout says %s)", dn, unitLabel(la.Unit), unitLabel(a.Unit))
			} else {
				op := &Op{
					ID: string(MoveAccount) + ":" + dn, Kind: MoveAccount, Resource: ResAccount, Account: dn, LiveID: la.ID,
					Parent: a.Unit, Live: unitLabel(la.Unit), Want: unitLabel(a.Unit), Reason: reason, Drift: isDrift(reason), Match: match,
				}
				if dep := d.unitCreate[a.Unit]; dep != "" {
					op.DependsOn = append(op.DependsOn, dep)
				}
				d.add(op)
				d.movesOut[la.Unit] = append(d.movesOut[la.Unit], op.ID)
			}
		}
		var prevTags map[string]string
		if prev != nil {
			prevTags = wantAccountTags(prev)
		}
		n := len(d.plan.Ops)
		want, live := wantAccountTags(a), liveAccountTags(la)
		if !hasBulkheadTags(live) {
			want = withoutBulkheadTags(want)
		}
		d.tagOps(ResAccount, dn, la.ID, want, live, prevTags, true)
		for _, op := range d.plan.Ops[n:] {
			op.Match = match
		}
	}
	d.unmanagedAccounts()
}

// sameUnit reports whether the live unit lp is the desired unit dp.
func (d *differ) sameUnit(dp, lp string) bool {
	if dp == "" || lp == "" {
		return dp == lp
	}
	return d.d2l[dp] == lp
}

// unmanagedAccounts closes (or removes) live accounts the layout does not
// name, with AllowDestroy; never the management account or a protected one.
func (d *differ) unmanagedAccounts() {
	names := make([]string, 0, len(d.live.Accounts))
	for n := range d.live.Accounts {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, ln := range names {
		if _, ok := d.acctL2D[ln]; ok {
			continue
		}
		la := d.live.Accounts[ln]
		desc := fmt.Sprintf("account %s (%s, %s) in %s", ln, la.ID, la.Email, unitLabel(la.Unit))
		if ln == d.live.ManagementAccount || (la.Status != "" && la.Status != org.Active) {
			if ln == d.live.ManagementAccount {
				d.notef("the management account %s is not named in the layout as organization.management.account", ln)
			}
			continue
		}
		if la.Protected {
			if d.opts.AllowDestroy {
				d.errorf("account %s is protected (tag %s): bulkhead never closes or removes it", ln, ProtectedTag)
			}
			d.plan.Unmanaged = append(d.plan.Unmanaged, desc+", protected")
			continue
		}
		kind, verb := CloseAccount, "close"
		if d.opts.RemoveAccounts {
			kind, verb = RemoveAccount, "remove"
		}
		op := &Op{
			ID: string(kind) + ":" + ln, Kind: kind, Resource: ResAccount, Account: ln, LiveID: la.ID, Email: la.Email,
			Live: "active in " + unitLabel(la.Unit), Want: map[Kind]string{CloseAccount: "closed", RemoveAccount: "removed from the organization"}[kind],
			Reason: "not in the layout",
		}
		if d.destroy(op, verb+" "+desc) {
			d.acctGone[ln] = op.ID
			if kind == RemoveAccount {
				d.movesOut[la.Unit] = append(d.movesOut[la.Unit], op.ID)
			}
		} else {
			d.plan.Unmanaged = append(d.plan.Unmanaged, desc)
		}
	}
}

// tagOps plans tag and untag operations that make live tags equal want.
// Keys under aws: (AWS's own) and the lock tag are never touched.
func (d *differ) tagOps(res ResourceKind, name, liveID string, want, live, prev map[string]string, untag bool) {
	set := map[string]string{}
	var setKeys []string
	drift := prev != nil
	for k, v := range want {
		if lv, ok := live[k]; !ok || lv != v {
			set[k] = v
			setKeys = append(setKeys, k)
			if prev == nil || prev[k] != v {
				drift = false
			}
		}
	}
	var unset []string
	udrift := prev != nil
	if untag {
		for k := range live {
			if _, ok := want[k]; ok || strings.HasPrefix(k, "aws:") || k == LockTag {
				continue
			}
			unset = append(unset, k)
			if prev == nil {
				udrift = false
			} else if _, had := prev[k]; had {
				udrift = false
			}
		}
	}
	sort.Strings(setKeys)
	sort.Strings(unset)
	op := &Op{Resource: res, LiveID: liveID}
	switch res {
	case ResUnit:
		op.Unit = name
	case ResAccount:
		op.Account = name
	case ResPolicy:
		op.Policy = name
	}
	if len(set) > 0 {
		t := *op
		t.ID, t.Kind, t.Tags = string(TagResource)+":"+string(res)+":"+name, TagResource, set
		t.Want, t.Live = showTags(set, setKeys), showTags(live, setKeys)
		t.Reason = "tags differ from the layout"
		if allBulkheadKeys(setKeys) && live[KindTag] == "" {
			t.Reason = "bulkhead keeps the layout's kind (and protection) in tags on the account"
		}
		if drift {
			t.Reason, t.Drift = "drift: tag edited outside bulkhead", true
		}
		d.add(&t)
	}
	if len(unset) > 0 {
		t := *op
		t.ID, t.Kind, t.TagKeys = string(UntagResource)+":"+string(res)+":"+name, UntagResource, unset
		t.Live = showTags(live, unset)
		t.Reason = "tags not in the layout"
		if udrift {
			t.Reason, t.Drift = "drift: tag added outside bulkhead", true
		}
		d.add(&t)
	}
}

// showTags renders the given keys of m as k=v, a missing key as k=(none).
func showTags(m map[string]string, keys []string) string {
	parts := make([]string, len(keys))
	for i, k := range keys {
		if v, ok := m[k]; ok {
			parts[i] = k + "=" + v
		} else {
			parts[i] = k + " (none)"
		}
	}
	return strings.Join(parts, ", ")
}

func unitLabel(p string) string {
	if p == "" {
		return "root"
	}
	return p
}

// withoutBulkheadTags drops the kind and protection tags from t. They are
// written only on accounts bulkhead creates (with CreateAccount); an account
// it adopts (the management account, or one found by import) keeps its kind
// and protection in the layout alone, so adopting an organization plans no
// change to it.
func withoutBulkheadTags(t map[string]string) map[string]string {
	delete(t, KindTag)
	delete(t, ProtectedTag)
	return t
}

// hasBulkheadTags reports whether the tags include one of bulkhead's own.
func hasBulkheadTags(t map[string]string) bool {
	_, kind := t[KindTag]
	_, prot := t[ProtectedTag]
	return kind || prot
}

// allBulkheadKeys reports whether every key is one of bulkhead's own.
func allBulkheadKeys(keys []string) bool {
	for _, k := range keys {
		if k != KindTag && k != ProtectedTag {
			return false
		}
	}
	return len(keys) > 0
}
