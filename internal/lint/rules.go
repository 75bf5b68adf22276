package lint

import "github.com/bulkhead-dev/bulkhead/internal/diag"

// rules is the rule table. docs/lint.md documents each entry; a test checks
// that every id here has a section there.
func rules() []Rule {
	return []Rule{
		{
			ID: "management-workloads", Severity: diag.Error, Silenceable: true,
			Title:  "workloads in the management account",
			Reason: `seed 003: the management account "shouldn't be an environment nor product, it shouldn't contain any deployed service", and SCPs never restrict it.`,
			check:  checkManagementWorkloads,
		},
		{
			ID: "production-shared-account", Severity: diag.Error, Silenceable: true,
			Title:  "production sharing an account with a non-production stage",
			Reason: `seeds 000 and 001: production gets an account of its own, so that a deploy meant for dev can never land in production.`,
			check:  checkProductionShared,
		},
		{
			ID: "staging-shared-account", Severity: diag.Warning, Silenceable: true,
			Title:  "two staging stages sharing an account",
			Reason: `seed 000: "You don't want to have multiple Staging environments share the same account because each Staging environment needs to mirror Production as closely as possible."`,
			check:  checkStagingShared,
		},
		{
			ID: "developer-without-sandbox", Severity: diag.Warning, Silenceable: true,
			Title:  "a listed developer without a sandbox account",
			Reason: `seed 000: "One account for EACH Developer environment. Each developer on your team has their own playground account."`,
			check:  checkDeveloperSandbox,
		},
		{
			ID: "management-email-person", Severity: diag.Warning, Silenceable: true,
			Title:  "a management account email that looks like a person's",
			Reason: `seed 003: "The email linked to the Master account shouldn't be an individual, but rather an alias"; people leave, and the root user's password resets go to that mailbox.`,
			check:  checkManagementEmail,
		},
		{
			ID: "guardrails-missing", Severity: diag.Warning, Silenceable: true,
			Title:  "a workload account no SCP covers",
			Reason: `AWS Organizations best practices (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_best-practices.html): guardrail SCPs keep workload accounts in the organization with their audit trail on, whatever their own administrators do.`,
			check:  checkGuardrails,
		},
		{
			ID: "person-group-limit", Severity: diag.Error, Silenceable: true,
			Title:  "a person in more than 10 groups",
			Reason: `IAM quotas (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html): an IAM user can be a member of at most 10 groups, a limit seed 003's CTO hit; apply would fail.`,
			check:  checkGroupLimit,
		},
		{
			ID: "production-stage-guard", Severity: diag.Error, Silenceable: true,
			Title:  "a production stage without a guard",
			Reason: `seed 000: "not every developer on your team should have write access from their terminal to the production environment"; seed 003: deploy through CI, not by hand.`,
			check:  checkProductionGuard,
		},
		{
			ID: "production-unprotected", Severity: diag.Warning, Silenceable: true,
			Title:  "a production account not protected",
			Reason: `seed 000: production needs "very strict" handling; protected: true makes bulkhead refuse to close it or move it out of its unit.`,
			check:  checkProductionProtected,
		},
		{
			ID: ruleSilenceInvalid, Severity: diag.Error, Silenceable: false,
			Title:  "a silence without a reason, or naming an unknown rule",
			Reason: `a silenced rule is a decision; its reason is what the next reader needs, and a misspelt rule id silences nothing.`,
		},
		{
			ID: ruleSilenceUnused, Severity: diag.Info, Silenceable: false,
			Title:  "a silence for a rule that finds nothing",
			Reason: `a stale silence would hide the rule's findings when the layout changes again.`,
		},
	}
}
