package iam_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

func TestEmptyCredentialLists(t *testing.T) {
	e := start(t)
	call(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("u")})).must(t)
	if c := call(e.iam.ListSigningCertificates(ctx, &iam.ListSigningCertificatesInput{UserName: aws.String("u")})).must(t); len(c.Certificates) != 0 || c.IsTruncated {
		t.Errorf("ListSigningCertificates = %+v", c)
	}
	if k := call(e.iam.ListSSHPublicKeys(ctx, &iam.ListSSHPublicKeysInput{UserName: aws.String("u")})).must(t); len(k.SSHPublicKeys) != 0 {
		t.Errorf("ListSSHPublicKeys = %+v", k)
	}
	if c := call(e.iam.ListServiceSpecificCredentials(ctx, &iam.ListServiceSpecificCredentialsInput{UserName: aws.String("u")})).must(t); len(c.ServiceSpecificCredentials) != 0 {
		t.Errorf("ListServiceSpecificCredentials = %+v", c)
	}
	_, err := e.iam.ListSSHPublicKeys(ctx, &iam.ListSSHPublicKeysInput{UserName: aws.String("nobody")})
	wantErr(t, err, "NoSuchEntity", 404)
}

func TestMFADeviceTagsAndGet(t *testing.T) {
	e := start(t)
	call(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("u")})).must(t)
	dev := call(e.iam.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("u")})).must(t).VirtualMFADevice
	serial := dev.SerialNumber
	_, err := e.iam.GetMFADevice(ctx, &iam.GetMFADeviceInput{SerialNumber: serial})
	wantErr(t, err, "NoSuchEntity", 404)
	now := e.Clock.Now()
	call(e.iam.EnableMFADevice(ctx, &iam.EnableMFADeviceInput{UserName: aws.String("u"), SerialNumber: serial,
		AuthenticationCode1: aws.String(totp(t, dev.Base32StringSeed, now.Add(-30*time.Second))), AuthenticationCode2: aws.String(totp(t, dev.Base32StringSeed, now))})).must(t)
	got := call(e.iam.GetMFADevice(ctx, &iam.GetMFADeviceInput{SerialNumber: serial})).must(t)
	if aws.ToString(got.UserName) != "u" || got.EnableDate == nil {
		t.Errorf("GetMFADevice = %+v", got)
	}
	call(e.iam.TagMFADevice(ctx, &iam.TagMFADeviceInput{SerialNumber: serial, Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}, {Key: aws.String("x"), Value: aws.String("y")}}})).must(t)
	call(e.iam.UntagMFADevice(ctx, &iam.UntagMFADeviceInput{SerialNumber: serial, TagKeys: []string{"x"}})).must(t)
	tags := call(e.iam.ListMFADeviceTags(ctx, &iam.ListMFADeviceTagsInput{SerialNumber: serial})).must(t).Tags
	if m := tagMap(tags); len(m) != 1 || m["k"] != "v" {
		t.Errorf("MFA tags = %v", m)
	}
}

func TestChangePassword(t *testing.T) {
	e := start(t)
	call(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("u")})).must(t)
	call(e.iam.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("u"), Password: aws.String("First-passw0rd")})).must(t)
	k := call(e.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("u")})).must(t).AccessKey
	call(e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("u"), PolicyName: aws.String("self"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ChangePassword","Resource":"arn:aws:iam::` + e.AccountID + `:user/u"}]}`)})).must(t)
	self, _ := e.as(aws.ToString(k.AccessKeyId), aws.ToString(k.SecretAccessKey), "")
	_, err := self.ChangePassword(ctx, &iam.ChangePasswordInput{OldPassword: aws.String("wrong"), NewPassword: aws.String("Second-passw0rd")})
	wantErr(t, err, "AccessDenied", 403)
	_, err = self.ChangePassword(ctx, &iam.ChangePasswordInput{OldPassword: aws.String("First-passw0rd"), NewPassword: aws.String("short")})
	wantErr(t, err, "PasswordPolicyViolation", 400)
	call(self.ChangePassword(ctx, &iam.ChangePasswordInput{OldPassword: aws.String("First-passw0rd"), NewPassword: aws.String("Second-passw0rd")})).must(t)
	call(self.ChangePassword(ctx, &iam.ChangePasswordInput{OldPassword: aws.String("Second-passw0rd"), NewPassword: aws.String("Third-passw0rd")})).must(t)
	_, err = e.iam.ChangePassword(ctx, &iam.ChangePasswordInput{OldPassword: aws.String("x"), NewPassword: aws.String("Third-passw0rd")})
	wantErr(t, err, "InvalidUserType", 400)
}

func TestGetAccessKeyInfo(t *testing.T) {
	e := start(t)
	call(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("u")})).must(t)
	k := call(e.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("u")})).must(t).AccessKey
	info := call(e.sts.GetAccessKeyInfo(ctx, &sts.GetAccessKeyInfoInput{AccessKeyId: k.AccessKeyId})).must(t)
	if aws.ToString(info.Account) != e.AccountID {
		t.Errorf("GetAccessKeyInfo = %s, want %s", aws.ToString(info.Account), e.AccountID)
	}
	_, err := e.sts.GetAccessKeyInfo(ctx, &sts.GetAccessKeyInfoInput{AccessKeyId: aws.String("AKIAIOSFODNN7EXAMPLE")})
	wantErr(t, err, "InvalidParameterValue", 400)
}

func TestResyncMFADevice(t *testing.T) {
	e := start(t)
	call(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("u")})).must(t)
	dev := call(e.iam.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("u")})).must(t).VirtualMFADevice
	now := e.Clock.Now()
	call(e.iam.EnableMFADevice(ctx, &iam.EnableMFADeviceInput{UserName: aws.String("u"), SerialNumber: dev.SerialNumber,
		AuthenticationCode1: aws.String(totp(t, dev.Base32StringSeed, now.Add(-30*time.Second))), AuthenticationCode2: aws.String(totp(t, dev.Base32StringSeed, now))})).must(t)
	// The device's clock runs 20 minutes fast.
	fast := now.Add(20 * time.Minute)
	call(e.iam.ResyncMFADevice(ctx, &iam.ResyncMFADeviceInput{UserName: aws.String("u"), SerialNumber: dev.SerialNumber,
		AuthenticationCode1: aws.String(totp(t, dev.Base32StringSeed, fast)), AuthenticationCode2: aws.String(totp(t, dev.Base32StringSeed, fast.Add(30*time.Second)))})).must(t)
	_, err := e.iam.ResyncMFADevice(ctx, &iam.ResyncMFADeviceInput{UserName: aws.String("u"), SerialNumber: dev.SerialNumber,
		AuthenticationCode1: aws.String(totp(t, dev.Base32StringSeed, now.Add(3*time.Hour))), AuthenticationCode2: aws.String(totp(t, dev.Base32StringSeed, now.Add(3*time.Hour+30*time.Second)))})
	wantErr(t, err, "InvalidAuthenticationCode", 403)
}

func TestSecurityTokenServicePreferences(t *testing.T) {
	e := start(t)
	call(e.iam.SetSecurityTokenServicePreferences(ctx, &iam.SetSecurityTokenServicePreferencesInput{GlobalEndpointTokenVersion: types.GlobalEndpointTokenVersionV2Token})).must(t)
	m := call(e.iam.GetAccountSummary(ctx, &iam.GetAccountSummaryInput{})).must(t).SummaryMap
	if m["GlobalEndpointTokenVersion"] != 2 {
		t.Errorf("GlobalEndpointTokenVersion = %d, want 2", m["GlobalEndpointTokenVersion"])
	}
}
