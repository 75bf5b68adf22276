package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/bulkhead-dev/bulkhead/internal/access"
)

func (a *App) newAccessVerifyCmd() *cobra.Command {
	var live bool
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Prove the layout's invariants, or show the chains that break them",
		Long: `verify checks every invariant of the layout (the invariants section, e.g.
"group:engineers cannot write kind:production" or "only role:deployer can write
account:prod") against the organization the layout describes: people as IAM
users in the identity account, the CI principal, every role in every account
with its trust policy and the policy its account's kind selects, the
organization access role, and the SCPs and RCPs attached to the root, units
and accounts.

Each violation is printed with the chain of role assumptions that breaks it
(cannot, only) or the layer that blocks what must be possible (can). An access
that is possible only under a condition (MFA, a tag) breaks "cannot" and does
not prove "can": an invariant holds only when it is proven.

This is the check plan runs before apply, on the layout alone. With --live it
checks the organization the layout's target holds instead: its SCPs and RCPs as
attached and every account's IAM users, groups and roles as they are (read
with GetAccountAuthorizationDetails, member accounts through the organization
access role), with the layout's group and role names.

Exit status: 0 when every invariant holds, 1 on any violation or bad input.`,
		Example: `  bulkhead access verify
  bulkhead -C infra access verify --output json
  bulkhead access verify --live`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			m, l, err := a.accessModelFor(cmd.Context(), live)
			if err != nil {
				return err
			}
			rep, err := m.Verify(l.Invariants)
			if err != nil {
				return &ExitError{Code: 1, Message: err.Error()}
			}
			if err := a.Render(rep, func(w io.Writer) error { return writeInvariantReport(w, rep) }); err != nil {
				return err
			}
			if !rep.OK() {
				return &ExitError{Code: 1}
			}
			return nil
		},
	}
	a.addLiveFlag(cmd, &live)
	return cmd
}

func writeInvariantReport(w io.Writer, rep *access.Report) error {
	if len(rep.Invariants) == 0 {
		_, err := fmt.Fprintln(w, "the layout has no invariants: add some under `invariants:` (docs/layout.md)")
		return err
	}
	held := 0
	for _, inv := range rep.Invariants {
		if inv.Holds {
			held++
			fmt.Fprintf(w, "ok    %s\n", inv.Invariant)
			writeNotes(w, inv.Notes)
			continue
		}
		fmt.Fprintf(w, "FAIL  %s (%s)\n", inv.Invariant, inv.Pos)
		writeNotes(w, inv.Notes)
		for _, v := range inv.Violations {
			if v.Principal == "" {
				fmt.Fprintf(w, "      %s\n", v.Reason)
				continue
			}
			fmt.Fprintf(w, "      %s in %s: %s", v.Principal, v.Account, v.Reason)
			if len(v.Chain) > 0 {
				fmt.Fprintf(w, ", through %s", strings.Join(v.Chain, " -> "))
			}
			if v.Action != "" {
				fmt.Fprintf(w, ": %s on %s", v.Action, v.Resource)
				if v.Statement != "" {
					fmt.Fprintf(w, " (allowed by %s)", v.Statement)
				}
			}
			if len(v.If) > 0 && !strings.Contains(v.Reason, " if ") && !strings.HasPrefix(v.Reason, "only if") {
				fmt.Fprintf(w, ", only if %s", strings.Join(v.If, " and "))
			}
			fmt.Fprintln(w)
		}
	}
	_, err := fmt.Fprintf(w, "%d of %d invariants hold, %d violations\n", held, len(rep.Invariants), rep.Violations)
	return err
}

func writeNotes(w io.Writer, notes []string) {
	for _, n := range notes {
		fmt.Fprintf(w, "      note: %s\n", n)
	}
}
