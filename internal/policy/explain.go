package policy

import (
	"fmt"
	"io"
	"strings"

	"github.com/bulkhead-dev/bulkhead/internal/diag"
)

// Explanation says why a decision came out as it did: what each layer
// said, which statements matched, and which layer blocked.
type Explanation struct {
	PrincipalType    string        `json:"principalType"`
	PrincipalAccount string        `json:"principalAccount,omitempty"`
	ResourceAccount  string        `json:"resourceAccount,omitempty"`
	CrossAccount     bool          `json:"crossAccount"`
	Layers           []LayerReport `json:"layers"`
	// BlockedBy names the layers that left the request without an allow
	// (implicit deny), or that denied it explicitly.
	BlockedBy []Block  `json:"blockedBy,omitempty"`
	Notes     []string `json:"notes,omitempty"`
}

// LayerKind is the type of a layer of policy.
type LayerKind int

// Layer kinds.
const (
	LayerIdentity LayerKind = iota
	LayerBoundary
	LayerSession
	LayerResource
	LayerTrust
	LayerSCP
	LayerRCP
)

// Phrase is how AWS's AccessDenied messages name the policy type.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html
func (k LayerKind) Phrase() string {
	switch k {
	case LayerBoundary:
		return "permissions boundary"
	case LayerSession:
		return "session policy"
	case LayerResource, LayerTrust:
		return "resource-based policy"
	case LayerSCP:
		return "service control policy"
	case LayerRCP:
		return "resource control policy"
	}
	return "identity-based policy"
}

// MarshalText names the kind in JSON.
func (k LayerKind) MarshalText() ([]byte, error) {
	names := [...]string{"identity", "boundary", "session", "resource", "trust", "scp", "rcp"}
	if int(k) < len(names) {
		return []byte(names[k]), nil
	}
	return []byte("unknown"), nil
}

// LayerReport is one layer's part in a decision.
type LayerReport struct {
	Kind    LayerKind `json:"kind"`
	Layer   string    `json:"layer"`
	ID      string    `json:"id,omitempty"`
	Applies bool      `json:"applies"`
	// Note says why a layer does not apply.
	Note string `json:"note,omitempty"`
	// Allows and Denies are "yes", "no" or "if <condition>".
	Allows     string           `json:"allows,omitempty"`
	Denies     string           `json:"denies,omitempty"`
	Statements []StatementMatch `json:"statements,omitempty"`
}

// StatementMatch is a statement that matched the request (or may, under a
// condition on unknown keys).
type StatementMatch struct {
	Policy    string   `json:"policy"`
	Statement string   `json:"statement"` // Sid, or #index
	Index     int      `json:"index"`
	Pos       diag.Pos `json:"pos"`
	Effect    string   `json:"effect"`
	// Grant says how a resource-based policy named the caller: "account",
	// "role" or "principal".
	Grant string `json:"grant,omitempty"`
	// If is the residual condition under which the statement matches.
	If string `json:"if,omitempty"`
}

// Block is a layer that blocked the request.
type Block struct {
	Kind   LayerKind `json:"kind"`
	Layer  string    `json:"layer"`
	Reason string    `json:"reason"`
	// Explicit is true for an explicit deny, false for a missing allow.
	Explicit bool `json:"explicit"`
}

func (ex *Explanation) block(kind LayerKind, layer, reason string) {
	for _, b := range ex.BlockedBy {
		if b.Layer == layer {
			return
		}
	}
	ex.BlockedBy = append(ex.BlockedBy, Block{Kind: kind, Layer: layer, Reason: reason})
}

func statementMatch(st *cstmt, m tv, level int) StatementMatch {
	sm := StatementMatch{
		Policy: st.policy.label(), Statement: st.s.Label(), Index: st.s.Index, Pos: st.s.Pos,
		Effect: st.s.Effect.String(),
	}
	if st.principal != nil && !st.principal.not && !st.deny {
		sm.Grant = [...]string{"", "account", "role", "principal"}[level]
	}
	if m.t == triUnknown {
		sm.If = m.e.String()
	}
	return sm
}

func describeTV(t tv) string {
	switch t.t {
	case triTrue:
		return "yes"
	case triFalse:
		return "no"
	}
	return "if " + t.e.String()
}

// explainOutcome records which layers blocked a denied request.
func (ex *Explanation) explainOutcome(d Decision, deny tv, s *Set, r *Request, cross bool, res layerResult, idAllow, boundOK, sessOK tv, hasBoundary, hasSession bool) {
	if d.Result == ExplicitlyDenied {
		for _, l := range ex.Layers {
			for _, st := range l.Statements {
				if st.Effect == "Deny" && st.If == "" {
					ex.block(l.Kind, l.Layer, fmt.Sprintf("explicit deny in %s statement %s", st.Policy, st.Statement))
					ex.BlockedBy[len(ex.BlockedBy)-1].Explicit = true
				}
			}
		}
		return
	}
	if deny.t == triUnknown {
		ex.Notes = append(ex.Notes, "explicitly denied if "+deny.e.String())
	}
	if d.Result != ImplicitlyDenied {
		return
	}
	p := &r.p
	resAllows := res.anyAllow()
	switch {
	case p.typ == PrincipalService || p.typ == PrincipalAnonymous || p.typ == PrincipalUnknown:
		if resAllows.t == triFalse {
			ex.block(resourceLayerKind(s), resourceLayerName(s), "no statement grants this principal the action; only a resource-based policy can")
		}
		return
	case cross && resAllows.t == triFalse:
		ex.block(resourceLayerKind(s), resourceLayerName(s), "a cross-account request needs the resource's account to allow it in a resource-based policy")
	case !cross && s.trust && resAllows.t == triFalse:
		ex.block(LayerTrust, "trust policy", "the role's trust policy must allow the caller to assume it")
	}
	if !cross && res.allow[levelDirect].t != triFalse {
		return
	}
	if idAllow.t == triFalse && (cross || res.allow[levelRole].t == triFalse || s.trust) {
		ex.block(LayerIdentity, "identity policies", "no identity-based policy allows the action on the resource")
	}
	if hasBoundary && boundOK.t == triFalse {
		ex.block(LayerBoundary, "permissions boundary", "the permissions boundary does not allow the action")
	}
	if (hasSession || p.typ == PrincipalFederatedUser) && sessOK.t == triFalse {
		ex.block(LayerSession, "session policy", "the session policy does not allow the action")
	}
}

func resourceLayerKind(s *Set) LayerKind {
	if s.trust {
		return LayerTrust
	}
	return LayerResource
}

func resourceLayerName(s *Set) string {
	if s.trust {
		return "trust policy"
	}
	return "resource-based policy"
}

// WriteText renders a decision and its explanation for people.
func WriteText(w io.Writer, d Decision, ex *Explanation) error {
	var b strings.Builder
	fmt.Fprintf(&b, "decision: %s\n", d.Result)
	if d.Condition != nil {
		b.WriteString("  only if all of these hold (otherwise denied):\n")
		for _, c := range d.Conditional() {
			fmt.Fprintf(&b, "    - %s\n", c)
		}
	}
	if ex != nil {
		where := "same account"
		if ex.CrossAccount {
			where = "cross-account"
		}
		fmt.Fprintf(&b, "caller: %s in %s; resource in %s (%s)\n", ex.PrincipalType, orUnknown(ex.PrincipalAccount), orUnknown(ex.ResourceAccount), where)
		for _, bl := range ex.BlockedBy {
			fmt.Fprintf(&b, "blocked by %s: %s\n", bl.Layer, bl.Reason)
		}
		for _, n := range ex.Notes {
			fmt.Fprintf(&b, "note: %s\n", n)
		}
		b.WriteString("layers:\n")
		for _, l := range ex.Layers {
			if !l.Applies {
				fmt.Fprintf(&b, "  %s: does not apply (%s)\n", l.Layer, l.Note)
				continue
			}
			fmt.Fprintf(&b, "  %s: allows %s, denies %s\n", l.Layer, l.Allows, l.Denies)
			for _, st := range l.Statements {
				fmt.Fprintf(&b, "    %s %s statement %s at %s", st.Effect, st.Policy, st.Statement, st.Pos)
				if st.Grant != "" {
					fmt.Fprintf(&b, " (names the %s)", st.Grant)
				}
				if st.If != "" {
					fmt.Fprintf(&b, " if %s", st.If)
				}
				b.WriteByte('\n')
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func orUnknown(s string) string {
	if s == "" {
		return "an unknown account"
	}
	return "account " + s
}

// AccessDeniedMessage renders a denied decision the way AWS's AccessDenied
// errors do, for the local AWS to return:
//
//	User: ARN is not authorized to perform: ACTION on resource: RESOURCE
//	with an explicit deny in a service control policy
//	User: ARN is not authorized to perform: ACTION on resource: RESOURCE
//	because no identity-based policy allows the ACTION action
//
// https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html
func AccessDeniedMessage(r *Request, d Decision, ex *Explanation) string {
	msg := fmt.Sprintf("User: %s is not authorized to perform: %s", r.Principal, r.Action)
	if r.Resource != "" && r.Resource != "*" {
		msg += " on resource: " + r.Resource
	}
	if ex == nil || len(ex.BlockedBy) == 0 {
		return msg
	}
	b := ex.BlockedBy[0]
	if d.Result == ExplicitlyDenied {
		article := "a "
		if b.Kind == LayerIdentity {
			article = "an "
		}
		return msg + " with an explicit deny in " + article + b.Kind.Phrase()
	}
	return msg + " because no " + b.Kind.Phrase() + " allows the " + r.Action + " action"
}
