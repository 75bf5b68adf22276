package policy

// Layers are the policies that apply to one request, by layer. A nil or
// empty layer does not apply (no boundary, no session policy, no resource
// policy, not in an organization), except that a listed SCP or RCP level
// with no policies allows nothing, as in AWS.
type Layers struct {
	Identity []*Compiled
	// Boundaries: the permissions boundary. AWS allows one per entity;
	// several are treated as one layer (any of them may allow).
	Boundaries []*Compiled
	// Session: the session policies (inline and managed) of a role or
	// federated-user session, treated as one layer.
	Session []*Compiled
	// Resource is the resource-based policy, or the role's trust policy
	// (Kind Trust) when the action is sts:AssumeRole*.
	Resource *Compiled
	// SCPs from the root to the principal's account; each level must allow.
	SCPs []OrgLevel
	// RCPs from the root to the resource's account; each level must allow.
	RCPs []OrgLevel
}

// OrgLevel is the policies attached at one level of an organization: the
// root (r-...), an OU (ou-...) or an account.
type OrgLevel struct {
	ID       string
	Policies []*Compiled
}

// Set is Layers compiled into per-service indexes. It is immutable and safe
// for concurrent use; build it once per principal and resource and
// evaluate many requests against it.
type Set struct {
	identity, boundary, session, resource *layer
	scps, rcps                            []*layer
	trust                                 bool
	// svcIDs numbers every service prefix named in any layer; a layer's
	// buckets are indexed by these numbers.
	svcIDs map[string]int
}

// layer is one layer's statements, indexed by service so that a request
// only visits the statements that can match its action, and only the
// action patterns of its service.
type layer struct {
	kind      LayerKind
	name      string // "identity policies", "SCPs at r-abcd", ...
	id        string // SCP/RCP level id
	buckets   [][]entry
	universal []entry // for services no statement names
}

// entry is a statement in a service's bucket with the action patterns that
// can match that service.
type entry struct {
	st    *cstmt
	names []actionPattern // patterns of this service
	all   bool            // an Action "*" pattern
	// deny and notAction copy the statement's flags so that the inner
	// loop does not load the statement to reject an entry.
	deny, notAction bool
	// always: once the action matches, the statement applies at
	// levelDirect with no further test (no Resource restriction, no
	// Principal, no Condition), so matchStmt need not run.
	always bool
	// first has a bit for each first letter the names can start with
	// (see firstBit), so most non-matching actions are rejected at once.
	first uint32
}

// firstBit maps the first byte of a lower-case operation name to a bit:
// one per letter, one shared by everything else.
func firstBit(name string) uint32 {
	if name == "" {
		return 1 << 26
	}
	if c := name[0]; c >= 'a' && c <= 'z' {
		return 1 << (c - 'a')
	}
	return 1 << 26
}

// firstMask is the union of firstBit over the names a pattern can match.
func firstMask(ap actionPattern) uint32 {
	if ap.all || ap.name == "" || ap.name[0] == '*' || ap.name[0] == '?' || ap.name[0] == litEscape {
		return 1<<27 - 1
	}
	return firstBit(ap.name)
}

// match reports whether the entry's Action/NotAction matches the request's
// lower-case operation name, whose firstBit is fb and loadHead is head
// (the service is already the bucket's).
func (e *entry) match(name string, fb uint32, head uint64) bool {
	m := e.all
	if !m && e.first&fb != 0 {
		for i := range e.names {
			if e.names[i].matchHead(name, head) {
				m = true
				break
			}
		}
	}
	return m != e.notAction
}

// NewSet compiles layers into a Set.
func NewSet(l Layers) *Set {
	s := &Set{svcIDs: map[string]int{}}
	all := [][]*Compiled{l.Identity, l.Boundaries, l.Session, {l.Resource}}
	for _, lv := range l.SCPs {
		all = append(all, lv.Policies)
	}
	for _, lv := range l.RCPs {
		all = append(all, lv.Policies)
	}
	for _, ps := range all {
		for _, p := range ps {
			if p == nil {
				continue
			}
			for _, st := range p.stmts {
				for _, svc := range st.services {
					if _, ok := s.svcIDs[svc]; !ok {
						s.svcIDs[svc] = len(s.svcIDs)
					}
				}
			}
		}
	}
	s.identity = s.newLayer(LayerIdentity, "identity policies", "", l.Identity)
	if len(l.Boundaries) > 0 {
		s.boundary = s.newLayer(LayerBoundary, "permissions boundary", "", l.Boundaries)
	}
	if len(l.Session) > 0 {
		s.session = s.newLayer(LayerSession, "session policy", "", l.Session)
	}
	if l.Resource != nil {
		kind, name := LayerResource, "resource-based policy"
		if l.Resource.Policy.Kind == Trust {
			kind, name = LayerTrust, "trust policy"
			s.trust = true
		}
		s.resource = s.newLayer(kind, name, "", []*Compiled{l.Resource})
	}
	for _, lv := range l.SCPs {
		s.scps = append(s.scps, s.newLayer(LayerSCP, "SCPs at "+lv.ID, lv.ID, lv.Policies))
	}
	for _, lv := range l.RCPs {
		s.rcps = append(s.rcps, s.newLayer(LayerRCP, "RCPs at "+lv.ID, lv.ID, lv.Policies))
	}
	return s
}

func (s *Set) newLayer(kind LayerKind, name, id string, policies []*Compiled) *layer {
	l := &layer{kind: kind, name: name, id: id, buckets: make([][]entry, len(s.svcIDs))}
	var stmts []*cstmt
	for _, p := range policies {
		if p != nil {
			stmts = append(stmts, p.stmts...)
		}
	}
	// Buckets keep source order, so explanations list statements as written.
	for svc, id := range s.svcIDs {
		for _, st := range stmts {
			e := newEntry(st)
			for _, ap := range st.actions {
				if ap.all {
					e.all = true
				} else if ap.service == svc {
					e.names = append(e.names, ap)
					e.first |= firstMask(ap)
				}
			}
			if e.all || len(e.names) > 0 || st.notAction {
				l.buckets[id] = append(l.buckets[id], e)
			}
		}
	}
	for _, st := range stmts {
		if st.anySvc {
			e := newEntry(st)
			for _, ap := range st.actions {
				e.all = e.all || ap.all
			}
			l.universal = append(l.universal, e)
		}
	}
	return l
}

// newEntry is st's entry before its action patterns are added.
func newEntry(st *cstmt) entry {
	return entry{
		st: st, deny: st.deny, notAction: st.notAction,
		always: (!st.hasRes || st.anyRes) && st.principal == nil && len(st.conds) == 0,
	}
}

// candidates are the entries that may match an action of the service
// numbered svcID (-1: a service no statement names).
func (l *layer) candidates(svcID int) []entry {
	if svcID < 0 {
		return l.universal
	}
	return l.buckets[svcID]
}
