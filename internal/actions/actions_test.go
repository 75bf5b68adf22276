package actions

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		prefix, name string
		want         Class
	}{
		{"s3", "GetObject", Read},
		{"s3", "ListBucket", Read},
		{"ec2", "DescribeInstances", Read},
		{"dynamodb", "BatchGetItem", Read},
		{"dynamodb", "Query", Read},
		{"dynamodb", "Scan", Read},
		{"logs", "FilterLogEvents", Read},
		{"sts", "GetCallerIdentity", Read},
		{"sts", "DecodeAuthorizationMessage", Read},
		{"iam", "GetRole", Read},
		{"iam", "SimulatePrincipalPolicy", Read},
		{"s3", "PutObject", Write},
		{"ec2", "RunInstances", Write},
		{"lambda", "InvokeFunction", Write},
		{"dynamodb", "DeleteTable", Write},
		{"ec2", "CreateNetworkAcl", Write},    // network ACLs are not permissions
		{"logs", "PutRetentionPolicy", Write}, // configures, does not grant
		{"ecr", "PutLifecyclePolicy", Write},
		{"ec2", "CreateTransitGatewayPolicyTable", Write},
		{"cloudtrail", "StopLogging", Write},
		{"s3", "Getaway", Write}, // Get must be a whole word
		{"iam", "CreateRole", Admin},
		{"iam", "AttachRolePolicy", Admin},
		{"iam", "PassRole", Admin},
		{"iam", "UpdateAssumeRolePolicy", Admin},
		{"iam", "CreateAccessKey", Admin},
		{"organizations", "AttachPolicy", Admin},
		{"sso", "CreatePermissionSet", Admin},
		{"kms", "PutKeyPolicy", Admin},
		{"kms", "CreateGrant", Admin},
		{"lambda", "AddPermission", Admin},
		{"s3", "PutBucketPolicy", Admin},
		{"s3", "PutBucketAcl", Admin},
		{"sqs", "AddPermission", Admin},
		{"secretsmanager", "PutResourcePolicy", Admin},
		{"cognito-identity", "SetIdentityPoolRoles", Admin},
		{"apigateway", "GET", Read},
		{"apigateway", "PATCH", Write},
		{"sts", "AssumeRole", None},
		{"sts", "AssumeRoleWithWebIdentity", None},
	}
	for _, tt := range tests {
		if got := Classify(tt.prefix, tt.name); got != tt.want {
			t.Errorf("Classify(%s:%s) = %v, want %v", tt.prefix, tt.name, got, tt.want)
		}
	}
}

// TestCatalogServices checks that the services bulkhead's users touch most
// are in the generated catalog under their IAM prefix, each with actions of
// the classes one expects.
func TestCatalogServices(t *testing.T) {
	c := New()
	for _, p := range []string{"iam", "sts", "organizations", "s3", "ec2", "lambda", "dynamodb",
		"cloudformation", "cloudtrail", "kms", "logs", "sqs", "sns", "apigateway", "ecs", "rds",
		"route53", "secretsmanager", "ssm", "cloudwatch", "events", "states", "ecr",
		"elasticloadbalancing", "cognito-idp", "kinesis", "budgets", "ce", "servicequotas", "account"} {
		s, ok := c.Service(p)
		if !ok {
			t.Errorf("service %s missing from the catalog", p)
			continue
		}
		var n [4]int
		for _, a := range s.Actions {
			n[a.Class]++
		}
		if n[Read] == 0 || n[Write]+n[Admin] == 0 && p != "sts" { // sts has only reads once AssumeRole* is left to the graph
			t.Errorf("service %s: %d read, %d write, %d admin actions", p, n[Read], n[Write], n[Admin])
		}
	}
	for _, p := range []string{"monitoring", "stepfunctions", "elbv2", "api.ecr", "service-quotas"} {
		if _, ok := c.Service(p); ok {
			t.Errorf("service %s is listed under its botocore name, not its IAM prefix", p)
		}
	}
	if c.Len() < 2000 {
		t.Errorf("catalog has %d actions, want the full models", c.Len())
	}
}

func TestMatch(t *testing.T) {
	c := New()
	names := func(as []Action) []string {
		var out []string
		for _, a := range as {
			out = append(out, a.String()+"="+a.Class.String())
		}
		return out
	}
	tests := []struct {
		pattern string
		want    []string
	}{
		{"s3:PutBucketPolicy", []string{"s3:PutBucketPolicy=admin"}},
		{"S3:putbucketpolicy", []string{"s3:PutBucketPolicy=admin"}},
		{"sts:Get*", []string{"sts:GetAccessKeyInfo=read", "sts:GetCallerIdentity=read", "sts:GetFederationToken=read", "sts:GetSessionToken=read"}},
		{"s3:ListObjectsV2", []string{"s3:ListObjectsV2=none"}}, // not an IAM action: kept as given
		{"s3:Nothing*", nil},
		{"sqs:?ddPermission", []string{"sqs:AddPermission=admin"}},
		{"nocolon", nil},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, names(c.Match(tt.pattern))); diff != "" {
			t.Errorf("Match(%q) (-want +got):\n%s", tt.pattern, diff)
		}
	}
}
