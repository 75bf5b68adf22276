package organizations

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// Store tables. Every key but orgMemberTable's and emailTable's starts with
// the organization id, so one organization's documents never mix with
// another's and each List operation is one prefix scan.
const (
	// orgTable: <org id> → orgDoc.
	orgTable = "org.organization"
	// memberTable: <account id> → memberDoc, the organization an account
	// belongs to (management account included).
	memberTable = "org.member"
	// emailTable: <lower-cased email> → account id, for
	// EMAIL_ALREADY_EXISTS.
	emailTable = "org.email"
	// accountTable: <org>/<account id> → accountDoc.
	accountTable = "org.account"
	// ouTable: <org>/<ou id> → ouDoc.
	ouTable = "org.ou"
	// ouNameTable: <org>/<parent id>/<name> → OU id, so that
	// DuplicateOrganizationalUnitException is one lookup.
	ouNameTable = "org.ou-name"
	// childTable: <org>/<parent id>/<ACCOUNT|ORGANIZATIONAL_UNIT>/<child id> → childDoc.
	childTable = "org.child"
	// policyTable: <org>/<policy id> → policyDoc.
	policyTable = "org.policy"
	// attachTable: <org>/<target id>/<policy id> → attachDoc
	// (ListPoliciesForTarget, per-target limits).
	attachTable = "org.attach"
	// targetTable: <org>/<policy id>/<target id> → attachDoc
	// (ListTargetsForPolicy, PolicyInUseException).
	targetTable = "org.target"
	// carTable: <org>/<car id> → carDoc (create account requests).
	carTable = "org.car"
	// tagTable: <org>/<resource id> → tagsDoc.
	tagTable = "org.tag"
	// delegatedTable: <org>/<account id>/<service principal> → delegatedDoc.
	delegatedTable = "org.delegated"
	// serviceAccessTable: <org>/<service principal> → serviceAccessDoc.
	serviceAccessTable = "org.service-access"
)

func key(parts ...string) string { return strings.Join(parts, "/") }

type orgDoc struct {
	ID            string    `json:"id"`
	FeatureSet    string    `json:"featureSet"`
	MgmtAccountID string    `json:"mgmtAccountId"`
	MgmtEmail     string    `json:"mgmtEmail"`
	RootID        string    `json:"rootId"`
	Created       time.Time `json:"created"`
	// PolicyTypes are the policy types enabled on the root.
	PolicyTypes []string `json:"policyTypes,omitempty"`
	// Closures are when member accounts were closed, for the
	// CLOSE_ACCOUNT_QUOTA_EXCEEDED window.
	Closures       []time.Time        `json:"closures,omitempty"`
	ResourcePolicy *resourcePolicyDoc `json:"resourcePolicy,omitempty"`
}

func (o *orgDoc) arn() string {
	return fmt.Sprintf("arn:aws:organizations::%s:organization/%s", o.MgmtAccountID, o.ID)
}

func (o *orgDoc) rootARN() string {
	return fmt.Sprintf("arn:aws:organizations::%s:root/%s/%s", o.MgmtAccountID, o.ID, o.RootID)
}

func (o *orgDoc) ouARN(id string) string {
	return fmt.Sprintf("arn:aws:organizations::%s:ou/%s/%s", o.MgmtAccountID, o.ID, id)
}

func (o *orgDoc) accountARN(id string) string {
	return fmt.Sprintf("arn:aws:organizations::%s:account/%s/%s", o.MgmtAccountID, o.ID, id)
}

func (o *orgDoc) policyARN(p *policyDoc) string {
	if p.AWSManaged {
		return fmt.Sprintf("arn:aws:organizations::aws:policy/%s/%s", strings.ToLower(p.Type), p.ID)
	}
	return fmt.Sprintf("arn:aws:organizations::%s:policy/%s/%s/%s", o.MgmtAccountID, o.ID, strings.ToLower(p.Type), p.ID)
}

func (o *orgDoc) resourcePolicyARN(id string) string {
	return fmt.Sprintf("arn:aws:organizations::%s:resourcepolicy/%s/%s", o.MgmtAccountID, o.ID, id)
}

func (o *orgDoc) typeEnabled(t string) bool {
	for _, x := range o.PolicyTypes {
		if x == t {
			return true
		}
	}
	return false
}

type memberDoc struct {
	OrgID string `json:"orgId"`
}

type accountDoc struct {
	ID           string    `json:"id"`
	Name         string    `json:"name"`
	Email        string    `json:"email"`
	ParentID     string    `json:"parentId"`
	JoinedMethod string    `json:"joinedMethod"`
	Joined       time.Time `json:"joined"`
	// CompletesAt is when a created account comes into view (its
	// CreateAccount request SUCCEEDS); zero for the management account.
	CompletesAt time.Time `json:"completesAt,omitzero"`
	// Status is ACTIVE, or SUSPENDED once closed; see statusAt.
	Status string `json:"status"`
	// Closed is when CloseAccount was called; ClosedAt when the closure
	// completes (PENDING_CLOSURE until then).
	Closed   time.Time `json:"closed,omitzero"`
	ClosedAt time.Time `json:"closedAt,omitzero"`
}

// statusAt is the account's AccountStatus (and AccountState) as of now:
// a closed account is PENDING_CLOSURE until its closure completes, then
// SUSPENDED (API_CloseAccount.html).
func (a *accountDoc) statusAt(now time.Time) string {
	if a.Status == "SUSPENDED" && now.Before(a.ClosedAt) {
		return "PENDING_CLOSURE"
	}
	return a.Status
}

// visible reports whether the account exists as of now: accounts whose
// CreateAccount is still IN_PROGRESS are written at request time (so that
// their id, email and the organization's account quota are reserved in one
// transaction) but are not shown until the request completes.
func (a *accountDoc) visible(now time.Time) bool {
	return a.CompletesAt.IsZero() || !now.Before(a.CompletesAt)
}

type ouDoc struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	ParentID string `json:"parentId"`
	// Path is the entity path, "o-.../r-.../ou-.../".
	Path  string `json:"path"`
	Depth int    `json:"depth"`
}

type childDoc struct {
	ID   string `json:"id"`
	Type string `json:"type"`
}

type policyDoc struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Type        string `json:"type"`
	Content     string `json:"content"`
	AWSManaged  bool   `json:"awsManaged,omitempty"`
	// Updated is when the policy was created or last updated.
	Updated time.Time `json:"updated,omitzero"`
}

type attachDoc struct {
	PolicyID   string    `json:"policyId"`
	PolicyType string    `json:"policyType"`
	TargetID   string    `json:"targetId"`
	Attached   time.Time `json:"attached,omitzero"`
}

type carDoc struct {
	ID            string    `json:"id"`
	AccountName   string    `json:"accountName"`
	AccountID     string    `json:"accountId,omitempty"`
	Requested     time.Time `json:"requested"`
	CompletesAt   time.Time `json:"completesAt"`
	FailureReason string    `json:"failureReason,omitempty"`
}

// state is the request's CreateAccountState as of now.
func (c *carDoc) state(now time.Time) string {
	switch {
	case now.Before(c.CompletesAt):
		return "IN_PROGRESS"
	case c.FailureReason != "":
		return "FAILED"
	default:
		return "SUCCEEDED"
	}
}

type tagsDoc struct {
	Tags []tagDoc `json:"tags"`
}

type tagDoc struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

type delegatedDoc struct {
	AccountID        string    `json:"accountId"`
	ServicePrincipal string    `json:"servicePrincipal"`
	Enabled          time.Time `json:"enabled"`
}

type serviceAccessDoc struct {
	ServicePrincipal string    `json:"servicePrincipal"`
	Enabled          time.Time `json:"enabled"`
}

type resourcePolicyDoc struct {
	ID      string `json:"id"`
	Content string `json:"content"`
}

// ids draws AWS-format identifiers from a random source.
type ids struct{ r io.Reader }

const lowerAlnum = "abcdefghijklmnopqrstuvwxyz0123456789"

func (g ids) str(alphabet string, n int) (string, error) {
	b := make([]byte, n)
	if _, err := io.ReadFull(g.r, b); err != nil {
		return "", fmt.Errorf("organizations: random id: %w", err)
	}
	for i := range b {
		// The bias of the modulo is irrelevant for ids.
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b), nil
}

// org is o-[a-z0-9]{10}.
func (g ids) org() (string, error) {
	s, err := g.str(lowerAlnum, 10)
	return "o-" + s, err
}

// root is r-[a-z0-9]{4}.
func (g ids) root() (string, error) {
	s, err := g.str(lowerAlnum, 4)
	return "r-" + s, err
}

// ou is ou-<root suffix>-[a-z0-9]{8}.
func (g ids) ou(rootID string) (string, error) {
	s, err := g.str(lowerAlnum, 8)
	return "ou-" + strings.TrimPrefix(rootID, "r-") + "-" + s, err
}

// policy is p-[a-z0-9]{8}.
func (g ids) policy() (string, error) {
	s, err := g.str(lowerAlnum, 8)
	return "p-" + s, err
}

// car is car-[a-z0-9]{32}.
func (g ids) car() (string, error) {
	s, err := g.str(lowerAlnum, 32)
	return "car-" + s, err
}

// account is 12 digits, not starting with 0 so that no client that
// parses it as a number loses a digit.
func (g ids) account() (string, error) {
	first, err := g.str("123456789", 1)
	if err != nil {
		return "", err
	}
	rest, err := g.str("0123456789", 11)
	return first + rest, err
}

// resourcePolicy is rp-[a-z0-9]{8}.
func (g ids) resourcePolicy() (string, error) {
	s, err := g.str(lowerAlnum, 8)
	return "rp-" + s, err
}
