package policy

import (
	"strings"
)

// PrincipalType is the kind of caller, derived from its ARN.
type PrincipalType int

// Principal types, as aws:PrincipalType names them.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principaltype
const (
	PrincipalUnknown PrincipalType = iota
	PrincipalUser
	PrincipalAssumedRole // a role session (arn:aws:sts::A:assumed-role/R/S)
	PrincipalRole        // a role ARN given as the caller: treated as a session of the role
	PrincipalRoot        // the account root user (arn:aws:iam::A:root)
	PrincipalFederatedUser
	PrincipalService   // an AWS service principal such as lambda.amazonaws.com
	PrincipalAnonymous // an unauthenticated caller ("*" or empty)
)

func (t PrincipalType) String() string {
	switch t {
	case PrincipalUser:
		return "User"
	case PrincipalAssumedRole, PrincipalRole:
		return "AssumedRole"
	case PrincipalRoot:
		return "Account"
	case PrincipalFederatedUser:
		return "FederatedUser"
	case PrincipalService:
		return "Service"
	case PrincipalAnonymous:
		return "Anonymous"
	}
	return "Unknown"
}

// Request is one authorization question: may Principal perform Action on
// Resource? A Request caches values derived from its fields on first use,
// so it must not be modified after the first evaluation nor shared between
// goroutines that evaluate it concurrently; build one per call.
type Request struct {
	// Principal is the caller's ARN (user, assumed-role session, role,
	// root, federated user), a service principal name, or "*" for anonymous.
	Principal string
	// PrincipalAccount defaults to the account in the principal's ARN.
	PrincipalAccount string
	// Action is "service:Operation"; matched case-insensitively.
	Action string
	// Resource is the resource ARN, or "*" for actions without one.
	Resource string
	// ResourceAccount defaults to the account in the resource ARN, and then
	// to the principal's account (S3 ARNs carry no account).
	ResourceAccount string
	// Context holds the request's condition keys.
	Context Context
	// ContextComplete says that keys absent from Context are absent from
	// the request (the local AWS knows everything it sends). When false, an
	// absent key is unknown and conditions on it become residual.
	ContextComplete bool
	// PrincipalInManagementAccount exempts the caller from SCPs.
	PrincipalInManagementAccount bool
	// ResourceInManagementAccount exempts the resource from RCPs.
	ResourceInManagementAccount bool
	// ServiceLinkedRole exempts the caller from SCPs and RCPs; it is also
	// inferred from a role path of /aws-service-role/.
	ServiceLinkedRole bool

	prepared bool
	p        principalInfo
	svc      string // lower-case service prefix of Action
	lname    string // lower-case operation name
	firstBit uint32 // firstBit(lname)
	lhead    uint64 // loadHead(lname)
	setID    *Set   // the Set svcID was looked up in
	svcID    int
	res      splitResource
	resAcct  string
}

// principalInfo is what the evaluator needs to know about the caller.
type principalInfo struct {
	typ       PrincipalType
	account   string
	name      string // user name, role name, federated user name
	roleARN   string // for role sessions: arn:PARTITION:iam::A:role/NAME
	sessionID string // role session name
	slr       bool
	derived   derivedKeys // aws:PrincipalArn and friends
}

// prepare fills the cached fields; idempotent.
func (r *Request) prepare() {
	if r.prepared {
		return
	}
	r.prepared = true
	r.p = parsePrincipal(r.Principal)
	if r.PrincipalAccount != "" {
		r.p.account = r.PrincipalAccount
	}
	r.p.slr = r.p.slr || r.ServiceLinkedRole
	svc, name, _ := cutByte(r.Action, ':')
	r.svc, r.lname = lowerASCII(svc), lowerASCII(name)
	r.firstBit = firstBit(r.lname)
	r.lhead = loadHead(r.lname)
	res := r.Resource
	if res == "" {
		res = "*"
	}
	r.res = newSplitResource(res)
	r.resAcct = r.ResourceAccount
	if r.resAcct == "" && r.res.isARN {
		r.resAcct = r.res.parts[4]
	}
	if r.resAcct == "" {
		r.resAcct = r.p.account
	}
	r.deriveKeys()
}

// serviceID is the request's service number in s, cached for repeated
// evaluations against the same set.
func (r *Request) serviceID(s *Set) int {
	if r.setID == s {
		return r.svcID
	}
	id, ok := s.svcIDs[r.svc]
	if !ok {
		id = -1
	}
	r.setID, r.svcID = s, id
	return id
}

// crossAccount reports whether the caller and the resource are in
// different accounts.
func (r *Request) crossAccount() bool {
	return r.p.account != "" && r.resAcct != "" && r.p.account != r.resAcct
}

func parsePrincipal(s string) principalInfo {
	pi := principalInfo{}
	switch {
	case s == "" || s == "*":
		pi.typ = PrincipalAnonymous
		return pi
	case !strings.HasPrefix(s, "arn:"):
		if isAccountID(s) {
			pi.typ, pi.account = PrincipalRoot, s
		} else {
			pi.typ = PrincipalService
		}
		return pi
	}
	a, ok := splitARN(s)
	if !ok {
		return pi
	}
	pi.account = a.account
	kind, rest, _ := strings.Cut(a.resource, "/")
	switch {
	case a.service == "iam" && a.resource == "root":
		pi.typ = PrincipalRoot
	case a.service == "iam" && kind == "user":
		pi.typ, pi.name = PrincipalUser, lastSegment(rest)
	case a.service == "iam" && kind == "role":
		pi.typ, pi.name = PrincipalRole, lastSegment(rest)
		pi.roleARN = s
		pi.slr = strings.HasPrefix(rest, "aws-service-role/")
	case a.service == "sts" && kind == "assumed-role":
		role, session, _ := strings.Cut(rest, "/")
		pi.typ, pi.name, pi.sessionID = PrincipalAssumedRole, role, session
		pi.roleARN = "arn:" + a.partition + ":iam::" + a.account + ":role/" + role
		// Service-linked role names start with AWSServiceRoleFor.
		pi.slr = strings.HasPrefix(role, "AWSServiceRoleFor")
	case a.service == "sts" && kind == "federated-user":
		pi.typ, pi.name = PrincipalFederatedUser, rest
	}
	return pi
}

func lastSegment(path string) string {
	if i := strings.LastIndexByte(path, '/'); i >= 0 {
		return path[i+1:]
	}
	return path
}

// The global condition keys every request carries, derived from its
// fields; an explicit Context value overrides them. They live in fixed
// arrays so that preparing a request does not allocate for them.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
const (
	dPrincipalArn = iota
	dPrincipalAccount
	dPrincipalIsAWSService
	dPrincipalType
	dUsername
	dPrincipalServiceName
	dResourceAccount
	numDerived
)

var derivedNames = [numDerived]string{
	"aws:principalarn", "aws:principalaccount", "aws:principalisawsservice", "aws:principaltype",
	"aws:username", "aws:principalservicename", "aws:resourceaccount",
}

// derivedKeys holds the derived keys' values and whether each is known
// present (keyPresent), known absent (keyAbsent) or not derived
// (keyUnknown: the Context or ContextComplete decides).
type derivedKeys struct {
	vals  [numDerived]string
	state [numDerived]keyState
}

func (r *Request) deriveKeys() {
	d := &r.p.derived
	for i := range d.state {
		d.state[i] = keyUnknown
	}
	set := func(i int, v string) { d.vals[i], d.state[i] = v, keyPresent }
	p := &r.p
	switch p.typ {
	case PrincipalAnonymous, PrincipalUnknown:
	case PrincipalService:
		set(dPrincipalServiceName, r.Principal)
		set(dPrincipalIsAWSService, "true")
	default:
		arn := r.Principal
		if p.roleARN != "" {
			// For a role session aws:PrincipalArn is the role's ARN.
			arn = p.roleARN
		}
		set(dPrincipalArn, arn)
		set(dPrincipalAccount, p.account)
		set(dPrincipalIsAWSService, "false")
		set(dPrincipalType, p.typ.String())
		if p.typ == PrincipalUser {
			set(dUsername, p.name)
		} else {
			d.state[dUsername] = keyAbsent
		}
	}
	if r.resAcct != "" {
		set(dResourceAccount, r.resAcct)
	}
}

// Context holds a request's condition keys and their values. Keys are
// case-insensitive, values case-sensitive. The zero Context is empty.
type Context struct {
	entries []ctxEntry
}

type ctxEntry struct {
	key    string // lower case
	values []string
	null   bool // known to be absent from the request
}

// Set gives key its values (one for single-valued keys).
func (c *Context) Set(key string, values ...string) {
	k := strings.ToLower(key)
	for i := range c.entries {
		if c.entries[i].key == k {
			c.entries[i] = ctxEntry{key: k, values: values}
			return
		}
	}
	c.entries = append(c.entries, ctxEntry{key: k, values: values})
}

// SetAbsent records that the request does not carry key, so conditions on
// it are decided (Null: true holds, IfExists passes) instead of residual.
func (c *Context) SetAbsent(key string) {
	k := strings.ToLower(key)
	for i := range c.entries {
		if c.entries[i].key == k {
			c.entries[i] = ctxEntry{key: k, null: true}
			return
		}
	}
	c.entries = append(c.entries, ctxEntry{key: k, null: true})
}

// Len is the number of keys set.
func (c *Context) Len() int { return len(c.entries) }

// keyState says what the request knows about a condition key.
type keyState int8

const (
	keyPresent keyState = iota
	keyAbsent
	keyUnknown
)

// lookup finds a lower-case key in the context, then in the derived keys.
func (r *Request) lookup(lkey string) ([]string, keyState) {
	for i := range r.Context.entries {
		e := &r.Context.entries[i]
		if e.key == lkey {
			if e.null {
				return nil, keyAbsent
			}
			return e.values, keyPresent
		}
	}
	d := &r.p.derived
	for i := range derivedNames {
		if derivedNames[i] == lkey {
			switch d.state[i] {
			case keyPresent:
				return d.vals[i : i+1], keyPresent
			case keyAbsent:
				return nil, keyAbsent
			}
			break
		}
	}
	if r.ContextComplete {
		return nil, keyAbsent
	}
	return nil, keyUnknown
}
