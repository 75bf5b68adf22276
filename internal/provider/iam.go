package provider

import (
	"context"
	"errors"
	"net/url"
	"sort"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/bulkhead-dev/bulkhead/internal/org"
)

// IAM in member accounts is reached by assuming the organization access
// role from the management account, once per account per Client (the
// session is cached for the run: a session lasts an hour, longer than any
// plan or apply). The management account is used with the Client's own
// credentials. Every IAM and STS request goes through the same retry
// decorator and per-operation adaptive limiters as Organizations requests,
// and counts in Calls() under "iam:<Operation>" and "sts:AssumeRole".

// IAMAccount names an account whose IAM is read or written.
type IAMAccount struct {
	Name string
	ID   string
	// Identity marks the identity account: its users and groups are read
	// too.
	Identity bool
}

type iamSession struct {
	once sync.Once
	api  *iam.Client
	err  error
}

// IAMTarget says which account is the management account (its own
// credentials) and which role to assume in the others. SetIAMTarget must be
// called before any IAM method.
type IAMTarget struct {
	ManagementID string
	AccessRole   string // OrganizationAccountAccessRole when empty
}

// SetIAMTarget tells the Client how to reach member accounts.
func (c *Client) SetIAMTarget(t IAMTarget) {
	if t.AccessRole == "" {
		t.AccessRole = "OrganizationAccountAccessRole"
	}

	c.iam.mu.Lock()
	c.iam.target = t
	c.iam.mu.Unlock()
}

// iamState is the Client's IAM reach: the target and one session per
// account id.
type iamState struct {
	mu       sync.Mutex
	target   IAMTarget
	sessions map[string]*iamSession
}

// iamFor returns the IAM client of an account, assuming the access role
// the first time a member account is asked for.
func (c *Client) iamFor(ctx context.Context, accountID string) (*iam.Client, error) {
	st := &c.iam
	st.mu.Lock()
	if st.sessions == nil {
		st.sessions = map[string]*iamSession{}
	}
	s := st.sessions[accountID]
	if s == nil {
		s = &iamSession{}
		st.sessions[accountID] = s
	}
	target := st.target
	st.mu.Unlock()
	if target.AccessRole == "" {
		target.AccessRole = "OrganizationAccountAccessRole"
	}
	s.once.Do(func() {
		cfg := c.cfg.Copy()
		if accountID != target.ManagementID {
			role := "arn:aws:iam::" + accountID + ":role/" + target.AccessRole
			api := sts.NewFromConfig(c.cfg, func(o *sts.Options) { o.Retryer = aws.NopRetryer{} })
			var out *sts.AssumeRoleOutput
			s.err = c.r.do(ctx, "sts:AssumeRole", idempotentRetry, "assume "+role, func(ctx context.Context) error {
				var err error
				out, err = api.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: &role, RoleSessionName: aws.String("bulkhead")})
				return err
			})
			if s.err != nil {
				return
			}
			cr := out.Credentials
			cfg.Credentials = credentials.NewStaticCredentialsProvider(aws.ToString(cr.AccessKeyId), aws.ToString(cr.SecretAccessKey), aws.ToString(cr.SessionToken))
		}
		s.api = iam.NewFromConfig(cfg, func(o *iam.Options) { o.Retryer = aws.NopRetryer{} })
	})
	if s.err != nil {
		// A failed assumption is not cached: a later call may succeed (the
		// account was still being created).
		st.mu.Lock()
		if st.sessions[accountID] == s {
			delete(st.sessions, accountID)
		}
		st.mu.Unlock()
	}
	return s.api, s.err
}

// iamDo sends one IAM request to an account through the retry decorator,
// mapping IAM's NoSuchEntity and EntityAlreadyExists to ErrNotFound and
// ErrAlreadyExists.
func (c *Client) iamDo(ctx context.Context, accountID, op, what string, send func(ctx context.Context, api *iam.Client) error) error {
	api, err := c.iamFor(ctx, accountID)
	if err != nil {
		return err
	}
	err = c.r.do(ctx, "iam:"+op, idempotentRetry, what+" in "+accountID, func(ctx context.Context) error { return send(ctx, api) })
	if err == nil {
		return nil
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		switch ae.ErrorCode() {
		case "NoSuchEntity":
			return errors.Join(err, ErrNotFound)
		case "EntityAlreadyExists":
			return errors.Join(err, ErrAlreadyExists)
		}
	}
	return err
}

// ReadIAM reads the IAM of the given accounts in parallel (Options.Concurrency
// at a time): per account GetAccountAuthorizationDetails (roles, users,
// groups, their inline and attached policies, boundaries, tags), ListRoles
// (maximum session durations, which the details omit),
// ListOpenIDConnectProviders, GetAccountPasswordPolicy and
// ListAccountAliases, plus one sts:AssumeRole per member account.
func (c *Client) ReadIAM(ctx context.Context, accounts []IAMAccount) (*org.IAM, error) {
	out := org.NewIAM()
	var mu sync.Mutex
	g := newGroup(ctx, c.concurrency)
	for _, a := range accounts {
		g.spawn(func(ctx context.Context) error {
			ai, err := c.readAccountIAM(ctx, a)
			if err != nil {
				return err
			}
			mu.Lock()
			out.Accounts[a.Name] = ai
			mu.Unlock()
			return nil
		})
	}
	return out, g.wait()
}

func (c *Client) readAccountIAM(ctx context.Context, a IAMAccount) (*org.AccountIAM, error) {
	ai := org.NewAccountIAM(a.Name, a.ID)
	ai.Identity = a.Identity
	var marker *string
	for {
		var page *iam.GetAccountAuthorizationDetailsOutput
		err := c.iamDo(ctx, a.ID, "GetAccountAuthorizationDetails", "read IAM of "+a.Name, func(ctx context.Context, api *iam.Client) error {
			var err error
			page, err = api.GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{Marker: marker})
			return err
		})
		if err != nil {
			return nil, err
		}
		for _, r := range page.RoleDetailList {
			role := &org.IAMRole{Name: aws.ToString(r.RoleName), Trust: decodeDoc(aws.ToString(r.AssumeRolePolicyDocument)), MaxSession: 3600, Tags: iamTags(r.Tags)}
			for _, p := range r.AttachedManagedPolicies {
				role.ManagedPolicies = append(role.ManagedPolicies, aws.ToString(p.PolicyArn))
			}
			sort.Strings(role.ManagedPolicies)
			role.InlinePolicies = inline(r.RolePolicyList)
			if r.PermissionsBoundary != nil {
				role.Boundary = aws.ToString(r.PermissionsBoundary.PermissionsBoundaryArn)
			}
			ai.Roles[role.Name] = role
		}
		if a.Identity {
			for _, u := range page.UserDetailList {
				user := &org.IAMUser{Name: aws.ToString(u.UserName), Groups: org.SortedStrings(u.GroupList), InlinePolicies: inline(u.UserPolicyList), Tags: iamTags(u.Tags)}
				ai.Users[user.Name] = user
			}
			for _, gd := range page.GroupDetailList {
				ai.Groups[aws.ToString(gd.GroupName)] = &org.IAMGroup{Name: aws.ToString(gd.GroupName), InlinePolicies: inline(gd.GroupPolicyList)}
			}
		}
		if !page.IsTruncated || aws.ToString(page.Marker) == "" {
			break
		}
		marker = page.Marker
	}
	// Maximum session durations.
	marker = nil
	for {
		var page *iam.ListRolesOutput
		err := c.iamDo(ctx, a.ID, "ListRoles", "list roles of "+a.Name, func(ctx context.Context, api *iam.Client) error {
			var err error
			page, err = api.ListRoles(ctx, &iam.ListRolesInput{Marker: marker})
			return err
		})
		if err != nil {
			return nil, err
		}
		for _, r := range page.Roles {
			if role := ai.Roles[aws.ToString(r.RoleName)]; role != nil && r.MaxSessionDuration != nil {
				role.MaxSession = *r.MaxSessionDuration
			}
		}
		if !page.IsTruncated || aws.ToString(page.Marker) == "" {
			break
		}
		marker = page.Marker
	}
	err := c.iamDo(ctx, a.ID, "ListOpenIDConnectProviders", "list OIDC providers of "+a.Name, func(ctx context.Context, api *iam.Client) error {
		out, err := api.ListOpenIDConnectProviders(ctx, &iam.ListOpenIDConnectProvidersInput{})
		if err != nil {
			return err
		}
		for _, p := range out.OpenIDConnectProviderList {
			arn := aws.ToString(p.Arn)
			if i := strings.Index(arn, ":oidc-provider/"); i >= 0 {
				ai.OIDCProviders = append(ai.OIDCProviders, arn[i+len(":oidc-provider/"):])
			}
		}
		sort.Strings(ai.OIDCProviders)
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = c.iamDo(ctx, a.ID, "GetAccountPasswordPolicy", "read the password policy of "+a.Name, func(ctx context.Context, api *iam.Client) error {
		out, err := api.GetAccountPasswordPolicy(ctx, &iam.GetAccountPasswordPolicyInput{})
		if err != nil {
			return err
		}
		pp := out.PasswordPolicy
		ai.PasswordPolicy = &org.PasswordPolicy{
			MinimumLength: aws.ToInt32(pp.MinimumPasswordLength), RequireSymbols: pp.RequireSymbols, RequireNumbers: pp.RequireNumbers,
			RequireUppercase: pp.RequireUppercaseCharacters, RequireLowercase: pp.RequireLowercaseCharacters,
			AllowUsersToChangePassword: pp.AllowUsersToChangePassword, MaxPasswordAge: aws.ToInt32(pp.MaxPasswordAge),
			PasswordReusePrevention: aws.ToInt32(pp.PasswordReusePrevention),
		}
		return nil
	})
	if err != nil && !errors.Is(err, ErrNotFound) { // NoSuchEntity: no password policy
		return nil, err
	}
	err = c.iamDo(ctx, a.ID, "ListAccountAliases", "list the alias of "+a.Name, func(ctx context.Context, api *iam.Client) error {
		out, err := api.ListAccountAliases(ctx, &iam.ListAccountAliasesInput{})
		if err == nil && len(out.AccountAliases) > 0 {
			ai.Alias = out.AccountAliases[0]
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return ai, nil
}

// decodeDoc undoes the URL encoding of policy documents in IAM responses
// ("The policy document returned in this structure is URL-encoded
// compliant with RFC 3986", IAM API Reference, RoleDetail and PolicyDetail).
func decodeDoc(s string) string {
	if strings.HasPrefix(s, "%7B") || strings.HasPrefix(s, "%7b") {
		if d, err := url.QueryUnescape(s); err == nil {
			return d
		}
	}
	return s
}

func inline(ps []iamtypes.PolicyDetail) map[string]string {
	if len(ps) == 0 {
		return nil
	}
	m := make(map[string]string, len(ps))
	for _, p := range ps {
		m[aws.ToString(p.PolicyName)] = decodeDoc(aws.ToString(p.PolicyDocument))
	}
	return m
}

func iamTags(ts []iamtypes.Tag) map[string]string {
	if len(ts) == 0 {
		return nil
	}
	m := make(map[string]string, len(ts))
	for _, t := range ts {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m
}
