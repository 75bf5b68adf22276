package iam_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

func TestInstanceProfiles(t *testing.T) {
	e := start(t)
	call(e.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("web"), AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)})).must(t)
	call(e.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("other"), AssumeRolePolicyDocument: aws.String(trustAccount(e.AccountID))})).must(t)
	ip := call(e.iam.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("web"), Path: aws.String("/app/"),
		Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})).must(t).InstanceProfile
	if aws.ToString(ip.Arn) != "arn:aws:iam::"+e.AccountID+":instance-profile/app/web" || !strings.HasPrefix(aws.ToString(ip.InstanceProfileId), "AIPA") {
		t.Errorf("CreateInstanceProfile = %s %s", aws.ToString(ip.Arn), aws.ToString(ip.InstanceProfileId))
	}
	_, err := e.iam.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("WEB")})
	wantErr(t, err, "EntityAlreadyExists", 409)

	call(e.iam.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("web"), RoleName: aws.String("web")})).must(t)
	_, err = e.iam.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("web"), RoleName: aws.String("other")})
	wantErr(t, err, "LimitExceeded", 409)
	got := call(e.iam.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: aws.String("web")})).must(t).InstanceProfile
	if len(got.Roles) != 1 || aws.ToString(got.Roles[0].RoleName) != "web" {
		t.Errorf("GetInstanceProfile roles = %+v", got.Roles)
	}
	for_ := call(e.iam.ListInstanceProfilesForRole(ctx, &iam.ListInstanceProfilesForRoleInput{RoleName: aws.String("web")})).must(t).InstanceProfiles
	if len(for_) != 1 {
		t.Errorf("ListInstanceProfilesForRole = %d", len(for_))
	}
	if other := call(e.iam.ListInstanceProfilesForRole(ctx, &iam.ListInstanceProfilesForRoleInput{RoleName: aws.String("other")})).must(t).InstanceProfiles; len(other) != 0 {
		t.Errorf("ListInstanceProfilesForRole(other) = %d", len(other))
	}
	det := call(e.iam.GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{Filter: []types.EntityType{types.EntityTypeRole}})).must(t)
	for _, r := range det.RoleDetailList {
		if want := map[string]int{"web": 1, "other": 0}[aws.ToString(r.RoleName)]; len(r.InstanceProfileList) != want {
			t.Errorf("role %s InstanceProfileList = %d, want %d", aws.ToString(r.RoleName), len(r.InstanceProfileList), want)
		}
	}
	_, err = e.iam.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("web")})
	wantErr(t, err, "DeleteConflict", 409)
	_, err = e.iam.DeleteInstanceProfile(ctx, &iam.DeleteInstanceProfileInput{InstanceProfileName: aws.String("web")})
	wantErr(t, err, "DeleteConflict", 409)

	call(e.iam.UntagInstanceProfile(ctx, &iam.UntagInstanceProfileInput{InstanceProfileName: aws.String("web"), TagKeys: []string{"k"}})).must(t)
	call(e.iam.TagInstanceProfile(ctx, &iam.TagInstanceProfileInput{InstanceProfileName: aws.String("web"), Tags: []types.Tag{{Key: aws.String("a"), Value: aws.String("b")}}})).must(t)
	if tags := tagMap(call(e.iam.ListInstanceProfileTags(ctx, &iam.ListInstanceProfileTagsInput{InstanceProfileName: aws.String("web")})).must(t).Tags); len(tags) != 1 || tags["a"] != "b" {
		t.Errorf("instance profile tags = %v", tags)
	}
	if list := call(e.iam.ListInstanceProfiles(ctx, &iam.ListInstanceProfilesInput{PathPrefix: aws.String("/app/")})).must(t).InstanceProfiles; len(list) != 1 {
		t.Errorf("ListInstanceProfiles = %d", len(list))
	}

	call(e.iam.RemoveRoleFromInstanceProfile(ctx, &iam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: aws.String("web"), RoleName: aws.String("web")})).must(t)
	_, err = e.iam.RemoveRoleFromInstanceProfile(ctx, &iam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: aws.String("web"), RoleName: aws.String("web")})
	wantErr(t, err, "NoSuchEntity", 404)
	call(e.iam.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("web")})).must(t)
	call(e.iam.DeleteInstanceProfile(ctx, &iam.DeleteInstanceProfileInput{InstanceProfileName: aws.String("web")})).must(t)
	_, err = e.iam.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: aws.String("web")})
	wantErr(t, err, "NoSuchEntity", 404)
}
