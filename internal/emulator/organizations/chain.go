package organizations

import (
	"fmt"
	"time"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/store"
)

// Chain is what the policy engine needs to evaluate one policy type
// for an account: whether the account is in an organization, whether it
// is the management account (SCPs and RCPs never restrict it), and the
// policies attached at each level from the root down to the account.
type Chain struct {
	// InOrganization is false for accounts outside any organization; the
	// other fields are then empty.
	InOrganization      bool
	OrganizationID      string
	ManagementAccountID string
	// Management is true when the account is the management account.
	Management bool
	// Enabled reports whether the policy type is enabled on the root.
	Enabled bool
	// Levels run root first, then each OU down the path, then the
	// account itself.
	Levels []PolicyLevel
}

// PolicyLevel is one target on the path and the policies of the type
// attached to it directly.
type PolicyLevel struct {
	TargetID   string
	TargetType string // ROOT, ORGANIZATIONAL_UNIT or ACCOUNT
	Policies   []ChainPolicy
}

// ChainPolicy is one attached policy.
type ChainPolicy struct {
	ID         string
	Name       string
	Content    string
	AWSManaged bool
	// updated is the later of the policy's last update and its
	// attachment, for LastUpdatedTimestamp.
	updated time.Time
}

// PolicyChain returns the Chain of policyType policies that apply to
// accountID, read in tx. Accounts still being created are included.
func PolicyChain(tx store.Tx, accountID, policyType string) (Chain, error) {
	org, err := loadOrg(tx, accountID)
	if err != nil || org == nil {
		return Chain{}, err
	}
	ch := Chain{InOrganization: true, OrganizationID: org.ID, ManagementAccountID: org.MgmtAccountID, Management: accountID == org.MgmtAccountID, Enabled: org.typeEnabled(policyType)}
	var a accountDoc
	ok, err := tx.Get(accountTable, key(org.ID, accountID), &a)
	if err != nil {
		return Chain{}, err
	}
	if !ok {
		return Chain{}, fmt.Errorf("organizations: account %s is a member of %s but has no account record", accountID, org.ID)
	}
	path, err := targetPath(tx, org, &a)
	if err != nil {
		return Chain{}, err
	}
	for _, t := range path {
		lvl := PolicyLevel{TargetID: t, TargetType: entityKind(t)}
		pols, err := attachedPolicies(tx, org.ID, t, policyType)
		if err != nil {
			return Chain{}, err
		}
		for _, p := range pols {
			lvl.Policies = append(lvl.Policies, ChainPolicy{ID: p.ID, Name: p.Name, Content: p.Content, AWSManaged: p.AWSManaged, updated: p.Updated})
		}
		ch.Levels = append(ch.Levels, lvl)
	}
	return ch, nil
}

// targetPath lists the ids from the root down to the account.
func targetPath(tx store.Tx, org *orgDoc, a *accountDoc) ([]string, error) {
	path := []string{a.ID}
	parent := a.ParentID
	for parent != org.RootID {
		var ou ouDoc
		ok, err := tx.Get(ouTable, key(org.ID, parent), &ou)
		if err != nil {
			return nil, err
		}
		if !ok || len(path) > 64 {
			return nil, fmt.Errorf("organizations: broken OU chain at %s in %s", parent, org.ID)
		}
		path = append(path, ou.ID)
		parent = ou.ParentID
	}
	path = append(path, org.RootID)
	for i, j := 0, len(path)-1; i < j; i, j = i+1, j-1 {
		path[i], path[j] = path[j], path[i]
	}
	return path, nil
}

// attachedPolicies returns the policies of type typ attached directly to
// target, in policy id order.
func attachedPolicies(tx store.Tx, orgID, target, typ string) ([]policyDoc, error) {
	var out []policyDoc
	err := tx.Scan(attachTable, key(orgID, target)+"/", "", func(_ string, d store.Doc) (bool, error) {
		var a attachDoc
		if err := d.Decode(&a); err != nil {
			return false, err
		}
		if a.PolicyType != typ {
			return true, nil
		}
		var p policyDoc
		ok, err := tx.Get(policyTable, key(orgID, a.PolicyID), &p)
		if err != nil {
			return false, err
		}
		if ok {
			p.Updated = later(p.Updated, a.Attached)
			out = append(out, p)
		}
		return true, nil
	})
	return out, err
}
