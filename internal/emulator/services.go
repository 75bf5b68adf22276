package emulator

import (
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
}

// DefaultServices are the services the local AWS serves: Organizations,
// IAM and STS, wired so that every account Organizations creates gets its
// organization access role from IAM.
func DefaultServices(cfg ServicesConfig) []service.Spec {
	i := iam.New(iam.Config{})
	q := cfg.Quotas
	if cfg.MaxAccounts > 0 {
		q.MaxAccounts = cfg.MaxAccounts
	}
	o := organizations.New(organizations.Config{
		CreateAccountDelay: cfg.CreateAccountDelay,
		Quotas:             q,
		OnAccountCreated:   []service.AccountCreatedHook{i.OnAccountCreated},
		FailCreateAccount:  cfg.FailCreateAccount,
	})
	s := sts.New(sts.Config{})
	return []service.Spec{o.Spec(), i.Spec(), s.Spec()}
}
