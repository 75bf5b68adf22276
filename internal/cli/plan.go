package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/bulkhead-dev/bulkhead/internal/layout"
	"github.com/bulkhead-dev/bulkhead/internal/org"
	"github.com/bulkhead-dev/bulkhead/internal/plan"
	"github.com/bulkhead-dev/bulkhead/internal/provider"
)

// planFlags are the flags plan and apply share.
type planFlags struct {
	allowDestroy    bool
	maxDestroy      int
	removeAccounts  bool
	allowViolations bool
}

func (f *planFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.BoolVar(&f.allowDestroy, "allow-destroy", false, "plan destructive operations: close accounts, delete units and policies, detach guardrail policies")
	fl.IntVar(&f.maxDestroy, "max-destroy", 10, "refuse a plan with more than `N` destructive operations (0: no cap)")
	fl.BoolVar(&f.removeAccounts, "remove-accounts", false, "with --allow-destroy, remove accounts missing from the layout from the organization instead of closing them")
	fl.BoolVar(&f.allowViolations, "allow-invariant-violations", false, "accept a plan whose planned state breaks the layout's invariants (apply warns loudly)")
}

// iamStep plans the IAM of every account (people, groups, roles, the CI
// principal, password policy, alias) and checks the layout's invariants on
// the planned state. A provider that cannot reach IAM plans none.
func (a *App) iamStep(p provider.Provider, l *layout.Layout, f planFlags) *plan.IAMStep {
	s := &plan.IAMStep{Layout: l, StateDir: a.stateDir(), AllowDestroy: f.allowDestroy, AllowViolations: f.allowViolations}
	if ip, ok := p.(plan.IAMProvider); ok {
		s.Provider = ip
	}
	return s
}

// warnViolations prints the loud warning of --allow-invariant-violations.
func (a *App) warnViolations(pl *plan.Plan) {
	if len(pl.Violations) == 0 {
		return
	}
	fmt.Fprintf(a.Err, "bulkhead: WARNING: --allow-invariant-violations: this plan breaks %s of the layout:\n", plural(len(pl.Violations), "invariant"))
	for _, v := range pl.Violations {
		fmt.Fprintf(a.Err, "bulkhead: WARNING:   %s\n", v)
	}
}

func (f *planFlags) options() plan.Options {
	return plan.Options{AllowDestroy: f.allowDestroy, MaxDestroy: f.maxDestroy, RemoveAccounts: f.removeAccounts}
}

// stateDir is the .bulkhead directory next to the layout file (-C and -f
// aware): journal and last applied state.
func (a *App) stateDir() string {
	return filepath.Join(filepath.Dir(a.LayoutPath()), plan.StateDirName)
}

func (a *App) newPlanCmd() *cobra.Command {
	var (
		pf       planFlags
		out      string
		detailed bool
	)
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "Show what apply would change in the organization",
		Long: `plan reads the layout file and the live organization of its target (the local
AWS by default, real AWS with organization.target: aws) and shows the operations
that would make the organization match the layout: units to create, rename or
replace (AWS cannot move an OU), accounts to create or move, tags, policies to
create, update, attach or detach, policy types to enable; and under "People and
roles" the IAM of every account: people's users, groups and their policies in
the identity account, each role in every account whose kind has a policy for it
(trust, policy, boundary, tags, maximum session), GitHub's OIDC provider, the
password policy and the alias. Member accounts are read by assuming the
organization access role once per account.

plan also checks the layout's invariants on the planned state (as bulkhead
access verify does) and lists the violations; apply refuses such a plan unless
--allow-invariant-violations is given, and then warns loudly.

Accounts are matched by email first, then by name, and the plan says which:
renaming an account in the layout never creates a new one. Anything changed
outside bulkhead since the last apply (a policy detached, an account moved, a
tag edited) is shown as drift, with the live and the wanted value; apply reverts
it. Accounts, units and policies the layout does not name are listed as
unmanaged and left alone; closing or deleting them needs --allow-destroy.
Protected accounts are never closed, removed or moved out of their unit.

--out saves the plan with a fingerprint of the live state it was made from;
bulkhead apply FILE applies exactly that plan, and refuses it when the
organization changed in between.

Exit status 0 on success, 1 on error or when the plan has errors; with
--detailed-exitcode, 0 when there are no changes and 2 when there are.`,
		Example: `  bulkhead plan
  bulkhead plan --out changes.plan && bulkhead apply changes.plan
  bulkhead plan --detailed-exitcode    # in CI: 2 means drift or pending changes
  bulkhead plan --allow-destroy -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.runPlan(cmd.Context(), pf, out, detailed)
		},
	}
	pf.register(cmd)
	cmd.Flags().StringVar(&out, "out", "", "save the plan to `FILE` for bulkhead apply FILE")
	cmd.Flags().BoolVar(&detailed, "detailed-exitcode", false, "exit 0 when there are no changes, 2 when there are, 1 on error")
	a.addProfileFlag(cmd)
	return cmd
}

func (a *App) runPlan(ctx context.Context, pf planFlags, out string, detailed bool) error {
	l, err := a.mustLoadLayout()
	if err != nil {
		return err
	}
	desired := org.FromLayout(l)
	p, closer, err := a.openProvider(ctx, l)
	if err != nil {
		return err
	}
	defer closer.Close()
	pl, live, err := plan.MakePlan(ctx, p, desired, a.stateDir(), pf.options())
	if err != nil {
		return fmt.Errorf("read the organization: %w", err)
	}
	if err := a.iamStep(p, l, pf).Extend(ctx, pl, live); err != nil && !errors.Is(err, plan.ErrInvariantViolations) {
		return err
	}
	if pf.allowViolations {
		a.warnViolations(pl)
	}
	if a.Logger != nil {
		a.Logger.Debug("read the live organization", "requests", pl.ReadCalls, "byOperation", fmt.Sprint(p.Calls().Calls))
	}
	if out != "" {
		if err := pl.Save(a.Path(out)); err != nil {
			return err
		}
	}
	err = a.Render(pl, func(w io.Writer) error {
		if err := pl.Text(w, plan.RenderOptions{Color: a.Color()}); err != nil {
			return err
		}
		if out != "" && len(pl.Errors) == 0 {
			_, err := fmt.Fprintf(w, "\nSaved the plan to %s. Apply exactly it with: bulkhead apply %s\n", out, out)
			return err
		}
		return nil
	})
	if err != nil {
		return err
	}
	switch {
	case len(pl.Errors) > 0:
		return &ExitError{Code: 1, Message: fmt.Sprintf("the plan has %s; fix the layout or the flags", plural(len(pl.Errors), "error"))}
	case len(pl.Violations) > 0 && !pf.allowViolations:
		return &ExitError{Code: 1, Message: fmt.Sprintf("the planned state breaks %s of the layout; apply refuses it (fix the layout, or --allow-invariant-violations)", plural(len(pl.Violations), "invariant"))}
	case detailed && pl.Changes():
		return &ExitError{Code: 2}
	}
	return nil
}
