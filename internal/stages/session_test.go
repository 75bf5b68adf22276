package stages

import (
	"context"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"
)

// callerARN asks STS who the session is.
func (lv *live) callerARN(t *testing.T, c aws.Credentials) string {
	t.Helper()
	out, err := sts.NewFromConfig(lv.env.ConfigFor(c.AccessKeyID, c.SecretAccessKey, c.SessionToken)).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	must(t, err)
	return *out.Arn
}

func TestOpenFeatureStageAssumesAppengInDev(t *testing.T) {
	lv := startLive(t, true)
	var warnings []string
	req := lv.request(t, "feature-login", lv.alice, nil, nil)
	req.Warn = func(s string) { warnings = append(warnings, s) }
	s, err := Open(context.Background(), req)
	must(t, err)
	want := "arn:aws:sts::" + lv.ids["dev"] + ":assumed-role/appeng/alice@feature-login"
	if got := lv.callerARN(t, s.Credentials); got != want {
		t.Errorf("caller = %s, want %s", got, want)
	}
	if s.Assumed != want || s.AccountID != lv.ids["dev"] || s.Role != "appeng" || s.Cached {
		t.Errorf("session = %+v", s)
	}
	if s.Credentials.Expires.Sub(lv.env.Clock.Now()) < 55*time.Minute {
		t.Errorf("session lasts %s, want an hour", s.Credentials.Expires.Sub(lv.env.Clock.Now()))
	}
	if len(warnings) != 0 {
		t.Errorf("warnings with a trust policy allowing sts:SetSourceIdentity: %q", warnings)
	}
	if got := s.Banner(); got != "→ stage feature-login · account dev ("+lv.ids["dev"]+") · role appeng" {
		t.Errorf("banner = %q", got)
	}
}

// Issue 6's documents allow sts:AssumeRole alone; AWS then refuses a
// request that sets a source identity. The session is still made, without
// one, and the person is told.
func TestOpenWithoutSetSourceIdentityInTrust(t *testing.T) {
	lv := startLive(t, false)
	var warnings []string
	req := lv.request(t, "feature-login", lv.alice, nil, nil)
	req.Warn = func(s string) { warnings = append(warnings, s) }
	s, err := Open(context.Background(), req)
	must(t, err)
	if got := lv.callerARN(t, s.Credentials); !strings.HasSuffix(got, ":assumed-role/appeng/alice@feature-login") {
		t.Errorf("caller = %s", got)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "sts:SetSourceIdentity") {
		t.Errorf("warnings = %q, want one naming sts:SetSourceIdentity", warnings)
	}
	if n := lv.env.Emulator.Calls("sts:AssumeRole"); n != 2 {
		t.Errorf("AssumeRole calls = %d, want 2 (refused with a source identity, then without)", n)
	}
}

// A warm cache makes no call at all: not STS, not Organizations, and the
// base AWS configuration is not even loaded.
func TestOpenWarmCacheMakesNoCall(t *testing.T) {
	lv := startLive(t, true)
	loads := 0
	ctx := context.Background()
	first, err := Open(ctx, lv.request(t, "feature-login", lv.alice, nil, &loads))
	must(t, err)
	before := lv.env.Emulator.Stats()
	loads = 0
	for range 3 {
		s, err := Open(ctx, lv.request(t, "feature-login", lv.alice, nil, &loads))
		must(t, err)
		if !s.Cached || s.Credentials != first.Credentials {
			t.Fatalf("second open not from the cache: %+v", s)
		}
	}
	if diff := cmp.Diff(before, lv.env.Emulator.Stats()); diff != "" {
		t.Errorf("calls made with a warm cache (-before +after):\n%s", diff)
	}
	if loads != 0 {
		t.Errorf("base config loaded %d times with a warm cache", loads)
	}
	// Five minutes before expiry the session is replaced.
	lv.env.Clock.Set(first.Credentials.Expires.Add(-RefreshBefore + time.Second))
	s, err := Open(ctx, lv.request(t, "feature-login", lv.alice, nil, &loads))
	must(t, err)
	if s.Cached || s.Credentials.AccessKeyID == first.Credentials.AccessKeyID {
		t.Errorf("session near expiry reused: cached=%v", s.Cached)
	}
}

// Fifty concurrent opens of one cold session make one AssumeRole call: the
// first takes the lock and fetches, the others find its result.
func TestOpenConcurrentMakesOneCall(t *testing.T) {
	lv := startLive(t, true)
	ctx := context.Background()
	// Warm the account ids and the identity, so that only the session is
	// contended.
	_, err := Open(ctx, lv.request(t, "pr-1", lv.alice, nil, nil))
	must(t, err)
	lv.env.Emulator.ResetStats()
	var wg sync.WaitGroup
	keys := make([]string, 50)
	errs := make([]error, 50)
	for i := range 50 {
		wg.Go(func() {
			s, err := Open(ctx, lv.request(t, "feature-login", lv.alice, nil, nil))
			errs[i] = err
			if err == nil {
				keys[i] = s.Credentials.AccessKeyID
			}
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
		if keys[i] != keys[0] {
			t.Fatalf("open %d got another session", i)
		}
	}
	if n := lv.env.Emulator.Calls("sts:AssumeRole"); n != 1 {
		t.Errorf("AssumeRole calls = %d, want 1", n)
	}
}

func TestGuardCI(t *testing.T) {
	lv := startLive(t, true)
	ctx := context.Background()
	ci := map[string]string{"CI": "true"}
	tests := []struct {
		name   string
		creds  aws.Credentials
		env    map[string]string
		refuse string // "" when allowed
	}{
		{"engineer on a laptop", lv.alice, nil, "this is not CI"},
		{"CI role outside CI", lv.ciRole, nil, "this is not CI"},
		{"engineer in CI", lv.alice, ci, "user/alice, not the CI role ci-deployer"},
		{"CI role in CI", lv.ciRole, ci, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Open(ctx, lv.request(t, "prod", tt.creds, tt.env, nil))
			if tt.refuse == "" {
				must(t, err)
				want := "arn:aws:sts::" + lv.ids["prod"] + ":assumed-role/deployer/gha-run-42@prod"
				if got := lv.callerARN(t, s.Credentials); got != want {
					t.Errorf("caller = %s, want %s", got, want)
				}
				return
			}
			var ge *GuardError
			if !errors.As(err, &ge) || !strings.Contains(err.Error(), tt.refuse) {
				t.Fatalf("err = %v, want a guard refusal containing %q", err, tt.refuse)
			}
			// The refusal names the rule and where it is written.
			if !strings.HasPrefix(err.Error(), "bulkhead.yaml:16:6: stage \"prod\" is guarded by rule 1 (guard: ci)") {
				t.Errorf("err = %v", err)
			}
		})
	}
}

// The guard is a convenience; the trust policy is the proof: with the
// guard skipped, an engineer still cannot assume the production deploy
// role.
func TestTrustPolicyRefusesEngineerWithoutGuard(t *testing.T) {
	lv := startLive(t, true)
	req := lv.request(t, "prod", lv.alice, map[string]string{"CI": "true"}, nil)
	req.SkipGuard = true
	_, err := Open(context.Background(), req)
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "AccessDenied" {
		t.Fatalf("err = %v, want AccessDenied from STS", err)
	}
	if !strings.Contains(err.Error(), "user/alice is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::"+lv.ids["prod"]+":role/deployer") {
		t.Errorf("err = %v", err)
	}
	// And the read-only appeng role in production is hers to assume.
	req = lv.request(t, "prod", lv.alice, nil, nil)
	req.Role, req.SkipGuard = "appeng", true
	s, err := Open(context.Background(), req)
	must(t, err)
	if got := lv.callerARN(t, s.Credentials); !strings.HasSuffix(got, ":assumed-role/appeng/alice@prod") {
		t.Errorf("caller = %s", got)
	}
}

func TestGuardConfirm(t *testing.T) {
	lv := startLive(t, true)
	tests := []struct {
		input  string
		refuse string
	}{
		{"qa\n", ""},
		{"prod\n", `typed "prod", not the account name "qa"`},
		{"", "there was none to read"},
	}
	for _, tt := range tests {
		t.Run(tt.input, func(t *testing.T) {
			req := lv.request(t, "qa", lv.alice, nil, nil)
			rest := "rest of stdin"
			if tt.input == "" {
				rest = ""
			}
			in := strings.NewReader(tt.input + rest)
			req.Prompt = &Prompter{In: in}
			_, err := Open(context.Background(), req)
			if tt.refuse == "" {
				must(t, err)
				// exec leaves the rest of stdin to the command.
				if in.Len() != len(rest) {
					t.Errorf("read past the line: %d bytes left", in.Len())
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.refuse) {
				t.Errorf("err = %v, want %q", err, tt.refuse)
			}
		})
	}
}

// No secret reaches the audit log or an error, whatever happens.
func TestAuditLogHoldsNoSecret(t *testing.T) {
	lv := startLive(t, true)
	ctx := context.Background()
	s, err := Open(ctx, lv.request(t, "feature-login", lv.alice, nil, nil))
	must(t, err)
	_, refusal := Open(ctx, lv.request(t, "prod", lv.alice, nil, nil))
	req := lv.request(t, "prod", lv.alice, nil, nil)
	req.SkipGuard = true
	_, denied := Open(ctx, req)
	req = lv.request(t, "feature-x", lv.alice, nil, nil)
	req.Args = []string{"deploy", "--db-password", "hunter2hunter2", "--api-key=" + lv.alice.SecretAccessKey, "TOKEN=" + s.Credentials.SessionToken}
	_, err = Open(ctx, req)
	must(t, err)

	log, err := os.ReadFile(req.Audit.Path)
	must(t, err)
	st, err := os.Stat(req.Audit.Path)
	must(t, err)
	if st.Mode().Perm() != 0o600 {
		t.Errorf("audit log mode %o, want 600", st.Mode().Perm())
	}
	lines := strings.Split(strings.TrimSpace(string(log)), "\n")
	if len(lines) != 4 {
		t.Fatalf("audit log has %d lines, want 4:\n%s", len(lines), log)
	}
	for _, want := range []string{`"outcome":"allowed"`, `"outcome":"refused"`, `"session":"alice@feature-login"`, `"identity":"arn:aws:iam::` + lv.env.AccountID + `:user/alice"`, `"--db-password","[redacted]"`} {
		if !strings.Contains(string(log), want) {
			t.Errorf("audit log lacks %s:\n%s", want, log)
		}
	}
	for _, secret := range []string{lv.alice.SecretAccessKey, s.Credentials.SecretAccessKey, s.Credentials.SessionToken, "hunter2hunter2"} {
		for name, text := range map[string]string{"audit log": string(log), "refusal": refusal.Error(), "denial": denied.Error()} {
			if strings.Contains(text, secret) {
				t.Errorf("%s holds a secret", name)
			}
		}
	}
}

func TestOpenUnappliedAccount(t *testing.T) {
	lv := startLive(t, true)
	l := load(t, strings.Replace(liveSrc, "  dev: {unit: Workloads/Development, kind: development}", "  dev: {unit: Workloads/Development, kind: development}\n  dev2: {unit: Workloads/Development, kind: development}", 1)+"")
	req := lv.request(t, "feature-login", lv.alice, nil, nil)
	l.Stages[2].Account.Value = "dev2"
	req.Layout = l
	_, err := Open(context.Background(), req)
	if !errors.Is(err, ErrAccountNotFound) || !strings.Contains(err.Error(), "run `bulkhead apply`") {
		t.Errorf("err = %v", err)
	}
}

// BenchmarkOpenWarm is the in-process cost of a warm Open: resolve the
// stage, read the account ids and the cached session, append the audit
// record. No call reaches the local AWS.
func BenchmarkOpenWarm(b *testing.B) {
	lv := startLive(b, true)
	ctx := context.Background()
	req := lv.request(b, "feature-login", lv.alice, nil, nil)
	if _, err := Open(ctx, req); err != nil {
		b.Fatal(err)
	}
	before := lv.env.Emulator.Calls("sts:AssumeRole")
	b.ResetTimer()
	for b.Loop() {
		if _, err := Open(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if n := lv.env.Emulator.Calls("sts:AssumeRole"); n != before {
		b.Fatalf("%d AssumeRole calls while warm", n-before)
	}
}

// A pipeline that already holds the stage's role (it assumed it itself, as
// aws-actions/configure-aws-credentials does with OIDC) is the CI principal
// by the role's trust; bulkhead uses its credentials as they are.
func TestGuardCIAlreadyInTheRole(t *testing.T) {
	lv := startLive(t, true)
	ctx := context.Background()
	out, err := sts.NewFromConfig(lv.env.ConfigFor(lv.ciRole.AccessKeyID, lv.ciRole.SecretAccessKey, lv.ciRole.SessionToken)).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String(RoleARN(lv.ids["prod"], "deployer")), RoleSessionName: aws.String("gha-run-43")})
	must(t, err)
	deployer := aws.Credentials{AccessKeyID: *out.Credentials.AccessKeyId, SecretAccessKey: *out.Credentials.SecretAccessKey, SessionToken: *out.Credentials.SessionToken}
	req := lv.request(t, "prod", deployer, map[string]string{"CI": "true"}, nil)
	req.Accounts.Pinned = map[string]string{"prod": lv.ids["prod"], "shared-services": lv.ids["shared-services"]}
	lv.env.Emulator.ResetStats()
	s, err := Open(ctx, req)
	must(t, err)
	if s.Credentials.AccessKeyID != deployer.AccessKeyID || lv.env.Emulator.Calls("sts:AssumeRole") != 0 {
		t.Errorf("session %s, %d AssumeRole calls; want the base credentials as they are", s.Assumed, lv.env.Emulator.Calls("sts:AssumeRole"))
	}
	// Outside CI it is still refused.
	req = lv.request(t, "prod", deployer, nil, nil)
	req.Accounts.Pinned = map[string]string{"prod": lv.ids["prod"]}
	var ge *GuardError
	if _, err := Open(ctx, req); !errors.As(err, &ge) {
		t.Errorf("err = %v, want a guard refusal", err)
	}
}
