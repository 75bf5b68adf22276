package policy

import (
	"testing"
)

// The seed corpora live in testdata/fuzz/FuzzParse and
// testdata/fuzz/FuzzEvaluate (the policy documents of testdata/parse and
// the simulation inputs of testdata/cases); `go test` runs them as tests.
// To fuzz (keep it short on shared machines):
//
//	go test ./internal/policy -run '^$' -fuzz FuzzParse -fuzztime 60s
//	go test ./internal/policy -run '^$' -fuzz FuzzEvaluate -fuzztime 60s

// FuzzParse: the parser never panics, reports the same diagnostics for the
// same input, and what it accepts compiles and evaluates without panicking.
func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`), uint8(0))
	f.Add([]byte(`{"Statement":{"Effect":"Deny","NotPrincipal":{"AWS":"1"},"Action":"*","Resource":"*"}}`), uint8(1))
	f.Fuzz(func(t *testing.T, src []byte, k uint8) {
		kind := Kind(k % 5)
		p1, d1 := Parse(src, ParseOptions{File: "f.json", Kind: kind})
		p2, d2 := Parse(src, ParseOptions{File: "f.json", Kind: kind})
		if d1.Err() != nil && d1.Err().Error() != d2.Err().Error() {
			t.Fatalf("diagnostics differ between runs:\n%v\n%v", d1.Err(), d2.Err())
		}
		if (p1 == nil) != (p2 == nil) {
			t.Fatal("policy presence differs between runs")
		}
		for _, d := range d1 {
			if d.Pos.Line < 1 || d.Pos.Col < 1 {
				t.Fatalf("diagnostic without a position: %v", d)
			}
		}
		if p1 == nil {
			return
		}
		c := Compile(p1)
		layers := Layers{Identity: []*Compiled{c}}
		switch kind {
		case Resource, Trust:
			layers = Layers{Resource: c}
		case SCP:
			layers.SCPs = []OrgLevel{{ID: "r-root", Policies: []*Compiled{c}}}
		case RCP:
			layers.RCPs = []OrgLevel{{ID: "r-root", Policies: []*Compiled{c}}}
		}
		set := NewSet(layers)
		for _, r := range fuzzRequests() {
			d1 := set.Evaluate(r)
			d2, _ := set.Explain(r)
			if !sameDecision(d1, d2) {
				t.Fatalf("Evaluate %v and Explain %v disagree", d1, d2)
			}
		}
	})
}

func fuzzRequests() []*Request {
	r1 := &Request{Principal: "arn:aws:sts::111122223333:assumed-role/Dev/s", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"}
	r1.Context.Set("aws:SourceIp", "10.0.0.1")
	r2 := &Request{Principal: "arn:aws:iam::111122223333:user/alice", Action: "iam:CreateRole", Resource: "arn:aws:iam::444455556666:role/x", ContextComplete: true}
	r2.Context.Set("aws:TagKeys", "a", "b")
	r3 := &Request{Principal: "lambda.amazonaws.com", Action: "sts:AssumeRole", Resource: "*"}
	return []*Request{r1, r2, r3}
}

func sameDecision(a, b Decision) bool {
	if a.Result != b.Result || (a.Condition == nil) != (b.Condition == nil) {
		return false
	}
	return a.Condition == nil || a.Condition.String() == b.Condition.String()
}

// FuzzEvaluate: a simulation input never panics and always yields the same
// decision, from Evaluate and from Explain, on repeated runs.
func FuzzEvaluate(f *testing.F) {
	f.Add([]byte(`{"request":{"principal":"arn:aws:iam::111122223333:user/a","action":"s3:GetObject","resource":"arn:aws:s3:::b/k"},
	  "identityPolicies":[{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Get*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}]}]}`))
	f.Fuzz(func(t *testing.T, src []byte) {
		sim, diags := ParseSimulation(src, "sim.json")
		if diags.HasErrors() || sim == nil {
			return
		}
		set := NewSet(sim.Layers)
		first := set.Evaluate(sim.Request)
		for range 3 {
			if d := set.Evaluate(sim.Request); !sameDecision(first, d) {
				t.Fatalf("decision changed between runs: %v then %v", first, d)
			}
		}
		d, ex := set.Explain(sim.Request)
		if !sameDecision(first, d) {
			t.Fatalf("Evaluate %v and Explain %v disagree", first, d)
		}
		if ex == nil {
			t.Fatal("no explanation")
		}
		// A fresh copy of the request (no cached state) decides the same.
		fresh := *sim.Request
		fresh.prepared = false
		if d := set.Evaluate(&fresh); !sameDecision(first, d) {
			t.Fatalf("fresh request decided %v, want %v", d, first)
		}
	})
}
