package access

import (
	"fmt"
	"sort"
	"strings"

	"github.com/bulkhead-dev/bulkhead/internal/actions"
	"github.com/bulkhead-dev/bulkhead/internal/layout"
	"github.com/bulkhead-dev/bulkhead/internal/policy"
)

// Options configure Build.
type Options struct {
	// Managed returns the document of an AWS managed policy by name. Nil
	// means BuiltinManaged.
	Managed func(name string) ([]byte, bool)
	// Catalog is the catalog of actions; nil means actions.New().
	Catalog *actions.Catalog
}

// Account is an account of the model.
type Account struct {
	Name string
	// ID is the account id: a placeholder (1000000000NN, by position in the
	// layout) before the layout is applied.
	ID         string
	Kind       layout.Kind
	Unit       string // "" for the root
	Management bool
	Identity   bool // the account the people's IAM users live in
}

// PrincipalKind is the kind of a principal.
type PrincipalKind int

// Principal kinds.
const (
	User PrincipalKind = iota
	Role
	// CI is GitHub Actions through OIDC: no IAM entity of its own, it
	// reaches the roles whose trust admits its token.
	CI
	// GroupMember is a hypothetical member of one group and no other, used
	// for the matrix by group: what membership alone grants.
	GroupMember
)

// Principal is a user, a role in one account, or the CI principal.
type Principal struct {
	Kind    PrincipalKind
	Name    string   // user or role name, "ci", or the group of a GroupMember
	Account *Account // nil for the GitHub CI principal
	ARN     string   // the user or role ARN; "" for the GitHub CI principal
	Groups  []string // for users
	// Policies names the identity policies, for explanations.
	Policies []string
	// AccessRole marks the organization access role; CIRole the CI role
	// (ci.role in the layout).
	AccessRole bool
	CIRole     bool
	// Assumed says the principal's identity policies are not in the layout
	// (a CI role defined elsewhere): bulkhead assumes it may call
	// sts:AssumeRole on any role, so that what it reaches is not missed.
	Assumed bool

	index int
	side  *side
	trust *policy.Compiled // roles
}

// ID names the principal the way the CLI takes it: user:alice,
// role:appeng@prod, ci, group:engineers (a GroupMember).
func (p *Principal) ID() string {
	switch p.Kind {
	case User:
		return "user:" + p.Name
	case Role:
		return "role:" + p.Name + "@" + p.Account.Name
	case GroupMember:
		return "group:" + p.Name
	}
	return "ci"
}

// caller is the ARN the principal calls AWS as: the user, or a session of
// the role.
func (p *Principal) caller() string {
	if p.Kind == Role {
		return "arn:aws:sts::" + p.Account.ID + ":assumed-role/" + p.Name + "/bulkhead"
	}
	return p.ARN
}

// side is the caller side of a principal: the policies that limit what it
// may do. Principals with the same side share compiled sets; the account
// only appears in the requests.
type side struct {
	key      string
	identity []*policy.Compiled
	boundary []*policy.Compiled
	scps     []policy.OrgLevel
	rcps     []policy.OrgLevel // of the principal's own account, for its own resources
	mgmt     bool
	set      *policy.Set
	// agnostic: no policy of the side names an account id or uses a
	// policy variable, so a decision for one account is the decision for
	// every account with this side (see classKey).
	agnostic bool
	// nameAgnostic: no condition of the side's policies reads a key that
	// differs between principals of one account (aws:username,
	// aws:PrincipalArn, aws:userid, principal tags...), so principals of
	// the same kind with this side get the same decisions.
	nameAgnostic bool
	// ids are the account ids its policies name.
	ids map[string]bool
}

// Model is an organization's principals and the role-assumption graph.
type Model struct {
	Accounts   []*Account
	Principals []*Principal
	CI         *Principal // nil when the layout has no CI principal
	Groups     map[string][]string
	Developers []string

	byName    map[string]*Account
	byID      map[string]*Account
	byARN     map[string]*Principal
	users     map[string]*Principal
	members   map[string]*Principal // GroupMember by group
	roles     map[string][]*Principal
	identity  *Account
	mgmt      *Account
	region    string
	catalog   *actions.Catalog
	managed   func(string) ([]byte, bool)
	compiled  map[string]*policy.Compiled
	sides     map[string]*side
	chains    map[string][]policy.OrgLevel
	joint     map[jointKey]*policy.Set
	out       [][]edge
	reachAll  map[int]*reach
	classes   map[classKey]Grant
	assumes   map[assumeKey]policy.Decision
	policyIDs map[*policy.Compiled]map[string]bool
	inAccount map[*Account][]*Principal
	hasRCPs   bool
	orgPols   []*orgPolicy
	// implicitFull: FullAWSAccess (RCPFullAWSAccess) is attached at every
	// level, as a layout assumes; a live organization lists its own.
	implicitFull bool
	errs         []string
}

type jointKey struct {
	side  *side
	trust *policy.Compiled
	rcps  *policy.OrgLevel
}

// Account returns the account with a name, or nil.
func (m *Model) Account(name string) *Account { return m.byName[name] }

// Catalog is the catalog of actions the model classifies with.
func (m *Model) Catalog() *actions.Catalog { return m.catalog }

// Build makes the model of what the layout creates. The layout must be
// valid (no error diagnostics). It fails when a policy the layout names
// cannot be found or parsed.
func Build(l *layout.Layout, opts Options) (*Model, error) {
	m := &Model{
		Groups: map[string][]string{}, byName: map[string]*Account{}, byID: map[string]*Account{}, byARN: map[string]*Principal{},
		users: map[string]*Principal{}, members: map[string]*Principal{}, roles: map[string][]*Principal{},
		region: l.Organization.Region.Value, catalog: opts.Catalog, managed: opts.Managed,
		compiled: map[string]*policy.Compiled{}, sides: map[string]*side{}, chains: map[string][]policy.OrgLevel{},
		joint: map[jointKey]*policy.Set{}, reachAll: map[int]*reach{}, classes: map[classKey]Grant{},
		assumes: map[assumeKey]policy.Decision{}, policyIDs: map[*policy.Compiled]map[string]bool{}, inAccount: map[*Account][]*Principal{},
	}
	if m.catalog == nil {
		m.catalog = actions.New()
	}
	if m.managed == nil {
		m.managed = BuiltinManaged
	}
	if m.region == "" {
		m.region = layout.DefaultRegion
	}
	for i, a := range l.Accounts {
		acct := &Account{Name: a.Name.Value, ID: fmt.Sprintf("%012d", 100000000000+i+1), Kind: a.Kind.Value,
			Unit: a.Unit.Value, Management: a.Name.Value == l.Organization.Management.Account.Value}
		m.Accounts = append(m.Accounts, acct)
		m.byName[acct.Name] = acct
		m.byID[acct.ID] = acct
		if acct.Management {
			m.mgmt = acct
		}
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
	if len(m.errs) > 0 {
		return nil, fmt.Errorf("access: %s", strings.Join(m.errs, "; "))
	}
	m.buildGraph()
	return m, nil
}

func (m *Model) add(p *Principal) {
	p.index = len(m.Principals)
	m.Principals = append(m.Principals, p)
	if p.ARN != "" {
		m.byARN[p.ARN] = p
	}
	if p.Account != nil {
		m.inAccount[p.Account] = append(m.inAccount[p.Account], p)
	}
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
		p.side = m.sideFor("groups:"+strings.Join(groups, ","), m.identity, identity, nil)
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
		m.CI = &Principal{Kind: CI, Name: "ci", Policies: []string{"GitHub Actions OIDC: " + strings.Join(GitHubSubjects(l.CI.GitHub), ", ")}}
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

func (m *Model) roleIn(name string, acct *Account) *Principal {
	for _, p := range m.roles[name] {
		if p.Account == acct {
			return p
		}
	}
	return nil
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

func (m *Model) managedPolicy(name, where string) *policy.Compiled {
	doc, ok := m.managed(name)
	if !ok {
		m.errs = append(m.errs, fmt.Sprintf("%s: %q is not an AWS managed policy bulkhead knows; give a JSON file instead", where, name))
		doc = []byte(`{"Version":"2012-10-17","Statement":[]}`)
	}
	return m.compile(doc, policy.Identity, name)
}

// compile parses and compiles a document once per content and kind.
func (m *Model) compile(doc []byte, kind policy.Kind, name string) *policy.Compiled {
	key := fmt.Sprintf("%d:%s:%s", kind, name, doc)
	if c, ok := m.compiled[key]; ok {
		return c
	}
	p, ds := policy.Parse(doc, policy.ParseOptions{File: name, Kind: kind})
	if ds.HasErrors() || p == nil {
		m.errs = append(m.errs, fmt.Sprintf("%s: %v", name, ds))
		p, _ = policy.Parse([]byte(`{"Version":"2012-10-17","Statement":[]}`), policy.ParseOptions{File: name, Kind: kind})
	}
	c := policy.Compile(p)
	c.Name = name
	m.compiled[key] = c
	return c
}

// sideFor returns the shared side for a set of policies in an account: the
// key joins the policies with the account's SCP and RCP chains and whether
// it is the management account, which is everything a decision depends on
// besides the request.
func (m *Model) sideFor(key string, acct *Account, identity, boundary []*policy.Compiled) *side {
	scpKey, scps := m.chain(acct, layout.PolicySCP)
	rcpKey, rcps := m.chain(acct, layout.PolicyRCP)
	full := key + "|scp:" + scpKey + "|rcp:" + rcpKey
	if acct.Management {
		full += "|management"
	}
	if s, ok := m.sides[full]; ok {
		return s
	}
	s := &side{key: full, identity: identity, boundary: boundary, scps: scps, rcps: rcps, mgmt: acct.Management}
	s.set = policy.NewSet(policy.Layers{Identity: identity, Boundaries: boundary, SCPs: scps, RCPs: rcps})
	s.agnostic, s.nameAgnostic, s.ids = true, true, map[string]bool{}
	all := append(append([]*policy.Compiled(nil), identity...), boundary...)
	for _, lv := range append(append([]policy.OrgLevel(nil), scps...), rcps...) {
		all = append(all, lv.Policies...)
	}
	for _, c := range all {
		if !accountAgnostic(c.Policy) {
			s.agnostic = false
		}
		if !nameAgnostic(c.Policy) {
			s.nameAgnostic = false
		}
		for id := range m.accountIDs(c) {
			s.ids[id] = true
		}
	}
	m.sides[full] = s
	return s
}

// accountAgnostic reports whether a policy's meaning is the same in every
// account: it names no account id (12 digits) and uses no policy variable.
func accountAgnostic(p *policy.Policy) bool {
	if p == nil {
		return true
	}
	for _, st := range p.Statements {
		var strs []string
		strs = append(strs, st.Resources...)
		for _, c := range st.Conditions {
			strs = append(strs, c.Values...)
		}
		if st.Principal != nil {
			for _, e := range st.Principal.Entries {
				strs = append(strs, e.Value)
			}
		}
		for _, s := range strs {
			if strings.Contains(s, "${") || hasAccountID(s) {
				return false
			}
		}
	}
	return true
}

// nameAgnostic reports whether no condition of a policy reads a key whose
// value differs between two principals of the same kind in one account.
func nameAgnostic(p *policy.Policy) bool {
	if p == nil {
		return true
	}
	for _, st := range p.Statements {
		for _, c := range st.Conditions {
			k := strings.ToLower(c.Key)
			if strings.HasPrefix(k, "aws:principal") && k != "aws:principalaccount" && k != "aws:principalorgid" &&
				k != "aws:principalorgpaths" && k != "aws:principaltype" && k != "aws:principalisawsservice" ||
				strings.HasPrefix(k, "aws:user") || strings.HasPrefix(k, "aws:sourceidentity") ||
				strings.HasPrefix(k, "aws:requesttag") || strings.HasPrefix(k, "iam:") || strings.Contains(k, "${") {
				return false
			}
		}
		if st.Principal != nil || st.NotPrincipal {
			return false
		}
	}
	return true
}

// accountIDs returns the 12-digit account ids a compiled policy names
// anywhere (resources, conditions, principals), computed once per policy.
func (m *Model) accountIDs(c *policy.Compiled) map[string]bool {
	if ids, ok := m.policyIDs[c]; ok {
		return ids
	}
	ids := map[string]bool{}
	if c.Policy != nil {
		for _, st := range c.Policy.Statements {
			strs := append([]string(nil), st.Resources...)
			for _, cd := range st.Conditions {
				strs = append(strs, cd.Values...)
			}
			if st.Principal != nil {
				for _, e := range st.Principal.Entries {
					strs = append(strs, e.Value)
				}
			}
			for _, s := range strs {
				for _, id := range findAccountIDs(s) {
					ids[id] = true
				}
			}
		}
	}
	m.policyIDs[c] = ids
	return ids
}

func findAccountIDs(s string) []string {
	var out []string
	start := -1
	for i := 0; i <= len(s); i++ {
		if i < len(s) && s[i] >= '0' && s[i] <= '9' {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 && i-start == 12 {
			out = append(out, s[start:i])
		}
		start = -1
	}
	return out
}

func hasAccountID(s string) bool {
	run := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			run++
			if run == 12 {
				return true
			}
		} else {
			run = 0
		}
	}
	return false
}

// sortedGroups returns the group names, sorted.
func (m *Model) sortedGroups() []string {
	out := make([]string, 0, len(m.Groups))
	for g := range m.Groups {
		out = append(out, g)
	}
	sort.Strings(out)
	return out
}
