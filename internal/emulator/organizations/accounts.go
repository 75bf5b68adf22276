package organizations

import (
	"context"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/service"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/store"
)

func (c *orgCall) accountView(a *accountDoc) (accountOut, error) {
	path, err := c.accountPath(a)
	if err != nil {
		return accountOut{}, err
	}
	return accountOut{
		Id: a.ID, Arn: c.org.accountARN(a.ID), Email: a.Email, Name: a.Name,
		Status: a.statusAt(c.r.Now), State: a.statusAt(c.r.Now), JoinedMethod: a.JoinedMethod,
		JoinedTimestamp: service.Time(a.Joined), Paths: []string{path},
	}, nil
}

type accountIn struct {
	AccountId           *string
	SourceParentId      *string
	DestinationParentId *string
}

// accountRequest decodes an AccountId request, resolves the caller's
// organization and the (visible) account, and authorizes on its ARN.
func (s *Service) accountRequest(ctx context.Context, r *service.Request, readOnly bool) (*orgCall, *accountDoc, *accountIn, error) {
	var in accountIn
	if err := r.Decode(&in); err != nil {
		return nil, nil, nil, err
	}
	var f field
	id := f.accountID("AccountId", in.AccountId)
	if err := f.check(); err != nil {
		return nil, nil, nil, err
	}
	c, err := enter(r, managementOnly, readOnly)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := c.authorize(ctx, c.org.accountARN(id)); err != nil {
		return nil, nil, nil, err
	}
	a, err := c.account(id)
	if err != nil {
		return nil, nil, nil, storeErr(r.Action, err)
	}
	if a == nil {
		return nil, nil, nil, errAccountNotFound(id)
	}
	return c, a, &in, nil
}

func (s *Service) describeAccount(ctx context.Context, r *service.Request) (any, error) {
	c, a, _, err := s.accountRequest(ctx, r, true)
	if err != nil {
		return nil, err
	}
	v, err := c.accountView(a)
	if err != nil {
		return nil, storeErr(r.Action, err)
	}
	return map[string]any{"Account": v}, nil
}

func (s *Service) listAccounts(ctx context.Context, r *service.Request) (any, error) {
	var in pageIn
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	c, err := enter(r, managementOnly, true)
	if err != nil {
		return nil, err
	}
	if err := c.authorize(ctx, c.org.arn()); err != nil {
		return nil, err
	}
	prefix := c.org.ID + "/"
	p, err := newPage(r.Action, in, prefix)
	if err != nil {
		return nil, err
	}
	items, next, err := scanPage(p, r.Tx, accountTable, prefix, func(_ string, d store.Doc) (accountOut, bool, error) {
		var a accountDoc
		if err := s.accounts.decode(d, &a); err != nil || !a.visible(r.Now) {
			return accountOut{}, false, err
		}
		v, err := c.accountView(&a)
		return v, err == nil, err
	})
	if err != nil {
		return nil, storeErr(r.Action, err)
	}
	return listOut("Accounts", items, next), nil
}

func (s *Service) listAccountsForParent(ctx context.Context, r *service.Request) (any, error) {
	var in parentPageIn
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	c, p, err := s.parentListing(ctx, r, &in, "ACCOUNT")
	if err != nil {
		return nil, err
	}
	items, next, err := scanPage(p, r.Tx, childTable, key(c.org.ID, *in.ParentId, "ACCOUNT")+"/", func(_ string, d store.Doc) (accountOut, bool, error) {
		var ch childDoc
		if err := d.Decode(&ch); err != nil {
			return accountOut{}, false, err
		}
		a, err := c.account(ch.ID)
		if err != nil || a == nil {
			return accountOut{}, false, err
		}
		v, err := c.accountView(a)
		return v, err == nil, err
	})
	if err != nil {
		return nil, storeErr(r.Action, err)
	}
	return listOut("Accounts", items, next), nil
}

// moveAccount moves an account between the root and OUs
// (API_MoveAccount.html): SourceParentNotFoundException and
// DestinationParentNotFoundException for unknown parents,
// AccountNotFoundException when the account is not in the source, and
// DuplicateAccountException when it is already in the destination.
func (s *Service) moveAccount(ctx context.Context, r *service.Request) (any, error) {
	var in accountIn
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	var f field
	id := f.accountID("AccountId", in.AccountId)
	src := f.parentID("SourceParentId", in.SourceParentId)
	dst := f.parentID("DestinationParentId", in.DestinationParentId)
	if err := f.check(); err != nil {
		return nil, err
	}
	c, err := enter(r, managementOnly, false)
	if err != nil {
		return nil, err
	}
	a, err := c.account(id)
	if err != nil {
		return nil, storeErr(r.Action, err)
	}
	if a == nil {
		return nil, errAccountNotFound(id)
	}
	if e, err := c.lookup(src); err != nil || e == nil || e.Type == "ACCOUNT" {
		if err != nil {
			return nil, storeErr(r.Action, err)
		}
		return nil, awsErr("SourceParentNotFoundException", "We can't find a source root or OU with the ParentId %s.", src)
	}
	dest, err := c.lookup(dst)
	if err != nil {
		return nil, storeErr(r.Action, err)
	}
	if dest == nil || dest.Type == "ACCOUNT" {
		return nil, awsErr("DestinationParentNotFoundException", "We can't find the destination container (a root or OU) with the ParentId %s.", dst)
	}
	if err := c.authorize(ctx, c.org.accountARN(id)); err != nil {
		return nil, err
	}
	if err := c.authorize(ctx, dest.ARN); err != nil {
		return nil, err
	}
	if a.ParentID == dst {
		return nil, awsErr("DuplicateAccountException", "The account %s is already in %s.", id, dst)
	}
	if a.ParentID != src {
		return nil, errAccountNotFound(id + " in " + src)
	}
	err = firstErr(
		func() error { _, err := r.Tx.Delete(childTable, key(c.org.ID, src, "ACCOUNT", id)); return err },
		func() error {
			return r.Tx.Put(childTable, key(c.org.ID, dst, "ACCOUNT", id), childDoc{ID: id, Type: "ACCOUNT"})
		},
		func() error { a.ParentID = dst; return r.Tx.Put(accountTable, key(c.org.ID, id), a) },
	)
	if err != nil {
		return nil, storeErr(r.Action, err)
	}
	return nil, nil
}

// closeAccount closes a member account (API_CloseAccount.html): it is
// PENDING_CLOSURE for CreateAccountDelay (AWS takes a few minutes), then
// SUSPENDED; its credentials stop working at once
// (service.Account.Closed); and at most CloseAccountPercent of the member
// accounts may be closed per rolling CloseAccountWindow.
func (s *Service) closeAccount(ctx context.Context, r *service.Request) (any, error) {
	c, a, _, err := s.accountRequest(ctx, r, false)
	if err != nil {
		return nil, err
	}
	if a.ID == c.org.MgmtAccountID {
		return nil, constraint("CANNOT_CLOSE_MANAGEMENT_ACCOUNT", "You can't close the management account with CloseAccount.")
	}
	if a.Status == "SUSPENDED" {
		return nil, awsErr("AccountAlreadyClosedException", "The account %s is already closed.", a.ID)
	}
	members, err := r.Tx.Count(accountTable, c.org.ID+"/")
	if err != nil {
		return nil, storeErr(r.Action, err)
	}
	members-- // the management account
	allowed := min(max(members*s.quotas.CloseAccountPercent/100, s.quotas.CloseAccountMin), s.quotas.CloseAccountMax)
	recent := c.org.Closures[:0]
	for _, t := range c.org.Closures {
		if r.Now.Sub(t) < s.quotas.CloseAccountWindow {
			recent = append(recent, t)
		}
	}
	if len(recent) >= allowed {
		return nil, constraint("CLOSE_ACCOUNT_QUOTA_EXCEEDED", "You have closed %d accounts in the last %s, the most allowed for an organization of %d member accounts.", len(recent), s.quotas.CloseAccountWindow, members)
	}
	c.org.Closures = append(recent, r.Now)
	a.Status = "SUSPENDED"
	a.Closed, a.ClosedAt = r.Now, r.Now.Add(s.cfg.CreateAccountDelay)
	var pub service.Account
	err = firstErr(
		func() error { return r.Tx.Put(accountTable, key(c.org.ID, a.ID), a) },
		func() error { return r.Tx.Put(orgTable, c.org.ID, c.org) },
		func() error {
			ok, err := r.Tx.Get(service.AccountTable, a.ID, &pub)
			if err != nil || !ok {
				return err
			}
			pub.Closed = true
			return r.Tx.Put(service.AccountTable, a.ID, pub)
		},
	)
	if err != nil {
		return nil, storeErr(r.Action, err)
	}
	return nil, nil
}

func (s *Service) removeAccountFromOrganization(ctx context.Context, r *service.Request) (any, error) {
	c, a, _, err := s.accountRequest(ctx, r, false)
	if err != nil {
		return nil, err
	}
	if a.ID == c.org.MgmtAccountID {
		return nil, awsErr("MasterCannotLeaveOrganizationException", "You can't remove the management account from its organization. Delete the organization instead.")
	}
	return nil, c.removeMember(a)
}

// leaveOrganization removes the calling member account from its
// organization.
func (s *Service) leaveOrganization(ctx context.Context, r *service.Request) (any, error) {
	c, err := enter(r, anyMember, false)
	if err != nil {
		return nil, err
	}
	if c.management {
		return nil, awsErr("MasterCannotLeaveOrganizationException", "The management account can't leave its organization. Delete the organization instead.")
	}
	if err := c.authorize(ctx, c.org.arn()); err != nil {
		return nil, err
	}
	a, err := c.account(r.Caller.Account)
	if err != nil || a == nil {
		return nil, storeErr(r.Action, err)
	}
	return nil, c.removeMember(a)
}

// removeMember detaches a member account from the organization; the
// account itself lives on as a standalone account (its email stays
// taken). A delegated administrator must be deregistered first.
func (c *orgCall) removeMember(a *accountDoc) error {
	n, err := c.tx.Count(delegatedTable, key(c.org.ID, a.ID)+"/")
	if err != nil {
		return storeErr(c.r.Action, err)
	}
	if n > 0 {
		return constraint("CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG", "Account %s is a delegated administrator; deregister it first.", a.ID)
	}
	err = firstErr(
		func() error { return c.removeTarget(a.ID) },
		func() error {
			_, err := c.tx.Delete(childTable, key(c.org.ID, a.ParentID, "ACCOUNT", a.ID))
			return err
		},
		func() error { _, err := c.tx.Delete(accountTable, key(c.org.ID, a.ID)); return err },
		func() error { _, err := c.tx.Delete(memberTable, a.ID); return err },
	)
	if err != nil {
		return storeErr(c.r.Action, err)
	}
	return nil
}
