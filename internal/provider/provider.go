// Package provider reads a live AWS Organization into the org model and
// performs single operations on it (create an OU, move an account, attach
// a policy, ...), through aws-sdk-go-v2 only. The same implementation
// serves real AWS and the local AWS: only the aws.Config differs (the
// standard credential chain, or emulator.LocalConfig's in-process one).
//
// Every request goes through one adaptive rate limiter per Organizations
// operation and a retry decorator (jittered exponential backoff for
// throttling, ConcurrentModificationException and 5xx); callers never
// retry or sleep themselves. Calls() counts the requests sent.
//
// The package must not decide what to change: diffing desired against live
// and ordering operations is internal/plan's job. It must not read the
// layout file, and it holds no state beyond its call counters and rate
// limiters.
package provider

import (
	"context"
	"errors"
	"time"

	"github.com/bulkhead-dev/bulkhead/internal/org"
)

// Provider is a live organization. Ids are AWS's: "r-..." root,
// "ou-..." units, 12-digit accounts, "p-..." policies. Methods are safe for
// concurrent use; every error names what failed ("create account prod:
// ...") and wraps one of the sentinels below where one applies, so callers
// test with errors.Is.
type Provider interface {
	// Read returns the whole organization: its id, root id and tags,
	// enabled policy types (of the root), units by path with ids,
	// accounts by name (email, id, status, parent unit path, tags; Kind
	// and Protected from the bulkhead:kind and bulkhead:protected tags,
	// which are removed from Tags), and policies by name (content, type,
	// description, targets by name, AWSManaged). AWS-managed policies
	// (FullAWSAccess, ...) come with their targets but without Content.
	// It returns ErrNoOrganization when the caller's account is in no
	// organization. Unit and policy tags are not read (the layout cannot
	// express them). ReadCalls documents how many requests it sends.
	Read(ctx context.Context) (*org.Org, error)

	// CreateOrganization creates an organization with all features, the
	// caller's account as management account.
	CreateOrganization(ctx context.Context) error
	// EnablePolicyType enables a policy type (org.SCP, ...) on the root.
	EnablePolicyType(ctx context.Context, rootID, policyType string) error

	// CreateUnit creates an OU named name under parentID (the root's or an
	// OU's id) and returns its id. ErrAlreadyExists when the parent has a
	// unit of that name.
	CreateUnit(ctx context.Context, parentID, name string, tags map[string]string) (id string, err error)
	// RenameUnit renames an OU in place (its id, children and attachments
	// stay).
	RenameUnit(ctx context.Context, id, name string) error
	// DeleteUnit deletes an empty OU.
	DeleteUnit(ctx context.Context, id string) error

	// CreateAccount starts creating a member account and returns the
	// create-account status id ("car-..."); the account exists once
	// DescribeCreateAccount reports CreateSucceeded. Keep the status id
	// (journal) before doing anything else: sending CreateAccount twice
	// for one email makes a second request that fails only later.
	CreateAccount(ctx context.Context, in CreateAccountInput) (statusID string, err error)
	// DescribeCreateAccount returns the status of one creation request.
	DescribeCreateAccount(ctx context.Context, statusID string) (CreateAccountStatus, error)
	// CreateAccountRequests lists creation requests in the given states
	// (CreateInProgress, CreateSucceeded, CreateFailed; all when none),
	// newest first as AWS returns them. AWS reports the account name, not
	// the email, of a request: to find whether an email already has an
	// account, look in Read's accounts (AccountByEmail) and, for requests
	// still running, match the in-progress requests by name.
	CreateAccountRequests(ctx context.Context, states ...string) ([]CreateAccountStatus, error)
	// MoveAccount moves an account between parents (root or OU ids):
	// ErrAlreadyExists when it is in toParentID already, ErrNotFound when
	// it is not in fromParentID.
	MoveAccount(ctx context.Context, accountID, fromParentID, toParentID string) error

	// Tags returns a resource's tags (root, OU, account or policy id).
	Tags(ctx context.Context, id string) (map[string]string, error)
	// TagResource adds or overwrites tags on a resource.
	TagResource(ctx context.Context, id string, tags map[string]string) error
	// UntagResource removes tag keys from a resource.
	UntagResource(ctx context.Context, id string, keys []string) error

	// CreatePolicy creates a customer-managed policy from p's Name, Type,
	// Description, Content and Tags (not its Targets) and returns its id.
	CreatePolicy(ctx context.Context, p *org.Policy) (id string, err error)
	// UpdatePolicy sets the name, description and content of a policy to
	// p's.
	UpdatePolicy(ctx context.Context, id string, p *org.Policy) error
	// DeletePolicy deletes a policy that is attached nowhere.
	DeletePolicy(ctx context.Context, id string) error
	// AttachPolicy attaches a policy to a root, OU or account id;
	// ErrAlreadyExists when it is attached there already.
	AttachPolicy(ctx context.Context, policyID, targetID string) error
	// DetachPolicy detaches a policy; ErrNotFound when it is not attached
	// there.
	DetachPolicy(ctx context.Context, policyID, targetID string) error

	// CloseAccount closes a member account (it stays in the organization,
	// PENDING_CLOSURE then SUSPENDED, for 90 days).
	CloseAccount(ctx context.Context, accountID string) error
	// RemoveAccount removes a member account from the organization.
	RemoveAccount(ctx context.Context, accountID string) error

	// Calls returns the requests sent since the provider was made.
	Calls() CallStats
}

// CreateAccountInput is a CreateAccount request.
type CreateAccountInput struct {
	Name  string
	Email string
	// RoleName is the role made in the account for the management
	// account to assume; AWS's default OrganizationAccountAccessRole when
	// empty.
	RoleName string
	Tags     map[string]string
}

// Create-account states, as the Organizations API spells them.
const (
	CreateInProgress = "IN_PROGRESS"
	CreateSucceeded  = "SUCCEEDED"
	CreateFailed     = "FAILED"
)

// CreateAccountStatus is the state of one CreateAccount request.
type CreateAccountStatus struct {
	ID          string `json:"id"` // "car-..."
	AccountName string `json:"accountName"`
	State       string `json:"state"`               // CreateInProgress, CreateSucceeded, CreateFailed
	AccountID   string `json:"accountId,omitempty"` // once SUCCEEDED
	// FailureReason is AWS's code (EMAIL_ALREADY_EXISTS, ...) when FAILED.
	FailureReason string    `json:"failureReason,omitempty"`
	RequestedAt   time.Time `json:"requestedAt"`
}

// Tags bulkhead keeps on accounts for what AWS has no field for. Read moves
// them out of Account.Tags into Account.Kind and Account.Protected;
// AccountTags puts them back for writing.
const (
	TagKind      = "bulkhead:kind"
	TagProtected = "bulkhead:protected"
)

// AccountTags returns the tags to write on an account: its Tags plus
// bulkhead:kind and bulkhead:protected (the latter only when true).
func AccountTags(a *org.Account) map[string]string {
	tags := make(map[string]string, len(a.Tags)+2)
	for k, v := range a.Tags {
		tags[k] = v
	}
	if a.Kind != "" {
		tags[TagKind] = a.Kind
	}
	if a.Protected {
		tags[TagProtected] = "true"
	}
	return tags
}

// Sentinel errors; test with errors.Is.
var (
	// ErrNoOrganization: the caller's account is in no organization
	// (AWSOrganizationsNotInUseException).
	ErrNoOrganization = errors.New("not in an organization")
	// ErrNotFound: the target, unit, account, policy, attachment or
	// create-account request does not exist (the *NotFoundException
	// family, PolicyNotAttachedException).
	ErrNotFound = errors.New("not found")
	// ErrAlreadyExists: the unit, policy or attachment exists already
	// (DuplicateOrganizationalUnitException, DuplicatePolicyException,
	// DuplicatePolicyAttachmentException, AlreadyInOrganizationException,
	// DuplicateAccountException (a move to where the account is),
	// PolicyTypeAlreadyEnabledException).
	ErrAlreadyExists = errors.New("already exists")
)

// Retryable reports whether err is transient: throttling
// (TooManyRequestsException, Throttling...), ConcurrentModificationException,
// a 5xx, or a connection failure. The provider retries these itself; a
// caller seeing one has exhausted the retries and may try again later.
func Retryable(err error) bool { return classify(err) != errPermanent }

// CallStats counts the requests a provider sent, by Organizations
// operation name ("ListAccountsForParent").
type CallStats struct {
	// Calls counts every request sent, retries included.
	Calls map[string]int `json:"calls"`
	// Retries counts the requests among Calls that were retries.
	Retries map[string]int `json:"retries,omitempty"`
	// Throttled counts throttling errors received.
	Throttled map[string]int `json:"throttled,omitempty"`
}

// Total is the number of requests sent.
func (s CallStats) Total() int {
	n := 0
	for _, c := range s.Calls {
		n += c
	}
	return n
}
