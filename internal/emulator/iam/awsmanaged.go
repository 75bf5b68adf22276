package iam

import (
	"crypto/sha256"
	"encoding/base32"
	"sort"
	"strings"
	"time"
)

// AWS managed policies, addressable in every account as
// arn:aws:iam::aws:policy/<path><name>. They are compiled in, never stored:
// AWS owns them, so no account can change or delete them.
//
// Documents come from the AWS Managed Policy Reference
// (https://docs.aws.amazon.com/aws-managed-policy/latest/reference/<Name>.html);
// each entry says which version it reproduces and whether it is verbatim or
// a compact form. Policy ids are synthetic (a stable hash of the ARN), not
// AWS's.

type awsPolicy struct {
	name, path, version, description string
	created, updated                 time.Time
	document                         string
}

func day(s string) time.Time {
	t, _ := time.Parse(time.RFC3339, s) // constants below; TestAWSManagedPolicies checks them
	return t
}

// readOnlyServices are the services the compact ReadOnlyAccess and
// ViewOnlyAccess documents cover.
var readOnlyServices = []string{
	"acm", "apigateway", "application-autoscaling", "athena", "autoscaling", "backup", "budgets",
	"ce", "cloudformation", "cloudfront", "cloudtrail", "cloudwatch", "codebuild", "codecommit",
	"codedeploy", "codepipeline", "cognito-idp", "config", "dynamodb", "ec2", "ecr", "ecs", "eks",
	"elasticache", "elasticloadbalancing", "events", "firehose", "glue", "guardduty", "iam", "kinesis",
	"kms", "lambda", "logs", "organizations", "rds", "redshift", "route53", "s3", "secretsmanager",
	"securityhub", "servicequotas", "sns", "sqs", "ssm", "states", "sts", "tag", "waf", "wafv2",
}

func actionsFor(verbs ...string) string {
	var out []string
	for _, s := range readOnlyServices {
		for _, v := range verbs {
			out = append(out, `"`+s+":"+v+`"`)
		}
	}
	return strings.Join(out, ",")
}

func awsPolicies() []awsPolicy {
	return []awsPolicy{
		{
			// Verbatim, v1 (the only version).
			name: "AdministratorAccess", path: "/", version: "v1",
			description: "Provides full access to AWS services and resources.",
			created:     day("2015-02-06T18:39:46Z"), updated: day("2015-02-06T18:39:46Z"),
			document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`,
		},
		{
			// Verbatim, v12 (edited 2026-02-12).
			name: "PowerUserAccess", path: "/", version: "v12",
			description: "Provides full access to AWS services and resources, but does not allow management of Users and groups.",
			created:     day("2015-02-06T18:39:47Z"), updated: day("2026-02-12T17:59:00Z"),
			document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":["iam:*","organizations:*","account:*"],"Resource":"*"},` +
				`{"Effect":"Allow","Action":["account:GetAccountInformation","account:GetGovCloudAccountInformation","account:GetPrimaryEmail","account:ListRegions",` +
				`"iam:CreateServiceLinkedRole","iam:DeleteServiceLinkedRole","iam:ListRoles","organizations:DescribeEffectivePolicy","organizations:DescribeOrganization"],"Resource":"*"}]}`,
		},
		{
			// Compact form: the real ReadOnlyAccess lists thousands of
			// read actions across every service; this grants the same
			// Describe*/Get*/List* families for the services in
			// readOnlyServices, which include those the local AWS
			// emulates. It grants no write action, like the original.
			name: "ReadOnlyAccess", path: "/", version: "v1",
			description: "Provides read-only access to AWS services and resources.",
			created:     day("2015-02-06T18:39:48Z"), updated: day("2015-02-06T18:39:48Z"),
			document: `{"Version":"2012-10-17","Statement":[{"Sid":"ReadOnlyActions","Effect":"Allow","Action":[` +
				actionsFor("Describe*", "Get*", "List*") + `],"Resource":"*"}]}`,
		},
		{
			// Compact form of the job-function policy (v45): view resources
			// and metadata (List*, Describe*) but, unlike ReadOnlyAccess,
			// never read data (no Get*).
			name: "ViewOnlyAccess", path: "/job-function/", version: "v1",
			description: "This policy grants permissions to view resources and basic metadata across all AWS services.",
			created:     day("2016-11-10T17:20:15Z"), updated: day("2016-11-10T17:20:15Z"),
			document: `{"Version":"2012-10-17","Statement":[{"Sid":"GeneralViewOnlyAccessStatement","Effect":"Allow","Action":[` +
				actionsFor("Describe*", "List*") + `],"Resource":"*"}]}`,
		},
		{
			// Verbatim, v4.
			name: "IAMReadOnlyAccess", path: "/", version: "v4",
			description: "Provides read only access to IAM via the AWS Management Console.",
			created:     day("2015-02-06T18:40:00Z"), updated: day("2018-01-25T19:11:27Z"),
			document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:GenerateCredentialReport","iam:GenerateServiceLastAccessedDetails","iam:Get*","iam:List*","iam:SimulateCustomPolicy","iam:SimulatePrincipalPolicy"],"Resource":"*"}]}`,
		},
		{
			// v2 as published: all of IAM plus the Organizations reads the
			// IAM console uses.
			name: "IAMFullAccess", path: "/", version: "v2",
			description: "Provides full access to IAM via the AWS Management Console.",
			created:     day("2015-02-06T18:40:38Z"), updated: day("2019-06-21T19:40:00Z"),
			document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:*","organizations:DescribeAccount","organizations:DescribeOrganization",` +
				`"organizations:DescribeOrganizationalUnit","organizations:DescribePolicy","organizations:ListChildren","organizations:ListParents",` +
				`"organizations:ListPoliciesForTarget","organizations:ListRoots","organizations:ListPolicies","organizations:ListTargetsForPolicy"],"Resource":"*"}]}`,
		},
		{
			// Verbatim, v6.
			name: "AWSOrganizationsReadOnlyAccess", path: "/", version: "v6",
			description: "Provides read-only access to AWS Organizations.",
			created:     day("2018-11-06T20:32:00Z"), updated: day("2024-06-07T21:32:00Z"),
			document: `{"Version":"2012-10-17","Statement":[{"Sid":"AWSOrganizationsReadOnly","Effect":"Allow","Action":["organizations:Describe*","organizations:List*"],"Resource":"*"},` +
				`{"Sid":"AWSOrganizationsReadOnlyAccount","Effect":"Allow","Action":["account:GetAlternateContact","account:GetContactInformation","account:ListRegions","account:GetRegionOptStatus","account:GetPrimaryEmail"],"Resource":"*"}]}`,
		},
	}
}

func (a awsPolicy) arn() string { return "arn:aws:iam::aws:policy" + a.path + a.name }

func (a awsPolicy) rec() *policyRec {
	sum := sha256.Sum256([]byte(a.arn()))
	id := "ANPA" + base32.StdEncoding.EncodeToString(sum[:])[:17]
	return &policyRec{Name: a.name, Path: a.path, ID: id, ARN: a.arn(), Description: a.description,
		Created: a.created, Updated: a.updated, DefaultVersion: a.version, AWS: true,
		Versions: []versionRec{{ID: a.version, Document: a.document, Created: a.updated}}}
}

// awsManagedPolicy returns the AWS managed policy with this ARN, or nil.
func awsManagedPolicy(arn string) *policyRec {
	for _, a := range awsPolicies() {
		if a.arn() == arn {
			return a.rec()
		}
	}
	return nil
}

// awsManagedPolicies returns every AWS managed policy, by name.
func awsManagedPolicies() []*policyRec {
	var out []*policyRec
	for _, a := range awsPolicies() {
		out = append(out, a.rec())
	}
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i].Name) < strings.ToLower(out[j].Name) })
	return out
}
