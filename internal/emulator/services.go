package emulator

import (
	"io"
	"sync"
	"time"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/iam"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/organizations"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/service"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/sts"
)

// ServicesConfig configures DefaultServices.
type ServicesConfig struct {
	// CreateAccountDelay: see OrganizationsOptions.
	CreateAccountDelay time.Duration
	// MaxAccounts overrides Organizations' account quota when positive.
	MaxAccounts int
	// Quotas override Organizations' quotas (zero fields keep defaults;
	// MaxAccounts above wins over Quotas.MaxAccounts).
	Quotas organizations.Quotas
	// FailCreateAccount injects CreateAccount failures (see
	// organizations.Config.FailCreateAccount); nil injects none.
	FailCreateAccount func(email string) string
	// Rand is the services' source of ids, keys and secrets;
	// crypto/rand.Reader when nil. It must be safe for concurrent use.
	Rand io.Reader
}

// DefaultServices are the services the local AWS serves: Organizations,
// IAM and STS, wired so that every account Organizations creates gets its
// organization access role from IAM.
func DefaultServices(cfg ServicesConfig) []service.Spec {
	i := iam.New(iam.Config{Rand: cfg.Rand})
	q := cfg.Quotas
	if cfg.MaxAccounts > 0 {
		q.MaxAccounts = cfg.MaxAccounts
	}
	o := organizations.New(organizations.Config{
		CreateAccountDelay: cfg.CreateAccountDelay,
		Quotas:             q,
		OnAccountCreated:   []service.AccountCreatedHook{i.OnAccountCreated},
		FailCreateAccount:  cfg.FailCreateAccount,
		Rand:               cfg.Rand,
	})
	s := sts.New(sts.Config{Rand: cfg.Rand})
	return []service.Spec{o.Spec(), i.Spec(), s.Spec()}
}

// lockedReader makes a reader safe for concurrent use, so that a
// deterministic source (a seeded math/rand/v2 ChaCha8, for golden tests)
// can feed every service.
type lockedReader struct {
	mu sync.Mutex
	r  io.Reader
}

func (l *lockedReader) Read(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.r.Read(p)
}
