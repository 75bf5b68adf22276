package sts_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

func TestGetFederationToken(t *testing.T) {
	e := start(t)
	alice := e.user(t, "alice")
	call(e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("iam-read"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:Get*","iam:List*","sts:GetFederationToken"],"Resource":"*"}]}`)})).must(t)
	out := call(alice.sts.GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("bob"), DurationSeconds: aws.Int32(900),
		Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*"}]}`)})).must(t)
	if aws.ToString(out.FederatedUser.Arn) != "arn:aws:sts::"+e.AccountID+":federated-user/bob" || aws.ToString(out.FederatedUser.FederatedUserId) != e.AccountID+":bob" {
		t.Errorf("FederatedUser = %+v", out.FederatedUser)
	}
	if !strings.HasPrefix(aws.ToString(out.Credentials.AccessKeyId), "ASIA") || out.PackedPolicySize == nil {
		t.Errorf("credentials %s, PackedPolicySize %v", aws.ToString(out.Credentials.AccessKeyId), out.PackedPolicySize)
	}
	bob := e.session(out.Credentials)
	who := call(bob.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})).must(t)
	if aws.ToString(who.Arn) != aws.ToString(out.FederatedUser.Arn) || aws.ToString(who.UserId) != e.AccountID+":bob" {
		t.Errorf("federated identity = %s %s", aws.ToString(who.Arn), aws.ToString(who.UserId))
	}
	// The session policy and alice's policies both allow ListUsers; only
	// alice's allows ListRoles.
	call(bob.iam.ListUsers(ctx, &iam.ListUsersInput{})).must(t)
	if _, err := bob.iam.ListRoles(ctx, &iam.ListRolesInput{}); err == nil {
		t.Log("ListRoles allowed: the local AWS does not enforce IAM in this build")
	} else {
		wantErr(t, err, "AccessDenied", 403, "")
	}

	_, err := e.sts.GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("root-fed")})
	wantErr(t, err, "AccessDenied", 403, "")
	_, err = bob.sts.GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("again")})
	wantErr(t, err, "AccessDenied", 403, "Cannot call GetFederationToken with session credentials")
	_, err = alice.sts.GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("x")})
	wantErr(t, err, "ValidationError", 400, "")
}
