package policy

import (
	"fmt"
	"strings"
	"testing"
)

// gen builds small random policies from fuzz bytes, drawing from a
// vocabulary where matches are likely, so the evaluator's logic (not the
// parser's error paths) gets exercised.
type gen struct {
	b []byte
	i int
}

func (g *gen) next(n int) int {
	if len(g.b) == 0 || n <= 0 {
		return 0
	}
	v := int(g.b[g.i%len(g.b)])
	g.i++
	return v % n
}

func (g *gen) pick(xs ...string) string { return xs[g.next(len(xs))] }

func (g *gen) statement(kind Kind) string {
	var parts []string
	effect := g.pick("Allow", "Allow", "Deny")
	if kind == RCP {
		effect = "Deny"
	}
	parts = append(parts, fmt.Sprintf(`"Effect":%q`, effect))
	if kind == Resource || kind == RCP {
		p := g.pick(`"*"`, `{"AWS":"111122223333"}`, `{"AWS":"arn:aws:iam::111122223333:role/Dev"}`,
			`{"AWS":"arn:aws:sts::111122223333:assumed-role/Dev/s"}`, `{"AWS":"444455556666"}`)
		if kind == RCP {
			p = `"*"`
		}
		parts = append(parts, `"Principal":`+p)
	}
	key := "Action"
	if kind != RCP && g.next(5) == 0 {
		key = "NotAction"
	}
	action := g.pick("*", "s3:*", "s3:Get*", "s3:GetObject", "s3:Put*", "ec2:*")
	if kind == RCP && action == "ec2:*" {
		action = "s3:DeleteObject" // RCPs do not cover EC2
	}
	parts = append(parts, fmt.Sprintf(`%q:%q`, key, action))
	rkey := "Resource"
	if g.next(6) == 0 {
		rkey = "NotResource"
	}
	parts = append(parts, fmt.Sprintf(`%q:%q`, rkey, g.pick("*", "arn:aws:s3:::b/*", "arn:aws:s3:::other/*", "arn:aws:s3:::b/${aws:PrincipalTag/team, 'k'}")))
	switch g.next(5) {
	case 1:
		parts = append(parts, `"Condition":{"StringEquals":{"aws:RequestedRegion":"eu-west-1"}}`)
	case 2:
		parts = append(parts, `"Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"true"}}`)
	case 3:
		parts = append(parts, `"Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`)
	case 4:
		parts = append(parts, `"Condition":{"ForAnyValue:StringEquals":{"aws:TagKeys":["env"]},"Null":{"aws:TokenIssueTime":"false"}}`)
	}
	return "{" + strings.Join(parts, ",") + "}"
}

func (g *gen) policy(t *testing.T, kind Kind, extra ...string) *Compiled {
	stmts := append([]string(nil), extra...)
	for range 1 + g.next(3) {
		stmts = append(stmts, g.statement(kind))
	}
	src := `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`
	p, ds := Parse([]byte(src), ParseOptions{File: "gen.json", Kind: kind})
	if ds.HasErrors() {
		t.Fatalf("generated policy is invalid: %v\n%s", ds.Err(), src)
	}
	return Compile(p)
}

func (g *gen) request() *Request {
	r := &Request{
		Principal:       g.pick("arn:aws:sts::111122223333:assumed-role/Dev/s", "arn:aws:iam::111122223333:user/alice", "arn:aws:sts::444455556666:assumed-role/Ext/x", "arn:aws:iam::111122223333:root"),
		Action:          g.pick("s3:GetObject", "s3:PutObject", "ec2:RunInstances"),
		Resource:        g.pick("arn:aws:s3:::b/k", "arn:aws:s3:::other/k", "*"),
		ResourceAccount: "111122223333",
		ContextComplete: g.next(2) == 0,
	}
	if g.next(2) == 0 {
		r.Context.Set("aws:RequestedRegion", g.pick("eu-west-1", "us-east-1"))
	}
	if g.next(2) == 0 {
		r.Context.Set("aws:SourceIp", g.pick("10.1.2.3", "192.0.2.1"))
	}
	if g.next(2) == 0 {
		r.Context.Set("aws:TagKeys", "env", "team")
	}
	return r
}

// FuzzEvaluateProperties checks properties AWS's algorithm guarantees on
// random policy sets:
//   - Evaluate and Explain agree, and repeat themselves;
//   - an added identity Allow never turns an Allowed decision into a denial;
//   - an added identity Deny on everything always denies explicitly;
//   - an added SCP level that allows nothing never turns a denial into Allowed.
func FuzzEvaluateProperties(f *testing.F) {
	for _, seed := range []string{"", "a", "seed-1", "\x00\x01\x02\x03\x04\x05\x06\x07", "zzzzzzzzzzzzzzzzzzzz", "0123456789abcdef0123"} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		g := &gen{b: b}
		layers := Layers{Identity: []*Compiled{g.policy(t, Identity)}}
		if g.next(2) == 0 {
			layers.Boundaries = []*Compiled{g.policy(t, Identity)}
		}
		if g.next(2) == 0 {
			layers.Resource = g.policy(t, Resource)
		}
		if g.next(2) == 0 {
			layers.SCPs = []OrgLevel{{ID: "r-root", Policies: []*Compiled{g.policy(t, SCP, `{"Effect":"Allow","Action":"*","Resource":"*"}`)}}}
		}
		if g.next(3) == 0 {
			layers.RCPs = []OrgLevel{{ID: "r-root", Policies: []*Compiled{g.policy(t, RCP, `{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}`)}}}
		}
		r := g.request()
		fresh := func() *Request { c := *r; c.prepared = false; c.setID = nil; return &c }

		base := NewSet(layers).Evaluate(fresh())
		d2, _ := NewSet(layers).Explain(fresh())
		if !sameDecision(base, d2) {
			t.Fatalf("Evaluate %v, Explain %v", base, d2)
		}

		more := layers
		more.Identity = append(append([]*Compiled(nil), layers.Identity...), g.policy(t, Identity))
		// Adding statements that may allow (or deny) can only deny more if
		// they deny; check with allows only.
		allowOnly := layers
		allowOnly.Identity = append(append([]*Compiled(nil), layers.Identity...),
			mustParse(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`))
		if base.Allowed() {
			if d := NewSet(allowOnly).Evaluate(fresh()); !d.Allowed() {
				t.Fatalf("adding an Allow turned Allowed into %v", d)
			}
		}
		_ = NewSet(more).Evaluate(fresh()) // must not panic

		denyAll := layers
		denyAll.Identity = append(append([]*Compiled(nil), layers.Identity...),
			mustParse(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`))
		rr := fresh()
		rr.prepare()
		if rr.p.typ != PrincipalRoot {
			if d := NewSet(denyAll).Evaluate(fresh()); d.Result != ExplicitlyDenied {
				t.Fatalf("an identity Deny * gave %v", d)
			}
		}

		emptySCP := layers
		emptySCP.SCPs = append(append([]OrgLevel(nil), layers.SCPs...), OrgLevel{ID: "ou-empty"})
		if !base.Allowed() {
			if d := NewSet(emptySCP).Evaluate(fresh()); d.Allowed() {
				t.Fatalf("an SCP level allowing nothing turned %v into Allowed", base)
			}
		}
	})
}

func mustParse(t *testing.T, src string) *Compiled {
	t.Helper()
	p, ds := Parse([]byte(src), ParseOptions{File: "t.json"})
	if ds.HasErrors() {
		t.Fatal(ds.Err())
	}
	return Compile(p)
}
