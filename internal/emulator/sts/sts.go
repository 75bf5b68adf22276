// Package sts is the local AWS's Security Token Service (AWS Query
// protocol, API version 2011-06-15): GetCallerIdentity, AssumeRole,
// GetSessionToken, GetFederationToken and GetAccessKeyInfo. Sessions it issues are written to
// service.CredentialTable, where the front end finds them to verify
// signatures and expiry.
//
// Roles, trust policies and MFA devices are IAM's; this package reads them
// through package iam in the request's transaction, and decides trust with
// internal/policy's evaluator. It must not import the front end
// (internal/emulator), read the wall clock (Request.Now) or draw randomness
// from anything but Config.Rand.
package sts

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/iam"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/service"
)

// Config configures the STS service.
type Config struct {
	// Rand is the source of access key ids, secrets and session tokens;
	// crypto/rand.Reader when nil.
	Rand io.Reader
	// RefuseRootAssumeRole makes AssumeRole refuse the root user, as AWS
	// does ("Roles may not be assumed by root accounts"). It is off by
	// default because the local AWS's bootstrap credentials are the
	// management account's root, and reaching member accounts through
	// their organization access role with them is what a fresh local AWS
	// is for.
	RefuseRootAssumeRole bool
}

// Service is the emulated STS.
type Service struct {
	rand       io.Reader
	refuseRoot bool
}

// New returns the STS service.
func New(cfg Config) *Service {
	r := cfg.Rand
	if r == nil {
		r = rand.Reader
	}
	return &Service{rand: r, refuseRoot: cfg.RefuseRootAssumeRole}
}

// Spec describes STS to the front end.
func (s *Service) Spec() service.Spec {
	return service.Spec{
		Name:         "sts",
		Protocol:     service.Query,
		APIVersion:   "2011-06-15",
		XMLNamespace: "https://sts.amazonaws.com/doc/2011-06-15/",
		Operations: map[string]service.Operation{
			"GetCallerIdentity":  {Handler: s.getCallerIdentity},
			"AssumeRole":         {Handler: s.assumeRole, Mutates: true},
			"GetSessionToken":    {Handler: s.getSessionToken, Mutates: true},
			"GetAccessKeyInfo":   {Handler: s.getAccessKeyInfo},
			"GetFederationToken": {Handler: s.getFederationToken, Mutates: true},
		},
	}
}

type credentialsOut struct {
	AccessKeyId     string       `xml:"AccessKeyId"`
	SecretAccessKey string       `xml:"SecretAccessKey"`
	SessionToken    string       `xml:"SessionToken"`
	Expiration      service.Time `xml:"Expiration"`
}

// issue creates temporary credentials for id valid for d and stores them.
func (s *Service) issue(r *service.Request, id service.Identity, d time.Duration) (credentialsOut, error) {
	key, secret, err := iam.NewAccessKey(s.rand, iam.PrefixSessionKey)
	if err != nil {
		return credentialsOut{}, err
	}
	// Session tokens are opaque to clients; AWS's are a few hundred
	// base64 characters, and so are these.
	raw := make([]byte, 240)
	if _, err := io.ReadFull(s.rand, raw); err != nil {
		return credentialsOut{}, fmt.Errorf("random: %w", err)
	}
	token := "IQoJb3JpZ2luX2VjE" + base64.StdEncoding.EncodeToString(raw)
	id.Temporary = true
	exp := r.Now.Add(d).UTC().Truncate(time.Second)
	cred := service.Credential{AccessKeyID: key, SecretAccessKey: secret, SessionToken: token, Expires: exp, Status: "Active", Identity: id}
	if err := r.Tx.Insert(service.CredentialTable, key, cred); err != nil {
		return credentialsOut{}, fmt.Errorf("sts: store session: %w", err)
	}
	return credentialsOut{AccessKeyId: key, SecretAccessKey: secret, SessionToken: token, Expiration: service.Time(exp)}, nil
}

func accessDenied(format string, args ...any) *service.Error {
	return service.Errorf(http.StatusForbidden, "AccessDenied", format, args...)
}

func validationError(member, value, constraint string) *service.Error {
	return service.BadRequest("ValidationError",
		"1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: %s", value, member, constraint)
}

// getCallerIdentity answers who signed the request. AWS performs no
// authorization for it ("No permissions are required to perform this
// operation", even under an explicit deny), so neither do we:
// https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html.
func (s *Service) getCallerIdentity(ctx context.Context, r *service.Request) (any, error) {
	if err := r.Decode(&struct{}{}); err != nil {
		return nil, err
	}
	c := r.Caller
	return struct {
		UserId  string `xml:"UserId"`
		Account string `xml:"Account"`
		Arn     string `xml:"Arn"`
	}{c.UserID, c.Account, c.ARN}, nil
}
