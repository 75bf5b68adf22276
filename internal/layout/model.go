package layout

import (
	"time"

	"github.com/bulkhead-dev/bulkhead/internal/diag"
	"github.com/bulkhead-dev/bulkhead/internal/policy"
)

// Field is a value read from the layout file together with where it was
// written. Pos is zero when the field was absent and Value is its default.
type Field[T any] struct {
	Value T
	Pos   diag.Pos
}

// IsSet reports whether the field was written in the file.
func (f Field[T]) IsSet() bool { return f.Pos.Line > 0 }

// Layout is one decoded layout file. Slices keep the order of the file;
// lookups by name go through the methods below.
type Layout struct {
	// File is the layout file's path as given to Load (used in positions);
	// Dir is the directory policy files are read relative to.
	File string
	Dir  string

	Version      Field[int]
	Organization Organization
	// Units holds every OU: those written under `units` and the parents
	// they imply, sorted by path. The root is not a unit.
	Units []*Unit
	// Accounts holds every account after expansion of `for_each`
	// templates, in file order (a template's accounts in developer order).
	Accounts []*Account
	// Templates holds the account entries that use for_each, as written.
	Templates  []*Account
	Developers []Field[string]
	People     []*Person
	Groups     []*Group
	Stages     []*StageRule
	CI         *CI
	Roles      []*Role
	Policies   []*Policy
	Invariants []*Invariant
	Lint       Lint

	// index speeds up lookups by name; built by Parse. A Layout is
	// read-only once Parse returns.
	index *layoutIndex
}

type layoutIndex struct {
	accounts map[string]*Account
	units    map[string]*Unit
	people   map[string]*Person
}

// Target is where the organization lives.
type Target string

// Targets.
const (
	TargetLocal Target = "local" // the embedded emulator
	TargetAWS   Target = "aws"
)

// Organization is the `organization` section.
type Organization struct {
	Pos        diag.Pos
	Name       Field[string]
	Target     Field[Target]
	Region     Field[string]
	Management Management
	// Email is the template for accounts without an email; it contains
	// the placeholder {account}.
	Email           Field[string]
	AccessRole      Field[string]
	IdentityAccount Field[string] // defaults to the management account
	Limits          Limits
	// PasswordPolicy is the IAM password policy of every account; nil
	// when the layout sets none (accounts keep theirs).
	PasswordPolicy *PasswordPolicy
}

// PasswordPolicy is `organization.password_policy`: IAM's account password
// policy (UpdateAccountPasswordPolicy). Unset numbers are 0: AWS's default
// (minimum length 8) or no expiry and no reuse prevention.
type PasswordPolicy struct {
	Pos              diag.Pos
	MinimumLength    Field[int]  // 6 to 128
	RequireSymbols   Field[bool] //
	RequireNumbers   Field[bool]
	RequireUppercase Field[bool]
	RequireLowercase Field[bool]
	AllowChange      Field[bool] // users may change their own password
	MaxAge           Field[int]  // days, 1 to 1095
	ReusePrevention  Field[int]  // previous passwords remembered, 1 to 24
}

// Management names the management account and its root email.
type Management struct {
	Pos     diag.Pos
	Account Field[string]
	Email   Field[string]
}

// Defaults for the organization section.
const (
	DefaultRegion     = "us-east-1"
	DefaultAccessRole = "OrganizationAccountAccessRole"
)

// Limits are the AWS Organizations quotas bulkhead checks against, as data
// because AWS changes them (it raised the SCP limits in 2026). Defaults are
// the quotas documented at
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html
type Limits struct {
	Pos                     diag.Pos
	SCPMaxChars             Field[int] // default 5,120; AWS allows raising it to 10,240
	SCPsPerTarget           Field[int] // default 5 (counting FullAWSAccess); up to 10
	RCPMaxChars             Field[int] // default 5,120
	RCPsPerTarget           Field[int] // default 5 (counting RCPFullAWSAccess)
	TagPolicyMaxChars       Field[int] // default 10,000
	TagPoliciesPerTarget    Field[int] // default 10
	BackupPolicyMaxChars    Field[int] // default 10,000
	BackupPoliciesPerTarget Field[int] // default 10
	OUDepth                 Field[int] // default 5, the AWS hard limit; may only be lowered
}

// DefaultLimits returns the AWS defaults.
func DefaultLimits() Limits {
	return Limits{
		SCPMaxChars: Field[int]{Value: 5120}, SCPsPerTarget: Field[int]{Value: 5},
		RCPMaxChars: Field[int]{Value: 5120}, RCPsPerTarget: Field[int]{Value: 5},
		TagPolicyMaxChars: Field[int]{Value: 10000}, TagPoliciesPerTarget: Field[int]{Value: 10},
		BackupPolicyMaxChars: Field[int]{Value: 10000}, BackupPoliciesPerTarget: Field[int]{Value: 10},
		OUDepth: Field[int]{Value: 5},
	}
}

// Unit is an organizational unit, named by its "/"-separated path under the
// root, such as "Workloads/Production".
type Unit struct {
	Path string
	// Pos is where the unit was written, or for an implied parent, where
	// its first child was.
	Pos      diag.Pos
	Declared bool   // written under `units` (not only implied by a child)
	Parent   string // "" for a unit directly under the root
	Name     string // last path element
	Depth    int    // 1 for a unit directly under the root
}

// Kind is what an account is for.
type Kind string

// Account kinds.
const (
	KindManagement  Kind = "management"
	KindSecurity    Kind = "security"
	KindShared      Kind = "shared"
	KindProduction  Kind = "production"
	KindStaging     Kind = "staging"
	KindDevelopment Kind = "development"
	KindSandbox     Kind = "sandbox"
)

// Kinds lists every account kind, in the order of the documentation. It is
// read-only: callers must not modify it.
var Kinds = []Kind{KindManagement, KindSecurity, KindShared, KindProduction, KindStaging, KindDevelopment, KindSandbox}

// Account is one AWS account. Accounts generated from a template share the
// template's positions.
type Account struct {
	Name Field[string] // position of the key
	Pos  diag.Pos      // position of the account's value
	// Unit is the unit path; empty means the root (`unit: root` is read
	// as empty too).
	Unit         Field[string]
	Kind         Field[Kind]
	Protected    Field[bool]
	Owner        Field[string]
	BusinessUnit Field[string]
	Email        Field[string] // as written
	// Alias is the account's IAM alias (sign-in URL name); empty for none.
	Alias Field[string]
	// EffectiveEmail is Email, or the organization's template with
	// {account} replaced by the name (and the management email for the
	// management account).
	EffectiveEmail string
	Tags           []Tag
	ForEach        Field[string] // "developers" on a template
	// Template is the name as written ("sandbox-{developer}") for an
	// account generated by for_each; Developer is the developer it was
	// generated for.
	Template  string
	Developer string
}

// Tag is a key/value tag.
type Tag struct {
	Key   Field[string]
	Value Field[string]
}

// Person is an entry of `people` (or a developer or group member with no
// entry, given defaults).
type Person struct {
	Name       Field[string]
	Pos        diag.Pos
	Email      Field[string]
	Console    Field[bool]
	AccessKeys Field[bool]
}

// Group is a group of people.
type Group struct {
	Name    Field[string]
	Pos     diag.Pos
	Members []Field[string]
}

// Guard is what must hold before credentials for a stage are handed out.
type Guard string

// Guards.
const (
	GuardNone    Guard = "none"
	GuardCI      Guard = "ci"      // only the CI principal
	GuardConfirm Guard = "confirm" // a person confirms interactively
)

// StageRule is one entry of `stages`. Rules are tried in order; the first
// whose Match patterns match the stage name wins.
type StageRule struct {
	Index   int // 0-based position in the list
	Pos     diag.Pos
	Match   []Field[string]
	Account Field[string]
	Role    Field[string]
	Guard   Field[Guard] // default none
}

// CI describes the CI principal ("ci" in trust lists).
type CI struct {
	Pos    diag.Pos
	GitHub *GitHubCI
	Role   *CIRole
}

// GitHubCI is GitHub Actions through OIDC.
type GitHubCI struct {
	Pos          diag.Pos
	Repository   Field[string]
	Branches     []Field[string]
	Environments []Field[string]
}

// CIRole is an existing role the CI system runs as.
type CIRole struct {
	Pos     diag.Pos
	Account Field[string]
	Name    Field[string]
}

// Role is a role deployed to every account whose kind has a policy.
type Role struct {
	Name       Field[string]
	Pos        diag.Pos
	Trust      []Trust
	Policies   []RolePolicy
	Boundary   *PolicyRef
	MaxSession Field[time.Duration] // default 1h
	MFA        Field[bool]
	Tags       []Tag
}

// TrustKind is the kind of principal a role trusts.
type TrustKind string

// Trust kinds.
const (
	TrustGroup   TrustKind = "group"
	TrustUser    TrustKind = "user"
	TrustCI      TrustKind = "ci"
	TrustAccount TrustKind = "account"
	TrustRole    TrustKind = "role"
)

// Trust is one entry of a role's trust list: group:<g>, user:<person>, ci,
// account:<name> or role:<account>/<role>.
type Trust struct {
	Field[string]           // as written
	Kind          TrustKind // empty when it did not parse
	Name          string    // group, person or account name; role name for role:
	Account       string    // the account of role:<account>/<role>
}

// RolePolicy is the policy a role gets in accounts of one kind.
type RolePolicy struct {
	Kind Field[Kind]
	Ref  PolicyRef
}

// PolicyRef names an IAM policy: an AWS managed policy by name, or a JSON
// file (a value containing "/" or ending in ".json") read relative to the
// layout file.
type PolicyRef struct {
	Field[string]
	IsFile bool
	// Document is the file's content when IsFile and it could be read.
	Document *Document
}

// PolicyType is the type of an Organizations policy.
type PolicyType string

// Policy types.
const (
	PolicySCP    PolicyType = "scp"
	PolicyRCP    PolicyType = "rcp"
	PolicyTag    PolicyType = "tag"
	PolicyBackup PolicyType = "backup"
)

// Policy is an Organizations policy (SCP, RCP, tag or backup policy).
type Policy struct {
	Name        Field[string]
	Pos         diag.Pos
	Type        Field[PolicyType]
	File        Field[string]
	Description Field[string]
	// Attach lists targets: unit paths, account names, or "root".
	Attach []Field[string]
	// Document is the policy content, from File or from the inline
	// `document`; nil when neither could be read.
	Document *Document
}

// Document is a JSON policy document.
type Document struct {
	// File is the path the document was read from (as shown in positions),
	// empty for an inline document.
	File string
	Pos  diag.Pos // the start of the document: the file, or the YAML node
	// Source is the document as written: the file's bytes, or the inline
	// mapping rendered as JSON.
	Source []byte
	// Content is Source with insignificant whitespace removed: what
	// bulkhead sends to AWS, and what the size quotas are checked against
	// (AWS counts the characters as sent through the API).
	Content string
	// Policy is the parsed IAM document (for IAM policies, SCPs and RCPs),
	// nil for tag and backup policies or when the JSON is invalid.
	Policy *policy.Policy

	spans []span // for an inline document: JSON offsets → YAML positions
}

// Invariant is a statement about access that must always hold, checked by
// the access engine. See ParseInvariant for the grammar.
type Invariant struct {
	Source Field[string]
	// Only is true for "only S1, S2 can ...": nobody but the subjects may.
	Only     bool
	Subjects []Subject
	// Can is true for "can", false for "cannot" (always true with Only).
	Can    bool
	Access Access
	Target InvariantTarget
}

// Lint is the `lint` section.
type Lint struct {
	Pos     diag.Pos
	Silence []Silence
}

// Silence switches off one lint rule, with a reason.
type Silence struct {
	Rule   Field[string]
	Reason Field[string]
}
