// Package sts is the local AWS's Security Token Service (AWS Query
// protocol, API version 2011-06-15): GetCallerIdentity, AssumeRole and
// GetSessionToken. Sessions it issues are written to
// service.CredentialTable, where the front end finds them to verify
// signatures and expiry.
//
// Roles, trust policies and MFA devices are IAM's; this package reads them
// through package iam in the request's transaction. It must not import the
// front end (internal/emulator).
package sts

import (
	"crypto/rand"
	"io"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/service"
)

// Config configures the STS service.
type Config struct {
	// Rand is the source of access key ids, secrets and session tokens;
	// crypto/rand.Reader when nil.
	Rand io.Reader
}

// Service is the emulated STS.
type Service struct {
	rand io.Reader
}

// New returns the STS service.
func New(cfg Config) *Service {
	r := cfg.Rand
	if r == nil {
		r = rand.Reader
	}
	return &Service{rand: r}
}

// Spec describes STS to the front end.
func (s *Service) Spec() service.Spec {
	return service.Spec{
		Name:         "sts",
		Protocol:     service.Query,
		APIVersion:   "2011-06-15",
		XMLNamespace: "https://sts.amazonaws.com/doc/2011-06-15/",
		Operations:   map[string]service.Operation{},
	}
}
