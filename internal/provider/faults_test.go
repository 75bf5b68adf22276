package provider_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bulkhead-dev/bulkhead/internal/emulator"
	"github.com/bulkhead-dev/bulkhead/internal/provider"
)

// instantClock moves forward by every Sleep at once, so retry backoff and
// rate limiting cost no wall time in tests.
type instantClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *instantClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *instantClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(max(d, 0))
	return ctx.Err()
}

func serverCalls(e *emulator.Emulator, op string) (calls, errs int64) {
	for _, s := range e.Stats() {
		if op == "" || s.Operation == op {
			calls += s.Calls
			errs += s.Errors
		}
	}
	return calls, errs
}

// TestReadUnderFaults reads an organization while the local AWS throttles
// 30 % of requests and fails 5 % with ServiceException: the retry
// decorator hides every fault, and the result is the fault-free read.
func TestReadUnderFaults(t *testing.T) {
	s := shape{Top: 4, Children: 1, Accounts: 30, Policies: 4}
	env := startLocal(t, s.Accounts)
	build(t, provider.New(env.Config, provider.Options{}), s)
	ctx := context.Background()
	want, err := provider.New(env.Config, provider.Options{}).Read(ctx)
	if err != nil {
		t.Fatal(err)
	}

	if err := env.Emulator.SetFaults(emulator.Faults{ThrottleRate: 0.3, ErrorRate: 0.05, Seed: 42}); err != nil {
		t.Fatal(err)
	}
	env.Emulator.ResetStats()
	p := provider.New(env.Config, provider.Options{Clock: &instantClock{now: time.Unix(0, 0)}, MaxAttempts: 40})
	got, err := p.Read(ctx)
	if err != nil {
		t.Fatalf("Read under faults: %v", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Read under faults differs from the fault-free read (-want +got):\n%s", diff)
	}
	st := p.Calls()
	var retries, throttled int
	for _, n := range st.Retries {
		retries += n
	}
	for _, n := range st.Throttled {
		throttled += n
	}
	calls, errs := serverCalls(env.Emulator, "")
	if retries == 0 || throttled == 0 || int64(retries) != errs || int64(st.Total()) != calls {
		t.Errorf("client: %d requests, %d retries, %d throttled; server: %d requests, %d failed; want retries = server failures and equal totals",
			st.Total(), retries, throttled, calls, errs)
	}
	if st.Total()-retries != provider.ReadCalls(got) {
		t.Errorf("first attempts %d, want ReadCalls %d", st.Total()-retries, provider.ReadCalls(got))
	}
}

// TestCreateAccountRetries: CreateAccount is retried after throttling,
// which proves AWS refused it, but never after a server error, which may
// come after the account request was accepted.
func TestCreateAccountRetries(t *testing.T) {
	env := startLocal(t, 5)
	ctx := context.Background()
	p := provider.New(env.Config, provider.Options{Clock: &instantClock{}, MaxAttempts: 50})
	if err := p.CreateOrganization(ctx); err != nil {
		t.Fatal(err)
	}

	if err := env.Emulator.SetFaults(emulator.Faults{ThrottleRate: 0.6, Operations: []string{"organizations:CreateAccount"}, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := p.CreateAccount(ctx, provider.CreateAccountInput{Name: "a", Email: "a@bulkhead.example"}); err != nil {
		t.Fatalf("CreateAccount under throttling: %v", err)
	}
	calls, errs := serverCalls(env.Emulator, "organizations:CreateAccount")
	if errs == 0 || calls != errs+1 {
		t.Errorf("server saw %d CreateAccount requests, %d throttled; want retries until one success", calls, errs)
	}
	reqs, err := p.CreateAccountRequests(ctx)
	if err != nil || len(reqs) != 1 {
		t.Errorf("create requests %+v, %v; want exactly one", reqs, err)
	}

	env.Emulator.ResetStats()
	if err := env.Emulator.SetFaults(emulator.Faults{ErrorRate: 1, Operations: []string{"organizations:CreateAccount"}}); err != nil {
		t.Fatal(err)
	}
	_, err = p.CreateAccount(ctx, provider.CreateAccountInput{Name: "b", Email: "b@bulkhead.example"})
	if err == nil || !provider.Retryable(err) {
		t.Fatalf("CreateAccount on a server error: %v, want a retryable error returned to the caller", err)
	}
	if calls, _ := serverCalls(env.Emulator, "organizations:CreateAccount"); calls != 1 {
		t.Errorf("CreateAccount sent %d times after a server error, want 1", calls)
	}

	// Idempotent operations are retried through server errors.
	if err := env.Emulator.SetFaults(emulator.Faults{ErrorRate: 0.5, Seed: 3, Operations: []string{"organizations:ListRoots"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Read(ctx); err != nil {
		t.Errorf("Read with ListRoots failing half the time: %v", err)
	}
	if st := p.Calls(); st.Retries["ListRoots"] == 0 {
		t.Errorf("ListRoots was never retried: %+v", st)
	}
}

// TestReadFailsCleanly: when one listing keeps failing, Read stops the
// others and returns that error, naming what failed, marked retryable.
func TestReadFailsCleanly(t *testing.T) {
	s := shape{Top: 3, Children: 1, Accounts: 12, Policies: 2}
	env := startLocal(t, s.Accounts)
	build(t, provider.New(env.Config, provider.Options{}), s)
	if err := env.Emulator.SetFaults(emulator.Faults{ErrorRate: 1, Operations: []string{"organizations:ListTargetsForPolicy"}}); err != nil {
		t.Fatal(err)
	}
	p := provider.New(env.Config, provider.Options{Clock: &instantClock{}, MaxAttempts: 3})
	o, err := p.Read(context.Background())
	if o != nil || err == nil || !provider.Retryable(err) || !strings.Contains(err.Error(), "list targets of policy ") || !strings.Contains(err.Error(), "ServiceException") {
		t.Fatalf("Read with ListTargetsForPolicy failing: %v, %v; want a retryable error naming the listing", o, err)
	}
	// The first policy's listing is tried MaxAttempts times; the others
	// stop when it fails.
	if n := p.Calls().Calls["ListTargetsForPolicy"]; n < 3 || n > 3*(s.Policies+1) {
		t.Errorf("ListTargetsForPolicy sent %d times, want 3 to %d", n, 3*(s.Policies+1))
	}
}
