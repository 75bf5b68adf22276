package policy

import "strings"

// tri is a three-valued truth: a condition on a key the request does not
// know is neither true nor false.
type tri int8

const (
	triFalse tri = iota
	triTrue
	triUnknown
)

// Expr is a residual condition: what must hold about unknown context keys
// for a decision to be Allowed. It is a tree of conditions combined with
// and, or and not.
type Expr struct {
	Op ExprOp
	// Cond is the policy condition of an ExprCond leaf.
	Cond *Condition
	// Text describes an ExprText leaf (a policy variable in a Resource).
	Text string
	Args []*Expr
}

// ExprOp is the kind of an Expr node.
type ExprOp int

// Expr node kinds.
const (
	ExprCond ExprOp = iota
	ExprText
	ExprAnd
	ExprOr
	ExprNot
)

func (e *Expr) String() string {
	switch e.Op {
	case ExprCond:
		return e.Cond.String()
	case ExprText:
		return e.Text
	case ExprNot:
		if a := e.Args[0]; a.Op == ExprCond {
			if flipped, ok := negatedOperator(a.Cond); ok {
				return flipped
			}
		}
		return "not (" + e.Args[0].String() + ")"
	case ExprAnd, ExprOr:
		sep := " and "
		if e.Op == ExprOr {
			sep = " or "
		}
		parts := make([]string, len(e.Args))
		for i, a := range e.Args {
			s := a.String()
			if (a.Op == ExprAnd || a.Op == ExprOr) && a.Op != e.Op {
				s = "(" + s + ")"
			}
			parts[i] = s
		}
		return strings.Join(parts, sep)
	}
	return "?"
}

// Conjuncts splits an expression at its top-level "and".
func (e *Expr) Conjuncts() []*Expr {
	if e == nil {
		return nil
	}
	if e.Op == ExprAnd {
		return e.Args
	}
	return []*Expr{e}
}

// tv is a three-valued result with its residual expression when unknown.
type tv struct {
	t tri
	e *Expr
}

var (
	tvTrue  = tv{t: triTrue}
	tvFalse = tv{t: triFalse}
)

func tvOf(b bool) tv {
	if b {
		return tvTrue
	}
	return tvFalse
}

func tvAnd(a, b tv) tv {
	switch {
	case a.t == triFalse || b.t == triFalse:
		return tvFalse
	case a.t == triTrue:
		return b
	case b.t == triTrue:
		return a
	}
	return tv{t: triUnknown, e: combine(ExprAnd, a.e, b.e)}
}

func tvOr(a, b tv) tv {
	switch {
	case a.t == triTrue || b.t == triTrue:
		return tvTrue
	case a.t == triFalse:
		return b
	case b.t == triFalse:
		return a
	}
	return tv{t: triUnknown, e: combine(ExprOr, a.e, b.e)}
}

func tvNot(a tv) tv {
	switch a.t {
	case triTrue:
		return tvFalse
	case triFalse:
		return tvTrue
	}
	if a.e.Op == ExprNot {
		return tv{t: triUnknown, e: a.e.Args[0]}
	}
	return tv{t: triUnknown, e: &Expr{Op: ExprNot, Args: []*Expr{a.e}}}
}

// combine builds op(a, b), flattening nested nodes of the same op.
func combine(op ExprOp, a, b *Expr) *Expr {
	out := &Expr{Op: op}
	for _, x := range []*Expr{a, b} {
		if x.Op == op {
			out.Args = append(out.Args, x.Args...)
		} else {
			out.Args = append(out.Args, x)
		}
	}
	return out
}

// opposites pairs each operator with its negation.
var opposites = map[Operator]Operator{
	StringEquals: StringNotEquals, StringEqualsIgnoreCase: StringNotEqualsIgnoreCase, StringLike: StringNotLike,
	NumericEquals: NumericNotEquals, DateEquals: DateNotEquals, IPAddress: NotIPAddress,
	ArnEquals: ArnNotEquals, ArnLike: ArnNotLike,
}

// negatedOperator renders not(c) as c with the opposite operator. That is
// exact only for plain single-valued operators: both sides then agree on
// an absent key (the positive one false, the negated one true).
func negatedOperator(c *Condition) (string, bool) {
	if c.IfExists || c.Set != SingleValued {
		return "", false
	}
	var neg Operator
	for p, n := range opposites {
		if p == c.Op {
			neg = n
		} else if n == c.Op {
			neg = p
		}
	}
	if neg == OpUnknown {
		return "", false
	}
	flipped := *c
	flipped.Operator = neg.String()
	return flipped.String(), true
}
