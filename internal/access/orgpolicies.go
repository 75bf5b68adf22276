package access

import (
	"fmt"
	"strings"

	"github.com/bulkhead-dev/bulkhead/internal/layout"
	"github.com/bulkhead-dev/bulkhead/internal/policy"
)

// orgPolicy is an SCP or RCP and where it is attached.
type orgPolicy struct {
	name     string
	typ      layout.PolicyType // PolicySCP or PolicyRCP
	compiled *policy.Compiled
	// targets: "root", unit paths, "account:NAME".
	targets map[string]bool
}

// layoutOrgPolicies takes the layout's SCPs and RCPs; FullAWSAccess is
// implicitly attached everywhere.
func (m *Model) layoutOrgPolicies(l *layout.Layout) {
	m.implicitFull = true
	for _, p := range l.Policies {
		typ := p.Type.Value
		if typ != layout.PolicySCP && typ != layout.PolicyRCP {
			continue
		}
		if typ == layout.PolicyRCP {
			m.hasRCPs = true
		}
		if p.Document == nil || p.Document.Policy == nil {
			m.errs = append(m.errs, fmt.Sprintf("policy %s could not be read (run bulkhead validate)", p.Name.Value))
			continue
		}
		c := policy.Compile(p.Document.Policy)
		c.Name = p.Name.Value
		op := &orgPolicy{name: p.Name.Value, typ: typ, compiled: c, targets: map[string]bool{}}
		for _, at := range p.Attach {
			v := strings.Trim(at.Value, "/")
			switch {
			case v == "root":
				op.targets["root"] = true
			case m.byName[v] != nil:
				op.targets["account:"+v] = true
			default:
				op.targets[v] = true
			}
		}
		m.orgPols = append(m.orgPols, op)
	}
}

// chain returns the SCP (or RCP) chain of an account, root first: at each
// level the policies attached there (with FullAWSAccess or RCPFullAWSAccess
// for a layout). It returns no levels for RCPs when the organization has
// none (the policy type is then not enabled). Chains are shared by every
// account with the same attachments at every level.
func (m *Model) chain(acct *Account, typ layout.PolicyType) (string, []policy.OrgLevel) {
	if typ == layout.PolicyRCP && !m.hasRCPs {
		return "", nil
	}
	targets := []string{"root"}
	if acct.Unit != "" {
		parts := strings.Split(acct.Unit, "/")
		for i := range parts {
			targets = append(targets, strings.Join(parts[:i+1], "/"))
		}
	}
	targets = append(targets, "account:"+acct.Name)
	var key strings.Builder
	key.WriteString(string(typ))
	attached := make([][]*orgPolicy, len(targets))
	for i, t := range targets {
		key.WriteString("[")
		for _, p := range m.orgPols {
			if p.typ == typ && p.targets[t] {
				attached[i] = append(attached[i], p)
				key.WriteString(p.name + ",")
			}
		}
		key.WriteString("]")
	}
	k := key.String()
	if lv, ok := m.chains[k]; ok {
		return k, lv
	}
	full, kind, fullName := FullAWSAccess, policy.SCP, "FullAWSAccess"
	if typ == layout.PolicyRCP {
		full, kind, fullName = RCPFullAWSAccess, policy.RCP, "RCPFullAWSAccess"
	}
	var levels []policy.OrgLevel
	for i, t := range targets {
		id := t
		if i == len(targets)-1 {
			id = "account"
		}
		lv := policy.OrgLevel{ID: id}
		if m.implicitFull {
			lv.Policies = append(lv.Policies, m.compile([]byte(full), kind, fullName))
		}
		for _, p := range attached[i] {
			lv.Policies = append(lv.Policies, p.compiled)
		}
		levels = append(levels, lv)
	}
	m.chains[k] = levels
	return k, levels
}
