package iam_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/google/go-cmp/cmp"

	emuiam "github.com/bulkhead-dev/bulkhead/internal/emulator/iam"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/service"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/store"
)

// TestPrincipalPolicies checks what IAM hands the policy engine for a user
// (its own and its groups' policies, boundary, tags) and a role session.
func TestPrincipalPolicies(t *testing.T) {
	e := start(t)
	u := call(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice"), Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("a")}},
		PermissionsBoundary: aws.String("arn:aws:iam::aws:policy/PowerUserAccess")})).must(t).User
	call(e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("own"), PolicyDocument: aws.String(doc("s3:*"))})).must(t)
	call(e.iam.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("devs")})).must(t)
	call(e.iam.AddUserToGroup(ctx, &iam.AddUserToGroupInput{UserName: aws.String("alice"), GroupName: aws.String("devs")})).must(t)
	call(e.iam.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("devs"), PolicyArn: aws.String("arn:aws:iam::aws:policy/IAMReadOnlyAccess")})).must(t)
	call(e.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(trustAccount(e.AccountID))})).must(t)
	call(e.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("r"), PolicyName: aws.String("all"), PolicyDocument: aws.String(allowAll)})).must(t)
	sess := call(e.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + e.AccountID + ":role/r"), RoleSessionName: aws.String("s1")})).must(t)

	type summary struct {
		Found    bool
		Policies []string
		Boundary string
		Tags     map[string]string
	}
	sum := func(pp emuiam.PrincipalPolicies) summary {
		s := summary{Found: pp.Found, Boundary: pp.BoundaryARN, Tags: pp.Tags}
		for _, p := range pp.Identity {
			s.Policies = append(s.Policies, p.Kind+" "+p.Name+" on "+p.Owner)
			if p.Document == "" {
				t.Errorf("policy %s has no document", p.Name)
			}
		}
		return s
	}
	svc := emuiam.New(emuiam.Config{})
	var user, role summary
	var trust string
	err := e.Emulator.Read(ctx, func(tx store.Tx) error {
		pp, err := svc.PrincipalPolicies(tx, service.Identity{Account: e.AccountID, Type: "User", Name: "alice", UserID: aws.ToString(u.UserId), ARN: aws.ToString(u.Arn)})
		if err != nil {
			return err
		}
		user = sum(pp)
		pp, err = svc.PrincipalPolicies(tx, service.Identity{Account: e.AccountID, Type: "AssumedRole", UserID: aws.ToString(sess.AssumedRoleUser.AssumedRoleId),
			RoleARN: "arn:aws:iam::" + e.AccountID + ":role/r"})
		if err != nil {
			return err
		}
		role = sum(pp)
		var found bool
		trust, found, err = emuiam.RoleTrustPolicy(tx, "arn:aws:iam::"+e.AccountID+":role/r")
		if !found {
			t.Error("RoleTrustPolicy: role not found")
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	userARN, groupARN := "arn:aws:iam::"+e.AccountID+":user/alice", "arn:aws:iam::"+e.AccountID+":group/devs"
	want := summary{Found: true, Policies: []string{"inline own on " + userARN, "managed IAMReadOnlyAccess on " + groupARN},
		Boundary: "arn:aws:iam::aws:policy/PowerUserAccess", Tags: map[string]string{"team": "a"}}
	if diff := cmp.Diff(want, user); diff != "" {
		t.Errorf("user's policies (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(summary{Found: true, Policies: []string{"inline all on arn:aws:iam::" + e.AccountID + ":role/r"}}, role); diff != "" {
		t.Errorf("role session's policies (-want +got):\n%s", diff)
	}
	if trust != trustAccount(e.AccountID) {
		t.Errorf("RoleTrustPolicy = %s", trust)
	}
}
