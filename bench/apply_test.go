package bench

import (
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bulkhead-dev/bulkhead/internal/emulator"
	"github.com/bulkhead-dev/bulkhead/internal/emulator/emulatortest"
	"github.com/bulkhead-dev/bulkhead/internal/plan"
	"github.com/bulkhead-dev/bulkhead/internal/provider"
)

// BenchmarkApplyAWSLimits applies a layout of BULKHEAD_BENCH_ACCOUNTS
// accounts (default 250, with 25 OUs and 12 SCPs; 1,000 gives 100 OUs and
// 50 SCPs) to an empty local AWS set to AWS-like limits, enforced in front
// of it:
//
//   - at most 5 account creations in progress; a sixth CreateAccount is
//     refused with TooManyRequestsException;
//   - each creation takes creationDelay. AWS takes a minute or more, so
//     scaled down with it are the request rate (rateLimit per operation
//     against, in AWS, a few per second) and the client's first polling
//     interval (PollInitial), keeping the ratio of requests to creations
//     AWS-like;
//   - requests of one Organizations operation above rateLimit per second
//     (a token bucket per operation, burst rateBurst, as AWS meters each
//     API) are refused with TooManyRequestsException.
//
// It reports the wall time against the least those limits allow: the
// larger of ⌈accounts/5⌉·creationDelay and, for the busiest operation,
// (requests of it the apply needs at the least)/rateLimit; the least is
// one request per planned operation, plus one DescribeCreateAccountStatus
// and one MoveAccount per account.
func BenchmarkApplyAWSLimits(b *testing.B) {
	accounts := 250
	if s := os.Getenv("BULKHEAD_BENCH_ACCOUNTS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			b.Fatalf("BULKHEAD_BENCH_ACCOUNTS=%q: want a positive number", s)
		}
		accounts = n
	}
	const (
		creationDelay = 500 * time.Millisecond
		maxCreating   = 5
		rateLimit     = 100.0 // requests per second per operation
		rateBurst     = 10
	)
	units, policies := min(100, max(1, accounts/10)), min(50, max(1, accounts/20))
	want := bigOrg(accounts, units, policies)
	var wall, minimum time.Duration
	var calls int
	for b.Loop() {
		b.StopTimer()
		env := emulatortest.Start(b, func(o *emulator.Options) {
			o.Now = time.Now // creations complete on the wall clock
			o.Organizations.CreateAccountDelay = creationDelay
			o.Organizations.MaxAccounts = accounts + 1
		})
		lim := &awsLimits{next: env.Emulator.Handler(), rate: rateLimit, burst: rateBurst, maxCreating: maxCreating, delay: creationDelay, buckets: map[string]*bucket{}}
		cfg := env.Config
		cfg.HTTPClient = &http.Client{Transport: handlerTransport{lim}}
		p := provider.New(cfg, provider.Options{})
		dir := b.TempDir()
		b.StartTimer()
		start := time.Now()
		ao := plan.ApplyOptions{Parallelism: 20, PollInitial: 50 * time.Millisecond, PollMax: time.Second}
		if os.Getenv("BULKHEAD_BENCH_PROGRESS") != "" {
			ao.Progress = stampWriter{start: time.Now()}
		}
		out := applyOnce(b, p, want, dir, ao)
		wall = time.Since(start)
		b.StopTimer()
		calls = p.Calls().Total()
		busiest := accounts // CreateAccount, DescribeCreateAccountStatus and MoveAccount: one each per account
		for _, r := range out.Report.Results {
			if r.Kind != plan.CreateAccount {
				n := 0
				for _, q := range out.Report.Results {
					if q.Kind == r.Kind {
						n++
					}
				}
				busiest = max(busiest, n)
			}
		}
		minimum = max(time.Duration(math.Ceil(float64(accounts)/maxCreating))*creationDelay,
			time.Duration(float64(busiest)/rateLimit*float64(time.Second)))
		b.Logf("%d accounts: %s wall, %s minimum, %d requests (%d refused by the limits), %d operations",
			accounts, wall.Round(time.Millisecond), minimum, calls, lim.refused, len(out.Report.Results))
		b.StartTimer()
	}
	b.ReportMetric(wall.Seconds(), "wall-s")
	b.ReportMetric(minimum.Seconds(), "minimum-s")
	b.ReportMetric(wall.Seconds()/minimum.Seconds(), "ratio")
	b.ReportMetric(float64(calls), "requests")
}

// awsLimits enforces AWS-like limits in front of the local AWS's handler.
type awsLimits struct {
	next        http.Handler
	rate        float64
	burst       float64
	maxCreating int
	delay       time.Duration

	mu       sync.Mutex
	buckets  map[string]*bucket // by operation
	creating []time.Time        // completion times of creations in progress
	refused  int
}

type bucket struct {
	tokens float64
	last   time.Time
}

const orgTarget = "AWSOrganizationsV20161128."

func (l *awsLimits) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), orgTarget)
	if !ok {
		l.next.ServeHTTP(w, r)
		return
	}
	now := time.Now()
	l.mu.Lock()
	bk := l.buckets[op]
	if bk == nil {
		bk = &bucket{tokens: l.burst, last: now}
		l.buckets[op] = bk
	}
	bk.tokens = math.Min(l.burst, bk.tokens+now.Sub(bk.last).Seconds()*l.rate)
	bk.last = now
	refuse := bk.tokens < 1
	if !refuse {
		bk.tokens--
	}
	if !refuse && op == "CreateAccount" {
		live := l.creating[:0]
		for _, t := range l.creating {
			if t.After(now) {
				live = append(live, t)
			}
		}
		l.creating = live
		refuse = len(l.creating) >= l.maxCreating
	}
	if refuse {
		l.refused++
		if os.Getenv("BULKHEAD_BENCH_PROGRESS") != "" {
			fmt.Fprintf(os.Stderr, "refused %s (%d creating)\n", op, len(l.creating))
		}
	}
	l.mu.Unlock()
	if refuse {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"__type":"TooManyRequestsException","Message":"Rate exceeded (bench limits)"}`)
		return
	}
	rec := httptest.NewRecorder()
	l.next.ServeHTTP(rec, r)
	if op == "CreateAccount" && rec.Code == http.StatusOK {
		l.mu.Lock()
		// The local AWS completes a creation delay after it received
		// the request, so the slot frees at the same moment.
		l.creating = append(l.creating, now.Add(l.delay))
		l.mu.Unlock()
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

// handlerTransport hands requests to a handler in-process.
type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, r)
	res := rec.Result()
	res.Request = r
	return res, nil
}

// stampWriter prefixes progress lines with the time since start.
type stampWriter struct{ start time.Time }

func (w stampWriter) Write(b []byte) (int, error) {
	fmt.Fprintf(os.Stderr, "%8.3fs %s", time.Since(w.start).Seconds(), b)
	return len(b), nil
}
