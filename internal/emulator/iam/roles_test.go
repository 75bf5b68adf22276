package iam_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/google/go-cmp/cmp"
)

func TestRoleLifecycle(t *testing.T) {
	e := start(t)
	trust := trustAccount(e.AccountID)
	out := call(e.iam.CreateRole(ctx, &iam.CreateRoleInput{
		RoleName: aws.String("deployer"), Path: aws.String("/ci/"), AssumeRolePolicyDocument: aws.String(trust),
		Description: aws.String("deploys"), MaxSessionDuration: aws.Int32(7200),
		Tags: []types.Tag{{Key: aws.String("stage"), Value: aws.String("prod")}},
	})).must(t)
	r := out.Role
	if got, want := aws.ToString(r.Arn), "arn:aws:iam::"+e.AccountID+":role/ci/deployer"; got != want {
		t.Errorf("Arn = %s, want %s", got, want)
	}
	if !strings.HasPrefix(aws.ToString(r.RoleId), "AROA") {
		t.Errorf("RoleId = %s, want AROA...", aws.ToString(r.RoleId))
	}
	got := call(e.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("deployer")})).must(t).Role
	if decodeDoc(t, got.AssumeRolePolicyDocument) != trust {
		t.Errorf("trust policy round trip:\n got %s\nwant %s", decodeDoc(t, got.AssumeRolePolicyDocument), trust)
	}
	if aws.ToInt32(got.MaxSessionDuration) != 7200 || aws.ToString(got.Description) != "deploys" || tagMap(got.Tags)["stage"] != "prod" {
		t.Errorf("GetRole = %+v", got)
	}

	for _, tc := range []struct {
		name   string
		in     iam.CreateRoleInput
		code   string
		status int
	}{
		{"session too short", iam.CreateRoleInput{RoleName: aws.String("a"), AssumeRolePolicyDocument: aws.String(trust), MaxSessionDuration: aws.Int32(3599)}, "ValidationError", 400},
		{"session too long", iam.CreateRoleInput{RoleName: aws.String("a"), AssumeRolePolicyDocument: aws.String(trust), MaxSessionDuration: aws.Int32(43201)}, "ValidationError", 400},
		{"not json", iam.CreateRoleInput{RoleName: aws.String("a"), AssumeRolePolicyDocument: aws.String("{")}, "MalformedPolicyDocument", 400},
		{"no principal", iam.CreateRoleInput{RoleName: aws.String("a"), AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}`)}, "MalformedPolicyDocument", 400},
		{"resource in trust", iam.CreateRoleInput{RoleName: aws.String("a"), AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","Resource":"*"}]}`)}, "MalformedPolicyDocument", 400},
		{"non-sts action", iam.CreateRoleInput{RoleName: aws.String("a"), AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject"}]}`)}, "MalformedPolicyDocument", 400},
		// AWS refuses trust policies that name users or roles that do not exist.
		{"unknown user principal", iam.CreateRoleInput{RoleName: aws.String("a"), AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + e.AccountID + `:user/ghost"},"Action":"sts:AssumeRole"}]}`)}, "MalformedPolicyDocument", 400},
		{"duplicate", iam.CreateRoleInput{RoleName: aws.String("DEPLOYER"), AssumeRolePolicyDocument: aws.String(trust)}, "EntityAlreadyExists", 409},
		{"bad name", iam.CreateRoleInput{RoleName: aws.String("a/b"), AssumeRolePolicyDocument: aws.String(trust)}, "ValidationError", 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.iam.CreateRole(ctx, &tc.in)
			wantErr(t, err, tc.code, tc.status)
		})
	}

	call(e.iam.UpdateRole(ctx, &iam.UpdateRoleInput{RoleName: aws.String("deployer"), MaxSessionDuration: aws.Int32(43200), Description: aws.String("new")})).must(t)
	_, err := e.iam.UpdateRole(ctx, &iam.UpdateRoleInput{RoleName: aws.String("deployer"), MaxSessionDuration: aws.Int32(50000)})
	wantErr(t, err, "ValidationError", 400)
	newTrust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	call(e.iam.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("deployer"), PolicyDocument: aws.String(newTrust)})).must(t)
	got = call(e.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("deployer")})).must(t).Role
	if aws.ToInt32(got.MaxSessionDuration) != 43200 || aws.ToString(got.Description) != "new" || decodeDoc(t, got.AssumeRolePolicyDocument) != newTrust {
		t.Errorf("after updates: %d %q %s", aws.ToInt32(got.MaxSessionDuration), aws.ToString(got.Description), decodeDoc(t, got.AssumeRolePolicyDocument))
	}

	// Permissions boundary.
	_, err = e.iam.PutRolePermissionsBoundary(ctx, &iam.PutRolePermissionsBoundaryInput{RoleName: aws.String("deployer"), PermissionsBoundary: aws.String("arn:aws:iam::aws:policy/Nope")})
	wantErr(t, err, "NoSuchEntity", 404)
	call(e.iam.PutRolePermissionsBoundary(ctx, &iam.PutRolePermissionsBoundaryInput{RoleName: aws.String("deployer"), PermissionsBoundary: aws.String("arn:aws:iam::aws:policy/PowerUserAccess")})).must(t)
	got = call(e.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("deployer")})).must(t).Role
	if got.PermissionsBoundary == nil || aws.ToString(got.PermissionsBoundary.PermissionsBoundaryArn) != "arn:aws:iam::aws:policy/PowerUserAccess" || got.PermissionsBoundary.PermissionsBoundaryType != types.PermissionsBoundaryAttachmentTypePolicy {
		t.Errorf("PermissionsBoundary = %+v", got.PermissionsBoundary)
	}
	pol := call(e.iam.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String("arn:aws:iam::aws:policy/PowerUserAccess")})).must(t).Policy
	if aws.ToInt32(pol.PermissionsBoundaryUsageCount) != 1 {
		t.Errorf("PermissionsBoundaryUsageCount = %d, want 1", aws.ToInt32(pol.PermissionsBoundaryUsageCount))
	}
	call(e.iam.DeleteRolePermissionsBoundary(ctx, &iam.DeleteRolePermissionsBoundaryInput{RoleName: aws.String("deployer")})).must(t)
	_, err = e.iam.DeleteRolePermissionsBoundary(ctx, &iam.DeleteRolePermissionsBoundaryInput{RoleName: aws.String("deployer")})
	wantErr(t, err, "NoSuchEntity", 404)

	// Tags.
	call(e.iam.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String("deployer"), Tags: []types.Tag{{Key: aws.String("owner"), Value: aws.String("ci")}}})).must(t)
	call(e.iam.UntagRole(ctx, &iam.UntagRoleInput{RoleName: aws.String("deployer"), TagKeys: []string{"stage"}})).must(t)
	tags := call(e.iam.ListRoleTags(ctx, &iam.ListRoleTagsInput{RoleName: aws.String("deployer")})).must(t)
	if diff := cmp.Diff(map[string]string{"owner": "ci"}, tagMap(tags.Tags)); diff != "" {
		t.Errorf("role tags (-want +got):\n%s", diff)
	}
	_, err = e.iam.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String("deployer"), Tags: []types.Tag{{Key: aws.String("a"), Value: aws.String("1")}, {Key: aws.String("A"), Value: aws.String("2")}}})
	wantErr(t, err, "InvalidInput", 400)

	// A role with policies cannot be deleted.
	call(e.iam.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("deployer"), PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")})).must(t)
	_, err = e.iam.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("deployer")})
	wantErr(t, err, "DeleteConflict", 409)
	call(e.iam.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String("deployer"), PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")})).must(t)
	call(e.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("deployer"), PolicyName: aws.String("inline"), PolicyDocument: aws.String(allowAll)})).must(t)
	_, err = e.iam.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("deployer")})
	wantErr(t, err, "DeleteConflict", 409)
	call(e.iam.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("deployer"), PolicyName: aws.String("inline")})).must(t)
	call(e.iam.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("deployer")})).must(t)
	_, err = e.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("deployer")})
	wantErr(t, err, "NoSuchEntity", 404)
}

func TestListRolesPagination(t *testing.T) {
	e := start(t)
	for _, n := range []string{"c", "a", "e", "b", "d"} {
		call(e.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(n), AssumeRolePolicyDocument: aws.String(trustAccount(e.AccountID))})).must(t)
	}
	var names []string
	p := iam.NewListRolesPaginator(e.iam, &iam.ListRolesInput{MaxItems: aws.Int32(2)})
	for p.HasMorePages() {
		for _, r := range call(p.NextPage(ctx)).must(t).Roles {
			names = append(names, aws.ToString(r.RoleName))
		}
	}
	if diff := cmp.Diff([]string{"a", "b", "c", "d", "e"}, names); diff != "" {
		t.Errorf("roles (-want +got):\n%s", diff)
	}
}
