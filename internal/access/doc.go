// Package access analyses who can do what in an organization: it builds the
// principals of a layout (people as IAM users in the identity account, with
// their groups; the CI principal; the roles of every account with their
// trust policies; the organization access role), the role-assumption graph
// across accounts, and answers questions in access classes (read, write,
// admin, from the catalog in internal/actions) or single actions:
// can, who-can, the access matrix, and the layout's invariants (Verify,
// which plan and apply call). Build makes the model of what a layout
// creates; FromSnapshot the model of a live organization, from what the
// CLI reads through the AWS APIs (the same questions, the same engine).
//
// Every answer is computed with internal/policy, AWS's evaluation algorithm,
// never approximated: an edge P → R of the graph exists when one evaluation
// with P's identity policies, permissions boundary and SCP chain on the
// caller side and R's trust policy (and RCP chain) on the other allows
// sts:AssumeRole (sts:AssumeRoleWithWebIdentity for GitHub's OIDC principal).
// A principal "can write account X" when some principal it reaches (itself,
// or a role through a chain) is allowed at least one write- or admin-class
// action of the catalog on a resource in X. A decision that depends on a
// context key nobody knows offline (aws:MultiFactorAuthPresent, a tag) is
// reported as conditional, with the condition, never guessed.
//
// Resources are chosen as witnesses: "*" and the resource patterns of the
// principal's own Allow statements, put in the account asked about. A
// resource-based policy could let a principal of another account in; the
// layout declares none, so only principals of account X act on X.
//
// What it must not do: any I/O (documents come in through the layout and the
// Managed lookup), import the local AWS (internal/emulator), or guess the
// outcome of a condition. A Model caches answers and is not safe for
// concurrent use.
package access
