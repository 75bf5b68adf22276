// Package plan reconciles a desired organization (from the layout) with a
// live one (read by the provider): Diff turns the two into an ordered graph
// of operations, Render shows it to people or scripts, Save and Load keep it
// in a plan file with a fingerprint of the live state it was made from, and
// Apply runs it against a live organization with bounded parallelism, a
// journal that makes CreateAccount idempotent across crashes, and a lock
// that keeps two applies off one organization.
//
// Diff and Render are pure. Apply does I/O only through the Provider
// interface (internal/provider over aws-sdk-go-v2), the journal file under
// .bulkhead/ and the injected clock; it must never call the emulator
// directly, so the same code runs against real AWS.
package plan

import (
	"sort"

	"github.com/bulkhead-dev/bulkhead/internal/org"
	"github.com/bulkhead-dev/bulkhead/internal/provider"
)

// Kind is what an operation does.
type Kind string

// Operation kinds, in the order a plan lists them.
const (
	CreateOrganization Kind = "create-organization"
	EnablePolicyType   Kind = "enable-policy-type"
	CreateUnit         Kind = "create-unit"
	RenameUnit         Kind = "rename-unit"
	CreateAccount      Kind = "create-account"
	MoveAccount        Kind = "move-account"
	TagResource        Kind = "tag"
	UntagResource      Kind = "untag"
	CreatePolicy       Kind = "create-policy"
	UpdatePolicy       Kind = "update-policy"
	AttachPolicy       Kind = "attach-policy"
	DetachPolicy       Kind = "detach-policy"
	DeletePolicy       Kind = "delete-policy"
	CloseAccount       Kind = "close-account"
	RemoveAccount      Kind = "remove-account"
	DeleteUnit         Kind = "delete-unit"
)

var kindOrder = map[Kind]int{
	CreateOrganization: 0, EnablePolicyType: 1, CreateUnit: 2, RenameUnit: 3,
	CreateAccount: 4, MoveAccount: 5, TagResource: 6, UntagResource: 7,
	CreatePolicy: 8, UpdatePolicy: 9, AttachPolicy: 10, DetachPolicy: 11,
	DeletePolicy: 12, CloseAccount: 13, RemoveAccount: 14, DeleteUnit: 15,
}

// Action is how an operation counts in the closing line of a plan.
type Action string

const (
	ActCreate  Action = "create"
	ActUpdate  Action = "update"
	ActMove    Action = "move"
	ActDestroy Action = "destroy"
)

// Action classifies k for the summary line.
func (k Kind) Action() Action {
	if k.IsIAM() {
		return iamAction(k)
	}
	switch k {
	case CreateOrganization, EnablePolicyType, CreateUnit, CreateAccount, CreatePolicy, AttachPolicy:
		return ActCreate
	case MoveAccount:
		return ActMove
	case DetachPolicy, DeletePolicy, CloseAccount, RemoveAccount, DeleteUnit:
		return ActDestroy
	}
	return ActUpdate
}

// ResourceKind is what a tag operation applies to.
type ResourceKind string

const (
	ResRoot    ResourceKind = "root"
	ResUnit    ResourceKind = "unit"
	ResAccount ResourceKind = "account"
	ResPolicy  ResourceKind = "policy"
)

// Op is one operation of a plan. Names (unit paths, account and policy
// names) are the layout's; the executor resolves them to live ids at apply
// time through the plan's Bindings, so a plan file stays valid for the live
// state its fingerprint names.
type Op struct {
	ID   string `json:"id"`
	Kind Kind   `json:"kind"`

	// The resource acted on. Unit is a unit path (the desired one; for
	// delete-unit the live one), Account an account name (for close and
	// remove the live name), Policy a policy name.
	Resource    ResourceKind      `json:"resource,omitempty"`
	Unit        string            `json:"unit,omitempty"`
	Account     string            `json:"account,omitempty"`
	Policy      string            `json:"policy,omitempty"`
	PolicyType  string            `json:"policyType,omitempty"`
	Target      *org.Target       `json:"target,omitempty"`
	TargetID    string            `json:"targetId,omitempty"` // detach-policy: the live target id
	LiveID      string            `json:"liveId,omitempty"`
	Email       string            `json:"email,omitempty"`
	Role        string            `json:"role,omitempty"`    // create-account: the access role AWS makes in it
	Parent      string            `json:"parent,omitempty"`  // create-unit: parent path; create/move-account: destination unit
	Name        string            `json:"name,omitempty"`    // rename-unit: the new name
	Tags        map[string]string `json:"tags,omitempty"`    // tag, create-account, create-unit
	TagKeys     []string          `json:"tagKeys,omitempty"` // untag
	Content     string            `json:"content,omitempty"`
	Description string            `json:"description,omitempty"`

	// Want and Live are the wanted and the live value, for people.
	Want string `json:"want,omitempty"`
	Live string `json:"live,omitempty"`
	// Reason says why the operation is needed ("not in AWS yet", "drift:
	// detached outside bulkhead").
	Reason string `json:"reason,omitempty"`
	// Match says how an account was matched ("matched by email").
	Match string `json:"match,omitempty"`
	// Drift marks operations that revert a change made outside bulkhead.
	Drift bool `json:"drift,omitempty"`
	// Destructive operations need AllowDestroy and count against
	// MaxDestroy.
	Destructive bool `json:"destructive,omitempty"`
	// Replacement marks the parts of an OU move (AWS cannot move an OU).
	Replacement bool `json:"replacement,omitempty"`

	DependsOn []string `json:"dependsOn,omitempty"`

	// IAM is the change of an IAM operation (kinds "iam:<Action>"), made
	// in the IAM of Account (iam_*.go).
	IAM *provider.IAMWrite `json:"iam,omitempty"`
}

// Bindings map the layout's names to the live names they were matched to,
// where they differ (renamed units and their descendants, accounts matched
// by email under another name).
type Bindings struct {
	Units    map[string]string `json:"units,omitempty"`    // desired path → live path
	Accounts map[string]string `json:"accounts,omitempty"` // desired name → live name
}

// FormatVersion is the version of the plan's JSON schema (plan files and
// --output json); it changes only when a field changes meaning.
const FormatVersion = 1

// Plan is the result of Diff.
type Plan struct {
	FormatVersion int `json:"formatVersion"`
	// Fingerprint is the hash of the live state the plan was made from
	// (Fingerprint), LayoutHash the hash of the layout file; both are set
	// by the caller and checked by apply of a plan file.
	Fingerprint string `json:"fingerprint,omitempty"`
	LayoutHash  string `json:"layoutHash,omitempty"`
	// Organization is the live organization's id ("" when none yet).
	Organization string `json:"organization,omitempty"`
	// ReadCalls is the number of API requests the live read took.
	ReadCalls int `json:"readCalls,omitempty"`
	// HasChanges and Counts repeat Changes() and Summary() for scripts.
	HasChanges bool    `json:"changes"`
	Counts     Summary `json:"summary"`

	Ops []*Op `json:"operations"`
	// Unmanaged lists live resources the layout does not name, left alone.
	Unmanaged []string `json:"unmanaged,omitempty"`
	// Withheld lists destructive operations left out for want of
	// AllowDestroy.
	Withheld []string `json:"withheld,omitempty"`
	// Notes are facts a person should know (renames, matches).
	Notes []string `json:"notes,omitempty"`
	// Errors make the plan unappliable (a protected account would be
	// closed or moved, too many destructive operations).
	Errors []string `json:"errors,omitempty"`
	// Violations are the layout's invariants the planned state breaks
	// (VerifyPlanned); apply refuses such a plan unless told otherwise.
	Violations []string `json:"violations,omitempty"`
	Bindings   Bindings `json:"bindings"`
	// Desired is the organization the layout describes, kept so that
	// apply of a plan file can record what it applied.
	Desired *org.Org `json:"desired,omitempty"`
}

// Summary counts operations by action.
type Summary struct {
	Create  int `json:"create"`
	Update  int `json:"update"`
	Move    int `json:"move"`
	Destroy int `json:"destroy"`
}

// Summary counts the plan's operations.
func (p *Plan) Summary() Summary {
	var s Summary
	for _, op := range p.Ops {
		switch op.action() {
		case ActCreate:
			s.Create++
		case ActUpdate:
			s.Update++
		case ActMove:
			s.Move++
		case ActDestroy:
			s.Destroy++
		}
	}
	return s
}

// Changes reports whether the plan has anything to do.
func (p *Plan) Changes() bool { return len(p.Ops) > 0 }

// Op returns the operation with id, or nil.
func (p *Plan) Op(id string) *Op {
	for _, op := range p.Ops {
		if op.ID == id {
			return op
		}
	}
	return nil
}

// sortOps orders operations by kind then id, a stable order for people and
// golden files; dependencies, not this order, decide execution.
func sortOps(ops []*Op) {
	sort.SliceStable(ops, func(i, j int) bool {
		if ops[i].Kind != ops[j].Kind {
			return kindRank(ops[i].Kind) < kindRank(ops[j].Kind)
		}
		return ops[i].ID < ops[j].ID
	})
	for _, op := range ops {
		sort.Strings(op.DependsOn)
		op.DependsOn = compactStrings(op.DependsOn)
	}
}

func compactStrings(s []string) []string {
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
