package access

import (
	"fmt"
	"strings"

	"github.com/bulkhead-dev/bulkhead/internal/layout"
	"github.com/bulkhead-dev/bulkhead/internal/policy"
)

// Build makes the model of what the layout creates. The layout must be
// valid (no error diagnostics). It fails when a policy the layout names
// cannot be found or parsed.
func Build(l *layout.Layout, opts Options) (*Model, error) {
	m := newModel(opts, l.Organization.Region.Value)
	for i, a := range l.Accounts {
		m.addAccount(&Account{Name: a.Name.Value, ID: fmt.Sprintf("%012d", 100000000000+i+1), Kind: a.Kind.Value,
			Unit: a.Unit.Value, Management: a.Name.Value == l.Organization.Management.Account.Value})
	}
	m.identity = m.byName[l.Organization.IdentityAccount.Value]
	if m.identity == nil {
		m.identity = m.mgmt
	}
	if m.identity == nil {
		return nil, fmt.Errorf("access: the layout has no management account")
	}
	m.identity.Identity = true
	m.layoutOrgPolicies(l)
	ids := func(name string) string {
		if a := m.byName[name]; a != nil {
			return a.ID
		}
		return name
	}
	for _, d := range l.Developers {
		m.Developers = append(m.Developers, d.Value)
	}
	for _, g := range l.Groups {
		var members []string
		for _, mem := range g.Members {
			members = append(members, mem.Value)
		}
		m.Groups[g.Name.Value] = members
	}
	m.addUsers(l)
	m.addRoles(l, ids)
	m.addCI(l)
	return m.finish()
}

// addUsers adds the people as IAM users of the identity account, and a
// hypothetical member per group.
func (m *Model) addUsers(l *layout.Layout) {
	groupsOf := map[string][]string{}
	var groupNames []string
	for _, g := range l.Groups {
		groupNames = append(groupNames, g.Name.Value)
		for _, mem := range g.Members {
			groupsOf[mem.Value] = append(groupsOf[mem.Value], g.Name.Value)
		}
	}
	mk := func(kind PrincipalKind, name string, groups []string) *Principal {
		p := &Principal{Kind: kind, Name: name, Account: m.identity, Groups: groups}
		userName := name
		if kind == GroupMember {
			userName = "member-of-" + name
		}
		p.ARN = "arn:aws:iam::" + m.identity.ID + ":user/" + userName
		var identity []*policy.Compiled
		for _, g := range groups {
			if doc := GroupDocument(l, g); doc != nil {
				identity = append(identity, m.compile(doc, policy.Identity, "group:"+g))
				p.Policies = append(p.Policies, "group:"+g)
			}
		}
		key := "groups:" + strings.Join(groups, ",")
		if kind == User {
			if doc := UserDocument(l, name); doc != nil {
				identity = append(identity, m.compile(doc, policy.Identity, "user:"+name))
				p.Policies = append(p.Policies, "user:"+name)
				key += "|user:" + name
			}
		}
		p.side = m.sideFor(key, m.identity, identity, nil)
		m.add(p)
		return p
	}
	for _, person := range l.People {
		name := person.Name.Value
		m.users[name] = mk(User, name, groupsOf[name])
	}
	for _, g := range groupNames {
		m.members[g] = mk(GroupMember, g, []string{g})
	}
}

// addRoles adds each layout role in the accounts whose kind has a policy
// for it, and the organization access role in every member account.
func (m *Model) addRoles(l *layout.Layout, ids Accounts) {
	for _, acct := range m.Accounts {
		for _, r := range l.Roles {
			var ref *layout.PolicyRef
			for i := range r.Policies {
				if r.Policies[i].Kind.Value == acct.Kind {
					ref = &r.Policies[i].Ref
				}
			}
			if ref == nil {
				continue
			}
			where := fmt.Sprintf("role %s in %s (kind %s)", r.Name.Value, acct.Name, acct.Kind)
			p := &Principal{Kind: Role, Name: r.Name.Value, Account: acct,
				ARN: "arn:aws:iam::" + acct.ID + ":role/" + r.Name.Value, Policies: []string{ref.Value}}
			identity := []*policy.Compiled{m.policyRef(ref, where)}
			var boundary []*policy.Compiled
			key := "role:" + r.Name.Value + "|" + ref.Value
			if r.Boundary != nil {
				boundary = []*policy.Compiled{m.policyRef(r.Boundary, where+" boundary")}
				key += "|boundary:" + r.Boundary.Value
			}
			p.side = m.sideFor(key, acct, identity, boundary)
			p.trust = m.compile(TrustDocument(r, acct.ID, m.identity.ID, l.CI, ids), policy.Trust, "trust policy of "+r.Name.Value)
			m.add(p)
			m.roles[p.Name] = append(m.roles[p.Name], p)
		}
		if acct.Management {
			continue
		}
		name := l.Organization.AccessRole.Value
		if name == "" {
			name = layout.DefaultAccessRole
		}
		if m.roleIn(name, acct) != nil {
			continue
		}
		admin := m.managedPolicy("AdministratorAccess", "the organization access role")
		p := &Principal{Kind: Role, Name: name, Account: acct, AccessRole: true,
			ARN: "arn:aws:iam::" + acct.ID + ":role/" + name, Policies: []string{"AdministratorAccess"}}
		p.side = m.sideFor("role:"+name+"|AdministratorAccess", acct, []*policy.Compiled{admin}, nil)
		p.trust = m.compile(AccessRoleTrustDocument(m.mgmt.ID), policy.Trust, "trust policy of "+name)
		m.add(p)
		m.roles[name] = append(m.roles[name], p)
	}
}

// addCI adds the CI principal: GitHub's OIDC identity, or the CI role
// (the layout's own role of that name, or one assumed to exist).
func (m *Model) addCI(l *layout.Layout) {
	switch {
	case l.CI == nil:
	case l.CI.GitHub != nil:
		m.CI = newGitHubCI(l.CI.GitHub)
		m.add(m.CI)
	case l.CI.Role != nil:
		acct := m.byName[l.CI.Role.Account.Value]
		if acct == nil {
			m.errs = append(m.errs, fmt.Sprintf("ci.role: unknown account %q", l.CI.Role.Account.Value))
			return
		}
		name := l.CI.Role.Name.Value
		if p := m.roleIn(name, acct); p != nil {
			p.CIRole = true
			m.CI = p
			return
		}
		doc := `{"Version":"2012-10-17","Statement":[{"Sid":"AssumedByBulkhead","Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`
		p := &Principal{Kind: Role, Name: name, Account: acct, CIRole: true, Assumed: true,
			ARN: "arn:aws:iam::" + acct.ID + ":role/" + name, Policies: []string{"(not in the layout: assumed to allow sts:AssumeRole)"}}
		p.side = m.sideFor("cirole:"+name, acct, []*policy.Compiled{m.compile([]byte(doc), policy.Identity, "assumed CI role policy")}, nil)
		m.add(p)
		m.roles[name] = append(m.roles[name], p)
		m.CI = p
	}
}

// policyRef compiles a role's policy: a file of the layout or an AWS
// managed policy by name.
func (m *Model) policyRef(ref *layout.PolicyRef, where string) *policy.Compiled {
	if !ref.IsFile {
		return m.managedPolicy(ref.Value, where)
	}
	if ref.Document == nil || ref.Document.Policy == nil {
		m.errs = append(m.errs, fmt.Sprintf("%s: policy file %s could not be read (run bulkhead validate)", where, ref.Value))
		return m.compile([]byte(`{"Version":"2012-10-17","Statement":[]}`), policy.Identity, ref.Value)
	}
	key := "file:" + ref.Document.Content
	if c, ok := m.compiled[key]; ok {
		return c
	}
	c := policy.Compile(ref.Document.Policy)
	c.Name = ref.Value
	m.compiled[key] = c
	return c
}
