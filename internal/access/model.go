package access

import (
	"fmt"
	"sort"
	"strings"

	"github.com/bulkhead-dev/bulkhead/internal/actions"
	"github.com/bulkhead-dev/bulkhead/internal/awsmanaged"
	"github.com/bulkhead-dev/bulkhead/internal/layout"
	"github.com/bulkhead-dev/bulkhead/internal/policy"
)

// Options configure Build.
type Options struct {
	// Managed returns the document of an AWS managed policy by name. Nil
	// means the shared catalog, awsmanaged.Document.
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

	index    int
	subjects []string // the OIDC subjects of the GitHub CI principal
	side     *side
	trust    *policy.Compiled // roles
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
	// live: built from a live organization's snapshot.
	live bool
	errs []string
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

// newModel returns an empty model with its maps made.
func newModel(opts Options, region string) *Model {
	m := &Model{
		Groups: map[string][]string{}, byName: map[string]*Account{}, byID: map[string]*Account{}, byARN: map[string]*Principal{},
		users: map[string]*Principal{}, members: map[string]*Principal{}, roles: map[string][]*Principal{},
		region: region, catalog: opts.Catalog, managed: opts.Managed,
		compiled: map[string]*policy.Compiled{}, sides: map[string]*side{}, chains: map[string][]policy.OrgLevel{},
		joint: map[jointKey]*policy.Set{}, reachAll: map[int]*reach{}, classes: map[classKey]Grant{},
		assumes: map[assumeKey]policy.Decision{}, policyIDs: map[*policy.Compiled]map[string]bool{}, inAccount: map[*Account][]*Principal{},
	}
	if m.catalog == nil {
		m.catalog = actions.New()
	}
	if m.managed == nil {
		m.managed = awsmanaged.Document
	}
	if m.region == "" {
		m.region = layout.DefaultRegion
	}
	return m
}

// addAccount adds an account.
func (m *Model) addAccount(acct *Account) {
	m.Accounts = append(m.Accounts, acct)
	m.byName[acct.Name] = acct
	m.byID[acct.ID] = acct
	if acct.Management {
		m.mgmt = acct
	}
}

// finish checks for errors and builds the graph.
func (m *Model) finish() (*Model, error) {
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

func (m *Model) roleIn(name string, acct *Account) *Principal {
	for _, p := range m.roles[name] {
		if p.Account == acct {
			return p
		}
	}
	return nil
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
