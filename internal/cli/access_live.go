package cli

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/bulkhead-dev/bulkhead/internal/access"
	"github.com/bulkhead-dev/bulkhead/internal/awsmanaged"
	"github.com/bulkhead-dev/bulkhead/internal/layout"
	"github.com/bulkhead-dev/bulkhead/internal/org"
	"github.com/bulkhead-dev/bulkhead/internal/provider"
)

// liveReadParallelism bounds the accounts whose IAM is read at once.
const liveReadParallelism = 8

// accessModelFor builds the access model of the layout, or with live of the
// organization the layout's target holds.
func (a *App) accessModelFor(ctx context.Context, live bool) (*access.Model, *layout.Layout, error) {
	l, err := a.mustLoadLayout()
	if err != nil {
		return nil, nil, err
	}
	opts := access.Options{Managed: awsmanaged.Document}
	var m *access.Model
	if live {
		s, err := a.readLive(ctx, l)
		if err != nil {
			return nil, nil, &ExitError{Code: 1, Message: "read the live organization: " + err.Error()}
		}
		m, err = access.FromSnapshot(s, opts)
		if err != nil {
			return nil, nil, &ExitError{Code: 1, Message: err.Error()}
		}
		return m, l, nil
	}
	m, err = access.Build(l, opts)
	if err != nil {
		return nil, nil, &ExitError{Code: 1, Message: err.Error()}
	}
	return m, l, nil
}

// readLive reads the organization and, in every active account, its IAM:
// the management account with the caller's credentials, member accounts
// by assuming the organization access role (once per account).
func (a *App) readLive(ctx context.Context, l *layout.Layout) (*access.Snapshot, error) {
	cfg, closer, err := a.awsConfig(ctx, l)
	if err != nil {
		return nil, err
	}
	defer closer.Close()
	o, err := provider.New(cfg, provider.Options{Logger: a.Logger}).Read(ctx)
	if err != nil {
		return nil, err
	}
	accessRole := l.Organization.AccessRole.Value
	if accessRole == "" {
		accessRole = layout.DefaultAccessRole
	}
	s := &access.Snapshot{Org: o, IAM: map[string]*access.AccountIAM{}, AccessRole: accessRole, CI: l.CI,
		IdentityAccount: l.Organization.IdentityAccount.Value, Region: l.Organization.Region.Value}
	var (
		mu    sync.Mutex
		wg    sync.WaitGroup
		sem   = make(chan struct{}, liveReadParallelism)
		first error
	)
	for _, name := range o.SortedAccountNames() {
		acct := o.Accounts[name]
		if acct.ID == "" || (acct.Status != "" && acct.Status != org.Active) {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return
			}
			defer func() { <-sem }()
			acfg := cfg.Copy()
			if acct.ID != o.ManagementAccountID && acct.Name != o.ManagementAccount {
				arn := "arn:aws:iam::" + acct.ID + ":role/" + accessRole
				acfg.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(sts.NewFromConfig(cfg), arn,
					func(o *stscreds.AssumeRoleOptions) { o.RoleSessionName = "bulkhead-access" }))
			}
			ai, err := readAccountIAM(ctx, iam.NewFromConfig(acfg))
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				if first == nil {
					first = fmt.Errorf("account %s (%s): %w", acct.Name, acct.ID, err)
				}
				return
			}
			s.IAM[acct.Name] = ai
		}()
	}
	wg.Wait()
	if first != nil {
		return nil, first
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return s, nil
}

// readAccountIAM reads one account's users, groups, roles and managed
// policies with GetAccountAuthorizationDetails.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html
func readAccountIAM(ctx context.Context, c *iam.Client) (*access.AccountIAM, error) {
	ai := &access.AccountIAM{Managed: map[string]string{}}
	pg := iam.NewGetAccountAuthorizationDetailsPaginator(c, &iam.GetAccountAuthorizationDetailsInput{})
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, u := range out.UserDetailList {
			ai.Users = append(ai.Users, access.IAMUser{Name: aws.ToString(u.UserName), ARN: aws.ToString(u.Arn),
				Groups: u.GroupList, Inline: inlineDocs(u.UserPolicyList), Attached: attachedARNs(u.AttachedManagedPolicies),
				Boundary: boundaryARN(u.PermissionsBoundary)})
		}
		for _, g := range out.GroupDetailList {
			ai.Groups = append(ai.Groups, access.IAMGroup{Name: aws.ToString(g.GroupName),
				Inline: inlineDocs(g.GroupPolicyList), Attached: attachedARNs(g.AttachedManagedPolicies)})
		}
		for _, r := range out.RoleDetailList {
			ai.Roles = append(ai.Roles, access.IAMRole{Name: aws.ToString(r.RoleName), ARN: aws.ToString(r.Arn),
				Path: aws.ToString(r.Path), Trust: decodeDoc(aws.ToString(r.AssumeRolePolicyDocument)),
				Inline: inlineDocs(r.RolePolicyList), Attached: attachedARNs(r.AttachedManagedPolicies),
				Boundary: boundaryARN(r.PermissionsBoundary)})
		}
		for _, p := range out.Policies {
			for _, v := range p.PolicyVersionList {
				if v.IsDefaultVersion {
					ai.Managed[aws.ToString(p.Arn)] = decodeDoc(aws.ToString(v.Document))
				}
			}
		}
	}
	sort.Slice(ai.Users, func(i, j int) bool { return ai.Users[i].Name < ai.Users[j].Name })
	sort.Slice(ai.Roles, func(i, j int) bool { return ai.Roles[i].Name < ai.Roles[j].Name })
	sort.Slice(ai.Groups, func(i, j int) bool { return ai.Groups[i].Name < ai.Groups[j].Name })
	return ai, nil
}

// decodeDoc undoes the URL encoding IAM applies to policy documents in its
// responses (RFC 3986).
func decodeDoc(s string) string {
	if len(s) > 0 && s[0] == '{' {
		return s // not encoded
	}
	if d, err := url.PathUnescape(s); err == nil {
		return d
	}
	return s
}

func inlineDocs(ps []iamtypes.PolicyDetail) []access.Document {
	var out []access.Document
	for _, p := range ps {
		out = append(out, access.Document{Name: aws.ToString(p.PolicyName), JSON: decodeDoc(aws.ToString(p.PolicyDocument))})
	}
	return out
}

func attachedARNs(ps []iamtypes.AttachedPolicy) []string {
	var out []string
	for _, p := range ps {
		out = append(out, aws.ToString(p.PolicyArn))
	}
	return out
}

func boundaryARN(b *iamtypes.AttachedPermissionsBoundary) string {
	if b == nil {
		return ""
	}
	return aws.ToString(b.PermissionsBoundaryArn)
}
