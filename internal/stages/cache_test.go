package stages

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/99designs/keyring"
	"github.com/aws/aws-sdk-go-v2/aws"
)

type countingProvider struct {
	calls   atomic.Int64
	expires time.Time
}

func (p *countingProvider) Retrieve(context.Context) (aws.Credentials, error) {
	n := p.calls.Add(1)
	return aws.Credentials{AccessKeyID: "ASIA" + string(rune('A'+n)), SecretAccessKey: "s", SessionToken: "t", CanExpire: true, Expires: p.expires}, nil
}

// The cache decorates any provider: one fetch for fifty concurrent
// callers, files 0600 in a 0700 directory, a corrupt entry replaced.
func TestCachedProvider(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	inner := &countingProvider{expires: now.Add(time.Hour)}
	cache := &Cache{Store: &FileStore{Dir: filepath.Join(dir, "cache")}, LockDir: filepath.Join(dir, "locks"), Now: func() time.Time { return now }}
	p := &CachedProvider{Provider: inner, Cache: cache, Key: CacheKey("key:x", "111122223333", "appeng", "qa")}
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			if _, err := p.Retrieve(context.Background()); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := inner.calls.Load(); n != 1 {
		t.Errorf("%d fetches, want 1", n)
	}
	file := filepath.Join(dir, "cache", p.Key+".json")
	for path, want := range map[string]os.FileMode{file: 0o600, filepath.Join(dir, "cache"): 0o700} {
		st, err := os.Stat(path)
		must(t, err)
		if st.Mode().Perm() != want {
			t.Errorf("%s: mode %o, want %o", path, st.Mode().Perm(), want)
		}
	}
	must(t, os.WriteFile(file, []byte("{not json"), 0o600))
	c, err := p.Retrieve(context.Background())
	must(t, err)
	if inner.calls.Load() != 2 || c.AccessKeyID == "" {
		t.Errorf("corrupt entry not replaced: %d fetches", inner.calls.Load())
	}
}

func TestSourceKey(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	a := SourceKey(env(map[string]string{"AWS_ACCESS_KEY_ID": "AKIAEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret"}), "")
	b := SourceKey(env(map[string]string{"AWS_ACCESS_KEY_ID": "AKIAEXAMPLE", "AWS_SECRET_ACCESS_KEY": "other"}), "")
	if a != b || len(a) != len("key:")+64 || a == "key:AKIAEXAMPLE" {
		t.Errorf("key source %q %q: want the key id's hash alone", a, b)
	}
	if got := SourceKey(env(map[string]string{"AWS_PROFILE": "alice"}), ""); got != "profile:alice:" {
		t.Errorf("profile source %q", got)
	}
	if got := SourceKey(env(map[string]string{"AWS_PROFILE": "alice"}), "bob"); got != "profile:bob:" {
		t.Errorf("--profile source %q", got)
	}
}

// TestStoreConformance runs one suite against every Store backend
// (litestream's pattern): the OS keyring through 99designs/keyring (its
// in-memory backend stands in for the daemon CI lacks) and the files.
func TestStoreConformance(t *testing.T) {
	backends := map[string]func(t *testing.T) Store{
		"file":    func(t *testing.T) Store { return &FileStore{Dir: filepath.Join(t.TempDir(), "cache")} },
		"keyring": func(t *testing.T) Store { return &keyringStore{ring: keyring.NewArrayKeyring(nil)} },
	}
	for name, open := range backends {
		t.Run(name, func(t *testing.T) {
			s := open(t)
			if _, ok, err := s.Get("session-a"); ok || err != nil {
				t.Fatalf("Get on empty store: ok=%v err=%v", ok, err)
			}
			must(t, s.Set("session-a", []byte(`{"v":1}`)))
			must(t, s.Set("session-a", []byte(`{"v":2}`)))
			must(t, s.Set("session-b", []byte(`{"v":3}`)))
			got, ok, err := s.Get("session-a")
			if err != nil || !ok || string(got) != `{"v":2}` {
				t.Errorf("Get after Set: %q %v %v", got, ok, err)
			}
			must(t, s.Remove("session-a"))
			must(t, s.Remove("session-a")) // removing what is gone is fine
			if _, ok, _ := s.Get("session-a"); ok {
				t.Error("Get after Remove found it")
			}
			if got, ok, _ := s.Get("session-b"); !ok || string(got) != `{"v":3}` {
				t.Errorf("other key lost: %q", got)
			}
			if s.Name() == "" {
				t.Error("no name")
			}
		})
	}
}
