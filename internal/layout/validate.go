package layout

import (
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/bulkhead-dev/bulkhead/internal/diag"
)

// Syntax of names. Account names become part of emails, role session
// names and stage names, so they are kept to lower-case letters, digits
// and hyphens; the 50-character cap leaves room in AWS's 50-character
// account name (CreateAccount AccountName, 1..50).
var (
	orgNameRe     = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$`) })
	accountNameRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$`) })
	personNameRe  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9](?:[a-z0-9._-]*[a-z0-9])?$`) })
	// OU names: AWS allows 1..128 characters; bulkhead keeps them to
	// letters, digits, spaces, '.', '_' and '-' so paths stay readable.
	unitElemRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9 ._-]{0,127}$`) })
	// IAM names (roles, groups): [\w+=,.@-], 1..64.
	iamNameRe     = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[\w+=,.@-]{1,64}$`) })
	placeholderRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\{[^{}]*\}`) })
	// An email good enough for AWS's account root address: AWS requires
	// 6..64 characters (CreateAccount Email).
	emailRe = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^[^@\s]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$`)
	})
	// GitHub owner/repository.
	repoRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9-]*)/[A-Za-z0-9._-]+$`) })
)

// validate runs every check on the expanded layout.
func (v *validator) validate() {
	v.checkOrganization()
	v.checkUnits()
	v.checkAccounts()
	v.validateAliases()
	v.checkPeople()
	v.checkStages()
	v.checkCI()
	v.checkRoles()
	v.checkPolicies()
	v.checkInvariants()
}

func (v *validator) checkOrganization() {
	o := &v.l.Organization
	if o.Name.Value != "" && !orgNameRe().MatchString(o.Name.Value) {
		v.add(o.Name.Pos, "bad-name", "organization.name", "use lower-case letters, digits and hyphens, such as acme",
			"organization name %q: want lower-case letters, digits and hyphens", o.Name.Value)
	}
	if o.Email.IsSet() {
		if !strings.Contains(o.Email.Value, "{account}") {
			v.add(o.Email.Pos, "bad-email", "organization.email",
				`put {account} where the account name goes, such as "aws+{account}@acme.example" (plus addressing keeps one mailbox)`,
				"email template %q has no {account}: every account would get the same address", o.Email.Value)
		} else {
			v.checkPlaceholders(o.Email, "organization.email", "account")
			if ex := strings.ReplaceAll(o.Email.Value, "{account}", "x"); !placeholderRe().MatchString(ex) && !emailRe().MatchString(ex) {
				v.add(o.Email.Pos, "bad-email", "organization.email", "write it as LOCAL@DOMAIN with {account} in it",
					"email template %q is not an email address", o.Email.Value)
			}
		}
	}
	if o.Management.Email.IsSet() {
		v.checkEmail(o.Management.Email.Value, o.Management.Email.Pos, "organization.management.email")
	}
	if ma := o.Management.Account; ma.Value != "" {
		a := v.l.Account(ma.Value)
		switch {
		case a == nil:
			v.add(ma.Pos, "unknown-account", "organization.management.account",
				fmt.Sprintf("add `%s: {kind: management}` under accounts", ma.Value)+v.suggestAccount(ma.Value),
				"management account %q is not in accounts", ma.Value)
		default:
			if a.Kind.Value != "" && a.Kind.Value != KindManagement {
				v.add(a.Kind.Pos, "management-kind", join("accounts", a.Name.Value)+".kind",
					"the account named by organization.management.account must have kind: management",
					"the management account %q has kind %s, want management", a.Name.Value, a.Kind.Value)
			}
			if me := o.Management.Email; a.Email.IsSet() && me.IsSet() && !strings.EqualFold(a.Email.Value, me.Value) {
				v.add(a.Email.Pos, "bad-email", join("accounts", a.Name.Value)+".email",
					"keep one of accounts."+a.Name.Value+".email and organization.management.email",
					"the management account has two emails: %s here and %s in organization.management.email", a.Email.Value, me.Value)
			}
			if a.Unit.Value != "" {
				v.add(a.Unit.Pos, "management-unit", join("accounts", a.Name.Value)+".unit",
					"remove `unit:`; AWS keeps the management account in the root",
					"the management account %q cannot be in a unit (%s)", a.Name.Value, a.Unit.Value)
			}
		}
	}
	for _, a := range v.l.Accounts {
		if a.Kind.Value == KindManagement && a.Name.Value != o.Management.Account.Value && o.Management.Account.Value != "" {
			v.add(a.Kind.Pos, "management-kind", join("accounts", a.Name.Value)+".kind",
				"an organization has one management account; give this account another kind",
				"account %q has kind management but the management account is %q", a.Name.Value, o.Management.Account.Value)
		}
	}
	if ia := o.IdentityAccount; ia.IsSet() && v.l.Account(ia.Value) == nil {
		v.add(ia.Pos, "unknown-account", "organization.identity_account", "name an account listed under accounts"+v.suggestAccount(ia.Value),
			"identity account %q is not in accounts", ia.Value)
	}
	if ar := o.AccessRole; ar.IsSet() && !iamNameRe().MatchString(ar.Value) {
		v.add(ar.Pos, "bad-name", "organization.access_role", "IAM role names are 1..64 of letters, digits and +=,.@_-",
			"access role %q is not a valid IAM role name", ar.Value)
	}
	lim := o.Limits
	v.limitRange(lim.OUDepth, 1, 5, "organization.limits.ou_depth", "AWS allows at most 5 levels of OUs below the root; the limit can only be lowered")
	v.limitRange(lim.SCPMaxChars, 1, 10240, "organization.limits.scp_max_chars", "AWS allows SCPs of at most 10,240 characters when the quota is raised")
	v.limitRange(lim.SCPsPerTarget, 2, 10, "organization.limits.scps_per_target", "AWS allows 2..10 SCPs per target, FullAWSAccess included")
	v.limitRange(lim.RCPsPerTarget, 2, 10, "organization.limits.rcps_per_target", "AWS allows 2..10 RCPs per target, RCPFullAWSAccess included")
}

func (v *validator) limitRange(f Field[int], lo, hi int, path, hint string) {
	if f.IsSet() && (f.Value < lo || f.Value > hi) {
		v.add(f.Pos, "bad-limit", path, hint, "%s: %d is outside %d..%d", path, f.Value, lo, hi)
	}
}

func (v *validator) checkEmail(addr string, pos diag.Pos, path string) {
	if !emailRe().MatchString(addr) {
		v.add(pos, "bad-email", path, "write it as LOCAL@DOMAIN, such as aws@acme.example", "%q is not an email address", addr)
		return
	}
	if len(addr) < 6 || len(addr) > 64 {
		v.add(pos, "bad-email", path, "AWS accepts account emails of 6 to 64 characters (CreateAccount Email)",
			"email %q is %d characters long", addr, len(addr))
	}
}

// checkPlaceholders reports {x} placeholders in f other than allowed.
func (v *validator) checkPlaceholders(f Field[string], path string, allowed ...string) {
	for _, m := range placeholderRe().FindAllStringIndex(f.Value, -1) {
		name := f.Value[m[0]+1 : m[1]-1]
		if contains(allowed, name) {
			continue
		}
		hint := "no placeholder is available here"
		if len(allowed) > 0 {
			hint = "placeholders available here: {" + strings.Join(allowed, "}, {") + "}"
		}
		if name == "developer" {
			hint = "{developer} only has a value in an account with `for_each: developers` and in stage rules matching {developer}"
		}
		v.add(f.Pos, "placeholder", path, hint, "placeholder {%s} has no source in %s", name, path)
	}
}

func (v *validator) checkUnits() {
	l := v.l
	seen := map[string]diag.Pos{}
	depth := l.Organization.Limits.OUDepth.Value
	for _, u := range l.Units {
		if !u.Declared {
			continue
		}
		path := "units"
		if first, dup := seen[u.Path]; dup {
			v.add(u.Pos, "duplicate-unit", path, "remove one of them", "unit %q is listed twice (first at %d:%d)", u.Path, first.Line, first.Col)
			continue
		}
		seen[u.Path] = u.Pos
		if u.Path == "root" || u.Path == "Root" {
			v.add(u.Pos, "bad-unit", path, "the root exists already; list only the units below it", "%q is the organization root, not a unit", u.Path)
			continue
		}
		ok := true
		for _, el := range strings.Split(u.Path, "/") {
			if !unitElemRe().MatchString(el) {
				ok = false
			}
		}
		if !ok {
			v.add(u.Pos, "bad-unit", path, "write OU paths like Workloads/Production: names of letters, digits, spaces, '.', '_' or '-', separated by single '/'",
				"unit path %q is not valid", u.Path)
			continue
		}
		if u.Depth > depth {
			v.add(u.Pos, "unit-depth", path,
				fmt.Sprintf("AWS allows %d levels of OUs below the root (organization.limits.ou_depth); flatten the path", depth),
				"unit %q is %d levels deep; the limit is %d", u.Path, u.Depth, depth)
		}
	}
}

func (v *validator) checkAccounts() {
	l := v.l
	for _, t := range l.Templates {
		p := join("accounts", t.Name.Value)
		if !strings.Contains(t.Name.Value, "{developer}") {
			v.add(t.Name.Pos, "placeholder", p, `put {developer} in the name, such as "sandbox-{developer}"`,
				"account %q uses for_each: developers but its name has no {developer}: every developer would get the same account", t.Name.Value)
		}
		if len(l.Developers) == 0 {
			v.warn(t.ForEach.Pos, "no-developers", p+".for_each", "list people under `developers:`",
				"account %q generates one account per developer, but there are no developers", t.Name.Value)
		}
		v.checkPlaceholders(Field[string]{Value: t.Name.Value, Pos: t.Name.Pos}, p, "developer")
		v.checkPlaceholders(t.Owner, p+".owner", "developer")
		v.checkPlaceholders(t.BusinessUnit, p+".business_unit", "developer")
		v.checkPlaceholders(t.Email, p+".email", "developer", "account")
	}
	names := map[string]*Account{}
	emails := map[string]*Account{}
	for _, a := range l.Accounts {
		p := join("accounts", a.Name.Value)
		if a.Template == "" {
			v.checkPlaceholders(a.Name, p)
			v.checkPlaceholders(a.Owner, p+".owner")
			v.checkPlaceholders(a.BusinessUnit, p+".business_unit")
			v.checkPlaceholders(a.Email, p+".email", "account")
		}
		if !placeholderRe().MatchString(a.Name.Value) && !accountNameRe().MatchString(a.Name.Value) {
			v.add(a.Name.Pos, "bad-name", p, "account names are 1..50 lower-case letters, digits and hyphens, not starting or ending with a hyphen",
				"account name %q is not valid", a.Name.Value)
		}
		if first, dup := names[a.Name.Value]; dup {
			// A template without {developer} repeats one name: that is
			// reported once, on the template.
			if a.Template == "" || a.Template != first.Template {
				v.add(a.Name.Pos, "duplicate-account", p, "rename one of them"+fromTemplate(a, first),
					"duplicate account %q (also at %d:%d)", a.Name.Value, first.Name.Pos.Line, first.Name.Pos.Col)
			}
			continue // same name, same email: one report is enough
		}
		names[a.Name.Value] = a
		if a.Unit.Value != "" && l.Unit(a.Unit.Value) == nil {
			hint := "add it under `units:`"
			if s := diag.Suggest(a.Unit.Value, l.UnitPaths()); s != "" {
				hint = fmt.Sprintf("did you mean %q? or add it under `units:`", s)
			}
			v.add(a.Unit.Pos, "unknown-unit", p+".unit", hint, "account %q is in unknown unit %q", a.Name.Value, a.Unit.Value)
		}
		if a.Email.IsSet() && !placeholderRe().MatchString(a.EffectiveEmail) {
			v.checkEmail(a.EffectiveEmail, a.Email.Pos, p+".email")
		}
		if a.EffectiveEmail == "" && a.Kind.Value != "" {
			v.add(a.Name.Pos, "missing-email", p+".email", `set organization.email to a template such as "aws+{account}@acme.example", or give the account an email`,
				"account %q has no email address", a.Name.Value)
		} else if a.EffectiveEmail != "" && !placeholderRe().MatchString(a.Name.Value) && (a.Email.IsSet() || v.templateUsable()) {
			key := strings.ToLower(a.EffectiveEmail)
			if first, dup := emails[key]; dup {
				v.add(emailPos(a), "duplicate-email", p+".email", "AWS requires a distinct root email per account"+fromTemplate(a, first),
					"accounts %q and %q have the same email %s", first.Name.Value, a.Name.Value, a.EffectiveEmail)
			} else {
				emails[key] = a
			}
		}
		for _, t := range a.Tags {
			if len(t.Key.Value) > 128 || len(t.Value.Value) > 256 {
				v.add(t.Key.Pos, "bad-tag", p+".tags", "AWS tag keys are at most 128 characters and values at most 256",
					"tag %q is too long", t.Key.Value)
			}
		}
	}
}

// templateUsable reports whether the organization's email template gives
// each account its own address; when it does not, that is reported once on
// the template rather than as a duplicate on every account.
func (v *validator) templateUsable() bool {
	return strings.Contains(v.l.Organization.Email.Value, "{account}")
}

func emailPos(a *Account) diag.Pos {
	if a.Email.IsSet() {
		return a.Email.Pos
	}
	return a.Name.Pos
}

func fromTemplate(a, b *Account) string {
	for _, x := range []*Account{a, b} {
		if x.Template != "" {
			return fmt.Sprintf(" (%q is generated from %q for developer %s)", x.Name.Value, x.Template, x.Developer)
		}
	}
	return ""
}

// maxGroupsPerUser is IAM's limit on groups per user:
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
const maxGroupsPerUser = 10

func (v *validator) checkPeople() {
	l := v.l
	seenDev := map[string]diag.Pos{}
	for i, d := range l.Developers {
		if first, dup := seenDev[d.Value]; dup {
			v.add(d.Pos, "duplicate-developer", index("developers", i), "remove one of them",
				"developer %q is listed twice (first at %d:%d)", d.Value, first.Line, first.Col)
			continue
		}
		seenDev[d.Value] = d.Pos
		if !accountNameRe().MatchString(d.Value) {
			v.add(d.Pos, "bad-name", index("developers", i), "developer names become part of account and stage names: use lower-case letters, digits and hyphens",
				"developer name %q is not valid", d.Value)
		}
	}
	for _, p := range l.People {
		if p.Email.IsSet() {
			v.checkEmail(p.Email.Value, p.Email.Pos, join("people", p.Name.Value)+".email")
		}
		if !personNameRe().MatchString(p.Name.Value) {
			v.add(p.Name.Pos, "bad-name", join("people", p.Name.Value), "person names are lower-case letters, digits, '.', '_' and '-'",
				"person name %q is not valid", p.Name.Value)
		}
	}
	groupsOf := map[string][]string{}
	for _, g := range l.Groups {
		gp := join("groups", g.Name.Value)
		if !iamNameRe().MatchString(g.Name.Value) {
			v.add(g.Name.Pos, "bad-name", gp, "IAM group names are 1..64 of letters, digits and +=,.@_-", "group name %q is not valid", g.Name.Value)
		}
		seen := map[string]bool{}
		for i, m := range g.Members {
			if seen[m.Value] {
				v.add(m.Pos, "duplicate-member", index(gp, i), "remove the repetition", "%q is listed twice in group %q", m.Value, g.Name.Value)
				continue
			}
			seen[m.Value] = true
			groupsOf[m.Value] = append(groupsOf[m.Value], g.Name.Value)
			if n := len(groupsOf[m.Value]); n == maxGroupsPerUser+1 {
				v.add(m.Pos, "too-many-groups", index(gp, i),
					"IAM allows a user in at most 10 groups (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html); merge groups or use roles",
					"%q is in more than %d groups (%s)", m.Value, maxGroupsPerUser, strings.Join(groupsOf[m.Value], ", "))
			}
		}
	}
}
