package layout

// Lookups by name. Accounts, units and people, which checks look up once
// per reference, go through an index built after expansion; the rest scan
// their (short) slices.

// buildIndex indexes the expanded layout; the first of duplicates wins.
func (l *Layout) buildIndex() {
	ix := &layoutIndex{accounts: map[string]*Account{}, units: map[string]*Unit{}, people: map[string]*Person{}}
	for _, a := range l.Accounts {
		if _, ok := ix.accounts[a.Name.Value]; !ok {
			ix.accounts[a.Name.Value] = a
		}
	}
	for _, u := range l.Units {
		if _, ok := ix.units[u.Path]; !ok {
			ix.units[u.Path] = u
		}
	}
	for _, p := range l.People {
		if _, ok := ix.people[p.Name.Value]; !ok {
			ix.people[p.Name.Value] = p
		}
	}
	l.index = ix
}

// Account returns the account with the given name (after expansion), or nil.
func (l *Layout) Account(name string) *Account {
	if l.index != nil {
		return l.index.accounts[name]
	}
	for _, a := range l.Accounts {
		if a.Name.Value == name {
			return a
		}
	}
	return nil
}

// Unit returns the unit with the given path, or nil.
func (l *Layout) Unit(path string) *Unit {
	if l.index != nil {
		return l.index.units[path]
	}
	for _, u := range l.Units {
		if u.Path == path {
			return u
		}
	}
	return nil
}

// Group returns the group with the given name, or nil.
func (l *Layout) Group(name string) *Group {
	for _, g := range l.Groups {
		if g.Name.Value == name {
			return g
		}
	}
	return nil
}

// Person returns the person with the given name, or nil. Developers and
// group members are people even without an entry under `people`.
func (l *Layout) Person(name string) *Person {
	if l.index != nil {
		return l.index.people[name]
	}
	for _, p := range l.People {
		if p.Name.Value == name {
			return p
		}
	}
	return nil
}

// Role returns the role with the given name, or nil.
func (l *Layout) Role(name string) *Role {
	for _, r := range l.Roles {
		if r.Name.Value == name {
			return r
		}
	}
	return nil
}

// Policy returns the Organizations policy with the given name, or nil.
func (l *Layout) Policy(name string) *Policy {
	for _, p := range l.Policies {
		if p.Name.Value == name {
			return p
		}
	}
	return nil
}

// ManagementAccount returns the management account, or nil.
func (l *Layout) ManagementAccount() *Account {
	return l.Account(l.Organization.Management.Account.Value)
}

// Silenced returns the reason a lint rule is silenced, and whether it is.
func (l *Layout) Silenced(rule string) (string, bool) {
	for _, s := range l.Lint.Silence {
		if s.Rule.Value == rule {
			return s.Reason.Value, true
		}
	}
	return "", false
}

// AccountNames returns the account names in file order.
func (l *Layout) AccountNames() []string {
	out := make([]string, len(l.Accounts))
	for i, a := range l.Accounts {
		out[i] = a.Name.Value
	}
	return out
}

// UnitPaths returns the unit paths, sorted.
func (l *Layout) UnitPaths() []string {
	out := make([]string, len(l.Units))
	for i, u := range l.Units {
		out[i] = u.Path
	}
	return out
}

func names[T any](items []T, name func(T) string) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = name(it)
	}
	return out
}

// HasKind reports whether the role has a policy for accounts of kind k, that
// is, whether it is deployed to them.
func (r *Role) HasKind(k Kind) bool {
	for _, p := range r.Policies {
		if p.Kind.Value == k {
			return true
		}
	}
	return false
}
