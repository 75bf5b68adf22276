package cli

import (
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/bulkhead-dev/bulkhead/internal/diag"
	"github.com/bulkhead-dev/bulkhead/internal/policy"
)

// newAccessCmd is the `access` group: questions about who may do what,
// answered offline by the policy engine in internal/policy.
func (a *App) newAccessCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "access",
		Short: "Answer who can do what, offline, with AWS's policy evaluation algorithm",
		Long: `access answers authorization questions with bulkhead's IAM policy engine,
which implements AWS's documented evaluation algorithm: explicit denies,
SCP and RCP chains, resource-based and trust policies with AWS's same-account
rules, identity policies, permissions boundaries, session policies and
cross-account requests. Every answer comes with the statements that decided it.`,
	}
	cmd.AddCommand(a.newAccessSimulateCmd())
	cmd.AddCommand(a.newAccessCanCmd())
	cmd.AddCommand(a.newAccessWhoCanCmd())
	cmd.AddCommand(a.newAccessMatrixCmd())
	cmd.AddCommand(a.newAccessVerifyCmd())
	return cmd
}

// simulateOutput is the JSON form of a simulated decision.
type simulateOutput struct {
	Decision    string              `json:"decision"`
	Conditional []string            `json:"conditional"`
	Explanation *policy.Explanation `json:"explanation"`
}

func (a *App) newAccessSimulateCmd() *cobra.Command {
	var file string
	cmd := &cobra.Command{
		Use:   "simulate -f REQUEST.json",
		Short: "Decide one request with every layer of policy given inline",
		Long: `simulate decides one request (principal, action, resource, context keys)
against the policies given inline in REQUEST.json: identity policies,
permissions boundaries, a session policy, a resource-based or trust policy, and
the SCP and RCP chains of AWS Organizations, root first. An absent layer does
not apply. The format is described in docs/access.md.

It prints the decision (Allowed, ImplicitlyDenied or ExplicitlyDenied) and the
statements of each layer that matched. A condition on a context key the request
does not give makes the answer conditional: "Allowed only if ...". Give a key
the value null to say the request does not carry it.

Exit status: 0 for any decision, 1 when REQUEST.json is invalid (the errors
point at the line and column inside it).`,
		Example: `  bulkhead access simulate -f request.json
  bulkhead access simulate -f request.json --output json
  cat request.json | bulkhead access simulate -f -`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if file == "" {
				return fmt.Errorf("simulate: name the request file with -f REQUEST.json (or -f - for stdin)")
			}
			return a.runAccessSimulate(file)
		},
	}
	// -f shadows the global layout-file flag on this command: the issue
	// spells it `simulate -f REQUEST.json`. --request/-r is the same flag.
	cmd.Flags().StringVarP(&file, "file", "f", "", "the simulation input `REQUEST.json` (- for stdin)")
	cmd.Flags().StringVarP(&file, "request", "r", "", "same as -f: the simulation input `REQUEST.json`")
	return cmd
}

func (a *App) runAccessSimulate(file string) error {
	var (
		src  []byte
		err  error
		name = file
	)
	if file == "-" {
		src, err = io.ReadAll(a.In)
		name = "<stdin>"
	} else {
		src, err = os.ReadFile(a.Path(file))
	}
	if err != nil {
		return fmt.Errorf("simulate: %w", err)
	}
	sim, diags := policy.ParseSimulation(src, name)
	for _, d := range diags {
		if d.Severity != diag.Error {
			fmt.Fprintln(a.Err, d.String())
		}
	}
	if diags.HasErrors() {
		for _, d := range diags {
			if d.Severity == diag.Error {
				fmt.Fprintln(a.Err, d.String())
			}
		}
		return &ExitError{Code: 1, Message: fmt.Sprintf("simulate: %s is not a valid simulation input", name)}
	}
	set := policy.NewSet(sim.Layers)
	d, ex := set.Explain(sim.Request)
	out := simulateOutput{Decision: d.Result.String(), Conditional: d.Conditional(), Explanation: ex}
	if out.Conditional == nil {
		out.Conditional = []string{}
	}
	return a.Render(out, func(w io.Writer) error { return policy.WriteText(w, d, ex) })
}
