package layout

import (
	"fmt"
	"strings"
	"time"

	"github.com/bulkhead-dev/bulkhead/internal/diag"
)

var topFields = []string{"version", "organization", "units", "accounts", "developers", "people",
	"groups", "stages", "ci", "roles", "policies", "invariants", "lint"}

// decodeLayout fills a Layout from the document root.
func (d *decoder) decodeLayout(root *node, l *Layout) {
	l.Organization.Limits = DefaultLimits()
	var seen = map[string]bool{}
	d.fields(root, "", topFields, func(key string, k, v *node) {
		seen[key] = true
		switch key {
		case "version":
			l.Version = d.integer(v, "version")
			if l.Version.IsSet() && l.Version.Value != 1 && l.Version.Value != 0 {
				d.add(v.pos, "bad-value", "version", "this bulkhead reads version 1; upgrade bulkhead or fix the number",
					"version %d is not supported", l.Version.Value)
			}
		case "organization":
			d.decodeOrganization(v, &l.Organization)
		case "units":
			for i, u := range d.list(v, "units", false) {
				if f := d.str(u, index("units", i)); f.Value != "" {
					l.Units = append(l.Units, &Unit{Path: f.Value, Pos: f.Pos, Declared: true})
				}
			}
		case "accounts":
			d.entries(v, "accounts", "account", func(name string, k, v *node) {
				l.Accounts = append(l.Accounts, d.decodeAccount(name, k, v))
			})
		case "developers":
			l.Developers = d.strList(v, "developers", false)
		case "people":
			d.entries(v, "people", "person", func(name string, k, v *node) {
				l.People = append(l.People, d.decodePerson(name, k, v))
			})
		case "groups":
			d.entries(v, "groups", "group", func(name string, k, v *node) {
				g := &Group{Name: Field[string]{Value: name, Pos: k.pos}, Pos: v.pos}
				g.Members = d.strList(v, join("groups", name), false)
				l.Groups = append(l.Groups, g)
			})
		case "stages":
			for i, s := range d.list(v, "stages", false) {
				l.Stages = append(l.Stages, d.decodeStage(i, s))
			}
		case "ci":
			l.CI = d.decodeCI(v)
		case "roles":
			d.entries(v, "roles", "role", func(name string, k, v *node) {
				l.Roles = append(l.Roles, d.decodeRole(name, k, v))
			})
		case "policies":
			d.entries(v, "policies", "policy", func(name string, k, v *node) {
				l.Policies = append(l.Policies, d.decodePolicy(name, k, v))
			})
		case "invariants":
			for i, s := range d.list(v, "invariants", false) {
				if inv := d.decodeInvariant(s, index("invariants", i)); inv != nil {
					l.Invariants = append(l.Invariants, inv)
				}
			}
		case "lint":
			d.decodeLint(v, &l.Lint)
		}
	})
	if root.kind != mapNode {
		return
	}
	top := diag.Pos{File: d.file, Line: 1, Col: 1}
	if !seen["version"] {
		d.add(top, "missing-field", "version", "add `version: 1` at the top of the file", "the layout is missing required field \"version\"")
	}
	if !seen["organization"] {
		d.add(top, "missing-field", "organization", "add an organization section with at least a name and a management account (see docs/layout.md)",
			"the layout is missing required field \"organization\"")
	}
	if !seen["accounts"] {
		d.add(top, "missing-field", "accounts", "add an accounts section listing at least the management account",
			"the layout is missing required field \"accounts\"")
	}
}

var orgFields = []string{"name", "target", "region", "management", "email", "access_role", "identity_account", "limits"}

func (d *decoder) decodeOrganization(n *node, o *Organization) {
	o.Pos = n.pos
	const p = "organization"
	d.fields(n, p, orgFields, func(key string, k, v *node) {
		switch key {
		case "name":
			o.Name = d.str(v, p+".name")
		case "target":
			o.Target = enum(d, v, p+".target", []Target{TargetLocal, TargetAWS})
		case "region":
			o.Region = d.str(v, p+".region")
		case "management":
			o.Management.Pos = v.pos
			d.fields(v, p+".management", []string{"account", "email"}, func(key string, k, v *node) {
				if key == "account" {
					o.Management.Account = d.str(v, p+".management.account")
				} else {
					o.Management.Email = d.str(v, p+".management.email")
				}
			})
			if v.kind == mapNode {
				d.required(o.Management.Account.Pos, v.pos, p+".management", "account", "name the management account, such as `account: management`")
			}
		case "email":
			o.Email = d.str(v, p+".email")
		case "access_role":
			o.AccessRole = d.str(v, p+".access_role")
		case "identity_account":
			o.IdentityAccount = d.str(v, p+".identity_account")
		case "limits":
			d.decodeLimits(v, &o.Limits)
		}
	})
	if n.kind != mapNode {
		return
	}
	d.required(o.Name.Pos, n.pos, p, "name", "name the organization, such as `name: acme`")
	d.required(o.Management.Pos, n.pos, p, "management", "add `management: {account: management, email: aws@example.com}`")
	if !o.Target.IsSet() {
		o.Target.Value = TargetLocal
	}
	if !o.Region.IsSet() {
		o.Region.Value = DefaultRegion
	}
	if !o.AccessRole.IsSet() {
		o.AccessRole.Value = DefaultAccessRole
	}
	if !o.IdentityAccount.IsSet() {
		o.IdentityAccount.Value = o.Management.Account.Value
	}
}

func (d *decoder) decodeLimits(n *node, l *Limits) {
	l.Pos = n.pos
	const p = "organization.limits"
	byName := map[string]*Field[int]{
		"scp_max_chars": &l.SCPMaxChars, "scps_per_target": &l.SCPsPerTarget,
		"rcp_max_chars": &l.RCPMaxChars, "rcps_per_target": &l.RCPsPerTarget,
		"tag_policy_max_chars": &l.TagPolicyMaxChars, "tag_policies_per_target": &l.TagPoliciesPerTarget,
		"backup_policy_max_chars": &l.BackupPolicyMaxChars, "backup_policies_per_target": &l.BackupPoliciesPerTarget,
		"ou_depth": &l.OUDepth,
	}
	known := make([]string, 0, len(byName))
	for k := range byName {
		known = append(known, k)
	}
	d.fields(n, p, known, func(key string, k, v *node) {
		f := d.integer(v, p+"."+key)
		if f.Value > 0 {
			*byName[key] = f
		} else if f.Pos.Line > 0 && v.stype == intScalar {
			d.add(v.pos, "bad-value", p+"."+key, "a limit is a positive number", "%s must be at least 1", key)
		}
	})
}

var accountFields = []string{"unit", "kind", "protected", "owner", "business_unit", "email", "tags", "for_each"}

func (d *decoder) decodeAccount(name string, k, n *node) *Account {
	a := &Account{Name: Field[string]{Value: name, Pos: k.pos}, Pos: n.pos}
	p := join("accounts", name)
	d.fields(n, p, accountFields, func(key string, k, v *node) {
		switch key {
		case "unit":
			a.Unit = d.str(v, p+".unit")
		case "kind":
			a.Kind = enum(d, v, p+".kind", Kinds)
		case "protected":
			a.Protected = d.boolean(v, p+".protected")
		case "owner":
			a.Owner = d.str(v, p+".owner")
		case "business_unit":
			a.BusinessUnit = d.str(v, p+".business_unit")
		case "email":
			a.Email = d.str(v, p+".email")
		case "tags":
			a.Tags = d.decodeTags(v, p+".tags")
		case "for_each":
			a.ForEach = enum(d, v, p+".for_each", []string{"developers"})
		}
	})
	if n.kind == mapNode || n.kind == nullNode {
		pos := n.pos
		if n.kind == nullNode {
			pos = k.pos
		}
		d.required(a.Kind.Pos, pos, p, "kind", "give the account a kind: "+kindList())
	}
	return a
}

func kindList() string {
	s := make([]string, len(Kinds))
	for i, k := range Kinds {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}

func (d *decoder) decodeTags(n *node, path string) []Tag {
	var tags []Tag
	d.entries(n, path, "tag", func(name string, k, v *node) {
		t := Tag{Key: Field[string]{Value: name, Pos: k.pos}}
		if v.kind == nullNode {
			t.Value = Field[string]{Pos: k.pos}
		} else {
			t.Value = d.str(v, join(path, name))
		}
		tags = append(tags, t)
	})
	return tags
}

func (d *decoder) decodePerson(name string, k, n *node) *Person {
	pr := &Person{Name: Field[string]{Value: name, Pos: k.pos}, Pos: n.pos}
	p := join("people", name)
	if n.kind == nullNode {
		return pr
	}
	d.fields(n, p, []string{"email", "console", "access_keys"}, func(key string, k, v *node) {
		switch key {
		case "email":
			pr.Email = d.str(v, p+".email")
		case "console":
			pr.Console = d.boolean(v, p+".console")
		case "access_keys":
			pr.AccessKeys = d.boolean(v, p+".access_keys")
		}
	})
	return pr
}

func (d *decoder) decodeStage(i int, n *node) *StageRule {
	r := &StageRule{Index: i, Pos: n.pos, Guard: Field[Guard]{Value: GuardNone}}
	p := index("stages", i)
	d.fields(n, p, []string{"match", "account", "role", "guard"}, func(key string, k, v *node) {
		switch key {
		case "match":
			r.Match = d.strList(v, p+".match", true)
			if v.kind == seqNode && len(v.items) == 0 {
				d.add(v.pos, "bad-value", p+".match", "list at least one stage name or pattern", "%s.match is empty", p)
			}
		case "account":
			r.Account = d.str(v, p+".account")
		case "role":
			r.Role = d.str(v, p+".role")
		case "guard":
			r.Guard = enum(d, v, p+".guard", []Guard{GuardCI, GuardConfirm, GuardNone})
			if r.Guard.Value == "" {
				r.Guard.Value = GuardNone
			}
		}
	})
	if n.kind == mapNode {
		var mp, ap diag.Pos
		if len(r.Match) > 0 {
			mp = r.Match[0].Pos
		} else if keyIndex(n, "match") >= 0 {
			mp = n.pos // present but invalid: already reported
		}
		ap = r.Account.Pos
		d.required(mp, n.pos, p, "match", "add the stage names this rule matches, such as `match: prod` or `match: [\"feature-*\"]`")
		d.required(ap, n.pos, p, "account", "add the account this stage deploys to, such as `account: prod`")
	}
	return r
}

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
