package provider

import (
	"context"
	"errors"
	"math/rand/v2"
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
	send := func(n int, gap time.Duration) {
		t.Helper()
		for range n {
			if err := l.wait(ctx); err != nil {
				t.Fatal(err)
			}
			clock.advance(gap)
		}
	}

	// Unlimited at first: 20 requests in one second, no waiting; the
	// first 12 succeed ...
	for range 12 {
		send(1, 50*time.Millisecond)
		l.succeeded()
	}
	if len(clock.slept) != 0 || l.limit() != 0 {
		t.Fatalf("unthrottled limiter slept %v, limit %v; want no wait, no limit", clock.slept, l.limit())
	}
	// ... the next 7 are throttled: fewer than 40 % of 19, no cut ...
	for range 7 {
		send(1, 50*time.Millisecond)
		l.throttled()
	}
	if got := l.limit(); got != 0 {
		t.Fatalf("limit after 7 of 19 requests throttled = %v, want none", got)
	}
	// ... the 20th too, 8 of 20: half the measured rate (20/s → 10/s).
	send(1, 50*time.Millisecond)
	l.throttled()
	if got := l.limit(); got != 10 {
		t.Fatalf("limit after 8 of 20 requests throttled = %v, want 10", got)
	}
	// ... further throttles need new evidence ...
	l.throttled()
	if got := l.limit(); got != 10 {
		t.Fatalf("limit after one more throttle = %v, want 10", got)
	}
	// ... and requests are paced at 1/rate.
	clock.slept = nil
	send(3, 0)
	if diff := cmp.Diff([]time.Duration{100 * time.Millisecond, 100 * time.Millisecond}, clock.slept); diff != "" {
		t.Errorf("waits at 10/s (-want +got):\n%s", diff)
	}

	// Epochs with half their requests throttled halve it again, down to
	// the floor.
	for range 12 {
		for i := range minSamples {
			send(1, 0)
			if i%2 == 0 {
				l.throttled()
			}
		}
	}
	if got := l.limit(); got != minRate {
		t.Errorf("limit after many throttled epochs = %v, want the floor %v", got, minRate)
	}

	// Successes raise it, by rateStep while that is more than 2 %, until
	// twice the first measured rate (40/s); then the limit is lifted:
	// (10 - 0.5) / 0.2 = 48 steps to 10/s, log(4)/log(1.02) = 70 to 40/s.
	n := 0
	for l.limit() != 0 {
		l.succeeded()
		if n++; n > 1000 {
			t.Fatalf("limit %v never recovered", l.limit())
		}
	}
	if n < 115 || n > 121 {
		t.Errorf("recovered after %d successes, want about 118", n)
	}
}

// TestLimiterRandomThrottling: throttling that does not follow the send
// rate (30 % of requests, as the chaos test injects) slows an operation
// down but does not collapse its rate to the floor.
func TestLimiterRandomThrottling(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	l := newLimiter(clock)
	ctx := context.Background()
	lowest := 1e9
	rng := rand.New(rand.NewPCG(7, 7))
	for range 20000 {
		if err := l.wait(ctx); err != nil {
			t.Fatal(err)
		}
		clock.advance(time.Millisecond) // a request takes 1 ms: 1,000/s unlimited
		if rng.Float64() < 0.3 {
			l.throttled()
		} else {
			l.succeeded()
		}
		if r := l.limit(); r != 0 && r < lowest {
			lowest = r
		}
	}
	if lowest < 100 {
		t.Errorf("under 30 %% random throttling the limit fell to %.1f/s; want it to stay above 100/s (sent at 1,000/s)", lowest)
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

// TestLimiterFollowsRateLimit: against a server that admits 50 requests
// a second (a token bucket, as AWS throttles), a client that could send
// 1,000 a second ends up sending near 50, with few requests throttled.
func TestLimiterFollowsRateLimit(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	l := newLimiter(clock)
	ctx := context.Background()
	const allowed = 50.0
	tokens, last := allowed, clock.Now()
	admit := func() bool {
		now := clock.Now()
		tokens = min(allowed, tokens+now.Sub(last).Seconds()*allowed)
		last = now
		if tokens >= 1 {
			tokens--
			return true
		}
		return false
	}
	throttledLate, sentLate := 0, 0
	start := clock.Now()
	for i := range 20000 {
		if err := l.wait(ctx); err != nil {
			t.Fatal(err)
		}
		clock.advance(time.Millisecond)
		ok := admit()
		if ok {
			l.succeeded()
		} else {
			l.throttled()
		}
		if i >= 10000 {
			sentLate++
			if !ok {
				throttledLate++
			}
		}
		if i == 9999 {
			start = clock.Now()
		}
	}
	rate := float64(sentLate) / clock.Now().Sub(start).Seconds()
	if rate < allowed/2 || rate > allowed*2 {
		t.Errorf("steady send rate %.1f/s, want near the server's %v/s", rate, allowed)
	}
	if f := float64(throttledLate) / float64(sentLate); f > cutFraction+0.05 {
		t.Errorf("%.0f %% of requests throttled in the steady state, want about %v at most", 100*f, cutFraction)
	}
	t.Logf("steady state: %.1f requests/s, %d of %d throttled", rate, throttledLate, sentLate)
}
