package iam

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"unicode"
)

// Policy documents as IAM checks them when they are stored. AWS refuses a
// document that breaks the policy grammar with MalformedPolicyDocument and
// short messages such as "Syntax errors in policy."; these are the messages
// reproduced here (grammar:
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html).
// Evaluating documents is internal/policy's job, not this file's.

// docKind is what a policy document is for.
type docKind int

const (
	identityDoc docKind = iota // managed, inline, permissions boundary
	trustDoc                   // a role's AssumeRolePolicyDocument
)

var actionPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^([a-zA-Z0-9-]+:[a-zA-Z0-9*?]+|\*)$`) })

// principalAccount is a bare 12-digit account id in a Principal.
var principalAccount = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9]{12}$`) })

// deletedPrincipal is the unique id of a deleted user or role.
var deletedPrincipal = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^A(IDA|ROA)[A-Z0-9]{17}$`) })

// checkPolicy validates a policy document for kind and returns it
// unchanged. exists, when not nil, reports whether an IAM principal ARN
// named in a trust policy exists; AWS refuses trust policies naming users
// or roles that do not ("Invalid principal in policy").
func checkPolicy(doc string, kind docKind, exists func(arn string) (bool, error)) error {
	if strings.TrimSpace(doc) == "" {
		return malformedPolicy("Syntax errors in policy.")
	}
	if len(doc) > 131072 {
		return validationError("policyDocument", "...", "Member must have length less than or equal to 131072")
	}
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.UseNumber()
	var top map[string]any
	if err := dec.Decode(&top); err != nil {
		return malformedPolicy("Syntax errors in policy.")
	}
	if dec.More() {
		return malformedPolicy("Syntax errors in policy.")
	}
	for k := range top {
		switch k {
		case "Version", "Id", "Statement":
		default:
			return malformedPolicy("Syntax errors in policy.")
		}
	}
	if v, ok := top["Version"]; ok {
		if s, _ := v.(string); s != "2012-10-17" && s != "2008-10-17" {
			return malformedPolicy("The policy failed legacy parsing")
		}
	}
	st, ok := top["Statement"]
	if !ok {
		return malformedPolicy("Syntax errors in policy.")
	}
	var stmts []any
	switch v := st.(type) {
	case map[string]any:
		stmts = []any{v}
	case []any:
		stmts = v
	default:
		return malformedPolicy("Syntax errors in policy.")
	}
	if len(stmts) == 0 {
		return malformedPolicy("Syntax errors in policy.")
	}
	sids := map[string]bool{}
	for _, raw := range stmts {
		s, ok := raw.(map[string]any)
		if !ok {
			return malformedPolicy("Syntax errors in policy.")
		}
		if sid, ok := s["Sid"]; ok {
			str, ok := sid.(string)
			if !ok {
				return malformedPolicy("Syntax errors in policy.")
			}
			if str != "" && sids[str] {
				return malformedPolicy("Statement IDs (SID) in a single policy must be unique.")
			}
			sids[str] = true
		}
		if err := checkStatement(s, kind, exists); err != nil {
			return err
		}
	}
	return nil
}

func checkStatement(s map[string]any, kind docKind, exists func(string) (bool, error)) error {
	for k := range s {
		switch k {
		case "Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition":
		default:
			return malformedPolicy("Syntax errors in policy.")
		}
	}
	effect, ok := s["Effect"]
	if !ok {
		return malformedPolicy("Missing required field Effect")
	}
	if e, _ := effect.(string); e != "Allow" && e != "Deny" {
		return malformedPolicy("Invalid effect: %v", effect)
	}
	actions, err := stringList(s, "Action", "NotAction")
	if err != nil {
		return err
	}
	if actions == nil {
		return malformedPolicy("Policy statement must contain actions.")
	}
	for _, a := range actions {
		if !actionPattern().MatchString(a) {
			return malformedPolicy("Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.")
		}
		if kind == trustDoc && a != "*" && !strings.HasPrefix(strings.ToLower(a), "sts:") {
			return malformedPolicy("AssumeRole policy may only specify STS AssumeRole actions.")
		}
	}
	resources, err := stringList(s, "Resource", "NotResource")
	if err != nil {
		return err
	}
	_, hasP := s["Principal"]
	_, hasNP := s["NotPrincipal"]
	switch kind {
	case identityDoc:
		if hasP || hasNP {
			return malformedPolicy("Policy document should not specify a principal.")
		}
		if resources == nil {
			return malformedPolicy("Policy statement must contain resources.")
		}
	case trustDoc:
		if resources != nil {
			return malformedPolicy("Has prohibited field Resource")
		}
		if !hasP && !hasNP {
			return malformedPolicy("Missing required field Principal")
		}
		if hasP && hasNP {
			return malformedPolicy("Syntax errors in policy.")
		}
		field := "Principal"
		if hasNP {
			field = "NotPrincipal"
		}
		if err := checkPrincipal(s[field], exists); err != nil {
			return err
		}
	}
	if c, ok := s["Condition"]; ok {
		if err := checkCondition(c); err != nil {
			return err
		}
	}
	return nil
}

// stringList reads the one of two mutually exclusive members that is
// present as a list of strings; nil when neither is.
func stringList(s map[string]any, a, b string) ([]string, error) {
	va, okA := s[a]
	vb, okB := s[b]
	if okA && okB {
		return nil, malformedPolicy("Syntax errors in policy.")
	}
	v := va
	if okB {
		v = vb
	}
	if !okA && !okB {
		return nil, nil
	}
	list, ok := asStrings(v)
	if !ok || len(list) == 0 {
		return nil, malformedPolicy("Syntax errors in policy.")
	}
	return list, nil
}

func asStrings(v any) ([]string, bool) {
	switch t := v.(type) {
	case string:
		return []string{t}, true
	case []any:
		out := make([]string, 0, len(t))
		for _, e := range t {
			s, ok := e.(string)
			if !ok {
				return nil, false
			}
			out = append(out, s)
		}
		return out, true
	}
	return nil, false
}

func checkPrincipal(p any, exists func(string) (bool, error)) error {
	if s, ok := p.(string); ok {
		if s == "*" {
			return nil
		}
		return malformedPolicy("Invalid principal in policy: %q", s)
	}
	m, ok := p.(map[string]any)
	if !ok || len(m) == 0 {
		return malformedPolicy("Syntax errors in policy.")
	}
	for typ, v := range m {
		vals, ok := asStrings(v)
		if !ok || len(vals) == 0 {
			return malformedPolicy("Syntax errors in policy.")
		}
		for _, val := range vals {
			bad := func() error {
				return malformedPolicy("Invalid principal in policy: \"%s\":\"%s\"", typ, val)
			}
			switch typ {
			case "AWS":
				if val == "*" || principalAccount().MatchString(val) || deletedPrincipal().MatchString(val) {
					// A unique id stands for a deleted user or role (see
					// forgetPrincipal); it matches nobody but is kept,
					// as AWS keeps it.
					continue
				}
				a, ok := ParseARN(val)
				if !ok || a.Service == "iam" && a.Type != "root" && a.Type != "user" && a.Type != "role" ||
					a.Service == "sts" && a.Type != "assumed-role" || !principalAccount().MatchString(a.Account) {
					return bad()
				}
				if exists != nil && (a.Type == "user" || a.Type == "role") {
					ok, err := exists(val)
					if err != nil {
						return err
					}
					if !ok {
						return bad()
					}
				}
			case "Service":
				if !strings.HasSuffix(val, ".amazonaws.com") && !strings.HasSuffix(val, ".amazonaws.com.cn") {
					return bad()
				}
			case "Federated", "CanonicalUser":
			default:
				return bad()
			}
		}
	}
	return nil
}

func checkCondition(c any) error {
	m, ok := c.(map[string]any)
	if !ok {
		return malformedPolicy("Syntax errors in policy.")
	}
	for op, block := range m {
		if op == "" {
			return malformedPolicy("Syntax errors in policy.")
		}
		keys, ok := block.(map[string]any)
		if !ok {
			return malformedPolicy("Syntax errors in policy.")
		}
		for key, v := range keys {
			if !strings.Contains(key, ":") {
				return malformedPolicy("Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.")
			}
			switch v.(type) {
			case string, bool, json.Number:
			case []any:
				for _, e := range v.([]any) {
					switch e.(type) {
					case string, bool, json.Number:
					default:
						return malformedPolicy("Syntax errors in policy.")
					}
				}
			default:
				return malformedPolicy("Syntax errors in policy.")
			}
		}
	}
	return nil
}

// policySize is the size IAM counts against its quotas: the document's
// characters excluding white space
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html#reference_iam-quotas-entity-length).
func policySize(doc string) int {
	n := 0
	for _, r := range doc {
		if !unicode.IsSpace(r) {
			n++
		}
	}
	return n
}

// encodeDoc is how IAM returns policy documents: URL-encoded JSON (RFC 3986
// percent-encoding of everything but unreserved characters), which
// url.QueryUnescape and url.PathUnescape both decode.
func encodeDoc(doc string) string {
	var b strings.Builder
	for i := 0; i < len(doc); i++ {
		c := doc[i]
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

// compactDoc removes insignificant white space from a JSON document (used
// for session policy sizes); it returns doc unchanged if it is not JSON.
func compactDoc(doc string) string {
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(doc)); err != nil {
		return doc
	}
	return b.String()
}

// CheckIdentityPolicy validates an identity-based policy document (also
// the grammar of STS session policies) with IAM's MalformedPolicyDocument
// errors.
func CheckIdentityPolicy(doc string) error { return checkPolicy(doc, identityDoc, nil) }

// CompactPolicy removes insignificant white space from a JSON document.
func CompactPolicy(doc string) string { return compactDoc(doc) }
