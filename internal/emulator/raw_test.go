package emulator_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/emulatortest"
)

// rawQuery sends a signed Query request and returns the body, or an error
// holding the status and body.
func rawQuery(t *testing.T, env *emulatortest.Env, svc, version, action string, params map[string]string) (string, error) {
	t.Helper()
	form := url.Values{"Action": {action}, "Version": {version}}
	for k, v := range params {
		form.Set(k, v)
	}
	res := do(t, env, signedRequest(t, env, "POST", "/", svc, form.Encode(), map[string]string{"Content-Type": "application/x-www-form-urlencoded"}))
	if res.code != 200 {
		return res.body, fmt.Errorf("%d %s", res.code, res.body)
	}
	return res.body, nil
}

type response struct {
	code   int
	header http.Header
	body   string
}

func do(t *testing.T, env *emulatortest.Env, r *http.Request) response {
	t.Helper()
	rec := httptest.NewRecorder()
	env.Emulator.Handler().ServeHTTP(rec, r)
	return response{rec.Code, rec.Header(), rec.Body.String()}
}

func signedRequest(t *testing.T, env *emulatortest.Env, method, target, svc, body string, headers map[string]string) *http.Request {
	t.Helper()
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	r.Host = "local.bulkhead"
	for k, v := range headers {
		r.Header.Set(k, v)
	}
	creds, _ := env.Config.Credentials.Retrieve(context.Background())
	h := sha256.Sum256([]byte(body))
	// Sign a client-side copy; the server sees the same bytes.
	c, _ := http.NewRequest(method, "http://local.bulkhead"+target, bytes.NewReader([]byte(body)))
	c.Header = r.Header
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, c, hex.EncodeToString(h[:]), svc, "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestMalformedRequests(t *testing.T) {
	env := startFake(t)
	json := map[string]string{"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "AWSOrganizationsV20161128.DescribeAccount"}
	form := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	tests := []struct {
		name     string
		req      *http.Request
		code     int
		contains []string
	}{
		{"JSON syntax", signedRequest(t, env, "POST", "/", "organizations", `{"AccountId":`, json), 400, []string{`"__type":"SerializationException"`}},
		{"JSON unknown member", signedRequest(t, env, "POST", "/", "organizations", `{"AccountID":"1"}`, json), 400, []string{`"__type":"SerializationException"`, "AccountID"}},
		{"JSON wrong type", signedRequest(t, env, "POST", "/", "organizations", `{"AccountId":1}`, json), 400, []string{"SerializationException", "AccountId"}},
		{"JSON bad target", signedRequest(t, env, "POST", "/", "organizations", `{}`, map[string]string{"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "Other.DescribeAccount"}), 400, []string{"UnknownOperationException"}},
		{"unknown service", signedRequest(t, env, "POST", "/", "ec2", "Action=DescribeInstances&Version=2016-11-15", form), 400, []string{"<Code>InvalidAction</Code>", "ec2", "iam, organizations, sts"}},
		{"wrong version", signedRequest(t, env, "POST", "/", "iam", "Action=ListUsers&Version=2010-05-09", form), 400, []string{"<Code>InvalidAction</Code>", "version 2010-05-09"}},
		{"no version", signedRequest(t, env, "POST", "/", "iam", "Action=ListUsers", form), 400, []string{"<Code>MissingParameter</Code>"}},
		{"no action", signedRequest(t, env, "POST", "/", "iam", "Version=2010-05-08", form), 400, []string{"<Code>MissingAction</Code>"}},
		{"bad query integer", signedRequest(t, env, "POST", "/", "iam", "Action=ListUsers&Version=2010-05-08&MaxItems=ten", form), 400, []string{"<Code>ValidationError</Code>", "MaxItems"}},
		{"GET query", signedRequest(t, env, "GET", "/?Action=ListUsers&Version=2010-05-08", "iam", "", nil), 200, []string{"<ListUsersResult>", "<UserName>alice</UserName>"}},
		{"unsigned query", httptest.NewRequest("GET", "/?Action=ListUsers&Version=2010-05-08", nil), 403, []string{"<Code>MissingAuthenticationToken</Code>", "<Type>Sender</Type>"}},
		{"unsigned JSON", func() *http.Request {
			r := httptest.NewRequest("POST", "/", strings.NewReader("{}"))
			r.Header.Set("X-Amz-Target", "AWSOrganizationsV20161128.DescribeOrganization")
			return r
		}(), 400, []string{`"__type":"MissingAuthenticationTokenException"`}},
		{"incomplete signature", func() *http.Request {
			r := httptest.NewRequest("GET", "/?Action=ListUsers&Version=2010-05-08", nil)
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIA/20261122/us-east-1/iam/aws4_request")
			r.Header.Set("X-Amz-Date", "20261122T000000Z")
			return r
		}(), 400, []string{"<Code>IncompleteSignature</Code>", "SignedHeaders"}},
		{"DELETE", httptest.NewRequest("DELETE", "/", nil), 405, []string{"<Code>InvalidAction</Code>"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := do(t, env, tt.req)
			if res.code != tt.code {
				t.Errorf("status %d, want %d: %s", res.code, tt.code, res.body)
			}
			for _, s := range tt.contains {
				if !strings.Contains(res.body, s) {
					t.Errorf("body %s does not contain %s", res.body, s)
				}
			}
			if res.header.Get("x-amzn-RequestId") == "" {
				t.Errorf("no x-amzn-RequestId header")
			}
			if strings.Contains(strings.ToLower(res.body), "<html") {
				t.Errorf("HTML response: %s", res.body)
			}
		})
	}
}

func TestPresignedURL(t *testing.T) {
	env := startFake(t)
	creds, _ := env.Config.Credentials.Retrieve(context.Background())
	req, _ := http.NewRequest("GET", "http://local.bulkhead/?Action=GetCallerIdentity&Version=2011-06-15", nil)
	h := sha256.Sum256(nil)
	u, _, err := v4.NewSigner().PresignHTTP(context.Background(), creds, req, hex.EncodeToString(h[:]), "sts", "us-east-1", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	res, err := (&http.Client{Transport: env.Emulator.Transport()}).Get(u)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 || !strings.Contains(string(body), "<Account>"+env.AccountID+"</Account>") {
		t.Errorf("presigned GetCallerIdentity: %d %s", res.StatusCode, body)
	}
}
