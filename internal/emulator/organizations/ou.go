package organizations

import (
	"context"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/service"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/store"
)

type createOUIn struct {
	ParentId *string
	Name     *string
	Tags     []tagIn
}

func (c *orgCall) ouView(ou *ouDoc) ouOut {
	return ouOut{Id: ou.ID, Arn: c.org.ouARN(ou.ID), Name: ou.Name, Path: ou.Path}
}

// parent returns the root or OU parentID, or ParentNotFoundException.
func (c *orgCall) parent(parentID string) (*entity, error) {
	e, err := c.lookup(parentID)
	if err != nil {
		return nil, storeErr(c.r.Action, err)
	}
	if e == nil || e.Type == "ACCOUNT" {
		return nil, errParentNotFound(parentID)
	}
	return e, nil
}

// siblingNamed reports whether parentID has an OU named name; AWS
// compares OU names exactly.
func (c *orgCall) siblingNamed(parentID, name string) (bool, error) {
	var id string
	return c.tx.Get(ouNameTable, key(c.org.ID, parentID, name), &id)
}

func (s *Service) createOrganizationalUnit(ctx context.Context, r *service.Request) (any, error) {
	var in createOUIn
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	var f field
	parentID := f.parentID("ParentId", in.ParentId)
	name := f.required("Name", in.Name)
	f.length("Name", name, 1, 128)
	f.tags(in.Tags)
	if err := f.check(); err != nil {
		return nil, err
	}
	if err := s.checkCreateTags(in.Tags); err != nil {
		return nil, err
	}
	c, err := enter(r, managementOnly, false)
	if err != nil {
		return nil, err
	}
	parent, err := c.parent(parentID)
	if err != nil {
		return nil, err
	}
	if err := c.authorize(ctx, parent.ARN); err != nil {
		return nil, err
	}
	if len(in.Tags) > 0 {
		if err := r.Authorize(ctx, service.Authz{Action: "organizations:TagResource", Resource: parent.ARN, ResourceAccount: c.org.MgmtAccountID}); err != nil {
			return nil, err
		}
	}
	if parent.Depth+1 > s.quotas.MaxOUDepth {
		return nil, constraint("OU_DEPTH_LIMIT_EXCEEDED", "You attempted to create an OU tree that is too many levels deep (at most %d).", s.quotas.MaxOUDepth)
	}
	n, err := r.Tx.Count(ouTable, c.org.ID+"/")
	if err != nil {
		return nil, storeErr(r.Action, err)
	}
	if n >= s.quotas.MaxOUs {
		return nil, constraint("OU_NUMBER_LIMIT_EXCEEDED", "You attempted to exceed the number of OUs that you can have in an organization (%d).", s.quotas.MaxOUs)
	}
	dup, err := c.siblingNamed(parentID, name)
	if err != nil {
		return nil, storeErr(r.Action, err)
	}
	if dup {
		return nil, awsErr("DuplicateOrganizationalUnitException", "An OU with the same name %q already exists in %s.", name, parentID)
	}
	id, err := ids{s.rand}.ou(c.org.RootID)
	if err != nil {
		return nil, err
	}
	parentPath, err := c.parentPath(parentID)
	if err != nil {
		return nil, storeErr(r.Action, err)
	}
	ou := &ouDoc{ID: id, Name: name, ParentID: parentID, Path: parentPath + id + "/", Depth: parent.Depth + 1}
	err = firstErr(
		func() error { return r.Tx.Insert(ouTable, key(c.org.ID, id), ou) },
		func() error { return r.Tx.Put(ouNameTable, key(c.org.ID, parentID, name), id) },
		func() error {
			return r.Tx.Put(childTable, key(c.org.ID, parentID, "ORGANIZATIONAL_UNIT", id), childDoc{ID: id, Type: "ORGANIZATIONAL_UNIT"})
		},
		func() error { return c.onNewTarget(id) },
		func() error { return c.putTags(id, in.Tags) },
	)
	if err != nil {
		return nil, storeErr(r.Action, err)
	}
	return map[string]any{"OrganizationalUnit": c.ouView(ou)}, nil
}

type ouIDIn struct {
	OrganizationalUnitId *string
	Name                 *string
}

// ou loads an OU by a validated id, or OrganizationalUnitNotFoundException.
func (c *orgCall) ou(id string) (*ouDoc, error) {
	var ou ouDoc
	ok, err := c.tx.Get(ouTable, key(c.org.ID, id), &ou)
	if err != nil {
		return nil, storeErr(c.r.Action, err)
	}
	if !ok {
		return nil, errOUNotFound(id)
	}
	return &ou, nil
}

func (s *Service) ouRequest(ctx context.Context, r *service.Request, readOnly bool) (*orgCall, *ouDoc, *ouIDIn, error) {
	var in ouIDIn
	if err := r.Decode(&in); err != nil {
		return nil, nil, nil, err
	}
	var f field
	id := f.id("OrganizationalUnitId", in.OrganizationalUnitId, "INVALID_PATTERN", ouIDPattern())
	if in.Name != nil {
		f.length("Name", *in.Name, 1, 128)
	}
	if err := f.check(); err != nil {
		return nil, nil, nil, err
	}
	c, err := enter(r, managementOnly, readOnly)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := c.authorize(ctx, c.org.ouARN(id)); err != nil {
		return nil, nil, nil, err
	}
	ou, err := c.ou(id)
	if err != nil {
		return nil, nil, nil, err
	}
	return c, ou, &in, nil
}

func (s *Service) describeOrganizationalUnit(ctx context.Context, r *service.Request) (any, error) {
	c, ou, _, err := s.ouRequest(ctx, r, true)
	if err != nil {
		return nil, err
	}
	return map[string]any{"OrganizationalUnit": c.ouView(ou)}, nil
}

func (s *Service) updateOrganizationalUnit(ctx context.Context, r *service.Request) (any, error) {
	c, ou, in, err := s.ouRequest(ctx, r, false)
	if err != nil {
		return nil, err
	}
	if in.Name != nil && *in.Name != ou.Name {
		dup, err := c.siblingNamed(ou.ParentID, *in.Name)
		if err != nil {
			return nil, storeErr(r.Action, err)
		}
		if dup {
			return nil, awsErr("DuplicateOrganizationalUnitException", "An OU with the same name %q already exists in %s.", *in.Name, ou.ParentID)
		}
		old := ou.Name
		ou.Name = *in.Name
		err = firstErr(
			func() error { _, err := r.Tx.Delete(ouNameTable, key(c.org.ID, ou.ParentID, old)); return err },
			func() error { return r.Tx.Put(ouNameTable, key(c.org.ID, ou.ParentID, ou.Name), ou.ID) },
			func() error { return r.Tx.Put(ouTable, key(c.org.ID, ou.ID), ou) },
		)
		if err != nil {
			return nil, storeErr(r.Action, err)
		}
	}
	return map[string]any{"OrganizationalUnit": c.ouView(ou)}, nil
}

// deleteOrganizationalUnit removes an empty OU
// (OrganizationalUnitNotEmptyException while it has accounts or OUs) with
// its policy attachments and tags.
func (s *Service) deleteOrganizationalUnit(ctx context.Context, r *service.Request) (any, error) {
	c, ou, _, err := s.ouRequest(ctx, r, false)
	if err != nil {
		return nil, err
	}
	n, err := r.Tx.Count(childTable, key(c.org.ID, ou.ID)+"/")
	if err != nil {
		return nil, storeErr(r.Action, err)
	}
	if n > 0 {
		return nil, awsErr("OrganizationalUnitNotEmptyException", "The organizational unit %s isn't empty. Move or remove its accounts and child OUs first.", ou.ID)
	}
	err = firstErr(
		func() error { return c.removeTarget(ou.ID) },
		func() error {
			_, err := r.Tx.Delete(childTable, key(c.org.ID, ou.ParentID, "ORGANIZATIONAL_UNIT", ou.ID))
			return err
		},
		func() error { _, err := r.Tx.Delete(ouTable, key(c.org.ID, ou.ID)); return err },
		func() error { _, err := r.Tx.Delete(ouNameTable, key(c.org.ID, ou.ParentID, ou.Name)); return err },
	)
	if err != nil {
		return nil, storeErr(r.Action, err)
	}
	return nil, nil
}

// removeTarget drops every policy attachment and the tags of a target
// that is going away.
func (c *orgCall) removeTarget(id string) error {
	var pols []string
	if err := c.tx.Scan(attachTable, key(c.org.ID, id)+"/", "", func(_ string, d store.Doc) (bool, error) {
		var a attachDoc
		if err := d.Decode(&a); err != nil {
			return false, err
		}
		pols = append(pols, a.PolicyID)
		return true, nil
	}); err != nil {
		return err
	}
	for _, p := range pols {
		if err := c.detach(id, p); err != nil {
			return err
		}
	}
	_, err := c.tx.Delete(tagTable, key(c.org.ID, id))
	return err
}
