package authz_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/emulatortest"
)

// A user with no policies is denied everything but what AWS never submits
// to policies (GetCallerIdentity, GetSessionToken); an inline policy
// allows exactly what it names.
func TestUserPolicies(t *testing.T) {
	e := emulatortest.Start(t)
	root := clientsFor(e.Config)
	u := must[*iam.CreateUserOutput](t)(root.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bob"), Path: aws.String("/dev/")})).User
	k := must[*iam.CreateAccessKeyOutput](t)(root.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("bob")})).AccessKey
	bob := clientsFor(e.ConfigFor(aws.ToString(k.AccessKeyId), aws.ToString(k.SecretAccessKey), ""))
	bobARN := aws.ToString(u.Arn)

	who := must[*sts.GetCallerIdentityOutput](t)(bob.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	if aws.ToString(who.Arn) != bobARN {
		t.Fatalf("GetCallerIdentity = %s", aws.ToString(who.Arn))
	}
	must[*sts.GetSessionTokenOutput](t)(bob.sts.GetSessionToken(ctx, &sts.GetSessionTokenInput{}))
	_, err := bob.iam.GetUser(ctx, &iam.GetUserInput{})
	wantDenied(t, err, "AccessDenied", 403, "User: "+bobARN+" is not authorized to perform: iam:GetUser on resource: "+bobARN+" because no identity-based policy allows the iam:GetUser action")
	_, err = bob.iam.ListRoles(ctx, &iam.ListRolesInput{})
	wantDenied(t, err, "AccessDenied", 403, "User: "+bobARN+" is not authorized to perform: iam:ListRoles on resource: arn:aws:iam::"+e.AccountID+":role/* because no identity-based policy allows the iam:ListRoles action")

	must[*iam.PutUserPolicyOutput](t)(root.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String("self"),
		PolicyDocument: aws.String(policyDoc(`{"Effect":"Allow","Action":"iam:GetUser","Resource":"` + bobARN + `"}`))}))
	must[*iam.GetUserOutput](t)(bob.iam.GetUser(ctx, &iam.GetUserInput{}))
	must[*iam.CreateUserOutput](t)(root.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("other")}))
	_, err = bob.iam.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("other")})
	wantDenied(t, err, "AccessDenied", 403, "User: "+bobARN+" is not authorized to perform: iam:GetUser on resource: arn:aws:iam::"+e.AccountID+":user/other because no identity-based policy allows the iam:GetUser action")
}
