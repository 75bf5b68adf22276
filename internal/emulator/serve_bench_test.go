package emulator_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/bulkhead-dev/bulkhead/internal/emulator/emulatortest"
)

// BenchmarkServe measures the server side alone (front end, service,
// store; no client, no socket): one signed request replayed against the
// handler.
func BenchmarkServe(b *testing.B) {
	env := emulatortest.Start(b)
	ctx := context.Background()
	if _, err := organizations.NewFromConfig(env.Config).CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll}); err != nil {
		b.Fatal(err)
	}
	creds, _ := env.Config.Credentials.Retrieve(ctx)
	cases := []struct {
		name, svc, target, ctype, body string
	}{
		{"DescribeOrganization", "organizations", "AWSOrganizationsV20161128.DescribeOrganization", "application/x-amz-json-1.1", "{}"},
		{"GetCallerIdentity", "sts", "", "application/x-www-form-urlencoded", "Action=GetCallerIdentity&Version=2011-06-15"},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			req, _ := http.NewRequest("POST", "http://local.bulkhead/", bytes.NewReader([]byte(c.body)))
			req.Header.Set("Content-Type", c.ctype)
			if c.target != "" {
				req.Header.Set("X-Amz-Target", c.target)
			}
			sum := sha256.Sum256([]byte(c.body))
			if err := v4.NewSigner().SignHTTP(ctx, aws.Credentials(creds), req, hex.EncodeToString(sum[:]), c.svc, "us-east-1", time.Now()); err != nil {
				b.Fatal(err)
			}
			h := env.Emulator.Handler()
			for b.Loop() {
				r := httptest.NewRequest("POST", "/", bytes.NewReader([]byte(c.body)))
				r.Host = "local.bulkhead"
				r.Header = req.Header
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, r)
				if rec.Code != 200 {
					b.Fatalf("%d %s", rec.Code, rec.Body)
				}
			}
		})
	}
}
