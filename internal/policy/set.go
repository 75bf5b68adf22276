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
}

// layer is one layer's statements, indexed by service prefix so that a
// request only visits statements that can match its action.
type layer struct {
	name      string // "identity", "SCP r-abcd", ...
	id        string // SCP/RCP level id
	stmts     []*cstmt
	bySvc     map[string][]*cstmt
	universal []*cstmt // statements matching every service: "*", NotAction
}

// NewSet compiles layers into a Set.
func NewSet(l Layers) *Set {
	s := &Set{
		identity: newLayer("identity policies", "", l.Identity),
	}
	if len(l.Boundaries) > 0 {
		s.boundary = newLayer("permissions boundary", "", l.Boundaries)
	}
	if len(l.Session) > 0 {
		s.session = newLayer("session policy", "", l.Session)
	}
	if l.Resource != nil {
		name := "resource-based policy"
		if l.Resource.Policy.Kind == Trust {
			name = "trust policy"
			s.trust = true
		}
		s.resource = newLayer(name, "", []*Compiled{l.Resource})
	}
	for _, lv := range l.SCPs {
		s.scps = append(s.scps, newLayer("SCPs at "+lv.ID, lv.ID, lv.Policies))
	}
	for _, lv := range l.RCPs {
		s.rcps = append(s.rcps, newLayer("RCPs at "+lv.ID, lv.ID, lv.Policies))
	}
	return s
}

func newLayer(name, id string, policies []*Compiled) *layer {
	l := &layer{name: name, id: id, bySvc: map[string][]*cstmt{}}
	for _, p := range policies {
		if p == nil {
			continue
		}
		l.stmts = append(l.stmts, p.stmts...)
	}
	for _, st := range l.stmts {
		if st.anySvc {
			l.universal = append(l.universal, st)
			continue
		}
		for _, svc := range st.services {
			l.bySvc[svc] = nil
		}
	}
	// Each bucket keeps source order: the statements naming the service
	// and the universal ones, interleaved as written.
	for svc := range l.bySvc {
		var b []*cstmt
		for _, st := range l.stmts {
			if st.anySvc || containsString(st.services, svc) {
				b = append(b, st)
			}
		}
		l.bySvc[svc] = b
	}
	return l
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// candidates are the statements that may match an action of service svc.
func (l *layer) candidates(svc string) []*cstmt {
	if b, ok := l.bySvc[svc]; ok {
		return b
	}
	return l.universal
}
