// Package org is the model of an AWS Organization that the rest of bulkhead
// shares: what the layout file wants (FromLayout) and what a live
// organization has (the provider reads it) are both an *Org, in the same
// terms, so plan can diff them.
//
// Units are keyed by path ("Workloads/Production", "" for the root),
// accounts by name and policies by name: names are what a person writes.
// Live ids (o-, r-, ou-, p-, 12-digit account ids) ride along where known;
// a desired Org has none. Accounts are matched between desired and live by
// email first, then by name (plan says which), so renaming an account never
// creates a new one.
//
// The package holds data and pure functions only: no I/O, no AWS calls,
// no knowledge of the layout file's syntax beyond FromLayout.
package org

import (
	"sort"
	"strings"
)

// Policy types, as the Organizations API spells them.
const (
	SCP    = "SERVICE_CONTROL_POLICY"
	RCP    = "RESOURCE_CONTROL_POLICY"
	Tag    = "TAG_POLICY"
	Backup = "BACKUP_POLICY"
)

// FullAWSAccess is the AWS-managed SCP that Organizations attaches to every
// root, OU and account when SCPs are enabled; RCPFullAWSAccess is its RCP
// counterpart. Desired state treats them as always attached unless the
// layout says otherwise.
const (
	FullAWSAccess    = "FullAWSAccess"
	RCPFullAWSAccess = "RCPFullAWSAccess"
)

// Org is an organization, desired or live.
type Org struct {
	// ID ("o-...") and RootID ("r-...") are empty in a desired Org.
	ID     string `json:"id,omitempty"`
	RootID string `json:"rootId,omitempty"`
	// ManagementAccount is the name of the management account (an entry of
	// Accounts); ManagementAccountID its id when known.
	ManagementAccount   string `json:"managementAccount"`
	ManagementAccountID string `json:"managementAccountId,omitempty"`
	// AccessRole is the role CreateAccount makes in new accounts.
	AccessRole string `json:"accessRole,omitempty"`
	// PolicyTypes are the enabled policy types (sorted).
	PolicyTypes []string `json:"policyTypes"`
	// RootTags are the root's tags.
	RootTags map[string]string `json:"rootTags,omitempty"`

	Units    map[string]*Unit    `json:"units"`    // by path; the root is not in it
	Accounts map[string]*Account `json:"accounts"` // by name
	Policies map[string]*Policy  `json:"policies"` // by name
}

// Unit is an organizational unit.
type Unit struct {
	Path string            `json:"path"` // "Workloads/Production"
	ID   string            `json:"id,omitempty"`
	Tags map[string]string `json:"tags,omitempty"`
}

// Name is the last element of the unit's path.
func (u *Unit) Name() string { return u.Path[strings.LastIndexByte(u.Path, '/')+1:] }

// Parent is the path of the unit's parent ("" for the root).
func (u *Unit) Parent() string { return ParentPath(u.Path) }

// ParentPath returns the parent of a unit path; "" is the root.
func ParentPath(path string) string {
	if i := strings.LastIndexByte(path, '/'); i >= 0 {
		return path[:i]
	}
	return ""
}

// Account statuses, as the Organizations API spells them (the Account
// State field; the older Status field has only the first three).
const (
	Active            = "ACTIVE"
	Suspended         = "SUSPENDED"
	PendingClosure    = "PENDING_CLOSURE"
	Closed            = "CLOSED"
	PendingActivation = "PENDING_ACTIVATION"
)

// Account is a member (or the management) account.
type Account struct {
	Name  string `json:"name"`
	Email string `json:"email"`
	ID    string `json:"id,omitempty"`
	// Unit is the path of the parent unit; "" is the root.
	Unit   string            `json:"unit"`
	Status string            `json:"status,omitempty"`
	Tags   map[string]string `json:"tags,omitempty"`
	// Kind and Protected come from the layout (desired) or from the
	// bulkhead:kind / bulkhead:protected tags when read live.
	Kind      string `json:"kind,omitempty"`
	Protected bool   `json:"protected,omitempty"`
}

// Policy is an Organizations policy.
type Policy struct {
	Name        string `json:"name"`
	ID          string `json:"id,omitempty"`
	Type        string `json:"type"`
	Description string `json:"description,omitempty"`
	// Content is the document as sent to AWS (whitespace-insignificant
	// JSON); compare with ContentEqual, not ==.
	Content    string            `json:"content"`
	AWSManaged bool              `json:"awsManaged,omitempty"`
	Tags       map[string]string `json:"tags,omitempty"`
	// Targets are where the policy is attached.
	Targets []Target `json:"targets"`
}

// TargetKind says what a policy is attached to.
type TargetKind string

const (
	TargetRoot    TargetKind = "root"
	TargetUnit    TargetKind = "unit"
	TargetAccount TargetKind = "account"
)

// Target is a policy attachment point, by name: the root, a unit path or an
// account name.
type Target struct {
	Kind TargetKind `json:"kind"`
	Name string     `json:"name,omitempty"` // unit path or account name; empty for the root
}

func (t Target) String() string {
	if t.Kind == TargetRoot {
		return "root"
	}
	return string(t.Kind) + ":" + t.Name
}

// New returns an empty Org with its maps made.
func New() *Org {
	return &Org{Units: map[string]*Unit{}, Accounts: map[string]*Account{}, Policies: map[string]*Policy{}}
}

// SortedUnitPaths returns unit paths parents first, then by name: the order
// in which units can be created.
func (o *Org) SortedUnitPaths() []string {
	paths := make([]string, 0, len(o.Units))
	for p := range o.Units {
		paths = append(paths, p)
	}
	sort.Slice(paths, func(i, j int) bool {
		di, dj := strings.Count(paths[i], "/"), strings.Count(paths[j], "/")
		if di != dj {
			return di < dj
		}
		return paths[i] < paths[j]
	})
	return paths
}

// SortedAccountNames returns account names in order.
func (o *Org) SortedAccountNames() []string { return sortedKeys(o.Accounts) }

// SortedPolicyNames returns policy names in order.
func (o *Org) SortedPolicyNames() []string { return sortedKeys(o.Policies) }

// AccountByEmail finds an account by email, case-insensitively as AWS
// compares them.
func (o *Org) AccountByEmail(email string) *Account {
	for _, a := range o.Accounts {
		if strings.EqualFold(a.Email, email) {
			return a
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// SortTargets orders targets root first, then units, then accounts, by
// name: the order FromLayout and the provider's Read give them in.
func SortTargets(ts []Target) { sortTargets(ts) }
