package organizations

import (
	"context"
	"fmt"
	"strings"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/service"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/store"
)

// access is who may call an operation, from the "can be called only
// from" line of each operation in the AWS Organizations API Reference.
type access int

const (
	// managementOnly: the management account (or, for read operations,
	// a delegated administrator).
	managementOnly access = iota
	// anyMember: any account in the organization (DescribeOrganization,
	// DescribeEffectivePolicy, LeaveOrganization).
	anyMember
)

// orgCall is a request resolved against the caller's organization.
type orgCall struct {
	r   *service.Request
	tx  store.Tx
	org *orgDoc
	// management is true when the caller is the management account.
	management bool
}

// loadOrg returns the organization accountID belongs to, or nil.
func loadOrg(tx store.Tx, accountID string) (*orgDoc, error) {
	var m memberDoc
	ok, err := tx.Get(memberTable, accountID, &m)
	if err != nil || !ok {
		return nil, err
	}
	var o orgDoc
	ok, err = tx.Get(orgTable, m.OrgID, &o)
	if err != nil || !ok {
		return nil, err
	}
	return &o, nil
}

// enter resolves the caller's organization and refuses callers outside any
// organization (AWSOrganizationsNotInUseException) and member accounts
// calling management-only operations (AccessDeniedException). Read-only
// operations are open to delegated administrators, as AWS documents
// ("...or by a member account that is a delegated administrator").
func enter(r *service.Request, a access, readOnly bool) (*orgCall, error) {
	org, err := loadOrg(r.Tx, r.Caller.Account)
	if err != nil {
		return nil, storeErr(r.Action, err)
	}
	if org == nil {
		return nil, errNotInUse()
	}
	c := &orgCall{r: r, tx: r.Tx, org: org, management: r.Caller.Account == org.MgmtAccountID}
	if c.management || a == anyMember {
		return c, nil
	}
	if readOnly {
		n, err := r.Tx.Count(delegatedTable, key(org.ID, r.Caller.Account)+"/")
		if err != nil {
			return nil, storeErr(r.Action, err)
		}
		if n > 0 {
			return c, nil
		}
	}
	return nil, errAccessDenied()
}

// authorize asks the authorizer for the operation on resource, owned by
// the management account.
func (c *orgCall) authorize(ctx context.Context, resource string) error {
	return c.r.Authorize(ctx, service.Authz{Resource: resource, ResourceAccount: c.org.MgmtAccountID})
}

// entity is a root, OU or account of the organization.
type entity struct {
	Type string // ROOT, ORGANIZATIONAL_UNIT, ACCOUNT
	ID   string
	Name string
	ARN  string
	// ParentID is empty for the root.
	ParentID string
	// Path is the entity path "o-.../r-.../[ou-.../...][account/]".
	Path    string
	Depth   int
	account *accountDoc
	ou      *ouDoc
}

// arnOf is the ARN of a root, OU or account id of the organization,
// derived from the id alone, so that handlers can authorize before they
// look anything up (AWS answers AccessDenied before NotFound).
func (c *orgCall) arnOf(id string) string {
	switch entityKind(id) {
	case "ROOT":
		return fmt.Sprintf("arn:aws:organizations::%s:root/%s/%s", c.org.MgmtAccountID, c.org.ID, id)
	case "ORGANIZATIONAL_UNIT":
		return c.org.ouARN(id)
	case "ACCOUNT":
		return c.org.accountARN(id)
	}
	return "*"
}

// entityKind classifies an id by its pattern without looking it up.
func entityKind(id string) string {
	switch {
	case rootIDPattern().MatchString(id):
		return "ROOT"
	case ouIDPattern().MatchString(id):
		return "ORGANIZATIONAL_UNIT"
	case accountIDPattern().MatchString(id):
		return "ACCOUNT"
	}
	return ""
}

// lookup finds a root, OU or visible account of the organization by id;
// nil when there is none.
func (c *orgCall) lookup(id string) (*entity, error) {
	o := c.org
	switch entityKind(id) {
	case "ROOT":
		if id != o.RootID {
			return nil, nil
		}
		return &entity{Type: "ROOT", ID: id, Name: "Root", ARN: o.rootARN(), Path: o.ID + "/" + o.RootID + "/"}, nil
	case "ORGANIZATIONAL_UNIT":
		var ou ouDoc
		ok, err := c.tx.Get(ouTable, key(o.ID, id), &ou)
		if err != nil || !ok {
			return nil, err
		}
		return &entity{Type: "ORGANIZATIONAL_UNIT", ID: id, Name: ou.Name, ARN: o.ouARN(id), ParentID: ou.ParentID, Path: ou.Path, Depth: ou.Depth, ou: &ou}, nil
	case "ACCOUNT":
		a, err := c.account(id)
		if err != nil || a == nil {
			return nil, err
		}
		return &entity{Type: "ACCOUNT", ID: id, Name: a.Name, ARN: o.accountARN(id), ParentID: a.ParentID, account: a}, nil
	}
	return nil, nil
}

// account returns the visible account id of the organization, or nil.
func (c *orgCall) account(id string) (*accountDoc, error) {
	var a accountDoc
	ok, err := c.tx.Get(accountTable, key(c.org.ID, id), &a)
	if err != nil || !ok || !a.visible(c.r.Now) {
		return nil, err
	}
	return &a, nil
}

// parentPath is the entity path of a parent (root or OU) id.
func (c *orgCall) parentPath(parentID string) (string, error) {
	if parentID == c.org.RootID {
		return c.org.ID + "/" + c.org.RootID + "/", nil
	}
	var ou ouDoc
	ok, err := c.tx.Get(ouTable, key(c.org.ID, parentID), &ou)
	if err != nil || !ok {
		return "", err
	}
	return ou.Path, nil
}

// accountPath is an account's entity path.
func (c *orgCall) accountPath(a *accountDoc) (string, error) {
	p, err := c.parentPath(a.ParentID)
	if err != nil {
		return "", err
	}
	return p + a.ID + "/", nil
}

func lower(s string) string { return strings.ToLower(s) }
