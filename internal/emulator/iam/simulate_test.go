package iam_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

func TestSimulatePrincipalPolicy(t *testing.T) {
	e := start(t)
	call(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice")})).must(t)
	call(e.iam.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("readers")})).must(t)
	call(e.iam.AddUserToGroup(ctx, &iam.AddUserToGroupInput{UserName: aws.String("alice"), GroupName: aws.String("readers")})).must(t)
	call(e.iam.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("readers"), PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")})).must(t)
	call(e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("no-secrets"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Sid":"NoSecrets","Effect":"Deny","Action":"secretsmanager:*","Resource":"*"}]}`)})).must(t)
	user := "arn:aws:iam::" + e.AccountID + ":user/alice"

	out := call(e.iam.SimulatePrincipalPolicy(ctx, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(user),
		ActionNames: []string{"s3:GetObject", "s3:PutObject", "secretsmanager:GetSecretValue"}, ResourceArns: []string{"arn:aws:s3:::bucket/key"}})).must(t)
	got := map[string]types.PolicyEvaluationDecisionType{}
	for _, r := range out.EvaluationResults {
		got[aws.ToString(r.EvalActionName)] = r.EvalDecision
	}
	want := map[string]types.PolicyEvaluationDecisionType{"s3:GetObject": "allowed", "s3:PutObject": "implicitDeny", "secretsmanager:GetSecretValue": "explicitDeny"}
	for a, d := range want {
		if got[a] != d {
			t.Errorf("%s: %s, want %s", a, got[a], d)
		}
	}
	for _, r := range out.EvaluationResults {
		if r.EvalDecision == "allowed" {
			if len(r.MatchedStatements) == 0 || r.MatchedStatements[0].SourcePolicyType != types.PolicySourceTypeAwsManaged || aws.ToString(r.MatchedStatements[0].SourcePolicyId) != "ReadOnlyAccess" {
				t.Errorf("allowed by %+v", r.MatchedStatements)
			}
		}
		if r.EvalDecision == "explicitDeny" {
			if len(r.MatchedStatements) != 1 || aws.ToString(r.MatchedStatements[0].SourcePolicyId) != "no-secrets" || r.MatchedStatements[0].StartPosition == nil {
				t.Errorf("denied by %+v", r.MatchedStatements)
			}
		}
	}

	// A permissions boundary narrows the result.
	call(e.iam.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("alice"), PermissionsBoundary: aws.String("arn:aws:iam::aws:policy/IAMReadOnlyAccess")})).must(t)
	out = call(e.iam.SimulatePrincipalPolicy(ctx, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(user), ActionNames: []string{"s3:GetObject"}})).must(t)
	r := out.EvaluationResults[0]
	if r.EvalDecision != "implicitDeny" || r.PermissionsBoundaryDecisionDetail == nil || r.PermissionsBoundaryDecisionDetail.AllowedByPermissionsBoundary {
		t.Errorf("with a boundary: %s %+v", r.EvalDecision, r.PermissionsBoundaryDecisionDetail)
	}

	// Pages of results.
	page := call(e.iam.SimulatePrincipalPolicy(ctx, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String("arn:aws:iam::" + e.AccountID + ":group/readers"),
		ActionNames: []string{"ec2:DescribeInstances", "ec2:RunInstances", "iam:GetUser"}, MaxItems: aws.Int32(2)})).must(t)
	if len(page.EvaluationResults) != 2 || !page.IsTruncated || page.EvaluationResults[0].EvalDecision != "allowed" || page.EvaluationResults[1].EvalDecision != "implicitDeny" {
		t.Errorf("group simulation page = %+v", page.EvaluationResults)
	}
	_, err := e.iam.SimulatePrincipalPolicy(ctx, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String("arn:aws:iam::" + e.AccountID + ":user/nobody"), ActionNames: []string{"s3:GetObject"}})
	wantErr(t, err, "NoSuchEntity", 404)
}

func TestSimulateCustomPolicy(t *testing.T) {
	e := start(t)
	out := call(e.iam.SimulateCustomPolicy(ctx, &iam.SimulateCustomPolicyInput{
		PolicyInputList: []string{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}`},
		ActionNames:     []string{"s3:DeleteBucket"},
		ContextEntries:  []types.ContextEntry{{ContextKeyName: aws.String("aws:MultiFactorAuthPresent"), ContextKeyValues: []string{"true"}, ContextKeyType: types.ContextKeyTypeEnumBoolean}},
	})).must(t)
	if d := out.EvaluationResults[0].EvalDecision; d != "allowed" {
		t.Errorf("with MFA: %s", d)
	}
	out = call(e.iam.SimulateCustomPolicy(ctx, &iam.SimulateCustomPolicyInput{
		PolicyInputList: []string{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}`},
		ActionNames:     []string{"s3:DeleteBucket"},
	})).must(t)
	if d := out.EvaluationResults[0].EvalDecision; d != "implicitDeny" {
		t.Errorf("without MFA: %s", d)
	}
	_, err := e.iam.SimulateCustomPolicy(ctx, &iam.SimulateCustomPolicyInput{PolicyInputList: []string{`{"Statement":`}, ActionNames: []string{"s3:GetObject"}})
	wantErr(t, err, "InvalidInput", 400)
}
