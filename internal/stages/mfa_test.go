package stages

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"strings"
	"testing"
	"time"

	"errors"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"
)

// totp is RFC 6238's code (HMAC-SHA1, 30 s steps, 6 digits) of seed at t.
func totp(t testing.TB, seed []byte, at time.Time, steps int64) string {
	t.Helper()
	key, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.TrimRight(strings.ToUpper(string(seed)), "="))
	must(t, err)
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(at.Unix()/30+steps))
	m := hmac.New(sha1.New, key)
	m.Write(msg[:])
	sum := m.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	return fmt.Sprintf("%06d", (binary.BigEndian.Uint32(sum[off:off+4])&0x7fffffff)%1_000_000)
}

// A role with `mfa: true`: bulkhead finds alice's MFA device and asks for
// a code, and STS checks it (the trust policy here requires MFA).
func TestOpenRoleRequiringMFA(t *testing.T) {
	lv := startLive(t, true)
	ctx := context.Background()
	lv.layout = load(t, strings.Replace(liveSrc, "appeng: {trust: [group:engineers],", "appeng: {mfa: true, trust: [group:engineers],", 1))
	root := iam.NewFromConfig(lv.env.Config)
	dev, err := root.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("alice")})
	must(t, err)
	seed, serial := dev.VirtualMFADevice.Base32StringSeed, aws.ToString(dev.VirtualMFADevice.SerialNumber)
	now := lv.env.Clock.Now()
	_, err = root.EnableMFADevice(ctx, &iam.EnableMFADeviceInput{UserName: aws.String("alice"), SerialNumber: aws.String(serial),
		AuthenticationCode1: aws.String(totp(t, seed, now, -1)), AuthenticationCode2: aws.String(totp(t, seed, now, 0))})
	must(t, err)
	// Alice may list her own MFA devices (issue 6's MFA policy allows it).
	_, err = root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("own-mfa"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListMFADevices","Resource":"arn:aws:iam::*:user/${aws:username}"}]}`)})
	must(t, err)
	devIAM := lv.admin(t, "dev")
	_, err = devIAM.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("appeng"), PolicyDocument: aws.String(fmt.Sprintf(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::%s:root"},"Action":["sts:AssumeRole","sts:SetSourceIdentity"],"Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}`, lv.env.AccountID))})
	must(t, err)

	// A wrong code: STS refuses.
	req := lv.request(t, "feature-login", lv.alice, nil, nil)
	wrong := "000000"
	for i := 0; i < 10; i++ {
		valid := false
		for step := int64(-1); step <= 2; step++ {
			valid = valid || totp(t, seed, now, step) == wrong
		}
		if !valid {
			break
		}
		wrong = fmt.Sprintf("%06d", i+1)
	}
	req.Prompt = &Prompter{In: strings.NewReader(wrong + "\n")}
	_, err = Open(ctx, req)
	var ae smithy.APIError
	if !errors.As(err, &ae) || !strings.Contains(ae.ErrorMessage(), "MultiFactorAuthentication failed") {
		t.Fatalf("err = %v, want STS refusing the code", err)
	}
	// The right one (the next step: a code is good once).
	var asked strings.Builder
	req.Prompt = &Prompter{In: strings.NewReader(totp(t, seed, now, 1) + "\n"), Out: &asked, Terminal: true}
	s, err := Open(ctx, req)
	must(t, err)
	if !strings.Contains(asked.String(), "MFA code for "+serial) {
		t.Errorf("question = %q", asked.String())
	}
	if got := lv.callerARN(t, s.Credentials); !strings.HasSuffix(got, ":assumed-role/appeng/alice@feature-login") {
		t.Errorf("caller = %s", got)
	}
	// Cached: no second question.
	req.Prompt = &Prompter{}
	if s, err := Open(ctx, req); err != nil || !s.Cached {
		t.Errorf("second open: %v", err)
	}
}
