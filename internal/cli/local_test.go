package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// lockedBuffer is a bytes.Buffer safe for a serving command writing while
// the test reads.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func testApp(out, errw *lockedBuffer, env map[string]string) *App {
	return &App{
		Streams: Streams{In: strings.NewReader(""), Out: out, Err: errw},
		Getenv:  func(k string) string { return env[k] },
		Now:     time.Now,
	}
}

func runApp(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errw lockedBuffer
	code := testApp(&out, &errw, nil).Run(context.Background(), args)
	return out.String(), errw.String(), code
}

// TestLocalServe starts `bulkhead local serve` on a free port, points the
// SDK at it with what `bulkhead local env` prints, and stops it as Ctrl-C
// would.
func TestLocalServe(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errw lockedBuffer
	done := make(chan int, 1)
	go func() {
		done <- testApp(&out, &errw, nil).Run(ctx, []string{"local", "serve", "--addr", "127.0.0.1:0", "--state", dir, "-o", "json", "--create-delay", "-1s"})
	}()
	// Wait until it is listening: it prints one JSON document then.
	var res localServeResult
	for deadline := time.Now().Add(20 * time.Second); ; {
		if err := json.Unmarshal([]byte(out.String()), &res); err == nil {
			break
		}
		select {
		case code := <-done:
			t.Fatalf("serve exited with %d: %s", code, errw.String())
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not start: %s %s", out.String(), errw.String())
		}
	}
	if !strings.HasPrefix(res.Endpoint, "http://127.0.0.1:") || len(res.ManagementAccountID) != 12 {
		t.Errorf("serve printed %+v", res)
	}

	// env prints the running server's endpoint and the root keys.
	envOut, _, code := runApp(t, "local", "env", "--state", dir, "--format", "json")
	var vars map[string]string
	if code != 0 || json.Unmarshal([]byte(envOut), &vars) != nil || vars["AWS_ENDPOINT_URL"] != res.Endpoint {
		t.Fatalf("env: %d %s", code, envOut)
	}
	cfg, err := config.LoadDefaultConfig(ctx,
		config.WithRegion(vars["AWS_REGION"]),
		config.WithBaseEndpoint(vars["AWS_ENDPOINT_URL"]),
		config.WithCredentialsProvider(aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: vars["AWS_ACCESS_KEY_ID"], SecretAccessKey: vars["AWS_SECRET_ACCESS_KEY"]}, nil
		})),
		config.WithSharedConfigFiles(nil), config.WithSharedCredentialsFiles(nil),
	)
	if err != nil {
		t.Fatal(err)
	}
	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(id.Account) != res.ManagementAccountID {
		t.Fatalf("GetCallerIdentity over loopback: %v %v", id, err)
	}

	// status sees the server and counts the organization through the API.
	org := organizations.NewFromConfig(cfg)
	if _, err := org.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll}); err != nil {
		t.Fatal(err)
	}
	roots, err := org.ListRoots(ctx, &organizations.ListRootsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := org.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: roots.Roots[0].Id, Name: aws.String("Workloads")}); err != nil {
		t.Fatal(err)
	}
	if _, err := org.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("dev"), Email: aws.String("aws+dev@example.com")}); err != nil {
		t.Fatal(err)
	}
	stOut, _, code := runApp(t, "local", "status", "--state", dir)
	if code != 0 || !strings.Contains(stOut, "listening on "+res.Endpoint) {
		t.Errorf("status: %d %s", code, stOut)
	}
	jsonOut, _, _ := runApp(t, "local", "status", "--state", dir, "-o", "json")
	var st localStatus
	if err := json.Unmarshal([]byte(jsonOut), &st); err != nil || st.Organization == nil {
		t.Fatalf("status -o json: %v %s", err, jsonOut)
	}
	if st.Organization.Accounts != 2 || st.Organization.OUs != 1 || st.Server == nil || st.ManagementAccountID != res.ManagementAccountID {
		t.Errorf("status -o json = %+v", st)
	}
	if _, stderr, code := runApp(t, "local", "serve", "--addr", "127.0.0.1:0", "--state", dir); code != 1 || !strings.Contains(stderr, "already serves") {
		t.Errorf("second serve: %d %s", code, stderr)
	}
	if _, stderr, code := runApp(t, "local", "reset", "--yes", "--state", dir); code != 1 || !strings.Contains(stderr, "stop it first") {
		t.Errorf("reset while serving: %d %s", code, stderr)
	}

	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("serve exited with %d: %s", code, errw.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop")
	}
	if _, err := os.Stat(filepath.Join(dir, serverFile)); !os.IsNotExist(err) {
		t.Errorf("%s left behind: %v", serverFile, err)
	}
}

func TestLocalServeBadFlags(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"local", "serve", "--state", dir, "--throttle-rate", "1.5"},
		{"local", "serve", "--state", dir, "--addr", "nonsense"},
	} {
		if _, stderr, code := runApp(t, args...); code != 1 || stderr == "" {
			t.Errorf("%v: exit %d, stderr %q", args, code, stderr)
		}
	}
}
