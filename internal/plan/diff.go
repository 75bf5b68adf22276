package plan

import (
	"fmt"
	"sort"

	"github.com/bulkhead-dev/bulkhead/internal/org"
)

// Options shape a diff.
type Options struct {
	// AllowDestroy lets the plan close accounts, delete units and
	// policies, and detach guardrail policies. Without it those operations
	// are withheld and listed, and the resources shown as unmanaged.
	AllowDestroy bool
	// MaxDestroy caps destructive operations per run; 0 means no cap.
	MaxDestroy int
	// RemoveAccounts removes unmanaged accounts from the organization
	// (RemoveAccountFromOrganization) instead of closing them.
	RemoveAccounts bool
	// Previous is the desired organization as last applied, when known
	// (.bulkhead/applied.json). It tells drift (live changed outside
	// bulkhead, layout unchanged) from a change of the layout.
	Previous *org.Org
}

// LockTag is the root tag that holds the apply lock; diff and fingerprint
// ignore it.
const LockTag = "bulkhead:lock"

// Tags bulkhead writes on accounts so that a live read gives back the
// layout's kind and protection.
const (
	KindTag      = "bulkhead:kind"
	ProtectedTag = "bulkhead:protected"
)

// differ holds the state of one Diff.
type differ struct {
	want, live, prev *org.Org
	opts             Options
	plan             *Plan

	orgOp string // id of create-organization when planned

	// unit matching: desired path ↔ live path
	d2l, l2d map[string]string
	// units created by this plan, by desired path → op id
	unitCreate map[string]string
	// sigs memoizes childSig by side and path.
	sigs map[string]string
	// replaced maps the desired path of a moved unit to the live unit it
	// replaces.
	replaced map[string]string
	// live units deleted by this plan, by live path → op id
	unitDelete map[string]string
	// account matching
	acctD2L    map[string]*org.Account // desired name → live account
	acctL2D    map[string]string       // live name → desired name
	acctCreate map[string]string       // desired name → op id
	acctGone   map[string]string       // live name → close/remove op id
	// live account moves out of a unit, by live unit path → op ids
	movesOut map[string][]string
	// policy creation and type enabling, by name/type → op id
	policyCreate map[string]string
	typeEnable   map[string]string
}

// Diff compares the desired organization with the live one and returns the
// operations that make live match desired. live may be an empty Org (no
// organization yet: ID ""), in which case the plan creates it. Diff never
// fails: what cannot be planned safely is reported in Plan.Errors.
func Diff(desired, live *org.Org, opts Options) *Plan {
	if live == nil {
		live = org.New()
	}
	d := &differ{
		want: desired, live: live, prev: opts.Previous, opts: opts,
		plan: &Plan{FormatVersion: FormatVersion, Organization: live.ID, Desired: desired, Ops: []*Op{}},
		d2l:  map[string]string{}, l2d: map[string]string{},
		unitCreate: map[string]string{}, unitDelete: map[string]string{},
		acctD2L: map[string]*org.Account{}, acctL2D: map[string]string{},
		acctCreate: map[string]string{}, acctGone: map[string]string{},
		movesOut: map[string][]string{}, sigs: map[string]string{},
		policyCreate: map[string]string{}, typeEnable: map[string]string{},
	}
	d.organization()
	d.matchAccounts()
	d.matchUnits()
	d.units()
	d.accounts()
	d.deleteUnits()
	d.policies()
	d.capDestroy()
	sortOps(d.plan.Ops)
	sort.Strings(d.plan.Unmanaged)
	sort.Strings(d.plan.Withheld)
	sort.Strings(d.plan.Errors)
	d.plan.HasChanges, d.plan.Counts = d.plan.Changes(), d.plan.Summary()
	return d.plan
}

func (d *differ) add(op *Op) *Op {
	if d.orgOp != "" && op.Kind != CreateOrganization {
		op.DependsOn = append(op.DependsOn, d.orgOp)
	}
	d.plan.Ops = append(d.plan.Ops, op)
	return op
}

// destroy adds a destructive operation, or withholds it without
// AllowDestroy. It reports whether the operation was added.
func (d *differ) destroy(op *Op, what string) bool {
	op.Destructive = true
	if !d.opts.AllowDestroy {
		d.plan.Withheld = append(d.plan.Withheld, what+" (needs --allow-destroy)")
		return false
	}
	d.add(op)
	return true
}

func (d *differ) errorf(format string, args ...any) {
	d.plan.Errors = append(d.plan.Errors, fmt.Sprintf(format, args...))
}

func (d *differ) notef(format string, args ...any) {
	d.plan.Notes = append(d.plan.Notes, fmt.Sprintf(format, args...))
}

// organization plans CreateOrganization when there is none, and enables
// the policy types the layout uses.
func (d *differ) organization() {
	if d.live.ID == "" {
		op := d.add(&Op{ID: string(CreateOrganization), Kind: CreateOrganization, Want: "all features", Reason: "the management account is in no organization"})
		d.orgOp = op.ID
	}
	enabled := map[string]bool{}
	for _, t := range d.live.PolicyTypes {
		enabled[t] = true
	}
	for _, t := range d.want.PolicyTypes {
		if enabled[t] {
			continue
		}
		reason := "used by the layout's policies"
		if d.prev != nil && d.live.ID != "" && contains(d.prev.PolicyTypes, t) {
			reason = "drift: disabled outside bulkhead"
		}
		op := d.add(&Op{ID: string(EnablePolicyType) + ":" + t, Kind: EnablePolicyType, PolicyType: t, Want: "enabled", Live: "disabled", Reason: reason, Drift: isDrift(reason)})
		d.typeEnable[t] = op.ID
	}
}

// capDestroy refuses plans with more destructive operations than allowed.
func (d *differ) capDestroy() {
	n := 0
	for _, op := range d.plan.Ops {
		if op.Destructive {
			n++
		}
	}
	if d.opts.MaxDestroy > 0 && n > d.opts.MaxDestroy {
		d.errorf("%d destructive operations exceed the cap of %d per run (raise --max-destroy, or apply in steps)", n, d.opts.MaxDestroy)
	}
}

func isDrift(reason string) bool { return len(reason) > 6 && reason[:6] == "drift:" }

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
