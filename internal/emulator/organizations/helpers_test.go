package organizations_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	orgs "github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/smithy-go"

	"github.com/bulkhead-dev/bulkhead/internal/emulator"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/emulatortest"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/organizations"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/service"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/store"
)

// The tests drive the service through aws-sdk-go-v2 against the local AWS
// (in-process transport, SigV4 verified), so request and response shapes
// are checked by the real client's deserializers.

const testDelay = 10 * time.Minute

type harness struct {
	t   *testing.T
	env *emulatortest.Env
	c   *orgs.Client
	ctx context.Context

	mu     sync.Mutex
	events []service.AccountCreated
}

// start runs the local AWS with only Organizations, configured by cfg
// (CreateAccountDelay defaults to testDelay here), and records the
// AccountCreated events.
func start(t *testing.T, cfg organizations.Config) *harness {
	t.Helper()
	h := &harness{t: t, ctx: context.Background()}
	if cfg.CreateAccountDelay == 0 {
		cfg.CreateAccountDelay = testDelay
	}
	cfg.OnAccountCreated = append(cfg.OnAccountCreated, func(_ context.Context, _ store.Tx, ev service.AccountCreated) error {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.events = append(h.events, ev)
		return nil
	})
	h.env = emulatortest.Start(t, func(o *emulator.Options) {
		o.Services = []service.Spec{organizations.New(cfg).Spec()}
	})
	h.c = orgs.NewFromConfig(h.env.Config)
	return h
}

func (h *harness) createOrg() *types.Organization {
	h.t.Helper()
	out, err := h.c.CreateOrganization(h.ctx, &orgs.CreateOrganizationInput{})
	if err != nil {
		h.t.Fatalf("CreateOrganization: %v", err)
	}
	return out.Organization
}

func (h *harness) rootID() string {
	h.t.Helper()
	out, err := h.c.ListRoots(h.ctx, &orgs.ListRootsInput{})
	if err != nil || len(out.Roots) != 1 {
		h.t.Fatalf("ListRoots: %v %v", out, err)
	}
	return *out.Roots[0].Id
}

// createAccount creates an account and waits (on the fake clock) for it
// to SUCCEED.
func (h *harness) createAccount(name string) string {
	h.t.Helper()
	out, err := h.c.CreateAccount(h.ctx, &orgs.CreateAccountInput{AccountName: aws.String(name), Email: aws.String(name + "@example.com")})
	if err != nil {
		h.t.Fatalf("CreateAccount %s: %v", name, err)
	}
	st := out.CreateAccountStatus
	if st.State == types.CreateAccountStateInProgress {
		h.env.Clock.Advance(testDelay)
		d, err := h.c.DescribeCreateAccountStatus(h.ctx, &orgs.DescribeCreateAccountStatusInput{CreateAccountRequestId: st.Id})
		if err != nil {
			h.t.Fatalf("DescribeCreateAccountStatus: %v", err)
		}
		st = d.CreateAccountStatus
	}
	if st.State != types.CreateAccountStateSucceeded || st.AccountId == nil {
		h.t.Fatalf("CreateAccount %s: state %s, reason %s", name, st.State, st.FailureReason)
	}
	return *st.AccountId
}

func (h *harness) createOU(parent, name string) string {
	h.t.Helper()
	out, err := h.c.CreateOrganizationalUnit(h.ctx, &orgs.CreateOrganizationalUnitInput{ParentId: aws.String(parent), Name: aws.String(name)})
	if err != nil {
		h.t.Fatalf("CreateOrganizationalUnit %s: %v", name, err)
	}
	return *out.OrganizationalUnit.Id
}

// memberClient returns a client signing as accountID's root, with a
// credential written straight into the credential table (what STS and IAM
// do for real members).
func (h *harness) memberClient(accountID string) *orgs.Client {
	h.t.Helper()
	db, err := store.Open(h.ctx, h.env.StateDir)
	if err != nil {
		h.t.Fatal(err)
	}
	defer db.Close()
	keyID := fmt.Sprintf("AKIAMEMBER%s", accountID[:10])
	cred := service.Credential{AccessKeyID: keyID, SecretAccessKey: "member-secret-" + accountID, Status: "Active",
		Identity: service.Identity{Account: accountID, ARN: "arn:aws:iam::" + accountID + ":root", Type: "Root", UserID: accountID}}
	if err := db.Write(h.ctx, func(tx store.Tx) error { return tx.Put(service.CredentialTable, keyID, cred) }); err != nil {
		h.t.Fatal(err)
	}
	return orgs.NewFromConfig(h.env.ConfigFor(keyID, cred.SecretAccessKey, ""))
}

// wantErr checks an AWS error code and, when reason is not empty, the
// Reason member of ConstraintViolationException or InvalidInputException.
func wantErr(t *testing.T, err error, code, reason string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("got %v, want %s", err, code)
	}
	if ae.ErrorCode() != code {
		t.Fatalf("got %s (%s), want %s", ae.ErrorCode(), ae.ErrorMessage(), code)
	}
	if reason == "" {
		return
	}
	var got string
	var cv *types.ConstraintViolationException
	var ii *types.InvalidInputException
	switch {
	case errors.As(err, &cv):
		got = string(cv.Reason)
	case errors.As(err, &ii):
		got = string(ii.Reason)
	}
	if got != reason {
		t.Fatalf("%s reason = %q, want %q (%s)", code, got, reason, ae.ErrorMessage())
	}
}

var (
	orgIDRe  = regexp.MustCompile(`^o-[a-z0-9]{10}$`)
	rootIDRe = regexp.MustCompile(`^r-[a-z0-9]{4}$`)
	ouIDRe   = regexp.MustCompile(`^ou-[a-z0-9]{4}-[a-z0-9]{8}$`)
	polIDRe  = regexp.MustCompile(`^p-[a-z0-9]{8}$`)
	carIDRe  = regexp.MustCompile(`^car-[a-z0-9]{32}$`)
	acctRe   = regexp.MustCompile(`^\d{12}$`)
)

func mustMatch(t *testing.T, re *regexp.Regexp, s *string) {
	t.Helper()
	if s == nil || !re.MatchString(*s) {
		t.Fatalf("%v does not match %s", s, re)
	}
}

func (h *harness) policyIDsFor(target string, typ types.PolicyType) []string {
	h.t.Helper()
	out, err := h.c.ListPoliciesForTarget(h.ctx, &orgs.ListPoliciesForTargetInput{TargetId: aws.String(target), Filter: typ})
	if err != nil {
		h.t.Fatalf("ListPoliciesForTarget %s: %v", target, err)
	}
	var ids []string
	for _, p := range out.Policies {
		ids = append(ids, *p.Id)
	}
	return ids
}
