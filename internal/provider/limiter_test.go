package provider

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"
)

// fakeClock advances by the duration of every Sleep instead of waiting.
type fakeClock struct {
	mu    sync.Mutex
	now   time.Time
	slept []time.Duration
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if d > 0 {
		c.now = c.now.Add(d)
		c.slept = append(c.slept, d)
	}
	return nil
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func TestLimiterBacksOffAndRecovers(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	l := newLimiter(clock)
	ctx := context.Background()

	// Unlimited at first: 10 requests within one second, no waiting.
	for range 10 {
		if err := l.wait(ctx); err != nil {
			t.Fatal(err)
		}
		clock.advance(100 * time.Millisecond)
	}
	if len(clock.slept) != 0 || l.limit() != 0 {
		t.Fatalf("unthrottled limiter slept %v, limit %v; want no wait, no limit", clock.slept, l.limit())
	}

	// The first throttle sets half the measured rate (10/s → 5/s) ...
	l.throttled()
	if got := l.limit(); got != 5 {
		t.Fatalf("limit after first throttle = %v, want 5", got)
	}
	// ... a burst of throttles within backoffWindow counts once ...
	l.throttled()
	if got := l.limit(); got != 5 {
		t.Fatalf("limit after a second throttle in the same window = %v, want 5", got)
	}
	// ... and requests are paced at 1/rate.
	clock.slept = nil
	for range 3 {
		if err := l.wait(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if diff := cmp.Diff([]time.Duration{200 * time.Millisecond, 200 * time.Millisecond}, clock.slept); diff != "" {
		t.Errorf("waits at 5/s (-want +got):\n%s", diff)
	}

	// A throttle after the window halves again, down to the floor.
	clock.advance(backoffWindow)
	l.throttled()
	if got := l.limit(); got != 2.5 {
		t.Errorf("limit after a later throttle = %v, want 2.5", got)
	}
	for range 10 {
		clock.advance(backoffWindow)
		l.throttled()
	}
	if got := l.limit(); got != minRate {
		t.Errorf("limit after many throttles = %v, want the floor %v", got, minRate)
	}

	// Successes raise it until twice the first throttled rate (20/s),
	// then the limit is lifted: (20 - 0.5) / 0.2 ≈ 98 successes.
	n := 0
	for l.limit() != 0 {
		l.succeeded()
		if n++; n > 1000 {
			t.Fatalf("limit %v never recovered", l.limit())
		}
	}
	if want := 98; n < want-1 || n > want+1 {
		t.Errorf("recovered after %d successes, want about %d", n, want)
	}
}

func TestLimiterWaitHonoursContext(t *testing.T) {
	l := newLimiter(WallClock{})
	l.rate, l.ceiling, l.next = minRate, 10, time.Now().Add(time.Hour)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := l.wait(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("wait with a cancelled context: %v", err)
	}
}

func TestClassify(t *testing.T) {
	api := func(code string) error { return &smithy.GenericAPIError{Code: code, Message: "m"} }
	tests := []struct {
		err  error
		want errClass
	}{
		{api("TooManyRequestsException"), errThrottle},
		{api("Throttling"), errThrottle},
		{api("ConcurrentModificationException"), errTransient},
		{api("ServiceException"), errTransient},
		{api("FinalizingOrganizationException"), errTransient},
		{api("ConstraintViolationException"), errPermanent},
		{api("DuplicateOrganizationalUnitException"), errPermanent},
		{context.Canceled, errPermanent},
		{errors.New("plain"), errPermanent},
		{nil, errPermanent},
	}
	for _, tt := range tests {
		if got := classify(tt.err); got != tt.want {
			t.Errorf("classify(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}

func TestRetrierPolicies(t *testing.T) {
	tests := []struct {
		name      string
		policy    retryPolicy
		err       error
		wantCalls int
	}{
		{"throttle retried to the limit", idempotentRetry, &smithy.GenericAPIError{Code: "TooManyRequestsException"}, 4},
		{"5xx retried", idempotentRetry, &smithy.GenericAPIError{Code: "ServiceException"}, 4},
		{"permanent not retried", idempotentRetry, &smithy.GenericAPIError{Code: "InvalidInputException"}, 1},
		{"create: throttle retried", refusedOnlyRetry, &smithy.GenericAPIError{Code: "TooManyRequestsException"}, 4},
		{"create: concurrent modification retried", refusedOnlyRetry, &smithy.GenericAPIError{Code: "ConcurrentModificationException"}, 4},
		{"create: 5xx not retried", refusedOnlyRetry, &smithy.GenericAPIError{Code: "ServiceException"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := &fakeClock{now: time.Unix(0, 0)}
			r := newRetrier(Options{Clock: clock, Rand: func() float64 { return 0.5 }, MaxAttempts: 4, BaseDelay: 100 * time.Millisecond})
			calls := 0
			err := r.do(context.Background(), "Op", tt.policy, "do op", func(context.Context) error { calls++; return tt.err })
			if calls != tt.wantCalls {
				t.Errorf("sent %d times, want %d", calls, tt.wantCalls)
			}
			var ae smithy.APIError
			if !errors.As(err, &ae) || err.Error() == "" {
				t.Errorf("error %v does not wrap the API error", err)
			}
			if st := r.stats(); st.Calls["Op"] != calls || st.Retries["Op"] != calls-1 {
				t.Errorf("stats %+v, want %d calls, %d retries", st, calls, calls-1)
			}
			// Full jitter at 0.5: 50, 100, 200 ms (the limiter's own
			// waits are zero: its first throttle starts at now).
			if tt.wantCalls == 4 {
				var backoffs []time.Duration
				for _, d := range clock.slept {
					backoffs = append(backoffs, d)
				}
				if len(backoffs) < 3 || backoffs[0] != 50*time.Millisecond {
					t.Errorf("waits %v, want full-jitter backoff starting at 50ms", backoffs)
				}
			}
		})
	}
}

func TestRetrierStopsOnContext(t *testing.T) {
	r := newRetrier(Options{MaxAttempts: 100, BaseDelay: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	err := r.do(ctx, "Op", idempotentRetry, "do op", func(context.Context) error {
		calls++
		cancel()
		return &smithy.GenericAPIError{Code: "ServiceException"}
	})
	if !errors.Is(err, context.Canceled) || calls != 1 {
		t.Errorf("err %v after %d calls; want context.Canceled after 1", err, calls)
	}
}
