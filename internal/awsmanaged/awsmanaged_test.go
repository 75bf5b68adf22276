package awsmanaged

import (
	"testing"

	"github.com/bulkhead-dev/bulkhead/internal/policy"
)

// TestCatalog: every document parses as an IAM identity policy with no
// diagnostic, and every entry can be found by each name a layout may use.
func TestCatalog(t *testing.T) {
	for _, p := range All() {
		if _, ds := policy.Parse([]byte(p.Document), policy.ParseOptions{File: p.Name, Kind: policy.Identity}); len(ds) > 0 {
			t.Errorf("%s: %v", p.Name, ds.Err())
		}
		for _, name := range []string{p.Name, p.ARN(), p.Path[1:] + p.Name} {
			got, ok := Lookup(name)
			if !ok || got.Name != p.Name {
				t.Errorf("Lookup(%q) = %q, %v", name, got.Name, ok)
			}
		}
	}
	if _, ok := Document("NoSuchPolicy"); ok {
		t.Error("Document(NoSuchPolicy) found")
	}
}

func TestReadOnlyAccessGrantsNoWrite(t *testing.T) {
	p, _ := Lookup("ReadOnlyAccess")
	doc, _ := policy.Parse([]byte(p.Document), policy.ParseOptions{Kind: policy.Identity})
	set := policy.NewSet(policy.Layers{Identity: []*policy.Compiled{policy.Compile(doc)}})
	for _, c := range []struct {
		action string
		want   bool
	}{
		{"iam:GetRole", true},
		{"s3:GetObject", true},
		{"dynamodb:Query", true},
		{"iam:CreateRole", false},
		{"s3:PutObject", false},
		{"organizations:LeaveOrganization", false},
	} {
		d := set.Evaluate(&policy.Request{Principal: "arn:aws:iam::111122223333:user/a", Action: c.action, Resource: "*", ContextComplete: true})
		if got := d.Allowed(); got != c.want {
			t.Errorf("%s: allowed = %v, want %v", c.action, got, c.want)
		}
	}
}
