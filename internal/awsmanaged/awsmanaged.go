// Package awsmanaged is bulkhead's catalog of AWS managed IAM policies: the
// documents AWS publishes at arn:aws:iam::aws:policy/<path><name>, which a
// layout names by name ("AdministratorAccess", "job-function/ViewOnlyAccess").
//
// The local AWS serves them from here (IAM GetPolicy, attachments) and the
// access engine evaluates them from here, so the two always agree on what a
// managed policy allows. It holds data only: no I/O, no other bulkhead
// package.
//
// Source: the AWS Managed Policy Reference,
// https://docs.aws.amazon.com/aws-managed-policy/latest/reference/<Name>.html.
// Each entry says which version it reproduces and whether it is verbatim or
// a compact form. Refresh by comparing each entry with that page. Compact
// forms exist where the real document is thousands of lines
// (ReadOnlyAccess): they grant the same families of read actions for the
// services in readServices and, like the original, no write action.
package awsmanaged

import (
	"sort"
	"strings"
	"time"
)

// Policy is one AWS managed policy.
type Policy struct {
	Name        string
	Path        string // "/" or "/job-function/"
	Version     string // the default version id AWS shows ("v12")
	Description string
	Created     time.Time
	Updated     time.Time
	Document    string // the policy JSON, compact
	// Verbatim is false for compact forms.
	Verbatim bool
}

// ARN is the policy's ARN.
func (p Policy) ARN() string { return "arn:aws:iam::aws:policy" + p.Path + p.Name }

// All returns every policy in the catalog, sorted by name.
func All() []Policy {
	ps := policies()
	sort.Slice(ps, func(i, j int) bool { return strings.ToLower(ps[i].Name) < strings.ToLower(ps[j].Name) })
	return ps
}

// Lookup finds a policy by how a layout names it: its name
// ("ViewOnlyAccess"), its path and name ("job-function/ViewOnlyAccess"), or
// its ARN.
func Lookup(name string) (Policy, bool) {
	name = strings.TrimPrefix(name, "arn:aws:iam::aws:policy")
	name = strings.TrimPrefix(name, "/")
	for _, p := range policies() {
		if name == p.Name || name == strings.TrimPrefix(p.Path, "/")+p.Name {
			return p, true
		}
	}
	return Policy{}, false
}

// Document returns the document of the policy named name (see Lookup); it
// has the signature the access engine's Options.Managed takes.
func Document(name string) ([]byte, bool) {
	p, ok := Lookup(name)
	if !ok {
		return nil, false
	}
	return []byte(p.Document), true
}

// readServices are the services the compact read-only documents cover: those
// the local AWS emulates and those bulkhead's users deploy to most.
var readServices = []string{
	"access-analyzer", "account", "acm", "apigateway", "application-autoscaling", "athena",
	"autoscaling", "backup", "budgets", "ce", "cloudformation", "cloudfront", "cloudtrail",
	"cloudwatch", "codebuild", "codecommit", "codedeploy", "codepipeline", "cognito-idp",
	"config", "dynamodb", "ec2", "ecr", "ecs", "eks", "elasticache", "elasticloadbalancing",
	"events", "firehose", "glue", "guardduty", "iam", "identitystore", "kinesis", "kms",
	"lambda", "logs", "organizations", "rds", "redshift", "route53", "s3", "secretsmanager",
	"securityhub", "servicequotas", "sns", "sqs", "ssm", "sso", "states", "sts", "tag",
	"waf", "wafv2", "xray",
}

// verbActions renders "svc:Verb" for every read service and verb, plus extra,
// as the items of a JSON array.
func verbActions(extra []string, verbs ...string) string {
	var out []string
	for _, s := range readServices {
		for _, v := range verbs {
			out = append(out, `"`+s+":"+v+`"`)
		}
	}
	for _, e := range extra {
		out = append(out, `"`+e+`"`)
	}
	return strings.Join(out, ",")
}

func day(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic("awsmanaged: bad date " + s) // constants below; TestCatalog covers every entry
	}
	return t
}

func policies() []Policy {
	return []Policy{
		{
			Name: "AdministratorAccess", Path: "/", Version: "v1", Verbatim: true,
			Description: "Provides full access to AWS services and resources.",
			Created:     day("2015-02-06T18:39:46Z"), Updated: day("2015-02-06T18:39:46Z"),
			Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`,
		},
		{
			Name: "PowerUserAccess", Path: "/", Version: "v12", Verbatim: true,
			Description: "Provides full access to AWS services and resources, but does not allow management of Users and groups.",
			Created:     day("2015-02-06T18:39:47Z"), Updated: day("2026-02-12T17:59:00Z"),
			Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":["iam:*","organizations:*","account:*"],"Resource":"*"},` +
				`{"Effect":"Allow","Action":["account:GetAccountInformation","account:GetGovCloudAccountInformation","account:GetPrimaryEmail","account:ListRegions",` +
				`"iam:CreateServiceLinkedRole","iam:DeleteServiceLinkedRole","iam:ListRoles","organizations:DescribeEffectivePolicy","organizations:DescribeOrganization"],"Resource":"*"}]}`,
		},
		{
			// Compact: the real document lists several thousand read
			// actions service by service (Describe*, Get*, List* and
			// read-only extras such as dynamodb:Query).
			Name: "ReadOnlyAccess", Path: "/", Version: "v1",
			Description: "Provides read-only access to AWS services and resources.",
			Created:     day("2015-02-06T18:39:48Z"), Updated: day("2015-02-06T18:39:48Z"),
			Document: `{"Version":"2012-10-17","Statement":[{"Sid":"ReadOnlyActions","Effect":"Allow","Action":[` +
				verbActions([]string{"dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:Scan", "logs:FilterLogEvents",
					"cloudtrail:LookupEvents", "s3:Head*"}, "Describe*", "Get*", "List*") + `],"Resource":"*"}]}`,
		},
		{
			// Compact form of the job-function policy: view resources and
			// metadata (List*, Describe*) but, unlike ReadOnlyAccess, never
			// read data.
			Name: "ViewOnlyAccess", Path: "/job-function/", Version: "v1",
			Description: "This policy grants permissions to view resources and basic metadata across all AWS services.",
			Created:     day("2016-11-10T17:20:15Z"), Updated: day("2016-11-10T17:20:15Z"),
			Document: `{"Version":"2012-10-17","Statement":[{"Sid":"GeneralViewOnlyAccessStatement","Effect":"Allow","Action":[` +
				verbActions(nil, "Describe*", "List*") + `],"Resource":"*"}]}`,
		},
		{
			Name: "IAMReadOnlyAccess", Path: "/", Version: "v4", Verbatim: true,
			Description: "Provides read only access to IAM via the AWS Management Console.",
			Created:     day("2015-02-06T18:40:00Z"), Updated: day("2018-01-25T19:11:27Z"),
			Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:GenerateCredentialReport","iam:GenerateServiceLastAccessedDetails","iam:Get*","iam:List*","iam:SimulateCustomPolicy","iam:SimulatePrincipalPolicy"],"Resource":"*"}]}`,
		},
		{
			Name: "IAMFullAccess", Path: "/", Version: "v2", Verbatim: true,
			Description: "Provides full access to IAM via the AWS Management Console.",
			Created:     day("2015-02-06T18:40:38Z"), Updated: day("2019-06-21T19:40:00Z"),
			Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:*","organizations:DescribeAccount","organizations:DescribeOrganization",` +
				`"organizations:DescribeOrganizationalUnit","organizations:DescribePolicy","organizations:ListChildren","organizations:ListParents",` +
				`"organizations:ListPoliciesForTarget","organizations:ListRoots","organizations:ListPolicies","organizations:ListTargetsForPolicy"],"Resource":"*"}]}`,
		},
		{
			Name: "AWSOrganizationsReadOnlyAccess", Path: "/", Version: "v6", Verbatim: true,
			Description: "Provides read-only access to AWS Organizations.",
			Created:     day("2018-11-06T20:32:00Z"), Updated: day("2024-06-07T21:32:00Z"),
			Document: `{"Version":"2012-10-17","Statement":[{"Sid":"AWSOrganizationsReadOnly","Effect":"Allow","Action":["organizations:Describe*","organizations:List*"],"Resource":"*"},` +
				`{"Sid":"AWSOrganizationsReadOnlyAccount","Effect":"Allow","Action":["account:GetAlternateContact","account:GetContactInformation","account:ListRegions","account:GetRegionOptStatus","account:GetPrimaryEmail"],"Resource":"*"}]}`,
		},
	}
}
