package sts_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/emulatortest"
)

// BenchmarkAssumeRole measures AssumeRole in-process through the SDK
// (signature verified, trust and caller policies evaluated, session
// stored): go test -run XXX -bench AssumeRole ./internal/emulator/sts.
func BenchmarkAssumeRole(b *testing.B) {
	raw := emulatortest.Start(b)
	e := &env{Env: raw, iam: iam.NewFromConfig(raw.Config), sts: sts.NewFromConfig(raw.Config)}
	in := &iam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(trust(aws_("arn:aws:iam::"+e.AccountID+":root"), []string{"sts:AssumeRole"}, ""))}
	out, err := e.iam.CreateRole(ctx, in)
	if err != nil {
		b.Fatal(err)
	}
	req := &sts.AssumeRoleInput{RoleArn: out.Role.Arn, RoleSessionName: aws.String("bench")}
	b.ResetTimer()
	for b.Loop() {
		if _, err := e.sts.AssumeRole(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGetCallerIdentity is the cheapest authenticated STS call.
func BenchmarkGetCallerIdentity(b *testing.B) {
	e := emulatortest.Start(b)
	c := sts.NewFromConfig(e.Config)
	for b.Loop() {
		if _, err := c.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
			b.Fatal(err)
		}
	}
}
