package iam

import (
	"context"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/service"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/store"
)

// Access keys: https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateAccessKey.html.
// A key is two records: its metadata under the user in tableAccessKey, and
// the service.Credential the front end verifies signatures with. At most
// two keys per user (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).

const accessKeysPerUser = 2

type accessKeyOut struct {
	UserName        string       `xml:"UserName"`
	AccessKeyId     string       `xml:"AccessKeyId"`
	Status          string       `xml:"Status"`
	SecretAccessKey string       `xml:"SecretAccessKey,omitempty"`
	CreateDate      service.Time `xml:"CreateDate"`
}

// keyOwner is whose keys an operation manages: the named user, or when
// UserName is omitted the caller (an IAM user, or the root user).
type keyOwner struct {
	name     string // user name; "" for root
	id       string // user id, or "root"
	arn      string
	identity service.Identity
}

func (s *Service) keyOwner(ctx context.Context, r *service.Request, userName string) (keyOwner, error) {
	acct := r.Caller.Account
	if userName == "" {
		switch r.Caller.Type {
		case "Root":
			// The key signs as the root user itself, never as the
			// caller's session (which may carry MFA or expire).
			root := service.Identity{Account: acct, ARN: RootARN(acct), Type: "Root", UserID: acct}
			o := keyOwner{id: "root", arn: RootARN(acct), identity: root}
			return o, r.Authorize(ctx, service.Authz{Resource: o.arn})
		case "User":
			userName = r.Caller.Name
		default:
			return keyOwner{}, service.BadRequest("ValidationError", "Must specify userName when calling with non-User credentials")
		}
	}
	u, err := s.user(ctx, r, userName, service.Authz{})
	if err != nil {
		return keyOwner{}, err
	}
	return keyOwner{name: u.Name, id: u.ID, arn: userARN(acct, u.Path, u.Name), identity: userIdentity(acct, u)}, nil
}

func (s *Service) createAccessKey(ctx context.Context, r *service.Request) (any, error) {
	var in struct{ UserName string }
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	o, err := s.keyOwner(ctx, r, in.UserName)
	if err != nil {
		return nil, err
	}
	acct, tx := r.Caller.Account, r.Tx
	n, err := tx.Count(tableAccessKey, acct+"/"+o.id+"/")
	if err != nil {
		return nil, internal("count access keys", err)
	}
	if n >= accessKeysPerUser {
		return nil, limitExceeded("Cannot exceed quota for AccessKeysPerUser: %d", accessKeysPerUser)
	}
	id, secret, err := NewAccessKey(s.rand, prefixAccessKey)
	if err != nil {
		return nil, err
	}
	if err := tx.Insert(tableAccessKey, acct+"/"+o.id+"/"+id, accessKeyRec{ID: id, User: o.name, Created: r.Now}); err != nil {
		return nil, internal("insert access key", err)
	}
	cred := service.Credential{AccessKeyID: id, SecretAccessKey: secret, Status: "Active", Identity: o.identity}
	if err := tx.Insert(service.CredentialTable, id, cred); err != nil {
		return nil, internal("insert credential", err)
	}
	return struct {
		AccessKey accessKeyOut `xml:"AccessKey"`
	}{accessKeyOut{UserName: o.name, AccessKeyId: id, Status: "Active", SecretAccessKey: secret, CreateDate: service.Time(r.Now)}}, nil
}

// accessKey loads one of owner's keys and its credential.
func accessKey(tx store.Tx, acct string, o keyOwner, keyID string) (*accessKeyRec, *service.Credential, error) {
	if keyID == "" {
		return nil, nil, missing("AccessKeyId")
	}
	k, err := getRec[accessKeyRec](tx, tableAccessKey, acct+"/"+o.id+"/"+keyID, "access key", func() error {
		return noSuchEntity("The Access Key with id %s cannot be found.", keyID)
	})
	if err != nil {
		return nil, nil, err
	}
	var c service.Credential
	if _, err := tx.Get(service.CredentialTable, keyID, &c); err != nil {
		return nil, nil, internal("get credential", err)
	}
	return k, &c, nil
}

// ownerPage decodes the input of a List* operation over a user's
// credentials (UserName, Marker, MaxItems), checks the page parameters and
// finds whose credentials they are.
func (s *Service) ownerPage(ctx context.Context, r *service.Request) (keyOwner, page, error) {
	var in struct {
		UserName string
		Marker   string
		MaxItems int
	}
	if err := r.Decode(&in); err != nil {
		return keyOwner{}, page{}, err
	}
	pg, err := parsePage(in.Marker, in.MaxItems)
	if err != nil {
		return keyOwner{}, page{}, err
	}
	o, err := s.keyOwner(ctx, r, in.UserName)
	return o, pg, err
}

func (s *Service) listAccessKeys(ctx context.Context, r *service.Request) (any, error) {
	o, pg, err := s.ownerPage(ctx, r)
	if err != nil {
		return nil, err
	}
	tx := r.Tx
	keys, info, err := scanPage(tx, tableAccessKey, r.Caller.Account+"/"+o.id+"/", pg, func(k *accessKeyRec) (accessKeyOut, bool, error) {
		var c service.Credential
		if _, err := tx.Get(service.CredentialTable, k.ID, &c); err != nil {
			return accessKeyOut{}, false, err
		}
		return accessKeyOut{UserName: k.User, AccessKeyId: k.ID, Status: c.Status, CreateDate: service.Time(k.Created)}, true, nil
	})
	if err != nil {
		return nil, internal("list access keys", err)
	}
	return struct {
		AccessKeyMetadata []accessKeyOut `xml:"AccessKeyMetadata>member"`
		pageInfo
	}{keys, info}, nil
}

func (s *Service) updateAccessKey(ctx context.Context, r *service.Request) (any, error) {
	var in struct {
		UserName    string
		AccessKeyId string
		Status      string
	}
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	if in.Status != "Active" && in.Status != "Inactive" {
		return nil, validationError("status", in.Status, "Member must satisfy enum value set: [Active, Inactive]")
	}
	o, err := s.keyOwner(ctx, r, in.UserName)
	if err != nil {
		return nil, err
	}
	_, c, err := accessKey(r.Tx, r.Caller.Account, o, in.AccessKeyId)
	if err != nil {
		return nil, err
	}
	c.Status = in.Status
	if err := r.Tx.Put(service.CredentialTable, c.AccessKeyID, c); err != nil {
		return nil, internal("put credential", err)
	}
	return nil, nil
}

func (s *Service) deleteAccessKey(ctx context.Context, r *service.Request) (any, error) {
	var in struct {
		UserName    string
		AccessKeyId string
	}
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	o, err := s.keyOwner(ctx, r, in.UserName)
	if err != nil {
		return nil, err
	}
	acct, tx := r.Caller.Account, r.Tx
	k, _, err := accessKey(tx, acct, o, in.AccessKeyId)
	if err != nil {
		return nil, err
	}
	if _, err := tx.Delete(tableAccessKey, acct+"/"+o.id+"/"+k.ID); err != nil {
		return nil, internal("delete access key", err)
	}
	if _, err := tx.Delete(service.CredentialTable, k.ID); err != nil {
		return nil, internal("delete credential", err)
	}
	return nil, nil
}

// getAccessKeyLastUsed reports the owner of a key of the caller's account.
// The local AWS does not record key use, so it answers as AWS does for a
// key never used: ServiceName and Region "N/A", no LastUsedDate
// (https://docs.aws.amazon.com/IAM/latest/APIReference/API_AccessKeyLastUsed.html).
func (s *Service) getAccessKeyLastUsed(ctx context.Context, r *service.Request) (any, error) {
	var in struct{ AccessKeyId string }
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	if in.AccessKeyId == "" {
		return nil, missing("AccessKeyId")
	}
	var c service.Credential
	ok, err := r.Tx.Get(service.CredentialTable, in.AccessKeyId, &c)
	if err != nil {
		return nil, internal("get credential", err)
	}
	if !ok || c.SessionToken != "" || c.Identity.Account != r.Caller.Account {
		return nil, noSuchEntity("The Access Key with id %s cannot be found.", in.AccessKeyId)
	}
	if err := r.Authorize(ctx, service.Authz{Resource: c.Identity.ARN}); err != nil {
		return nil, err
	}
	type lastUsed struct {
		ServiceName string `xml:"ServiceName"`
		Region      string `xml:"Region"`
	}
	return struct {
		UserName          string   `xml:"UserName,omitempty"`
		AccessKeyLastUsed lastUsed `xml:"AccessKeyLastUsed"`
	}{c.Identity.Name, lastUsed{"N/A", "N/A"}}, nil
}
