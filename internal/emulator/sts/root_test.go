package sts_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/bulkhead-dev/bulkhead/internal/emulator"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/emulatortest"
	emuiam "github.com/bulkhead-dev/bulkhead/internal/emulator/iam"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/service"
	emusts "github.com/bulkhead-dev/bulkhead/internal/emulator/sts"
)

// TestRefuseRootAssumeRole: with RefuseRootAssumeRole, the root user is
// refused as AWS refuses it, while IAM users still assume roles.
func TestRefuseRootAssumeRole(t *testing.T) {
	raw := emulatortest.Start(t, func(o *emulator.Options) {
		o.Services = []service.Spec{emuiam.New(emuiam.Config{}).Spec(), emusts.New(emusts.Config{RefuseRootAssumeRole: true}).Spec()}
	})
	e := &env{Env: raw, iam: iam.NewFromConfig(raw.Config), sts: sts.NewFromConfig(raw.Config)}
	role := e.role(t, e.iam, "r", trust(aws_("arn:aws:iam::"+e.AccountID+":root"), []string{"sts:AssumeRole"}, ""), 0)
	_, err := e.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String("root")})
	wantErr(t, err, "AccessDenied", 403, "Roles may not be assumed by root accounts.")
	alice := e.user(t, "alice")
	call(e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("all"), PolicyDocument: aws.String(allowAll)})).must(t)
	call(alice.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String("alice")})).must(t)
}
