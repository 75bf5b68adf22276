package actions

import "strings"

// The tables below are functions so that the package holds no mutable state.

// adminServices are the services whose every change is a change of who can
// do what: identities, their policies, the organization and its policies,
// IAM Identity Center's permission sets and users.
func adminServices() []string { return []string{"iam", "organizations", "sso", "identitystore"} }

// readPrefixes start the names of operations that only read.
func readPrefixes() []string {
	return []string{
		"Get", "List", "Describe", "BatchGet", "Head", "Lookup", "Search", "Query", "Scan",
		"Select", "Filter", "Check", "Validate", "Simulate", "Estimate", "Preview", "View",
		"Test", "Detect", "Is", "Decode",
	}
}

// adminWords mark, in any service, an operation that changes a resource-based
// policy, a grant or an ACL: AddPermission, PutBucketPolicy, PutKeyPolicy,
// CreateGrant, PutBucketAcl, SetRepositoryPolicy, PutResourcePolicy...
func adminWords() []string {
	return []string{"Permission", "Grant", "Acl", "PublicAccessBlock", "IdentityPoolRoles"}
}

// nonPermissionPolicies are "...Policy" names that configure a resource
// rather than say who may use it.
func nonPermissionPolicies() []string {
	return []string{
		"Retention", "Lifecycle", "Scaling", "Backup", "Replication", "Scheduling", "Health",
		"Password", "DataProtection", "Index", "Subscription", "Traffic", "Accounting",
		"Delivery", "Routing", "Anomaly", "Transformer", "Field", "Query", "Account",
		"Lb", "LoadBalancer", "Cache", "Origin", "ResponseHeaders", "Continuous", "Snapshot",
		"Audit", "Archive", "Storage", "Encryption", "Deployment", "OriginRequest", "Stack",
	}
}

// Classify gives an action its access class from its IAM prefix and name
// (see the package comment). It returns None for the actions the catalog
// leaves out on purpose (sts:AssumeRole*).
func Classify(prefix, name string) Class {
	if prefix == "sts" && strings.HasPrefix(name, "AssumeRole") {
		return None
	}
	if prefix == "apigateway" {
		if name == "GET" {
			return Read
		}
		return Write
	}
	read := false
	for _, p := range readPrefixes() {
		if strings.HasPrefix(name, p) && (len(name) == len(p) || isUpper(name[len(p)])) {
			read = true
			break
		}
	}
	if read {
		return Read
	}
	if prefix == "iam" && name == "PassRole" {
		return Admin
	}
	for _, s := range adminServices() {
		if prefix == s {
			return Admin
		}
	}
	if prefix == "cognito-identity" && strings.HasPrefix(name, "Set") {
		return Admin
	}
	for _, w := range adminWords() {
		if strings.Contains(name, w) && !strings.Contains(name, "NetworkAcl") {
			return Admin
		}
	}
	if i := strings.Index(name, "Policy"); i > 0 && !strings.Contains(name, "PolicyTable") {
		before := name[:i]
		permission := true
		for _, w := range nonPermissionPolicies() {
			if strings.HasSuffix(before, w) {
				permission = false
				break
			}
		}
		if permission {
			return Admin
		}
	}
	return Write
}

func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' }

// s3Rename maps the S3 API operations that IAM authorizes under another
// action name.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-with-s3-policy-actions.html
func s3Rename(op string) (string, bool) {
	n, ok := map[string]string{
		"ListObjects":                        "ListBucket",
		"ListObjectsV2":                      "ListBucket",
		"HeadBucket":                         "ListBucket",
		"ListObjectVersions":                 "ListBucketVersions",
		"HeadObject":                         "GetObject",
		"GetObjectAttributes":                "GetObjectAttributes",
		"DeleteObjects":                      "DeleteObject",
		"CopyObject":                         "PutObject",
		"UploadPart":                         "PutObject",
		"UploadPartCopy":                     "PutObject",
		"CreateMultipartUpload":              "PutObject",
		"CompleteMultipartUpload":            "PutObject",
		"ListParts":                          "ListMultipartUploadParts",
		"ListMultipartUploads":               "ListBucketMultipartUploads",
		"GetBucketLifecycle":                 "GetLifecycleConfiguration",
		"GetBucketLifecycleConfiguration":    "GetLifecycleConfiguration",
		"PutBucketLifecycle":                 "PutLifecycleConfiguration",
		"PutBucketLifecycleConfiguration":    "PutLifecycleConfiguration",
		"DeleteBucketLifecycle":              "PutLifecycleConfiguration",
		"GetBucketCors":                      "GetBucketCORS",
		"PutBucketCors":                      "PutBucketCORS",
		"DeleteBucketCors":                   "PutBucketCORS",
		"GetBucketEncryption":                "GetEncryptionConfiguration",
		"PutBucketEncryption":                "PutEncryptionConfiguration",
		"DeleteBucketEncryption":             "PutEncryptionConfiguration",
		"GetPublicAccessBlock":               "GetBucketPublicAccessBlock",
		"PutPublicAccessBlock":               "PutBucketPublicAccessBlock",
		"DeletePublicAccessBlock":            "PutBucketPublicAccessBlock",
		"DeleteBucketTagging":                "PutBucketTagging",
		"DeleteBucketWebsite":                "DeleteBucketWebsite",
		"DeleteBucketReplication":            "PutReplicationConfiguration",
		"GetBucketReplication":               "GetReplicationConfiguration",
		"PutBucketReplication":               "PutReplicationConfiguration",
		"GetBucketNotificationConfiguration": "GetBucketNotification",
		"PutBucketNotificationConfiguration": "PutBucketNotification",
		"GetObjectLockConfiguration":         "GetBucketObjectLockConfiguration",
		"PutObjectLockConfiguration":         "PutBucketObjectLockConfiguration",
		"SelectObjectContent":                "GetObject",
		"WriteGetObjectResponse":             "WriteGetObjectResponse",
	}[op]
	return n, ok
}

// IAMName maps an API operation to the IAM action that authorizes it, for
// the services where the two differ.
func IAMName(prefix, op string) string {
	if prefix == "s3" {
		if n, ok := s3Rename(op); ok {
			return n
		}
	}
	return op
}
