package sigv4

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

const (
	testKeyID = "AKIAEXAMPLEEXAMPLE00"
	secret    = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

var signTime = time.Date(2026, 11, 22, 6, 30, 0, 0, time.UTC)

// serverSide turns a client request into what an http.Server hands the
// handler: Host moved out of the URL, RequestURI set.
func serverSide(t testing.TB, req *http.Request, body string) *http.Request {
	t.Helper()
	s := httptest.NewRequest(req.Method, req.URL.RequestURI(), strings.NewReader(body))
	s.Host = req.URL.Host
	for k, v := range req.Header {
		s.Header[k] = v
	}
	return s
}

func signed(t *testing.T, method, url, body string, headers map[string]string, token string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	creds := aws.Credentials{AccessKeyID: testKeyID, SecretAccessKey: secret, SessionToken: token}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, PayloadHash([]byte(body)), "iam", "us-east-1", signTime); err != nil {
		t.Fatal(err)
	}
	return serverSide(t, req, body)
}

func TestVerifySDKSignatures(t *testing.T) {
	tests := []struct {
		name, method, url, body string
		headers                 map[string]string
		token                   string
	}{
		{"post form", "POST", "http://local.bulkhead/", "Action=ListUsers&Version=2010-05-08", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, ""},
		{"json with target", "POST", "http://127.0.0.1:4566/", `{"AccountId":"123456789012"}`, map[string]string{"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "AWSOrganizationsV20161128.DescribeAccount"}, ""},
		{"get with query", "GET", "http://local.bulkhead/?Action=ListUsers&Version=2010-05-08&PathPrefix=%2Fa%20b%2F&Marker=x~y", "", nil, ""},
		{"odd path", "GET", "http://local.bulkhead/a%20b/c~d/", "", nil, ""},
		{"session token", "POST", "http://local.bulkhead/", "Action=GetCallerIdentity&Version=2011-06-15", nil, "FQoGZXIvYXdzEJr//////////token"},
		{"spaces in header", "POST", "http://local.bulkhead/", "x", map[string]string{"X-Amz-Meta": "  a   b  "}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := signed(t, tt.method, tt.url, tt.body, tt.headers, tt.token)
			sig, err := Parse(r)
			if err != nil {
				t.Fatal(err)
			}
			if sig.AccessKeyID != testKeyID || sig.Service != "iam" || sig.Region != "us-east-1" || !sig.Time.Equal(signTime) || sig.SecurityToken != tt.token {
				t.Errorf("parsed %+v", sig)
			}
			var keys KeyCache
			if !sig.Verify(r, PayloadHash([]byte(tt.body)), secret, &keys) {
				t.Errorf("valid SDK signature refused; canonical request:\n%s", CanonicalRequest(r, sig, PayloadHash([]byte(tt.body))))
			}
			if !sig.Verify(r, PayloadHash([]byte(tt.body)), secret, &keys) {
				t.Errorf("refused with a cached key")
			}
			if sig.Verify(r, PayloadHash([]byte(tt.body)), secret+"x", &keys) {
				t.Errorf("accepted with the wrong secret")
			}
			if sig.Verify(r, PayloadHash([]byte(tt.body+"tampered")), secret, nil) {
				t.Errorf("accepted a tampered body")
			}
			r.Header.Set("X-Amz-Date", signTime.Add(time.Second).Format(TimeFormat))
			sig2, _ := Parse(r)
			if sig2.Verify(r, PayloadHash([]byte(tt.body)), secret, nil) {
				t.Errorf("accepted a changed X-Amz-Date")
			}
		})
	}
}

func TestVerifyPresigned(t *testing.T) {
	req, _ := http.NewRequest("GET", "http://local.bulkhead/?Action=GetCallerIdentity&Version=2011-06-15", nil)
	creds := aws.Credentials{AccessKeyID: testKeyID, SecretAccessKey: secret}
	url, hdr, err := v4.NewSigner().PresignHTTP(context.Background(), creds, req, PayloadHash(nil), "sts", "us-east-1", signTime)
	if err != nil {
		t.Fatal(err)
	}
	preq, _ := http.NewRequest("GET", url, nil)
	for k, v := range hdr {
		preq.Header[k] = v
	}
	r := serverSide(t, preq, "")
	sig, err := Parse(r)
	if err != nil {
		t.Fatal(err)
	}
	if !sig.Presigned || sig.Service != "sts" {
		t.Fatalf("parsed %+v", sig)
	}
	if !sig.Verify(r, PayloadHash(nil), secret, nil) {
		t.Errorf("valid presigned URL refused:\n%s", CanonicalRequest(r, sig, PayloadHash(nil)))
	}
	q := r.URL.Query()
	q.Set("Action", "GetSessionToken")
	r.URL.RawQuery = q.Encode()
	if sig.Verify(r, PayloadHash(nil), secret, nil) {
		t.Errorf("presigned URL with a changed parameter accepted")
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		auth, date string
		missing    bool
		contains   string
	}{
		{"", "", true, ""},
		{"AWS4-HMAC-SHA1 Credential=x", "20261122T000000Z", false, "unsupported algorithm"},
		{"AWS4-HMAC-SHA256 SignedHeaders=host, Signature=ab", "20261122T000000Z", false, "Credential"},
		{"AWS4-HMAC-SHA256 Credential=AKIA/20261122/us-east-1/iam/aws4_request, Signature=ab", "20261122T000000Z", false, "SignedHeaders"},
		{"AWS4-HMAC-SHA256 Credential=AKIA/20261122/us-east-1/iam/aws4_request, SignedHeaders=host", "20261122T000000Z", false, "Signature"},
		{"AWS4-HMAC-SHA256 Credential=AKIA/2026/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=ab", "20261122T000000Z", false, "YYYYMMDD"},
		{"AWS4-HMAC-SHA256 Credential=AKIA/20261122/iam/aws4_request, SignedHeaders=host, Signature=ab", "20261122T000000Z", false, "must be"},
		{"AWS4-HMAC-SHA256 Credential=AKIA/20261122/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=ab", "", false, "X-Amz-Date"},
		{"AWS4-HMAC-SHA256 Credential=AKIA/20261122/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=ab", "yesterday", false, "X-Amz-Date"},
		{"AWS4-HMAC-SHA256 garbage", "20261122T000000Z", false, "key=value"},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("POST", "/", nil)
		if tt.auth != "" {
			r.Header.Set("Authorization", tt.auth)
		}
		if tt.date != "" {
			r.Header.Set("X-Amz-Date", tt.date)
		}
		_, err := Parse(r)
		if tt.missing {
			if !errors.Is(err, ErrMissing) {
				t.Errorf("Parse(%q) = %v, want ErrMissing", tt.auth, err)
			}
			continue
		}
		var me *MalformedError
		if !errors.As(err, &me) || !strings.Contains(me.Msg, tt.contains) {
			t.Errorf("Parse(%q) = %v, want a MalformedError mentioning %q", tt.auth, err, tt.contains)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	req, _ := http.NewRequest("POST", "http://local.bulkhead/", strings.NewReader("Action=GetCallerIdentity&Version=2011-06-15"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	_ = v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: testKeyID, SecretAccessKey: secret}, req, PayloadHash([]byte("Action=GetCallerIdentity&Version=2011-06-15")), "sts", "us-east-1", signTime)
	r := serverSide(b, req, "Action=GetCallerIdentity&Version=2011-06-15")
	var keys KeyCache
	hash := PayloadHash([]byte("Action=GetCallerIdentity&Version=2011-06-15"))
	for b.Loop() {
		sig, err := Parse(r)
		if err != nil || !sig.Verify(r, hash, secret, &keys) {
			b.Fatal("refused")
		}
	}
}
