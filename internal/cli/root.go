package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/spf13/cobra"
)

// Main runs bulkhead with args (without the program name) and returns the
// process exit code. It never panics on user input: a panic in a command is
// reported as an internal error with exit code 1.
func Main(ctx context.Context, args []string, s Streams) (code int) {
	app := &App{
		Streams: s,
		Getenv:  os.Getenv,
		Now:     time.Now,
	}
	return app.Run(ctx, args)
}

// Run executes the command tree for args.
func (a *App) Run(ctx context.Context, args []string) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(a.Err, "bulkhead: internal error: %v\n(this is a bug; please report it with the command you ran)\n", r)
			code = 1
		}
	}()
	if a.Getenv == nil {
		a.Getenv = os.Getenv
	}
	if a.Now == nil {
		a.Now = time.Now
	}
	root := a.newRootCmd()
	root.SetArgs(args)
	root.SetIn(a.In)
	root.SetOut(a.Out)
	root.SetErr(a.Err)
	err := root.ExecuteContext(ctx)
	return a.exitCode(err)
}

func (a *App) newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "bulkhead",
		Short: "Lay out, route and prove a multi-account AWS organization",
		Long: `bulkhead declares a whole multi-account AWS estate in one file (bulkhead.yaml):
organizational units, accounts per environment, guardrail policies, people and
roles. It validates the file against the multi-account playbook, plans and
applies it to an AWS Organization (an embedded local AWS by default), routes
each deploy stage to its own account, and proves who can write where.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return a.setup()
		},
	}
	pf := root.PersistentFlags()
	pf.StringVarP(&a.Output, "output", "o", OutputText, "output format: text or json")
	pf.StringVarP(&a.Dir, "directory", "C", "", "run as if bulkhead was started in `DIR`")
	pf.StringVarP(&a.File, "file", "f", "bulkhead.yaml", "the layout `FILE`")
	pf.BoolVar(&a.Debug, "debug", false, "log what bulkhead does to stderr (secrets are never logged)")
	_ = root.RegisterFlagCompletionFunc("output", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return []string{OutputText, OutputJSON}, cobra.ShellCompDirectiveNoFileComp
	})

	// One constructor per command file; keep this list sorted.
	root.AddCommand(
		a.newAccessCmd(),
		a.newApplyCmd(),
		a.newCredentialProcessCmd(),
		a.newDemoCmd(),
		a.newEnvCmd(),
		a.newExecCmd(),
		a.newImportCmd(),
		a.newInitCmd(),
		a.newLocalCmd(),
		a.newLintCmd(),
		a.newPlanCmd(),
		a.newProfilesCmd(),
		a.newStageCmd(),
		a.newUnlockCmd(),
		a.newValidateCmd(),
		a.newVersionCmd(),
	)
	return root
}

// setup validates global flags and builds the logger.
func (a *App) setup() error {
	if a.Output != OutputText && a.Output != OutputJSON {
		return fmt.Errorf("--output %q: want text or json", a.Output)
	}
	if a.Dir != "" {
		st, err := os.Stat(a.Dir)
		if err != nil {
			return fmt.Errorf("-C %s: %w", a.Dir, err)
		}
		if !st.IsDir() {
			return fmt.Errorf("-C %s: not a directory", a.Dir)
		}
	}
	var w io.Writer = io.Discard
	level := slog.LevelInfo
	if a.Debug {
		w, level = a.Err, slog.LevelDebug
	}
	a.Logger = slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
	return nil
}
