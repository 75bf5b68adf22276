package plan_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/bulkhead-dev/bulkhead/internal/emulator"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/emulatortest"
	"github.com/bulkhead-dev/bulkhead/internal/plan"
	"github.com/bulkhead-dev/bulkhead/internal/provider"
)

// chaosFaults are the failures of the chaos test: 30 % throttling, 5 %
// server errors, added latency, on every request.
var chaosFaults = emulator.Faults{ThrottleRate: 0.30, ErrorRate: 0.05, Latency: emulator.Duration(2 * time.Millisecond), Seed: 7}

// chaosProvider's clock runs 50 times faster than the wall clock: the
// injected throttling is random, not rate-dependent as AWS's is, so the
// provider's adaptive limiter sinks to its floor (0.5 requests per second
// per operation) and would take minutes of wall time for 100 accounts. The
// limiter's logic is unchanged; only its time is compressed.
func chaosProvider(cfg aws.Config) *provider.Client {
	return provider.New(cfg, provider.Options{BaseDelay: 50 * time.Millisecond, MaxDelay: 2 * time.Second, MaxAttempts: 12, Clock: newFastClock(50)})
}

// fastClock is a provider.Clock on which time passes factor times faster
// than on the wall clock.
type fastClock struct {
	start  time.Time
	factor time.Duration
}

func newFastClock(factor int) fastClock {
	return fastClock{start: time.Now(), factor: time.Duration(factor)}
}

func (c fastClock) Now() time.Time { return c.start.Add(time.Since(c.start) * c.factor) }

func (c fastClock) Sleep(ctx context.Context, d time.Duration) error {
	return provider.WallClock{}.Sleep(ctx, d/c.factor)
}

func chaosOptions(dir string) plan.ConvergeOptions {
	host, _ := os.Hostname()
	return plan.ConvergeOptions{
		StateDir: dir,
		Apply:    plan.ApplyOptions{Parallelism: 10, PollInitial: 20 * time.Millisecond, PollMax: 100 * time.Millisecond},
		Lock:     plan.LockOptions{Holder: "chaos", Host: host, PID: os.Getpid(), Settle: time.Millisecond, Alive: pidAlive},
	}
}

// pidAlive is the CLI's liveness check: a holder on this host whose pid is
// gone is dead.
func pidAlive(host string, pid int) bool {
	h, _ := os.Hostname()
	if host != h || pid <= 0 {
		return true
	}
	return !errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
}

// TestChaosApplyConverges applies a 100-account layout to the local AWS
// with faults injected while the apply is cancelled at random points (and,
// once, a separate apply process is killed with SIGKILL) and started again,
// until a run completes. It then checks that the organization matches the
// layout, that no email has two accounts, that CreateAccount was accepted
// exactly once per account, and that the journal is empty.
func TestChaosApplyConverges(t *testing.T) {
	if testing.Short() {
		t.Skip("chaos test skipped in -short mode")
	}
	const accounts = 100
	srv := emulatortest.StartServer(t, func(o *emulator.Options) {
		o.Now = time.Now // CreateAccount completes on the wall clock
		o.Organizations.CreateAccountDelay = 150 * time.Millisecond
		o.Organizations.MaxAccounts = accounts + 1
		o.Faults = chaosFaults
	})
	want := bigDesired(accounts, 10, 3)
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(1, 2))

	// One run in a child process, killed with SIGKILL mid-apply.
	if exe, err := os.Executable(); err == nil {
		id, secret := srv.Emulator.RootCredentials()
		cmd := exec.Command(exe, "-test.run=^TestChaosChild$")
		cmd.Env = append(os.Environ(), "BULKHEAD_CHAOS_CHILD=1", "BULKHEAD_CHAOS_URL="+srv.URL,
			"BULKHEAD_CHAOS_KEY="+id, "BULKHEAD_CHAOS_SECRET="+secret, "BULKHEAD_CHAOS_DIR="+dir,
			fmt.Sprintf("BULKHEAD_CHAOS_ACCOUNTS=%d", accounts))
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Kill once account creations are in flight, or after a while.
		deadline := time.Now().Add(5 * time.Second)
		for time.Now().Before(deadline) && srv.Emulator.Calls("organizations:CreateAccount") < 10 {
			<-time.After(5 * time.Millisecond)
		}
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
		t.Logf("child killed after %d CreateAccount calls", srv.Emulator.Calls("organizations:CreateAccount"))
	}

	p := chaosProvider(srv.Config)
	converged := false
	for round := 1; round <= 40 && !converged; round++ {
		ctx, cancel := context.WithCancel(context.Background())
		if round <= 8 {
			// Cancel at a random point while accounts are being created,
			// as Ctrl-C or a lost connection would: after a random number
			// of further CreateAccount requests, plus a random delay.
			calls := func() int64 { return srv.Emulator.Calls("organizations:CreateAccount") }
			after, extra := calls()+int64(1+rng.IntN(25)), time.Duration(rng.IntN(300))*time.Millisecond
			go func() {
				for calls() < after {
					select {
					case <-time.After(2 * time.Millisecond):
					case <-ctx.Done():
						return
					}
				}
				select {
				case <-time.After(extra):
					cancel()
				case <-ctx.Done():
				}
			}()
		}
		out, err := plan.Converge(ctx, p, want, chaosOptions(dir))
		cancel()
		ok := err == nil && out.Report != nil && out.Report.Succeeded()
		if out != nil && out.Report != nil {
			t.Logf("round %d: %d ok, %d failed, %d skipped, err=%v", round, out.Report.OK, out.Report.Failed, out.Report.Skipped, err)
		} else {
			t.Logf("round %d: err=%v", round, err)
		}
		converged = ok
	}
	if !converged {
		t.Fatal("did not converge in 40 rounds")
	}

	// The verdict, without faults.
	if err := srv.Emulator.SetFaults(emulator.Faults{}); err != nil {
		t.Fatal(err)
	}
	pl := mustPlan(t, p, want, dir, plan.Options{})
	if pl.Changes() {
		t.Errorf("after convergence the plan still has %v", opIDs(pl))
	}
	live, err := p.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	emails := map[string]string{}
	for name, a := range live.Accounts {
		if prev, dup := emails[strings.ToLower(a.Email)]; dup {
			t.Errorf("email %s has two accounts: %s and %s", a.Email, prev, name)
		}
		emails[strings.ToLower(a.Email)] = name
	}
	if got := len(live.Accounts); got != accounts+1 {
		t.Errorf("%d accounts, want %d", got, accounts+1)
	}
	accepted := 0
	for _, st := range srv.Emulator.Stats() {
		if st.Operation == "organizations:CreateAccount" {
			accepted = int(st.Calls - st.Errors)
		}
	}
	if accepted != accounts {
		t.Errorf("CreateAccount accepted %d times for %d accounts", accepted, accounts)
	}
	failed, err := p.CreateAccountRequests(context.Background(), provider.CreateFailed)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range failed {
		t.Errorf("creation request %s for %s failed: %s", st.ID, st.AccountName, st.FailureReason)
	}
	j, err := plan.OpenJournal(dir)
	if err != nil {
		t.Fatal(err)
	}
	if e := j.Entries(); len(e) != 0 {
		t.Errorf("journal not clean: %+v", e)
	}
	if _, held := live.RootTags[plan.LockTag]; held {
		t.Error("lock left on the root")
	}
}

// TestChaosChild is the apply process TestChaosApplyConverges kills; it
// does nothing unless started by it.
func TestChaosChild(t *testing.T) {
	if os.Getenv("BULKHEAD_CHAOS_CHILD") == "" {
		t.Skip("run by TestChaosApplyConverges")
	}
	cfg := aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider(os.Getenv("BULKHEAD_CHAOS_KEY"), os.Getenv("BULKHEAD_CHAOS_SECRET"), ""),
		BaseEndpoint: aws.String(os.Getenv("BULKHEAD_CHAOS_URL")),
	}
	var n int
	fmt.Sscan(os.Getenv("BULKHEAD_CHAOS_ACCOUNTS"), &n)
	_, _ = plan.Converge(context.Background(), chaosProvider(cfg), bigDesired(n, 10, 3), chaosOptions(os.Getenv("BULKHEAD_CHAOS_DIR")))
}
