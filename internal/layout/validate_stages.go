package layout

import (
	"fmt"
	"path"
	"regexp"
	"strings"
	"sync"
)

// Stage names are what users type (`bulkhead exec --stage feature-login`)
// and often become part of resource names, so patterns are kept to
// lower-case letters, digits, '-', '.', '_', the wildcards * and ?, and the
// placeholder {developer}.
var stagePatternRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(?:[a-z0-9._*?-]|\{developer\})+$`) })

func (v *validator) checkStages() {
	l := v.l
	devs := l.DeveloperNames()
	mgmt := l.Organization.Management.Account.Value
	for _, r := range l.Stages {
		p := index("stages", r.Index)
		for _, m := range r.Match {
			if strings.Contains(m.Value, "{stage}") {
				v.add(m.Pos, "placeholder", p+".match", "{stage} is the stage name itself; use * to match any name",
					"placeholder {stage} cannot be used in match")
				continue
			}
			v.checkPlaceholders(m, p+".match", "developer")
			if !placeholderRe().MatchString(strings.ReplaceAll(m.Value, "{developer}", "")) && !stagePatternRe().MatchString(m.Value) {
				v.add(m.Pos, "bad-pattern", p+".match", "use lower-case letters, digits, '-', '.', '_' and the wildcards * and ?",
					"stage pattern %q is not valid", m.Value)
			}
		}
		if r.Account.Value != "" {
			v.checkPlaceholders(r.Account, p+".account", "stage", "developer")
			if strings.Contains(r.Account.Value, "{developer}") {
				for _, m := range r.Match {
					if !strings.Contains(m.Value, "{developer}") {
						v.add(r.Account.Pos, "placeholder", p+".account",
							fmt.Sprintf("pattern %q binds no developer; put {developer} in every pattern of this rule, or split the rule", m.Value),
							"placeholder {developer} has no source for stages matching %q", m.Value)
						break
					}
				}
			}
		}
		if r.Role.Value != "" && l.Role(r.Role.Value) == nil {
			v.add(r.Role.Pos, "unknown-role", p+".role", "name a role defined under `roles:`"+suggest(r.Role.Value, names(l.Roles, func(r *Role) string { return r.Name.Value })),
				"stage rule uses unknown role %q", r.Role.Value)
		}
		v.checkRuleReach(r, devs, mgmt)
	}
	v.checkShadowed(devs)
}

// checkRuleReach checks the accounts a rule can route to: each must exist
// and none may be the management account.
func (v *validator) checkRuleReach(r *StageRule, devs []string, mgmt string) {
	l := v.l
	p := index("stages", r.Index)
	if r.Account.Value == "" || placeholderRe().MatchString(strings.NewReplacer("{stage}", "", "{developer}", "").Replace(r.Account.Value)) {
		return
	}
	if strings.Contains(r.Account.Value, "{developer}") {
		for _, m := range r.Match {
			if !strings.Contains(m.Value, "{developer}") {
				return // reported as a placeholder with no source
			}
		}
	}
	reach := RuleAccounts(l, r)
	for _, name := range reach.Missing {
		v.add(r.Account.Pos, "unknown-account", p+".account", "add the account under `accounts:`, or change the rule"+v.suggestAccount(name),
			"stage rule routes to unknown account %q", name)
	}
	if reach.Open && len(reach.Accounts) == 0 {
		v.add(r.Account.Pos, "unknown-account", p+".account", "{stage} with a wildcard pattern needs accounts named like the stages it matches",
			"no account matches %q for the stages %s", r.Account.Value, matchList(r))
	}
	role := l.Role(r.Role.Value)
	if role != nil && role.HasKind("") {
		role = nil // a policy keyed by an unknown kind is reported already
	}
	missingKind := map[Kind]bool{}
	for _, a := range reach.Accounts {
		if acct := l.Account(a); role != nil && acct != nil && acct.Kind.Value != "" && !role.HasKind(acct.Kind.Value) && !missingKind[acct.Kind.Value] {
			missingKind[acct.Kind.Value] = true
			v.add(r.Role.Pos, "role-not-in-account", p+".role",
				fmt.Sprintf("add a %s policy to role %q under roles.%s.policies, or route the stage with another role", acct.Kind.Value, role.Name.Value, role.Name.Value),
				"stage rule routes to %s account %q with role %q, which has no policy for %s accounts and so does not exist there",
				acct.Kind.Value, a, role.Name.Value, acct.Kind.Value)
		}
		if a == mgmt && mgmt != "" {
			v.add(r.Account.Pos, "stage-management", p+".account",
				"never deploy to the management account: SCPs do not restrict it; route the stage to a workload account",
				"stage rule routes to the management account %q", mgmt)
		}
	}
}

func matchList(r *StageRule) string {
	var s []string
	for _, m := range r.Match {
		s = append(s, m.Value)
	}
	return strings.Join(s, ", ")
}

// Reach is what a stage rule can route to.
type Reach struct {
	// Accounts are the existing accounts the rule can route to, in layout
	// order.
	Accounts []string
	// Missing are account names the rule would route some stage to that
	// are not in the layout.
	Missing []string
	// Open is true when the rule's account depends on a stage name matched
	// by a wildcard, so the set of stages is unbounded.
	Open bool
}

// RuleAccounts computes the accounts a stage rule can route to: one per
// literal stage or developer, or, for {stage} with a wildcard pattern, the
// existing accounts whose names the pattern matches.
func RuleAccounts(l *Layout, r *StageRule) Reach {
	var out Reach
	devs := l.DeveloperNames()
	seen := map[string]bool{}
	addName := func(name string) {
		if seen[name] {
			return
		}
		seen[name] = true
		if l.Account(name) != nil {
			out.Accounts = append(out.Accounts, name)
		} else {
			out.Missing = append(out.Missing, name)
		}
	}
	usesStage := strings.Contains(r.Account.Value, "{stage}")
	for _, m := range r.Match {
		for _, cp := range concretePatterns(m.Value, devs) {
			dev := ""
			if strings.Contains(m.Value, "{developer}") {
				dev = developerOf(m.Value, cp, devs)
			}
			acct := strings.ReplaceAll(r.Account.Value, "{developer}", dev)
			switch {
			case !usesStage:
				addName(acct)
			case !isGlob(cp):
				addName(strings.ReplaceAll(acct, "{stage}", cp))
			default:
				out.Open = true
				for _, a := range l.Accounts {
					// The account name must be reachable: some stage
					// matching cp must produce it.
					if stageFor(acct, a.Name.Value, cp) {
						if !seen[a.Name.Value] {
							seen[a.Name.Value] = true
							out.Accounts = append(out.Accounts, a.Name.Value)
						}
					}
				}
			}
		}
	}
	return out
}

// developerOf returns the developer whose substitution turned pattern into cp.
func developerOf(pattern, cp string, devs []string) string {
	for _, d := range devs {
		if strings.ReplaceAll(pattern, "{developer}", d) == cp {
			return d
		}
	}
	return ""
}

// stageFor reports whether some stage name matching glob makes the account
// template tmpl (containing {stage}) equal to name.
func stageFor(tmpl, name, glob string) bool {
	pre, post, _ := strings.Cut(tmpl, "{stage}")
	if strings.Contains(post, "{stage}") || !strings.HasPrefix(name, pre) || !strings.HasSuffix(name, post) || len(name) < len(pre)+len(post) {
		return false
	}
	stage := name[len(pre) : len(name)-len(post)]
	ok, err := path.Match(glob, stage)
	return ok && err == nil
}

// checkShadowed reports rules that can never match because every stage name
// they match is matched by an earlier rule (first match wins).
func (v *validator) checkShadowed(devs []string) {
	rules := v.l.Stages
	for i, r := range rules {
		if len(r.Match) == 0 {
			continue
		}
		p := index("stages", r.Index)
		allCovered := true
		var by *StageRule
		var byPattern string
		empty := true
		for _, m := range r.Match {
			cps := concretePatterns(m.Value, devs)
			if len(cps) > 0 {
				empty = false
			}
			for _, cp := range cps {
				rule, pat := coveredBy(rules[:i], cp, devs)
				if rule == nil {
					allCovered = false
					break
				}
				by, byPattern = rule, pat
			}
			if !allCovered {
				break
			}
		}
		if empty {
			v.warn(r.Pos, "stage-unreachable", p, "list people under `developers:`, or remove the rule",
				"stage rule %d matches no stage: its patterns use {developer} and there are no developers", r.Index+1)
			continue
		}
		if allCovered && by != nil {
			v.add(r.Pos, "stage-unreachable", p,
				fmt.Sprintf("first match wins: move this rule above rule %d, or narrow %q", by.Index+1, byPattern),
				"stage rule %d can never match: rule %d (%s) matches every stage it does", r.Index+1, by.Index+1, byPattern)
		}
	}
}

// coveredBy returns the earlier rule (and its pattern) that matches every
// name the concrete pattern cp matches, or nil.
func coveredBy(earlier []*StageRule, cp string, devs []string) (*StageRule, string) {
	for _, e := range earlier {
		for _, m := range e.Match {
			for _, ecp := range concretePatterns(m.Value, devs) {
				if covers(ecp, cp) {
					return e, m.Value
				}
			}
		}
	}
	return nil, ""
}
