package authz_test

import (
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/emulatortest"
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
