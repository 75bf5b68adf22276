package iam

import (
	"errors"
	"strings"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/service"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/store"
)

// Loading and saving entities, with AWS's NoSuchEntity messages.

func getUser(tx store.Tx, account, name string) (*userRec, error) {
	var u userRec
	ok, err := tx.Get(tableUser, nameKey(account, name), &u)
	if err != nil {
		return nil, internal("get user", err)
	}
	if !ok || name == "" {
		return nil, noSuchEntity("The user with name %s cannot be found.", name)
	}
	return &u, nil
}

func putUser(tx store.Tx, account string, u *userRec) error {
	if err := tx.Put(tableUser, nameKey(account, u.Name), u); err != nil {
		return internal("put user", err)
	}
	return nil
}

func getGroup(tx store.Tx, account, name string) (*groupRec, error) {
	var g groupRec
	ok, err := tx.Get(tableGroup, nameKey(account, name), &g)
	if err != nil {
		return nil, internal("get group", err)
	}
	if !ok || name == "" {
		return nil, noSuchEntity("The group with name %s cannot be found.", name)
	}
	return &g, nil
}

func putGroup(tx store.Tx, account string, g *groupRec) error {
	if err := tx.Put(tableGroup, nameKey(account, g.Name), g); err != nil {
		return internal("put group", err)
	}
	return nil
}

func getRole(tx store.Tx, account, name string) (*roleRec, error) {
	var r roleRec
	ok, err := tx.Get(tableRole, nameKey(account, name), &r)
	if err != nil {
		return nil, internal("get role", err)
	}
	if !ok || name == "" {
		return nil, noSuchEntity("The role with name %s cannot be found.", name)
	}
	return &r, nil
}

func putRole(tx store.Tx, account string, r *roleRec) error {
	if err := tx.Put(tableRole, nameKey(account, r.Name), r); err != nil {
		return internal("put role", err)
	}
	return nil
}

// insert creates a new entity, mapping a taken key to EntityAlreadyExists.
func insert(tx store.Tx, table, key string, v any, exists *service.Error) error {
	err := tx.Insert(table, key, v)
	if errors.Is(err, store.ErrExists) {
		return exists
	}
	if err != nil {
		return internal("insert", err)
	}
	return nil
}

// principalExists reports whether an IAM user or role ARN names an entity
// that exists (with that exact path and name), for trust policy checks.
// ARNs in accounts the local AWS does not know are taken on trust.
func principalExists(tx store.Tx) func(string) (bool, error) {
	return func(arn string) (bool, error) {
		a, ok := ParseARN(arn)
		if !ok {
			return false, nil
		}
		var acct service.Account
		known, err := tx.Get(service.AccountTable, a.Account, &acct)
		if err != nil {
			return false, internal("get account", err)
		}
		if !known {
			return true, nil
		}
		switch a.Type {
		case "user":
			u, err := getUser(tx, a.Account, a.Name)
			if err != nil {
				return false, ignoreNotFound(err)
			}
			return u.Path == a.Path && u.Name == a.Name, nil
		case "role":
			r, err := getRole(tx, a.Account, a.Name)
			if err != nil {
				return false, ignoreNotFound(err)
			}
			return r.Path == a.Path && r.Name == a.Name, nil
		}
		return true, nil
	}
}

func ignoreNotFound(err error) error {
	var se *service.Error
	if errors.As(err, &se) && se.Code == "NoSuchEntity" {
		return nil
	}
	return err
}

func isNotFound(err error) bool {
	var se *service.Error
	return errors.As(err, &se) && se.Code == "NoSuchEntity"
}

// tagContext is the condition context of a request that sets tags
// (aws:RequestTag/<key>, aws:TagKeys).
func tagContext(tags []Tag) map[string][]string {
	if len(tags) == 0 {
		return nil
	}
	ctx := map[string][]string{}
	for _, t := range tags {
		ctx["aws:RequestTag/"+t.Key] = []string{t.Value}
		ctx["aws:TagKeys"] = append(ctx["aws:TagKeys"], t.Key)
	}
	return ctx
}

func containsFold(list []string, s string) bool {
	for _, e := range list {
		if strings.EqualFold(e, s) {
			return true
		}
	}
	return false
}

func removeFold(list []string, s string) []string {
	var out []string
	for _, e := range list {
		if !strings.EqualFold(e, s) {
			out = append(out, e)
		}
	}
	return out
}
