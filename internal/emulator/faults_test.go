package emulator_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/google/go-cmp/cmp"

	"github.com/bulkhead-dev/bulkhead/internal/emulator"
)

func TestFaults(t *testing.T) {
	env := startFake(t, func(o *emulator.Options) { o.Faults = emulator.Faults{ThrottleRate: 1} })
	ctx := context.Background()
	org := organizations.NewFromConfig(env.Config)
	_, err := org.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	var tmr *orgtypes.TooManyRequestsException
	if !errors.As(err, &tmr) {
		t.Errorf("throttled Organizations call: %v, want TooManyRequestsException", err)
	}
	_, err = sts.NewFromConfig(env.Config).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if code := apiCode(t, err); code != "Throttling" {
		t.Errorf("throttled STS call: %s", code)
	}

	if err := env.Emulator.SetFaults(emulator.Faults{ErrorRate: 1, Operations: []string{"iam:ListUsers"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := sts.NewFromConfig(env.Config).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Errorf("a fault limited to iam:ListUsers hit sts:GetCallerIdentity: %v", err)
	}
	_, err = iam.NewFromConfig(env.Config).ListUsers(ctx, &iam.ListUsersInput{})
	if code := apiCode(t, err); code != "ServiceFailure" {
		t.Errorf("failed IAM call: %s", code)
	}
	// The SDK's standard retryer retries injected throttling.
	if err := env.Emulator.SetFaults(emulator.Faults{ThrottleRate: 0.5, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	cfg := env.Config.Copy()
	cfg.Retryer = nil
	cfg.RetryMaxAttempts = 20
	if _, err := organizations.NewFromConfig(cfg).DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{}); err != nil {
		t.Errorf("retried call failed: %v", err)
	}
	if err := env.Emulator.SetFaults(emulator.Faults{ThrottleRate: 2}); err == nil {
		t.Errorf("a rate of 2 was accepted")
	}
}

func TestFaultsDeterministic(t *testing.T) {
	pattern := func() string {
		env := startFake(t, func(o *emulator.Options) { o.Faults = emulator.Faults{ThrottleRate: 0.3, ErrorRate: 0.3, Seed: 42} })
		c := sts.NewFromConfig(env.Config)
		var b strings.Builder
		for range 40 {
			_, err := c.GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
			switch {
			case err == nil:
				b.WriteByte('.')
			case apiCode(t, err) == "Throttling":
				b.WriteByte('T')
			default:
				b.WriteByte('E')
			}
		}
		return b.String()
	}
	a, b := pattern(), pattern()
	if a != b {
		t.Errorf("same seed, different faults:\n%s\n%s", a, b)
	}
	if !strings.Contains(a, "T") || !strings.Contains(a, "E") || !strings.Contains(a, ".") {
		t.Errorf("40 draws at 30%%/30%% should show every outcome: %s", a)
	}
}

func TestAdminAPI(t *testing.T) {
	env := startFake(t)
	srv := httptest.NewServer(env.Emulator.Handler())
	defer srv.Close()
	id, secret := env.Emulator.RootCredentials()
	call := func(method, path, body string, auth bool) (int, string) {
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		if auth {
			req.SetBasicAuth(id, secret)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	if code, _ := call("GET", "/_bulkhead/status", "", false); code != 401 {
		t.Errorf("unauthenticated status: %d", code)
	}
	code, body := call("GET", "/_bulkhead/status", "", true)
	var st emulator.Status
	if code != 200 || json.Unmarshal([]byte(body), &st) != nil || st.ManagementAccountID != env.AccountID {
		t.Errorf("status: %d %s", code, body)
	}
	if code, body := call("PUT", "/_bulkhead/faults", `{"throttleRate":1,"latency":"1ms","operations":["sts:GetCallerIdentity"]}`, true); code != 200 || !strings.Contains(body, `"latency": "1ms"`) {
		t.Errorf("put faults: %d %s", code, body)
	}
	if code, body := call("PUT", "/_bulkhead/faults", `{"throttleRate":7}`, true); code != 400 || !strings.Contains(body, "fraction") {
		t.Errorf("bad faults: %d %s", code, body)
	}
	if code, body := call("PUT", "/_bulkhead/faults", `{"throttle":1}`, true); code != 400 || !strings.Contains(body, "unknown field") {
		t.Errorf("unknown fault: %d %s", code, body)
	}
	_, err := sts.NewFromConfig(env.Config).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if apiCode(t, err) != "Throttling" {
		t.Errorf("fault set through the admin API not applied: %v", err)
	}
	code, body = call("GET", "/_bulkhead/stats", "", true)
	var stats struct{ Operations []emulator.OperationStats }
	if code != 200 || json.Unmarshal([]byte(body), &stats) != nil {
		t.Fatalf("stats: %d %s", code, body)
	}
	want := []emulator.OperationStats{{Operation: "sts:GetCallerIdentity", Calls: 1, Errors: 1, ErrorCodes: map[string]int64{"Throttling": 1}}}
	if diff := cmp.Diff(want, stats.Operations); diff != "" {
		t.Errorf("stats (-want +got):\n%s", diff)
	}
	if code, _ := call("DELETE", "/_bulkhead/stats", "", true); code != 204 || len(env.Emulator.Stats()) != 0 {
		t.Errorf("reset stats: %d %v", code, env.Emulator.Stats())
	}
	if code, _ := call("GET", "/_bulkhead/nothing", "", true); code != 404 {
		t.Errorf("unknown admin path: %d", code)
	}
}

func TestAdminRefusesRemoteClients(t *testing.T) {
	env := startFake(t)
	r := httptest.NewRequest("GET", "/_bulkhead/status", nil)
	r.RemoteAddr = "192.0.2.1:1234"
	id, secret := env.Emulator.RootCredentials()
	r.SetBasicAuth(id, secret)
	if res := do(t, env, r); res.code != 403 {
		t.Errorf("remote admin call: %d %s", res.code, res.body)
	}
}

func TestConcurrentWrites(t *testing.T) {
	env := startFake(t)
	c := organizations.NewFromConfig(env.Config)
	var wg sync.WaitGroup
	errs := make(chan error, 8*25)
	for g := range 8 {
		wg.Go(func() {
			for i := range 25 {
				_, err := c.CreateOrganizationalUnit(context.Background(), &organizations.CreateOrganizationalUnitInput{ParentId: aws.String("r-abcd"), Name: aws.String(string(rune('a'+g)) + string(rune('a'+i)))})
				if err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := env.Emulator.Calls("organizations:CreateOrganizationalUnit"); n != 200 {
		t.Errorf("calls = %d, want 200", n)
	}
}
