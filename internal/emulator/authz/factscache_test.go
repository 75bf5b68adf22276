package authz

import (
	"testing"
	"time"
)

// The facts cache never serves facts older than the last write through
// this process, never keeps facts read during a write, and trusts nothing
// for longer than factsTTL.
func TestFactsCache(t *testing.T) {
	t0 := time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)
	f := &facts{}
	steps := []struct {
		name string
		do   func(c *factsCache)
		at   time.Time
		want bool
	}{
		{"put then get", func(c *factsCache) { _, _, g := c.get("k", t0); c.put("k", f, g, t0) }, t0, true},
		{"a write retires it", func(c *factsCache) { _, _, g := c.get("k", t0); c.put("k", f, g, t0); c.beginWrite(); c.endWrite() }, t0, false},
		{"read before a write, put after it", func(c *factsCache) {
			_, _, g := c.get("k", t0)
			c.beginWrite()
			c.endWrite()
			c.put("k", f, g, t0)
		}, t0, false},
		{"put during a write", func(c *factsCache) {
			c.beginWrite()
			_, _, g := c.get("k", t0)
			c.put("k", f, g, t0)
		}, t0, false},
		{"read during a write, put after it", func(c *factsCache) {
			c.beginWrite()
			_, _, g := c.get("k", t0)
			c.endWrite()
			c.put("k", f, g, t0)
		}, t0, false},
		{"snapshot opened before a write that committed before Authorize", func(c *factsCache) {
			g := c.generation() // BeforeTx: the request notes its generation, then its snapshot opens
			c.beginWrite()      // another request writes and commits
			c.endWrite()
			_, _, _ = c.get("k", t0) // Authorize runs after the commit: the current generation is newer
			c.put("k", f, g, t0)     // facts from the old snapshot, stored under BeforeTx's generation
		}, t0, false},
		{"within the TTL", func(c *factsCache) { _, _, g := c.get("k", t0); c.put("k", f, g, t0) }, t0.Add(factsTTL - time.Millisecond), true},
		{"past the TTL", func(c *factsCache) { _, _, g := c.get("k", t0); c.put("k", f, g, t0) }, t0.Add(factsTTL), false},
		{"clock moved back", func(c *factsCache) { _, _, g := c.get("k", t0); c.put("k", f, g, t0) }, t0.Add(-time.Second), false},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			var c factsCache
			s.do(&c)
			if _, ok, _ := c.get("k", s.at); ok != s.want {
				t.Errorf("cached = %v, want %v", ok, s.want)
			}
		})
	}
}
