package policy

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/bulkhead-dev/bulkhead/internal/diag"
)

// Simulation is one request with every layer of policy given inline: the
// input of `bulkhead access simulate` (documented in docs/access.md).
type Simulation struct {
	Request *Request
	Layers  Layers
}

var simulationKeys = []string{"request", "identityPolicies", "permissionBoundaries", "sessionPolicy", "resourcePolicy",
	"serviceControlPolicies", "resourceControlPolicies", "principalInManagementAccount", "resourceInManagementAccount", "serviceLinkedRole"}

var requestKeys = []string{"principal", "principalAccount", "action", "resource", "resourceAccount", "context", "contextComplete"}

// ParseSimulation reads a simulation file. Diagnostics point inside it,
// including inside the embedded policy documents.
func ParseSimulation(src []byte, file string) (*Simulation, diag.Diagnostics) {
	root, d := parseJSON(src, file)
	if d != nil {
		return nil, diag.Diagnostics{*d}
	}
	sp := &simParser{p: &parser{opts: ParseOptions{File: file}}}
	sim := sp.simulation(root)
	sp.p.diags.Sort()
	return sim, sp.p.diags
}

type simParser struct {
	p *parser
}

func (sp *simParser) simulation(root *node) *Simulation {
	p := sp.p
	if root.kind != jsonObject {
		p.errorf(root.pos, "not-an-object", "", `the input is an object: {"request": {...}, "identityPolicies": [...]}`, "simulation input is %s, want an object", root.kind)
		return nil
	}
	p.duplicateKeys(root, "")
	sim := &Simulation{Request: &Request{}}
	var reqNode, resNode *node
	for i := range root.members {
		m := &root.members[i]
		switch m.key {
		case "request":
			reqNode = m.value
		case "identityPolicies":
			sim.Layers.Identity = sp.policyList(m.value, m.key, Identity)
		case "permissionBoundaries":
			sim.Layers.Boundaries = sp.policyList(m.value, m.key, Identity)
		case "sessionPolicy":
			if c := sp.policy(m.value, m.key, Identity); c != nil {
				sim.Layers.Session = []*Compiled{c}
			}
		case "resourcePolicy":
			resNode = m.value
		case "serviceControlPolicies":
			sim.Layers.SCPs = sp.levels(m.value, m.key, SCP)
		case "resourceControlPolicies":
			sim.Layers.RCPs = sp.levels(m.value, m.key, RCP)
		case "principalInManagementAccount":
			sim.Request.PrincipalInManagementAccount = sp.boolean(m.value, m.key)
		case "resourceInManagementAccount":
			sim.Request.ResourceInManagementAccount = sp.boolean(m.value, m.key)
		case "serviceLinkedRole":
			sim.Request.ServiceLinkedRole = sp.boolean(m.value, m.key)
		default:
			p.unknownKey(m, "", simulationKeys)
		}
	}
	if reqNode == nil {
		p.errorf(root.pos, "missing-request", "request", `add "request": {"principal": ARN, "action": "svc:Action", "resource": ARN}`, "input has no request")
	} else {
		sp.request(reqNode, sim.Request)
	}
	if resNode != nil {
		// A resource policy on sts:AssumeRole* is the role's trust policy.
		kind := Resource
		if a := strings.ToLower(sim.Request.Action); strings.HasPrefix(a, "sts:assumerole") {
			kind = Trust
		}
		sim.Layers.Resource = sp.policy(resNode, "resourcePolicy", kind)
	}
	return sim
}

func (sp *simParser) request(n *node, r *Request) {
	p := sp.p
	if n.kind != jsonObject {
		p.errorf(n.pos, "bad-request", "request", `request is an object: {"principal": ..., "action": ..., "resource": ...}`, "request is %s, want an object", n.kind)
		return
	}
	p.duplicateKeys(n, "request")
	seen := map[string]bool{}
	for i := range n.members {
		m := &n.members[i]
		path := "request." + m.key
		seen[m.key] = true
		switch m.key {
		case "principal":
			r.Principal = sp.str(m.value, path)
			if r.Principal != "" && !validCaller(r.Principal) {
				p.errorf(m.value.pos, "bad-principal", path, `the caller is an ARN (arn:aws:iam::A:user/N, arn:aws:iam::A:role/N, arn:aws:sts::A:assumed-role/R/S, arn:aws:sts::A:federated-user/N, arn:aws:iam::A:root), a service principal such as "lambda.amazonaws.com", or "*" for anonymous`, "invalid caller %q", r.Principal)
			}
		case "principalAccount":
			r.PrincipalAccount = sp.account(m.value, path)
		case "action":
			r.Action = sp.str(m.value, path)
			if svc, name, ok := strings.Cut(r.Action, ":"); !ok || svc == "" || name == "" || strings.ContainsAny(r.Action, "*?") {
				p.errorf(m.value.pos, "bad-action", path, `a request names one action: "service:Operation", e.g. "s3:GetObject"`, "invalid action %q", r.Action)
			}
		case "resource":
			r.Resource = sp.str(m.value, path)
			if r.Resource != "*" && r.Resource != "" {
				if _, ok := splitARN(r.Resource); !ok {
					p.errorf(m.value.pos, "bad-resource", path, `give the resource's ARN, or "*" for actions without a resource`, "resource %q is not an ARN", r.Resource)
				}
			}
		case "resourceAccount":
			r.ResourceAccount = sp.account(m.value, path)
		case "context":
			sp.context(m.value, path, &r.Context)
		case "contextComplete":
			r.ContextComplete = sp.boolean(m.value, path)
		default:
			p.unknownKey(m, "request", requestKeys)
		}
	}
	for _, k := range []string{"principal", "action"} {
		if !seen[k] {
			p.errorf(n.pos, "missing-field", "request."+k, "the request needs a principal ARN and an action", "request has no %s", k)
		}
	}
	if r.Resource == "" {
		r.Resource = "*"
	}
}

func (sp *simParser) context(n *node, path string, c *Context) {
	p := sp.p
	if n.kind != jsonObject {
		p.errorf(n.pos, "bad-context", path, `context maps condition keys to a value or a list: {"aws:SourceIp": "203.0.113.7"}`, "context is %s, want an object", n.kind)
		return
	}
	p.duplicateKeys(n, path)
	for i := range n.members {
		m := &n.members[i]
		kp := path + "." + m.key
		switch m.value.kind {
		case jsonNull:
			c.SetAbsent(m.key)
		case jsonString, jsonNumber, jsonBool:
			c.Set(m.key, scalar(m.value))
		case jsonArray:
			vals := make([]string, 0, len(m.value.elems))
			for _, e := range m.value.elems {
				if e.kind == jsonArray || e.kind == jsonObject || e.kind == jsonNull {
					p.errorf(e.pos, "bad-context", kp, "context values are strings, numbers or booleans", "context value is %s", e.kind)
					continue
				}
				vals = append(vals, scalar(e))
			}
			c.Set(m.key, vals...)
		default:
			p.errorf(m.value.pos, "bad-context", kp, "a context value is a string, number, boolean, a list of them, or null for a key the request does not carry", "context value is %s", m.value.kind)
		}
	}
}

func scalar(n *node) string {
	if n.kind == jsonBool {
		return strconv.FormatBool(n.boolean)
	}
	return n.str
}

func (sp *simParser) str(n *node, path string) string {
	if n.kind != jsonString {
		sp.p.errorf(n.pos, "bad-value", path, "write a quoted string", "%s is %s, want a string", path, n.kind)
		return ""
	}
	return n.str
}

func (sp *simParser) account(n *node, path string) string {
	s := sp.str(n, path)
	if s != "" && !isAccountID(s) {
		sp.p.errorf(n.pos, "bad-account", path, "account ids are 12 digits, quoted", "invalid account id %q", s)
	}
	return s
}

func (sp *simParser) boolean(n *node, path string) bool {
	if n.kind != jsonBool {
		sp.p.errorf(n.pos, "bad-value", path, "write true or false", "%s is %s, want a boolean", path, n.kind)
		return false
	}
	return n.boolean
}

// policy parses an embedded policy document. Its name in explanations is
// its Id, or where it sits in the input.
func (sp *simParser) policy(n *node, path string, kind Kind) *Compiled {
	file := sp.p.opts.File
	if n.kind == jsonString {
		// A document given as a JSON string, the way AWS APIs return them
		// (organizations describe-policy, iam get-policy-version decoded).
		// Positions then count inside the string.
		file = fmt.Sprintf("%s:%d:%d (in the string)", file, n.pos.Line, n.pos.Col)
		inner, d := parseJSON([]byte(n.str), file)
		if d != nil {
			d.Path = path
			sp.p.diags = append(sp.p.diags, *d)
			return nil
		}
		n = inner
	}
	if n.kind != jsonObject {
		sp.p.errorf(n.pos, "bad-policy", path, "embed the policy document as a JSON object (or a string holding one)", "%s is %s, want a policy document", path, n.kind)
		return nil
	}
	sub := &parser{opts: ParseOptions{File: file, Kind: kind}}
	pol := sub.policy(n)
	for _, d := range sub.diags {
		if d.Path != "" {
			d.Path = path + "." + d.Path
		} else {
			d.Path = path
		}
		sp.p.diags = append(sp.p.diags, d)
	}
	if pol == nil {
		return nil
	}
	c := Compile(pol)
	if pol.ID == "" {
		c.Name = path
	}
	return c
}

func (sp *simParser) policyList(n *node, path string, kind Kind) []*Compiled {
	if n.kind != jsonArray {
		sp.p.errorf(n.pos, "bad-policy", path, "write a list of policy documents: [{...}, {...}]", "%s is %s, want an array", path, n.kind)
		return nil
	}
	var out []*Compiled
	for i, e := range n.elems {
		if c := sp.policy(e, fmt.Sprintf("%s[%d]", path, i), kind); c != nil {
			out = append(out, c)
		}
	}
	return out
}

func (sp *simParser) levels(n *node, path string, kind Kind) []OrgLevel {
	p := sp.p
	if n.kind != jsonArray {
		p.errorf(n.pos, "bad-levels", path, `write the chain root first: [{"id": "r-abcd", "policies": [...]}, {"id": "ou-...", ...}, {"id": "123456789012", ...}]`, "%s is %s, want an array", path, n.kind)
		return nil
	}
	var out []OrgLevel
	for i, e := range n.elems {
		lp := fmt.Sprintf("%s[%d]", path, i)
		if e.kind != jsonObject {
			p.errorf(e.pos, "bad-levels", lp, `each level is {"id": "...", "policies": [...]}`, "level is %s, want an object", e.kind)
			continue
		}
		p.duplicateKeys(e, lp)
		lv := OrgLevel{ID: fmt.Sprintf("level %d", i)}
		for j := range e.members {
			m := &e.members[j]
			switch m.key {
			case "id":
				lv.ID = sp.str(m.value, lp+".id")
			case "policies":
				lv.Policies = sp.policyList(m.value, lp+".policies", kind)
			default:
				p.unknownKey(m, lp, []string{"id", "policies"})
			}
		}
		out = append(out, lv)
	}
	return out
}

// validCaller reports whether s names a caller the evaluator understands.
func validCaller(s string) bool {
	pi := parsePrincipal(s)
	switch pi.typ {
	case PrincipalUnknown:
		return false
	case PrincipalService:
		return strings.Contains(s, ".") && !strings.ContainsAny(s, " */:")
	}
	return true
}
