package blueprint

import (
	"encoding/json"
	"fmt"
)

// The policy documents the blueprints reference. They are built as Go values
// and marshalled, so they are valid JSON by construction and their key order
// is fixed (struct field order), keeping Generate deterministic.

type policyDocument struct {
	Version   string      `json:"Version"`
	Statement []statement `json:"Statement"`
}

type statement struct {
	Sid       string                       `json:"Sid"`
	Effect    string                       `json:"Effect"`
	Action    []string                     `json:"Action"`
	Resource  any                          `json:"Resource"`
	Condition map[string]map[string]string `json:"Condition,omitempty"`
}

// iamVersion is the current IAM policy language version.
const iamVersion = "2012-10-17"

// guardrails is the SCP attached over the workload and sandbox units.
//
// The statements follow AWS's examples: denying LeaveOrganization
// (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_examples_general.html),
// keeping CloudTrail on, and protecting a role from every principal but
// itself, with the action list of Control Tower's CT.IAM.PV.1
// (https://docs.aws.amazon.com/controltower/latest/controlreference/ct-iam-pv-1.html).
func guardrails() policyDocument {
	role := "arn:aws:iam::*:role/" + accessRole
	return policyDocument{Version: iamVersion, Statement: []statement{
		{
			Sid:      "DenyLeavingTheOrganization",
			Effect:   "Deny",
			Action:   []string{"organizations:LeaveOrganization"},
			Resource: "*",
		},
		{
			Sid:    "DenyStoppingCloudTrail",
			Effect: "Deny",
			Action: []string{
				"cloudtrail:DeleteTrail",
				"cloudtrail:PutEventSelectors",
				"cloudtrail:StopLogging",
				"cloudtrail:UpdateTrail",
			},
			Resource: "*",
		},
		{
			Sid:    "ProtectTheOrganizationAccessRole",
			Effect: "Deny",
			Action: []string{
				"iam:AttachRolePolicy",
				"iam:DeleteRole",
				"iam:DeleteRolePermissionsBoundary",
				"iam:DeleteRolePolicy",
				"iam:DetachRolePolicy",
				"iam:PutRolePermissionsBoundary",
				"iam:PutRolePolicy",
				"iam:TagRole",
				"iam:UntagRole",
				"iam:UpdateAssumeRolePolicy",
				"iam:UpdateRole",
				"iam:UpdateRoleDescription",
			},
			Resource:  role,
			Condition: map[string]map[string]string{"ArnNotLike": {"aws:PrincipalARN": role}},
		},
	}}
}

// appServices are the services a serverless application is deployed with
// (seeds 000 and 003 are about the Serverless Framework): what appeng may
// change in staging and the deployer in staging and production.
var appServices = []string{
	"apigateway:*",
	"cloudformation:*",
	"cloudwatch:*",
	"dynamodb:*",
	"events:*",
	"lambda:*",
	"logs:*",
	"s3:*",
	"sns:*",
	"sqs:*",
	"ssm:GetParameter*",
	"states:*",
	"xray:*",
}

// roleActions let a deploy create and manage its functions' roles; the
// platform's own roles are denied below so that nobody raises their own
// permissions.
var roleActions = []string{
	"iam:AttachRolePolicy",
	"iam:CreateRole",
	"iam:DeleteRole",
	"iam:DeleteRolePolicy",
	"iam:DetachRolePolicy",
	"iam:GetRole",
	"iam:GetRolePolicy",
	"iam:ListAttachedRolePolicies",
	"iam:ListRolePolicies",
	"iam:PassRole",
	"iam:PutRolePolicy",
	"iam:TagRole",
	"iam:UntagRole",
}

func protectPlatformRoles() statement {
	return statement{
		Sid:    "DenyChangingThePlatformRoles",
		Effect: "Deny",
		Action: []string{"iam:*"},
		Resource: []string{
			"arn:aws:iam::*:role/" + accessRole,
			"arn:aws:iam::*:role/" + roleAppEng,
			"arn:aws:iam::*:role/" + roleDeployer,
		},
	}
}

// stageAppEng is appeng's policy in staging accounts: deploy and debug the
// application's services, nothing else (no IAM users, no organization, no
// CloudTrail, no networking), and never delete the data stores by hand, the
// accident seed 000 opens with ("removes a DynamoDB table"). More than
// production's ReadOnlyAccess, less than development's AdministratorAccess
// (seed 002).
func stageAppEng() policyDocument {
	return policyDocument{Version: iamVersion, Statement: []statement{
		{Sid: "DeployTheApplication", Effect: "Allow", Action: appServices, Resource: "*"},
		{Sid: "ManageTheApplicationRoles", Effect: "Allow", Action: roleActions, Resource: "arn:aws:iam::*:role/*"},
		{
			Sid:    "KeepTheData",
			Effect: "Deny",
			Action: []string{
				"dynamodb:DeleteBackup",
				"dynamodb:DeleteTable",
				"s3:DeleteBucket",
			},
			Resource: "*",
		},
		protectPlatformRoles(),
	}}
}

// deploy is the deployer's (CI's) policy in staging and production.
func deploy() policyDocument {
	return policyDocument{Version: iamVersion, Statement: []statement{
		{Sid: "DeployTheApplication", Effect: "Allow", Action: appServices, Resource: "*"},
		{Sid: "ManageTheApplicationRoles", Effect: "Allow", Action: roleActions, Resource: "arn:aws:iam::*:role/*"},
		protectPlatformRoles(),
	}}
}

// policyFiles are the JSON files the blueprint's layout references.
func policyFiles(o Options) []File {
	files := []File{
		jsonFile(deployPath, deploy()),
		jsonFile(guardrailPath, guardrails()),
	}
	if hasStaging(o) {
		files = append(files, jsonFile(stagePath, stageAppEng()))
	}
	return files
}

// hasStaging reports whether the blueprint has staging accounts, and so
// references the staging appeng policy.
func hasStaging(o Options) bool {
	return o.Blueprint != Minimal && len(o.Stages) > 0
}

func jsonFile(path string, v policyDocument) File {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		// The documents are fixed Go values; failing to marshal one is a bug.
		panic(fmt.Sprintf("blueprint: marshal %s: %v", path, err))
	}
	return File{Path: path, Data: append(b, '\n')}
}
