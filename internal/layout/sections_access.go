package layout

import (
	"fmt"
	"strings"
	"time"

	"github.com/bulkhead-dev/bulkhead/internal/diag"
)

// Decoding of the sections about access: ci, roles, Organizations
// policies, invariants and lint settings.

func (d *decoder) decodeCI(n *node) *CI {
	ci := &CI{Pos: n.pos}
	d.fields(n, "ci", []string{"github", "role"}, func(key string, k, v *node) {
		switch key {
		case "github":
			g := &GitHubCI{Pos: v.pos}
			d.fields(v, "ci.github", []string{"repository", "branches", "environments"}, func(key string, k, v *node) {
				switch key {
				case "repository":
					g.Repository = d.str(v, "ci.github.repository")
				case "branches":
					g.Branches = d.strList(v, "ci.github.branches", true)
				case "environments":
					g.Environments = d.strList(v, "ci.github.environments", true)
				}
			})
			if v.kind == mapNode {
				d.required(g.Repository.Pos, v.pos, "ci.github", "repository", "name the repository as OWNER/NAME")
			}
			ci.GitHub = g
		case "role":
			r := &CIRole{Pos: v.pos}
			d.fields(v, "ci.role", []string{"account", "name"}, func(key string, k, v *node) {
				if key == "account" {
					r.Account = d.str(v, "ci.role.account")
				} else {
					r.Name = d.str(v, "ci.role.name")
				}
			})
			if v.kind == mapNode {
				d.required(r.Account.Pos, v.pos, "ci.role", "account", "name the account the CI role lives in")
				d.required(r.Name.Pos, v.pos, "ci.role", "name", "name the CI role")
			}
			ci.Role = r
		}
	})
	if n.kind == mapNode && (ci.GitHub == nil) == (ci.Role == nil) {
		d.add(n.pos, "bad-value", "ci", "keep exactly one of `github:` and `role:`", "ci needs exactly one of github or role")
	}
	return ci
}

var roleFields = []string{"trust", "policies", "boundary", "max_session", "mfa", "tags"}

func (d *decoder) decodeRole(name string, k, n *node) *Role {
	r := &Role{Name: Field[string]{Value: name, Pos: k.pos}, Pos: n.pos, MaxSession: Field[time.Duration]{Value: time.Hour}}
	p := join("roles", name)
	d.fields(n, p, roleFields, func(key string, k, v *node) {
		switch key {
		case "trust":
			for i, t := range d.strList(v, p+".trust", true) {
				r.Trust = append(r.Trust, d.parseTrust(t, index(p+".trust", i)))
			}
		case "policies":
			d.entries(v, p+".policies", "account kind", func(kind string, k, v *node) {
				kf := enum(d, k, p+".policies", Kinds)
				ref := d.str(v, join(p+".policies", kind))
				r.Policies = append(r.Policies, RolePolicy{Kind: kf, Ref: newPolicyRef(ref)})
			})
		case "boundary":
			ref := newPolicyRef(d.str(v, p+".boundary"))
			r.Boundary = &ref
		case "max_session":
			r.MaxSession = d.duration(v, p+".max_session")
		case "mfa":
			r.MFA = d.boolean(v, p+".mfa")
		case "tags":
			r.Tags = d.decodeTags(v, p+".tags")
		}
	})
	if n.kind == mapNode || n.kind == nullNode {
		pos := n.pos
		if n.kind == nullNode {
			pos = k.pos
		}
		if len(r.Trust) == 0 && keyIndex(n, "trust") < 0 {
			d.required(diag.Pos{}, pos, p, "trust", "say who may assume the role, such as `trust: [group:engineers]`")
		}
		if len(r.Policies) == 0 && keyIndex(n, "policies") < 0 {
			d.required(diag.Pos{}, pos, p, "policies", "give the role a policy per account kind, such as `policies: {development: PowerUserAccess}`")
		}
	}
	return r
}

// duration reads a session length: a Go duration ("1h", "90m") or a number
// of seconds. AWS allows 1 to 12 hours (MaxSessionDuration 3600..43200 s).
func (d *decoder) duration(n *node, path string) Field[time.Duration] {
	if n.kind == scalarNode && n.stype == intScalar {
		f := d.integer(n, path)
		return d.checkSession(Field[time.Duration]{Value: time.Duration(f.Value) * time.Second, Pos: f.Pos}, n, path)
	}
	s := d.str(n, path)
	if s.Value == "" {
		return Field[time.Duration]{Value: time.Hour, Pos: s.Pos}
	}
	v, err := time.ParseDuration(s.Value)
	if err != nil {
		d.add(s.Pos, "bad-value", path, "write a duration such as 1h, 90m or 12h", "%s: %q is not a duration", path, s.Value)
		return Field[time.Duration]{Value: time.Hour, Pos: s.Pos}
	}
	return d.checkSession(Field[time.Duration]{Value: v, Pos: s.Pos}, n, path)
}

func (d *decoder) checkSession(f Field[time.Duration], n *node, path string) Field[time.Duration] {
	if f.Value < time.Hour || f.Value > 12*time.Hour {
		d.add(n.pos, "bad-value", path, "IAM allows a maximum session duration from 1h to 12h",
			"%s: %s is outside 1h..12h", path, f.Value)
	}
	return f
}

func (d *decoder) parseTrust(f Field[string], path string) Trust {
	t := Trust{Field: f}
	const hint = "trust entries are group:NAME, user:NAME, ci, account:NAME or role:ACCOUNT/ROLE"
	if f.Value == "ci" {
		t.Kind = TrustCI
		return t
	}
	kind, name, ok := strings.Cut(f.Value, ":")
	switch {
	case !ok:
	case name == "":
		d.add(f.Pos, "bad-value", path, hint, "trust entry %q needs a name after the colon", f.Value)
		return t
	case kind == "group" || kind == "user" || kind == "account":
		t.Kind, t.Name = TrustKind(kind), name
		return t
	case kind == "role":
		acct, role, ok := strings.Cut(name, "/")
		if !ok || acct == "" || role == "" {
			d.add(f.Pos, "bad-value", path, "write role:ACCOUNT/ROLE, such as role:shared/ci-deployer", "trust entry %q: want role:ACCOUNT/ROLE", f.Value)
			return t
		}
		t.Kind, t.Name, t.Account = TrustRole, role, acct
		return t
	}
	msg := fmt.Sprintf("trust entry %q is not a principal", f.Value)
	if s := diag.Suggest(kind, []string{"group", "user", "account", "role"}); ok && s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s+":"+name)
	}
	d.add(f.Pos, "bad-value", path, hint, "%s", msg)
	return t
}

// newPolicyRef classifies a role policy value: a value containing "/" or
// ending in ".json" is a file; anything else names an AWS managed policy.
// AWS managed policies under the job-function/ and service-role/ paths are
// names too, unless they end in ".json".
func newPolicyRef(f Field[string]) PolicyRef {
	v := f.Value
	managedPath := strings.HasPrefix(v, "job-function/") || strings.HasPrefix(v, "service-role/")
	return PolicyRef{Field: f, IsFile: strings.HasSuffix(v, ".json") || (strings.Contains(v, "/") && !managedPath)}
}

var policyFields = []string{"type", "file", "document", "description", "attach"}

func (d *decoder) decodePolicy(name string, k, n *node) *Policy {
	pl := &Policy{Name: Field[string]{Value: name, Pos: k.pos}, Pos: n.pos}
	p := join("policies", name)
	var doc *node
	d.fields(n, p, policyFields, func(key string, k, v *node) {
		switch key {
		case "type":
			pl.Type = enum(d, v, p+".type", []PolicyType{PolicySCP, PolicyRCP, PolicyTag, PolicyBackup})
		case "file":
			pl.File = d.str(v, p+".file")
		case "document":
			doc = v
		case "description":
			pl.Description = d.str(v, p+".description")
		case "attach":
			pl.Attach = d.strList(v, p+".attach", true)
		}
	})
	if n.kind != mapNode && n.kind != nullNode {
		return pl
	}
	pos := n.pos
	if n.kind == nullNode {
		pos = k.pos
	}
	d.required(pl.Type.Pos, pos, p, "type", "give the policy a type: scp, rcp, tag or backup")
	switch {
	case doc != nil && pl.File.IsSet():
		d.add(doc.pos, "bad-value", p+".document", "keep either file or document, not both", "%s has both file and document", p)
	case doc == nil && !pl.File.IsSet():
		d.add(pos, "missing-field", p, "add `file: policies/NAME.json` or an inline `document:`", "%s needs a file or a document", p)
	case doc != nil:
		pl.Document = d.inlineDocument(doc, p+".document")
	}
	return pl
}

func (d *decoder) decodeInvariant(n *node, path string) *Invariant {
	f := d.str(n, path)
	if f.Value == "" {
		return nil
	}
	// Positions of parts of the invariant are counted from its first
	// character, inside the quotes if it is quoted.
	if n.quoted {
		f.Pos.Col++
	}
	inv, err := ParseInvariant(f.Value)
	if err != nil {
		ie := err.(*InvariantError)
		pos := f.Pos
		if pos.Line > 0 && !strings.Contains(f.Value, "\n") {
			pos.Col += ie.Col - 1
		}
		d.add(pos, "bad-invariant", path, ie.Hint, "invariant: %s", ie.Msg)
		return nil
	}
	inv.Source = f
	return &inv
}

func (d *decoder) decodeLint(n *node, l *Lint) {
	l.Pos = n.pos
	d.fields(n, "lint", []string{"silence"}, func(key string, k, v *node) {
		d.entries(v, "lint.silence", "rule", func(rule string, k, v *node) {
			s := Silence{Rule: Field[string]{Value: rule, Pos: k.pos}}
			if v.kind == nullNode || (v.kind == scalarNode && strings.TrimSpace(v.text) == "") {
				d.add(k.pos, "missing-field", join("lint.silence", rule), "say why the rule does not apply here, such as `"+rule+": \"the alias is a distribution list\"`",
					"silencing %q needs a reason", rule)
			} else {
				s.Reason = d.str(v, join("lint.silence", rule))
			}
			l.Silence = append(l.Silence, s)
		})
	})
}
