package layout

import (
	"strings"

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

var orgFields = []string{"name", "target", "region", "management", "email", "access_role", "identity_account", "limits", "password_policy"}

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
		case "password_policy":
			o.PasswordPolicy = d.decodePasswordPolicy(v)
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

var accountFields = []string{"unit", "kind", "protected", "owner", "business_unit", "email", "tags", "for_each", "alias"}

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
		case "alias":
			a.Alias = d.str(v, p+".alias")
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
