package stages

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/organizations"
)

// AccountIDs maps the organization's account names to ids. It is read
// from the live organization once (ListAccounts) and kept in the state
// directory, so that a warm exec needs no network call at all; a name the
// file lacks (an account created since) makes it read the organization
// again.
type AccountIDs struct {
	// Path is the cache file (0600); the organization's key is part of its
	// name (AccountCachePath).
	Path string
	Now  func() time.Time
}

// AccountMap is the cache file's content.
type AccountMap struct {
	OrganizationID string            `json:"organization_id"`
	ManagementID   string            `json:"management_account_id"`
	Fetched        time.Time         `json:"fetched"`
	Accounts       map[string]string `json:"accounts"`
}

// AccountCachePath is the file of the organization identified by key (the
// layout's target, organization name and, for the local AWS, its state
// directory) under stateDir.
func AccountCachePath(stateDir, key string) string {
	h := sha256.Sum256([]byte(key))
	return filepath.Join(stateDir, "accounts", hex.EncodeToString(h[:12])+".json")
}

// ErrAccountNotFound is returned when the live organization has no account
// of the name: the layout has not been applied yet.
var ErrAccountNotFound = errors.New("account not found in the organization")

// ID returns the id of the account named name. list reads the
// organization (ListOrganization with the base credentials); it is called
// only when the file lacks the name.
func (a *AccountIDs) ID(ctx context.Context, name string, list func(context.Context) (*AccountMap, error)) (string, error) {
	if m, err := a.read(); err == nil {
		if id, ok := m.Accounts[name]; ok {
			return id, nil
		}
	}
	m, err := list(ctx)
	if err != nil {
		return "", fmt.Errorf("read the organization's accounts: %w", err)
	}
	m.Fetched = a.Now().UTC()
	if err := a.write(m); err != nil {
		return "", err
	}
	id, ok := m.Accounts[name]
	if !ok {
		return "", fmt.Errorf("%w: %q (organization %s); run `bulkhead apply` to create it", ErrAccountNotFound, name, m.OrganizationID)
	}
	return id, nil
}

func (a *AccountIDs) read() (*AccountMap, error) {
	b, err := os.ReadFile(a.Path)
	if err != nil {
		return nil, err
	}
	var m AccountMap
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	return &m, nil
}

func (a *AccountIDs) write(m *AccountMap) error {
	if err := os.MkdirAll(filepath.Dir(a.Path), 0o700); err != nil {
		return err
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(a.Path, append(b, '\n'), 0o600)
}

// ListOrganization reads the organization's id and accounts (every page)
// with client.
func ListOrganization(ctx context.Context, client *organizations.Client) (*AccountMap, error) {
	org, err := client.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	if err != nil {
		return nil, err
	}
	m := &AccountMap{Accounts: map[string]string{}}
	if o := org.Organization; o != nil {
		m.OrganizationID = deref(o.Id)
		m.ManagementID = deref(o.MasterAccountId)
	}
	p := organizations.NewListAccountsPaginator(client, &organizations.ListAccountsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, acct := range page.Accounts {
			m.Accounts[deref(acct.Name)] = deref(acct.Id)
		}
	}
	return m, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
