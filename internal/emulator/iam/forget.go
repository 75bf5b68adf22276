package iam

import (
	"strings"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/store"
)

// forgetPrincipal does what AWS does to trust policies naming a user or
// role that is deleted: the principal's ARN becomes its unique id, so that
// a new user or role created later under the same name is not trusted by
// accident ("If you delete and recreate the role ... the new role has a
// different unique ID", https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-roles).
// Every account's roles are rewritten: cross-account trusts name
// principals of other accounts.
func forgetPrincipal(tx store.Tx, arn, uniqueID string) error {
	quoted, replacement := `"`+arn+`"`, `"`+uniqueID+`"`
	var changed []struct {
		key  string
		role roleRec
	}
	err := tx.Scan(tableRole, "", "", func(key string, d store.Doc) (bool, error) {
		if !strings.Contains(string(d), arn) {
			return true, nil
		}
		var r roleRec
		if err := d.Decode(&r); err != nil {
			return false, err
		}
		if strings.Contains(r.TrustPolicy, quoted) {
			r.TrustPolicy = strings.ReplaceAll(r.TrustPolicy, quoted, replacement)
			changed = append(changed, struct {
				key  string
				role roleRec
			}{key, r})
		}
		return true, nil
	})
	if err != nil {
		return internal("rewrite trust policies", err)
	}
	for _, c := range changed {
		if err := tx.Put(tableRole, c.key, c.role); err != nil {
			return internal("rewrite trust policies", err)
		}
	}
	return nil
}
