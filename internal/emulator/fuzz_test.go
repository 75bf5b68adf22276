package emulator_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/bulkhead-dev/bulkhead/internal/emulator"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/emulatortest"
)

// FuzzSignedRequests sends correctly signed requests with arbitrary
// actions and bodies to the default services: whatever the input, the
// answer is an AWS error or a success in the protocol's shape, never a
// panic (a recovered panic is a 500 InternalFailure) and never HTML.
func FuzzSignedRequests(f *testing.F) {
	f.Add(uint8(0), "DescribeOrganization", []byte(`{}`))
	f.Add(uint8(0), "CreateOrganizationalUnit", []byte(`{"ParentId":"r-abcd","Name":"x","Tags":[{"Key":"k"}]}`))
	f.Add(uint8(0), "ListAccounts", []byte(`{"MaxResults":0,"NextToken":"!!"}`))
	f.Add(uint8(0), "CreatePolicy", []byte(`{"Content":"{","Name":"p","Type":"SERVICE_CONTROL_POLICY","Description":""}`))
	f.Add(uint8(1), "CreateUser", []byte(`UserName=a&Tags.member.1.Key=k&Tags.member.1.Value=v`))
	f.Add(uint8(1), "ListUsers", []byte(`MaxItems=0&Marker=%FF`))
	f.Add(uint8(1), "CreateRole", []byte(`RoleName=r&AssumeRolePolicyDocument={"Statement":[{}]}`))
	f.Add(uint8(2), "AssumeRole", []byte(`RoleArn=arn:aws:iam::1:role/x&RoleSessionName=s&DurationSeconds=-1`))
	f.Add(uint8(2), "GetSessionToken", []byte(`SerialNumber=x&TokenCode=abc`))
	env := emulatortest.Start(f, func(o *emulator.Options) { o.Organizations.CreateAccountDelay = -1 })
	creds, err := env.Config.Credentials.Retrieve(context.Background())
	if err != nil {
		f.Fatal(err)
	}
	signer := v4.NewSigner()
	h := env.Emulator.Handler()
	f.Fuzz(func(t *testing.T, svc uint8, action string, body []byte) {
		var req *http.Request
		var name string
		switch svc % 3 {
		case 0:
			name = "organizations"
			req, _ = http.NewRequest("POST", "http://local.bulkhead/", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/x-amz-json-1.1")
			req.Header.Set("X-Amz-Target", "AWSOrganizationsV20161128."+strings.Map(printable, action))
		case 1, 2:
			version := "2010-05-08"
			name = "iam"
			if svc%3 == 2 {
				name, version = "sts", "2011-06-15"
			}
			body = append([]byte("Action="+urlSafe(action)+"&Version="+version+"&"), body...)
			req, _ = http.NewRequest("POST", "http://local.bulkhead/", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		sum := sha256.Sum256(body)
		if err := signer.SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), name, "us-east-1", time.Now()); err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewRequest("POST", "/", bytes.NewReader(body))
		srv.Host = "local.bulkhead"
		srv.Header = req.Header
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, srv)
		if rec.Code >= 500 {
			t.Errorf("%s %s: HTTP %d: %s", name, action, rec.Code, rec.Body)
		}
		if rec.Header().Get("x-amzn-RequestId") == "" || strings.Contains(strings.ToLower(rec.Body.String()), "<html") {
			t.Errorf("%s %s: not an AWS response: %v %s", name, action, rec.Header(), rec.Body)
		}
	})
}

func printable(r rune) rune {
	if r < 0x21 || r > 0x7e {
		return -1
	}
	return r
}

func urlSafe(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}
