package iam_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/google/go-cmp/cmp"
)

func doc(action string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"` + action + `","Resource":"*"}]}`
}

// TestPolicyVersions covers managed policy versions: at most five, the
// default cannot be deleted, SetAsDefault and SetDefaultPolicyVersion
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-versioning.html).
func TestPolicyVersions(t *testing.T) {
	e := start(t)
	p := call(e.iam.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("deploy"), Path: aws.String("/team/"),
		PolicyDocument: aws.String(doc("s3:*")), Description: aws.String("d")})).must(t).Policy
	arn := aws.ToString(p.Arn)
	if arn != "arn:aws:iam::"+e.AccountID+":policy/team/deploy" || aws.ToString(p.DefaultVersionId) != "v1" || !strings.HasPrefix(aws.ToString(p.PolicyId), "ANPA") || !p.IsAttachable {
		t.Fatalf("CreatePolicy = %+v", p)
	}
	_, err := e.iam.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("DEPLOY"), PolicyDocument: aws.String(doc("s3:*"))})
	wantErr(t, err, "EntityAlreadyExists", 409)

	for i := 2; i <= 5; i++ {
		v := call(e.iam.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(arn), PolicyDocument: aws.String(doc(fmt.Sprintf("ec2:Action%d", i))), SetAsDefault: i == 3})).must(t).PolicyVersion
		if aws.ToString(v.VersionId) != fmt.Sprintf("v%d", i) || v.IsDefaultVersion != (i == 3) {
			t.Errorf("version %d = %s default %v", i, aws.ToString(v.VersionId), v.IsDefaultVersion)
		}
	}
	_, err = e.iam.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(arn), PolicyDocument: aws.String(doc("ec2:Six"))})
	wantErr(t, err, "LimitExceeded", 409)

	_, err = e.iam.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v3")})
	wantErr(t, err, "DeleteConflict", 409)
	call(e.iam.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v2")})).must(t)
	_, err = e.iam.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v2")})
	wantErr(t, err, "NoSuchEntity", 404)
	v6 := call(e.iam.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(arn), PolicyDocument: aws.String(doc("ec2:Six"))})).must(t).PolicyVersion
	if aws.ToString(v6.VersionId) != "v6" {
		t.Errorf("version after deleting v2 = %s, want v6 (ids are never reused)", aws.ToString(v6.VersionId))
	}
	call(e.iam.SetDefaultPolicyVersion(ctx, &iam.SetDefaultPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v6")})).must(t)

	got := call(e.iam.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v6")})).must(t).PolicyVersion
	if decodeDoc(t, got.Document) != doc("ec2:Six") || !got.IsDefaultVersion {
		t.Errorf("GetPolicyVersion v6 = %s default %v", decodeDoc(t, got.Document), got.IsDefaultVersion)
	}
	var ids []string
	pg := iam.NewListPolicyVersionsPaginator(e.iam, &iam.ListPolicyVersionsInput{PolicyArn: aws.String(arn), MaxItems: aws.Int32(2)})
	for pg.HasMorePages() {
		for _, v := range call(pg.NextPage(ctx)).must(t).Versions {
			ids = append(ids, aws.ToString(v.VersionId))
		}
	}
	if diff := cmp.Diff([]string{"v6", "v5", "v4", "v3", "v1"}, ids); diff != "" {
		t.Errorf("versions, newest first (-want +got):\n%s", diff)
	}

	// A policy with several versions, or attached, cannot be deleted.
	_, err = e.iam.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(arn)})
	wantErr(t, err, "DeleteConflict", 409)
	for _, v := range []string{"v1", "v3", "v4", "v5"} {
		call(e.iam.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String(v)})).must(t)
	}
	call(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("u")})).must(t)
	call(e.iam.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("u"), PolicyArn: aws.String(arn)})).must(t)
	_, err = e.iam.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(arn)})
	wantErr(t, err, "DeleteConflict", 409)
	call(e.iam.DetachUserPolicy(ctx, &iam.DetachUserPolicyInput{UserName: aws.String("u"), PolicyArn: aws.String(arn)})).must(t)
	call(e.iam.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(arn)})).must(t)
	_, err = e.iam.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
	wantErr(t, err, "NoSuchEntity", 404)
}

func TestMalformedPolicies(t *testing.T) {
	e := start(t)
	for _, tc := range []struct{ name, doc string }{
		{"not json", `{"Version":`},
		{"bad version", `{"Version":"2020-01-01","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`},
		{"no statement", `{"Version":"2012-10-17"}`},
		{"bad effect", `{"Version":"2012-10-17","Statement":[{"Effect":"Maybe","Action":"*","Resource":"*"}]}`},
		{"no action", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Resource":"*"}]}`},
		{"no resource", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*"}]}`},
		{"principal in identity policy", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}`},
		{"action without vendor", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"GetObject","Resource":"*"}]}`},
		{"unknown element", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Extra":1}]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.iam.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("p"), PolicyDocument: aws.String(tc.doc)})
			wantErr(t, err, "MalformedPolicyDocument", 400)
		})
	}
	big := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":[` + strings.Repeat(`"s3:GetObject",`, 500) + `"s3:GetObject"],"Resource":"*"}]}`
	_, err := e.iam.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("big"), PolicyDocument: aws.String(big)})
	wantErr(t, err, "LimitExceeded", 409)
}

// TestAWSManagedPolicies: AWS managed policies are addressable by ARN in
// every account with their real documents, and cannot be changed.
func TestAWSManagedPolicies(t *testing.T) {
	e := start(t)
	admin := "arn:aws:iam::aws:policy/AdministratorAccess"
	p := call(e.iam.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(admin)})).must(t).Policy
	v := call(e.iam.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(admin), VersionId: p.DefaultVersionId})).must(t).PolicyVersion
	if got := decodeDoc(t, v.Document); got != `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}` {
		t.Errorf("AdministratorAccess document = %s", got)
	}
	view := call(e.iam.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String("arn:aws:iam::aws:policy/job-function/ViewOnlyAccess")})).must(t).Policy
	if aws.ToString(view.Path) != "/job-function/" {
		t.Errorf("ViewOnlyAccess path = %s", aws.ToString(view.Path))
	}
	for _, name := range []string{"PowerUserAccess", "ReadOnlyAccess", "IAMReadOnlyAccess", "IAMFullAccess", "AWSOrganizationsReadOnlyAccess"} {
		p := call(e.iam.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String("arn:aws:iam::aws:policy/" + name)})).must(t).Policy
		if p.CreateDate == nil || p.CreateDate.IsZero() || p.CreateDate.Year() < 2015 {
			t.Errorf("%s CreateDate = %v", name, p.CreateDate)
		}
		v := call(e.iam.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: p.Arn, VersionId: p.DefaultVersionId})).must(t).PolicyVersion
		if !strings.Contains(decodeDoc(t, v.Document), `"Effect":"Allow"`) {
			t.Errorf("%s document = %s", name, decodeDoc(t, v.Document))
		}
	}
	_, err := e.iam.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(admin)})
	wantErr(t, err, "AccessDenied", 403)
	_, err = e.iam.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(admin), PolicyDocument: aws.String(doc("s3:*"))})
	wantErr(t, err, "AccessDenied", 403)
	_, err = e.iam.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String("arn:aws:iam::aws:policy/NoSuchPolicy")})
	wantErr(t, err, "NoSuchEntity", 404)

	call(e.iam.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("mine"), PolicyDocument: aws.String(doc("s3:*"))})).must(t)
	local := call(e.iam.ListPolicies(ctx, &iam.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal})).must(t).Policies
	if len(local) != 1 || aws.ToString(local[0].PolicyName) != "mine" {
		t.Errorf("Scope Local = %d policies", len(local))
	}
	awsOnly := call(e.iam.ListPolicies(ctx, &iam.ListPoliciesInput{Scope: types.PolicyScopeTypeAws})).must(t).Policies
	all := call(e.iam.ListPolicies(ctx, &iam.ListPoliciesInput{})).must(t).Policies
	if len(awsOnly) < 4 || len(all) != len(awsOnly)+1 {
		t.Errorf("Scope AWS = %d, All = %d", len(awsOnly), len(all))
	}
	call(e.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(trustAccount(e.AccountID))})).must(t)
	call(e.iam.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("r"), PolicyArn: aws.String(admin)})).must(t)
	attached := call(e.iam.ListPolicies(ctx, &iam.ListPoliciesInput{OnlyAttached: true})).must(t).Policies
	if len(attached) != 1 || aws.ToString(attached[0].Arn) != admin || aws.ToInt32(attached[0].AttachmentCount) != 1 {
		t.Errorf("OnlyAttached = %+v", attached)
	}
}

// TestInlinePolicies covers Put/Get/List/Delete for users, groups and roles.
func TestInlinePolicies(t *testing.T) {
	e := start(t)
	call(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("u")})).must(t)
	call(e.iam.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("g")})).must(t)
	call(e.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(trustAccount(e.AccountID))})).must(t)

	for _, name := range []string{"b", "a", "c"} {
		call(e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("u"), PolicyName: aws.String(name), PolicyDocument: aws.String(doc("s3:" + name))})).must(t)
		call(e.iam.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("g"), PolicyName: aws.String(name), PolicyDocument: aws.String(doc("s3:" + name))})).must(t)
		call(e.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("r"), PolicyName: aws.String(name), PolicyDocument: aws.String(doc("s3:" + name))})).must(t)
	}
	up := call(e.iam.GetUserPolicy(ctx, &iam.GetUserPolicyInput{UserName: aws.String("u"), PolicyName: aws.String("a")})).must(t)
	if aws.ToString(up.UserName) != "u" || decodeDoc(t, up.PolicyDocument) != doc("s3:a") {
		t.Errorf("GetUserPolicy = %s %s", aws.ToString(up.UserName), decodeDoc(t, up.PolicyDocument))
	}
	gp := call(e.iam.GetGroupPolicy(ctx, &iam.GetGroupPolicyInput{GroupName: aws.String("g"), PolicyName: aws.String("b")})).must(t)
	if aws.ToString(gp.GroupName) != "g" || decodeDoc(t, gp.PolicyDocument) != doc("s3:b") {
		t.Errorf("GetGroupPolicy = %s", aws.ToString(gp.GroupName))
	}
	rp := call(e.iam.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String("r"), PolicyName: aws.String("c")})).must(t)
	if aws.ToString(rp.RoleName) != "r" || decodeDoc(t, rp.PolicyDocument) != doc("s3:c") {
		t.Errorf("GetRolePolicy = %s", aws.ToString(rp.RoleName))
	}
	page := call(e.iam.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String("r"), MaxItems: aws.Int32(2)})).must(t)
	rest := call(e.iam.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String("r"), Marker: page.Marker})).must(t)
	if diff := cmp.Diff([]string{"a", "b", "c"}, append(page.PolicyNames, rest.PolicyNames...)); diff != "" || !page.IsTruncated || rest.IsTruncated {
		t.Errorf("ListRolePolicies pages (-want +got):\n%s", diff)
	}
	if n := call(e.iam.ListUserPolicies(ctx, &iam.ListUserPoliciesInput{UserName: aws.String("u")})).must(t).PolicyNames; len(n) != 3 {
		t.Errorf("ListUserPolicies = %v", n)
	}
	if n := call(e.iam.ListGroupPolicies(ctx, &iam.ListGroupPoliciesInput{GroupName: aws.String("g")})).must(t).PolicyNames; len(n) != 3 {
		t.Errorf("ListGroupPolicies = %v", n)
	}
	call(e.iam.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String("u"), PolicyName: aws.String("a")})).must(t)
	_, err := e.iam.GetUserPolicy(ctx, &iam.GetUserPolicyInput{UserName: aws.String("u"), PolicyName: aws.String("a")})
	wantErr(t, err, "NoSuchEntity", 404)
	_, err = e.iam.DeleteGroupPolicy(ctx, &iam.DeleteGroupPolicyInput{GroupName: aws.String("g"), PolicyName: aws.String("zzz")})
	wantErr(t, err, "NoSuchEntity", 404)
	_, err = e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("nobody"), PolicyName: aws.String("a"), PolicyDocument: aws.String(doc("s3:a"))})
	wantErr(t, err, "NoSuchEntity", 404)

	// Inline policy size quotas are per entity: 2,048 characters for a
	// user (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
	big := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":[` + strings.Repeat(`"s3:GetObject",`, 150) + `"s3:GetObject"],"Resource":"*"}]}`
	_, err = e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("u"), PolicyName: aws.String("big"), PolicyDocument: aws.String(big)})
	wantErr(t, err, "LimitExceeded", 409)
	call(e.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("r"), PolicyName: aws.String("big"), PolicyDocument: aws.String(big)})).must(t)
}

func TestAttachmentsAndEntitiesForPolicy(t *testing.T) {
	e := start(t)
	ro := "arn:aws:iam::aws:policy/ReadOnlyAccess"
	call(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("u")})).must(t)
	call(e.iam.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("g")})).must(t)
	call(e.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(trustAccount(e.AccountID))})).must(t)
	call(e.iam.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("u"), PolicyArn: aws.String(ro)})).must(t)
	call(e.iam.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("g"), PolicyArn: aws.String(ro)})).must(t)
	call(e.iam.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("r"), PolicyArn: aws.String(ro)})).must(t)
	// Attaching twice is a no-op.
	call(e.iam.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("r"), PolicyArn: aws.String(ro)})).must(t)
	_, err := e.iam.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("r"), PolicyArn: aws.String("arn:aws:iam::aws:policy/Nope")})
	wantErr(t, err, "NoSuchEntity", 404)
	_, err = e.iam.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("r"), PolicyArn: aws.String("not-an-arn")})
	wantErr(t, err, "InvalidInput", 400)

	ents := call(e.iam.ListEntitiesForPolicy(ctx, &iam.ListEntitiesForPolicyInput{PolicyArn: aws.String(ro)})).must(t)
	if len(ents.PolicyUsers) != 1 || len(ents.PolicyGroups) != 1 || len(ents.PolicyRoles) != 1 ||
		aws.ToString(ents.PolicyUsers[0].UserName) != "u" || !strings.HasPrefix(aws.ToString(ents.PolicyRoles[0].RoleId), "AROA") {
		t.Errorf("ListEntitiesForPolicy = %+v", ents)
	}
	roles := call(e.iam.ListEntitiesForPolicy(ctx, &iam.ListEntitiesForPolicyInput{PolicyArn: aws.String(ro), EntityFilter: types.EntityTypeRole})).must(t)
	if len(roles.PolicyRoles) != 1 || len(roles.PolicyUsers) != 0 {
		t.Errorf("EntityFilter Role = %+v", roles)
	}
	first := call(e.iam.ListEntitiesForPolicy(ctx, &iam.ListEntitiesForPolicyInput{PolicyArn: aws.String(ro), MaxItems: aws.Int32(2)})).must(t)
	next := call(e.iam.ListEntitiesForPolicy(ctx, &iam.ListEntitiesForPolicyInput{PolicyArn: aws.String(ro), Marker: first.Marker})).must(t)
	if n := len(first.PolicyGroups) + len(first.PolicyRoles) + len(first.PolicyUsers); n != 2 || !first.IsTruncated {
		t.Errorf("first page has %d entities", n)
	}
	if n := len(next.PolicyGroups) + len(next.PolicyRoles) + len(next.PolicyUsers); n != 1 || next.IsTruncated {
		t.Errorf("second page has %d entities", n)
	}

	ap := call(e.iam.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("r")})).must(t).AttachedPolicies
	if len(ap) != 1 || aws.ToString(ap[0].PolicyName) != "ReadOnlyAccess" || aws.ToString(ap[0].PolicyArn) != ro {
		t.Errorf("ListAttachedRolePolicies = %+v", ap)
	}
	if ap := call(e.iam.ListAttachedUserPolicies(ctx, &iam.ListAttachedUserPoliciesInput{UserName: aws.String("u")})).must(t).AttachedPolicies; len(ap) != 1 {
		t.Errorf("ListAttachedUserPolicies = %+v", ap)
	}
	if ap := call(e.iam.ListAttachedGroupPolicies(ctx, &iam.ListAttachedGroupPoliciesInput{GroupName: aws.String("g"), PathPrefix: aws.String("/job-function/")})).must(t).AttachedPolicies; len(ap) != 0 {
		t.Errorf("ListAttachedGroupPolicies with PathPrefix = %+v", ap)
	}
	_, err = e.iam.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: aws.String("g")})
	wantErr(t, err, "DeleteConflict", 409)
	call(e.iam.DetachGroupPolicy(ctx, &iam.DetachGroupPolicyInput{GroupName: aws.String("g"), PolicyArn: aws.String(ro)})).must(t)
	_, err = e.iam.DetachGroupPolicy(ctx, &iam.DetachGroupPolicyInput{GroupName: aws.String("g"), PolicyArn: aws.String(ro)})
	wantErr(t, err, "NoSuchEntity", 404)
	call(e.iam.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: aws.String("g")})).must(t)

	// At most 10 managed policies per entity.
	for i := range 10 {
		p := call(e.iam.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String(fmt.Sprintf("p%d", i)), PolicyDocument: aws.String(doc("s3:*"))})).must(t).Policy
		_, err := e.iam.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("u"), PolicyArn: p.Arn})
		if i < 9 && err != nil {
			t.Fatal(err)
		}
		if i == 9 {
			wantErr(t, err, "LimitExceeded", 409)
		}
	}
}
