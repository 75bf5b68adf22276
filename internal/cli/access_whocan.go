package cli

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/bulkhead-dev/bulkhead/internal/access"
)

// whoCanOutput is `access who-can --output json`.
type whoCanOutput struct {
	Access   string           `json:"access"`
	Target   string           `json:"target"`
	Findings []access.Finding `json:"findings"`
}

func (a *App) newAccessWhoCanCmd() *cobra.Command {
	var live bool
	cmd := &cobra.Command{
		Use:   "who-can ACTION|CLASS TARGET",
		Short: "List the principals that can do something in some accounts",
		Long: `who-can lists who may perform ACTION (an IAM action such as s3:PutObject,
globs allowed) or any action of a CLASS (read, write or admin) on resources of
the TARGET accounts (account:NAME, kind:KIND, unit:PATH or *): first the people
and the CI principal, each with the chain of role assumptions that gives it,
then the roles of those accounts that hold it themselves (whoever may assume
them). Conditional answers say the condition. --live analyses the live
organization instead of the layout.

Exit status: 0, or 1 on bad input.`,
		Example: `  bulkhead access who-can write account:prod
  bulkhead access who-can iam:CreateRole kind:staging
  bulkhead access who-can admin '*' --output json`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			acc, err := access.ParseAccess(args[0])
			if err != nil {
				return usageError("who-can: %v", err)
			}
			tgt, err := access.ParseTarget(args[1])
			if err != nil {
				return usageError("who-can: %v", err)
			}
			m, _, err := a.accessModelFor(cmd.Context(), live)
			if err != nil {
				return err
			}
			fs, err := m.WhoCan(acc, tgt)
			if err != nil {
				return usageError("who-can: %v", err)
			}
			out := whoCanOutput{Access: acc.String(), Target: tgt.String(), Findings: fs}
			return a.Render(out, func(w io.Writer) error {
				if len(fs) == 0 {
					_, err := fmt.Fprintf(w, "nobody can %s %s\n", acc, tgt)
					return err
				}
				fmt.Fprintf(w, "who can %s %s:\n", acc, tgt)
				for _, f := range fs {
					writeFinding(w, f)
				}
				return nil
			})
		},
	}
	a.addLiveFlag(cmd, &live)
	return cmd
}
