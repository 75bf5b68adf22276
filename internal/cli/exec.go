package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/bulkhead-dev/bulkhead/internal/emulator"
	"github.com/bulkhead-dev/bulkhead/internal/layout"
	"github.com/bulkhead-dev/bulkhead/internal/stages"
)

// stageOptions are the flags exec, env and credential-process share.
type stageOptions struct {
	stage   string
	role    string
	account string // credential-process --account (profiles that go by account)
	quiet   bool
}

// stageRun is an opened stage session and what a command needs to use it.
type stageRun struct {
	session *stages.Session
	region  string
	// endpoint is AWS_ENDPOINT_URL for the local AWS ("" for real AWS).
	endpoint string
	closer   io.Closer
}

func (r *stageRun) Close() error {
	if r.closer != nil {
		return r.closer.Close()
	}
	return nil
}

// openStage loads the layout and opens the stage's session (stages.Open):
// from the cache when warm, with no network call and without reading the
// AWS configuration; otherwise through the layout's target.
func (a *App) openStage(ctx context.Context, command string, args []string, o stageOptions, prompt *stages.Prompter) (*stageRun, error) {
	stateDir, err := stages.StateDir(a.Getenv)
	if err != nil {
		return nil, err
	}
	dest, err := a.destination(stateDir, o)
	if err != nil {
		// Refused before any session: still in the audit log.
		stage := o.stage
		if stage == "" {
			stage = o.account
		}
		rec := stages.AuditRecord{Time: a.Now().UTC(), Command: command, Stage: stage, Role: o.role, Args: stages.RedactArgs(args), Outcome: "refused", Error: err.Error()}
		var ee *ExitError
		if errors.As(err, &ee) && ee.Message == "" {
			rec.Error = "the layout is not valid"
		}
		_ = (&stages.AuditLog{Path: filepath.Join(stateDir, "audit.log")}).Append(rec)
		return nil, err
	}
	run := &stageRun{region: stageRegion(a.Getenv, dest.Org.Region)}
	target := dest.Org.Target
	orgKey := string(target) + "\x00" + dest.Org.Name
	if target == layout.TargetLocal || target == "" {
		localDir, _ := filepath.Abs(a.localStateDir())
		orgKey += "\x00" + localDir
		run.endpoint = a.localEndpoint(localDir)
	} else if abs, err := filepath.Abs(a.LayoutPath()); err == nil {
		orgKey += "\x00" + abs
	}
	pinned, err := stages.ParsePinned(a.Getenv("BULKHEAD_ACCOUNT_IDS"))
	if err != nil {
		return nil, err
	}
	if a.Profile == "" {
		// The base profile for commands run by a profile's
		// credential_process, where --profile names bulkhead's own.
		a.Profile = a.Getenv("BULKHEAD_PROFILE")
	}
	req := stages.Request{
		Destination: dest, Stage: o.stage, Role: o.role, Command: command, Args: args,
		Getenv: a.Getenv, Now: a.Now, Logger: a.Logger, Prompt: prompt,
		Source: stages.Source{
			Key:    stages.SourceKey(a.Getenv, a.Profile),
			Config: func(ctx context.Context) (aws.Config, error) { return a.baseConfig(ctx, target, run) },
		},
		Cache: &stages.Cache{
			Store:   stages.OpenStore(filepath.Join(stateDir, "cache"), a.Getenv("BULKHEAD_NO_KEYRING") != ""),
			LockDir: filepath.Join(stateDir, "locks"),
			Now:     a.Now,
		},
		Accounts: &stages.AccountIDs{Path: stages.AccountCachePath(stateDir, orgKey), Now: a.Now, Pinned: pinned},
		Audit:    &stages.AuditLog{Path: filepath.Join(stateDir, "audit.log")},
		Warn:     func(s string) { fmt.Fprintln(a.Err, "bulkhead: warning: "+s) },
	}
	s, err := stages.Open(ctx, req)
	if err != nil {
		run.Close()
		return nil, err
	}
	run.session = s
	return run, nil
}

// destination is where the stage (or --account) goes. It is read from the
// destination cache when the layout file's bytes are those a previous run
// validated, so that a warm exec does not parse the layout; otherwise the
// layout is loaded and validated (mustLoadLayout) and the result cached.
func (a *App) destination(stateDir string, o stageOptions) (*stages.Destination, error) {
	path, err := filepath.Abs(a.LayoutPath())
	if err != nil {
		return nil, err
	}
	src, err := layout.OSReadFile(path, layout.MaxFileSize)
	if err != nil {
		// Let the loader say what is wrong with the file.
		_, lerr := a.mustLoadLayout()
		if lerr == nil {
			lerr = err
		}
		return nil, lerr
	}
	cache := &stages.DestinationCache{Dir: filepath.Join(stateDir, "destinations")}
	key := stages.DestinationKey(path, src, o.stage, o.role, o.account)
	if d, ok := cache.Get(key); ok {
		if a.Logger != nil {
			a.Logger.Debug("stage destination from the cache", "layout", path, "stage", d.Resolution.Stage)
		}
		return d, nil
	}
	l, err := a.mustLoadLayout()
	if err != nil {
		return nil, err
	}
	d, err := stages.NewDestination(l, o.stage, o.role, o.account)
	if err != nil {
		return nil, err
	}
	if err := cache.Put(key, d); err != nil && a.Logger != nil {
		a.Logger.Debug("cannot cache the stage destination", "error", err)
	}
	return d, nil
}

// stageRegion is the region the command runs in: $AWS_REGION, else
// $AWS_DEFAULT_REGION, else the layout's region.
func stageRegion(getenv func(string) string, layoutRegion string) string {
	for _, k := range []string{"AWS_REGION", "AWS_DEFAULT_REGION"} {
		if v := getenv(k); v != "" {
			return v
		}
	}
	if layoutRegion != "" {
		return layoutRegion
	}
	return layout.DefaultRegion
}

// localEndpoint is where commands run under a stage reach the local AWS:
// $BULKHEAD_ENDPOINT, else the address `bulkhead local serve` recorded in
// the state directory, else its default address.
func (a *App) localEndpoint(localDir string) string {
	if e := a.Getenv("BULKHEAD_ENDPOINT"); e != "" {
		return e
	}
	var si serverInfo
	if b, err := os.ReadFile(filepath.Join(localDir, serverFile)); err == nil && json.Unmarshal(b, &si) == nil && si.Endpoint != "" {
		return si.Endpoint
	}
	return "http://" + defaultLocalAddr
}

// baseConfig loads the base credentials from the standard AWS chain
// (environment, --profile or AWS_PROFILE, SSO) in the layout's region. For
// the local AWS it points the SDK at the running server, or at an
// in-process local AWS on the same state when none answers.
func (a *App) baseConfig(ctx context.Context, target layout.Target, run *stageRun) (aws.Config, error) {
	loads := []func(*config.LoadOptions) error{config.WithRegion(run.region)}
	if a.Profile != "" {
		loads = append(loads, config.WithSharedConfigProfile(a.Profile))
	}
	local := target != layout.TargetAWS
	var inProcess *http.Client
	if local {
		// Set before loading, so that credentials the profile itself
		// assumes (role_arn with source_profile) reach the local AWS too.
		// (Not WithHTTPClient: with AWS_CA_BUNDLE set the SDK refuses a
		// plain *http.Client.)
		if reachable(ctx, run.endpoint) {
			loads = append(loads, config.WithBaseEndpoint(run.endpoint))
		} else {
			e, err := a.openLocal(ctx, a.localStateDir(), emulator.Options{})
			if err != nil {
				return aws.Config{}, err
			}
			run.closer = e
			// The in-process transport is set after loading, so a profile
			// that assumes a role itself needs the server running.
			inProcess = &http.Client{Transport: e.Transport()}
			loads = append(loads, config.WithBaseEndpoint(emulator.LocalEndpoint))
			if a.Logger != nil {
				a.Logger.Debug("no local AWS server answers; using the state in-process", "endpoint", run.endpoint)
			}
		}
	}
	cfg, err := config.LoadDefaultConfig(ctx, loads...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("load the base AWS credentials (profile %q): %w", a.profileName(), err)
	}
	if inProcess != nil {
		cfg.HTTPClient = inProcess
	}
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		hint := "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, a profile (--profile, AWS_PROFILE) or SSO (aws sso login)"
		if local {
			hint = "for the local AWS, use your IAM user's access key: aws iam create-access-key --user-name YOU (as the management account's root, eval \"$(bulkhead local env)\"), then export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
		}
		return aws.Config{}, &ExitError{Code: 1, Message: "no base AWS credentials: " + stages.RedactArgs([]string{err.Error()})[0] + "\n    hint: " + hint}
	}
	return cfg, nil
}

// reachable reports whether something listens at endpoint's host:port.
func reachable(ctx context.Context, endpoint string) bool {
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" {
		return false
	}
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), map[bool]string{true: "443", false: "80"}[u.Scheme == "https"])
	}
	d := net.Dialer{Timeout: 300 * time.Millisecond}
	c, err := d.DialContext(ctx, "tcp", host)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

// stdinPrompter asks on stdin (the confirm guard and MFA codes).
func (a *App) stdinPrompter() *stages.Prompter {
	t := false
	if f, ok := a.In.(*os.File); ok {
		t = term.IsTerminal(int(f.Fd()))
	}
	return &stages.Prompter{In: a.In, Out: a.Err, Terminal: t}
}

// quiet reports whether the stage line is suppressed.
func (a *App) quiet(o stageOptions) bool { return o.quiet || a.Getenv("BULKHEAD_QUIET") != "" }

// stageInfo is the stage line as JSON (exec --output json): no secrets.
type stageInfo struct {
	Stage     string    `json:"stage"`
	Account   string    `json:"account"`
	AccountID string    `json:"account_id"`
	Role      string    `json:"role"`
	Guard     string    `json:"guard"`
	Identity  string    `json:"identity"`
	Session   string    `json:"session"`
	Expires   time.Time `json:"expires"`
	Cached    bool      `json:"cached"`
}

func newStageInfo(s *stages.Session) stageInfo {
	return stageInfo{Stage: s.Resolution.Stage, Account: s.Resolution.Account, AccountID: s.AccountID, Role: s.Role,
		Guard: string(s.Resolution.Guard), Identity: s.Identity, Session: s.Assumed, Expires: s.Credentials.Expires, Cached: s.Cached}
}

func addStageFlags(cmd *cobra.Command, o *stageOptions) {
	cmd.Flags().StringVar(&o.stage, "stage", "", "the deploy `STAGE` (prod, qa, feature-login, ...)")
	cmd.Flags().StringVar(&o.role, "role", "", "assume `ROLE` instead of the stage rule's role")
}

func (a *App) newExecCmd() *cobra.Command {
	var o stageOptions
	var allowNested bool
	cmd := &cobra.Command{
		Use:   "exec --stage STAGE [--role ROLE] -- COMMAND [ARGS...]",
		Short: "Run a command in a stage's account with short-lived credentials",
		Long: `exec resolves the stage to its account and role (bulkhead stage resolve), checks
the stage rule's guard, assumes the role from your base credentials and
replaces itself with COMMAND, so its exit status and signals pass through.

The command gets AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN,
AWS_CREDENTIAL_EXPIRATION, AWS_REGION, AWS_DEFAULT_REGION, AWS_ENDPOINT_URL (the
local AWS only), BULKHEAD_STAGE, BULKHEAD_ACCOUNT, BULKHEAD_ACCOUNT_ID and
BULKHEAD_ROLE; AWS_PROFILE and other variables that would select other
credentials are removed.

Base credentials come from the standard AWS chain: environment, --profile or
AWS_PROFILE, SSO. For the local AWS they are your IAM user's access key, and
the command reaches the server of bulkhead local serve ($BULKHEAD_ENDPOINT
overrides the address). The session is named <you>@<stage>, with source
identity <you>, and cached (OS keyring, else 0600 files in the state
directory) until five minutes before it expires: a warm exec makes no network
call.

Guards: ci lets only the CI principal in CI (CI=true or GITHUB_ACTIONS=true)
through; confirm asks you to type the account name (pipe it on stdin in
scripts: no flag skips it). The roles' trust policies decide in the end.

A line on stderr says where the command runs (--quiet or BULKHEAD_QUIET=1 to
suppress; with --output json it is a JSON object). Every attempt is recorded
in the audit log (docs/stages.md). exec refuses to run inside another exec
(BULKHEAD_STAGE is set) unless --allow-nested.`,
		Example: `  bulkhead exec --stage feature-login -- aws sts get-caller-identity
  bulkhead exec --stage qa -- terraform apply
  echo preprod | bulkhead exec --stage preprod -- ./deploy.sh
  CI=true bulkhead exec --stage prod --quiet -- npx sst deploy --stage prod`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.stage == "" {
				return errors.New("exec: --stage is required")
			}
			if cmd.ArgsLenAtDash() != 0 {
				return fmt.Errorf("exec: put the command after --: bulkhead exec --stage %s -- %s", o.stage, args[0])
			}
			if outer := a.Getenv("BULKHEAD_STAGE"); outer != "" && !allowNested {
				return &ExitError{Code: 1, Message: fmt.Sprintf("exec: already running in stage %s (BULKHEAD_STAGE is set), so the credentials in the environment are that stage's\n    hint: exit that shell first, or pass --allow-nested to assume from them", outer)}
			}
			path, err := exec.LookPath(args[0])
			if err != nil {
				return fmt.Errorf("exec: %w", err)
			}
			run, err := a.openStage(cmd.Context(), "exec", args, o, a.stdinPrompter())
			if err != nil {
				return err
			}
			if err := run.Close(); err != nil {
				return err
			}
			s := run.session
			if a.JSON() {
				b, _ := json.Marshal(newStageInfo(s))
				fmt.Fprintln(a.Err, string(b))
			} else if !a.quiet(o) {
				fmt.Fprintln(a.Err, s.Banner())
			}
			env := stages.Environ(os.Environ(), s.Vars(run.region, run.endpoint))
			if err := syscall.Exec(path, args, env); err != nil {
				return fmt.Errorf("exec %s: %w", path, err)
			}
			return nil
		},
	}
	addStageFlags(cmd, &o)
	cmd.Flags().BoolVarP(&o.quiet, "quiet", "q", false, "do not print the stage line on stderr")
	cmd.Flags().BoolVar(&allowNested, "allow-nested", false, "run inside another exec, assuming from its credentials")
	a.addProfileFlag(cmd)
	return cmd
}
