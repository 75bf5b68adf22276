package provider

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/bulkhead-dev/bulkhead/internal/org"
)

// Read reads the whole organization with the fewest requests the
// Organizations API allows, Options.Concurrency at a time:
//
//   - DescribeOrganization and ListRoots, once each;
//   - for the root and every OU: ListOrganizationalUnitsForParent (which
//     names the child OUs, where ListChildren gives only ids) and
//     ListAccountsForParent (which returns whole accounts, so the parent of
//     every account is known without ListAccounts plus a ListParents per
//     account);
//   - ListTagsForResource for the root and each account (AWS has no bulk
//     tag read for Organizations);
//   - per enabled policy type: ListPolicies; per customer-managed policy:
//     DescribePolicy (the content; AWS-managed policies' content is fixed
//     and not read); per policy: ListTargetsForPolicy (cheaper than
//     ListPoliciesForTarget on every root, OU and account).
//
// Unit and policy tags are not read: the layout cannot express them, and
// each would cost a request. ReadCalls gives the exact count.
func (c *Client) Read(ctx context.Context) (*org.Org, error) {
	rd := &reader{c: c, o: org.New(), unitPath: map[string]string{}, accountName: map[string]string{}}
	if err := rd.read(ctx); err != nil {
		return nil, err
	}
	return rd.o, nil
}

// reader is the state of one Read. Tasks run concurrently; mu guards the
// maps they fill.
type reader struct {
	c *Client

	mu          sync.Mutex
	o           *org.Org
	unitPath    map[string]string // OU id → path ("" for the root)
	accounts    []*org.Account
	accountName map[string]string // account id → name in o.Accounts
	policies    []*org.Policy
	targets     map[*org.Policy][]types.PolicyTargetSummary
}

func (rd *reader) read(ctx context.Context) error {
	var desc *organizations.DescribeOrganizationOutput
	err := rd.c.r.do(ctx, "DescribeOrganization", idempotentRetry, "describe organization", func(ctx context.Context) error {
		var err error
		desc, err = rd.c.api.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
		return err
	})
	if err != nil {
		return err
	}
	rd.o.ID = aws.ToString(desc.Organization.Id)
	rd.o.ManagementAccountID = aws.ToString(desc.Organization.MasterAccountId)

	var root *types.Root
	err = pages(ctx, rd.c.r, "ListRoots", "list roots", func(ctx context.Context, token *string) (*string, error) {
		out, err := rd.c.api.ListRoots(ctx, &organizations.ListRootsInput{MaxResults: aws.Int32(maxPage), NextToken: token})
		if err != nil {
			return nil, err
		}
		if len(out.Roots) > 0 && root == nil {
			root = &out.Roots[0]
		}
		return out.NextToken, nil
	})
	if err != nil {
		return err
	}
	if root == nil {
		return wrap("list roots", errors.New("the organization has no root"))
	}
	rd.o.RootID = aws.ToString(root.Id)
	rd.o.PolicyTypes = []string{}
	for _, pt := range root.PolicyTypes {
		if pt.Status == types.PolicyTypeStatusEnabled {
			rd.o.PolicyTypes = append(rd.o.PolicyTypes, string(pt.Type))
		}
	}
	sort.Strings(rd.o.PolicyTypes)
	rd.unitPath[rd.o.RootID] = ""
	rd.targets = map[*org.Policy][]types.PolicyTargetSummary{}

	g := newGroup(ctx, rd.c.concurrency)
	g.spawn(func(ctx context.Context) error {
		tags, err := rd.c.Tags(ctx, rd.o.RootID)
		rd.o.RootTags = nonEmpty(tags)
		return err
	})
	rd.container(g, rd.o.RootID, "")
	for _, t := range rd.o.PolicyTypes {
		rd.policyType(g, t)
	}
	if err := g.wait(); err != nil {
		return err
	}
	return rd.finish()
}

// container lists the OUs and accounts directly under parent (id) at path.
func (rd *reader) container(g *group, parent, path string) {
	g.spawn(func(ctx context.Context) error {
		in := &organizations.ListOrganizationalUnitsForParentInput{ParentId: &parent, MaxResults: aws.Int32(maxPage)}
		return pages(ctx, rd.c.r, "ListOrganizationalUnitsForParent", "list units under "+pathName(path), func(ctx context.Context, token *string) (*string, error) {
			in.NextToken = token
			out, err := rd.c.api.ListOrganizationalUnitsForParent(ctx, in)
			if err != nil {
				return nil, err
			}
			for _, ou := range out.OrganizationalUnits {
				id, p := aws.ToString(ou.Id), joinPath(path, aws.ToString(ou.Name))
				rd.mu.Lock()
				rd.unitPath[id] = p
				rd.o.Units[p] = &org.Unit{Path: p, ID: id}
				rd.mu.Unlock()
				rd.container(g, id, p)
			}
			return out.NextToken, nil
		})
	})
	g.spawn(func(ctx context.Context) error {
		in := &organizations.ListAccountsForParentInput{ParentId: &parent, MaxResults: aws.Int32(maxPage)}
		return pages(ctx, rd.c.r, "ListAccountsForParent", "list accounts under "+pathName(path), func(ctx context.Context, token *string) (*string, error) {
			in.NextToken = token
			out, err := rd.c.api.ListAccountsForParent(ctx, in)
			if err != nil {
				return nil, err
			}
			for _, a := range out.Accounts {
				acct := &org.Account{
					Name:   aws.ToString(a.Name),
					Email:  aws.ToString(a.Email),
					ID:     aws.ToString(a.Id),
					Unit:   path,
					Status: string(a.State),
				}
				if acct.Status == "" {
					// Status is the field AWS retires on 9 September 2026
					// for State; older endpoints send only Status.
					acct.Status = string(a.Status)
				}
				rd.mu.Lock()
				rd.accounts = append(rd.accounts, acct)
				rd.mu.Unlock()
				g.spawn(func(ctx context.Context) error {
					tags, err := rd.c.Tags(ctx, acct.ID)
					if err != nil {
						return err
					}
					acct.Kind, acct.Protected = tags[TagKind], tags[TagProtected] == "true"
					delete(tags, TagKind)
					delete(tags, TagProtected)
					acct.Tags = nonEmpty(tags)
					return nil
				})
			}
			return out.NextToken, nil
		})
	})
}

// policyType lists the policies of one type, then reads each one's
// content and targets.
func (rd *reader) policyType(g *group, typ string) {
	g.spawn(func(ctx context.Context) error {
		in := &organizations.ListPoliciesInput{Filter: types.PolicyType(typ), MaxResults: aws.Int32(maxPage)}
		return pages(ctx, rd.c.r, "ListPolicies", "list policies of type "+typ, func(ctx context.Context, token *string) (*string, error) {
			in.NextToken = token
			out, err := rd.c.api.ListPolicies(ctx, in)
			if err != nil {
				return nil, err
			}
			for _, s := range out.Policies {
				p := &org.Policy{
					Name: aws.ToString(s.Name), ID: aws.ToString(s.Id), Type: string(s.Type),
					Description: aws.ToString(s.Description), AWSManaged: s.AwsManaged,
				}
				rd.mu.Lock()
				rd.policies = append(rd.policies, p)
				rd.mu.Unlock()
				if !p.AWSManaged {
					g.spawn(func(ctx context.Context) error { return rd.policyContent(ctx, p) })
				}
				g.spawn(func(ctx context.Context) error { return rd.policyTargets(ctx, p) })
			}
			return out.NextToken, nil
		})
	})
}

func (rd *reader) policyContent(ctx context.Context, p *org.Policy) error {
	return rd.c.r.do(ctx, "DescribePolicy", idempotentRetry, "describe policy "+p.Name, func(ctx context.Context) error {
		out, err := rd.c.api.DescribePolicy(ctx, &organizations.DescribePolicyInput{PolicyId: &p.ID})
		if err == nil {
			p.Content = aws.ToString(out.Policy.Content)
		}
		return err
	})
}

func (rd *reader) policyTargets(ctx context.Context, p *org.Policy) error {
	in := &organizations.ListTargetsForPolicyInput{PolicyId: &p.ID, MaxResults: aws.Int32(maxPage)}
	return pages(ctx, rd.c.r, "ListTargetsForPolicy", "list targets of policy "+p.Name, func(ctx context.Context, token *string) (*string, error) {
		in.NextToken = token
		out, err := rd.c.api.ListTargetsForPolicy(ctx, in)
		if err != nil {
			return nil, err
		}
		rd.mu.Lock()
		rd.targets[p] = append(rd.targets[p], out.Targets...)
		rd.mu.Unlock()
		return out.NextToken, nil
	})
}

// finish keys accounts and policies by name and resolves policy targets
// from ids to names. Names AWS allows to repeat (two accounts, or two
// policies of different types, with one name) keep the name for the first
// by id and get "-<id>" appended for the others, so none is lost.
func (rd *reader) finish() error {
	sort.Slice(rd.accounts, func(i, j int) bool { return rd.accounts[i].ID < rd.accounts[j].ID })
	for _, a := range rd.accounts {
		if rd.o.Accounts[a.Name] != nil {
			a.Name += "-" + a.ID
		}
		rd.o.Accounts[a.Name] = a
		rd.accountName[a.ID] = a.Name
		if a.ID == rd.o.ManagementAccountID {
			rd.o.ManagementAccount = a.Name
		}
	}
	sort.Slice(rd.policies, func(i, j int) bool { return rd.policies[i].ID < rd.policies[j].ID })
	for _, p := range rd.policies {
		if rd.o.Policies[p.Name] != nil {
			p.Name += "-" + p.ID
		}
		rd.o.Policies[p.Name] = p
		p.Targets = []org.Target{}
		for _, t := range rd.targets[p] {
			id := aws.ToString(t.TargetId)
			switch t.Type {
			case types.TargetTypeRoot:
				p.Targets = append(p.Targets, org.Target{Kind: org.TargetRoot})
			case types.TargetTypeOrganizationalUnit:
				path, ok := rd.unitPath[id]
				if !ok {
					return fmt.Errorf("read organization: policy %s is attached to unit %s, which is not in the tree (the organization changed during the read; read again)", p.Name, id)
				}
				p.Targets = append(p.Targets, org.Target{Kind: org.TargetUnit, Name: path})
			case types.TargetTypeAccount:
				name, ok := rd.accountName[id]
				if !ok {
					return fmt.Errorf("read organization: policy %s is attached to account %s, which is not in the tree (the organization changed during the read; read again)", p.Name, id)
				}
				p.Targets = append(p.Targets, org.Target{Kind: org.TargetAccount, Name: name})
			}
		}
		org.SortTargets(p.Targets)
	}
	return nil
}

func joinPath(parent, name string) string {
	if parent == "" {
		return name
	}
	return parent + "/" + name
}

func pathName(path string) string {
	if path == "" {
		return "root"
	}
	return path
}

func nonEmpty(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	return m
}

// pagesOf is how many requests a listing of n items takes: one even when
// empty, then one per maxPage items.
func pagesOf(n int) int {
	if n <= maxPage {
		return 1
	}
	return (n + maxPage - 1) / maxPage
}

// ReadCalls is the number of requests Read sends, without retries, for
// an organization as Read returned it (ids known):
//
//	2                                    DescribeOrganization, ListRoots
//	+ Σ over the root and each OU c:     pages(OUs in c) + pages(accounts in c)
//	+ 1 + Σ over accounts a:             pages(tags of a)       (root + accounts)
//	+ Σ over enabled policy types t:     pages(policies of t)
//	+ customer-managed policies          (DescribePolicy)
//	+ Σ over policies p:                 pages(targets of p)
//
// where pages(n) = max(1, ⌈n/20⌉). Root tags are counted as one page.
// ListTagsForResource takes no MaxResults: the local AWS pages tags by 20
// like every other listing, real AWS decides itself (an account has at
// most 50 tags), so for accounts with more than 20 tags the real count
// may be lower.
//
// ReadLowerBound is this minus one: DescribeOrganization could be
// spared (the management account id is in the root's ARN), but Read
// keeps it as the clean "no organization" check and for the organization
// id. Every other term is forced: no Organizations API lists the OUs or
// the accounts of more than one parent per request, or names the child
// OUs in ListChildren, or lists tags of more than one resource, or
// returns policy content from ListPolicies; and the alternative for
// account parents, ListAccounts plus ListParents per account, costs
// ⌈N/20⌉ + N.
func ReadCalls(o *org.Org) int {
	// Children per container ("" is the root): every container is listed
	// once for units and once for accounts, even when empty.
	units, accounts := map[string]int{}, map[string]int{}
	for p := range o.Units {
		units[org.ParentPath(p)]++
	}
	n := 2 + 1
	for _, a := range o.Accounts {
		accounts[a.Unit]++
		n += pagesOf(len(a.Tags) + tagCount(a))
	}
	for _, c := range append(o.SortedUnitPaths(), "") {
		n += pagesOf(units[c]) + pagesOf(accounts[c])
	}
	perType := map[string]int{}
	for _, t := range o.PolicyTypes {
		perType[t] = 0
	}
	for _, p := range o.Policies {
		perType[p.Type]++
		if !p.AWSManaged {
			n++
		}
		n += pagesOf(len(p.Targets))
	}
	for _, c := range perType {
		n += pagesOf(c)
	}
	return n
}

// ReadLowerBound is the fewest requests any reader needs for the same
// facts; see ReadCalls.
func ReadLowerBound(o *org.Org) int { return ReadCalls(o) - 1 }

// tagCount counts the bulkhead tags Read moved out of Tags.
func tagCount(a *org.Account) int {
	n := 0
	if a.Kind != "" {
		n++
	}
	if a.Protected {
		n++
	}
	return n
}
