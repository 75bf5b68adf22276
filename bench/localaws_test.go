// Package bench measures the local AWS over loopback with aws-sdk-go-v2
// clients, signatures verified on every request, next to the same client
// against a trivial Go HTTP handler (the machine's ceiling). Run:
//
//	go test ./bench -run '^$' -bench . -benchtime 2s
//
// Each result reports req/s, p50 and p99 latency in milliseconds, and the
// process's resident memory (server and clients share the process).
// The package holds benchmarks only.
package bench

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/bulkhead-dev/bulkhead/internal/emulator"
	emorg "github.com/bulkhead-dev/bulkhead/internal/emulator/organizations"
)

// noEnforce measures without policy evaluation (the default evaluates
// identity policies, boundaries and SCPs on every request, as the product
// does): go test ./bench -bench LocalAWS -args -localaws.no-enforce
var noEnforce = flag.Bool("localaws.no-enforce", false, "run the local AWS without policy evaluation")

// clientCounts are the concurrent SDK clients each operation is run with.
var clientCounts = []int{1, 8}

// server is a local AWS on loopback with an organization of 1,000
// accounts.
type server struct {
	url, keyID, secret string
	member             string // a member account id
}

func startServer(b *testing.B) *server {
	b.Helper()
	ctx := context.Background()
	e, err := emulator.New(ctx, emulator.Options{
		StateDir:  b.TempDir(),
		NoEnforce: *noEnforce,
		Logger:    slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
		Organizations: emulator.OrganizationsOptions{
			CreateAccountDelay: -1,
			Quotas:             emorg.Quotas{MaxAccounts: 1001, MaxOUs: 1 << 30},
		},
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { e.Close() })
	srv := httptest.NewServer(e.Handler())
	b.Cleanup(srv.Close)
	s := &server{url: srv.URL}
	s.keyID, s.secret = e.RootCredentials()

	// The organization is built in-process: setup is not what is measured.
	org := organizations.NewFromConfig(e.Config(s.keyID, s.secret, ""))
	if _, err := org.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll}); err != nil {
		b.Fatal(err)
	}
	for i := range 999 {
		out, err := org.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String(fmt.Sprintf("acct-%04d", i)), Email: aws.String(fmt.Sprintf("aws+%04d@example.com", i))})
		if err != nil {
			b.Fatal(err)
		}
		if i == 0 {
			st, err := org.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: out.CreateAccountStatus.Id})
			if err != nil {
				b.Fatal(err)
			}
			s.member = aws.ToString(st.CreateAccountStatus.AccountId)
		}
	}
	return s
}

// config is one SDK client's configuration: its own connection pool,
// retries off (an error must fail the benchmark, not hide in a retry).
func config(url, keyID, secret string) aws.Config {
	return aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider(keyID, secret, ""),
		BaseEndpoint: aws.String(url),
		HTTPClient:   &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}},
		Retryer:      func() aws.Retryer { return aws.NopRetryer{} },
	}
}

// measure runs b.N calls spread over clients goroutines, each with its own
// client from newCall, and reports throughput, latency percentiles and RSS.
func measure(b *testing.B, clients int, newCall func() func(context.Context) error) {
	b.Helper()
	calls := make([]func(context.Context) error, clients)
	for i := range calls {
		calls[i] = newCall()
		if err := calls[i](context.Background()); err != nil { // warm up the connection
			b.Fatal(err)
		}
	}
	var next atomic.Int64
	var mu sync.Mutex
	var lat []time.Duration
	var firstErr error
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for _, call := range calls {
		wg.Go(func() {
			local := make([]time.Duration, 0, b.N/clients+1)
			for next.Add(1) <= int64(b.N) {
				t0 := time.Now()
				err := call(context.Background())
				local = append(local, time.Since(t0))
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					return
				}
			}
			mu.Lock()
			lat = append(lat, local...)
			mu.Unlock()
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if firstErr != nil {
		b.Fatal(firstErr)
	}
	slices.Sort(lat)
	pct := func(p float64) float64 {
		if len(lat) == 0 {
			return 0
		}
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "req/s")
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(rssMB(), "rss-MB")
	b.ReportMetric(0, "ns/op") // ns/op of a concurrent run misleads; req/s says it
}

// rssMB is the process's resident set (VmRSS), in MB.
func rssMB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}

func BenchmarkLocalAWS(b *testing.B) {
	s := startServer(b)
	ops := []struct {
		name string
		call func(cfg aws.Config) func(context.Context) error
	}{
		{"DescribeOrganization", func(cfg aws.Config) func(context.Context) error {
			c := organizations.NewFromConfig(cfg)
			return func(ctx context.Context) error {
				_, err := c.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
				return err
			}
		}},
		{"ListAccounts", func(cfg aws.Config) func(context.Context) error {
			// Pages of 20 through the 1,000 accounts, starting over at the end.
			c := organizations.NewFromConfig(cfg)
			var token *string
			return func(ctx context.Context) error {
				out, err := c.ListAccounts(ctx, &organizations.ListAccountsInput{MaxResults: aws.Int32(20), NextToken: token})
				if err != nil {
					return err
				}
				if len(out.Accounts) != 20 {
					return fmt.Errorf("ListAccounts page of %d accounts, want 20", len(out.Accounts))
				}
				token = out.NextToken
				return nil
			}
		}},
		{"CreateOrganizationalUnit", func(cfg aws.Config) func(context.Context) error {
			c := organizations.NewFromConfig(cfg)
			var root *string
			return func(ctx context.Context) error {
				if root == nil {
					r, err := c.ListRoots(ctx, &organizations.ListRootsInput{})
					if err != nil {
						return err
					}
					root = r.Roots[0].Id
				}
				_, err := c.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: root, Name: aws.String("ou-" + strconv.FormatInt(time.Now().UnixNano(), 36))})
				return err
			}
		}},
		{"AssumeRole", func(cfg aws.Config) func(context.Context) error {
			c := sts.NewFromConfig(cfg)
			arn := aws.String("arn:aws:iam::" + s.member + ":role/OrganizationAccountAccessRole")
			return func(ctx context.Context) error {
				_, err := c.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: arn, RoleSessionName: aws.String("bench")})
				return err
			}
		}},
	}
	for _, op := range ops {
		for _, n := range clientCounts {
			b.Run(fmt.Sprintf("%s/clients=%d", op.name, n), func(b *testing.B) {
				measure(b, n, func() func(context.Context) error { return op.call(config(s.url, s.keyID, s.secret)) })
			})
		}
	}
}

// BenchmarkCeiling is the same SDK client (GetCallerIdentity, signed)
// against a handler that answers a fixed response without parsing or
// verifying anything: what the machine and the client allow at most.
func BenchmarkCeiling(b *testing.B) {
	const body = `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:root</Arn><UserId>123456789012</UserId><Account>123456789012</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetCallerIdentityResponse>`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/xml")
		_, _ = w.Write([]byte(body))
	}))
	defer srv.Close()
	for _, n := range clientCounts {
		b.Run(fmt.Sprintf("clients=%d", n), func(b *testing.B) {
			measure(b, n, func() func(context.Context) error {
				c := sts.NewFromConfig(config(srv.URL, "AKIAEXAMPLE", "secret"))
				return func(ctx context.Context) error {
					_, err := c.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
					return err
				}
			})
		})
	}
}
