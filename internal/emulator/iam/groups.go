package iam

import (
	"context"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/service"
)

// IAM groups and membership:
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateGroup.html and
// neighbours. A user belongs to at most 10 groups
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).

const (
	maxGroupName  = 128
	groupsPerUser = 10
)

func memberKey(acct, groupID, userID string) string { return acct + "/" + groupID + "/" + userID }

func (s *Service) createGroup(ctx context.Context, r *service.Request) (any, error) {
	var in struct {
		Path      string
		GroupName string
	}
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	path, err := checkNew("GroupName", in.GroupName, maxGroupName, in.Path)
	if err != nil {
		return nil, err
	}
	acct := r.Caller.Account
	if err := r.Authorize(ctx, service.Authz{Resource: groupARN(acct, path, in.GroupName)}); err != nil {
		return nil, err
	}
	if err := s.checkQuota(r.Tx, tableGroup, acct, quotaGroups, "Groups"); err != nil {
		return nil, err
	}
	id, err := s.uniqueID(prefixGroup)
	if err != nil {
		return nil, err
	}
	g := &groupRec{Name: in.GroupName, Path: path, ID: id, Created: r.Now}
	if err := insert(r.Tx, tableGroup, nameKey(acct, g.Name), g, alreadyExists("Group with name %s already exists.", g.Name)); err != nil {
		return nil, err
	}
	return struct {
		Group groupOut `xml:"Group"`
	}{g.out(acct)}, nil
}

func (s *Service) getGroupOp(ctx context.Context, r *service.Request) (any, error) {
	e, p, err := s.pagedEntity(ctx, r, kindGroup)
	if err != nil {
		return nil, err
	}
	acct, tx, g := r.Caller.Account, r.Tx, e.group
	var members []sliceKeyed[userOut]
	err = scanRecs(tx, tableMember, acct+"/"+g.ID+"/", func(_ string, m *memberRec) (bool, error) {
		u, err := getUser(tx, acct, m.User)
		if err != nil {
			return false, err
		}
		members = append(members, sliceKeyed[userOut]{key: nameKey(acct, u.Name), item: u.out(acct, false)})
		return true, nil
	})
	if err != nil {
		return nil, internal("list group members", err)
	}
	sortKeyed(members)
	users, info := pageSlice(members, p)
	return struct {
		Group groupOut  `xml:"Group"`
		Users []userOut `xml:"Users>member"`
		pageInfo
	}{g.out(acct), users, info}, nil
}

func (s *Service) listGroups(ctx context.Context, r *service.Request) (any, error) {
	acct := r.Caller.Account
	groups, info, err := listByPath(ctx, r, tableGroup, groupARN(acct, "/", "*"), "list groups",
		func(g *groupRec) string { return g.Path },
		func(g *groupRec) (groupOut, error) { return g.out(acct), nil })
	if err != nil {
		return nil, err
	}
	return struct {
		Groups []groupOut `xml:"Groups>member"`
		pageInfo
	}{groups, info}, nil
}

func (s *Service) updateGroup(ctx context.Context, r *service.Request) (any, error) {
	var in struct {
		GroupName    string
		NewGroupName string
		NewPath      string
	}
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	if err := checkName("GroupName", in.GroupName, maxGroupName); err != nil {
		return nil, err
	}
	if in.NewGroupName != "" {
		if err := checkName("NewGroupName", in.NewGroupName, maxGroupName); err != nil {
			return nil, err
		}
	}
	if in.NewPath != "" {
		if _, err := checkPath("NewPath", in.NewPath); err != nil {
			return nil, err
		}
	}
	acct, tx := r.Caller.Account, r.Tx
	g, err := s.group(ctx, r, in.GroupName)
	if err != nil {
		return nil, err
	}
	oldName := g.Name
	if in.NewGroupName != "" {
		g.Name = in.NewGroupName
	}
	if in.NewPath != "" {
		g.Path = in.NewPath
	}
	if err := r.Authorize(ctx, service.Authz{Resource: groupARN(acct, g.Path, g.Name)}); err != nil {
		return nil, err
	}
	if err := renameNamed(tx, tableGroup, kindGroup, acct, oldName, g.Name, g, alreadyExists("Group with name %s already exists.", g.Name)); err != nil {
		return nil, err
	}
	// Members name the group: bring them and the indexes up to date.
	err = scanRecs(tx, tableMember, acct+"/"+g.ID+"/", func(key string, m *memberRec) (bool, error) {
		u, err := getUser(tx, acct, m.User)
		if err != nil {
			return false, err
		}
		for i, n := range u.Groups {
			if nameKey(acct, n) == nameKey(acct, oldName) {
				u.Groups[i] = g.Name
			}
		}
		m.Group = g.Name
		if err := tx.Put(tableMember, key, m); err != nil {
			return false, err
		}
		return true, putUser(tx, acct, u)
	})
	if err != nil {
		return nil, internal("rename group members", err)
	}
	for _, arn := range g.Attached {
		if err := tx.Put(tableAttach, attachKey(acct, arn, kindGroup, g.ID), attachment{Kind: kindGroup, Name: g.Name, ID: g.ID}); err != nil {
			return nil, internal("put attachment", err)
		}
	}
	return nil, nil
}

func (s *Service) deleteGroup(ctx context.Context, r *service.Request) (any, error) {
	var in struct{ GroupName string }
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	acct, tx := r.Caller.Account, r.Tx
	g, err := s.group(ctx, r, in.GroupName)
	if err != nil {
		return nil, err
	}
	n, err := tx.Count(tableMember, acct+"/"+g.ID+"/")
	if err != nil {
		return nil, internal("count members", err)
	}
	if n > 0 {
		return nil, deleteConflict("Cannot delete entity, must remove users from group first.")
	}
	if err := checkNoPolicies(g.Inline, g.Attached); err != nil {
		return nil, err
	}
	if _, err := tx.Delete(tableGroup, nameKey(acct, g.Name)); err != nil {
		return nil, internal("delete group", err)
	}
	return nil, nil
}

type membershipInput struct {
	GroupName string
	UserName  string
}

func (s *Service) membership(ctx context.Context, r *service.Request) (*groupRec, *userRec, error) {
	var in membershipInput
	if err := r.Decode(&in); err != nil {
		return nil, nil, err
	}
	if err := checkName("GroupName", in.GroupName, maxGroupName); err != nil {
		return nil, nil, err
	}
	if err := checkName("UserName", in.UserName, maxUserName); err != nil {
		return nil, nil, err
	}
	acct := r.Caller.Account
	g, err := getGroup(r.Tx, acct, in.GroupName)
	if err != nil {
		return nil, nil, err
	}
	u, err := getUser(r.Tx, acct, in.UserName)
	if err != nil {
		return nil, nil, err
	}
	if err := r.Authorize(ctx, service.Authz{Resource: groupARN(acct, g.Path, g.Name)}); err != nil {
		return nil, nil, err
	}
	return g, u, nil
}

func (s *Service) addUserToGroup(ctx context.Context, r *service.Request) (any, error) {
	g, u, err := s.membership(ctx, r)
	if err != nil {
		return nil, err
	}
	acct := r.Caller.Account
	if containsFold(u.Groups, g.Name) {
		return nil, nil // AWS treats adding an existing member as success
	}
	if len(u.Groups) >= groupsPerUser {
		return nil, limitExceeded("Cannot exceed quota for GroupsPerUser: %d", groupsPerUser)
	}
	u.Groups = append(u.Groups, g.Name)
	if err := r.Tx.Put(tableMember, memberKey(acct, g.ID, u.ID), memberRec{Group: g.Name, User: u.Name}); err != nil {
		return nil, internal("put member", err)
	}
	return nil, putUser(r.Tx, acct, u)
}

func (s *Service) removeUserFromGroup(ctx context.Context, r *service.Request) (any, error) {
	g, u, err := s.membership(ctx, r)
	if err != nil {
		return nil, err
	}
	acct := r.Caller.Account
	if !containsFold(u.Groups, g.Name) {
		return nil, noSuchEntity("User %s is not in group %s.", u.Name, g.Name)
	}
	u.Groups = removeFold(u.Groups, g.Name)
	if _, err := r.Tx.Delete(tableMember, memberKey(acct, g.ID, u.ID)); err != nil {
		return nil, internal("delete member", err)
	}
	return nil, putUser(r.Tx, acct, u)
}

func (s *Service) listGroupsForUser(ctx context.Context, r *service.Request) (any, error) {
	e, p, err := s.pagedEntity(ctx, r, kindUser)
	if err != nil {
		return nil, err
	}
	acct, u := r.Caller.Account, e.user
	var items []sliceKeyed[groupOut]
	for _, name := range u.Groups {
		g, err := getGroup(r.Tx, acct, name)
		if err != nil {
			return nil, err
		}
		items = append(items, sliceKeyed[groupOut]{key: nameKey(acct, g.Name), item: g.out(acct)})
	}
	sortKeyed(items)
	groups, info := pageSlice(items, p)
	return struct {
		Groups []groupOut `xml:"Groups>member"`
		pageInfo
	}{groups, info}, nil
}
