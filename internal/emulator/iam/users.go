package iam

import (
	"context"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/service"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/store"
)

// IAM users: https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateUser.html
// and the neighbouring actions.

const maxUserName = 64

func userIdentity(account string, u *userRec) service.Identity {
	return service.Identity{Account: account, ARN: userARN(account, u.Path, u.Name), Type: "User", UserID: u.ID, Name: u.Name}
}

type userOutput struct {
	User userOut `xml:"User"`
}

func (s *Service) createUser(ctx context.Context, r *service.Request) (any, error) {
	var in struct {
		Path                string
		UserName            string
		PermissionsBoundary string
		Tags                []Tag
	}
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	path, err := checkNew("UserName", in.UserName, maxUserName, in.Path)
	if err != nil {
		return nil, err
	}
	acct := r.Caller.Account
	if err := authorizeNew(ctx, r, userARN(acct, path, in.UserName), in.Tags, in.PermissionsBoundary); err != nil {
		return nil, err
	}
	if err := s.checkQuota(r.Tx, tableUser, acct, quotaUsers, "Users"); err != nil {
		return nil, err
	}
	id, err := s.uniqueID(prefixUser)
	if err != nil {
		return nil, err
	}
	u := &userRec{Name: in.UserName, Path: path, ID: id, Created: r.Now, Tags: in.Tags}
	if in.PermissionsBoundary != "" {
		if err := setBoundary(r.Tx, acct, kindUser, u.Name, u.ID, "", in.PermissionsBoundary); err != nil {
			return nil, err
		}
		u.Boundary = in.PermissionsBoundary
	}
	if err := insert(r.Tx, tableUser, nameKey(acct, u.Name), u, alreadyExists("User with name %s already exists.", u.Name)); err != nil {
		return nil, err
	}
	return userOutput{User: u.out(acct, true)}, nil
}

func (s *Service) getUserOp(ctx context.Context, r *service.Request) (any, error) {
	var in struct{ UserName string }
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	acct := r.Caller.Account
	if in.UserName == "" {
		switch r.Caller.Type {
		case "Root":
			if err := r.Authorize(ctx, service.Authz{Resource: RootARN(acct)}); err != nil {
				return nil, err
			}
			var a service.Account
			if _, err := r.Tx.Get(service.AccountTable, acct, &a); err != nil {
				return nil, internal("get account", err)
			}
			return userOutput{User: userOut{UserId: acct, Arn: RootARN(acct), CreateDate: service.Time(a.Created)}}, nil
		case "User":
			in.UserName = r.Caller.Name
		default:
			return nil, service.BadRequest("ValidationError", "Must specify userName when calling with non-User credentials")
		}
	}
	u, err := s.user(ctx, r, in.UserName, service.Authz{})
	if err != nil {
		return nil, err
	}
	return userOutput{User: u.out(acct, true)}, nil
}

func (s *Service) listUsers(ctx context.Context, r *service.Request) (any, error) {
	acct := r.Caller.Account
	users, info, err := listByPath(ctx, r, tableUser, userARN(acct, "/", "*"), "list users",
		func(u *userRec) string { return u.Path },
		func(u *userRec) (userOut, error) { return u.out(acct, false), nil })
	if err != nil {
		return nil, err
	}
	return struct {
		Users []userOut `xml:"Users>member"`
		pageInfo
	}{users, info}, nil
}

func (s *Service) updateUser(ctx context.Context, r *service.Request) (any, error) {
	var in struct {
		UserName    string
		NewUserName string
		NewPath     string
	}
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	if err := checkName("UserName", in.UserName, maxUserName); err != nil {
		return nil, err
	}
	if in.NewUserName != "" {
		if err := checkName("NewUserName", in.NewUserName, maxUserName); err != nil {
			return nil, err
		}
	}
	if in.NewPath != "" {
		if _, err := checkPath("NewPath", in.NewPath); err != nil {
			return nil, err
		}
	}
	acct, tx := r.Caller.Account, r.Tx
	u, err := getUser(tx, acct, in.UserName)
	if err != nil {
		return nil, err
	}
	// Renaming needs permission on both the old and the new ARN
	// (https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateUser.html).
	if err := r.Authorize(ctx, service.Authz{Resource: userARN(acct, u.Path, u.Name)}); err != nil {
		return nil, err
	}
	newName, newPath := u.Name, u.Path
	if in.NewUserName != "" {
		newName = in.NewUserName
	}
	if in.NewPath != "" {
		newPath = in.NewPath
	}
	if err := r.Authorize(ctx, service.Authz{Resource: userARN(acct, newPath, newName)}); err != nil {
		return nil, err
	}
	oldName := u.Name
	u.Name, u.Path = newName, newPath
	if err := renameNamed(tx, tableUser, kindUser, acct, oldName, newName, u, alreadyExists("User with name %s already exists.", newName)); err != nil {
		return nil, err
	}
	if err := renameUserRefs(tx, acct, u); err != nil {
		return nil, err
	}
	return nil, nil
}

// renameUserRefs brings every index that names the user up to date after
// UpdateUser changed its name or path.
func renameUserRefs(tx store.Tx, acct string, u *userRec) error {
	for _, gname := range u.Groups {
		g, err := getGroup(tx, acct, gname)
		if err != nil {
			return err
		}
		if err := tx.Put(tableMember, acct+"/"+g.ID+"/"+u.ID, memberRec{Group: g.Name, User: u.Name}); err != nil {
			return internal("put member", err)
		}
	}
	for _, arn := range u.Attached {
		if err := tx.Put(tableAttach, attachKey(acct, arn, kindUser, u.ID), attachment{Kind: kindUser, Name: u.Name, ID: u.ID}); err != nil {
			return internal("put attachment", err)
		}
	}
	if u.Boundary != "" {
		if err := tx.Put(tableBoundary, attachKey(acct, u.Boundary, kindUser, u.ID), attachment{Kind: kindUser, Name: u.Name, ID: u.ID}); err != nil {
			return internal("put boundary", err)
		}
	}
	id := userIdentity(acct, u)
	err := scanRecs(tx, tableAccessKey, acct+"/"+u.ID+"/", func(key string, k *accessKeyRec) (bool, error) {
		var c service.Credential
		if ok, err := tx.Get(service.CredentialTable, k.ID, &c); err != nil || !ok {
			return err == nil, err
		}
		c.Identity = id
		k.User = u.Name
		if err := tx.Put(tableAccessKey, key, k); err != nil {
			return false, err
		}
		return true, tx.Put(service.CredentialTable, k.ID, c)
	})
	if err != nil {
		return internal("rename access keys", err)
	}
	devs, err := userMFADevices(tx, acct, u.ID)
	if err != nil {
		return err
	}
	for _, d := range devs {
		d.User = u.Name
		if err := putMFA(tx, acct, d); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) deleteUser(ctx context.Context, r *service.Request) (any, error) {
	var in struct{ UserName string }
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	acct, tx := r.Caller.Account, r.Tx
	u, err := s.user(ctx, r, in.UserName, service.Authz{})
	if err != nil {
		return nil, err
	}
	// The order of checks follows the console's "things to remove first"
	// list (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_users_remove.html).
	if u.LoginProfile != nil {
		return nil, deleteConflict("Cannot delete entity, must delete login profile first.")
	}
	n, err := tx.Count(tableAccessKey, acct+"/"+u.ID+"/")
	if err != nil {
		return nil, internal("count access keys", err)
	}
	if n > 0 {
		return nil, deleteConflict("Cannot delete entity, must delete access keys first.")
	}
	devs, err := userMFADevices(tx, acct, u.ID)
	if err != nil {
		return nil, err
	}
	if len(devs) > 0 {
		return nil, deleteConflict("Cannot delete entity, must delete MFA device first.")
	}
	if err := checkNoPolicies(u.Inline, u.Attached); err != nil {
		return nil, err
	}
	if len(u.Groups) > 0 {
		return nil, deleteConflict("Cannot delete entity, must remove user from all groups first.")
	}
	if u.Boundary != "" {
		if _, err := tx.Delete(tableBoundary, attachKey(acct, u.Boundary, kindUser, u.ID)); err != nil {
			return nil, internal("delete boundary", err)
		}
	}
	if _, err := tx.Delete(tableUser, nameKey(acct, u.Name)); err != nil {
		return nil, internal("delete user", err)
	}
	return nil, forgetPrincipal(tx, userARN(acct, u.Path, u.Name), u.ID)
}

func (s *Service) putUserPermissionsBoundary(ctx context.Context, r *service.Request) (any, error) {
	var in struct {
		UserName            string
		PermissionsBoundary string
	}
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	if err := checkName("UserName", in.UserName, maxUserName); err != nil {
		return nil, err
	}
	if in.PermissionsBoundary == "" {
		return nil, missing("PermissionsBoundary")
	}
	acct := r.Caller.Account
	u, err := s.user(ctx, r, in.UserName, service.Authz{Context: map[string][]string{"iam:PermissionsBoundary": {in.PermissionsBoundary}}})
	if err != nil {
		return nil, err
	}
	if err := setBoundary(r.Tx, acct, kindUser, u.Name, u.ID, u.Boundary, in.PermissionsBoundary); err != nil {
		return nil, err
	}
	u.Boundary = in.PermissionsBoundary
	return nil, putUser(r.Tx, acct, u)
}

func (s *Service) deleteUserPermissionsBoundary(ctx context.Context, r *service.Request) (any, error) {
	var in struct{ UserName string }
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	acct := r.Caller.Account
	u, err := s.user(ctx, r, in.UserName, service.Authz{})
	if err != nil {
		return nil, err
	}
	if u.Boundary == "" {
		return nil, noSuchEntity("The user %s does not have a permissions boundary.", u.Name)
	}
	if err := setBoundary(r.Tx, acct, kindUser, u.Name, u.ID, u.Boundary, ""); err != nil {
		return nil, err
	}
	u.Boundary = ""
	return nil, putUser(r.Tx, acct, u)
}

func hasPathPrefix(path, prefix string) bool {
	return len(path) >= len(prefix) && path[:len(prefix)] == prefix
}

func withKey(m map[string][]string, k, v string) map[string][]string {
	if m == nil {
		m = map[string][]string{}
	}
	m[k] = append(m[k], v)
	return m
}
