package policy

import (
	"encoding/base64"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/bulkhead-dev/bulkhead/internal/diag"
)

// Operator is a base condition operator, without its set qualifier and
// IfExists suffix.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
type Operator int

// Condition operators.
const (
	OpUnknown Operator = iota
	StringEquals
	StringNotEquals
	StringEqualsIgnoreCase
	StringNotEqualsIgnoreCase
	StringLike
	StringNotLike
	NumericEquals
	NumericNotEquals
	NumericLessThan
	NumericLessThanEquals
	NumericGreaterThan
	NumericGreaterThanEquals
	DateEquals
	DateNotEquals
	DateLessThan
	DateLessThanEquals
	DateGreaterThan
	DateGreaterThanEquals
	Bool
	BinaryEquals
	IPAddress
	NotIPAddress
	ArnEquals
	ArnLike
	ArnNotEquals
	ArnNotLike
	Null
)

var operatorNames = [...]string{
	OpUnknown: "", StringEquals: "StringEquals", StringNotEquals: "StringNotEquals",
	StringEqualsIgnoreCase: "StringEqualsIgnoreCase", StringNotEqualsIgnoreCase: "StringNotEqualsIgnoreCase",
	StringLike: "StringLike", StringNotLike: "StringNotLike",
	NumericEquals: "NumericEquals", NumericNotEquals: "NumericNotEquals", NumericLessThan: "NumericLessThan",
	NumericLessThanEquals: "NumericLessThanEquals", NumericGreaterThan: "NumericGreaterThan",
	NumericGreaterThanEquals: "NumericGreaterThanEquals",
	DateEquals:               "DateEquals", DateNotEquals: "DateNotEquals", DateLessThan: "DateLessThan",
	DateLessThanEquals: "DateLessThanEquals", DateGreaterThan: "DateGreaterThan", DateGreaterThanEquals: "DateGreaterThanEquals",
	Bool: "Bool", BinaryEquals: "BinaryEquals", IPAddress: "IpAddress", NotIPAddress: "NotIpAddress",
	ArnEquals: "ArnEquals", ArnLike: "ArnLike", ArnNotEquals: "ArnNotEquals", ArnNotLike: "ArnNotLike",
	Null: "Null",
}

func (o Operator) String() string {
	if int(o) < len(operatorNames) && o != OpUnknown {
		return operatorNames[o]
	}
	return fmt.Sprintf("Operator(%d)", int(o))
}

// negated reports whether the operator is the negation of a positive one
// (StringNotEquals, NotIpAddress, ...). AWS evaluates a negated operator on
// a multi-valued key as "no value matches any of the policy's values".
func (o Operator) negated() bool {
	switch o {
	case StringNotEquals, StringNotEqualsIgnoreCase, StringNotLike, NumericNotEquals, DateNotEquals, NotIPAddress, ArnNotEquals, ArnNotLike:
		return true
	}
	return false
}

// operatorList is every operator name, for did-you-mean.
func operatorList() []string {
	out := make([]string, 0, len(operatorNames))
	for _, n := range operatorNames[1:] {
		out = append(out, n)
	}
	return out
}

// parseOperator splits "ForAnyValue:StringLikeIfExists" into its parts.
func parseOperator(s string) (op Operator, set SetQualifier, ifExists bool) {
	rest := s
	if r, ok := strings.CutPrefix(rest, "ForAllValues:"); ok {
		set, rest = ForAllValues, r
	} else if r, ok := strings.CutPrefix(rest, "ForAnyValue:"); ok {
		set, rest = ForAnyValue, r
	}
	if r, ok := strings.CutSuffix(rest, "IfExists"); ok && r != "" {
		ifExists, rest = true, r
	}
	for i, n := range operatorNames {
		if i != 0 && n == rest {
			return Operator(i), set, ifExists
		}
	}
	return OpUnknown, set, ifExists
}

// conditions parses a Condition block:
// {"Operator": {"key": value-or-values, ...}, ...}.
func (p *parser) conditions(n *node, path string) []*Condition {
	if n.kind != jsonObject {
		p.errorf(n.pos, "bad-condition", path, `write "Condition": {"StringEquals": {"aws:PrincipalTag/team": "ops"}}`, "Condition is %s, want an object", n.kind)
		return nil
	}
	p.duplicateKeys(n, path)
	var out []*Condition
	for i := range n.members {
		m := &n.members[i]
		op, set, ifExists := parseOperator(m.key)
		opPath := path + "." + m.key
		if op == OpUnknown {
			hint := "see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html"
			base := strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(m.key, "ForAllValues:"), "ForAnyValue:"), "IfExists")
			if s := diag.Suggest(base, operatorList()); s != "" {
				p.errorf(m.keyPos, "unknown-operator", opPath, hint, "unknown condition operator %q (did you mean %q?)", m.key, s)
			} else {
				p.errorf(m.keyPos, "unknown-operator", opPath, hint, "unknown condition operator %q", m.key)
			}
			continue
		}
		if op == Null && (ifExists || set != SingleValued) {
			p.errorf(m.keyPos, "bad-operator", opPath, "Null already tests whether the key exists; write plain \"Null\"", "operator %q is not valid", m.key)
			continue
		}
		if m.value.kind != jsonObject {
			p.errorf(m.value.pos, "bad-condition", opPath, `each operator maps condition keys to values: {"aws:SourceIp": ["10.0.0.0/8"]}`, "%s is %s, want an object", m.key, m.value.kind)
			continue
		}
		p.duplicateKeys(m.value, opPath)
		if len(m.value.members) == 0 {
			p.errorf(m.value.pos, "bad-condition", opPath, "name at least one condition key, or remove the operator", "%s has no condition keys", m.key)
		}
		for j := range m.value.members {
			k := &m.value.members[j]
			c := &Condition{Operator: m.key, Op: op, Set: set, IfExists: ifExists, Key: k.key, Pos: k.keyPos}
			keyPath := opPath + "." + k.key
			if k.key == "" || strings.ContainsAny(k.key, " \t\n") {
				p.errorf(k.keyPos, "bad-condition-key", keyPath, "condition keys look like aws:SourceIp or s3:prefix", "invalid condition key %q", k.key)
			}
			c.Values = p.conditionValues(k.value, op, keyPath)
			p.checkConditionKey(c, keyPath)
			out = append(out, c)
		}
	}
	return out
}

// conditionValues reads a condition's values (a scalar or an array of
// scalars) and checks that each suits the operator.
func (p *parser) conditionValues(n *node, op Operator, path string) []string {
	var elems []*node
	switch n.kind {
	case jsonArray:
		elems = n.elems
		if len(elems) == 0 {
			p.errorf(n.pos, "bad-condition-value", path, "give at least one value", "condition has no values")
		}
	case jsonString, jsonNumber, jsonBool:
		elems = []*node{n}
	default:
		p.errorf(n.pos, "bad-condition-value", path, "condition values are strings, numbers or booleans, or an array of them", "condition value is %s", n.kind)
		return nil
	}
	out := make([]string, 0, len(elems))
	for _, e := range elems {
		var v string
		switch e.kind {
		case jsonString, jsonNumber:
			v = e.str
		case jsonBool:
			v = strconv.FormatBool(e.boolean)
		default:
			p.errorf(e.pos, "bad-condition-value", path, "condition values are strings, numbers or booleans", "condition value is %s", e.kind)
			continue
		}
		if msg := checkOperand(op, v); msg != "" {
			p.errorf(e.pos, "operator-type-mismatch", path, msg, "value %q does not suit operator %s", v, op)
		}
		if strings.Contains(v, "${") {
			p.checkVariables(v, e.pos, path)
		}
		out = append(out, v)
	}
	return out
}

// checkOperand returns a hint when v is not a valid operand for op, and ""
// when it is.
func checkOperand(op Operator, v string) string {
	if strings.Contains(v, "${") {
		// Variables are resolved at evaluation time; their text is checked
		// when substituted.
		return ""
	}
	switch op {
	case NumericEquals, NumericNotEquals, NumericLessThan, NumericLessThanEquals, NumericGreaterThan, NumericGreaterThanEquals:
		if _, ok := parseNumber(v); !ok {
			return "Numeric operators compare numbers such as 10 or \"2.5\""
		}
	case DateEquals, DateNotEquals, DateLessThan, DateLessThanEquals, DateGreaterThan, DateGreaterThanEquals:
		if _, ok := parseDate(v); !ok {
			return "Date operators compare ISO 8601 dates such as \"2026-01-31T12:00:00Z\" or epoch seconds"
		}
	case Bool, Null:
		if _, ok := parseBool(v); !ok {
			return op.String() + " takes true or false"
		}
	case BinaryEquals:
		if _, err := base64.StdEncoding.DecodeString(v); err != nil {
			return "BinaryEquals compares base64-encoded values"
		}
	case IPAddress, NotIPAddress:
		if _, ok := parseCIDR(v); !ok {
			return "IpAddress takes an IPv4 or IPv6 address or CIDR block such as \"203.0.113.0/24\""
		}
	}
	return ""
}

func parseNumber(s string) (float64, bool) {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	return f, err == nil
}

func parseBool(s string) (bool, bool) {
	switch strings.ToLower(s) {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	return false, false
}

// dateLayouts are the ISO 8601 forms AWS accepts in Date conditions.
var dateLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04",
	"2006-01-02",
	"20060102T150405Z",
}

// parseDate reads an ISO 8601 date or epoch seconds.
func parseDate(s string) (time.Time, bool) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && len(s) > 8 {
		return time.Unix(n, 0).UTC(), true
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// parseCIDR reads an address or a CIDR block as a prefix.
func parseCIDR(s string) (netip.Prefix, bool) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, false
		}
		return p.Masked(), true
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, false
	}
	return netip.PrefixFrom(a, a.BitLen()), true
}

// parseVariable splits the body of ${...} into its key and default. It
// returns a non-empty error message when the body is malformed.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
func parseVariable(body string) (key, def string, err string) {
	key, rest, hasDefault := strings.Cut(body, ",")
	key = strings.TrimSpace(key)
	switch key {
	case "*", "?", "$":
		if hasDefault {
			return "", "", "special characters take no default"
		}
		return key, "", ""
	}
	if key == "" {
		return "", "", "empty variable name"
	}
	if !strings.Contains(key, ":") {
		return "", "", "want a condition key such as aws:username"
	}
	if hasDefault {
		rest = strings.TrimSpace(rest)
		if len(rest) < 2 || rest[0] != '\'' || rest[len(rest)-1] != '\'' {
			return "", "", "a default value is quoted with single quotes: ${aws:PrincipalTag/team, 'none'}"
		}
		def = rest[1 : len(rest)-1]
		return key, def, ""
	}
	return key, "", ""
}
