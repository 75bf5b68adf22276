package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/bulkhead-dev/bulkhead/internal/access"
)

// usageError is bad input on the command line: exit 1 with the message.
func usageError(format string, args ...any) error {
	return &ExitError{Code: 1, Message: fmt.Sprintf(format, args...)}
}

func (a *App) newAccessCanCmd() *cobra.Command {
	var live bool
	cmd := &cobra.Command{
		Use:   "can PRINCIPAL ACTION|CLASS TARGET",
		Short: "Say whether a principal can do something in some accounts, and how",
		Long: `can answers whether PRINCIPAL may perform ACTION (an IAM action such as
s3:PutObject, globs allowed) or any action of a CLASS (read, write or admin, from
bulkhead's catalog of AWS actions) on resources of the TARGET accounts, in the
organization the layout describes.

PRINCIPAL is user:NAME, group:NAME (every member), role:NAME[@ACCOUNT] or ci.
TARGET is account:NAME, kind:KIND, unit:PATH or *.

The answer is yes, no or conditional (allowed only if a condition on a context
key holds, such as aws:MultiFactorAuthPresent). For yes it prints the chain of
role assumptions that grants it and the statement that allows; for no, each
principal of the account and the layer that blocks it (the trust policy, the
caller's identity policies, an SCP...). Every decision is made by bulkhead's
implementation of AWS's policy evaluation, with both sides of every
AssumeRole evaluated.

With --live, the organization the layout's target holds is analysed instead:
its SCPs and RCPs as attached, and every account's IAM users, groups and roles
as they are (read with GetAccountAuthorizationDetails, member accounts through
the organization access role).

Exit status: 0 whatever the answer, 1 on bad input.`,
		Example: `  bulkhead access can user:alice write account:prod
  bulkhead access can group:engineers write kind:production
  bulkhead access can ci s3:PutObject account:prod --output json
  bulkhead access can role:appeng@dev iam:CreateRole account:dev`,
		Args: cobra.ExactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			acc, err := access.ParseAccess(args[1])
			if err != nil {
				return usageError("can: %v", err)
			}
			tgt, err := access.ParseTarget(args[2])
			if err != nil {
				return usageError("can: %v", err)
			}
			m, _, err := a.accessModelFor(cmd.Context(), live)
			if err != nil {
				return err
			}
			ans, err := m.Can(args[0], acc, tgt)
			if err != nil {
				return usageError("can: %v", err)
			}
			return a.Render(ans, func(w io.Writer) error { return writeAnswer(w, ans) })
		},
	}
	a.addLiveFlag(cmd, &live)
	return cmd
}

// addLiveFlag registers --live (and --profile for target aws).
func (a *App) addLiveFlag(cmd *cobra.Command, live *bool) {
	cmd.Flags().BoolVar(live, "live", false, "analyse the live organization of the layout's target (IAM read in every account through the organization access role) instead of the layout")
	a.addProfileFlag(cmd)
}

func writeAnswer(w io.Writer, ans *access.Answer) error {
	fmt.Fprintf(w, "%s %s %s: %s\n", ans.Principal, ans.Access, ans.Target, ans.Result)
	for _, f := range ans.Findings {
		writeFinding(w, f)
	}
	return nil
}

func writeFinding(w io.Writer, f access.Finding) {
	fmt.Fprintf(w, "  %s in %s: %s", f.Principal, f.Account, f.Result)
	if f.Result == "no" {
		fmt.Fprintln(w)
		for _, b := range f.Blocked {
			where := "not reached"
			if b.Reachable {
				where = "reached: " + strings.Join(b.Chain, " -> ")
			}
			fmt.Fprintf(w, "    %s (%s): %s\n", b.Principal, where, b.Reason)
		}
		return
	}
	fmt.Fprintf(w, ", through %s: %s on %s", strings.Join(f.Chain, " -> "), f.Action, f.Resource)
	if f.Statement != "" {
		fmt.Fprintf(w, " (allowed by %s)", f.Statement)
	}
	if len(f.If) > 0 {
		fmt.Fprintf(w, ", only if %s", strings.Join(f.If, " and "))
	}
	fmt.Fprintln(w)
}
