package org

import (
	"sort"
	"strings"

	"github.com/bulkhead-dev/bulkhead/internal/layout"
)

// FromLayout returns the organization a valid layout describes. The layout
// must have passed validation (no error diagnostics): references are assumed
// to resolve. Policy types are enabled for every type the layout uses.
func FromLayout(l *layout.Layout) *Org {
	o := New()
	o.ManagementAccount = l.Organization.Management.Account.Value
	o.AccessRole = l.Organization.AccessRole.Value
	for _, u := range l.Units {
		o.Units[u.Path] = &Unit{Path: u.Path}
	}
	for _, a := range l.Accounts {
		acct := &Account{
			Name:      a.Name.Value,
			Email:     a.EffectiveEmail,
			Unit:      a.Unit.Value,
			Kind:      string(a.Kind.Value),
			Protected: a.Protected.Value,
			Status:    Active,
		}
		if len(a.Tags) > 0 {
			acct.Tags = make(map[string]string, len(a.Tags))
			for _, t := range a.Tags {
				acct.Tags[t.Key.Value] = t.Value.Value
			}
		}
		o.Accounts[acct.Name] = acct
	}
	types := map[string]bool{}
	for _, p := range l.Policies {
		pol := &Policy{
			Name:        p.Name.Value,
			Type:        apiPolicyType(string(p.Type.Value)),
			Description: p.Description.Value,
		}
		if p.Document != nil {
			pol.Content = p.Document.Content
		}
		for _, t := range p.Attach {
			pol.Targets = append(pol.Targets, targetFor(l, t.Value))
		}
		sortTargets(pol.Targets)
		types[pol.Type] = true
		o.Policies[pol.Name] = pol
	}
	for t := range types {
		o.PolicyTypes = append(o.PolicyTypes, t)
	}
	sort.Strings(o.PolicyTypes)
	return o
}

// apiPolicyType maps the layout's policy type (scp, rcp, tag, backup) to the
// Organizations API's name.
func apiPolicyType(t string) string {
	switch strings.ToLower(t) {
	case "scp":
		return SCP
	case "rcp":
		return RCP
	case "tag":
		return Tag
	case "backup":
		return Backup
	}
	return strings.ToUpper(t)
}

// targetFor resolves an attach entry: "root", a unit path or an account name.
func targetFor(l *layout.Layout, name string) Target {
	if name == "root" || name == "/" {
		return Target{Kind: TargetRoot}
	}
	for _, a := range l.Accounts {
		if a.Name.Value == name {
			return Target{Kind: TargetAccount, Name: name}
		}
	}
	return Target{Kind: TargetUnit, Name: strings.Trim(name, "/")}
}

// sortTargets orders targets root first, then units, then accounts, by name.
func sortTargets(ts []Target) {
	rank := map[TargetKind]int{TargetRoot: 0, TargetUnit: 1, TargetAccount: 2}
	sort.Slice(ts, func(i, j int) bool {
		if ts[i].Kind != ts[j].Kind {
			return rank[ts[i].Kind] < rank[ts[j].Kind]
		}
		return ts[i].Name < ts[j].Name
	})
}
