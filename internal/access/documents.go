package access

import (
	"encoding/json"
	"sort"

	"github.com/bulkhead-dev/bulkhead/internal/layout"
)

// The documents in this file are what applying a layout creates (issue 6):
// the access engine analyses exactly these, so plan and apply must create
// them with these functions and nothing else.
//
// IAM trust policies cannot name groups. A role that trusts group:<g>
// therefore trusts the identity account's IAM users (the identity account's
// root with the condition aws:PrincipalArn like arn:aws:iam::<identity>:user/*),
// and the group gets an identity policy allowing sts:AssumeRole on that role
// name. Who may assume the role is then decided, as AWS decides it, by both
// sides: the trust lets the identity account's users in, the group policy
// says which users may. This keeps trust policies small whatever the number
// of people (listing user ARNs would pass the 2,048-character trust policy
// quota at about 40 people) and makes joining a group one change in one
// account.

// OIDCProviderHost is GitHub Actions' OIDC issuer.
const OIDCProviderHost = "token.actions.githubusercontent.com"

// FullAWSAccess is the document of the SCP AWS attaches everywhere.
const FullAWSAccess = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`

// RCPFullAWSAccess is the document of the RCP AWS attaches everywhere.
const RCPFullAWSAccess = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}`

type docStatement struct {
	Sid       string                    `json:"Sid,omitempty"`
	Effect    string                    `json:"Effect"`
	Principal map[string]any            `json:"Principal,omitempty"`
	Action    any                       `json:"Action"`
	Resource  any                       `json:"Resource,omitempty"`
	Condition map[string]map[string]any `json:"Condition,omitempty"`
}

type document struct {
	Version   string         `json:"Version"`
	Statement []docStatement `json:"Statement"`
}

func render(d document) []byte {
	b, err := json.Marshal(d)
	if err != nil {
		panic(err) // only strings, slices and maps: cannot fail
	}
	return b
}

// Accounts maps account names to their ids: placeholder ids for a layout
// that is not applied yet, the real ones for a live organization.
type Accounts func(name string) string

// TrustDocument is the trust policy of role r in the account with id
// accountID. identityID is the identity account's id; ci is the layout's CI
// principal (nil when none).
func TrustDocument(r *layout.Role, accountID, identityID string, ci *layout.CI, ids Accounts) []byte {
	d := document{Version: "2012-10-17"}
	mfa := func(st *docStatement) {
		if r.MFA.Value {
			if st.Condition == nil {
				st.Condition = map[string]map[string]any{}
			}
			st.Condition["Bool"] = map[string]any{"aws:MultiFactorAuthPresent": "true"}
		}
	}
	for _, t := range r.Trust {
		switch t.Kind {
		case layout.TrustGroup:
			st := docStatement{Sid: "Group" + sidPart(t.Name), Effect: "Allow",
				Principal: map[string]any{"AWS": "arn:aws:iam::" + identityID + ":root"},
				Action:    personActions(),
				Condition: map[string]map[string]any{"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::" + identityID + ":user/*"}}}
			mfa(&st)
			d.Statement = append(d.Statement, st)
		case layout.TrustUser:
			st := docStatement{Sid: "User" + sidPart(t.Name), Effect: "Allow",
				Principal: map[string]any{"AWS": "arn:aws:iam::" + identityID + ":user/" + t.Name},
				Action:    personActions()}
			mfa(&st)
			d.Statement = append(d.Statement, st)
		case layout.TrustAccount:
			d.Statement = append(d.Statement, docStatement{Sid: "Account" + sidPart(t.Name), Effect: "Allow",
				Principal: map[string]any{"AWS": "arn:aws:iam::" + ids(t.Name) + ":root"},
				Action:    "sts:AssumeRole"})
		case layout.TrustRole:
			d.Statement = append(d.Statement, docStatement{Sid: "Role" + sidPart(t.Account+t.Name), Effect: "Allow",
				Principal: map[string]any{"AWS": "arn:aws:iam::" + ids(t.Account) + ":role/" + t.Name},
				Action:    "sts:AssumeRole"})
		case layout.TrustCI:
			if st, ok := ciTrust(ci, accountID, ids); ok {
				d.Statement = append(d.Statement, st)
			}
		}
	}
	return render(d)
}

// ciTrust is the trust statement for the CI principal: GitHub's OIDC
// provider in the role's own account (AWS requires the provider in the
// account of the role), limited to the repository and its branches or
// environments; or the CI role.
func ciTrust(ci *layout.CI, accountID string, ids Accounts) (docStatement, bool) {
	switch {
	case ci == nil:
		return docStatement{}, false
	case ci.GitHub != nil:
		return docStatement{Sid: "CI", Effect: "Allow",
			Principal: map[string]any{"Federated": "arn:aws:iam::" + accountID + ":oidc-provider/" + OIDCProviderHost},
			Action:    "sts:AssumeRoleWithWebIdentity",
			Condition: map[string]map[string]any{
				"StringEquals": {OIDCProviderHost + ":aud": "sts.amazonaws.com"},
				"StringLike":   {OIDCProviderHost + ":sub": GitHubSubjects(ci.GitHub)},
			}}, true
	case ci.Role != nil:
		return docStatement{Sid: "CI", Effect: "Allow",
			Principal: map[string]any{"AWS": "arn:aws:iam::" + ids(ci.Role.Account.Value) + ":role/" + ci.Role.Name.Value},
			Action:    "sts:AssumeRole"}, true
	}
	return docStatement{}, false
}

// GitHubSubjects are the OIDC subjects ("sub" claims) of the CI principal:
// one per branch and environment, or every ref of the repository.
// https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/about-security-hardening-with-openid-connect#example-subject-claims
func GitHubSubjects(g *layout.GitHubCI) []string {
	repo := g.Repository.Value
	var subs []string
	for _, b := range g.Branches {
		subs = append(subs, "repo:"+repo+":ref:refs/heads/"+b.Value)
	}
	for _, e := range g.Environments {
		subs = append(subs, "repo:"+repo+":environment:"+e.Value)
	}
	if len(subs) == 0 {
		subs = []string{"repo:" + repo + ":*"}
	}
	return subs
}

// GroupDocument is the identity policy of group g in the identity account:
// sts:AssumeRole on every role whose trust names the group, in any account
// (the roles' trust policies admit only the identity account's users).
// It returns nil when the layout grants the group no role.
func GroupDocument(l *layout.Layout, g string) []byte {
	return assumeDocument(l, layout.TrustGroup, g, "AssumeTheGroupsRoles")
}

// UserDocument is the identity policy of person p in the identity account:
// sts:AssumeRole on every role whose trust names user:p. A trust policy
// naming a user of another account lets the user in only when the user's
// own policies allow the call too (cross-account evaluation needs both
// sides). It returns nil when no role trusts the person by name.
func UserDocument(l *layout.Layout, p string) []byte {
	return assumeDocument(l, layout.TrustUser, p, "AssumeTheUsersRoles")
}

func assumeDocument(l *layout.Layout, kind layout.TrustKind, name, sid string) []byte {
	var roles []string
	for _, r := range l.Roles {
		for _, t := range r.Trust {
			if t.Kind == kind && t.Name == name {
				roles = append(roles, "arn:aws:iam::*:role/"+r.Name.Value)
				break
			}
		}
	}
	if len(roles) == 0 {
		return nil
	}
	sort.Strings(roles)
	return render(document{Version: "2012-10-17", Statement: []docStatement{
		{Sid: sid, Effect: "Allow", Action: personActions(), Resource: roles},
		{Sid: "FindTheAccounts", Effect: "Allow", Action: findAccounts(), Resource: "*"},
	}})
}

// personActions are what a person's side and a role's trust both allow:
// assuming the role, and stamping the session with the person's name as
// its source identity (bulkhead exec sets SourceIdentity=<user>, and AWS
// refuses the whole AssumeRole unless both sides allow sts:SetSourceIdentity:
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_monitor.html).
func personActions() []string { return []string{"sts:AssumeRole", "sts:SetSourceIdentity"} }

// findAccounts lets a person who may assume roles map the layout's account
// names to ids (bulkhead exec reads them once and caches them), which
// Organizations allows from the management account; these reads reveal
// account names and ids, nothing inside any account.
func findAccounts() []string {
	return []string{"organizations:DescribeOrganization", "organizations:ListAccounts"}
}

// AccessRoleTrustDocument is the trust policy AWS gives the organization
// access role (OrganizationAccountAccessRole) when it creates an account:
// the management account's root.
func AccessRoleTrustDocument(managementID string) []byte {
	return render(document{Version: "2012-10-17", Statement: []docStatement{{
		Effect: "Allow", Principal: map[string]any{"AWS": "arn:aws:iam::" + managementID + ":root"}, Action: "sts:AssumeRole"}}})
}

// sidPart keeps the characters a Sid allows ([A-Za-z0-9]).
func sidPart(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			b = append(b, c)
		}
	}
	return string(b)
}
