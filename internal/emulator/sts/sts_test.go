package sts_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/emulatortest"
)

// These tests drive the emulated STS through aws-sdk-go-v2 against an
// in-process local AWS.

var ctx = context.Background()

type env struct {
	*emulatortest.Env
	iam *iam.Client
	sts *sts.Client
}

func start(t *testing.T) *env {
	t.Helper()
	e := emulatortest.Start(t)
	return &env{Env: e, iam: iam.NewFromConfig(e.Config), sts: sts.NewFromConfig(e.Config)}
}

type result[T any] struct {
	v   T
	err error
}

func call[T any](v T, err error) result[T] { return result[T]{v, err} }

func (r result[T]) must(t *testing.T) T {
	t.Helper()
	if r.err != nil {
		t.Fatal(r.err)
	}
	return r.v
}

func wantErr(t *testing.T, err error, code string, status int, message string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s", code)
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != code {
		t.Fatalf("got %v, want error code %s", err, code)
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) && re.HTTPStatusCode() != status {
		t.Fatalf("got HTTP %d, want %d", re.HTTPStatusCode(), status)
	}
	if message != "" && ae.ErrorMessage() != message {
		t.Fatalf("message:\n got %q\nwant %q", ae.ErrorMessage(), message)
	}
}

// principal is an IAM user with keys and clients signing as it.
type principal struct {
	arn string
	iam *iam.Client
	sts *sts.Client
}

func (e *env) user(t *testing.T, name string) principal {
	t.Helper()
	u := call(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)})).must(t).User
	k := call(e.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)})).must(t).AccessKey
	cfg := e.ConfigFor(aws.ToString(k.AccessKeyId), aws.ToString(k.SecretAccessKey), "")
	return principal{arn: aws.ToString(u.Arn), iam: iam.NewFromConfig(cfg), sts: sts.NewFromConfig(cfg)}
}

func (e *env) session(c *types.Credentials) principal {
	cfg := e.ConfigFor(aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken))
	return principal{iam: iam.NewFromConfig(cfg), sts: sts.NewFromConfig(cfg)}
}

func (e *env) role(t *testing.T, c *iam.Client, name, trust string, maxSession int32) string {
	t.Helper()
	in := &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)}
	if maxSession != 0 {
		in.MaxSessionDuration = aws.Int32(maxSession)
	}
	return aws.ToString(call(c.CreateRole(ctx, in)).must(t).Role.Arn)
}

func trust(principal string, actions []string, condition string) string {
	a := `"` + strings.Join(actions, `","`) + `"`
	s := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":` + principal + `,"Action":[` + a + `]`
	if condition != "" {
		s += `,"Condition":` + condition
	}
	return s + `}]}`
}

func aws_(arn string) string { return `{"AWS":"` + arn + `"}` }

const allowAll = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`

func denied(caller, action, role string) string {
	return "User: " + caller + " is not authorized to perform: " + action + " on resource: " + role
}

func TestGetCallerIdentityRoot(t *testing.T) {
	e := start(t)
	who := call(e.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})).must(t)
	if aws.ToString(who.Account) != e.AccountID || aws.ToString(who.Arn) != "arn:aws:iam::"+e.AccountID+":root" || aws.ToString(who.UserId) != e.AccountID {
		t.Errorf("root identity = %s %s %s", aws.ToString(who.Account), aws.ToString(who.Arn), aws.ToString(who.UserId))
	}
}

// TestAssumeRoleTrust: the trust policy decides who may assume a role
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use.html).
func TestAssumeRoleTrust(t *testing.T) {
	e := start(t)
	alice := e.user(t, "alice")
	bob := e.user(t, "bob")
	direct := e.role(t, e.iam, "direct", trust(aws_(alice.arn), []string{"sts:AssumeRole"}, ""), 0)
	account := e.role(t, e.iam, "account", trust(aws_("arn:aws:iam::"+e.AccountID+":root"), []string{"sts:AssumeRole"}, ""), 0)
	service := e.role(t, e.iam, "lambda", trust(`{"Service":"lambda.amazonaws.com"}`, []string{"sts:AssumeRole"}, ""), 0)

	// Named directly: no identity policy needed in the same account.
	out := call(alice.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(direct), RoleSessionName: aws.String("alice@dev")})).must(t)
	if want := "arn:aws:sts::" + e.AccountID + ":assumed-role/direct/alice@dev"; aws.ToString(out.AssumedRoleUser.Arn) != want {
		t.Errorf("AssumedRoleUser.Arn = %s, want %s", aws.ToString(out.AssumedRoleUser.Arn), want)
	}
	id := aws.ToString(out.AssumedRoleUser.AssumedRoleId)
	if !strings.HasPrefix(id, "AROA") || !strings.HasSuffix(id, ":alice@dev") {
		t.Errorf("AssumedRoleId = %s", id)
	}
	c := out.Credentials
	if !strings.HasPrefix(aws.ToString(c.AccessKeyId), "ASIA") || aws.ToString(c.SessionToken) == "" ||
		!c.Expiration.Equal(e.Clock.Now().Add(time.Hour).Truncate(time.Second)) {
		t.Errorf("credentials %s expire %v (now %v)", aws.ToString(c.AccessKeyId), c.Expiration, e.Clock.Now())
	}
	if out.PackedPolicySize != nil {
		t.Errorf("PackedPolicySize = %d without session policies or tags", aws.ToInt32(out.PackedPolicySize))
	}
	who := call(e.session(c).sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})).must(t)
	if aws.ToString(who.Arn) != aws.ToString(out.AssumedRoleUser.Arn) || aws.ToString(who.UserId) != id {
		t.Errorf("session identity = %s %s", aws.ToString(who.Arn), aws.ToString(who.UserId))
	}

	_, err := bob.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(direct), RoleSessionName: aws.String("bob")})
	wantErr(t, err, "AccessDenied", 403, denied(bob.arn, "sts:AssumeRole", direct))

	// Trusting the account delegates to the account's own policies.
	_, err = alice.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(account), RoleSessionName: aws.String("sess")})
	wantErr(t, err, "AccessDenied", 403, denied(alice.arn, "sts:AssumeRole", account))
	call(e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("assume"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"` + account + `"}]}`)})).must(t)
	call(alice.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(account), RoleSessionName: aws.String("sess")})).must(t)
	// ... and an explicit deny wins even over a direct trust.
	call(e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("deny"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"sts:AssumeRole","Resource":"` + direct + `"}]}`)})).must(t)
	_, err = alice.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(direct), RoleSessionName: aws.String("sess")})
	wantErr(t, err, "AccessDenied", 403, denied(alice.arn, "sts:AssumeRole", direct))

	// Service principals are not IAM callers.
	_, err = e.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(service), RoleSessionName: aws.String("sess")})
	wantErr(t, err, "AccessDenied", 403, denied("arn:aws:iam::"+e.AccountID+":root", "sts:AssumeRole", service))
	// A role that does not exist is refused the same way.
	missing := "arn:aws:iam::" + e.AccountID + ":role/nope"
	_, err = alice.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(missing), RoleSessionName: aws.String("sess")})
	wantErr(t, err, "AccessDenied", 403, denied(alice.arn, "sts:AssumeRole", missing))

	for _, tc := range []struct {
		name string
		in   sts.AssumeRoleInput
	}{
		{"short session name", sts.AssumeRoleInput{RoleArn: aws.String(direct), RoleSessionName: aws.String("a")}},
		{"bad session name", sts.AssumeRoleInput{RoleArn: aws.String(direct), RoleSessionName: aws.String("has space")}},
		{"duration too short", sts.AssumeRoleInput{RoleArn: aws.String(direct), RoleSessionName: aws.String("ok"), DurationSeconds: aws.Int32(899)}},
		{"external id too short", sts.AssumeRoleInput{RoleArn: aws.String(direct), RoleSessionName: aws.String("ok"), ExternalId: aws.String("x")}},
		{"reserved source identity", sts.AssumeRoleInput{RoleArn: aws.String(direct), RoleSessionName: aws.String("ok"), SourceIdentity: aws.String("aws:me")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := alice.sts.AssumeRole(ctx, &tc.in)
			wantErr(t, err, "ValidationError", 400, "")
		})
	}
}

// TestAssumeRoleDurations: DurationSeconds up to the role's
// MaxSessionDuration, and one hour at most for role chaining
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html#iam-term-role-chaining).
func TestAssumeRoleDurations(t *testing.T) {
	e := start(t)
	rootTrust := trust(aws_("arn:aws:iam::"+e.AccountID+":root"), []string{"sts:AssumeRole"}, "")
	first := e.role(t, e.iam, "first", rootTrust, 43200)
	second := e.role(t, e.iam, "second", rootTrust, 43200)
	short := e.role(t, e.iam, "short", rootTrust, 0)
	call(e.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("first"), PolicyName: aws.String("all"), PolicyDocument: aws.String(allowAll)})).must(t)

	_, err := e.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(short), RoleSessionName: aws.String("sess"), DurationSeconds: aws.Int32(7200)})
	wantErr(t, err, "ValidationError", 400, "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")

	out := call(e.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(first), RoleSessionName: aws.String("sess"), DurationSeconds: aws.Int32(43200)})).must(t)
	if !out.Credentials.Expiration.Equal(e.Clock.Now().Add(12 * time.Hour).Truncate(time.Second)) {
		t.Errorf("12-hour session expires %v", out.Credentials.Expiration)
	}
	sess := e.session(out.Credentials)
	_, err = sess.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(second), RoleSessionName: aws.String("chained"), DurationSeconds: aws.Int32(3601)})
	wantErr(t, err, "ValidationError", 400, "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
	chained := call(sess.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(second), RoleSessionName: aws.String("chained"), DurationSeconds: aws.Int32(3600)})).must(t)
	who := call(e.session(chained.Credentials).sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})).must(t)
	if !strings.HasSuffix(aws.ToString(who.Arn), ":assumed-role/second/chained") {
		t.Errorf("chained identity = %s", aws.ToString(who.Arn))
	}

	// Session credentials stop working when they expire.
	e.Clock.Advance(3601 * time.Second)
	if _, err := e.session(chained.Credentials).sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err == nil {
		t.Error("an expired session still signs requests")
	}
	call(sess.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})).must(t)

	// Role sessions cannot call GetSessionToken.
	_, err = sess.sts.GetSessionToken(ctx, &sts.GetSessionTokenInput{})
	wantErr(t, err, "AccessDenied", 403, "Cannot call GetSessionToken with session credentials")
}

// TestExternalID: a trust policy conditioned on sts:ExternalId
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-user_externalid.html).
func TestExternalID(t *testing.T) {
	e := start(t)
	alice := e.user(t, "alice")
	role := e.role(t, e.iam, "vendor", trust(aws_(alice.arn), []string{"sts:AssumeRole"}, `{"StringEquals":{"sts:ExternalId":"s3cr3t-42"}}`), 0)
	for _, ext := range []*string{nil, aws.String("wrong-id")} {
		_, err := alice.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String("sess"), ExternalId: ext})
		wantErr(t, err, "AccessDenied", 403, denied(alice.arn, "sts:AssumeRole", role))
	}
	call(alice.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String("sess"), ExternalId: aws.String("s3cr3t-42")})).must(t)
}

// TestSourceIdentity: setting it needs sts:SetSourceIdentity in the trust
// policy, and once set it cannot change along a chain
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_monitor.html).
func TestSourceIdentity(t *testing.T) {
	e := start(t)
	alice := e.user(t, "alice")
	plain := e.role(t, e.iam, "plain", trust(aws_(alice.arn), []string{"sts:AssumeRole"}, ""), 0)
	withSI := e.role(t, e.iam, "with-si", trust(aws_(alice.arn), []string{"sts:AssumeRole", "sts:SetSourceIdentity"}, `{"StringEquals":{"sts:SourceIdentity":"alice"}}`), 0)
	next := e.role(t, e.iam, "next", trust(aws_("arn:aws:iam::"+e.AccountID+":role/with-si"), []string{"sts:AssumeRole", "sts:SetSourceIdentity"}, ""), 0)

	_, err := alice.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(plain), RoleSessionName: aws.String("sess"), SourceIdentity: aws.String("alice")})
	wantErr(t, err, "AccessDenied", 403, denied(alice.arn, "sts:SetSourceIdentity", plain))
	_, err = alice.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(withSI), RoleSessionName: aws.String("sess"), SourceIdentity: aws.String("mallory")})
	wantErr(t, err, "AccessDenied", 403, "")
	out := call(alice.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(withSI), RoleSessionName: aws.String("sess"), SourceIdentity: aws.String("alice")})).must(t)
	if aws.ToString(out.SourceIdentity) != "alice" {
		t.Errorf("SourceIdentity = %q", aws.ToString(out.SourceIdentity))
	}
	sess := e.session(out.Credentials)
	_, err = sess.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(next), RoleSessionName: aws.String("s2"), SourceIdentity: aws.String("bob")})
	wantErr(t, err, "AccessDenied", 403, "")
	// Inherited without asking.
	chained := call(sess.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(next), RoleSessionName: aws.String("s2")})).must(t)
	if aws.ToString(chained.SourceIdentity) != "alice" {
		t.Errorf("chained SourceIdentity = %q", aws.ToString(chained.SourceIdentity))
	}
}

// TestMFACondition: a role requiring aws:MultiFactorAuthPresent is assumed
// with a TOTP code, on AssumeRole or through GetSessionToken.
func TestMFACondition(t *testing.T) {
	e := start(t)
	alice := e.user(t, "alice")
	role := e.role(t, e.iam, "admin", trust(aws_(alice.arn), []string{"sts:AssumeRole"}, `{"Bool":{"aws:MultiFactorAuthPresent":"true"}}`), 0)
	dev := call(e.iam.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("alice")})).must(t).VirtualMFADevice
	serial := aws.ToString(dev.SerialNumber)
	code := func() string { return totp(t, string(dev.Base32StringSeed), e.Clock.Now()) }
	c1 := totp(t, string(dev.Base32StringSeed), e.Clock.Now().Add(-30*time.Second))
	call(e.iam.EnableMFADevice(ctx, &iam.EnableMFADeviceInput{UserName: aws.String("alice"), SerialNumber: aws.String(serial), AuthenticationCode1: aws.String(c1), AuthenticationCode2: aws.String(code())})).must(t)

	_, err := alice.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String("sess")})
	wantErr(t, err, "AccessDenied", 403, denied(alice.arn, "sts:AssumeRole", role))
	e.Clock.Advance(30 * time.Second)
	_, err = alice.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String("sess"), SerialNumber: aws.String(serial), TokenCode: aws.String("000000")})
	wantErr(t, err, "AccessDenied", 403, "")
	call(alice.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String("sess"), SerialNumber: aws.String(serial), TokenCode: aws.String(code())})).must(t)

	// An MFA session from GetSessionToken carries MFA into AssumeRole.
	e.Clock.Advance(30 * time.Second)
	tok := call(alice.sts.GetSessionToken(ctx, &sts.GetSessionTokenInput{SerialNumber: aws.String(serial), TokenCode: aws.String(code())})).must(t)
	if !tok.Credentials.Expiration.Equal(e.Clock.Now().Add(12 * time.Hour).Truncate(time.Second)) {
		t.Errorf("GetSessionToken default duration: expires %v", tok.Credentials.Expiration)
	}
	mfaSess := e.session(tok.Credentials)
	who := call(mfaSess.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})).must(t)
	if aws.ToString(who.Arn) != alice.arn {
		t.Errorf("GetSessionToken identity = %s, want the user", aws.ToString(who.Arn))
	}
	call(mfaSess.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String("sess")})).must(t)
	// AssumeRole with GetSessionToken credentials is role chaining too:
	// one hour at most, even for a role allowing twelve.
	call(e.iam.UpdateRole(ctx, &iam.UpdateRoleInput{RoleName: aws.String("admin"), MaxSessionDuration: aws.Int32(43200)})).must(t)
	_, err = mfaSess.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String("sess"), DurationSeconds: aws.Int32(7200)})
	wantErr(t, err, "ValidationError", 400, "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
	call(alice.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String("sess"), DurationSeconds: aws.Int32(7200),
		SerialNumber: aws.String(serial), TokenCode: aws.String(totp(t, string(dev.Base32StringSeed), e.Clock.Now().Add(30*time.Second)))})).must(t)
	_, err = mfaSess.sts.GetSessionToken(ctx, &sts.GetSessionTokenInput{})
	wantErr(t, err, "AccessDenied", 403, "Cannot call GetSessionToken with session credentials")
}

// TestSessionPoliciesAndTags covers Policy, PolicyArns, Tags and
// TransitiveTagKeys (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html).
func TestSessionPoliciesAndTags(t *testing.T) {
	e := start(t)
	rootARN := "arn:aws:iam::" + e.AccountID + ":root"
	first := e.role(t, e.iam, "first", trust(aws_(rootARN), []string{"sts:AssumeRole", "sts:TagSession"}, ""), 0)
	noTags := e.role(t, e.iam, "no-tags", trust(aws_(rootARN), []string{"sts:AssumeRole"}, ""), 0)
	second := e.role(t, e.iam, "second", trust(aws_(rootARN), []string{"sts:AssumeRole", "sts:TagSession"}, ""), 0)
	call(e.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("first"), PolicyName: aws.String("all"), PolicyDocument: aws.String(allowAll)})).must(t)

	_, err := e.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(first), RoleSessionName: aws.String("sess"), Policy: aws.String(`{"Statement":"nope"}`)})
	wantErr(t, err, "MalformedPolicyDocument", 400, "")
	tags := []types.Tag{{Key: aws.String("team"), Value: aws.String("platform")}, {Key: aws.String("cost"), Value: aws.String("42")}}
	_, err = e.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(noTags), RoleSessionName: aws.String("sess"), Tags: tags})
	wantErr(t, err, "AccessDenied", 403, denied(rootARN, "sts:TagSession", noTags))
	_, err = e.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(first), RoleSessionName: aws.String("sess"), Tags: tags, TransitiveTagKeys: []string{"missing"}})
	wantErr(t, err, "InvalidParameterValue", 400, "")

	out := call(e.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(first), RoleSessionName: aws.String("sess"),
		Policy:     aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:*","sts:AssumeRole","sts:TagSession"],"Resource":"*"}]}`),
		PolicyArns: []types.PolicyDescriptorType{{Arn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")}},
		Tags:       tags, TransitiveTagKeys: []string{"team"}})).must(t)
	if n := aws.ToInt32(out.PackedPolicySize); n <= 0 || n > 100 {
		t.Errorf("PackedPolicySize = %d", n)
	}
	sess := e.session(out.Credentials)
	// A transitive tag cannot be overridden down the chain.
	_, err = sess.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(second), RoleSessionName: aws.String("s2"),
		Tags: []types.Tag{{Key: aws.String("TEAM"), Value: aws.String("other")}}})
	wantErr(t, err, "InvalidParameterValue", 400, "")
	call(sess.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(second), RoleSessionName: aws.String("s2")})).must(t)
	// The inherited transitive tag needs sts:TagSession on the next role.
	_, err = sess.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(noTags), RoleSessionName: aws.String("s2")})
	wantErr(t, err, "AccessDenied", 403, "")

	// A session policy limits the session: this one allows only IAM, so
	// the session cannot chain on even though its role allows everything.
	narrow := call(e.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(first), RoleSessionName: aws.String("narrow"),
		Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*"}]}`)})).must(t)
	narrowSess := e.session(narrow.Credentials)
	_, err = narrowSess.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(second), RoleSessionName: aws.String("s3")})
	wantErr(t, err, "AccessDenied", 403, denied("arn:aws:sts::"+e.AccountID+":assumed-role/first/narrow", "sts:AssumeRole", second))

	var many []types.Tag
	for i := range 50 {
		many = append(many, types.Tag{Key: aws.String(fmt.Sprintf("key-%02d-%s", i, strings.Repeat("k", 100))), Value: aws.String(strings.Repeat("v", 200))})
	}
	_, err = e.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(first), RoleSessionName: aws.String("sess"), Tags: many})
	wantErr(t, err, "PackedPolicyTooLarge", 400, "")
}

// TestCrossAccountAssumeRole: a role in another account needs both its
// trust policy and the caller's own policies
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html).
func TestCrossAccountAssumeRole(t *testing.T) {
	e := start(t)
	member := memberAccount(t, e, "prod")
	access := "arn:aws:iam::" + member + ":role/OrganizationAccountAccessRole"
	alice := e.user(t, "alice")
	_, err := alice.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(access), RoleSessionName: aws.String("sess")})
	wantErr(t, err, "AccessDenied", 403, denied(alice.arn, "sts:AssumeRole", access))
	call(e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("assume"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::*:role/OrganizationAccountAccessRole"}]}`)})).must(t)
	out := call(alice.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(access), RoleSessionName: aws.String("alice")})).must(t)
	who := call(e.session(out.Credentials).sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})).must(t)
	if aws.ToString(who.Account) != member {
		t.Errorf("session account = %s, want %s", aws.ToString(who.Account), member)
	}
	// A member role trusting only itself refuses the management account.
	memberIAM := e.session(out.Credentials).iam
	own := e.role(t, memberIAM, "own", trust(aws_("arn:aws:iam::"+member+":root"), []string{"sts:AssumeRole"}, ""), 0)
	_, err = alice.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(own), RoleSessionName: aws.String("sess")})
	wantErr(t, err, "AccessDenied", 403, denied(alice.arn, "sts:AssumeRole", own))
}
