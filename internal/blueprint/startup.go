package blueprint

// writeStartup writes the startup blueprint: seeds 000, 001 and 003.
//
//	management (root)  security (Security)  shared-services (Infrastructure)
//	prod (Workloads/Production, protected)
//	one account per staging stage (Workloads/Staging)
//	dev, shared by feature-*, hotfix-*, pr-* (Workloads/Development)
//	sandbox-{developer} (Sandbox)
func writeStartup(d *doc, o Options) {
	writeHeader(d, o, `Blueprint "startup", from the playbook (seeds 000, 001 and 003):
`+bullets(
		"the management account holds the organization and the bill, no\nworkloads (seed 003);",
		"production has an account of its own, alone in its unit and protected\n(seeds 000, 001);",
		"each staging stage has its own account, as each must mirror production\n(seed 000: \"one account for EACH Staging environment\");",
		"all feature, hotfix and pull-request stages share one development account\n(seed 000: \"one account for ALL Development environments\");",
		"each developer has a sandbox account (seed 000).",
	))
	writeOrganization(d, o)

	d.comment(0, `
Organizational units. Workloads are split by environment so that one policy
attachment guards all of production, all of staging, and so on; Security and
Infrastructure hold the accounts that serve the others; Sandbox holds the
developers' playgrounds. At most 5 levels deep (AWS).`)
	d.line(0, "units:")
	for _, u := range []string{"Security", "Infrastructure", "Workloads/Production", "Workloads/Staging", "Workloads/Development", "Sandbox"} {
		d.line(1, "- %s", u)
	}
	d.blank()

	d.comment(0, `
Accounts: each is a bulkhead. Security, faults (a runaway deploy, an exhausted
service limit) and the bill all stop at the account's edge (seeds 000, 002).
Emails follow organization.email unless set.`)
	d.line(0, "accounts:")
	writeManagementAccount(d)
	d.comment(1, `
Security tooling and the organization's CloudTrail logs. One account for a
startup; split a log-archive account out when you grow.`)
	d.line(1, "security:")
	d.line(2, "unit: Security")
	d.line(2, "kind: security")
	d.comment(1, "What every environment uses: CI runners, artifact buckets, DNS delegation.")
	d.line(1, "shared-services:")
	d.line(2, "unit: Infrastructure")
	d.line(2, "kind: shared")
	d.comment(1, `
Production, alone: "You want to apply very strict IAM access permissions to
this account" (seed 000). Protected: bulkhead never closes it or moves it out
of its unit.`)
	d.line(1, "prod:")
	d.line(2, "unit: Workloads/Production")
	d.line(2, "kind: production")
	d.line(2, "protected: true")
	if len(o.Stages) > 0 {
		d.comment(1, `
One account per staging stage: "You don't want to have multiple Staging
environments share the same account because each Staging environment needs
to mirror Production as closely as possible" (seed 000).`)
		for _, s := range o.Stages {
			d.line(1, "%s:", q(s))
			d.line(2, "unit: Workloads/Staging")
			d.line(2, "kind: staging")
		}
	}
	d.comment(1, `
One account for every short-lived stage (feature-*, hotfix-*, pr-*): they can
share infrastructure and talk to each other without cross-account IAM
(seed 000).`)
	d.line(1, "dev:")
	d.line(2, "unit: Workloads/Development")
	d.line(2, "kind: development")
	writeSandboxAccount(d, o)
	d.blank()

	writePeople(d, o, true)

	d.comment(0, `
Stages: which account a deploy of a stage goes to, and as which role. Ordered;
the first rule that matches wins (bulkhead stage resolve NAME shows which).
guard: ci means only the CI principal may deploy; confirm asks a person to
type the stage name first.`)
	d.line(0, "stages:")
	d.line(1, "- match: prod")
	d.line(2, "account: prod")
	d.line(2, "role: %s", roleDeployer)
	d.line(2, "guard: ci")
	if len(o.Stages) > 0 {
		if len(o.Stages) == 1 {
			d.line(1, "- match: %s", q(o.Stages[0]))
		} else {
			d.line(1, "- match: %s", list(o.Stages))
		}
		d.line(2, `account: "{stage}"`)
		d.line(2, "role: %s", roleAppEng)
		d.line(2, "guard: confirm")
	}
	d.line(1, `- match: ["feature-*", "hotfix-*", "pr-*"]`)
	d.line(2, "account: dev")
	d.line(2, "role: %s", roleAppEng)
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
