// Package emulatortest starts a local AWS for tests: a fresh state in a
// temporary directory, a controllable clock, and aws.Configs that reach it
// in-process (or over a loopback server, for clients that need a URL such
// as the AWS CLI).
//
// It is for tests only; nothing outside _test.go files may import it.
package emulatortest

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/bulkhead-dev/bulkhead/internal/emulator"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/conformance"
)

// Endpoint is the base endpoint of in-process configs; no DNS lookup or
// socket is involved, the transport hands requests to the handler.
const Endpoint = "http://local.bulkhead"

// Clock is a manual clock, safe for concurrent use.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock stopped at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// Set sets the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// Env is a running local AWS.
type Env struct {
	Emulator *emulator.Emulator
	// Config signs as the management account's root, in-process, with
	// retries off (tests see every error once; set Retryer to test
	// retries).
	Config aws.Config
	// Clock is the request clock (Request.Now): advance it to expire
	// sessions or complete CreateAccount. Signatures are checked against
	// the wall clock, which the SDK signs with, so advancing Clock never
	// causes RequestExpired.
	Clock *Clock
	// StateDir is the state's temporary directory.
	StateDir string
	// AccountID is the management account's id.
	AccountID string
	// Conformance, when BULKHEAD_CONFORMANCE is set in the environment
	// (and botocore's models are installed), checks every response the
	// Configs receive against the AWS service models; violations fail the
	// test at cleanup.
	Conformance *conformance.Checker
}

// Start opens a local AWS on a fresh state for the duration of the test.
// The options are applied to emulator.Options after the defaults (a
// temporary StateDir, Clock as Now, the wall clock as SigningClock, all
// default services, warnings and errors logged to the test output).
func Start(t testing.TB, opts ...func(*emulator.Options)) *Env {
	t.Helper()
	clock := NewClock(time.Now().UTC().Truncate(time.Millisecond))
	o := emulator.Options{
		StateDir:     t.TempDir(),
		Now:          clock.Now,
		SigningClock: time.Now,
		Logger:       slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn})),
	}
	for _, f := range opts {
		f(&o)
	}
	e, err := emulator.New(context.Background(), o)
	if err != nil {
		t.Fatalf("start local aws: %v", err)
	}
	t.Cleanup(func() {
		if err := e.Close(); err != nil {
			t.Errorf("close local aws: %v", err)
		}
	})
	env := &Env{Emulator: e, Clock: clock, StateDir: o.StateDir, AccountID: e.ManagementAccountID()}
	if os.Getenv("BULKHEAD_CONFORMANCE") != "" {
		if c, err := conformance.NewChecker("organizations", "iam", "sts"); err == nil {
			env.Conformance = c
			t.Cleanup(func() {
				for _, v := range c.Violations() {
					t.Errorf("conformance: %s", v)
				}
				t.Logf("conformance: %s", c.Report())
			})
		}
	}
	id, secret := e.RootCredentials()
	env.Config = env.ConfigFor(id, secret, "")
	return env
}

// ConfigFor returns an in-process config signing with the given
// credentials (sessionToken empty for long-term keys).
func (e *Env) ConfigFor(accessKeyID, secretAccessKey, sessionToken string) aws.Config {
	return aws.Config{
		Region:       e.Emulator.Region(),
		Credentials:  credentials.NewStaticCredentialsProvider(accessKeyID, secretAccessKey, sessionToken),
		HTTPClient:   &http.Client{Transport: e.wrap(e.Emulator.Transport())},
		BaseEndpoint: aws.String(Endpoint),
		Retryer:      func() aws.Retryer { return aws.NopRetryer{} },
	}
}

func (e *Env) wrap(rt http.RoundTripper) http.RoundTripper {
	if e.Conformance == nil {
		return rt
	}
	return e.Conformance.Wrap(rt)
}

// Server is a local AWS listening on a loopback port.
type Server struct {
	*Env
	// URL is the endpoint, such as http://127.0.0.1:41234.
	URL string
}

// StartServer is Start plus a loopback HTTP server, closed when the test
// ends. Its Config reaches the server over the socket.
func StartServer(t testing.TB, opts ...func(*emulator.Options)) *Server {
	t.Helper()
	env := Start(t, opts...)
	srv := httptest.NewServer(env.Emulator.Handler())
	t.Cleanup(srv.Close)
	s := &Server{Env: env, URL: srv.URL}
	id, secret := env.Emulator.RootCredentials()
	s.Config = s.ConfigFor(id, secret, "")
	return s
}

// ConfigFor returns a config reaching the server over loopback.
func (s *Server) ConfigFor(accessKeyID, secretAccessKey, sessionToken string) aws.Config {
	cfg := s.Env.ConfigFor(accessKeyID, secretAccessKey, sessionToken)
	cfg.HTTPClient = &http.Client{Transport: s.wrap(http.DefaultTransport)}
	cfg.BaseEndpoint = aws.String(s.URL)
	return cfg
}
