package stages

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

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
