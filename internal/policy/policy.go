// Package policy is the IAM policy language: it parses policy documents with
// positions in their source, validates them against AWS's grammar, compiles
// them, and evaluates requests with AWS's documented evaluation algorithm
// (identity policies, permissions boundaries, session policies, resource and
// trust policies, the SCP and RCP chains of AWS Organizations, cross-account
// requests), explaining every decision.
//
// It is shared by the local AWS (which authorizes every request with it) and
// by `bulkhead access` (which analyses an organization with it), so it must
// not do any I/O, know about accounts beyond the ARNs and flags in a Request,
// or import other bulkhead packages than diag. Evaluation is pure and safe for
// concurrent use on a compiled set.
//
// References:
//   - grammar: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
//   - evaluation: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
//   - cross-account: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
package policy

import (
	"fmt"

	"github.com/bulkhead-dev/bulkhead/internal/diag"
)

// Kind is the type of a policy document; it decides which elements are
// allowed (a Principal only in resource-based policies, for example).
type Kind int

// Kinds of policy documents.
const (
	// Identity is a policy attached to a user, group or role, also used for
	// permissions boundaries and session policies.
	Identity Kind = iota
	// Resource is a resource-based policy (S3 bucket policy, KMS key policy...).
	Resource
	// Trust is a role trust policy: a resource policy on sts:AssumeRole*.
	Trust
	// SCP is an AWS Organizations service control policy.
	SCP
	// RCP is an AWS Organizations resource control policy.
	RCP
)

func (k Kind) String() string {
	switch k {
	case Identity:
		return "identity policy"
	case Resource:
		return "resource-based policy"
	case Trust:
		return "trust policy"
	case SCP:
		return "service control policy"
	case RCP:
		return "resource control policy"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// withArticle is the kind with "a" or "an", for messages.
func (k Kind) withArticle() string {
	s := k.String()
	if k == Identity {
		return "an " + s
	}
	return "a " + s
}

// ParseOptions say where a document comes from and what kind it is.
type ParseOptions struct {
	// File names the source in diagnostics and explanations.
	File string
	// Kind decides which elements are allowed.
	Kind Kind
}

// Effect is Allow or Deny.
type Effect int

// Effects.
const (
	Allow Effect = iota
	Deny
)

func (e Effect) String() string {
	if e == Deny {
		return "Deny"
	}
	return "Allow"
}

// Policy versions accepted by IAM.
const (
	Version2012 = "2012-10-17"
	Version2008 = "2008-10-17"
)

// Policy is a parsed policy document.
type Policy struct {
	File    string
	Kind    Kind
	Version string // "" when the document has no Version element
	ID      string // the Id element
	Pos     diag.Pos
	// Statements in source order.
	Statements []*Statement
}

// Name is how explanations refer to the policy: its Id, or its file.
func (p *Policy) Name() string {
	if p.ID != "" {
		return p.ID
	}
	return p.File
}

// Statement is one statement of a policy.
type Statement struct {
	Sid    string
	Index  int // 0-based position in the Statement array
	Pos    diag.Pos
	Effect Effect

	// Principal is nil when the statement has neither Principal nor
	// NotPrincipal; NotPrincipal says the list is an exception list.
	Principal    *Principals
	NotPrincipal bool

	Actions   []string // as written
	NotAction bool

	// HasResource is false for trust policies without Resource.
	Resources   []string
	NotResource bool
	HasResource bool

	Conditions []*Condition
}

// Label names the statement in explanations: its Sid or its index.
func (s *Statement) Label() string {
	if s.Sid != "" {
		return s.Sid
	}
	return fmt.Sprintf("#%d", s.Index)
}

// Principals is the value of a Principal or NotPrincipal element.
type Principals struct {
	// All is true for "Principal": "*" and {"AWS": "*"}.
	All     bool
	Entries []PrincipalEntry
}

// PrincipalEntry is one principal: a type (AWS, Service, Federated,
// CanonicalUser) and a value (an ARN, an account id, a service name).
type PrincipalEntry struct {
	Type  string
	Value string
	Pos   diag.Pos
}

// Condition is one condition: operator, key and values.
type Condition struct {
	// Operator as written, e.g. "ForAnyValue:StringLikeIfExists".
	Operator string
	Op       Operator // the base operator, e.g. StringLike
	Set      SetQualifier
	IfExists bool
	Key      string // as written; condition keys are case-insensitive
	Values   []string
	Pos      diag.Pos
}

// String renders the condition the way explanations show it:
// `aws:SourceIp IpAddress ["10.0.0.0/8"]`.
func (c *Condition) String() string {
	vals := fmt.Sprintf("%q", c.Values)
	if len(c.Values) == 1 {
		vals = fmt.Sprintf("%q", c.Values[0])
	}
	return fmt.Sprintf("%s %s %s", c.Key, c.Operator, vals)
}

// SetQualifier is the ForAllValues:/ForAnyValue: prefix of an operator.
type SetQualifier int

// Set qualifiers.
const (
	SingleValued SetQualifier = iota
	ForAllValues
	ForAnyValue
)
