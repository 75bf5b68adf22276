package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
)

// The demo is the README's first command: it walks a newcomer through the
// product by running the real commands, in order, on a fresh directory, so
// what it shows is exactly what those commands do.
func (a *App) newDemoCmd() *cobra.Command {
	var dir, developers, stages string
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Lay out the startup blueprint in the embedded local AWS, start to finish",
		Long: `demo shows bulkhead working with no AWS account: in DIR (default
./bulkhead-demo) it runs, and prints as it goes,

  bulkhead init --blueprint startup   write bulkhead.yaml and policies/
  bulkhead validate                   the file is sound
  bulkhead lint                       and follows the playbook
  bulkhead stage list                 where each deploy stage goes
  bulkhead plan                       what would change in the local AWS
  bulkhead apply --auto-approve       make it so
  bulkhead plan                       nothing left to do

The local AWS keeps its state in DIR/.bulkhead/local, so afterwards you can
cd into DIR and keep going: edit bulkhead.yaml and plan again, or run
'bulkhead local serve' and point the AWS CLI at it. Run demo again on the same
directory and it converges: the second apply has nothing to do.`,
		Example: `  bulkhead demo
  bulkhead demo --dir /tmp/acme --developers alice,bob,carol --stages preprod,qa,uat`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.runDemo(cmd, a.Path(dir), developers, stages)
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "bulkhead-demo", "the `DIR` to lay the demo out in (created if missing)")
	cmd.Flags().StringVar(&developers, "developers", "alice,bob", "developers, one sandbox account each")
	cmd.Flags().StringVar(&stages, "stages", "preprod,qa", "staging stages, one account each")
	return cmd
}

func (a *App) runDemo(cmd *cobra.Command, dir, developers, stages string) error {
	if a.JSON() {
		return errors.New("demo prints a walkthrough for people; run the commands it lists with --output json instead")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	steps := [][]string{
		{"init", "--blueprint", "startup", "--domain", "acme.example", "--developers", developers, "--stages", stages},
		{"validate"},
		{"lint"},
		{"stage", "list"},
		{"plan"},
		{"apply", "--auto-approve"},
		{"plan"},
	}
	if _, err := os.Stat(filepath.Join(dir, a.File)); err == nil {
		fmt.Fprintf(a.Out, "%s already has %s: keeping it (delete the directory to start over).\n", dir, a.File)
		steps = steps[1:]
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("demo: %w", err)
	}
	for _, step := range steps {
		fmt.Fprintf(a.Out, "\n$ bulkhead %s\n", strings.Join(step, " "))
		sub := &App{Streams: a.Streams, Getenv: a.Getenv, Now: a.Now}
		args := append([]string{"-C", dir, "-f", a.File}, step...)
		if a.Debug {
			args = append([]string{"--debug"}, args...)
		}
		if code := sub.Run(cmd.Context(), args); code != 0 {
			return &ExitError{Code: code, Message: fmt.Sprintf("demo stopped: `bulkhead %s` exited with %d", strings.Join(step, " "), code)}
		}
	}
	fmt.Fprintf(a.Out, `
Done. The startup layout now lives in the local AWS under %[1]s/.bulkhead/local.
Next:
  cd %[1]s
  bulkhead stage resolve feature-login     # which account a feature branch deploys to
  bulkhead access can group:engineers write kind:production
  bulkhead local serve                     # then, in another shell: eval "$(bulkhead local env)"; aws organizations list-accounts
`, dir)
	return nil
}
