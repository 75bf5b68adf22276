package provider

import (
	"context"
	"log/slog"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/bulkhead-dev/bulkhead/internal/org"
)

// Options tune a Client. The zero value is ready for real AWS.
type Options struct {
	// Concurrency bounds the requests Read has in flight; 8 when zero.
	Concurrency int
	// MaxAttempts bounds the sends of one request, retries included; 10
	// when zero.
	MaxAttempts int
	// BaseDelay and MaxDelay shape the retry backoff (full jitter over
	// BaseDelay·2^n, capped at MaxDelay); 100 ms and 20 s when zero.
	BaseDelay, MaxDelay time.Duration
	// Clock waits between retries and paces the rate limiters; WallClock
	// when nil.
	Clock Clock
	// Rand returns a uniform float in [0,1) for jitter; math/rand/v2's
	// when nil.
	Rand func() float64
	// Logger receives one debug line per retry; discarded when nil.
	Logger *slog.Logger
}

// Client is the Provider over aws-sdk-go-v2's Organizations client.
type Client struct {
	api         *organizations.Client
	cfg         aws.Config // for the IAM and STS clients (iam.go)
	iam         iamState   // sessions per member account (iam.go)
	r           *retrier
	concurrency int
}

var _ Provider = (*Client)(nil)

// New returns a Client for cfg (real AWS from config.LoadDefaultConfig,
// or the local AWS from emulator.LocalConfig). The SDK's own retries are
// turned off: the Client's retry decorator and rate limiters replace them.
func New(cfg aws.Config, o Options) *Client {
	api := organizations.NewFromConfig(cfg, func(oo *organizations.Options) {
		oo.Retryer = aws.NopRetryer{}
	})
	c := &Client{api: api, cfg: cfg, r: newRetrier(o), concurrency: o.Concurrency}
	if c.concurrency <= 0 {
		c.concurrency = 8
	}
	return c
}

// Calls returns the requests sent since New.
func (c *Client) Calls() CallStats { return c.r.stats() }

// RateLimit returns the current adaptive limit of an operation in
// requests per second (0: not limited).
func (c *Client) RateLimit(op string) float64 { return c.r.limiter(op).limit() }

// CreateOrganization creates an organization with all features.
func (c *Client) CreateOrganization(ctx context.Context) error {
	return c.r.do(ctx, "CreateOrganization", idempotentRetry, "create organization", func(ctx context.Context) error {
		_, err := c.api.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: types.OrganizationFeatureSetAll})
		return err
	})
}

// EnablePolicyType enables a policy type on the root.
func (c *Client) EnablePolicyType(ctx context.Context, rootID, policyType string) error {
	return c.r.do(ctx, "EnablePolicyType", idempotentRetry, "enable policy type "+policyType, func(ctx context.Context) error {
		_, err := c.api.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: &rootID, PolicyType: types.PolicyType(policyType)})
		return err
	})
}

// CreateUnit creates an OU.
func (c *Client) CreateUnit(ctx context.Context, parentID, name string, tags map[string]string) (string, error) {
	var id string
	err := c.r.do(ctx, "CreateOrganizationalUnit", idempotentRetry, "create unit "+name, func(ctx context.Context) error {
		out, err := c.api.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: &parentID, Name: &name, Tags: sdkTags(tags)})
		if err == nil {
			id = aws.ToString(out.OrganizationalUnit.Id)
		}
		return err
	})
	return id, err
}

// RenameUnit renames an OU.
func (c *Client) RenameUnit(ctx context.Context, id, name string) error {
	return c.r.do(ctx, "UpdateOrganizationalUnit", idempotentRetry, "rename unit "+id+" to "+name, func(ctx context.Context) error {
		_, err := c.api.UpdateOrganizationalUnit(ctx, &organizations.UpdateOrganizationalUnitInput{OrganizationalUnitId: &id, Name: &name})
		return err
	})
}

// DeleteUnit deletes an empty OU.
func (c *Client) DeleteUnit(ctx context.Context, id string) error {
	return c.r.do(ctx, "DeleteOrganizationalUnit", idempotentRetry, "delete unit "+id, func(ctx context.Context) error {
		_, err := c.api.DeleteOrganizationalUnit(ctx, &organizations.DeleteOrganizationalUnitInput{OrganizationalUnitId: &id})
		return err
	})
}

// CreateAccount starts an account creation. It is retried only after
// throttling or a concurrent modification, never after a failure that may
// have come after AWS accepted the request.
func (c *Client) CreateAccount(ctx context.Context, in CreateAccountInput) (string, error) {
	var id string
	req := &organizations.CreateAccountInput{AccountName: &in.Name, Email: &in.Email, Tags: sdkTags(in.Tags)}
	if in.RoleName != "" {
		req.RoleName = &in.RoleName
	}
	err := c.r.do(ctx, "CreateAccount", refusedOnlyRetry, "create account "+in.Name, func(ctx context.Context) error {
		out, err := c.api.CreateAccount(ctx, req)
		if err == nil {
			id = aws.ToString(out.CreateAccountStatus.Id)
		}
		return err
	})
	return id, err
}

// DescribeCreateAccount returns a creation request's status.
func (c *Client) DescribeCreateAccount(ctx context.Context, statusID string) (CreateAccountStatus, error) {
	var st CreateAccountStatus
	err := c.r.do(ctx, "DescribeCreateAccountStatus", idempotentRetry, "describe create account status "+statusID, func(ctx context.Context) error {
		out, err := c.api.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: &statusID})
		if err == nil {
			st = createStatus(out.CreateAccountStatus)
		}
		return err
	})
	return st, err
}

// CreateAccountRequests lists creation requests in the given states.
func (c *Client) CreateAccountRequests(ctx context.Context, states ...string) ([]CreateAccountStatus, error) {
	in := &organizations.ListCreateAccountStatusInput{MaxResults: aws.Int32(maxPage)}
	for _, s := range states {
		in.States = append(in.States, types.CreateAccountState(s))
	}
	var out []CreateAccountStatus
	err := pages(ctx, c.r, "ListCreateAccountStatus", "list create account requests", func(ctx context.Context, token *string) (*string, error) {
		in.NextToken = token
		page, err := c.api.ListCreateAccountStatus(ctx, in)
		if err != nil {
			return nil, err
		}
		for _, s := range page.CreateAccountStatuses {
			out = append(out, createStatus(&s))
		}
		return page.NextToken, nil
	})
	return out, err
}

func createStatus(s *types.CreateAccountStatus) CreateAccountStatus {
	if s == nil {
		return CreateAccountStatus{}
	}
	return CreateAccountStatus{
		ID:            aws.ToString(s.Id),
		AccountName:   aws.ToString(s.AccountName),
		State:         string(s.State),
		AccountID:     aws.ToString(s.AccountId),
		FailureReason: string(s.FailureReason),
		RequestedAt:   aws.ToTime(s.RequestedTimestamp),
	}
}

// MoveAccount moves an account between parents.
func (c *Client) MoveAccount(ctx context.Context, accountID, fromParentID, toParentID string) error {
	return c.r.do(ctx, "MoveAccount", idempotentRetry, "move account "+accountID+" to "+toParentID, func(ctx context.Context) error {
		_, err := c.api.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: &accountID, SourceParentId: &fromParentID, DestinationParentId: &toParentID})
		return err
	})
}

// Tags returns a resource's tags.
func (c *Client) Tags(ctx context.Context, id string) (map[string]string, error) {
	tags := map[string]string{}
	err := pages(ctx, c.r, "ListTagsForResource", "list tags of "+id, func(ctx context.Context, token *string) (*string, error) {
		out, err := c.api.ListTagsForResource(ctx, &organizations.ListTagsForResourceInput{ResourceId: &id, NextToken: token})
		if err != nil {
			return nil, err
		}
		for _, t := range out.Tags {
			tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
		}
		return out.NextToken, nil
	})
	return tags, err
}

// TagResource adds or overwrites tags.
func (c *Client) TagResource(ctx context.Context, id string, tags map[string]string) error {
	return c.r.do(ctx, "TagResource", idempotentRetry, "tag "+id, func(ctx context.Context) error {
		_, err := c.api.TagResource(ctx, &organizations.TagResourceInput{ResourceId: &id, Tags: sdkTags(tags)})
		return err
	})
}

// UntagResource removes tag keys.
func (c *Client) UntagResource(ctx context.Context, id string, keys []string) error {
	return c.r.do(ctx, "UntagResource", idempotentRetry, "untag "+id, func(ctx context.Context) error {
		_, err := c.api.UntagResource(ctx, &organizations.UntagResourceInput{ResourceId: &id, TagKeys: keys})
		return err
	})
}

// CreatePolicy creates a customer-managed policy.
func (c *Client) CreatePolicy(ctx context.Context, p *org.Policy) (string, error) {
	var id string
	in := &organizations.CreatePolicyInput{Name: &p.Name, Type: types.PolicyType(p.Type), Content: &p.Content, Description: &p.Description, Tags: sdkTags(p.Tags)}
	err := c.r.do(ctx, "CreatePolicy", idempotentRetry, "create policy "+p.Name, func(ctx context.Context) error {
		out, err := c.api.CreatePolicy(ctx, in)
		if err == nil {
			id = aws.ToString(out.Policy.PolicySummary.Id)
		}
		return err
	})
	return id, err
}

// UpdatePolicy sets a policy's name, description and content.
func (c *Client) UpdatePolicy(ctx context.Context, id string, p *org.Policy) error {
	in := &organizations.UpdatePolicyInput{PolicyId: &id, Name: &p.Name, Description: &p.Description, Content: &p.Content}
	return c.r.do(ctx, "UpdatePolicy", idempotentRetry, "update policy "+p.Name, func(ctx context.Context) error {
		_, err := c.api.UpdatePolicy(ctx, in)
		return err
	})
}

// DeletePolicy deletes a detached policy.
func (c *Client) DeletePolicy(ctx context.Context, id string) error {
	return c.r.do(ctx, "DeletePolicy", idempotentRetry, "delete policy "+id, func(ctx context.Context) error {
		_, err := c.api.DeletePolicy(ctx, &organizations.DeletePolicyInput{PolicyId: &id})
		return err
	})
}

// AttachPolicy attaches a policy to a target.
func (c *Client) AttachPolicy(ctx context.Context, policyID, targetID string) error {
	return c.r.do(ctx, "AttachPolicy", idempotentRetry, "attach policy "+policyID+" to "+targetID, func(ctx context.Context) error {
		_, err := c.api.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: &policyID, TargetId: &targetID})
		return err
	})
}

// DetachPolicy detaches a policy from a target.
func (c *Client) DetachPolicy(ctx context.Context, policyID, targetID string) error {
	return c.r.do(ctx, "DetachPolicy", idempotentRetry, "detach policy "+policyID+" from "+targetID, func(ctx context.Context) error {
		_, err := c.api.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: &policyID, TargetId: &targetID})
		return err
	})
}

// CloseAccount closes a member account.
func (c *Client) CloseAccount(ctx context.Context, accountID string) error {
	return c.r.do(ctx, "CloseAccount", idempotentRetry, "close account "+accountID, func(ctx context.Context) error {
		_, err := c.api.CloseAccount(ctx, &organizations.CloseAccountInput{AccountId: &accountID})
		return err
	})
}

// RemoveAccount removes a member account from the organization.
func (c *Client) RemoveAccount(ctx context.Context, accountID string) error {
	return c.r.do(ctx, "RemoveAccountFromOrganization", idempotentRetry, "remove account "+accountID, func(ctx context.Context) error {
		_, err := c.api.RemoveAccountFromOrganization(ctx, &organizations.RemoveAccountFromOrganizationInput{AccountId: &accountID})
		return err
	})
}

// sdkTags converts a tag map for Organizations, sorted by key so requests
// are reproducible.
func sdkTags(tags map[string]string) []types.Tag {
	return sortedTags(tags, func(k, v string) types.Tag { return types.Tag{Key: aws.String(k), Value: aws.String(v)} })
}

// sortedTags converts a tag map into an SDK's tag type (Organizations and
// IAM each have their own), sorted by key; nil for no tags.
func sortedTags[T any](tags map[string]string, mk func(k, v string) T) []T {
	if len(tags) == 0 {
		return nil
	}
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]T, len(keys))
	for i, k := range keys {
		out[i] = mk(k, tags[k])
	}
	return out
}

// maxPage is the largest MaxResults every Organizations List action
// accepts (1 to 20, AWS Organizations API Reference).
const maxPage = 20

// pages calls page with each NextToken until it returns nil; every page
// is one request through the retry decorator.
func pages(ctx context.Context, r *retrier, op, what string, page func(ctx context.Context, token *string) (*string, error)) error {
	var token *string
	for {
		var next *string
		err := r.do(ctx, op, idempotentRetry, what, func(ctx context.Context) error {
			var err error
			next, err = page(ctx, token)
			return err
		})
		if err != nil {
			return err
		}
		if aws.ToString(next) == "" {
			return nil
		}
		token = next
	}
}
