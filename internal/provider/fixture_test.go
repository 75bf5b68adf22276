package provider_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/bulkhead-dev/bulkhead/internal/emulator"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/emulatortest"
	"github.com/bulkhead-dev/bulkhead/internal/org"
	"github.com/bulkhead-dev/bulkhead/internal/provider"
)

// shape is an organization to build in the local AWS: Top units under
// the root, each with Children units; Accounts member accounts dealt
// round-robin over the root and the units (each with two tags and a
// kind); Policies SCPs, policy i attached to unit i and account i (mod
// their counts).
type shape struct {
	Top, Children, Accounts, Policies int
}

func (s shape) units() int { return s.Top * (1 + s.Children) }

// startLocal starts a local AWS where accounts are created at once and
// the account quota allows n.
func startLocal(tb testing.TB, n int) *emulatortest.Env {
	return emulatortest.Start(tb, func(o *emulator.Options) {
		o.Organizations.CreateAccountDelay = -1
		o.Organizations.MaxAccounts = n + 1
	})
}

// build creates the organization of s through the provider, 16 requests
// at a time.
func build(tb testing.TB, p provider.Provider, s shape) {
	tb.Helper()
	ctx := context.Background()
	must := func(err error) {
		if err != nil {
			tb.Fatalf("build %+v: %v", s, err)
		}
	}
	must(p.CreateOrganization(ctx))
	o, err := p.Read(ctx)
	must(err)
	must(p.EnablePolicyType(ctx, o.RootID, org.SCP))

	var (
		mu    sync.Mutex
		units []string // ids, in creation order
	)
	parallel := func(n int, f func(i int) error) {
		var wg sync.WaitGroup
		sem := make(chan struct{}, 16)
		errs := make(chan error, n)
		for i := range n {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				if err := f(i); err != nil {
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			must(err)
		}
	}
	top := make([]string, s.Top)
	parallel(s.Top, func(i int) error {
		id, err := p.CreateUnit(ctx, o.RootID, fmt.Sprintf("Unit%03d", i), nil)
		top[i] = id
		return err
	})
	units = append(units, top...)
	parallel(s.Top*s.Children, func(i int) error {
		id, err := p.CreateUnit(ctx, top[i/s.Children], fmt.Sprintf("Child%03d", i%s.Children), nil)
		mu.Lock()
		units = append(units, id)
		mu.Unlock()
		return err
	})
	accounts := make([]string, s.Accounts)
	parallel(s.Accounts, func(i int) error {
		name := fmt.Sprintf("acct%04d", i)
		car, err := p.CreateAccount(ctx, provider.CreateAccountInput{
			Name: name, Email: "aws+" + name + "@bulkhead.example",
			Tags: map[string]string{provider.TagKind: "development", "owner": "team" + fmt.Sprint(i%7), "cost-center": fmt.Sprint(i % 3)},
		})
		if err != nil {
			return err
		}
		st, err := p.DescribeCreateAccount(ctx, car)
		if err != nil {
			return err
		}
		if st.State != provider.CreateSucceeded {
			return fmt.Errorf("create %s: %+v", name, st)
		}
		accounts[i] = st.AccountID
		if c := i % (len(units) + 1); c > 0 {
			return p.MoveAccount(ctx, st.AccountID, o.RootID, units[c-1])
		}
		return nil
	})
	parallel(s.Policies, func(i int) error {
		id, err := p.CreatePolicy(ctx, &org.Policy{Name: fmt.Sprintf("policy%03d", i), Type: org.SCP,
			Content: fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:DeleteBucket","Resource":"arn:aws:s3:::b%d"}]}`, i)})
		if err != nil {
			return err
		}
		if len(units) > 0 {
			if err := p.AttachPolicy(ctx, id, units[i%len(units)]); err != nil {
				return err
			}
		}
		if len(accounts) > 0 {
			return p.AttachPolicy(ctx, id, accounts[i%len(accounts)])
		}
		return nil
	})
}
