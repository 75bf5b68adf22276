package emulator

import (
	"sync"
	"time"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/service"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/store"
)

// authCacheTTL bounds how long a cached credential is trusted without
// reading the store. Writes made through this emulator invalidate entries
// at once (see watchTx); the TTL only bounds staleness for writes made by
// another process sharing the state directory (AWS itself takes seconds to
// propagate a deleted key).
const authCacheTTL = time.Second

// maxAuthCache bounds the cache; when full it is emptied.
const maxAuthCache = 8192

// authCache keeps recently verified credentials and whether their account
// is closed, so that verifying a signature costs no store read on the hot
// path. Entries are keyed by access key id.
type authCache struct {
	mu      sync.Mutex
	gen     uint64 // bumped by every invalidation
	entries map[string]authEntry
}

type authEntry struct {
	cred   service.Credential
	closed bool
	at     time.Time
}

// get returns a fresh entry and the generation to pass to put.
func (c *authCache) get(id string, now time.Time) (authEntry, bool, uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[id]
	if ok && now.Sub(e.at) >= authCacheTTL {
		ok = false
	}
	return e, ok, c.gen
}

// put stores an entry read at generation gen, unless an invalidation came
// in between (the read may predate the write that invalidated it).
func (c *authCache) put(id string, e authEntry, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if c.entries == nil || len(c.entries) >= maxAuthCache {
		c.entries = make(map[string]authEntry)
	}
	c.entries[id] = e
}

// invalidate drops the given keys and every entry of the given accounts.
func (c *authCache) invalidate(keys, accounts []string) {
	if len(keys) == 0 && len(accounts) == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	for _, k := range keys {
		delete(c.entries, k)
	}
	if len(accounts) > 0 {
		for k, e := range c.entries {
			for _, a := range accounts {
				if e.cred.Identity.Account == a {
					delete(c.entries, k)
				}
			}
		}
	}
}

// watchTx is the transaction handlers see: it records writes to the
// credential and account tables, so that the front end invalidates the
// auth cache when the request ends.
type watchTx struct {
	store.Tx
	keys, accounts []string
}

func (w *watchTx) note(table, key string) {
	switch table {
	case service.CredentialTable:
		w.keys = append(w.keys, key)
	case service.AccountTable:
		w.accounts = append(w.accounts, key)
	}
}

func (w *watchTx) Put(table, key string, v any) error {
	w.note(table, key)
	return w.Tx.Put(table, key, v)
}

func (w *watchTx) Insert(table, key string, v any) error {
	w.note(table, key)
	return w.Tx.Insert(table, key, v)
}

func (w *watchTx) Delete(table, key string) (bool, error) {
	w.note(table, key)
	return w.Tx.Delete(table, key)
}
