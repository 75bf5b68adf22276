package plan_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/emulatortest"
	"github.com/bulkhead-dev/bulkhead/internal/plan"
	"github.com/bulkhead-dev/bulkhead/internal/provider"
)

// manualClock is a plan.Clock whose After fires at once (and moves the
// clock), so lock waits take no wall time.
type manualClock struct{ c *emulatortest.Clock }

func (m manualClock) Now() time.Time { return m.c.Now() }
func (m manualClock) After(d time.Duration) <-chan time.Time {
	m.c.Advance(d)
	ch := make(chan time.Time, 1)
	ch <- m.c.Now()
	return ch
}

func orgRoot(t *testing.T, p provider.Provider) string {
	t.Helper()
	ctx := context.Background()
	if err := p.CreateOrganization(ctx); err != nil {
		t.Fatal(err)
	}
	o, err := p.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return o.RootID
}

func TestLockExcludesAndReleases(t *testing.T) {
	env := startEnv(t, 5)
	p := newProvider(env)
	root := orgRoot(t, p)
	ctx := context.Background()
	clk := manualClock{emulatortest.NewClock(time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC))}
	first, err := plan.Acquire(ctx, p, root, plan.LockOptions{Holder: "alice@laptop", Host: "laptop", PID: 42, Clock: clk, Settle: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	clk.c.Advance(5 * time.Minute)
	_, err = plan.Acquire(ctx, p, root, plan.LockOptions{Holder: "ci@runner", Host: "runner", PID: 7, Clock: clk, Settle: time.Millisecond})
	var le *plan.LockedError
	if !errors.As(err, &le) || !errors.Is(err, plan.ErrLocked) {
		t.Fatalf("second acquire: %v, want a LockedError", err)
	}
	got := struct {
		Holder, Host string
		PID          int
		Age          time.Duration
	}{le.Info.Holder, le.Info.Host, le.Info.PID, le.Age}
	want := struct {
		Holder, Host string
		PID          int
		Age          time.Duration
	}{"alice@laptop", "laptop", 42, 5 * time.Minute}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("lock holder (-want +got):\n%s", diff)
	}
	if err := first.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if _, held, err := plan.ReadLock(ctx, p, root); err != nil || held {
		t.Fatalf("after release: held=%v err=%v", held, err)
	}
	// Free again.
	again, err := plan.Acquire(ctx, p, root, plan.LockOptions{Holder: "ci@runner", Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	// The first holder cannot release what is no longer its own.
	if err := first.Release(ctx); err == nil {
		t.Error("release of a lock held by another succeeded")
	}
	if err := again.Release(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestLockStaleTakenOver(t *testing.T) {
	env := startEnv(t, 5)
	p := newProvider(env)
	root := orgRoot(t, p)
	ctx := context.Background()
	clk := manualClock{emulatortest.NewClock(time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC))}
	if _, err := plan.Acquire(ctx, p, root, plan.LockOptions{Holder: "crashed", Clock: clk}); err != nil {
		t.Fatal(err)
	}
	clk.c.Advance(2 * time.Hour)
	l, err := plan.Acquire(ctx, p, root, plan.LockOptions{Holder: "next", Clock: clk, StaleAfter: time.Hour})
	if err != nil {
		t.Fatalf("stale lock not taken over: %v", err)
	}
	if l.Info().Holder != "next" {
		t.Errorf("holder %q", l.Info().Holder)
	}
}

// TestLockConcurrentAcquire races acquirers: at most one may hold the lock
// at a time.
func TestLockConcurrentAcquire(t *testing.T) {
	env := startEnv(t, 5)
	p := newProvider(env)
	root := orgRoot(t, p)
	ctx := context.Background()
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		held int
	)
	for i := 0; i < 6; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l, err := plan.Acquire(ctx, p, root, plan.LockOptions{Holder: "racer", Settle: 20 * time.Millisecond})
			if err != nil {
				if !errors.Is(err, plan.ErrLocked) {
					t.Errorf("acquire: %v", err)
				}
				return
			}
			mu.Lock()
			held++
			mu.Unlock()
			_ = l
		}()
	}
	wg.Wait()
	if held > 1 {
		t.Fatalf("%d acquirers hold the lock at once", held)
	}
}

// TestConvergeRefusedWhileLocked: apply does not run under another's lock
// and says who holds it.
func TestConvergeRefusedWhileLocked(t *testing.T) {
	env := startEnv(t, 20)
	p := newProvider(env)
	root := orgRoot(t, p)
	ctx := context.Background()
	if _, err := plan.Acquire(ctx, p, root, plan.LockOptions{Holder: "bob@desk", Settle: time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	_, err := plan.Converge(ctx, p, loadExample(t, "minimal"), plan.ConvergeOptions{StateDir: t.TempDir(), Apply: fastApply(), Lock: plan.LockOptions{Settle: time.Millisecond}})
	if !errors.Is(err, plan.ErrLocked) {
		t.Fatalf("converge under a lock: %v", err)
	}
	if env.Emulator.Calls("organizations:CreateOrganizationalUnit") != 0 {
		t.Error("converge changed the organization under another's lock")
	}
}
