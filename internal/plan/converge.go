package plan

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/bulkhead-dev/bulkhead/internal/org"
	"github.com/bulkhead-dev/bulkhead/internal/provider"
)

// AppliedFile is the last successfully applied desired organization, under
// the state directory: Diff's Options.Previous, which tells drift from a
// change of the layout.
const AppliedFile = "applied.json"

// ErrDeclined is returned when Confirm says no.
var ErrDeclined = errors.New("apply cancelled: the plan was not approved")

// ErrPlanErrors is returned for a plan that has errors.
var ErrPlanErrors = errors.New("the plan has errors")

// ConvergeOptions configure Converge.
type ConvergeOptions struct {
	// StateDir is the .bulkhead directory next to the layout (journal,
	// applied state); required.
	StateDir string
	Diff     Options
	Apply    ApplyOptions
	Lock     LockOptions
	// Saved is a plan file to apply exactly; Converge refuses it when the
	// live state no longer has its fingerprint.
	Saved *Plan
	// Confirm sees the plan before anything changes and approves it or
	// not; nil approves (auto-approve). It is not called for a plan
	// without changes.
	Confirm func(*Plan) (bool, error)
	// OnLocked is told who held the lock when a stale lock is taken over.
	OnLocked func(LockInfo)
	// Extend, when set, adds to a fresh plan (not a saved one) before it
	// is confirmed: IAMStep.Extend adds the IAM of every account and the
	// invariant check. An error stops the apply with the plan shown.
	Extend func(ctx context.Context, pl *Plan, live *org.Org) error
}

// Outcome is what Converge did.
type Outcome struct {
	Plan   *Plan   `json:"plan"`
	Report *Report `json:"report,omitempty"`
}

// ReadLive reads the live organization; an account in no organization
// reads as an empty Org (ID "").
// A read that overlaps a change (an account creation of an interrupted
// run completing) can see a policy attached to an account it has not
// listed; the provider then asks to read again, which ReadLive does up to
// three times. (The provider reports this in its message only.)
func ReadLive(ctx context.Context, p provider.Provider) (*org.Org, error) {
	for attempt := 1; ; attempt++ {
		live, err := p.Read(ctx)
		if errors.Is(err, provider.ErrNoOrganization) {
			return org.New(), nil
		}
		if err != nil && attempt < 3 && ctx.Err() == nil && strings.Contains(err.Error(), "changed during the read") {
			continue
		}
		return live, err
	}
}

// LoadPrevious reads the last applied desired organization from stateDir;
// nil when there is none (or it cannot be read: it only labels drift).
func LoadPrevious(stateDir string) *org.Org {
	return loadState(stateDir, AppliedFile, func(o *org.Org) bool { return o.Accounts != nil })
}

func saveApplied(stateDir string, desired *org.Org) error {
	if desired == nil {
		return nil
	}
	return saveState(stateDir, AppliedFile, desired)
}

// loadState reads the JSON file name in stateDir into a new T, or returns
// nil when it is missing, unreadable or not valid by ok: what was applied
// before only labels drift, so its loss is never an error.
func loadState[T any](stateDir, name string, valid func(*T) bool) *T {
	if stateDir == "" {
		return nil
	}
	b, err := os.ReadFile(filepath.Join(stateDir, name))
	if err != nil {
		return nil
	}
	v := new(T)
	if json.Unmarshal(b, v) != nil || !valid(v) {
		return nil
	}
	return v
}

// saveState writes v as indented JSON to the file name in stateDir,
// atomically.
func saveState(stateDir, name string, v any) error {
	if err := os.MkdirAll(stateDir, 0o755); err != nil {
		return err
	}
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(stateDir, name), append(b, '\n'), 0o644)
}

// MakePlan reads live and diffs desired against it, with the previous
// applied state from stateDir; the plan carries the fingerprint, the
// desired hash and the read's request count.
func MakePlan(ctx context.Context, p provider.Provider, desired *org.Org, stateDir string, opts Options) (*Plan, *org.Org, error) {
	before := p.Calls().Total()
	live, err := ReadLive(ctx, p)
	if err != nil {
		return nil, nil, err
	}
	calls := p.Calls().Total() - before
	if opts.Previous == nil && stateDir != "" {
		opts.Previous = LoadPrevious(stateDir)
	}
	pl := Diff(desired, live, opts)
	pl.Fingerprint = Fingerprint(live)
	pl.LayoutHash = DesiredHash(desired)
	pl.ReadCalls = calls
	return pl, live, nil
}

// Converge makes the live organization match desired: under the apply
// lock it reads live, plans (or checks a saved plan against the live
// fingerprint), asks Confirm, runs the plan, and records what it applied.
// It is the whole of `bulkhead apply`, usable from Go. An organization is
// created first when there is none (there is no root to lock before).
func Converge(ctx context.Context, p provider.Provider, desired *org.Org, o ConvergeOptions) (_ *Outcome, err error) {
	if o.StateDir == "" {
		return nil, errors.New("converge: no state directory")
	}
	if o.Apply.Journal == nil {
		j, err := OpenJournal(o.StateDir)
		if err != nil {
			return nil, err
		}
		o.Apply.Journal = j
	}
	if o.Saved != nil && o.Saved.Desired != nil {
		desired = o.Saved.Desired
	}
	if desired == nil {
		return nil, errors.New("converge: no desired organization")
	}
	live, err := ReadLive(ctx, p)
	if err != nil {
		return nil, err
	}
	out := &Outcome{}
	if live.ID == "" {
		pl, err := o.plan(desired, live)
		out.Plan = pl
		if err != nil {
			return out, err
		}
		// The whole plan is confirmed, IAM included, though only the
		// organization is created from it: the rest is planned again
		// under the lock.
		if o.Extend != nil && o.Saved == nil {
			if err := o.Extend(ctx, pl, live); err != nil {
				return out, err
			}
		}
		if ok, err := o.confirm(pl); err != nil || !ok {
			return out, errOr(err, ErrDeclined)
		}
		first := &Plan{Ops: []*Op{pl.Op(string(CreateOrganization))}}
		if first.Ops[0] == nil {
			return out, errors.New("converge: no organization, and the plan does not create one")
		}
		step := o.Apply
		step.progressTotal = len(pl.Ops)
		rep, err := Execute(ctx, p, first, live, step)
		out.Report = rep
		o.Apply.progressBase = 1
		if err != nil || !rep.Succeeded() {
			return out, errOr(err, fmt.Errorf("create the organization: %s", rep.Results[0].Error))
		}
		o.Saved, o.Confirm = nil, nil // approved; the rest is planned again under the lock
		if live, err = ReadLive(ctx, p); err != nil {
			return out, err
		}
	}
	lock, err := o.acquire(ctx, p, live.RootID)
	if err != nil {
		return out, err
	}
	defer func() {
		// Released even when ctx ended: the lock must not outlive us.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), lockReleaseTimeout)
		defer cancel()
		if rerr := lock.Release(rctx); rerr != nil && err == nil {
			err = rerr
		}
	}()
	// Creations in progress first, then the live state: see
	// ApplyOptions.InFlight.
	inflight, err := p.CreateAccountRequests(ctx, provider.CreateInProgress)
	if err != nil {
		return out, fmt.Errorf("list account creations in progress: %w", err)
	}
	o.Apply.InFlight = append([]provider.CreateAccountStatus{}, inflight...)
	if live, err = ReadLive(ctx, p); err != nil {
		return out, err
	}
	prune(o.Apply.Journal, live)
	pl, err := o.plan(desired, live)
	first := out.Report
	out.Plan = pl
	strays(o.Apply.Journal, pl)
	if err != nil {
		return out, err
	}
	if o.Extend != nil && o.Saved == nil {
		if err := o.Extend(ctx, pl, live); err != nil {
			return out, err
		}
	}
	if pl.Changes() {
		if ok, cerr := o.confirm(pl); cerr != nil || !ok {
			return out, errOr(cerr, ErrDeclined)
		}
	}
	rep, err := Execute(ctx, p, pl, live, o.Apply)
	if err != nil {
		return out, err
	}
	if first != nil {
		rep.Results = append(first.Results, rep.Results...)
		rep.OK += first.OK
	}
	out.Report = rep
	if rep.Succeeded() {
		if err := saveApplied(o.StateDir, desired); err != nil {
			return out, fmt.Errorf("record the applied layout: %w", err)
		}
	}
	return out, ctx.Err()
}

const lockReleaseTimeout = 30 * time.Second

// plan diffs, or checks the saved plan against live.
func (o *ConvergeOptions) plan(desired, live *org.Org) (*Plan, error) {
	if o.Saved != nil {
		if fp := Fingerprint(live); fp != o.Saved.Fingerprint {
			return o.Saved, fmt.Errorf("%w: the organization changed since it was made (fingerprint %s, now %s); run `bulkhead plan` again", ErrStale, short(o.Saved.Fingerprint), short(fp))
		}
		return o.Saved, nil
	}
	opts := o.Diff
	if opts.Previous == nil {
		opts.Previous = LoadPrevious(o.StateDir)
	}
	pl := Diff(desired, live, opts)
	pl.Fingerprint = Fingerprint(live)
	pl.LayoutHash = DesiredHash(desired)
	if len(pl.Errors) > 0 {
		return pl, fmt.Errorf("%w: %s", ErrPlanErrors, strings.Join(pl.Errors, "; "))
	}
	return pl, nil
}

func (o *ConvergeOptions) confirm(pl *Plan) (bool, error) {
	if o.Confirm == nil {
		return true, nil
	}
	return o.Confirm(pl)
}

func (o *ConvergeOptions) acquire(ctx context.Context, p provider.Provider, rootID string) (*Lock, error) {
	lock, err := Acquire(ctx, p, rootID, o.Lock)
	if err == nil {
		return lock, nil
	}
	var le *LockedError
	if errors.As(err, &le) && o.Lock.Alive != nil && le.Info.Token != "" && !o.Lock.Alive(le.Info.Host, le.Info.PID) {
		// The holder's process is gone (killed): take over.
		if o.OnLocked != nil {
			o.OnLocked(le.Info)
		}
		if err := BreakLock(ctx, p, rootID); err != nil {
			return nil, err
		}
		return Acquire(ctx, p, rootID, o.Lock)
	}
	return nil, err
}

// prune removes journal entries whose account is in the organization: a
// run ended after the account appeared but before the entry was removed.
func prune(j *Journal, live *org.Org) {
	for _, e := range j.Entries() {
		if live.AccountByEmail(e.Email) != nil {
			_ = j.Delete(e.Email)
		}
	}
}

// strays notes journal entries the plan does not resume: creations of an
// interrupted apply for accounts since removed from the layout. They are
// kept (the request may still complete); the account then shows as
// unmanaged and the entry is pruned.
func strays(j *Journal, pl *Plan) {
	creates := map[string]bool{}
	for _, op := range pl.Ops {
		if op.Kind == CreateAccount {
			creates[strings.ToLower(op.Email)] = true
		}
	}
	for _, e := range j.Entries() {
		if !creates[strings.ToLower(e.Email)] {
			pl.Notes = append(pl.Notes, fmt.Sprintf("account %s <%s>: an interrupted apply started creating it (%s), and the layout no longer has it; if AWS completes it, it shows as unmanaged", e.Account, e.Email, e.State))
		}
	}
}

func short(fp string) string {
	fp = strings.TrimPrefix(fp, "sha256:")
	if len(fp) > 12 {
		return fp[:12]
	}
	return fp
}

func errOr(err, other error) error {
	if err != nil {
		return err
	}
	return other
}
