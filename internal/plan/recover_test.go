package plan_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/bulkhead-dev/bulkhead/internal/emulator"
	"github.com/bulkhead-dev/bulkhead/internal/org"
	"github.com/bulkhead-dev/bulkhead/internal/plan"
	"github.com/bulkhead-dev/bulkhead/internal/provider"
)

// oneAccount is a layout of the management account and one member account
// "solo" in unit Apps.
func oneAccount() *org.Org {
	o := org.New()
	o.ManagementAccount = "management"
	o.Accounts["management"] = &org.Account{Name: "management", Email: "aws@solo.example", Status: org.Active}
	o.Units["Apps"] = &org.Unit{Path: "Apps"}
	o.Accounts["solo"] = &org.Account{Name: "solo", Email: "aws+solo@solo.example", Unit: "Apps", Status: org.Active}
	return o
}

// TestJournalRecovery starts from the states a crash can leave, and checks
// that the next apply sends CreateAccount only when no request for the
// email can have reached AWS.
func TestJournalRecovery(t *testing.T) {
	cases := []struct {
		name string
		// before sets up AWS and the journal as the crash left them; it
		// returns how many CreateAccount requests it sent itself.
		before   func(t *testing.T, cli *organizations.Client, j *plan.Journal) int
		wantSent int // by the apply
	}{
		{
			name: "no journal, nothing in AWS",
			before: func(*testing.T, *organizations.Client, *plan.Journal) int {
				return 0
			},
			wantSent: 1,
		},
		{
			name: "sending, the request never reached AWS",
			before: func(t *testing.T, _ *organizations.Client, j *plan.Journal) int {
				mustPut(t, j, plan.JournalEntry{Email: "aws+solo@solo.example", Account: "solo", State: plan.JournalSending})
				return 0
			},
			wantSent: 1,
		},
		{
			name: "sending, the request reached AWS but its answer was lost",
			before: func(t *testing.T, cli *organizations.Client, j *plan.Journal) int {
				mustPut(t, j, plan.JournalEntry{Email: "aws+solo@solo.example", Account: "solo", State: plan.JournalSending})
				sendCreate(t, cli)
				return 1
			},
			wantSent: 0,
		},
		{
			name: "sent, status id recorded",
			before: func(t *testing.T, cli *organizations.Client, j *plan.Journal) int {
				id := sendCreate(t, cli)
				mustPut(t, j, plan.JournalEntry{Email: "aws+solo@solo.example", Account: "solo", State: plan.JournalSent, StatusID: id})
				return 1
			},
			wantSent: 0,
		},
		{
			name: "journal lost, a request in flight",
			before: func(t *testing.T, cli *organizations.Client, _ *plan.Journal) int {
				sendCreate(t, cli)
				return 1
			},
			wantSent: 0,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := startEnv(t, 5, func(o *emulator.Options) {
				o.Now = time.Now
				o.Organizations.CreateAccountDelay = 200 * time.Millisecond
			})
			p := newProvider(env)
			ctx := context.Background()
			if err := p.CreateOrganization(ctx); err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			j, err := plan.OpenJournal(dir)
			if err != nil {
				t.Fatal(err)
			}
			before := tc.before(t, organizations.NewFromConfig(env.Config), j)
			converge(t, p, oneAccount(), dir, plan.Options{})
			sent := int(env.Emulator.Calls("organizations:CreateAccount")) - before
			if sent != tc.wantSent {
				t.Errorf("apply sent CreateAccount %d times, want %d", sent, tc.wantSent)
			}
			live, err := p.Read(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if a := live.AccountByEmail("aws+solo@solo.example"); a == nil || a.Unit != "Apps" {
				t.Errorf("account not in place: %+v", a)
			}
			if len(live.Accounts) != 2 {
				t.Errorf("%d accounts, want 2", len(live.Accounts))
			}
			j, _ = plan.OpenJournal(dir)
			if e := j.Entries(); len(e) != 0 {
				t.Errorf("journal not clean: %+v", e)
			}
		})
	}
}

func mustPut(t *testing.T, j *plan.Journal, e plan.JournalEntry) {
	t.Helper()
	if err := j.Put(e); err != nil {
		t.Fatal(err)
	}
}

func sendCreate(t *testing.T, cli *organizations.Client) string {
	t.Helper()
	out, err := cli.CreateAccount(context.Background(), &organizations.CreateAccountInput{AccountName: aws.String("solo"), Email: aws.String("aws+solo@solo.example")})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.CreateAccountStatus.Id)
}

// failingProvider fails CreateUnit for one name.
type failingProvider struct {
	provider.Provider
	unit string
}

func (f failingProvider) CreateUnit(ctx context.Context, parent, name string, tags map[string]string) (string, error) {
	if name == f.unit {
		return "", errors.New("create unit " + name + ": ConstraintViolationException: OU_NUMBER_LIMIT_EXCEEDED")
	}
	return f.Provider.CreateUnit(ctx, parent, name, tags)
}

// TestFailedDependencySkips: an operation whose dependency failed is
// skipped with the reason, the others run, and the report counts them.
func TestFailedDependencySkips(t *testing.T) {
	env := startEnv(t, 5)
	p := newProvider(env)
	ctx := context.Background()
	want := oneAccount()
	want.Units["Other"] = &org.Unit{Path: "Other"}
	if err := p.CreateOrganization(ctx); err != nil {
		t.Fatal(err)
	}
	live, err := p.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	pl := plan.Diff(want, live, plan.Options{})
	j, _ := plan.OpenJournal(t.TempDir())
	opts := fastApply()
	opts.Journal = j
	rep, err := plan.Execute(ctx, failingProvider{p, "Apps"}, pl, live, opts)
	if err != nil {
		t.Fatal(err)
	}
	status := map[string]string{}
	for _, r := range rep.Results {
		status[r.ID] = r.Status
		if r.ID == "create-account:solo" && !strings.Contains(r.Error, "create-unit:Apps") {
			t.Errorf("skip reason %q does not name the failed dependency", r.Error)
		}
	}
	if status["create-unit:Apps"] != plan.StatusFailed || status["create-account:solo"] != plan.StatusSkipped || status["create-unit:Other"] != plan.StatusOK {
		t.Errorf("statuses: %v", status)
	}
	if rep.Succeeded() || rep.Failed != 1 || rep.Skipped != 1 {
		t.Errorf("report: %d ok, %d failed, %d skipped", rep.OK, rep.Failed, rep.Skipped)
	}
	if n := env.Emulator.Calls("organizations:CreateAccount"); n != 0 {
		t.Errorf("CreateAccount sent %d times for an account whose unit failed", n)
	}
}

// TestCancelledApplyNotStarted: after ctx ends nothing new starts, and
// the report says why.
func TestCancelledApplyNotStarted(t *testing.T) {
	env := startEnv(t, 5)
	p := newProvider(env)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	pl := plan.Diff(oneAccount(), org.New(), plan.Options{})
	j, _ := plan.OpenJournal(t.TempDir())
	opts := fastApply()
	opts.Journal = j
	rep, err := plan.Execute(ctx, p, pl, org.New(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if rep.OK != 0 || rep.Skipped != len(pl.Ops) {
		t.Fatalf("cancelled apply: %+v", rep.Results)
	}
	if !strings.Contains(rep.Results[0].Error, "not started: context canceled") {
		t.Errorf("reason %q", rep.Results[0].Error)
	}
}
