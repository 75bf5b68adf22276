package stages

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/smithy-go"
)

// RoleARN is the ARN of role name in account id. Roles bulkhead creates
// have no path.
func RoleARN(accountID, name string) string {
	return "arn:aws:iam::" + accountID + ":role/" + name
}

// notSessionChar is what AWS's RoleSessionName and SourceIdentity pattern
// [\w+=,.@-]* does not allow.
var notSessionChar = regexp.MustCompile(`[^\w+=,.@-]`)

// SessionName is the RoleSessionName `<user>@<stage>`: characters outside
// AWS's pattern [\w+=,.@-] become "-", and it is cut to 64 characters
// (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html).
// CloudTrail then shows who deployed which stage.
func SessionName(user, stage string) string {
	s := notSessionChar.ReplaceAllString(user+"@"+stage, "-")
	if len(s) > 64 {
		s = s[:64]
	}
	if len(s) < 2 {
		s += "@-"
	}
	return s
}

// SourceIdentity is `<user>` for sts:SourceIdentity, which AWS keeps across
// every later role chain: the same pattern as session names, 2 to 64
// characters, and never starting with "aws:".
func SourceIdentity(user string) string {
	s := notSessionChar.ReplaceAllString(user, "-")
	if len(s) > 64 {
		s = s[:64]
	}
	if len(s) < 2 || strings.HasPrefix(strings.ToLower(s), "aws:") {
		return ""
	}
	return s
}

// UserName is the person or principal behind an identity ARN: the user
// name of an IAM user, "root" for an account's root, and for an assumed
// role the session name up to any "@" (bulkhead's own <user>@<stage>, or
// an SSO session named by email), so that a session assumed from another
// keeps the person's name and source identity.
func UserName(arn string) string {
	_, res, ok := strings.Cut(arn, ":assumed-role/")
	if ok {
		parts := strings.Split(res, "/")
		name := parts[len(parts)-1]
		if i := strings.Index(name, "@"); i > 0 {
			name = name[:i]
		}
		return name
	}
	if strings.HasSuffix(arn, ":root") {
		return "root"
	}
	if i := strings.LastIndex(arn, "/"); i >= 0 {
		return arn[i+1:]
	}
	return arn
}

// AssumeParams describe one AssumeRole.
type AssumeParams struct {
	RoleARN        string
	SessionName    string
	SourceIdentity string
	// Duration is the session's length; zero takes STS's default (1 h).
	Duration time.Duration
	// MFASerial and TokenCode are passed when the role requires MFA.
	MFASerial string
	TokenCode func() (string, error)
}

// AssumeProvider assumes p.RoleARN with the caller's credentials in
// client (stscreds). When the role's trust policy does not allow
// sts:SetSourceIdentity, AWS refuses the whole call; the provider then
// retries once without a source identity and reports it through warn, so
// a trust policy that predates source identities still works while the
// session name keeps the person's name.
func AssumeProvider(client stscreds.AssumeRoleAPIClient, p AssumeParams, warn func(string)) aws.CredentialsProvider {
	return &assumeProvider{client: client, p: p, warn: warn}
}

type assumeProvider struct {
	client stscreds.AssumeRoleAPIClient
	p      AssumeParams
	warn   func(string)
}

func (a *assumeProvider) provider(sourceIdentity string) *stscreds.AssumeRoleProvider {
	return stscreds.NewAssumeRoleProvider(a.client, a.p.RoleARN, func(o *stscreds.AssumeRoleOptions) {
		o.RoleSessionName = a.p.SessionName
		if a.p.Duration > 0 {
			o.Duration = a.p.Duration
		}
		if sourceIdentity != "" {
			o.SourceIdentity = &sourceIdentity
		}
		if a.p.MFASerial != "" {
			o.SerialNumber = &a.p.MFASerial
			o.TokenProvider = a.p.TokenCode
		}
	})
}

func (a *assumeProvider) Retrieve(ctx context.Context) (aws.Credentials, error) {
	c, err := a.provider(a.p.SourceIdentity).Retrieve(ctx)
	if err != nil && a.p.SourceIdentity != "" && deniedSourceIdentity(err) {
		if a.warn != nil {
			a.warn("the trust policy of " + a.p.RoleARN + " does not allow sts:SetSourceIdentity; the session carries no source identity (allow it in the trust policy)")
		}
		return a.provider("").Retrieve(ctx)
	}
	return c, err
}

// deniedSourceIdentity reports whether err is STS refusing
// sts:SetSourceIdentity alone.
func deniedSourceIdentity(err error) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == "AccessDenied" && strings.Contains(ae.ErrorMessage(), "sts:SetSourceIdentity")
}

// WebIdentityProvider exchanges the web identity token in tokenFile (GitHub
// Actions' OIDC token) for a session of roleARN: the CI principal reaches
// the stage's role directly, with no long-lived key anywhere.
func WebIdentityProvider(client stscreds.AssumeRoleWithWebIdentityAPIClient, roleARN, sessionName, tokenFile string) aws.CredentialsProvider {
	return stscreds.NewWebIdentityRoleProvider(client, roleARN, stscreds.IdentityTokenFile(tokenFile), func(o *stscreds.WebIdentityRoleOptions) {
		o.RoleSessionName = sessionName
		o.Duration = SessionDuration
	})
}
