package blueprint

// writeMinimal writes the smallest layout that still follows the playbook's
// first rule, production apart from everything else (seed 001: "Or at the
// very least keep your production environment separate from the rest"): a
// management account, one production account and one development account.
func writeMinimal(d *doc, o Options) {
	writeHeader(d, o, `Blueprint "minimal": the least that follows the playbook's first rule,
"at the very least keep your production environment separate from the rest of
your environments" (seed 001):
`+bullets(
		"a management account with no workloads (seed 003);",
		"one production account, protected;",
		"one development account for every other stage.",
	)+`Grow it into the startup blueprint (bulkhead init --blueprint startup) when
you want staging accounts and developer sandboxes.`)
	writeOrganization(d, o)

	d.comment(0, "Organizational units: production apart, so its guardrails can differ.")
	d.line(0, "units:")
	d.line(1, "- Workloads/Production")
	d.line(1, "- Workloads/Development")
	d.blank()

	d.comment(0, "Accounts: each is a bulkhead for security, faults and the bill (seeds 000, 002).")
	d.line(0, "accounts:")
	writeManagementAccount(d)
	d.comment(1, `
Production, alone and protected: bulkhead never closes it or moves it out
of its unit.`)
	d.line(1, "prod:")
	d.line(2, "unit: Workloads/Production")
	d.line(2, "kind: production")
	d.line(2, "protected: true")
	d.comment(1, "Everything that is not production.")
	d.line(1, "dev:")
	d.line(2, "unit: Workloads/Development")
	d.line(2, "kind: development")
	d.blank()

	writePeople(d, o, false)

	d.comment(0, `
Stages: which account a deploy of a stage goes to, and as which role. Ordered;
the first rule that matches wins. guard: ci means only the CI principal may
deploy to production.`)
	d.line(0, "stages:")
	d.line(1, "- match: prod")
	d.line(2, "account: prod")
	d.line(2, "role: %s", roleDeployer)
	d.line(2, "guard: ci")
	d.line(1, `- match: [dev, "feature-*", "hotfix-*", "pr-*"]`)
	d.line(2, "account: dev")
	d.line(2, "role: %s", roleAppEng)
	d.blank()

	writeCI(d, o)
	writeRoles(d, []string{"production", "development"})
	writeGuardrails(d, []string{"Workloads"})
	writeInvariants(d, false)
	writeLintFooter(d)
}
