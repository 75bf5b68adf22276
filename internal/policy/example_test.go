package policy_test

import (
	"fmt"

	"github.com/bulkhead-dev/bulkhead/internal/policy"
)

func mustCompile(src string, kind policy.Kind) *policy.Compiled {
	p, diags := policy.Parse([]byte(src), policy.ParseOptions{File: "example.json", Kind: kind})
	if diags.HasErrors() {
		panic(diags.Err())
	}
	return policy.Compile(p)
}

// The local AWS and `bulkhead access` build a Set from the layers that apply
// to a caller and evaluate requests against it.
func Example() {
	readOnly := mustCompile(`{"Version": "2012-10-17", "Statement": [
	  {"Effect": "Allow", "Action": ["iam:Get*", "iam:List*"], "Resource": "*"}]}`, policy.Identity)
	regions := mustCompile(`{"Version": "2012-10-17", "Statement": [
	  {"Effect": "Allow", "Action": "*", "Resource": "*"},
	  {"Sid": "DenyOutsideEU", "Effect": "Deny", "NotAction": ["iam:*", "sts:*"], "Resource": "*",
	   "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1"]}}}]}`, policy.SCP)
	set := policy.NewSet(policy.Layers{
		Identity: []*policy.Compiled{readOnly},
		SCPs:     []policy.OrgLevel{{ID: "r-root", Policies: []*policy.Compiled{regions}}},
	})

	ask := func(action, resource, region string) {
		r := &policy.Request{
			Principal:       "arn:aws:sts::111122223333:assumed-role/Engineer/alice",
			Action:          action,
			Resource:        resource,
			ContextComplete: true,
		}
		r.Context.Set("aws:RequestedRegion", region)
		d, ex := set.Explain(r)
		if d.Allowed() {
			fmt.Println(action, "allowed")
			return
		}
		fmt.Println(policy.AccessDeniedMessage(r, d, ex))
	}
	ask("iam:GetRole", "arn:aws:iam::111122223333:role/app", "us-east-1")
	ask("iam:CreateRole", "arn:aws:iam::111122223333:role/app", "eu-west-1")
	ask("s3:ListAllMyBuckets", "*", "us-east-1")
	// Output:
	// iam:GetRole allowed
	// User: arn:aws:sts::111122223333:assumed-role/Engineer/alice is not authorized to perform: iam:CreateRole on resource: arn:aws:iam::111122223333:role/app because no identity-based policy allows the iam:CreateRole action
	// User: arn:aws:sts::111122223333:assumed-role/Engineer/alice is not authorized to perform: s3:ListAllMyBuckets with an explicit deny in a service control policy
}
