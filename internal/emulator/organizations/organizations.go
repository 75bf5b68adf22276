// Package organizations is the local AWS's Organizations service (AWS JSON
// 1.1, target prefix AWSOrganizationsV20161128): one organization per
// management account, its root, organizational units, member accounts
// (created asynchronously, as AWS does), policies of every type with their
// attachments, effective tag and backup policies, tags, trusted service
// access, delegated administrators and the organization's resource policy.
//
// Handlers read and write only the request's store transaction, take the
// time from Request.Now (never the wall clock) and draw ids from
// Config.Rand. Accounts it creates are published to the rest of the local
// AWS through service.AccountTable and the Config.OnAccountCreated hooks.
// The package must not import the front end (internal/emulator) nor any
// other service; PolicyChain is its only export for the policy engine.
package organizations

import (
	"crypto/rand"
	"io"
	"time"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/service"
)

// Config configures the Organizations service.
type Config struct {
	// CreateAccountDelay is how long a CreateAccount request stays
	// IN_PROGRESS before it SUCCEEDS or FAILS, measured on the request
	// clock. AWS takes minutes; zero means DefaultCreateAccountDelay so
	// that clients exercise their polling loops. A negative value completes
	// requests at once (the first DescribeCreateAccountStatus already sees
	// SUCCEEDED).
	CreateAccountDelay time.Duration
	// Quotas are the organization's limits; zero fields take AWS's
	// defaults (DefaultQuotas).
	Quotas Quotas
	// OnAccountCreated hooks run, in the creating transaction, for every
	// account CreateAccount brings into existence (IAM creates the
	// organization access role).
	OnAccountCreated []service.AccountCreatedHook
	// FailCreateAccount is fault injection: called with the requested
	// email, it returns a CreateAccountFailureReason (such as
	// "INTERNAL_FAILURE") to make the request FAIL, or "" to proceed.
	FailCreateAccount func(email string) string
	// Rand is the source of ids; crypto/rand.Reader when nil.
	Rand io.Reader
}

// DefaultCreateAccountDelay is CreateAccountDelay's default.
const DefaultCreateAccountDelay = 2 * time.Second

// Service is the emulated Organizations.
type Service struct {
	cfg    Config
	quotas Quotas
	rand   io.Reader
	// accounts decodes listed accounts (decodecache.go).
	accounts decodeCache[accountDoc]
}

// New returns the Organizations service.
func New(cfg Config) *Service {
	s := &Service{cfg: cfg, quotas: cfg.Quotas.withDefaults(), rand: cfg.Rand}
	if s.rand == nil {
		s.rand = rand.Reader
	}
	switch {
	case cfg.CreateAccountDelay == 0:
		s.cfg.CreateAccountDelay = DefaultCreateAccountDelay
	case cfg.CreateAccountDelay < 0:
		s.cfg.CreateAccountDelay = 0
	}
	return s
}

// Spec describes Organizations to the front end.
func (s *Service) Spec() service.Spec {
	return service.Spec{
		Name:         "organizations",
		Protocol:     service.JSON,
		TargetPrefix: "AWSOrganizationsV20161128",
		Operations:   s.operations(),
	}
}

// operations is the table of actions, every one of the service model's
// (aws-sdk-go-v2/service/organizations v1.62); Mutates marks those that
// write.
func (s *Service) operations() map[string]service.Operation {
	read := func(h service.Handler) service.Operation { return service.Operation{Handler: h} }
	write := func(h service.Handler) service.Operation { return service.Operation{Handler: h, Mutates: true} }
	return map[string]service.Operation{
		"CreateOrganization":   write(s.createOrganization),
		"DescribeOrganization": read(s.describeOrganization),
		"DeleteOrganization":   write(s.deleteOrganization),
		"ListRoots":            read(s.listRoots),
		"EnablePolicyType":     write(s.enablePolicyType),
		"DisablePolicyType":    write(s.disablePolicyType),

		"CreateOrganizationalUnit":         write(s.createOrganizationalUnit),
		"DescribeOrganizationalUnit":       read(s.describeOrganizationalUnit),
		"UpdateOrganizationalUnit":         write(s.updateOrganizationalUnit),
		"DeleteOrganizationalUnit":         write(s.deleteOrganizationalUnit),
		"ListOrganizationalUnitsForParent": read(s.listOrganizationalUnitsForParent),
		"ListChildren":                     read(s.listChildren),
		"ListParents":                      read(s.listParents),

		"CreateAccount":                 write(s.createAccount),
		"DescribeCreateAccountStatus":   read(s.describeCreateAccountStatus),
		"ListCreateAccountStatus":       read(s.listCreateAccountStatus),
		"DescribeAccount":               read(s.describeAccount),
		"ListAccounts":                  read(s.listAccounts),
		"ListAccountsForParent":         read(s.listAccountsForParent),
		"MoveAccount":                   write(s.moveAccount),
		"CloseAccount":                  write(s.closeAccount),
		"RemoveAccountFromOrganization": write(s.removeAccountFromOrganization),
		"LeaveOrganization":             write(s.leaveOrganization),

		"CreatePolicy":            write(s.createPolicy),
		"DescribePolicy":          read(s.describePolicy),
		"UpdatePolicy":            write(s.updatePolicy),
		"DeletePolicy":            write(s.deletePolicy),
		"ListPolicies":            read(s.listPolicies),
		"AttachPolicy":            write(s.attachPolicy),
		"DetachPolicy":            write(s.detachPolicy),
		"ListPoliciesForTarget":   read(s.listPoliciesForTarget),
		"ListTargetsForPolicy":    read(s.listTargetsForPolicy),
		"DescribeEffectivePolicy": read(s.describeEffectivePolicy),

		"TagResource":         write(s.tagResource),
		"UntagResource":       write(s.untagResource),
		"ListTagsForResource": read(s.listTagsForResource),

		"EnableAWSServiceAccess":              write(s.enableAWSServiceAccess),
		"DisableAWSServiceAccess":             write(s.disableAWSServiceAccess),
		"ListAWSServiceAccessForOrganization": read(s.listAWSServiceAccessForOrganization),
		"RegisterDelegatedAdministrator":      write(s.registerDelegatedAdministrator),
		"DeregisterDelegatedAdministrator":    write(s.deregisterDelegatedAdministrator),
		"ListDelegatedAdministrators":         read(s.listDelegatedAdministrators),
		"ListDelegatedServicesForAccount":     read(s.listDelegatedServicesForAccount),

		"InviteAccountToOrganization":   write(s.inviteAccountToOrganization),
		"AcceptHandshake":               write(s.acceptHandshake),
		"DeclineHandshake":              write(s.declineHandshake),
		"CancelHandshake":               write(s.cancelHandshake),
		"DescribeHandshake":             read(s.describeHandshake),
		"ListHandshakesForAccount":      read(s.listHandshakesForAccount),
		"ListHandshakesForOrganization": read(s.listHandshakesForOrganization),
		"EnableAllFeatures":             write(s.enableAllFeatures),

		"CreateGovCloudAccount":                  write(s.createGovCloudAccount),
		"ListAccountsWithInvalidEffectivePolicy": read(s.listAccountsWithInvalidEffectivePolicy),
		"ListEffectivePolicyValidationErrors":    read(s.listEffectivePolicyValidationErrors),

		"InviteOrganizationToTransferResponsibility": write(s.inviteOrganizationToTransferResponsibility),
		"DescribeResponsibilityTransfer":             read(s.describeResponsibilityTransfer),
		"UpdateResponsibilityTransfer":               write(s.updateResponsibilityTransfer),
		"TerminateResponsibilityTransfer":            write(s.terminateResponsibilityTransfer),
		"ListInboundResponsibilityTransfers":         read(s.listInboundResponsibilityTransfers),
		"ListOutboundResponsibilityTransfers":        read(s.listOutboundResponsibilityTransfers),

		"PutResourcePolicy":      write(s.putResourcePolicy),
		"DescribeResourcePolicy": read(s.describeResourcePolicy),
		"DeleteResourcePolicy":   write(s.deleteResourcePolicy),
	}
}
