package emulator_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"

	"github.com/bulkhead-dev/bulkhead/internal/emulator"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/emulatortest"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/service"
)

// fakeServices are minimal services exercising the front end alone: the
// JSON protocol (organizations), the Query protocol with lists, nested
// structures and maps (iam), and the caller identity (sts).
func fakeServices() []service.Spec {
	org := service.Spec{
		Name: "organizations", Protocol: service.JSON, TargetPrefix: "AWSOrganizationsV20161128",
		Operations: map[string]service.Operation{
			"DescribeOrganization": {Handler: func(ctx context.Context, r *service.Request) (any, error) {
				return map[string]any{"Organization": map[string]any{"Id": "o-abcdefghij", "MasterAccountId": r.Caller.Account}}, nil
			}},
			"DescribeAccount": {Handler: func(ctx context.Context, r *service.Request) (any, error) {
				var in struct{ AccountId string }
				if err := r.Decode(&in); err != nil {
					return nil, err
				}
				e := service.BadRequest("AccountNotFoundException", "You specified an account that doesn't exist: %s", in.AccountId)
				return nil, e
			}},
			"ListRoots": {Handler: func(ctx context.Context, r *service.Request) (any, error) {
				panic("boom")
			}},
			"CreateOrganizationalUnit": {Mutates: true, Handler: func(ctx context.Context, r *service.Request) (any, error) {
				var in struct {
					ParentId string
					Name     string
					Tags     []struct{ Key, Value string }
				}
				if err := r.Decode(&in); err != nil {
					return nil, err
				}
				if err := r.Tx.Put("test.ou", in.Name, in); err != nil {
					return nil, err
				}
				if in.Name == "rollback" {
					return nil, service.BadRequest("DuplicateOrganizationalUnitException", "rolled back")
				}
				return map[string]any{"OrganizationalUnit": map[string]any{"Id": "ou-abcd-12345678", "Name": in.Name, "Arn": "arn:aws:organizations::" + r.Caller.Account + ":ou/o-abcdefghij/ou-abcd-12345678"}}, nil
			}},
		},
	}
	type user struct {
		Path       string
		UserName   string
		UserId     string
		Arn        string
		CreateDate service.Time
	}
	type listUsersOut struct {
		Users       []user `xml:"Users>member"`
		IsTruncated bool
		Marker      string `xml:",omitempty"`
	}
	iamSpec := service.Spec{
		Name: "iam", Protocol: service.Query, APIVersion: "2010-05-08", XMLNamespace: "https://iam.amazonaws.com/doc/2010-05-08/",
		Operations: map[string]service.Operation{
			"CreateUser": {Mutates: true, Handler: func(ctx context.Context, r *service.Request) (any, error) {
				var in struct {
					UserName            string
					Path                *string
					PermissionsBoundary string
					Tags                []struct{ Key, Value string }
				}
				if err := r.Decode(&in); err != nil {
					return nil, err
				}
				tags := ""
				for _, t := range in.Tags {
					tags += t.Key + "=" + t.Value + ";"
				}
				return struct {
					User user
				}{user{Path: aws.ToString(in.Path), UserName: in.UserName, UserId: "AIDA" + tags, Arn: in.PermissionsBoundary, CreateDate: service.Time(r.Now)}}, nil
			}},
			"ListUsers": {Handler: func(ctx context.Context, r *service.Request) (any, error) {
				var in struct{ MaxItems int32 }
				if err := r.Decode(&in); err != nil {
					return nil, err
				}
				return listUsersOut{Users: []user{{Path: "/", UserName: "alice", UserId: "AIDAALICE", Arn: "arn:aws:iam::" + r.Caller.Account + ":user/alice", CreateDate: service.Time(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))}}, IsTruncated: in.MaxItems == 1}, nil
			}},
			"DeleteUser": {Mutates: true, Handler: func(ctx context.Context, r *service.Request) (any, error) {
				return nil, service.Errorf(http.StatusNotFound, "NoSuchEntity", "The user with name bob cannot be found.")
			}},
		},
	}
	stsSpec := service.Spec{
		Name: "sts", Protocol: service.Query, APIVersion: "2011-06-15", XMLNamespace: "https://sts.amazonaws.com/doc/2011-06-15/",
		Operations: map[string]service.Operation{
			"GetCallerIdentity": {Handler: func(ctx context.Context, r *service.Request) (any, error) {
				return struct{ UserId, Account, Arn string }{r.Caller.UserID, r.Caller.Account, r.Caller.ARN}, nil
			}},
		},
	}
	return []service.Spec{org, iamSpec, stsSpec}
}

func startFake(t *testing.T, opts ...func(*emulator.Options)) *emulatortest.Env {
	return emulatortest.Start(t, append([]func(*emulator.Options){func(o *emulator.Options) { o.Services = fakeServices() }}, opts...)...)
}

func apiCode(t *testing.T, err error) string {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want an AWS API error, got %v", err)
	}
	return ae.ErrorCode()
}

func TestQueryRoundTrip(t *testing.T) {
	env := startFake(t)
	ctx := context.Background()
	id, err := sts.NewFromConfig(env.Config).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{env.AccountID, "arn:aws:iam::" + env.AccountID + ":root", env.AccountID}
	if diff := cmp.Diff(want, []string{aws.ToString(id.Account), aws.ToString(id.Arn), aws.ToString(id.UserId)}); diff != "" {
		t.Errorf("GetCallerIdentity (-want +got):\n%s", diff)
	}

	c := iam.NewFromConfig(env.Config)
	out, err := c.CreateUser(ctx, &iam.CreateUserInput{
		UserName: aws.String("bob"), Path: aws.String("/eng/"), PermissionsBoundary: aws.String("arn:b"),
		Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("a b&c")}, {Key: aws.String("x"), Value: aws.String("")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := []string{aws.ToString(out.User.UserName), aws.ToString(out.User.Path), aws.ToString(out.User.UserId), aws.ToString(out.User.Arn), out.User.CreateDate.UTC().Format(time.RFC3339)}
	if diff := cmp.Diff([]string{"bob", "/eng/", "AIDAteam=a b&c;x=;", "arn:b", env.Clock.Now().UTC().Format(time.RFC3339)}, got); diff != "" {
		t.Errorf("CreateUser (-want +got):\n%s", diff)
	}
	lu, err := c.ListUsers(ctx, &iam.ListUsersInput{MaxItems: aws.Int32(1)})
	if err != nil {
		t.Fatal(err)
	}
	if len(lu.Users) != 1 || aws.ToString(lu.Users[0].UserName) != "alice" || !lu.IsTruncated || lu.Users[0].CreateDate.Year() != 2026 {
		t.Errorf("ListUsers = %+v", lu)
	}
	_, err = c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("bob")})
	var nse *iamtypes.NoSuchEntityException
	if !errors.As(err, &nse) {
		t.Errorf("DeleteUser: want NoSuchEntityException, got %v", err)
	}
	_, err = c.GetUser(ctx, &iam.GetUserInput{})
	if code := apiCode(t, err); code != "InvalidAction" {
		t.Errorf("unknown operation: code %s, want InvalidAction", code)
	}
}

func TestJSONRoundTrip(t *testing.T) {
	env := startFake(t)
	ctx := context.Background()
	c := organizations.NewFromConfig(env.Config)
	d, err := c.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(d.Organization.MasterAccountId) != env.AccountID {
		t.Errorf("MasterAccountId = %q, want %q", aws.ToString(d.Organization.MasterAccountId), env.AccountID)
	}
	_, err = c.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String("111111111111")})
	var anf *orgtypes.AccountNotFoundException
	if !errors.As(err, &anf) || !strings.Contains(anf.ErrorMessage(), "111111111111") {
		t.Errorf("DescribeAccount: %v, want a typed AccountNotFoundException with its message", err)
	}
	_, err = c.ListRoots(ctx, &organizations.ListRootsInput{})
	if code := apiCode(t, err); code != "InternalFailure" {
		t.Errorf("panicking handler: code %s, want InternalFailure", code)
	}
	_, err = c.ListAccounts(ctx, &organizations.ListAccountsInput{})
	if code := apiCode(t, err); code != "UnknownOperationException" {
		t.Errorf("unknown operation: code %s", code)
	}
	// An error rolls the transaction back; success commits it.
	if _, err := c.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String("r-abcd"), Name: aws.String("rollback")}); apiCode(t, err) != "DuplicateOrganizationalUnitException" {
		t.Fatalf("CreateOrganizationalUnit: %v", err)
	}
	if _, err := c.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String("r-abcd"), Name: aws.String("kept")}); err != nil {
		t.Fatal(err)
	}
	var names []string
	_ = env.Emulator.Read(ctx, func(tx storeTx) error {
		return tx.Scan("test.ou", "", "", func(k string, _ storeDoc) (bool, error) {
			names = append(names, k)
			return true, nil
		})
	})
	if diff := cmp.Diff([]string{"kept"}, names); diff != "" {
		t.Errorf("committed OUs (-want +got):\n%s", diff)
	}
	if n := env.Emulator.Calls("organizations:CreateOrganizationalUnit"); n != 2 {
		t.Errorf("CreateOrganizationalUnit calls = %d, want 2", n)
	}
}

func TestAuthFailures(t *testing.T) {
	env := startFake(t)
	ctx := context.Background()
	id, secret := env.Emulator.RootCredentials()
	tests := []struct {
		name            string
		cfg             aws.Config
		wantJSON, wantQ string
	}{
		{"wrong secret", env.ConfigFor(id, secret+"x", ""), "InvalidSignatureException", "SignatureDoesNotMatch"},
		{"unknown key", env.ConfigFor("AKIAUNKNOWNUNKNOWN00", secret, ""), "UnrecognizedClientException", "InvalidClientTokenId"},
		{"token on a long-term key", env.ConfigFor(id, secret, "token"), "UnrecognizedClientException", "InvalidClientTokenId"},
		{"anonymous", func() aws.Config { c := env.Config.Copy(); c.Credentials = aws.AnonymousCredentials{}; return c }(), "MissingAuthenticationTokenException", "MissingAuthenticationToken"},
		{"signed 20 minutes ago", func() aws.Config {
			c := env.Config.Copy()
			return c
		}(), "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.wantJSON == "" {
				skewed := func(o *organizations.Options) {
					o.HTTPSignerV4 = skewSigner{v4.NewSigner(), -20 * time.Minute}
				}
				_, err := organizations.NewFromConfig(tt.cfg, skewed).DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
				if code := apiCode(t, err); code != "InvalidSignatureException" || !strings.Contains(err.Error(), "Signature expired") {
					t.Errorf("JSON: %v", err)
				}
				_, err = sts.NewFromConfig(tt.cfg, func(o *sts.Options) { o.HTTPSignerV4 = skewSigner{v4.NewSigner(), 20 * time.Minute} }).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
				if code := apiCode(t, err); code != "RequestExpired" {
					t.Errorf("Query: %v", err)
				}
				return
			}
			_, err := organizations.NewFromConfig(tt.cfg).DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
			if code := apiCode(t, err); code != tt.wantJSON {
				t.Errorf("JSON: code %s, want %s (%v)", code, tt.wantJSON, err)
			}
			_, err = sts.NewFromConfig(tt.cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			if code := apiCode(t, err); code != tt.wantQ {
				t.Errorf("Query: code %s, want %s (%v)", code, tt.wantQ, err)
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error leaks the secret: %v", err)
			}
		})
	}
}

// skewSigner signs as if the client's clock were off by d.
type skewSigner struct {
	s *v4.Signer
	d time.Duration
}

func (s skewSigner) SignHTTP(ctx context.Context, creds aws.Credentials, r *http.Request, payloadHash, service, region string, t time.Time, optFns ...func(*v4.SignerOptions)) error {
	return s.s.SignHTTP(ctx, creds, r, payloadHash, service, region, t.Add(s.d), optFns...)
}
