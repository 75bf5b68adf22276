package layout

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/bulkhead-dev/bulkhead/internal/diag"
)

func suggest(name string, candidates []string) string {
	if s := diag.Suggest(name, candidates); s != "" {
		return fmt.Sprintf(" (did you mean %q?)", s)
	}
	return ""
}

func (v *validator) suggestAccount(name string) string {
	return suggest(name, v.l.AccountNames())
}

func (v *validator) knownPerson(name string) bool { return v.l.Person(name) != nil }

func (v *validator) checkCI() {
	ci := v.l.CI
	if ci == nil {
		return
	}
	if g := ci.GitHub; g != nil && g.Repository.Value != "" && !repoRe().MatchString(g.Repository.Value) {
		v.add(g.Repository.Pos, "bad-value", "ci.github.repository", "write OWNER/NAME, such as acme/app", "repository %q is not OWNER/NAME", g.Repository.Value)
	}
	if r := ci.Role; r != nil && r.Account.Value != "" && v.l.Account(r.Account.Value) == nil {
		v.add(r.Account.Pos, "unknown-account", "ci.role.account", "name an account listed under accounts"+v.suggestAccount(r.Account.Value),
			"CI role account %q is not in accounts", r.Account.Value)
	}
}

func (v *validator) checkRoles() {
	l := v.l
	groups := names(l.Groups, func(g *Group) string { return g.Name.Value })
	people := names(l.People, func(p *Person) string { return p.Name.Value })
	for _, r := range l.Roles {
		p := join("roles", r.Name.Value)
		if !iamNameRe().MatchString(r.Name.Value) {
			v.add(r.Name.Pos, "bad-name", p, "IAM role names are 1..64 of letters, digits and +=,.@_-", "role name %q is not valid", r.Name.Value)
		}
		for i, t := range r.Trust {
			tp := index(p+".trust", i)
			switch t.Kind {
			case TrustGroup:
				if l.Group(t.Name) == nil {
					v.add(t.Pos, "unknown-group", tp, "define it under `groups:`"+suggest(t.Name, groups), "role %q trusts unknown group %q", r.Name.Value, t.Name)
				}
			case TrustUser:
				if !v.knownPerson(t.Name) {
					v.add(t.Pos, "unknown-person", tp, "list the person under `people:`, `developers:` or a group"+suggest(t.Name, people),
						"role %q trusts unknown person %q", r.Name.Value, t.Name)
				}
			case TrustAccount:
				if l.Account(t.Name) == nil {
					v.add(t.Pos, "unknown-account", tp, "name an account listed under accounts"+v.suggestAccount(t.Name),
						"role %q trusts unknown account %q", r.Name.Value, t.Name)
				}
			case TrustRole:
				if l.Account(t.Account) == nil {
					v.add(t.Pos, "unknown-account", tp, "name an account listed under accounts"+v.suggestAccount(t.Account),
						"role %q trusts a role in unknown account %q", r.Name.Value, t.Account)
				}
			case TrustCI:
				if l.CI == nil {
					v.add(t.Pos, "unknown-ci", tp, "add a `ci:` section saying what the CI principal is (github or role)",
						"role %q trusts ci, but the layout has no ci section", r.Name.Value)
				}
			}
		}
		seen := map[Kind]bool{}
		for _, rp := range r.Policies {
			if rp.Kind.Value != "" && seen[rp.Kind.Value] {
				v.add(rp.Kind.Pos, "duplicate-key", p+".policies", "one policy per account kind", "role %q has two policies for kind %s", r.Name.Value, rp.Kind.Value)
			}
			seen[rp.Kind.Value] = true
			v.checkPolicyRef(rp.Ref, join(p+".policies", string(rp.Kind.Value)))
		}
		if r.Boundary != nil {
			v.checkPolicyRef(*r.Boundary, p+".boundary")
		}
	}
}

func (v *validator) checkPolicyRef(ref PolicyRef, path string) {
	if ref.Value == "" || ref.IsFile {
		return
	}
	name := strings.TrimPrefix(strings.TrimPrefix(ref.Value, "job-function/"), "service-role/")
	if !iamNameRe().MatchString(name) {
		v.add(ref.Pos, "bad-policy-ref", path,
			"name an AWS managed policy such as ReadOnlyAccess, or a JSON file path containing \"/\" or ending in .json",
			"%q is neither an AWS managed policy name nor a policy file", ref.Value)
	}
}

// policyLimits returns the size limit and per-target limit for a policy
// type, and the AWS-managed policy AWS attaches to every target for it.
func policyLimits(lim Limits, t PolicyType) (maxChars, perTarget int, implicit string) {
	switch t {
	case PolicySCP:
		// When SCPs are enabled AWS attaches FullAWSAccess to the root and
		// to every OU and account; it counts toward the 5 per target.
		return lim.SCPMaxChars.Value, lim.SCPsPerTarget.Value, "FullAWSAccess"
	case PolicyRCP:
		return lim.RCPMaxChars.Value, lim.RCPsPerTarget.Value, "RCPFullAWSAccess"
	case PolicyTag:
		return lim.TagPolicyMaxChars.Value, lim.TagPoliciesPerTarget.Value, ""
	case PolicyBackup:
		return lim.BackupPolicyMaxChars.Value, lim.BackupPoliciesPerTarget.Value, ""
	}
	return 0, 0, ""
}

// quotaPage documents the Organizations limits checked here.
const quotaPage = "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html"

func (v *validator) checkPolicies() {
	l := v.l
	type targetKey struct {
		typ    PolicyType
		target string
	}
	attached := map[targetKey][]*Policy{}
	var order []targetKey
	mgmt := l.Organization.Management.Account.Value
	for _, pl := range l.Policies {
		p := join("policies", pl.Name.Value)
		maxChars, _, _ := policyLimits(l.Organization.Limits, pl.Type.Value)
		if doc := pl.Document; doc != nil && doc.Content != "" && maxChars > 0 {
			if n := utf8.RuneCountInString(doc.Content); n > maxChars {
				pos := pl.File.Pos
				if !pl.File.IsSet() {
					pos = doc.Pos
				}
				v.add(pos, "policy-size", p, fmt.Sprintf("split it into several policies, or raise organization.limits if AWS raised your quota (%s)", quotaPage),
					"%s %q is %d characters without whitespace; the limit is %d", strings.ToUpper(string(pl.Type.Value)), pl.Name.Value, n, maxChars)
			}
		}
		seen := map[string]bool{}
		for i, t := range pl.Attach {
			tp := index(p+".attach", i)
			if seen[t.Value] {
				v.add(t.Pos, "duplicate-attach", tp, "remove the repetition", "%q is listed twice", t.Value)
				continue
			}
			seen[t.Value] = true
			switch {
			case t.Value == "root":
			case l.Unit(t.Value) != nil:
			case l.Account(t.Value) != nil:
				if t.Value == mgmt && pl.Type.Value == PolicySCP {
					v.warn(t.Pos, "scp-management", tp, "SCPs never restrict the management account; attach it to units holding workloads",
						"SCP %q attached to the management account has no effect", pl.Name.Value)
				}
			default:
				cands := append(append([]string{"root"}, l.UnitPaths()...), l.AccountNames()...)
				v.add(t.Pos, "unknown-target", tp, "attach to `root`, a unit path or an account name"+suggest(t.Value, cands),
					"policy %q is attached to unknown target %q", pl.Name.Value, t.Value)
				continue
			}
			k := targetKey{pl.Type.Value, t.Value}
			if _, ok := attached[k]; !ok {
				order = append(order, k)
			}
			attached[k] = append(attached[k], pl)
		}
	}
	for _, k := range order {
		list := attached[k]
		_, per, implicit := policyLimits(l.Organization.Limits, k.typ)
		n := len(list)
		if implicit != "" {
			n++
		}
		if per > 0 && n > per {
			last := list[len(list)-1]
			var pos diag.Pos
			for _, t := range last.Attach {
				if t.Value == k.target {
					pos = t.Pos
				}
			}
			what := fmt.Sprintf("%d %s policies", len(list), k.typ)
			if implicit != "" {
				what = fmt.Sprintf("%d %ss (%d plus %s, which AWS attaches to every target)", n, strings.ToUpper(string(k.typ)), len(list), implicit)
			}
			v.add(pos, "too-many-policies", join("policies", last.Name.Value)+".attach",
				fmt.Sprintf("merge policies, or attach some to a parent unit; the quota is %d per target (%s)", per, quotaPage),
				"%q has %s; the limit is %d", k.target, what, per)
		}
	}
}

func (v *validator) checkInvariants() {
	l := v.l
	for i, inv := range l.Invariants {
		p := index("invariants", i)
		at := func(col int) diag.Pos {
			pos := inv.Source.Pos
			if pos.Line > 0 && !strings.Contains(inv.Source.Value, "\n") {
				pos.Col += col - 1
			}
			return pos
		}
		for _, s := range inv.Subjects {
			switch s.Kind {
			case SubjectUser:
				if !v.knownPerson(s.Name) {
					v.add(at(s.Col), "unknown-person", p, "name a person from people, developers or groups"+
						suggest(s.Name, names(l.People, func(p *Person) string { return p.Name.Value })), "invariant names unknown person %q", s.Name)
				}
			case SubjectGroup:
				if l.Group(s.Name) == nil {
					v.add(at(s.Col), "unknown-group", p, "name a group under `groups:`"+
						suggest(s.Name, names(l.Groups, func(g *Group) string { return g.Name.Value })), "invariant names unknown group %q", s.Name)
				}
			case SubjectRole:
				if l.Role(s.Name) == nil {
					v.add(at(s.Col), "unknown-role", p, "name a role under `roles:`"+
						suggest(s.Name, names(l.Roles, func(r *Role) string { return r.Name.Value })), "invariant names unknown role %q", s.Name)
				}
			case SubjectCI:
				if l.CI == nil {
					v.add(at(s.Col), "unknown-ci", p, "add a `ci:` section", "invariant names ci, but the layout has no ci section")
				}
			}
		}
		t := inv.Target
		switch t.Kind {
		case TargetAccount:
			if l.Account(t.Name) == nil {
				v.add(at(t.Col), "unknown-account", p, "name an account listed under accounts"+v.suggestAccount(t.Name), "invariant names unknown account %q", t.Name)
			}
		case TargetOfKind:
			if !contains(names(Kinds, func(k Kind) string { return string(k) }), t.Name) {
				v.add(at(t.Col), "bad-value", p, "account kinds are "+kindList(), "invariant names unknown account kind %q", t.Name)
			}
		case TargetUnit:
			if l.Unit(t.Name) == nil {
				v.add(at(t.Col), "unknown-unit", p, "name a unit under `units:`"+suggest(t.Name, l.UnitPaths()), "invariant names unknown unit %q", t.Name)
			}
		}
	}
}
