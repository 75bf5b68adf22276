package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/bulkhead-dev/bulkhead/internal/emulator"
)

type localServeOptions struct {
	addr        string
	createDelay time.Duration
	maxAccounts int
	faults      emulator.Faults
	latency     time.Duration
	faultOps    []string
	noEnforce   bool
}

// localServeResult is what `bulkhead local serve --output json` prints
// once listening.
type localServeResult struct {
	Endpoint            string   `json:"endpoint"`
	StateDir            string   `json:"state_dir"`
	ManagementAccountID string   `json:"management_account_id"`
	Region              string   `json:"region"`
	Services            []string `json:"services"`
}

func (a *App) newLocalServeCmd(stateDir func() string) *cobra.Command {
	var o localServeOptions
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the local AWS on a port for the AWS CLI, SDKs and Terraform",
		Long: `serve runs the local AWS on --addr until interrupted (Ctrl-C or SIGTERM), then
finishes the requests in flight and stops. Every service (Organizations, IAM,
STS) is on the one endpoint; clients select it by the service in their SigV4
signature, as with an AWS_ENDPOINT_URL override. Requests must be signed with
keys the local AWS issued: the management account's root key (bulkhead local
env prints it), IAM access keys or STS sessions. Every request is authorized as
AWS does — identity policies, permissions boundaries, session policies, SCPs
and RCPs — unless --no-enforce.

Fault flags make the local AWS fail on purpose, to prove clients retry:
--throttle-rate and --error-rate are fractions of requests (0 to 1) answered
with the service's throttling error or a server error, --latency is added to
every request, --create-account-failure-rate makes CreateAccount requests end
FAILED. Draws are seeded (--fault-seed), so a run repeats. Faults can also be
changed while serving through the admin API (GET/PUT /_bulkhead/faults,
loopback only, HTTP Basic auth with the root key id and secret).`,
		Example: `  bulkhead local serve
  bulkhead local serve --addr 127.0.0.1:4567 --state /tmp/aws-state
  bulkhead local serve --create-delay 0s --throttle-rate 0.1 --fault-seed 7`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.faults.Latency = emulator.Duration(o.latency)
			o.faults.Operations = o.faultOps
			return a.runLocalServe(cmd, stateDir(), o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.addr, "addr", defaultLocalAddr, "listen on `HOST:PORT` (port 0 picks a free one)")
	f.DurationVar(&o.createDelay, "create-delay", 0, "how long CreateAccount stays IN_PROGRESS (default 2s; negative completes at once)")
	f.IntVar(&o.maxAccounts, "max-accounts", 0, "the organization's account quota (default AWS's 10)")
	f.Float64Var(&o.faults.ThrottleRate, "throttle-rate", 0, "fraction of requests throttled (0 to 1)")
	f.Float64Var(&o.faults.ErrorRate, "error-rate", 0, "fraction of requests failed with a server error (0 to 1)")
	f.DurationVar(&o.latency, "latency", 0, "added to every request")
	f.Float64Var(&o.faults.CreateAccountFailureRate, "create-account-failure-rate", 0, "fraction of CreateAccount requests that end FAILED (0 to 1)")
	f.StringVar(&o.faults.CreateAccountFailureReason, "create-account-failure-reason", "", "FailureReason of injected CreateAccount failures (default INTERNAL_FAILURE)")
	f.StringSliceVar(&o.faultOps, "fault-operations", nil, "limit throttling, errors and latency to these `service:Action`s")
	f.Uint64Var(&o.faults.Seed, "fault-seed", 0, "seed of the fault generator")
	f.BoolVar(&o.noEnforce, "no-enforce", false, "allow every authenticated request: no IAM policy, boundary, session policy, SCP or RCP is evaluated")
	return cmd
}

func (a *App) runLocalServe(cmd *cobra.Command, dir string, o localServeOptions) error {
	ctx := cmd.Context()
	e, err := a.openLocal(ctx, dir, emulator.Options{
		NoEnforce:     o.noEnforce,
		Faults:        o.faults,
		Organizations: emulator.OrganizationsOptions{CreateAccountDelay: o.createDelay, MaxAccounts: o.maxAccounts},
	})
	if err != nil {
		return err
	}
	defer e.Close()
	if si, running := readServer(ctx, dir, e); running {
		return fmt.Errorf("local serve: a local AWS already serves %s at %s (pid %d)", dir, si.Endpoint, si.PID)
	}
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return fmt.Errorf("local serve: listen on %s: %w (another local AWS or LocalStack may hold the port; try --addr 127.0.0.1:0)", o.addr, err)
	}
	endpoint := "http://" + ln.Addr().String()
	info, _ := json.Marshal(serverInfo{Endpoint: endpoint, PID: os.Getpid()})
	sf := filepath.Join(dir, serverFile)
	if err := os.WriteFile(sf, info, 0o600); err != nil {
		ln.Close()
		return fmt.Errorf("local serve: %w", err)
	}
	defer os.Remove(sf)

	st := e.Status()
	res := localServeResult{Endpoint: endpoint, StateDir: dir, ManagementAccountID: st.ManagementAccountID, Region: st.Region, Services: st.Services}
	err = a.Render(res, func(w io.Writer) error {
		fmt.Fprintf(w, "Local AWS listening on %s\n", endpoint)
		fmt.Fprintf(w, "  state:              %s\n", dir)
		fmt.Fprintf(w, "  management account: %s\n", st.ManagementAccountID)
		fmt.Fprintf(w, "  services:           %s\n", strings.Join(st.Services, ", "))
		if o.noEnforce {
			fmt.Fprintf(w, "  authorization:      off (--no-enforce): every authenticated request is allowed\n")
		}
		fmt.Fprintf(w, "\nPoint AWS clients at it (in another shell):\n  eval \"$(%s env)\"\n\nPress Ctrl-C to stop.\n", a.localHint(cmd))
		return nil
	})
	if err != nil {
		ln.Close()
		return err
	}

	srv := &http.Server{
		Handler:           e.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("local serve: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("local serve: shutting down: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("local serve: %w", err)
	}
	if !a.JSON() {
		fmt.Fprintln(a.Err, "Local AWS stopped.")
	}
	return nil
}
