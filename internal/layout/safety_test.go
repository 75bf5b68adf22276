package layout

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// anchorBomb is the "billion laughs" attack in YAML: each level doubles.
func anchorBomb(levels int) string {
	var b strings.Builder
	b.WriteString("version: 1\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < levels; i++ {
		fmt.Fprintf(&b, "a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d]\n", i, i, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1)
	}
	return b.String()
}

// fill repeats unit up to just under the file size cap.
func fill(unit string) string {
	var b strings.Builder
	for b.Len()+len(unit) < MaxFileSize-20 {
		b.WriteString(unit)
	}
	return b.String()
}

func keys(n int) string {
	var b strings.Builder
	for i := 0; i < n && b.Len() < MaxFileSize-20; i++ {
		fmt.Fprintf(&b, "k%d: v\n", i)
	}
	return b.String()
}

// TestHostileInput checks that inputs built to hang or crash a YAML reader
// end quickly with a diagnostic (the test has no timing assertion: a hang
// shows up as the test binary's timeout).
func TestHostileInput(t *testing.T) {
	tests := []struct {
		name string
		src  string
		code string // expected code of the first diagnostic
	}{
		{"anchor bomb", anchorBomb(9), "too-large"},
		{"self-referencing alias", "version: 1\na: &a [1, *a]\n", "yaml-syntax"},
		{"deep flow nesting", strings.Repeat("[", 100000), "too-deep"},
		{"deep flow mapping", "a: " + strings.Repeat("{a: ", 1000) + strings.Repeat("}", 1000), "too-deep"},
		{"deep block sequence", strings.Repeat("- ", 100000) + "x", "too-deep"},
		{"deep indentation", func() string {
			var b strings.Builder
			for i := 0; i < 500; i++ {
				b.WriteString(strings.Repeat(" ", i) + "a:\n")
			}
			return b.String()
		}(), "too-deep"},
		{"over the size cap", "a: " + strings.Repeat("x", MaxFileSize), "file-too-large"},
		{"10 MB of nesting", strings.Repeat("[", 10<<20), "file-too-large"},
		{"tabs", "version: 1\n\torganization: {}\n", "yaml-syntax"},
		// goccy/go-yaml's work is quadratic in the entries of one block
		// mapping and slow per flow item; these are refused before parsing.
		{"100,000 keys in one mapping", keys(100000), "too-large"},
		{"sequence lines nested 38 deep", "a:\n" + fill("  "+strings.Repeat("- ", 38)+"x\n"), "too-large"},
		{"flow sequence of 350,000 items", "a: [" + fill("1, ") + "1]", "too-large"},
		{"350,000 aliases", "a: &a {x: 1}\nb: [" + fill("*a, ") + "*a]\n", "too-large"},
		{"many 30-deep flow nests", "a: [" + fill(strings.Repeat("[", 30)+strings.Repeat("]", 30)+",") + "1]", "too-large"},
		{"indentation over 80 columns", "a:\n" + strings.Repeat(" ", 81) + "b: 1\n", "too-deep"},
		{"binary junk", "\x00\xff\xfe\x01\x02:\n - \x7f\x80", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, ds := Parse("bulkhead.yaml", []byte(tt.src), Options{})
			if len(ds) == 0 || !ds.HasErrors() {
				t.Fatalf("no error for hostile input; layout %+v", l)
			}
			if tt.code != "" && ds[0].Code != tt.code {
				t.Errorf("first code = %q, want %q:\n%s", ds[0].Code, tt.code, ds.Err())
			}
		})
	}
}

func TestAliasesAndMergeKeys(t *testing.T) {
	src := replace(t, base, "accounts:\n", "x-defaults: &staging {unit: Workloads/Development, kind: staging}\naccounts:\n")
	src = replace(t, src, "  dev: {unit: Workloads/Development, kind: development}", "  dev: {<<: *staging, kind: development}\n  qa: *staging")
	_, ds := parseString(t, src)
	// x-defaults is not a field: that is the one problem.
	if got := briefs(ds); !cmp.Equal(got, []string{"7:1 unknown-field"}) {
		t.Fatalf("diagnostics %v:\n%s", got, ds.Err())
	}
	src = replace(t, src, "x-defaults: &staging {unit: Workloads/Development, kind: staging}\naccounts:\n", "accounts:\n")
	src = replace(t, src, "  management: {kind: management}", "  management: {kind: management}\n  qa0: &staging {unit: Workloads/Development, kind: staging}")
	l, ds := parseString(t, src)
	if len(ds) > 0 {
		t.Fatalf("unexpected problems:\n%s", ds.Err())
	}
	if dev := l.Account("dev"); dev.Kind.Value != KindDevelopment || dev.Unit.Value != "Workloads/Development" {
		t.Errorf("merge key: explicit kind must win over merged, got %+v", dev)
	}
	if qa := l.Account("qa"); qa.Kind.Value != KindStaging {
		t.Errorf("alias: qa = %+v", qa)
	}
}

func TestLoadFileErrors(t *testing.T) {
	dir := t.TempDir()
	if _, _, err := Load(filepath.Join(dir, "missing.yaml")); err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("missing file: err = %v", err)
	}
	if _, _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "directory") {
		t.Errorf("directory: err = %v", err)
	}
	big := filepath.Join(dir, "big.yaml")
	if err := os.WriteFile(big, make([]byte, MaxFileSize+1), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Load(big); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("big file: err = %v", err)
	}
	// A policy file that is a directory is a diagnostic at the reference.
	if err := os.MkdirAll(filepath.Join(dir, "policies", "deploy.json"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "policies", "guardrails.json"), []byte(okSCP), 0o644); err != nil {
		t.Fatal(err)
	}
	lf := filepath.Join(dir, "bulkhead.yaml")
	if err := os.WriteFile(lf, []byte(base), 0o644); err != nil {
		t.Fatal(err)
	}
	_, ds, err := Load(lf)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 1 || ds[0].Code != "policy-file" || ds[0].Pos.Line != 28 || !strings.Contains(ds[0].Summary, "is a directory") {
		t.Errorf("policy file that is a directory:\n%s", ds.Err())
	}
}
