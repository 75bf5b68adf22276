package plan

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"sync"
	"time"

	"github.com/bulkhead-dev/bulkhead/internal/org"
	"github.com/bulkhead-dev/bulkhead/internal/provider"
)

// Clock is the time source of apply: polling and backoff wait on After, so
// tests drive time and no code sleeps bare.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// RealClock is the wall clock.
var RealClock Clock = realClock{}

// ApplyOptions shape the execution of a plan.
type ApplyOptions struct {
	// Parallelism bounds the operations in flight (default 10). The
	// provider's rate limiters pace the requests; this bounds the work.
	Parallelism int
	// Journal records account creations; required when the plan creates
	// accounts.
	Journal *Journal
	// Clock is the wall clock when nil.
	Clock Clock
	// PollInitial and PollMax bound the wait between
	// DescribeCreateAccountStatus polls of one request (default 1s and
	// 15s; see poll).
	PollInitial, PollMax time.Duration
	// MaxCreating bounds the account creations in progress at once
	// (sent and not yet finished); AWS-like default 5. Creations beyond it
	// wait here rather than be refused and retried.
	MaxCreating int
	// InFlight are the account creations in progress, listed BEFORE the
	// live state the plan is run against was read: a creation of an
	// earlier, interrupted run is then either in this list or, finished,
	// in the live state. Nil lists them when first needed, which leaves a
	// window: a creation that finishes between the read and the listing
	// is in neither (Converge lists first).
	InFlight []provider.CreateAccountStatus
	// Progress receives one line per finished operation (nil: none).
	Progress io.Writer

	// progressBase and progressTotal continue the numbering of progress
	// lines across Converge's two steps (organization, then the rest).
	progressBase, progressTotal int
}

// Result states of an operation.
const (
	StatusOK      = "ok"
	StatusFailed  = "failed"
	StatusSkipped = "skipped"
)

// Result is the outcome of one operation.
type Result struct {
	ID     string `json:"id"`
	Kind   Kind   `json:"kind"`
	Status string `json:"status"`
	// Error is AWS's error for a failed operation, or why it was skipped.
	Error string `json:"error,omitempty"`
	// Detail is what the operation produced ("account 123456789012").
	Detail   string        `json:"detail,omitempty"`
	Duration time.Duration `json:"durationNs"`
}

// Report is the outcome of an apply.
type Report struct {
	Results []Result `json:"results"`
	OK      int      `json:"ok"`
	Failed  int      `json:"failed"`
	Skipped int      `json:"skipped"`
	// Calls are the provider's requests during the apply.
	Calls    provider.CallStats `json:"calls"`
	Duration time.Duration      `json:"durationNs"`
}

// Succeeded reports whether every operation succeeded.
func (r *Report) Succeeded() bool { return r.Failed == 0 && r.Skipped == 0 }

// executor runs one plan.
type executor struct {
	p     provider.Provider
	plan  *Plan
	live  *org.Org
	opts  ApplyOptions
	clock Clock

	mu       sync.Mutex
	rootID   string
	units    map[string]string // desired path → id, created this run
	accounts map[string]string // desired name → id, created this run
	policies map[string]string // name → id, created this run

	// creating holds a token per account creation in progress.
	creating chan struct{}
	// createEst is the shortest account creation seen, for polling.
	createEst time.Duration

	inflightOnce sync.Once
	inflight     []provider.CreateAccountStatus
	inflightErr  error
}

// Execute runs the plan's operations against p, which must hold the live
// state live the plan was made from (or one it was checked against), with
// at most Parallelism at a time and each after the operations it depends
// on. An operation whose dependency failed or was skipped is skipped. When
// ctx ends, running operations see it and nothing new starts; the report
// says which operations did not run. Execute returns an error only for a
// plan it cannot run at all.
func Execute(ctx context.Context, p provider.Provider, plan *Plan, live *org.Org, opts ApplyOptions) (*Report, error) {
	if opts.Parallelism <= 0 {
		opts.Parallelism = 10
	}
	if opts.Clock == nil {
		opts.Clock = RealClock
	}
	if opts.PollInitial <= 0 {
		opts.PollInitial = time.Second
	}
	if opts.PollMax <= 0 {
		opts.PollMax = 15 * time.Second
	}
	if opts.MaxCreating <= 0 {
		opts.MaxCreating = 5
	}
	if live == nil {
		live = org.New()
	}
	for _, op := range plan.Ops {
		if op.Kind == CreateAccount && opts.Journal == nil {
			return nil, errors.New("apply: the plan creates accounts but no journal was given")
		}
	}
	e := &executor{
		p: p, plan: plan, live: live, opts: opts, clock: opts.Clock,
		rootID: live.RootID, creating: make(chan struct{}, opts.MaxCreating),
		units: map[string]string{}, accounts: map[string]string{}, policies: map[string]string{},
	}
	if opts.InFlight != nil {
		e.inflight = opts.InFlight
		e.inflightOnce.Do(func() {})
	}
	start := opts.Clock.Now()
	before := p.Calls()
	results := e.run(ctx)
	r := &Report{Results: results, Duration: opts.Clock.Now().Sub(start), Calls: subCalls(p.Calls(), before)}
	for _, res := range results {
		switch res.Status {
		case StatusOK:
			r.OK++
		case StatusFailed:
			r.Failed++
		default:
			r.Skipped++
		}
	}
	return r, nil
}

// run schedules the graph.
func (e *executor) run(ctx context.Context) []Result {
	ops := e.plan.Ops
	index := make(map[string]int, len(ops))
	for i, op := range ops {
		index[op.ID] = i
	}
	waiting := make([]int, len(ops))
	dependents := make([][]int, len(ops))
	for i, op := range ops {
		for _, dep := range op.DependsOn {
			if j, ok := index[dep]; ok {
				waiting[i]++
				dependents[j] = append(dependents[j], i)
			}
		}
	}
	results := make([]Result, len(ops))
	done := make([]bool, len(ops))
	type finished struct {
		i   int
		res Result
	}
	fin := make(chan finished)
	var ready []int
	for i := range ops {
		if waiting[i] == 0 {
			ready = append(ready, i)
		}
	}
	running, completed := 0, 0
	var skip func(i int, why string)
	skip = func(i int, why string) {
		if done[i] {
			return
		}
		done[i] = true
		completed++
		results[i] = Result{ID: ops[i].ID, Kind: ops[i].Kind, Status: StatusSkipped, Error: why}
		e.progress(completed, len(ops), results[i])
		for _, d := range dependents[i] {
			skip(d, "skipped: depends on "+ops[i].ID+", which did not complete")
		}
	}
	for completed < len(ops) {
		for running < e.opts.Parallelism && len(ready) > 0 && ctx.Err() == nil {
			i := ready[0]
			ready = ready[1:]
			if done[i] {
				continue
			}
			running++
			go func(i int) {
				start := e.clock.Now()
				detail, err := e.do(ctx, ops[i])
				res := Result{ID: ops[i].ID, Kind: ops[i].Kind, Status: StatusOK, Detail: detail, Duration: e.clock.Now().Sub(start)}
				if err != nil {
					res.Status, res.Error = StatusFailed, err.Error()
				}
				fin <- finished{i, res}
			}(i)
		}
		if running == 0 {
			// Nothing runs and nothing can start: interrupted (or a
			// dependency cycle, which Load and Diff do not produce).
			why := "not started: dependency cycle"
			if ctx.Err() != nil {
				why = "not started: " + context.Cause(ctx).Error()
			}
			for i := range ops {
				if !done[i] {
					skip(i, why)
				}
			}
			break
		}
		f := <-fin
		running--
		done[f.i] = true
		completed++
		results[f.i] = f.res
		e.progress(completed, len(ops), f.res)
		for _, d := range dependents[f.i] {
			if f.res.Status != StatusOK {
				skip(d, "skipped: depends on "+ops[f.i].ID+", which failed")
				continue
			}
			waiting[d]--
			if waiting[d] == 0 {
				ready = append(ready, d)
			}
		}
		sort.Ints(ready)
	}
	return results
}

func (e *executor) progress(n, total int, r Result) {
	if e.opts.Progress == nil {
		return
	}
	n += e.opts.progressBase
	total = max(total+e.opts.progressBase, e.opts.progressTotal)
	line := fmt.Sprintf("[%d/%d] %s: %s", n, total, r.ID, r.Status)
	if r.Detail != "" {
		line += " (" + r.Detail + ")"
	}
	if r.Error != "" {
		line += ": " + r.Error
	}
	if r.Duration > 0 {
		line += fmt.Sprintf(" in %s", r.Duration.Round(time.Millisecond))
	}
	fmt.Fprintln(e.opts.Progress, line)
}

func subCalls(after, before provider.CallStats) provider.CallStats {
	sub := func(a, b map[string]int) map[string]int {
		out := map[string]int{}
		for k, v := range a {
			if d := v - b[k]; d > 0 {
				out[k] = d
			}
		}
		return out
	}
	return provider.CallStats{Calls: sub(after.Calls, before.Calls), Retries: sub(after.Retries, before.Retries), Throttled: sub(after.Throttled, before.Throttled)}
}
