package org

import "sort"

// IAM is the IAM part of an organization, desired or live: per account (by
// name) the roles bulkhead manages, and in the identity account the users,
// groups and their policies. A desired IAM is computed from the layout and
// the accounts' ids (trust policies name account ids); a live IAM is read by
// the provider through the organization access role.
//
// Only what bulkhead manages is compared: roles named by the layout (plus,
// in the identity account, users and groups), the GitHub OIDC provider, the
// password policy and the alias. The organization access role and other
// roles made outside bulkhead are never in a desired IAM, and plan leaves
// them alone.
type IAM struct {
	Accounts map[string]*AccountIAM `json:"accounts"` // by account name
}

// AccountIAM is one account's IAM.
type AccountIAM struct {
	Account   string `json:"account"`
	AccountID string `json:"accountId,omitempty"`
	// Identity marks the identity account (users and groups live there).
	Identity bool                 `json:"identity,omitempty"`
	Roles    map[string]*IAMRole  `json:"roles"`
	Users    map[string]*IAMUser  `json:"users,omitempty"`
	Groups   map[string]*IAMGroup `json:"groups,omitempty"`
	// OIDCProviders are the providers' URLs without scheme
	// ("token.actions.githubusercontent.com"), sorted.
	OIDCProviders []string `json:"oidcProviders,omitempty"`
	// PasswordPolicy is nil when the layout does not set one (desired) or
	// the account has none (live).
	PasswordPolicy *PasswordPolicy `json:"passwordPolicy,omitempty"`
	// Alias is the account alias; "" for none.
	Alias string `json:"alias,omitempty"`
}

// IAMRole is a role.
type IAMRole struct {
	Name string `json:"name"`
	// Trust is the trust policy as JSON (compare with ContentEqual).
	Trust string `json:"trust"`
	// ManagedPolicies are attached managed policies' ARNs, sorted.
	ManagedPolicies []string `json:"managedPolicies,omitempty"`
	// InlinePolicies are inline policies by name.
	InlinePolicies map[string]string `json:"inlinePolicies,omitempty"`
	// Boundary is the permissions boundary's ARN; "" for none.
	Boundary string `json:"boundary,omitempty"`
	// MaxSession is the maximum session duration in seconds (AWS's
	// default 3600).
	MaxSession int32             `json:"maxSession"`
	Tags       map[string]string `json:"tags,omitempty"`
	// CreateOnly marks a role bulkhead creates when it is missing and
	// never changes afterwards: the CI system's role in its tooling
	// account, which the layout names but does not describe.
	CreateOnly bool `json:"createOnly,omitempty"`
}

// IAMUser is a user of the identity account.
type IAMUser struct {
	Name           string            `json:"name"`
	Groups         []string          `json:"groups,omitempty"` // sorted
	InlinePolicies map[string]string `json:"inlinePolicies,omitempty"`
	Tags           map[string]string `json:"tags,omitempty"`
}

// IAMGroup is a group of the identity account.
type IAMGroup struct {
	Name           string            `json:"name"`
	InlinePolicies map[string]string `json:"inlinePolicies,omitempty"`
}

// PasswordPolicy is an account's IAM password policy (the fields of
// UpdateAccountPasswordPolicy bulkhead sets).
type PasswordPolicy struct {
	MinimumLength              int32 `json:"minimumLength"`
	RequireSymbols             bool  `json:"requireSymbols"`
	RequireNumbers             bool  `json:"requireNumbers"`
	RequireUppercase           bool  `json:"requireUppercase"`
	RequireLowercase           bool  `json:"requireLowercase"`
	AllowUsersToChangePassword bool  `json:"allowUsersToChangePassword"`
	MaxPasswordAge             int32 `json:"maxPasswordAge,omitempty"`
	PasswordReusePrevention    int32 `json:"passwordReusePrevention,omitempty"`
}

// NewIAM returns an empty IAM.
func NewIAM() *IAM { return &IAM{Accounts: map[string]*AccountIAM{}} }

// NewAccountIAM returns an account's empty IAM with its maps made.
func NewAccountIAM(name, id string) *AccountIAM {
	return &AccountIAM{Account: name, AccountID: id, Roles: map[string]*IAMRole{}, Users: map[string]*IAMUser{}, Groups: map[string]*IAMGroup{}}
}

// SortedAccounts returns the account names in order.
func (i *IAM) SortedAccounts() []string { return sortedKeys(i.Accounts) }

// SortedRoles returns the role names in order.
func (a *AccountIAM) SortedRoles() []string { return sortedKeys(a.Roles) }

// SortedUsers returns the user names in order.
func (a *AccountIAM) SortedUsers() []string { return sortedKeys(a.Users) }

// SortedGroups returns the group names in order.
func (a *AccountIAM) SortedGroups() []string { return sortedKeys(a.Groups) }

// SortedStrings sorts a copy of s.
func SortedStrings(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}
