package access

import "strings"

// This file holds the AWS managed policies the examples and blueprints use,
// until the shared catalog of AWS managed policy documents exists (the lead
// plans internal/awsmanaged; the local AWS keeps its own copy in
// internal/emulator/iam, which this package must not import). The CLI wires
// Options.Managed to whichever catalog is current.
//
// AdministratorAccess and PowerUserAccess are the real documents.
// ReadOnlyAccess and ViewOnlyAccess are compact but faithful forms: the real
// ReadOnlyAccess lists several thousand read actions service by service
// (Describe*, Get*, List* and read-only extras such as dynamodb:Query); here it
// is the same verbs for the services bulkhead models, which gives every
// question `bulkhead access` asks the same answer. The real ViewOnlyAccess
// grants List* and Describe* (and a few Get* for metadata) without reading
// data; the compact form is List* and Describe*.

// managedServices are the services the compact read-only documents cover.
func managedServices() []string {
	return []string{
		"access-analyzer", "account", "acm", "apigateway", "application-autoscaling", "athena",
		"autoscaling", "backup", "budgets", "ce", "cloudformation", "cloudfront", "cloudtrail",
		"cloudwatch", "codebuild", "codecommit", "codedeploy", "codepipeline", "cognito-idp",
		"config", "dynamodb", "ec2", "ecr", "ecs", "eks", "elasticache", "elasticloadbalancing",
		"events", "firehose", "glue", "guardduty", "iam", "identitystore", "kinesis", "kms",
		"lambda", "logs", "organizations", "rds", "redshift", "route53", "s3", "secretsmanager",
		"securityhub", "servicequotas", "sns", "sqs", "ssm", "sso", "states", "sts", "tag",
		"waf", "wafv2", "xray",
	}
}

func verbActions(extra []string, verbs ...string) string {
	var out []string
	for _, s := range managedServices() {
		for _, v := range verbs {
			out = append(out, `"`+s+":"+v+`"`)
		}
	}
	for _, e := range extra {
		out = append(out, `"`+e+`"`)
	}
	return strings.Join(out, ",")
}

// BuiltinManaged returns the document of an AWS managed policy bulkhead
// knows by name (AdministratorAccess, PowerUserAccess, ReadOnlyAccess,
// ViewOnlyAccess).
func BuiltinManaged(name string) ([]byte, bool) {
	switch name {
	case "AdministratorAccess":
		return []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`), true
	case "PowerUserAccess":
		return []byte(`{"Version":"2012-10-17","Statement":[` +
			`{"Effect":"Allow","NotAction":["iam:*","organizations:*","account:*"],"Resource":"*"},` +
			`{"Effect":"Allow","Action":["account:GetAccountInformation","account:GetPrimaryEmail","account:ListRegions",` +
			`"iam:CreateServiceLinkedRole","iam:DeleteServiceLinkedRole","iam:ListRoles",` +
			`"organizations:DescribeEffectivePolicy","organizations:DescribeOrganization"],"Resource":"*"}]}`), true
	case "ReadOnlyAccess":
		extra := []string{"dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:Scan", "logs:FilterLogEvents",
			"cloudtrail:LookupEvents", "s3:Head*"}
		return []byte(`{"Version":"2012-10-17","Statement":[{"Sid":"ReadOnlyActions","Effect":"Allow","Action":[` +
			verbActions(extra, "Describe*", "Get*", "List*") + `],"Resource":"*"}]}`), true
	case "ViewOnlyAccess":
		return []byte(`{"Version":"2012-10-17","Statement":[{"Sid":"GeneralViewOnlyAccessStatement","Effect":"Allow","Action":[` +
			verbActions(nil, "Describe*", "List*") + `],"Resource":"*"}]}`), true
	}
	return nil, false
}
