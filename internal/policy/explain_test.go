package policy

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func mustCompile(t *testing.T, kind Kind, src string) *Compiled {
	t.Helper()
	p, ds := Parse([]byte(src), ParseOptions{File: "t.json", Kind: kind})
	if ds.HasErrors() {
		t.Fatal(ds.Err())
	}
	return Compile(p)
}

// AccessDeniedMessage follows the wording of
// https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html
func TestAccessDeniedMessage(t *testing.T) {
	allowAll := mustCompile(t, Identity, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)
	denyS3 := mustCompile(t, SCP, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}`)
	denyIdentity := mustCompile(t, Identity, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}`)
	ec2Only := mustCompile(t, Identity, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:*","Resource":"*"}]}`)
	tests := []struct {
		name   string
		layers Layers
		want   string
	}{
		{"explicit deny in an SCP", Layers{Identity: []*Compiled{allowAll}, SCPs: []OrgLevel{{ID: "r-root", Policies: []*Compiled{denyS3}}}},
			"User: arn:aws:iam::111122223333:user/alice is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::b/k with an explicit deny in a service control policy"},
		{"explicit deny in an identity policy", Layers{Identity: []*Compiled{allowAll, denyIdentity}},
			"User: arn:aws:iam::111122223333:user/alice is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::b/k with an explicit deny in an identity-based policy"},
		{"no identity policy allows", Layers{Identity: []*Compiled{ec2Only}},
			"User: arn:aws:iam::111122223333:user/alice is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::b/k because no identity-based policy allows the s3:GetObject action"},
		{"no boundary allows", Layers{Identity: []*Compiled{allowAll}, Boundaries: []*Compiled{ec2Only}},
			"User: arn:aws:iam::111122223333:user/alice is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::b/k because no permissions boundary allows the s3:GetObject action"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &Request{Principal: "arn:aws:iam::111122223333:user/alice", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k", ContextComplete: true}
			d, ex := NewSet(tt.layers).Explain(r)
			if diff := cmp.Diff(tt.want, AccessDeniedMessage(r, d, ex)); diff != "" {
				t.Error(diff)
			}
		})
	}
}

// A Set is shared by the goroutines of the local AWS; each evaluates its own
// Request. Run with -race.
func TestSetConcurrentUse(t *testing.T) {
	set := NewSet(Layers{
		Identity: []*Compiled{benchPolicy(t, 25, Identity)},
		SCPs:     []OrgLevel{{ID: "r-root", Policies: []*Compiled{benchSCP(t)}}},
	})
	want := set.Evaluate(benchRequest())
	done := make(chan Decision)
	for range 8 {
		go func() {
			var d Decision
			for range 200 {
				d = set.Evaluate(benchRequest())
				_, _ = set.Explain(benchRequest())
			}
			done <- d
		}()
	}
	for range 8 {
		if d := <-done; !sameDecision(d, want) {
			t.Errorf("concurrent decision %v, want %v", d, want)
		}
	}
}
