package policy

import (
	"bytes"
	"encoding/base64"
	"net/netip"
	"strings"
)

// Condition semantics follow
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
// and, for keys with several values and absent keys,
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html:
//   - a key absent from the request: positive operators are false, negated
//     operators (StringNotEquals, NotIpAddress, ...) are true, ...IfExists
//     is true, ForAllValues is true, ForAnyValue is false, Null:true holds;
//   - several values without a set operator: a positive operator holds
//     when any value matches, a negated one when none does;
//   - ForAllValues: every request value satisfies the operator;
//     ForAnyValue: at least one does.

// evalCond evaluates one condition against the request.
func (r *Request) evalCond(cc *ccond) tv {
	values, st := r.lookup(cc.lkey)
	if st == keyPresent && len(values) == 0 {
		st = keyAbsent // an empty multi-valued key is an empty set
	}
	if cc.op == Null {
		switch st {
		case keyUnknown:
			return tv{t: triUnknown, e: &Expr{Op: ExprCond, Cond: cc.c}}
		case keyAbsent:
			return tvOf(containsBool(cc.bools, true))
		default:
			return tvOf(containsBool(cc.bools, false))
		}
	}
	switch st {
	case keyUnknown:
		return tv{t: triUnknown, e: &Expr{Op: ExprCond, Cond: cc.c}}
	case keyAbsent:
		switch {
		case cc.ifExists:
			return tvTrue
		case cc.set == ForAllValues:
			return tvTrue
		case cc.set == ForAnyValue:
			return tvFalse
		}
		return tvOf(cc.negated)
	}
	pc := cc
	if cc.vars != nil {
		resolved, t := r.resolveCondVars(cc)
		if t.t == triUnknown {
			return t
		}
		pc = resolved
	}
	switch cc.set {
	case ForAllValues:
		for _, v := range values {
			if pc.matchOne(v) == cc.negated {
				return tvFalse
			}
		}
		return tvTrue
	case ForAnyValue:
		for _, v := range values {
			if pc.matchOne(v) != cc.negated {
				return tvTrue
			}
		}
		return tvFalse
	}
	for _, v := range values {
		if pc.matchOne(v) {
			return tvOf(!cc.negated)
		}
	}
	return tvOf(cc.negated)
}

func containsBool(bs []bool, b bool) bool {
	for _, x := range bs {
		if x == b {
			return true
		}
	}
	return false
}

// matchOne reports whether the request value v equals (or is like, or is
// within) any of the policy's values, ignoring negation.
func (cc *ccond) matchOne(v string) bool {
	switch cc.op {
	case StringEquals, StringNotEquals:
		for _, p := range cc.strs {
			if p == v {
				return true
			}
		}
	case StringEqualsIgnoreCase, StringNotEqualsIgnoreCase:
		for _, p := range cc.strs {
			if strings.EqualFold(p, v) {
				return true
			}
		}
	case StringLike, StringNotLike:
		for _, p := range cc.strs {
			if glob(p, v, false) {
				return true
			}
		}
	case NumericEquals, NumericNotEquals, NumericLessThan, NumericLessThanEquals, NumericGreaterThan, NumericGreaterThanEquals:
		n, ok := parseNumber(v)
		if !ok {
			return false
		}
		for _, p := range cc.nums {
			if compare(cc.op, cmpFloat(n, p)) {
				return true
			}
		}
	case DateEquals, DateNotEquals, DateLessThan, DateLessThanEquals, DateGreaterThan, DateGreaterThanEquals:
		t, ok := parseDate(v)
		if !ok {
			return false
		}
		n := t.UnixNano()
		for _, p := range cc.dates {
			if compare(cc.op, cmpInt(n, p)) {
				return true
			}
		}
	case Bool:
		b, ok := parseBool(v)
		if !ok {
			return false
		}
		return containsBool(cc.bools, b)
	case BinaryEquals:
		dec, err := base64.StdEncoding.DecodeString(v)
		if err != nil {
			return false
		}
		for _, p := range cc.strs {
			if bytes.Equal([]byte(p), dec) {
				return true
			}
		}
	case IPAddress, NotIPAddress:
		a, err := netip.ParseAddr(v)
		if err != nil {
			return false
		}
		a = a.Unmap()
		for _, p := range cc.prefixes {
			if p.Contains(a) {
				return true
			}
		}
	case ArnEquals, ArnLike, ArnNotEquals, ArnNotLike:
		// ArnEquals and ArnLike both match segment by segment with
		// wildcards; a value that is not an ARN never matches.
		res := newSplitResource(v)
		if !res.isARN {
			return false
		}
		for i := range cc.arns {
			if cc.arns[i].isARN && cc.arns[i].match(&res) {
				return true
			}
		}
	}
	return false
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// compare applies an ordering operator to the result of comparing the
// request value with the policy value. Not-equals is evaluated as equals
// and negated by the caller.
func compare(op Operator, c int) bool {
	switch op {
	case NumericEquals, NumericNotEquals, DateEquals, DateNotEquals:
		return c == 0
	case NumericLessThan, DateLessThan:
		return c < 0
	case NumericLessThanEquals, DateLessThanEquals:
		return c <= 0
	case NumericGreaterThan, DateGreaterThan:
		return c > 0
	case NumericGreaterThanEquals, DateGreaterThanEquals:
		return c >= 0
	}
	return false
}

// resolveCondVars substitutes policy variables in the condition's values.
// A variable on an unknown key makes the condition residual; one on an
// absent key without a default drops that value (it can match nothing).
func (r *Request) resolveCondVars(cc *ccond) (*ccond, tv) {
	out := &ccond{c: cc.c, lkey: cc.lkey, op: cc.op, set: cc.set, ifExists: cc.ifExists, negated: cc.negated,
		strs: cc.strs, nums: cc.nums, dates: cc.dates, prefixes: cc.prefixes, arns: cc.arns, bools: cc.bools}
	out.strs = append([]string(nil), cc.strs...)
	out.arns = append([]arnPattern(nil), cc.arns...)
	for _, parts := range cc.vars {
		s, st := r.substitute(parts, cc.op == StringLike || cc.op == StringNotLike || cc.op == ArnLike || cc.op == ArnNotLike || cc.op == ArnEquals || cc.op == ArnNotEquals)
		switch st {
		case keyUnknown:
			return nil, tv{t: triUnknown, e: &Expr{Op: ExprCond, Cond: cc.c}}
		case keyAbsent:
			continue
		}
		out.addValue(s)
	}
	return out, tvTrue
}

// substitute replaces the variables in parts with the request's values.
// When escape is true, wildcard characters in substituted values are
// escaped so they match literally. The state is keyAbsent when a variable
// has no value and no default, keyUnknown when its key is unknown.
func (r *Request) substitute(parts []varPart, escape bool) (string, keyState) {
	var b strings.Builder
	for _, p := range parts {
		if p.key == "" {
			b.WriteString(p.lit)
			continue
		}
		vals, st := r.lookup(p.key)
		var v string
		switch {
		case st == keyUnknown:
			return "", keyUnknown
		case st == keyPresent && len(vals) == 1:
			v = vals[0]
		case p.hasDef:
			v = p.def
		default:
			// Absent, or multi-valued (which cannot be substituted).
			return "", keyAbsent
		}
		if escape {
			for i := 0; i < len(v); i++ {
				if v[i] == '*' || v[i] == '?' {
					b.WriteByte(litEscape)
				}
				b.WriteByte(v[i])
			}
		} else {
			b.WriteString(v)
		}
	}
	return b.String(), keyPresent
}
