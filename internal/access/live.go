package access

import (
	"fmt"
	"sort"
	"strings"

	"github.com/bulkhead-dev/bulkhead/internal/layout"
	"github.com/bulkhead-dev/bulkhead/internal/org"
	"github.com/bulkhead-dev/bulkhead/internal/policy"
)

// Snapshot is a live organization as read through the AWS APIs: the
// organization (accounts, units, SCPs and RCPs with their attachments) and
// every account's IAM users, groups and roles with their policies. The CLI
// reads it (Organizations' read plus GetAccountAuthorizationDetails in each
// account); FromSnapshot analyses it with the same engine as a layout.
type Snapshot struct {
	Org *org.Org
	// IAM holds each account's IAM entities, by account name. An account
	// missing here is analysed with no users or roles.
	IAM map[string]*AccountIAM
	// IdentityAccount names the account whose users are the people (their
	// groups are the groups of invariants); empty means the management
	// account.
	IdentityAccount string
	// AccessRole is the organization access role's name.
	AccessRole string
	// CI is the layout's CI principal, for GitHub's OIDC subjects.
	CI *layout.CI
	// Region is the organization's home region.
	Region string
}

// AccountIAM is one account's IAM, as GetAccountAuthorizationDetails
// returns it (documents decoded).
type AccountIAM struct {
	Users  []IAMUser
	Groups []IAMGroup
	Roles  []IAMRole
	// Managed holds the default version of managed policies (customer and
	// AWS managed) by ARN.
	Managed map[string]string
}

// IAMUser is a user with its policies.
type IAMUser struct {
	Name, ARN string
	Groups    []string
	Inline    []Document
	Attached  []string // managed policy ARNs
	Boundary  string   // managed policy ARN, or ""
}

// IAMGroup is a group with its policies.
type IAMGroup struct {
	Name     string
	Inline   []Document
	Attached []string
}

// IAMRole is a role with its trust policy and policies.
type IAMRole struct {
	Name, ARN, Path string
	Trust           string
	Inline          []Document
	Attached        []string
	Boundary        string
}

// Document is a named policy document.
type Document struct {
	Name string
	JSON string
}

// FromSnapshot builds the model of a live organization. Service-linked
// roles are left out (only AWS services may assume them).
func FromSnapshot(s *Snapshot, opts Options) (*Model, error) {
	if s.Org == nil {
		return nil, fmt.Errorf("access: no organization in the snapshot")
	}
	m := newModel(opts, s.Region)
	m.live = true
	for _, name := range s.Org.SortedAccountNames() {
		a := s.Org.Accounts[name]
		if a.ID == "" {
			continue
		}
		m.addAccount(&Account{Name: a.Name, ID: a.ID, Kind: layout.Kind(a.Kind), Unit: a.Unit,
			Management: a.Name == s.Org.ManagementAccount || a.ID == s.Org.ManagementAccountID})
	}
	if m.mgmt == nil {
		return nil, fmt.Errorf("access: the organization's management account %q is not among its accounts", s.Org.ManagementAccount)
	}
	m.identity = m.byName[s.IdentityAccount]
	if m.identity == nil {
		m.identity = m.mgmt
	}
	m.identity.Identity = true
	m.liveOrgPolicies(s.Org)
	for _, acct := range m.Accounts {
		if iam := s.IAM[acct.Name]; iam != nil {
			m.addLiveIAM(acct, iam, s.AccessRole)
		}
	}
	if s.CI != nil && s.CI.GitHub != nil {
		m.CI = newGitHubCI(s.CI.GitHub)
		m.add(m.CI)
	} else if s.CI != nil && s.CI.Role != nil {
		if a := m.byName[s.CI.Role.Account.Value]; a != nil {
			if p := m.roleIn(s.CI.Role.Name.Value, a); p != nil {
				p.CIRole = true
				m.CI = p
			}
		}
	}
	return m.finish()
}

// liveOrgPolicies takes the organization's SCPs and RCPs as attached;
// FullAWSAccess is a policy like any other (it may have been detached).
func (m *Model) liveOrgPolicies(o *org.Org) {
	for _, t := range o.PolicyTypes {
		if t == org.RCP {
			m.hasRCPs = true
		}
	}
	for _, name := range o.SortedPolicyNames() {
		p := o.Policies[name]
		var typ layout.PolicyType
		kind := policy.SCP
		switch p.Type {
		case org.SCP:
			typ = layout.PolicySCP
		case org.RCP:
			typ, kind = layout.PolicyRCP, policy.RCP
		default:
			continue
		}
		doc := p.Content
		if doc == "" && p.AWSManaged {
			switch p.Name {
			case org.FullAWSAccess:
				doc = FullAWSAccess
			case org.RCPFullAWSAccess:
				doc = RCPFullAWSAccess
			}
		}
		if doc == "" {
			m.errs = append(m.errs, fmt.Sprintf("policy %s: no content read", p.Name))
			continue
		}
		op := &orgPolicy{name: p.Name, typ: typ, compiled: m.compile([]byte(doc), kind, p.Name), targets: map[string]bool{}}
		for _, t := range p.Targets {
			switch t.Kind {
			case org.TargetRoot:
				op.targets["root"] = true
			case org.TargetUnit:
				op.targets[t.Name] = true
			case org.TargetAccount:
				op.targets["account:"+t.Name] = true
			}
		}
		m.orgPols = append(m.orgPols, op)
	}
}

// addLiveIAM adds an account's users (with their groups' policies) and
// roles. Users of the identity account are named user:NAME, others
// user:NAME@ACCOUNT.
func (m *Model) addLiveIAM(acct *Account, iam *AccountIAM, accessRole string) {
	docs := func(inline []Document, attached []string, who string) ([]*policy.Compiled, []string) {
		var out []*policy.Compiled
		var names []string
		for _, d := range inline {
			out = append(out, m.compile([]byte(d.JSON), policy.Identity, d.Name))
			names = append(names, d.Name)
		}
		for _, arn := range attached {
			out = append(out, m.livePolicy(iam, arn, who))
			names = append(names, policyName(arn))
		}
		return out, names
	}
	groups := map[string]IAMGroup{}
	for _, g := range iam.Groups {
		groups[g.Name] = g
	}
	for _, u := range iam.Users {
		who := fmt.Sprintf("user %s in %s", u.Name, acct.Name)
		identity, names := docs(u.Inline, u.Attached, who)
		gs := append([]string(nil), u.Groups...)
		sort.Strings(gs)
		for _, g := range gs {
			gi, gn := docs(groups[g].Inline, groups[g].Attached, who+" (group "+g+")")
			identity = append(identity, gi...)
			for _, n := range gn {
				names = append(names, "group:"+g+"/"+n)
			}
		}
		p := &Principal{Kind: User, Name: u.Name, Account: acct, ARN: u.ARN, Groups: gs, Policies: names}
		var boundary []*policy.Compiled
		if u.Boundary != "" {
			boundary = []*policy.Compiled{m.livePolicy(iam, u.Boundary, who+" boundary")}
		}
		p.side = m.sideFor(liveSideKey(identity, boundary), acct, identity, boundary)
		m.add(p)
		key := u.Name
		if acct != m.identity {
			key += "@" + acct.Name
		} else {
			for _, g := range gs {
				m.Groups[g] = append(m.Groups[g], u.Name)
			}
		}
		m.users[key] = p
	}
	if acct == m.identity {
		for _, g := range iam.Groups {
			identity, names := docs(g.Inline, g.Attached, "group "+g.Name)
			p := &Principal{Kind: GroupMember, Name: g.Name, Account: acct, Groups: []string{g.Name},
				ARN: "arn:aws:iam::" + acct.ID + ":user/member-of-" + g.Name, Policies: names}
			p.side = m.sideFor(liveSideKey(identity, nil), acct, identity, nil)
			m.add(p)
			m.members[g.Name] = p
			if _, ok := m.Groups[g.Name]; !ok {
				m.Groups[g.Name] = nil
			}
		}
	}
	for _, r := range iam.Roles {
		if strings.HasPrefix(r.Path, "/aws-service-role/") {
			continue
		}
		who := fmt.Sprintf("role %s in %s", r.Name, acct.Name)
		identity, names := docs(r.Inline, r.Attached, who)
		var boundary []*policy.Compiled
		if r.Boundary != "" {
			boundary = []*policy.Compiled{m.livePolicy(iam, r.Boundary, who+" boundary")}
		}
		p := &Principal{Kind: Role, Name: r.Name, Account: acct, ARN: r.ARN, Policies: names, AccessRole: r.Name == accessRole}
		p.side = m.sideFor(liveSideKey(identity, boundary), acct, identity, boundary)
		p.trust = m.compile([]byte(r.Trust), policy.Trust, "trust policy of "+r.Name)
		m.add(p)
		m.roles[r.Name] = append(m.roles[r.Name], p)
	}
}

// livePolicy returns a managed policy's document: the account's copy, else
// the Managed lookup by name for AWS managed policies.
func (m *Model) livePolicy(iam *AccountIAM, arn, who string) *policy.Compiled {
	name := policyName(arn)
	if doc, ok := iam.Managed[arn]; ok {
		return m.compile([]byte(doc), policy.Identity, name)
	}
	if strings.HasPrefix(arn, "arn:aws:iam::aws:policy/") {
		return m.managedPolicy(name, who)
	}
	m.errs = append(m.errs, fmt.Sprintf("%s: managed policy %s was not read", who, arn))
	return m.compile([]byte(`{"Version":"2012-10-17","Statement":[]}`), policy.Identity, name)
}

func policyName(arn string) string { return arn[strings.LastIndexByte(arn, '/')+1:] }

// liveSideKey identifies a side by its compiled documents: principals whose
// documents are the same share a side.
func liveSideKey(identity, boundary []*policy.Compiled) string {
	var b strings.Builder
	b.WriteString("live:")
	for _, c := range identity {
		fmt.Fprintf(&b, "%p,", c)
	}
	b.WriteString("|")
	for _, c := range boundary {
		fmt.Fprintf(&b, "%p,", c)
	}
	return b.String()
}
