package blueprint

// phase is one delivery phase of a business unit (seed 002: dev, stage,
// prod); every unit gets one account per phase.
type phase struct {
	name, kind, unit string
}

// businessUnitPhases are dev, the staging stages, then prod.
func businessUnitPhases(o Options) []phase {
	ps := []phase{{"dev", "development", "Workloads/Development"}}
	for _, s := range o.Stages {
		ps = append(ps, phase{s, "staging", "Workloads/Staging"})
	}
	return append(ps, phase{"prod", "production", "Workloads/Production"})
}

// writeBusinessUnits writes the business-units blueprint: seed 002, "a set
// of accounts partitioned by delivery phase for each department or business
// unit", plus management, shared services, security, log archive and
// sandboxes.
//
// OUs are per phase (Workloads/Production holds retail-prod and bi-prod), not
// per business unit: guardrails differ by phase, not by unit, and AWS allows
// only a few SCPs per target, so one attachment on Workloads/Production must
// be able to guard every unit's production. The unit is recorded on each
// account (business_unit) for billing and ownership instead.
func writeBusinessUnits(d *doc, o Options) {
	writeHeader(d, o, `Blueprint "business-units", from the playbook (seed 002): "a set of accounts
partitioned by delivery phase for each department or business unit".
`+bullets(
		"each business unit gets one account per delivery phase: dev, the staging\nphases, prod (\"3 Business Units * 3 delivery phases\");",
		"plus a management account with no workloads, shared services, security,\na log archive, and one sandbox per developer.",
	)+`AWS allows 10 accounts per organization by default: ask for more (Service
Quotas) before the first apply if this file has more.`)
	writeOrganization(d, o)

	d.comment(0, `
Organizational units per delivery phase, not per business unit: guardrails
differ by phase (production is the strictest) and AWS allows only a few SCPs
per target, so one attachment on Workloads/Production guards every unit's
production. Each account records its business unit instead (business_unit).`)
	d.line(0, "units:")
	for _, u := range []string{"Security", "Infrastructure", "Workloads/Production", "Workloads/Staging", "Workloads/Development", "Sandbox"} {
		if u == "Workloads/Staging" && len(o.Stages) == 0 {
			continue
		}
		d.line(1, "- %s", u)
	}
	d.blank()

	d.comment(0, `
Accounts: "the strongest partitioning mechanism for an organization's
activities, resources, and data in the cloud" (seed 002).`)
	d.line(0, "accounts:")
	writeManagementAccount(d)
	d.comment(1, "Security tooling: findings, audit roles.")
	d.line(1, "security:")
	d.line(2, "unit: Security")
	d.line(2, "kind: security")
	d.comment(1, "The organization's CloudTrail and other logs, out of every workload's reach.")
	d.line(1, "log-archive:")
	d.line(2, "unit: Security")
	d.line(2, "kind: security")
	d.comment(1, "What every business unit uses: CI runners, artifacts, DNS delegation.")
	d.line(1, "shared-services:")
	d.line(2, "unit: Infrastructure")
	d.line(2, "kind: shared")
	for _, u := range o.BusinessUnits {
		d.comment(1, "Business unit "+u+": one account per delivery phase.")
		for _, p := range businessUnitPhases(o) {
			d.line(1, "%s:", q(u+"-"+p.name))
			d.line(2, "unit: %s", p.unit)
			d.line(2, "kind: %s", p.kind)
			d.line(2, "business_unit: %s", q(u))
			if p.kind == "production" {
				d.line(2, "protected: true")
			}
		}
	}
	writeSandboxAccount(d, o)
	d.blank()

	writePeople(d, o, true)

	d.comment(0, `
Stages: a deploy's stage name says its business unit and phase (retail-prod,
retail-stage, retail-feature-login). Ordered; the first rule that matches wins.
guard: ci means only the CI principal may deploy; confirm asks a person to
type the stage name first.`)
	d.line(0, "stages:")
	var prods, stagings []string
	for _, u := range o.BusinessUnits {
		prods = append(prods, u+"-prod")
		for _, s := range o.Stages {
			stagings = append(stagings, u+"-"+s)
		}
	}
	d.line(1, "- match: %s", list(prods))
	d.line(2, `account: "{stage}"`)
	d.line(2, "role: %s", roleDeployer)
	d.line(2, "guard: ci")
	if len(stagings) > 0 {
		d.line(1, "- match: %s", list(stagings))
		d.line(2, `account: "{stage}"`)
		d.line(2, "role: %s", roleAppEng)
		d.line(2, "guard: confirm")
	}
	for _, u := range o.BusinessUnits {
		d.line(1, "- match: %s", list([]string{u + "-dev", u + "-feature-*", u + "-hotfix-*", u + "-pr-*"}))
		d.line(2, "account: %s", q(u+"-dev"))
		d.line(2, "role: %s", roleAppEng)
	}
	writeSandboxStage(d, o)
	d.blank()

	writeCI(d, o)
	kinds := []string{"production", "development", "sandbox"}
	if len(o.Stages) > 0 {
		kinds = append(kinds, "staging")
	}
	writeRoles(d, kinds)
	writeGuardrails(d, []string{"Workloads", "Sandbox"})
	writeInvariants(d, true)
	writeLintFooter(d)
}
