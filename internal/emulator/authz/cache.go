package authz

import (
	"encoding/binary"
	"sync"

	"github.com/bulkhead-dev/bulkhead/internal/policy"
)

// The policy cache keeps compiled policies keyed by their content (kind,
// name and JSON text), and policy sets keyed by the compiled policies they
// are made of, so that only a document never seen before is parsed, and
// principals with the same policies share one set. Being keyed by content
// it needs no invalidation.

// maxCached bounds each map; a full map is emptied (the working set of a
// local AWS is small, and refilling costs one parse per document).
const maxCached = 4096

// docRef is one policy document as stored.
type docRef struct {
	kind policy.Kind
	name string
	doc  string
}

// level is one level of an SCP or RCP chain.
type level struct {
	id   string
	docs []docRef
}

// layerDocs are the documents of every layer of one request.
type layerDocs struct {
	// standIn replaces the identity side and the resource policy with
	// allow-everything stand-ins: STS decides those for sts:AssumeRole,
	// and the set then decides only the organization layers.
	standIn                     bool
	identity, boundary, session []docRef
	// scps and rcps are nil when the layer does not apply (no
	// organization, the management account, the policy type disabled).
	scps, rcps []level
}

type compiledDoc struct {
	c  *policy.Compiled
	id uint64
	// bad says why the document cannot be evaluated; c is nil then.
	bad string
}

type policyCache struct {
	mu     sync.Mutex
	nextID uint64
	docs   map[docRef]compiledDoc
	sets   map[string]*policy.Set
	// Stand-ins for the part of an sts:AssumeRole decision STS makes.
	standInIdentity, standInTrust *policy.Compiled
}

func newPolicyCache() *policyCache {
	return &policyCache{
		docs:            map[docRef]compiledDoc{},
		sets:            map[string]*policy.Set{},
		standInIdentity: mustCompile(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`, "identity side (decided by STS)", policy.Identity),
		standInTrust:    mustCompile(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:*"}]}`, "trust policy (decided by STS)", policy.Trust),
	}
}

func mustCompile(doc, name string, kind policy.Kind) *policy.Compiled {
	p, diags := policy.Parse([]byte(doc), policy.ParseOptions{File: name, Kind: kind})
	if p == nil || diags.HasErrors() {
		panic("authz: built-in policy does not parse: " + diags.Err().Error())
	}
	return policy.Compile(p)
}

// compile returns d compiled, from the cache when seen before. c.mu is held.
func (c *policyCache) compile(d docRef) compiledDoc {
	if cd, ok := c.docs[d]; ok {
		return cd
	}
	c.nextID++
	cd := compiledDoc{id: c.nextID}
	p, diags := policy.Parse([]byte(d.doc), policy.ParseOptions{File: d.name, Kind: d.kind})
	if p == nil || diags.HasErrors() {
		cd.bad = d.name + ": " + diags.Err().Error()
	} else {
		cd.c = policy.Compile(p)
	}
	if len(c.docs) >= maxCached {
		c.docs = map[docRef]compiledDoc{}
	}
	c.docs[d] = cd
	return cd
}

// set returns the compiled set for l, or the reason one of its documents
// cannot be evaluated.
func (c *policyCache) set(l *layerDocs) (*policy.Set, string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var key []byte
	var bad string
	list := func(tag byte, docs []docRef) []*policy.Compiled {
		key = append(key, tag)
		out := make([]*policy.Compiled, 0, len(docs))
		for _, d := range docs {
			cd := c.compile(d)
			if cd.bad != "" && bad == "" {
				bad = cd.bad
			}
			key = binary.AppendUvarint(key, cd.id)
			out = append(out, cd.c)
		}
		return out
	}
	levels := func(tag byte, lv []level) []policy.OrgLevel {
		var out []policy.OrgLevel
		for _, v := range lv {
			key = append(key, tag)
			key = append(key, v.id...)
			out = append(out, policy.OrgLevel{ID: v.id, Policies: list('.', v.docs)})
		}
		return out
	}
	var ls policy.Layers
	if l.standIn {
		key = append(key, 'S')
		ls.Identity = []*policy.Compiled{c.standInIdentity}
		ls.Resource = c.standInTrust
	} else {
		ls.Identity = list('I', l.identity)
		if len(l.boundary) > 0 {
			ls.Boundaries = list('B', l.boundary)
		}
		if len(l.session) > 0 {
			ls.Session = list('P', l.session)
		}
	}
	ls.SCPs = levels('C', l.scps)
	ls.RCPs = levels('R', l.rcps)
	if bad != "" {
		return nil, bad
	}
	if s, ok := c.sets[string(key)]; ok {
		return s, ""
	}
	s := policy.NewSet(ls)
	if len(c.sets) >= maxCached {
		c.sets = map[string]*policy.Set{}
	}
	c.sets[string(key)] = s
	return s, ""
}
