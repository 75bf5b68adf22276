package access

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bulkhead-dev/bulkhead/internal/layout"
)

// startupWith returns the startup blueprint with n developers, all in the
// engineers group (each with a sandbox account).
func startupWith(tb testing.TB, n int) *layout.Layout {
	tb.Helper()
	src, err := os.ReadFile(startup)
	if err != nil {
		tb.Fatal(err)
	}
	var devs []string
	for i := range n {
		devs = append(devs, fmt.Sprintf("dev%02d", i))
	}
	list := "[" + strings.Join(devs, ", ") + "]"
	s := strings.Replace(string(src), "developers: [alice, bob]", "developers: "+list, 1)
	s = strings.Replace(s, "engineers: [alice, bob]", "engineers: "+list, 1)
	return parse(tb, filepath.Dir(startup), s)
}

func parse(tb testing.TB, dir, src string) *layout.Layout {
	tb.Helper()
	l, ds := layout.Parse("bulkhead.yaml", []byte(src), layout.Options{Dir: dir,
		ReadFile: func(p string) ([]byte, error) { return layout.OSReadFile(p, layout.MaxPolicyFileSize) }})
	if ds.HasErrors() {
		tb.Fatalf("%v", ds)
	}
	return l
}

// bigOrg is the startup blueprint's roles and policies over 1,000 accounts
// (250 each of production, staging, development and sandbox) and 49 people
// in two groups, plus the CI principal: 50 rows.
func bigOrg(tb testing.TB) *layout.Layout {
	tb.Helper()
	src, err := os.ReadFile(startup)
	if err != nil {
		tb.Fatal(err)
	}
	s := string(src)
	var accounts strings.Builder
	accounts.WriteString("accounts:\n  management:\n    kind: management\n")
	units := map[string]string{"production": "Workloads/Production", "staging": "Workloads/Staging",
		"development": "Workloads/Development", "sandbox": "Sandbox"}
	for i := range 1000 {
		kind := []string{"production", "staging", "development", "sandbox"}[i%4]
		fmt.Fprintf(&accounts, "  acct%04d:\n    unit: %s\n    kind: %s\n", i, units[kind], kind)
	}
	start := strings.Index(s, "accounts:\n")
	end := strings.Index(s, "# Developers:")
	s = s[:start] + accounts.String() + "\n" + s[end:]
	var people, ops []string
	for i := range 49 {
		people = append(people, fmt.Sprintf("p%02d", i))
		if i%7 == 0 {
			ops = append(ops, fmt.Sprintf("p%02d", i))
		}
	}
	s = strings.Replace(s, "developers: [alice, bob]", "developers: []", 1)
	s = strings.Replace(s, "engineers: [alice, bob]", "engineers: ["+strings.Join(people, ", ")+"]\n  ops: ["+strings.Join(ops, ", ")+"]", 1)
	// Stages reference accounts of the blueprint; the benchmark needs none.
	s = s[:strings.Index(s, "stages:\n")] + s[strings.Index(s, "# The CI principal"):]
	s = strings.Replace(s, "group:engineers cannot write kind:security", "only role:deployer, role:appeng can write kind:production", 1)
	return parse(tb, filepath.Dir(startup), s)
}

// BenchmarkMatrix1000 is `access matrix` for 1,000 accounts, 50 principals
// and every access class: building the model (policies compiled, the
// role-assumption graph evaluated) and the matrix.
func BenchmarkMatrix1000(b *testing.B) {
	l := bigOrg(b)
	b.ResetTimer()
	for b.Loop() {
		m, err := Build(l, Options{})
		if err != nil {
			b.Fatal(err)
		}
		mx, err := m.Matrix(RowsPrincipals, ByAccount)
		if err != nil {
			b.Fatal(err)
		}
		if len(mx.Rows) != 50 || len(mx.Columns) != 1001 {
			b.Fatalf("matrix is %d x %d", len(mx.Rows), len(mx.Columns))
		}
	}
}

// BenchmarkVerifyStartup50 is `access verify` on the startup blueprint with
// 50 developers (58 accounts).
func BenchmarkVerifyStartup50(b *testing.B) {
	l := startupWith(b, 50)
	b.ResetTimer()
	for b.Loop() {
		rep, err := Verify(l, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if !rep.OK() {
			b.Fatalf("violations: %+v", rep)
		}
	}
}

// TestBigOrgMatrix checks the benchmark's organization gives the answers
// the small one does, so that the benchmark measures real work.
func TestBigOrgMatrix(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 1,000-account model")
	}
	m, err := Build(bigOrg(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	mx, err := m.Matrix(RowsPrincipals, ByKind)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for i, r := range mx.Rows {
		if r == "user:p00" || r == "ci" {
			got[r] = strings.Join(mx.Cells[i], " ")
		}
	}
	want := map[string]string{
		// read in the management account: people may list the
		// organization's accounts (FindTheAccounts), nothing more.
		"user:p00": "read read admin admin admin",
		"ci":       "none admin admin none none",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("columns %v: got %v, want %v", mx.Columns, got, want)
	}
}
