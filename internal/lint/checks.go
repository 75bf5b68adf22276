package lint

import (
	"fmt"
	"strings"

	"github.com/bulkhead-dev/bulkhead/internal/diag"
	"github.com/bulkhead-dev/bulkhead/internal/layout"
)

// The checks of the account-structure rules. Each returns diagnostics with
// Pos, Path, Summary and Hint; Check stamps the rule's id and severity.

func checkManagementWorkloads(c *checker) []diag.Diagnostic {
	var out []diag.Diagnostic
	seen := map[diag.Pos]bool{}
	for _, a := range c.l.Accounts {
		if a == nil || !workload(a.Kind.Value) || a.Unit.Value != "" || seen[a.Name.Pos] {
			continue
		}
		seen[a.Name.Pos] = true
		out = append(out, diag.Diagnostic{
			Pos: a.Name.Pos, Path: "accounts." + nameAsWritten(a),
			Summary: fmt.Sprintf("%s account %s sits at the root, beside the management account", a.Kind.Value, quote(nameAsWritten(a))),
			Hint:    "give it a unit (such as Workloads/" + unitWord(a.Kind.Value) + "): the root is for the management account, and units are where guardrails attach",
		})
	}
	for _, r := range c.routes {
		if r.account.Kind.Value != layout.KindManagement && r.account.Name.Value != c.l.Organization.Management.Account.Value {
			continue
		}
		out = append(out, diag.Diagnostic{
			Pos: r.match.Pos, Path: fmt.Sprintf("stages[%d].match", r.rule.Index),
			Summary: fmt.Sprintf("stage %s deploys to the management account %s", quote(r.stage), quote(r.account.Name.Value)),
			Hint:    "route it to a workload account; the management account holds the organization and the bill, nothing else",
		})
	}
	return out
}

func unitWord(k layout.Kind) string {
	switch k {
	case layout.KindProduction:
		return "Production"
	case layout.KindStaging:
		return "Staging"
	case layout.KindDevelopment:
		return "Development"
	}
	return "Sandbox"
}

// nameAsWritten is the account's name in the file: the template for a
// generated account.
func nameAsWritten(a *layout.Account) string {
	if a.Template != "" {
		return a.Template
	}
	return a.Name.Value
}

// productionWords are the stage-name words that say "production". A stage
// named with one of them (prod, retail-prod, live) or named like the account
// itself may deploy to a production account; any other name is a
// non-production stage.
var productionWords = map[string]bool{"prod": true, "production": true, "prd": true, "live": true}

func productionLike(stage, account string) bool {
	if stage == account {
		return true
	}
	for _, w := range strings.FieldsFunc(stage, func(r rune) bool { return r == '-' || r == '_' || r == '.' }) {
		if productionWords[w] {
			return true
		}
	}
	return false
}

func checkProductionShared(c *checker) []diag.Diagnostic {
	var out []diag.Diagnostic
	for _, a := range c.l.Accounts {
		if a == nil || a.Kind.Value != layout.KindProduction {
			continue
		}
		for _, r := range c.routesTo(a.Name.Value) {
			var summary string
			switch {
			case r.glob:
				summary = fmt.Sprintf("stage pattern %s sends every stage it matches to production account %s", quote(r.stage), quote(a.Name.Value))
			case !productionLike(r.stage, a.Name.Value):
				summary = fmt.Sprintf("non-production stage %s deploys to production account %s", quote(r.stage), quote(a.Name.Value))
			default:
				continue
			}
			out = append(out, diag.Diagnostic{
				Pos: r.match.Pos, Path: fmt.Sprintf("stages[%d].match", r.rule.Index),
				Summary: summary,
				Hint:    "route only the production stage to a production account; give other stages a staging or development account",
			})
		}
	}
	return out
}

func checkStagingShared(c *checker) []diag.Diagnostic {
	var out []diag.Diagnostic
	for _, a := range c.l.Accounts {
		if a == nil || a.Kind.Value != layout.KindStaging {
			continue
		}
		var first string
		for _, r := range c.routesTo(a.Name.Value) {
			var summary string
			switch {
			case r.glob:
				summary = fmt.Sprintf("stage pattern %s sends every stage it matches to staging account %s", quote(r.stage), quote(a.Name.Value))
			case first == "":
				first = r.stage
				continue
			case r.stage == first:
				continue
			default:
				summary = fmt.Sprintf("stages %s and %s share staging account %s", quote(first), quote(r.stage), quote(a.Name.Value))
			}
			out = append(out, diag.Diagnostic{
				Pos: r.match.Pos, Path: fmt.Sprintf("stages[%d].match", r.rule.Index),
				Summary: summary,
				Hint:    `give each staging stage its own account, e.g. account: "{stage}" with one staging account per stage`,
			})
		}
	}
	return out
}

func checkDeveloperSandbox(c *checker) []diag.Diagnostic {
	has := map[string]bool{}
	for _, a := range c.l.Accounts {
		if a == nil || a.Kind.Value != layout.KindSandbox {
			continue
		}
		if a.Developer != "" {
			has[a.Developer] = true
		}
		if a.Owner.Value != "" {
			has[a.Owner.Value] = true
		}
	}
	var out []diag.Diagnostic
	for i, d := range c.l.Developers {
		if has[d.Value] {
			continue
		}
		out = append(out, diag.Diagnostic{
			Pos: d.Pos, Path: fmt.Sprintf("developers[%d]", i),
			Summary: fmt.Sprintf("developer %s has no sandbox account", quote(d.Value)),
			Hint:    `add a sandbox template: "sandbox-{developer}": {for_each: developers, unit: Sandbox, kind: sandbox}`,
		})
	}
	return out
}

func checkGuardrails(c *checker) []diag.Diagnostic {
	var targets []string
	for _, p := range c.l.Policies {
		if p == nil || p.Type.Value != layout.PolicySCP {
			continue
		}
		for _, t := range p.Attach {
			targets = append(targets, t.Value)
		}
	}
	covered := func(a *layout.Account) bool {
		for _, t := range targets {
			if t == "root" || t == a.Name.Value || t == a.Unit.Value || (a.Unit.Value != "" && strings.HasPrefix(a.Unit.Value, t+"/")) {
				return true
			}
		}
		return false
	}
	// Accounts generated from one template share a position: one finding
	// names them all.
	var order []diag.Pos
	names := map[diag.Pos][]string{}
	first := map[diag.Pos]*layout.Account{}
	for _, a := range c.l.Accounts {
		if a == nil || !workload(a.Kind.Value) || covered(a) {
			continue
		}
		if _, ok := names[a.Name.Pos]; !ok {
			order = append(order, a.Name.Pos)
			first[a.Name.Pos] = a
		}
		names[a.Name.Pos] = append(names[a.Name.Pos], a.Name.Value)
	}
	var out []diag.Diagnostic
	for _, pos := range order {
		a := first[pos]
		where := "at the root"
		if a.Unit.Value != "" {
			where = "in unit " + a.Unit.Value
		}
		subject := fmt.Sprintf("%s account %s", a.Kind.Value, quote(a.Name.Value))
		if a.Template != "" {
			subject = fmt.Sprintf("%s accounts %s (%s)", a.Kind.Value, quote(a.Template), strings.Join(names[pos], ", "))
		}
		hint := fmt.Sprintf("attach a guardrail SCP to %s, a unit above it, or root (bulkhead init writes one: policies/guardrails.json)", a.Unit.Value)
		if a.Unit.Value == "" {
			hint = "put the account in a unit and attach a guardrail SCP to it, or attach one to root (bulkhead init writes one: policies/guardrails.json)"
		}
		out = append(out, diag.Diagnostic{
			Pos: pos, Path: "accounts." + nameAsWritten(a),
			Summary: fmt.Sprintf("no SCP covers %s %s", subject, where),
			Hint:    hint,
		})
	}
	return out
}

// maxGroupsPerUser is IAM's quota on groups per user, which cannot be
// raised: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
const maxGroupsPerUser = 10

func checkGroupLimit(c *checker) []diag.Diagnostic {
	count := map[string]int{}
	groups := map[string][]string{}
	var out []diag.Diagnostic
	for _, g := range c.l.Groups {
		if g == nil {
			continue
		}
		inThis := map[string]bool{}
		for _, m := range g.Members {
			if inThis[m.Value] {
				continue
			}
			inThis[m.Value] = true
			count[m.Value]++
			groups[m.Value] = append(groups[m.Value], g.Name.Value)
			if count[m.Value] == maxGroupsPerUser+1 {
				out = append(out, diag.Diagnostic{
					Pos: m.Pos, Path: "groups." + g.Name.Value,
					Summary: fmt.Sprintf("%s is in more than %d groups (%s, ...); IAM allows %d per user", quote(m.Value), maxGroupsPerUser, strings.Join(groups[m.Value][:3], ", "), maxGroupsPerUser),
					Hint:    "trust one broader group in the roles instead of one group per account or stage",
				})
			}
		}
	}
	return out
}

func checkProductionGuard(c *checker) []diag.Diagnostic {
	var out []diag.Diagnostic
	done := map[*layout.StageRule]bool{}
	for _, r := range c.routes {
		if done[r.rule] || r.account.Kind.Value != layout.KindProduction {
			continue
		}
		g := r.rule.Guard
		if g.Value != "" && g.Value != layout.GuardNone {
			continue
		}
		done[r.rule] = true
		pos := g.Pos
		summary := fmt.Sprintf("stage %s deploys to production account %s with guard none", quote(r.stage), quote(r.account.Name.Value))
		if !g.IsSet() {
			pos = r.rule.Pos
			summary = fmt.Sprintf("stage %s deploys to production account %s without a guard", quote(r.stage), quote(r.account.Name.Value))
		}
		out = append(out, diag.Diagnostic{
			Pos: pos, Path: fmt.Sprintf("stages[%d].guard", r.rule.Index),
			Summary: summary,
			Hint:    "set guard: ci so that only the CI pipeline deploys to production (or guard: confirm)",
		})
	}
	return out
}

func checkProductionProtected(c *checker) []diag.Diagnostic {
	var out []diag.Diagnostic
	seen := map[diag.Pos]bool{}
	for _, a := range c.l.Accounts {
		if a == nil || a.Kind.Value != layout.KindProduction || a.Protected.Value || seen[a.Name.Pos] {
			continue
		}
		seen[a.Name.Pos] = true
		pos := a.Name.Pos
		if a.Protected.IsSet() {
			pos = a.Protected.Pos
		}
		out = append(out, diag.Diagnostic{
			Pos: pos, Path: "accounts." + nameAsWritten(a) + ".protected",
			Summary: fmt.Sprintf("production account %s is not protected", quote(nameAsWritten(a))),
			Hint:    "set protected: true, so that bulkhead never closes it or moves it out of its unit",
		})
	}
	return out
}
