package layout

import (
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// passwordPolicyFields are the keys of organization.password_policy.
var passwordPolicyFields = []string{"minimum_length", "require_symbols", "require_numbers", "require_uppercase", "require_lowercase", "allow_users_to_change", "max_age_days", "reuse_prevention"}

// decodePasswordPolicy reads organization.password_policy, checking the
// ranges UpdateAccountPasswordPolicy accepts (IAM API Reference:
// MinimumPasswordLength 6–128, MaxPasswordAge 1–1095,
// PasswordReusePrevention 1–24).
func (d *decoder) decodePasswordPolicy(n *node) *PasswordPolicy {
	pp := &PasswordPolicy{Pos: n.pos}
	const p = "organization.password_policy"
	ranged := func(v *node, key string, lo, hi int) Field[int] {
		f := d.integer(v, p+"."+key)
		if f.IsSet() && v.stype == intScalar && (f.Value < lo || f.Value > hi) {
			d.add(v.pos, "bad-value", p+"."+key, "IAM accepts "+strconv.Itoa(lo)+" to "+strconv.Itoa(hi)+" (UpdateAccountPasswordPolicy)",
				"%s %d is out of range", key, f.Value)
		}
		return f
	}
	d.fields(n, p, passwordPolicyFields, func(key string, k, v *node) {
		switch key {
		case "minimum_length":
			pp.MinimumLength = ranged(v, key, 6, 128)
		case "require_symbols":
			pp.RequireSymbols = d.boolean(v, p+"."+key)
		case "require_numbers":
			pp.RequireNumbers = d.boolean(v, p+"."+key)
		case "require_uppercase":
			pp.RequireUppercase = d.boolean(v, p+"."+key)
		case "require_lowercase":
			pp.RequireLowercase = d.boolean(v, p+"."+key)
		case "allow_users_to_change":
			pp.AllowChange = d.boolean(v, p+"."+key)
		case "max_age_days":
			pp.MaxAge = ranged(v, key, 1, 1095)
		case "reuse_prevention":
			pp.ReusePrevention = ranged(v, key, 1, 24)
		}
	})
	return pp
}

// aliasRE is IAM's pattern for an account alias (CreateAccountAlias:
// 3 to 63 characters, lowercase letters, digits and hyphens, starting and
// ending with a letter or digit, no two hyphens in a row).
var aliasRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$`) })

// validAlias reports whether s is an account alias IAM accepts.
func validAlias(s string) bool { return aliasRE().MatchString(s) && !strings.Contains(s, "--") }

// validateAliases checks account aliases: IAM's pattern, and no two
// accounts with one alias (aliases are unique across AWS).
func (v *validator) validateAliases() {
	seen := map[string]string{}
	for _, a := range v.l.Accounts {
		al := a.Alias
		if !al.IsSet() {
			continue
		}
		path := "accounts." + a.Name.Value + ".alias"
		if !validAlias(al.Value) {
			v.add(al.Pos, "bad-value", path, "an alias is 3 to 63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit (IAM CreateAccountAlias)",
				"alias %q is not a valid account alias", al.Value)
			continue
		}
		if other, ok := seen[al.Value]; ok {
			v.add(al.Pos, "duplicate", path, "give each account its own alias: aliases are unique across AWS",
				"alias %q is used by account %s too", al.Value, other)
			continue
		}
		seen[al.Value] = a.Name.Value
	}
}
