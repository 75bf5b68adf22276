package iam

import (
	"errors"
	"strings"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/service"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/store"
)

// Loading and saving entities, with AWS's NoSuchEntity messages.

// getRec loads the record stored at key of table. what names the record
// in store failures; notFound builds the error for a missing one (called
// only then, so lookups that succeed format no message).
func getRec[T any](tx store.Tx, table, key, what string, notFound func() error) (*T, error) {
	var v T
	ok, err := tx.Get(table, key, &v)
	if err != nil {
		return nil, internal("get "+what, err)
	}
	if !ok {
		return nil, notFound()
	}
	return &v, nil
}

// scanRecs calls fn with each record (of type R) of table under prefix, in
// key order, until fn returns false or an error.
func scanRecs[R any](tx store.Tx, table, prefix string, fn func(key string, rec *R) (bool, error)) error {
	return tx.Scan(table, prefix, "", func(key string, doc store.Doc) (bool, error) {
		var rec R
		if err := doc.Decode(&rec); err != nil {
			return false, err
		}
		return fn(key, &rec)
	})
}

// putRec saves v at key of table; what names the record in store failures.
func putRec(tx store.Tx, table, key, what string, v any) error {
	if err := tx.Put(table, key, v); err != nil {
		return internal("put "+what, err)
	}
	return nil
}

// getNamed loads the user, group or role (kind) called name in account:
// "The <kind> with name <name> cannot be found." when there is none (or
// the name is empty).
func getNamed[T any](tx store.Tx, table, kind, account, name string) (*T, error) {
	notFound := func() error { return noSuchEntity("The %s with name %s cannot be found.", kind, name) }
	v, err := getRec[T](tx, table, nameKey(account, name), kind, notFound)
	if err == nil && name == "" {
		return nil, notFound()
	}
	return v, err
}

// renameNamed stores v, a user or group renamed (or moved to another path)
// from oldName to newName, under its new key. exists is the error when
// another entity of the kind already holds the new name (names compare
// case-insensitively, so a change of case alone is no clash).
func renameNamed[T any](tx store.Tx, table, kind, account, oldName, newName string, v *T, exists *service.Error) error {
	if nameKey(account, newName) != nameKey(account, oldName) {
		var other T
		if ok, err := tx.Get(table, nameKey(account, newName), &other); err != nil {
			return internal("get "+kind, err)
		} else if ok {
			return exists
		}
	}
	if _, err := tx.Delete(table, nameKey(account, oldName)); err != nil {
		return internal("delete "+kind, err)
	}
	return putRec(tx, table, nameKey(account, newName), kind, v)
}

// checkNoPolicies is the DeleteConflict of deleting a user, group or role
// that still has inline or attached managed policies.
func checkNoPolicies(inline inlinePolicies, attached []string) error {
	if len(inline) > 0 {
		return deleteConflict("Cannot delete entity, must delete policies first.")
	}
	if len(attached) > 0 {
		return deleteConflict("Cannot delete entity, must detach all policies first.")
	}
	return nil
}

func getUser(tx store.Tx, account, name string) (*userRec, error) {
	return getNamed[userRec](tx, tableUser, kindUser, account, name)
}

func putUser(tx store.Tx, account string, u *userRec) error {
	return putRec(tx, tableUser, nameKey(account, u.Name), kindUser, u)
}

func getGroup(tx store.Tx, account, name string) (*groupRec, error) {
	return getNamed[groupRec](tx, tableGroup, kindGroup, account, name)
}

func putGroup(tx store.Tx, account string, g *groupRec) error {
	return putRec(tx, tableGroup, nameKey(account, g.Name), kindGroup, g)
}

func getRole(tx store.Tx, account, name string) (*roleRec, error) {
	return getNamed[roleRec](tx, tableRole, kindRole, account, name)
}

func putRole(tx store.Tx, account string, r *roleRec) error {
	return putRec(tx, tableRole, nameKey(account, r.Name), kindRole, r)
}

func putPolicy(tx store.Tx, account string, p *policyRec) error {
	return putRec(tx, tablePolicy, nameKey(account, p.Name), "policy", p)
}

func putMFA(tx store.Tx, account string, d *mfaRec) error {
	return putRec(tx, tableMFA, account+"/"+d.Serial, "mfa", d)
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
