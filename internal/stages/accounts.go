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
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/smithy-go"
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
	// Pinned are ids given by the environment (BULKHEAD_ACCOUNT_IDS,
	// ParsePinned), for base credentials that may not read the
	// organization, such as a CI role outside the management account.
	Pinned map[string]string
}

// ParsePinned reads BULKHEAD_ACCOUNT_IDS: "name=id,name=id".
func ParsePinned(s string) (map[string]string, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	m := map[string]string{}
	for _, kv := range strings.Split(s, ",") {
		name, id, ok := strings.Cut(strings.TrimSpace(kv), "=")
		if !ok || name == "" || len(id) != 12 || strings.Trim(id, "0123456789") != "" {
			return nil, fmt.Errorf("BULKHEAD_ACCOUNT_IDS: %q: want NAME=ACCOUNT_ID (12 digits), comma-separated", kv)
		}
		m[name] = id
	}
	return m, nil
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
	if id, ok := a.Pinned[name]; ok {
		return id, nil
	}
	if m, err := a.read(); err == nil {
		if id, ok := m.Accounts[name]; ok {
			return id, nil
		}
	}
	m, err := list(ctx)
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return "", fmt.Errorf("read the organization's accounts to find the id of %q: %w\n    hint: the base credentials need organizations:DescribeOrganization and organizations:ListAccounts (management account or delegated administrator); or set BULKHEAD_ACCOUNT_IDS=%s=<id>,...", name, err, name)
	}
	if err != nil {
		return "", err
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
