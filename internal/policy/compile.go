package policy

import (
	"encoding/base64"
	"net/netip"
	"strings"
)

// Compiled is a policy prepared for fast evaluation: actions lowered and
// split at the service prefix, resources split into ARN parts, condition
// values parsed into numbers, dates, prefixes and ARN patterns. It is
// immutable and safe for concurrent use.
type Compiled struct {
	Policy *Policy
	// Name overrides Policy.Name() in explanations (e.g. "AdminAccess").
	Name  string
	stmts []*cstmt
}

// cstmt is a compiled statement.
type cstmt struct {
	policy    *Compiled
	s         *Statement
	deny      bool
	notAction bool
	actions   []actionPattern
	services  []string // distinct services named (nil when a pattern is "*")
	anySvc    bool     // matches every service: "*" or NotAction
	hasRes    bool
	notRes    bool
	resources []resPattern
	anyRes    bool // Resource includes "*": the element always matches
	principal *cprincipal
	conds     []*ccond
}

// resPattern is a Resource entry; with policy variables it is resolved
// per request.
type resPattern struct {
	pat  arnPattern
	vars []varPart // non-nil when the entry has ${...}
}

// varPart is a piece of a value with policy variables: literal text or a
// variable reference.
type varPart struct {
	lit      string
	key      string // lower-case condition key; "" for a literal
	def      string
	hasDef   bool
	original string // "${...}" as written, for explanations
}

// Compile prepares p for evaluation. p should have no Error diagnostics;
// parts that failed validation are compiled as written and simply never
// match.
func Compile(p *Policy) *Compiled {
	c := &Compiled{Policy: p}
	vars := p.Version == Version2012
	for _, s := range p.Statements {
		cs := &cstmt{policy: c, s: s, deny: s.Effect == Deny, notAction: s.NotAction, hasRes: s.HasResource, notRes: s.NotResource}
		seen := map[string]bool{}
		for _, a := range s.Actions {
			ap := compileActionPattern(a)
			cs.actions = append(cs.actions, ap)
			if ap.all {
				cs.anySvc = true
			} else if !seen[ap.service] {
				seen[ap.service] = true
				cs.services = append(cs.services, ap.service)
			}
		}
		if s.NotAction {
			cs.anySvc = true
		}
		for _, r := range s.Resources {
			rp := resPattern{}
			if vars && strings.Contains(r, "${") {
				rp.vars = splitVariables(r)
			} else {
				rp.pat = compileARNPattern(r)
			}
			cs.resources = append(cs.resources, rp)
			if r == "*" && !s.NotResource {
				cs.anyRes = true
			}
		}
		if s.Principal != nil {
			cs.principal = compilePrincipal(s.Principal, s.NotPrincipal)
		}
		for _, cond := range s.Conditions {
			cs.conds = append(cs.conds, compileCondition(cond, vars))
		}
		c.stmts = append(c.stmts, cs)
	}
	return c
}

// label names the compiled policy in explanations.
func (c *Compiled) label() string {
	if c.Name != "" {
		return c.Name
	}
	return c.Policy.Name()
}

// splitVariables splits text with ${...} into parts. Malformed variables
// (reported by the parser) are kept as literal text.
func splitVariables(s string) []varPart {
	var parts []varPart
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			break
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			break
		}
		if i > 0 {
			parts = append(parts, varPart{lit: s[:i]})
		}
		body := s[i+2 : i+j]
		key, def, err := parseVariable(body)
		switch {
		case err != "":
			parts = append(parts, varPart{lit: s[i : i+j+1]})
		case key == "*" || key == "?" || key == "$":
			// ${*} is a literal asterisk, not a wildcard.
			parts = append(parts, varPart{lit: string([]byte{litEscape, key[0]})})
		default:
			parts = append(parts, varPart{key: strings.ToLower(key), def: def, hasDef: strings.Contains(body, ","), original: s[i : i+j+1]})
		}
		s = s[i+j+1:]
	}
	if s != "" {
		parts = append(parts, varPart{lit: s})
	}
	return parts
}

// cprincipal is a compiled Principal/NotPrincipal element.
type cprincipal struct {
	not      bool
	all      bool
	accounts []string // account ids (from ids and :root ARNs)
	users    []nameRef
	roles    []nameRef
	sessions []string // assumed-role session ARNs, as written
	fedUsers []string
	others   []string // Service, Federated, CanonicalUser values
}

// nameRef identifies a user or role by account and name; IAM names are
// unique in an account whatever their path, and a session ARN has no path.
type nameRef struct{ account, name string }

func compilePrincipal(p *Principals, not bool) *cprincipal {
	cp := &cprincipal{not: not, all: p.All}
	for _, e := range p.Entries {
		if e.Type != "AWS" {
			cp.others = append(cp.others, e.Value)
			continue
		}
		if isAccountID(e.Value) {
			cp.accounts = append(cp.accounts, e.Value)
			continue
		}
		a, ok := splitARN(e.Value)
		if !ok {
			continue
		}
		kind, rest, _ := strings.Cut(a.resource, "/")
		switch {
		case a.resource == "root":
			cp.accounts = append(cp.accounts, a.account)
		case a.service == "iam" && kind == "user":
			cp.users = append(cp.users, nameRef{a.account, lastSegment(rest)})
		case a.service == "iam" && kind == "role":
			cp.roles = append(cp.roles, nameRef{a.account, lastSegment(rest)})
		case a.service == "sts" && kind == "assumed-role":
			cp.sessions = append(cp.sessions, e.Value)
		case a.service == "sts" && kind == "federated-user":
			cp.fedUsers = append(cp.fedUsers, e.Value)
		}
	}
	return cp
}

// ccond is a compiled condition.
type ccond struct {
	c        *Condition
	lkey     string
	op       Operator
	set      SetQualifier
	ifExists bool
	negated  bool
	strs     []string  // String*, Binary (decoded), and the raw values
	nums     []float64 // Numeric*
	dates    []int64   // Date*: unix nanoseconds
	prefixes []netip.Prefix
	arns     []arnPattern
	bools    []bool // Bool, Null
	vars     [][]varPart
}

func compileCondition(c *Condition, vars bool) *ccond {
	cc := &ccond{c: c, lkey: strings.ToLower(c.Key), op: c.Op, set: c.Set, ifExists: c.IfExists, negated: c.Op.negated()}
	for _, v := range c.Values {
		if vars && strings.Contains(v, "${") && variableOperator(c.Op) {
			cc.vars = append(cc.vars, splitVariables(v))
			continue
		}
		cc.addValue(v)
	}
	return cc
}

// variableOperator reports whether policy variables are substituted in the
// operator's values: string and ARN comparisons (and the rest compare the
// substituted text after parsing it).
func variableOperator(op Operator) bool {
	return op != Null && op != Bool
}

// addValue parses one policy value for the operator; values that do not
// parse (reported by the parser) are dropped and so never match.
func (cc *ccond) addValue(v string) {
	switch cc.op {
	case StringEquals, StringNotEquals, StringEqualsIgnoreCase, StringNotEqualsIgnoreCase, StringLike, StringNotLike:
		cc.strs = append(cc.strs, v)
	case NumericEquals, NumericNotEquals, NumericLessThan, NumericLessThanEquals, NumericGreaterThan, NumericGreaterThanEquals:
		if n, ok := parseNumber(v); ok {
			cc.nums = append(cc.nums, n)
		}
	case DateEquals, DateNotEquals, DateLessThan, DateLessThanEquals, DateGreaterThan, DateGreaterThanEquals:
		if t, ok := parseDate(v); ok {
			cc.dates = append(cc.dates, t.UnixNano())
		}
	case Bool, Null:
		if b, ok := parseBool(v); ok {
			cc.bools = append(cc.bools, b)
		}
	case BinaryEquals:
		if b, err := base64.StdEncoding.DecodeString(v); err == nil {
			cc.strs = append(cc.strs, string(b))
		}
	case IPAddress, NotIPAddress:
		if p, ok := parseCIDR(v); ok {
			cc.prefixes = append(cc.prefixes, p)
		}
	case ArnEquals, ArnLike, ArnNotEquals, ArnNotLike:
		cc.arns = append(cc.arns, compileARNPattern(v))
	}
}
