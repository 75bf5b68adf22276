package policy

import (
	"fmt"
	"strings"

	"github.com/bulkhead-dev/bulkhead/internal/diag"
)

// Parse reads a policy document and validates it against AWS's policy
// grammar for its kind. It always returns every problem it finds; the policy
// is nil only when the source is not JSON or not an object. A policy with
// Error diagnostics must not be evaluated: its meaning is not what AWS would
// give it.
//
// Grammar: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
// SCPs: https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_syntax.html
// RCPs: https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_syntax.html
func Parse(src []byte, opts ParseOptions) (*Policy, diag.Diagnostics) {
	root, d := parseJSON(src, opts.File)
	if d != nil {
		return nil, diag.Diagnostics{*d}
	}
	p := &parser{opts: opts}
	pol := p.policy(root)
	p.diags.Sort()
	return pol, p.diags
}

type parser struct {
	opts  ParseOptions
	diags diag.Diagnostics
	// variables records where policy variables were used, so that a
	// document without Version 2012-10-17 can be told about each one.
	variables []diag.Pos
}

func (p *parser) errorf(pos diag.Pos, code, path, hint, format string, args ...any) {
	d := diag.Errorf(pos, hint, format, args...)
	d.Code, d.Path = code, path
	p.diags = append(p.diags, d)
}

func (p *parser) warnf(pos diag.Pos, code, path, hint, format string, args ...any) {
	d := diag.Errorf(pos, hint, format, args...)
	d.Severity, d.Code, d.Path = diag.Warning, code, path
	p.diags = append(p.diags, d)
}

var policyKeys = []string{"Version", "Id", "Statement"}

var statementKeys = []string{"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"}

// unknownKey reports a key that is not in the grammar, suggesting the
// closest valid one (keys are case-sensitive in IAM).
func (p *parser) unknownKey(m *member, path string, valid []string) {
	hint := "valid keys here: " + strings.Join(valid, ", ")
	if s := diag.Suggest(m.key, valid); s != "" {
		p.errorf(m.keyPos, "unknown-key", path, hint, "unknown key %q (did you mean %q?)", m.key, s)
		return
	}
	p.errorf(m.keyPos, "unknown-key", path, hint, "unknown key %q", m.key)
}

// duplicateKeys reports keys that appear twice in one object: JSON readers
// disagree on which one wins, so the document's meaning is ambiguous.
func (p *parser) duplicateKeys(n *node, path string) {
	seen := make(map[string]bool, len(n.members))
	for _, m := range n.members {
		if seen[m.key] {
			p.errorf(m.keyPos, "duplicate-key", path, "remove one of them; readers disagree on which wins", "duplicate key %q", m.key)
		}
		seen[m.key] = true
	}
}

func (p *parser) policy(root *node) *Policy {
	pol := &Policy{File: p.opts.File, Kind: p.opts.Kind, Pos: root.pos}
	if root.kind != jsonObject {
		p.errorf(root.pos, "not-an-object", "", `a policy is a JSON object: {"Version": "2012-10-17", "Statement": [...]}`, "policy is %s, want an object", root.kind)
		return nil
	}
	p.duplicateKeys(root, "")
	var stmtNode *node
	versionPos := root.pos
	for i := range root.members {
		m := &root.members[i]
		switch m.key {
		case "Version":
			versionPos = m.value.pos
			if m.value.kind != jsonString {
				p.errorf(m.value.pos, "bad-version", "Version", `use "Version": "2012-10-17"`, "Version is %s, want a string", m.value.kind)
				continue
			}
			pol.Version = m.value.str
			if pol.Version != Version2012 && pol.Version != Version2008 {
				p.errorf(m.value.pos, "bad-version", "Version", `the only versions are "2012-10-17" (current) and "2008-10-17"; dates of your own are not versions`, "unknown policy Version %q", pol.Version)
			}
		case "Id":
			if m.value.kind != jsonString {
				p.errorf(m.value.pos, "bad-id", "Id", "Id is an optional string naming the policy", "Id is %s, want a string", m.value.kind)
				continue
			}
			pol.ID = m.value.str
		case "Statement":
			stmtNode = m.value
		default:
			p.unknownKey(m, "", policyKeys)
		}
	}
	if (p.opts.Kind == SCP || p.opts.Kind == RCP) && pol.Version != Version2012 {
		p.errorf(versionPos, "bad-version", "Version", `add "Version": "2012-10-17"`, "a %s must have Version \"2012-10-17\"", p.opts.Kind)
	}
	switch {
	case stmtNode == nil:
		p.errorf(root.pos, "missing-statement", "Statement", `add "Statement": [{"Effect": ..., "Action": ..., "Resource": ...}]`, "policy has no Statement")
	case stmtNode.kind == jsonObject:
		// A single statement may be written without the array.
		if s := p.statement(stmtNode, 0, "Statement"); s != nil {
			pol.Statements = append(pol.Statements, s)
		}
	case stmtNode.kind == jsonArray:
		if len(stmtNode.elems) == 0 {
			p.errorf(stmtNode.pos, "missing-statement", "Statement", "add at least one statement", "Statement is empty")
		}
		sids := map[string]bool{}
		for i, e := range stmtNode.elems {
			path := fmt.Sprintf("Statement[%d]", i)
			if e.kind != jsonObject {
				p.errorf(e.pos, "bad-statement", path, `each statement is an object: {"Effect": "Allow", "Action": ..., "Resource": ...}`, "statement is %s, want an object", e.kind)
				continue
			}
			s := p.statement(e, i, path)
			if s == nil {
				continue
			}
			if s.Sid != "" {
				if sids[s.Sid] {
					p.errorf(s.Pos, "duplicate-sid", path+".Sid", "Sids must be unique within a policy", "duplicate Sid %q", s.Sid)
				}
				sids[s.Sid] = true
			}
			pol.Statements = append(pol.Statements, s)
		}
	default:
		p.errorf(stmtNode.pos, "bad-statement", "Statement", "Statement is a statement object or an array of them", "Statement is %s, want an object or an array", stmtNode.kind)
	}
	if pol.Version != Version2012 {
		for _, pos := range p.variables {
			p.errorf(pos, "variable-needs-version", "", `add "Version": "2012-10-17" at the top of the policy; without it AWS matches "${...}" as literal text`, "policy variable used without Version 2012-10-17")
		}
	}
	return pol
}

// strings reads a value that AWS accepts as a single string or an array of
// strings (Action, Resource, principal lists).
func (p *parser) stringList(n *node, path, what string) []string {
	switch n.kind {
	case jsonString:
		return []string{n.str}
	case jsonArray:
		out := make([]string, 0, len(n.elems))
		for _, e := range n.elems {
			if e.kind != jsonString {
				p.errorf(e.pos, "bad-value", path, what+" values are strings", "%s value is %s, want a string", what, e.kind)
				continue
			}
			out = append(out, e.str)
		}
		if len(n.elems) == 0 {
			p.errorf(n.pos, "empty-list", path, "list at least one value, or remove the element", "%s is an empty array", what)
		}
		return out
	default:
		p.errorf(n.pos, "bad-value", path, what+" is a string or an array of strings", "%s is %s, want a string or an array of strings", what, n.kind)
		return nil
	}
}

// positions returns the source position of each string of a list value.
func positions(n *node) []diag.Pos {
	if n.kind == jsonArray {
		out := make([]diag.Pos, 0, len(n.elems))
		for _, e := range n.elems {
			if e.kind == jsonString {
				out = append(out, e.pos)
			}
		}
		return out
	}
	return []diag.Pos{n.pos}
}
