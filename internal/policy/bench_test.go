package policy

import (
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"
)

// cpuTime is the process's user+system CPU time. The benchmark reports
// CPU nanoseconds per decision next to wall time, because on a shared
// machine wall time also counts the time other processes ran.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchPolicy builds an identity policy of n statements spread over several
// services, with conditions, like a real administrator/developer policy.
func benchPolicy(tb testing.TB, n int, kind Kind) *Compiled {
	tb.Helper()
	services := []string{"ec2", "s3", "iam", "lambda", "dynamodb", "sqs", "sns", "kms", "logs", "cloudwatch"}
	var stmts []string
	for i := range n {
		svc := services[i%len(services)]
		switch i % 4 {
		case 0:
			stmts = append(stmts, fmt.Sprintf(`{"Sid":"S%d","Effect":"Allow","Action":["%s:Get*","%s:List*","%s:Describe*"],"Resource":"*"}`, i, svc, svc, svc))
		case 1:
			stmts = append(stmts, fmt.Sprintf(`{"Sid":"S%d","Effect":"Allow","Action":"%s:*","Resource":"arn:aws:%s:*:111122223333:thing-%d/*","Condition":{"StringEquals":{"aws:RequestedRegion":["eu-west-1","eu-central-1"]}}}`, i, svc, svc, i))
		case 2:
			stmts = append(stmts, fmt.Sprintf(`{"Sid":"S%d","Effect":"Deny","Action":"%s:Delete*","Resource":"*","Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}}`, i, svc))
		case 3:
			stmts = append(stmts, fmt.Sprintf(`{"Sid":"S%d","Effect":"Allow","Action":"%s:Put*","Resource":"arn:aws:%s:::bucket-%d/*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}`, i, svc, svc, i))
		}
	}
	src := `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`
	p, ds := Parse([]byte(src), ParseOptions{File: "bench.json", Kind: kind})
	if ds.HasErrors() {
		tb.Fatal(ds.Err())
	}
	return Compile(p)
}

func benchSCP(tb testing.TB) *Compiled {
	tb.Helper()
	src := `{"Version":"2012-10-17","Statement":[
	  {"Effect":"Allow","Action":"*","Resource":"*"},
	  {"Effect":"Deny","NotAction":["iam:*","sts:*","organizations:*"],"Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":["eu-west-1","eu-central-1"]}}},
	  {"Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"}]}`
	p, ds := Parse([]byte(src), ParseOptions{File: "scp.json", Kind: SCP})
	if ds.HasErrors() {
		tb.Fatal(ds.Err())
	}
	return Compile(p)
}

func benchRequest() *Request {
	r := &Request{
		Principal:       "arn:aws:sts::111122223333:assumed-role/Dev/alice",
		Action:          "ec2:DescribeInstances",
		Resource:        "*",
		ContextComplete: true,
	}
	r.Context.Set("aws:RequestedRegion", "eu-west-1")
	r.Context.Set("aws:SourceIp", "10.1.2.3")
	r.Context.Set("aws:MultiFactorAuthPresent", "true")
	return r
}

// BenchmarkEvaluate measures decisions per second on compiled sets of 10 to
// 50 identity statements plus a two-level SCP chain and a boundary.
//
//	go test ./internal/policy -run '^$' -bench Evaluate -benchmem
func BenchmarkEvaluate(b *testing.B) {
	for _, n := range []int{10, 25, 50} {
		b.Run(fmt.Sprintf("statements=%d", n), func(b *testing.B) {
			set := NewSet(Layers{
				Identity:   []*Compiled{benchPolicy(b, n, Identity)},
				Boundaries: []*Compiled{benchPolicy(b, 10, Identity)},
				SCPs:       []OrgLevel{{ID: "r-root", Policies: []*Compiled{benchSCP(b)}}, {ID: "ou-dev", Policies: []*Compiled{benchSCP(b)}}},
			})
			r := benchRequest()
			if d := set.Evaluate(r); d.Result != Allowed || d.Condition != nil {
				b.Fatalf("benchmark request is %v, want Allowed", d.Result)
			}
			b.ReportAllocs()
			b.ResetTimer()
			cpu0 := cpuTime()
			for b.Loop() {
				set.Evaluate(r)
			}
			cpu := cpuTime() - cpu0
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "decisions/s")
			b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
		})
	}
}

// BenchmarkEvaluateFresh includes building the Request (principal and
// resource parsing), as the local AWS does once per call.
func BenchmarkEvaluateFresh(b *testing.B) {
	set := NewSet(Layers{Identity: []*Compiled{benchPolicy(b, 25, Identity)}})
	b.ReportAllocs()
	for b.Loop() {
		set.Evaluate(benchRequest())
	}
}

func TestEvaluateDoesNotAllocate(t *testing.T) {
	set := NewSet(Layers{
		Identity: []*Compiled{benchPolicy(t, 50, Identity)},
		SCPs:     []OrgLevel{{ID: "r-root", Policies: []*Compiled{benchSCP(t)}}},
	})
	r := benchRequest()
	set.Evaluate(r)
	if n := testing.AllocsPerRun(100, func() { set.Evaluate(r) }); n != 0 {
		t.Errorf("Evaluate allocates %v times per decision, want 0", n)
	}
}

var calibrationSink int

// BenchmarkCalibration is a fixed dependent loop of 1,000 iterations (about
// 3,000 cycles, ~1 µs on an idle 3 GHz core). Its cpu-ns/op divided by 1,000
// says how much slower than nominal the machine runs right now, so that
// BenchmarkEvaluate figures from a shared machine can be read fairly.
func BenchmarkCalibration(b *testing.B) {
	cpu0 := cpuTime()
	for b.Loop() {
		s := 0
		for i := range 1000 {
			s += i ^ (s >> 3)
		}
		calibrationSink = s
	}
	b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/op")
}
