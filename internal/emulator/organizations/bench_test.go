package organizations_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	orgs "github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/bulkhead-dev/bulkhead/internal/emulator"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/emulatortest"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/organizations"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/service"
)

// Benchmarks through the SDK and the in-process transport (SigV4 signed
// and verified on every request), so they measure the whole request path
// except the socket:
//
//	go test -run '^$' -bench . -benchtime 2s ./internal/emulator/organizations

func benchEnv(b *testing.B, accounts int) (*orgs.Client, string) {
	b.Helper()
	env := emulatortest.Start(b, func(o *emulator.Options) {
		o.Services = []service.Spec{organizations.New(organizations.Config{CreateAccountDelay: -1, Quotas: organizations.Quotas{MaxAccounts: accounts + 1, MaxOUs: 1 << 30}}).Spec()}
		o.Logger = nil
	})
	c := orgs.NewFromConfig(env.Config)
	ctx := context.Background()
	if _, err := c.CreateOrganization(ctx, &orgs.CreateOrganizationInput{}); err != nil {
		b.Fatal(err)
	}
	for i := 0; i < accounts; i++ {
		if _, err := c.CreateAccount(ctx, &orgs.CreateAccountInput{AccountName: aws.String(fmt.Sprintf("a%d", i)), Email: aws.String(fmt.Sprintf("a%d@example.com", i))}); err != nil {
			b.Fatal(err)
		}
	}
	roots, err := c.ListRoots(ctx, &orgs.ListRootsInput{})
	if err != nil {
		b.Fatal(err)
	}
	return c, *roots.Roots[0].Id
}

func BenchmarkDescribeOrganization(b *testing.B) {
	c, _ := benchEnv(b, 0)
	ctx := context.Background()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := c.DescribeOrganization(ctx, &orgs.DescribeOrganizationInput{}); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkListAccountsPage reads one page of 20 from 1,000 accounts,
// from a token in the middle of the listing.
func BenchmarkListAccountsPage(b *testing.B) {
	c, _ := benchEnv(b, 999)
	ctx := context.Background()
	first, err := c.ListAccounts(ctx, &orgs.ListAccountsInput{MaxResults: aws.Int32(20)})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			out, err := c.ListAccounts(ctx, &orgs.ListAccountsInput{MaxResults: aws.Int32(20), NextToken: first.NextToken})
			if err != nil || len(out.Accounts) != 20 {
				b.Errorf("%d accounts, %v", len(out.Accounts), err)
				return
			}
		}
	})
}

func BenchmarkCreateOrganizationalUnit(b *testing.B) {
	c, root := benchEnv(b, 0)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		// Every OU under the root, so the duplicate-name check sees all of them.
		if _, err := c.CreateOrganizationalUnit(ctx, &orgs.CreateOrganizationalUnitInput{ParentId: &root, Name: aws.String(fmt.Sprintf("ou%d", i))}); err != nil {
			b.Skipf("stopped after %d OUs: %v", i, err)
		}
	}
}
