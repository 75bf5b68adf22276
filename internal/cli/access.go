package cli

import (
	"fmt"
	"io"
	"os"
	"strings"

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

// simulateOptions are the flags of access simulate.
type simulateOptions struct {
	file     string
	context  []string // KEY=VALUE, repeatable
	absent   []string // KEY, repeatable
	complete bool
}

func (a *App) newAccessSimulateCmd() *cobra.Command {
	var opts simulateOptions
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

--context KEY=VALUE sets a context key over the file's (repeat the flag with
the same key for a multi-valued key), --absent KEY says the request does not
carry KEY, and --context-complete makes every key not given absent, the way
the local AWS evaluates requests.

Exit status: 0 for any decision, 1 when REQUEST.json is invalid (the errors
point at the line and column inside it).`,
		Example: `  bulkhead access simulate -f request.json
  bulkhead access simulate -f request.json --output json
  bulkhead access simulate -f request.json --context aws:RequestedRegion=us-east-1
  bulkhead access simulate -f request.json --context aws:TagKeys=env --context aws:TagKeys=team
  cat request.json | bulkhead access simulate -f -`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.file == "" {
				return fmt.Errorf("simulate: name the request file with -f REQUEST.json (or -f - for stdin)")
			}
			return a.runAccessSimulate(opts)
		},
	}
	// -f shadows the global layout-file flag on this command: the issue
	// spells it `simulate -f REQUEST.json`. --request/-r is the same flag.
	f := cmd.Flags()
	f.StringVarP(&opts.file, "file", "f", "", "the simulation input `REQUEST.json` (- for stdin)")
	f.StringVarP(&opts.file, "request", "r", "", "same as -f: the simulation input `REQUEST.json`")
	f.StringArrayVar(&opts.context, "context", nil, "set a context key, overriding the file (`KEY=VALUE`; repeat for several values)")
	f.StringArrayVar(&opts.absent, "absent", nil, "say the request does not carry context key `KEY`")
	f.BoolVar(&opts.complete, "context-complete", false, "treat context keys not given as absent instead of unknown")
	return cmd
}

// applyContextFlags applies --context, --absent and --context-complete to
// the request read from the file.
func applyContextFlags(opts simulateOptions, r *policy.Request) error {
	values := map[string][]string{}
	var order []string
	for _, kv := range opts.context {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return fmt.Errorf("simulate: --context %q: want KEY=VALUE, e.g. --context aws:SourceIp=203.0.113.7", kv)
		}
		if _, seen := values[k]; !seen {
			order = append(order, k)
		}
		values[k] = append(values[k], v)
	}
	for _, k := range order {
		r.Context.Set(k, values[k]...)
	}
	for _, k := range opts.absent {
		if k == "" {
			return fmt.Errorf("simulate: --absent needs a condition key")
		}
		r.Context.SetAbsent(k)
	}
	if opts.complete {
		r.ContextComplete = true
	}
	return nil
}

func (a *App) runAccessSimulate(opts simulateOptions) error {
	file := opts.file
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
	if err := applyContextFlags(opts, sim.Request); err != nil {
		return err
	}
	set := policy.NewSet(sim.Layers)
	d, ex := set.Explain(sim.Request)
	out := simulateOutput{Decision: d.Result.String(), Conditional: d.Conditional(), Explanation: ex}
	if out.Conditional == nil {
		out.Conditional = []string{}
	}
	return a.Render(out, func(w io.Writer) error { return policy.WriteText(w, d, ex) })
}
