package iam_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/google/go-cmp/cmp"
)

// TestOIDCProviders: a GitHub Actions provider, as a CI principal needs.
func TestOIDCProviders(t *testing.T) {
	e := start(t)
	url := "https://token.actions.githubusercontent.com"
	arn := aws.ToString(call(e.iam.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{
		Url: aws.String(url), ClientIDList: []string{"sts.amazonaws.com"},
		Tags: []types.Tag{{Key: aws.String("ci"), Value: aws.String("github")}},
	})).must(t).OpenIDConnectProviderArn)
	if want := "arn:aws:iam::" + e.AccountID + ":oidc-provider/token.actions.githubusercontent.com"; arn != want {
		t.Errorf("provider ARN = %s, want %s", arn, want)
	}
	_, err := e.iam.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String(url)})
	wantErr(t, err, "EntityAlreadyExists", 409)
	_, err = e.iam.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String("http://insecure.example")})
	wantErr(t, err, "InvalidInput", 400)
	_, err = e.iam.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://x.example"), ThumbprintList: []string{"abc"}})
	wantErr(t, err, "ValidationError", 400)

	call(e.iam.AddClientIDToOpenIDConnectProvider(ctx, &iam.AddClientIDToOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn), ClientID: aws.String("other")})).must(t)
	call(e.iam.UpdateOpenIDConnectProviderThumbprint(ctx, &iam.UpdateOpenIDConnectProviderThumbprintInput{OpenIDConnectProviderArn: aws.String(arn), ThumbprintList: []string{"6938fd4d98bab03faadb97b34396831e3780aea1"}})).must(t)
	got := call(e.iam.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)})).must(t)
	if aws.ToString(got.Url) != "token.actions.githubusercontent.com" || len(got.ThumbprintList) != 1 || tagMap(got.Tags)["ci"] != "github" {
		t.Errorf("GetOpenIDConnectProvider = %+v", got)
	}
	if diff := cmp.Diff([]string{"sts.amazonaws.com", "other"}, got.ClientIDList); diff != "" {
		t.Errorf("client ids (-want +got):\n%s", diff)
	}
	call(e.iam.RemoveClientIDFromOpenIDConnectProvider(ctx, &iam.RemoveClientIDFromOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn), ClientID: aws.String("other")})).must(t)
	call(e.iam.UntagOpenIDConnectProvider(ctx, &iam.UntagOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn), TagKeys: []string{"ci"}})).must(t)
	if tags := call(e.iam.ListOpenIDConnectProviderTags(ctx, &iam.ListOpenIDConnectProviderTagsInput{OpenIDConnectProviderArn: aws.String(arn)})).must(t).Tags; len(tags) != 0 {
		t.Errorf("tags after untag = %v", tags)
	}
	list := call(e.iam.ListOpenIDConnectProviders(ctx, &iam.ListOpenIDConnectProvidersInput{})).must(t).OpenIDConnectProviderList
	if len(list) != 1 || aws.ToString(list[0].Arn) != arn {
		t.Errorf("ListOpenIDConnectProviders = %+v", list)
	}
	// Roles can trust it as a Federated principal.
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + arn + `"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"},"StringLike":{"token.actions.githubusercontent.com:sub":"repo:acme/app:ref:refs/heads/main"}}}]}`
	call(e.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("ci"), AssumeRolePolicyDocument: aws.String(trust)})).must(t)

	call(e.iam.DeleteOpenIDConnectProvider(ctx, &iam.DeleteOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)})).must(t)
	_, err = e.iam.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)})
	wantErr(t, err, "NoSuchEntity", 404)
}

func TestLoginProfiles(t *testing.T) {
	e := start(t)
	call(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice")})).must(t)
	_, err := e.iam.GetLoginProfile(ctx, &iam.GetLoginProfileInput{UserName: aws.String("alice")})
	wantErr(t, err, "NoSuchEntity", 404)
	// AWS's default policy without a custom one.
	_, err = e.iam.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("alice"), Password: aws.String("password")})
	wantErr(t, err, "PasswordPolicyViolation", 400)
	lp := call(e.iam.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("alice"), Password: aws.String("Corr3ct-horse"), PasswordResetRequired: true})).must(t).LoginProfile
	if aws.ToString(lp.UserName) != "alice" || !lp.PasswordResetRequired {
		t.Errorf("CreateLoginProfile = %+v", lp)
	}
	_, err = e.iam.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("alice"), Password: aws.String("Corr3ct-horse")})
	wantErr(t, err, "EntityAlreadyExists", 409)
	call(e.iam.UpdateAccountPasswordPolicy(ctx, &iam.UpdateAccountPasswordPolicyInput{MinimumPasswordLength: aws.Int32(16), RequireSymbols: true})).must(t)
	_, err = e.iam.UpdateLoginProfile(ctx, &iam.UpdateLoginProfileInput{UserName: aws.String("alice"), Password: aws.String("Corr3ct-horse")})
	wantErr(t, err, "PasswordPolicyViolation", 400)
	call(e.iam.UpdateLoginProfile(ctx, &iam.UpdateLoginProfileInput{UserName: aws.String("alice"), Password: aws.String("correct-horse-battery")})).must(t)
	if lp := call(e.iam.GetLoginProfile(ctx, &iam.GetLoginProfileInput{UserName: aws.String("alice")})).must(t).LoginProfile; lp.PasswordResetRequired {
		t.Errorf("PasswordResetRequired still set: %+v", lp)
	}
	_, err = e.iam.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("alice")})
	wantErr(t, err, "DeleteConflict", 409)
	call(e.iam.DeleteLoginProfile(ctx, &iam.DeleteLoginProfileInput{UserName: aws.String("alice")})).must(t)
	call(e.iam.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("alice")})).must(t)

	call(e.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(trustAccount(e.AccountID))})).must(t)
	ips := call(e.iam.ListInstanceProfilesForRole(ctx, &iam.ListInstanceProfilesForRoleInput{RoleName: aws.String("r")})).must(t)
	if len(ips.InstanceProfiles) != 0 || ips.IsTruncated {
		t.Errorf("ListInstanceProfilesForRole = %+v", ips)
	}
	_, err = e.iam.ListInstanceProfilesForRole(ctx, &iam.ListInstanceProfilesForRoleInput{RoleName: aws.String("nope")})
	wantErr(t, err, "NoSuchEntity", 404)
}
