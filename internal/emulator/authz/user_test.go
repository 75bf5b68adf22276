package authz_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	orgs "github.com/aws/aws-sdk-go-v2/service/organizations"
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

// A federated user (GetFederationToken) has the permissions of the IAM user
// that made it, cut by its session policy: two users making federated
// users of the same name get different permissions
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_getfederationtoken.html).
func TestFederatedUsers(t *testing.T) {
	e := emulatortest.Start(t)
	root := clientsFor(e.Config)
	must[*orgs.CreateOrganizationOutput](t)(root.orgs.CreateOrganization(ctx, &orgs.CreateOrganizationInput{}))
	fed := map[string]*clients{}
	for user, extra := range map[string]string{"alice": `,"organizations:DescribeOrganization"`, "bob": ""} {
		must[*iam.CreateUserOutput](t)(root.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(user)}))
		must[*iam.PutUserPolicyOutput](t)(root.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(user), PolicyName: aws.String("p"),
			PolicyDocument: aws.String(policyDoc(`{"Effect":"Allow","Action":["sts:GetFederationToken"` + extra + `],"Resource":"*"}`))}))
		k := must[*iam.CreateAccessKeyOutput](t)(root.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(user)})).AccessKey
		c := clientsFor(e.ConfigFor(aws.ToString(k.AccessKeyId), aws.ToString(k.SecretAccessKey), ""))
		out := must[*sts.GetFederationTokenOutput](t)(c.sts.GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("fed"),
			Policy: aws.String(policyDoc(`{"Effect":"Allow","Action":"organizations:*","Resource":"*"}`))}))
		fed[user] = session(e, out.Credentials)
	}
	must[*orgs.DescribeOrganizationOutput](t)(fed["alice"].orgs.DescribeOrganization(ctx, &orgs.DescribeOrganizationInput{}))
	_, err := fed["bob"].orgs.DescribeOrganization(ctx, &orgs.DescribeOrganizationInput{})
	if err == nil {
		t.Fatal("bob's federated user may DescribeOrganization, which bob may not")
	}
	// Nothing outside alice's own policies, even what the session policy
	// names.
	_, err = fed["alice"].orgs.ListAccounts(ctx, &orgs.ListAccountsInput{})
	if err == nil {
		t.Fatal("alice's federated user went beyond its session policy")
	}
}
