package policy

import (
	"strings"

	"github.com/bulkhead-dev/bulkhead/internal/diag"
)

var principalTypes = []string{"AWS", "Service", "Federated", "CanonicalUser"}

// principals parses a Principal or NotPrincipal value: "*" or an object of
// principal types to a string or a list of strings.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
func (p *parser) principals(n *node, path, what string) *Principals {
	pr := &Principals{}
	switch n.kind {
	case jsonString:
		if n.str != "*" {
			p.errorf(n.pos, "bad-principal", path, `write {"AWS": "`+n.str+`"}, or "*" for everyone`, "%s string must be \"*\"", what)
			return pr
		}
		pr.All = true
		return pr
	case jsonObject:
	default:
		p.errorf(n.pos, "bad-principal", path, `write "*" or {"AWS": [...], "Service": [...], "Federated": [...]}`, "%s is %s, want \"*\" or an object", what, n.kind)
		return pr
	}
	p.duplicateKeys(n, path)
	if len(n.members) == 0 {
		p.errorf(n.pos, "bad-principal", path, "name at least one principal", "%s is empty", what)
	}
	for i := range n.members {
		m := &n.members[i]
		if !contains(principalTypes, m.key) {
			p.unknownKey(m, path, principalTypes)
			continue
		}
		vals := p.stringList(m.value, path+"."+m.key, what+" "+m.key)
		poss := positions(m.value)
		for j, v := range vals {
			at := poss[min(j, len(poss)-1)]
			if m.key == "AWS" && v == "*" {
				pr.All = true
				continue
			}
			p.checkPrincipal(m.key, v, at, path+"."+m.key)
			pr.Entries = append(pr.Entries, PrincipalEntry{Type: m.key, Value: v, Pos: at})
		}
	}
	return pr
}

func (p *parser) checkPrincipal(typ, v string, at diag.Pos, path string) {
	if strings.ContainsAny(v, "*?") {
		p.errorf(at, "principal-wildcard", path, `a principal cannot be matched partly with wildcards; use "*" with a condition on aws:PrincipalArn (ArnLike)`, "wildcard in principal %q", v)
		return
	}
	switch typ {
	case "AWS":
		if isAccountID(v) {
			return
		}
		if isUniqueID(v) {
			// AWS rewrites a principal to its unique id when the user or
			// role is deleted; such statements match nobody.
			p.warnf(at, "deleted-principal", path, "the user or role this named was deleted; remove the entry or name the new principal's ARN", "principal %q is a unique id, not an ARN", v)
			return
		}
		a, ok := splitARN(v)
		if !ok || (a.service != "iam" && a.service != "sts") || !isAccountID(a.account) {
			p.errorf(at, "bad-principal", path, `AWS principals are account ids or ARNs: "123456789012", "arn:aws:iam::123456789012:root", ":user/NAME", ":role/NAME", "arn:aws:sts::123456789012:assumed-role/ROLE/SESSION"`, "invalid AWS principal %q", v)
			return
		}
		switch {
		case a.service == "iam" && (a.resource == "root" || strings.HasPrefix(a.resource, "user/") || strings.HasPrefix(a.resource, "role/")):
		case a.service == "sts" && (strings.HasPrefix(a.resource, "assumed-role/") || strings.HasPrefix(a.resource, "federated-user/")):
		default:
			p.errorf(at, "bad-principal", path, "AWS principals are accounts (root), users, roles, assumed-role sessions and federated users", "invalid AWS principal %q", v)
		}
	case "Service":
		if strings.HasPrefix(v, "arn:") || !strings.Contains(v, ".") {
			p.errorf(at, "bad-principal", path, `service principals are DNS names such as "lambda.amazonaws.com"`, "invalid Service principal %q", v)
		}
	}
}

// isUniqueID reports whether s looks like an IAM unique id (AIDA... for
// users, AROA... for roles), which AWS shows in place of deleted principals.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids
func isUniqueID(s string) bool {
	if len(s) < 16 || len(s) > 128 {
		return false
	}
	switch s[:4] {
	case "AIDA", "AROA", "AGPA", "AIPA", "ANPA", "ANVA", "ASIA", "ACCA", "APKA", "ABIA":
	default:
		return false
	}
	for i := 4; i < len(s); i++ {
		if !(s[i] >= 'A' && s[i] <= 'Z' || s[i] >= '0' && s[i] <= '9') {
			return false
		}
	}
	return true
}

// isAccountID reports whether s is a 12-digit AWS account id.
func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
