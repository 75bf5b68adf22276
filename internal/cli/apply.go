package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/bulkhead-dev/bulkhead/internal/org"
	"github.com/bulkhead-dev/bulkhead/internal/plan"
	"github.com/bulkhead-dev/bulkhead/internal/provider"
)

// applyFlags are apply's options.
type applyFlags struct {
	planFlags
	autoApprove bool
	parallelism int
	staleLock   time.Duration
	// step adds IAM and the invariant check (set by runApply).
	step *plan.IAMStep
}

func (a *App) newApplyCmd() *cobra.Command {
	var af applyFlags
	cmd := &cobra.Command{
		Use:   "apply [PLANFILE]",
		Short: "Make the organization match the layout",
		Long: `apply plans like bulkhead plan, shows the plan, asks for a typed "yes", and
runs it: operations in dependency order, --parallelism at a time, under the
provider's adaptive rate limiters and retries. It refuses to run without a
terminal unless --auto-approve is given.

With PLANFILE (from bulkhead plan --out) it applies exactly that plan, and
refuses it when the organization changed since the plan was made.

Two applies cannot run against one organization at once: apply holds a lock,
the tag bulkhead:lock on the organization's root, for its duration (see
bulkhead unlock). A lock older than --stale-lock, or held by a process of this
host that no longer runs, is taken over.

Account creation is journaled in .bulkhead/journal.json next to the layout:
interrupted (Ctrl-C, kill -9, a lost connection) and run again, apply resumes
each creation instead of sending CreateAccount twice for one email. When the management account is in no organization yet, apply creates
one first.

Progress goes to stderr, one line per operation; the final report lists every
operation as ok, failed (with AWS's error) or skipped (a dependency failed).
Exit status 0 when every operation succeeded, 1 otherwise.`,
		Example: `  bulkhead apply
  bulkhead apply --auto-approve --parallelism 20     # in CI
  bulkhead plan --out changes.plan && bulkhead apply changes.plan
  bulkhead apply --allow-destroy --max-destroy 2`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			file := ""
			if len(args) == 1 {
				file = args[0]
			}
			return a.runApply(cmd.Context(), af, file)
		},
	}
	af.register(cmd)
	cmd.Flags().BoolVar(&af.autoApprove, "auto-approve", false, "apply without asking for confirmation")
	cmd.Flags().IntVar(&af.parallelism, "parallelism", 10, "run at most `N` operations at once")
	cmd.Flags().DurationVar(&af.staleLock, "stale-lock", time.Hour, "take over a lock older than `AGE` (its apply is presumed dead)")
	a.addProfileFlag(cmd)
	return cmd
}

// applyResult is what apply --output json prints.
type applyResult struct {
	Plan   *plan.Plan   `json:"plan"`
	Report *plan.Report `json:"report,omitempty"`
	Error  string       `json:"error,omitempty"`
}

func (a *App) runApply(ctx context.Context, af applyFlags, file string) error {
	if af.parallelism < 1 {
		return fmt.Errorf("--parallelism %d: want 1 or more", af.parallelism)
	}
	if af.staleLock <= 0 {
		return fmt.Errorf("--stale-lock %s: want a positive duration such as 30m", af.staleLock)
	}
	l, err := a.mustLoadLayout()
	if err != nil {
		return err
	}
	desired := org.FromLayout(l)
	var saved *plan.Plan
	if file != "" {
		if saved, err = plan.Load(a.Path(file)); err != nil {
			return err
		}
		if saved.LayoutHash != "" && saved.LayoutHash != plan.DesiredHash(desired) {
			fmt.Fprintf(a.Err, "bulkhead: note: %s changed since %s was made; applying the saved plan as it is\n", a.LayoutPath(), file)
		}
	}
	if !af.autoApprove && !a.stdinIsTerminal() {
		return &ExitError{Code: 1, Message: "apply asks for a typed yes, but stdin is not a terminal: review the plan with bulkhead plan, then pass --auto-approve"}
	}
	if saved != nil && len(saved.Violations) > 0 && !af.allowViolations {
		return &ExitError{Code: 1, Message: fmt.Sprintf("%s breaks %s of the layout; apply refuses it (--allow-invariant-violations overrides)", file, plural(len(saved.Violations), "invariant"))}
	}
	p, closer, err := a.openProvider(ctx, l)
	if err != nil {
		return err
	}
	defer closer.Close()
	af.step = a.iamStep(p, l, af.planFlags)
	out, err := a.converge(ctx, p, desired, af, saved)
	return a.renderApply(out, err)
}

// converge runs the apply path with the CLI's streams: the prompt (unless
// auto-approved), progress on stderr, the lock holder from the process.
// The demo command uses it too.
func (a *App) converge(ctx context.Context, p provider.Provider, desired *org.Org, af applyFlags, saved *plan.Plan) (*plan.Outcome, error) {
	host, _ := os.Hostname()
	user := a.Getenv("USER")
	if user == "" {
		user = "bulkhead"
	}
	o := plan.ConvergeOptions{
		StateDir: a.stateDir(),
		Diff:     af.options(),
		Apply:    plan.ApplyOptions{Parallelism: af.parallelism, Progress: a.progressWriter()},
		Lock:     plan.LockOptions{Holder: user + "@" + host, Host: host, PID: os.Getpid(), Alive: processAlive(host), StaleAfter: af.staleLock},
		Saved:    saved,
		OnLocked: func(li plan.LockInfo) {
			fmt.Fprintf(a.Err, "bulkhead: taking over the lock of %s: its process is gone\n", li)
		},
	}
	if !af.autoApprove {
		o.Confirm = a.confirmPlan
	} else {
		o.Confirm = func(pl *plan.Plan) (bool, error) {
			if a.JSON() {
				return true, nil
			}
			return true, pl.Text(a.Out, plan.RenderOptions{Color: a.Color()})
		}
	}
	if af.step != nil {
		o.Extend = func(ctx context.Context, pl *plan.Plan, live *org.Org) error {
			err := af.step.Extend(ctx, pl, live)
			if err == nil && af.allowViolations {
				a.warnViolations(pl)
			}
			return err
		}
	}
	out, err := plan.Converge(ctx, p, desired, o)
	if pw, ok := o.Apply.Progress.(*statusLine); ok {
		pw.finish()
	}
	if af.step != nil && err == nil && out != nil {
		if serr := af.step.Applied(out.Report); serr != nil {
			return out, fmt.Errorf("record the applied IAM: %w", serr)
		}
	}
	return out, err
}

// progressWriter is where apply's progress goes: on a terminal, one status
// line rewritten in place (failures stay on their own line); otherwise a
// line per operation, for logs.
func (a *App) progressWriter() io.Writer {
	if !a.ErrIsTerminal {
		return a.Err
	}
	return &statusLine{w: a.Err}
}

// statusLine rewrites one terminal line per write.
type statusLine struct {
	w     io.Writer
	dirty bool
}

func (s *statusLine) Write(b []byte) (int, error) {
	line := strings.TrimRight(string(b), "\n")
	if strings.Contains(line, ": failed") {
		fmt.Fprintf(s.w, "\r\x1b[K%s\n", line)
		s.dirty = false
		return len(b), nil
	}
	fmt.Fprintf(s.w, "\r\x1b[K%s", line)
	s.dirty = true
	return len(b), nil
}

func (s *statusLine) finish() {
	if s.dirty {
		fmt.Fprint(s.w, "\r\x1b[K")
		s.dirty = false
	}
}

// confirmPlan shows the plan and asks for a typed yes.
func (a *App) confirmPlan(pl *plan.Plan) (bool, error) {
	if err := pl.Text(a.Out, plan.RenderOptions{Color: a.Color()}); err != nil {
		return false, err
	}
	fmt.Fprint(a.Out, "\nDo you want to apply these changes? Only 'yes' will be accepted: ")
	line, err := bufio.NewReader(a.In).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return false, err
	}
	fmt.Fprintln(a.Out)
	return strings.TrimSpace(line) == "yes", nil
}

func (a *App) stdinIsTerminal() bool {
	f, ok := a.In.(interface{ Fd() uintptr })
	return ok && term.IsTerminal(int(f.Fd()))
}

// processAlive reports a lock holder dead only when it ran on this host
// and its pid no longer exists.
func processAlive(host string) func(string, int) bool {
	return func(h string, pid int) bool {
		if h == "" || h != host || pid <= 0 {
			return true
		}
		return !processGone(pid)
	}
}

func (a *App) renderApply(out *plan.Outcome, err error) error {
	res := applyResult{}
	if out != nil {
		res.Plan, res.Report = out.Plan, out.Report
	}
	if err != nil {
		res.Error = err.Error()
	}
	if a.JSON() {
		if rerr := a.Render(res, nil); rerr != nil {
			return rerr
		}
	} else if res.Report != nil {
		writeReport(a.Out, res.Report, a.Color())
	} else if res.Plan != nil && err == nil && !res.Plan.Changes() {
		fmt.Fprintln(a.Out, res.Plan.ClosingLine())
	}
	switch {
	case errors.Is(err, plan.ErrDeclined):
		return &ExitError{Code: 1, Message: "apply cancelled: nothing was changed"}
	case err != nil && a.JSON():
		return &ExitError{Code: 1}
	case err != nil:
		if res.Plan != nil && (len(res.Plan.Errors) > 0 || len(res.Plan.Violations) > 0) && !a.JSON() {
			_ = res.Plan.Text(a.Out, plan.RenderOptions{Color: a.Color()})
		}
		return err
	case res.Report != nil && !res.Report.Succeeded():
		return &ExitError{Code: 1}
	}
	return nil
}

// writeReport prints the final report: one line per operation, then the
// counts.
func writeReport(w io.Writer, r *plan.Report, color bool) {
	if len(r.Results) == 0 {
		fmt.Fprintln(w, "No changes. The organization matches the layout.")
		return
	}
	paint := func(code, s string) string {
		if !color {
			return s
		}
		return code + s + "\x1b[0m"
	}
	fmt.Fprintln(w, "\nApply report:")
	for _, res := range r.Results {
		switch res.Status {
		case plan.StatusOK:
			line := "  " + paint("\x1b[32m", "ok     ") + " " + res.ID
			if res.Detail != "" {
				line += " (" + res.Detail + ")"
			}
			fmt.Fprintln(w, line)
		case plan.StatusFailed:
			fmt.Fprintf(w, "  %s %s: %s\n", paint("\x1b[31m", "failed "), res.ID, res.Error)
		default:
			fmt.Fprintf(w, "  %s %s: %s\n", paint("\x1b[33m", "skipped"), res.ID, res.Error)
		}
	}
	fmt.Fprintf(w, "\nApply %s: %d ok, %d failed, %d skipped, %d API requests in %s.\n",
		map[bool]string{true: "complete", false: "incomplete"}[r.Succeeded()], r.OK, r.Failed, r.Skipped, r.Calls.Total(), r.Duration.Round(1e6))
	if !r.Succeeded() {
		fmt.Fprintln(w, "Run bulkhead apply again to finish: it resumes where this run stopped.")
	}
}
