package organizations

import (
	"sync"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/store"
)

// maxDecodeCache bounds a decodeCache; when full it is emptied.
const maxDecodeCache = 4096

// decodeCache decodes stored documents by content: the same bytes always
// decode to the same value, so an entry can never be stale, whoever wrote
// the store, and needs no invalidation. It is for listings that decode
// many documents per request (ListAccounts decoded 21 accountDocs, half
// its CPU). T must be safe to copy by value: no slices, maps or pointers
// a caller could mutate through (TestDecodeCacheTypes checks accountDoc).
type decodeCache[T any] struct {
	mu sync.Mutex
	m  map[string]T
}

// decode sets *v to d decoded.
func (c *decodeCache[T]) decode(d store.Doc, v *T) error {
	c.mu.Lock()
	cached, ok := c.m[string(d)]
	c.mu.Unlock()
	if ok {
		*v = cached
		return nil
	}
	var fresh T
	if err := d.Decode(&fresh); err != nil {
		return err
	}
	*v = fresh
	c.mu.Lock()
	if c.m == nil || len(c.m) >= maxDecodeCache {
		c.m = make(map[string]T)
	}
	c.m[string(d)] = fresh
	c.mu.Unlock()
	return nil
}
