package iam

import (
	"sort"
	"time"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/service"
)

// Store tables. Entity keys are "<account>/<lower-case name>" (nameKey), so
// a prefix scan of "<account>/" lists an account's entities in name order
// and accounts never see each other's.
const (
	tableUser   = "iam.user"
	tableGroup  = "iam.group"
	tableRole   = "iam.role"
	tablePolicy = "iam.policy" // customer managed policies
	// tableMember indexes group membership: "<account>/<group id>/<user id>".
	tableMember = "iam.member"
	// tableAttach indexes managed policy attachments:
	// "<account> <policy arn> <kind> <entity id>", value attachment.
	tableAttach = "iam.attachment"
	// tableBoundary indexes permissions boundaries, keyed like tableAttach.
	tableBoundary = "iam.boundary"
	// tableAccessKey indexes a user's access keys:
	// "<account>/<user id>/<access key id>"; the key itself (secret,
	// status, identity) is in service.CredentialTable.
	tableAccessKey = "iam.accesskey"
	// tableMFA holds virtual MFA devices: "<account>/<serial number>".
	tableMFA = "iam.mfa"
	// tableAlias maps an account alias (global) to its account.
	tableAlias = "iam.alias"
	// tableAccount holds per-account settings: alias and password policy.
	tableAccount = "iam.account"
)

// inlinePolicies maps an inline policy name to its JSON document.
type inlinePolicies map[string]string

func (p inlinePolicies) names() []string {
	out := make([]string, 0, len(p))
	for n := range p {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

type userRec struct {
	Name     string         `json:"name"`
	Path     string         `json:"path"`
	ID       string         `json:"id"`
	Created  time.Time      `json:"created"`
	Tags     []Tag          `json:"tags,omitempty"`
	Inline   inlinePolicies `json:"inline,omitempty"`
	Attached []string       `json:"attached,omitempty"` // managed policy ARNs
	Boundary string         `json:"boundary,omitempty"` // policy ARN
	Groups   []string       `json:"groups,omitempty"`   // group names, join order
	// LoginProfile is the console password, if any.
	LoginProfile *loginProfileRec `json:"loginProfile,omitempty"`
}

type groupRec struct {
	Name     string         `json:"name"`
	Path     string         `json:"path"`
	ID       string         `json:"id"`
	Created  time.Time      `json:"created"`
	Inline   inlinePolicies `json:"inline,omitempty"`
	Attached []string       `json:"attached,omitempty"`
}

type roleRec struct {
	Name               string         `json:"name"`
	Path               string         `json:"path"`
	ID                 string         `json:"id"`
	Created            time.Time      `json:"created"`
	TrustPolicy        string         `json:"trustPolicy"`
	Description        string         `json:"description,omitempty"`
	MaxSessionDuration int            `json:"maxSessionDuration"`
	Tags               []Tag          `json:"tags,omitempty"`
	Inline             inlinePolicies `json:"inline,omitempty"`
	Attached           []string       `json:"attached,omitempty"`
	Boundary           string         `json:"boundary,omitempty"`
	LastUsed           time.Time      `json:"lastUsed,omitzero"`
	LastUsedRegion     string         `json:"lastUsedRegion,omitempty"`
}

type versionRec struct {
	ID       string    `json:"id"` // "v1", "v2", ...
	Document string    `json:"document"`
	Created  time.Time `json:"created"`
}

type policyRec struct {
	Name           string       `json:"name"`
	Path           string       `json:"path"`
	ID             string       `json:"id"`
	ARN            string       `json:"arn"`
	Description    string       `json:"description,omitempty"`
	Created        time.Time    `json:"created"`
	Updated        time.Time    `json:"updated"`
	DefaultVersion string       `json:"defaultVersion"`
	Versions       []versionRec `json:"versions"`
	NextVersion    int          `json:"nextVersion"`
	Tags           []Tag        `json:"tags,omitempty"`
	// AWS marks AWS managed policies (never stored; see awsmanaged.go).
	AWS bool `json:"-"`
}

func (p *policyRec) version(id string) *versionRec {
	for i := range p.Versions {
		if p.Versions[i].ID == id {
			return &p.Versions[i]
		}
	}
	return nil
}

func (p *policyRec) defaultDocument() string {
	if v := p.version(p.DefaultVersion); v != nil {
		return v.Document
	}
	return ""
}

// Entity kinds in the attachment and boundary indexes.
const (
	kindUser  = "user"
	kindGroup = "group"
	kindRole  = "role"
)

type attachment struct {
	Kind string `json:"kind"`
	Name string `json:"name"`
	ID   string `json:"id"`
}

type memberRec struct {
	Group string `json:"group"`
	User  string `json:"user"`
}

type accessKeyRec struct {
	ID      string    `json:"id"`
	User    string    `json:"user"`
	Created time.Time `json:"created"`
}

type mfaRec struct {
	Serial  string    `json:"serial"`
	Path    string    `json:"path"`
	Name    string    `json:"name"`
	Seed    string    `json:"seed"` // base32, no padding
	Created time.Time `json:"created"`
	Tags    []Tag     `json:"tags,omitempty"`
	// Set while enabled for a user.
	User       string    `json:"user,omitempty"`
	UserID     string    `json:"userId,omitempty"`
	EnableDate time.Time `json:"enableDate,omitzero"`
	// LastStep is the TOTP time step of the last code accepted, so that a
	// code cannot be used twice.
	LastStep int64 `json:"lastStep,omitempty"`
}

type passwordPolicyRec struct {
	MinimumPasswordLength      int  `json:"minimumPasswordLength"`
	RequireSymbols             bool `json:"requireSymbols"`
	RequireNumbers             bool `json:"requireNumbers"`
	RequireUppercaseCharacters bool `json:"requireUppercaseCharacters"`
	RequireLowercaseCharacters bool `json:"requireLowercaseCharacters"`
	AllowUsersToChangePassword bool `json:"allowUsersToChangePassword"`
	MaxPasswordAge             int  `json:"maxPasswordAge"`
	PasswordReusePrevention    int  `json:"passwordReusePrevention"`
	HardExpiry                 bool `json:"hardExpiry"`
}

type accountRec struct {
	Alias          string             `json:"alias,omitempty"`
	TokenVersion   int                `json:"tokenVersion,omitempty"` // 0 means 1
	PasswordPolicy *passwordPolicyRec `json:"passwordPolicy,omitempty"`
}

// ---- output shapes (aws-sdk-go-v2/service/iam/types) ----

type boundaryOut struct {
	PermissionsBoundaryType string `xml:"PermissionsBoundaryType"`
	PermissionsBoundaryArn  string `xml:"PermissionsBoundaryArn"`
}

func boundaryOf(arn string) *boundaryOut {
	if arn == "" {
		return nil
	}
	return &boundaryOut{PermissionsBoundaryType: "PermissionsBoundaryPolicy", PermissionsBoundaryArn: arn}
}

type userOut struct {
	Path                string       `xml:"Path,omitempty"`
	UserName            string       `xml:"UserName,omitempty"`
	UserId              string       `xml:"UserId"`
	Arn                 string       `xml:"Arn"`
	CreateDate          service.Time `xml:"CreateDate"`
	PermissionsBoundary *boundaryOut `xml:"PermissionsBoundary,omitempty"`
	Tags                []Tag        `xml:"Tags>member,omitempty"`
}

// out renders a user; full adds the boundary and tags, which GetUser
// returns and ListUsers does not.
func (u *userRec) out(account string, full bool) userOut {
	o := userOut{Path: u.Path, UserName: u.Name, UserId: u.ID, Arn: userARN(account, u.Path, u.Name),
		CreateDate: service.Time(u.Created)}
	if full {
		o.PermissionsBoundary = boundaryOf(u.Boundary)
		o.Tags = u.Tags
	}
	return o
}

type groupOut struct {
	Path       string       `xml:"Path"`
	GroupName  string       `xml:"GroupName"`
	GroupId    string       `xml:"GroupId"`
	Arn        string       `xml:"Arn"`
	CreateDate service.Time `xml:"CreateDate"`
}

func (g *groupRec) out(account string) groupOut {
	return groupOut{Path: g.Path, GroupName: g.Name, GroupId: g.ID, Arn: groupARN(account, g.Path, g.Name), CreateDate: service.Time(g.Created)}
}

type roleLastUsedOut struct {
	LastUsedDate *service.Time `xml:"LastUsedDate,omitempty"`
	Region       string        `xml:"Region,omitempty"`
}

type roleOut struct {
	Path                     string           `xml:"Path"`
	RoleName                 string           `xml:"RoleName"`
	RoleId                   string           `xml:"RoleId"`
	Arn                      string           `xml:"Arn"`
	CreateDate               service.Time     `xml:"CreateDate"`
	AssumeRolePolicyDocument string           `xml:"AssumeRolePolicyDocument,omitempty"`
	Description              string           `xml:"Description,omitempty"`
	MaxSessionDuration       int              `xml:"MaxSessionDuration,omitempty"`
	PermissionsBoundary      *boundaryOut     `xml:"PermissionsBoundary,omitempty"`
	Tags                     []Tag            `xml:"Tags>member,omitempty"`
	RoleLastUsed             *roleLastUsedOut `xml:"RoleLastUsed,omitempty"`
}

// out renders a role. full adds what GetRole returns beyond ListRoles
// (tags, boundary and last use, as AWS documents for ListRoles).
func (r *roleRec) out(account string, full bool) roleOut {
	o := roleOut{Path: r.Path, RoleName: r.Name, RoleId: r.ID, Arn: RoleARN(account, r.Path, r.Name),
		CreateDate: service.Time(r.Created), AssumeRolePolicyDocument: encodeDoc(r.TrustPolicy),
		Description: r.Description, MaxSessionDuration: r.MaxSessionDuration}
	if full {
		o.PermissionsBoundary = boundaryOf(r.Boundary)
		o.Tags = r.Tags
		o.RoleLastUsed = &roleLastUsedOut{}
		if !r.LastUsed.IsZero() {
			t := service.Time(r.LastUsed)
			o.RoleLastUsed = &roleLastUsedOut{LastUsedDate: &t, Region: r.LastUsedRegion}
		}
	}
	return o
}

type policyOut struct {
	PolicyName                    string       `xml:"PolicyName"`
	PolicyId                      string       `xml:"PolicyId"`
	Arn                           string       `xml:"Arn"`
	Path                          string       `xml:"Path"`
	DefaultVersionId              string       `xml:"DefaultVersionId"`
	AttachmentCount               int          `xml:"AttachmentCount"`
	PermissionsBoundaryUsageCount int          `xml:"PermissionsBoundaryUsageCount"`
	IsAttachable                  bool         `xml:"IsAttachable"`
	Description                   string       `xml:"Description,omitempty"`
	CreateDate                    service.Time `xml:"CreateDate"`
	UpdateDate                    service.Time `xml:"UpdateDate"`
	Tags                          []Tag        `xml:"Tags>member,omitempty"`
}

type policyVersionOut struct {
	Document         string       `xml:"Document,omitempty"`
	VersionId        string       `xml:"VersionId"`
	IsDefaultVersion bool         `xml:"IsDefaultVersion"`
	CreateDate       service.Time `xml:"CreateDate"`
}

func (v *versionRec) out(p *policyRec, withDoc bool) policyVersionOut {
	o := policyVersionOut{VersionId: v.ID, IsDefaultVersion: v.ID == p.DefaultVersion, CreateDate: service.Time(v.Created)}
	if withDoc {
		o.Document = encodeDoc(v.Document)
	}
	return o
}

type attachedPolicyOut struct {
	PolicyName string `xml:"PolicyName"`
	PolicyArn  string `xml:"PolicyArn"`
}
