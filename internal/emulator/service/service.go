// Package service is the contract between the local AWS's front end (HTTP,
// SigV4, wire protocols, transactions, fault injection) and each emulated
// service (Organizations, IAM, STS, ...).
//
// A service is a Spec: its signing name, its wire protocol and a table of
// operations. The front end authenticates the caller, opens one store
// transaction per request (read-write only for operations marked Mutates),
// decodes nothing itself but hands the handler a Request whose Decode fills
// the operation's input struct from either protocol, and encodes whatever
// the handler returns (or the *Error it fails with) in the service's
// protocol. Handlers never see HTTP.
//
// This package must not import the front end or any service.
package service

import (
	"context"
	"time"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/store"
)

// Protocol is a service's wire protocol.
type Protocol string

const (
	// JSON is AWS JSON 1.1 (Organizations): POST /, X-Amz-Target
	// "<TargetPrefix>.<Action>", JSON body; errors as {"__type", "message"}.
	JSON Protocol = "json"
	// Query is AWS Query (IAM, STS): form-encoded Action=...&Version=...,
	// XML responses <ActionResponse><ActionResult>...; errors as
	// <ErrorResponse><Error><Type><Code><Message>.
	Query Protocol = "query"
)

// Spec describes one emulated service.
type Spec struct {
	// Name is the SigV4 signing name ("organizations", "iam", "sts"); the
	// front end routes a request by the service in its credential scope.
	Name     string
	Protocol Protocol
	// TargetPrefix is the X-Amz-Target prefix for JSON services, such as
	// "AWSOrganizationsV20161128".
	TargetPrefix string
	// APIVersion is the Version parameter of Query services ("2010-05-08").
	APIVersion string
	// XMLNamespace is the xmlns of Query responses
	// ("https://iam.amazonaws.com/doc/2010-05-08/").
	XMLNamespace string
	// Operations by action name, exactly as in the AWS service model.
	Operations map[string]Operation
}

// Handler runs one operation. It returns the output structure (encoded by
// the front end in the service's protocol; nil for an empty result) or an
// error, preferably an *Error; any other error is reported to the client as
// an internal failure (HTTP 500) and logged.
type Handler func(ctx context.Context, r *Request) (any, error)

// Operation is one action of a service.
type Operation struct {
	Handler Handler
	// Mutates marks operations that write to the store; they run in a
	// read-write transaction, every other in a read-only one.
	Mutates bool
}

// Request is one authenticated call to an operation.
type Request struct {
	Service   string // signing name
	Action    string
	Region    string
	RequestID string
	// Caller is the authenticated principal that signed the request.
	Caller Identity
	// Now is the request's time from the emulator's clock; handlers use it,
	// never time.Now, so tests control time.
	Now time.Time
	// SourceIP is the client address, for aws:SourceIp.
	SourceIP string
	// Tx is the request's transaction. It commits if the handler returns
	// a nil error and rolls back otherwise.
	Tx store.Tx

	// DecodeFunc fills an input struct from the request parameters; set by
	// the front end. Handlers call Decode.
	DecodeFunc func(v any) error
	// AuthorizeFunc is the authorization hook; set by the front end.
	AuthorizeFunc func(ctx context.Context, r *Request, a Authz) error
}

// Decode fills v, a pointer to the operation's input struct, from the
// request. Field names are the AWS member names: for JSON services the body
// is unmarshalled with encoding/json; for Query services parameters such as
// "Tags.member.1.Key" fill v.Tags[0].Key (lists as .member.N, maps as
// .entry.N.key/.value, nested structures by dotted name). A malformed input
// yields an *Error with the protocol's validation code.
func (r *Request) Decode(v any) error {
	if r.DecodeFunc == nil {
		return nil
	}
	return r.DecodeFunc(v)
}

// Authz is what an operation asks the authorizer to allow.
type Authz struct {
	// Action is "service:Action"; empty means the request's own action.
	Action string
	// Resource is the ARN acted on ("*" for actions without a resource).
	Resource string
	// ResourceAccount is the account owning Resource; empty means the
	// caller's account.
	ResourceAccount string
	// Context holds extra condition keys (aws:RequestTag/..., iam:PassedToService, ...).
	Context map[string][]string
}

// Authorize asks the emulator's authorizer whether the caller may perform
// a. Every handler calls it before acting, once per resource it touches. It
// returns an *Error (AccessDenied in the service's shape) when refused.
func (r *Request) Authorize(ctx context.Context, a Authz) error {
	if a.Action == "" {
		a.Action = r.Service + ":" + r.Action
	}
	if r.AuthorizeFunc == nil {
		return nil
	}
	return r.AuthorizeFunc(ctx, r, a)
}

// Identity is an authenticated principal.
type Identity struct {
	// Account is the 12-digit account id the principal belongs to.
	Account string `json:"account"`
	// ARN of the principal: arn:aws:iam::<acct>:root,
	// arn:aws:iam::<acct>:user/<path><name>, or for role sessions
	// arn:aws:sts::<acct>:assumed-role/<role>/<session>.
	ARN string `json:"arn"`
	// Type is "Root", "User" or "AssumedRole".
	Type string `json:"type"`
	// UserID is what GetCallerIdentity returns as UserId: the account id
	// for root, the user's unique id (AIDA...) or "<role id>:<session>".
	UserID string `json:"userId"`
	// Name is the user name, or the role name for role sessions.
	Name string `json:"name,omitempty"`

	// Role session attributes (Type "AssumedRole").
	RoleARN        string            `json:"roleArn,omitempty"`
	SessionName    string            `json:"sessionName,omitempty"`
	SourceIdentity string            `json:"sourceIdentity,omitempty"`
	SessionPolicy  string            `json:"sessionPolicy,omitempty"`
	SessionTags    map[string]string `json:"sessionTags,omitempty"`
	// TransitiveTagKeys are the session tags that chained sessions
	// inherit (AssumeRole TransitiveTagKeys).
	TransitiveTagKeys []string `json:"transitiveTagKeys,omitempty"`
	// Chained is true when the session was made by a role session
	// (role chaining caps it at one hour).
	Chained bool `json:"chained,omitempty"`
	// MFA is true when the credentials were issued after MFA
	// (aws:MultiFactorAuthPresent).
	MFA bool `json:"mfa,omitempty"`
	// Temporary is true for credentials STS issued (with a session token):
	// role sessions and GetSessionToken sessions. AssumeRole called with
	// any temporary credentials is role chaining (one-hour cap).
	Temporary bool `json:"temporary,omitempty"`
}

// Credential is a stored access key and the identity it signs for. IAM
// (CreateAccessKey), STS (AssumeRole, GetSessionToken) and the emulator's
// bootstrap (the management account's administrator keys) write these into
// CredentialTable keyed by access key id; the front end reads them to verify
// SigV4 signatures. The secret never leaves the store except in the one
// response that issues it.
type Credential struct {
	AccessKeyID     string    `json:"accessKeyId"`
	SecretAccessKey string    `json:"secretAccessKey"`
	SessionToken    string    `json:"sessionToken,omitempty"`
	Expires         time.Time `json:"expires,omitzero"` // zero: long-term key
	// Status is "Active" or "Inactive" (IAM UpdateAccessKey).
	Status   string   `json:"status"`
	Identity Identity `json:"identity"`
}

// CredentialTable is the store table of Credentials, keyed by access key id.
const CredentialTable = "auth.credential"

// AccountTable lists every account the local AWS knows, keyed by 12-digit
// id. The bootstrap writes the management account; Organizations writes the
// accounts it creates. IAM and STS consult it to reject unknown accounts.
const AccountTable = "auth.account"

// Account is an entry of AccountTable.
type Account struct {
	ID      string    `json:"id"`
	Name    string    `json:"name"`
	Email   string    `json:"email"`
	Created time.Time `json:"created"`
	// Closed is set when the account was closed (SUSPENDED); its
	// credentials stop working.
	Closed bool `json:"closed,omitempty"`
}

// AccountCreated is the event Organizations raises, inside the creating
// transaction, when a new member account comes into existence (when its
// CreateAccount completes).
type AccountCreated struct {
	AccountID string
	// ManagementAccountID is the organization's management account.
	ManagementAccountID string
	// AccessRoleName is the role to create in the new account, trusting
	// the management account with AdministratorAccess
	// (OrganizationAccountAccessRole unless the request named another).
	AccessRoleName string
	Now            time.Time
}

// AccountCreatedHook is implemented by services that provision something in
// every new account (IAM creates the organization access role).
type AccountCreatedHook func(ctx context.Context, tx store.Tx, ev AccountCreated) error
