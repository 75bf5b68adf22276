package organizations

import (
	"context"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/service"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/store"
)

type parentPageIn struct {
	ParentId  *string
	ChildType string
	pageIn
}

func (s *Service) listOrganizationalUnitsForParent(ctx context.Context, r *service.Request) (any, error) {
	var in parentPageIn
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	c, p, err := s.parentListing(ctx, r, &in, "ORGANIZATIONAL_UNIT")
	if err != nil {
		return nil, err
	}
	items, next, err := scanPage(p, r.Tx, childTable, key(c.org.ID, *in.ParentId, "ORGANIZATIONAL_UNIT")+"/", func(_ string, d store.Doc) (ouOut, bool, error) {
		var ch childDoc
		if err := d.Decode(&ch); err != nil {
			return ouOut{}, false, err
		}
		var ou ouDoc
		ok, err := r.Tx.Get(ouTable, key(c.org.ID, ch.ID), &ou)
		return c.ouView(&ou), ok, err
	})
	if err != nil {
		return nil, storeErr(r.Action, err)
	}
	return listOut("OrganizationalUnits", items, next), nil
}

// parentListing validates a listing under a parent and authorizes it on
// the parent's ARN.
func (s *Service) parentListing(ctx context.Context, r *service.Request, in *parentPageIn, childType string) (*orgCall, *page, error) {
	var f field
	parentID := f.parentID("ParentId", in.ParentId)
	if err := f.check(); err != nil {
		return nil, nil, err
	}
	c, err := enter(r, managementOnly, true)
	if err != nil {
		return nil, nil, err
	}
	if err := c.authorize(ctx, c.arnOf(parentID)); err != nil {
		return nil, nil, err
	}
	if _, err := c.parent(parentID); err != nil {
		return nil, nil, err
	}
	p, err := newPage(r.Action, in.pageIn, key(c.org.ID, parentID, childType)+"/")
	return c, p, err
}

func (s *Service) listChildren(ctx context.Context, r *service.Request) (any, error) {
	var in parentPageIn
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	var f field
	if in.ChildType == "" {
		f.fail(invalid("INPUT_REQUIRED", "You must specify a value for ChildType."))
	} else {
		f.enum("ChildType", in.ChildType, "ACCOUNT", "ORGANIZATIONAL_UNIT")
	}
	if err := f.check(); err != nil {
		return nil, err
	}
	c, p, err := s.parentListing(ctx, r, &in, in.ChildType)
	if err != nil {
		return nil, err
	}
	items, next, err := scanPage(p, r.Tx, childTable, key(c.org.ID, *in.ParentId, in.ChildType)+"/", func(_ string, d store.Doc) (childOut, bool, error) {
		var ch childDoc
		if err := d.Decode(&ch); err != nil {
			return childOut{}, false, err
		}
		if ch.Type == "ACCOUNT" {
			a, err := c.account(ch.ID)
			if err != nil || a == nil {
				return childOut{}, false, err
			}
		}
		return childOut{Id: ch.ID, Type: ch.Type}, true, nil
	})
	if err != nil {
		return nil, storeErr(r.Action, err)
	}
	return listOut("Children", items, next), nil
}

type listParentsIn struct {
	ChildId *string
	pageIn
}

func (s *Service) listParents(ctx context.Context, r *service.Request) (any, error) {
	var in listParentsIn
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	var f field
	childID := f.id("ChildId", in.ChildId, "INVALID_PATTERN", ouIDPattern(), accountIDPattern())
	if err := f.check(); err != nil {
		return nil, err
	}
	c, err := enter(r, managementOnly, true)
	if err != nil {
		return nil, err
	}
	e, err := c.lookup(childID)
	if err != nil {
		return nil, storeErr(r.Action, err)
	}
	if e == nil {
		return nil, awsErr("ChildNotFoundException", "You specified a child that doesn't exist: %s.", childID)
	}
	if err := c.authorize(ctx, e.ARN); err != nil {
		return nil, err
	}
	p, err := newPage(r.Action, in.pageIn, "")
	if err != nil {
		return nil, err
	}
	t := "ORGANIZATIONAL_UNIT"
	if e.ParentID == c.org.RootID {
		t = "ROOT"
	}
	items, next := pageSlice(p, []parentOut{{Id: e.ParentID, Type: t}}, func(x parentOut) string { return x.Id })
	return listOut("Parents", items, next), nil
}
