package iam_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/google/go-cmp/cmp"
)

// TestTagsAndSmallUpdates covers the remaining tag operations, user
// boundaries and UpdateRoleDescription.
func TestTagsAndSmallUpdates(t *testing.T) {
	e := start(t)
	arn := call(e.iam.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("p"), PolicyDocument: aws.String(doc("s3:*"))})).must(t).Policy.Arn
	call(e.iam.TagPolicy(ctx, &iam.TagPolicyInput{PolicyArn: arn, Tags: []types.Tag{{Key: aws.String("a"), Value: aws.String("1")}, {Key: aws.String("b"), Value: aws.String("2")}}})).must(t)
	call(e.iam.UntagPolicy(ctx, &iam.UntagPolicyInput{PolicyArn: arn, TagKeys: []string{"A"}})).must(t)
	page := call(e.iam.ListPolicyTags(ctx, &iam.ListPolicyTagsInput{PolicyArn: arn})).must(t)
	if diff := cmp.Diff(map[string]string{"b": "2"}, tagMap(page.Tags)); diff != "" {
		t.Errorf("policy tags (-want +got):\n%s", diff)
	}
	_, err := e.iam.TagPolicy(ctx, &iam.TagPolicyInput{PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess"), Tags: []types.Tag{{Key: aws.String("a"), Value: aws.String("1")}}})
	wantErr(t, err, "AccessDenied", 403)
	var many []types.Tag
	for i := range 50 {
		many = append(many, types.Tag{Key: aws.String(string(rune('A'+i/26)) + string(rune('a'+i%26))), Value: aws.String("v")})
	}
	_, err = e.iam.TagPolicy(ctx, &iam.TagPolicyInput{PolicyArn: arn, Tags: many})
	wantErr(t, err, "LimitExceeded", 409)

	provider := call(e.iam.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://oidc.example.com")})).must(t).OpenIDConnectProviderArn
	call(e.iam.TagOpenIDConnectProvider(ctx, &iam.TagOpenIDConnectProviderInput{OpenIDConnectProviderArn: provider, Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})).must(t)
	if tags := tagMap(call(e.iam.ListOpenIDConnectProviderTags(ctx, &iam.ListOpenIDConnectProviderTagsInput{OpenIDConnectProviderArn: provider})).must(t).Tags); tags["k"] != "v" {
		t.Errorf("provider tags = %v", tags)
	}

	call(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("u"), PermissionsBoundary: aws.String("arn:aws:iam::aws:policy/PowerUserAccess")})).must(t)
	_, err = e.iam.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: arn})
	if err != nil {
		t.Fatal(err)
	}
	call(e.iam.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("u"), PermissionsBoundary: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")})).must(t)
	u := call(e.iam.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("u")})).must(t).User
	if u.PermissionsBoundary == nil || aws.ToString(u.PermissionsBoundary.PermissionsBoundaryArn) != "arn:aws:iam::aws:policy/ReadOnlyAccess" {
		t.Errorf("user boundary = %+v", u.PermissionsBoundary)
	}
	if n := aws.ToInt32(call(e.iam.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String("arn:aws:iam::aws:policy/PowerUserAccess")})).must(t).Policy.PermissionsBoundaryUsageCount); n != 0 {
		t.Errorf("PowerUserAccess boundary use after replacement = %d", n)
	}
	call(e.iam.DeleteUserPermissionsBoundary(ctx, &iam.DeleteUserPermissionsBoundaryInput{UserName: aws.String("u")})).must(t)
	_, err = e.iam.DeleteUserPermissionsBoundary(ctx, &iam.DeleteUserPermissionsBoundaryInput{UserName: aws.String("u")})
	wantErr(t, err, "NoSuchEntity", 404)

	call(e.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(trustAccount(e.AccountID))})).must(t)
	role := call(e.iam.UpdateRoleDescription(ctx, &iam.UpdateRoleDescriptionInput{RoleName: aws.String("r"), Description: aws.String("runs things")})).must(t).Role
	if aws.ToString(role.Description) != "runs things" {
		t.Errorf("UpdateRoleDescription = %q", aws.ToString(role.Description))
	}
}
