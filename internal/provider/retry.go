package provider

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"
)

// retryPolicy says which failures a request may be retried after.
type retryPolicy int

const (
	// idempotentRetry retries every transient failure: a repeat of the
	// request cannot do anything twice (reads, renames, tags, moves), or a
	// repeat fails with ErrAlreadyExists/ErrNotFound that callers treat as
	// done (create unit or policy, attach, detach, delete).
	idempotentRetry retryPolicy = iota
	// refusedOnlyRetry retries only failures that prove AWS did not act:
	// throttling and ConcurrentModificationException. A 5xx or a lost
	// connection may come after AWS acted, so it is returned to the
	// caller (CreateAccount: sending it twice may create two accounts
	// requests; look for the request with CreateAccountRequests instead).
	refusedOnlyRetry
)

// retrier is the decorator every request goes through: it waits for the
// operation's limiter, sends, counts, and retries transient failures with
// jittered exponential backoff.
//
// Why not the SDK's retry.NewStandard / retry.NewAdaptiveMode: the
// adaptive mode keeps one token bucket per client, where Organizations
// throttles each API on its own (a burst of ListTagsForResource must not
// slow CreateAccount); ConcurrentModificationException is not in the
// SDK's retryable set; CreateAccount needs a narrower policy than other
// calls; and the SDK sleeps on the wall clock, where tests need an
// injected one. The SDK's retryer is therefore set to aws.NopRetryer and
// each request is one attempt of this loop.
type retrier struct {
	clock       Clock
	rand        func() float64
	maxAttempts int
	baseDelay   time.Duration
	maxDelay    time.Duration
	log         *slog.Logger

	mu       sync.Mutex
	limiters map[string]*limiter
	calls    map[string]int
	retries  map[string]int
	throttle map[string]int
}

func newRetrier(o Options) *retrier {
	r := &retrier{
		clock: o.Clock, rand: o.Rand, maxAttempts: o.MaxAttempts,
		baseDelay: o.BaseDelay, maxDelay: o.MaxDelay, log: o.Logger,
		limiters: map[string]*limiter{}, calls: map[string]int{},
		retries: map[string]int{}, throttle: map[string]int{},
	}
	if r.clock == nil {
		r.clock = WallClock{}
	}
	if r.rand == nil {
		r.rand = rand.Float64
	}
	if r.maxAttempts <= 0 {
		r.maxAttempts = 10
	}
	if r.baseDelay <= 0 {
		r.baseDelay = 100 * time.Millisecond
	}
	if r.maxDelay <= 0 {
		r.maxDelay = 20 * time.Second
	}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	return r
}

// limiter returns op's limiter, shared by every request of op.
func (r *retrier) limiter(op string) *limiter {
	r.mu.Lock()
	defer r.mu.Unlock()
	l := r.limiters[op]
	if l == nil {
		l = newLimiter(r.clock)
		r.limiters[op] = l
	}
	return l
}

func (r *retrier) record(op string, retry, throttled bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls[op]++
	if retry {
		r.retries[op]++
	}
	if throttled {
		r.throttle[op]++
	}
}

// do sends one request of operation op (send) until it succeeds, fails
// for good, or runs out of attempts; the error returned names what
// failed. send must be one request (the SDK's own retries are off).
func (r *retrier) do(ctx context.Context, op string, policy retryPolicy, what string, send func(context.Context) error) error {
	lim := r.limiter(op)
	for attempt := 1; ; attempt++ {
		if err := lim.wait(ctx); err != nil {
			return wrap(what, err)
		}
		err := send(ctx)
		class := classify(err)
		r.record(op, attempt > 1, class == errThrottle)
		if err == nil {
			lim.succeeded()
			return nil
		}
		if class == errThrottle {
			lim.throttled()
		}
		retry := class == errThrottle || class == errTransient
		if policy == refusedOnlyRetry && class == errTransient && !isConcurrentModification(err) {
			retry = false
		}
		if !retry || attempt >= r.maxAttempts {
			return wrap(what, err)
		}
		d := r.backoff(attempt)
		r.log.Debug("retry", "operation", op, "attempt", attempt, "delay", d, "error", err.Error())
		if err := r.clock.Sleep(ctx, d); err != nil {
			return wrap(what, err)
		}
	}
}

// backoff is "full jitter" exponential backoff: a uniform draw from zero
// to base·2^(attempt-1), capped at maxDelay (AWS Architecture Blog,
// "Exponential Backoff And Jitter").
func (r *retrier) backoff(attempt int) time.Duration {
	ceil := r.maxDelay
	if attempt < 31 {
		if d := r.baseDelay << (attempt - 1); d > 0 && d < ceil {
			ceil = d
		}
	}
	return time.Duration(r.rand() * float64(ceil))
}

// stats copies the counters.
func (r *retrier) stats() CallStats {
	r.mu.Lock()
	defer r.mu.Unlock()
	cp := func(m map[string]int) map[string]int {
		out := make(map[string]int, len(m))
		for k, v := range m {
			out[k] = v
		}
		return out
	}
	return CallStats{Calls: cp(r.calls), Retries: cp(r.retries), Throttled: cp(r.throttle)}
}
