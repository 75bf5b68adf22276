package stages

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/google/go-cmp/cmp"
)

// fakeSTS answers AssumeRoleWithWebIdentity as STS does
// (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html),
// recording the requests: the local AWS has no OIDC exchange to test
// GitHub Actions' path against.
type fakeSTS struct {
	mu       sync.Mutex
	requests []map[string]string
}

func (f *fakeSTS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), 400)
		return
	}
	got := map[string]string{}
	for k := range r.PostForm {
		got[k] = r.PostForm.Get(k)
	}
	f.mu.Lock()
	f.requests = append(f.requests, got)
	f.mu.Unlock()
	if got["Action"] == "GetCallerIdentity" {
		w.Header().Set("Content-Type", "text/xml")
		fmt.Fprint(w, `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>`+
			`<Arn>arn:aws:iam::444455556666:user/alice</Arn><UserId>AIDAEXAMPLE</UserId><Account>444455556666</Account>`+
			`</GetCallerIdentityResult><ResponseMetadata><RequestId>r2</RequestId></ResponseMetadata></GetCallerIdentityResponse>`)
		return
	}
	if got["Action"] != "AssumeRoleWithWebIdentity" {
		http.Error(w, "unexpected "+got["Action"], 400)
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	fmt.Fprintf(w, `<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleWithWebIdentityResult>
<Credentials><AccessKeyId>ASIAWEBIDENTITY</AccessKeyId><SecretAccessKey>web-secret</SecretAccessKey><SessionToken>web-token</SessionToken><Expiration>%s</Expiration></Credentials>
<AssumedRoleUser><Arn>%s/%s</Arn><AssumedRoleId>AROAEXAMPLE:%s</AssumedRoleId></AssumedRoleUser>
</AssumeRoleWithWebIdentityResult><ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata></AssumeRoleWithWebIdentityResponse>`,
		time.Now().Add(time.Hour).UTC().Format(time.RFC3339), strings.Replace(strings.Replace(got["RoleArn"], ":iam:", ":sts:", 1), ":role/", ":assumed-role/", 1), got["RoleSessionName"], got["RoleSessionName"])
}

// In GitHub Actions with the OIDC principal, the ci guard lets the
// workflow through and the token is exchanged for the stage's role
// directly: no long-lived key, no GetCallerIdentity, no chain.
func TestOpenGitHubWebIdentity(t *testing.T) {
	fake := &fakeSTS{}
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	token := filepath.Join(dir, "token")
	must(t, os.WriteFile(token, []byte("eyJ.github.oidc"), 0o600))
	l := load(t, strings.Replace(liveSrc, "  role: {account: shared-services, name: ci-deployer}", "  github: {repository: acme/app, branches: [main]}", 1))
	env := map[string]string{"CI": "true", "GITHUB_ACTIONS": "true", "GITHUB_ACTOR": "octocat",
		"AWS_WEB_IDENTITY_TOKEN_FILE": token, "AWS_ROLE_ARN": "arn:aws:iam::444455556666:role/github-entry"}
	req := Request{
		Layout: l, Stage: "prod", Command: "exec", Getenv: func(k string) string { return env[k] }, Now: time.Now,
		Source: Source{Key: SourceKey(func(k string) string { return env[k] }, ""), Config: func(context.Context) (aws.Config, error) {
			return aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), Credentials: aws.AnonymousCredentials{}}, nil
		}},
		Cache:    &Cache{Store: &FileStore{Dir: filepath.Join(dir, "cache")}, LockDir: filepath.Join(dir, "locks"), Now: time.Now},
		Accounts: &AccountIDs{Path: filepath.Join(dir, "accounts.json"), Now: time.Now, Pinned: map[string]string{"prod": "111122223333"}},
		Audit:    &AuditLog{Path: filepath.Join(dir, "audit.log")},
	}
	s, err := Open(context.Background(), req)
	must(t, err)
	if s.Credentials.AccessKeyID != "ASIAWEBIDENTITY" || s.Assumed != "arn:aws:sts::111122223333:assumed-role/deployer/octocat@prod" {
		t.Errorf("session %+v", s)
	}
	if len(fake.requests) != 1 {
		t.Fatalf("%d requests, want 1: %v", len(fake.requests), fake.requests)
	}
	r := fake.requests[0]
	want := map[string]string{"RoleArn": "arn:aws:iam::111122223333:role/deployer", "RoleSessionName": "octocat@prod", "WebIdentityToken": "eyJ.github.oidc", "DurationSeconds": "3600"}
	for k, v := range want {
		if r[k] != v {
			t.Errorf("%s = %q, want %q", k, r[k], v)
		}
	}
	// Warm: no request.
	if s, err := Open(context.Background(), req); err != nil || !s.Cached || len(fake.requests) != 1 {
		t.Errorf("warm open: cached=%v err=%v requests=%d", s != nil && s.Cached, err, len(fake.requests))
	}
	// Without the token (a laptop with CI=true), the guard refuses.
	delete(env, "AWS_WEB_IDENTITY_TOKEN_FILE")
	req.Source.Key = "key:laptop"
	_, err = Open(context.Background(), req)
	if err == nil || !strings.Contains(err.Error(), "the credentials are arn:aws:iam::444455556666:user/alice, not the CI principal (a GitHub Actions OIDC token") {
		t.Errorf("err = %v", err)
	}
	var actions []string
	for _, r := range fake.requests {
		actions = append(actions, r["Action"])
	}
	if diff := cmp.Diff([]string{"AssumeRoleWithWebIdentity", "GetCallerIdentity"}, actions); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}
