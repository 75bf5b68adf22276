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

	"github.com/99designs/keyring"
	"github.com/aws/aws-sdk-go-v2/aws"
)

// RefreshBefore is how long before expiry cached credentials are replaced:
// a command handed credentials with less than this left could see them
// expire mid-deploy.
const RefreshBefore = 5 * time.Minute

// Store keeps cached sessions. Keys are opaque names made by CacheKey;
// values are JSON documents that hold secrets, so a Store must keep them
// where only the user can read them.
type Store interface {
	// Get returns the value of key; ok is false when there is none.
	Get(key string) (value []byte, ok bool, err error)
	Set(key string, value []byte) error
	Remove(key string) error
	// Name says where values are kept, for --debug and docs.
	Name() string
}

// OpenStore returns the OS keyring (macOS Keychain, Windows Credential
// Manager, the Secret Service or KWallet on Linux) when one answers, else
// files under dir. noKeyring forces the files (BULKHEAD_NO_KEYRING=1;
// there is no keyring daemon in CI or in tests).
func OpenStore(dir string, noKeyring bool) Store {
	if !noKeyring {
		ring, err := keyring.Open(keyring.Config{
			ServiceName: "bulkhead",
			// Only the backends that keep secrets out of reach of other
			// users without asking for a passphrase; keyring's own
			// encrypted-file backend would prompt on every command.
			AllowedBackends:                []keyring.BackendType{keyring.KeychainBackend, keyring.WinCredBackend, keyring.SecretServiceBackend, keyring.KWalletBackend},
			KeychainTrustApplication:       true,
			KeychainSynchronizable:         false,
			LibSecretCollectionName:        "login",
			KWalletAppID:                   "bulkhead",
			KWalletFolder:                  "bulkhead",
			WinCredPrefix:                  "bulkhead",
			KeychainAccessibleWhenUnlocked: true,
		})
		if err == nil {
			return &keyringStore{ring: ring}
		}
	}
	return &FileStore{Dir: dir}
}

type keyringStore struct{ ring keyring.Keyring }

func (s *keyringStore) Name() string { return "OS keyring" }

func (s *keyringStore) Get(key string) ([]byte, bool, error) {
	it, err := s.ring.Get(key)
	if errors.Is(err, keyring.ErrKeyNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("read keyring item %s: %w", key, err)
	}
	return it.Data, true, nil
}

func (s *keyringStore) Set(key string, value []byte) error {
	return s.ring.Set(keyring.Item{Key: key, Data: value, Label: "bulkhead " + key, Description: "bulkhead stage session"})
}

func (s *keyringStore) Remove(key string) error {
	if err := s.ring.Remove(key); err != nil && !errors.Is(err, keyring.ErrKeyNotFound) {
		return err
	}
	return nil
}

// FileStore keeps each value in its own file, mode 0600, in Dir (created
// 0700). Writes go through a temporary file and a rename, so a reader
// never sees half a value.
type FileStore struct{ Dir string }

func (s *FileStore) Name() string { return "files in " + s.Dir }

func (s *FileStore) path(key string) string { return filepath.Join(s.Dir, key+".json") }

func (s *FileStore) Get(key string) ([]byte, bool, error) {
	b, err := os.ReadFile(s.path(key))
	if errors.Is(err, os.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return b, true, nil
}

func (s *FileStore) Set(key string, value []byte) error {
	if err := os.MkdirAll(s.Dir, 0o700); err != nil {
		return err
	}
	return writeFileAtomic(s.path(key), value, 0o600)
}

func (s *FileStore) Remove(key string) error {
	if err := os.Remove(s.path(key)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

// writeFileAtomic writes data to a temporary file next to path with the
// given mode and renames it over path.
func writeFileAtomic(path string, data []byte, mode os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // no-op after the rename
	if err := f.Chmod(mode); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// CacheKey names the cache entry of one identity's session in one role of
// one account for one stage. source identifies the base credentials
// (SourceKey); it is hashed with the rest so that no key id appears in
// file names. The stage is part of the key because it is part of the
// session's name (<user>@<stage>), which CloudTrail shows: feature-a and
// feature-b get sessions of their own in the shared development account.
func CacheKey(source, accountID, role, stage string) string {
	h := sha256.Sum256([]byte(source + "\x00" + accountID + "\x00" + role + "\x00" + stage))
	return "session-" + hex.EncodeToString(h[:12])
}

// Entry is what the cache keeps for one session: the credentials and
// what the audit log and the guard need to know without a network call.
type Entry struct {
	Credentials aws.Credentials `json:"credentials"`
	// Identity is the ARN of the base credentials that assumed the role;
	// Assumed is the session's ARN.
	Identity string `json:"identity"`
	Assumed  string `json:"assumed"`
}

// usable reports whether e can be handed out at now.
func (e *Entry) usable(now time.Time) bool {
	c := e.Credentials
	if c.AccessKeyID == "" || c.SecretAccessKey == "" {
		return false
	}
	return !c.CanExpire || c.Expires.After(now.Add(RefreshBefore))
}

// Fetch makes a new session on a cache miss.
type Fetch func(ctx context.Context) (*Entry, error)

// Cache hands out cached sessions and fetches new ones under a file lock,
// so that any number of concurrent bulkhead processes (or goroutines)
// wanting the same session make one STS call: the first takes the lock
// and fetches, the others wait for the lock and then find its result.
type Cache struct {
	Store Store
	// LockDir holds one lock file per key (flock(2), released by the
	// kernel if the process dies).
	LockDir string
	Now     func() time.Time
}

// Get returns the session under key, calling fetch when there is none or
// it expires within RefreshBefore. hit reports whether it came from the
// cache. A corrupt entry is treated as missing and replaced.
func (c *Cache) Get(ctx context.Context, key string, fetch Fetch) (e *Entry, hit bool, err error) {
	if e, ok := c.read(key); ok {
		return e, true, nil
	}
	unlock, err := c.lock(ctx, key)
	if err != nil {
		return nil, false, err
	}
	defer unlock()
	// Another process may have fetched while this one waited.
	if e, ok := c.read(key); ok {
		return e, true, nil
	}
	e, err = fetch(ctx)
	if err != nil {
		return nil, false, err
	}
	b, err := json.Marshal(e)
	if err != nil {
		return nil, false, err
	}
	if err := c.Store.Set(key, b); err != nil {
		return nil, false, fmt.Errorf("cache session in %s: %w", c.Store.Name(), err)
	}
	return e, false, nil
}

func (c *Cache) read(key string) (*Entry, bool) {
	b, ok, err := c.Store.Get(key)
	if err != nil || !ok {
		return nil, false
	}
	var e Entry
	if json.Unmarshal(b, &e) != nil || !e.usable(c.Now()) {
		return nil, false
	}
	return &e, true
}

// lock takes an exclusive lock on LockDir/key.lock (tryLock: flock(2) on
// Unix, LockFileEx on Windows; released by the kernel if the process
// dies), polling while ctx allows, since neither can be interrupted by a
// context.
func (c *Cache) lock(ctx context.Context, key string) (func(), error) {
	if err := os.MkdirAll(c.LockDir, 0o700); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(filepath.Join(c.LockDir, key+".lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		locked, err := tryLock(f)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", f.Name(), err)
		}
		if locked {
			return func() {
				unlock(f)
				f.Close()
			}, nil
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("waiting for another bulkhead to fetch the session: %w", ctx.Err())
		case <-tick.C:
		}
	}
}

// CachedProvider is an aws.CredentialsProvider that serves Provider's
// credentials from a Cache (aws-vault's cachedsessionprovider): the cache
// decorates any provider.
type CachedProvider struct {
	Provider aws.CredentialsProvider
	Cache    *Cache
	Key      string
}

// Retrieve returns cached credentials or retrieves and caches new ones.
func (p *CachedProvider) Retrieve(ctx context.Context) (aws.Credentials, error) {
	e, _, err := p.Cache.Get(ctx, p.Key, func(ctx context.Context) (*Entry, error) {
		c, err := p.Provider.Retrieve(ctx)
		if err != nil {
			return nil, err
		}
		return &Entry{Credentials: c}, nil
	})
	if err != nil {
		return aws.Credentials{}, err
	}
	return e.Credentials, nil
}

// SourceKey identifies the base credentials without a network call and
// without the secret: the SHA-256 of the access key id when the
// environment holds keys, the web identity role for OIDC, else the
// shared-config profile by name (as aws-vault keys its cache).
func SourceKey(getenv func(string) string, profile string) string {
	if id := getenv("AWS_ACCESS_KEY_ID"); id != "" {
		h := sha256.Sum256([]byte(id))
		return "key:" + hex.EncodeToString(h[:])
	}
	if arn := getenv("AWS_ROLE_ARN"); arn != "" && getenv("AWS_WEB_IDENTITY_TOKEN_FILE") != "" {
		return "web-identity:" + arn
	}
	if profile == "" {
		profile = getenv("AWS_PROFILE")
	}
	if profile == "" {
		profile = "default"
	}
	return "profile:" + strings.TrimSpace(profile) + ":" + getenv("AWS_CONFIG_FILE")
}
