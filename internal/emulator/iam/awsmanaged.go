package iam

import (
	"crypto/sha256"
	"encoding/base32"

	"github.com/bulkhead-dev/bulkhead/internal/awsmanaged"
)

// AWS managed policies, addressable in every account as
// arn:aws:iam::aws:policy/<path><name>, come from the shared catalog in
// internal/awsmanaged, so the local AWS and the access engine agree on what
// each allows. They are compiled in, never stored: AWS owns them, so no
// account can change or delete them. Policy ids are synthetic (a stable hash
// of the ARN), not AWS's.

func awsRec(a awsmanaged.Policy) *policyRec {
	sum := sha256.Sum256([]byte(a.ARN()))
	id := "ANPA" + base32.StdEncoding.EncodeToString(sum[:])[:17]
	return &policyRec{Name: a.Name, Path: a.Path, ID: id, ARN: a.ARN(), Description: a.Description,
		Created: a.Created, Updated: a.Updated, DefaultVersion: a.Version, AWS: true,
		Versions: []versionRec{{ID: a.Version, Document: a.Document, Created: a.Updated}}}
}

// awsManagedPolicy returns the AWS managed policy with this ARN, or nil.
func awsManagedPolicy(arn string) *policyRec {
	for _, a := range awsmanaged.All() {
		if a.ARN() == arn {
			return awsRec(a)
		}
	}
	return nil
}

// awsManagedPolicies returns every AWS managed policy, by name.
func awsManagedPolicies() []*policyRec {
	all := awsmanaged.All()
	out := make([]*policyRec, 0, len(all))
	for _, a := range all {
		out = append(out, awsRec(a))
	}
	return out
}
