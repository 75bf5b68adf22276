package authz

import (
	"sync"
	"time"
)

// factsTTL bounds how long cached facts are trusted. Writes made through
// this local AWS end their validity at once (BeginWrite/EndWrite); the TTL
// only bounds staleness after writes by another process sharing the state
// directory, as the front end's credential cache does (AWS's own IAM takes
// seconds to propagate a change).
const factsTTL = time.Second

// factsCache keeps facts between requests, so that a request whose caller
// was seen recently reads nothing from the store to be authorized.
//
// Consistency: every mutating request is bracketed by BeginWrite and
// EndWrite. While a write is in progress nothing is cached (its
// transaction may hold uncommitted changes, and readers may race it); a
// write's end bumps the generation, which retires every older entry and
// refuses entries read before it.
type factsCache struct {
	mu      sync.Mutex
	gen     uint64
	writing int
	entries map[string]factsEntry
}

type factsEntry struct {
	f   *facts
	gen uint64
	at  time.Time
}

// get returns fresh facts for key, and the generation to pass to put.
func (c *factsCache) get(key string, now time.Time) (*facts, bool, uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok || e.gen != c.gen || now.Sub(e.at) >= factsTTL || now.Before(e.at) {
		return nil, false, c.gen
	}
	return e.f, true, c.gen
}

// put stores facts read at generation gen, unless a write began or ended
// since.
func (c *factsCache) put(key string, f *facts, gen uint64, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen || c.writing > 0 {
		return
	}
	if c.entries == nil || len(c.entries) >= maxCached {
		c.entries = make(map[string]factsEntry)
	}
	c.entries[key] = factsEntry{f: f, gen: gen, at: now}
}

// generation is the current generation, for a request to note before its
// transaction's snapshot begins (Authorizer.BeforeTx).
func (c *factsCache) generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

func (c *factsCache) beginWrite() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.writing++
	c.gen++
}

func (c *factsCache) endWrite() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.writing--
	c.gen++
}
