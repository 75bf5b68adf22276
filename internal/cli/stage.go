package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/bulkhead-dev/bulkhead/internal/stages"
)

func (a *App) newStageCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "stage",
		Short: "Route deploy stages to accounts",
		Long: `stage shows how the layout's stages section routes a deploy stage (prod,
preprod, feature-login, sandbox-alice, ...) to an account, a role and a guard.
Rules are tried in order and the first whose pattern matches the whole stage
name wins; patterns use * and ? and the placeholder {developer}, and the
account may use {stage} and {developer}.`,
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(a.newStageResolveCmd(), a.newStageListCmd())
	return cmd
}

// noMatch is what `stage resolve --output json` prints when no rule matches.
type noMatch struct {
	Stage   string             `json:"stage"`
	Matched bool               `json:"matched"`
	Nearest []stages.Candidate `json:"nearest"`
}

func (a *App) newStageResolveCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "resolve NAME",
		Short: "Show the account, role and rule a stage routes to",
		Long: `resolve prints the account, role and guard the stage NAME routes to, and the
rule that matched. When no rule matches it fails (exit status 1) and lists the
nearest rules; with --output json it prints {"stage", "matched": false,
"nearest": [...]} instead.
The layout must be valid (see bulkhead validate). Account ids are not known
until the layout is applied.`,
		Example: `  bulkhead stage resolve prod
  bulkhead stage resolve feature-login
  bulkhead stage resolve sandbox-alice --output json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			l, err := a.mustLoadLayout()
			if err != nil {
				return err
			}
			res, err := stages.Resolve(l, args[0])
			if err != nil {
				var nm *stages.NoMatchError
				if errors.As(err, &nm) {
					if a.JSON() {
						// Scripts get the nearest rules as data, and the exit code.
						if err := a.Render(noMatch{Stage: nm.Stage, Matched: false, Nearest: nm.Nearest}, nil); err != nil {
							return err
						}
						return &ExitError{Code: 1}
					}
					return &ExitError{Code: 1, Message: nm.Error() + "\n    hint: add a rule under `stages:` in " + a.LayoutPath() + ", or check the stage name"}
				}
				return err
			}
			return a.Render(res, func(w io.Writer) error {
				tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
				fmt.Fprintf(tw, "stage\t%s\n", res.Stage)
				fmt.Fprintf(tw, "account\t%s\n", res.Account)
				role := res.Role
				if role == "" {
					role = "(none)"
				}
				fmt.Fprintf(tw, "role\t%s\n", role)
				fmt.Fprintf(tw, "guard\t%s\n", res.Guard)
				fmt.Fprintf(tw, "rule\t%d at %s, pattern %q\n", res.Rule, res.RulePos, res.Pattern)
				if d, ok := res.Bindings["developer"]; ok {
					fmt.Fprintf(tw, "developer\t%s\n", d)
				}
				return tw.Flush()
			})
		},
	}
}

func (a *App) newStageListCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "Print the routing table: each stage rule and the accounts it reaches",
		Long: `list prints one row per stage rule, in the order they are tried: the patterns
it matches, the account (as written), the role, the guard, and the concrete
accounts it can route to. A "+" after the accounts marks a rule whose account
depends on a wildcard-matched stage name ({stage} with a pattern such as
"qa-*"), which would reach more accounts if they existed.`,
		Example: `  bulkhead stage list
  bulkhead stage list --output json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			l, err := a.mustLoadLayout()
			if err != nil {
				return err
			}
			routes := stages.List(l)
			return a.Render(routes, func(w io.Writer) error {
				tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "RULE\tMATCH\tACCOUNT\tROLE\tGUARD\tREACHES")
				for _, r := range routes {
					reach := strings.Join(r.Accounts, ", ")
					if r.Open {
						reach += " +"
					}
					role := r.Role
					if role == "" {
						role = "-"
					}
					fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", r.Rule, strings.Join(r.Match, ", "), r.Account, role, r.Guard, reach)
				}
				return tw.Flush()
			})
		},
	}
}
