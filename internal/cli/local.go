package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/spf13/cobra"

	"github.com/bulkhead-dev/bulkhead/internal/emulator"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/service"
)

// defaultLocalState is the local AWS's state directory, relative to -C.
const defaultLocalState = ".bulkhead/local"

// defaultLocalAddr is where `bulkhead local serve` listens (LocalStack's
// port, which AWS tooling users already know).
const defaultLocalAddr = "127.0.0.1:4566"

// serverFile, in the state directory, records the endpoint of a running
// `bulkhead local serve`, for env and status.
const serverFile = "server.json"

type serverInfo struct {
	Endpoint string `json:"endpoint"`
	PID      int    `json:"pid"`
}

func (a *App) newLocalCmd() *cobra.Command {
	var state string
	cmd := &cobra.Command{
		Use:   "local",
		Short: "Run and inspect the local AWS (Organizations, IAM, STS on your machine)",
		Long: `local manages the local AWS: an embedded emulator of the AWS control plane
bulkhead needs (Organizations, IAM and STS) that speaks AWS's own wire
protocols, so that the AWS CLI, the SDKs and Terraform work against it
unmodified. bulkhead's own commands use it in-process by default; serve it on
a port for other clients.

Its state (the management account, accounts, OUs, policies, IAM and STS
sessions) lives in a SQLite database in the state directory: --state, else
$BULKHEAD_LOCAL_STATE, else .bulkhead/local under the -C directory. It is
created, with the management account and its root access key, on first use.`,
		Example: `  bulkhead local serve
  eval "$(bulkhead local env)"; aws organizations describe-organization
  bulkhead local status
  bulkhead local reset --yes`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.PersistentFlags().StringVar(&state, "state", "", "the local AWS's state `DIR` (default $BULKHEAD_LOCAL_STATE or .bulkhead/local)")
	stateDir := func() string { return a.LocalStateDir(state) }
	cmd.AddCommand(
		a.newLocalServeCmd(stateDir),
		a.newLocalEnvCmd(stateDir),
		a.newLocalStatusCmd(stateDir),
		a.newLocalResetCmd(stateDir),
	)
	return cmd
}

// LocalStateDir is the local AWS's state directory: override (a --state
// flag) when not empty, else $BULKHEAD_LOCAL_STATE, else .bulkhead/local;
// relative paths are under the -C directory.
func (a *App) LocalStateDir(override string) string {
	switch {
	case override != "":
		return a.Path(override)
	case a.Getenv("BULKHEAD_LOCAL_STATE") != "":
		return a.Path(a.Getenv("BULKHEAD_LOCAL_STATE"))
	}
	return a.Path(defaultLocalState)
}

// LocalAWSConfig opens the local AWS in-process (creating its state on
// first use) and returns an aws.Config signing as the management account's
// root, for commands whose target is the local AWS. Close the Closer when
// done. stateOverride is a --state flag's value, or "".
func (a *App) LocalAWSConfig(ctx context.Context, stateOverride string) (aws.Config, io.Closer, error) {
	return emulator.LocalConfig(ctx, a.LocalStateDir(stateOverride), func(o *emulator.Options) {
		o.Now = a.Now
		o.Logger = a.Logger
	})
}

// hasState reports whether dir holds a local AWS state.
func hasState(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, "state.db"))
	return err == nil
}

// openLocal opens the emulator on dir, creating the state if needed.
func (a *App) openLocal(ctx context.Context, dir string, opts emulator.Options) (*emulator.Emulator, error) {
	opts.StateDir = dir
	opts.Now = a.Now
	if opts.Logger == nil {
		opts.Logger = a.Logger
	}
	return emulator.New(ctx, opts)
}

// readServer returns the running server recorded in dir, if it answers as
// the same local AWS.
func readServer(ctx context.Context, dir string, e *emulator.Emulator) (serverInfo, bool) {
	var si serverInfo
	b, err := os.ReadFile(filepath.Join(dir, serverFile))
	if err != nil || json.Unmarshal(b, &si) != nil || si.Endpoint == "" {
		return si, false
	}
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, si.Endpoint+"/_bulkhead/status", nil)
	if err != nil {
		return si, false
	}
	id, secret := e.RootCredentials()
	req.SetBasicAuth(id, secret)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return si, false
	}
	defer res.Body.Close()
	var st emulator.Status
	if res.StatusCode != http.StatusOK || json.NewDecoder(io.LimitReader(res.Body, 1<<20)).Decode(&st) != nil {
		return si, false
	}
	return si, st.ManagementAccountID == e.ManagementAccountID()
}

// localHint is the command prefix that reaches the same state: -C and
// --state as the user gave them.
func (a *App) localHint(cmd *cobra.Command) string {
	s := "bulkhead"
	if a.Dir != "" {
		s += " -C " + localQuote(a.Dir)
	}
	s += " local"
	if f := cmd.Flag("state"); f != nil && f.Changed {
		s += " --state " + localQuote(f.Value.String())
	}
	return s
}

func (a *App) newLocalResetCmd(stateDir func() string) *cobra.Command {
	var yes bool
	cmd := &cobra.Command{
		Use:   "reset",
		Short: "Delete the local AWS's state (every account, policy, user and key)",
		Long: `reset deletes the local AWS's state: the organization, its accounts, OUs and
policies, IAM users, roles and keys, STS sessions, and the management account
itself; the next use creates a fresh one with new ids and keys. It deletes
only the state's own files (state.db and its journal), never anything else in
the directory, and refuses while a server is running on the state.

Without --yes it asks for confirmation on a terminal and refuses otherwise.`,
		Example: `  bulkhead local reset --yes
  bulkhead local reset --state /tmp/aws-state --yes`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			dir := stateDir()
			res := struct {
				StateDir string `json:"state_dir"`
				Deleted  bool   `json:"deleted"`
			}{StateDir: dir}
			if hasState(dir) {
				e, err := a.openLocal(cmd.Context(), dir, emulator.Options{Services: noServices()})
				if err != nil {
					return err
				}
				si, running := readServer(cmd.Context(), dir, e)
				e.Close()
				if running {
					return fmt.Errorf("local reset: a local AWS is serving this state at %s (pid %d); stop it first", si.Endpoint, si.PID)
				}
				if !yes {
					ok, err := a.confirm(fmt.Sprintf("Delete the local AWS state in %s? [y/N] ", dir))
					if err != nil {
						return err
					}
					if !ok {
						return &ExitError{Code: 1, Message: "local reset: nothing deleted"}
					}
				}
				for _, f := range []string{"state.db", "state.db-wal", "state.db-shm", "state.db-journal", serverFile} {
					if err := os.Remove(filepath.Join(dir, f)); err != nil && !errors.Is(err, os.ErrNotExist) {
						return fmt.Errorf("local reset: %w", err)
					}
				}
				_ = os.Remove(dir) // only if now empty
				res.Deleted = true
			}
			return a.Render(res, func(w io.Writer) error {
				if !res.Deleted {
					_, err := fmt.Fprintf(w, "No local AWS state in %s; nothing to delete.\n", dir)
					return err
				}
				_, err := fmt.Fprintf(w, "Deleted the local AWS state in %s.\n", dir)
				return err
			})
		},
	}
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "delete without asking")
	return cmd
}

// confirm asks a yes/no question on a terminal; without one it refuses,
// so scripts must say --yes.
func (a *App) confirm(question string) (bool, error) {
	if !a.ErrIsTerminal || a.In == nil {
		return false, errors.New("local reset: refusing to delete without confirmation; pass --yes")
	}
	fmt.Fprint(a.Err, question)
	var answer string
	_, _ = fmt.Fscanln(a.In, &answer)
	return answer == "y" || answer == "Y" || answer == "yes", nil
}

// noServices opens the emulator for its state alone (env, reset): no
// service is needed to read the management account.
func noServices() []service.Spec { return []service.Spec{} }
