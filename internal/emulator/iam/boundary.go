package iam

import "github.com/bulkhead-dev/bulkhead/internal/emulator/store"

// Permissions boundaries: a managed policy set on a user or role that caps
// its identity-based permissions
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html).

// setBoundary moves an entity's permissions boundary from old to new (either
// may be empty), keeping the boundary index that
// PermissionsBoundaryUsageCount and DeletePolicy read.
func setBoundary(tx store.Tx, acct, kind, name, id, old, new string) error {
	if new != "" {
		if _, err := lookupPolicy(tx, acct, new); err != nil {
			if isNotFound(err) {
				return noSuchEntity("Scope ARN: %s does not exist or is not attachable.", new)
			}
			return err
		}
	}
	if old != "" {
		if _, err := tx.Delete(tableBoundary, attachKey(acct, old, kind, id)); err != nil {
			return internal("delete boundary", err)
		}
	}
	if new != "" {
		if err := tx.Put(tableBoundary, attachKey(acct, new, kind, id), attachment{Kind: kind, Name: name, ID: id}); err != nil {
			return internal("put boundary", err)
		}
	}
	return nil
}
