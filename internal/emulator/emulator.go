// Package emulator is the local AWS's front end: one HTTP endpoint that
// serves every emulated service (Organizations, IAM, STS) in AWS's own wire
// protocols, so that unmodified clients (aws-sdk-go-v2, the AWS CLI, boto3)
// work against it through an endpoint override.
//
// For each request it verifies the SigV4 signature against the credentials
// in the store, routes by the signature's service name and the action,
// opens one store transaction (read-write only for mutating operations),
// calls the service's handler, and encodes the result or the error in the
// service's protocol. It also injects faults, counts calls per operation,
// and serves a small admin API under /_bulkhead/.
//
// The front end holds no AWS semantics beyond authentication and the wire:
// what an operation does is the business of the service packages, which
// reach the front end only through internal/emulator/service. The rest of
// bulkhead reaches the emulator only through the AWS SDK (LocalConfig).
package emulator

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/authz"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/organizations"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/service"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/sigv4"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/store"
)

// Options configure an Emulator.
type Options struct {
	// StateDir holds the SQLite store; required. It is created if absent,
	// and the management account is bootstrapped on first open.
	StateDir string
	// Now is the clock handlers see as Request.Now (session expiry,
	// CreateAccount progress); time.Now when nil.
	Now func() time.Time
	// SigningClock is the clock request signatures are checked against
	// (at most 15 minutes of skew, as AWS allows); Now when nil. Tests that
	// move Now forward to expire sessions keep this on the wall clock,
	// which the SDK signs with.
	SigningClock func() time.Time
	// Region is the region reported by the emulator; us-east-1 when empty.
	// Requests signed for any region are accepted.
	Region string
	// Services are the services to serve; nil means DefaultServices built
	// from Organizations and Faults below.
	Services []service.Spec
	// Organizations configures the default Organizations service (ignored
	// when Services is set).
	Organizations OrganizationsOptions
	// Authorizer decides every handler's Authorize call; nil means the
	// policy engine (internal/emulator/authz), unless NoEnforce.
	Authorizer Authorizer
	// NoEnforce turns authorization off when Authorizer is nil: every
	// authenticated request is allowed (bulkhead local serve --no-enforce).
	NoEnforce bool
	// Logger receives one debug line per request and errors; discarded
	// when nil. Secrets are never logged.
	Logger *slog.Logger
	// Faults are injected failures; off by default. They can be changed
	// later with SetFaults or the admin API.
	Faults Faults
	// Rand is the source of every id, key and secret (the bootstrap's, the
	// default services', request ids); crypto/rand.Reader when nil. A
	// deterministic reader (a seeded math/rand/v2 ChaCha8) makes ids
	// repeatable for golden tests; it need not be safe for concurrent use.
	Rand io.Reader
}

// randForServices passes a caller's Rand on to the services; without one
// they use crypto/rand themselves.
func (o Options) randForServices(locked io.Reader) io.Reader {
	if o.Rand == nil {
		return nil
	}
	return locked
}

// OrganizationsOptions configure the default Organizations service.
type OrganizationsOptions struct {
	// CreateAccountDelay is how long CreateAccount stays IN_PROGRESS on the
	// request clock; zero takes Organizations' default, negative completes
	// at once.
	CreateAccountDelay time.Duration
	// MaxAccounts overrides the account quota when positive.
	MaxAccounts int
	// Quotas override Organizations' quotas field by field (zero fields
	// keep AWS's defaults).
	Quotas organizations.Quotas
}

// Authorizer decides whether the caller of r may perform a. It returns nil
// to allow, or an error (preferably a *service.Error with AWS's
// AccessDenied code for the service) to refuse.
type Authorizer interface {
	Authorize(ctx context.Context, r *service.Request, a service.Authz) error
}

// writeObserver is implemented by authorizers that cache what the store
// says about principals (authz): the front end brackets every mutating
// request with BeginWrite and EndWrite, so nothing is cached across a write.
type writeObserver interface {
	BeginWrite()
	EndWrite()
}

// txObserver is implemented by authorizers that cache what they read: the
// front end calls BeforeTx before it opens each request's transaction and
// runs the request with the context it returns. A cache that notes its
// generation there can refuse to store facts read from a snapshot that
// predates a write (a generation taken inside Authorize is too late: the
// handler may have read, and so fixed the snapshot, before authorizing).
type txObserver interface {
	BeforeTx(ctx context.Context) context.Context
}

// Emulator is an open local AWS. It is safe for concurrent use.
type Emulator struct {
	opts     Options
	db       *store.DB
	now      func() time.Time
	sigClock func() time.Time
	region   string
	rand     io.Reader
	log      *slog.Logger
	specs    map[string]*service.Spec
	keys     sigv4.KeyCache
	auth     authCache
	boot     bootstrap
	stats    stats
	faults   faultState
	started  time.Time

	closeOnce sync.Once
	closeErr  error
}

// New opens (creating if needed) the local AWS whose state lives in
// opts.StateDir.
func New(ctx context.Context, opts Options) (*Emulator, error) {
	if opts.StateDir == "" {
		return nil, errors.New("local aws: a state directory is required")
	}
	if opts.Authorizer == nil && !opts.NoEnforce {
		opts.Authorizer = authz.New()
	}
	e := &Emulator{opts: opts, now: opts.Now, sigClock: opts.SigningClock, region: opts.Region, rand: opts.Rand, log: opts.Logger}
	if e.now == nil {
		e.now = time.Now
	}
	if e.sigClock == nil {
		e.sigClock = e.now
	}
	if e.region == "" {
		e.region = "us-east-1"
	}
	if e.rand == nil {
		e.rand = rand.Reader
	} else {
		e.rand = &lockedReader{r: e.rand}
	}
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}
	if err := e.faults.set(opts.Faults); err != nil {
		return nil, fmt.Errorf("local aws: %w", err)
	}
	db, err := store.Open(ctx, opts.StateDir)
	if err != nil {
		return nil, fmt.Errorf("local aws: %w", err)
	}
	e.db = db
	if e.boot, err = loadOrBootstrap(ctx, db, e.rand, e.now()); err != nil {
		db.Close()
		return nil, fmt.Errorf("local aws: %w", err)
	}
	specs := opts.Services
	if specs == nil {
		specs = DefaultServices(ServicesConfig{
			CreateAccountDelay: opts.Organizations.CreateAccountDelay,
			MaxAccounts:        opts.Organizations.MaxAccounts,
			Quotas:             opts.Organizations.Quotas,
			FailCreateAccount:  e.faults.failCreateAccount,
			Rand:               opts.randForServices(e.rand),
		})
	}
	e.specs = make(map[string]*service.Spec, len(specs))
	for i := range specs {
		s := &specs[i]
		if s.Name == "" || (s.Protocol != service.JSON && s.Protocol != service.Query) {
			db.Close()
			return nil, fmt.Errorf("local aws: service %q: needs a name and protocol json or query", s.Name)
		}
		if _, dup := e.specs[s.Name]; dup {
			db.Close()
			return nil, fmt.Errorf("local aws: service %q registered twice", s.Name)
		}
		e.specs[s.Name] = s
	}
	e.started = e.now()
	return e, nil
}

// Handler serves every service, and the admin API under /_bulkhead/, on
// one endpoint.
func (e *Emulator) Handler() http.Handler { return http.HandlerFunc(e.serveHTTP) }

// ManagementAccountID is the 12-digit id of the management account created
// when the state was initialised.
func (e *Emulator) ManagementAccountID() string { return e.boot.ManagementAccountID }

// RootCredentials are the management account's root access key. They are
// secret: print them only where the user asked for them.
func (e *Emulator) RootCredentials() (accessKeyID, secretAccessKey string) {
	return e.boot.rootKeyID, e.boot.rootSecret
}

// Region is the emulator's region.
func (e *Emulator) Region() string { return e.region }

// StateDir is the directory holding the state.
func (e *Emulator) StateDir() string { return e.opts.StateDir }

// Read runs fn in a read-only transaction of the emulator's store, for
// status reports (bulkhead local status) and tests.
func (e *Emulator) Read(ctx context.Context, fn func(store.Tx) error) error {
	return e.db.Read(ctx, fn)
}

// Close closes the store. Requests in flight must have finished.
func (e *Emulator) Close() error {
	e.closeOnce.Do(func() { e.closeErr = e.db.Close() })
	return e.closeErr
}
