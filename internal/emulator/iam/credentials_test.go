package iam_test

import (
	"encoding/base32"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	emuiam "github.com/bulkhead-dev/bulkhead/internal/emulator/iam"
)

// TestAccessKeys: keys created through IAM sign requests as their user; at
// most two per user; inactive and deleted keys stop working.
func TestAccessKeys(t *testing.T) {
	e := start(t)
	u := call(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice"), Path: aws.String("/dev/")})).must(t).User
	k := call(e.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("alice")})).must(t).AccessKey
	id := aws.ToString(k.AccessKeyId)
	if !strings.HasPrefix(id, "AKIA") || len(id) != 20 || len(aws.ToString(k.SecretAccessKey)) != 40 || k.Status != types.StatusTypeActive {
		t.Fatalf("CreateAccessKey = %s (secret %d chars) %s", id, len(aws.ToString(k.SecretAccessKey)), k.Status)
	}

	// What alice may do herself (the local AWS enforces IAM).
	call(e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("self"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:GetUser","iam:CreateAccessKey"],"Resource":"` + aws.ToString(u.Arn) + `"}]}`)})).must(t)
	aliceIAM, aliceSTS := e.as(id, aws.ToString(k.SecretAccessKey), "")
	who := call(aliceSTS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})).must(t)
	if aws.ToString(who.Arn) != aws.ToString(u.Arn) || aws.ToString(who.UserId) != aws.ToString(u.UserId) || aws.ToString(who.Account) != e.AccountID {
		t.Errorf("GetCallerIdentity as alice = %s %s %s", aws.ToString(who.Arn), aws.ToString(who.UserId), aws.ToString(who.Account))
	}
	// GetUser without a name is the caller.
	me := call(aliceIAM.GetUser(ctx, &iam.GetUserInput{})).must(t).User
	if aws.ToString(me.UserName) != "alice" {
		t.Errorf("GetUser() as alice = %s", aws.ToString(me.UserName))
	}
	root := call(e.iam.GetUser(ctx, &iam.GetUserInput{})).must(t).User
	if aws.ToString(root.Arn) != "arn:aws:iam::"+e.AccountID+":root" || aws.ToString(root.UserId) != e.AccountID {
		t.Errorf("GetUser() as root = %s %s", aws.ToString(root.Arn), aws.ToString(root.UserId))
	}
	// A user managing its own keys without naming itself.
	k2 := call(aliceIAM.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{})).must(t).AccessKey
	if aws.ToString(k2.UserName) != "alice" {
		t.Errorf("second key for %s", aws.ToString(k2.UserName))
	}
	_, err := e.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("alice")})
	wantErr(t, err, "LimitExceeded", 409)

	keys := call(e.iam.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("alice")})).must(t).AccessKeyMetadata
	if len(keys) != 2 {
		t.Fatalf("ListAccessKeys = %d keys", len(keys))
	}
	lu := call(e.iam.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: aws.String(id)})).must(t)
	if aws.ToString(lu.UserName) != "alice" || aws.ToString(lu.AccessKeyLastUsed.ServiceName) != "N/A" {
		t.Errorf("GetAccessKeyLastUsed = %+v", lu)
	}

	call(e.iam.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("alice"), AccessKeyId: aws.String(id), Status: types.StatusTypeInactive})).must(t)
	keys = call(e.iam.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("alice")})).must(t).AccessKeyMetadata
	for _, km := range keys {
		if aws.ToString(km.AccessKeyId) == id && km.Status != types.StatusTypeInactive {
			t.Errorf("status after UpdateAccessKey = %s", km.Status)
		}
	}
	if _, err := aliceSTS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err == nil {
		t.Error("an inactive key still signs requests")
	}

	_, err = e.iam.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("alice")})
	wantErr(t, err, "DeleteConflict", 409)
	call(e.iam.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("self")})).must(t)
	call(e.iam.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("alice"), AccessKeyId: aws.String(id)})).must(t)
	call(e.iam.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("alice"), AccessKeyId: k2.AccessKeyId})).must(t)
	_, err = e.iam.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("alice"), AccessKeyId: k2.AccessKeyId})
	wantErr(t, err, "NoSuchEntity", 404)
	call(e.iam.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("alice")})).must(t)
}

// TestRenamedUserKeepsKeys: UpdateUser renames the identity its keys sign as.
func TestRenamedUserKeepsKeys(t *testing.T) {
	e := start(t)
	call(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("old")})).must(t)
	k := call(e.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("old")})).must(t).AccessKey
	call(e.iam.UpdateUser(ctx, &iam.UpdateUserInput{UserName: aws.String("old"), NewUserName: aws.String("new"), NewPath: aws.String("/p/")})).must(t)
	_, s := e.as(aws.ToString(k.AccessKeyId), aws.ToString(k.SecretAccessKey), "")
	who := call(s.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})).must(t)
	if want := "arn:aws:iam::" + e.AccountID + ":user/p/new"; aws.ToString(who.Arn) != want {
		t.Errorf("caller after rename = %s, want %s", aws.ToString(who.Arn), want)
	}
}

// totp computes the code a virtual MFA device shows at t from the seed
// CreateVirtualMFADevice returned.
func totp[S ~string | ~[]byte](t *testing.T, seed S, at time.Time) string {
	t.Helper()
	code, err := emuiam.TOTP(string(seed), at)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

func TestVirtualMFA(t *testing.T) {
	e := start(t)
	call(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice")})).must(t)
	dev := call(e.iam.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("alice")})).must(t).VirtualMFADevice
	serial := aws.ToString(dev.SerialNumber)
	if serial != "arn:aws:iam::"+e.AccountID+":mfa/alice" {
		t.Errorf("SerialNumber = %s", serial)
	}
	if _, err := base32.StdEncoding.DecodeString(string(dev.Base32StringSeed)); err != nil || len(dev.Base32StringSeed) != 64 {
		t.Fatalf("Base32StringSeed %q (%d chars): %v", dev.Base32StringSeed, len(dev.Base32StringSeed), err)
	}
	_, err := e.iam.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("alice")})
	wantErr(t, err, "EntityAlreadyExists", 409)

	now := e.Clock.Now()
	c1, c2 := totp(t, dev.Base32StringSeed, now.Add(-30*time.Second)), totp(t, dev.Base32StringSeed, now)
	_, err = e.iam.EnableMFADevice(ctx, &iam.EnableMFADeviceInput{UserName: aws.String("alice"), SerialNumber: aws.String(serial), AuthenticationCode1: aws.String(c2), AuthenticationCode2: aws.String(c1)})
	wantErr(t, err, "InvalidAuthenticationCode", 403)
	_, err = e.iam.EnableMFADevice(ctx, &iam.EnableMFADeviceInput{UserName: aws.String("alice"), SerialNumber: aws.String(serial), AuthenticationCode1: aws.String("12345"), AuthenticationCode2: aws.String(c2)})
	wantErr(t, err, "ValidationError", 400)
	call(e.iam.EnableMFADevice(ctx, &iam.EnableMFADeviceInput{UserName: aws.String("alice"), SerialNumber: aws.String(serial), AuthenticationCode1: aws.String(c1), AuthenticationCode2: aws.String(c2)})).must(t)

	devs := call(e.iam.ListMFADevices(ctx, &iam.ListMFADevicesInput{UserName: aws.String("alice")})).must(t).MFADevices
	if len(devs) != 1 || aws.ToString(devs[0].SerialNumber) != serial || aws.ToString(devs[0].UserName) != "alice" {
		t.Errorf("ListMFADevices = %+v", devs)
	}
	assigned := call(e.iam.ListVirtualMFADevices(ctx, &iam.ListVirtualMFADevicesInput{AssignmentStatus: types.AssignmentStatusTypeAssigned})).must(t).VirtualMFADevices
	if len(assigned) != 1 || assigned[0].User == nil || aws.ToString(assigned[0].User.UserName) != "alice" || len(assigned[0].Base32StringSeed) != 0 {
		t.Errorf("ListVirtualMFADevices Assigned = %+v", assigned)
	}
	if un := call(e.iam.ListVirtualMFADevices(ctx, &iam.ListVirtualMFADevicesInput{AssignmentStatus: types.AssignmentStatusTypeUnassigned})).must(t).VirtualMFADevices; len(un) != 0 {
		t.Errorf("ListVirtualMFADevices Unassigned = %d", len(un))
	}

	// GetSessionToken with a fresh code marks the session as MFA'd; the
	// same code cannot be used twice.
	k := call(e.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("alice")})).must(t).AccessKey
	_, aliceSTS := e.as(aws.ToString(k.AccessKeyId), aws.ToString(k.SecretAccessKey), "")
	e.Clock.Advance(30 * time.Second)
	code := totp(t, dev.Base32StringSeed, e.Clock.Now())
	sess := call(aliceSTS.GetSessionToken(ctx, &sts.GetSessionTokenInput{SerialNumber: aws.String(serial), TokenCode: aws.String(code), DurationSeconds: aws.Int32(900)})).must(t).Credentials
	if !strings.HasPrefix(aws.ToString(sess.AccessKeyId), "ASIA") || !sess.Expiration.Equal(e.Clock.Now().Add(900*time.Second).Truncate(time.Second)) {
		t.Errorf("GetSessionToken credentials %s expire %v", aws.ToString(sess.AccessKeyId), sess.Expiration)
	}
	_, err = aliceSTS.GetSessionToken(ctx, &sts.GetSessionTokenInput{SerialNumber: aws.String(serial), TokenCode: aws.String(code)})
	wantErr(t, err, "AccessDenied", 403)
	_, err = aliceSTS.GetSessionToken(ctx, &sts.GetSessionTokenInput{SerialNumber: aws.String(serial)})
	wantErr(t, err, "AccessDenied", 403)

	_, err = e.iam.DeleteVirtualMFADevice(ctx, &iam.DeleteVirtualMFADeviceInput{SerialNumber: aws.String(serial)})
	wantErr(t, err, "DeleteConflict", 409)
	call(e.iam.DeactivateMFADevice(ctx, &iam.DeactivateMFADeviceInput{UserName: aws.String("alice"), SerialNumber: aws.String(serial)})).must(t)
	_, err = e.iam.DeactivateMFADevice(ctx, &iam.DeactivateMFADeviceInput{UserName: aws.String("alice"), SerialNumber: aws.String(serial)})
	wantErr(t, err, "NoSuchEntity", 404)
	call(e.iam.DeleteVirtualMFADevice(ctx, &iam.DeleteVirtualMFADeviceInput{SerialNumber: aws.String(serial)})).must(t)
	if all := call(e.iam.ListVirtualMFADevices(ctx, &iam.ListVirtualMFADevicesInput{})).must(t).VirtualMFADevices; len(all) != 0 {
		t.Errorf("devices after delete = %d", len(all))
	}
}
