package authz_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/authz"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/emulatortest"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/service"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/store"
)

// Policy changes racing with requests that use them: whatever each
// request saw, once the writes are done the next request sees the last
// one (the cache never keeps facts older than a write). Run with -race.
func TestConcurrentPolicyChanges(t *testing.T) {
	e := emulatortest.Start(t)
	root := clientsFor(e.Config)
	must[*iam.CreateUserOutput](t)(root.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bob")}))
	k := must[*iam.CreateAccessKeyOutput](t)(root.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("bob")})).AccessKey
	bob := clientsFor(e.ConfigFor(aws.ToString(k.AccessKeyId), aws.ToString(k.SecretAccessKey), ""))
	put := func() error {
		_, err := root.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String("read"),
			PolicyDocument: aws.String(policyDoc(`{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}`))})
		return err
	}
	del := func() error {
		_, err := root.iam.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String("read")})
		return err
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				bob.iam.GetUser(ctx, &iam.GetUserInput{}) // allowed or denied, both fine mid-race
			}
		})
	}
	for i := range 20 {
		op := put
		if i%2 == 1 {
			op = del
		}
		if err := op(); err != nil {
			close(stop)
			wg.Wait()
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
	// The last write deleted the policy.
	if _, err := bob.iam.GetUser(ctx, &iam.GetUserInput{}); err == nil {
		t.Fatal("GetUser allowed after the policy was deleted")
	}
	if err := put(); err != nil {
		t.Fatal(err)
	}
	must[*iam.GetUserOutput](t)(bob.iam.GetUser(ctx, &iam.GetUserInput{}))
}

// TestSnapshotOlderThanAWrite replays, step by step, the interleaving
// TestConcurrentPolicyChanges can only hit by chance: a request's snapshot
// opens, another request deletes the caller's policy and commits, and only
// then does the first request authorize. Its facts (policy present) are
// right for its snapshot but must not be cached, or the next request would
// be allowed by a deleted policy.
func TestSnapshotOlderThanAWrite(t *testing.T) {
	e := emulatortest.Start(t)
	root := clientsFor(e.Config)
	user := must[*iam.CreateUserOutput](t)(root.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bob")})).User
	must[*iam.PutUserPolicyOutput](t)(root.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String("read"),
		PolicyDocument: aws.String(policyDoc(`{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}`))}))
	acct := e.Emulator.ManagementAccountID()
	bob := service.Identity{Account: acct, ARN: aws.ToString(user.Arn), Type: "User", Name: "bob", UserID: aws.ToString(user.UserId)}
	a := authz.New()
	authorize := func(ctx context.Context, tx store.Tx) error {
		r := &service.Request{Service: "iam", Action: "GetUser", Region: "us-east-1", Caller: bob, Now: time.Now(), Tx: tx}
		return a.Authorize(ctx, r, service.Authz{Resource: bob.ARN})
	}

	old := a.BeforeTx(ctx)
	err := e.Emulator.Read(old, func(tx store.Tx) error {
		if _, err := tx.Count(service.CredentialTable, ""); err != nil { // fixes the snapshot
			return err
		}
		a.BeginWrite()
		_, err := root.iam.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String("read")})
		a.EndWrite()
		if err != nil {
			return err
		}
		if err := authorize(old, tx); err != nil {
			t.Errorf("request whose snapshot predates the delete: %v, want allowed (its snapshot has the policy)", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = e.Emulator.Read(ctx, func(tx store.Tx) error { return authorize(a.BeforeTx(ctx), tx) })
	if err == nil {
		t.Fatal("request after the delete allowed: facts from an older snapshot were cached")
	}
}
