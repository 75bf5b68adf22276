package stages

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/bulkhead-dev/bulkhead/internal/diag"
	"github.com/bulkhead-dev/bulkhead/internal/layout"
)

// Destination is everything Open needs from the layout for one stage: where it
// goes, its guard, whether its role needs MFA, who the CI principal is.
// It is small and serializable, so that a warm exec can skip parsing the
// layout (about 25 ms for 1,000 accounts, most of it YAML) and read the
// route cached for the layout's exact bytes instead.
type Destination struct {
	Org        Org         `json:"org"`
	Resolution *Resolution `json:"resolution"`
	// Role is the role to assume: the rule's, or --role.
	Role string `json:"role"`
	MFA  bool   `json:"mfa,omitempty"`
	// CI is the layout's CI principal; nil when it has none.
	CI *CIPrincipal `json:"ci,omitempty"`
}

// Org is what a route keeps of the organization section.
type Org struct {
	Name   string        `json:"name"`
	Target layout.Target `json:"target"`
	Region string        `json:"region,omitempty"`
	// File is the layout file, for hints.
	File string `json:"file"`
}

// CIPrincipal is the layout's `ci:`: GitHub Actions OIDC, or a role.
type CIPrincipal struct {
	Pos         diag.Pos `json:"pos"`
	GitHub      bool     `json:"github,omitempty"`
	RoleAccount string   `json:"role_account,omitempty"`
	RoleName    string   `json:"role_name,omitempty"`
}

// NewDestination routes stage (or, when account is set, the account by name)
// with the layout; role overrides the rule's role and must be one of the
// layout's roles.
func NewDestination(l *layout.Layout, stage, role, account string) (*Destination, error) {
	var res *Resolution
	var err error
	if account != "" {
		res, err = ResolveAccount(l, account, role)
	} else {
		res, err = Resolve(l, stage)
	}
	if err != nil {
		return nil, err
	}
	r := &Destination{
		Org:        Org{Name: l.Organization.Name.Value, Target: l.Organization.Target.Value, Region: l.Organization.Region.Value, File: l.File},
		Resolution: res, Role: res.Role,
	}
	if role != "" {
		if l.Role(role) == nil {
			return nil, fmt.Errorf("--role %q: the layout has no such role (roles: %s)", role, roleNames(l))
		}
		r.Role = role
	}
	if r.Role == "" {
		return nil, fmt.Errorf("%s: stage rule %d routes %q to account %q without a role; add `role:` to the rule or pass --role", res.RulePos, res.Rule, res.Stage, res.Account)
	}
	if lr := l.Role(r.Role); lr != nil {
		r.MFA = lr.MFA.Value
	}
	if ci := l.CI; ci != nil {
		r.CI = &CIPrincipal{Pos: ci.Pos, GitHub: ci.GitHub != nil}
		if ci.Role != nil {
			r.CI.RoleAccount, r.CI.RoleName = ci.Role.Account.Value, ci.Role.Name.Value
		}
	}
	return r, nil
}

func roleNames(l *layout.Layout) string {
	s := ""
	for i, r := range l.Roles {
		if i > 0 {
			s += ", "
		}
		s += r.Name.Value
	}
	if s == "" {
		return "none"
	}
	return s
}

// DestinationCache keeps routes in Dir, one 0600 file each, keyed by the
// layout's bytes and the question asked; a changed layout is a new key,
// so an entry is never stale. Only routes of valid layouts are put in it.
type DestinationCache struct{ Dir string }

// DestinationKey is the key of a route: the layout file's path and content, and
// the stage, role and account asked for.
func DestinationKey(layoutPath string, layoutBytes []byte, stage, role, account string) string {
	h := sha256.New()
	content := sha256.Sum256(layoutBytes)
	for _, s := range []string{layoutPath, hex.EncodeToString(content[:]), stage, role, account} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// Get returns the route under key, if any.
func (c *DestinationCache) Get(key string) (*Destination, bool) {
	b, err := os.ReadFile(filepath.Join(c.Dir, key+".json"))
	if err != nil {
		return nil, false
	}
	var r Destination
	if json.Unmarshal(b, &r) != nil || r.Resolution == nil || r.Role == "" {
		return nil, false
	}
	return &r, true
}

// Put stores r under key.
func (c *DestinationCache) Put(key string, r *Destination) error {
	if err := os.MkdirAll(c.Dir, 0o700); err != nil {
		return err
	}
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(c.Dir, key+".json"), b, 0o600)
}
