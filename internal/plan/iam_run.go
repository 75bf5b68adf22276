package plan

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/bulkhead-dev/bulkhead/internal/access"
	"github.com/bulkhead-dev/bulkhead/internal/layout"
	"github.com/bulkhead-dev/bulkhead/internal/org"
	"github.com/bulkhead-dev/bulkhead/internal/provider"
)

// IAMProvider is what plan needs to read and write IAM in every account;
// *provider.Client implements it. A Provider without it (test fakes) plans
// no IAM.
type IAMProvider interface {
	SetIAMTarget(provider.IAMTarget)
	ReadIAM(ctx context.Context, accounts []provider.IAMAccount) (*org.IAM, error)
	WriteIAM(ctx context.Context, accountID string, w provider.IAMWrite) error
}

// AppliedIAMFile is the IAM as last applied, next to AppliedFile.
const AppliedIAMFile = "applied-iam.json"

// accountToken stands for the id of an account that does not exist yet in
// the documents of a plan; apply replaces it once the account is created.
func accountToken(name string) string { return "{{account:" + name + "}}" }

// accountTokenRE is compiled on first use, not at process start (every
// bulkhead invocation would pay for it).
var accountTokenRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\{\{account:([^}]*)\}\}`) })

// IAMPlan is what PlanIAM adds to a plan.
type IAMPlan struct {
	Diff    *IAMDiff
	Desired *org.IAM
	// ReadCalls is the number of requests the IAM read took (AssumeRole
	// included).
	ReadCalls int
}

// PlanIAM plans the IAM of every account of the layout against the live
// organization live (ids) and the plan pl made from it (bindings and
// account creations): it reads the IAM of every active account the layout
// names, assuming the access role once per member account, diffs it, and
// adds the operations, withheld and unmanaged entries to pl.
func PlanIAM(ctx context.Context, ip IAMProvider, l *layout.Layout, live *org.Org, pl *Plan, stateDir string, allowDestroy bool) (*IAMPlan, error) {
	accessRole := l.Organization.AccessRole.Value
	ip.SetIAMTarget(provider.IAMTarget{ManagementID: live.ManagementAccountID, AccessRole: accessRole})
	after := map[string]string{}
	for _, op := range pl.Ops {
		if op.Kind == CreateAccount {
			after[op.Account] = op.ID
		}
	}
	ids := func(name string) string {
		ln := name
		if b, ok := pl.Bindings.Accounts[name]; ok {
			ln = b
		}
		if a := live.Accounts[ln]; a != nil && a.ID != "" {
			return a.ID
		}
		if name == l.Organization.Management.Account.Value && live.ManagementAccountID != "" {
			return live.ManagementAccountID
		}
		return accountToken(name)
	}
	want, err := DesiredIAM(l, ids)
	if err != nil {
		return nil, err
	}
	var read []provider.IAMAccount
	for _, name := range want.SortedAccounts() {
		w := want.Accounts[name]
		ln := name
		if b, ok := pl.Bindings.Accounts[name]; ok {
			ln = b
		}
		a := live.Accounts[ln]
		if a != nil && a.Status != "" && a.Status != org.Active {
			// A closed or suspended account's IAM cannot be changed.
			delete(want.Accounts, name)
			pl.Notes = append(pl.Notes, fmt.Sprintf("account %s is %s: its IAM is left alone", name, a.Status))
			continue
		}
		if a == nil || a.ID == "" || after[name] != "" {
			continue
		}
		read = append(read, provider.IAMAccount{Name: name, ID: a.ID, Identity: w.Identity})
	}
	var before int
	if c, ok := ip.(interface{ Calls() provider.CallStats }); ok {
		before = c.Calls().Total()
	}
	liveIAM := org.NewIAM()
	if len(read) > 0 {
		if liveIAM, err = ip.ReadIAM(ctx, read); err != nil {
			return nil, fmt.Errorf("read IAM: %w", err)
		}
	}
	out := &IAMPlan{Desired: want}
	if c, ok := ip.(interface{ Calls() provider.CallStats }); ok {
		out.ReadCalls = c.Calls().Total() - before
	}
	out.Diff = DiffIAM(want, liveIAM, IAMOptions{AllowDestroy: allowDestroy, Previous: LoadPreviousIAM(stateDir), After: after})
	pl.AddIAM(out.Diff)
	// Passwords and access keys are secrets: bulkhead never makes or
	// holds them (they would land in its output and state). The layout's
	// console and access_keys say the person needs one; the note says how.
	for _, p := range l.People {
		n := p.Name.Value
		if p.Console.Value {
			pl.Notes = append(pl.Notes, fmt.Sprintf("%s has console: true; bulkhead makes no password (a secret): aws iam create-login-profile --user-name %s --password-reset-required --password ...", n, n))
		}
		if p.AccessKeys.Value {
			pl.Notes = append(pl.Notes, fmt.Sprintf("%s has access_keys: true; bulkhead makes no keys (secrets): %s runs aws iam create-access-key --user-name %s", n, n, n))
		}
	}
	return out, nil
}

// AddIAM merges an IAM diff into the plan.
func (p *Plan) AddIAM(d *IAMDiff) {
	p.Ops = append(p.Ops, d.Ops...)
	p.Withheld = append(p.Withheld, d.Withheld...)
	p.Unmanaged = append(p.Unmanaged, d.Unmanaged...)
	sort.Strings(p.Withheld)
	sort.Strings(p.Unmanaged)
	p.HasChanges, p.Counts = p.Changes(), p.Summary()
}

// VerifyPlanned checks the layout's invariants on the state the plan makes
// (the layout's, which is what the IAM operations create) and records the
// violations in the plan.
func (p *Plan) VerifyPlanned(l *layout.Layout) error {
	rep, err := access.Verify(l, access.Options{})
	if err != nil {
		return fmt.Errorf("verify the planned state: %w", err)
	}
	p.Violations = nil
	for _, inv := range rep.Invariants {
		for _, v := range inv.Violations {
			line := fmt.Sprintf("%s: %s in %s: %s", inv.Invariant, v.Principal, v.Account, v.Reason)
			if len(v.Chain) > 0 {
				line += " (" + strings.Join(v.Chain, " → ") + ")"
			}
			p.Violations = append(p.Violations, line)
		}
	}
	return nil
}

// LoadPreviousIAM reads the IAM as last applied; nil when none.
func LoadPreviousIAM(stateDir string) *org.IAM {
	return loadState(stateDir, AppliedIAMFile, func(i *org.IAM) bool { return i.Accounts != nil })
}

// SaveAppliedIAM records the IAM an apply made.
func SaveAppliedIAM(stateDir string, i *org.IAM) error {
	if i == nil {
		return nil
	}
	return saveState(stateDir, AppliedIAMFile, i)
}

// doIAM performs an IAM operation in its account, with the ids of accounts
// created by this run put in place of their tokens.
func (e *executor) doIAM(ctx context.Context, op *Op) (string, error) {
	ip, ok := e.p.(IAMProvider)
	if !ok {
		return "", errors.New("this provider cannot write IAM")
	}
	// A saved plan is applied without PlanIAM: say here how to reach
	// member accounts (the sessions already made are kept).
	t := provider.IAMTarget{ManagementID: e.live.ManagementAccountID}
	if e.plan.Desired != nil {
		t.AccessRole = e.plan.Desired.AccessRole
	}
	ip.SetIAMTarget(t)
	id, err := e.accountID(op.Account)
	if err != nil {
		return "", err
	}
	w := *op.IAM
	var rerr error
	re := accountTokenRE()
	w.Document = re.ReplaceAllStringFunc(w.Document, func(tok string) string {
		name := re.FindStringSubmatch(tok)[1]
		aid, err := e.accountID(name)
		if err != nil {
			rerr = err
			return tok
		}
		return aid
	})
	if rerr != nil {
		return "", rerr
	}
	err = ip.WriteIAM(ctx, id, w)
	switch {
	case err == nil:
		return "", nil
	case errors.Is(err, provider.ErrAlreadyExists) && strings.HasPrefix(w.Action, "Create"):
		return "already there", nil
	case errors.Is(err, provider.ErrNotFound) && (strings.HasPrefix(w.Action, "Delete") || strings.HasPrefix(w.Action, "Detach") || strings.HasPrefix(w.Action, "Remove")):
		return "already gone", nil
	}
	return "", err
}

// withDelta is ": <delta>" for a change of a live document, "" otherwise.
func withDelta(op *Op) string {
	if op.Live == "" || op.Live == "none" {
		return ""
	}
	if d := policyDelta(op.Live, op.Want); d != "" {
		return ": " + d
	}
	return ""
}

// iamAction classifies an IAM operation for the summary line.
func iamAction(k Kind) Action {
	a := strings.TrimPrefix(string(k), "iam:")
	switch {
	case strings.HasPrefix(a, "Create"), strings.HasPrefix(a, "Attach"), strings.HasPrefix(a, "Add"):
		return ActCreate
	case a == "DeleteRole", a == "DeleteUser", a == "DeleteGroup", a == "DeleteAccountAlias":
		return ActDestroy
	case strings.HasPrefix(a, "Delete"), strings.HasPrefix(a, "Detach"), strings.HasPrefix(a, "Remove"):
		return ActDestroy
	}
	return ActUpdate
}

// IsIAM reports whether k is an IAM operation.
func (k Kind) IsIAM() bool { return strings.HasPrefix(string(k), "iam:") }

// describeIAM is an IAM operation as a short sentence.
func describeIAM(op *Op) string {
	w := op.IAM
	in := " in " + op.Account
	switch w.Action {
	case "CreateRole":
		return "create role " + w.Role + in
	case "UpdateAssumeRolePolicy":
		return "update the trust policy of role " + w.Role + in + withDelta(op)
	case "UpdateRole":
		return fmt.Sprintf("set the maximum session of role %s%s: %s → %s", w.Role, in, op.Live, op.Want)
	case "PutRolePolicy":
		return "put policy " + w.PolicyName + " on role " + w.Role + in + withDelta(op)
	case "DeleteRolePolicy":
		return "delete policy " + w.PolicyName + " of role " + w.Role + in
	case "AttachRolePolicy":
		return "attach " + w.PolicyARN + " to role " + w.Role + in
	case "DetachRolePolicy":
		return "detach " + w.PolicyARN + " from role " + w.Role + in
	case "PutRolePermissionsBoundary":
		return "set the permissions boundary of role " + w.Role + in + " to " + w.PolicyARN
	case "DeleteRolePermissionsBoundary":
		return "remove the permissions boundary of role " + w.Role + in
	case "TagRole":
		return "tag role " + w.Role + in
	case "UntagRole":
		return "untag role " + w.Role + in + ": " + strings.Join(w.TagKeys, ", ")
	case "DeleteRole":
		return "delete role " + w.Role + in
	case "CreateUser":
		return "create user " + w.User + in
	case "TagUser":
		return "tag user " + w.User + in
	case "DeleteUser":
		return "delete user " + w.User + in
	case "PutUserPolicy":
		return "put policy " + w.PolicyName + " on user " + w.User + in + withDelta(op)
	case "DeleteUserPolicy":
		return "delete policy " + w.PolicyName + " of user " + w.User + in
	case "CreateGroup":
		return "create group " + w.Group + in
	case "DeleteGroup":
		return "delete group " + w.Group + in
	case "PutGroupPolicy":
		return "put policy " + w.PolicyName + " on group " + w.Group + in + withDelta(op)
	case "DeleteGroupPolicy":
		return "delete policy " + w.PolicyName + " of group " + w.Group + in
	case "AddUserToGroup":
		return "add user " + w.User + " to group " + w.Group + in
	case "RemoveUserFromGroup":
		return "remove user " + w.User + " from group " + w.Group + in
	case "CreateOpenIDConnectProvider":
		return "create OIDC provider " + w.URL + in
	case "UpdateAccountPasswordPolicy":
		return "set the password policy" + in
	case "CreateAccountAlias":
		return "set the alias of " + op.Account + " to " + w.Alias
	}
	return strings.TrimPrefix(string(op.Kind), "iam:") + in
}

// ErrInvariantViolations is returned by IAMStep.Extend for a plan whose
// planned state breaks the layout's invariants.
var ErrInvariantViolations = errors.New("the planned state breaks the layout's invariants")

// IAMStep adds the IAM of every account and the invariant check to a plan:
// ConvergeOptions.Extend for apply, and a call after MakePlan for plan.
type IAMStep struct {
	Provider     IAMProvider
	Layout       *layout.Layout
	StateDir     string
	AllowDestroy bool
	// AllowViolations lets a plan that breaks an invariant be applied
	// (--allow-invariant-violations).
	AllowViolations bool
	// Planned is the last IAM plan made.
	Planned *IAMPlan
}

// Extend verifies the planned state and adds the IAM operations to pl. It
// returns ErrInvariantViolations (after adding them, so the plan can be
// shown) when an invariant breaks and AllowViolations is false.
func (s *IAMStep) Extend(ctx context.Context, pl *Plan, live *org.Org) error {
	if err := pl.VerifyPlanned(s.Layout); err != nil {
		return err
	}
	if s.Provider != nil {
		ip, err := PlanIAM(ctx, s.Provider, s.Layout, live, pl, s.StateDir, s.AllowDestroy)
		if err != nil {
			return err
		}
		s.Planned = ip
		pl.ReadCalls += ip.ReadCalls
	}
	if len(pl.Violations) > 0 && !s.AllowViolations {
		return fmt.Errorf("%w (%d violations); fix the layout, or pass --allow-invariant-violations", ErrInvariantViolations, len(pl.Violations))
	}
	return nil
}

// Applied records the applied IAM after a successful apply.
func (s *IAMStep) Applied(rep *Report) error {
	if s.Planned == nil || rep == nil || !rep.Succeeded() {
		return nil
	}
	return SaveAppliedIAM(s.StateDir, s.Planned.Desired)
}

// kindRank orders operation kinds for sortOps: the organization's first,
// then IAM's (which act in accounts the organization's create).
func kindRank(k Kind) int {
	if k.IsIAM() {
		return len(kindOrder) + 1
	}
	return kindOrder[k]
}

// action is how an operation counts in the summary and which marker it
// gets: its kind's, except that putting an inline policy that is not in
// AWS (a new role's, user's or group's, or one deleted outside bulkhead)
// creates it.
func (op *Op) action() Action {
	if op.IAM != nil && strings.HasPrefix(op.IAM.Action, "Put") && strings.HasSuffix(op.IAM.Action, "Policy") && (op.Live == "" || op.Live == "none") {
		return ActCreate
	}
	return op.Kind.Action()
}
