package sts_test

import (
	"net/url"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// TestTrustPrincipalForms: trust policies naming a role (any of its
// sessions), one assumed-role session, a bare account id, or "*"
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html).
func TestTrustPrincipalForms(t *testing.T) {
	e := start(t)
	acct := e.AccountID
	root := "arn:aws:iam::" + acct + ":root"
	hub := e.role(t, e.iam, "hub", trust(aws_(root), []string{"sts:AssumeRole"}, ""), 0)
	call(e.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("hub"), PolicyName: aws.String("all"), PolicyDocument: aws.String(allowAll)})).must(t)
	byRole := e.role(t, e.iam, "by-role", trust(aws_("arn:aws:iam::"+acct+":role/hub"), []string{"sts:AssumeRole"}, ""), 0)
	bySession := e.role(t, e.iam, "by-session", trust(aws_("arn:aws:sts::"+acct+":assumed-role/hub/alice"), []string{"sts:AssumeRole"}, ""), 0)
	byAccountID := e.role(t, e.iam, "by-account-id", trust(aws_(acct), []string{"sts:AssumeRole"}, ""), 0)
	anyone := e.role(t, e.iam, "anyone", trust(`"*"`, []string{"sts:AssumeRole"}, ""), 0)

	session := func(name string) principal {
		out := call(e.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(hub), RoleSessionName: aws.String(name)})).must(t)
		return e.session(out.Credentials)
	}
	alice, bob := session("alice"), session("bob")
	bobARN := "arn:aws:sts::" + acct + ":assumed-role/hub/bob"

	for _, role := range []string{byRole, byAccountID, anyone} {
		call(bob.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String("bob")})).must(t)
	}
	call(alice.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(bySession), RoleSessionName: aws.String("alice")})).must(t)
	_, err := bob.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(bySession), RoleSessionName: aws.String("bob")})
	wantErr(t, err, "AccessDenied", 403, denied(bobARN, "sts:AssumeRole", bySession))
}

// TestRecreatedRoleSessions: sessions of a deleted role do not inherit the
// permissions of a new role with the same name.
func TestRecreatedRoleSessions(t *testing.T) {
	e := start(t)
	rootTrust := trust(aws_("arn:aws:iam::"+e.AccountID+":root"), []string{"sts:AssumeRole"}, "")
	hub := e.role(t, e.iam, "hub", rootTrust, 0)
	target := e.role(t, e.iam, "target", rootTrust, 0)
	call(e.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("hub"), PolicyName: aws.String("all"), PolicyDocument: aws.String(allowAll)})).must(t)
	old := e.session(call(e.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(hub), RoleSessionName: aws.String("old")})).must(t).Credentials)
	call(old.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(target), RoleSessionName: aws.String("ok")})).must(t)

	call(e.iam.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("hub"), PolicyName: aws.String("all")})).must(t)
	call(e.iam.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("hub")})).must(t)
	e.role(t, e.iam, "hub", rootTrust, 0)
	call(e.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("hub"), PolicyName: aws.String("all"), PolicyDocument: aws.String(allowAll)})).must(t)
	_, err := old.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(target), RoleSessionName: aws.String("stale")})
	wantErr(t, err, "AccessDenied", 403, denied("arn:aws:sts::"+e.AccountID+":assumed-role/hub/old", "sts:AssumeRole", target))
}

// TestDeletedUserInTrust: deleting a user turns its ARN in trust policies
// into its unique id, so a new user of the same name is not trusted.
func TestDeletedUserInTrust(t *testing.T) {
	e := start(t)
	alice := e.user(t, "alice")
	role := e.role(t, e.iam, "r", trust(aws_(alice.arn), []string{"sts:AssumeRole"}, ""), 0)
	old := call(e.iam.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("alice")})).must(t).User
	keys := call(e.iam.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("alice")})).must(t).AccessKeyMetadata
	call(e.iam.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("alice"), AccessKeyId: keys[0].AccessKeyId})).must(t)
	call(e.iam.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("alice")})).must(t)

	got := call(e.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("r")})).must(t).Role
	doc, _ := url.QueryUnescape(aws.ToString(got.AssumeRolePolicyDocument))
	if want := trust(aws_(aws.ToString(old.UserId)), []string{"sts:AssumeRole"}, ""); doc != want {
		t.Errorf("trust after DeleteUser:\n got %s\nwant %s", doc, want)
	}
	again := e.user(t, "alice")
	_, err := again.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String("sess")})
	wantErr(t, err, "AccessDenied", 403, denied(again.arn, "sts:AssumeRole", role))
	// The document with the unique id can be stored again as it is.
	call(e.iam.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("r"), PolicyDocument: aws.String(doc)})).must(t)
}
