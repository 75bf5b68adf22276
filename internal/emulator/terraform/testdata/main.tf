terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "5.100.0" }
  }
}
variable "endpoint" {}
provider "aws" {
  region = "us-east-1"
  endpoints {
    organizations = var.endpoint
    iam           = var.endpoint
    sts           = var.endpoint
  }
}
data "aws_caller_identity" "me" {}
resource "aws_organizations_organization" "org" {
  feature_set          = "ALL"
  enabled_policy_types = ["SERVICE_CONTROL_POLICY"]
}
resource "aws_organizations_organizational_unit" "workloads" {
  name      = "Workloads"
  parent_id = aws_organizations_organization.org.roots[0].id
}
resource "aws_organizations_policy" "deny_leave" {
  # Policies exist only in an organization: create it first, as with AWS.
  depends_on = [aws_organizations_organization.org]
  name       = "deny-leave"
  content    = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Deny", Action = "organizations:LeaveOrganization", Resource = "*" }] })
}
resource "aws_organizations_policy_attachment" "ou" {
  policy_id = aws_organizations_policy.deny_leave.id
  target_id = aws_organizations_organizational_unit.workloads.id
}
resource "aws_iam_role" "deployer" {
  name               = "deployer"
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.me.account_id}:root" }, Action = "sts:AssumeRole" }] })
}
output "account" { value = data.aws_caller_identity.me.account_id }
output "ou" { value = aws_organizations_organizational_unit.workloads.id }
