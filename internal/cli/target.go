package cli

import (
	"context"
	"fmt"
	"io"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/spf13/cobra"

	"github.com/bulkhead-dev/bulkhead/internal/emulator"
	"github.com/bulkhead-dev/bulkhead/internal/layout"
	"github.com/bulkhead-dev/bulkhead/internal/provider"
)

// addProfileFlag registers --profile on a command that reaches the
// layout's target (plan, apply, import, unlock).
func (a *App) addProfileFlag(cmd *cobra.Command) {
	cmd.Flags().StringVar(&a.Profile, "profile", "", "the AWS shared-config `PROFILE` for target aws (default $AWS_PROFILE)")
}

// localStateDir is the local AWS's state directory for commands other
// than `bulkhead local` (which also takes --state): $BULKHEAD_LOCAL_STATE,
// else .bulkhead/local, relative to -C.
func (a *App) localStateDir() string {
	if s := a.Getenv("BULKHEAD_LOCAL_STATE"); s != "" {
		return a.Path(s)
	}
	return a.Path(defaultLocalState)
}

// openProvider opens the provider for the layout's target: for local, the
// in-process local AWS on localStateDir (created on first use), or the
// `bulkhead local serve` running on that state, over its socket; for aws,
// the SDK's default credential chain with --profile (or AWS_PROFILE) in
// the layout's region. The Closer must be closed when the command is done
// (it closes the local AWS; a no-op for real AWS).
func (a *App) openProvider(ctx context.Context, l *layout.Layout) (provider.Provider, io.Closer, error) {
	cfg, closer, err := a.awsConfig(ctx, l)
	if err != nil {
		return nil, nil, err
	}
	return provider.New(cfg, provider.Options{Logger: a.Logger}), closer, nil
}

// awsConfig is the SDK configuration for the layout's target, which every
// command that talks to AWS uses (through openProvider or directly, as
// access --live does): the local AWS in process, or the running
// `bulkhead local serve` on the same state; or the default credential chain
// with --profile in the layout's region. Close the Closer when done.
func (a *App) awsConfig(ctx context.Context, l *layout.Layout) (aws.Config, io.Closer, error) {
	switch l.Organization.Target.Value {
	case layout.TargetAWS:
		region := l.Organization.Region.Value
		if region == "" {
			region = layout.DefaultRegion
		}
		loads := []func(*config.LoadOptions) error{config.WithRegion(region)}
		if a.Profile != "" {
			loads = append(loads, config.WithSharedConfigProfile(a.Profile))
		}
		cfg, err := config.LoadDefaultConfig(ctx, loads...)
		if err != nil {
			return aws.Config{}, nil, fmt.Errorf("load AWS configuration (profile %q): %w", a.profileName(), err)
		}
		return cfg, nopCloser{}, nil
	case layout.TargetLocal, "":
		dir := a.localStateDir()
		e, err := a.openLocal(ctx, dir, emulator.Options{})
		if err != nil {
			return aws.Config{}, nil, err
		}
		id, secret := e.RootCredentials()
		cfg := e.Config(id, secret, "")
		// A running `bulkhead local serve` owns the state: talk to it over
		// its socket rather than open a second emulator on the same store.
		if si, ok := readServer(ctx, dir, e); ok {
			if err := e.Close(); err != nil {
				return aws.Config{}, nil, err
			}
			cfg.HTTPClient = &http.Client{}
			cfg.BaseEndpoint = aws.String(si.Endpoint)
			if a.Logger != nil {
				a.Logger.Debug("local AWS served by another process", "endpoint", si.Endpoint, "pid", si.PID)
			}
			return cfg, nopCloser{}, nil
		}
		return cfg, e, nil
	}
	return aws.Config{}, nil, fmt.Errorf("organization.target %q: want local or aws", l.Organization.Target.Value)
}

// profileName is the profile in use, for messages.
func (a *App) profileName() string {
	if a.Profile != "" {
		return a.Profile
	}
	if p := a.Getenv("AWS_PROFILE"); p != "" {
		return p
	}
	return "default"
}

type nopCloser struct{}

func (nopCloser) Close() error { return nil }
