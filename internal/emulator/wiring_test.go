package emulator_test

import (
	"context"
	mathrand "math/rand/v2"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/google/go-cmp/cmp"

	"github.com/bulkhead-dev/bulkhead/internal/emulator"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/emulatortest"
)

// TestDefaultServicesWiring checks what DefaultServices connects: a new
// account gets its organization access role from IAM, which STS assumes;
// injected CreateAccount failures reach Organizations.
func TestDefaultServicesWiring(t *testing.T) {
	env := emulatortest.Start(t, func(o *emulator.Options) { o.Organizations.CreateAccountDelay = -1 })
	ctx := context.Background()
	org := organizations.NewFromConfig(env.Config)
	if _, err := org.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll}); err != nil {
		t.Fatal(err)
	}
	create := func(name string) *orgtypes.CreateAccountStatus {
		t.Helper()
		out, err := org.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String(name), Email: aws.String("aws+" + name + "@example.com"), RoleName: aws.String("Admin")})
		if err != nil {
			t.Fatal(err)
		}
		st, err := org.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: out.CreateAccountStatus.Id})
		if err != nil {
			t.Fatal(err)
		}
		return st.CreateAccountStatus
	}
	st := create("dev")
	if st.State != orgtypes.CreateAccountStateSucceeded {
		t.Fatalf("CreateAccount: %s %s", st.State, st.FailureReason)
	}
	as, err := sts.NewFromConfig(env.Config).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + aws.ToString(st.AccountId) + ":role/Admin"), RoleSessionName: aws.String("wiring")})
	if err != nil {
		t.Fatalf("AssumeRole into the requested access role: %v", err)
	}
	member := env.ConfigFor(aws.ToString(as.Credentials.AccessKeyId), aws.ToString(as.Credentials.SecretAccessKey), aws.ToString(as.Credentials.SessionToken))
	if _, err := iam.NewFromConfig(member).GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("Admin")}); err != nil {
		t.Errorf("the access role is not in the member account: %v", err)
	}
	if n := env.Emulator.Calls("sts:AssumeRole"); n != 1 {
		t.Errorf("sts:AssumeRole calls = %d, want 1", n)
	}

	if err := env.Emulator.SetFaults(emulator.Faults{CreateAccountFailureRate: 1, CreateAccountFailureReason: "ACCOUNT_LIMIT_EXCEEDED"}); err != nil {
		t.Fatal(err)
	}
	if st := create("qa"); st.State != orgtypes.CreateAccountStateFailed || st.FailureReason != orgtypes.CreateAccountFailureReasonAccountLimitExceeded {
		t.Errorf("injected failure: %s %s", st.State, st.FailureReason)
	}
}

// TestAuthCacheSeesWrites: a key deactivated or deleted through IAM is
// refused on the very next request, although the front end caches
// verified credentials.
func TestAuthCacheSeesWrites(t *testing.T) {
	env := emulatortest.Start(t)
	ctx := context.Background()
	ic := iam.NewFromConfig(env.Config)
	if _, err := ic.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("ci")}); err != nil {
		t.Fatal(err)
	}
	k, err := ic.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("ci")})
	if err != nil {
		t.Fatal(err)
	}
	user := sts.NewFromConfig(env.ConfigFor(aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey), ""))
	call := func() error {
		_, err := user.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		return err
	}
	if err := call(); err != nil {
		t.Fatalf("new key: %v", err)
	}
	steps := []struct {
		change func() error
		want   string
	}{
		{func() error {
			_, err := ic.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("ci"), AccessKeyId: k.AccessKey.AccessKeyId, Status: "Inactive"})
			return err
		}, "InvalidClientTokenId"},
		{func() error {
			_, err := ic.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("ci"), AccessKeyId: k.AccessKey.AccessKeyId, Status: "Active"})
			return err
		}, ""},
		{func() error {
			_, err := ic.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("ci"), AccessKeyId: k.AccessKey.AccessKeyId})
			return err
		}, "InvalidClientTokenId"},
	}
	for i, s := range steps {
		if err := s.change(); err != nil {
			t.Fatal(err)
		}
		err := call()
		if s.want == "" {
			if err != nil {
				t.Errorf("step %d: %v", i, err)
			}
			continue
		}
		if code := apiCode(t, err); code != s.want {
			t.Errorf("step %d: %v, want %s", i, err, s.want)
		}
	}
}

// TestDeterministicIDs: the same Rand gives the same management account,
// keys and organization ids, for golden tests of later commands.
func TestDeterministicIDs(t *testing.T) {
	ids := func() []string {
		env := emulatortest.Start(t, func(o *emulator.Options) {
			o.Rand = mathrand.NewChaCha8([32]byte{1, 2, 3})
			o.Organizations.CreateAccountDelay = -1
		})
		out, err := organizations.NewFromConfig(env.Config).CreateOrganization(context.Background(), &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll})
		if err != nil {
			t.Fatal(err)
		}
		id, _ := env.Emulator.RootCredentials()
		return []string{env.AccountID, id, aws.ToString(out.Organization.Id)}
	}
	a, b := ids(), ids()
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("same seed, different ids (-first +second):\n%s", diff)
	}
}
