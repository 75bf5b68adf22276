package layout

import (
	"fmt"
	"strings"
	"testing"
)

// layoutWithAccounts builds a valid layout with n workload accounts spread
// over 20 units, a stage rule per 10 accounts, and the base's roles and
// policies.
func layoutWithAccounts(n int) string {
	var b strings.Builder
	b.WriteString(`version: 1
organization:
  name: acme
  management: {account: management, email: aws@acme.example}
  email: "aws+{account}@acme.example"
units:
`)
	for u := 0; u < 20; u++ {
		fmt.Fprintf(&b, "  - Workloads/Team%02d\n", u)
	}
	b.WriteString("accounts:\n  management:\n    kind: management\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "  app-%04d:\n    unit: Workloads/Team%02d\n    kind: development\n    owner: team%02d@acme.example\n    tags:\n      cost-center: \"%d\"\n",
			i, i%20, i%20, 100+i%20)
	}
	b.WriteString("developers: [alice, bob]\ngroups:\n  engineers: [alice, bob]\nstages:\n")
	for i := 0; i < n; i += 10 {
		fmt.Fprintf(&b, "  - {match: [\"app-%04d-*\"], account: app-%04d, role: appeng}\n", i, i)
	}
	b.WriteString(`roles:
  appeng:
    trust: [group:engineers]
    policies: {development: policies/deploy.json}
policies:
  guardrails: {type: scp, file: policies/guardrails.json, attach: [Workloads]}
invariants:
  - group:engineers cannot write kind:production
`)
	return b.String()
}

func TestLayoutWithAccountsIsValid(t *testing.T) {
	l, ds := parseString(t, layoutWithAccounts(1000))
	if len(ds) > 0 {
		t.Fatalf("%s", ds.Err())
	}
	if len(l.Accounts) != 1001 {
		t.Fatalf("%d accounts", len(l.Accounts))
	}
}

// BenchmarkLoad1000 measures decode + expand + validate of a 1,000-account
// layout (go test ./internal/layout -run '^$' -bench Load1000).
func BenchmarkLoad1000(b *testing.B) {
	src := []byte(layoutWithAccounts(1000))
	read := readFS(testFS())
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		_, ds := Parse("bulkhead.yaml", src, Options{ReadFile: read})
		if len(ds) > 0 {
			b.Fatal(ds.Err())
		}
	}
}
