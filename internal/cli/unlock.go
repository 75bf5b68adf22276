package cli

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/bulkhead-dev/bulkhead/internal/plan"
)

// unlockResult is what unlock --output json prints.
type unlockResult struct {
	Locked bool           `json:"locked"`
	Holder *plan.LockInfo `json:"holder,omitempty"`
	Age    string         `json:"age,omitempty"`
	Broken bool           `json:"broken"`
}

func (a *App) newUnlockCmd() *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "unlock",
		Short: "Show or break the apply lock on the organization",
		Long: `unlock shows who holds the apply lock (the tag bulkhead:lock on the
organization's root, set by bulkhead apply for its duration) and for how long.
With --force it breaks the lock: do that only when the apply that holds it is
gone (a crashed machine, a cancelled CI job), never while it runs.

apply takes over a lock by itself when its holder ran on the same host and its
process no longer exists, or when the lock is older than an hour.`,
		Example: `  bulkhead unlock
  bulkhead unlock --force`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.runUnlock(cmd.Context(), force)
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "break the lock whoever holds it")
	a.addProfileFlag(cmd)
	return cmd
}

func (a *App) runUnlock(ctx context.Context, force bool) error {
	l, err := a.mustLoadLayout()
	if err != nil {
		return err
	}
	p, closer, err := a.openProvider(ctx, l)
	if err != nil {
		return err
	}
	defer closer.Close()
	live, err := plan.ReadLive(ctx, p)
	if err != nil {
		return fmt.Errorf("read the organization: %w", err)
	}
	res := unlockResult{}
	if live.ID != "" {
		info, held, err := plan.ReadLock(ctx, p, live.RootID)
		if err != nil {
			return err
		}
		if held {
			res.Locked, res.Holder = true, &info
			if !info.Time.IsZero() {
				res.Age = info.Age(a.Now()).String()
			}
			if force {
				if err := plan.BreakLock(ctx, p, live.RootID); err != nil {
					return err
				}
				res.Broken = true
			}
		}
	}
	return a.Render(res, func(w io.Writer) error {
		switch {
		case live.ID == "":
			_, err := fmt.Fprintln(w, "No organization yet: nothing is locked.")
			return err
		case !res.Locked:
			_, err := fmt.Fprintln(w, "The organization is not locked.")
			return err
		}
		age := res.Age
		if age == "" {
			age = "an unknown time"
		}
		fmt.Fprintf(w, "Locked by %s since %s (%s ago).\n", res.Holder, holderTime(res.Holder.Time), age)
		if res.Broken {
			_, err := fmt.Fprintln(w, "Broke the lock.")
			return err
		}
		_, err := fmt.Fprintln(w, "If that apply is gone, break the lock with: bulkhead unlock --force")
		return err
	})
}

func holderTime(t time.Time) string {
	if t.IsZero() {
		return "an unknown time"
	}
	return t.UTC().Format(time.RFC3339)
}
