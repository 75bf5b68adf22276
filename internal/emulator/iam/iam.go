// Package iam is the local AWS's Identity and Access Management service
// (AWS Query protocol, API version 2010-05-08): users, groups, roles,
// managed and inline policies, attachments, access keys, virtual MFA
// devices, account aliases and password policies, each account isolated by
// the caller's account id.
//
// Handlers read and write the request's store transaction only; they never
// see HTTP, never read the wall clock (Request.Now) and draw randomness from
// Config.Rand. Access keys are published to the front end through
// service.CredentialTable. The package must not import the front end
// (internal/emulator) or another service other than through
// internal/emulator/service.
package iam

import (
	"context"
	"crypto/rand"
	"io"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/service"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/store"
)

// Config configures the IAM service.
type Config struct {
	// Rand is the source of unique ids, secret keys and MFA seeds;
	// crypto/rand.Reader when nil. Tests pass a deterministic reader.
	Rand io.Reader
}

// Service is the emulated IAM.
type Service struct {
	rand io.Reader
}

// New returns the IAM service.
func New(cfg Config) *Service {
	r := cfg.Rand
	if r == nil {
		r = rand.Reader
	}
	return &Service{rand: r}
}

// Spec describes IAM to the front end.
func (s *Service) Spec() service.Spec {
	return service.Spec{
		Name:         "iam",
		Protocol:     service.Query,
		APIVersion:   "2010-05-08",
		XMLNamespace: "https://iam.amazonaws.com/doc/2010-05-08/",
		Operations:   s.operations(),
	}
}

func (s *Service) operations() map[string]service.Operation {
	return map[string]service.Operation{}
}

// OnAccountCreated creates the organization access role in a new member
// account: ev.AccessRoleName, trusting arn:aws:iam::<management>:root, with
// AdministratorAccess attached, as Organizations does
// (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_accounts_access.html).
func (s *Service) OnAccountCreated(ctx context.Context, tx store.Tx, ev service.AccountCreated) error {
	return nil
}
